"""How long an exercise's checks take, per exercise: the whole ``run_checks`` (a worker process
started, NumPy and the routine imported, every check run) for the starter and for the reference.

    python benchmarks/exercise_checks.py [--repeat 3] [--lessons rosenblatt,softmax,...] [--quick]

Prints the median wall time of ``--repeat`` runs of each. The Keras exercises import
TensorFlow in the worker, so theirs are dominated by that import. ``--quick`` (the test
suite's mode): rosenblatt's, once - only that it runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tutor.course import load_course  # noqa: E402
from tutor.exercises import find_exercise, learner_file, run_checks, start  # noqa: E402


def timed(exercise, path: Path, repeat: int) -> tuple[float, bool]:
    seconds, passed = [], False
    for _ in range(repeat):
        began = time.perf_counter()
        report = run_checks(exercise, path)
        seconds.append(time.perf_counter() - began)
        passed = report.passed
    return statistics.median(seconds), passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lessons", help="comma-separated lesson ids (default: every lesson with an exercise)")
    parser.add_argument("--quick", action="store_true", help="rosenblatt's checks, once: only that it runs")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.lessons = 1, "rosenblatt"
    course = load_course()
    wanted = args.lessons.split(",") if args.lessons else [lesson.id for lesson in course.lessons]
    workspace = Path(tempfile.mkdtemp(prefix="tutor-checks-bench-"))
    print(f"{'exercise':22} {'checks':>6} {'starter s':>10} {'reference s':>12}")
    for lesson_id in wanted:
        lesson = course.get(lesson_id)
        exercise = find_exercise(lesson)
        if exercise is None:
            continue
        starter_seconds, _ = timed(exercise, start(exercise, workspace), args.repeat)
        reference = learner_file(exercise, workspace)
        module = lesson.routine.partition(":")[0]
        reference.write_text(f"from {module} import {', '.join(exercise.functions)}\n", encoding="utf-8")
        reference_seconds, passed = timed(exercise, reference, args.repeat)
        checks = len(run_checks(exercise, reference).results)
        note = "" if passed else "  (reference FAILED its checks)"
        print(f"{lesson_id:22} {checks:6} {starter_seconds:10.2f} {reference_seconds:12.2f}{note}")


if __name__ == "__main__":
    main()
