"""What the learner has done: passed lessons, the last lesson opened, recent runs.

- :mod:`tutor.progress.store`: :class:`ProgressStore`, one SQLite database that any number of
  processes read and write at once, that never stops a run from being recorded;
- :mod:`tutor.progress.database`: its tables;
- :mod:`tutor.progress.legacy`: the ``progress.json`` of older tutors, imported once;
- :mod:`tutor.progress.overview`: the teacher's view of every learner of a class.

What a run is, and its one JSON form, is :mod:`tutor.records`.
"""

from tutor.progress.database import RUNS_KEPT
from tutor.progress.store import DB_NAME, ProgressStore

__all__ = ["DB_NAME", "RUNS_KEPT", "ProgressStore"]
