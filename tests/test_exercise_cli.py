"""The exercise commands end to end through a subprocess, as a learner in their own editor uses them:
exercise, verify, watch, hint, solution, reset and run --mine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Output, default_sigint, tutor

RIGHT = "def learn_from_bean(w, x, y, lr):\n    return w + lr * (y - w * x) * x\n"
WRONG_SIGN = "def learn_from_bean(w, x, y, lr):\n    return w - lr * (y - w * x) * x\n"


def _unwrapped(text: str) -> str:
    """Messages are wrapped to the terminal: compare their words."""
    return " ".join(text.split())


@pytest.fixture
def workspace() -> Path:
    return Path(os.environ["TUTOR_WORKSPACE"])  # a fresh folder per test (tests/conftest.py)


def test_exercise_makes_the_file_and_says_what_to_write(workspace):
    done = tutor("exercise", "rosenblatt")
    assert done.returncode == 0, done.stderr
    path = workspace / "rosenblatt.py"
    assert path.is_file()
    assert f"Your file: {path}   (new: made from the starter)" in done.stdout
    assert "Write: learn_from_bean" in done.stdout
    assert "0 of 5 checks pass" in done.stdout
    path.write_text("# my work\n", encoding="utf-8")
    again = tutor("exercise", "rosenblatt")
    assert path.read_text(encoding="utf-8") == "# my work\n"  # never overwritten
    assert "(new" not in again.stdout


def test_workspace_option_chooses_the_folder(tmp_path):
    done = tutor("exercise", "cost-function", "--workspace", str(tmp_path / "elsewhere"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "elsewhere" / "cost-function.py").is_file()


def test_verify_exits_1_for_the_starter_and_a_wrong_file_and_0_for_a_right_one(workspace):
    tutor("exercise", "rosenblatt")
    starter = tutor("verify", "rosenblatt")
    assert starter.returncode == 1
    assert "`learn_from_bean` is not written yet" in starter.stdout
    (workspace / "rosenblatt.py").write_text(WRONG_SIGN, encoding="utf-8")
    wrong = tutor("verify", "rosenblatt")
    assert wrong.returncode == 1
    assert "✗ a bean above the line raises w" in wrong.stdout
    assert "w moved the wrong way" in _unwrapped(wrong.stdout)
    (workspace / "rosenblatt.py").write_text(RIGHT, encoding="utf-8")
    right = tutor("verify", "rosenblatt")
    assert right.returncode == 0, right.stdout
    assert "all 5 checks pass" in right.stdout
    assert "Traceback" not in starter.stdout + starter.stderr + wrong.stdout + wrong.stderr


def test_verify_without_an_id_checks_every_started_exercise(workspace):
    nothing = tutor("verify")
    assert nothing.returncode == 0
    assert "No exercise started" in nothing.stdout
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "rosenblatt.py").write_text(RIGHT, encoding="utf-8")
    tutor("exercise", "cost-function")  # the starter: fails
    done = tutor("verify")
    assert done.returncode == 1
    assert "rosenblatt  (" in done.stdout and "cost-function  (" in done.stdout
    assert "gradient-descent" not in done.stdout  # not started
    assert "1 of 2 exercises pass" in done.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("verify", "no-such-lesson"), "no lesson 'no-such-lesson'"),
        (("verify", "keras-beans"), "lesson 'keras-beans' has no exercise"),
        (("hint", "no-such-lesson"), "no lesson 'no-such-lesson'"),
        (("solution", "mnist-data"), "has no exercise"),
        (("reset", "regression-mlp"), "has no exercise"),
        (("run", "rosenblatt", "--mine"), "--mine goes with --headless"),
        (("run", "keras-beans", "--headless", "--mine"), "keras-beans has no exercise"),
        (("run", "rosenblatt", "--headless", "--mine"), "does not exist yet"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, words):
    done = tutor(*args)
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_hints_come_one_at_a_time_and_are_remembered():
    first = tutor("hint", "rosenblatt")
    second = tutor("hint", "rosenblatt")
    assert first.returncode == second.returncode == 0
    assert first.stdout.startswith("Hint 1 of 4 for rosenblatt:")
    assert second.stdout.startswith("Hint 2 of 4 for rosenblatt:")
    tutor("hint", "rosenblatt")
    last = tutor("hint", "rosenblatt")
    after = tutor("hint", "rosenblatt")
    assert last.stdout.startswith("Hint 4 of 4") and "last hint" in last.stdout
    assert after.stdout.startswith("Hint 4 of 4")  # the last one again, no further


def test_the_solution_is_refused_until_the_checks_pass_or_the_learner_gives_up(workspace):
    tutor("exercise", "rosenblatt")
    refused = tutor("solution", "rosenblatt")
    assert refused.returncode == 1
    assert "opens when your checks pass (5 of 5 checks fail)" in refused.stderr
    assert "def learn_from_bean" not in refused.stdout
    given_up = tutor("solution", "rosenblatt", "--give-up")
    assert given_up.returncode == 0
    assert "def learn_from_bean(w: float, x: float, y: float, lr: float) -> float:" in given_up.stdout
    (workspace / "rosenblatt.py").write_text(RIGHT, encoding="utf-8")
    earned = tutor("solution", "rosenblatt")
    assert earned.returncode == 0
    assert "error = y - w * x" in earned.stdout


def test_reset_restores_the_starter_and_keeps_the_old_file(workspace):
    tutor("exercise", "rosenblatt")
    path = workspace / "rosenblatt.py"
    starter = path.read_text(encoding="utf-8")
    path.write_text(WRONG_SIGN, encoding="utf-8")
    done = tutor("reset", "rosenblatt")
    assert done.returncode == 0
    assert path.read_text(encoding="utf-8") == starter
    kept = [p for p in workspace.iterdir() if p.name.startswith("rosenblatt.py.") and p.name.endswith(".bak")]
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == WRONG_SIGN
    assert f"Your previous file is kept as {kept[0]}" in done.stdout


def _run_json(tmp_path: Path, name: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / f"{name}.json"
    done = tutor("run", "rosenblatt", "--headless", "--set", "epochs=5", "--json", str(out), *extra)
    data = json.loads(out.read_text(encoding="utf-8"))
    return done, data.get("record", data)


def test_run_mine_trains_with_the_learners_function_even_when_it_is_wrong(workspace, tmp_path):
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "rosenblatt.py").write_text(WRONG_SIGN, encoding="utf-8")
    mine_done, mine = _run_json(tmp_path, "mine", "--mine")
    tutors_done, tutors = _run_json(tmp_path, "tutors")
    assert mine_done.returncode == tutors_done.returncode == 0
    assert "does not pass its checks (4 of 5 fail); running with it anyway" in mine_done.stderr
    assert mine["mine"] is True and tutors["mine"] is False
    assert mine["result"]["w"] < -100 < 1 < tutors["result"]["w"]  # the sign error walks uphill
    (workspace / "rosenblatt.py").write_text(RIGHT, encoding="utf-8")
    right_done, right = _run_json(tmp_path, "right", "--mine")
    assert "warning" not in right_done.stderr
    assert right["result"]["w"] == pytest.approx(tutors["result"]["w"])


def test_watch_rechecks_on_every_save_until_ctrl_c(workspace):
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "tutor", "watch", "rosenblatt"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"},
        preexec_fn=default_sigint,
    )
    output = Output(process.stdout)
    try:
        first = output.until("save to re-check, Ctrl+C to stop")  # printed once the watch has begun
        assert "0 of 5 checks pass" in first
        path = workspace / "rosenblatt.py"
        path.write_text(WRONG_SIGN, encoding="utf-8")
        output.until("1 of 5 checks pass")  # (a save seen half-written first is checked as it was, too)
        assert "w moved the wrong way" in _unwrapped(output.until("many random beans"))
        path.write_text(RIGHT, encoding="utf-8")
        output.until("all 5 checks pass")  # (fails, with what watch printed, if it never comes)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        rest = output.until("Stopped watching.")
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Stopped watching." in rest
    assert "Traceback" not in rest


def test_run_mine_refuses_a_file_that_does_not_load(workspace):
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "rosenblatt.py").write_text("def learn_from_bean(w, x, y, lr):\n    return (\n", encoding="utf-8")
    done = tutor("run", "rosenblatt", "--headless", "--mine")
    assert done.returncode == 2
    assert done.stderr == "tutor: error: --mine: rosenblatt.py:2: syntax error: '(' was never closed\n"


def test_list_shows_exercise_passes_beside_challenge_passes():
    from tutor.progress import ProgressStore

    ProgressStore().mark_exercise_passed("rosenblatt")
    listed = tutor("list")
    assert listed.returncode == 0, listed.stderr
    header = next(line for line in listed.stdout.splitlines() if "exercise" in line)
    column = header.index("exercise")

    def mark(lesson_id: str) -> str:
        row = next(line for line in listed.stdout.splitlines() if f" {lesson_id} " in line)
        return row[column : column + len("exercise")].strip()

    assert mark("rosenblatt") == "✓"  # the learner's code passed its checks
    assert mark("softmax") == "·"  # an exercise not passed yet
    assert mark("mnist-data") == ""  # no exercise


def test_verify_says_a_reason_shared_by_several_checks_once():
    assert tutor("exercise", "rosenblatt").returncode == 0
    verified = tutor("verify", "rosenblatt")
    assert verified.returncode == 1
    assert verified.stdout.count("✗") == 5  # every check is listed...
    assert verified.stdout.count("not written yet") == 1  # ...and why they fail is said once


def test_run_mine_with_a_function_not_written_yet_says_so_instead_of_running():
    assert tutor("exercise", "sigmoid-neuron").returncode == 0
    done = tutor("run", "sigmoid-neuron", "--headless", "--mine")
    assert done.returncode == 2
    assert "sigmoid is not written yet" in done.stderr and "write it first" in done.stderr
    assert "Result" not in done.stdout  # nothing ran
