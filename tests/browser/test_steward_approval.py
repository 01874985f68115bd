"""A steward's approval in the real UI: a pending day's review packet, an approval launched
as the launchpad launches it, and the day published.

`dagster dev` runs with `RELEASE_POLICIES=calls_for_service=approved`. The calls' lane of
`daily_publish` for yesterday stops at the `release_approved` check of
`review/calls_for_service`: Chromium opens the review packet's checks tab (the day pending)
and its events (the packet's metadata and release fingerprint), and screenshots both. The
approval is launched through the UI's GraphQL API with the run config the launchpad sends;
the daemon's `release_approvals_publish` sensor then publishes the day. With
`UPDATE_SCREENSHOTS=1` the screenshots are copied to docs/images/ for the stewards' guide.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.test_dagster_ui import (
    CHROMIUM,
    LAUNCH_RUN,
    REPO_ROOT,
    REPOSITORIES,
    RUN_TIMEOUT_S,
    DagsterUI,
    asset_graph,
    asset_url,
    chromium,
    finished_run,
    graphql,
    log_tail,
    running_dagster_ui,
    settled_dom,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
]

REVIEW = ("review", "calls_for_service")
PUBLISHED = ("socrata", "calls_for_service")
RAW = ("raw_calls_for_service",)
WINDOW = (1600, 1000)
SCREENSHOTS = {
    "pending": Path("docs") / "images" / "steward-pending-day.png",
    "packet": Path("docs") / "images" / "steward-review-packet.png",
    "correction": Path("docs") / "images" / "steward-correction.png",
}
CORRECTIONS = ("stewards_corrections",)
REAPPLY_RUNS = """
query Reapply {
  runsOrError(filter: {pipelineName: "reapply_privacy_rules"}) { __typename
    ... on Runs { results { runId status tags { key value } } }
  }
}
"""
PACKET_METADATA = """
query Packet($key: AssetKeyInput!, $partition: String!) {
  assetOrError(assetKey: $key) { __typename
    ... on Asset { assetMaterializations(partitions: [$partition], limit: 1) {
      runId metadataEntries { label ... on TextMetadataEntry { text } }
    } }
  }
}
"""


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterUI]:
    root = tmp_path_factory.mktemp("steward_ui")
    with running_dagster_ui(root, {"RELEASE_POLICIES": "calls_for_service=approved"}) as running:
        yield running


def launch(ui: DagsterUI, job: str, run_config: dict, tags: dict, assets=None) -> str:
    """Launch `job` as the launchpad does; its run id."""
    repositories = graphql(ui, REPOSITORIES)["repositoriesOrError"]["nodes"]
    [repository] = [r for r in repositories if job in [j["name"] for j in r["jobs"]]]
    selector = {
        "repositoryLocationName": repository["location"]["name"],
        "repositoryName": repository["name"],
        "jobName": job,
    }
    if assets is not None:
        selector["assetSelection"] = [{"path": list(key)} for key in assets]
    params = {
        "selector": selector,
        "mode": "default",
        "runConfigData": json.dumps(run_config),
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
    }
    launched = graphql(ui, LAUNCH_RUN, {"params": params})["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


def calls_lane(ui: DagsterUI) -> list[tuple[str, ...]]:
    """The rule tables and everything downstream of the calls' raw asset."""
    nodes = asset_graph(ui)
    lane = {key for key, node in nodes.items() if node["groupName"] == "rules"} | {RAW}
    grown = True
    while grown:
        more = {
            key
            for key, node in nodes.items()
            if key not in lane and RAW in upstream_keys(nodes, key)
        }
        grown = bool(more)
        lane |= more
    return sorted(lane)


def upstream_keys(nodes: dict, key: tuple[str, ...]) -> set[tuple[str, ...]]:
    seen, todo = set(), [key]
    while todo:
        current = todo.pop()
        for dep in nodes[current]["dependencyKeys"]:
            if tuple(dep["path"]) not in seen:
                seen.add(tuple(dep["path"]))
                todo.append(tuple(dep["path"]))
    return seen


