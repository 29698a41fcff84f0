"""The tutor's own words around the lessons in Chinese: ``--help`` and argparse's errors, the served
teacher's terminal, and Textual's palette commands; English stays as it was.

Lines and tables of the commands are tested in tests/test_chinese_outside_the_app.py.
"""

from __future__ import annotations

import argparse
import inspect
import re

import pytest
from rich.cells import cell_len

from tests.helpers import tutor
from tutor import i18n
from tutor.cli import main
from tutor.cli_parser import ARGPARSE_MESSAGES, argparse_message

COMMANDS = ("", "list", "run", "check", "exercise", "verify", "watch", "hint", "solution", "reset", "class", "serve")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_tutor_help_speaks_chinese_with_the_options_as_they_are_typed():
    shown = tutor("--lang", "zh", "--help")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert out.startswith("用法：tutor [-h] [--version] [--lessons DIR] [--lang LANG] COMMAND ...\n")
    assert "位置参数:" in out and "选项:" in out
    assert re.search(r"-h, --help\s+显示这条帮助信息并退出", out)
    assert re.search(r"--version\s+显示程序的版本号并退出", out)
    assert re.search(r"list\s+按章列出课程", out) and re.search(r"--lang LANG\s+使用的语言：en, zh", out)
    assert "usage:" not in out and "show this help" not in out and "options:" not in out


def test_run_help_speaks_chinese_and_argparse_still_fills_in_the_default():
    shown = tutor("--lang", "zh", "run", "--help")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert out.startswith("用法：tutor run [-h] [--headless] [--set NAME=VALUE]")
    assert re.search(r"lesson\s+课的 id，例如 rosenblatt（见 'tutor list'）", out)
    assert re.search(r"--set NAME=VALUE\s+设置这一课的一个参数（可以重复）", out)
    assert "--speed {slow,normal,fast,instant}" in out and "（默认：normal）" in out  # %(default)s, filled
    assert "%(default)s" not in out


def test_the_english_help_is_argparses_own():
    for args in (["--help"], ["run", "--help"], ["serve", "--help"]):
        out = tutor(*args).stdout
        assert out.startswith(f"usage: tutor {args[0] if len(args) > 1 else ''}".rstrip() + " [-h]"), out
        assert "options:\n  -h, --help" in out and "show this help message and exit" in out
        assert not CJK.search(out), out
    assert re.search(r"list\s+list the lessons by chapter", tutor("--help").stdout)


@pytest.mark.parametrize("columns", [60, 80])
def test_no_line_of_the_chinese_help_is_wider_than_the_terminal(columns, monkeypatch, capsys):
    """argparse wraps by characters; a Chinese character takes two columns: the help is wrapped by cells."""
    monkeypatch.setenv("COLUMNS", str(columns))
    for command in COMMANDS:
        with pytest.raises(SystemExit) as done:
            main(["--lang", "zh", *([command] if command else []), "--help"])
        assert done.value.code == 0
        lines = capsys.readouterr().out.splitlines()
        too_wide = [line for line in lines if cell_len(line) > columns]
        assert not too_wide, (command, too_wide)
        # The usage's next lines start under its first option, after the Chinese "用法："
        usage = lines[: lines.index("")]
        if len(usage) > 1:
            first_option = cell_len(usage[0][: usage[0].index("[")])
            assert all(cell_len(line) - cell_len(line.lstrip()) == first_option for line in usage[1:]), usage


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--bogus"], "tutor: 错误: 无法识别的参数：--bogus（见 'tutor --help'）"),
        (
            ["run", "rosenblatt", "--seed", "q"],
            "tutor run: 错误: 参数 --seed：无效的 int 值：'q'（见 'tutor run --help'）",
        ),
        (["run"], "tutor run: 错误: 缺少这些参数：lesson（见 'tutor run --help'）"),
        (
            ["class", "7b", "--csv", "--roster"],
            "tutor class: 错误: 参数 --roster：不能和参数 --csv 一起用（见 'tutor class --help'）",
        ),
    ],
)
def test_argparse_says_its_errors_in_one_chinese_line(argv, said, capsys):
    with pytest.raises(SystemExit) as done:
        main(["--lang", "zh", *argv])
    assert done.value.code == 2
    assert capsys.readouterr().err == said + "\n"


def test_argparse_errors_stay_english_in_english(capsys):
    with pytest.raises(SystemExit):
        main(["run", "rosenblatt", "--seed", "q"])
    assert (
        capsys.readouterr().err
        == "tutor run: error: argument --seed: invalid int value: 'q' (see 'tutor run --help')\n"
    )


def test_a_message_argparse_has_that_the_catalogue_does_not_stays_english():
    i18n.set_language("zh")
    assert argparse_message("conflicting option string: --x") == "conflicting option string: --x"
    assert argparse_message("argument --x: a new message") == "参数 --x：a new message"  # the known part only


def test_each_message_translated_is_one_argparse_says():
    """A template argparse no longer writes would never match: the message would silently stay English."""
    source = inspect.getsource(argparse)
    for template in ARGPARSE_MESSAGES:
        assert repr(template) in source or f'"{template}"' in source, template


# ---------------------------------------------------------------- Textual's palette commands


async def _system_commands(language: str):
    from textual.app import App

    from tutor.app.app import TutorApp

    i18n.set_language(language)
    app = TutorApp(lesson_id="rosenblatt", seed=0, clock=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        return list(app.get_system_commands(app.screen)), list(App.get_system_commands(app, app.screen))


async def test_textuals_palette_commands_speak_chinese_and_do_what_they_did():
    commands, textuals = await _system_commands("zh")
    titles = {command.title: command.help for command in commands}
    assert titles["主题"] == "更换当前的主题" and titles["退出"] == "尽快退出应用" and "截图" in titles
    assert "按键" in titles and not CJK.search("".join(command.title for command in textuals))
    assert len(commands) == len(textuals)
    for ours, theirs in zip(commands, textuals, strict=True):
        if inspect.ismethod(theirs.callback):  # the screenshot's is a lambda made anew each time
            assert ours.callback == theirs.callback, ours.title


async def test_every_word_of_textuals_palette_commands_is_in_the_catalogue():
    from tutor.app.commands import TEXTUAL_COMMAND_WORDS

    commands, textuals = await _system_commands("en")
    assert [(ours.title, ours.help) for ours in commands] == [(theirs.title, theirs.help) for theirs in textuals]
    missing = {word for command in textuals for word in (command.title, command.help)} - set(TEXTUAL_COMMAND_WORDS)
    assert not missing, f"Textual says these: mark them in tutor/app/commands.py: {missing}"


async def test_the_palettes_search_fields_speak_chinese():
    from textual.command import CommandPalette
    from textual.widgets import Input

    from tutor.app.app import TutorApp

    i18n.set_language("zh")
    app = TutorApp(lesson_id="rosenblatt", seed=0, clock=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).placeholder == "搜索命令…"
        await pilot.press("escape")
        await pilot.pause()
        app.search_themes()  # the palette's 主题 command
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).placeholder == "搜索主题…"


# ---------------------------------------------------------------- the served teacher's terminal


def test_the_servers_own_lines_speak_its_language(tmp_path):
    pytest.importorskip("textual_serve", reason="tutor[serve] is not installed")
    from tests.helpers import served

    with served(tmp_path, "--lang", "zh") as server:
        link = server.link()
    assert link == f"http://127.0.0.1:{server.port}/"
    assert f"tutor 已开始服务：{link}\n" in server.log
    assert "最多同时" in server.log and "按 Ctrl+C 停止" in server.log
    assert "Serving" not in server.log and "Press Ctrl+C" not in server.log
