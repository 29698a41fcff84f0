"""Shared test setup: every test gets its own user data dir and no animations.

Fixtures live here; helper functions and constants in tests/helpers.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Full-data tests mark themselves with needs_shared_data; it is defined once, in tests/helpers.py.
from tests.helpers import SHARED_DATA, needs_shared_data  # noqa: F401
from tutor import i18n

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Iterator[Path]:
    """Progress, trained weights and models go to a fresh folder, never the real one; the tutor speaks English."""
    home = tmp_path_factory.mktemp("tutor-home")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.setenv("TUTOR_WORKSPACE", str(home / "workspace"))  # the learner's exercise files
    monkeypatch.setenv("TUTOR_LANG", "en")  # English whatever the machine's locale; tests of Chinese ask for it
    yield home
    i18n.set_language(i18n.ENGLISH)  # a test that ran main(["--lang", "zh", ...]) in-process leaves none behind


@pytest.fixture
def chinese() -> None:
    """The tutor speaks Chinese for this test (isolated_home puts English back after it)."""
    i18n.set_language("zh")


@pytest.fixture(autouse=True)
def no_worker_outlives_its_test():
    """A run's worker process, or the one prepared for a Keras lesson, ends with the test that started it."""
    yield
    import sys

    runner = sys.modules.get("tutor.runner")
    if runner is not None:
        runner.end_workers()


@pytest.fixture
def offline_images(tmp_path, monkeypatch):
    """The image loader with no real data, no network, an empty Keras cache and system dir,
    a fresh cache, and a download that fails the test if it is ever tried."""
    from tutor.data import images

    monkeypatch.delenv("TUTOR_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(images, "SYSTEM_DIR", tmp_path / "system")
    monkeypatch.setattr(images, "_online", lambda *a, **k: False)

    def no_download(name):
        raise AssertionError("the tests must never download")

    monkeypatch.setattr(images, "_keras_download", no_download)
    images.clear_cache()
    yield
    images.clear_cache()
