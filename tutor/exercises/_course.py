"""Where the lesson loader lives (``tutor.course``).

The exercises import it from here only, so a move is one line to change.
"""

from __future__ import annotations

from tutor.course import resolve_routine, split_routine
from tutor.course.translation import exercise_texts

__all__ = ["exercise_texts", "resolve_routine", "split_routine"]
