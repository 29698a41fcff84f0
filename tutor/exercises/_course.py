"""Where the lesson loader lives (``tutor.course``).

The exercises import it from here only, so a move is one line to change.
"""

from __future__ import annotations

from tutor.course import resolve_routine, shipped_lessons_dir, split_routine

__all__ = ["resolve_routine", "shipped_lessons_dir", "split_routine"]
