"""Lesson packs: a teacher's folder adds lessons; its code runs only when passed explicitly."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import VALID, tutor
from tutor.course import Pack, find_packs, load_course
from tutor.runner import run_lesson

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "example-pack"


def test_an_explicit_pack_adds_its_lessons_and_runs_its_own_routine():
    course = load_course(packs=[Pack(EXAMPLE, trusted=True)])
    lesson = course.get("momentum")
    assert course.get("rosenblatt")  # the course is still there
    assert course.chapter_title(5) == "Extra: optimisers"
    assert course.code_dirs == (EXAMPLE,)
    record = run_lesson(lesson, lesson.resolve({}), 0)
    assert record.status == "finished" and record.challenge_met


def test_momentum_beats_plain_descent_in_the_example_pack():
    lesson = load_course(packs=[Pack(EXAMPLE, trusted=True)]).get("momentum")
    plain = run_lesson(lesson, lesson.resolve({"momentum": "0"}), 0)
    rolling = run_lesson(lesson, lesson.resolve({}), 0)
    assert rolling.result["loss"] < plain.result["loss"]


def test_the_user_folder_pack_may_not_run_its_own_code(isolated_home):
    shutil.copytree(EXAMPLE, isolated_home / "lessons")
    course = load_course(packs=find_packs())
    assert "momentum" not in [lesson.id for lesson in course.lessons]
    [problem] = course.problems
    assert problem.field == "routine" and "must name a function inside the 'tutor' package" in problem.message
    assert course.code_dirs == ()


def test_user_folder_lessons_may_reuse_the_tutors_routines(isolated_home):
    (isolated_home / "lessons").mkdir()
    (isolated_home / "lessons" / "mine.toml").write_text(VALID.replace('"demo"', '"my-demo"'))
    assert load_course(packs=find_packs()).get("my-demo").routine == "tutor.routines.rosenblatt:run"


def test_duplicate_ids_and_broken_files_are_reported_and_the_rest_loads(tmp_path):
    (tmp_path / "dup.toml").write_text(VALID.replace('"demo"', '"rosenblatt"'))
    (tmp_path / "nomodule.toml").write_text(
        VALID.replace('"demo"', '"x"').replace("tutor.routines.rosenblatt:run", "missing_module:run")
    )
    (tmp_path / "ok.toml").write_text(VALID)
    course = load_course(packs=[Pack(tmp_path, trusted=True)])
    assert course.get("demo") and course.get("rosenblatt").path.parent.name == "lessons"
    messages = sorted(str(p) for p in course.problems)
    assert any("dup.toml:1: id: 'rosenblatt' is already used by" in m for m in messages)
    assert any("nomodule.toml:6: routine: cannot import 'missing_module'" in m for m in messages)


def test_cli_runs_a_pack_lesson_and_warns_about_skipped_files(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE, pack)
    (pack / "broken.toml").write_text("id = ")
    done = tutor("--lessons", str(pack), "run", "momentum", "--headless", "--set", "steps=50")
    assert done.returncode == 0, done.stderr
    assert "Result" in done.stdout
    assert "1 problem(s) in lesson files were skipped; run 'tutor check'" in done.stderr
    assert tutor("check", str(pack)).returncode == 1


async def test_the_app_says_it_runs_code_from_a_pack_folder():
    from tests.helpers import Posted, ready
    from tutor.app.app import TutorApp

    course = load_course(packs=[Pack(EXAMPLE, trusted=True)])

    app, posted = TutorApp(course, lesson_id="momentum", clock=False), Posted()
    async with app.run_test(size=(100, 34), message_hook=posted) as pilot:
        await ready(pilot)
        messages = [str(n.message) for n in posted.notifications()]
        assert f"Lessons from {EXAMPLE} run Python code from that folder." in messages


def test_an_empty_lessons_folder_name_does_not_load_the_current_folder(tmp_path, monkeypatch):
    # A lesson file with its own code in the current folder: `--lessons ""` must not trust it.
    (tmp_path / "here.toml").write_text(VALID.replace('"demo"', '"here"'))
    monkeypatch.chdir(tmp_path)
    course = load_course(packs=find_packs([""]))
    assert "here" not in [lesson.id for lesson in course.lessons]
    assert course.code_dirs == ()
    [problem] = course.problems
    assert str(problem) == (
        "--lessons:1: an empty folder name; the current folder is loaded only when named (--lessons .)"
    )


def test_a_file_given_as_the_lessons_folder_says_it_is_not_a_folder(tmp_path):
    (tmp_path / "one.toml").write_text(VALID)
    course = load_course(packs=find_packs([tmp_path / "one.toml"]))
    [problem] = course.problems
    assert str(problem) == f"{tmp_path / 'one.toml'}:1: is not a folder (give the folder that holds the lesson files)"
    missing = load_course(packs=find_packs([tmp_path / "missing"])).problems
    assert [str(p) for p in missing] == [f"{tmp_path / 'missing'}:1: lesson folder not found"]


def test_the_code_tab_shows_the_pack_s_own_module_even_when_its_name_is_taken(tmp_path):
    from tutor.app.widgets.code_view import routine_source

    # A pack module named like a standard-library module: the Code tab must show the pack's file.
    shutil.copytree(EXAMPLE, tmp_path / "pack")
    (tmp_path / "pack" / "momentum.py").rename(tmp_path / "pack" / "random.py")
    toml = tmp_path / "pack" / "momentum.toml"
    toml.write_text(toml.read_text().replace('"momentum:run"', '"random:run"'))
    lesson = load_course(packs=[Pack(tmp_path / "pack", trusted=True)]).get("momentum")
    path, source = routine_source(lesson)
    assert Path(path) == tmp_path / "pack" / "random.py"
    assert source == (tmp_path / "pack" / "random.py").read_text()
