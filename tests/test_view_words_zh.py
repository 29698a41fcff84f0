"""The views' own words in Chinese: the names of views and metrics as shown, the captions
around a plot (clip notes, colour keys), and none of them inside plotext's canvas."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import numpy as np
import plotext
import pytest
from rich.cells import cell_len
from rich.console import Console

from tutor import i18n, plotting
from tutor.formatting import format_metrics
from tutor.i18n import _
from tutor.line_breaking import CJK, allow_cjk_line_breaks
from tutor.views import METRIC_NAMES, VIEW_KINDS, VIEW_NAMES, display_name

ROOT = Path(__file__).resolve().parent.parent
HAS_CHINESE = re.compile(f"[{CJK}]")


def declared_views() -> set[str]:
    """Every view key the shipped lessons declare (``views = [...]``)."""
    kinds = set()
    for path in (ROOT / "lessons").glob("*.toml"):
        lesson = tomllib.loads(path.read_text(encoding="utf-8"))
        kinds.update(lesson.get("views", ()))
    return kinds


def reported_metrics() -> set[str]:
    """The losses, costs and accuracies the shipped routines report: their ``progress`` keywords,
    and Keras' ``loss`` and ``accuracy`` under each ``val_name`` a routine gives them."""
    names, prefixes = set(), {"val"}
    for path in (ROOT / "tutor" / "routines").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if getattr(node.func, "attr", None) == "progress" and keyword.arg:
                    names.add(keyword.arg)
                if keyword.arg == "val_name" and isinstance(keyword.value, ast.Constant):
                    prefixes.add(keyword.value.value)
    names |= {"loss", "accuracy"} | {f"{prefix}_{name}" for prefix in prefixes for name in ("loss", "accuracy")}
    return {name for name in names if re.search("loss|cost|acc|entropy", name)}


def test_every_view_a_lesson_declares_has_a_name_to_show():
    kinds = declared_views()
    assert kinds and kinds <= set(VIEW_KINDS)  # the scan found the lessons' views
    assert sorted(kinds - set(VIEW_NAMES)) == []
    assert set(VIEW_KINDS) <= set(VIEW_NAMES)  # a view kind added to the registry needs a name too


def test_every_loss_and_accuracy_a_routine_reports_has_a_name_to_show():
    metrics = reported_metrics()
    assert {"loss", "cost", "accuracy", "test_accuracy"} <= metrics
    assert sorted(metrics - set(METRIC_NAMES)) == []


def test_in_english_every_name_is_shown_as_it_is_written():
    for name in [*VIEW_NAMES, *METRIC_NAMES, "w", "best_w"]:
        assert display_name(name) == name
    assert format_metrics({"loss": 0.001469, "w": 1.2667}) == "loss 0.001469  w 1.267"


def test_in_chinese_views_and_metrics_are_named_in_chinese_and_symbols_stay(chinese):
    for name in [*VIEW_NAMES, *METRIC_NAMES]:
        assert HAS_CHINESE.search(display_name(name)), name
    assert display_name("fit") == "拟合" and display_name("test_accuracy") == "测试准确率"
    assert display_name("w") == "w" and display_name("best_w") == "best_w" and display_name("lr") == "lr"
    assert format_metrics({"loss": 0.001469, "w": 1.2667}) == "损失 0.001469  w 1.267"


def drawn(kind: str, data: dict, width: int, height: int) -> tuple[list[str], list[str]]:
    """The canvas's rows (plain) and the caption lines wrapped to the plot's width, as the app wraps them."""
    plotext.clear_figure()
    plotext.limitsize(False, False)
    plotext.plotsize(width, height)
    captions = plotting.draw(plotext, kind, data, width=width, height=height)
    console = Console(width=width, color_system=None)
    wrapped = [line.plain for caption in captions for line in caption.wrap(console, width)]
    return plotext.uncolorize(plotext.build()).splitlines(), wrapped


def runaway_fit() -> dict:
    x = np.linspace(0, 1, 20)
    return {
        "points": [{"x": x, "y": 1.2 * x, "label": "beans"}],
        "lines": [{"x": [0, 1], "y": [0, 50], "label": "y = 50 x"}],
    }


