"""Where a run is: epoch/step, latest metrics, ETA and a progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from tutor.runner import DIVERGED, FAILED, FINISHED, STOPPED, RunRecord, Snapshot


def _metrics(metrics) -> str:
    return "  ".join(f"{name} {value:.4g}" for name, value in metrics.items())


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s"


class StatusLine(Horizontal):
    """``clock=False`` hides times (ETA, durations) so test screenshots are stable."""

    def __init__(self, *, clock: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield Static("Ready: press Run (ctrl+r).", id="status-text", markup=False)
        # Idle bars get a total: an indeterminate bar animates (and redraws) forever.
        yield ProgressBar(total=1, show_eta=False, id="status-bar")

    def _set(self, text: str) -> None:
        # One line of fixed height: no need to lay the screen out again.
        self.query_one("#status-text", Static).update(text, layout=False)

    def ready(self, text: str = "Ready: press Run (ctrl+r).") -> None:
        self._set(text)
        self.query_one(ProgressBar).update(total=1, progress=0)

    def starting(self, text: str = "Starting…") -> None:
        self._set(text)
        self.query_one(ProgressBar).update(total=None, progress=0)

    def stopping(self) -> None:
        self._set("Stopping…")

    def running(self, snapshot: Snapshot, elapsed: float) -> None:
        progress = snapshot.progress
        if progress is None:
            self._set(snapshot.notes[-1] if snapshot.notes else "Starting…")
            return
        text = f"{progress.unit} {progress.step}/{progress.total}  {_metrics(progress.metrics)}"
        fraction = progress.step / progress.total if progress.total else 0.0
        if self.clock and 0 < fraction < 1:
            text += f"  ETA {_duration(elapsed * (1 - fraction) / fraction)}"
        self._set(text)
        self.query_one(ProgressBar).update(total=max(progress.total, 1), progress=progress.step)

    def finished(self, record: RunRecord, snapshot: Snapshot) -> None:
        progress = snapshot.progress
        where = f"{progress.unit} {progress.step}/{progress.total}  " if progress else ""
        took = f"  ({_duration(record.seconds)})" if self.clock else ""
        if record.status == FINISHED:
            if record.challenge_met:
                verdict = "challenge met ✓"
            elif record.challenge_met is None:
                verdict = "challenge not judged"
            else:
                verdict = "challenge not met yet"
            result = _metrics({k: v for k, v in record.result.items()
                               if isinstance(v, (int, float)) and not isinstance(v, bool)})
            self._set(f"Finished: {verdict}.  {result}{took}")
        elif record.status == STOPPED:
            self._set(f"Stopped at {where}{_metrics(progress.metrics) if progress else ''}{took}")
        elif record.status == DIVERGED:
            self._set(f"Diverged at {where.strip()}: see the Views tab.")
        elif record.status == FAILED:
            self._set("Failed: see the message in the Views tab.")
        bar = self.query_one(ProgressBar)
        if progress is not None:
            bar.update(total=max(progress.total, 1), progress=progress.step)
        else:  # a routine that reports no progress: full when it finished
            bar.update(total=1, progress=1 if record.status == FINISHED else 0)
