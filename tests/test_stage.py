"""The stage: at the sizes the app opens at, with no key pressed, the view a page is about is large
and the page's words are beside it; the keys that put other views and pages there."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown

from tests.helpers import make_app, pane, ready, tiny_set, wait_for_run, wait_until, write_idx_set
from tutor.app.app import TutorApp
from tutor.course import load_course

COURSE = load_course()
SIZES = [(80, 24), (100, 32)]

# Each lesson's run made short: the layout is what is measured, not the learning.
QUICK: dict[str, dict[str, object]] = {
    "rosenblatt": {"epochs": 5},
    "cost-function": {},
    "gradient-descent": {"epochs": 3},
    "cost-surface": {"epochs": 20},
    "activation-functions": {},
    "sigmoid-neuron": {"epochs": 20},
    "hidden-layer": {"epochs": 20},
    "forward-pass": {},
    "softmax": {},
    "mnist-inference": {"epochs": 1},
    "mnist-data": {},
    "keras-basics": {"epochs": 2},
    "keras-beans": {"epochs": 2},
    "deep-spiral": {"epochs": 2},
    "random-labels": {"epochs": 1, "samples": 100, "held_out": 50},
    "binary-mlp": {"epochs": 2},
    "regression-mlp": {"epochs": 2},
    "mnist-mlp": {"epochs": 1, "train_limit": 60, "test_limit": 40},
    "lenet5": {"epochs": 1, "train_limit": 60, "test_limit": 40},
    "fashion-mnist": {"epochs": 1, "train_limit": 60, "test_limit": 40},
}


@pytest.fixture
def tiny_images(tmp_path, monkeypatch):
    """A few MNIST- and Fashion-MNIST-shaped images, no network: the layout needs no real digits."""
    for name, seed in (("mnist", 1), ("fashion-mnist", 2)):
        write_idx_set(tmp_path / "data" / name, tiny_set(seed, n_train=60, n_test=40))
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUTOR_OFFLINE", "1")


def lesson_params():
    for lesson in COURSE.lessons:
        marks = [pytest.mark.keras] if lesson.backend == "keras" else []
        yield pytest.param(lesson.id, marks=marks, id=lesson.id)


@pytest.mark.parametrize("lesson_id", lesson_params())
async def test_with_no_key_pressed_the_view_a_page_is_about_fills_the_stage(lesson_id, tiny_images) -> None:
    """At 80x24 and 100x32, after a run: the first page's view takes at least 70% of the columns
    and 60% of the rows, and the page's text is beside it (its first words in sight)."""
    lesson = COURSE.get(lesson_id)
    page = lesson.pages[0]
    app = TutorApp(COURSE, lesson_id=lesson_id, autorun=True, overrides=QUICK[lesson_id], clock=False)
    async with app.run_test(size=SIZES[0]) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: pane(app).session is not None)
        await wait_for_run(pilot, timeout=180)
        record = pane(app).last_record
        assert record.status == "finished", (lesson_id, record.error)
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await wait_until(pilot, lambda size=(width, height): app.screen.size == size)
            await pilot.pause()
            view = app.screen.query_one(f"#view-{page.view}")
            region = view.region.intersection(app.screen.region)
            assert region.width >= 0.7 * width and region.height >= 0.6 * height, (width, height, region)
            text = app.screen.query_one("#page-text", Markdown)
            shown = text.region.intersection(app.screen.region)
            assert shown.width >= 20 and shown.height >= 3, (width, height, shown)
            first_words = " ".join(page.text.replace("#", " ").split()[:3])
            assert first_words in " ".join(text.source.replace("#", " ").split())