def packet_metadata(ui: DagsterUI, key: tuple[str, ...]) -> list[dict]:
    asset = graphql(
        ui, PACKET_METADATA, {"key": {"path": list(key)}, "partition": ui.day.isoformat()}
    )["assetOrError"]
    return asset.get("assetMaterializations", [])


def screenshot(ui: DagsterUI, url: str, name: str) -> None:
    path = ui.log.parent / SCREENSHOTS[name].name
    chromium(ui, url, WINDOW, budget_ms=20_000, screenshot=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(path, REPO_ROOT / SCREENSHOTS[name])


def test_a_pending_day_is_approved_in_the_ui_and_then_publishes(ui: DagsterUI) -> None:
    day = ui.day.isoformat()
    run_id = launch(ui, "daily_publish", {}, {"dagster/partition": day}, calls_lane(ui))
    run = finished_run(ui, run_id)
    stopped = [s["stepKey"] for s in run["stepStats"] if s["status"] == "FAILURE"]
    assert run["status"] == "FAILURE" and stopped, (run, log_tail(ui.log))
    assert all(step.endswith("release_approved") for step in stopped), stopped
    assert not packet_metadata(ui, PUBLISHED)

    [packet] = packet_metadata(ui, REVIEW)
    entries = {e["label"]: e.get("text") for e in packet["metadataEntries"]}
    fingerprint = entries["release_fingerprint"]
    assert fingerprint and entries["release_policy"] == "approved"
    checks = settled_dom(
        ui, f"{asset_url(ui, REVIEW)}?view=checks", WINDOW, lambda d: "release_approved" in d
    )
    assert "release_approved" in checks
    screenshot(ui, f"{asset_url(ui, REVIEW)}?view=checks", "pending")
    events = f"{asset_url(ui, REVIEW)}?view=events&partition={day}"
    dom = settled_dom(ui, events, WINDOW, lambda d: fingerprint in d)
    assert fingerprint in dom, "the packet's fingerprint is not on its events page"
    screenshot(ui, events, "packet")

    approval = {
        "dataset": "calls_for_service",
        "day": day,
        "fingerprint": fingerprint,
        "approved_by": "steward.browser",
        "reason": "read the packet in the UI",
    }
    approved = finished_run(
        ui,
        launch(
            ui, "approve_release", {"ops": {"record_release_approval": {"config": approval}}}, {}
        ),
    )
    assert approved["status"] == "SUCCESS", log_tail(ui.log)

    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not packet_metadata(ui, PUBLISHED) and time.monotonic() < deadline:
        time.sleep(3)
    assert packet_metadata(ui, PUBLISHED), f"the day was not published\n{log_tail(ui.log)}"


def test_a_correction_recorded_in_the_ui_is_applied_over_the_history(ui: DagsterUI) -> None:
    """The city's own misspelling in the seed (`ABUSE/NEGLIECT`), corrected from the
    launchpad: the decision shows on the corrections asset with who and why, and the
    `apply_corrections` sensor asks for the rules to be reapplied over every day."""
    decision = {
        "steward": "steward.browser",
        "reason": "the city's text misspells NEGLECT",
        "kind": "canonical_text",
        "code": "ABUSE",
        "source_text": "ABUSE/NEGLIECT",
        "public_text": "ABUSE/NEGLECT",
    }
    recorded = finished_run(
        ui, launch(ui, "record_correction", {"ops": {"record_decision": {"config": decision}}}, {})
    )
    assert recorded["status"] == "SUCCESS", log_tail(ui.log)
    events = f"{asset_url(ui, CORRECTIONS)}?view=events"
    dom = settled_dom(ui, events, WINDOW, lambda d: "ABUSE/NEGLECT" in d)
    assert "steward.browser" in dom and "misspells NEGLECT" in dom, (
        "the decision's who and why are not on the corrections asset"
    )
    screenshot(ui, events, "correction")

    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not reapply_runs(ui) and time.monotonic() < deadline:
        time.sleep(3)
    assert reapply_runs(ui), f"no reapply run was requested\n{log_tail(ui.log)}"


def reapply_runs(ui: DagsterUI) -> list[dict]:
    return graphql(ui, REAPPLY_RUNS)["runsOrError"].get("results", [])
