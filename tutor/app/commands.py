"""The command palette's "Go to lesson ..." commands."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tutor.app.messages import OpenLesson


class LessonCommands(Provider):
    def _lessons(self):
        for lesson in self.app.course.lessons:
            name = f"Go to lesson {lesson.chapter}.{lesson.order} {lesson.title}"
            yield name, lesson

    def _open(self, lesson_id: str) -> None:
        self.screen.post_message(OpenLesson(lesson_id))

    async def discover(self) -> Hits:
        for name, lesson in self._lessons():
            yield DiscoveryHit(name, partial(self._open, lesson.id), help=lesson.summary or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, lesson in self._lessons():
            score = max(matcher.match(name), matcher.match(lesson.id))
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._open, lesson.id),
                          help=lesson.summary or None)
