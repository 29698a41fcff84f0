"""A lesson's explanation: one page at a time, beside the view it is about."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Label, Markdown
from textual.widgets.markdown import MarkdownFence

from tutor.course import Page
from tutor.i18n import _


class PageCode(MarkdownFence):
    """A page's code or formula: highlighted only when the page names its language. Guessing one
    (Pygments tries every lexer, plugins included) took seconds at start-up and coloured formulas
    as if they were some language."""

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False) -> Content:
        return super().highlight(code, language or "text", ansi=ansi, dark=dark)


class PageText(Markdown):
    BLOCKS = {**Markdown.BLOCKS, "fence": PageCode, "code_block": PageCode}


class Explanation(Vertical):
    """One page at a time; ``[`` and ``]`` (or ◀ ▶) turn pages, and say which view the page is about."""

    page: reactive[int] = reactive(0, init=False)

    @dataclass
    class PageTurned(Message):
        """The learner turned to ``page``, which is about the view ``view``."""

        explanation: Explanation
        page: int
        view: str

        @property
        def control(self) -> Explanation:
            return self.explanation

    def __init__(self, pages: tuple[Page, ...], *, page: int = 0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pages = pages or (Page("", _("*This lesson has no explanation yet.*")),)
        self.set_reactive(Explanation.page, page if 0 <= page < len(self.pages) else 0)

    def compose(self) -> ComposeResult:
        with Horizontal(id="page-nav"):
            yield Button("◀", id="page-prev", compact=True, disabled=self.page == 0, tooltip=_("Previous page ([)"))
            # Page titles come from lesson files: shown as text, never parsed as markup.
            yield Label(self._label_text(), id="page-label", markup=False)
            yield Button(
                "▶", id="page-next", compact=True, disabled=self.page >= len(self.pages) - 1, tooltip=_("Next page (])")
            )
        with VerticalScroll(id="page-scroll", can_focus=False):
            yield PageText(self.pages[self.page].text, id="page-text")

    def _label_text(self) -> str:
        return f"{self.page + 1}/{len(self.pages)} {self.pages[self.page].title}"

    def watch_page(self, page: int) -> None:
        self.query_one("#page-text", PageText).update(self.pages[page].text)
        self.query_one("#page-scroll", VerticalScroll).scroll_home(animate=False)
        self.query_one("#page-prev", Button).disabled = page == 0
        self.query_one("#page-next", Button).disabled = page >= len(self.pages) - 1
        self.query_one("#page-label", Label).update(self._label_text())
        self.post_message(self.PageTurned(self, page, self.pages[page].view))

    def next_page(self) -> None:
        self.page = min(self.page + 1, len(self.pages) - 1)

    def previous_page(self) -> None:
        self.page = max(self.page - 1, 0)

    def scroll_text(self, pages: int) -> None:
        """Page Up / Page Down: the page's text scrolls, whatever has focus."""
        scroll = self.query_one("#page-scroll", VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + pages * max(scroll.size.height - 1, 1), animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("page-prev", "page-next"):
            event.stop()
            self.next_page() if event.button.id == "page-next" else self.previous_page()
