"""Credentials never appear in logs, run records, failure records, webhook posts or the
public portal, whether the daily run publishes or fails against a refusing source."""

from __future__ import annotations

import pytest

from orchestration.alerting.run_failures import root_error
from tests.security.conftest import SECRETS
from tests.security.leaks import (
    leaks_in_portal,
    leaks_in_runs,
    leaks_in_text,
    leaks_in_warehouse,
)

pytestmark = pytest.mark.slow


def test_the_runs_publish_and_fail_as_staged(outcome):
    assert outcome.published_run.success
    assert not outcome.failed_run.success
    errors = " ".join(
        root_error(event.step_failure_data.error)
        for event in outcome.failed_run.all_events
        if event.is_step_failure
    )
    assert "failed with 401" in errors and "failed with 500" in errors


def test_no_secret_in_any_dagster_event_or_run_record(outcome):
    run_ids = [outcome.published_run.run_id, outcome.failed_run.run_id]
    assert leaks_in_runs(outcome.instance, run_ids, SECRETS) == []


def test_no_secret_in_any_log_line_or_console_output(outcome):
    assert outcome.log_lines and outcome.console
    found = [hit for line in outcome.log_lines for hit in leaks_in_text("log", line, SECRETS)]
    assert found + leaks_in_text("console", outcome.console, SECRETS) == []


def test_no_secret_in_the_warehouse_failure_records_included(outcome):
    assert leaks_in_warehouse(outcome.warehouse, SECRETS) == []


def test_no_secret_in_the_failure_webhook_posts(outcome):
    [post] = outcome.webhook_posts
    assert leaks_in_text("webhook post", post, SECRETS) == []


def test_no_secret_in_the_public_portals_metadata_attachments_or_rows(outcome):
    assert leaks_in_portal(outcome.public_url, SECRETS) == []
