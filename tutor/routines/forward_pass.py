"""2.4 A three-layer network, computed with matrices.

    A1 = X W1 + B1    Z1 = sigmoid(A1)      (2,) x (2, 3) -> (3,)
    A2 = Z1 W2 + B2   Z2 = sigmoid(A2)      (3,) x (3, 2) -> (2,)
    A3 = Z2 W3 + B3   Y  = sigma(A3)        (2,) x (2, 2) -> (2,)

sigma is the identity (regression) or softmax (classification).
"""

from __future__ import annotations

import numpy as np

from tutor.i18n import _
from tutor.routine_types import Params, Reporter


def softmax(a: np.ndarray) -> np.ndarray:
    """Outputs to probabilities; shifted by the largest so e^a never overflows."""
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def identity(a: np.ndarray) -> np.ndarray:
    return a


def init_network() -> dict[str, np.ndarray]:
    """The fixed weights of the lesson (the same every run: nothing here is learned)."""
    return {
        "W1": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
        "B1": np.array([0.1, 0.2, 0.3]),
        "W2": np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]),
        "B2": np.array([0.1, 0.2]),
        "W3": np.array([[0.1, 0.3], [0.2, 0.4]]),
        "B3": np.array([0.1, 0.2]),
    }


def forward(x, W1, b1, W2, b2, W3, b3):
    """The network's output for input x: two sigmoid layers, then a linear one (identity output)."""
    z1 = sigmoid(x @ W1 + b1)  # (2,) x (2, 3) + (3,) -> (3,)
    z2 = sigmoid(z1 @ W2 + b2)  # (3,) x (3, 2) + (2,) -> (2,)
    return z2 @ W3 + b3  # (2,) x (2, 2) + (2,) -> (2,)


def steps(network: dict[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    """Every intermediate value of the forward pass, by name, for the views."""
    s = {"X": x}
    s["A1"] = x @ network["W1"] + network["B1"]
    s["Z1"] = sigmoid(s["A1"])
    s["A2"] = s["Z1"] @ network["W2"] + network["B2"]
    s["Z2"] = sigmoid(s["A2"])
    s["A3"] = s["Z2"] @ network["W3"] + network["B3"]
    return s


def run(params: Params, reporter: Reporter) -> dict:
    network = init_network()
    x = np.array([params.x1, params.x2])
    output = softmax if params.output == "softmax" else identity
    s = steps(network, x)
    # Y comes from forward (the exercise's function), the rows above it from the step-by-step copy
    s["Y"] = output(forward(x, *(network[name] for name in ("W1", "B1", "W2", "B2", "W3", "B3"))))
    sigma = "softmax" if params.output == "softmax" else "identity"

    def row(v: np.ndarray) -> np.ndarray:
        return v.reshape(1, -1)

    reporter.view("matrix", matrices=[
        {"title": "X (2,)", "values": row(s["X"])},
        {"title": "W1 (2, 3)", "values": network["W1"]},
        {"title": "B1 (3,)", "values": row(network["B1"])},
        {"title": "A1 = X W1 + B1 (3,)", "values": row(s["A1"])},
        {"title": "Z1 = sigmoid(A1) (3,)", "values": row(s["Z1"])},
        {"title": "W2 (3, 2)", "values": network["W2"]},
        {"title": "B2 (2,)", "values": row(network["B2"])},
        {"title": "A2 = Z1 W2 + B2 (2,)", "values": row(s["A2"])},
        {"title": "Z2 = sigmoid(A2) (2,)", "values": row(s["Z2"])},
        {"title": "W3 (2, 2)", "values": network["W3"]},
        {"title": "B3 (2,)", "values": row(network["B3"])},
        {"title": f"Y = {sigma}(Z2 W3 + B3) (2,)", "values": row(s["Y"])},
    ])
    reporter.view(
        "table",
        title=_("the forward pass, step by step"),
        columns=[_("step"), _("result"), _("shapes")],
        rows=[
            ["A1 = X W1 + B1", _fmt(s["A1"]), "(2,) x (2, 3) + (3,) -> (3,)"],
            ["Z1 = sigmoid(A1)", _fmt(s["Z1"]), "(3,) -> (3,)"],
            ["A2 = Z1 W2 + B2", _fmt(s["A2"]), "(3,) x (3, 2) + (2,) -> (2,)"],
            ["Z2 = sigmoid(A2)", _fmt(s["Z2"]), "(2,) -> (2,)"],
            ["A3 = Z2 W3 + B3", _fmt(s["A3"]), "(2,) x (2, 2) + (2,) -> (2,)"],
            [f"Y = {sigma}(A3)", _fmt(s["Y"]), "(2,) -> (2,)"],
        ],
    )
    reporter.progress(1, 1)
    y = s["Y"]
    return {"y1": float(y[0]), "y2": float(y[1]), "total": float(y.sum()),
            "softmax_output": params.output == "softmax"}


def _fmt(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"
