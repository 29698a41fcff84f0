"""The course's Chinese text: complete, faithful to the English structure, and in the glossary's words.

The rules are docs/translating.md's; the glossary is lessons/zh/glossary.toml.
"""

from __future__ import annotations

import re
import tomllib

import msgspec
import pytest

from tests.helpers import speaking
from tutor import i18n
from tutor.course import load_course, shipped_lessons_dir
from tutor.course.translation import check_translations, missing_texts, read_lesson_text_file, translation_file
from tutor.exercises import find_exercise
from tutor.views import VIEW_NAMES

ENGLISH = load_course()
CHINESE = load_course(language="zh")
GLOSSARY_PATH = shipped_lessons_dir() / "zh" / "glossary.toml"
CJK = r"\u3400-\u9fff\uf900-\ufaff"


class Term(msgspec.Struct, forbid_unknown_fields=True):
    en: str
    zh: str
    avoid: list[str] = []
    bracket: bool = True
    note: str = ""


class Glossary(msgspec.Struct, forbid_unknown_fields=True):
    terms: list[Term]


GLOSSARY = msgspec.convert(tomllib.loads(GLOSSARY_PATH.read_text(encoding="utf-8")), Glossary).terms


with speaking("zh"):
    VIEW_NAMES_IN_CHINESE = [i18n._(name) for name in VIEW_NAMES.values()]


def chinese_pages():
    """(lesson id, page number, English page, Chinese page) for every page translated into Chinese."""
    for lesson in CHINESE.lessons:
        english = ENGLISH.get(lesson.id)
        for number, (page, original) in enumerate(zip(lesson.pages, english.pages), start=1):
            if page.text != original.text:
                yield pytest.param(lesson.id, number, original, page, id=f"{lesson.id}-{number}")


PAGES = list(chinese_pages())


# ---------------------------------------------------------------- complete


def gaps_in_chapter(chapter: int) -> list[str]:
    gaps = []
    for lesson in ENGLISH.lessons:
        if lesson.chapter != chapter:
            continue
        path = translation_file(lesson, "zh")
        text = read_lesson_text_file(path, lesson) if path and path.exists() else None
        gaps += [f"{lesson.id}: {field}" for field in missing_texts(lesson, text)]
    if chapter not in CHINESE.chapters or CHINESE.chapters[chapter] == ENGLISH.chapters.get(chapter):
        gaps.append(f"chapter {chapter}'s title")
    return gaps


@pytest.mark.parametrize("chapter", [1, 2, 3, 4])
def test_every_text_of_a_chapter_is_in_chinese(chapter):
    """Lists every lesson text still shown in English (tutor check lists them too)."""
    gaps = gaps_in_chapter(chapter)
    assert not gaps, f"{len(gaps)} text(s) of chapter {chapter} not in Chinese:\n" + "\n".join(gaps)


def test_every_exercise_text_is_in_chinese():
    """A hint that is only code (the last one: return ...) stays as it is; one with words is translated."""
    gaps = []
    for lesson in ENGLISH.lessons:
        english = find_exercise(lesson)
        if english is None:
            continue
        chinese = find_exercise(CHINESE.get(lesson.id))
        if chinese.intro == english.intro:
            gaps.append(f"{lesson.id}: intro")
        pairs = enumerate(zip(english.hints, chinese.hints), 1)
        gaps += [f"{lesson.id}: hint {n}" for n, (a, b) in pairs if a == b and re.search(r"[a-z]+ [a-z]+ [a-z]+", a)]
    assert not gaps, "\n".join(gaps)


def test_the_course_translations_have_no_problem():
    """No structural key, page count or parameter that differs from the English (tutor check fails on them)."""
    exercises = [(e.folder, e.intro, e.hints) for e in map(find_exercise, ENGLISH.lessons) if e is not None]
    problems, _ = check_translations(ENGLISH, exercises)
    assert not problems, "\n".join(map(str, problems))
    assert not CHINESE.problems, "\n".join(map(str, CHINESE.problems))


# ---------------------------------------------------------------- faithful to the English


NUMBER = r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e-?\d+)?"


def blocks(text: str) -> dict[str, list[str]]:
    """A Markdown page's structure: headings, list items, table rows, code lines, inline code and numbers."""
    code = [line for line in text.splitlines() if line.startswith("    ") and line.strip()]
    prose = "\n".join(line for line in text.splitlines() if not line.startswith("    "))
    return {
        "headings": re.findall(r"^#+ ", prose, re.M),
        "list items": re.findall(r"^\s*(?:[*-]|\d+\.) ", prose, re.M),
        "table rows": re.findall(r"^\|", prose, re.M),
        "code lines": code,
        "inline code": [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)],
        "numbers": sorted(set(re.findall(NUMBER, in_millions(text)))),
    }


def in_millions(text: str) -> str:
    """Chinese counts large numbers in 万 (ten thousand): 1200 万 is the English page's 12 million."""
    return re.sub(r"(\d+(?:\.\d+)?) ?万", lambda match: f"{float(match.group(1)) / 100:g} million", text)


def is_prose(line: str) -> bool:
    """A code line that says part of its formula in words ("a little noise"): those words are translated."""
    return re.search(r"\b[a-z]{2,} [a-z]{3,}\b", line) is not None


