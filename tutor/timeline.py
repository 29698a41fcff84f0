"""A run as a timeline of frames, and the pace at which people watch it.

A *frame* is what every view showed at the end of one epoch (or at the end of
a run that reports no epochs). A :class:`Timeline` keeps every frame of a short
run and an even spread of a long one - the first, the last and at most
``MAX_FRAMES`` in all - while the metric history stays complete in the
run's state. A :class:`Player` decides which frame to show now: it follows a
run at a watchable pace (a fast run is replayed over a few seconds, a slow one
is shown as it comes) and lets the learner pause, step and scrub. A
:class:`Pace` turns the times of the reports into an honest ETA.

Nothing here draws or computes lesson maths; both renderers use it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tutor.reporting import Progress

MAX_FRAMES = 500  # frames kept per run, whatever the number of epochs
# The most often a renderer redraws: ten times a second, and four for Keras,
# whose threads share the few cores with the app's drawing.
REDRAW_SECONDS = 0.1
KERAS_REDRAW_SECONDS = 0.25
# How long a whole run takes to play back at each speed (seconds); "instant"
# always shows the newest frame. A run slower than its speed is shown live.
SPEEDS: dict[str, float] = {"slow": 15.0, "normal": 6.0, "fast": 2.0, "instant": 0.0}
DEFAULT_SPEED = "normal"


@dataclass(frozen=True, eq=False)  # frames are compared by identity: cheap, and never confused
class Frame:
    """Every view's data at one step of a run (or inside one: ``inner``)."""

    step: int  # the step whose views these are (a frame inside a step: the step under way)
    total: int
    unit: str
    views: Mapping[str, Mapping[str, Any]]
    history_length: int  # how many history points the run had recorded by then
    metrics: Mapping[str, float] = field(default_factory=dict)
    # Where a frame inside the step under way was taken (e.g. bean 30 of 100).
    inner: Progress | None = None

    @property
    def position(self) -> float:
        """Where the frame is on the timeline, in steps: a frame ``inner`` i of n into
        step s (the one after step s - 1) is at s - 1 + i / n."""
        if self.inner is None or self.inner.total <= 0 or self.inner.step <= 0:
            return float(self.step)
        return self.step - 1 + min(self.inner.step / self.inner.total, 1.0)


class Timeline:
    """The frames of one run, thinned evenly to at most ``capacity`` (+ the newest).

    Frames are offered in order; the kept ones are those whose index is a
    multiple of a stride that doubles each time the timeline fills up, so the
    first frame is always kept, the spread stays even, and memory is bounded.
    The newest frame is always available too, kept or not.
    """

    def __init__(self, capacity: int = MAX_FRAMES) -> None:
        self.capacity = max(2, capacity)
        self._kept: list[Frame] = []
        self._stride = 1
        self._offered = 0
        self.newest: Frame | None = None

    def add(self, frame: Frame) -> None:
        self.newest = frame
        if self._offered % self._stride == 0:
            self._kept.append(frame)
            if len(self._kept) > self.capacity:  # a run of up to `capacity` epochs keeps every one
                self._kept = self._kept[::2]
                self._stride *= 2
        self._offered += 1

    def frames(self) -> list[Frame]:
        """The kept frames in order, ending with the newest one."""
        if self.newest is not None and (not self._kept or self._kept[-1] is not self.newest):
            return [*self._kept, self.newest]
        return list(self._kept)

    def __len__(self) -> int:
        return len(self.frames())


def frames_as_json(frames: Sequence[Frame]) -> list[dict[str, Any]]:
    """``[{"step", "views"}]`` for ``--json``: a frame lists only the views that changed
    since the frame before it (a view shows its last data until it changes); a frame
    inside a step also says where (``"inner": {"unit", "step", "total"}``)."""
    out: list[dict[str, Any]] = []
    previous: Mapping[str, Mapping[str, Any]] = {}
    for frame in frames:
        changed = {kind: data for kind, data in frame.views.items() if previous.get(kind) is not data}
        entry: dict[str, Any] = {"step": frame.step, "views": changed}
        if frame.inner is not None:
            entry["inner"] = {"unit": frame.inner.unit, "step": frame.inner.step, "total": frame.inner.total}
        out.append(entry)
        previous = frame.views
    return out


def frame_index(frames: Sequence[Frame], position: float) -> int:
    """The index of the last frame at or before ``position`` (the first if none)."""
    positions = [frame.position for frame in frames]
    return max(0, bisect.bisect_right(positions, position) - 1)


def _index_at(frames: Sequence[Frame], position: float) -> float:
    """``position`` as a fractional frame index (between the frames around it)."""
    index = frame_index(frames, position)
    if index + 1 >= len(frames):
        return float(index)
    here, there = frames[index].position, frames[index + 1].position
    return index + (min(max((position - here) / (there - here), 0.0), 1.0) if there > here else 0.0)


def _position_at(frames: Sequence[Frame], index: float) -> float:
    """The position at fractional frame ``index`` (the newest frame's beyond the last)."""
    if index >= len(frames) - 1:
        return frames[-1].position
    whole = int(index)
    here, there = frames[whole].position, frames[whole + 1].position
    return here + (there - here) * (index - whole)


