"""A class served from one machine: each learner's work is theirs alone, and the teacher sees it all."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from textual.widgets import Button, Header, Input

from tests.helpers import SIZE, make_app, pane, ready, tutor, wait_until
from tutor import classroom
from tutor.app.screens.learner import LearnerScreen
from tutor.app.screens.main import MainScreen
from tutor.app.widgets.lesson_tree import LessonTree
from tutor.course import ParamError, load_course
from tutor.progress import DB_NAME
from tutor.progress.overview import learner_summaries
from tutor.records import RunRecord
from tutor.roster import WRONG, Roster

# Each process waits for the "go" file, then does what a learner finishing a lesson does.
LEARNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    folder, learner, lesson, seed, go = sys.argv[1:]
    from tutor.classroom import class_store
    from tutor.records import RunRecord
    (Path(go).parent / f"ready-{learner}-{seed}").touch()
    while not Path(go).exists():
        time.sleep(0.001)
    store = class_store(Path(folder), learner)
    store.set_last_lesson(lesson)
    met = RunRecord(lesson=lesson, params={}, seed=int(seed), status="finished", challenge_met=True)
    store.record(met)  # and its pass
    assert store.warning is None, store.warning
""")


def finish_together(tmp_path: Path, folder: Path, finishes: list[tuple[str, str, int]]) -> None:
    """One process per (learner, lesson, seed), all released at the same moment."""
    gate = tmp_path / "gate"
    gate.mkdir()
    script = tmp_path / "learner.py"
    script.write_text(LEARNER)
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(folder), learner, lesson, str(seed), str(gate / "go")],
            stderr=subprocess.PIPE,
            text=True,
        )
        for learner, lesson, seed in finishes
    ]
    deadline = time.monotonic() + 60  # a hang guard for a slow machine
    while len(list(gate.glob("ready-*"))) < len(finishes) and time.monotonic() < deadline:
        time.sleep(0.01)
    (gate / "go").touch()
    for process in processes:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err


@pytest.fixture
def class_folder(isolated_home: Path) -> Path:
    folder = classroom.class_dir("7b")
    folder.mkdir(parents=True)
    return folder


def test_two_learners_finishing_at_once_each_see_only_their_own_progress(tmp_path, class_folder):
    finish_together(tmp_path, class_folder, [("Ana", "rosenblatt", 1), ("Ben", "cost-function", 2)])
    ana, ben = classroom.class_store(class_folder, "Ana"), classroom.class_store(class_folder, "Ben")
    assert ana.passed("rosenblatt") and not ana.passed("cost-function")
    assert ben.passed("cost-function") and not ben.passed("rosenblatt")
    assert [run["seed"] for run in ana.runs("rosenblatt")] == [1] and ana.runs("cost-function") == []
    assert [run["seed"] for run in ben.runs("cost-function")] == [2] and ben.runs("rosenblatt") == []
    assert (ana.last_lesson, ben.last_lesson) == ("rosenblatt", "cost-function")
    # One file in the class folder keeps both.
    assert list(class_folder.glob("*.sqlite3")) == [class_folder / DB_NAME]
    overview = {summary.learner: summary for summary in learner_summaries(ana)}
    assert set(overview) == {"Ana", "Ben"}
    assert set(overview["Ana"].passed) == {"rosenblatt"} and set(overview["Ben"].passed) == {"cost-function"}


def test_one_learner_in_two_tabs_keeps_both_runs(tmp_path, class_folder):
    finish_together(tmp_path, class_folder, [("Ana", "rosenblatt", 1), ("Ana", "rosenblatt", 2)])
    store = classroom.class_store(class_folder, "Ana")
    assert sorted(run["seed"] for run in store.runs("rosenblatt")) == [1, 2]
    assert store.passed("rosenblatt")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "type a name"),
        ("   ", "type a name"),
        ("../etc", "starts with a letter or a digit"),
        ("a/b", "not /"),
        ("[bold]x", "starts with a letter"),
        ("Ana\x1b[31m", "not \\x1b ["),
        ("x" * 41, "at most 40"),
    ],
)
def test_a_name_that_is_not_plain_is_refused_with_the_reason(typed, reason):
    with pytest.raises(classroom.BadName) as refused:
        classroom.plain_name(typed)
    assert reason in str(refused.value)


