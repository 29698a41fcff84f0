"""The plot drawers shared by the headless renderer and the app: what a learner reads off them."""

from __future__ import annotations

import re

import numpy as np
import plotext
import pytest
from rich.cells import cell_len

from tutor import plotting
from tutor.views import VIEWS, Renderer

PLOT_KINDS = [kind for kind, view in VIEWS.items() if view.renderer is not Renderer.TEXT]
BRAILLE = re.compile("[\u2801-\u28ff]")


def drawn(kind: str, data: dict, width: int = 80, height: int = 20, **extra) -> tuple[str, list[str]]:
    """The plot as plain text and its caption lines, drawn onto the real plotext at a fixed size."""
    plotext.clear_figure()
    plotext.limitsize(False, False)
    plotext.plotsize(width, height)
    captions = plotting.draw(plotext, kind, data, width=width, height=height, **extra)
    return plotext.uncolorize(plotext.build()), [line.plain for line in captions]


def colours_named(kind: str, data: dict, **extra) -> dict[str, str]:
    """Each caption swatch's colour (as rich styles it) -> the words after it."""
    plotext.clear_figure()
    captions = plotting.draw(plotext, kind, data, width=80, height=20, **extra)
    named = {}
    for line in captions:
        for span in line.spans:
            colour = str(span.style.color.triplet.rgb if hasattr(span.style, "color") and span.style.color else "")
            if colour:
                named[colour] = line.plain[span.end :].split("  ")[0].strip()
    return named


def tick_row(text: str) -> str:
    """The x tick labels: the line under the plot's x axis."""
    lines = text.split("\n")
    bottom = max(i for i, line in enumerate(lines) if "└" in line)
    return lines[bottom + 1]


def y_tick_labels(text: str) -> list[str]:
    return [m.group(1) for line in text.split("\n") if (m := re.match(r"\s*(\S+)┤", line))]


def beans(**extra) -> dict:
    return {"points": [{"x": [0.1, 0.5, 0.9], "y": [0.1, 0.4, 0.8], "label": "beans"}], **extra}


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


# ---------------------------------------------------------------- words outside the plot


LONG_TITLE = "every w is a line; the cost says how far the beans are from it"


@pytest.mark.parametrize("title", ["short", LONG_TITLE, "成本曲线"])
def test_titles_are_captions_whatever_their_length_and_script(title):
    # plotext drops a title wider than its plot and measures wide characters wrongly: none goes through it.
    text, captions = drawn("fit", beans(title=title), 40, 12)
    assert captions[0] == title and title not in text


def test_a_legend_says_each_curve_in_words_with_its_colour_and_the_axes_names():
    data = beans(lines=[{"x": [0, 1], "y": [0, 1.2], "label": "stochastic after 25000 updates: w = 1.271"}])
    text, captions = drawn("fit", {**data, "xlabel": "size", "ylabel": "toxicity"}, 34, 14)
    legend = captions[0]
    assert "• beans" in legend and "━ stochastic after 25000 updates: w = 1.271" in legend
    assert "↑ toxicity" in legend and "→ size" in legend and "beans" not in text
    named = colours_named("fit", data)
    assert sorted(named.values()) == ["beans", "stochastic after 25000 updates: w = 1.271"]


def test_curves_are_drawn_in_braille_and_points_a_mark_a_cell():
    data = beans(lines=[{"x": np.linspace(0, 1, 50), "y": np.linspace(0, 1, 50) ** 2, "label": "model"}])
    text, _ = drawn("fit", data, 60, 16)
    assert len(BRAILLE.findall(text)) >= 20 and text.count("•") == 3


def test_every_series_of_a_fit_has_its_own_colour():
    # hidden-layer: two groups of beans and three curves (output a, hidden h1, hidden h2).
    data = {
        "points": [{"x": [0.1], "y": [0], "label": "harmless"}, {"x": [1.0], "y": [1], "label": "toxic"}],
        "lines": [{"x": [0, 2], "y": [0, 1], "label": name} for name in ("output a", "hidden h1", "hidden h2")],
    }
    named = colours_named("fit", data)
    assert len(named) == 5 and set(named.values()) == {"harmless", "toxic", "output a", "hidden h1", "hidden h2"}


