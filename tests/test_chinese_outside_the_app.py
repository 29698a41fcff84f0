"""Chinese outside the Textual app: the command line's tables, a headless run, the exercise judge
(a process of its own) and the served class's pages; a text missing from the catalogue stays English.

The app's own words are tested with the app; choosing the language in tests/test_i18n.py.
"""

from __future__ import annotations

import asyncio
import gettext
import os
import re
from pathlib import Path

import pytest

from tests.helpers import SERVE_STARTUP_SECONDS, served, tutor, websocket_url
from tutor import i18n


def test_tutor_list_speaks_chinese_in_its_headings_and_chapters():
    listed = tutor("--lang", "zh", "list")
    assert listed.returncode == 0, listed.stderr
    assert "tutor 课程" in listed.stdout  # the table's title
    assert re.search(r"id\s+┃\s+标题\s+┃\s+后端\s+┃\s+通过\s+┃\s+练习", listed.stdout)
    assert "第 1 章" in listed.stdout and "Chapter 1" not in listed.stdout


def test_a_headless_run_in_chinese_has_a_chinese_header_result_and_challenge_line():
    done = tutor("run", "rosenblatt", "--headless", "--lang", "zh", "--set", "epochs=2")
    assert done.returncode == 0, done.stderr
    assert "课程 rosenblatt · 第 1 章 · numpy · 种子" in done.stdout
    assert "参数: " in done.stdout
    assert (
        "结果" in done.stdout and re.search(r"状态\s+完成", done.stdout) and re.search(r"用时\s+[\d.]+ 秒", done.stdout)
    )
    assert "Result" not in done.stdout and "status" not in done.stdout
    # epochs=2 leaves the challenge unmet or met: either way its line is Chinese
    assert "挑战完成: " in done.stdout or "挑战还没完成: " in done.stdout


def test_a_bad_parameter_gets_one_chinese_line_naming_it():
    below = tutor("run", "rosenblatt", "--headless", "--lang", "zh", "--set", "epochs=0")
    assert below.returncode == 2 and below.stderr.strip() == "tutor: 错误: epochs：0 小于最小值 1"
    unknown = tutor("run", "rosenblatt", "--headless", "--lang", "zh", "--set", "speed=3")
    assert unknown.returncode == 2 and "没有参数 'speed'" in unknown.stderr and "Traceback" not in unknown.stderr


def test_tutor_check_says_its_count_in_chinese():
    checked = tutor("check", "--lang", "zh")
    assert checked.returncode == 0, checked.stderr
    assert re.fullmatch(r"\d+ 课都没问题\n", checked.stdout)


SUM_NOT_MEAN = "import numpy as np\n\n\ndef cost(w, x, y):\n    return np.sum((y - w * x) ** 2)\n"


def test_a_failed_check_is_reported_in_chinese_by_the_judge_process(isolated_home):
    """The checks run in the judge (python -m tutor.exercises.worker): the language must reach it."""
    started = tutor("exercise", "cost-function", "--lang", "zh")
    assert started.returncode == 0, started.stderr
    learner_file = Path(os.environ["TUTOR_WORKSPACE"]) / "cost-function.py"
    learner_file.write_text(SUM_NOT_MEAN)
    verified = tutor("verify", "cost-function", "--lang", "zh")
    assert verified.returncode == 1, verified.stderr
    out = verified.stdout
    assert "5 项检查通过了 3 项" in out
    assert "✓ 误差要平方" in out and "✗ 取平均，不是求和" in out  # the checks' titles
    # the comparison (tutor.exercises.checking) and the check's own nudge, both in Chinese
    assert re.search(r"`cost\(w=1, .*\)` 返回了 0\.375，应为\s+0\.09375：除以豆子的个数", out), out
    english = tutor("verify", "cost-function")
    assert "3 of 5 checks pass" in english.stdout
    assert re.search(r"returned 0\.375 -\s+expected 0\.09375: divide by the number of beans", english.stdout)


def test_a_text_missing_from_the_catalogue_stays_english_and_only_that_text(monkeypatch):
    from tutor.serve_pages import sign_in_words

    partial = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=["zh"])
    partial._catalog = {key: value for key, value in partial._catalog.items() if key != "Your name"}  # type: ignore[attr-defined]
    i18n.set_language("zh")
    monkeypatch.setattr(i18n, "_catalogue", partial)
    words = sign_in_words("7b")
    assert words["name"] == "Your name"  # not translated: English
    assert words["code"] == "你的代码" and words["heading"] == "班级 7b"  # the rest is Chinese


pytest.importorskip("textual_serve", reason="tutor[serve] is not installed")
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")


async def _page(base: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/") as response:
            return response.status, await response.text()


async def _new_learner(base: str, name: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/sign-in", data={"token": "", "name": name, "action": "new"}) as response:
            return response.status, await response.text()


def test_the_class_pages_speak_the_servers_language(tmp_path):
    with served(tmp_path, "--class", "7b", "--lang", "zh") as server:
        status, page = asyncio.run(_page(server.base))
        welcome_status, welcome = asyncio.run(_new_learner(server.base, "Ana"))
        taken_status, taken = asyncio.run(_new_learner(server.base, "ana"))
    assert status == 200 and '<html lang="zh">' in page
    for words in ("班级 7b", "你的名字", "你的代码", "我是新来的", "开始"):
        assert words in page
    assert "Your name" not in page and "Who is learning" not in page
    assert welcome_status == 200 and "欢迎来到班级 7b，Ana" in welcome and "你的个人链接：" in welcome
    assert taken_status == 409 and "这个名字在班级里已经有人用了" in taken


def test_the_english_class_page_is_unchanged(tmp_path):
    with served(tmp_path, "--class", "7b") as server:
        status, page = asyncio.run(_page(server.base))
    assert status == 200 and '<html lang="en">' in page
    assert "Class 7b" in page and "Your name" in page and "I am new here" in page


async def _tab_commands(server) -> list[list[str]]:
    """Open the class page as a newcomer, then their tab: the command lines of the app processes started."""
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base}/sign-in", data={"token": "", "name": "Ana", "action": "new"}) as got:
            link = re.search(r'id="link" href="([^"]+)"', await got.text()).group(1).replace("&amp;", "&")
        async with session.get(f"{server.base}/{link[link.index('?') :]}") as got:
            page = await got.text()
        websocket = await session.ws_connect(websocket_url(page) + "?width=80&height=24")
        message = await websocket.receive(timeout=SERVE_STARTUP_SECONDS)  # the app has started: it draws
        assert message.type == aiohttp.WSMsgType.BINARY, message
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in server.app_processes()]
        await websocket.close()
    return [[part.decode() for part in command if part] for command in commands]


def test_each_tab_runs_its_app_in_the_language_the_server_was_given(tmp_path):
    with served(tmp_path, "--class", "7b", "--lang", "zh") as server:
        commands = asyncio.run(_tab_commands(server))
    assert commands and all("--lang=zh" in command for command in commands), commands