def test_the_same_name_later_in_any_case_or_spacing_is_the_same_learner(class_folder):
    classroom.class_store(class_folder, "Chloé Martin").mark_passed("rosenblatt")
    assert classroom.same_learner(class_folder, "  chloé   MARTIN ") == "Chloé Martin"
    decomposed = "Chloe\u0301 Martin"  # é typed as e + a combining accent
    assert classroom.same_learner(class_folder, decomposed) == "Chloé Martin"
    assert classroom.same_learner(class_folder, "Dan") == "Dan"  # a new learner keeps their spelling


# ---------------------------------------------------------------- the app in a class


@pytest.fixture
def in_class(class_folder: Path, monkeypatch) -> Path:
    """This process is a served session of class 7b; what taking a seat changes is undone afterwards."""
    monkeypatch.setenv(classroom.CLASS_DIR_ENV, str(class_folder))
    monkeypatch.setenv("TUTOR_SERVED", "1")
    monkeypatch.delenv(classroom.LEARNER_ENV, raising=False)
    return class_folder


async def test_a_class_session_without_a_learner_asks_the_name_and_code_and_then_is_that_learners(
    in_class: Path,
) -> None:
    [(_, code)] = Roster(in_class).add(["Ana Lima"])
    classroom.class_store(in_class, "Ana Lima").mark_passed("rosenblatt")  # Ana came yesterday
    classroom.class_store(in_class, "Ben").mark_passed("broken")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LearnerScreen) and app.store is None
        name = app.screen.query_one("#name", Input)
        assert name.has_focus
        await pilot.press(*"Ana/")
        await pilot.pause()
        assert "not /" in str(app.screen.query_one("#learner-problem").render())
        name.value = ""
        await pilot.press(*"ana lima", "enter", *"wrong-code", "enter")  # a wrong code: one line, no access
        await pilot.pause()
        assert isinstance(app.screen, LearnerScreen) and app.store is None
        assert str(app.screen.query_one("#learner-problem").render()) == WRONG
        await pilot.press(*code.upper(), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await ready(pilot)
        assert app.learner == "Ana Lima" and app.store.learner == "Ana Lima"
        assert "Ana Lima" in app.title and app.screen.query(Header)
        tree = app.screen.query_one(LessonTree)
        assert "✓" in str(tree.get_node_at_line(1).label)  # her pass of yesterday
        assert "✓" not in str(tree.get_node_at_line(2).label)  # Ben's is not hers
    # Her saved files and exercises go to her own folders.
    assert os.environ["TUTOR_HOME"] == str(in_class / "learners" / "Ana Lima")
    assert os.environ["TUTOR_WORKSPACE"] == str(in_class / "workspaces" / "Ana Lima")


async def test_a_name_nobody_has_gets_the_same_line_as_a_wrong_code(in_class: Path) -> None:
    Roster(in_class).add(["Ana"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"Zoe", "enter", *"aaaaa-aaaaa", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LearnerScreen) and app.store is None
        assert str(app.screen.query_one("#learner-problem").render()) == WRONG
    assert not (in_class / "learners").exists()


async def test_a_name_from_the_link_is_not_asked_again(in_class: Path, monkeypatch) -> None:
    monkeypatch.setenv(classroom.LEARNER_ENV, "Ben")
    classroom.class_store(in_class, "Ana").mark_passed("rosenblatt")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, MainScreen) and app.learner == "Ben"
        assert "✓" not in str(app.screen.query_one(LessonTree).get_node_at_line(1).label)
        app.screen.store.set_last_lesson("broken")
        await pilot.press("x")  # the Exercise tab: Ben's file is made in Ben's workspace
        await wait_until(pilot, lambda: (in_class / "workspaces" / "Ben" / "rosenblatt.py").is_file())
    assert classroom.class_store(in_class, "Ana").last_lesson is None  # Ana's last lesson is untouched


async def test_a_link_name_that_is_not_plain_is_asked_again_with_the_reason(in_class: Path, monkeypatch) -> None:
    monkeypatch.setenv(classroom.LEARNER_ENV, "../../etc")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LearnerScreen) and app.store is None
        assert "name in your link cannot be used" in str(app.screen.query_one("#learner-problem").render())
    assert not (in_class / "learners").exists()


