"""The command palette's "Go to lesson ..." commands, the one that switches the language, and Textual's own in
the tutor's language."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from tutor import i18n
from tutor.app.messages import OpenLesson
from tutor.i18n import N_, _

if TYPE_CHECKING:
    from tutor.app.app import TutorApp


def _help(lesson) -> str | None:
    # The palette parses help as markup: a lesson's summary is escaped to stay text.
    return escape(lesson.summary) if lesson.summary else None


class LessonCommands(Provider):
    """Lesson titles and summaries come from lesson files: shown as text, never as markup."""

    def _lessons(self):
        for lesson in cast("TutorApp", self.app).course.lessons:
            name = _("Go to lesson {number} {title}").format(
                number=f"{lesson.chapter}.{lesson.order}", title=lesson.title
            )
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


class LanguageCommands(Provider):
    """``Language: English`` / ``Language: 中文``: the app speaks it at once, and next time."""

    def _languages(self):
        for code, name in i18n.LANGUAGES.items():
            if code != i18n.current():
                yield _("Language: {name}").format(name=name), code

    async def _switch(self, code: str) -> None:
        await cast("TutorApp", self.app).switch_language(code)

    def _help(self, code: str) -> str:
        return _("Show the tutor in {language}: the lesson, your text and the run stay").format(
            language=i18n.LANGUAGES[code]
        )

    async def discover(self) -> Hits:
        for name, code in self._languages():
            yield DiscoveryHit(Content(name), partial(self._switch, code), text=name, help=self._help(code))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, code in self._languages():
            # The English word finds it in any language (a learner who cannot read the one shown now).
            score = max(matcher.match(name), matcher.match(code), matcher.match(f"Language {code}"))
            if score > 0:
                yield Hit(
                    score, _highlight(matcher, name), partial(self._switch, code), text=name, help=self._help(code)
                )


# The words of Textual's own palette commands (App.get_system_commands, textual 8), for the catalogue:
# tests/test_cli_zh.py fails when Textual says one that is not here.
TEXTUAL_COMMAND_WORDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


def translated_system_commands(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's palette commands (Theme, Quit, Keys...) with their title and help in the tutor's language,
    each doing what it did."""
    for command in commands:
        yield command._replace(title=_(command.title), help=_(command.help))


def _highlight(matcher, name: str) -> Content:
    """``matcher.highlight`` without its markup parsing: the matched letters styled on plain text."""
    content = Content(name)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
