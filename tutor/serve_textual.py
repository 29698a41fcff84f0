"""Every use of textual-serve's private parts, in one place, for the one version they were read from.

``tutor serve`` (:mod:`tutor.serve`) builds on textual-serve's public pieces - ``Server`` (its
statics, downloads and ``public_url``), ``AppService``'s ``start``/``stop``/``send_bytes``/
``set_terminal_size``/``blur``/``focus``, ``to_int`` - and on these private ones, which a new
minor version may change without a word:

- ``AppService._build_environment(width, height)``: the app process's environment; the tab's
  identity is added here and the server's own class/learner variables removed.
- ``AppService._open_app_process(width, height)``: starting the app. textual-serve runs a shell
  command; the tutor starts an argument list (no shell between the server and the app, so SIGTERM
  reaches the app), in its own session, ended with the server (PR_SET_PDEATHSIG).
- ``AppService._process`` and ``AppService._stdin``: what ``run()``, ``send_bytes`` and ``stop``
  use; set as ``_open_app_process`` must set them.
- ``AppService.run()`` reading ``_process.stderr`` to its end into memory and printing it all in the
  teacher's terminal when the app ends: the tutor keeps stderr itself (``keep_stderr``, bounded, to
  a log file per session) and gives ``run()`` an empty stream instead.

``tests/test_serve_textual.py`` fails, naming this module, when the installed textual-serve is not
WRITTEN_FOR or one of these parts has changed shape; pyproject.toml pins the same minor version.
"""

from __future__ import annotations

import asyncio
import ctypes
import shlex
import signal
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from textual_serve.app_service import AppService

WRITTEN_FOR = "1.1"  # textual-serve's minor version these private uses were read from (1.1.3)

# (class, attribute) of every private part used here: the version test checks each is still there.
PRIVATE_PARTS = (
    (AppService, "_build_environment"),
    (AppService, "_open_app_process"),
    (AppService, "_process"),
    (AppService, "_stdin"),
)

PR_SET_PDEATHSIG = 1  # linux/prctl.h


class AppProcess(AppService):
    """One tab's app: started from an argument list with this tab's environment; stderr kept apart."""

    def __init__(
        self,
        argv: Sequence[str],
        identity: Mapping[str, str],
        keep_stderr: Callable[[asyncio.StreamReader], Coroutine[Any, Any, None]],
        *,
        drop: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        """``identity``: variables for this tab's app; ``drop``: the server's own that must not reach it.

        ``keep_stderr(stream)`` reads what the app writes to its stderr, until the end.
        """
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = list(argv)
        self.identity = dict(identity)
        self.drop = tuple(drop)
        self.keep_stderr = keep_stderr
        self.stderr_kept: asyncio.Task[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        for name in self.drop:
            environment.pop(name, None)
        environment.update(self.identity)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # No shell between the server and the app, so that SIGTERM reaches the app itself; its own
        # session, so that Ctrl+C in the teacher's terminal reaches the server, which stops it in order.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
            preexec_fn=_end_with_the_server if sys.platform == "linux" else None,
        )
        assert process.stdin is not None and process.stderr is not None
        self._stdin = process.stdin
        self.stderr_kept = asyncio.create_task(self.keep_stderr(process.stderr))
        # run() would read stderr whole into memory and print it raw in the teacher's terminal.
        nothing = asyncio.StreamReader()
        nothing.feed_eof()
        process.stderr = nothing
        return process

    @property
    def process(self) -> asyncio.subprocess.Process | None:
        return self._process


def _end_with_the_server() -> None:
    """Run in the app process before it starts: SIGTERM it when the server dies, even killed (-9).

    The app does not notice its standard input closing: without this a killed server left every tab's
    app running (a Keras session holds 0.9 GB).
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
