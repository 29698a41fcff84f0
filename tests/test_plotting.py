"""The plot drawers shared by the headless renderer and the app: what a learner reads off them."""

from __future__ import annotations

import re

import numpy as np
import plotext
import pytest

from tutor import plotting
from tutor.views import VIEWS, Renderer

PLOT_KINDS = [kind for kind, view in VIEWS.items() if view.renderer is not Renderer.TEXT]


def drawn(kind: str, data: dict, width: int = 80, height: int = 20, **extra) -> tuple[str, list[str]]:
    """The plot as plain text and its caption lines, drawn onto the real plotext at a fixed size."""
    plotext.clear_figure()
    plotext.limitsize(False, False)
    plotext.plotsize(width, height)
    captions = plotting.draw(plotext, kind, data, width=width, height=height, **extra)
    return plotext.uncolorize(plotext.build()), captions


def tick_row(text: str) -> str:
    """The x tick labels: the line under the plot's bottom frame."""
    lines = text.split("\n")
    bottom = max(i for i, line in enumerate(lines) if "└" in line)
    return lines[bottom + 1]


def y_tick_labels(text: str) -> list[str]:
    return [m.group(1) for line in text.split("\n") if (m := re.match(r"\s*(\S+)┤", line))]


@pytest.mark.parametrize("kind", VIEWS)
def test_every_kind_of_view_has_a_drawer_registered_by_its_renderer(kind):
    from tutor import textviews

    view = VIEWS[kind]
    module = textviews if view.renderer is Renderer.TEXT else plotting
    assert view.drawer.__module__.startswith(module.__name__), f"{kind} is drawn by {view.drawer.__module__}"


def test_registering_a_drawer_for_a_kind_that_does_not_exist_fails_at_once():
    from tutor.views import draws

    with pytest.raises(ValueError, match="no view 'scatter'"):
        draws("scatter")


@pytest.mark.parametrize("kind", PLOT_KINDS)
def test_a_view_with_no_data_yet_is_an_empty_frame(kind):
    # Reopening a lesson shows earlier runs' losses before the routine's first report.
    text, _ = drawn(kind, {}, 40, 12, history=[], past=[[{"step": 1, "loss": 0.5}, {"step": 2, "loss": 0.25}]])
    assert text.count("\n") >= 10


# ---------------------------------------------------------------- captions


def test_a_title_too_wide_for_the_plot_is_returned_as_a_caption():
    title = "every w is a line; the cost says how far the beans are from it (and this goes on)"
    data = {"points": [{"x": [0, 1], "y": [0, 1], "label": "beans"}], "title": title}
    text, captions = drawn("fit", data, 60, 16)
    assert captions == [title] and title not in text
    text, captions = drawn("fit", {**data, "title": "short"}, 60, 16)
    assert captions == [] and "short" in text


def test_the_surface_key_says_what_the_colours_mean_and_where_the_minimum_is():
    x, y = np.linspace(0, 2, 21), np.linspace(-3, 3, 61)
    z = (x[None, :] - 1) ** 2 + (y[:, None] - 0.5) ** 2 + 0.001
    _, captions = drawn(
        "surface",
        {
            "x": x,
            "y": y,
            "z": z,
            "marker": (1.0, 0.5),
            "zlabel": "cost",
            "path": {"x": [0.2, 0.6, 1.0], "y": [2.0, 1.0, 0.5]},
        },
    )
    text = " ".join(captions)
    assert "cost (log): blue" in text and "red 13" in text and "◆ min (1, 0.5)" in text and "path" in text


# ---------------------------------------------------------------- honest numbers


def test_epochs_and_counts_get_integer_ticks():
    history = [{"step": step, "loss": 1 / step} for step in range(1, 27)]
    text, _ = drawn("loss", {}, 70, 16, history=history)
    assert all(label.isdigit() for label in tick_row(text).split())
    counts = {"labels": list("0123456789"), "values": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]}
    text, _ = drawn("bars", counts, 60, 16)
    assert y_tick_labels(text) and all(label.isdigit() for label in y_tick_labels(text))


def test_no_tick_reads_minus_zero():
    x, y = np.linspace(-1, 1, 11), np.linspace(-0.3, 0.3, 7)
    text, _ = drawn("surface", {"x": x, "y": y, "z": np.outer(y, x)})
    assert "-0.0" not in text and not re.search(r"(?<![\d.])-0(?![.\d])", text)
    assert plotting.tick_labels(plotting.nice_ticks(-0.3, 0.3, 6)) == [
        "-0.3",
        "-0.2",
        "-0.1",
        "0.0",
        "0.1",
        "0.2",
        "0.3",
    ]


