"""The headless renderer: a run in this terminal, without the app.

A :class:`~tutor.runner.RunSession` owns the run; this module only reads its
state ten times a second and draws: a rich progress bar while the routine
runs (or, with ``--live``, the plots themselves, played at a watchable pace),
then the final views and a summary. Ctrl+C asks the routine to stop; what it
learned so far is still summarised and saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import plotext
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import (
    Progress as ProgressBar,
)
from rich.table import Column, Table
from rich.text import Text

from tutor import plotting, textviews
from tutor.course import Lesson
from tutor.files import TutorFileError, write_output
from tutor.formatting import format_metrics, format_number
from tutor.i18n import N_, _
from tutor.progress import ProgressStore
from tutor.records import dumps, to_builtins
from tutor.run_state import RunState
from tutor.runner import (
    DIVERGED,
    FAILED,
    FINISHED,
    MET_WITH_YOUR_CODE,
    STOP_GRACE,
    STOPPED,
    LearnerCode,
    RunRecord,
    RunSession,
)
from tutor.timeline import REDRAW_SECONDS, Frame, frames_as_json
from tutor.views import VIEWS, display_name, is_text
from tutor.watching import Watch, judged_figures

EXIT_CODES = {FINISHED: 0, FAILED: 1, DIVERGED: 3, STOPPED: 130}
PLOT_HEIGHTS = {"digits": 26, "heatmaps": 28}  # grids of images need the rows
LIVE_HEIGHT = 16  # rows per plot while playing live
# The routines' progress units, as the bars and the live caption name them (the routine reports them in English).
STATUS_NAMES = {FINISHED: N_("finished"), STOPPED: N_("stopped"), DIVERGED: N_("diverged"), FAILED: N_("failed")}
UNITS = {"epoch": N_("epoch"), "batch": N_("batch"), "update": N_("update"), "evaluation": N_("evaluation")}


def unit_name(unit: str) -> str:
    """A progress unit in the tutor's language (a unit it does not know, as the routine names it)."""
    return _(UNITS[unit]) if unit in UNITS else unit


