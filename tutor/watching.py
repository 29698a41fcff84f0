"""Watching a run: which frame to show now, and one story of where the run is.

A :class:`~tutor.runner.RunSession` computes; a :class:`~tutor.timeline.Player`
paces the frames; a :class:`Watch` puts the two together the way a learner
watches: space pauses the run *and* its playback, a step past the newest frame
of a paused run computes one more epoch, a replay stops at its end. Each
:meth:`Watch.moment` says what the views should show (and whether that
changed since the last one) and tells the run's story in words - the same
words in the app's status line, wherever it is read, and never moving
backwards. Nothing here draws: the app's lesson pane renders moments.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tutor.course import Lesson
from tutor.course.conditions import condition_names
from tutor.formatting import format_metrics
from tutor.i18n import N_, _
from tutor.reporting import Progress
from tutor.run_state import Snapshot
from tutor.runner import DIVERGED, FAILED, FINISHED, STOPPED, RunRecord, RunSession
from tutor.timeline import DEFAULT_SPEED, Frame, Player

# How a run ended, as the status line and the Runs tab say it (a record keeps the English word).
STATUS_WORDS = {FINISHED: N_("finished"), STOPPED: N_("stopped"), DIVERGED: N_("diverged"), FAILED: N_("failed")}
# The units the course's routines count in (Reporter.progress's ``unit``); another is shown as it is.
N_("epoch"), N_("batch"), N_("bean"), N_("update"), N_("evaluation")


def status_word(status: str) -> str:
    """A run's status in the language the tutor speaks."""
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def counted(unit: str, step: int, total: int) -> str:
    """``epoch 3/6``, ``批次 163/235``: a unit of the routine's (translated when it is one of ours)."""
    return f"{_(unit)} {step}/{total}"


def where(latest: Mapping[str, Progress]) -> str:
    """Epoch and batch together: 'epoch 3/6 · batch 163/235' is batch 163 of the third epoch."""
    epoch = next((p for p in latest.values() if p.record), None)
    inner = [p for p in latest.values() if not p.record]
    if not inner:
        return counted(epoch.unit, epoch.step, epoch.total) if epoch else ""
    batch = inner[0]
    if epoch is None:
        return f"{_('epoch')} 1 · {counted(batch.unit, batch.step, batch.total)}"
    current = epoch.step + 1 if epoch.step < epoch.total else epoch.step
    return f"{counted(epoch.unit, current, epoch.total)} · {counted(batch.unit, batch.step, batch.total)}"


def frame_where(frame: Frame) -> str:
    """``epoch 3/100``, or inside a step that holds the story: ``epoch 1/100 · bean 30/100``."""
    where = counted(frame.unit, frame.step, frame.total)
    inner = frame.inner
    if inner is not None and inner.unit != frame.unit and inner.total > 0:
        where += f" · {counted(inner.unit, inner.step, inner.total)}"
    return where


def judged_figures(lesson: Lesson) -> set[str]:
    """The result's figures the lesson's challenge reads: a story names them first."""
    try:
        return condition_names(lesson.challenge.condition)
    except ValueError:
        return set()


def duration(seconds: float) -> str:
    """``3.2 s``, ``14 s``, ``2 min 05 s``."""
    if seconds < 60:
        return _("{seconds} s").format(seconds=f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}")
    minutes, seconds = divmod(int(round(seconds)), 60)
    return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=f"{seconds:02d}")


def verdict(record: RunRecord) -> str:
    """How a finished run stands against the lesson's challenge."""
    if record.challenge_met and record.mine:
        return _("challenge met with your code ✓")
    if record.challenge_met:
        return _("challenge met ✓")
    if record.challenge_met is None:
        return _("challenge not judged")
    return _("challenge not met yet")


