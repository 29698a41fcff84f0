"""A lesson file's problems in the learner's language: the problem is translated, while the
``file:line: field:`` before it stays as the file writes it (its path, its line, its keys).

English is unchanged (tests/test_lessons.py and tests/test_cli.py hold the English lines too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import VALID, tutor
from tutor import i18n
from tutor.course import LessonError, load_course
from tutor.course.loading import load_lesson

CJK = re.compile(r"[\u4e00-\u9fff]")

# One mistake per line of the file, each of a different kind: a value of the wrong type, a constraint
# (the schema's description), a rule of the loader, a condition that does not parse, an unknown key.
MISTAKES = (
    ("default = 0.05", 'default = "fast"'),
    ("chapter = 1", "chapter = 0"),
    ('views = ["fit", "loss"]', 'views = ["fit", "lossy"]'),
    ('condition = "abs(w - 1.25) < 0.1"', 'condition = "abs(w - 1.25) <"'),
    ("[params.shuffle]", "[params.shuffle]\ncolour = 1"),
)
# (line, field, problem in English, problem in Chinese); the condition's reason is Python's own words.
EXPECTED = [
    (3, "chapter", "must be 1 or more", "必须大于等于 1"),
    (7, "views", "unknown view 'lossy' (known: ", "未知的视图 'lossy'（已知："),
    (11, "params.lr.default", "must be a number, not text", "必须是数字，不能是文本"),
    (28, "params.shuffle.colour", "unknown key (allowed: type, default, ", "未知的键（可以用：type, default, "),
    (34, "challenge.condition", "not a valid condition (invalid syntax)", "不是有效的条件（invalid syntax）"),
]


@pytest.fixture
def bad_lesson(tmp_path: Path) -> Path:
    text = VALID
    for before, after in MISTAKES:
        assert before in text
        text = text.replace(before, after)
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, language: str) -> list[str]:
    i18n.set_language(language)
    with pytest.raises(LessonError) as raised:
        load_lesson(path)
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize("language, column", [("en", 2), ("zh", 3)])
def test_each_problem_of_a_lesson_file_is_in_the_learners_language_after_the_files_own_words(
    bad_lesson, language, column
):
    lines = sorted(_problems(bad_lesson, language), key=lambda line: int(line.split(":")[1]))
    assert len(lines) == len(EXPECTED), lines
    for line, (number, field, *problem) in zip(lines, EXPECTED):
        assert line.startswith(f"{bad_lesson}:{number}: {field}: {problem[column - 2]}"), line
        assert bool(CJK.search(line)) == (language == "zh"), line


def test_tutor_check_in_chinese_prints_chinese_problems_with_the_english_prefix(bad_lesson):
    done = tutor("--lang", "zh", "check", str(bad_lesson.parent))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{bad_lesson}:11: params.lr.default: 必须是数字，不能是文本" in done.stdout.splitlines()
    assert f"{bad_lesson}:3: chapter: 必须大于等于 1" in done.stdout.splitlines()
    english = tutor("--lang", "en", "check", str(bad_lesson.parent))
    assert english.returncode == 1
    assert f"{bad_lesson}:11: params.lr.default: must be a number, not text" in english.stdout.splitlines()
    assert not CJK.search(english.stdout + english.stderr)


def test_a_translation_that_changes_the_structure_is_refused_in_chinese_and_its_gaps_listed(tmp_path):
    (tmp_path / "demo.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "demo.toml").write_text('title = "演示"\nchapter = 2\n', encoding="utf-8")
    done = tutor("--lang", "zh", "check", str(tmp_path))
    assert done.returncode == 1
    [line] = done.stdout.splitlines()
    translation = tmp_path / "zh" / "demo.toml"
    assert line.startswith(f"{translation}:2: chapter: 属于这一课的结构，不是文字；它以 demo.toml 为准"), line

    (tmp_path / "zh" / "demo.toml").write_text('title = "演示"\n', encoding="utf-8")
    done = tutor("--lang", "zh", "check", str(tmp_path))
    assert done.returncode == 0, done.stdout
    assert f"警告: {tmp_path / 'zh' / 'demo.toml'}:1: summary: 没有翻译：显示英文" not in done.stderr  # no summary
    assert f"警告: {tmp_path / 'zh' / 'demo.toml'}:1: pages.0.title: 没有翻译：显示英文" in done.stderr
    english = tutor("--lang", "en", "check", str(tmp_path))
    assert f"warning: {tmp_path / 'zh' / 'demo.toml'}:1: pages.0.title: not translated: shown in English" in (
        english.stderr
    )


def test_the_course_keeps_the_problems_in_the_language_it_was_loaded_in(bad_lesson):
    """The app shows how many problems the course has; `tutor check` lists them, as loaded."""
    i18n.set_language("zh")
    [problem] = [p for p in load_course(bad_lesson.parent).problems if p.field == "params.lr.default"]
    assert (problem.line, problem.message) == (11, "必须是数字，不能是文本")
