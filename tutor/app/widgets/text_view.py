"""A text view (table, matrix): the numbers themselves, as a rich table."""

from __future__ import annotations

from typing import Any, Mapping

from rich.measure import Measurement
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.widgets import Static

from tutor.textviews import renderable


class TextView(ScrollableContainer):
    """Tables keep their natural width and scroll both ways rather than squeeze."""

    def __init__(self, kind: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self.border_title = kind

    def compose(self) -> ComposeResult:
        yield Static(renderable(self.kind, None), classes="text-view-body")

    def show(self, data: Mapping[str, Any] | None) -> None:
        body = self.query_one(".text-view-body", Static)
        try:
            view = renderable(self.kind, data)
            # Natural width (not the cell's): wide tables scroll sideways instead of squeezing.
            console = self.app.console
            body.styles.width = Measurement.get(console, console.options.update_width(1000), view).maximum
            body.update(view)
        except Exception as error:  # bad view data must not take the app down
            body.update(f"cannot show {self.kind}: {type(error).__name__}: {error}")