class Player:
    """Which frame to show: plays a timeline at a pace people can follow.

    ``position`` is a step (epoch), not a frame index, so thinning a growing
    timeline never moves what is shown; ``math.inf`` means "the newest frame".
    A whole run plays in ``SPEEDS[speed]`` seconds, frame by frame, eased: a
    network changes fastest at first, so the first tenth of the frames gets
    about a third of the time (frame = (frames - 1) t², t the fraction of the
    time). Frames are spread where the routine puts them - one an epoch, or
    many inside an epoch that holds the story - so that is where the time goes.
    The frames still to come are counted one a step. Playback never goes past
    the newest frame computed, so a run slower than its pace is simply shown live.
    """

    def __init__(self, speed: str = DEFAULT_SPEED) -> None:
        self.speed = speed if speed in SPEEDS else DEFAULT_SPEED
        self.position = 0.0
        self.playing = True
        self._last_tick: float | None = None

    def tick(self, now: float, frames: Sequence[Frame], total: int) -> Frame | None:
        """Advance by the time since the last tick; the frame to show now (None: no frames)."""
        elapsed = 0.0 if self._last_tick is None else now - self._last_tick
        self._last_tick = now
        if not frames:
            return None
        if self.playing:
            seconds = SPEEDS[self.speed]
            if seconds <= 0:
                self.position = math.inf
            else:
                # The frames to come, one a step still to compute.
                last = max(len(frames) + max(total - frames[-1].step, 0) - 1, 1)
                shown = _index_at(frames, max(self.position, frames[0].position))
                fraction = math.sqrt(min(shown / last, 1.0)) + elapsed / seconds
                self.position = min(_position_at(frames, last * min(fraction, 1.0) ** 2), frames[-1].position)
        return frames[frame_index(frames, self.position)]

    def at_end(self, frames: Sequence[Frame]) -> bool:
        return not frames or frame_index(frames, self.position) == len(frames) - 1

    def toggle(self, frames: Sequence[Frame]) -> None:
        """Play or pause; playing at the end starts again from the first frame."""
        if not self.playing and self.at_end(frames) and frames:
            self.position = frames[0].position
        self.playing = not self.playing

    def move(self, frames: Sequence[Frame], count: int) -> None:
        """Pause and move ``count`` frames (negative: back), staying inside the timeline."""
        self.playing = False
        if frames:
            index = min(max(frame_index(frames, self.position) + count, 0), len(frames) - 1)
            self.position = frames[index].position if index < len(frames) - 1 else math.inf

    def first(self, frames: Sequence[Frame]) -> None:
        self.playing = False
        self.position = frames[0].position if frames else 0.0

    def last(self) -> None:
        self.playing = False
        self.position = math.inf

    def follow(self) -> None:
        """Show the newest frame from now on (after Step, or to jump to live)."""
        self.position = math.inf

    def next_speed(self) -> str:
        names = list(SPEEDS)
        self.speed = names[(names.index(self.speed) + 1) % len(names)]
        return self.speed


class Pace:
    """Measured time per step of each unit, for an ETA that tells the truth.

    The first report of a unit is the reference point, not the start of the
    run: the time before it (importing, compiling the model, the first call)
    says nothing about the steps after. Reports that arrive in a burst (a
    compiled loop reporting many epochs at once) move the reference along.
    """

    BURST = 0.02  # seconds: reports this close together come from one burst

    def __init__(self) -> None:
        self._began: dict[str, float] = {}  # when the unit's first report (of this cycle) came
        self._first: dict[str, tuple[float, int]] = {}  # the reference: (time, step)
        self._last: dict[str, tuple[float, int]] = {}

    def observe(self, progress: Progress, now: float) -> None:
        unit, step = progress.unit, progress.step
        first = self._first.get(unit)
        if first is None or step < first[1]:  # the first report, or batches counting again
            self._began[unit] = now
            self._first[unit] = (now, step)
        elif now - self._began[unit] < self.BURST:
            self._first[unit] = (now, step)  # still the first burst: move the reference along
        self._last[unit] = (now, step)

    def seconds_per_step(self, unit: str) -> float | None:
        first, last = self._first.get(unit), self._last.get(unit)
        if first is None or last is None or last[1] <= first[1]:
            return None
        return (last[0] - first[0]) / (last[1] - first[1])

    def eta(self, latest: Mapping[str, Progress]) -> float | None:
        """Seconds left, from the per-epoch pace, or the per-batch pace inside the first epochs."""
        epoch = next((p for p in latest.values() if p.record), None)
        if epoch is None:
            return None
        per_epoch = self.seconds_per_step(epoch.unit)
        if per_epoch is not None:
            return per_epoch * (epoch.total - epoch.step)
        batch = next((p for p in latest.values() if not p.record), None)
        per_batch = self.seconds_per_step(batch.unit) if batch is not None else None
        if batch is None or per_batch is None:
            return None
        # Batches left in the epoch under way, then in each epoch after it.
        return per_batch * ((batch.total - batch.step) + batch.total * max(epoch.total - epoch.step - 1, 0))
