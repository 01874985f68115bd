"""The review packet follows the stewards' decisions on suspected duplicates."""

from __future__ import annotations

from datetime import date

import duckdb


def test_the_review_packet_does_not_ask_again_about_a_pair_a_steward_rejected():
    from orchestration.catalog import CALLS_FOR_SERVICE
    from orchestration.review.packet import duplicate_events

    day = date(2022, 1, 1)
    with duckdb.connect() as connection:
        connection.execute("create schema audit; create schema rules")
        connection.execute(
            "create table audit.audit_calls_for_service_suspected_duplicate_events as "
            "select * from (values (date '2022-01-01', 'A0000722', 'A0000622', '21', "
            "'012XX Poydras St', 5.0), (date '2022-01-01', 'A0000922', 'A0000822', '21', "
            "'012XX Poydras St', 9.0)) as t(call_date, nopd_item, suspected_duplicate_of, "
            "type_, block_address, seconds_apart)"
        )
        connection.execute(
            "create table rules.corrections_in_effect as select 'duplicate_event' as kind, "
            "'calls_for_service' as dataset, 'A0000722' as row_id, 'A0000622' as duplicate_of, "
            "'rejected' as decision"
        )
        shown = duplicate_events(connection, CALLS_FOR_SERVICE, day)
    assert [event.nopd_item for event in shown] == ["A0000922"]
