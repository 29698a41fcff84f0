"""The plot drawers shared by the headless renderer and the app."""

from __future__ import annotations

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
