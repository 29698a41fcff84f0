"""How soon does Stop end each lesson's routine? (Not a test: it depends on the machine.)

    python benchmarks/stop_latency.py [--after 0.05] [--quick] [LESSON ...]

For every lesson (or those named), the routine runs with its defaults in a
thread, as in the app. ``--after`` seconds after its first epoch report (so
TensorFlow is loaded and training is under way) the Stop flag is set; the
time until ``run_lesson`` returns is printed, with the status. A routine that
finishes before the flag is reported as such (some default runs take less
than 50 ms after their first epoch). Then, for rosenblatt, Stop while the run
is paused (the routine parked at its check wakes up to Stop). The promise is 1 s.

``--quick`` (the test suite's mode): rosenblatt and gradient-descent only.

Measured here (2 cores, --after 0.05): 13 lessons stopped, median 13.8 ms,
max 162.8 ms (random-labels); the other 7 finished first.

The MNIST lessons need the data: TUTOR_DATA_DIR defaults to ../shared/data.
Progress and saved models go to a temporary TUTOR_HOME.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("TUTOR_DATA_DIR", str(HERE.parents[1] / "shared" / "data"))
os.environ.setdefault("TUTOR_HOME", tempfile.mkdtemp(prefix="tutor-bench-stop-"))
os.environ.setdefault("TUTOR_OFFLINE", "1")
sys.path.insert(0, str(HERE.parent))

from tutor.course import load_course  # noqa: E402
from tutor.reporting import Progress  # noqa: E402
from tutor.runner import RunSession, run_lesson  # noqa: E402

QUICK_LESSONS = ["rosenblatt", "gradient-descent"]


def stop_latency(lesson, after: float) -> tuple[str, float | None]:
    """(status, seconds from the flag to the routine's return; None if it finished first)."""
    cancel = threading.Event()
    asked: dict[str, float] = {}
    timer: list[threading.Timer] = []

    def press_stop() -> None:
        asked["at"] = time.perf_counter()
        cancel.set()

    def on_report(report, state) -> None:
        if isinstance(report, Progress) and not timer:
            timer.append(threading.Timer(after, press_stop))
            timer[0].start()

    record = run_lesson(lesson, lesson.resolve({}), None, on_report=on_report, cancel=cancel)
    returned = time.perf_counter()
    for pending in timer:
        pending.cancel()
    if "at" not in asked:
        return record.status, None
    return record.status, returned - asked["at"]


def stop_while_paused(lesson) -> tuple[str, float]:
    """(status, seconds from Stop to the run's end) for a run paused after its first epochs."""
    session = RunSession(lesson, lesson.resolve({"epochs": 2000, "beans": 5000}), 0).start()
    while len(session.state.history) <= 2 and not session.done:
        time.sleep(0.001)
    session.pause()
    while not session.control.waiting and not session.done:
        time.sleep(0.001)
    asked = time.perf_counter()
    record = session.end(grace=30)
    return record.status, time.perf_counter() - asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    parser.add_argument("--after", type=float, default=0.05, help="seconds after the first epoch to press Stop")
    parser.add_argument("--quick", action="store_true", help="two NumPy lessons: only that it runs")
    args = parser.parse_args()
    course = load_course()
    wanted = QUICK_LESSONS if args.quick and not args.lessons else args.lessons
    lessons = [course.get(lesson_id) for lesson_id in wanted] or list(course.lessons)
    latencies = []
    print(f"{'lesson':22} {'backend':7} {'status':9} stop -> return")
    for lesson in lessons:
        status, seconds = stop_latency(lesson, args.after)
        shown = "finished before Stop" if seconds is None else f"{seconds * 1000:7.1f} ms"
        print(f"{lesson.id:22} {lesson.backend:7} {status:9} {shown}", flush=True)
        if seconds is not None:
            latencies.append(seconds)
    if latencies:
        print(
            f"\n{len(latencies)} lessons stopped: median {statistics.median(latencies) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms (promise: 1000 ms)"
        )
    status, seconds = stop_while_paused(course.get("rosenblatt"))
    print(f"rosenblatt paused, then stopped: {status} {seconds * 1000:.1f} ms after Stop (promise: 1000 ms)")


if __name__ == "__main__":
    main()