class HeadlessConsole(Console):
    """A console that outlives its reader: after a broken pipe (``| head``) it goes
    quiet instead of exiting, so the run still ends and is saved."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        _output_closed()


class ProgressDisplay:
    """The progress bars (one per unit: epoch, batch), notes and early text views,
    updated from the run's state at most ten times a second."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar = ProgressBar(
            TextColumn("[bold]{task.description:>6}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            # The metrics take what width is left and are cut with "…", never wrapped.
            TextColumn("{task.fields[metrics]}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
            console=console,
            auto_refresh=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.notes_shown = 0
        self.printed: dict[str, Any] = {}  # text views printed before training started

    def update(self, state: RunState) -> None:
        snapshot = state.snapshot()
        for note in snapshot.notes[self.notes_shown :]:
            self.console.print(Text(f"  {_(note)}", style="cyan"))  # a note of ours is marked (N_)
        self.notes_shown = len(snapshot.notes)
        if not snapshot.latest:
            # Text views that arrive before training starts (a model summary) are
            # printed at once; later ones in the final summary.
            for kind, data in snapshot.views.items():
                if is_text(kind) and kind not in self.printed:
                    self.console.print(textviews.renderable(kind, data))
                    self.printed[kind] = data
        for unit, progress in snapshot.latest.items():
            if unit not in self.tasks:
                self.tasks[unit] = self.bar.add_task(unit_name(unit), total=progress.total, metrics="")
            self.bar.update(
                self.tasks[unit],
                completed=progress.step,
                total=progress.total,
                metrics=format_metrics(progress.metrics),
            )
        self.bar.refresh()


def plot_text(
    console: Console,
    kind: str,
    data: Mapping[str, Any] | None,
    history,
    *,
    width: int,
    height: int,
    cursor: int | None = None,
) -> RenderableType:
    """One plot view drawn with plotext, with any caption that did not fit inside it."""
    plotext.clear_figure()
    plotext.plotsize(width, height)
    plotext.theme("pro" if console.is_terminal else "clear")
    captions = plotting.draw(plotext, kind, data, history, width=width, height=height, cursor=cursor) or []
    figure = plotext.build()
    plot = Text.from_ansi(figure) if console.is_terminal else Text(plotext.uncolorize(figure))
    if not captions:
        return plot
    return Group(*captions, plot)


def views_renderable(
    console: Console,
    lesson: Lesson,
    views: Mapping[str, Any],
    history,
    *,
    height: int | None = None,
    cursor: int | None = None,
    skip: Mapping[str, Any] | None = None,
) -> list[RenderableType]:
    """Every view of the lesson with data (text views as tables), top to bottom."""
    width = max(40, min(console.width, 110))
    parts: list[RenderableType] = []
    for kind in lesson.views:
        data = views.get(kind)
        if is_text(kind):
            if data is not None and (skip or {}).get(kind) is not data:
                parts.append(textviews.renderable(kind, data))
            continue
        drawable = bool(history) if VIEWS[kind].from_history else data is not None
        if not drawable:
            continue
        parts.append(
            plot_text(
                console, kind, data, history, width=width, height=height or PLOT_HEIGHTS.get(kind, 20), cursor=cursor
            )
        )
    return parts


class LivePlayback:
    """``--live``: the plots of the frame shown now, redrawn in place under the run's story.

    The same :class:`~tutor.watching.Watch` as the app's lesson pane decides which frame to show,
    when it changed, and the words for where the run is.
    """

    def __init__(self, console: Console, lesson: Lesson, session: RunSession, speed: str) -> None:
        self.console, self.lesson = console, lesson
        self.watch = Watch(session, speed=speed, first=judged_figures(lesson))

    def renderable(self, now: float) -> RenderableType | None:
        session = self.watch.session
        if session.done and self.watch.record is None and session.final_record is not None:
            self.watch.ended(session.final_record)
        moment = self.watch.moment(now)
        if not moment.redraw or not moment.views:
            return None
        plots = [view for view in self.lesson.views if not is_text(view)]
        height = max(8, min(LIVE_HEIGHT, (self.console.height - 4) // max(1, len(plots))))
        views = {kind: data for kind, data in moment.views.items() if not is_text(kind)}
        history = moment.history
        if moment.cursor is not None:  # a replayed frame: the loss as far as that frame
            frame = self.watch.frames()[moment.frame_index - 1]
            history = history[: frame.history_length]
        caption = Text(moment.story, style="bold", no_wrap=True, overflow="ellipsis")
        return Group(caption, *views_renderable(self.console, self.lesson, views, history, height=height))

    def end_playback(self) -> None:
        self.watch.last_frame()

    def finished_playing(self) -> bool:
        return self.watch.session.done and self.watch.player.at_end(self.watch.frames())


def run_headless(
    lesson: Lesson,
    values: Mapping[str, Any],
    seed: int | None,
    *,
    json_path: Path | None = None,
    console: Console | None = None,
    store: ProgressStore | None = None,
    live: bool = False,
    speed: str = "normal",
    routine: Callable[..., Any] | None = None,
    learner: LearnerCode | None = None,
) -> int:
    """``routine``: run this function instead of the lesson's own; ``learner`` (``--mine``): the
    lesson's routine with the learner's functions, in a confined worker process."""
    console = console or HeadlessConsole()
    store = store or ProgressStore()
    seed = lesson.seed if seed is None else seed
    try:
        print_header(console, lesson, values, seed, store.warning)
    except BrokenPipeError:
        _output_closed()
    session = RunSession(lesson, values, seed, routine=routine, learner=learner).start()
    display = ProgressDisplay(console)
    playback = LivePlayback(console, lesson, session, speed) if live else None
    try:
        record = _watch(console, session, display, playback)
    except BrokenPipeError:  # closing the progress display wrote to a closed pipe
        _output_closed()
        session.wait()
        record = session.final_record or session.end()
    # Save first: a closed output (a pipe to `head`) must not lose the run.
    store.record(record)  # a pass only for a run of the tutor's own code (RunRecord.passes_lesson)
    json_error = None
    if json_path is not None:
        try:
            write_json(json_path, record, lesson, session.state.frames())
        except TutorFileError as error:  # the run is saved in progress all the same
            json_error = str(error)
    try:
        if record is session.let_go_record:
            busy = (
                _("The routine was busy (loading TensorFlow or compiling); it was ended.")
                if session.in_worker  # its worker process was ended: nothing of it goes on
                else _("The routine was busy (loading TensorFlow or compiling); it ends with this command.")
            )
            console.print(Text(busy, style="dim"))
        snapshot = session.state.snapshot()
        frames = session.state.frames()
        final = frames[-1].views if frames else snapshot.views  # a diverged run: its last finite frame
        for part in views_renderable(console, lesson, final, snapshot.history, skip=display.printed):
            console.print(part)
        print_summary(console, lesson, record)
        _warn(console, store.warning)
        if json_error is not None:
            console.print(Text.assemble((_("error: "), "bold red"), json_error))
        elif json_path is not None:
            console.print(Text(_("run written to {path}").format(path=json_path), style="dim"))
    except BrokenPipeError:
        _output_closed()  # the reader went away; the run is saved
    if json_error is not None:
        return EXIT_CODES.get(record.status, 1) or 1
    return EXIT_CODES.get(record.status, 1)


def print_header(console: Console, lesson: Lesson, values: Mapping[str, Any], seed: int, warning: str | None) -> None:
    _warn(console, warning)
    # Lesson text is text: Text objects, never markup.
    console.print(
        Panel.fit(
            Text.assemble(
                (lesson.title, "bold"),
                "\n",
                lesson.summary,
                "\n",
                (
                    _("lesson {id} · chapter {chapter} · {backend} · seed {seed}").format(
                        id=lesson.id, chapter=lesson.chapter, backend=lesson.backend, seed=seed
                    ),
                    "dim",
                ),
            ),
            border_style="blue",
        )
    )
    if values:
        changed = {k for k, v in values.items() if v != lesson.params[k].default}
        line = Text(_("parameters: "), style="dim")
        for name, value in values.items():
            line.append(f"{name}={value}", style="bold" if name in changed else "")
            line.append("  ")
        console.print(line)


def _watch(console: Console, session: RunSession, display: ProgressDisplay, playback: LivePlayback | None) -> RunRecord:
    """Draw until the run ends (and, live, until its playback ends); Ctrl+C stops it."""
    stop_asked: float | None = None
    screen: Any = Live(console=console, auto_refresh=False, transient=False) if playback else display.bar
    with screen:
        while True:
            try:  # Ctrl+C comes while waiting or while drawing (in a terminal, drawing takes a while)
                session.wait(REDRAW_SECONDS)
                _draw(session, display, playback, screen)
            except KeyboardInterrupt:
                if stop_asked is None:
                    stop_asked = time.monotonic()
                    session.stop()
                    console.print(Text(_("Stopping..."), style="yellow"))
                if playback is not None:
                    playback.end_playback()  # Ctrl+C also ends the playback
            if session.done and (playback is None or playback.finished_playing() or stop_asked):
                break
            if stop_asked is not None and time.monotonic() - stop_asked > STOP_GRACE and not session.done:
                return session.let_go()  # a routine that cannot listen yet (TensorFlow loading)
    return session.final_record or session.let_go()


def _draw(session: RunSession, display: ProgressDisplay, playback: LivePlayback | None, screen: Any) -> None:
    try:
        if playback is not None:
            drawn = playback.renderable(time.monotonic())
            if drawn is not None:
                screen.update(drawn, refresh=True)
        else:
            display.update(session.state)
    except BrokenPipeError:
        _output_closed()


def _output_closed() -> None:
    """The reader went away (``| head``): keep running and saving, drawing into /dev/null."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _warn(console: Console, warning: str | None) -> None:
    if warning:
        console.print(Text.assemble((_("warning: "), "yellow"), warning))


def print_summary(console: Console, lesson: Lesson, record: RunRecord) -> None:
    table = Table(title=_("Result"), title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in record.result.items():
        if isinstance(value, (int, float, str, bool)):  # Text: a routine's strings are not markup
            table.add_row(
                Text(display_name(name)), Text(format_number(value, 6) if isinstance(value, float) else str(value))
            )
    table.add_row(_("status"), Text(_(STATUS_NAMES.get(record.status, record.status))))
    table.add_row(_("time"), _("{seconds} s").format(seconds=f"{record.seconds:.1f}"))
    console.print(table)
    goal = lesson.challenge.goal
    if record.status == FINISHED:
        if record.challenge_met and record.mine:
            console.print(Text.assemble((_("Challenge met with your code: "), "bold green"), goal))
            console.print(Text(_(MET_WITH_YOUR_CODE), style="dim"))
        elif record.challenge_met:
            console.print(Text.assemble((_("Challenge met: "), "bold green"), goal, _("  Lesson passed.")))
        elif record.challenge_met is False:
            console.print(Text.assemble((_("Challenge not met yet: "), "bold yellow"), goal))
        if record.error:
            console.print(Text(record.error, style="red"))
    elif record.status == STOPPED:
        console.print(Text.assemble((_("Stopped."), "yellow"), _(" What was learned so far is shown above.")))
    elif record.status == DIVERGED:
        console.print(Text.assemble((_("Diverged: "), "bold red"), record.error or ""))
    else:
        console.print(Text.assemble((_("Error: "), "bold red"), record.error or ""))


def run_json(record: RunRecord, lesson: Lesson, frames: list[Frame]) -> dict[str, Any]:
    """The ``--json`` document: the record, the lesson's title and the run's timeline."""
    payload = {"title": lesson.title, **record.to_json(), "frames": to_builtins(frames_as_json(frames))}
    payload.pop("traceback", None)
    return payload


def write_json(path: Path, record: RunRecord, lesson: Lesson, frames: Sequence[Frame] = ()) -> None:
    """Write the run: atomically to a file, through a device or pipe (see tutor.files)."""
    write_output(path, dumps(run_json(record, lesson, list(frames)), indent=1))
