"""The app's memory over many runs: each run keeps a timeline - does memory level off?

    python benchmarks/app_memory.py [--runs 10] [--lessons keras-basics,keras-beans,...] [--quick]

Drives the real app (Textual's pilot, no terminal) through ``--runs`` runs of
each lesson (chapter 3 by default, each with its defaults), pressing Run and
waiting for the end and the playback, and prints the process's resident memory
after each run. A lesson pane keeps one run's timeline and the loss histories
of recent runs, so after the first few runs the figure should stay flat.

``--quick`` (the test suite's mode): five runs of rosenblatt (NumPy) - only that it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ["TUTOR_HOME"] = tempfile.mkdtemp(prefix="tutor-memory-")

CHAPTER_3 = "keras-basics,keras-beans,deep-spiral,random-labels,binary-mlp,regression-mlp"


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


async def measure(lessons: list[str], runs: int) -> None:
    from tutor.app.app import TutorApp

    app = TutorApp(clock=False)
    async with app.run_test(size=(100, 32)) as pilot:
        while not (app.screen.pane is not None and app.screen.pane.query("#params")):
            await pilot.pause(0.05)  # the first lesson is fully mounted before another is opened
        await pilot.pause(0.5)
        for lesson_id in lessons:
            app.screen.open_lesson(lesson_id)
            while not (app.screen.pane.is_mounted and app.screen.pane.query("#params")):
                await pilot.pause(0.05)
            sizes = []
            for _ in range(runs):
                pane = app.screen.pane
                pane.start_run()
                while pane.running:
                    await asyncio.sleep(0.1)
                await pane.run_action("last_frame")  # skip the playback (the End key)
                await pilot.pause()
                sizes.append(rss_mb())
            print(
                f"{lesson_id:15s} RSS after each run (MB): "
                + " ".join(f"{size:.0f}" for size in sizes)
                + f"   last five grew {sizes[-1] - sizes[-5]:+.0f} MB",
                flush=True,
            )
    print(f"final RSS {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--lessons", default=CHAPTER_3)
    parser.add_argument("--quick", action="store_true", help="five runs of rosenblatt: only that it runs")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.lessons = 5, "rosenblatt"
    asyncio.run(measure(args.lessons.split(","), max(args.runs, 5)))


if __name__ == "__main__":
    main()