def cost_surface() -> dict:
    w, b = np.linspace(-1, 3, 30), np.linspace(-2, 3, 20)
    z = (w[None, :] - 1.2) ** 2 * 40 + (b[:, None] - 0.05) ** 2 + 0.002  # spans orders of magnitude: a log key
    return {"x": w, "y": b, "z": z, "zlabel": "cost", "path": {"x": [0.1, 0.8, 1.2], "y": [2.5, 1, 0.05]}}


def test_a_clipped_line_is_said_in_chinese_and_in_english_as_before(chinese):
    _canvas, lines = drawn("fit", runaway_fit(), 60, 16)
    assert any(line.startswith("↕ 已截断") for line in lines), lines
    i18n.set_language(i18n.ENGLISH)
    _canvas, lines = drawn("fit", runaway_fit(), 60, 16)
    assert "↕ clipped: the line y = 50 x goes beyond the plot's range" in lines


def test_a_colour_key_names_its_colours_and_its_scale_in_chinese(chinese):
    _canvas, lines = drawn("surface", cost_surface(), 120, 20)
    key = lines[0]
    assert key.startswith("cost（对数刻度）：") and "深紫" in key and "青绿" in key and "浅黄" in key
    assert not re.search("[a-z]{3,}", key.replace("cost", "")), key  # no English word left but the routine's label


@pytest.mark.parametrize("kind,data", [("fit", runaway_fit()), ("surface", cost_surface())])
@pytest.mark.parametrize("width", [34, 55])
def test_chinese_captions_are_no_wider_than_the_plot_and_the_canvas_holds_none(chinese, kind, data, width):
    allow_cjk_line_breaks()  # as the app and the Chinese command line do
    canvas, lines = drawn(kind, data, width, 16)
    assert any(HAS_CHINESE.search(line) for line in lines)
    assert [line for line in lines if cell_len(line) > width] == []
    # plotext measures a wide character as one cell: none of the renderer's words is drawn inside its canvas.
    assert [row for row in canvas if HAS_CHINESE.search(row)] == []
    assert {cell_len(row) for row in canvas} == {width}


def test_the_loss_view_says_its_curves_and_scale_in_chinese_outside_the_canvas(chinese):
    history = [{"step": n, "loss": 1.0 / n**2, "test_loss": 1.5 / n**2} for n in range(1, 30)]
    plotext.clear_figure()
    plotext.plotsize(60, 16)
    captions = plotting.draw(plotext, "loss", {}, history, width=60, height=16)
    legend = captions[1].plain
    assert "训练损失" in legend and "测试损失" in legend and "对数刻度" in legend
    assert not HAS_CHINESE.search(plotext.uncolorize(plotext.build()))


def test_the_digits_canvas_speaks_chinese_cell_by_cell_and_the_bars_keep_their_labels(chinese):
    # Their words are written into the canvas by Raster.write, which gives a wide character its two cells
    # (never by plotext, which would give it one): every row stays exactly as wide as the plot.
    images = np.zeros((6, 28, 28))
    images[:, 8:20, 12:16] = 255
    labels = [str(n) for n in range(6)]
    top = [("6", 0.88), ("4", 0.08), ("5", 0.02)]
    digits = {"images": images, "labels": labels, "predicted": ["6", *labels[1:]], "top": top, "selected": 0}
    canvas, lines = drawn("digits", digits, 60, 18)
    shown = "\n".join(canvas).replace("\u200b", "")  # the cell a wide character covers holds a zero-width space
    assert _("guess {guess}").format(guess=6) in shown and _("top 3:") in shown and "guess" not in shown
    assert HAS_CHINESE.search(_("top 3:"))
    assert {cell_len(row) for row in canvas} == {60}
    canvas, lines = drawn("bars", {"labels": labels, "values": [0.1, 0.2, 0.9, 0.3, 0.0, 1.5], "ylim": (0, 1)}, 50, 14)
    assert any("条形从 0 到 1" in line for line in lines) and any("已截断" in line for line in lines)
    assert not [row for row in canvas if HAS_CHINESE.search(row)]


def test_an_earlier_run_is_labelled_with_its_metric_in_chinese(chinese):
    from tutor.runner import describe_run

    run = {"params": {"lr": 0.2}, "status": "finished", "history": [{"step": 1, "cost": 0.000889, "w": 1.2}]}
    assert describe_run(run, {"lr": 0.2}).endswith("· 代价 0.000889")
