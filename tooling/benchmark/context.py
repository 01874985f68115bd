"""What the figures of one `civic-bench` run share: its options and what they build, once.

Building a 500k-row span, or fifteen years of history and its backfill, takes longer than
most figures, so the first figure that asks for one builds it and the others reuse it. A
figure that changes a warehouse (the dbt build does: it fills the marts) says so in its
docstring, so later figures know what they get.
"""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from orchestration.partitions import DayWindow
from tooling.benchmark.history import History, build_history
from tooling.benchmark.measure import Measured
from tooling.benchmark.platform import Deployment, portal_process
from tooling.benchmark.span import Span, build_span
from tooling.launcher.embedded import RunningPortal

DEFAULT_ROWS = 500_000
DEFAULT_SEED = 20110101
DEFAULT_SCALE = 1.0
MONTH_DAYS = 30
LOOKBACK_DAYS = 2  # the nightly run takes yesterday and the late changes of the two before


@dataclass
class BenchContext:
    work_dir: Path
    rows: int = DEFAULT_ROWS
    seed: int = DEFAULT_SEED
    progress: bool = True
    scale: float = DEFAULT_SCALE
    stack: ExitStack = field(default_factory=ExitStack, repr=False)
    _span: Span | None = field(default=None, repr=False)
    _history: History | None = field(default=None, repr=False)
    _source: RunningPortal | None = field(default=None, repr=False)
    _deployments: dict[str, Deployment] = field(default_factory=dict, repr=False)
    _backfills: dict[str, Measured] = field(default_factory=dict, repr=False)
    late_changes: int | None = None  # rows changed at the source before the nightly runs

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

    # The history figures ---------------------------------------------------------------

    def history(self) -> History:
        """`scale` of fifteen years of every source, generated on first use."""
        if self._history is None:
            self.say(f"generating {self.scale:g} of fifteen years of history ...")
            self._history = build_history(
                self.work_dir / "history", scale=self.scale, seed=self.seed
            )
            history = self._history
            self.say(
                f"history {history.first_day}..{history.last_day}: {history.rows:,} rows "
                f"({', '.join(f'{k} {v:,}' for k, v in history.rows_by_source.items())}) "
                f"generated in {history.generate_seconds:.0f} s"
            )
        return self._history

    def source_portal(self) -> RunningPortal:
        """The internal portal serving the history (started, and its CSVs imported, once)."""
        if self._source is None:
            history = self.history()
            self.say("starting the internal portal (it imports the history's CSV files) ...")
            self._source = self.stack.enter_context(portal_process(history.internal_dir))
        return self._source

    def deployment(self, name: str) -> Deployment:
        """A deployment of the platform with its own warehouse and public portal."""
        if name not in self._deployments:
            root = self.work_dir / name
            source = self.source_portal()
            public = self.stack.enter_context(
                portal_process(root / "public", password=secrets.token_urlsafe(16))
            )
            self._deployments[name] = Deployment(name, root, source, public)
        return self._deployments[name]

    @property
    def backfill_window(self) -> DayWindow:
        """The whole history but its last day, which the nightly run brings."""
        history = self.history()
        return DayWindow(history.first_day, history.last_day)

    @property
    def month_window(self) -> DayWindow:
        end = self.history().last_day
        return DayWindow(end - timedelta(days=MONTH_DAYS), end)

    @property
    def nightly_window(self) -> DayWindow:
        last = self.history().last_day
        return DayWindow(last - timedelta(days=LOOKBACK_DAYS), last + timedelta(days=1))

    def measured_backfill(self, name: str) -> Measured | None:
        """The backfill of deployment `name` if this run has measured it, else None."""
        return self._backfills.get(name)

    def backfill(self, name: str, window: DayWindow) -> Measured:
        """`daily_publish` over `window` in one run on the deployment `name`, once."""
        if name not in self._backfills:
            deployment = self.deployment(name)
            self.say(f"backfill of {name}: {window.start}..{window.end} in one run ...")
            measured = deployment.run_daily_publish(window, f"backfill-{name}")
            self.say(
                f"backfill of {name} took {measured.seconds:.0f} s (exit {measured.returncode})"
            )
            self._backfills[name] = measured
        return self._backfills[name]
