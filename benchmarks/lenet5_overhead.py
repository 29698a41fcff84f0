"""How much does the tutor add to a LeNet-5 epoch? Headless tutor vs a plain Keras script.

Both sides train the same LeNet-5 (``tutor.routines.lenet5.lenet5``) on the
same full MNIST training set, with the same optimizer, batch size, seed and
per-epoch test evaluation, in this one process. The tutor side is the real
headless path: ``run_lesson`` in a worker thread feeding the headless
renderer (rich progress bar into a throw-away console), with the routine's
per-batch Stop checks, progress reports and per-epoch view updates. The plain
side is ``model.fit`` with one callback that only notes the time.

An epoch's time is taken between the end of epoch 1 and the end of the last
epoch (so tracing and the first epoch's warm-up are left out), divided by
the number of epochs in between. The two sides alternate ``--repeats``
times; the ratios of the medians, of the best runs and of the process CPU
time per epoch are printed. On a shared machine a busy neighbour moves
single runs by +-25%, so the script also times the tutor's own per-epoch
work directly (renderer and view updates), which does not depend on the
neighbours.

Usage (needs the MNIST files; TUTOR_DATA_DIR defaults to ../shared/data):

    python benchmarks/lenet5_overhead.py [--epochs 3] [--repeats 2]

Target: ratio (tutor / plain) <= 1.05.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TUTOR_DATA_DIR", str(ROOT.parent / "shared" / "data"))
os.environ.setdefault("TUTOR_HOME", tempfile.mkdtemp(prefix="tutor-bench-"))
os.environ.setdefault("TUTOR_OFFLINE", "1")

from rich.console import Console  # noqa: E402

from tutor.course import load_course  # noqa: E402
from tutor.data.images import load_images  # noqa: E402
from tutor.headless import HeadlessRenderer  # noqa: E402
from tutor.keras_bridge import import_keras, seed_everything  # noqa: E402
from tutor.reporting import Progress  # noqa: E402
from tutor.routines._images_common import as_inputs, cosine_decay, make_optimizer, one_hot  # noqa: E402
from tutor.routines.lenet5 import INPUT_SHAPE, lenet5  # noqa: E402
from tutor.runner import RunState, run_lesson  # noqa: E402


def bench_model_path() -> str:
    """The benchmark saves its models in a temporary folder, never over the learner's own."""
    return str(Path(tempfile.mkdtemp(prefix="tutor-bench-model-")) / "lenet5.keras")


def now() -> tuple[float, float]:
    """Wall-clock and process CPU time (all threads: TensorFlow's, the UI's, the tutor's)."""
    return time.perf_counter(), time.process_time()


def steady_epoch_seconds(ends: list[tuple[float, float]]) -> tuple[float, float]:
    """(wall, CPU) seconds per epoch from when epochs ended, leaving out the first (warm-up) epoch."""
    if len(ends) < 2:
        raise SystemExit("need at least 2 epochs to leave out the warm-up one")
    epochs = len(ends) - 1
    return (ends[-1][0] - ends[0][0]) / epochs, (ends[-1][1] - ends[0][1]) / epochs


class HookClock:
    """Adds up the time the tutor's own per-epoch work takes inside a run.

    That is the renderer's handling of every report (batch and epoch progress,
    notes, views) and the routine's view updates between epochs (``on_view``:
    predictions for the grid, LeNet's filters and feature maps). Measured
    directly, it does not depend on how busy the machine is.
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


def tutor_epoch(lesson, values: dict, seed: int, hooks: HookClock | None = None) -> tuple[float, float]:
    """The lenet5 lesson exactly as `tutor run lenet5 --headless` runs it."""
    import tutor.routines.lenet5 as bridge  # the routine calls its own imported name reporter_callback

    hooks = hooks or HookClock()
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    renderer = HeadlessRenderer(console, lesson)
    ends: list[tuple[float, float]] = []

    @hooks.timed
    def on_report(report, state) -> None:
        if isinstance(report, Progress) and report.record:
            ends.append(now())
        renderer.on_report(report, state)

    original_callback = bridge.reporter_callback

    def timed_callback(*args, on_view=None, **kwargs):
        return original_callback(*args, on_view=hooks.timed(on_view) if on_view else None, **kwargs)

    outcome = {}
    worker = threading.Thread(
        target=lambda: outcome.setdefault(
            "record", run_lesson(lesson, values, seed, state=RunState(), on_report=on_report)
        )
    )
    bridge.reporter_callback = timed_callback
    try:
        with renderer.bar:
            worker.start()
            worker.join()
    finally:
        bridge.reporter_callback = original_callback
    record = outcome["record"]
    if record.status != "finished":
        raise SystemExit(f"the tutor run did not finish: {record.status} {record.error}")
    return steady_epoch_seconds(ends)


def plain_epoch(values: dict, seed: int) -> tuple[float, float]:
    """A plain Keras script: load, scale, one-hot, compile, fit - nothing else."""
    keras = import_keras()
    (x_train, y_train), (x_test, y_test) = load_images("mnist")
    x_train, x_test = as_inputs(x_train, INPUT_SHAPE), as_inputs(x_test, INPUT_SHAPE)
    y_train, y_test = one_hot(y_train), one_hot(y_test)
    seed_everything(seed)
    model = lenet5(keras)
    steps = values["epochs"] * -(-len(x_train) // values["batch_size"])
    lr = cosine_decay(keras, values["lr"], steps) if values["decay"] else values["lr"]
    model.compile(
        optimizer=make_optimizer(keras, values["optimizer"], lr), loss="categorical_crossentropy", metrics=["accuracy"]
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
    args = parser.parse_args()

    lesson = load_course().get("lenet5")
    values = lesson.resolve({"preset": args.preset, "epochs": str(args.epochs), "model": bench_model_path()})
    seed = lesson.seed
    print(
        f"lenet5, preset {args.preset}: optimizer {values['optimizer']}, lr {values['lr']}, decay {values['decay']}, "
        f"batch {values['batch_size']}, {args.epochs} epochs per run, full MNIST, load {os.getloadavg()[0]:.2f}"
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
        f"(renderer + view updates, timed directly)  load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
