"""Shared test setup: every test gets its own user data dir and no animations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_shared_data = pytest.mark.skipif(
    not (SHARED_DATA / "mnist").is_dir(),
    reason="../shared/data is not here (the full MNIST/Fashion-MNIST sets; present in CI)",
)

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """Progress, trained weights and models go to a fresh folder, never the real one."""
    home = tmp_path_factory.mktemp("tutor-home")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    return home


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
