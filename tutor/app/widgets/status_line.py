"""Where a run is: epoch/step, latest metrics, ETA and a progress bar."""

from __future__ import annotations

from collections.abc import Collection

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from tutor.formatting import format_metrics
from tutor.runner import DIVERGED, FAILED, FINISHED, STOPPED, RunRecord, Snapshot
from tutor.timeline import Frame


def where(latest) -> str:
    """Epoch and batch together: 'epoch 3/6 · batch 163/235' is batch 163 of the third epoch."""
    epoch = next((p for p in latest.values() if p.record), None)
    inner = [p for p in latest.values() if not p.record]
    if not inner:
        return f"{epoch.unit} {epoch.step}/{epoch.total}" if epoch else ""
    batch = inner[0]
    if epoch is None:
        return f"epoch 1 · {batch.unit} {batch.step}/{batch.total}"
    current = epoch.step + 1 if epoch.step < epoch.total else epoch.step
    return f"{epoch.unit} {current}/{epoch.total} · {batch.unit} {batch.step}/{batch.total}"


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
        self._lines = 1

    def compose(self) -> ComposeResult:
        yield Static("Ready: press Run (ctrl+r).", id="status-text", markup=False)
        # Idle bars get a total: an indeterminate bar animates (and redraws) forever.
        yield ProgressBar(total=1, show_eta=False, id="status-bar")

    def _set(self, text: str) -> None:
        # Lay the screen out again only when the text moves between one and two
        # lines: this is updated ten times a second.
        field = self.query_one("#status-text", Static)
        lines = 1 if len(text) <= max(field.size.width, 1) else 2
        field.update(text, layout=lines != self._lines)
        self._lines = lines

    def ready(self, text: str = "Ready: press Run (ctrl+r).") -> None:
        self._set(text)
        self.query_one(ProgressBar).update(total=1, progress=0)

    def starting(self, text: str = "Starting…") -> None:
        self._set(text)
        self.query_one(ProgressBar).update(total=None, progress=0)

    def stopping(self) -> None:
        self._set("Stopping…")

    def running(
        self, snapshot: Snapshot, eta: float | None, paused: bool = False, showing: Frame | None = None
    ) -> None:
        """A run computing: where it is (epoch and batch), its metrics, and a measured ETA;
        ``showing``: the frame the views show when the playback is behind the computing."""
        progress = snapshot.progress
        if progress is None:
            if snapshot.notes:  # else the starting message stays ("Loading TensorFlow…")
                self._set(snapshot.notes[-1])
            return
        epoch = next((p for p in snapshot.latest.values() if p.record), progress)
        text = f"{'Paused at ' if paused else ''}{where(snapshot.latest)}  {format_metrics(epoch.metrics)}"
        if self.clock and not paused and eta is not None:
            text += f"  ETA {_duration(eta)}"
        if showing is not None:
            text += f"  · showing {showing.unit} {showing.step}"
        self._set(text)
        self.query_one(ProgressBar).update(total=max(epoch.total, 1), progress=epoch.step)

    def replaying(self, frame: Frame, record: RunRecord) -> None:
        """Playing back (or scrubbing) a run that has ended."""
        self._set(f"Replay {frame.unit} {frame.step}/{frame.total}  {format_metrics(frame.metrics)}")
        self.query_one(ProgressBar).update(total=max(frame.total, 1), progress=frame.step)

    def finished(self, record: RunRecord, snapshot: Snapshot, first: Collection[str] = ()) -> None:
        """How a run ended; ``first``: the result's figures to show first (those the challenge judges)."""
        progress = next((p for p in snapshot.latest.values() if p.record), snapshot.progress)
        at = f"{where(snapshot.latest)}  " if progress else ""
        took = f"  ({_duration(record.seconds)})" if self.clock else ""
        if record.status == FINISHED:
            if record.challenge_met:
                verdict = "challenge met ✓"
            elif record.challenge_met is None:
                verdict = "challenge not judged"
            else:
                verdict = "challenge not met yet"
            numbers = {
                k: v for k, v in record.result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
            }
            # The figures the challenge judges come first: they are what the learner came for.
            result = format_metrics(dict(sorted(numbers.items(), key=lambda item: item[0] not in first)))
            self._set(f"Finished: {verdict}.  {result}{took}")
        elif record.status == STOPPED:
            self._set(f"Stopped at {at}{format_metrics(progress.metrics) if progress else ''}{took}")
        elif record.status == DIVERGED:
            self._set(f"Diverged at {at.strip()}: see the Views tab; , and . step back through it.")
        elif record.status == FAILED:
            self._set("Failed: see the message in the Views tab.")
        bar = self.query_one(ProgressBar)
        if progress is not None:
            bar.update(total=max(progress.total, 1), progress=progress.step)
        else:  # a routine that reports no progress: full when it finished
            bar.update(total=1, progress=1 if record.status == FINISHED else 0)
