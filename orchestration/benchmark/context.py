"""What the figures of one `civic-bench` run share: its options and the span, built once.

Building a 500k-row span takes longer than most figures, so the first figure that asks for
it builds it and the others reuse it. A figure that changes the warehouse (the dbt build
does: it fills the marts) says so in its docstring, so later figures know what they get.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orchestration.benchmark.span import Span, build_span

DEFAULT_ROWS = 500_000
DEFAULT_SEED = 20110101


@dataclass
class BenchContext:
    work_dir: Path
    rows: int = DEFAULT_ROWS
    seed: int = DEFAULT_SEED
    progress: bool = True
    _span: Span | None = field(default=None, repr=False)

    def say(self, message: str) -> None:
        """A progress line: a bench runs for minutes and should say what it is doing."""
        if self.progress:
            print(f"civic-bench: {message}", flush=True)

    def span(self) -> Span:
        """The run's span of about `rows` raw rows, generated and loaded on first use."""
        if self._span is None:
            self.say(f"building a span of about {self.rows:,} raw rows in {self.work_dir} ...")
            self._span = build_span(self.work_dir, self.rows, self.seed)
            span = self._span
            self.say(
                f"span {span.window.start}..{span.window.end} ({span.days} days, "
                f"{span.rows:,} raw rows) built in {span.build_seconds:.0f} s"
            )
        return self._span
