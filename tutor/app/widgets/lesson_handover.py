"""What a lesson's pane hands to the pane that replaces it when the tutor changes language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tutor.app.widgets.exercise_pane import ExerciseHandover
from tutor.runner import RunRecord
from tutor.watching import Watch


@dataclass
class Handover:
    """What a lesson's pane hands to the pane that replaces it in another language: all the learner has
    there - the typed parameters and exercise text, the run (computing or ended) and where it is shown."""

    fields: dict[str, Any]
    watch: Watch | None
    last_record: RunRecord | None
    past: list[Mapping[str, Any]]
    speed: str
    announce_pass: bool
    preview: Mapping[str, Any]
    page: int
    staged: str
    tab: str
    exercise: ExerciseHandover | None
