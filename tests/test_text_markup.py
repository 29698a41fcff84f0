"""Lesson text is text: markup in a lesson file is shown literally in the app, never run.

A title, page title, goal, label, help or choice holding ``[/]`` used to crash the
app, and ``[@click=app.quit]`` became a link that quit it.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label, Select, Static

from tests.helpers import wait_until
from tutor.app.app import TutorApp
from tutor.app.screens.help import HelpScreen
from tutor.app.widgets.explanation import Explanation
from tutor.app.widgets.lesson_tree import LessonTree
from tutor.app.widgets.param_form import ParamForm
from tutor.course import Course, load_lesson

QUIT_LINK = "[@click=app.quit]x[/]"

HOSTILE = f'''\
id = "hostile"
title = "Weights {QUIT_LINK} and [/]"
summary = "A summary with [bold]{QUIT_LINK}"
chapter = 1
order = 1
backend = "numpy"
routine = "tutor.routines.rosenblatt:run"
views = ["fit", "loss"]

[params.lr]
type = "float"
label = "rate {QUIT_LINK}"
default = 0.05
min = 0.001
max = 1.0
help = "[/] the step size {QUIT_LINK}"

[params.method]
type = "choice"
choices = ["[b]plain[/b]", "{QUIT_LINK}"]
default = "[b]plain[/b]"

[challenge]
goal = "Reach [/] {QUIT_LINK}"
condition = "abs(w - 1.25) < 0.1"

[[pages]]
title = "Page {QUIT_LINK} [/]"
text = "Some text {QUIT_LINK} and [/] on the page."
'''


def hostile_course(tmp_path: Path) -> Course:
    (tmp_path / "hostile.toml").write_text(HOSTILE)
    lesson = load_lesson(tmp_path / "hostile.toml")
    return Course((lesson,), {1: f"Chapter {QUIT_LINK} [/]"})


def rendered(widget) -> str:
    return str(widget.render())


def no_actions(widget) -> bool:
    """True when nothing in the widget's content is a clickable action."""
    content = widget.render()
    spans = getattr(content, "spans", [])
    return not any("@click" in str(getattr(span, "style", "")) for span in spans)


async def test_markup_in_lesson_text_is_shown_literally_and_is_no_link(tmp_path):
    course = hostile_course(tmp_path)

    app = TutorApp(course, lesson_id="hostile", clock=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(Explanation))
        await pilot.pause()
        page_label = app.screen.query_one("#page-label", Label)
        assert f"Page {QUIT_LINK} [/]" in rendered(page_label) and no_actions(page_label)

        tree = app.screen.query_one(LessonTree)
        labels = [str(tree.get_node_at_line(line).label) for line in range(2)]
        assert f"Chapter {QUIT_LINK} [/]" in labels[0]
        assert f"Weights {QUIT_LINK} and [/]" in labels[1]

        form = app.screen.query_one(ParamForm)
        label = form.query_one("#row-lr .param-label", Label)
        assert f"rate {QUIT_LINK} (lr)" in rendered(label) and no_actions(label)
        assert f"[/] the step size {QUIT_LINK}" in rendered(form.query_one("#row-lr .param-help", Static))
        choice = form.query_one("#param-method", Select)
        assert "[b]plain[/b]" in str(choice.query_one("SelectCurrent").render()) or "[b]plain[/b]" in str(
            choice._options[0][0]
        )

        page = app.screen.query_one("#page-text")
        assert f"Some text {QUIT_LINK} and [/] on the page." in page.source
        paragraph = page.query_one("MarkdownParagraph")
        assert f"{QUIT_LINK} and [/]" in str(paragraph.render()) or f"{QUIT_LINK} and [/]" in str(paragraph._content)

        # A click where the "link" would be must not quit the app.
        await pilot.click(paragraph)
        await pilot.click(page_label)
        await pilot.click(label)
        await pilot.pause()
        assert app.is_running and app.return_code is None

        # The command palette lists the title (and summary) as text.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"hostile")
        await wait_until(
            pilot, lambda: app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count > 0
        )
        prompt = str(app.screen.query_one("CommandList").get_option_at_index(0).prompt)
        assert f"Weights {QUIT_LINK} and [/]" in prompt
        assert f"A summary with [bold]{QUIT_LINK}" in prompt
        await pilot.press("escape")
        await pilot.pause()

        # The help screen opens (its key names, like "[", are text too).
        app.push_screen(HelpScreen(app.screen))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.is_running and app.return_code is None


NUMBERS = HOSTILE.replace(
    "[params.method]",
    """[params.logits]
type = "str"
format = "numbers"
default = "0.3, 2.9, 4.0"

[params.method]""",
)


async def test_a_list_of_numbers_is_checked_as_it_is_typed(tmp_path):
    (tmp_path / "numbers.toml").write_text(NUMBERS)
    course = Course((load_lesson(tmp_path / "numbers.toml"),), {})

    app = TutorApp(course, lesson_id="hostile", clock=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(ParamForm))
        form = app.screen.query_one(ParamForm)
        field = form.query_one("#param-logits")
        field.value = "1, abc[/]"
        await pilot.pause()
        row = form.query_one("#row-logits")
        assert row.has_class("-invalid") and not form.valid
        assert "'abc[/]' is not a number" in rendered(row.query_one(".param-help", Static))
        field.value = "1, 2.5"
        await pilot.pause()
        assert not row.has_class("-invalid") and form.valid