def test_the_surface_key_names_the_colours_it_shows_and_the_minimum():
    x, y = np.linspace(0, 2, 21), np.linspace(-3, 3, 61)
    z = (x[None, :] - 1) ** 2 + (y[:, None] - 0.5) ** 2 + 0.001
    data = {"x": x, "y": y, "z": z, "marker": (1.0, 0.5), "zlabel": "cost"}
    _, captions = drawn("surface", {**data, "path": {"x": [0.2, 0.6, 1.0], "y": [2.0, 1.0, 0.5]}})
    text = " ".join(captions)
    assert "cost (log scale): ██ 0.001 dark purple" in text and "██ 13 light yellow" in text
    assert "◆ lowest (1, 0.5)" in text and "the walk" in text
    _, captions = drawn("surface", {**data, "z": 1 / (1 + np.exp(-z)), "zlabel": "P(toxic)"})
    assert "P(toxic): ██ 0 blue · ██ 0.5 pale grey · ██ 1 red" in " ".join(captions)


def test_a_map_fills_its_view_two_pixels_a_cell():
    x, y = np.linspace(0, 1, 60), np.linspace(0, 1, 60)
    z = np.where(x[None, :] > y[:, None], 0.9, 0.1)  # a diagonal edge
    text, _ = drawn("surface", {"x": x, "y": y, "z": z, "zlabel": "P(x)"}, 56, 16)
    rows = [line for line in text.split("\n") if "│" in line or "┤" in line]
    assert len(rows) == 14  # every row but the x axis and its ticks
    edge = "".join(rows)
    assert "▀" in edge or "▄" in edge  # the edge is drawn at half a cell


# ---------------------------------------------------------------- honest numbers


def test_epochs_get_integer_ticks_and_counts_are_written_whole():
    history = [{"step": step, "loss": 1 / step} for step in range(1, 27)]
    text, _ = drawn("loss", {}, 70, 16, history=history)
    assert all(label.isdigit() for label in tick_row(text).split())
    counts = {"labels": list("0123456789"), "values": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]}
    text, captions = drawn("bars", counts, 60, 16)
    for label, count in zip(counts["labels"], counts["values"]):
        assert re.search(rf"^\s*{label} █+\S* {count}\s*$", text, re.M), f"{label}: {count} not whole"
    assert "bars from 0 to 6742" in captions[0]


def test_no_tick_reads_minus_zero():
    x, y = np.linspace(-1, 1, 11), np.linspace(-0.3, 0.3, 7)
    text, _ = drawn("surface", {"x": x, "y": y, "z": np.outer(y, x)})
    assert "-0.0" not in text and not re.search(r"(?<![\d.])-0(?![.\d])", text)
    assert plotting.tick_labels(plotting.nice_ticks(-0.3, 0.3, 6)) == "-0.3 -0.2 -0.1 0.0 0.1 0.2 0.3".split()


def test_every_bar_has_its_label_whole_and_a_zero_bar_is_no_bar():
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    data = {"labels": names, "values": [0, 0, 0.97, 0.001, 0, 0, 0.02, 0, 0, 0], "ylim": (0, 1)}
    for width in (38, 56):
        text, _ = drawn("bars", data, width, 14)
        for name in names:
            assert re.search(rf"^\s*{re.escape(name)} ", text, re.M), f"{name} missing at {width}"
        assert re.search(r"Pullover █+\S* 0\.97", text) and re.search(r"Trouser\s+0\.00\s*$", text, re.M)


def test_a_runaway_line_is_clipped_and_said_to_be():
    data = beans(lines=[{"x": [0, 1], "y": [0, 1e300], "label": "runaway"}])
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


def test_earlier_runs_are_named_in_the_legend_and_do_not_squeeze_the_current_run():
    current = [{"step": s, "loss": 1 / s} for s in range(1, 21)]
    earlier = [{"step": s, "loss": 2 / s} for s in range(1, 5001)]
    text, captions = drawn("loss", {}, 80, 18, history=current, past=[("lr=0.5 · loss 0.0004", earlier)])
    assert "━ lr=0.5 · loss 0.0004" in " ".join(captions)
    assert max(int(label) for label in tick_row(text).split()) <= 30
    # The old form, histories without labels, still draws.
    _, captions = drawn("loss", {}, 80, 18, history=current, past=[earlier])
    assert "earlier run 1" in " ".join(captions)