@pytest.mark.parametrize(("lesson_id", "number", "english", "chinese"), PAGES)
def test_a_chinese_page_keeps_the_english_structure_code_and_numbers(lesson_id, number, english, chinese):
    theirs, ours = blocks(english.text), blocks(chinese.text)
    for part in ("headings", "list items", "table rows", "numbers"):
        assert ours[part] == theirs[part], f"{lesson_id} page {number}: {part} differ"
    assert len(ours["code lines"]) == len(theirs["code lines"]), f"{lesson_id} page {number}: code lines"
    for mine, original in zip(ours["code lines"], theirs["code lines"]):
        if not is_prose(original):  # code stays code (a comment after # may be translated)
            assert mine.split("#")[0].rstrip() == original.split("#")[0].rstrip()
    # Inline code that is code (`w`, `lr`, `argmax(axis=1)`) is kept; a parameter's label is translated.
    for span in theirs["inline code"]:
        if not is_prose(span):
            assert span in ours["inline code"], f"{lesson_id} page {number}: `{span}` is missing"
    for span in ours["inline code"]:
        assert span in theirs["inline code"] or re.search(f"[{CJK}]", span), f"`{span}` is not in the English"


@pytest.mark.parametrize(("lesson_id", "number", "english", "chinese"), PAGES)
def test_a_chinese_paragraph_is_one_line(lesson_id, number, english, chinese):
    """The app joins a paragraph's lines with a space: between Chinese characters it would show as a gap."""
    broken = re.findall(f"[{CJK}，。：；、）]\n[^\n#*|0-9 -]", chinese.text)
    assert not broken, f"{lesson_id} page {number}: a line break inside a Chinese paragraph: {broken}"


# ---------------------------------------------------------------- the glossary's words


def test_the_glossary_has_one_word_for_each_term():
    english = [term.en.lower() for term in GLOSSARY]
    chinese = [term.zh for term in GLOSSARY]
    assert len(set(english)) == len(english) and len(set(chinese)) == len(chinese)
    avoided = {word for term in GLOSSARY for word in term.avoid}
    assert not avoided & set(chinese), "a synonym to avoid is another term's word"
    notes_words = [
        "代价函数",
        "梯度下降",
        "反向传播",
        "激活函数",
        "学习率",
        "损失函数",
        "交叉熵",
        "独热",
        "归一化",
        "过拟合",
        "卷积神经网络",
        "张量",
    ]
    assert set(notes_words) <= set(chinese), "the notes' own words (issue 22)"
    assert {"池化"} <= set(chinese)


def running_text(text: str, labels: list[str]) -> str:
    """A page without its headings, tables, code, parameters' labels (*学习率*) and the names of views as the
    app shows them (**损失** 视图): where a term's first use is read."""
    lines = [line for line in text.splitlines() if not line.startswith(("    ", "#", "|"))]
    text = re.sub(r"`[^`]*`", "`…`", "\n".join(lines))
    for label in filter(None, labels):  # an italic label (*学习率*), not a bold term (**隐藏层**)
        text = re.sub(rf"(?<!\*)\*{re.escape(label)}\*(?!\*)", "*…*", text)
    for view in VIEW_NAMES_IN_CHINESE:  # not a term in bold with its English: **代价**（cost）
        text = re.sub(rf"\*\*{re.escape(view)}\*\*(?!（)", "**…**", text)
    return text


def occurrences(text: str) -> dict[str, list[int]]:
    """Where each glossary term stands in ``text``, a longer term hiding the shorter ones inside it."""
    taken = [False] * len(text)
    found: dict[str, list[int]] = {}
    for term in sorted(GLOSSARY, key=lambda term: -len(term.zh)):
        for match in re.finditer(re.escape(term.zh), text):
            if not any(taken[match.start() : match.end()]):
                found.setdefault(term.zh, []).append(match.start())
                taken[match.start() : match.end()] = [True] * len(term.zh)
    return found


@pytest.mark.parametrize(("lesson_id", "number", "english", "chinese"), PAGES)
def test_a_terms_first_use_on_a_page_gives_the_english_in_brackets(lesson_id, number, english, chinese):
    """代价函数（cost function）: as the Chinese edition of Dive into Deep Learning writes a new term."""
    text = running_text(chinese.text, [param.label for param in CHINESE.get(lesson_id).params.values()])
    found = occurrences(text)
    wrong = []
    for term in GLOSSARY:
        needs_brackets = term.bracket and re.search(f"[{CJK}]", term.zh) and term.en.lower() not in term.zh.lower()
        if needs_brackets and term.zh in found:
            after = text[found[term.zh][0] + len(term.zh) :]
            if not re.match(rf"\**（{re.escape(term.en)}[）,，]", after, re.I):
                wrong.append(f"{term.zh}（{term.en}）, not {term.zh}{after[:16]!r}")
    assert not wrong, f"{lesson_id} page {number}: first use without its English:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("lesson_id", "number", "english", "chinese"), PAGES)
def test_a_page_uses_the_glossarys_word_not_a_synonym(lesson_id, number, english, chinese):
    used = [f"{word} (say {term.zh})" for term in GLOSSARY for word in term.avoid if word in chinese.text]
    assert not used, f"{lesson_id} page {number}: " + ", ".join(used)


def test_chapter_one_says_cost_function_and_keras_says_loss_function():
    """The notes' usage: 代价函数 for chapter 1's squared-error curve, 损失函数 from the Keras chapters on."""
    for lesson in CHINESE.lessons:
        text = "\n".join(page.text for page in lesson.pages)
        if lesson.chapter == 1:
            assert "损失函数" not in text, lesson.id
        if lesson.chapter >= 3:
            assert "代价函数" not in text, lesson.id
