"""Watching a run (tutor/watching.py): one story per run, never moving backwards."""

from __future__ import annotations

import re

from tutor.reporting import Progress, RunControl
from tutor.runner import RunState
from tutor.watching import Watch


class ComputingSession:
    """A run computing, its reports applied by the test (the watch reads only these)."""

    def __init__(self) -> None:
        self.state = RunState()
        self.control = RunControl()
        self.computing = True
        self.done = False

    @property
    def paused(self) -> bool:
        return self.control.paused


def told(story: str) -> float:
    """How far the story says the run is, in epochs: 'epoch 4/10 · batch 12/469' is 3 + 12/469,
    'epoch 3/10' (three done) is 3. A replay behind the computing tells both: the computing is read."""
    story = story.split("computed: ")[-1]
    epoch = re.search(r"epoch (\d+)/", story)
    batch = re.search(r"batch (\d+)/(\d+)", story)
    if batch is None:
        return float(epoch.group(1)) if epoch else 0.0
    return (int(epoch.group(1)) - 1 if epoch else 0) + int(batch.group(1)) / int(batch.group(2))


def test_the_story_of_a_keras_epoch_never_steps_back() -> None:
    """Batches are reported during an epoch and the epoch at its end (after its evaluation, whose
    batches may report too): the story goes epoch 3 · batch 456, then epoch 4 · batch 12, never back."""
    session = ComputingSession()
    watch = Watch(session, clock=False)  # type: ignore[arg-type]
    reports = [
        Progress(2, 10, {"loss": 0.5}),
        *(Progress(batch, 469, {"loss": 0.4}, unit="batch", record=False) for batch in (100, 300, 456)),
        Progress(3, 10, {"loss": 0.3}),  # epoch 3 ends
        Progress(249, 469, {"loss": 0.3}, unit="batch", record=False),  # late: a batch of the epoch just told
        Progress(12, 469, {"loss": 0.3}, unit="batch", record=False),
        Progress(460, 469, {"loss": 0.3}, unit="batch", record=False),
        Progress(4, 10, {"loss": 0.2}),
    ]
    stories = []
    for report in reports:
        session.state.apply(report)
        stories.append(watch.moment(0.0).story)
    positions = [told(story) for story in stories]
    assert positions == sorted(positions), stories
    assert stories[3].startswith("epoch 3/10"), stories  # three epochs done: no batch of the old one


def test_a_paused_run_whose_replay_is_behind_says_first_what_the_views_show() -> None:
    from tutor.reporting import ViewUpdate

    session = ComputingSession()
    watch = Watch(session, clock=False)  # type: ignore[arg-type]
    for epoch in range(1, 501):
        session.state.apply(ViewUpdate("fit", {"title": f"epoch {epoch}"}))
        session.state.apply(Progress(epoch, 5000, {"loss": 1 / epoch}))
    watch.moment(0.0)
    watch.moment(0.5)  # half a second of a 6-second replay of 5,000 epochs: still early
    session.control.pause()
    watch.player.playing = False
    story = watch.moment(1.0).story
    assert story.startswith("Paused · showing epoch "), story
    assert "computed: epoch 500/5000" in story


def test_space_at_the_end_of_a_finished_run_plays_its_replay_again_from_the_first_frame() -> None:
    """At the end of a replay nothing moves: the watch is not playing (the footer offers Play, not
    Pause), and space starts the replay again rather than 'pausing' a still picture."""
    from tutor.records import RunRecord
    from tutor.reporting import ViewUpdate

    session = ComputingSession()
    watch = Watch(session, clock=False)  # type: ignore[arg-type]
    for epoch in range(1, 6):
        session.state.apply(ViewUpdate("fit", {"title": f"epoch {epoch}"}))
        session.state.apply(Progress(epoch, 5, {"loss": 1 / epoch}))
    session.computing, session.done = False, True
    watch.ended(RunRecord(lesson="demo", params={}, seed=0, history=[{"step": 5, "loss": 0.2}]))
    watch.moment(0.0)
    end = watch.moment(1000.0)  # long after the replay's few seconds
    assert end.frame_index == end.frame_count == 5
    assert not watch.playing and watch.still

    watch.play_pause()
    assert watch.playing and not watch.still
    assert watch.moment(1000.0).frame_index == 1  # the replay starts again, from its first frame
