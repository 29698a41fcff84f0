"""Where the lesson loader lives (``tutor.course``).

The exercises import it from here only, so a move is one line to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tutor.course import resolve_routine, shipped_lessons_dir, split_routine

__all__ = ["exercise_texts", "resolve_routine", "shipped_lessons_dir", "split_routine"]


def exercise_texts(folder: Path, language: str, intro: str, hints: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """An exercise's intro and hints in ``language`` (tutor.course.translation, imported only for another language)."""
    if language == "en":
        return intro, tuple(hints)
    from tutor.course.translation import exercise_texts as translated

    return translated(folder, language, intro, hints)
