"""The headless renderer: a rich progress bar while a routine runs, then a summary
and the final views drawn with plotext.

The routine runs in a worker thread so Ctrl+C can ask it to stop (it ends
within a second, and what it learned so far is still summarised and saved).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Mapping

import plotext
from rich.console import Console
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress as ProgressBar,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column, Table
from rich.text import Text

from tutor import plotting, textviews
from tutor.keras_bridge import LOADING_MESSAGE, tensorflow_loaded
from tutor.lessons import Lesson
from tutor.progress import ProgressStore
from tutor.reporting import Note, Progress, Report, ViewUpdate
from tutor.runner import (
    DIVERGED, FAILED, FINISHED, STOPPED, RunRecord, RunState, new_record, run_lesson, versions,
)

REDRAW_SECONDS = 0.1  # at most ten redraws a second, however fast the routine reports
# After Ctrl+C, how long to wait for the routine to end. One deaf to Stop for
# longer (importing TensorFlow takes seconds) is let go: the run is summarised
# and saved as stopped, and the routine ends with the process.
STOP_GRACE = 1.0  # seconds
EXIT_CODES = {FINISHED: 0, FAILED: 1, DIVERGED: 3, STOPPED: 130}
PLOT_HEIGHTS = {"digits": 26, "heatmaps": 28}  # grids of images need the rows


def format_metrics(metrics: Mapping[str, float]) -> str:
    return "  ".join(f"{name} {value:.4g}" for name, value in metrics.items())


class HeadlessRenderer:
    """Turns reports into a progress display; called in the routine's thread."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar = ProgressBar(
            TextColumn("[bold]{task.description:>6}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            # The metrics take what width is left and are cut with "…", never wrapped.
            TextColumn("{task.fields[metrics]}",
                       table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
            console=console,
            refresh_per_second=10,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.last_draw = 0.0
        self.pending: Progress | None = None
        self.printed: dict[str, Any] = {}
        self.started_progress = False

    def on_report(self, report: Report, state: RunState) -> None:
        if isinstance(report, Progress):
            self.started_progress = True
            self.pending = report
            now = time.monotonic()
            if now - self.last_draw >= REDRAW_SECONDS or report.step >= report.total:
                self.flush()
                self.last_draw = now
        elif isinstance(report, Note):
            self.console.print(Text(f"  {report.text}", style="cyan"))
        elif isinstance(report, ViewUpdate) and report.view in textviews.TEXT_VIEWS:
            # Text views that arrive before training starts (a model summary)
            # are printed at once; later ones in the final summary.
            if not self.started_progress and report.view not in self.printed:
                self.console.print(textviews.renderable(report.view, report.data))
                self.printed[report.view] = report.data

    def flush(self) -> None:
        report, self.pending = self.pending, None
        if report is None:
            return
        if report.unit not in self.tasks:
            self.tasks[report.unit] = self.bar.add_task(report.unit, total=report.total, metrics="")
        task = self.tasks[report.unit]
        self.bar.update(task, completed=report.step, total=report.total, metrics=format_metrics(report.metrics))
        if report.record:
            # A new epoch restarts the finer-grained bars (batches) below it.
            for unit, other in self.tasks.items():
                if unit != report.unit and other > task:
                    self.bar.update(other, completed=0)


ROUTINE_THREAD_PREFIX = "tutor-routine-"


def routine_still_running() -> bool:
    """Is a routine that was let go after Ctrl+C still busy in its thread?"""
    return any(thread.name.startswith(ROUTINE_THREAD_PREFIX) and thread.is_alive()
                for thread in threading.enumerate())


def run_headless(
    lesson: Lesson,
    values: Mapping[str, Any],
    seed: int | None,
    *,
    json_path: Path | None = None,
    console: Console | None = None,
    store: ProgressStore | None = None,
) -> int:
    console = console or Console()
    store = store or ProgressStore()
    if store.warning:
        console.print(f"[yellow]warning:[/] {store.warning}")
    seed = lesson.seed if seed is None else seed
    console.print(Panel.fit(
        f"[bold]{lesson.title}[/]\n{lesson.summary}\n[dim]lesson {lesson.id} · chapter {lesson.chapter} · "
        f"{lesson.backend} · seed {seed}[/]",
        border_style="blue",
    ))
    changed = {k: v for k, v in values.items() if v != lesson.params[k].default}
    if values:
        console.print("[dim]parameters:[/] " + "  ".join(
            f"[bold]{k}[/]={v}" if k in changed else f"{k}={v}" for k, v in values.items()
        ))

    if lesson.backend == "keras" and not tensorflow_loaded():
        console.print(f"[dim]{LOADING_MESSAGE}[/]")
    renderer = HeadlessRenderer(console)
    state = RunState()
    cancel = threading.Event()
    outcome: dict[str, RunRecord] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["record"] = run_lesson(lesson, values, seed, state=state, on_report=renderer.on_report,
                                           cancel=cancel)
        finally:
            done.set()

    # Wait on an Event, not Thread.join: a join interrupted by Ctrl+C can
    # report the thread finished while it still runs (CPython gh-90882).
    worker = threading.Thread(target=work, name=ROUTINE_THREAD_PREFIX + lesson.id, daemon=True)
    asked = 0.0
    began = time.perf_counter()
    with renderer.bar:
        worker.start()
        while not done.is_set():
            try:
                done.wait(0.1)
            except KeyboardInterrupt:
                if not cancel.is_set():
                    cancel.set()
                    asked = time.monotonic()
                    console.print("[yellow]Stopping...[/]")
            if cancel.is_set() and time.monotonic() - asked > STOP_GRACE:
                break  # let go of a routine that cannot listen yet
        renderer.flush()
    record = outcome.get("record") if done.is_set() else None
    if record is None:
        record = new_record(lesson, values, seed)
        record.status, record.history = STOPPED, state.snapshot().history
        record.seconds, record.versions = round(time.perf_counter() - began, 3), versions()
        console.print("[dim]The routine was busy (loading TensorFlow or compiling); it ends with this command.[/]")

    print_views(console, lesson, state, renderer.printed)
    print_summary(console, lesson, record)
    store.add_run(record.to_json())
    if record.challenge_met:
        store.mark_passed(lesson.id)
    if store.warning:
        console.print(f"[yellow]warning:[/] {store.warning}")
    if json_path is not None:
        write_json(json_path, record, lesson)
        console.print(f"[dim]run written to {json_path}[/]")
    return EXIT_CODES.get(record.status, 1)


def print_views(console: Console, lesson: Lesson, state: RunState, printed: Mapping[str, Any]) -> None:
    snapshot = state.snapshot()
    width = max(40, min(console.width, 110))
    for kind in lesson.views:
        data = snapshot.views.get(kind)
        if kind in textviews.TEXT_VIEWS:
            if data is not None and printed.get(kind) is not data:
                console.print(textviews.renderable(kind, data))
            continue
        if kind != "loss" and data is None:
            continue
        if kind == "loss" and not snapshot.history:
            continue
        plotext.clear_figure()
        plotext.plotsize(width, PLOT_HEIGHTS.get(kind, 20))
        plotext.theme("pro" if console.is_terminal else "clear")
        plotting.draw(plotext, kind, data, snapshot.history, width=width)
        figure = plotext.build()
        console.print(Text.from_ansi(figure) if console.is_terminal else Text(plotext.uncolorize(figure)))


def print_summary(console: Console, lesson: Lesson, record: RunRecord) -> None:
    table = Table(title="Result", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in record.result.items():
        if isinstance(value, (int, float, str, bool)):
            table.add_row(name, f"{value:.6g}" if isinstance(value, float) else str(value))
    table.add_row("status", record.status)
    table.add_row("time", f"{record.seconds:.1f} s")
    console.print(table)
    if record.status == FINISHED:
        if record.challenge_met:
            console.print(f"[bold green]Challenge met:[/] {lesson.challenge.goal}  Lesson passed.")
        elif record.challenge_met is False:
            console.print(f"[bold yellow]Challenge not met yet:[/] {lesson.challenge.goal}")
        if record.error:
            console.print(f"[red]{record.error}[/]")
    elif record.status == STOPPED:
        console.print("[yellow]Stopped.[/] What was learned so far is shown above.")
    elif record.status == DIVERGED:
        console.print(f"[bold red]Diverged:[/] {record.error}")
    else:
        console.print(f"[bold red]Error:[/] {record.error}")


def write_json(path: Path, record: RunRecord, lesson: Lesson) -> None:
    """Write the run atomically, so a failed write never leaves half a file."""
    payload = {"title": lesson.title, **record.to_json()}
    payload.pop("traceback", None)
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=".tutor-run-", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(payload, file, indent=2)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
