"""Lesson text in other languages (tutor.course.translation): text only, never structure.

The loader's rules on small folders made here; the course's own Chinese files in
tests/test_translation_text.py.
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from tests.helpers import VALID, tutor
from tutor.course import load_course, load_lesson
from tutor.course.translation import (
    check_translations,
    exercise_texts,
    fingerprint,
    read_lesson_text_file,
    stamp,
)
from tutor.exercises import find_exercise

PAGES = VALID + '\n[[pages]]\ntitle = "Two"\ntext = "Second page."\n'


def make_pack(tmp_path: Path, translation: str, english: str = PAGES) -> Path:
    """A folder with demo.toml (two pages, params lr, epochs, method, shuffle) and zh/demo.toml."""
    (tmp_path / "demo.toml").write_text(english, encoding="utf-8")
    (tmp_path / "zh").mkdir(exist_ok=True)
    (tmp_path / "zh" / "demo.toml").write_text(textwrap.dedent(translation), encoding="utf-8")
    return tmp_path


FULL = """\
title = "演示课"
summary = "一个例子。"

[challenge]
goal = "w 接近 1.25"

[params.lr]
label = "学习率"
help = "每一步走多远。"

[[pages]]
title = "一"
text = "一些 *markdown*。"

[[pages]]
title = "二"
text = "第二页。"
"""


def test_a_translation_replaces_the_text_and_keeps_the_structure(tmp_path):
    folder = make_pack(tmp_path, FULL)
    english = load_course(folder).get("demo")
    chinese = load_course(folder, language="zh")
    lesson = chinese.get("demo")
    assert not chinese.problems and chinese.language == "zh" and lesson.language == "zh"
    assert (lesson.title, lesson.summary, lesson.challenge.goal) == ("演示课", "一个例子。", "w 接近 1.25")
    assert [(page.title, page.text) for page in lesson.pages] == [("一", "一些 *markdown*。"), ("二", "第二页。")]
    assert (lesson.params["lr"].label, lesson.params["lr"].help) == ("学习率", "每一步走多远。")
    # What the lesson does is the English file's: same routine, views, parameters' types and bounds, condition.
    text_fields = {"title": 0, "summary": 0, "challenge": 0, "pages": 0, "params": 0, "language": 0}
    for field in dataclasses.fields(lesson):
        if field.name not in text_fields:
            assert getattr(lesson, field.name) == getattr(english, field.name), field.name
    assert lesson.challenge.condition == english.challenge.condition
    assert [page.view for page in lesson.pages] == [page.view for page in english.pages]
    for name, param in lesson.params.items():
        assert dataclasses.replace(param, label="", help="") == dataclasses.replace(
            english.params[name], label="", help=""
        )
    assert lesson.resolve({"lr": "0.5"}) == english.resolve({"lr": "0.5"})


def test_a_missing_text_falls_back_to_english_for_that_text_only(tmp_path):
    folder = make_pack(
        tmp_path,
        """\
        title = "演示课"

        [[pages]]

        [[pages]]
        text = "第二页。"
        """,
    )
    lesson = load_course(folder, language="zh").get("demo")
    assert lesson.title == "演示课" and lesson.challenge.goal == "w near 1.25"
    assert lesson.params["lr"].help == "learning rate"
    assert [(page.title, page.text) for page in lesson.pages] == [("One", "Some *markdown*."), ("Two", "第二页。")]


def test_a_lesson_without_a_translation_stays_english_and_english_ignores_translations(tmp_path):
    folder = make_pack(tmp_path, FULL)
    (folder / "zh" / "demo.toml").unlink()
    assert load_course(folder, language="zh").get("demo").title == "A demo lesson"
    assert load_course(make_pack(tmp_path, FULL)).get("demo").title == "A demo lesson"


@pytest.mark.parametrize(
    ("translation", "line", "field"),
    [
        ('routine = "os:system"\ntitle = "演示课"\n', 1, "routine"),
        ('title = "演示课"\nviews = ["loss"]\n', 2, "views"),
        ('title = "演示课"\nstage = "loss"\n', 2, "stage"),
        ('title = "x"\n\n[presets.fast]\nlr = 0.9\n', 3, "presets"),
        ('[params.lr]\nlabel = "学习率"\nmax = 100.0\n', 3, "params.lr.max"),
        ('[params.method]\nchoices = ["a", "b", "c"]\n', 2, "params.method.choices"),
        ('[challenge]\ngoal = "随便"\ncondition = "True"\n', 3, "challenge.condition"),
        ('[[pages]]\ntitle = "一"\nview = "loss"\n\n[[pages]]\n', 3, "pages.0.view"),
    ],
)
def test_a_structural_key_is_refused_with_file_line_and_field(tmp_path, translation, line, field):
    folder = make_pack(tmp_path, translation)
    course = load_course(folder, language="zh")
    [problem] = course.problems
    assert (problem.file, problem.line, problem.field) == (str(folder / "zh" / "demo.toml"), line, field)
    assert "structure" in problem.message
    english = load_course(folder).get("demo")
    assert course.get("demo") == english  # the whole translation is set aside: the lesson does what it did


@pytest.mark.parametrize(
    ("translation", "field", "words"),
    [
        ('[[pages]]\ntitle = "一"\n', "pages", "has 1 pages, demo.toml has 2"),
        ('[params.speed]\nlabel = "速度"\n', "params.speed", "no parameter 'speed'"),
        ('[params.lr]\nlable = "学习率"\n', "params.lr.lable", "unknown key"),
        ('title = ""\n', "title", "is empty"),
        ('title = "a\\u001b[31m"\n', "title", "control character"),
        ('[[pages]]\nsource = "xyz"\n\n[[pages]]\n', "pages.0.source", "fingerprint"),
    ],
)
def test_a_translation_whose_structure_differs_is_refused(tmp_path, translation, field, words):
    folder = make_pack(tmp_path, translation)
    [problem] = load_course(folder, language="zh").problems
    assert problem.field == field and words in problem.message


def test_chapter_titles_are_translated_and_the_others_stay(tmp_path):
    folder = make_pack(tmp_path, FULL)
    (folder / "chapters.toml").write_text('[chapters]\n1 = "First"\n2 = "Second"\n', encoding="utf-8")
    (folder / "zh" / "chapters.toml").write_text('[chapters]\n1 = "第一章"\n', encoding="utf-8")
    course = load_course(folder, language="zh")
    assert course.chapter_title(1) == "第一章" and course.chapter_title(2) == "Second"


# ---------------------------------------------------------------- tutor check


def test_check_lists_gaps_and_changed_pages_as_warnings_and_passes(tmp_path):
    folder = make_pack(tmp_path, f'title = "演示课"\n\n[[pages]]\nsource = "{"0" * 8}"\ntitle = "一"\n\n[[pages]]\n')
    done = tutor("check", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    zh = folder / "zh" / "demo.toml"
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert f"warning: {zh}:1: challenge.goal: not translated: shown in English" in warnings
    assert f"warning: {zh}:1: params.lr.help: not translated: shown in English" in warnings
    assert f"warning: {zh}:3: pages.0.text: not translated: shown in English" in warnings
    assert f"warning: {zh}:7: pages.1.title: not translated: shown in English" in warnings
    english_now = fingerprint("One", "Some *markdown*.")
    changed = (
        "page 1 of demo changed in English since it was translated "
        f"(source '00000000', the English page is now '{english_now}')"
    )
    assert f"warning: {zh}:4: pages.0.source: {changed}" in warnings


def test_check_fails_on_a_translation_that_changes_structure(tmp_path):
    folder = make_pack(tmp_path, 'title = "演示课"\nroutine = "os:system"\n')
    (folder / "zh" / "demo-typo.toml").write_text('title = "x"\n', encoding="utf-8")
    done = tutor("check", str(folder))
    assert done.returncode == 1
    assert f"{folder / 'zh' / 'demo.toml'}:2: routine: is part of the lesson's structure" in done.stdout
    assert f"{folder / 'zh' / 'demo-typo.toml'}:1: no lesson 'demo-typo'" in done.stdout


def test_a_lesson_with_no_translation_is_one_gap_naming_its_file(tmp_path):
    folder = make_pack(tmp_path, FULL)
    (folder / "zh" / "demo.toml").unlink()
    problems, gaps = check_translations(load_course(folder))
    assert not problems
    assert [str(gap) for gap in gaps] == [
        f"{folder / 'zh' / 'demo.toml'}:1: missing: demo is shown in English (7 texts)"
    ]


def test_stamping_records_the_english_page_so_a_later_change_is_noticed(tmp_path):
    folder = make_pack(tmp_path, FULL)
    path = folder / "zh" / "demo.toml"
    english = load_course(folder).get("demo")
    assert stamp(path, english) == 2 and stamp(path, english) == 0
    assert not check_translations(load_course(folder))[1]
    assert read_lesson_text_file(path, english).pages[0].source == fingerprint("One", "Some *markdown*.")
    # Re-wrapping the English page is no change; new words are.
    (folder / "demo.toml").write_text(PAGES.replace("Second page.", "Second\\n  page."), encoding="utf-8")
    assert not check_translations(load_course(folder))[1]
    (folder / "demo.toml").write_text(PAGES.replace("Second page.", "The second page."), encoding="utf-8")
    [gap] = check_translations(load_course(folder))[1]
    assert gap.field == "pages.1.source" and "page 2 of demo changed in English" in gap.message


# ---------------------------------------------------------------- exercises


def make_exercise(folder: Path, translation: str | None) -> Path:
    exercise = folder / "exercises" / "demo"
    exercise.mkdir(parents=True)
    (exercise / "exercise.toml").write_text(
        'functions = ["f"]\nintro = "Write f."\nhints = ["Think.", "return 1"]\n', encoding="utf-8"
    )
    (exercise / "starter.py").write_text("def f():\n    raise NotImplementedError\n", encoding="utf-8")
    (exercise / "checks.py").write_text("", encoding="utf-8")
    if translation is not None:
        (exercise / "exercise.zh.toml").write_text(translation, encoding="utf-8")
    return exercise


def test_an_exercise_speaks_its_lessons_language(tmp_path):
    folder = make_pack(tmp_path, FULL)
    make_exercise(folder, 'intro = "写出 f。"\nhints = ["想一想。", "return 1"]\n')
    chinese = find_exercise(load_course(folder, language="zh").get("demo"))
    english = find_exercise(load_course(folder).get("demo"))
    assert (chinese.intro, chinese.hints) == ("写出 f。", ("想一想。", "return 1"))
    assert (english.intro, english.hints) == ("Write f.", ("Think.", "return 1"))
    assert chinese.functions == english.functions and chinese.timeout == english.timeout


@pytest.mark.parametrize(
    ("translation", "words"),
    [
        ('intro = "写出 f。"\nhints = ["想一想。"]\n', "has 1 hints, exercise.toml has 2"),
        ('intro = "写出 f。"\nfunctions = ["g"]\n', "structure"),
        ('intro = "写出 f。"\ntimeout = 600\n', "structure"),
    ],
)
def test_an_exercise_translation_that_changes_structure_is_refused_and_not_used(tmp_path, translation, words):
    folder = make_pack(tmp_path, FULL)
    exercise = make_exercise(folder, translation)
    assert exercise_texts(exercise, "zh", "Write f.", ["Think.", "return 1"]) == ("Write f.", ("Think.", "return 1"))
    course = load_course(folder)
    found = find_exercise(course.get("demo"))
    problems, _ = check_translations(course, [(found.folder, found.intro, found.hints)])
    [problem] = problems
    assert problem.file == str(exercise / "exercise.zh.toml") and words in problem.message


def test_an_untranslated_exercise_is_a_gap(tmp_path):
    folder = make_pack(tmp_path, FULL)
    exercise = make_exercise(folder, None)
    assert exercise_texts(exercise, "zh", "Write f.", ["Think."]) == ("Write f.", ("Think.",))
    problems, gaps = check_translations(load_course(folder), [(exercise, "Write f.", ("Think.", "return 1"))])
    assert not problems
    assert any(gap.file == str(exercise / "exercise.zh.toml") and "missing" in gap.message for gap in gaps)


def test_a_folder_that_ships_no_translation_misses_none(tmp_path):
    folder = make_pack(tmp_path, FULL)
    (folder / "zh" / "demo.toml").unlink()
    (folder / "zh").rmdir()
    assert check_translations(load_course(folder)) == ([], [])


def test_a_translation_file_is_never_taken_for_a_lesson(tmp_path):
    folder = make_pack(tmp_path, FULL)
    course = load_course(folder)
    assert [lesson.id for lesson in course.lessons] == ["demo"] and not course.problems
    assert load_lesson(folder / "demo.toml").language == "en"
