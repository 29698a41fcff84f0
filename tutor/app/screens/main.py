"""The main screen: the lesson tree on the left, the open lesson on the right."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.widgets import Header, Static, TextArea

from tutor.app.messages import LessonPassed, OpenLesson, RunFinished, RunRecorded
from tutor.app.widgets.exercise_pane import ExercisePane
from tutor.app.widgets.footer import TranslatedFooter
from tutor.app.widgets.lesson_handover import Handover
from tutor.app.widgets.lesson_pane import LessonPane
from tutor.app.widgets.lesson_tree import LessonTree
from tutor.app.widgets.recent_runs import RUNS_LISTED
from tutor.course import Course, Lesson, ParamError
from tutor.exercises import Exercise, ExerciseError, find_exercise
from tutor.i18n import N_, _
from tutor.progress import ProgressStore

if TYPE_CHECKING:
    from tutor.app.app import TutorApp


class MainScreen(Screen):
    """The lesson tree and the open lesson. The keys of a lesson (watching, the stage, its tabs)
    are declared by :class:`LessonPane`, where they act; here: running, the tree and help."""

    BINDINGS = [
        Binding("ctrl+r,f5", "run", N_("Run"), id="run", priority=True, tooltip=N_("Run the lesson's routine")),
        Binding("ctrl+s,f6", "stop", N_("Stop"), id="stop", priority=True, tooltip=N_("Stop the run, keep the plots")),
        Binding(
            "ctrl+o",
            "reset",
            N_("Reset"),
            id="reset",
            priority=True,
            show=False,
            tooltip=N_("Restore the default parameters"),
        ),
        Binding(
            "ctrl+b",
            "toggle_tree",
            N_("Lessons"),
            id="toggle-tree",
            priority=True,
            tooltip=N_("Show or hide the lesson tree"),
        ),
        Binding("question_mark", "help", N_("Help"), id="help", tooltip=N_("This help: all the keys")),
        Binding("f1", "help", N_("Help"), id="help-f1", show=False, priority=True),
    ]
    # Narrow or short terminals get a more compact layout (see app.tcss). Below 120 columns
    # the lesson tree hides while a lesson is open: the stage needs the width.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (76, "-compact"), (100, "-normal"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-medium"), (40, "-tall")]

    def __init__(
        self,
        course: Course,
        store: ProgressStore,
        *,
        lesson_id: str | None = None,
        autorun: bool = False,
        overrides: Mapping[str, Any] | None = None,
        seed: int | None = None,
        clock: bool = True,
    ) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self._initial_lesson = lesson_id
        self._autorun = autorun
        self._overrides = dict(overrides or {})
        self.seed = seed
        self.clock = clock
        self._pane: LessonPane | None = None
        self._exercises: dict[str, Exercise | None] = {}
        self._shown_warning: str | None = None  # the store's warning the learner has already seen

    def compose(self) -> ComposeResult:
        if getattr(self.app, "learner", None):  # a class session: the header says whose work this is
            yield Header(icon="●")
        with Horizontal(id="main"):
            yield self._lesson_tree()
            with Container(id="lesson-host"):
                if not self.course.lessons:
                    yield Static(
                        _("No lessons found. `tutor check` lists what is wrong with the lesson files."),
                        id="no-lessons",
                    )
        yield TranslatedFooter()

    def _lesson_tree(self) -> LessonTree:
        passed = {lesson.id for lesson in self.course.lessons if self.store.passed(lesson.id)}
        with_exercise = {lesson.id for lesson in self.course.lessons if self.exercise_of(lesson) is not None}
        exercises_passed = {lesson_id for lesson_id in with_exercise if self.store.exercise_passed(lesson_id)}
        return LessonTree(
            self.course, passed, with_exercise=with_exercise, exercises_passed=exercises_passed, id="lesson-tree"
        )

    async def speak(self, course: Course) -> None:
        """Show ``course`` (the same lessons in the language the tutor speaks now), every word of the
        screen in that language: the open lesson stays open with its typed text, parameters and run."""
        self.course = course
        self._exercises.clear()  # their descriptions and hints are in the old language
        tree = self.query_one(LessonTree)
        had_focus = self.focused is tree
        await tree.remove()
        new_tree = self._lesson_tree()
        await self.query_one("#main").mount(new_tree, before=0)
        await self.query_one(TranslatedFooter).remove()  # a new footer composes its keys in the new language
        await self.mount(TranslatedFooter())
        pane = self.pane
        if pane is not None and pane.is_mounted:
            self.open_lesson(pane.lesson.id, handover=pane.hand_over())
        elif self.query("#no-lessons"):
            self.query_one("#no-lessons", Static).update(
                _("No lessons found. `tutor check` lists what is wrong with the lesson files.")
            )
        if had_focus:
            new_tree.focus()

    def on_mount(self) -> None:
        self._warn_about_progress()
        if self.course.problems:
            self.notify(
                _("{count} problem(s) in the lesson files: run `tutor check`.").format(count=len(self.course.problems)),
                title=_("Lessons"),
                severity="warning",
                timeout=10,
            )
        for folder in self.course.code_dirs:
            self.notify(
                _("Lessons from {folder} run Python code from that folder.").format(folder=folder),
                title=_("Lesson pack"),
                severity="warning",
                timeout=12,
                markup=False,
            )
        if not self.course.lessons:
            return
        wanted = self._initial_lesson or self.store.last_lesson
        known = {lesson.id for lesson in self.course.lessons}
        if wanted not in known:
            if self._initial_lesson:
                self.notify(
                    _("There is no lesson {lesson}.").format(lesson=repr(self._initial_lesson)),
                    severity="error",
                    markup=False,
                )
            wanted = self.course.lessons[0].id
        self.open_lesson(wanted, autorun=self._autorun, overrides=self._overrides)
        self.call_after_refresh(self._focus_start)

    def restore_focus(self) -> None:
        """Nothing has the focus (or a hidden tree has it): the lesson's stage takes it."""
        focused = self.focused
        if focused is None or (isinstance(focused, LessonTree) and self.tree_hidden_by_default):
            self._focus_start()

    def _focus_start(self) -> None:
        """The view on the stage: the lesson's keys act there (the tree is a click or ctrl+b away)."""
        if self.pane is not None and self.pane.is_mounted:
            self.pane.focus_stage()

    # ------------------------------------------------------------ lessons

    @property
    def pane(self) -> LessonPane | None:
        """The open lesson's pane (a replaced one may still be on its way out)."""
        return self._pane

    def open_lesson(
        self,
        lesson_id: str,
        autorun: bool = False,
        overrides: Mapping[str, Any] | None = None,
        *,
        handover: Handover | None = None,
    ) -> None:
        """Open a lesson in a new pane; ``handover``: the same lesson's old pane's state (a new language)."""
        lesson = self.course.get(lesson_id)
        try:
            values = lesson.resolve(overrides)
        except ParamError as error:
            self.notify(
                _("{error}; using the defaults.").format(error=error),
                title=_("Parameters"),
                severity="error",
                markup=False,
            )
            values = lesson.resolve({})
        old = self.pane
        if old is not None:
            if old.running and handover is None:
                self.notify(_("Stopped the run of {lesson}.").format(lesson=old.lesson.title), markup=False)
            old.remove()
        past = self.store.runs(lesson_id)[-RUNS_LISTED:]
        pane = LessonPane(
            lesson,
            values,
            passed=self.store.passed(lesson_id),
            past=past,
            seed=self.seed,
            clock=self.clock,
            autorun=autorun,
            exercise=self.exercise_of(lesson),
            store=self.store,
            handover=handover,
        )
        self._pane = pane
        self.query_one("#lesson-host").mount(pane)
        self.query_one(LessonTree).show_lesson(lesson_id)
        self.sub_title = f"{lesson.number} {lesson.title}"
        self.store.set_last_lesson(lesson_id)

    def exercise_of(self, lesson: Lesson) -> Exercise | None:
        """The lesson's exercise; a broken one (a pack's) is said once and left out, never a crash."""
        if lesson.id not in self._exercises:
            try:
                self._exercises[lesson.id] = find_exercise(lesson)
            except ExerciseError as error:
                self._exercises[lesson.id] = None
                self.notify(str(error), title=_("Exercise left out"), severity="warning", timeout=10, markup=False)
        return self._exercises[lesson.id]

    @on(LessonTree.LessonChosen)
    def _lesson_chosen(self, event: LessonTree.LessonChosen) -> None:
        pane = self.pane
        if pane is None or pane.lesson.id != event.lesson_id:
            self.open_lesson(event.lesson_id)
        if self.tree_hidden_by_default:
            self.remove_class("-tree-toggled")  # the tree covered the lesson: show the lesson
        self.call_after_refresh(self._focus_start)  # the lesson's keys act on the chosen lesson

    @on(OpenLesson)
    def _open_lesson(self, event: OpenLesson) -> None:
        self.open_lesson(event.lesson_id, autorun=event.autorun)

    @on(RunFinished)
    def _run_finished(self, event: RunFinished) -> None:
        """A run ended: the pane showing it draws its end (a pane that took it over, too)."""
        pane = self.pane
        if pane is not None and pane.session is event.session:
            pane.run_finished(event)

    @on(RunRecorded)
    def _run_recorded(self, event: RunRecorded) -> None:
        # Kept at once (the pass too), even if the learner quits during the replay; once only
        # (Quit keeps a run that is slow to stop itself, and its own record may still come).
        if not cast("TutorApp", self.app).run_ended(event.session):
            return
        self.store.record(event.record)
        self._warn_about_progress()

    @on(ExercisePane.Checked)
    def _exercise_checked(self, event: ExercisePane.Checked) -> None:
        if event.report.passed:
            self.query_one(LessonTree).mark_exercise_passed(event.control.lesson.id)

    @on(LessonPassed)
    def _lesson_passed(self, event: LessonPassed) -> None:
        """The replay of a passing run reached its end: now tell the learner (bottom right, off the stage)."""
        lesson = self.course.get(event.lesson_id)
        self.query_one(LessonTree).mark_passed(lesson.id)
        self.notify(
            f"{lesson.number} {lesson.title}", title=_("Challenge met: lesson passed ✓"), timeout=4, markup=False
        )

    def _warn_about_progress(self) -> None:
        """A damaged or unwritable progress file is reported once, never as a crash."""
        if self.store.warning and self.store.warning != self._shown_warning:
            self._shown_warning = self.store.warning
            self.notify(self.store.warning, title=_("Progress"), severity="warning", timeout=10, markup=False)

    # ------------------------------------------------------------ actions

    def key_description(self, action: str, description: str) -> str:
        """The footer's words for a key now: space plays what is still (a paused run, an ended replay)."""
        pane = self.pane
        if action == "play_pause" and pane is not None and pane.watching is not None and not pane.watching.playing:
            return N_("Play")
        return description

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("run", "stop", "reset"):
            return True
        pane = self.pane
        if pane is None or not pane.is_mounted:
            return False
        if action == "stop" and isinstance(self.focused, TextArea) and self.focused.id == "exercise-editor":
            return False  # ctrl+s in the exercise editor saves the learner's file (F6 still stops)
        if action == "stop":
            # Stop ends a run, or the replay of one that has ended.
            return True if pane.running or pane.watching is not None and pane.watching.playing else None
        if action == "run":
            return None if pane.running else True
        return True

    # check_action lets these through only with a pane mounted.
    def action_run(self) -> None:
        if self.pane is not None:
            self.pane.start_run()

    def action_stop(self) -> None:
        if self.pane is None:
            return
        if self.pane.running:
            self.pane.stop_run()
        else:
            self.pane.stop_replay()

    def action_reset(self) -> None:
        if self.pane is not None:
            self.pane.reset()

    @property
    def tree_hidden_by_default(self) -> bool:
        """Under 120 columns the stage gets the width; ctrl+b shows the tree over the lesson."""
        return not self.has_class("-wide")

    def action_toggle_tree(self) -> None:
        self.toggle_class("-tree-toggled")
        tree = self.query_one(LessonTree)
        showing = self.tree_hidden_by_default == self.has_class("-tree-toggled")
        if showing:
            self.call_after_refresh(tree.focus)
            if tree.cursor_node is not None:
                self.call_after_refresh(tree.scroll_to_node, tree.cursor_node)

    def action_help(self) -> None:
        from tutor.app.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
