"""Keras' logs (``{"loss": ..., "val_accuracy": ...}``) as the tutor's metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def renamed(key: str, val_name: str) -> str:
    """'val_loss' becomes f'{val_name}_loss' (e.g. 'test_loss'); other keys stay."""
    return f"{val_name}_{key[4:]}" if key.startswith("val_") else key


def as_metrics(logs: Mapping[str, Any], val_name: str) -> dict[str, Any]:
    """Keras' logs as tutor metrics: plain floats, validation keys renamed.

    (Typed ``Any``, not ``float``: they go to ``reporter.progress(..., **metrics)``, and mypy would
    match a ``dict[str, float]`` against its named parameters ``unit`` and ``record`` too.)
    """
    metrics: dict[str, float] = {}
    for key, value in logs.items():
        try:
            metrics[renamed(key, val_name)] = float(value)
        except (TypeError, ValueError):  # a metric that is not a number (rare): skip it
            continue
    return metrics
