"""The strip under the stage: the run's controls and figures, then its story.

Two lines that stay in sight whatever view is on the stage: Run and Stop, the
loss as a sparkline with its value and the other figures of the frame shown,
where the timeline is; then one sentence of where the run is (or how it ended)
with a progress bar. It only draws :class:`~tutor.watching.Moment` s.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ProgressBar, Sparkline, Static

from tutor.formatting import format_metrics, format_number
from tutor.i18n import N_, _
from tutor.views import display_name
from tutor.watching import Moment

READY = N_("Ready: press Run (ctrl+r).")
# The playback speeds (tutor.timeline.SPEEDS, also --speed's values), as the strip names them.
SPEED_WORDS = (N_("slow"), N_("normal"), N_("fast"), N_("instant"))
SPARK_POINTS = 48  # the sparkline's resolution: one value per cell, a bucket of the history each


def loss_series(history: Sequence[Mapping[str, float]], upto: float | None = None) -> tuple[str, list[float]] | None:
    """The metric the strip draws (the first loss or cost), up to step ``upto`` (a replay's cursor).

    Values spanning more than two powers of ten are drawn as their logarithm, so the tail
    of a falling loss still has a shape.
    """
    if not history:
        return None
    names = [name for name in history[-1] if name != "step"]
    name = next((n for n in names if "loss" in n or "cost" in n), names[0] if names else None)
    if name is None:
        return None
    values = [
        float(point[name])
        for point in history
        if name in point and (upto is None or point.get("step", 0) <= upto) and math.isfinite(point[name])
    ]
    if len(values) < 2:
        return (name, values)
    positive = [v for v in values if v > 0]
    if len(positive) == len(values) and max(positive) / min(positive) > 100:
        values = [math.log10(v) for v in values]
    return (name, values)


def judged_first(metrics: Mapping[str, float], first: Collection[str], skip: str | None) -> dict[str, float]:
    """The figures to show, those the challenge reads first, without the one the sparkline shows."""
    kept = {name: value for name, value in metrics.items() if name != skip}
    return dict(sorted(kept.items(), key=lambda item: item[0] not in first))


class RunStrip(Vertical):
    """``clock=False`` hides times (ETA, durations) so test screenshots are stable."""

    DEFAULT_CSS = """
    RunStrip {
        height: 2;
        padding: 0 1;
        background: $panel;
    }
    RunStrip > Horizontal {
        height: 1;
    }
    RunStrip Button {
        margin-right: 1;
        min-width: 7;
    }
    #strip-metric {
        width: auto;
        padding-right: 1;
        color: $text-muted;
    }
    #strip-spark {
        width: 16;
        height: 1;
        margin-right: 1;
    }
    #strip-figures {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #strip-frame {
        width: auto;
        padding-left: 1;
        color: $text-muted;
    }
    #status-text {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #status-bar {
        width: auto;
        padding-left: 1;
    }
    #status-bar Bar {
        width: 12;
    }
    """

    def __init__(self, *, first: Collection[str] = (), id: str | None = None) -> None:
        super().__init__(id=id)
        self.first = first

    def compose(self) -> ComposeResult:
        with Horizontal(id="strip-top"):
            yield Button(_("Run"), id="run", variant="success", compact=True)
            yield Button(_("Stop"), id="stop", variant="error", compact=True, disabled=True)
            yield Static("", id="strip-metric", markup=False)
            yield Sparkline([], id="strip-spark").set_styles("display: none;")
            yield Static("", id="strip-figures", markup=False)
            yield Static("", id="strip-frame", markup=False)
        with Horizontal(id="status"):
            yield Static(_(READY), id="status-text", markup=False)
            # Idle bars get a total: an indeterminate bar animates (and redraws) forever.
            yield ProgressBar(total=1, show_eta=False, id="status-bar")

    # ------------------------------------------------------------ before and between runs

    def say(self, text: str, *, busy: bool = False) -> None:
        """A sentence with no run to show (ready, starting, stopping); ``busy``: the bar pulses."""
        self.query_one("#status-text", Static).update(text)
        if busy:
            self.query_one(ProgressBar).update(total=None, progress=0)

    def ready(self, text: str | None = None) -> None:
        self.say(_(READY) if text is None else text)
        self.query_one(ProgressBar).update(total=1, progress=0)

    def figures(self, history: Sequence[Mapping[str, float]], metrics: Mapping[str, float]) -> None:
        """The sparkline of the loss so far and the latest figures (an earlier run's, before any new one)."""
        series = loss_series(history)
        name = series[0] if series else None
        self._spark(series)
        value = f"{format_number(metrics[name])}  " if name and name in metrics else ""
        self.query_one("#strip-figures", Static).update(value + format_metrics(judged_first(metrics, self.first, name)))

    def _spark(self, series: tuple[str, list[float]] | None) -> None:
        self.query_one("#strip-metric", Static).update(display_name(series[0]) if series else "")
        spark = self.query_one(Sparkline)
        spark.data = _resampled(series[1]) if series else []
        spark.display = bool(series and len(series[1]) > 1)

    # ------------------------------------------------------------ a run

    def show(self, moment: Moment, *, playing: bool, speed: str) -> None:
        series = loss_series(moment.history, moment.cursor)
        name = series[0] if series else None
        if moment.redraw or series is None:
            self._spark(series)
        value = f"{format_number(moment.metrics[name])}  " if name and name in moment.metrics else ""
        self.query_one("#strip-figures", Static).update(
            value + format_metrics(judged_first(moment.metrics, self.first, name))
        )
        if moment.frame_count:
            state = "▶" if playing else "‖"  # ‖, not ⏸: many terminal fonts lack U+23F8
            self.query_one("#strip-frame", Static).update(
                f"{state} {moment.frame_index}/{moment.frame_count} {_(speed)}"
            )
        self.query_one("#status-text", Static).update(moment.story)
        bar = self.query_one(ProgressBar)
        if moment.progress is None:
            bar.update(total=None, progress=0)
        else:
            bar.update(total=moment.progress[1], progress=moment.progress[0])


def _resampled(values: Sequence[float]) -> list[float]:
    """At most SPARK_POINTS values (the last of each bucket): a sparkline cell cannot show more."""
    if len(values) <= SPARK_POINTS:
        return list(values)
    size = len(values) / SPARK_POINTS
    return [values[min(int((i + 1) * size) - 1, len(values) - 1)] for i in range(SPARK_POINTS)]
