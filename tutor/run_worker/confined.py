"""The worker of a run with the learner's code, started confined by :mod:`tutor.sandbox`.

It sees its workspace (read-only: a run writes nothing there), the data folder, what Python,
NumPy and TensorFlow need, and the tutor's own code (the lesson's routine runs around the
learner's functions); no network, no other learner, no progress, no ``TUTOR_*`` variable.
The few settings the routine needs (where the data is, that there is no network) travel in
its :class:`~tutor.run_worker.protocol.Start` instead, set by the worker before the routine runs.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from tutor.reporting import TutorError
from tutor.run_worker.process import WorkerProcess, worker_command

# A run is as long as the learner makes it (Stop ends it): the CPU limit only ends a runaway.
RUN_CPU_SECONDS = 4 * 3600
RUN_MEMORY_MB = {"numpy": 2048, "keras": 6144}  # address space: TensorFlow reserves a lot it never uses
RUN_FILE_MB = 64
# What the routine reads from the tutor's own environment, passed on through Start.
ROUTINE_SETTINGS = ("TUTOR_DATA_DIR", "TUTOR_OFFLINE")


def routine_settings() -> dict[str, str]:
    """The tutor's settings a confined routine needs (the data folder; offline: it has no network)."""
    settings = {name: os.environ[name] for name in ROUTINE_SETTINGS if os.environ.get(name)}
    settings["TUTOR_OFFLINE"] = "1"
    return settings


def unconfined_warning() -> str | None:
    """One line when the learner's code cannot be confined here and the run goes on (not in a class
    seat: there it is refused), else None."""
    from tutor import sandbox

    why = sandbox.why_unconfined()
    if why is None or sandbox.confinement_required():
        return None
    return f"warning: your code runs without a sandbox ({why})"


def start_learner_worker(workspace: Path, backend: str) -> WorkerProcess:
    """A worker confined to ``workspace`` and the data folder.

    Raises :class:`~tutor.reporting.TutorError` in a class seat without a sandbox (one line
    saying why), OSError if it cannot start.
    """
    from tutor import sandbox

    limits = sandbox.Limits(
        memory_mb=RUN_MEMORY_MB.get(backend, RUN_MEMORY_MB["numpy"]),
        file_mb=RUN_FILE_MB,
        cpu_seconds=RUN_CPU_SECONDS,
    )
    data = os.environ.get("TUTOR_DATA_DIR")
    stack = contextlib.ExitStack()
    with stack:
        try:
            process = stack.enter_context(
                sandbox.confined(
                    worker_command(),
                    workspace=Path(workspace),
                    readable=[Path(data)] if data else [],
                    tutor_code=True,
                    limits=limits,
                    # The tutor's code and Python's, as this process imports them (nothing else).
                    environment={"PYTHONPATH": os.pathsep.join(sandbox.import_path(tutor_code=True))},
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
        except sandbox.Unconfined as why:
            raise TutorError(f"in a class your code runs only in a sandbox, and here {why}") from None
        worker = WorkerProcess(process, on_close=stack.pop_all().close)
    return worker
