"""The requester columns the pipeline must drop: filled on most rows, and never real."""

from __future__ import annotations

import re

PUBLIC = (
    "service_request", "request_type", "request_reason", "request_status",
    "responsible_agency", "final_address", "address_councildis", "status", "contractor",
    "contractor_action", "rowid",
)  # fmt: skip
RESERVED_DOMAIN = re.compile(r"@(example\.(com|net|org)|[a-z]+\.(example|invalid))$")


def test_private_columns_are_filled_on_most_rows(fortnight_rows):
    total = len(fortnight_rows)
    assert sum(bool(row["requester_name"]) for row in fortnight_rows) > 0.8 * total
    assert sum(bool(row["requester_phone"]) for row in fortnight_rows) > 0.65 * total
    assert sum(bool(row["requester_email"]) for row in fortnight_rows) > 0.45 * total


def test_anonymous_requests_have_no_requester_at_all(fortnight_export, fortnight_rows):
    private = ("requester_name", "requester_phone", "requester_email")
    anonymous = [row for row in fortnight_rows if not any(row[c] for c in private)]
    assert len(anonymous) == fortnight_export.anonymous > 0
    assert all(row["requester_name"] for row in fortnight_rows if row not in anonymous)


def test_phones_and_emails_are_fictional(fortnight_rows):
    for row in fortnight_rows:
        if row["requester_phone"]:
            assert re.fullmatch(r"\(\d{3}\) 555-01\d\d", row["requester_phone"])
        if row["requester_email"]:
            assert RESERVED_DOMAIN.search(row["requester_email"]), row["requester_email"]


def test_no_requester_value_appears_in_a_public_column(fortnight_rows):
    private = {
        row[column]
        for row in fortnight_rows
        for column in ("requester_name", "requester_phone", "requester_email")
        if row[column]
    }
    public = " | ".join(row[column] for row in fortnight_rows for column in PUBLIC)
    assert not [value for value in private if value in public]
