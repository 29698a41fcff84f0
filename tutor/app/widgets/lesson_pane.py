"""One lesson: its stage (the view a page is about, beside the page), code, exercise,
parameters and runs, and the strip that follows a run.

A :class:`~tutor.runner.RunSession` owns each run (thread, worker process, Stop,
Pause/Step, timeline, record); a :class:`~tutor.watching.Watch` says which
frame to show and tells the run's story. This pane only starts runs, reads
the watch on a timer (at most ten times a second) and draws the moment. The
routine's thread touches no widget: it posts one message when the run ends.
The keys that act on a lesson (tutor/app/widgets/lesson_keys.py) act here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Input, Static, TabbedContent, TabPane, Tabs, TextArea
from textual.worker import get_current_worker

from tutor.app.messages import LessonPassed, RunFinished, RunRecorded
from tutor.app.widgets.code_view import CodeView
from tutor.app.widgets.exercise_pane import ExercisePane
from tutor.app.widgets.explanation import Explanation
from tutor.app.widgets.lesson_handover import Handover
from tutor.app.widgets.lesson_keys import LESSON_KEYS, WATCHING_ACTIONS
from tutor.app.widgets.param_form import ParamForm
from tutor.app.widgets.recent_runs import RUNS_OVERLAID, RecentRuns, recent_runs
from tutor.app.widgets.run_error import RunError
from tutor.app.widgets.run_strip import RunStrip
from tutor.app.widgets.stage import Stage
from tutor.app.widgets.views_area import ViewsArea
from tutor.course import Lesson, ParamError
from tutor.exercises import Exercise
from tutor.i18n import _
from tutor.progress import ProgressStore
from tutor.runner import (
    DIVERGED,
    FAILED,
    FINISHED,
    STOP_GRACE,
    LearnerCode,
    RunRecord,
    RunSession,
    describe_run,
    prepare,
    preview_views,
)
from tutor.timeline import DEFAULT_SPEED, KERAS_REDRAW_SECONDS, REDRAW_SECONDS, Player
from tutor.watching import Watch, judged_figures

if TYPE_CHECKING:
    from tutor.app.app import TutorApp


class LessonPane(Vertical):
    """Shows one lesson and runs it; a new lesson gets a new pane (and a new language, with a Handover)."""

    BINDINGS = LESSON_KEYS
    WATCHING = WATCHING_ACTIONS

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
        handover: Handover | None = None,
        id: str | None = None,
    ) -> None:
        """``past``: the lesson's recent runs as saved (dicts with params, history, status...).

        ``handover``: the state of this lesson's pane in the language spoken before."""
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
        self.watching: Watch | None = None
        self.last_record: RunRecord | None = None
        self._speed = DEFAULT_SPEED
        self._had_frames = False
        self._announce_pass = False
        self._judged = judged_figures(lesson)  # the result figures the challenge reads: shown first
        self._preview: Mapping[str, Any] = {}
        self._handover = handover
        self._handed_over = False  # its run and file belong to the pane that replaces it
        if handover is not None:
            self.past, self._speed, self._preview = handover.past, handover.speed, handover.preview
            self.watching, self.last_record, self._announce_pass = (
                handover.watch,
                handover.last_record,
                handover.announce_pass,
            )

    def hand_over(self) -> Handover:
        """This pane's state for its successor in another language; from now on this pane lets go of its
        run and of the learner's file (its successor has them)."""
        self._handed_over = True
        self._ticker.pause()
        tabbed = self.query_one(TabbedContent)
        exercise = self.query(ExercisePane)
        return Handover(
            fields=self.form.fields(),
            watch=self.watching,
            last_record=self.last_record,
            past=list(self.past),
            speed=self._speed,
            announce_pass=self._announce_pass,
            preview=self._preview,
            page=self.query_one(Explanation).page,
            staged=self.stage.staged,
            tab=(tabbed.active or "tab-lesson").removeprefix("tab-"),
            exercise=exercise.first().hand_over() if exercise else None,
        )

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
            yield Static(_("✓ passed"), id="lesson-passed")
        handover = self._handover
        initial = f"tab-{handover.tab}" if handover is not None else "tab-lesson"
        with TabbedContent(id="lesson-tabs", initial=initial):
            with TabPane(_("Lesson"), id="tab-lesson"):
                if handover is not None:
                    yield Stage(lesson, page=handover.page, staged=handover.staged, id="stage")
                else:
                    yield Stage(lesson, id="stage")
            with TabPane(_("Code"), id="tab-code"):
                yield CodeView(lesson, id="code")
            if self.exercise is not None and self.store is not None:
                with TabPane(_("Exercise"), id="tab-exercise"):
                    yield ExercisePane(
                        lesson,
                        self.exercise,
                        self.store,
                        clock=self.clock,
                        handover=handover.exercise if handover is not None else None,
                        id="exercise",
                    )
            with TabPane(_("Parameters"), id="tab-parameters"):
                yield Button(_("Reset to the defaults"), id="reset", compact=True)
                yield ParamForm(lesson.params, self._start_values, lesson.presets, id="params")
            with TabPane(_("Runs"), id="tab-runs"):
                yield RecentRuns(id="recent-runs")
        yield RunStrip(first=self._judged, id="strip")

    def on_mount(self) -> None:
        self.set_class(self.passed, "-passed")
        every = KERAS_REDRAW_SECONDS if self.lesson.backend == "keras" else REDRAW_SECONDS
        self._ticker = self.set_interval(every, self._tick, pause=True)
        if self._handover is not None:
            self._take_over(self._handover)
            return
        self._show_recent_runs()
        self.query_one(ViewsArea).clear(self._past_runs())
        self._show_last_figures()
        self._load_preview(self._start_values)
        prepare(self.lesson, self._start_values, self.seed)  # Keras: a worker loads TensorFlow now, not at Run
        self.call_after_refresh(self.focus_stage)  # the lesson just opened: its keys act here
        if self.autorun:
            self.call_after_refresh(self.start_run)

    def _take_over(self, handover: Handover) -> None:
        """Show what the pane before this one showed, in this language: the run goes on here."""
        self.form.restore(handover.fields)
        self._show_recent_runs()
        views = self.query_one(ViewsArea)
        views.clear(self._past_runs())
        record = self.last_record
        if self.watching is None:
            self._show_last_figures()
            self._load_preview(self._start_values)
        else:
            if self._preview:
                views.show(self._preview, (), self._past_runs())
            self.running = self.watching.computing and self.watching.record is None
            self.watching.redraw_next()
            self._tick()
            self._ticker.resume()
        if record is not None and record.status in (FAILED, DIVERGED):
            self.query_one(RunError).show(record)
        elif record is not None and record.status == FINISHED and record.error:
            self.query_one(RunError).note(record.error)
        if handover.tab == "lesson":
            self.call_after_refresh(self.focus_stage)

    # ------------------------------------------------------------ state

    @property
    def form(self) -> ParamForm:
        return self.query_one(ParamForm)

    @property
    def stage(self) -> Stage:
        return self.query_one(Stage)

    @property
    def session(self) -> RunSession | None:
        return self.watching.session if self.watching is not None else None

    @property
    def player(self) -> Player | None:
        """The current run's playback (None before the first run)."""
        return self.watching.player if self.watching is not None else None

    @property
    def has_timeline(self) -> bool:
        return self.watching is not None and self.watching.has_timeline

    def show_tab(self, tab: str) -> None:
        """Bring a tab forward and put the focus where its keys act (the editor, the staged view)."""
        if tab == "exercise" and self.exercise is None:
            return
        tabbed = self.query(TabbedContent).first(TabbedContent) if self.query(TabbedContent) else None
        try:
            if tabbed is None:
                raise NoMatches("not composed yet")
            tabbed.get_tab(f"tab-{tab}")
        except (NoMatches, ValueError):
            # Still being composed (a key pressed while the lesson opens): again once it is there.
            self.call_after_refresh(self.show_tab, tab)
            return
        focused = self.screen.focused
        if focused is not None and tabbed in focused.ancestors:
            # Focus inside the tab being left would pull the tabs back to it: hand it to the tab bar first.
            tabbed.query_one(Tabs).focus()
        tabbed.active = f"tab-{tab}"
        if tab == "exercise":
            self.query_one(ExercisePane).focus_work()
        elif tab == "lesson":
            self.call_after_refresh(self.focus_stage)

    def focus_stage(self) -> None:
        """The view on the stage takes the keys (arrows move a digit grid's selection)."""
        if self.is_mounted and self.query(Stage):
            self.stage.staged_view.focus()

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

    def _show_last_figures(self) -> None:
        """Before the first run of this visit: the last run's loss and figures, so the strip is never blank."""
        last = next((run for run in reversed(self.past) if run.get("history")), None)
        if last is not None:
            history = last["history"]
            metrics = {k: v for k, v in history[-1].items() if k != "step"}
            self.query_one(RunStrip).figures(history, metrics)
            self.query_one(RunStrip).ready(
                _("Last run: {run} · ctrl+r runs again.").format(run=describe_run(last, self._start_values))
            )

    # ------------------------------------------------------------ data before the first run

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _load_preview(self, values: Mapping[str, Any]) -> None:
        views = preview_views(self.lesson, values, self.seed)
        if views and not get_current_worker().is_cancelled:  # newer values asked for another preview
            self.app.call_from_thread(self._show_preview, views)

    def _show_preview(self, views: Mapping[str, Any]) -> None:
        """The lesson's data, until a run has views of its own to show (a Keras run loads for seconds)."""
        if not self.is_mounted:
            return
        self._preview = views
        if self.watching is None or not self.watching.session.state.snapshot().views:
            self.query_one(ViewsArea).show(views, (), self._past_runs())

    # ------------------------------------------------------------ running

    def start_run(self, mine: Path | None = None) -> bool:
        """Start the routine with the form's values; refused (False) while a value is invalid.

        ``mine``: the learner's exercise file, whose functions replace the tutor's in the routine.
        """
        if self.running:
            self.notify(_("A run is already going: Stop it first."), severity="warning")
            return False
        errors = self.form.errors
        if errors:
            reasons = "\n".join(f"{name}: {reason}" for name, reason in errors.items())
            self.notify(
                _("Fix the parameters before running:\n{reasons}").format(reasons=reasons),
                title=_("Cannot run"),
                severity="error",
                markup=False,
            )
            self.show_tab("parameters")
            return False
        try:
            values = self.lesson.resolve(self.form.values())
        except ParamError as error:
            self.notify(str(error), title=_("Cannot run"), severity="error", markup=False)
            return False
        learner = None
        if mine is not None and self.exercise is not None:
            # Loaded only in the run's confined worker process, never in the app's.
            learner = LearnerCode(str(mine), list(self.exercise.functions))
        if self.last_record is not None and self.last_record.history:
            self.past = recent_runs([*self.past, self.last_record.to_json()])  # now an earlier run
        # The screen is taken now: the run may end after this pane has gone (another lesson opened).
        session = RunSession(
            self.lesson, values, self.seed, on_end=partial(self._ended_in_thread, self.screen), learner=learner
        )
        mine_note = ""
        if learner is not None:
            report = self.query_one(ExercisePane).report
            if report and not report.passed:
                mine_note = _(" (your checks do not all pass yet: watch what it does)")
        self.watching = Watch(
            session,
            speed=self._speed,
            first=self._judged,
            clock=self.clock,
            starting=(
                _("Starting with your code…{note}").format(note=mine_note) if learner is not None else _("Starting…")
            ),
        )
        self._had_frames = False
        cast("TutorApp", self.app).run_started(session)
        self.running = True
        self.query_one(RunError).clear()
        views = self.query_one(ViewsArea)
        views.clear(self._past_runs(values))
        if self._preview:  # the lesson's data stays in sight while the run starts
            views.show(self._preview, (), self._past_runs(values))
        self.query_one(RunStrip).say(self.watching.moment(time.monotonic()).story, busy=True)
        self.show_tab("lesson")
        session.start()
        self._ticker.resume()
        return True

    def _ended_in_thread(self, screen: Screen, record: RunRecord) -> None:
        """In the routine's thread: tell the UI thread (post_message is thread-safe)."""
        session = self.session
        screen.post_message(RunFinished(session, record))  # to the pane that shows the run then
        if session is not None and session.let_go_record is None:  # a let-go run was recorded when let go
            screen.post_message(RunRecorded(record, session))

    def stop_run(self) -> None:
        """Ask the routine to stop; it ends at its next check (within a second)."""
        session = self.session
        if session is not None and session.computing and not session.control.cancelled:
            session.stop()
            self.query_one(RunStrip).say(_("Stopping…"))
            self.set_timer(STOP_GRACE, lambda: self._let_go(session))

    def _let_go(self, session: RunSession) -> None:
        """Stop waiting for a routine that is still busy (loading TensorFlow, compiling)."""
        if session is not self.session or session.done or not self.running or self.watching is None:
            return  # it ended in time, or another run has started
        record = session.let_go()
        if record is not session.let_go_record:
            return  # it ended by itself meanwhile: its own record is on its way
        self.last_record = record  # the run is over for the learner; the routine's own record may follow
        self.watching.ended(record)
        self.running = False
        self._tick()
        if session.in_worker:  # its worker process was ended: nothing of it goes on
            self.query_one(RunStrip).say(_("Stopped; the busy routine was ended. You can run again."))
        else:
            self.query_one(RunStrip).say(_("Stopped; the busy routine ends in the background. You can run again."))
        self.screen.post_message(RunRecorded(record, session))

    def reset(self) -> None:
        if self.running:
            self.notify(_("Stop the run before resetting the parameters."), severity="warning")
            return
        self.form.set_values(self.lesson.resolve({}))
        self.query_one(RunStrip).ready(_("Parameters reset to the lesson's defaults."))

    # ------------------------------------------------------------ drawing (UI thread, on the timer)

    def _tick(self) -> None:
        watch = self.watching
        if watch is None or not self.is_mounted:
            self._ticker.pause()
            return
        moment = watch.moment(time.monotonic())
        if moment.frame_count > 0 != self._had_frames:  # the watching keys turn on (footer, dispatch)
            self._had_frames = moment.frame_count > 0
            self.screen.refresh_bindings()
        if moment.redraw and (moment.views or not watch.computing):
            # Until the run sends views of its own, the lesson's data (the preview) stays in sight.
            views = moment.views or self._preview
            self.query_one(ViewsArea).show(views, moment.history, self._past_runs(), cursor=moment.cursor)
        self.query_one(RunStrip).show(moment, playing=watch.playing, speed=watch.player.speed)
        if watch.still:
            if self._announce_pass and self.player_at_end:
                self._announce_pass = False
                self.passed = True
                self.add_class("-passed")
                self.post_message(LessonPassed(self.lesson.id))
            self.screen.refresh_bindings()
            self._ticker.pause()  # nothing moves until a key does

    @property
    def player_at_end(self) -> bool:
        return self.watching is not None and self.watching.player.at_end(self.watching.frames())

    def _watched(self) -> None:
        """A key moved the watch: draw now, and keep drawing while something moves."""
        self._ticker.resume()
        self._tick()
        self.screen.refresh_bindings()

    # ------------------------------------------------------------ the end of a run (UI thread)

    def run_finished(self, message: RunFinished) -> None:
        """The run ended (the screen hands this pane its message): draw its end."""
        session = message.session
        if self.watching is None or session is not self.session:
            return  # a run that was replaced
        record = message.record
        self.last_record = record
        self.watching.ended(record)
        self.running = False
        self._show_recent_runs()
        if record.status in (FAILED, DIVERGED):
            self.query_one(RunError).show(record)
        elif record.status == FINISHED and record.passes_lesson:  # never a run of the learner's code
            self._announce_pass = True  # when its replay reaches the end: no spoiler
        elif record.status == FINISHED and record.error:
            self.query_one(RunError).note(record.error)
        self._tick()
        self._ticker.resume()

    def on_unmount(self) -> None:
        # Leaving the lesson (or the app) ends its run; the screen still keeps its record.
        if self.session is not None and self.session.computing and not self._handed_over:
            self.session.stop()

    # ------------------------------------------------------------ buttons and forms

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
        self.query_one("#run", Button).tooltip = None if event.valid else _("Fix the marked parameters first")
        if event.valid and self.watching is None:  # before the first run: the data these values give
            try:
                self._load_preview(self.lesson.resolve(self.form.values()))
            except ParamError:
                pass

    # ------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        focused = self.screen.focused
        typing = isinstance(focused, (Input, TextArea)) or (
            focused is not None and focused.has_class("-textual-select-overlay")
        )
        if action in self.WATCHING or action in ("stage_view", "page", "scroll_page"):
            if typing:
                return False  # the key is a character
            if action == "stage_view":
                return parameters[0] <= len(self.lesson.views)  # type: ignore[operator]
            if action in ("maximize_view", "page", "scroll_page"):
                return True
            if action == "play_pause" and self.running:
                return True  # a run can be paused before its first epoch ends (lenet5's first is ~10 s)
            return True if self.has_timeline else False
        if action == "show_tab" and parameters == ("exercise",) and self.exercise is None:
            return False
        return True

    def action_play_pause(self) -> None:
        if self.watching is not None:
            self.watching.play_pause()
            self._watched()

    def action_frames(self, count: int) -> None:
        if self.watching is not None:
            self.watching.move(count)
            self._watched()

    def action_first_frame(self) -> None:
        if self.watching is not None:
            self.watching.first_frame()
            self._watched()

    def action_last_frame(self) -> None:
        if self.watching is not None:
            self.watching.last_frame()
            self._watched()

    def action_speed(self) -> None:
        if self.watching is not None:
            self._speed = self.watching.next_speed()
            self._watched()

    def stop_replay(self) -> None:
        """Stop a replay where it is (the learner can scrub from there)."""
        if self.watching is not None and self.watching.playing:
            self.watching.stop_replay()
            self._watched()

    def action_maximize_view(self) -> None:
        """Maximise the view on the stage, or restore the layout."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
            return
        self.show_tab("lesson")
        view = self.stage.staged_view
        view.focus()
        screen.maximize(view, container=False)

    def action_stage_view(self, number: int) -> None:
        """1-9: the view of that number in the view bar comes on the stage."""
        if number <= len(self.lesson.views):
            self.show_tab("lesson")
            self.stage.stage(self.lesson.views[number - 1])

    def action_page(self, step: int) -> None:
        self.show_tab("lesson")
        explanation = self.query_one(Explanation)
        explanation.next_page() if step > 0 else explanation.previous_page()

    def action_scroll_page(self, pages: int) -> None:
        self.show_tab("lesson")
        self.query_one(Explanation).scroll_text(pages)

    def action_show_tab(self, tab: str) -> None:
        self.show_tab(tab)
