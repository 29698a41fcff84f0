"""Every plot kind draws any numbers - huge, infinite, missing, none, one - without
raising and without allocating beyond a small bound (plotext joins points cell by
cell, so an unclipped 1e300 would try to allocate without bound)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import plotext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text

from tutor import plotting

WILD = st.sampled_from([1e300, -1e300, float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1e-300, 5e-324])
NUMBERS = st.one_of(WILD, st.floats(allow_nan=True, allow_infinity=True))
ARRAYS = st.lists(NUMBERS, min_size=0, max_size=6)
LIMIT_BYTES = 8 * 1024 * 1024


def grid(values: list[float], rows: int, cols: int) -> np.ndarray:
    flat = np.resize(np.asarray(values or [0.0], dtype=float), rows * cols)
    return flat.reshape(rows, cols)


@st.composite
def payloads(draw):
    a, b, c = draw(ARRAYS), draw(ARRAYS), draw(ARRAYS)
    pair = lambda: (draw(NUMBERS), draw(NUMBERS))  # noqa: E731
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    history = [{"step": s, "loss": v, "accuracy": w} for s, v, w in zip(range(1, 7), a, b)]
    return {
        "fit": {
            "points": [{"x": a, "y": b, "label": "p"}],
            "lines": [{"x": b, "y": c, "label": "l"}],
            "ylim": pair() if draw(st.booleans()) else None,
        },
        "cost": {"x": a, "y": b, "path": {"x": c, "y": a}, "marker": pair()},
        "surface": {
            "x": a,
            "y": b,
            "z": grid(c, rows, cols),
            "points": [{"x": b, "y": c}],
            "path": {"x": c, "y": b},
            "marker": pair(),
            "zlabel": draw(st.sampled_from(["cost", "P(x)"])),
        },
        "bars": {
            "labels": [str(i) for i in range(len(a))],
            "values": a,
            "ylim": pair() if draw(st.booleans()) else None,
        },
        "digits": {
            "images": grid(a, rows, cols)[None].repeat(2, axis=0),
            "labels": ["1", "2"],
            "predicted": ["1", "3"],
            "selected": draw(st.integers(-3, 3)),
            "tops": [[("1", draw(NUMBERS))], [("3", draw(NUMBERS))]],
        },
        "heatmaps": {"maps": [{"title": "f", "values": grid(b, rows, cols)}, {"title": "g", "values": grid(c, 1, 1)}]},
        "loss": (
            {"ylog": draw(st.sampled_from([True, False, None])), "xlog": draw(st.booleans())},
            history,
            [("earlier", [{"step": s, "loss": v} for s, v in zip(range(1, 7), c)])],
            draw(st.one_of(st.none(), st.integers(-5, 10))),
        ),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads(), st.sampled_from([(80, 22), (100, 30), (30, 8)]))
def test_every_plot_kind_draws_any_numbers_within_a_small_memory_bound(views, size):
    width, height = size
    for kind, data in views.items():
        history, past, cursor = (), (), None
        if kind == "loss":
            data, history, past, cursor = data
        plotext.clear_figure()
        plotext.limitsize(False, False)
        plotext.plotsize(width, height)
        tracemalloc.start()
        try:
            captions = plotting.draw(plotext, kind, data, history, past, width=width, height=height, cursor=cursor)
            plotext.build()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert isinstance(captions, list) and all(isinstance(line, Text) for line in captions)
        assert peak < LIMIT_BYTES, f"{kind} allocated {peak} bytes"
