"""Draw a view's data with plotext: shared by the headless renderer and the app.

``draw(plt, kind, data, history, past)`` draws onto any plotext-like object:
the ``plotext`` module itself (headless) or a textual-plotext widget's
``self.plt`` (the app). The caller clears the figure first and shows or
refreshes it after. Nothing here computes lesson maths; it only lays data out.

Grids of small images (digits, filters, feature maps) and heat maps are drawn
as shaded blocks in a single plot (textual-plotext's figure does not support
subplots), and the shade characters keep them readable without colour.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

PLOT_VIEWS = ("fit", "loss", "cost", "surface", "digits", "bars", "heatmaps")

# Colours that read well on dark and light themes.
SERIES_COLORS = ("cyan", "orange", "magenta", "green", "red", "blue")
PAST_COLOR = "gray"
SHADES = "░▒▓█"


def draw(
    plt: Any,
    kind: str,
    data: Mapping[str, Any] | None,
    history: Sequence[Mapping[str, float]] = (),
    past: Iterable[Sequence[Mapping[str, float]]] = (),
    width: int | None = None,
) -> None:
    """Draw one view. ``history``/``past`` feed the loss view (current and earlier runs).

    ``width`` (characters) lets grids of images shorten captions that would overlap.
    """
    data = data or {}
    if kind == "loss":
        draw_loss(plt, history, past, data)
    elif kind in _GRIDS:
        if data:
            _GRIDS[kind](plt, data, width)
    elif kind in _DRAWERS:
        if data:  # before the routine's first report the view is an empty frame
            _DRAWERS[kind](plt, data)
    else:
        plt.title(f"({kind} is not a plot view)")


# ---------------------------------------------------------------- helpers


def _labels(plt: Any, data: Mapping[str, Any], title: str = "") -> None:
    if data.get("title") or title:
        plt.title(str(data.get("title") or title))
    if data.get("xlabel"):
        plt.xlabel(str(data["xlabel"]))
    if data.get("ylabel"):
        plt.ylabel(str(data["ylabel"]))


def _floats(values: Any) -> list[float]:
    return np.asarray(values, dtype=float).ravel().tolist()


def _markers(plt: Any, points: Sequence[Mapping[str, Any]], markers: str = "●x+◆") -> None:
    for index, group in enumerate(points):
        plt.scatter(
            _floats(group["x"]),
            _floats(group["y"]),
            marker=markers[index % len(markers)],
            color=SERIES_COLORS[index % len(SERIES_COLORS)],
            label=str(group.get("label", "")) or None,
        )


# ---------------------------------------------------------------- views


def draw_fit(plt: Any, data: Mapping[str, Any]) -> None:
    _markers(plt, data.get("points", ()), markers="•x+◆")
    for index, line in enumerate(data.get("lines", ())):
        color = SERIES_COLORS[(index + len(data.get("points", ()))) % len(SERIES_COLORS)]
        plt.plot(_floats(line["x"]), _floats(line["y"]), color=color, label=str(line.get("label", "")) or None)
    if data.get("ylim"):
        plt.ylim(*data["ylim"])
    _labels(plt, data)


def _split_metrics(history: Sequence[Mapping[str, float]]) -> tuple[list[str], list[str]]:
    names: dict[str, None] = {}
    for point in history:
        names.update(dict.fromkeys(k for k in point if k != "step"))
    losses = [n for n in names if "loss" in n or "cost" in n]
    accuracies = [n for n in names if "acc" in n]
    return losses, accuracies


def draw_loss(
    plt: Any,
    history: Sequence[Mapping[str, float]],
    past: Iterable[Sequence[Mapping[str, float]]] = (),
    data: Mapping[str, Any] | None = None,
) -> None:
    """Loss-like metrics on the left axis, accuracy-like on the right; earlier runs dimmed."""
    data = data or {}
    for earlier in past:
        losses, _ = _split_metrics(earlier)
        if losses:
            name = losses[0]
            steps = [p["step"] for p in earlier if name in p]
            plt.plot(steps, [p[name] for p in earlier if name in p], color=PAST_COLOR, marker="dot")
    losses, accuracies = _split_metrics(history)
    for index, name in enumerate(losses):
        steps = [p["step"] for p in history if name in p]
        plt.plot(steps, [p[name] for p in history if name in p], label=name,
                 color=SERIES_COLORS[index % len(SERIES_COLORS)])
    for index, name in enumerate(accuracies):
        steps = [p["step"] for p in history if name in p]
        plt.plot(steps, [p[name] for p in history if name in p], label=name, yside="right",
                 color=SERIES_COLORS[(index + 2) % len(SERIES_COLORS)])
    if data.get("ylog") and losses:
        plt.yscale("log")
    title = data.get("title") or ("loss and accuracy" if accuracies else "loss")
    if not history:
        title += " (run the lesson to see it fall)"
    plt.title(title)
    plt.xlabel("epoch")


def draw_cost(plt: Any, data: Mapping[str, Any]) -> None:
    plt.plot(_floats(data["x"]), _floats(data["y"]), color=SERIES_COLORS[0], label="cost")
    if data.get("path"):
        path = data["path"]
        plt.plot(_floats(path["x"]), _floats(path["y"]), color=SERIES_COLORS[1], marker="•", label="steps")
    if data.get("marker") is not None:
        x, y = data["marker"]
        plt.scatter([float(x)], [float(y)], color=SERIES_COLORS[4], marker="◆", label="minimum")
    _labels(plt, data)


def _shade(plt: Any, x: np.ndarray, y: np.ndarray, z: np.ndarray, *, levels: int = 8,
           low: float | None = None, high: float | None = None, blank_below: float | None = None,
           colormap: str = "heat") -> None:
    """Draw z over the (x, y) grid as blocks, one scatter series per shade level.

    Levels are drawn from low to high so the brightest value wins where several
    grid points fall into one terminal cell (thin digit strokes survive).
    """
    z = np.asarray(z, dtype=float)
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return
    low = float(finite.min()) if low is None else low
    high = float(finite.max()) if high is None else high
    scale = (z - low) / (high - low) if high > low else np.zeros_like(z)
    level = np.clip((scale * levels).astype(int), 0, levels - 1)
    gx, gy = np.meshgrid(np.asarray(x, float), np.asarray(y, float))
    for k in range(levels):
        mask = (level == k) & np.isfinite(z)
        if blank_below is not None:
            mask &= scale > blank_below
        if mask.any():
            plt.scatter(gx[mask].tolist(), gy[mask].tolist(),
                        marker=SHADES[min(len(SHADES) - 1, k * len(SHADES) // levels)],
                        color=_colormap(colormap, (k + 0.5) / levels))


def _colormap(name: str, t: float) -> tuple[int, int, int]:
    """A colour for t in [0, 1]: grey ramp, or blue -> yellow -> red for heat maps."""
    if name == "grey":
        g = int(90 + 165 * t)
        return (g, g, g)
    if name == "diverging":  # negative blue, positive red (filters, weights)
        if t < 0.5:
            s = 1 - 2 * t
            return (int(80 * (1 - s)) + 40, int(80 * (1 - s)) + 60, 220)
        s = 2 * t - 1
        return (220, int(80 * (1 - s)) + 60, int(80 * (1 - s)) + 40)
    stops = ((40, 60, 160), (40, 160, 200), (230, 220, 80), (220, 60, 40))
    position = t * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    f = position - i
    return tuple(int(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1]))  # type: ignore[return-value]


def draw_surface(plt: Any, data: Mapping[str, Any]) -> None:
    x, y = np.asarray(data["x"], float), np.asarray(data["y"], float)
    z = np.asarray(data["z"], float)
    # A coarse grid is drawn finer (nearest neighbour) so its cells touch.
    fine = _upsample(z, (48, 96))
    fine_x = np.linspace(x.min(), x.max(), fine.shape[1])
    fine_y = np.linspace(y.min(), y.max(), fine.shape[0])
    _shade(plt, fine_x, fine_y, fine, levels=8)
    _markers(plt, data.get("points", ()), markers="ox+◆")
    if data.get("path"):
        path = data["path"]
        # No legend entries here: a legend box would hide part of the map.
        plt.plot(_floats(path["x"]), _floats(path["y"]), color="white", marker="•")
    if data.get("marker") is not None:
        mx, my = data["marker"]
        plt.scatter([float(mx)], [float(my)], color="red", marker="◆")
    plt.xlim(float(x.min()), float(x.max()))
    plt.ylim(float(y.min()), float(y.max()))
    title = data.get("title", "")
    if data.get("zlabel"):
        title = f"{title}  (shade: {data['zlabel']}, light = high)" if title else data["zlabel"]
    _labels(plt, {**data, "title": title})


def _upsample(z: np.ndarray, at_least: tuple[int, int]) -> np.ndarray:
    """Repeat cells so a coarse grid fills the plot instead of leaving gaps."""
    rows = max(1, -(-at_least[0] // z.shape[0]))
    cols = max(1, -(-at_least[1] // z.shape[1]))
    return np.repeat(np.repeat(z, rows, axis=0), cols, axis=1)


def _tile_grid(plt: Any, tiles: Sequence[np.ndarray], captions: Sequence[tuple[str, str]], *, columns: int,
               colormap: str, per_tile_scale: bool, blank_below: float | None, width: int | None) -> None:
    """Lay small images out in a grid inside one plot, each captioned above.

    ``captions`` are (long, short) pairs: the short ones are used when the long
    ones would run into each other in a plot ``width`` characters wide.
    """
    tiles = [_upsample(np.asarray(t, float), (12, 12)) for t in tiles]
    h, w = max(t.shape[0] for t in tiles), max(t.shape[1] for t in tiles)
    gap_x, gap_y = max(3, w // 5), max(4, h // 4)
    # Each tile gets about 1/columns of the plot's inner width; keep a space between captions.
    captions = _fitting(captions, room=None if width is None else (width - 2) // columns - 1)
    low = None if per_tile_scale else float(min(np.min(t) for t in tiles))
    high = None if per_tile_scale else float(max(np.max(t) for t in tiles))
    rows = (len(tiles) + columns - 1) // columns
    height = rows * (h + gap_y)
    for index, tile in enumerate(tiles):
        row, column = divmod(index, columns)
        left = column * (w + gap_x)
        top = height - row * (h + gap_y) - gap_y  # the caption sits in the gap above
        th, tw = tile.shape
        _shade(plt, left + np.arange(tw), top - np.arange(th), tile, levels=4, low=low, high=high,
               blank_below=blank_below, colormap=colormap)
        plt.text(captions[index], left + (tw - 1) / 2, top + gap_y / 2, alignment="center")
    plt.xlim(-1, columns * (w + gap_x) - gap_x)
    plt.ylim(0, height)
    plt.xticks([])
    plt.yticks([])


def _fitting(captions: Sequence[tuple[str, str]], room: int | None) -> list[str]:
    """The long captions if they all fit in ``room`` characters, else the short ones, cut to fit."""
    if room is None or all(len(long) <= room for long, _ in captions):
        return [long for long, _ in captions]
    return [short[:max(room, 1)] for _, short in captions]


def draw_digits(plt: Any, data: Mapping[str, Any], width: int | None = None) -> None:
    images = np.asarray(data["images"], float)
    labels = [str(label) for label in data["labels"]]
    predicted = data.get("predicted")
    captions = []
    for index, label in enumerate(labels):
        if predicted is None:
            captions.append((label, label))
        else:
            guess = str(predicted[index])
            # Wrong: the guess, then the true label; short: the guess, still marked wrong.
            captions.append((guess, guess) if guess == label else (f"✗{guess} ({label})", f"✗{guess}"))
    if data.get("selected") is not None and 0 <= int(data["selected"]) < len(captions):
        long, short = captions[int(data["selected"])]
        captions[int(data["selected"])] = (f"[{long}]", f"[{short}]")
    columns = min(len(images), int(data.get("columns", 8)))
    _tile_grid(plt, list(images), captions, columns=max(columns, 1), colormap="grey",
               per_tile_scale=False, blank_below=0.12, width=width)
    title = data.get("title", "")
    chosen = data.get("top")
    if data.get("tops") is not None and data.get("selected") is not None:
        chosen = data["tops"][int(data["selected"])]
    if chosen:
        top = ", ".join(f"{label} {probability:.0%}" for label, probability in chosen)
        title = f"{title}   selected: {top}" if title else f"selected: {top}"
    if title:
        plt.title(str(title))


def draw_heatmaps(plt: Any, data: Mapping[str, Any], width: int | None = None) -> None:
    maps = [np.asarray(m["values"], float) for m in data["maps"]]
    # Short captions keep the last word: "filter 3" -> "3".
    captions = [(title, title.split()[-1] if title.split() else "")
                for title in (str(m.get("title", "")) for m in data["maps"])]
    signed = any(np.min(m) < 0 for m in maps)
    columns = min(len(maps), int(data.get("columns", 8)))
    _tile_grid(plt, maps, captions, columns=max(columns, 1),
               colormap="diverging" if signed else "heat", per_tile_scale=True, blank_below=None, width=width)
    if data.get("title"):
        plt.title(str(data["title"]))


def draw_bars(plt: Any, data: Mapping[str, Any]) -> None:
    plt.bar([str(label) for label in data["labels"]], _floats(data["values"]), color=SERIES_COLORS[0])
    if data.get("ylim"):
        plt.ylim(*data["ylim"])
    _labels(plt, data)


_DRAWERS = {
    "fit": draw_fit,
    "cost": draw_cost,
    "surface": draw_surface,
    "bars": draw_bars,
}
_GRIDS = {  # grids of small images: they take the plot's width too
    "digits": draw_digits,
    "heatmaps": draw_heatmaps,
}
