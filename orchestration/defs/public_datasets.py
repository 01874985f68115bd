"""The two jobs a data engineer runs before the first night, never scheduled.

`preflight_check` reports what would stop a publish without writing anything
(orchestration.publishing.preflight); `provision_public_datasets` creates the public datasets
or makes their columns the marts' (orchestration.publishing.provision), once, and again after
a change of a mart's public columns (a night's publish stops and names it when they differ).
"""

import dagster as dg
from pydantic import Field

from orchestration.catalog import PublishedDataset, Source
from orchestration.publishing.preflight import preflight
from orchestration.publishing.provision import provision_all, report_lines
from orchestration.socrata.resource import SocrataResource, format_dataset_ids


class ProvisionConfig(dg.Config):
    datasets: list[str] = Field(
        default_factory=list, description="Only these public datasets (default: all)."
    )
    dry_run: bool = Field(default=False, description="Only report what would change.")


def build_provision_job(published: tuple[PublishedDataset, ...]) -> dg.JobDefinition:
    @dg.op(description="Create each public dataset, or make its columns equal to its mart's.")
    def provision_datasets(
        context: dg.OpExecutionContext, config: ProvisionConfig, public_portal: SocrataResource
    ) -> dg.Output[dict[str, str]]:
        known = {dataset.name for dataset in published}
        unknown = sorted(set(config.datasets) - known)
        if unknown:
            raise dg.Failure(
                f"no public dataset named {', '.join(unknown)}; the catalog has {known}"
            )
        chosen = [d for d in published if not config.datasets or d.name in config.datasets]
        configured = public_portal.configured_ids()
        with public_portal.open() as client:
            outcomes = provision_all(client, chosen, configured, dry_run=config.dry_run)
        for line in report_lines(outcomes):
            context.log.info(line)
        report = "\n".join(f"- {line}" for line in report_lines(outcomes))
        ids = {**configured, **{o.dataset: o.dataset_id for o in outcomes if o.dataset_id}}
        setting = f"PUBLIC_SOCRATA_DATASET_IDS={format_dataset_ids(ids)}"
        context.log.info(setting)
        return dg.Output(
            {o.dataset: o.action for o in outcomes},
            metadata={
                "report": dg.MetadataValue.md(report),
                "setting": setting,
            },
        )

    return dg.GraphDefinition(
        name="provision_public_datasets", node_defs=[provision_datasets]
    ).to_job(
        description=(
            "Create the public datasets on the city's portal (Dataset Management API), or make "
            "their columns, types and row identifier equal to the marts'. Run once before the "
            "first night and after a change of public columns; idempotent. Never scheduled."
        ),
    )


def build_preflight_job(
    sources: tuple[Source, ...], published: tuple[PublishedDataset, ...]
) -> dg.JobDefinition:
    @dg.op(description="Check both portals and every dataset without writing anything.")
    def check_portals(
        context: dg.OpExecutionContext,
        source_portal: SocrataResource,
        public_portal: SocrataResource,
    ) -> dg.Output[list[str]]:
        with source_portal.open() as source, public_portal.open() as public:
            findings = preflight(
                source,
                public,
                source_ids=source_portal.configured_ids(),
                public_ids=public_portal.configured_ids(),
                sources=sources,
                datasets=published,
            )
        lines = [finding.line() for finding in findings]
        shown = {"findings": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines))}
        for finding, line in zip(findings, lines, strict=True):
            (context.log.info if finding.ok else context.log.error)(line)
        failed = [line for finding, line in zip(findings, lines, strict=True) if not finding.ok]
        if failed:
            raise dg.Failure(
                description=f"{len(failed)} of {len(findings)} checks failed:\n"
                + "\n".join(failed),
                metadata=shown,
                allow_retries=False,
            )
        return dg.Output(lines, metadata=shown)

    return dg.GraphDefinition(name="preflight_check", node_defs=[check_portals]).to_job(
        description=(
            "Before the first night (and after a change of portal, credentials or columns): can "
            "the platform authenticate, do the source datasets have the columns the models "
            "read, do the public datasets exist with the marts' columns, types and row "
            "identifier, and what would a publish change in their metadata. Writes nothing."
        ),
    )
