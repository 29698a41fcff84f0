"""Every benchmark in benchmarks/ runs in its quick mode, so that none rots unnoticed.

A quick mode is small (a few epochs, one lesson, a thousand images). What it prints is not
checked - timings are the benchmarks' business, never a test's - only that it runs to its
end. Those that import TensorFlow are marked keras; those that read the full MNIST set skip
without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import HANG_GUARD_SECONDS, SHARED_DATA, needs_shared_data

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
QUICK_RUNS = {  # each benchmark, and the marks of its quick run
    "app_memory.py": (),
    "chapter2.py": (),
    "cli_startup.py": (),
    "exercise_checks.py": (),
    "keras_fast_fit.py": (pytest.mark.keras,),
    "keras_first_epoch.py": (pytest.mark.keras,),
    "keras_memory.py": (pytest.mark.keras,),
    "lenet5_app_overhead.py": (pytest.mark.keras, needs_shared_data),
    "lenet5_overhead.py": (pytest.mark.keras, needs_shared_data),
    "serve_class.py": (),
    "serve_resize.py": (),
    "stop_latency.py": (),
}


def test_every_benchmark_is_run_here():
    scripts = [path.name for path in BENCHMARKS.glob("*.py") if not path.name.startswith("_")]  # _x.py: shared
    assert sorted(scripts) == sorted(QUICK_RUNS)


@pytest.mark.parametrize("script", [pytest.param(name, marks=marks) for name, marks in QUICK_RUNS.items()])
def test_the_benchmark_runs_in_its_quick_mode(script, tmp_path):
    # Their temporary folders go to tmp_path; TUTOR_HOME is the test's own (tests/conftest.py).
    environment = {**os.environ, "TMPDIR": str(tmp_path), "TUTOR_DATA_DIR": str(SHARED_DATA)}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=5 * HANG_GUARD_SECONDS,
    )
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
