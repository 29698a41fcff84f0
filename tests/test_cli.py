"""The command line, end to end through a subprocess, as a user types it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import VALID, tutor


def test_list_shows_lessons_by_chapter_and_progress():
    done = tutor("run", "rosenblatt", "--headless")
    assert done.returncode == 0
    listed = tutor("list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    chapter = next(i for i, line in enumerate(lines) if "One neuron, one weight" in line)
    rosenblatt = next(line for line in lines if "rosenblatt" in line)
    assert lines.index(rosenblatt) > chapter
    assert "numpy" in rosenblatt and "✓" in rosenblatt
    assert "✓" not in next(line for line in lines if "cost-surface" in line)


def test_headless_run_prints_progress_summary_and_plots():
    done = tutor("run", "rosenblatt", "--headless", "--set", "epochs=20")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "20/20" in out  # the progress bar reached the end
    assert "Result" in out and "w " in out  # the summary with final parameters
    assert "Challenge met" in out
    assert "beans" in out and "loss" in out  # the plots' legends / titles
    assert "┤" in out and "└" in out  # the plots' axes


def test_headless_run_writes_json_with_overrides_and_seed(tmp_path):
    target = tmp_path / "out.json"
    args = ("run", "gradient-descent", "--headless", "--set", "method=mini-batch", "--set", "lr=0.2", "--seed", "7")
    done = tutor(*args, "--json", str(target))
    assert done.returncode == 0, done.stderr
    run = json.loads(target.read_text())
    assert run["lesson"] == "gradient-descent" and run["seed"] == 7
    assert run["params"]["method"] == "mini-batch" and run["params"]["lr"] == 0.2
    steps = [point["step"] for point in run["history"]]  # the loss per update, from the start
    assert steps[0] == 0 and steps == sorted(set(steps)) and steps[-1] == run["result"]["updates"]
    assert {"step", "loss", "w"} <= set(run["history"][0])
    assert run["status"] == "finished" and run["challenge_met"] is True
    assert abs(run["result"]["w"] - run["result"]["least_squares_w"]) < 0.02
    assert run["versions"]["numpy"] and run["versions"]["tutor"]
    tutor(*args, "--json", str(tmp_path / "again.json"))
    assert json.loads((tmp_path / "again.json").read_text())["result"] == run["result"]


def test_check_passes_on_the_course():
    done = tutor("check")
    assert done.returncode == 0
    assert "lessons OK" in done.stdout


def test_check_reports_every_problem_with_file_and_line(tmp_path):
    (tmp_path / "good.toml").write_text(VALID)
    (tmp_path / "bad.toml").write_text(
        VALID.replace('id = "demo"', 'id = "bad"').replace("default = 10", "default = 1000")
    )
    (tmp_path / "broken.toml").write_text("id = \n")
    done = tutor("check", str(tmp_path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"{tmp_path / 'bad.toml'}:18: params.epochs.default: 1000 is above the maximum 100" in lines
    assert any(line.startswith(f"{tmp_path / 'broken.toml'}:1: invalid TOML") for line in lines)
    assert len(lines) == 2
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "no-such-lesson", "--headless"], "no lesson 'no-such-lesson' (known: rosenblatt,"),
        (["run", "rosenblatt", "--headless", "--set", "speed=3"], "unknown parameter 'speed' for lesson 'rosenblatt'"),
        (["run", "rosenblatt", "--headless", "--set", "lr=9"], "lr: 9.0 is above the maximum 2.0"),
        (["run", "rosenblatt", "--headless", "--set", "epochs=many"], "epochs: 'many' is not a whole number"),
        (["run", "rosenblatt", "--headless", "--set", "lr"], "--set takes NAME=VALUE, got 'lr'"),
        (["run", "rosenblatt", "--headless", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
        (
            ["run", "rosenblatt", "--headless", "--json", "/no/such/dir/out.json"],
            "the folder /no/such/dir does not exist",
        ),
        (["check", "/no/such/dir"], "'/no/such/dir' is not a folder"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_invalid_input_gives_one_clear_line_and_a_nonzero_exit(args, message):
    done = tutor(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_broken_toml_in_a_lesson_folder_is_one_line_per_problem(tmp_path):
    (tmp_path / "x.toml").write_text("[[[")
    done = tutor("--lessons", str(tmp_path), "run", "x", "--headless")
    assert done.returncode == 2
    assert "no lesson 'x'" in done.stderr and "Traceback" not in done.stderr


def test_diverging_run_exits_nonzero_with_an_explanation(tmp_path):
    done = tutor(
        "run",
        "gradient-descent",
        "--headless",
        "--set",
        "method=mini-batch",
        "--set",
        "lr=5",
        "--json",
        str(tmp_path / "run.json"),
    )
    assert done.returncode == 3
    said = " ".join(done.stdout.split())
    assert "Diverged" in said and "smaller learning rate" in said
    assert json.loads((tmp_path / "run.json").read_text())["status"] == "diverged"


# ---------------------------------------------------------------- watching and not losing a run


def test_json_holds_the_run_s_timeline_bounded_whatever_the_epochs(tmp_path):
    target = tmp_path / "run.json"
    done = tutor("run", "rosenblatt", "--headless", "--set", "epochs=2000", "--json", str(target))
    assert done.returncode == 0, done.stderr
    frames = json.loads(target.read_text())["frames"]
    steps = [frame["step"] for frame in frames]
    assert steps[0] == 0 and steps[-1] == 2000 and steps == sorted(steps)  # from epoch 0, where w starts
    assert 250 <= len(frames) <= 501
    # Each frame lists the views that changed: rosenblatt's line moves every epoch.
    assert all(set(frame["views"]) == {"fit"} for frame in frames)
    assert frames[0]["views"]["fit"]["title"].startswith("epoch 0:")


def test_live_headless_plays_the_run_back_in_place(tmp_path):
    # As in a terminal (TTY_COMPATIBLE): the plots are redrawn in place as the playback goes.
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "NO_COLOR": "1", "TTY_COMPATIBLE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tutor",
            "run",
            "rosenblatt",
            "--headless",
            "--live",
            "--speed",
            "fast",
            "--set",
            "epochs=40",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    import re

    # Each redraw is captioned with the run's story, as the app's status line tells it.
    shown = [int(step) for step in re.findall(r"Replay epoch (\d+)/40 ", done.stdout)]
    assert shown[0] <= 1 and shown == sorted(shown)  # from the start (epoch 0), forwards
    assert done.stdout.rindex("Finished: challenge met") > done.stdout.rindex("Replay epoch")  # and to its end
    assert len(set(shown)) >= 5  # a quick run is played, not jumped to its end


def test_a_closed_output_pipe_loses_nothing(tmp_path):
    target = tmp_path / "run.json"
    shell = (
        f"{sys.executable} -m tutor run rosenblatt --headless --set epochs=300 --json {target} | head -2;"
        " exit ${PIPESTATUS[0]}"
    )
    done = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"}
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert json.loads(target.read_text())["status"] == "finished"
    from tutor.progress import ProgressStore

    assert ProgressStore().passed("rosenblatt")


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["run", "rosenblatt", "--headless", "--seed", str(10**20)],
            "--seed must be a whole number from 0 to 4294967295",
        ),
        (["run", "rosenblatt", "--live"], "--live goes with --headless"),
        (["serve", "--port", "99999"], "--port must be from 1 to 65535, got 99999"),
        (["serve", "--port", "-1"], "--port must be from 1 to 65535, got -1"),
        (["serve", "--host", "no.such.host.invalid"], "is not an address this machine can listen on"),
    ],
)
def test_more_bad_input_gives_one_clear_line(args, message):
    done = tutor(*args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_on_a_port_in_use_says_so_in_one_line():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = tutor("serve", "--host", "127.0.0.1", "--port", str(port))
    assert done.returncode == 2
    assert done.stderr.strip() == f"tutor: error: cannot listen on 127.0.0.1:{port}: it is already in use"


def test_list_survives_an_ascii_terminal_and_no_width():
    for env in ({"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0"}, {"COLUMNS": "0"}):
        done = subprocess.run(
            [sys.executable, "-m", "tutor", "list"],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, (env, done.stderr)
        assert "rosenblatt" in done.stdout, env
