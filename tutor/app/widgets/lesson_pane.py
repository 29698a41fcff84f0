"""One lesson: its explanation, code, parameters and views, and its runs.

A :class:`~tutor.runner.RunSession` owns each run (thread, Stop, Pause/Step,
timeline, record); this pane only starts it, reads it on a timer (at most ten
times a second) and draws the frame its :class:`~tutor.timeline.Player`
chooses. The routine's thread touches no widget: it posts one message when
the run ends.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Static, TabbedContent, TabPane, Tabs
from textual.worker import get_current_worker

from tutor.app.messages import LessonPassed, RunFinished, RunRecorded
from tutor.app.widgets.code_view import CodeView
from tutor.app.widgets.exercise_pane import ExercisePane
from tutor.app.widgets.explanation import Explanation
from tutor.app.widgets.param_form import ParamForm
from tutor.app.widgets.recent_runs import RecentRuns
from tutor.app.widgets.run_error import RunError
from tutor.app.widgets.status_line import StatusLine
from tutor.app.widgets.views_area import ViewsArea
from tutor.course import Lesson, ParamError, condition_names
from tutor.exercises import Exercise
from tutor.progress import RUNS_OVERLAID, ProgressStore, recent_runs
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
    describe_run,
    prepare,
    preview_views,
)
from tutor.timeline import KERAS_REDRAW_SECONDS, REDRAW_SECONDS, Frame, Player


class LessonPane(Vertical):
    """Shows one lesson and runs it; a new lesson gets a new pane."""

    running: reactive[bool] = reactive(False, init=False)
    """A routine is computing for this pane (Run is off, Stop and Pause are on)."""

    def __init__(
        self,
        lesson: Lesson,
        values: Mapping[str, Any],
        *,
        passed: bool = False,
        past: Sequence[Mapping[str, Any]] = (),
        seed: int | None = None,
        clock: bool = True,
        autorun: bool = False,
        exercise: Exercise | None = None,
        store: ProgressStore | None = None,
        id: str | None = None,
    ) -> None:
        """``past``: the lesson's recent runs as saved (dicts with params, history, status...)."""
        super().__init__(id=id)
        self.lesson = lesson
        self.passed = passed
        self.past = recent_runs([run for run in past if isinstance(run, Mapping)])
        self.seed = seed
        self.clock = clock
        self.autorun = autorun
        self.exercise = exercise  # the lesson's exercise, if it has one (and a store to keep its passes)
        self.store = store
        self._start_values = dict(values)
        self.session: RunSession | None = None
        self.player = Player()
        self.last_record: RunRecord | None = None
        self._shown: tuple[Frame | None, int, bool] | None = None
        self._had_frames = False
        self._announce_pass = False
        try:  # the result figures the challenge reads: the status shows them first
            self._judged = condition_names(lesson.challenge.condition)
        except ValueError:
            self._judged = set()
        self._preview: Mapping[str, Any] = {}

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        with Horizontal(id="lesson-head"):
            yield Static(
                Content.assemble(
                    Content.styled(lesson.number, "$text-muted"), " ", Content.styled(lesson.title, "bold")
                ),
                id="lesson-title",
            )
            yield Static("✓ passed", id="lesson-passed")
        yield Static(
            Content.assemble(Content.styled("Challenge: ", "bold $text-accent"), lesson.challenge.goal),
            id="lesson-challenge",
        )
        with TabbedContent(id="lesson-tabs", initial="tab-explanation"):
            with TabPane("Explanation", id="tab-explanation"):
                yield Explanation(lesson.pages, id="explanation")
            with TabPane("Code", id="tab-code"):
                yield CodeView(lesson, id="code")
            if self.exercise is not None and self.store is not None:
                with TabPane("Exercise", id="tab-exercise"):
                    yield ExercisePane(lesson, self.exercise, self.store, clock=self.clock, id="exercise")
            with TabPane("Parameters", id="tab-parameters"):
                yield ParamForm(lesson.params, self._start_values, lesson.presets, id="params")
            with TabPane("Views", id="tab-views"):
                yield RunError(id="run-error")
                yield ViewsArea(lesson.views, id="views")
            with TabPane("Runs", id="tab-runs"):
                yield RecentRuns(id="recent-runs")
        with Horizontal(id="controls"):
            yield Button("Run", id="run", variant="success", compact=True)
            yield Button("Stop", id="stop", variant="error", compact=True, disabled=True)
            yield Button("Reset", id="reset", compact=True)
            yield Static(self._hint(), id="controls-hint", markup=False)
        yield StatusLine(clock=self.clock, id="status")

    def _hint(self) -> str:
        earlier = f"{len(self._past_runs())} earlier run(s) dimmed on the loss · " if self._past_runs() else ""
        return f"{earlier}views: {', '.join(self.lesson.views)}"

    def on_mount(self) -> None:
        self.set_class(self.passed, "-passed")
        every = KERAS_REDRAW_SECONDS if self.lesson.backend == "keras" else REDRAW_SECONDS
        self._ticker = self.set_interval(every, self._tick, pause=True)
        self._show_recent_runs()
        self.query_one(ViewsArea).clear(self._past_runs())
        self._load_preview(self._start_values)
        prepare(self.lesson, self._start_values, self.seed)  # Keras: a worker loads TensorFlow now, not at Run
        if self.autorun:
            self.call_after_refresh(self.start_run)

    # ------------------------------------------------------------ state

    @property
    def form(self) -> ParamForm:
        return self.query_one(ParamForm)

    def show_tab(self, tab: str) -> None:
        tabbed = self.query_one(TabbedContent)
        focused = self.screen.focused
        if focused is not None and tabbed in focused.ancestors:
            # Focus inside the tab being left would pull the tabs back to it (a focused view
            # re-activates the Views tab): hand focus to the tab bar first.
            tabbed.query_one(Tabs).focus()
        tabbed.active = f"tab-{tab}"

    def watch_running(self, running: bool) -> None:
        self.query_one("#run", Button).disabled = running or not self.form.valid
        self.query_one("#stop", Button).disabled = not running
        self.query_one("#reset", Button).disabled = running
        self.set_class(running, "-running")
        self.screen.refresh_bindings()

    def _past_runs(self, current: Mapping[str, Any] | None = None) -> list[tuple[str, Sequence[Mapping[str, float]]]]:
        """(label, history) of the earlier runs to overlay: labelled by what differed from this run."""
        current = current if current is not None else (self.session.values if self.session else self._start_values)
        runs = [run for run in self.past if run.get("history")][-RUNS_OVERLAID:]
        return [(describe_run(run, current), run["history"]) for run in runs]

    def _show_recent_runs(self) -> None:
        runs = [*self.past, *([self.last_record.to_json()] if self.last_record is not None else [])]
        self.query_one(RecentRuns).show(runs, self.lesson)

    # ------------------------------------------------------------ data before the first run

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _load_preview(self, values: Mapping[str, Any]) -> None:
        views = preview_views(self.lesson, values, self.seed)
        if views and not get_current_worker().is_cancelled:  # newer values asked for another preview
            self.app.call_from_thread(self._show_preview, views)

    def _show_preview(self, views: Mapping[str, Any]) -> None:
        if self.session is None and self.is_mounted:
            self._preview = views
            self.query_one(ViewsArea).show(views, (), self._past_runs())

    # ------------------------------------------------------------ actions

    def start_run(self, mine: Path | None = None) -> bool:
        """Start the routine with the form's values; refused (False) while a value is invalid.

        ``mine``: the learner's exercise file, whose functions replace the tutor's in the routine.
        """
        if self.running:
            self.notify("A run is already going: Stop it first.", severity="warning")
            return False
        errors = self.form.errors
        if errors:
            reasons = "\n".join(f"{name}: {reason}" for name, reason in errors.items())
            self.notify(
                f"Fix the parameters before running:\n{reasons}", title="Cannot run", severity="error", markup=False
            )
            self.show_tab("parameters")
            return False
        try:
            values = self.lesson.resolve(self.form.values())
        except ParamError as error:
            self.notify(str(error), title="Cannot run", severity="error", markup=False)
            return False
        learner = None
        if mine is not None and self.exercise is not None:
            # Loaded only in the run's confined worker process, never in the app's.
            learner = LearnerCode(str(mine), list(self.exercise.functions))
            report = self.query_one(ExercisePane).report
            if report is not None and not report.passed:
                self.notify(
                    "Your checks do not all pass yet: watch what your code does.",
                    title="Running with your code",
                    severity="warning",
                    markup=False,
                )
        if self.last_record is not None and self.last_record.history:
            self.past = recent_runs([*self.past, self.last_record.to_json()])  # now an earlier run
        # The screen is taken now: the run may end after this pane has gone (another lesson opened).
        session = RunSession(
            self.lesson, values, self.seed, on_end=partial(self._ended_in_thread, self.screen), learner=learner
        )
        self.session = session
        self.player = Player(self.player.speed)
        self._shown = None
        self._had_frames = False
        self.app.run_started(session)
        self.running = True
        self.query_one(RunError).clear()
        views = self.query_one(ViewsArea)
        views.clear(self._past_runs(values))
        views.scroll_home(animate=False)  # a new run starts with every view's title in sight
        # A Keras lesson's first run reports "Loading TensorFlow" itself (the runner), shown at the next tick.
        self.query_one(StatusLine).starting("Starting with your code…" if learner is not None else "Starting…")
        self.show_tab("views")
        session.start()
        self._ticker.resume()
        return True

    def _ended_in_thread(self, screen: Screen, record: RunRecord) -> None:
        """In the routine's thread: tell the UI thread (post_message is thread-safe)."""
        session = self.session
        self.post_message(RunFinished(session, record))
        if session.let_go_record is None:  # a let-go run was recorded when it was let go
            screen.post_message(RunRecorded(record, session))

    def stop_run(self) -> None:
        """Ask the routine to stop; it ends at its next check (within a second)."""
        session = self.session
        if session is not None and session.computing and not session.control.cancelled:
            session.stop()
            self.query_one(StatusLine).stopping()
            self.set_timer(STOP_GRACE, lambda: self._let_go(session))

    def _let_go(self, session: RunSession) -> None:
        """Stop waiting for a routine that is still busy (loading TensorFlow, compiling)."""
        if session is not self.session or session.done or not self.running:
            return  # it ended in time, or another run has started
        record = session.let_go()
        if record is not session.let_go_record:
            return  # it ended by itself meanwhile: its own record is on its way
        self.last_record = record  # the run is over for the learner; the routine's own record may follow
        self._shown_final = record  # the status says why, below
        self.running = False
        if session.in_worker:  # its worker process was ended: nothing of it goes on
            self.query_one(StatusLine).ready("Stopped; the busy routine was ended.")
            self.notify("The routine was busy (loading TensorFlow or compiling) and was ended.", title="Run stopped")
        else:
            self.query_one(StatusLine).ready("Stopped; the busy routine ends in the background.")
            self.notify(
                "The routine was busy and ends by itself in the background. You can run again now.",
                title="Run stopped",
            )
        self.screen.post_message(RunRecorded(record, session))

    def stop_replay(self) -> None:
        """Stop a replay where it is (the learner can scrub from there)."""
        if self.player.playing:
            self.player.playing = False
            self._tick()
            self.screen.refresh_bindings()

    def reset(self) -> None:
        if self.running:
            self.notify("Stop the run before resetting the parameters.", severity="warning")
            return
        self.form.set_values(self.lesson.resolve({}))
        self.notify("Parameters reset to the lesson's defaults.")

    # ------------------------------------------------------------ watching: pause, step, scrub

    def _frames(self) -> list[Frame]:
        return self.session.state.frames() if self.session else []

    @property
    def has_timeline(self) -> bool:
        return bool(self._frames())

    def play_pause(self) -> None:
        """Space: pause or resume the run (the routine waits, using no CPU) and its playback."""
        session = self.session
        if session is None:
            return
        if session.computing:
            if session.paused:
                session.resume()
                self.player.playing = True
            else:
                session.pause()
                self.player.playing = False
        else:
            self.player.toggle(self._frames())
        self._ticker.resume()
        self._tick()

    def move_frames(self, count: int) -> None:
        """Move through the timeline; one step past the newest frame of a paused run computes one more."""
        session = self.session
        if session is None:
            return
        frames = self._frames()
        if count > 0 and session.computing and self.player.at_end(frames):
            session.step()
            self.player.playing = False
            self.player.follow()
        else:
            if session.computing and not session.paused:
                session.pause()
            self.player.move(frames, count)
        self._ticker.resume()
        self._tick()

    def first_frame(self) -> None:
        if self.session is not None:
            if self.session.computing and not self.session.paused:
                self.session.pause()
            self.player.first(self._frames())
            self._ticker.resume()
            self._tick()

    def last_frame(self) -> None:
        if self.session is not None:
            self.player.last()
            self._ticker.resume()
            self._tick()

    def next_speed(self) -> str:
        speed = self.player.next_speed()
        self.player.playing = (
            True if self.session is not None and not self.player.at_end(self._frames()) else self.player.playing
        )
        self._ticker.resume()
        return speed

    # ------------------------------------------------------------ drawing (UI thread, on the timer)

    def _tick(self) -> None:
        session = self.session
        if session is None or not self.is_mounted:
            self._ticker.pause()
            return
        state = session.state
        snapshot = state.snapshot()
        frames = state.frames()
        total = snapshot.progress.total if snapshot.progress else 0
        frame = self.player.tick(time.monotonic(), frames, total)
        if bool(frames) != self._had_frames:  # the watching keys turn on (footer, dispatch)
            self._had_frames = bool(frames)
            self.screen.refresh_bindings()
        # Following a run as it computes: the newest state, even between two epochs.
        live = session.computing and (frame is None or (frame is frames[-1] and self.player.playing))
        views = self.query_one(ViewsArea)
        past = self._past_runs()
        if frame is None or live:
            key = (None, snapshot.version, True)
            if key != self._shown:
                self._shown = key
                views.show(snapshot.views or self._preview, snapshot.history, past)
        else:
            key = (frame, len(snapshot.history), False)
            if key != self._shown:
                self._shown = key
                views.show(frame.views, snapshot.history, past, cursor=frame.step)
        self._update_status(session, snapshot, frames, frame)
        if not session.computing and (self.player.at_end(frames) or not self.player.playing):
            if self.player.playing:  # the replay reached its end: space plays it again
                self.player.playing = False
                self.screen.refresh_bindings()
            self._ticker.pause()  # nothing moves until a key does

    def _update_status(self, session: RunSession, snapshot, frames: list[Frame], frame: Frame | None) -> None:
        status = self.query_one(StatusLine)
        hint = self.query_one("#controls-hint", Static)
        if session.computing and not session.control.cancelled:
            behind = frame is not None and bool(frames) and frame is not frames[-1]
            status.running(
                snapshot,
                session.state.eta() if self.clock else None,
                paused=session.paused and session.control.waiting,
                showing=frame if behind else None,
            )
        elif session.computing:
            pass  # "Stopping…" stays until the run ends or is let go
        elif frame is not None and self.last_record is not None and not self.player.at_end(frames):
            status.replaying(frame, self.last_record)
            self._shown_final = None  # back at the end, the status says how the run ended again
        elif self.last_record is not None and self._shown_final != self.last_record:
            self._shown_final = self.last_record
            status.finished(self.last_record, snapshot, first=self._judged)
            if self._announce_pass:
                self._announce_pass = False
                self.passed = True
                self.add_class("-passed")
                self.post_message(LessonPassed(self.lesson.id))
        if frames:
            index = next((i + 1 for i, kept in enumerate(frames) if kept is frame), len(frames))
            state = "▶" if self.player.playing else "‖"  # ‖, not ⏸: many terminal fonts lack U+23F8
            hint.update(
                f"{state} frame {index}/{len(frames)} · {self.player.speed} · "
                "space play/pause · , . step · < > ×10 · s speed · m maximise"
            )

    _shown_final: RunRecord | None = None

    # ------------------------------------------------------------ the end of a run (UI thread)

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

    @on(ExercisePane.RunMine)
    def _run_mine(self, message: ExercisePane.RunMine) -> None:
        message.stop()
        self.start_run(mine=message.path)

    @on(ParamForm.Changed)
    def _form_changed(self, event: ParamForm.Changed) -> None:
        self.query_one("#run", Button).disabled = self.running or not event.valid
        self.query_one("#run", Button).tooltip = None if event.valid else "Fix the marked parameters first"
        if event.valid and self.session is None:  # before the first run: the data these values give
            try:
                self._load_preview(self.lesson.resolve(self.form.values()))
            except ParamError:
                pass

    @on(RunFinished)
    def _run_finished(self, message: RunFinished) -> None:
        message.stop()
        session = message.session
        if session is not self.session:
            return  # a run that was replaced
        record = message.record
        let_go = session.let_go_record is not None  # stopped earlier by _let_go: the learner knows
        self.last_record = record
        self.running = False
        self._shown_final = None
        self._show_recent_runs()
        if record.status in (STOPPED, FAILED, DIVERGED):
            self.player.last()  # show where it ended; the learner can scrub back
        self._tick()
        self._ticker.resume()
        if record.status in (FAILED, DIVERGED):
            self.query_one(RunError).show(record)
            self.notify(record.error or record.status, title=f"Run {record.status}", severity="error", markup=False)
        elif record.status == STOPPED and not let_go:
            self.notify("Stopped: the views keep what was drawn; , and . step through it.", title="Run stopped")
        elif record.status == FINISHED and record.passes_lesson:
            self._announce_pass = True  # when its replay reaches the end: no spoiler, nothing covered
        elif record.status == FINISHED and record.challenge_met:  # with the learner's code: no lesson pass
            self.notify(MET_WITH_YOUR_CODE, title="Finished: challenge met with your code", markup=False)
        elif record.status == FINISHED:
            note = f"\n{record.error}" if record.error else ""
            self.notify(
                f"{self.lesson.challenge.goal}{note}",
                title="Finished: challenge not met yet",
                severity="warning",
                markup=False,
            )

    def on_unmount(self) -> None:
        # Leaving the lesson (or the app) ends its run; the screen still keeps its record.
        if self.session is not None and self.session.computing:
            self.session.stop()
