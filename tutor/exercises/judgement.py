"""What the judge (``python -m tutor.exercises.worker``) is asked and what it answers: JSON, strictly.

Apart from the worker so that the tutor's process reads a report without importing the judge
(which imports the checks' helpers and, for Keras exercises, TensorFlow's bridge).
"""

from __future__ import annotations

import msgspec

STARTUP_SECONDS = 20.0  # the learner's process starting (Python, NumPy) is not the learner's time
KERAS_STARTUP_SECONDS = 120.0  # nor is TensorFlow's import there
SCRATCH_MB = 32


class Request(msgspec.Struct, forbid_unknown_fields=True):
    checks: str
    learner: str
    workspace: str
    functions: list[str]
    routine: str
    code_dir: str | None
    timeout: float
    memory_mb: int
    keras: bool = False


class Result(msgspec.Struct):
    title: str
    ok: bool
    message: str = ""


class Report(msgspec.Struct):
    results: list[Result] = []
    problem: str | None = None
    output: str = ""
    notice: str | None = None  # why the learner's code ran unconfined, when it did
