"""What the dbt manifest says about the models a column passes through.

The rule a step applies is read from the model itself: its description, and the macros
called in the select item that produces the column (`mask_block_address`, `normalized_text`,
`is_juvenile_call_type`, ...).
Python models, which sqlglot cannot read, declare their column inputs under
`config.meta.column_lineage` in their YAML, and the rules they apply under
`config.meta.column_rules`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=2)
def _load(path: Path, mtime_ns: int) -> ManifestIndex:
    return ManifestIndex(json.loads(path.read_text()))


_MACRO_CALL_RE = re.compile(r"\{\{-?\s*(?:[a-z_]+\.)?([a-z_][a-z0-9_]*)\s*\(")
_REF_RE = re.compile(r"ref\(\s*['\"]([a-z0-9_]+)['\"]\s*\)")
_IGNORED_MACROS = frozenset({"ref", "source", "var", "config", "this", "is_incremental"})


@dataclass(frozen=True)
class ManifestIndex:
    """Models and seeds of one parsed dbt project, by name."""

    manifest: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> ManifestIndex:
        """The parsed manifest, read once per version of the file (each publish step of a run
        asks for it; the file changes only when the dbt project is parsed again)."""
        return _load(path, path.stat().st_mtime_ns)

    @cached_property
    def nodes(self) -> dict[str, dict[str, Any]]:
        return {
            node["name"]: node
            for node in self.manifest["nodes"].values()
            if node["resource_type"] in ("model", "seed")
        }

    def is_seed(self, name: str) -> bool:
        return self.nodes.get(name, {}).get("resource_type") == "seed"

    def description(self, name: str) -> str:
        return " ".join((self.nodes.get(name, {}).get("description") or "").split())

    def declared_inputs(self, name: str, column: str) -> list[tuple[str, str]] | None:
        """The inputs a Python model declares for a column, as (model, column) pairs."""
        node = self.nodes.get(name, {})
        declared = (node.get("config", {}).get("meta") or node.get("meta") or {}).get(
            "column_lineage"
        )
        if declared is None or column not in declared:
            return None
        return [tuple(item.split(".", 1)) for item in declared[column]]  # type: ignore[misc]

    def rules(self, name: str, column: str) -> list[str]:
        """Macros and seeds used in the select item of `name` that produces `column`; for a
        Python model, the rules it declares under `config.meta.column_rules`."""
        node = self.nodes.get(name, {})
        if node.get("language") == "python":
            meta = node.get("config", {}).get("meta") or node.get("meta") or {}
            return list((meta.get("column_rules") or {}).get(column, []))
        code = node.get("raw_code") or ""
        item = _select_item(code, column)
        if not item:
            return []
        found = [m for m in _MACRO_CALL_RE.findall(item) if m not in _IGNORED_MACROS]
        found += [f"seed {seed}" for seed in _REF_RE.findall(item) if self.is_seed(seed)]
        return list(dict.fromkeys(found))


def _select_item(code: str, column: str) -> str:
    """The text of the select item ending in `as <column>` (a heuristic, not a SQL parser)."""
    matches = list(re.finditer(rf"\bas\s+{re.escape(column)}\b", code))
    if not matches:
        return ""
    start = matches[-1].start()
    depth = 0
    position = start
    while position > 0:
        char = code[position - 1]
        if char in ")}":
            depth += 1
        elif char in "({":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (
            char == "," or code[max(0, position - 7) : position].lower() == "select "
        ):
            break
        position -= 1
    return code[position:start]