def test_zero_probability_bars_fill_no_row_and_bars_stay_apart():
    data = {"labels": list("0123456789"), "values": [0, 0, 0.97, 0.001, 0, 0, 0.02, 0, 0, 0], "ylim": (0, 1)}
    text, _ = drawn("bars", data, 60, 14)
    bottom = next(line for line in text.split("\n") if re.match(r"\s*0(\.0)?┤", line))
    assert len(re.findall("█+", bottom)) == 1  # only the 0.97 bar reaches into the bottom row
    counts = {"labels": list("0123456789"), "values": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]}
    text, _ = drawn("bars", counts, 60, 16)
    bottom = next(line for line in text.split("\n") if re.match(r"\s*0(\.0)?┤", line))
    assert len(re.findall("█+", bottom)) == 10


def test_a_runaway_line_is_clipped_and_said_to_be():
    data = {
        "points": [{"x": [0.1, 0.5, 0.9], "y": [0.1, 0.4, 0.8], "label": "beans"}],
        "lines": [{"x": [0, 1], "y": [0, 1e300], "label": "runaway"}],
    }
    text, captions = drawn("fit", data)
    assert any("clipped" in caption and "runaway" in caption for caption in captions)
    assert "1e+300" not in text  # the axes still fit the beans


def test_a_diverged_run_draws_its_finite_part_and_marks_the_blow_up():
    history = [{"step": s, "loss": 1 / s} for s in range(1, 11)] + [
        {"step": 11, "loss": 3e27},
        {"step": 12, "loss": float("inf")},
    ]
    text, captions = drawn("loss", {}, 70, 16, history=history)
    assert any("blew up at step 11" in caption and "diverged" in caption for caption in captions)
    assert "▲" in text and "1e27" not in text and "3e+27" not in text
    assert y_tick_labels(text)[0] in {"1.0", "1"}  # the finite losses fill the plot


# ---------------------------------------------------------------- loss view


def test_earlier_runs_are_labelled_and_do_not_squeeze_the_current_run():
    current = [{"step": s, "loss": 1 / s} for s in range(1, 21)]
    earlier = [{"step": s, "loss": 2 / s} for s in range(1, 5001)]
    text, captions = drawn("loss", {}, 80, 18, history=current, past=[("lr=0.5 · loss 0.0004", earlier)])
    # A short name in the legend (it sits over the plot); what the run was, in the caption.
    assert "earlier 1" in text and "earlier 1: lr=0.5 · loss 0.0004" in captions
    assert max(int(label) for label in tick_row(text).split()) <= 30
    # The old form, histories without labels, still draws.
    text, _ = drawn("loss", {}, 80, 18, history=current, past=[earlier])
    assert "earlier 1" in text


def test_a_cursor_marks_the_step_of_a_replayed_run():
    history = [{"step": s, "loss": 1 / s} for s in range(1, 31)]
    text, _ = drawn("loss", {}, 80, 18, history=history, cursor=10)
    assert "epoch 10" in text and "●" in text


def test_log_scale_labels_powers_of_ten_with_earlier_runs_and_a_cursor():
    history = [{"step": s, "loss": 10.0**-s} for s in range(1, 9)]
    past = [("method=fixed", [{"step": s, "loss": 10.0 ** (-s / 2)} for s in range(1, 9)])]
    text, captions = drawn("loss", {"ylog": True}, 80, 20, history=history, past=past, cursor=4)
    labels = y_tick_labels(text)
    assert "0.01" in labels and "1e-6" in labels
    assert "earlier 1" in text and "earlier 1: method=fixed" in captions


# ---------------------------------------------------------------- images


def digits(count: int = 12) -> dict:
    images = np.zeros((count, 28, 28))
    images[:, 4:24, 12:16] = 255  # a tall bar: every image's ink spans 20 rows of 28
    return {
        "images": images,
        "labels": [str(i % 10) for i in range(count)],
        "predicted": [str(i % 10) for i in range(count)],
        "selected": 3,
        "tops": [[(str(i % 10), 0.9), ("7", 0.06), ("1", 0.01)] for i in range(count)],
        "title": "the first test digits and the network's answers",
    }


