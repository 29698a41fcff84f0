"""The Textual app: browse lessons, tweak parameters, run and watch them learn.

Importing this package is cheap: Textual and the widgets load only when
:func:`run_app` is called, and TensorFlow never loads until a Keras lesson runs.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.progress import ProgressStore


def run_app(
    lesson_id: str | None = None,
    autorun: bool = False,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    *,
    course: Course | None = None,
    store: ProgressStore | None = None,
    course_loader: Callable[[str], Course] | None = None,
) -> int:
    """Open the app (on ``lesson_id`` if given, starting it if ``autorun``); return an exit code."""
    from tutor.app.app import TutorApp
    from tutor.app.terminal import private_terminal
    from tutor.runner import exit_leaving_busy_routines

    # Our own loop: asyncio.run() would wait, after the app has gone, for a
    # routine thread still busy and deaf to Stop (importing TensorFlow, seconds).
    loop = asyncio.new_event_loop()
    with private_terminal() as terminal:
        app = TutorApp(
            course,
            lesson_id=lesson_id,
            autorun=autorun,
            overrides=overrides,
            seed=seed,
            store=store,
            terminal=terminal,
            course_loader=course_loader,
        )
        # Closing the terminal or being told to end (SIGHUP, SIGTERM) quits as Ctrl+Q does:
        # the run is stopped and recorded first.
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                loop.add_signal_handler(getattr(signal, name), lambda: loop.create_task(app.action_quit()))
        app.run(loop=loop)
    code = app.return_code or 0
    # The terminal is restored and progress saved; a routine still busy (it was
    # stopped) has nothing left to keep: quit now, not after it wakes up.
    exit_leaving_busy_routines(code)
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    return code


__all__ = ["run_app"]
