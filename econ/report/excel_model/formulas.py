"""Compile the scenario expression language (:mod:`econ.scenario.expressions`) to spreadsheet formulas.

The expression text has already been checked against the whitelist when the scenario was
compiled; here its syntax tree is walked again and written as an Excel formula (no ``=``):

- numbers as ``repr`` of the float (round-trips exactly); ``+ - * /`` as themselves, ``**`` as
  ``^``, ``%`` as ``MOD`` (both floor-signed, as numpy's); every operation is parenthesised, so
  Excel's precedence (unary minus binds tighter than ``^``) never changes the meaning;
- comparisons, ``and``, ``or``, ``not`` as ``IF(..., 1, 0)`` so every cell holds a number (a
  spreadsheet's TRUE is skipped by SUMPRODUCT); chained comparisons as ``AND``;
- ``min max exp log sqrt abs sin cos`` as ``MIN MAX EXP LN SQRT ABS SIN COS``; ``where(c, a, b)``
  as ``IF(c, a, b)`` (a non-zero condition is true, as in numpy);
- ``rate_to_prob(r, t=1)`` written out as ``1 - EXP(-r * t)`` and ``prob_to_rate(p, t=1)`` as
  ``-LN(1 - p) / t``;
- names through a resolver: a cell reference for a parameter or the cycle column, or a
  parenthesised inlined formula for a derived parameter that changes with the cycle.
"""
from __future__ import annotations

import ast
from typing import Callable

from econ.core.errors import EconError
from econ.scenario.expressions import Expression

#: Longest formula a spreadsheet accepts (Excel's limit, in characters, without the leading '=').
MAX_FORMULA_LENGTH = 8192

_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=", ast.NotEq: "<>"}
_FUN = {"min": "MIN", "max": "MAX", "exp": "EXP", "log": "LN", "sqrt": "SQRT", "abs": "ABS",
        "sin": "SIN", "cos": "COS"}


class FormulaError(EconError, ValueError):
    """An expression cannot be written as a spreadsheet formula (too long once written out, or a
    construct with no spreadsheet form, which the expression checks should already exclude)."""


def number(value: float) -> str:
    """A float as formula text that reads back as the same double."""
    v = float(value)
    if v != v or v in (float("inf"), float("-inf")):
        raise FormulaError(f"cannot write {v} in a formula")
    text = repr(v).upper()  # 1E-05, as spreadsheets write exponents
    return f"({text})" if v < 0 else text


def to_formula(expr: "Expression | str", resolve: Callable[[str], str]) -> str:
    """Formula text (without the leading ``=``) of an expression; ``resolve(name)`` gives each name."""
    text = expr.text if isinstance(expr, Expression) else expr
    if isinstance(expr, Expression) and expr.constant is not None:
        return number(expr.constant)
    if not isinstance(text, str):
        return number(float(text))
    tree = ast.parse(text.strip(), mode="eval")
    return _node(tree.body, resolve)


def _bool(inner: str) -> str:
    return f"IF({inner},1,0)"


def _node(node: ast.AST, resolve: Callable[[str], str]) -> str:
    def sub(n):
        return _node(n, resolve)

    if isinstance(node, ast.Constant):
        return number(float(node.value))
    if isinstance(node, ast.Name):
        return resolve(node.id)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod):
            return f"MOD({sub(node.left)},{sub(node.right)})"
        op = _BIN.get(type(node.op))
        if op is None:
            raise FormulaError(f"operator {type(node.op).__name__}")
        return f"({sub(node.left)}{op}{sub(node.right)})"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return f"(-{sub(node.operand)})"
        if isinstance(node.op, ast.UAdd):
            return sub(node.operand)
        if isinstance(node.op, ast.Not):
            return _bool(f"NOT({sub(node.operand)})")
        raise FormulaError(f"operator {type(node.op).__name__}")
    if isinstance(node, ast.BoolOp):
        fn = "AND" if isinstance(node.op, ast.And) else "OR"
        return _bool(f"{fn}(" + ",".join(sub(v) for v in node.values) + ")")
    if isinstance(node, ast.Compare):
        operands = [sub(node.left)] + [sub(c) for c in node.comparators]
        parts = [f"{operands[i]}{_CMP[type(op)]}{operands[i + 1]}" for i, op in enumerate(node.ops)]
        return _bool(parts[0] if len(parts) == 1 else "AND(" + ",".join(parts) + ")")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name, args = node.func.id, [sub(a) for a in node.args]
        if name in _FUN:
            return f"{_FUN[name]}(" + ",".join(args) + ")"
        if name == "where":
            return f"IF({args[0]},{args[1]},{args[2]})"
        t = args[1] if len(args) > 1 else "1"
        if name == "rate_to_prob":
            return f"(1-EXP((-{args[0]})*{t}))"
        if name == "prob_to_rate":
            return f"((-LN(1-{args[0]}))/{t})"
    raise FormulaError(f"{type(node).__name__} has no spreadsheet form")