async def test_outside_a_class_the_app_is_the_single_local_learners(isolated_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.learner is None and app.store.learner == "" and not app.screen.query(Header)


# ---------------------------------------------------------------- files named by lesson parameters


def model_param():
    return load_course().get("lenet5").params["model"]


def test_a_served_learner_cannot_name_a_file_outside_their_data_folder(isolated_home, tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_SERVED", "1")
    param = model_param()
    for outside in ("/etc/tutor.keras", "../../elsewhere.keras", str(tmp_path / "x.keras"), "~/mine.keras"):
        with pytest.raises(ParamError, match="outside your data folder"):
            param.coerce(outside)
    # Inside is fine; a bare name is a file in the data folder.
    assert param.coerce("mine.keras") == str(isolated_home / "mine.keras")
    assert param.coerce(str(isolated_home / "models" / "a.keras")) == str(isolated_home / "models" / "a.keras")
    assert param.coerce("") == ""  # the lesson's own file in the data folder
    # A link inside the folder that leads out of it is judged by where it leads.
    (isolated_home / "door").symlink_to(tmp_path)
    with pytest.raises(ParamError, match="outside your data folder"):
        param.coerce("door/x.keras")


async def test_the_form_shows_why_an_outside_path_is_refused_and_run_waits(isolated_home, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_SERVED", "1")
    rosenblatt = make_app().course.get("rosenblatt")
    saving = dataclasses.replace(rosenblatt, id="saving", order=3, params={**rosenblatt.params, "model": model_param()})
    app = make_app(saving, lesson_id="saving")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = pane(app).form
        form.query_one("#param-model", Input).value = "/etc/passwd"
        await pilot.pause()
        assert "outside your data folder" in form.errors["model"]
        assert pane(app).query_one("#run", Button).disabled
        form.query_one("#param-model", Input).value = "mine"
        await pilot.pause()
        assert form.valid and not pane(app).query_one("#run", Button).disabled


def test_on_the_learners_own_machine_a_path_is_used_as_given(isolated_home, tmp_path, monkeypatch):
    monkeypatch.delenv("TUTOR_SERVED", raising=False)
    assert model_param().coerce(str(tmp_path / "x.keras")) == str(tmp_path / "x.keras")


def test_a_served_headless_run_refuses_an_outside_path_before_it_starts(isolated_home, monkeypatch):
    monkeypatch.setenv("TUTOR_SERVED", "1")
    done = tutor("run", "lenet5", "--headless", "--set", "model=/etc/passwd")
    assert done.returncode == 2 and "outside your data folder" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


# ---------------------------------------------------------------- the teacher's table


def make_up_class(folder: Path) -> None:
    ana = classroom.class_store(folder, "Ana")
    for lesson in ("rosenblatt", "cost-function"):
        ana.mark_passed(lesson)
    ana.mark_exercise_passed("rosenblatt")
    ben = classroom.class_store(folder, "Ben")
    for seed in range(3):
        ben.record(RunRecord(lesson="gradient-descent", params={}, seed=seed, status="stopped"))
    # A name a hand-edited database could hold: printed as it is, never read as markup or a formula.
    classroom.class_store(folder, "=[bold]Zoe[/]").set_last_lesson("rosenblatt")


def test_the_teachers_table_shows_who_passed_what(class_folder):
    make_up_class(class_folder)
    lessons = len(load_course().lessons)
    done = tutor("class", "7b")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("class 7b: 3 learner(s)")
    ana = next(line.split() for line in lines if line.split()[:1] == ["Ana"])  # the first table: the totals
    assert ana[1:3] == [f"2/{lessons}", "1"] and ana[-2:] == ["CE", "C"]
    ben = next(line.split() for line in lines if line.split()[:1] == ["Ben"])
    assert ben[1:3] == [f"0/{lessons}", "0"] and ben[-1] == "3r"
    assert any(line.split()[:1] == ["=[bold]Zoe[/]"] for line in lines)
    assert "C challenge met" in done.stdout and "1.1 rosenblatt" in done.stdout


def test_the_teachers_table_as_csv(class_folder):
    make_up_class(class_folder)
    done = tutor("class", "7b", "--csv")
    assert done.returncode == 0, done.stderr
    rows = {row["learner"]: row for row in csv.DictReader(io.StringIO(done.stdout))}
    assert set(rows) == {"Ana", "Ben", "'=[bold]Zoe[/]"}
    assert rows["Ana"]["rosenblatt"] == "CE" and rows["Ana"]["cost-function"] == "C"
    assert rows["Ana"]["challenges"] == f"2/{len(load_course().lessons)}" and rows["Ana"]["exercises"] == "1"
    assert rows["Ben"]["gradient-descent"] == "3r" and rows["Ben"]["rosenblatt"] == ""
    assert all(row["last active"] for row in rows.values())


@pytest.mark.parametrize("name", ["nope", "../7b"])
def test_an_unknown_class_is_one_clear_line(class_folder, name):
    done = tutor("class", name)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("tutor: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_names_with_control_or_bidi_characters_are_printed_escaped(class_folder):
    """A hand-edited database can hold any name: the table shows it, never sends it raw to the terminal."""
    classroom.class_store(class_folder, "Eve\x1b]0;pwned\x07").set_last_lesson("rosenblatt")
    classroom.class_store(class_folder, "Ana\u202eevil").set_last_lesson("rosenblatt")
    for options in ([], ["--csv"]):
        done = tutor("class", "7b", *options)
        assert done.returncode == 0, done.stderr
        assert "\x1b" not in done.stdout and "\u202e" not in done.stdout and "\x07" not in done.stdout
        assert "Eve\\x1b]0;pwned\\x07" in done.stdout and "Ana\\u202eevil" in done.stdout


# ---------------------------------------------------------------- the teacher's roster

LINK_LINE = re.compile(r"^\s+(?P<name>.+?)\s+code (?P<code>[a-z2-9]{5}-[a-z2-9]{5})\s+(?P<link>http\S+)$")


def links_in(output: str) -> dict[str, tuple[str, str]]:
    """{name: (code, link)} from what ``tutor class --add/--reset`` printed."""
    return {m["name"]: (m["code"], m["link"]) for m in map(LINK_LINE.match, output.splitlines()) if m}


def test_the_teacher_hands_out_personal_links_lists_the_roster_and_resets_one(class_folder):
    added = tutor("class", "7b", "--add", "Ana", "Chloé Martin")
    assert added.returncode == 0, added.stderr
    links = links_in(added.stdout)
    assert set(links) == {"Ana", "Chloé Martin"}
    code, link = links["Chloé Martin"]
    assert link.endswith(f"/?learner=Chlo%C3%A9+Martin&key={code}")
    roster = Roster(class_folder)
    assert roster.closed and roster.check("chloé martin", code) == "Chloé Martin"

    listing = tutor("class", "7b", "--roster")
    assert listing.returncode == 0 and "Ana" in listing.stdout and "Chloé Martin" in listing.stdout
    assert code not in listing.stdout and links["Ana"][0] not in listing.stdout  # codes are never shown again

    reset = tutor("class", "7b", "--reset", "ana")
    assert reset.returncode == 0, reset.stderr
    new_code, _ = links_in(reset.stdout)["Ana"]
    assert roster.check("Ana", links["Ana"][0]) is None and roster.check("Ana", new_code) == "Ana"

    table = tutor("class", "7b")  # learners on the roster are rows before they start
    assert table.returncode == 0 and "class 7b: 2 learner(s)" in table.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--add", "Ana"], "Ana is on the roster already"),
        (["--add", "Ben", "ben"], "Ben is given twice"),
        (["--add", "../x"], "starts with a letter or a digit"),
        (["--reset", "Zoe"], "there is no Zoe in this class"),
    ],
)
def test_roster_mistakes_are_one_clear_line(class_folder, options, message):
    Roster(class_folder).add(["Ana"])
    done = tutor("class", "7b", *options)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
    assert message in done.stderr and "Traceback" not in done.stderr