def test_a_cursor_marks_the_step_of_a_replayed_run():
    history = [{"step": s, "loss": 1 / s} for s in range(1, 31)]
    text, captions = drawn("loss", {}, 80, 18, history=history, cursor=10)
    assert "epoch 10" in captions[0] and "●" in text


def test_losses_over_orders_of_magnitude_are_drawn_on_a_log_scale():
    # regression-mlp: from 500 down to 20 - on a linear axis both curves lie on the zero line.
    history = [{"step": s, "loss": 500 / s, "test_loss": 500 / s**0.5} for s in range(1, 101)]
    text, captions = drawn("loss", {}, 56, 17, history=history)
    labels = y_tick_labels(text)
    assert "log scale" in " ".join(captions) and "10" in labels and "100" in labels
    assert "━ training loss" in captions[1] and "━ test loss" in captions[1]
    # Losses that fall by less than that keep a linear axis.
    text, captions = drawn("loss", {}, 56, 17, history=[{"step": s, "loss": 0.7 - 0.005 * s} for s in range(1, 60)])
    assert "log scale" not in " ".join(captions)


def test_losses_and_accuracies_each_have_their_axis_and_the_legend_says_which():
    history = [
        {"step": s, "loss": 2.3 / s**0.3, "accuracy": min(1, 0.1 + s / 100), "test_loss": 2.4, "test_accuracy": 0.1}
        for s in range(1, 101)
    ]
    text, captions = drawn("loss", {}, 56, 17, history=history)
    legend = captions[1]
    assert "left: ━ training loss  ━ test loss  right: ━ training accuracy  ━ test accuracy" in legend
    assert len(y_tick_labels(text)) >= 3 and re.search(r"├1\.0", text) and re.search(r"├0\.0", text)


def test_log_scale_labels_powers_of_ten_with_earlier_runs_and_a_cursor():
    history = [{"step": s, "loss": 10.0**-s} for s in range(1, 9)]
    past = [("method=fixed", [{"step": s, "loss": 10.0 ** (-s / 2)} for s in range(1, 9)])]
    text, captions = drawn("loss", {"ylog": True}, 80, 20, history=history, past=past, cursor=4)
    labels = y_tick_labels(text)
    assert "0.01" in labels and "1e-6" in labels
    assert "━ method=fixed" in " ".join(captions)


def test_a_log_scale_within_one_decade_still_has_ticks():
    history = [{"step": s, "loss": 0.0013 + 0.0002 * (s % 3)} for s in range(1, 40)]
    text, _ = drawn("loss", {"ylog": True}, 80, 18, history=history)
    labels = y_tick_labels(text)
    assert len(labels) >= 2 and all(label.startswith("0.001") for label in labels)


def test_a_log_x_axis_for_updates():
    history = [{"step": s, "loss": 1 / s} for s in [*range(1, 201), *range(300, 250_001, 500)]]
    text, captions = drawn("loss", {"xlog": True, "ylog": True, "xlabel": "update"}, 70, 16, history=history)
    assert tick_row(text).split()[:3] == ["1", "10", "100"] and "→ update (log scale)" in " ".join(captions)


def test_a_long_run_is_drawn_from_its_envelope_keeping_every_spike():
    steps = np.arange(1, 100_001, dtype=float)
    values = 1 / steps
    values[54_321] = 5.0  # one bad epoch
    kept_steps, kept = plotting.envelope(steps, values, 80)
    assert len(kept) <= 2 * 80 + 2 and 5.0 in kept and kept_steps[0] == 1 and kept_steps[-1] == 100_000


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


