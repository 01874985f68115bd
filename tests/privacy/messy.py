"""Strategies that dirty a text the way hand-typed CAD and 311 fields are dirty.

Case changes, stray leading and trailing blanks (spaces, no-break spaces pasted from
elsewhere) and doubled inner spaces: the rules compare normalised text, so none of this may
let a value slip through. Tabs and other control characters are left out: validation
quarantines rows that carry them, so they would never reach the privacy rules.
"""

from __future__ import annotations

from hypothesis import strategies as st

BLANKS = st.sampled_from(["", " ", "  ", "\u00a0", " \u00a0"])
INNER_BLANKS = st.sampled_from([" ", " ", "  ", "\u00a0"])
CASES = st.sampled_from([str.upper, str.lower, str.title, str.swapcase, lambda text: text])


@st.composite
def messy(draw: st.DrawFn, text: str) -> str:
    """`text` re-cased, its inner spaces varied, with blanks around it."""
    recase = draw(CASES)
    words = recase(text).split(" ")
    inner = "".join(word + draw(INNER_BLANKS) for word in words[:-1]) + words[-1]
    return draw(BLANKS) + inner + draw(BLANKS)


@st.composite
def polluted(draw: st.DrawFn, text: str | None, private: list[str]) -> str | None:
    """`text` as typed, or with one of `private` typed into it (or instead of it)."""
    if not private or draw(st.integers(0, 2)) == 0:
        return text
    value = draw(messy(draw(st.sampled_from(private))))
    base = text or ""
    template = draw(
        st.sampled_from(["{base} - {value}", "{value}", "{base} ({value})", "{value} {base}"])
    )
    return template.format(base=base, value=value)
