"""One answer to "are we online?" for every data loader, and where Keras keeps its downloads.

A loader that could download (Keras' MNIST, Fashion-MNIST, Boston housing)
asks :func:`online` first. The answer must come quickly and must be "no" when
the learner says so:

- ``TUTOR_OFFLINE=1`` (or ``true``/``yes``) answers "no" without touching the network;
- the probe opens one TCP connection to Keras' download server. Name lookup
  (DNS) can block far longer than a socket timeout, so the probe runs in a
  daemon thread that is simply abandoned when it takes too long.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

KERAS_HOST = "storage.googleapis.com"  # where Keras' datasets are downloaded from


def keras_datasets_dir() -> Path:
    """Where Keras caches downloads: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home).expanduser() / "datasets"


def offline_by_choice() -> bool:
    """True when ``TUTOR_OFFLINE`` says the tutor must not use the network."""
    return os.environ.get("TUTOR_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def online(host: str = KERAS_HOST, port: int = 443, timeout: float = 2.0) -> bool:
    """Can we open a connection to ``host`` within about ``timeout`` seconds (DNS included)?"""
    if offline_by_choice():
        return False
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except Exception:  # noqa: BLE001 - any failure to connect means "not online", never a crash
            result.append(False)

    thread = threading.Thread(target=probe, name="tutor-online-probe", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    return bool(result and result[0])
