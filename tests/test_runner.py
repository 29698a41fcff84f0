"""The runner and reporter: Stop, divergence, errors, and what never gets imported."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tutor.course import load_course
from tutor.reporting import Cancelled, Diverged, Note, Progress, Reporter
from tutor.runner import FAILED, STOPPED, run_lesson

COURSE = load_course()
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "lesson_id, overrides",
    [
        ("rosenblatt", {"epochs": 2000, "beans": 5000}),
        ("gradient-descent", {"epochs": 5000, "beans": 5000}),
        ("cost-surface", {"epochs": 20000, "beans": 5000}),
    ],
)
def test_a_routine_stops_at_its_next_check_after_the_flag(lesson_id, overrides):
    # Stop within a second follows from checking every epoch (an epoch here is
    # milliseconds): after the flag, the run must not report one more epoch.
    lesson = COURSE.get(lesson_id)
    cancel = threading.Event()
    reported = []

    def press_stop_at_the_third_report(report, state):
        if isinstance(report, Progress) and report.record:
            reported.append(report.step)
            if len(reported) == 3:
                cancel.set()

    record = run_lesson(lesson, lesson.resolve(overrides), 0, on_report=press_stop_at_the_third_report, cancel=cancel)
    assert record.status == STOPPED
    assert [point["step"] for point in record.history] == reported[:3] == reported
    assert record.challenge_met is None


def test_reporter_raises_when_cancelled_and_on_nan():
    reporter = Reporter()
    reporter.progress(1, 2, loss=0.5)
    with pytest.raises(Diverged, match="loss became nan at epoch 2"):
        reporter.progress(2, 2, loss=float("nan"))
    reporter.cancel_event.set()
    with pytest.raises(Cancelled):
        reporter.check_cancelled()


def test_a_routine_error_becomes_a_failed_record_with_traceback(monkeypatch):
    lesson = COURSE.get("rosenblatt")

    def broken(params, reporter):
        reporter.progress(1, 3, loss=1.0)
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(type(lesson), "load_routine", lambda self: broken)
    record = run_lesson(lesson, lesson.resolve({}), 0)
    assert record.status == FAILED
    assert record.error == "ZeroDivisionError: boom"
    assert "Traceback" in record.traceback
    assert record.history == [{"step": 1, "loss": 1.0}]


def routine_line(record) -> int:
    """The last line of this file in the record's traceback: where the routine was when it failed."""
    lines = [line for line in record.traceback.splitlines() if "test_runner.py" in line]
    assert lines, record.traceback
    return int(lines[-1].split("line ")[1].split(",")[0])


def test_a_misspelled_view_kind_fails_the_run_at_the_routine_line_that_sent_it(monkeypatch):
    lesson = COURSE.get("rosenblatt")

    def misspelled(params, reporter):
        reporter.progress(1, 3, loss=1.0)
        reporter.view("surfce", x=[0, 1], y=[0, 1], z=[[0, 1], [1, 0]])  # the bug
        return {}

    monkeypatch.setattr(type(lesson), "load_routine", lambda self: misspelled)
    record = run_lesson(lesson, lesson.resolve({}), 0)
    assert record.status == FAILED
    assert record.error.startswith("ValueError: reporter.view('surfce', ...): there is no view 'surfce'")
    assert "surface," in record.error  # the known kinds, to spot the typo
    bug = misspelled.__code__.co_firstlineno + 2
    assert routine_line(record) == bug


def test_a_view_missing_a_required_key_fails_the_run_naming_the_kind_and_the_key(monkeypatch):
    lesson = COURSE.get("rosenblatt")

    def forgetful(params, reporter):
        reporter.view("cost", x=[0.0, 1.0, 2.0], title="no y")  # the bug
        return {}

    monkeypatch.setattr(type(lesson), "load_routine", lambda self: forgetful)
    record = run_lesson(lesson, lesson.resolve({}), 0)
    assert record.status == FAILED
    assert (
        record.error
        == "TypeError: reporter.view('cost', ...) is missing 'y': a cost view needs x, y (see tutor/views.py)"
    )
    assert routine_line(record) == forgetful.__code__.co_firstlineno + 1


