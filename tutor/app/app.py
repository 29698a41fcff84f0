"""The tutor's Textual app: small on purpose - screens and widgets do the work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from rich.console import Console
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.driver import Driver
from textual.geometry import Size
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import ThemeProvider

from tutor import classroom, i18n
from tutor.app.commands import LanguageCommands, LessonCommands, translated_system_commands
from tutor.app.screens.learner import LearnerScreen
from tutor.app.screens.main import MainScreen
from tutor.app.terminal import clamped_size, driver_on, terminal_gone, watched_terminals
from tutor.course import Course, load_course
from tutor.i18n import N_, _
from tutor.line_breaking import allow_cjk_line_breaks
from tutor.progress import ProgressStore
from tutor.runner import RunSession

# How long Quit waits for a stopped run to end and be recorded: a NumPy routine
# stops within one epoch, a Keras one within a batch. One still busy after that
# (importing TensorFlow, compiling) is recorded as stopped when it is let go.
# Under `tutor serve` the app is killed 1.2 s after SIGTERM: this must be shorter.
QUIT_GRACE = 0.8
TOAST_GONE_SECONDS = 0.5  # a toast's timeout, then this: it has faded and gone
TERMINAL_CHECK_SECONDS = 1.0  # a terminal that went away (no SIGHUP) is noticed within this


class TutorApp(App[int]):
    TITLE = "tutor"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {LessonCommands, LanguageCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), id="quit", priority=True, tooltip=N_("Quit (ends a run first)")),
    ]

    def __init__(
        self,
        course: Course | None = None,
        *,
        lesson_id: str | None = None,
        autorun: bool = False,
        overrides: Mapping[str, Any] | None = None,
        seed: int | None = None,
        store: ProgressStore | None = None,
        clock: bool = True,
        terminal: IO[str] | None = None,
        course_loader: Callable[[str], Course] | None = None,
    ) -> None:
        """``clock=False`` hides wall-clock times (ETA, durations) for reproducible screenshots.

        ``terminal``: draw there instead of on fd 2 (see :mod:`tutor.app.terminal`).
        ``course_loader``: the course in another language (for the palette's language switch); by
        default the shipped course when no ``course`` is given, else the lessons keep their text.
        """
        self._terminal = terminal
        super().__init__()
        allow_cjk_line_breaks()  # the palette may switch to Chinese: its lines break between characters
        if terminal is not None:  # errors after exit go to the terminal, not the log
            self.error_console = Console(markup=False, highlight=False, file=terminal)
        if course_loader is None and course is None:
            course_loader = _shipped_course
        self.course_loader = course_loader
        self.course = course if course is not None else _shipped_course(i18n.current())
        # A session of a class (``tutor serve --class``) is one learner's: named by the link, or asked first.
        self.seat = classroom.seat_from_environment() if store is None else classroom.Seat()
        self.learner: str | None = None
        self.store: ProgressStore | None = store
        if store is None and not self.seat.in_class:
            self.store = ProgressStore()
        elif store is None and self.seat.learner:
            self._take_seat(self.seat.learner)
        self._speak_the_remembered_language()
        self._start: dict[str, Any] = {
            "lesson_id": lesson_id,
            "autorun": autorun,
            "overrides": overrides,
            "seed": seed,
            "clock": clock,
        }
        self._runs: set[RunSession] = set()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own palette commands (Theme, Quit, Keys, Maximize, Screenshot) in the tutor's language."""
        return translated_system_commands(super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        """Textual's palette, with its search field's placeholder in the tutor's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # App[int] is an App[object]
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_themes(self) -> None:
        """The palette's Theme command: Textual's theme search, its placeholder in the tutor's language."""
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        if self._terminal is not None and driver.__name__ == "LinuxDriver":
            return driver_on(self._terminal, driver)
        return driver

    def post_message(self, message: Message) -> bool:
        """A screen size from the terminal or the browser is clamped (terminal.SIZE_MAX); a malformed one dropped."""
        if isinstance(message, events.Resize):
            width, height = tuple(message.size) if len(message.size) == 2 else (None, None)
            size = clamped_size(width, height)
            if size is None:
                return False
            if size != tuple(message.size):
                message.size = message.virtual_size = message.container_size = Size(*size)
        return super().post_message(message)

    def get_default_screen(self) -> Screen:
        if self.store is None:  # a class learner not named yet: on_mount asks
            return Screen()
        return MainScreen(self.course, self.store, **self._start)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        # When a toast goes, Textual redraws only what it covered, and a terminal (tmux, the served
        # page's xterm.js) can be left without a wide character at the right end of a line beneath it
        # (the strip's 正常, the footer's 命令) until something redraws that line: redraw the screen then.
        gone = (self.NOTIFICATION_TIMEOUT if timeout is None else timeout) + TOAST_GONE_SECONDS
        self.set_timer(gone, self._redraw_after_a_toast)

    def _redraw_after_a_toast(self) -> None:
        if self.is_running and not self.is_headless:
            self.screen.refresh()

    def on_app_focus(self, event: events.AppFocus) -> None:
        """The terminal (or the browser's tab) has the focus again: the keys go where they act.

        Textual restores the widget focused when the focus left - none, when it left before the
        lesson had opened (a served page loading): then the lesson's stage takes it."""
        restore = getattr(self.screen, "restore_focus", None)
        if restore is not None:
            self.call_after_refresh(restore)

    def on_mount(self) -> None:
        self._watch_the_terminal()
        if self.store is None and self.seat.class_dir is not None:
            self.push_screen(LearnerScreen(self.seat.class_dir, self.seat.problem), callback=self._learner_named)

    def _learner_named(self, learner: str | None) -> None:
        if learner:
            self._take_seat(learner)
            self.push_screen(self.get_default_screen())  # over the blank default screen, for good

    def _take_seat(self, learner: str) -> None:
        """From now on everything is ``learner``'s: progress, saved files, exercises; the header says whose."""
        assert self.seat.class_dir is not None
        self.store = classroom.take_seat(self.seat.class_dir, learner)
        self.learner = learner
        self.title = f"tutor · {learner}"
        self._speak_the_remembered_language()

    # ------------------------------------------------------------ the language

    def _speak_the_remembered_language(self) -> None:
        """The language chosen in the palette last time, unless --lang or TUTOR_LANG says another."""
        remembered = self.store.language if self.store is not None else None
        if remembered in i18n.LANGUAGES and remembered != i18n.current() and not i18n.chosen_explicitly():
            i18n.set_language(remembered)
            if self.course_loader is not None:
                self.course = self.course_loader(remembered)

    async def switch_language(self, code: str) -> None:
        """Speak ``code`` from now on (and next time): the lesson screen is rebuilt in it, keeping the
        open lesson, its typed text and parameters, and its run (still computing, or its replay)."""
        i18n.set_language(code)
        if self.store is not None:
            self.store.set_language(code)
        if self.course_loader is not None:
            self.course = self.course_loader(code)
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                await screen.speak(self.course)
        self.notify(i18n._("The tutor speaks English now."), timeout=3)

    def _watch_the_terminal(self) -> None:
        """Quit (recording a run it stops) once the terminal has gone, even when no SIGHUP said so."""
        if self.is_headless or self.is_web:
            return
        terminals = watched_terminals(0, self._terminal.fileno() if self._terminal is not None else None)
        if not terminals:
            return

        def check() -> None:
            if any(terminal_gone(fd) for fd in terminals):
                timer.pause()  # not stop(): that would cancel this very callback's task
                self.call_later(self.action_quit)

        timer = self.set_interval(TERMINAL_CHECK_SECONDS, check, name="terminal-watch")

    # A run is tracked from Run until its record is kept, so quitting can
    # stop it and wait (briefly) for the record.
    def run_started(self, session: RunSession) -> None:
        self._runs.add(session)

    def run_ended(self, session: RunSession | None) -> bool:
        """Stop tracking ``session``; False if it was not tracked (its record is already kept)."""
        if session not in self._runs:
            return False
        self._runs.discard(session)
        return True

    async def action_quit(self) -> None:
        """Stop any run, give it a moment to end and be recorded, then quit."""
        self.stop_all_runs()
        deadline = time.monotonic() + QUIT_GRACE
        while self._runs and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        for session in list(self._runs):  # deaf to Stop for now: its run is kept as stopped, not lost
            record = session.let_go()
            if self.store is not None:
                self.store.record(record)
            self.run_ended(session)
        self.exit()

    def stop_all_runs(self) -> None:
        for session in list(self._runs):
            session.stop()

    def exit(self, result: int | None = None, return_code: int = 0, message: Any | None = None) -> None:
        """Every way out (ctrl+q, SIGTERM, SIGHUP, a lost terminal) stops running routines and keeps unsaved
        text in the Exercise tab as a draft (offered back when the tab opens next time)."""
        self.stop_all_runs()
        self.keep_drafts()
        super().exit(result, return_code, message)

    def keep_drafts(self) -> None:
        from tutor.app.widgets.exercise_pane import ExercisePane

        for screen in self.screen_stack:
            for pane in screen.query(ExercisePane):
                pane.keep_draft_now()


def _shipped_course(language: str) -> Course:
    return load_course(language=language)
