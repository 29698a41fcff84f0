"""1.3 Three ways down the slope: stochastic, mini-batch and fixed-step descent on w.

The cost view shows the whole walk of w: every update of the first
``DETAIL`` updates (where the walk downhill happens: stochastic and
mini-batch descent reach the bottom within the first epoch), then w at the
end of each epoch, thinned evenly to at most ``PATH_POINTS`` points.

The run is watched update by update: the loss is recorded (and the views
shown) after each of the first ``DETAIL`` updates, then ever more rarely -
about ``SHOWN_PER_DECADE`` times for each tenfold more updates - so the
replay spends its time where the walk moves, and the loss curves of the
three methods compare update for update.

A walk whose cost grows past ``RUNAWAY`` times the starting cost has left
the bowl for good: the run ends as diverged at once, with its last frames
showing the zig-zag up the walls (not after w has overflowed to inf).
"""

from __future__ import annotations

import numpy as np

from tutor.data.beans import toxicity_beans
from tutor.i18n import _
from tutor.routine_types import Params, Reporter
from tutor.routines._walks import WalkedAway, thinned

DETAIL = 200  # the first updates, each kept in the walk
PATH_POINTS = 400  # at most this many points of the walk are sent
RUNAWAY = 1e6  # a cost this many times the starting cost: diverged
SHOWN_PER_DECADE = 40  # after the first DETAIL updates, how often the loss is recorded


def slope(w, x, y):
    """The slope k at w of one bean's cost (y - w x)^2: d/dw = 2 x^2 w - 2 x y.

    Elementwise: for arrays x and y, one slope per bean (a batch averages them).
    """
    return 2 * x * x * w - 2 * x * y


def batch_slope(w: float, x: np.ndarray, y: np.ndarray) -> float:
    """The slope of the batch's mean cost: the beans' slopes, averaged."""
    return float(np.mean(slope(w, x, y)))


def cost(w: float, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((y - w * x) ** 2))


class Walk:
    """w after each update: every one of the first DETAIL, and whether w is still in range.

    ``show(w)`` is called at the updates worth watching: each of the first DETAIL,
    then SHOWN_PER_DECADE times per tenfold more updates.
    """

    def __init__(self, w0: float, low: float, high: float, show=None) -> None:
        self.updates = 0
        self.detail = [w0]  # w after each of the first DETAIL updates
        self.low, self.high = low, high
        self.spans: list[tuple[float, float]] = []  # (lowest, highest) w visited in each epoch
        self.show = show
        self.next_shown = 0  # the next update to show after the first DETAIL
        self.last_shown = -1

    def new_epoch(self, w: float) -> None:
        self.spans.append((w, w))

    def step(self, w: float) -> bool:
        """Note one update; False once w has left [low, high] (the run has diverged)."""
        self.updates += 1
        if self.updates <= DETAIL:
            self.detail.append(w)
        lowest, highest = self.spans[-1]
        if w < lowest:
            self.spans[-1] = (w, highest)
        elif w > highest:
            self.spans[-1] = (lowest, w)
        inside = self.low <= w <= self.high
        due = self.updates <= DETAIL or self.updates >= self.next_shown
        if self.show is not None and (due or not inside):  # the update that leaves is shown too
            self.next_shown = int(self.updates * 10 ** (1 / SHOWN_PER_DECADE)) + 1
            self.last_shown = self.updates
            self.show(w)
        return inside

    def wobble(self, epochs: int = 10) -> float:
        """How far apart the w visited in the last ``epochs`` epochs are (every update counts)."""
        last = self.spans[-epochs:]
        return max(high for _low, high in last) - min(low for low, _high in last)


def stochastic_epoch(w: float, x: np.ndarray, y: np.ndarray, lr: float, reporter: Reporter,
                     walk: Walk | None = None) -> float:
    """One update per bean: w <- w - lr k. Stops early (w out of range) if ``walk`` says so."""
    for xi, yi in zip(x.tolist(), y.tolist()):  # plain floats: 30x faster than 0-d arrays
        reporter.check_cancelled()
        w -= lr * slope(w, xi, yi)
        if walk is not None and not walk.step(w):
            break
    return w


def mini_batch_epoch(w: float, x: np.ndarray, y: np.ndarray, lr: float, batch: int, reporter: Reporter,
                     walk: Walk | None = None) -> float:
    """One update per batch, with the slope averaged over the batch."""
    for start in range(0, len(x), batch):
        reporter.check_cancelled()
        w -= lr * batch_slope(w, x[start:start + batch], y[start:start + batch])
        if walk is not None and not walk.step(w):
            break
    return w


def fixed_step_epoch(w: float, x: np.ndarray, y: np.ndarray, step: float, batch: int, reporter: Reporter,
                     walk: Walk | None = None) -> float:
    """Only the slope's sign counts: move a fixed step downhill, so w ends up wobbling."""
    for start in range(0, len(x), batch):
        reporter.check_cancelled()
        w -= step * np.sign(batch_slope(w, x[start:start + batch], y[start:start + batch]))
        if walk is not None and not walk.step(w):
            break
    return w


