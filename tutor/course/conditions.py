"""The challenge condition language: a small, safe subset of Python expressions.

``abs(w - 1.25) < 0.02 and loss < 0.1`` reads a run's result keys (``w``,
``loss``) with numbers, comparisons, + - * /, ``and``/``or``/``not`` and
``abs``/``min``/``max``. Nothing else parses: a lesson file cannot run code
through its challenge, and the cost of judging one is bounded at load.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from tutor.i18n import _

MAX_CONDITION_CHARS = 400
MAX_CONDITION_DEPTH = 24
MAX_CONSTANT_BITS = 64  # whole numbers in a condition: no 4000-digit products

_ALLOWED_CALLS: dict[str, Callable[..., Any]] = {"abs": abs, "min": min, "max": max}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.BinOp,
    ast.UnaryOp,
    ast.USub,
    ast.Not,
    ast.Load,
    *_COMPARE,
    *_ARITH,
)


def _depth(tree: ast.AST) -> int:
    """How deeply the expression nests (without recursion: the tree may be deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def condition_names(condition: str) -> set[str]:
    """The result keys a condition reads; raises ValueError if it is not allowed.

    Conditions are judged after every run, so their cost is bounded here: a
    short text, a shallow tree and numbers of ordinary size.
    """
    if len(condition) > MAX_CONDITION_CHARS:
        raise ValueError(
            _("is {length} characters long; a condition has at most {maximum}").format(
                length=len(condition), maximum=MAX_CONDITION_CHARS
            )
        )
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError as error:
        # Python's own words for the syntax error (English) follow in brackets.
        raise ValueError(_("not a valid condition ({reason})").format(reason=error.msg)) from None
    except (RecursionError, MemoryError):
        raise ValueError(_("nests too deeply")) from None
    if _depth(tree) > MAX_CONDITION_DEPTH:
        raise ValueError(_("nests too deeply (more than {depth} levels)").format(depth=MAX_CONDITION_DEPTH))
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and abs(node.value).bit_length() > MAX_CONSTANT_BITS
        ):
            raise ValueError(_("a whole number in a condition has at most 19 digits"))
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _ALLOWED_CALLS) or node.keywords:
                raise ValueError(_("only abs(), min() and max() may be called"))
        elif isinstance(node, ast.Name):
            if node.id not in _ALLOWED_CALLS:
                names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str) or node.value is None:
                raise ValueError(_("only numbers and True/False may appear as constants"))
        elif not isinstance(node, _ALLOWED_NODES):
            raise ValueError(_("{node} is not allowed in a condition").format(node=type(node).__name__))
    return names


def judge(condition: str, result: Mapping[str, Any]) -> bool:
    """Whether a run's result meets a condition (checked by ``condition_names`` at load).

    A result key the condition reads but the run did not return raises KeyError.
    """
    return bool(_evaluate(ast.parse(condition, mode="eval").body, result))


def _evaluate(node: ast.AST, result: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(v, result) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, result)
        for op, right_node in zip(node.ops, node.comparators):
            right = _evaluate(right_node, result)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BinOp):
        return _ARITH[type(node.op)](_evaluate(node.left, result), _evaluate(node.right, result))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, result)
        return -value if isinstance(node.op, ast.USub) else not value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _ALLOWED_CALLS[node.func.id](*(_evaluate(a, result) for a in node.args))
    if isinstance(node, ast.Name):
        return result[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    raise ValueError(f"{type(node).__name__} is not allowed in a condition")
