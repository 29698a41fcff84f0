"""Does the Textual app slow LeNet-5 down? An epoch in the app vs the same epoch headless.

The app side opens the real app headlessly (``App.run_test``), with the
lenet5 lesson started at once (``autorun``) and its views redrawn as the
run reports (the Views tab is shown while a run goes). The headless side is
the same path as ``tutor run lenet5 --headless`` (see lenet5_overhead.py).
Same model, data, settings and seed, in this one process.

An epoch's time is taken from the run's own progress reports: between the
end of epoch 1 and the end of the last epoch, divided by the epochs in
between (tracing and warm-up left out). The two sides alternate
``--repeats`` times; the ratios of the medians, of the best runs and of
the process CPU time per epoch are printed, with how busy the app's own thread (Textual's event loop) was -
CPU it takes from TensorFlow on a 2-core machine.

Usage (needs the MNIST files; TUTOR_DATA_DIR defaults to ../shared/data):

    python benchmarks/lenet5_app_overhead.py [--epochs 3] [--repeats 2] [--train-limit N] [--quick]

``--quick`` (the test suite's mode): 2 epochs on 1,000 images, once each - only that it runs.

Target: ratio (app / headless) <= 1.10.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from lenet5_overhead import (  # noqa: E402  (sets TUTOR_* defaults)
    QUICK,
    HookClock,
    bench_model_path,
    epoch_clock,
    steady_epoch_seconds,
    tutor_epoch,
)

from tutor.app.app import TutorApp  # noqa: E402
from tutor.course import load_course  # noqa: E402
from tutor.keras_bridge import import_keras  # noqa: E402
from tutor.progress import ProgressStore  # noqa: E402


def app_epoch(course, overrides: dict, seed: int, size: tuple[int, int], ui: dict | None = None) -> tuple[float, float]:
    """Run lenet5 inside the app; note when each epoch ends.

    ``ui`` (if given) receives the CPU seconds the app's own thread (Textual's
    event loop: messages, layout, drawing) used per second of the run.
    """
    records = []

    async def drive() -> None:
        store = ProgressStore(Path(tempfile.mkdtemp(prefix="tutor-bench-app-")) / "progress.json")
        app = TutorApp(course, lesson_id="lenet5", autorun=True, overrides=overrides, seed=seed, store=store)
        async with app.run_test(size=size) as pilot:
            while app.screen.pane is None or app.screen.pane.last_record is None:  # the run has ended
                await pilot.pause(0.2)
            records.append(app.screen.pane.last_record)
            await pilot.pause(0.5)  # let the final redraw happen inside the app

    cpu, wall = time.thread_time(), time.perf_counter()
    with epoch_clock(HookClock()) as ends:
        asyncio.run(drive())
    if ui is not None:
        ui["cpu_share"] = (time.thread_time() - cpu) / (time.perf_counter() - wall)
    record = records[0]
    if record.status != "finished":
        raise SystemExit(f"the app run did not finish: {record.status} {record.error}")
    return steady_epoch_seconds(ends)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (the first is left out)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each side, alternating")
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--size", default="160x50", help="the app's terminal size, COLSxROWS")
    parser.add_argument("--train-limit", type=int, default=0, help="training images (0: all 60,000)")
    parser.add_argument("--test-limit", type=int, default=0, help="test images (0: all 10,000)")
    parser.add_argument("--quick", action="store_true", help="2 epochs on 1,000 images, once: only that it runs")
    args = parser.parse_args()
    if args.quick:
        vars(args).update(QUICK)
    size = tuple(int(n) for n in args.size.lower().split("x"))

    course = load_course()
    lesson = course.get("lenet5")
    overrides = {
        "preset": args.preset,
        "epochs": str(args.epochs),
        "train_limit": str(args.train_limit),
        "test_limit": str(args.test_limit),
        "model": bench_model_path(),
    }
    values = lesson.resolve(overrides)
    print(
        f"lenet5, preset {args.preset}: optimizer {values['optimizer']}, lr {values['lr']}, decay {values['decay']}, "
        f"batch {values['batch_size']}, {args.epochs} epochs per run, {args.train_limit or 'all'} training images, "
        f"app {args.size}, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    import_keras()
    headless, app, headless_cpu, app_cpu, ui_share = [], [], [], [], []
    for repeat in range(args.repeats):
        wall, cpu = tutor_epoch(lesson, values, lesson.seed)
        headless.append(wall)
        headless_cpu.append(cpu)
        print(f"  run {repeat + 1}: headless {wall:.3f} s/epoch, CPU {cpu:.2f} s/epoch", flush=True)
        ui: dict = {}
        wall, cpu = app_epoch(course, overrides, lesson.seed, size, ui)
        app.append(wall)
        app_cpu.append(cpu)
        ui_share.append(ui["cpu_share"])
        print(
            f"  run {repeat + 1}: app      {wall:.3f} s/epoch, CPU {cpu:.2f} s/epoch "
            f"(the app's own thread busy {100 * ui['cpu_share']:.0f}% of a core)",
            flush=True,
        )
    med = statistics.median
    print(
        f"headless: {med(headless):.3f} s/epoch (median of {len(headless)}, best {min(headless):.3f}), "
        f"CPU {med(headless_cpu):.2f} s/epoch"
    )
    print(
        f"app:      {med(app):.3f} s/epoch (median of {len(app)}, best {min(app):.3f}), CPU {med(app_cpu):.2f} s/epoch"
    )
    print(
        f"ratio app/headless: {med(app) / med(headless):.3f} median, {min(app) / min(headless):.3f} best-of, "
        f"{med(app_cpu) / med(headless_cpu):.3f} CPU time  (target <= 1.10)"
    )
    print(
        f"the app's thread used {100 * med(ui_share):.0f}% of one core while training "
        f"(on 2 cores TensorFlow has to share)  load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
