"""A pack picked up by itself (the data folder's lessons/) runs no code of its own, exercises included.

Its exercise's checks.py and starter.py are code: each writes a marker file when it runs. The exercise
is listed with the reason, never loaded; passed explicitly (--lessons) the same pack's exercise runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SIZE, VALID, Posted, pane, ready, tutor, wait_until
from tutor.course import find_packs, load_course
from tutor.course.loading import shipped_lessons_dir
from tutor.exercises import UntrustedExercise, find_exercise

MARK = "\nfrom pathlib import Path as _Path\n_Path({marker!r}).write_text('ran')\n"


@pytest.fixture
def user_pack(isolated_home: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The data folder's pack: lesson 'my-demo' (the tutor's routine) with an exercise whose code marks it ran."""
    pack = isolated_home / "lessons"
    pack.mkdir()
    (pack / "my-demo.toml").write_text(VALID.replace('"demo"', '"my-demo"'))
    exercise = pack / "exercises" / "my-demo"
    shutil.copytree(shipped_lessons_dir() / "exercises" / "rosenblatt", exercise)
    marker = tmp_path / "pack-code-ran"
    for name in ("checks.py", "starter.py"):
        path = exercise / name
        path.write_text(path.read_text() + MARK.format(marker=str(marker)))
    return pack, marker


def test_the_exercise_of_a_pack_picked_up_by_itself_is_left_out_with_the_reason(user_pack):
    pack, marker = user_pack
    lesson = load_course(packs=find_packs()).get("my-demo")  # its lesson loads: only the tutor's routine
    with pytest.raises(UntrustedExercise) as refused:
        find_exercise(lesson)
    assert "picked up by itself" in str(refused.value) and f"--lessons {pack}" in str(refused.value)
    listed = tutor("list")
    assert listed.returncode == 0 and "the exercise of my-demo is left out: " in listed.stdout
    for command in (["exercise", "my-demo"], ["verify", "my-demo"], ["run", "my-demo", "--headless", "--mine"]):
        done = tutor(*command)
        assert done.returncode == 2 and "picked up by itself" in done.stderr, (command, done.stderr)
    verified = tutor("verify")  # every exercise started: none of the pack's
    assert "my-demo" not in verified.stdout
    assert not marker.exists()


async def test_the_app_lists_it_with_the_reason_and_shows_no_exercise_tab(user_pack):
    from tutor.app.app import TutorApp
    from tutor.app.widgets.exercise_pane import ExercisePane

    _, marker = user_pack
    app = TutorApp(load_course(packs=find_packs()), lesson_id="my-demo", clock=False)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: any("picked up by itself" in n.message for n in posted.notifications()))
        assert not pane(app).query(ExercisePane)
    assert not marker.exists()


def test_passed_explicitly_the_same_pack_s_exercise_runs(user_pack):
    pack, marker = user_pack
    done = tutor("--lessons", str(pack), "exercise", "my-demo")
    assert done.returncode == 0, done.stderr
    tutor("--lessons", str(pack), "verify", "my-demo")
    assert marker.read_text() == "ran"  # the gate, and nothing else, kept it from running
