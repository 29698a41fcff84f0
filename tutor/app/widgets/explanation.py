"""A lesson's explanation: Markdown pages with previous / next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Button, Label, Markdown

from tutor.course import Page


class Explanation(Vertical):
    """One page at a time; ``[`` and ``]`` (or the buttons) turn pages."""

    page: reactive[int] = reactive(0, init=False)

    def __init__(self, pages: tuple[Page, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pages = pages or (Page("", "*This lesson has no explanation yet.*"),)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="page-scroll"):
            yield Markdown(self.pages[0].text, id="page-text")
        with Horizontal(id="page-nav"):
            yield Button("◀ Prev", id="page-prev", compact=True, disabled=True)
            # Page titles come from lesson files: shown as text, never parsed as markup.
            yield Label(self._label_text(), id="page-label", markup=False)
            yield Button("Next ▶", id="page-next", compact=True, disabled=len(self.pages) < 2)

    def _label_text(self) -> str:
        return f"page {self.page + 1}/{len(self.pages)}  {self.pages[self.page].title}"

    def watch_page(self, page: int) -> None:
        self.query_one("#page-text", Markdown).update(self.pages[page].text)
        self.query_one("#page-scroll", VerticalScroll).scroll_home(animate=False)
        self.query_one("#page-prev", Button).disabled = page == 0
        self.query_one("#page-next", Button).disabled = page >= len(self.pages) - 1
        self.query_one("#page-label", Label).update(self._label_text())

    def next_page(self) -> None:
        self.page = min(self.page + 1, len(self.pages) - 1)

    def previous_page(self) -> None:
        self.page = max(self.page - 1, 0)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("page-prev", "page-next"):
            event.stop()
            self.next_page() if event.button.id == "page-next" else self.previous_page()
