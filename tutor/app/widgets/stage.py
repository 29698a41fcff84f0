"""The stage: the view a page is about, large, beside the page's words.

The lesson's idea takes most of the screen; the page that explains it sits in
a column beside it, with a bar naming the lesson's other views (a key each)
and the challenge. Turning the page puts the page's view on the stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from tutor.app.widgets.explanation import Explanation
from tutor.app.widgets.run_error import RunError
from tutor.app.widgets.views_area import ViewsArea
from tutor.course import Lesson
from tutor.i18n import _
from tutor.views import display_name


class ViewBar(Static):
    """``views 1 surface 2 loss 3 table`` in the learner's language: the staged one marked; a click or a number
    brings another."""

    staged: reactive[str] = reactive("")

    @dataclass
    class Chosen(Message):
        kind: str

    def __init__(self, kinds: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kinds = kinds

    def render(self) -> Content:
        # View kinds are the registry's identifiers (tutor.views), never lesson text: safe as links.
        # The label is the view's name in the learner's language: escaped, it is words, not markup.
        parts: list[Content | str] = [Content.styled(_("views") + " ", "$text-muted")]
        for number, kind in enumerate(self.kinds, start=1):
            label = escape(f" {number} {display_name(kind)} ")
            style = "reverse bold" if kind == self.staged else ""
            parts.append(Content.from_markup(f"[{style} @click=choose('{kind}')]{label}[/]"))
        return Content.assemble(*parts)

    def action_choose(self, kind: str) -> None:
        self.post_message(self.Chosen(kind))


class Stage(Vertical):
    """The staged view on the left (most of the width) over the bar naming the lesson's views;
    the page and the challenge beside it."""

    staged: reactive[str] = reactive("", init=False)

    def __init__(self, lesson: Lesson, *, page: int = 0, staged: str | None = None, id: str | None = None) -> None:
        """``page`` and ``staged``: open on that page with that view (a lesson shown again in a new language)."""
        super().__init__(id=id)
        self.lesson = lesson
        self.page = page if 0 <= page < len(lesson.pages) else 0
        if staged not in lesson.views:
            staged = lesson.pages[self.page].view if lesson.pages else lesson.views[0]
        self.set_reactive(Stage.staged, staged)

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        with Vertical(id="stage-main"):
            yield RunError(id="run-error")
            yield ViewsArea(lesson.views, staged=self.staged, id="views")
            yield ViewBar(lesson.views, id="view-bar").data_bind(Stage.staged)
        with Vertical(id="stage-side"):
            yield Explanation(lesson.pages, page=self.page, id="explanation")
            yield Static(
                Content.assemble(Content.styled(_("Challenge: "), "bold $text-accent"), lesson.challenge.goal),
                id="lesson-challenge",
            )

    def watch_staged(self, kind: str) -> None:
        self.query_one(ViewsArea).staged = kind

    def stage(self, kind: str) -> None:
        """Put ``kind`` on the stage (a key, a click in the view bar, a page turned)."""
        if kind in self.lesson.views:
            self.staged = kind

    @property
    def staged_view(self):
        return self.query_one(f"#view-{self.staged}")

    @on(Explanation.PageTurned)
    def _page_turned(self, event: Explanation.PageTurned) -> None:
        self.stage(event.view)

    @on(ViewBar.Chosen)
    def _chosen(self, event: ViewBar.Chosen) -> None:
        event.stop()
        self.stage(event.kind)
