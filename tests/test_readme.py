"""The README is a front door that stays true: short, its Layout the tree's, its paths real.

The same holds for the guides under docs/: every repository path they name in backticks
exists, and every relative link lands on a file (and on a heading, when it names one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
DOCUMENTS = (README, *sorted((REPO_ROOT / "docs").glob("*.md")))
MAX_README_LINES = 260
PACKAGE_ROOTS = ("orchestration", "tooling")
# Backticked text starting like this names a path from the repository root.
REPO_PATH_PREFIXES = (
    "orchestration/",
    "tooling/",
    "dbt_project/",
    "tests/",
    "docs/",
    "deploy/",
    "scripts/",
    ".ci/",
)

FENCED_BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
PLACEHOLDER = re.compile(r"<[^<>/]+>")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*$", re.MULTILINE)


def document_id(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def without_code_blocks(text: str) -> str:
    """The Markdown outside fenced blocks: a `#` there is a shell comment, not a heading."""
    return FENCED_BLOCK.sub("", text)


def section(text: str, title: str) -> str:
    """The body of the `## title` section, up to the next second-level heading."""
    match = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"the README has no '## {title}' section"
    return match.group(1)


def layout_paths() -> list[str]:
    """The first word of each line of the Layout section's block: a path from the root."""
    block = FENCED_BLOCK.search(section(README.read_text(), "Layout"))
    assert block, "the README's Layout section has no code block"
    paths = [line.split()[0] for line in block.group(1).splitlines() if line.strip()]
    assert paths, "the README's Layout block is empty"
    return paths


def exists(path: str) -> bool:
    """The path is in the tree; `<name>` placeholders stand for any name that is."""
    if PLACEHOLDER.search(path):
        return any(REPO_ROOT.glob(PLACEHOLDER.sub("*", path).rstrip("/")))
    return (REPO_ROOT / path).exists()


def backticked_repo_paths(text: str) -> list[str]:
    spans = CODE_SPAN.findall(without_code_blocks(text))
    return [span for span in spans if span.startswith(REPO_PATH_PREFIXES) and " " not in span]


def links(text: str) -> list[str]:
    """Every link and image target outside code blocks, web addresses left out."""
    return [t for t in LINK.findall(without_code_blocks(text)) if not URL_SCHEME.match(t)]


def relative_links(text: str) -> list[str]:
    return [target for target in links(text) if not target.startswith("#")]


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a document's headings: lower case, punctuation dropped."""
    headings = HEADING.findall(without_code_blocks(path.read_text()))
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_the_readme_has_at_most_260_lines():
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"


def test_every_path_in_the_readme_layout_exists():
    missing = [path for path in layout_paths() if not exists(path)]
    assert missing == []


def test_every_package_under_orchestration_and_tooling_is_named_in_the_layout():
    named = {path.rstrip("/") for path in layout_paths()}
    packages = [
        f"{root}/{folder.name}"
        for root in PACKAGE_ROOTS
        for folder in sorted((REPO_ROOT / root).iterdir())
        if (folder / "__init__.py").is_file()
    ]
    assert packages, "no packages found under orchestration/ or tooling/"
    assert [package for package in packages if package not in named] == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=document_id)
def test_every_repository_path_in_backticks_exists(document: Path):
    missing = [path for path in backticked_repo_paths(document.read_text()) if not exists(path)]
    assert missing == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=document_id)
def test_every_relative_link_resolves_to_a_file(document: Path):
    broken = []
    for target in relative_links(document.read_text()):
        resolved = (document.parent / target.split("#")[0]).resolve()
        if not resolved.is_relative_to(REPO_ROOT) or not resolved.is_file():
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=document_id)
def test_every_link_anchor_names_a_heading_of_its_target(document: Path):
    broken = []
    for target in links(document.read_text()):
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part else document
        checkable = anchor and linked.suffix == ".md" and linked.is_file()
        if checkable and anchor not in heading_anchors(linked):
            broken.append(target)
    assert broken == []
