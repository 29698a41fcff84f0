"""The reference solution of an exercise: shown once the checks pass, or after the learner gives up."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.highlight import highlight
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Static

from tutor import exercises
from tutor.exercises import Exercise
from tutor.i18n import N_, _


class SolutionScreen(ModalScreen[None]):
    """Asks first when the learner has not passed yet; then shows the tutor's own functions."""

    DEFAULT_CSS = """
    SolutionScreen { align: center middle; }
    SolutionScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    SolutionScreen #solution-question { height: auto; padding: 1 0; }
    SolutionScreen #solution-code { height: auto; max-height: 30; }
    SolutionScreen #solution-buttons { height: 1; margin-top: 1; }
    SolutionScreen #solution-buttons Button { margin: 0 1 0 0; }
    """

    BINDINGS = [Binding("escape", "dismiss", N_("Close"))]

    def __init__(self, lesson, exercise: Exercise, *, give_up: bool) -> None:
        super().__init__()
        self.lesson = lesson
        self.exercise = exercise
        self.give_up = give_up

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.give_up:
                yield Static(
                    _(
                        "Your checks do not all pass yet. Seeing the solution now ends the puzzle: "
                        "a hint (the Hint button) may be all you need. Show the solution?"
                    ),
                    id="solution-question",
                    markup=False,
                )
                with Horizontal(id="solution-buttons"):
                    yield Button(_("Keep trying"), id="solution-keep-trying", variant="primary", compact=True)
                    yield Button(_("Show the solution"), id="solution-give-up", variant="warning", compact=True)
            else:
                yield from self._solution()

    def _solution(self) -> list[Widget]:
        source = exercises.solution_source(self.exercise, self.lesson)
        return [
            Static(
                _("The tutor's {functions}  (Escape closes)").format(functions=", ".join(self.exercise.functions)),
                markup=False,
            ),
            VerticalScroll(Static(highlight(source, language="python")), id="solution-code"),
            Horizontal(Button(_("Close"), id="solution-close", variant="primary", compact=True), id="solution-buttons"),
        ]

    @on(Button.Pressed, "#solution-keep-trying")
    @on(Button.Pressed, "#solution-close")
    def _close(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    @on(Button.Pressed, "#solution-give-up")
    async def _gave_up(self, event: Button.Pressed) -> None:
        event.stop()
        box = self.query_one(Vertical)
        await box.remove_children()
        await box.mount_all(self._solution())
        self.query_one("#solution-close", Button).focus()
