"""The command palette's "Go to lesson ..." commands."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from tutor.app.messages import OpenLesson

if TYPE_CHECKING:
    from tutor.app.app import TutorApp


def _help(lesson) -> str | None:
    # The palette parses help as markup: a lesson's summary is escaped to stay text.
    return escape(lesson.summary) if lesson.summary else None


class LessonCommands(Provider):
    """Lesson titles and summaries come from lesson files: shown as text, never as markup."""

    def _lessons(self):
        for lesson in cast("TutorApp", self.app).course.lessons:
            name = f"Go to lesson {lesson.chapter}.{lesson.order} {lesson.title}"
            yield name, lesson

    def _open(self, lesson_id: str) -> None:
        self.screen.post_message(OpenLesson(lesson_id))

    async def discover(self) -> Hits:
        for name, lesson in self._lessons():
            yield DiscoveryHit(Content(name), partial(self._open, lesson.id), text=name, help=_help(lesson))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, lesson in self._lessons():
            score = max(matcher.match(name), matcher.match(lesson.id))
            if score > 0:
                yield Hit(
                    score, _highlight(matcher, name), partial(self._open, lesson.id), text=name, help=_help(lesson)
                )


def _highlight(matcher, name: str) -> Content:
    """``matcher.highlight`` without its markup parsing: the matched letters styled on plain text."""
    content = Content(name)
    _, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