def test_every_kind_of_view_is_accepted_with_its_required_keys_and_refused_without_one():
    from tutor.views import VIEWS

    for kind, view in VIEWS.items():
        Reporter().view(kind, **dict.fromkeys(view.required, []))  # all it needs: accepted
        for key in view.required:
            with pytest.raises(TypeError, match=f"reporter.view\\('{kind}', ...\\) is missing '{key}'"):
                Reporter().view(kind, **{other: [] for other in view.required if other != key})


@pytest.mark.parametrize(
    "backend, loaded, said", [("keras", False, True), ("keras", True, False), ("numpy", False, False)]
)
def test_a_keras_run_reports_loading_tensorflow_before_its_routine_waits_for_it(monkeypatch, backend, loaded, said):
    import dataclasses

    import tutor.runner as runner
    from tutor.keras_status import LOADING_MESSAGE

    monkeypatch.setattr(runner, "tensorflow_loaded", lambda: loaded)
    lesson = dataclasses.replace(COURSE.get("rosenblatt"), backend=backend)
    reports = []

    def routine(params, reporter):
        reports.append("routine starts")
        return {}

    monkeypatch.setattr(type(lesson), "load_routine", lambda self: routine)
    run_lesson(lesson, lesson.resolve({}), 0, on_report=lambda report, state: reports.append(report))
    assert reports == ([Note(LOADING_MESSAGE)] if said else []) + ["routine starts"]


def test_routines_and_domain_code_import_no_user_interface():
    code = (
        "import sys, importlib, pkgutil, tutor.routines, tutor.data\n"
        "import tutor.course, tutor.runner, tutor.reporting, tutor.views\n"
        "for package in (tutor.routines, tutor.data):\n"
        "    for info in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(f'{package.__name__}.{info.name}')\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('textual', 'rich', 'tensorflow', 'keras', 'plotext'))\n"
        "print(bad)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert output.stdout.strip() == "[]"


def test_import_tutor_and_help_stay_light():
    # `tutor --help` parses before it imports anything heavy (benchmarks/cli_startup.py times it),
    # in Chinese too (its words come from the catalogue, its wrapping measures wide characters).
    code = (
        "import contextlib, io, sys, tutor, tutor.cli\n"
        "for argv in (['--help'], ['--lang', 'zh', '--help'], ['--lang', 'zh', 'run', '--help']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "        tutor.cli.main(argv)\n"
        "heavy = ('tensorflow', 'keras', 'textual', 'numpy', 'tutor.course', 'tutor.exercises')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_params_keep_the_mapping_contract_and_agree_both_ways():
    from tutor.runner import Params

    params = Params({"lr": 0.5, "epochs": 3}, seed=7)
    assert dict(params) == {"lr": 0.5, "epochs": 3}
    assert list(params.values()) == [0.5, 3] and list(params.items()) == [("lr", 0.5), ("epochs", 3)]
    assert params.lr == params["lr"] == 0.5 and params.get("missing", 1) == 1
    assert params.seed == 7 and params.rng.integers(1 << 30) == Params({}, seed=7).rng.integers(1 << 30)
    with pytest.raises(AttributeError):
        params.missing  # noqa: B018


def test_a_result_that_cannot_be_saved_fails_the_run_with_a_clear_message(monkeypatch):
    lesson = COURSE.get("rosenblatt")
    monkeypatch.setattr(type(lesson), "load_routine", lambda self: lambda params, reporter: {"where": Path(".")})
    record = run_lesson(lesson, lesson.resolve({}), 0)
    assert record.status == FAILED
    assert "the routine's result cannot be saved" in record.error and "PosixPath" in record.error
