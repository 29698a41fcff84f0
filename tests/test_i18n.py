"""The language the tutor speaks: chosen by --lang, TUTOR_LANG or the locale; its UI catalogues.

Lesson text in Chinese is tested in tests/test_translations.py.
"""

from __future__ import annotations

import gettext
import re

import pytest

from tests.helpers import tutor
from tutor import i18n
from tutor.cli import main

# ---------------------------------------------------------------- choosing the language


@pytest.mark.parametrize(
    ("flag", "environ", "language"),
    [
        ("zh", {}, "zh"),
        ("en", {"TUTOR_LANG": "zh", "LANG": "zh_CN.UTF-8"}, "en"),  # the flag wins over everything
        ("zh_CN.UTF-8", {}, "zh"),
        ("zh-Hans", {}, "zh"),
        (None, {"TUTOR_LANG": "zh"}, "zh"),
        (None, {"TUTOR_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),  # the variable wins over the locale
        (None, {"TUTOR_LANG": " ", "LANG": "zh_TW.UTF-8"}, "zh"),  # an empty variable is not set
        (None, {"LC_ALL": "zh_CN.UTF-8"}, "zh"),
        (None, {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_GB.UTF-8"}, "zh"),
        (None, {"LANG": "zh_CN.GB18030"}, "zh"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # the first locale variable set decides
        (None, {"LANG": "de_DE.UTF-8"}, "en"),  # a locale the tutor does not speak: English, silently
        (None, {}, "en"),
    ],
)
def test_the_language_comes_from_the_flag_then_the_variable_then_the_locale(flag, environ, language):
    assert i18n.resolve(flag, environ) == (language, None)


@pytest.mark.parametrize(
    ("flag", "environ", "source"), [("fr", {}, "--lang"), (None, {"TUTOR_LANG": "klingon"}, "TUTOR_LANG")]
)
def test_an_unknown_language_is_one_warning_and_english(flag, environ, source):
    language, warning = i18n.resolve(flag, {**environ, "LANG": "zh_CN.UTF-8"})
    assert language == "en"
    assert warning is not None and source in warning and "en, zh" in warning and "\n" not in warning


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--lang", "zh", "list"], "zh"),
        (["run", "rosenblatt", "--lang=zh"], "zh"),
        (["--lang", "en", "run", "x", "--lang", "zh"], "zh"),  # the last one, as argparse reads it
        (["run", "x", "--", "--lang", "zh"], None),
        (["list"], None),
    ],
)
def test_the_flag_is_found_before_the_command_line_is_parsed(argv, flag):
    assert i18n.lang_flag(argv) == flag


def test_marked_strings_follow_the_language_and_plurals_fall_back_to_english_rules():
    i18n.set_language("zh")
    assert i18n._("tutor: error: {message}") == "tutor: 错误: {message}"
    assert i18n._("a message no catalogue has") == "a message no catalogue has"
    assert i18n.ngettext("one lesson", "{n} lessons", 3) == "{n} lessons"  # untranslated: the English form for n
    i18n.set_language("en")
    assert i18n._("tutor: error: {message}") == "tutor: error: {message}"
    assert i18n.ngettext("one lesson", "{n} lessons", 1) == "one lesson"
    with pytest.raises(ValueError):
        i18n.set_language("fr")


# ---------------------------------------------------------------- the command line, end to end


def test_an_error_line_of_the_command_line_speaks_chinese_with_the_flag(capsys):
    assert main(["--lang", "zh", "run", "rosenblatt", "--set", "nonsense"]) == 2
    assert capsys.readouterr().err == "tutor: 错误: --set 的格式是 NAME=VALUE，收到的是 'nonsense'\n"
    assert main(["run", "rosenblatt", "--set", "nonsense"]) == 2  # TUTOR_LANG=en (tests/conftest.py)
    assert capsys.readouterr().err == "tutor: error: --set takes NAME=VALUE, got 'nonsense'\n"


def test_the_variable_and_the_locale_choose_chinese_too(monkeypatch, capsys):
    monkeypatch.setenv("TUTOR_LANG", "zh")
    assert main(["--lessons", "", "list"]) == 2
    assert capsys.readouterr().err == "tutor: 错误: --lessons 需要一个文件夹，却得到了空值\n"
    monkeypatch.delenv("TUTOR_LANG")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert main(["--lessons", "", "list"]) == 2
    assert "错误" in capsys.readouterr().err


def test_argparse_errors_name_the_help_in_chinese(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--lang", "zh", "run"])
    assert exit.value.code == 2
    assert capsys.readouterr().err.endswith("（见 'tutor run --help'）\n")


def test_an_unknown_language_is_one_line_on_stderr_and_the_command_runs_in_english():
    done = tutor("--lang", "fr", "run", "rosenblatt", "--set", "x")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "tutor: warning: unknown language 'fr' in --lang (the tutor speaks en, zh); using English",
        "tutor: error: --set takes NAME=VALUE, got 'x'",
    ]


def test_help_lists_the_language_option_before_and_after_the_command():
    assert "--lang LANG" in tutor("--help").stdout
    assert "--lang LANG" in tutor("list", "--help").stdout


def test_list_shows_chinese_chapter_and_lesson_titles():
    done = tutor("--lang", "zh", "list")
    assert done.returncode == 0, done.stderr
    assert "一个神经元，一个权重" in done.stdout  # chapter 1
    assert "的神经元学会一条直线" in done.stdout  # rosenblatt's title (the table may wrap it after "Rosenblatt")
    english = tutor("list").stdout
    assert "One neuron, one weight" in english and "一个神经元" not in english


def test_a_headless_run_in_chinese_shows_the_chinese_lesson():
    done = tutor("run", "rosenblatt", "--headless", "--lang", "zh", "--set", "epochs=2")
    assert done.returncode == 0, done.stderr
    assert "Rosenblatt 的神经元学会一条直线" in done.stdout
    assert "一个神经元，一个权重：" in done.stdout  # the summary


# ---------------------------------------------------------------- the catalogues


def _po_catalogue(language: str):
    from babel.messages.pofile import read_po

    with open(i18n.LOCALE_DIR / language / "LC_MESSAGES" / "tutor.po", "rb") as file:
        return read_po(file)


def _po_messages(language: str) -> dict[str, str]:
    """Each message's translation, by its id (a plural message by its singular: its only Chinese form)."""
    messages = {}
    for message in _po_catalogue(language):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            messages[message.id[0]] = message.string[0] if message.string else ""
        else:
            messages[message.id] = message.string
    return messages


def test_no_message_of_the_chinese_catalogue_is_empty_or_a_guess():
    """`pybabel update` leaves a new message empty (and, with fuzzy matching on, guesses one): none is left so."""
    gaps = [
        message.id
        for message in _po_catalogue("zh")
        if message.id
        and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))
    ]
    assert not gaps, "translate these in tutor/locale/zh/LC_MESSAGES/tutor.po:\n" + "\n".join(map(str, gaps))


def test_every_marked_string_has_a_chinese_translation_with_the_same_placeholders():
    """What `pybabel extract` would find in tutor/ is in the zh catalogue, translated (phase 2 adds the rest)."""
    from babel.messages.extract import extract_from_dir

    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "check": None}  # as pyproject.toml's [tool.babel.*]
    folders = (i18n.LOCALE_DIR.parent, i18n.LOCALE_DIR.parents[1] / "lessons" / "exercises")  # the checks' words
    marked = {
        message if isinstance(message, str) else message[0]
        for folder in folders
        for _, _, message, _, _ in extract_from_dir(str(folder), keywords=keywords)
    }
    assert marked, "no string is marked"
    translated = _po_messages("zh")
    missing = sorted(message for message in marked if not translated.get(message))
    assert not missing, "not in tutor/locale/zh/LC_MESSAGES/tutor.po (docs/translating.md):\n" + "\n".join(missing)
    for message in marked:
        assert set(re.findall(r"\{\w*\}", message)) == set(re.findall(r"\{\w*\}", translated[message])), message


def test_the_committed_mo_file_is_the_compiled_po_file():
    """An install uses the .mo without Babel: it must say what the .po says (`pybabel compile` after an edit)."""
    compiled = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=["zh"])
    for message in _po_catalogue("zh"):
        if isinstance(message.id, tuple):
            shown = compiled.ngettext(message.id[0], message.id[1], 2)
            translation = message.string[0]
        elif message.id:
            shown, translation = compiled.gettext(message.id), message.string
        else:
            continue
        assert shown == translation, f"tutor.mo is older than tutor.po: run pybabel compile ({message.id!r})"
