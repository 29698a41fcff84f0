"""The digits view: the selected image large with its top-3, the others around it;
the selection moves with keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.binding import Binding

from tutor.app.widgets.plot_view import PlotView
from tutor.i18n import N_
from tutor.plotting import Past, digit_grid_columns


class DigitsView(PlotView):
    """Arrow keys move the selected image; its top-3 probabilities follow (when the
    routine sent them for every image as ``tops``)."""

    BINDINGS = [
        Binding("right,l", "move(1)", N_("Next image"), id="digits.next", show=False),
        Binding("left,h", "move(-1)", N_("Previous image"), id="digits.previous", show=False),
        Binding("down,j", "move_row(1)", N_("Image below"), id="digits.down", show=False),
        Binding("up,k", "move_row(-1)", N_("Image above"), id="digits.up", show=False),
    ]

    def show(
        self,
        data: Mapping[str, Any] | None,
        history: Sequence[Mapping[str, float]] = (),
        past: Past = (),
        cursor: float | None = None,
    ) -> None:
        super().show(data, history, past, cursor)
        if self.data and self.data.get("selected") is None and len(self.data.get("labels", ())):
            self.data = {**self.data, "selected": 0}

    @property
    def count(self) -> int:
        return len(self.data.get("labels", ())) if self.data else 0

    def action_move(self, step: int) -> None:
        if self.count:
            selected = (int(self.data.get("selected", 0)) + step) % self.count
            # Without every image's top-3 (``tops``), the routine's ``top`` belongs to its own selection only.
            top = self.data.get("top") if self.data.get("tops") is not None else None
            self.data = {**self.data, "selected": selected, "top": top}
            self.replot()

    def action_move_row(self, rows: int) -> None:
        """Up and down move by a row of the grid as it is drawn at the view's size."""
        if self.count:
            height = self.size.height - self._caption_rows
            self.action_move(rows * digit_grid_columns(self.data, self.size.width, height))
