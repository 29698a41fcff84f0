"""One lesson: its explanation, code, parameters and views, and its runs.

The routine runs in a thread worker. The worker only posts messages (at most
ten updates a second plus a final one); every widget is changed on the UI
thread, in the handlers below.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import Any, Mapping, Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from tutor.app.messages import LessonPassed, RunFinished, RunRecorded, RunUpdate
from tutor.app.widgets.code_view import CodeView
from tutor.app.widgets.explanation import Explanation
from tutor.app.widgets.lesson_tree import lesson_number
from tutor.app.widgets.param_form import ParamForm
from tutor.app.widgets.run_error import RunError
from tutor.app.widgets.status_line import StatusLine
from tutor.app.widgets.views_area import ViewsArea
from tutor.keras_bridge import LOADING_MESSAGE, tensorflow_loaded
from tutor.lessons import Lesson, ParamError
from tutor.runner import DIVERGED, FAILED, FINISHED, STOPPED, RunRecord, RunState, run_lesson

REDRAW_EVERY = 0.1  # seconds: the most often a run redraws the views
# Keras lessons share the 2-4 cores of a laptop with TensorFlow, whose threads
# all wait for the slowest: redraw them less often (their views change per epoch).
REDRAW_EVERY_KERAS = 0.25
PAST_RUNS = 3  # earlier runs whose loss curves are overlaid
# After Stop, how long the pane waits for the routine to end. A routine deaf to
# Stop for longer (importing TensorFlow takes seconds) is let go: the pane is
# ready again and the routine ends by itself at its next check.
STOP_GRACE = 1.0  # seconds


class LessonPane(Vertical):
    """Shows one lesson and runs it; a new lesson gets a new pane."""

    def __init__(
        self,
        lesson: Lesson,
        values: Mapping[str, Any],
        *,
        passed: bool = False,
        past: Sequence[Sequence[Mapping[str, float]]] = (),
        seed: int | None = None,
        clock: bool = True,
        autorun: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.lesson = lesson
        self.passed = passed
        self.past = list(past)[-PAST_RUNS:]
        self.seed = seed
        self.clock = clock
        self.autorun = autorun
        self._start_values = dict(values)
        self._run_id = 0
        self._cancel: threading.Event | None = None
        self._started = 0.0
        self.last_record: RunRecord | None = None

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        with Horizontal(id="lesson-head"):
            yield Static(
                Content.assemble(Content.styled(lesson_number(lesson), "$text-muted"), " ",
                                 Content.styled(lesson.title, "bold")),
                id="lesson-title",
            )
            yield Static("✓ passed", id="lesson-passed")
        yield Static(Content.assemble(Content.styled("Challenge: ", "bold $text-accent"), lesson.challenge.goal),
                     id="lesson-challenge")
        with TabbedContent(id="lesson-tabs", initial="tab-explanation"):
            with TabPane("Explanation", id="tab-explanation"):
                yield Explanation(lesson.pages, id="explanation")
            with TabPane("Code", id="tab-code"):
                yield CodeView(lesson.routine, id="code")
            with TabPane("Parameters", id="tab-parameters"):
                yield ParamForm(lesson.params, self._start_values, lesson.presets, id="params")
            with TabPane("Views", id="tab-views"):
                yield RunError(id="run-error")
                yield ViewsArea(lesson.views, id="views")
        with Horizontal(id="controls"):
            yield Button("Run", id="run", variant="success", compact=True)
            yield Button("Stop", id="stop", variant="error", compact=True, disabled=True)
            yield Button("Reset", id="reset", compact=True)
            yield Static(self._hint(), id="controls-hint")
        yield StatusLine(clock=self.clock, id="status")

    def _hint(self) -> str:
        views = ", ".join(self.lesson.views)
        earlier = f"  ·  loss of {len(self.past)} earlier run(s) in grey" if self.past else ""
        return f"views: {views}{earlier}"

    def on_mount(self) -> None:
        self.set_class(self.passed, "-passed")
        self.query_one(ViewsArea).clear(self.past)
        if self.autorun:
            self.call_after_refresh(self.start_run)

    # ------------------------------------------------------------ state

    @property
    def running(self) -> bool:
        return self._cancel is not None

    @property
    def form(self) -> ParamForm:
        return self.query_one(ParamForm)

    def show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def _set_running(self, running: bool) -> None:
        self.query_one("#run", Button).disabled = running
        self.query_one("#stop", Button).disabled = not running
        self.query_one("#reset", Button).disabled = running
        self.set_class(running, "-running")
        self.screen.refresh_bindings()

    # ------------------------------------------------------------ actions

    def start_run(self) -> bool:
        """Start the routine with the form's values; refused (False) while a value is invalid."""
        if self.running:
            self.notify("A run is already going: Stop it first.", severity="warning")
            return False
        errors = self.form.errors
        if errors:
            reasons = "\n".join(f"{name}: {reason}" for name, reason in errors.items())
            self.notify(f"Fix the parameters before running:\n{reasons}", title="Cannot run", severity="error")
            self.show_tab("parameters")
            return False
        try:
            values = self.lesson.resolve(self.form.values())
        except ParamError as error:
            self.notify(str(error), title="Cannot run", severity="error")
            return False
        self._run_id += 1
        self._cancel = threading.Event()
        self.app.run_started(self._cancel)
        self._started = time.monotonic()
        self._set_running(True)
        self.query_one(RunError).clear()
        self.query_one(ViewsArea).clear(self.past)
        self.query_one(StatusLine).starting(
            LOADING_MESSAGE if self.lesson.backend == "keras" and not tensorflow_loaded() else "Starting…")
        self.show_tab("views")
        self._run(values, self._run_id, self._cancel, self.screen)
        return True

    def stop_run(self) -> None:
        """Ask the routine to stop; it ends at its next check (within a second)."""
        if self._cancel is not None and not self._cancel.is_set():
            self._cancel.set()
            self.query_one(StatusLine).stopping()
            self.set_timer(STOP_GRACE, partial(self._let_go, self._run_id))

    def _let_go(self, run_id: int) -> None:
        """Stop waiting for a routine that is still busy (loading TensorFlow, compiling)."""
        if run_id != self._run_id or not self.running:
            return  # it ended in time, or another run has started
        self._cancel = None  # its record still reaches the screen; its last messages find the pane idle
        self._set_running(False)
        self.query_one("#run", Button).disabled = not self.form.valid
        self.query_one(StatusLine).ready("Stopped; the busy routine ends in the background.")
        self.notify("The routine was busy (loading TensorFlow or compiling) and ends by itself "
                    "in the background. You can run again now.", title="Run stopped")

    def reset(self) -> None:
        if self.running:
            self.notify("Stop the run before resetting the parameters.", severity="warning")
            return
        self.form.set_values(self.lesson.resolve({}))
        self.notify("Parameters reset to the lesson's defaults.")

    @on(Button.Pressed, "#run")
    def _pressed_run(self, event: Button.Pressed) -> None:
        event.stop()
        self.start_run()

    @on(Button.Pressed, "#stop")
    def _pressed_stop(self, event: Button.Pressed) -> None:
        event.stop()
        self.stop_run()

    @on(Button.Pressed, "#reset")
    def _pressed_reset(self, event: Button.Pressed) -> None:
        event.stop()
        self.reset()

    @on(ParamForm.Changed)
    def _form_changed(self, event: ParamForm.Changed) -> None:
        self.query_one("#run", Button).disabled = self.running or not event.valid
        self.query_one("#run", Button).tooltip = None if event.valid else "Fix the marked parameters first"

    # ------------------------------------------------------------ the worker (runs in a thread)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run")
    def _run(self, values: Mapping[str, Any], run_id: int, cancel: threading.Event, screen: Screen) -> None:
        last = 0.0
        every = REDRAW_EVERY_KERAS if self.lesson.backend == "keras" else REDRAW_EVERY

        def on_report(report, state: RunState) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= every:
                last = now
                self.post_message(RunUpdate(run_id, state.snapshot()))

        state = RunState()
        record = run_lesson(self.lesson, values, self.seed, state=state, on_report=on_report, cancel=cancel)
        self.post_message(RunFinished(run_id, record, state.snapshot()))
        screen.post_message(RunRecorded(record, cancel))

    # ------------------------------------------------------------ worker messages (UI thread)

    @on(RunUpdate)
    def _run_update(self, message: RunUpdate) -> None:
        message.stop()
        if message.run_id != self._run_id or not self.running:
            return  # a late update from a run that was replaced
        self.query_one(ViewsArea).show(message.snapshot, self.past)
        if not self._cancel.is_set():
            self.query_one(StatusLine).running(message.snapshot, time.monotonic() - self._started)

    @on(RunFinished)
    def _run_finished(self, message: RunFinished) -> None:
        message.stop()
        if message.run_id != self._run_id:
            return
        record = message.record
        let_go = self._cancel is None  # stopped earlier by _let_go: the learner knows
        self._cancel = None  # the screen keeps the record, then tells the app the run is over
        self.last_record = record
        self._set_running(False)
        self.query_one("#run", Button).disabled = not self.form.valid
        self.query_one(ViewsArea).show(message.snapshot, self.past)
        self.query_one(StatusLine).finished(record, message.snapshot)
        if record.history:
            self.past = (self.past + [record.history])[-PAST_RUNS:]
            self.query_one("#controls-hint", Static).update(self._hint())
        if record.status in (FAILED, DIVERGED):
            self.query_one(RunError).show(record)
            self.notify(record.error or record.status, title=f"Run {record.status}", severity="error")
        elif record.status == STOPPED and not let_go:
            self.notify("Stopped: the views keep what was drawn.", title="Run stopped")
        elif record.status == FINISHED and record.challenge_met:
            self.passed = True
            self.add_class("-passed")
            self.post_message(LessonPassed(self.lesson.id))
        elif record.status == FINISHED:
            note = f"\n{record.error}" if record.error else ""
            self.notify(f"{self.lesson.challenge.goal}{note}", title="Finished: challenge not met yet",
                        severity="warning")

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # run_lesson catches routine errors; this is for a bug on our side of the worker.
        if event.worker.group == "run" and event.state == WorkerState.ERROR and self.running:
            self.app.run_ended(self._cancel)
            self._cancel = None
            self._set_running(False)
            self.query_one(StatusLine).ready("The run could not be started.")
            self.notify(f"{type(event.worker.error).__name__}: {event.worker.error}", title="Run failed",
                        severity="error")

    def on_unmount(self) -> None:
        # Leaving the lesson (or the app) ends its run; the screen still keeps its record.
        if self._cancel is not None:
            self._cancel.set()