def test_the_selected_digit_is_drawn_a_pixel_per_column_two_per_row_beside_its_top_3():
    text, captions = drawn("digits", digits(), 100, 30)
    lines = text.split("\n")
    # The selected image is the left-most; a 20-pixel-tall stroke takes 10 rows.
    stroke_rows = [line for line in lines if re.match(r"│\s{12}█{4}\s", line)]
    assert len(stroke_rows) == 10
    assert "top 3:" in text and " 3  90%" in text and "[3]" in text
    # Fewer, smaller neighbours, each with its label under it, never over its pixels.
    assert "✗" not in text and captions == []


def test_a_digit_grid_never_writes_a_caption_over_pixels():
    data = digits()
    data["images"][:] = 255  # all ink: any caption written on an image would replace ink
    text, _ = drawn("digits", data, 80, 22)
    lines = text.split("\n")
    # Under each neighbour, its label on a row of its own: 0, 1 above; 2, [3] below.
    assert re.search(r"^│#3 3\s+█{14}  █{14}", lines[16]) and re.search(r"\s2\s+\[3\]\s", lines[17])
    assert re.search(r"\s0\s+1\s", lines[9]) and "█" * 28 in lines[15]


def test_filters_and_feature_maps_fill_their_tiles():
    maps = [{"title": f"filter {i}", "values": np.eye(5)} for i in range(1, 7)]
    maps += [{"title": f"map {i}", "values": np.random.default_rng(i).random((24, 24))} for i in range(1, 7)]
    text, _ = drawn("heatmaps", {"maps": maps, "columns": 6}, 100, 30)
    assert re.search(r"filter 1\s+filter 2\s+filter 3\s+filter 4\s+filter 5\s+filter 6", text)
    # A 5x5 filter is drawn at least 3 columns a pixel: its diagonal steps 3 columns a row.
    first_tile = [line[1:16] for line in text.split("\n")[1:] if "filter" not in line]
    assert any("███" in row for row in first_tile)


# ---------------------------------------------------------------- bounded


def test_caption_lines_do_not_depend_on_plotext_being_given_a_size():
    assert isinstance(plotting.draw(plotext, "fit", {"points": [{"x": [1], "y": [1]}]}), list)


def test_the_data_is_drawn_before_any_model():
    beans = [{"x": [0.1, 0.4, 0.8], "y": [0.2, 0.5, 0.9], "label": "beans"}]
    text, _ = drawn("fit", {"points": beans, "title": "the beans"})
    assert text.count("•") >= 3 + 2  # the three beans and the legend's marker
    text, captions = drawn("surface", {"points": [*beans, {"x": [0.5], "y": [0.1], "label": "toxic"}]})
    assert text.count("o") >= 3 and "x" in text and "o beans  x toxic" in captions
    data = digits()
    del data["predicted"], data["tops"]
    text, _ = drawn("digits", data, 100, 30)
    assert "true 3" in text and "guess" not in text and "✗" not in text


def test_a_log_scale_within_one_decade_still_has_ticks():
    history = [{"step": s, "loss": 0.0013 + 0.0002 * (s % 3)} for s in range(1, 40)]
    text, _ = drawn("loss", {"ylog": True}, 80, 18, history=history)
    labels = y_tick_labels(text)
    assert len(labels) >= 2 and all(label.startswith("0.001") for label in labels)


def test_a_long_run_is_drawn_from_its_envelope_keeping_every_spike():
    steps = np.arange(1, 100_001, dtype=float)
    values = 1 / steps
    values[54_321] = 5.0  # one bad epoch
    kept_steps, kept = plotting.envelope(steps, values, 80)
    assert len(kept) <= 2 * 80 + 2 and 5.0 in kept and kept_steps[0] == 1 and kept_steps[-1] == 100_000


def test_a_legend_label_too_wide_for_the_plot_is_cut_there_and_said_in_full_outside():
    # plotext drops the whole legend when one label is wider than the plot.
    data = {
        "points": [{"x": [0.1, 0.5], "y": [0.1, 0.5], "label": "beans"}],
        "lines": [{"x": [0, 1], "y": [0, 1], "label": "stochastic after 25000 updates: w = 1.271"}],
    }
    plotext.clear_figure()
    plotext.plotsize(34, 14)
    plotext.theme("clear")
    captions = plotting.draw(plotext, "fit", data)
    art = plotext.uncolorize(plotext.build())
    assert "stochastic after 25000 updates: w = 1.271" in captions
    assert "stochastic af" in art and "…" in art and "beans" in art  # the legend is still drawn
