"""Progress is never lost: many processes at once, damaged stores, odd results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from tutor.progress import RUNS_KEPT, ProgressStore
from tutor.progress.overview import learner_summaries
from tutor.records import RunRecord

PROCESSES = 8

# Each process waits for the "go" file, then records a run and a pass, like a headless
# run finishing: all of them write in the same few milliseconds.
RACER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    index, go = int(sys.argv[1]), Path(sys.argv[2])
    from tutor.progress import ProgressStore
    from tutor.records import RunRecord
    (go.parent / f"ready-{index}").touch()
    while not go.exists():
        time.sleep(0.001)
    store = ProgressStore()
    store.record(RunRecord(lesson="race", params={}, seed=index, status="finished", history=[{"step": 1, "loss": 0.5}]))
    store.mark_passed(f"lesson-{index}")
    store.record(RunRecord(lesson=f"lesson-{index}", params={}, seed=index, status="finished"))
    assert store.warning is None, store.warning
""")


def test_processes_finishing_at_the_same_moment_keep_every_run_and_pass(isolated_home, tmp_path):
    gate = tmp_path / "gate"
    gate.mkdir()
    script = tmp_path / "racer.py"
    script.write_text(RACER)
    racers = [
        subprocess.Popen(
            [sys.executable, str(script), str(index), str(gate / "go")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(PROCESSES)
    ]
    deadline = time.monotonic() + 60  # a hang guard for slow machines
    while len(list(gate.glob("ready-*"))) < PROCESSES and time.monotonic() < deadline:
        time.sleep(0.01)
    (gate / "go").touch()  # release them together
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
    store = ProgressStore()
    assert sorted(run["seed"] for run in store.runs("race")) == list(range(PROCESSES))
    for index in range(PROCESSES):
        assert store.passed(f"lesson-{index}")
        assert [run["seed"] for run in store.runs(f"lesson-{index}")] == [index]


def test_two_stores_open_at_once_both_keep_their_changes(isolated_home):
    # The app holds a store for its whole session while a headless run records a pass.
    app, headless = ProgressStore(), ProgressStore()
    headless.mark_passed("rosenblatt")
    headless.record(RunRecord(lesson="rosenblatt", params={}, seed=0, status="finished"))
    app.record(RunRecord(lesson="adaline", params={}, seed=0, status="stopped"))
    app.set_last_lesson("adaline")
    fresh = ProgressStore()
    assert fresh.passed("rosenblatt") and app.passed("rosenblatt")
    assert fresh.runs("rosenblatt")[0]["status"] == "finished"
    assert fresh.runs("adaline")[0]["status"] == "stopped"
    assert fresh.last_lesson == "adaline"


def test_recent_runs_are_bounded_per_lesson_and_old_lessons_can_be_pruned(isolated_home):
    store = ProgressStore()
    for seed in range(RUNS_KEPT + 7):
        store.record(RunRecord(lesson="busy", params={}, seed=seed))
    store.record(RunRecord(lesson="gone", params={}, seed=1))
    assert [run["seed"] for run in store.runs("busy")] == list(range(7, RUNS_KEPT + 7))
    store.prune(["busy"])
    assert store.runs("gone") == [] and len(store.runs("busy")) == RUNS_KEPT


def test_a_result_json_cannot_hold_is_still_saved(isolated_home):
    import numpy as np

    loop: list = []
    loop.append(loop)
    store = ProgressStore()
    odd = {"w": np.float32(0.5), "a": np.arange(3), "thing": object()}
    store.record(RunRecord(lesson="odd", params={}, seed=0, status="finished", result=odd))
    store.record(RunRecord(lesson="odd", params={}, seed=0, status="finished", result={"loop": loop}))
    first, second = ProgressStore().runs("odd")
    assert first["result"]["w"] == 0.5 and first["result"]["a"] == [0, 1, 2]
    assert first["result"]["thing"].startswith("<object")
    assert second["status"] == "finished" and "could not be saved" in second["result"]["note"]


def test_an_old_progress_json_is_imported_once_and_left_in_place(isolated_home):
    old = {
        "format": 1,
        "passed": {"rosenblatt": "2025-01-02"},
        "last_lesson": "adaline",
        "runs": {"rosenblatt": [{"status": "finished", "seed": 3, "history": [{"step": 1, "loss": 1.0}]}]},
    }
    legacy = isolated_home / "progress.json"
    legacy.write_text("\ufeff" + json.dumps(old), encoding="utf-8")  # a BOM is not damage
    store = ProgressStore()
    assert store.warning is None
    assert store.passed("rosenblatt") and store.last_lesson == "adaline"
    assert store.runs("rosenblatt")[0]["seed"] == 3
    store.record(RunRecord(lesson="rosenblatt", params={}, seed=4))
    assert json.loads(legacy.read_text(encoding="utf-8-sig")) == old  # never lost, never rewritten
    assert [run["seed"] for run in ProgressStore().runs("rosenblatt")] == [3, 4]  # not imported twice


@pytest.mark.parametrize(
    "content",
    [
        b'{"runs": {"rosenblatt": "x"}}',
        b'{"passed": {"a": "2025-01-01"}, "runs": [1, 2]}',
        b'{"runs": {"a": [1, 2, 3]}, "last_lesson": {"x": 1}}',
        b"\xff\xfe not utf-8 \xc3\x28",
        b"[" * 100_000 + b"]" * 100_000,
        b"[1, 2, 3]",
        b"{not json",
    ],
    ids=["runs-not-a-list", "runs-a-list", "ints-and-dict", "invalid-utf8", "deep", "a-list", "not-json"],
)
def test_a_damaged_progress_json_is_set_aside_and_runs_are_still_recorded(isolated_home, content):
    (isolated_home / "progress.json").write_bytes(content)
    store = ProgressStore()
    assert "damaged" in store.warning
    [aside] = isolated_home.glob("progress.json.corrupt-*")
    assert aside.read_bytes() == content  # kept, for the learner to look at
    store.record(RunRecord(lesson="rosenblatt", params={}, seed=0, status="finished"))
    store.mark_passed("rosenblatt")
    again = ProgressStore()
    assert again.warning is None
    assert again.passed("rosenblatt") and again.runs("rosenblatt")[-1]["status"] == "finished"


def test_valid_parts_of_a_damaged_progress_json_are_kept(isolated_home):
    (isolated_home / "progress.json").write_text(
        json.dumps({"passed": {"rosenblatt": "2025-01-01"}, "runs": {"adaline": "x", "rosenblatt": [{"seed": 1}, 5]}})
    )
    store = ProgressStore()
    assert "damaged" in store.warning and "rest was kept" in store.warning
    assert store.passed("rosenblatt") and store.runs("rosenblatt") == [
        {
            "params": None,
            "seed": 1,
            "status": None,
            "history": None,
            "result": None,
            "challenge_met": None,
            "mine": None,
        }
    ]


def test_a_damaged_database_is_set_aside_under_a_unique_name_each_time(isolated_home):
    database = isolated_home / "progress.sqlite3"
    for attempt in range(3):  # three within one second must not overwrite each other
        database.write_bytes(os.urandom(4096) + bytes([attempt]))
        store = ProgressStore()
        assert "damaged" in store.warning
        store.record(RunRecord(lesson="rosenblatt", params={}, seed=attempt))
        assert ProgressStore().runs("rosenblatt")[-1]["seed"] == attempt
        database.unlink()
    assert len(list(isolated_home.glob("progress.sqlite3.corrupt-*"))) == 3


def test_a_database_damaged_while_open_is_set_aside_at_the_next_run(isolated_home):
    store = ProgressStore()
    store.record(RunRecord(lesson="rosenblatt", params={}, seed=1))
    (isolated_home / "progress.sqlite3").write_bytes(b"garbage" * 1000)
    store.record(RunRecord(lesson="rosenblatt", params={}, seed=2))
    assert "damaged" in store.warning
    assert [run["seed"] for run in ProgressStore().runs("rosenblatt")] == [2]


def test_a_foreign_sqlite_file_is_set_aside(isolated_home):
    import sqlite3

    with sqlite3.connect(isolated_home / "progress.sqlite3") as conn:
        conn.execute("CREATE TABLE runs (x)")
    store = ProgressStore()
    assert "damaged" in store.warning
    store.mark_passed("rosenblatt")
    assert ProgressStore().passed("rosenblatt")


def test_a_folder_where_the_database_should_be_keeps_progress_in_memory(isolated_home):
    (isolated_home / "progress.sqlite3").mkdir()
    store = ProgressStore()
    assert "Progress is not being saved" in store.warning
    store.record(RunRecord(lesson="rosenblatt", params={}, seed=0, status="finished"))
    store.mark_passed("rosenblatt")
    assert store.passed("rosenblatt") and store.runs("rosenblatt")[0]["status"] == "finished"
    assert not store.saving


def test_a_store_named_like_the_old_file_does_not_import_itself(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")
    store.mark_passed("rosenblatt")
    again = ProgressStore(tmp_path / "progress.json")
    assert again.warning is None and again.passed("rosenblatt")


def test_runs_of_the_wrong_shape_are_read_as_runs_the_app_can_show(isolated_home):
    # The app plots ``history`` and lists ``params``: ints or text there used to crash it.
    (isolated_home / "progress.json").write_text(
        json.dumps(
            {
                "runs": {
                    "rosenblatt": [
                        {"status": "finished", "history": "x", "params": [1, 2], "seed": True, "result": 5},
                        {"status": 3, "history": [1, {"step": 1, "loss": 0.5}], "challenge_met": "yes"},
                    ]
                }
            }
        )
    )
    first, second = ProgressStore().runs("rosenblatt")
    assert first == {
        "params": None,
        "seed": None,
        "status": "finished",
        "history": None,
        "result": None,
        "challenge_met": None,
        "mine": None,
    }
    assert second["status"] is None and second["history"] == [{"step": 1, "loss": 0.5}]
    assert second["challenge_met"] is None


def test_a_store_reads_and_changes_only_its_own_learners_progress(isolated_home):
    path = isolated_home / "class.sqlite3"
    ana, ben = ProgressStore(path, learner="Ana"), ProgressStore(path, learner="Ben")
    ana.mark_passed("rosenblatt")
    ana.mark_exercise_passed("rosenblatt")
    ana.set_hints_shown("rosenblatt", 2)
    ana.set_last_lesson("rosenblatt")
    ana.record(RunRecord(lesson="old", params={}, seed=1))
    ben.record(RunRecord(lesson="old", params={}, seed=2))
    assert not ben.passed("rosenblatt") and not ben.exercise_passed("rosenblatt")
    assert ben.hints_shown("rosenblatt") == 0 and ben.last_lesson is None
    ben.prune(["rosenblatt"])  # Ben's course no longer has 'old': Ana's run of it stays
    assert ben.runs("old") == [] and [run["seed"] for run in ana.runs("old")] == [1]
    assert ana.exercise_passed("rosenblatt") and ana.hints_shown("rosenblatt") == 2
    overview = {summary.learner: summary for summary in learner_summaries(ProgressStore(path))}
    assert set(overview) == {"Ana", "Ben"}
    assert set(overview["Ana"].exercises) == {"rosenblatt"} and overview["Ben"].exercises == {}
    assert overview["Ana"].runs == {"old": 1} and overview["Ben"].runs == {}
    assert overview["Ana"].last_active and overview["Ben"].last_active


def test_recording_a_run_passes_its_lesson_only_when_the_tutors_own_code_met_the_challenge(isolated_home):
    store = ProgressStore()
    runs = {
        "stopped": RunRecord(lesson="a", params={}, seed=1, status="stopped"),
        "not met": RunRecord(lesson="b", params={}, seed=1, challenge_met=False),
        "mine": RunRecord(lesson="c", params={}, seed=1, challenge_met=True, mine=True),
        "met": RunRecord(lesson="d", params={"lr": 0.5}, seed=1, challenge_met=True),
    }
    assert {name: store.record(run) for name, run in runs.items()} == {
        "stopped": False,
        "not met": False,
        "mine": False,
        "met": True,
    }
    again = ProgressStore()
    assert [again.passed(lesson) for lesson in "abcd"] == [False, False, False, True]
    assert [len(again.runs(lesson)) for lesson in "abcd"] == [1, 1, 1, 1]
    assert again.runs("c")[0]["mine"] is True and again.runs("d")[0]["params"] == {"lr": 0.5}


def test_a_record_is_written_one_way_for_json_and_the_database(isolated_home):
    import numpy as np

    from tutor.records import dumps

    record = RunRecord(lesson="d", params={"lr": np.float32(0.5)}, seed=3, result={"w": np.arange(2), "t": (1, 2)})
    as_json = json.loads(dumps(record.to_json()))
    assert as_json["params"] == {"lr": 0.5} and as_json["result"] == {"w": [0, 1], "t": [1, 2]}
    store = ProgressStore()
    store.record(record)
    [kept] = store.runs("d")
    assert {name: as_json[name] for name in kept} == kept
