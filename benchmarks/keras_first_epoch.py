"""Run -> first epoch of a Keras lesson, cold and prepared, side by side in one run.

    python benchmarks/keras_first_epoch.py [--lessons keras-basics,keras-beans] [--repeats 3] [--open 10|ready]
    python benchmarks/keras_first_epoch.py --quick      # what tests/test_run_worker.py runs

A run of a Keras lesson runs in a worker process (tutor/run_worker). *Cold*: no worker is
prepared, so Run starts one and it imports TensorFlow first (as ``tutor run --headless``
does). *Prepared*: the app calls ``runner.prepare(lesson, values)`` when a Keras lesson opens
(a worker imports TensorFlow and rehearses the run up to its first epoch); here the lesson is
"open" ``--open`` seconds (a learner reading it) before Run, or until its worker is ready
(``--open ready``: how long that took is printed - TensorFlow's import is 5-7 s on a quiet
machine, several times that on a busy one). The time is from
``RunSession.start()`` to the first epoch folded into the run's state in this process (what
the app draws next). Cold and prepared alternate ``--repeats`` times; medians and their
ratio are printed, with the load average (the machine is shared: compare within one run).

This process never imports TensorFlow (it is checked at the end).

``--quick``: one small run of keras-basics each way, the lesson open until its worker is
ready (TensorFlow loaded, the run rehearsed) rather than a fixed time; it checks that everything starts and says what it
measured, for the test suite (no timing is asserted there).
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
os.environ.setdefault("TUTOR_HOME", tempfile.mkdtemp(prefix="tutor-first-epoch-"))

from tutor import runner  # noqa: E402
from tutor.course import load_course  # noqa: E402
from tutor.reporting import Progress  # noqa: E402
from tutor.run_worker import prepared  # noqa: E402


def first_epoch_seconds(lesson, values) -> tuple[float, str, list[str]]:
    """Seconds from Run to the first epoch in the run's state; the run's status and notes."""
    session = runner.RunSession(lesson, values, 0)
    first: list[float] = []
    apply = session.state.apply

    def timed_apply(report) -> None:
        # An epoch's own report (recorded), not a frame before or inside one (reporter.frame).
        if not first and isinstance(report, Progress) and report.unit == "epoch" and report.record:
            first.append(time.perf_counter())
        apply(report)

    session.state.apply = timed_apply  # type: ignore[method-assign]
    began = time.perf_counter()
    session.start()
    session.wait()
    record = session.record
    if not first:
        raise SystemExit(f"{lesson.id}: no epoch reported ({record.status}: {record.error})")
    return first[0] - began, record.status, session.state.snapshot().notes


def measure(lesson, values, *, prepare: bool, open_seconds: float | None) -> tuple[float, bool]:
    """One run: (seconds to its first epoch, whether it said it was loading TensorFlow)."""
    runner.prepare(None)  # no worker left from before
    if prepare:
        runner.prepare(lesson, values)
        worker = prepared.prepared()
        opened = time.perf_counter()
        if open_seconds is None:
            if worker is None or not worker.wait_until_ready(600):
                raise SystemExit("the prepared worker did not load TensorFlow")
            print(f"  {lesson.id:13s} prepared: ready {time.perf_counter() - opened:.1f} s after the lesson opened")
        else:
            time.sleep(open_seconds)  # the learner reads the lesson
    seconds, status, notes = first_epoch_seconds(lesson, values)
    runner.prepare(None)  # the next measurement starts from nothing
    waited = any("Loading TensorFlow" in note for note in notes)
    print(
        f"  {lesson.id:13s} {'prepared' if prepare else 'cold':8s} first epoch after {seconds:5.2f} s"
        f"{'  (waited for TensorFlow)' if waited else ''}  [{status}]",
        flush=True,
    )
    return seconds, waited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", default="keras-basics,keras-beans")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--open", default="10", help="seconds the lesson is open before Run, or 'ready'")
    parser.add_argument("--quick", action="store_true", help="one small run each way (the test suite's)")
    args = parser.parse_args()
    course = load_course()
    if args.quick:
        plan = [(course.get("keras-basics"), {"epochs": 2, "points": 40})]
        repeats, open_seconds = 1, None
    else:
        plan = [(course.get(lesson_id), {}) for lesson_id in args.lessons.split(",")]
        repeats, open_seconds = args.repeats, None if args.open == "ready" else float(args.open)
    print(f"Run -> first epoch, cold and prepared ({repeats} each, load {os.getloadavg()[0]:.1f})")
    for lesson, overrides in plan:
        values = lesson.resolve(overrides)
        cold, warm = [], []
        for _ in range(repeats):
            cold.append(measure(lesson, values, prepare=False, open_seconds=open_seconds)[0])
            warm.append(measure(lesson, values, prepare=True, open_seconds=open_seconds)[0])
        cold_median, warm_median = statistics.median(cold), statistics.median(warm)
        print(
            f"{lesson.id}: cold {cold_median:.2f} s, prepared {warm_median:.2f} s "
            f"(median of {repeats}): prepared is {cold_median / warm_median:.1f}x faster"
        )
    loaded = "tensorflow" in sys.modules
    print(f"TensorFlow in this process: {'yes (wrong)' if loaded else 'no'}")
    if loaded:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
