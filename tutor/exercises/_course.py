"""Where the lesson loader lives: ``tutor.lessons`` is moving to the ``tutor.course`` package.

The exercises import it from here only, so the move is one line to change.
"""

from __future__ import annotations

try:
    from tutor.course import resolve_routine
except ImportError:
    from tutor.lessons import resolve_routine

__all__ = ["resolve_routine"]
