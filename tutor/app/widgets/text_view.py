"""A text view (table, matrix): the numbers themselves, as a rich table."""

from __future__ import annotations

from typing import Any, Mapping

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.textviews import renderable


class TextView(VerticalScroll):
    def __init__(self, kind: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self.border_title = kind

    def compose(self) -> ComposeResult:
        yield Static(renderable(self.kind, None), classes="text-view-body")

    def show(self, data: Mapping[str, Any] | None) -> None:
        body = self.query_one(".text-view-body", Static)
        try:
            body.update(renderable(self.kind, data))
        except Exception as error:  # bad view data must not take the app down
            body.update(f"cannot show {self.kind}: {type(error).__name__}: {error}")
