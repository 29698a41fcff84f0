"""How much does the tutor add to a LeNet-5 epoch? Headless tutor vs a plain Keras script.

Both sides train the same LeNet-5 (``tutor.routines.lenet5.lenet5``) on the
same full MNIST training set, with the same optimizer, batch size, seed and
per-epoch test evaluation. The tutor side is the real headless path,
``run_headless`` (its progress display drawn into a throw-away console), with
the routine's per-batch Stop checks, progress reports and per-epoch view
updates, in the run's worker process as always for a Keras lesson; the plain
side is in this process. Epochs end, on the tutor's side, when the run's state
receives their report; CPU time counts the worker's. The plain side is ``model.fit`` with one callback that
only notes the time.

An epoch's time is taken between the end of epoch 1 and the end of the last
epoch (so tracing and the first epoch's warm-up are left out), divided by
the number of epochs in between. The two sides alternate ``--repeats``
times; the ratios of the medians, of the best runs and of the process CPU
time per epoch are printed. On a shared machine a busy neighbour moves
single runs by +-25%, so the script also times the tutor's own per-epoch
work directly (the progress display and the view updates), which does not
depend on the neighbours.

Usage (needs the MNIST files; TUTOR_DATA_DIR defaults to ../shared/data):

    python benchmarks/lenet5_overhead.py [--epochs 3] [--repeats 2] [--train-limit N] [--quick]

``--quick`` (the test suite's mode): 2 epochs on 1,000 images, once each - only that it runs.

Target: ratio (tutor / plain) <= 1.05.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TUTOR_DATA_DIR", str(ROOT.parent / "shared" / "data"))
os.environ.setdefault("TUTOR_HOME", tempfile.mkdtemp(prefix="tutor-bench-"))
os.environ.setdefault("TUTOR_OFFLINE", "1")

from _processes import cpu_seconds_under  # noqa: E402  (benchmarks/_processes.py)
from rich.console import Console  # noqa: E402

from tutor import headless  # noqa: E402
from tutor.course import load_course  # noqa: E402
from tutor.data.images import load_images  # noqa: E402
from tutor.keras_bridge import import_keras, seed_everything  # noqa: E402
from tutor.progress import ProgressStore  # noqa: E402
from tutor.reporting import Progress  # noqa: E402
from tutor.routines._images_common import as_inputs, first, one_hot, optimizer_for  # noqa: E402
from tutor.routines.lenet5 import INPUT_SHAPE, lenet5  # noqa: E402
from tutor.run_state import RunState  # noqa: E402
from tutor.runner import Params  # noqa: E402

QUICK = {"epochs": 2, "repeats": 1, "train_limit": 1000, "test_limit": 200}


def bench_model_path() -> str:
    """The benchmark saves its models in a temporary folder, never over the learner's own."""
    return str(Path(tempfile.mkdtemp(prefix="tutor-bench-model-")) / "lenet5.keras")


def now() -> tuple[float, float]:
    """Wall-clock and CPU time: this process's (all threads) and its children's as they run (a
    Keras lesson trains in the run's worker process)."""
    return time.perf_counter(), time.process_time() + cpu_seconds_under(os.getpid())


def steady_epoch_seconds(ends: list[tuple[float, float]]) -> tuple[float, float]:
    """(wall, CPU) seconds per epoch from when epochs ended, leaving out the first (warm-up) epoch."""
    if len(ends) < 2:
        raise SystemExit("need at least 2 epochs to leave out the warm-up one")
    epochs = len(ends) - 1
    return (ends[-1][0] - ends[0][0]) / epochs, (ends[-1][1] - ends[0][1]) / epochs


class HookClock:
    """Adds up the time the tutor's own work in this process takes during a run: the progress
    display's drawing (the view updates between epochs are the worker's, inside its epochs).
    Measured directly, it does not depend on how busy the machine is.
    """

    def __init__(self) -> None:
        self.seconds = 0.0

    def timed(self, function):
        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began

        return wrapper


@contextlib.contextmanager
def epoch_clock(hooks: HookClock) -> Iterator[list[tuple[float, float]]]:
    """When each epoch of a run ends: as the run's state receives the epoch's report (relayed from
    the run's worker process, where a Keras lesson trains)."""
    original = RunState.apply

    def noting_epochs(state, report):
        if isinstance(report, Progress) and report.record and not report.frame:
            ends.append(now())
        return original(state, report)

    ends: list[tuple[float, float]] = []
    RunState.apply = noting_epochs  # type: ignore[method-assign]
    try:
        yield ends
    finally:
        RunState.apply = original  # type: ignore[method-assign]