def preview(params: Params, reporter: Reporter) -> None:
    """The beans, before w takes a step."""
    x, y = toxicity_beans(params.rng, params.beans)
    reporter.view("fit", points=[{"x": x, "y": y, "label": _("{n} beans").format(n=len(x))}],
                  title=_("{n} beans: size and toxicity").format(n=len(x)), xlabel=_("size"), ylabel=_("toxicity"))


def run(params: Params, reporter: Reporter) -> dict:
    x, y = toxicity_beans(params.rng, params.beans)
    least_squares_w = float(np.sum(x * y) / np.sum(x * x))
    start_cost = cost(params.w0, x, y)
    low, high = min(params.w0, 0.0) - 0.2, max(2.5, params.w0 + 0.2)  # the cost curve's range
    a, b, c = float(np.mean(x * x)), float(np.mean(-2 * x * y)), float(np.mean(y * y))

    def costs(ws: np.ndarray) -> np.ndarray:  # the same mean squared error, as a parabola in w
        return a * ws**2 + b * ws + c

    per_epoch = len(x) if params.method == "stochastic" else -(-len(x) // params.batch)
    updates = per_epoch * params.epochs
    ws = np.linspace(low, high, 120)
    curve = costs(ws)
    ends: list[float] = []  # w at the end of each epoch after the detailed start
    line_x = np.array([0.0, 1.0])
    ylim = (min(0.0, float(y.min())) - 0.1, float(y.max()) + 0.2)
    # Both axes on log scales: the methods differ by orders of magnitude, over orders of magnitude of updates.
    reporter.view("loss", ylog=True, xlog=True, xlabel=_("update"), title=_("the loss after each update"))

    def show(w: float) -> None:
        """The line, the walk on the cost curve and the loss, as they are after this update."""
        nonlocal ws, curve, low, high
        path_w = thinned(walk.detail[: walk.updates + 1] + ends + ([w] if walk.updates > DETAIL else []),
                         DETAIL + 1, PATH_POINTS)
        if path_w.min() < low or path_w.max() > high:  # the walk left the curve: widen it
            low, high = min(low, float(path_w.min())), max(high, float(path_w.max()))
            ws = np.linspace(low, high, 120)
            curve = costs(ws)
        epoch = min(walk.updates // per_epoch + 1, params.epochs)
        when = (_("epoch {epoch}, update {update}").format(epoch=epoch, update=walk.updates) if walk.updates
                else _("before the first update"))
        reporter.view(
            "fit", points=[{"x": x, "y": y, "label": _("{n} beans").format(n=len(x))}],
            lines=[{"x": line_x, "y": w * line_x, "label": f"{params.method}: w = {w:.4g}"}],
            ylim=ylim,  # the beans' range: a runaway line is cut at the edge, the beans stay readable
            title=when, xlabel=_("size"), ylabel=_("toxicity"),
        )
        reporter.view(
            "cost", x=ws, y=curve, path={"x": path_w, "y": costs(path_w)},
            marker=(least_squares_w, cost(least_squares_w, x, y)),
            title=_("the walk of w over {n} updates").format(n=walk.updates), xlabel="w", ylabel=_("cost"),
        )
        if walk.low <= w <= walk.high:
            reporter.progress(walk.updates, updates, unit="update", loss=cost(w, x, y), w=w)
        else:  # the update that left the bowl: its frame, and the runner records the blow-up
            reporter.frame(1, 1, unit="update", w=w)

    # cost(w) = mean(x^2) (w - w*)^2 + cost(w*): the w where the cost reaches RUNAWAY * start_cost
    reach = float(np.sqrt(RUNAWAY * max(start_cost, 1e-12) / np.mean(x * x)))
    walk = Walk(params.w0, least_squares_w - reach, least_squares_w + reach, show)
    w = params.w0
    walk.last_shown = 0
    show(w)  # update 0: where the walk starts
    for _epoch in range(params.epochs):  # an epoch: every bean once
        if params.shuffle:  # a new order every epoch, so no bean always has the last word
            order = params.rng.permutation(len(x))
            x, y = x[order], y[order]
        walk.new_epoch(w)
        if params.method == "stochastic":
            w = stochastic_epoch(w, x, y, params.lr, reporter, walk)
        elif params.method == "mini-batch":
            w = mini_batch_epoch(w, x, y, params.lr, params.batch, reporter, walk)
        else:
            w = fixed_step_epoch(w, x, y, params.fixed_step, params.batch,
                                 reporter, walk)
        if not walk.low <= w <= walk.high:  # the runner puts this loss on the curve as the blow-up
            loss = cost(w, x, y)
            raise WalkedAway(
                "loss", loss, walk.updates, "update",
                _("w flew off to {w:.3g} after {n} updates (the cost grew to {loss:.3g}, {times:.2g} times "
                  "where it started): the descent diverged. Each step overshot the bottom by more than "
                  "the last. Try a smaller learning rate (lr).").format(
                    w=w, n=walk.updates, loss=loss, times=loss / start_cost))
        if walk.updates > DETAIL:
            ends.append(w)
    if walk.last_shown != walk.updates:  # the last update is always shown
        show(w)
    return {
        "w": w,
        "loss": cost(w, x, y),
        "least_squares_w": least_squares_w,
        "updates": updates,
        # How far w still moves in the last 10 epochs, update by update: the fixed step's wobble.
        "wobble": walk.wobble(10),
    }