async def test_turning_the_page_puts_its_view_on_the_stage_and_a_digit_brings_any_other() -> None:
    lesson = COURSE.get("gradient-descent")
    assert [page.view for page in lesson.pages] == ["cost", "loss", "cost"]
    app = TutorApp(COURSE, lesson_id="gradient-descent", clock=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)

        def staged() -> list[str]:
            return [view.id for view in app.screen.query(".view") if view.display]

        assert staged() == ["view-cost"]
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: staged() == ["view-loss"])
        await pilot.press("1")  # views are numbered as the view bar lists them: fit, loss, cost
        await wait_until(pilot, lambda: staged() == ["view-fit"])
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: staged() == ["view-cost"])
        # The keys follow the view on the stage: it has the focus.
        assert app.focused is not None and app.focused.id == "view-cost"


async def test_the_page_text_scrolls_with_page_down_whatever_has_focus() -> None:
    app = TutorApp(COURSE, lesson_id="gradient-descent", clock=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("right_square_bracket")  # "Three variants": longer than the column
        scroll = app.screen.query_one("#page-scroll")
        await wait_until(pilot, lambda: scroll.max_scroll_y > 0)
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: scroll.scroll_y > 0)
        await pilot.press("pageup")
        await wait_until(pilot, lambda: scroll.scroll_y == 0)


async def test_the_lesson_tree_hides_below_120_columns_and_ctrl_b_shows_it() -> None:
    from tutor.app.widgets.lesson_tree import LessonTree

    for width, shown in ((100, False), (120, True)):
        app = make_app()
        async with app.run_test(size=(width, 32)) as pilot:
            await ready(pilot)
            tree = app.screen.query_one(LessonTree)
            assert tree.display == shown
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert tree.display != shown


# ---------------------------------------------------------------- the Exercise tab belongs to the editor


async def test_x_puts_the_cursor_in_the_editor_and_letters_typed_there_never_fire_app_keys() -> None:
    from tutor.app.widgets.exercise_pane import ExercisePane

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("x")
        exercise = pane(app).query_one(ExercisePane)
        await wait_until(pilot, lambda: exercise.report is not None and app.focused is exercise.editor)
        before = exercise.editor.text
        # r (Runs tab), e (Lesson tab), space (play/pause), m (maximise), 1 (a view), [ (page): all text here.
        await pilot.press(*"return w + lr e m1[", "space")
        await pilot.pause()
        assert pane(app).query_one("#lesson-tabs").active == "tab-exercise"
        assert app.screen.maximized is None and not pane(app).running
        assert exercise.editor.text != before and "return w + lr e m1[ " in exercise.editor.text
        # ctrl+s saves (not Stop) right after x, and F9 runs the saved file.
        checked = exercise.report
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: exercise.report is not checked)
        assert "return w + lr e m1[" in exercise.path.read_text(encoding="utf-8")


async def test_a_tab_asked_for_while_a_lesson_is_still_opening_comes_once_it_is_there() -> None:
    """x pressed as a lesson opened once raised 'No Tab with id --content-tab-tab-exercise'."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        app.screen.open_lesson("rosenblatt")
        pane(app).show_tab("exercise")  # before the new pane has composed its tabs
        await wait_until(pilot, lambda: pane(app).is_mounted and bool(pane(app).query("#lesson-tabs")))
        await wait_until(pilot, lambda: pane(app).query_one("#lesson-tabs").active == "tab-exercise")


# ---------------------------------------------------------------- one story per run


async def test_a_divergence_is_told_once_with_the_same_epoch_everywhere() -> None:
    import dataclasses

    from tests.helpers import make_course

    diverging = dataclasses.replace(
        make_course().get("rosenblatt"), id="diverging", order=3, routine="tests.routines:diverging_routine"
    )
    app = make_app(diverging, lesson_id="diverging")
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        record = pane(app).last_record
        assert record.status == "diverged" and "at epoch 3" in record.error
        await pilot.press("end")
        story = str(app.screen.query_one("#status-text").render())
        message = str(app.screen.query_one("#error-message").render())
        assert story.startswith("Diverged: loss became inf at epoch 3"), story
        assert "at epoch 3" in message and "epoch 2/" not in story and "epoch 2/" not in message
