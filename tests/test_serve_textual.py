"""textual-serve's private parts the tutor uses (tutor/serve_textual.py) are there, as they were read.

A new textual-serve may rename or reshape them without a word; these tests say so, naming the module to
re-read, before a served class finds out. pyproject.toml pins the minor version they were written for.
"""

from __future__ import annotations

import asyncio
import inspect
from importlib.metadata import version

import pytest

textual_serve = pytest.importorskip("textual_serve", reason="tutor[serve] is not installed")

from textual_serve.app_service import AppService  # noqa: E402

from tutor import serve_textual  # noqa: E402


def test_the_installed_textual_serve_is_the_version_the_private_uses_were_written_for():
    installed = version("textual-serve")
    assert ".".join(installed.split(".")[:2]) == serve_textual.WRITTEN_FOR, (
        f"tutor/serve_textual.py was written for textual-serve {serve_textual.WRITTEN_FOR}.x, and "
        f"{installed} is installed: re-read AppService._build_environment, _open_app_process, _process, "
        "_stdin and run() in textual_serve/app_service.py, adapt tutor/serve_textual.py, then move "
        "WRITTEN_FOR and the pin in pyproject.toml"
    )


def test_the_private_methods_overridden_have_the_shape_they_were_read_with():
    for name in ("_build_environment", "_open_app_process"):
        parameters = list(inspect.signature(getattr(AppService, name)).parameters)
        assert parameters == ["self", "width", "height"], f"AppService.{name}{parameters}: see tutor/serve_textual.py"
    assert inspect.iscoroutinefunction(AppService._open_app_process)


def test_the_private_attributes_run_and_send_use_are_the_ones_set():
    async def attributes() -> set[str]:
        async def nothing(*_args) -> None:
            return None

        service = AppService("true", write_bytes=nothing, write_str=nothing, close=nothing, download_manager=None)
        return set(vars(service))

    present = asyncio.run(attributes())
    for _, name in serve_textual.PRIVATE_PARTS:
        assert name in present or hasattr(AppService, name), f"AppService.{name} is gone: see tutor/serve_textual.py"
    # run() reads the process's stderr, and the stdin send_bytes writes to is _stdin.
    assert "process.stderr" in inspect.getsource(AppService.run)
    assert "self.stdin" in inspect.getsource(AppService.send_bytes) and "_stdin" in inspect.getsource(AppService)
