"""Candidate misspellings: source texts that are not the canonical text of their code.

The CAD sends a text beside each code (`94 DISCHARGING FIREARMS`), and the models publish
the seed's canonical text instead (`94 DISCHARGING FIREARM`). A steward still wants to see
the texts as they came: a text that differs from its code's canonical text may be a typo or
a truncation (`BURGLAR ALARM, SILEN`), and one closer to another code's canonical text than
to its own may be a miscoded call. Texts are compared with case and runs of spaces folded
(the city changed case over the years; that is no misspelling), and scored with rapidfuzz's
normalized Indel similarity (`fuzz.ratio`, 0-100).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

# A text at least this similar to another code's canonical text, and more similar to it
# than to its own code's, is named as close to that code.
CLOSE_TO_ANOTHER_CODE = 90.0


@dataclass(frozen=True)
class ReportedText:
    """A text the source sent with a code, and on how many row versions."""

    field: str
    code: str
    text: str
    rows: int


@dataclass(frozen=True)
class Candidate:
    """A reported text that is not its code's canonical text, with what it resembles."""

    field: str
    code: str
    source_text: str
    rows: int
    canonical_text: str | None  # the seed's text for the code (None: the code is new)
    score: float | None  # similarity of the source text to its code's canonical text
    closest_code: str | None = None  # another code whose canonical text it is close to
    closest_text: str | None = None
    closest_score: float | None = None


def folded(text: str) -> str:
    """Upper case, runs of whitespace as one space, trimmed."""
    return " ".join(text.upper().split())


def candidate_misspellings(
    reported: Iterable[ReportedText],
    canonical: Mapping[str, str],
    close_to_another_code: float = CLOSE_TO_ANOTHER_CODE,
) -> list[Candidate]:
    """Each reported text that differs from its code's canonical text (`canonical`: code ->
    text), scored against it and against the closest other code's text."""
    texts = {folded(code): text for code, text in canonical.items()}
    choices = {code: folded(text) for code, text in texts.items()}
    found: list[Candidate] = []
    for item in reported:
        code = folded(item.code)
        text = folded(item.text)
        own = choices.get(code)
        if not text or text == own:
            continue
        score = fuzz.ratio(text, own) if own is not None else None
        others = {c: t for c, t in choices.items() if c != code and t != own}
        best = process.extractOne(
            text, others, scorer=fuzz.ratio, score_cutoff=close_to_another_code
        )
        closest = None
        if best is not None and (score is None or best[1] > score):
            closest = best
        found.append(
            Candidate(
                field=item.field,
                code=code,
                source_text=item.text,
                rows=item.rows,
                canonical_text=texts.get(code),
                score=None if score is None else round(score, 1),
                closest_code=closest[2] if closest else None,
                closest_text=texts[closest[2]] if closest else None,
                closest_score=round(closest[1], 1) if closest else None,
            )
        )
    return sorted(found, key=lambda c: (c.field, c.code, -c.rows, c.source_text))
