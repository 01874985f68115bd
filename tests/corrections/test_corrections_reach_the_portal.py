"""A steward's decisions reach every published day, through the gate, without a deploy.

Two days are published under the project's rules. A steward then records, through the
`record_correction` job (its run config is the decision), that a code the published calls
carry is juvenile, and the canonical text of another code. The `apply_corrections` sensor
sees them and requests one `reapply_privacy_rules` run over the history, run here as the
daemon would launch it.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import duckdb
import pytest
import requests

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS
from orchestration.defs.corrections import apply_corrections
from orchestration.defs.reapply import REAPPLY_JOB
from orchestration.publishing.reapply import range_tags
from orchestration.quality.contract_checks import declared_checks
from orchestration.quality.gate import composed_contract
from orchestration.warehouse.resource import WarehouseResource
from tests.pipeline.conftest import DAY

pytestmark = pytest.mark.integration  # publishes through dbt and the portals

FIRST = DAY - timedelta(days=1)
CFS = CALLS_FOR_SERVICE.published


def published(platform) -> dict[str, dict]:
    return {
        row[CFS.row_identifier]: {k: v for k, v in row.items() if not k.startswith(":")}
        for row in platform.published_rows(CFS.public_dataset_id)
    }


def record(definitions, instance, **decision) -> dg.ExecuteInProcessResult:
    result = definitions.resolve_job_def("record_correction").execute_in_process(
        run_config={"ops": {"record_decision": {"config": decision}}}, instance=instance
    )
    assert result.success
    return result


def sensor_context(platform, instance, definitions, cursor=None):
    return dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"warehouse": WarehouseResource(path=str(platform.warehouse))},
        definitions=definitions,
    )


@pytest.fixture(scope="module")
def corrected(platform):
    """Two published days; two decisions recorded; the sensor's reapply run over both."""
    definitions = platform.definitions()
    instance = dg.DagsterInstance.get()
    daily = definitions.resolve_job_def("daily_publish").execute_in_process(
        instance=instance, tags=range_tags(FIRST, DAY), raise_on_error=False
    )
    assert daily.success
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        # Two codes published on both days, each carried by a few calls only.
        (juvenile_code, juvenile_text), (text_code, seed_text) = connection.execute(
            f"""
            select type_, any_value(typetext) from {CFS.mart_table}
            group by type_
            having count(distinct cast(timecreate as date)) = 2 and count(*) between 2 and 30
            order by count(*), type_ limit 2
            """
        ).fetchall()
        # The spelling the source sent for it that the steward reviewed (the generator
        # misspells texts as the CAD does; the seed's own text when it did not).
        [(source_text,)] = connection.execute(
            "select coalesce(max(typetext) filter (where typetext != ?), ?) "
            "from raw.calls_for_service where type = ?",
            [seed_text, seed_text, text_code],
        ).fetchall()
    before = published(platform)
    canonical = seed_text.title()  # the city's newer CAD writes its texts in mixed case
    record(
        definitions,
        instance,
        steward="m.landry",
        reason=f"{juvenile_text} calls are runaway reports: juvenile",
        kind="new_code",
        code=juvenile_code,
        public_text=juvenile_text,
        is_juvenile=True,
        is_sensitive_location=False,
    )
    record(
        definitions,
        instance,
        steward="j.batiste",
        reason="the CAD's spellings of this type reviewed against the signal list",
        kind="canonical_text",
        code=text_code,
        source_text=source_text,
        public_text=canonical,
    )
    sensed = apply_corrections(sensor_context(platform, instance, definitions))
    [request] = sensed.run_requests
    reapplied = definitions.resolve_job_def(REAPPLY_JOB).execute_in_process(
        instance=instance, tags=request.tags, raise_on_error=False
    )
    return {
        "definitions": definitions,
        "instance": instance,
        "before": before,
        "juvenile_code": juvenile_code,
        "text_code": text_code,
        "canonical": canonical,
        "sensed": sensed,
        "request": request,
        "result": reapplied,
    }


def test_the_sensor_requests_one_reapply_over_every_day_holding_data(corrected):
    assert corrected["request"].tags["dagster/asset_partition_range_start"] == FIRST.isoformat()
    assert corrected["request"].tags["dagster/asset_partition_range_end"] == DAY.isoformat()
    assert corrected["result"].success


def test_a_code_a_steward_classifies_juvenile_leaves_every_published_day_and_the_gate_passes(
    platform, corrected
):
    code, before = corrected["juvenile_code"], corrected["before"]
    private = {k for k, row in before.items() if code in (row["type_"], row.get("initialtype"))}
    days = {before[k]["timecreate"][:10] for k in private}
    assert days == {FIRST.isoformat(), DAY.isoformat()}
    after = published(platform)
    assert private and not private & set(after)
    assert set(after) == set(before) - private
    evaluations = {
        (e.asset_key, e.check_name): e for e in corrected["result"].get_asset_check_evaluations()
    }
    for dataset in PUBLISHED_DATASETS:
        for check in declared_checks(composed_contract(dataset)):
            assert evaluations[(dataset.mart_asset_key, check.name)].passed, check.name


def test_a_stewards_canonical_text_is_published_on_every_day_that_carries_the_code(
    platform, corrected
):
    code, canonical = corrected["text_code"], corrected["canonical"]
    after = published(platform)
    carrying = [row for row in after.values() if row["type_"] == code]
    assert {row["timecreate"][:10] for row in carrying} == {FIRST.isoformat(), DAY.isoformat()}
    assert {row["typetext"] for row in carrying} == {canonical}
    initial = [row for row in after.values() if row.get("initialtype") == code]
    assert {row["initialtypetext"] for row in initial} <= {canonical}


def test_every_decision_appears_with_who_when_and_why_in_the_lineage_document(platform, corrected):
    view = requests.get(
        f"{platform.public.url}/api/views/{CFS.public_dataset_id}.json", timeout=10
    ).json()
    provenance = view["metadata"]["custom_fields"]["Provenance"]
    document = requests.get(platform.public.url + provenance["Lineage JSON"], timeout=10).json()
    named = {(c["steward"], c["kind"], c["subject"]): c for c in document["corrections"]}
    juvenile = named[("m.landry", "new_code", corrected["juvenile_code"])]
    text = named[("j.batiste", "canonical_text", corrected["text_code"])]
    for decision in (juvenile, text):
        assert decision["recorded_at"].endswith("+00:00")
        assert decision["reason"]
        assert decision["status"] == "in effect"
    assert juvenile["fields"]["is_juvenile"] is True
    assert text["fields"]["public_text"] == corrected["canonical"]
    page = requests.get(platform.public.url + provenance["Lineage document"], timeout=10).text
    assert "m.landry" in page and "j.batiste" in page


def test_the_sensor_asks_for_nothing_more_once_it_has_seen_the_decisions(platform, corrected):
    again = apply_corrections(
        sensor_context(
            platform, corrected["instance"], corrected["definitions"], corrected["sensed"].cursor
        )
    )
    assert isinstance(again, dg.SkipReason)
