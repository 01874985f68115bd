"""Generated 311 requests: the requester's name, phone or email, and the full street
address, typed into the free-text columns (reason, status, contractor's notes).

`private` holds what no published value may contain at any precision (the requester's
identity); `address` is private too when the catalog publishes 311 at block precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import strategies as st

from tests.privacy.addresses import typed_addresses
from tests.privacy.messy import polluted
from tests.privacy.private_values import FIRST_NAMES, SURNAMES

DAY = date(2026, 11, 2)
FREE_TEXTS = ("request_reason", "status", "contractor", "contractor_action")


@dataclass
class Request:
    row: dict[str, str | None]
    private: set[str]
    address: str
    house_number: int = 0


@st.composite
def requests(draw: st.DrawFn) -> Request:
    first, last = draw(st.sampled_from(FIRST_NAMES)), draw(st.sampled_from(SURNAMES))
    name = f"{first} {last}"
    phone = draw(st.from_regex(r"\A\(504\) 555-0[0-9]{3}\Z"))
    email = f"{first}.{last}{draw(st.integers(1, 99))}@example.com".lower()
    # A house number in any position and form, unit designators after the street.
    house_number, typed_address = draw(typed_addresses())
    address = " ".join(typed_address.split())
    typed = [name, phone, email, address]
    minute = draw(st.integers(0, 23 * 60))
    row = {
        "request_type": "Roads/Drainage",
        "request_reason": draw(polluted("Pothole", typed)),
        "date_created": f"{DAY.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00.000",
        "request_status": "Pending",
        "responsible_agency": "Department of Public Works",
        "final_address": typed_address,
        "address_councildis": "E",
        "status": draw(polluted("Assigned to Contractor", typed)),
        "contractor": draw(polluted("Boh Bros", typed)),
        "contractor_action": draw(polluted("Crew dispatched", typed)),
        "requester_name": name,
        "requester_phone": phone,
        "requester_email": email,
        "_source_updated_at": "2026-11-03T06:00:00.000Z",
    }
    row["date_modified"] = row["date_created"]
    return Request(
        row=row, private={name, phone, email}, address=address, house_number=house_number
    )
