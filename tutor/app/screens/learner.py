"""The first screen of a class session the server has not named: who is learning? (A name and a code.)

``tutor serve --class`` checks the learner's personal link (or the name and code typed on its page)
before it starts an app, and tells the app who it serves; this screen is for an app of a class
started without a learner. It asks the same proof - the learner's name and code (:mod:`tutor.roster`) -
and a wrong one gets one line that says nothing about who is in the class.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Static

from tutor import classroom
from tutor.app.widgets.footer import TranslatedFooter
from tutor.i18n import _
from tutor.roster import WRONG, Roster, RosterError


class PlainName(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            classroom.plain_name(value)
        except classroom.BadName as error:
            return self.failure(str(error).capitalize() + ".")
        return self.success()


class LearnerScreen(Screen[str]):
    """Asks the learner's name and code; dismisses with the name the class knows them by."""

    DEFAULT_CSS = """
    LearnerScreen {
        align: center middle;
    }
    LearnerScreen #learner-box {
        width: 60;
        max-width: 100%;
        height: auto;
        padding: 1 2;
        border: round $primary;
    }
    LearnerScreen #learner-problem {
        color: $text-error;
        height: auto;
    }
    LearnerScreen #learner-problem.-empty {
        display: none;
    }
    LearnerScreen #learner-box > * {
        margin-bottom: 1;
    }
    LearnerScreen #learner-box > Button {
        margin-bottom: 0;
    }
    """

    def __init__(self, class_dir: Path, problem: str | None = None) -> None:
        super().__init__()
        self.class_dir = class_dir
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="learner-box"):
            # Content, not markup: the class name comes from a folder and is shown as typed.
            yield Label(Content.styled(_("Class {name}").format(name=self.class_dir.name), "bold"))
            yield Static(
                _(
                    "Type your name and your code (on your card, or at the end of your personal link): "
                    "they open your lessons, runs and exercises - yours alone."
                ),
                markup=False,
            )
            yield Input(placeholder=_("your name"), max_length=classroom.NAME_MAX, validators=[PlainName()], id="name")
            yield Input(placeholder=_("your code, like k7qdm-2xafp"), max_length=40, password=True, id="code")
            problem = Static(self.problem or "", id="learner-problem", markup=False)
            problem.set_class(not self.problem, "-empty")
            yield problem
            yield Button(_("Start"), variant="primary", id="start")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Changed, "#name")
    def _show_reason(self, event: Input.Changed) -> None:
        """The reason a name cannot be used, as it is typed (nothing while the field is empty)."""
        reason = ""
        if event.value.strip() and event.validation_result and not event.validation_result.is_valid:
            reason = " ".join(event.validation_result.failure_descriptions)
        self._say(reason)

    @on(Input.Submitted, "#name")
    def _to_the_code(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        typed = self.query_one("#name", Input).value
        code = self.query_one("#code", Input)
        try:
            classroom.plain_name(typed)
            learner = Roster(self.class_dir).check(typed, code.value)
        except classroom.BadName as error:
            self._say(str(error).capitalize() + ".")
            self.query_one("#name", Input).focus()
            return
        except RosterError as error:
            self._say(str(error))
            return
        if learner is None:
            self._say(_(WRONG))  # marked where it is defined (tutor.roster)
            code.value = ""
            code.focus()
            return
        self.dismiss(learner)

    def _say(self, text: str) -> None:
        problem = self.query_one("#learner-problem", Static)
        problem.update(text)
        problem.set_class(not text, "-empty")
