"""The Exercise tab's description: its first lines, and all of it on F2 (or a click on the line saying so).

At 80x24 the editor needs the rows; a description of six lines (softmax's, which also asks for
cross_entropy) would otherwise show two and hide the rest.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.css.scalar import Scalar
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tutor.i18n import _

FOLDED_LINES = 2
OPEN_SHARE = 0.6  # unfolded, of the tab's height: the editor keeps the rest


class ExerciseIntro(Vertical):
    """What to write: folded to its first lines with a line saying how to read the rest, or unfolded."""

    DEFAULT_CSS = f"""
    ExerciseIntro {{ height: auto; }}
    ExerciseIntro #exercise-intro-scroll {{ height: auto; max-height: {FOLDED_LINES}; }}
    ExerciseIntro #exercise-intro {{ height: auto; color: $text-muted; padding: 0 1; }}
    ExerciseIntro #exercise-intro-more {{ height: 1; padding: 0 1; color: $text-accent; display: none; }}
    ExerciseIntro #exercise-intro-more.-shown {{ display: block; }}
    """

    open: reactive[bool] = reactive(False)
    """The whole description is shown."""

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="exercise-intro-scroll"):
            yield Static(self.text, id="exercise-intro", markup=False)
        yield Static("", id="exercise-intro-more", markup=False)

    def toggle(self) -> None:
        self.open = not self.open

    def watch_open(self, open: bool) -> None:
        self.set_class(open, "-open")
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def on_click(self, event: events.Click) -> None:
        if event.widget is not None and event.widget.id == "exercise-intro-more":
            self.toggle()

    def _fit(self) -> None:
        """Folded: the first FOLDED_LINES (all of it when one more line would do); open: up to OPEN_SHARE."""
        if not self.is_mounted:
            return
        lines = self.query_one("#exercise-intro", Static).virtual_size.height
        if self.open:
            room = self.parent.size.height if isinstance(self.parent, Widget) else 0
            shown = max(FOLDED_LINES, int(room * OPEN_SHARE))
        else:
            shown = lines if 0 < lines <= FOLDED_LINES + 1 else FOLDED_LINES
        scroll = self.query_one("#exercise-intro-scroll", VerticalScroll)
        if scroll.styles.max_height != Scalar.from_number(shown):
            scroll.styles.max_height = shown
        self.call_after_refresh(self._say_if_cut)

    def _say_if_cut(self) -> None:
        """The line under a description longer than what shows: F2 for all of it (and F2 again, less)."""
        if not self.is_mounted:
            return
        scroll = self.query_one("#exercise-intro-scroll", VerticalScroll)
        more = self.query_one("#exercise-intro-more", Static)
        lines = self.query_one("#exercise-intro", Static).virtual_size.height
        if not self.open and lines == FOLDED_LINES + 1 and scroll.max_scroll_y > 0:
            self._fit()  # measured now: one more line shows it all
            return
        if self.open:
            more.update(_("▴ F2 shows less") + (_(" · scroll for the rest") if scroll.max_scroll_y > 0 else ""))
        else:
            more.update(_("▾ F2 shows the whole description ({lines} lines)").format(lines=lines))
        more.set_class(scroll.max_scroll_y > 0 or (self.open and lines > FOLDED_LINES), "-shown")