def tutor_epoch(lesson, values: dict, seed: int, hooks: HookClock | None = None) -> tuple[float, float]:
    """The lenet5 lesson exactly as `tutor run lenet5 --headless` runs it."""
    hooks = hooks or HookClock()
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    store = ProgressStore(Path(tempfile.mkdtemp(prefix="tutor-bench-progress-")) / "progress.json")
    drawing = headless.ProgressDisplay.update
    headless.ProgressDisplay.update = hooks.timed(drawing)  # the display's own work, in the main thread
    try:
        with epoch_clock(hooks) as ends:
            code = headless.run_headless(lesson, values, seed, console=console, store=store)
    finally:
        headless.ProgressDisplay.update = drawing
    if code != 0:
        raise SystemExit(f"the tutor run did not finish (exit code {code}):\n{console.file.getvalue()[-2000:]}")
    return steady_epoch_seconds(ends)


def plain_epoch(values: dict, seed: int) -> tuple[float, float]:
    """A plain Keras script: load, scale, one-hot, compile, fit - nothing else."""
    keras = import_keras()
    (x_train, y_train), (x_test, y_test) = load_images("mnist")
    x_train, y_train = first(x_train, y_train, values["train_limit"])
    x_test, y_test = first(x_test, y_test, values["test_limit"])
    x_train, x_test = as_inputs(x_train, INPUT_SHAPE), as_inputs(x_test, INPUT_SHAPE)
    y_train, y_test = one_hot(y_train), one_hot(y_test)
    seed_everything(seed)
    model = lenet5(keras)
    model.compile(
        optimizer=optimizer_for(keras, Params(values, seed), len(x_train)),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    ends: list[tuple[float, float]] = []
    clock = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(now()))
    model.fit(
        x_train,
        y_train,
        batch_size=values["batch_size"],
        epochs=values["epochs"],
        validation_data=(x_test, y_test),
        shuffle=True,
        verbose=0,
        callbacks=[clock],
    )
    return steady_epoch_seconds(ends)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (the first is left out)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each side, alternating")
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--train-limit", type=int, default=0, help="training images (0: all 60,000)")
    parser.add_argument("--test-limit", type=int, default=0, help="test images (0: all 10,000)")
    parser.add_argument("--quick", action="store_true", help="2 epochs on 1,000 images, once: only that it runs")
    args = parser.parse_args()
    if args.quick:
        vars(args).update(QUICK)

    lesson = load_course().get("lenet5")
    values = lesson.resolve(
        {
            "preset": args.preset,
            "epochs": str(args.epochs),
            "train_limit": str(args.train_limit),
            "test_limit": str(args.test_limit),
            "model": bench_model_path(),
        }
    )
    seed = lesson.seed
    print(
        f"lenet5, preset {args.preset}: optimizer {values['optimizer']}, lr {values['lr']}, decay {values['decay']}, "
        f"batch {values['batch_size']}, {args.epochs} epochs per run, {args.train_limit or 'all'} training images, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    import_keras()  # both sides pay TensorFlow's import before their clocks start
    tutor, plain, tutor_cpu, plain_cpu, hook_share = [], [], [], [], []
    for repeat in range(args.repeats):
        wall, cpu = plain_epoch(values, seed)
        plain.append(wall)
        plain_cpu.append(cpu)
        print(f"  run {repeat + 1}: plain Keras {wall:.3f} s/epoch, CPU {cpu:.2f} s/epoch", flush=True)
        hooks = HookClock()
        wall, cpu = tutor_epoch(lesson, values, seed, hooks)
        tutor.append(wall)
        tutor_cpu.append(cpu)
        hook_share.append(hooks.seconds / args.epochs / wall)
        print(
            f"  run {repeat + 1}: tutor       {wall:.3f} s/epoch, CPU {cpu:.2f} s/epoch "
            f"(its own work: {1000 * hooks.seconds / args.epochs:.0f} ms/epoch)",
            flush=True,
        )
    med = statistics.median
    print(
        f"plain Keras: {med(plain):.3f} s/epoch (median of {len(plain)}, best {min(plain):.3f}), "
        f"CPU {med(plain_cpu):.2f} s/epoch"
    )
    print(
        f"tutor:       {med(tutor):.3f} s/epoch (median of {len(tutor)}, best {min(tutor):.3f}), "
        f"CPU {med(tutor_cpu):.2f} s/epoch"
    )
    print(
        f"ratio tutor/plain: {med(tutor) / med(plain):.3f} median, {min(tutor) / min(plain):.3f} best-of, "
        f"{med(tutor_cpu) / med(plain_cpu):.3f} CPU time  (target <= 1.05)"
    )
    print(
        f"the tutor's own work per epoch: {100 * med(hook_share):.2f}% of an epoch "
        f"(the progress display, timed directly)  load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
