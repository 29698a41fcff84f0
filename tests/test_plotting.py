"""The plot drawers shared by the headless renderer and the app."""

from __future__ import annotations

import re

import numpy as np
import plotext
import pytest

from tutor import plotting
from tutor.textviews import TEXT_VIEWS
from tutor.views import VIEW_KINDS


@pytest.mark.parametrize("kind", [kind for kind in VIEW_KINDS if kind not in TEXT_VIEWS])
def test_a_view_with_no_data_yet_is_an_empty_frame(kind):
    # Reopening a lesson shows earlier runs' losses before the routine's first report.
    plotext.clear_figure()
    plotext.plotsize(40, 12)
    plotting.draw(plotext, kind, {}, [], [[{"step": 1, "loss": 0.5}, {"step": 2, "loss": 0.25}]])
    drawn = plotext.build()
    assert drawn.count("\n") >= 10


def drawn(kind: str, data: dict, width: int, height: int = 16) -> str:
    plotext.clear_figure()
    plotext.plotsize(width, height)
    plotting.draw(plotext, kind, data, width=width)
    return plotext.uncolorize(plotext.build())


def test_grid_captions_shorten_rather_than_run_into_each_other():
    filters = {"maps": [{"title": f"filter {i}", "values": np.eye(5)} for i in range(1, 7)], "columns": 6}
    assert re.search(r"filter 1\s+filter 2\s+filter 3\s+filter 4\s+filter 5\s+filter 6", drawn("heatmaps", filters, 100))
    narrow = drawn("heatmaps", filters, 38)  # six tiles of about 6 characters
    assert "filter" not in narrow and re.search(r"1\s+2\s+3\s+4\s+5\s+6", narrow)

    digits = {"images": np.zeros((8, 28, 28)), "labels": list(range(8)), "predicted": [0, 1, 2, 9, 4, 5, 6, 7]}
    assert "✗9 (3)" in drawn("digits", digits, 100, 20)
    narrow = drawn("digits", digits, 36, 20)  # eight tiles of about 4 characters
    assert "✗9" in narrow and "(3)" not in narrow
