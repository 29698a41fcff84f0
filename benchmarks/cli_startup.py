"""How fast does ``tutor --help`` answer, next to ``import textual.app``? Measured side by side in one run.

    python benchmarks/cli_startup.py [--rounds 20] [--quick]

Each round starts, one after the other, a fresh Python process for each of: the interpreter
alone (``python -c pass``), ``tutor --help`` (the ``tutor`` script beside this Python, else
``python -m tutor``) and ``python -c "import textual.app"``. Taking turns, all three see the
same machine - a busy neighbour slows each alike. Prints the median and best wall time of
each and the ratio of the medians.

Target: ``tutor --help`` takes at most half the time of ``import textual.app``: the command
line parses before it imports the course, NumPy, Textual or TensorFlow.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.5


def help_command() -> list[str]:
    script = Path(sys.executable).parent / "tutor"
    return [str(script), "--help"] if script.exists() else [sys.executable, "-m", "tutor", "--help"]


def commands() -> dict[str, list[str]]:
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tutor --help": help_command(),
        "import textual.app": [sys.executable, "-c", "import textual.app"],
    }


def seconds(command: list[str], environment: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="processes started of each kind (taking turns)")
    parser.add_argument("--quick", action="store_true", help="2 rounds: only that it runs (the test suite's mode)")
    args = parser.parse_args()
    rounds = 2 if args.quick else max(1, args.rounds)
    # This checkout's tutor, whatever is installed.
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    times: dict[str, list[float]] = {name: [] for name in commands()}
    for command in commands().values():  # warm the disk cache: no one pays for a first read
        seconds(command, environment)
    for _ in range(rounds):
        for name, command in commands().items():
            times[name].append(seconds(command, environment))
    load = os.getloadavg()[0]
    print(f"{rounds} rounds, load average {load:.2f}:")
    for name, taken in times.items():
        print(f"  {name:18s} median {statistics.median(taken) * 1000:6.0f} ms   best {min(taken) * 1000:6.0f} ms")
    ratio = statistics.median(times["tutor --help"]) / statistics.median(times["import textual.app"])
    print(f"ratio tutor --help / import textual.app: {ratio:.2f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
