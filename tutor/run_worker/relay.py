"""The run's side of a worker: pass the controls on, fold the reports into the run's state.

Used by :class:`tutor.runner.RunSession` in the run's own thread. What comes back from the
worker is taken as data: reports are checked as a routine's own reporter checks them, texts
are cleaned of control characters, and anything else ends the run as failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from tutor.reporting import Report, RunControl
from tutor.run_worker import protocol
from tutor.run_worker.process import WorkerProcess

WAIT = 0.1  # seconds the run's thread waits for reports before it looks at Stop again


class RelayedControl(RunControl):
    """A run's Stop, Pause and Step, passed on to its worker process once one runs the routine."""

    def __init__(self) -> None:
        super().__init__()
        self._send: Callable[[protocol.Command], None] | None = None
        self.stopped_at: float | None = None  # when Stop was pressed (time.monotonic)

    def attach(self, send: Callable[[protocol.Command], None], start: protocol.Start) -> bool:
        """Send ``start`` with the Pause/Step pressed so far, then relay every control; False after Stop."""
        with self._changed:
            if self.cancelled:
                return False
            start.paused, start.steps = self._paused, self._steps
            send(start)
            self._send = send
            return True

    def detach(self) -> None:
        with self._changed:
            self._send = None

    def _relay(self, command: protocol.Command) -> None:
        if self._send is not None:
            try:
                self._send(command)
            except OSError:  # the worker is gone: its run is ending anyway
                pass

    def stop(self) -> None:
        with self._changed:
            if self.stopped_at is None:
                self.stopped_at = time.monotonic()
            super().stop()
            self._relay(protocol.Stop())

    def pause(self) -> None:
        with self._changed:
            super().pause()
            self._relay(protocol.Pause())

    def resume(self) -> None:
        with self._changed:
            super().resume()
            self._relay(protocol.Resume())

    def step(self) -> None:
        with self._changed:
            super().step()
            self._relay(protocol.Step())


class State(Protocol):
    def apply(self, report: Report) -> None: ...


def relay(
    worker: WorkerProcess,
    state: State,
    control: RelayedControl,
    *,
    let_go: Callable[[], bool],
    overstay: float,
) -> protocol.Ended:
    """Fold the worker's reports into ``state`` until it ends; its last word, cleaned.

    The worker is ended here if it sends what is not a report, if the run is let go, or if
    it is still there ``overstay`` seconds after Stop. A worker that dies gives a failed
    outcome naming how; one that dies after Stop, a stopped one.
    """
    while True:
        try:
            for event in worker.receive(WAIT):
                if isinstance(event, protocol.Ended):
                    return _cleaned(event)
                if isinstance(event, protocol.Waiting):
                    control.waiting = event.waiting
                elif not isinstance(event, protocol.Ready):
                    state.apply(protocol.as_report(event))
        except protocol.ProtocolError as error:
            worker.kill()
            return protocol.Ended("failed", error=f"the run's worker sent {error}")
        if let_go():
            worker.kill()
            return protocol.Ended("stopped")
        stopped_at = control.stopped_at
        if worker.events_ended:
            if stopped_at is not None:
                return protocol.Ended("stopped")
            worker.close()
            return protocol.Ended("failed", error=worker.death(), traceback=worker.stderr_tail() or None)
        if stopped_at is not None and time.monotonic() - stopped_at > overstay:
            worker.kill()  # deaf to Stop, and no renderer let it go: end it here


def _cleaned(ended: protocol.Ended) -> protocol.Ended:
    """The worker's texts as the tutor shows them; a diverged run's message in the tutor's own words."""
    if ended.diverged is not None:
        ended.error = str(protocol.diverged_error(ended.diverged))
    elif ended.error is not None:
        ended.error = protocol.clean_text(ended.error)
    elif ended.status == "failed":
        ended.error = "the routine failed without saying why"
    if ended.traceback is not None:
        ended.traceback = protocol.clean_text(ended.traceback)
    ended.versions = {protocol.clean_text(k, 40): protocol.clean_text(v, 40) for k, v in ended.versions.items()}
    return ended
