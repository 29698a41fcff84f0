"""How long an exercise's checks take, per exercise: the whole ``run_checks`` (the judge started,
the learner's process started confined, NumPy - or TensorFlow, on both sides - imported, every
check run) for the starter and for the reference, confined and, side by side, unconfined.

    python benchmarks/exercise_checks.py [--repeat 3] [--lessons rosenblatt,softmax,...] [--quick]

Prints the median wall time of ``--repeat`` runs of each, and the ratio confined / unconfined
(what the sandbox costs). ``--quick``: rosenblatt only, once.
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

from tutor import sandbox  # noqa: E402
from tutor.course import load_course  # noqa: E402
from tutor.exercises import find_exercise, learner_file, run_checks, standalone_solution, start  # noqa: E402


def timed(exercise, path: Path, repeat: int, confined: bool) -> tuple[float, bool]:
    """Median seconds of ``run_checks``; ``confined=False`` points the judge at no bwrap at all."""
    if confined:
        os.environ.pop(sandbox.BWRAP_ENV, None)
    else:
        os.environ[sandbox.BWRAP_ENV] = "/nonexistent/bwrap"
    seconds, passed = [], False
    try:
        for _ in range(repeat):
            began = time.perf_counter()
            report = run_checks(exercise, path)
            seconds.append(time.perf_counter() - began)
            passed = report.passed
    finally:
        os.environ.pop(sandbox.BWRAP_ENV, None)
    return statistics.median(seconds), passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lessons", help="comma-separated lesson ids (default: every lesson with an exercise)")
    parser.add_argument("--quick", action="store_true", help="rosenblatt only, once")
    args = parser.parse_args()
    if args.quick:
        args.lessons, args.repeat = "rosenblatt", 1
    if sandbox.why_unconfined():
        print(f"note: {sandbox.why_unconfined()} - both columns run unconfined")
    course = load_course()
    wanted = args.lessons.split(",") if args.lessons else [lesson.id for lesson in course.lessons]
    workspace = Path(tempfile.mkdtemp(prefix="tutor-checks-bench-"))
    print(f"{'exercise':22} {'checks':>6} {'starter s':>10} {'reference s':>12} {'unconfined s':>13} {'ratio':>6}")
    for lesson_id in wanted:
        lesson = course.get(lesson_id)
        exercise = find_exercise(lesson)
        if exercise is None:
            continue
        starter_seconds, _ = timed(exercise, start(exercise, workspace), args.repeat, confined=True)
        reference = learner_file(exercise, workspace)
        reference.write_text(standalone_solution(exercise), encoding="utf-8")
        reference_seconds, passed = timed(exercise, reference, args.repeat, confined=True)
        unconfined_seconds, _ = timed(exercise, reference, args.repeat, confined=False)
        checks = len(run_checks(exercise, reference).results)
        note = "" if passed else "  (reference FAILED its checks)"
        ratio = reference_seconds / unconfined_seconds
        print(
            f"{lesson_id:22} {checks:6} {starter_seconds:10.2f} {reference_seconds:12.2f} "
            f"{unconfined_seconds:13.2f} {ratio:6.2f}{note}"
        )


if __name__ == "__main__":
    main()
