"""A decision is recorded whole and correct, or refused with a reason the steward can act on."""

from __future__ import annotations

import pytest

from orchestration.corrections.decisions import InvalidDecision, validate

WHO_WHY = {"steward": "m.landry", "reason": "checked against the CAD's signal list"}
NEW_CODE = {
    **WHO_WHY,
    "kind": "new_code",
    "dataset": "calls_for_service",
    "code": " 24j ",
    "public_text": "JUVENILE DISTURBANCE",
    "is_juvenile": "true",
    "is_sensitive_location": "no",
}


def refusal(fields, known_codes=None) -> str:
    with pytest.raises(InvalidDecision) as error:
        validate(fields, known_codes)
    return str(error.value)


def test_a_new_code_is_recorded_with_its_code_normalized_and_both_classifications():
    decision = validate(NEW_CODE)
    assert (decision.subject, decision.is_juvenile, decision.is_sensitive_location) == (
        "24J",
        True,
        False,
    )


def test_an_unknown_kind_is_refused_naming_the_kinds():
    assert "unknown kind 'rename'" in refusal({**NEW_CODE, "kind": "rename"})


def test_a_decision_without_who_or_why_is_refused():
    message = refusal({**NEW_CODE, "steward": " ", "reason": None})
    assert "steward is required" in message and "reason is required" in message


def test_an_unknown_dataset_is_refused():
    message = refusal({**NEW_CODE, "dataset": "parking_tickets"})
    assert "unknown dataset 'parking_tickets'" in message


def test_a_new_code_must_say_whether_it_is_juvenile_and_a_sensitive_location():
    message = refusal({**NEW_CODE, "is_juvenile": None, "is_sensitive_location": "maybe"})
    assert "new_code needs is_juvenile" in message
    assert "is_sensitive_location must be true or false, not 'maybe'" in message


def test_a_canonical_text_for_a_code_nobody_classified_is_refused():
    fields = {
        **WHO_WHY,
        "kind": "canonical_text",
        "dataset": "calls_for_service",
        "code": "77Q",
        "source_text": "NEW SGNAL",
        "public_text": "NEW SIGNAL",
    }
    assert "code '77Q' is not classified yet" in refusal(fields, known_codes={"21"})


def test_a_duplicate_event_needs_two_distinct_item_numbers_and_a_verdict():
    fields = {**WHO_WHY, "kind": "duplicate_event", "dataset": "calls_for_service"}
    message = refusal({**fields, "row_id": "A0000222", "duplicate_of": "a0000222"})
    assert "duplicate_of names the row itself" in message
    assert "confirmed, rejected" in message


def test_fields_of_another_kind_are_not_kept():
    decision = validate(
        {**WHO_WHY, "kind": "withheld_row", "dataset": "calls_for_service", "row_id": "a0000122"}
        | {"public_text": "stray", "is_juvenile": "true"}
    )
    assert (decision.row_id, decision.decision, decision.public_text, decision.is_juvenile) == (
        "A0000122",
        "withhold",
        None,
        None,
    )
