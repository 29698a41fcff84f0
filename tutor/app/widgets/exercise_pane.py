"""The Exercise tab: the learner writes the lesson's maths, the tutor checks it, and runs it.

The learner's file lives in their workspace (a visible folder they can also open
in their own editor). Saving here, or in another editor, re-runs the checks in a
separate process (``tutor.exercises.run_checks``), so a learner's infinite loop
or crash never reaches the app. "Run with my code" asks the lesson pane to run
the lesson's routine with the learner's functions in place of the tutor's.

Typed text is never lost (``tutor.exercises.drafts``): unsaved text goes to a draft a moment
after typing stops and when the app quits, and the next time the tab opens it is offered back; a
save never replaces a version this window has not seen (another window's or editor's): the
learner is told, and chooses which to keep - the other text is kept beside the file either way.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Button, Static, TextArea
from textual.worker import get_current_worker

from tutor import exercises
from tutor.app.widgets.exercise_intro import ExerciseIntro
from tutor.exercises import CheckReport, Exercise
from tutor.exercises.drafts import DRAFT_SECONDS, Conflict, EditedFile
from tutor.files import TutorFileError, show_path
from tutor.i18n import N_, _
from tutor.progress import ProgressStore


def report_content(
    report: CheckReport | None, functions: tuple[str, ...], clock: bool = True, checking: bool = False
) -> Content:
    """The checks as lines of ✓ / ✗ with their messages (plain text: never markup).

    ``clock``: say how long the checks took (off for screenshots that must not change). ``checking``:
    newer checks are running; the last report stays below that line, so the layout does not jump.
    """
    if report is None:
        return Content.styled(_("Checking…"), "$text-muted")
    if checking:
        return Content("\n").join(
            [Content.styled(_("Checking your saved file…"), "$text-muted"), report_content(report, functions, clock)]
        )
    lines: list[Content] = []
    if report.problem:
        lines.append(Content.assemble(Content.styled("✗ ", "bold $text-error"), report.problem))
    said: set[str] = set()
    # What fails first, with its message: that is what the learner works on; the passes follow.
    for result in sorted(report.results, key=lambda result: result.ok):
        mark = Content.styled("✓ ", "bold $text-success") if result.ok else Content.styled("✗ ", "bold $text-error")
        line = Content.assemble(mark, result.title)
        # One reason said once: five checks of a function not written yet share one message.
        if not result.ok and result.message and result.message not in said:
            said.add(result.message)
            line = Content.assemble(line, "\n  ", Content.styled(result.message, "$text-warning"))
        lines.append(line)
    passed = sum(result.ok for result in report.results)
    took = _(" ({seconds} s)").format(seconds=f"{report.seconds:.1f}") if clock else ""
    if report.passed:
        summary = Content.styled(
            _("All {count} checks pass{took}. Run with my code to watch it learn.").format(
                count=len(report.results), took=took
            ),
            "bold $text-success",
        )
    elif report.problem and not report.results:
        summary = Content.styled(_("Your file cannot be checked yet{took}:").format(took=took), "$text-muted")
    else:
        summary = Content.styled(
            _("{passed} of {count} checks pass{took} · write {functions}").format(
                passed=passed, count=len(report.results), took=took, functions=", ".join(functions)
            ),
            "$text-muted",
        )
    return Content("\n").join([summary, *lines])


@dataclass
class ExerciseHandover:
    """The Exercise tab's state, for the same lesson's tab in another language: the text typed (saved
    or not), the file as this window knows it, the last checks and where the cursor was."""

    opened: bool
    text: str
    saved_text: str
    disk_text: str | None
    file: EditedFile
    report: CheckReport | None
    cursor: tuple[int, int]
    checking: bool
    run_when_checked: bool
    description_open: bool
    choices_shown: tuple[bool, bool]  # 'Load the file on disk', 'Keep mine'


class PythonEditor(TextArea):
    """A Python editor whose Enter keeps the line's indentation (and indents after a ``:``)."""

    async def _on_key(self, event: events.Key) -> None:  # private: app/private_parts.py
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            before = self.document[row][:column]
            indent = before[: len(before) - len(before.lstrip())]
            if before.rstrip().endswith(":"):
                indent += " " * self.indent_width
            start, end = self.selection
            self.replace("\n" + indent, start, end, maintain_selection_offset=False)
            return
        await super()._on_key(event)


