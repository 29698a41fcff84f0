"""The app's private uses of Textual and textual-plotext still fit the installed versions."""

from __future__ import annotations

import importlib.metadata
import inspect
import re

import pytest

from tutor.app import private_parts


@pytest.mark.parametrize(("distribution", "prefix"), sorted(private_parts.WRITTEN_FOR.items()))
def test_the_installed_version_is_the_one_written_for(distribution, prefix):
    installed = importlib.metadata.version(distribution)
    assert installed.startswith(prefix), (
        f"tutor/app/private_parts.py was written for {distribution} {prefix}*, and {installed} is installed: "
        "read its private parts again, then change WRITTEN_FOR and the pin in pyproject.toml"
    )


@pytest.mark.parametrize(
    ("owner", "name"), private_parts.private_parts(), ids=lambda part: getattr(part, "__name__", part)
)
def test_each_private_part_is_still_there(owner, name):
    part = getattr(owner, name, None)
    if name == "re_word":  # the pattern rich's words() matches, a module global read at each call
        assert isinstance(part, re.Pattern) and "re_word" in inspect.getsource(owner.words)
        return
    assert callable(part), f"{owner.__name__}.{name} is gone (tutor/app/private_parts.py)"
    if name == "_on_key":  # awaited by the override: it must still be a coroutine taking the event
        assert inspect.iscoroutinefunction(part)
        assert list(inspect.signature(part).parameters) == ["self", "event"]
    if name == "_set_size":
        assert list(inspect.signature(part).parameters) == ["self", "width", "height"]
