"""The teacher's view of a class: every learner of its one database, what they passed and when
they were last active (``tutor serve --class``; a store itself reads only its own learner's rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.progress.database import EXERCISE_PASSED
from tutor.progress.store import ProgressStore


@dataclass
class LearnerSummary:
    """One learner of a class as the teacher sees them: what they passed and when they were last active."""

    learner: str
    passed: dict[str, str] = field(default_factory=dict)  # lesson -> the day its challenge was met
    exercises: dict[str, str] = field(default_factory=dict)  # lesson -> the day its exercise passed
    runs: dict[str, int] = field(default_factory=dict)  # lesson -> runs kept
    last_active: str = ""  # ISO time of the newest run, pass or opened lesson


def learner_summaries(store: ProgressStore) -> list[LearnerSummary]:
    """Every learner of ``store``'s database (not only the store's own), by name."""
    learners: dict[str, LearnerSummary] = {}

    def summary(name: str) -> LearnerSummary:
        return learners.setdefault(name, LearnerSummary(name))

    for name, lesson, day in store.query("SELECT learner, lesson, passed_on FROM passed"):
        summary(name).passed[lesson] = day
    for name, lesson, count in store.query("SELECT learner, lesson, COUNT(*) FROM runs GROUP BY learner, lesson"):
        summary(name).runs[lesson] = count
    for name, value in store.query("SELECT learner, value FROM state WHERE key = 'last_active'"):
        summary(name).last_active = value if isinstance(value, str) else ""
    exercise_passes = store.query("SELECT learner, key, value FROM state WHERE key LIKE ?", (EXERCISE_PASSED + "%",))
    for name, key, day in exercise_passes:
        summary(name).exercises[key[len(EXERCISE_PASSED) :]] = day
    for learner in learners.values():  # a pass recorded before activity was stamped still counts
        learner.last_active = max([learner.last_active, *learner.passed.values(), *learner.exercises.values()])
    learners.pop("", None)  # the single local learner is not one of a class
    return sorted(learners.values(), key=lambda learner: learner.learner.casefold())
