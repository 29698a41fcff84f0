"""What a routine is given, as types: ``run(params: Params, reporter: Reporter) -> dict``.

Protocols, so that a routine depends on what it uses and nothing else: the runner gives
it a :class:`tutor.runner.Params` and a :class:`tutor.reporting.Reporter` (mypy checks that
both fit), a test or an exercise's check may give it anything of the same shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from tutor.reporting import RunControl


class Params(Protocol):
    """The lesson's parameters, read as ``params.lr`` or ``params["lr"]``, with the run's ``seed``
    and ``rng``, the only source of randomness a routine may use."""

    seed: int
    rng: np.random.Generator

    def __getattr__(self, name: str) -> Any: ...

    def __getitem__(self, name: str) -> Any: ...


class Reporter(Protocol):
    """How a routine reports what happened and learns that the learner pressed Stop."""

    @property
    def control(self) -> RunControl: ...

    @property
    def cancelled(self) -> bool: ...

    def check_cancelled(self) -> None:
        """Raise Cancelled after Stop, wait while paused: call it every epoch and batch."""

    def progress(
        self, step: int, total: int, unit: str = "epoch", record: bool = True, frame: bool = False, **metrics: float
    ) -> None:
        """Report progress; a NaN or infinite metric ends the run as Diverged."""

    def frame(self, step: int = 0, total: int = 1, unit: str = "epoch", **metrics: float) -> None:
        """Keep the views as they are now as a frame of the replay, inside the step under way."""

    def view(self, view: str, **data: Any) -> None:
        """Send a view its new data (checked against tutor/views.py here, in the routine)."""

    def note(self, text: str) -> None:
        """A line for the learner (shown under the run)."""


if TYPE_CHECKING:  # the reporter the runner gives fits (mypy checks it; tutor.runner checks its Params)
    from tutor import reporting

    _reporter: Reporter = reporting.Reporter()
