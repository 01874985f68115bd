"""A steward's decision, validated before it is recorded.

The launchpad's run config and a CSV import's rows carry the same fields, so both pass
through `validate`: a decision is recorded whole and correct, or not at all, and the error
names what is wrong in the steward's terms (the kind, the field, the value). Who and why are
required of every decision: a correction nobody can account for is not a review.

Kinds, and what each changes once dbt reads it (dbt_project/models/rules/):

- `canonical_text`: the public text of a classified call type code, reviewed from a source
  text (a misspelling) the steward saw; the code's published text on every day.
- `new_code`: a call type code no rule table lists yet, with its public text and whether it
  is juvenile and whether it is a sensitive location, both stated, never defaulted: an
  unclassified code stays withheld (fail closed) until a steward says what it is.
- `duplicate_event`: a suspected duplicate event (audit_calls_for_service_suspected_
  duplicate_events) `confirmed` (the later item is withdrawn, the earlier stands for the
  event) or `rejected`.
- `withheld_row`: a published row taken out (`withhold`) or let back (`release`), by its row
  identifier.

A later decision on the same subject (the kind, dataset and code or row) supersedes the
earlier; both stay in the table.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass

KINDS = ("canonical_text", "new_code", "duplicate_event", "withheld_row")
# The datasets whose models read the corrections. The use-of-force and 311 models have no
# call type codes and do not read the withheld rows yet: a decision about them would be
# recorded and never applied, so it is refused.
DATASETS = ("calls_for_service",)
DECISIONS = {"duplicate_event": ("confirmed", "rejected"), "withheld_row": ("withhold", "release")}
KIND_FIELDS = {
    "canonical_text": ("code", "source_text", "public_text"),
    "new_code": ("code", "public_text", "is_juvenile", "is_sensitive_location"),
    "duplicate_event": ("row_id", "duplicate_of", "decision"),
    "withheld_row": ("row_id", "decision"),
}
ITEM_NUMBER = re.compile(r"^[A-Z][0-9]{7}$")
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
MAX_TEXT = 255


class InvalidDecision(ValueError):
    """A decision that cannot be recorded, with every reason why."""


@dataclass(frozen=True)
class Decision:
    """One validated decision, as the corrections table stores it (less id and time)."""

    steward: str
    reason: str
    kind: str
    dataset: str
    subject: str
    code: str | None = None
    source_text: str | None = None
    public_text: str | None = None
    is_juvenile: bool | None = None
    is_sensitive_location: bool | None = None
    row_id: str | None = None
    duplicate_of: str | None = None
    decision: str | None = None

    def as_row(self) -> dict[str, object]:
        return asdict(self)


def normalized_code(value: str) -> str:
    """A code as the privacy rules compare it: upper case, blanks collapsed, trimmed."""
    return re.sub(r"\s+", " ", value).strip().upper()


def _text(fields: Mapping[str, object], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(fields: Mapping[str, object], name: str, problems: list[str]) -> bool | None:
    value = fields.get(name)
    if value is None or isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if word:
        problems.append(f"{name} must be true or false, not {value!r}")
    return None


def validate(fields: Mapping[str, object], known_codes: Collection[str] | None = None) -> Decision:
    """The decision `fields` describe, or InvalidDecision naming every problem.

    `known_codes` are the call type codes already classified (the seed and the stewards'
    new codes): a canonical text is decided only for one of them, since it says nothing of
    whether the code is juvenile or a sensitive location.
    """
    problems: list[str] = []
    steward, reason = _text(fields, "steward"), _text(fields, "reason")
    kind, dataset = _text(fields, "kind"), _text(fields, "dataset")
    if steward is None:
        problems.append("steward is required: who decided")
    if reason is None:
        problems.append("reason is required: why")
    if kind not in KINDS:
        problems.append(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    if dataset not in DATASETS:
        problems.append(f"unknown dataset {dataset!r}: corrections apply to {', '.join(DATASETS)}")
    for name in ("steward", "reason", "source_text", "public_text"):
        value = _text(fields, name)
        if value is not None and len(value) > MAX_TEXT:
            problems.append(f"{name} is longer than {MAX_TEXT} characters")
    code = _text(fields, "code")
    code = normalized_code(code) if code else None
    public_text = _text(fields, "public_text")
    is_juvenile = _flag(fields, "is_juvenile", problems)
    is_sensitive = _flag(fields, "is_sensitive_location", problems)
    row_id, duplicate_of = _text(fields, "row_id"), _text(fields, "duplicate_of")
    row_id = row_id.upper() if row_id else None
    duplicate_of = duplicate_of.upper() if duplicate_of else None
    decision = _text(fields, "decision")
    decision = decision.lower() if decision else None
    subject = ""
    if kind in ("canonical_text", "new_code"):
        subject = code or ""
        if code is None:
            problems.append(f"{kind} needs code: the call type code")
        if public_text is None:
            problems.append(f"{kind} needs public_text: the text to publish for the code")
    if kind == "canonical_text":
        if _text(fields, "source_text") is None:
            problems.append("canonical_text needs source_text: the spelling it corrects")
        if code and known_codes is not None and code not in known_codes:
            problems.append(
                f"code {code!r} is not classified yet: record a new_code decision for it "
                "(its text, juvenile and sensitive-location classification) first"
            )
    if kind == "new_code":
        if is_juvenile is None:
            problems.append("new_code needs is_juvenile: true or false")
        if is_sensitive is None:
            problems.append("new_code needs is_sensitive_location: true or false")
    if kind in DECISIONS:
        subject = row_id or ""
        if decision is None and kind == "withheld_row":
            decision = "withhold"
        if decision not in DECISIONS[kind]:
            problems.append(
                f"{kind} needs decision: one of {', '.join(DECISIONS[kind])}, not {decision!r}"
            )
        if row_id is None:
            problems.append(f"{kind} needs row_id: the row identifier (nopd_item)")
        elif not ITEM_NUMBER.match(row_id):
            problems.append(f"row_id {row_id!r} is not an item number (e.g. A0000122)")
    if kind == "duplicate_event":
        if duplicate_of is None:
            problems.append("duplicate_event needs duplicate_of: the item the event stays under")
        elif not ITEM_NUMBER.match(duplicate_of):
            problems.append(f"duplicate_of {duplicate_of!r} is not an item number")
        elif duplicate_of == row_id:
            problems.append("duplicate_of names the row itself")
    if problems:
        raise InvalidDecision("; ".join(problems))
    values = {
        "code": code,
        "source_text": _text(fields, "source_text"),
        "public_text": public_text,
        "is_juvenile": is_juvenile,
        "is_sensitive_location": is_sensitive,
        "row_id": row_id,
        "duplicate_of": duplicate_of,
        "decision": decision,
    }
    # Only the kind's own fields are kept: a stray value would read as part of the decision.
    kept = {name: value for name, value in values.items() if name in KIND_FIELDS[kind]}
    return Decision(
        steward=steward, reason=reason, kind=kind, dataset=dataset, subject=subject, **kept
    )
