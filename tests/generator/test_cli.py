"""``python -m tooling.generator`` writes the export and prints its summary as JSON."""

from __future__ import annotations

import json

from tooling.generator.__main__ import main


def test_cli_writes_the_export_and_prints_the_summary(tmp_path, capsys):
    main(["--data-dir", str(tmp_path), "--start", "2026-11-02", "--end", "2026-11-03",
          "--seed", "5", "--scale", "0.2"])  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert summary["days"] == 2
    assert summary["path"] == str(tmp_path / "opcd-cfs1.csv")
    assert (tmp_path / "opcd-cfs1.meta.json").exists()
    lines = (tmp_path / "opcd-cfs1.csv").read_text(encoding="utf-8").count("\n")
    assert lines == summary["rows"] + 1