class ExercisePane(Vertical):
    """The learner's file in an editor, the checks, hints, the solution and Run with my code."""

    DEFAULT_CSS = """
    ExercisePane { height: 1fr; }
    ExercisePane #exercise-editor { height: 1fr; min-height: 5; }
    ExercisePane #exercise-editor.-unsaved { border: round $warning; }
    ExercisePane #exercise-report-scroll { height: auto; max-height: 7; }
    ExercisePane #exercise-report { height: auto; padding: 0 1; }
    ExercisePane #exercise-hint { height: auto; padding: 0 1; color: $text-accent; display: none; }
    ExercisePane #exercise-hint.-shown { display: block; }
    ExercisePane #exercise-buttons { height: 1; dock: bottom; }
    ExercisePane #exercise-buttons Button { margin: 0 1 0 0; }
    ExercisePane #exercise-reload, ExercisePane #exercise-keep-mine { display: none; }
    ExercisePane.-passed #exercise-report { border-left: outer $success; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save & check"), tooltip=N_("Save your file and run the checks")),
        Binding("f9", "run_mine", N_("Run my code"), tooltip=N_("Run the lesson with your functions")),
        Binding("f8", "hint", N_("Hint"), tooltip=N_("The next hint")),
        Binding("f2", "describe", N_("Description"), tooltip=N_("The exercise's whole description (F2 again: less)")),
    ]

    passed: reactive[bool] = reactive(False, init=False)
    """Every check passes for the file as last saved."""

    @dataclass
    class RunMine(Message):
        """Run the lesson with the learner's functions (the lesson pane starts the run)."""

        pane: ExercisePane
        path: Path

        @property
        def control(self) -> ExercisePane:
            return self.pane

    @dataclass
    class Checked(Message):
        """The checks ran on the learner's file."""

        pane: ExercisePane
        report: CheckReport

        @property
        def control(self) -> ExercisePane:
            return self.pane

    def __init__(
        self,
        lesson,
        exercise: Exercise,
        store: ProgressStore,
        workspace: Path | None = None,
        *,
        clock: bool = True,
        handover: ExerciseHandover | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self._handover = handover
        self._handed_over = False
        self.lesson = lesson
        self.exercise = exercise
        self.store = store
        self.workspace = exercises.workspace_dir(workspace)
        self.path = exercises.learner_file(exercise, self.workspace)
        self.file = EditedFile(self.path)
        if handover is not None:  # the same window, in another language: the same file, as it saw it
            self.file.close()
            self.file = handover.file
        self.report: CheckReport | None = None
        self._saved_text = ""  # the file as this window last loaded or saved it (the unsaved mark compares)
        self._disk_text: str | None = None  # the newest version known to be on disk
        self._draft_timer: Timer | None = None
        self._opened = False
        self._placed_at: tuple[int, int] | None = None
        self._checking = False  # checks are running on the saved file
        self._run_when_checked = False  # Run with my code waits for them

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield ExerciseIntro(self.exercise.intro, id="exercise-description")
        self._editor = editor = PythonEditor.code_editor("", language="python", id="exercise-editor", soft_wrap=False)
        editor.border_title = show_path(self.path, 50) + _(" · ctrl+s save & check · esc leaves the editor")
        yield editor
        with VerticalScroll(id="exercise-report-scroll"):
            yield Static("", id="exercise-report")
        yield Static("", id="exercise-hint", markup=False)
        with Horizontal(id="exercise-buttons"):
            yield Button(_("Save & check"), id="exercise-save", variant="primary", compact=True)
            yield Button(_("Run with my code"), id="exercise-run-mine", variant="success", compact=True)
            yield Button(_("Hint"), id="exercise-next-hint", compact=True)
            yield Button(_("Solution"), id="exercise-solution", compact=True)
            yield Button(_("Load the file on disk"), id="exercise-reload", variant="warning", compact=True)
            yield Button(_("Keep mine"), id="exercise-keep-mine", variant="warning", compact=True)

    def on_mount(self) -> None:
        self.passed = self.store.exercise_passed(self.lesson.id)
        if self._handover is not None and self._handover.opened:
            self._take_over(self._handover)  # now, shown or not: the typed text is this tab's to keep

    def on_unmount(self) -> None:
        if self._handed_over:
            return  # the tab that replaced this one has the text and the file
        self.keep_draft_now()  # another lesson opened, or the app closing
        self.file.close()

    def hand_over(self) -> ExerciseHandover:
        """This tab's state for its successor in another language (this tab then lets go of the file)."""
        self._handed_over = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
        return ExerciseHandover(
            opened=self._opened,
            text=self.editor.text,
            saved_text=self._saved_text,
            disk_text=self._disk_text,
            file=self.file,
            report=self.report,
            cursor=self.editor.cursor_location,
            checking=self._checking,
            run_when_checked=self._run_when_checked,
            description_open=self.query_one(ExerciseIntro).open,
            choices_shown=(
                bool(self.query_one("#exercise-reload").display),
                bool(self.query_one("#exercise-keep-mine").display),
            ),
        )

    def _take_over(self, handover: ExerciseHandover) -> None:
        """The tab as it was in the other language: the same text, unsaved mark, checks and cursor."""
        self._opened = True
        self._saved_text, self._disk_text = handover.saved_text, handover.disk_text
        self.report, self._run_when_checked = handover.report, handover.run_when_checked
        self.editor.load_text(handover.text)
        self.editor.move_cursor(handover.cursor, center=True)
        self.editor.set_class(self.unsaved, "-unsaved")
        self.editor.border_subtitle = _("● unsaved") if self.unsaved else None
        self.query_one("#exercise-reload").display, self.query_one("#exercise-keep-mine").display = (
            handover.choices_shown
        )
        self.query_one(ExerciseIntro).open = handover.description_open
        shown = self.store.hints_shown(self.lesson.id)
        if shown:
            self._show_hint(min(shown, len(self.exercise.hints)))
        if handover.checking or self.report is None:
            self.check()
        else:
            self.query_one("#exercise-report", Static).update(
                report_content(self.report, self.exercise.functions, self.clock)
            )
        self.watch_file()

    def action_describe(self) -> None:
        self.query_one(ExerciseIntro).toggle()

    def on_show(self) -> None:
        """The first time the tab shows: the learner's file (made from the starter), its checks, the watch.

        Not before: opening a lesson writes no file and starts no process.
        """
        if self._opened:
            return
        self._opened = True
        try:
            exercises.start(self.exercise, self.workspace)
            self._saved_text = self._disk_text = self.file.read()
        except (OSError, UnicodeDecodeError) as error:
            problem = _("Cannot open your file {path}: {error}").format(
                path=show_path(self.path), error=getattr(error, "strerror", None) or error
            )
            self.query_one("#exercise-report", Static).update(Content.styled(problem, "$text-error"))
            return
        self.editor.load_text(self._saved_text)
        if not self._offer_a_left_draft():
            self.call_after_refresh(self._go_to_the_work)
        shown = self.store.hints_shown(self.lesson.id)
        if shown:
            self._show_hint(min(shown, len(self.exercise.hints)))
        self.check()
        self.watch_file()

    # ------------------------------------------------------------ the file

    def _load(self, text: str) -> None:
        """Show the file as saved (by another editor), where the cursor was, and check it."""
        row, column = self.editor.cursor_location
        self._saved_text = self._disk_text = text
        self.file.seen_now(text)
        self.editor.load_text(text)
        self.editor.move_cursor((min(row, self.editor.document.line_count - 1), column))
        self._saved_state()
        self.check()

    def _saved_state(self) -> None:
        """The editor holds the file as saved: no unsaved mark, no choice between versions, no draft."""
        self.editor.remove_class("-unsaved")
        self.editor.border_subtitle = None
        self.query_one("#exercise-reload").display = False
        self.query_one("#exercise-keep-mine").display = False
        self.file.discard_draft()

    def _offer_a_left_draft(self) -> bool:
        """Put back the newest unsaved text a window left on this file (quit, closed, crashed); True if so.

        Older left drafts that differ from the file are kept beside it (``.bak``), never dropped.
        """
        restored = None
        kept: list[Path] = []
        for draft in self.file.left_drafts():
            try:
                text = draft.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            try:
                if text != self._saved_text and restored is None:
                    restored = (text, draft.stat().st_mtime)
                elif text != self._saved_text:
                    kept.append(self.file.keep_aside(text))
                draft.unlink()
            except (OSError, TutorFileError):
                continue
        if restored is None:
            return False
        import datetime as _dt

        text, when = restored
        self.editor.load_text(text)
        self.file.write_draft(text)  # this window's draft now, at once
        self.query_one("#exercise-reload").display = True
        also = ""
        if kept:
            also = _(" Older unsaved texts are kept beside it: {names}.").format(
                names=", ".join(path.name for path in kept)
            )
        self.notify(
            _(
                "Your unsaved text of {time} is back (kept when the tutor closed). "
                "ctrl+s saves it; 'Load the file on disk' takes {name} as saved (yours is then kept "
                "beside it).{also}"
            ).format(time=f"{_dt.datetime.fromtimestamp(when):%H:%M}", name=self.path.name, also=also),
            title=_("Unsaved text kept"),
            timeout=12,
            markup=False,
        )
        return True

    def _go_to_the_work(self) -> None:
        """Put the cursor where there is something to write: the first TODO (else the first function)."""
        lines = self.editor.text.splitlines()
        first_def = f"def {self.exercise.functions[0]}(" if self.exercise.functions else "def "
        for wanted in ("TODO", first_def):
            line = next((number for number, text in enumerate(lines) if wanted in text), None)
            if line is not None:
                self.editor.move_cursor((line, 0), center=True)
                self._placed_at = (line, 0)  # not moved since: the learner has not started here
                return

    def focus_work(self) -> None:
        """``x``: the keys go to the editor, its cursor at the work (typed letters never reach app keys)."""
        self.call_after_refresh(self.editor.focus)

    @property
    def editor(self) -> TextArea:
        return self._editor

    @property
    def unsaved(self) -> bool:
        return self.editor.text != self._saved_text

    @on(TextArea.Changed, "#exercise-editor")
    def _edited(self, event: TextArea.Changed) -> None:
        event.stop()
        self.editor.set_class(self.unsaved, "-unsaved")
        self.editor.border_subtitle = _("● unsaved") if self.unsaved else None
        if self._opened:  # a moment after typing stops, the text is safe from a crash too
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(DRAFT_SECONDS, self.keep_draft_now, name="exercise-draft")

    def keep_draft_now(self) -> None:
        """Unsaved text to its draft now (the app quits, the lesson closes); none left when all is saved."""
        if not self._opened:
            return
        text = self.editor.text  # the widget itself: still readable while it is being removed
        if text != self._saved_text:
            self.file.write_draft(text)
        else:
            self.file.discard_draft()

    def action_save(self) -> None:
        self.save()

    def action_run_mine(self) -> None:
        self.run_mine()

    def action_hint(self) -> None:
        self.next_hint()

    def save(self, over_theirs: bool = False) -> bool:
        """Write the editor's text to the learner's file (atomically) and check it.

        Not over a version this window has not seen: then the learner is told and chooses ('Keep mine'
        saves over it, keeping it beside the file; 'Load the file on disk' shows it, keeping theirs).
        """
        text = self.editor.text
        try:
            kept = self.file.save(text, over_theirs=over_theirs)
        except Conflict as conflict:
            self._conflict(conflict)
            return False
        except TutorFileError as error:
            self.notify(str(error), title=_("Not saved"), severity="error", markup=False)
            return False
        self._saved_text = self._disk_text = text
        self._saved_state()
        if kept is not None:
            self.notify(
                _("Saved yours. The other version is kept beside it: {name}").format(name=kept.name),
                title=_("Exercise"),
                markup=False,
            )
        self.check()
        self.call_after_refresh(self.editor.scroll_cursor_visible)  # the line just edited stays in view
        return True

    def _conflict(self, conflict: Conflict) -> None:
        self._disk_text = conflict.theirs
        self.file.write_draft(self.editor.text)  # kept at once, whatever happens next
        self.query_one("#exercise-reload").display = True
        self.query_one("#exercise-keep-mine").display = True
        self.notify(
            _(
                "Not saved: {conflict} (its version is on disk now). Your text is kept here. "
                "'Keep mine' saves yours and keeps the other beside it; 'Load the file on disk' shows the other "
                "and keeps yours beside it."
            ).format(conflict=conflict),
            title=_("Saved elsewhere too"),
            severity="warning",
            timeout=15,
            markup=False,
        )

    @work(exclusive=True, group="exercise-watch", exit_on_error=False)
    async def watch_file(self) -> None:
        """Notice a save from the learner's own editor: reload and check (unless edits here are unsaved)."""
        from watchfiles import awatch

        target = self.path.resolve()
        async for _changes in awatch(
            self.path.parent,
            watch_filter=lambda _change, changed: Path(changed).resolve() == target,
            debounce=300,
            recursive=False,
        ):
            try:
                text = self.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # being replaced, or not text: the next save will tell
            if text == self._disk_text:
                continue  # our own save, or a version already known
            self._disk_text = text
            if self.unsaved:
                self.notify(
                    _(
                        "{name} was saved from another window or editor; your unsaved edits here are "
                        "kept. 'Load the file on disk' shows the other version (yours kept beside it); "
                        "'Keep mine' saves yours (the other kept beside it)."
                    ).format(name=self.path.name),
                    title=_("Exercise"),
                    severity="warning",
                    markup=False,
                )
                self.query_one("#exercise-reload").display = True
                self.query_one("#exercise-keep-mine").display = True
                continue
            self._load(text)
            self.notify(
                _("{name} was saved from another window or editor: that version is shown now.").format(
                    name=self.path.name
                ),
                title=_("Exercise"),
                markup=False,
            )
            await asyncio.sleep(0)

    # ------------------------------------------------------------ checks

    def check(self) -> None:
        """Run the checks on the saved file, in a separate process (never in the app's)."""
        self._checking = True
        # The last report stays under "Checking…": the editor keeps its height (and the line in view).
        report = report_content(self.report, self.exercise.functions, self.clock, checking=True)
        self.query_one("#exercise-report", Static).update(report)
        self._check_in_thread()

    @work(thread=True, exclusive=True, group="exercise-checks", exit_on_error=False)
    def _check_in_thread(self) -> None:
        report = exercises.run_checks(self.exercise, self.path)
        if not get_current_worker().is_cancelled:  # a newer save asked for newer checks
            self.app.call_from_thread(self._show_report, report)

    def _show_report(self, report: CheckReport | None) -> None:
        if not self.is_mounted:
            return
        self.query_one("#exercise-report", Static).update(report_content(report, self.exercise.functions, self.clock))
        if report is None:
            return
        first = self.report is None
        self.report = report
        self._checking = False
        if first and not self.unsaved and self.editor.cursor_location == self._placed_at:
            self.call_after_refresh(self._go_to_the_work)  # the report took height from the editor: centre again
        if report.passed and not self.passed:
            self.store.mark_exercise_passed(self.lesson.id)
            self.notify(
                _("Every check passes. Run with my code to watch your functions learn."),
                title=_("Exercise passed ✎"),
                timeout=5,
            )
        self.passed = self.passed or report.passed
        self.post_message(self.Checked(self, report))
        if self._run_when_checked:
            self._run_when_checked = False
            self._run_if_it_loads(report)

    def watch_passed(self, passed: bool) -> None:
        self.set_class(passed, "-passed")

    # ------------------------------------------------------------ hints, solution, run

    def _show_hint(self, count: int) -> None:
        hints = self.exercise.hints[:count]  # the newest; the earlier ones have been read
        text = ""
        if hints:
            text = _("Hint {number} of {count}: {hint}").format(
                number=count, count=len(self.exercise.hints), hint=hints[-1]
            )
        widget = self.query_one("#exercise-hint", Static)
        widget.update(text)
        widget.set_class(bool(hints), "-shown")

    def next_hint(self) -> None:
        shown = self.store.hints_shown(self.lesson.id)
        if shown >= len(self.exercise.hints):
            self.notify(_("That was the last hint. The solution opens once you give up (Solution)."), markup=False)
            return
        self.store.set_hints_shown(self.lesson.id, shown + 1)
        self._show_hint(shown + 1)

    def show_solution(self) -> None:
        from tutor.app.screens.solution import SolutionScreen

        def shown(confirmed: bool | None) -> None:
            if confirmed:
                self.app.push_screen(SolutionScreen(self.lesson, self.exercise, give_up=False))

        if self.passed:
            self.app.push_screen(SolutionScreen(self.lesson, self.exercise, give_up=False))
        else:
            self.app.push_screen(SolutionScreen(self.lesson, self.exercise, give_up=True), shown)

    @on(Button.Pressed, "#exercise-save")
    def _pressed_save(self, event: Button.Pressed) -> None:
        event.stop()
        self.save()

    @on(Button.Pressed, "#exercise-reload")
    def _pressed_reload(self, event: Button.Pressed) -> None:
        event.stop()
        theirs = self.file.on_disk()
        if theirs is None:
            self.notify(_("Cannot read {path}").format(path=show_path(self.path)), severity="error", markup=False)
            return
        mine = self.editor.text
        kept = None
        if mine != theirs and mine != self._saved_text:
            try:
                kept = self.file.keep_aside(mine)  # both texts are kept
            except TutorFileError as error:
                self.notify(str(error), title=_("Your text is still here"), severity="error", markup=False)
                return
        self._load(theirs)
        if kept is not None:
            self.notify(
                _("Your text is kept beside it: {name}").format(name=kept.name), title=_("Exercise"), markup=False
            )

    @on(Button.Pressed, "#exercise-keep-mine")
    def _pressed_keep_mine(self, event: Button.Pressed) -> None:
        event.stop()
        self.save(over_theirs=True)

    @on(Button.Pressed, "#exercise-next-hint")
    def _pressed_hint(self, event: Button.Pressed) -> None:
        event.stop()
        self.next_hint()

    @on(Button.Pressed, "#exercise-solution")
    def _pressed_solution(self, event: Button.Pressed) -> None:
        event.stop()
        self.show_solution()

    @on(Button.Pressed, "#exercise-run-mine")
    def _pressed_run_mine(self, event: Button.Pressed) -> None:
        event.stop()
        self.run_mine()

    def run_mine(self) -> None:
        """Run the lesson with the learner's functions, once their file is known to load.

        The run imports the learner's file into the app's process, so it is checked in a
        separate process first: a loop or a crash at its top level must not take the app down.
        """
        if self.unsaved and not self.save():  # a save checks the new text
            return
        if self.report is None or self._checking:
            self._run_when_checked = True
            if not self._checking:
                self.check()
            return
        self._run_if_it_loads(self.report)

    def _run_if_it_loads(self, report: CheckReport) -> None:
        if report.problem and not report.results:
            self.notify(
                _("Your file does not load, so it cannot run yet:\n{problem}").format(problem=report.problem),
                title=_("Cannot run your code"),
                severity="error",
                markup=False,
            )
            return
        if report.not_written:  # the run would only stop at the TODO
            self.notify(
                _("{function}: write it first.").format(function=report.not_written.replace("`", "")),
                title=_("Nothing to run yet"),
                severity="warning",
                markup=False,
            )
            return
        self.post_message(self.RunMine(self, self.path))
