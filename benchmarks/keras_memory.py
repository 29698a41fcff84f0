"""Memory of one process over many Keras runs: does it level off?

    python benchmarks/keras_memory.py [--runs 20] [--lesson keras-beans] [--no-clear] [--keep-graphs] [--quick]
    TUTOR_DATA_DIR=../shared/data python benchmarks/keras_memory.py --lesson lenet5 \
        --set train_limit=2000 --set test_limit=1000 --set epochs=2

Runs the lesson again and again in one process (as the app does) and prints
the resident memory after each run. To compare, ``--no-clear`` skips the
per-run ``keras.backend.clear_session()`` that ``start_keras`` does, and
``--keep-graphs`` skips its release of the previous runs' traced gradient
functions (TensorFlow's registry kept every run's training graph alive:
about 10 MB a LeNet-5 run, with no plateau).

``--quick`` (the test suite's mode): two runs of 2 epochs - only that it runs.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tutor import keras_bridge  # noqa: E402
from tutor.course import load_course  # noqa: E402
from tutor.runner import run_lesson  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--lesson", default="keras-beans")
    parser.add_argument("--set", dest="overrides", action="append", default=["epochs=20"])
    parser.add_argument("--no-clear", action="store_true")
    parser.add_argument("--keep-graphs", action="store_true")
    parser.add_argument("--quick", action="store_true", help="two runs of 2 epochs: only that it runs")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.overrides = 2, ["epochs=2"]
    if args.no_clear:
        keras = keras_bridge.import_keras()
        keras.backend.clear_session = lambda *a, **k: None
    if args.keep_graphs:
        from tutor.keras_bridge import runtime

        runtime._release_traced_gradients = lambda: None
    os.environ.setdefault("TUTOR_OFFLINE", "1")
    os.environ.setdefault("TUTOR_HOME", tempfile.mkdtemp(prefix="tutor-memory-"))  # models saved here
    lesson = load_course().get(args.lesson)
    values = lesson.resolve(dict(pair.split("=", 1) for pair in args.overrides))
    sizes = []
    for run in range(1, args.runs + 1):
        record = run_lesson(lesson, values, 0)
        gc.collect()
        sizes.append(rss_mb())
        print(f"run {run:3d}: {record.status:9s} RSS {sizes[-1]:7.1f} MB", flush=True)
    half = len(sizes) // 2
    print(
        f"growth per run over the second half: {(sizes[-1] - sizes[half]) / max(1, len(sizes) - 1 - half):.2f} MB"
        f" ({'no clear_session' if args.no_clear else 'clear_session each run'},"
        f" {'traced graphs kept' if args.keep_graphs else 'traced graphs released'})"
    )


if __name__ == "__main__":
    main()
