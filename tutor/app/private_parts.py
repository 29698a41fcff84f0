"""Every private part of Textual and textual-plotext the app uses, for the versions they were read from.

- ``Input._on_key`` (:class:`~tutor.app.widgets.param_form.ParamInput`): a field applies its own
  editing keys in the order they were typed; a public ``on_key`` runs after the character is inserted.
- ``TextArea._on_key`` (:class:`~tutor.app.widgets.exercise_pane.PythonEditor`): Enter keeps the
  line's indentation, before the TextArea inserts a bare newline.
- rich's ``_wrap.re_word`` (:mod:`tutor.line_breaking`): the pattern of a word where a line may
  break, given one more kind of word so that Chinese lines break between characters.
- textual-plotext's ``Plot._set_size`` (:class:`~tutor.app.widgets.plot_view.PlotView`): the size
  ``PlotextPlot.render`` sets before a build (textual-plotext issue 5); the view builds itself.

``tests/test_private_parts.py`` fails, naming this module, when an installed version is not the one
written for or a part has changed shape; pyproject.toml pins the same versions (textual <9,
textual-plotext 1.0.1, plotext 5.2.8). textual-serve's private parts are in :mod:`tutor.serve_textual`.
"""

from __future__ import annotations

from typing import Any

# The distribution and the version prefix each private use was read from.
WRITTEN_FOR = {"textual": "8.", "textual-plotext": "1.0.1", "plotext": "5.2.8"}


def private_parts() -> list[tuple[Any, str]]:
    """(class, attribute) of every private part the app relies on."""
    import rich._wrap
    from textual.widgets import Input, TextArea
    from textual_plotext.plot import Plot

    return [(Input, "_on_key"), (TextArea, "_on_key"), (Plot, "_set_size"), (rich._wrap, "re_word")]
