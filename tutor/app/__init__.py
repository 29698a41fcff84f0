"""The Textual app: browse lessons, tweak parameters, run and watch them learn.

Importing this package is cheap: Textual and the widgets load only when
:func:`run_app` is called, and TensorFlow never loads until a Keras lesson runs.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from tutor.lessons import Course
    from tutor.progress import ProgressStore


def run_app(
    lesson_id: str | None = None,
    autorun: bool = False,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    *,
    course: "Course | None" = None,
    store: "ProgressStore | None" = None,
) -> int:
    """Open the app (on ``lesson_id`` if given, starting it if ``autorun``); return an exit code."""
    from tutor.app.app import TutorApp
    from tutor.app.terminal import private_terminal

    # Our own loop: asyncio.run() would wait, after the app has gone, for a
    # routine thread still busy and deaf to Stop (importing TensorFlow, seconds).
    loop = asyncio.new_event_loop()
    with private_terminal() as terminal:
        app = TutorApp(course, lesson_id=lesson_id, autorun=autorun, overrides=overrides, seed=seed,
                       store=store, terminal=terminal)
        app.run(loop=loop)
    code = app.return_code or 0
    if app.has_unfinished_runs():
        # The terminal is restored and progress saved; such a thread has nothing
        # left to keep (it was stopped), so quit now instead of leaving a blank
        # terminal until it wakes up.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    return code


__all__ = ["run_app"]