def result_figures(record: RunRecord, first: Collection[str] = ()) -> str:
    """The result's numbers, those the challenge judges first: what the learner came for."""
    numbers = {k: v for k, v in record.result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return format_metrics(dict(sorted(numbers.items(), key=lambda item: item[0] not in first)))


def ended_story(record: RunRecord, snapshot: Snapshot, *, first: Collection[str] = (), clock: bool = True) -> str:
    """One sentence for how a run ended; the same words for one run wherever they are shown."""
    took = f"  ({duration(record.seconds)})" if clock else ""
    if record.status == FINISHED:
        return (
            _("Finished: {verdict}.  {figures}").format(verdict=verdict(record), figures=result_figures(record, first))
            + took
        )
    if record.status == STOPPED:
        progress = next((p for p in snapshot.latest.values() if p.record), snapshot.progress)
        if progress is None:
            return _("Stopped") + took
        at = _("Stopped at {where}").format(where=where(snapshot.latest))
        return f"{at}  {format_metrics(progress.metrics)}{took}"
    if record.status == DIVERGED:
        # The routine's own words name the epoch once ("loss became 4.4e+31 at epoch 19: ...").
        return _("Diverged: {error}").format(error=record.error or _("a metric became infinite"))
    if record.status == FAILED:
        error = (record.error or _("the routine raised an error")).splitlines()[0]
        return _("Failed: {error}").format(error=error)
    return status_word(record.status)


@dataclass(frozen=True)
class Moment:
    """What to show now: the views' data, where the run is, and the story in words."""

    views: Mapping[str, Any]
    history: Sequence[Mapping[str, float]]
    cursor: float | None  # where a replayed frame is, in steps (the loss view marks it); None: live
    redraw: bool  # the views' data changed since the last moment
    story: str  # one line: where the run is, or how it ended
    frame_index: int = 0  # 1-based position of the frame shown (0: none yet)
    frame_count: int = 0
    progress: tuple[int, int] | None = None  # (done, total) for a progress bar; None: not known yet
    metrics: Mapping[str, float] = field(default_factory=dict)  # the figures of what is shown


class Watch:
    """One run as the learner watches it: its session, its player, and the moment to show.

    ``first``: the result's figures the challenge reads (they are named first);
    ``clock=False`` leaves times (ETA, durations) out of the story, for stable pictures.
    """

    def __init__(
        self,
        session: RunSession,
        *,
        speed: str = DEFAULT_SPEED,
        first: Collection[str] = (),
        clock: bool = True,
        starting: str | None = None,
    ) -> None:
        self.session = session
        self.player = Player(speed)
        self.first = first
        self.clock = clock
        self.record: RunRecord | None = None  # set when the run has ended (or was let go)
        self._starting = _("Starting…") if starting is None else starting
        self._shown: tuple[Any, ...] | None = None
        self._furthest: tuple[float, str] = (0.0, "")  # how far the story has told, and its words

    # ------------------------------------------------------------ what the learner does

    def frames(self) -> list[Frame]:
        return self.session.state.frames()

    @property
    def has_timeline(self) -> bool:
        return bool(self.frames())

    @property
    def computing(self) -> bool:
        return self.session.computing

    @property
    def playing(self) -> bool:
        """The picture moves: a run computing (not paused), or a replay with frames still to show."""
        if self.record is None:
            return self.player.playing
        return self.player.playing and not self.player.at_end(self.frames())

    def play_pause(self) -> None:
        """Space: pause or resume the run (the routine waits, using no CPU) and its playback."""
        session = self.session
        if session.computing:
            if session.paused:
                session.resume()
                self.player.playing = True
            else:
                session.pause()
                self.player.playing = False
        else:
            if not self.playing:  # at the end of its replay too: play it again from the first frame
                self.player.playing = False
            self.player.toggle(self.frames())

    def move(self, count: int) -> None:
        """Move through the timeline; one step past the newest frame of a paused run computes one more."""
        session = self.session
        frames = self.frames()
        if count > 0 and session.computing and self.player.at_end(frames):
            session.step()
            self.player.playing = False
            self.player.follow()
            return
        if session.computing and not session.paused:
            session.pause()
        self.player.move(frames, count)

    def first_frame(self) -> None:
        if self.session.computing and not self.session.paused:
            self.session.pause()
        self.player.first(self.frames())

    def last_frame(self) -> None:
        self.player.last()

    def next_speed(self) -> str:
        speed = self.player.next_speed()
        if not self.player.at_end(self.frames()):
            self.player.playing = True
        return speed

    def stop_replay(self) -> None:
        self.player.playing = False

    def redraw_next(self) -> None:
        """The next moment redraws the views (a new pane shows this run: its views have no data yet)."""
        self._shown = None

    def ended(self, record: RunRecord) -> None:
        """The run ended (or was let go): a failed or stopped run shows where it ended."""
        self.record = record
        if record.status in (STOPPED, FAILED, DIVERGED):
            self.player.last()

    @property
    def still(self) -> bool:
        """Nothing moves until a key does: the run has ended and the playback is at its end or paused."""
        return self.record is not None and (self.player.at_end(self.frames()) or not self.player.playing)

    # ------------------------------------------------------------ what the learner sees

    def moment(self, now: float) -> Moment:
        """The frame to show at time ``now`` (the player advances), and the story."""
        session = self.session
        state = session.state
        snapshot = state.snapshot()
        frames = state.frames()
        total = snapshot.progress.total if snapshot.progress else 0
        frame = self.player.tick(now, frames, total)
        if self.still and self.player.playing:
            self.player.playing = False  # the replay reached its end: space plays it again
        # Following a run as it computes: the newest state, even between two epochs.
        live = session.computing and (frame is None or (frame is frames[-1] and self.player.playing))
        index = next((i + 1 for i, kept in enumerate(frames) if kept is frame), len(frames))
        views: Mapping[str, Any]
        if frame is None or live:
            key: tuple[Any, ...] = (None, snapshot.version)
            views, cursor, metrics = snapshot.views, None, self._live_metrics(snapshot)
        else:
            key = (frame, len(snapshot.history))
            views, cursor, metrics = frame.views, frame.position, dict(frame.metrics)
        redraw = key != self._shown
        self._shown = key
        return Moment(
            views=views,
            history=snapshot.history,
            cursor=cursor,
            redraw=redraw,
            story=self._story(snapshot, frames, frame, live),
            frame_index=index if frames else 0,
            frame_count=len(frames),
            progress=self._progress(snapshot, frames, frame, live),
            metrics=metrics,
        )

    @staticmethod
    def _live_metrics(snapshot: Snapshot) -> dict[str, float]:
        epoch = next((p for p in snapshot.latest.values() if p.record), snapshot.progress)
        return dict(epoch.metrics) if epoch else {}

    def _progress(
        self, snapshot: Snapshot, frames: list[Frame], frame: Frame | None, live: bool
    ) -> tuple[int, int] | None:
        if self.record is not None and self.record.status == FINISHED and self.player.at_end(frames):
            return (1, 1)  # a finished run shown at its end is whole, whatever its last report counted
        if frame is not None and not live:
            return (frame.step, max(frame.total, 1))
        epoch = next((p for p in snapshot.latest.values() if p.record), snapshot.progress)
        if epoch is None:
            return (1, 1) if self.record is not None and self.record.status == FINISHED else None
        return (epoch.step, max(epoch.total, 1))

    def _story(self, snapshot: Snapshot, frames: list[Frame], frame: Frame | None, live: bool) -> str:
        session = self.session
        if session.computing and session.control.cancelled:
            return _("Stopping…")
        if session.computing:
            if snapshot.progress is None:  # nothing computed yet: the newest note ("Loading TensorFlow…")
                return _(snapshot.notes[-1]) if snapshot.notes else self._starting  # a note of ours is marked
            text = self._computing_story(snapshot)
            if frame is not None and not live and frame is not frames[-1]:
                # The replay is behind the computing: say first what the views show.
                shown = _("showing {where}").format(where=frame_where(frame))
                paused = _("Paused · ") if session.paused else ""
                return f"{paused}{shown}  {format_metrics(frame.metrics)}  · " + _("computed: {story}").format(
                    story=text
                )
            return text
        if self.record is None:
            return self._starting
        if frame is not None and not self.player.at_end(frames):
            return _("Replay {where}").format(where=frame_where(frame)) + f"  {format_metrics(frame.metrics)}"
        return ended_story(self.record, snapshot, first=self.first, clock=self.clock)

    def _computing_story(self, snapshot: Snapshot) -> str:
        """Where the computing is: never a step behind what was already said."""
        epoch = next((p for p in snapshot.latest.values() if p.record), snapshot.progress)
        batch = next((p for p in snapshot.latest.values() if not p.record), None)
        # Epochs done, plus the share of the next one its batches have reached (the runner drops
        # an epoch's batches when the epoch is recorded, so any batch here belongs to the next one).
        reached = (epoch.step if epoch and epoch.record else 0) + (batch.step / max(batch.total, 1) if batch else 0)
        paused = self.session.paused and self.session.control.waiting
        if reached < self._furthest[0] and not paused:
            return self._furthest[1]  # a late report of a batch already told: the story stays put
        figures = format_metrics(epoch.metrics) if epoch else ""
        at = _("Paused at {where}").format(where=where(snapshot.latest)) if paused else where(snapshot.latest)
        text = f"{at}  {figures}"
        eta = self.session.state.eta() if self.clock and not paused else None
        if eta is not None and math.isfinite(eta):
            text += "  " + _("ETA {duration}").format(duration=duration(eta))
        self._furthest = (reached, text.rstrip())
        return text.rstrip()
