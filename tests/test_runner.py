"""The runner and reporter: Stop, divergence, errors, and what never gets imported."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tutor.lessons import load_course
from tutor.reporting import Cancelled, Diverged, Reporter
from tutor.runner import FAILED, STOPPED, run_lesson

COURSE = load_course()
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("lesson_id, overrides", [
    ("rosenblatt", {"epochs": 2000, "beans": 5000}),
    ("gradient-descent", {"epochs": 5000, "beans": 5000}),
    ("cost-surface", {"epochs": 20000, "beans": 5000}),
])
def test_a_routine_stops_within_a_second_of_the_flag(lesson_id, overrides):
    lesson = COURSE.get(lesson_id)
    cancel = threading.Event()
    finished = {}

    def work():
        finished["record"] = run_lesson(lesson, lesson.resolve(overrides), 0, cancel=cancel)
        finished["at"] = time.monotonic()

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(0.3)
    assert worker.is_alive(), "the run should still be going (make it longer)"
    asked = time.monotonic()
    cancel.set()
    worker.join(5)
    assert not worker.is_alive()
    assert finished["at"] - asked < 1.0
    record = finished["record"]
    assert record.status == STOPPED
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


def test_routines_and_domain_code_import_no_user_interface():
    code = (
        "import sys, importlib, pkgutil, tutor.routines, tutor.data\n"
        "import tutor.lessons, tutor.runner, tutor.reporting, tutor.views\n"
        "for package in (tutor.routines, tutor.data):\n"
        "    for info in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(f'{package.__name__}.{info.name}')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'tensorflow', 'keras', 'plotext'))\n"
        "print(bad)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert output.stdout.strip() == "[]"


def test_import_tutor_and_help_stay_light():
    code = "import sys, tutor, tutor.cli; print(sorted(m for m in ('tensorflow', 'keras', 'textual') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"