@pytest.mark.parametrize("size", [(56, 17), (70, 24), (100, 38)])
def test_the_selected_digit_is_drawn_a_pixel_per_column_two_per_row_with_its_top_3(size):
    text, captions = drawn("digits", digits(24), *size)
    lines = text.split("\n")
    # The selected image is the left-most; a 20-pixel-tall stroke takes 10 rows of 28 x 14.
    stroke_rows = [line for line in lines if re.match(r"\s{12}█{4}\s", line)]
    assert len(stroke_rows) == 10
    assert re.search(r"90%\s+(█+\s+)?3", text) and "[3]" in text and "✗" not in text
    more = re.match(r"(\d+) of 24 on screen · ← → for more", captions[1]) if len(captions) > 1 else None
    shown = int(more.group(1)) if more else 24
    assert shown == text.count("▀▀")  # every small one counted is drawn (its stroke's foot)
    assert shown >= {56: 4, 70: 6, 100: 24}[size[0]]


def test_a_digit_grid_never_writes_a_label_over_pixels():
    data = digits()
    data["images"][:] = 255  # all ink: any label written on an image would replace ink
    text, _ = drawn("digits", data, 80, 22)
    for line in text.split("\n"):
        for label in re.findall(r"(?<=█)[^█ ▀▄]+|[^█ ▀▄]+(?=█)", line):
            pytest.fail(f"a label touches ink: {label!r} in {line!r}")


def test_every_image_can_be_reached_a_page_at_a_time():
    data = digits(24)
    seen = set()
    for selected in range(24):
        text, _ = drawn("digits", {**data, "selected": selected}, 56, 17)
        assert f"[{selected % 10}]" in text
        seen.add(selected)
    assert seen == set(range(24))


def test_filters_and_feature_maps_fill_their_tiles_and_the_key_names_the_colours():
    maps = [{"title": f"filter {i}", "values": np.eye(5) - 0.5} for i in range(1, 7)]
    maps += [{"title": f"map {i}", "values": np.random.default_rng(i).random((24, 24))} for i in range(1, 7)]
    text, captions = drawn("heatmaps", {"maps": maps, "columns": 6}, 100, 30)
    assert re.search(r"filter 1\s+filter 2\s+filter 3\s+filter 4\s+filter 5\s+filter 6", text)
    # A 5x5 filter is drawn at least 3 columns a pixel: its diagonal steps 3 columns a row.
    first_tile = [line[0:15] for line in text.split("\n") if "filter" not in line]
    assert any("███" in row for row in first_tile)
    assert "██ blue < 0 · ██ grey 0 · ██ red > 0 · ██ dark purple 0 · ██ light yellow high" in captions[-1]


def test_caption_lines_do_not_depend_on_plotext_being_given_a_size():
    assert isinstance(plotting.draw(plotext, "fit", {"points": [{"x": [1], "y": [1]}]}), list)


def test_the_data_is_drawn_before_any_model():
    text, _ = drawn("fit", beans(title="the beans"))
    assert text.count("•") == 3
    toxic = {"x": [0.5], "y": [0.1], "label": "toxic"}
    text, captions = drawn("surface", {"points": [*beans()["points"], toxic]})
    assert text.count("o") >= 3 and "x" in text and "o beans  x toxic" in " ".join(captions)
    data = digits()
    del data["predicted"], data["tops"]
    text, _ = drawn("digits", data, 100, 30)
    assert "true 3" in text and "guess" not in text and "✗" not in text


def test_wide_labels_inside_the_picture_keep_every_row_its_width():
    # Class names, bar labels and tile names written on the canvas: a CJK character takes two cells.
    bars = {"labels": ["豆子", "harmless", "毒"], "values": [0.2, 0.5, 0.9], "ylim": (0, 1)}
    text, _ = drawn("bars", bars, 40, 8)
    rows = text.rstrip("\n").split("\n")
    assert all(cell_len(row.replace("\u200b", "")) == 40 for row in rows)
    assert re.search(r"^\s*豆\u200b子\u200b █+", rows[0]) and re.search(r"^harmless █+", rows[2])
    data = digits(6)
    data["labels"] = data["predicted"] = ["猫", "狗", "鸟", "鱼", "马", "牛"]
    data["tops"] = [[(label, 0.9)] for label in data["labels"]]
    text, _ = drawn("digits", data, 80, 22)
    assert all(cell_len(row) == 80 for row in text.rstrip("\n").split("\n"))
