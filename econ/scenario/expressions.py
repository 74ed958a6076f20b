"""The safe expression language of scenario files: parsed with ``ast`` against a whitelist, evaluated with numpy.

Grammar
-------
Numbers, names, ``+ - * / ** %``, unary ``-``/``+``, comparisons (``< <= > >= == !=``, chained
comparisons allowed), ``and`` / ``or`` / ``not`` (elementwise), parentheses, and calls of the
whitelisted functions in :data:`FUNCTIONS`. Names are parameters, or the built-in variables
``cycle`` (1, 2, ..., n_cycles: the cycle being evaluated), ``time`` (years elapsed at the start
of that cycle), ``cycle_years`` (cycle length in years) and ``time_in_state`` (1, 2, ... within a
tunnel state; 1 elsewhere).

Nothing is passed to :func:`eval`: the syntax tree is checked node by node and compiled to a tree
of closures over numpy functions. Attribute access, subscripts, imports, lambdas, comprehensions,
keyword arguments, strings and any function not listed are rejected with an
:class:`ExpressionError` that says where in the text the problem is.
"""
from __future__ import annotations

import ast
import difflib
import functools
import keyword
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

#: Longest expression text accepted (characters); longer input is rejected before parsing.
MAX_EXPRESSION_LENGTH = 2000
#: Deepest nesting of the syntax tree accepted.
MAX_EXPRESSION_DEPTH = 60

#: The letter that marks an indexed reference in a vectorised expression (see econ.scenario.dimensions).
INDEX_MARK = "ǀ"

#: Words of the expression syntax (Python's keywords) that cannot be names: a parameter called
#: ``lambda`` could never be read in an expression.
RESERVED_WORDS = tuple(w for w in keyword.kwlist)


def reserved_word_message(name: str) -> str:
    """Why ``name`` cannot be a parameter name, with another name to use."""
    return (f"'{name}' is a reserved word of the expression language and cannot be a name; choose another, e.g. "
            f"'{name}_' or '{name}_rate' (reserved: {', '.join(RESERVED_WORDS)})")


#: Names the engine provides; a parameter may not use them.
BUILTIN_VARIABLES = ("cycle", "time", "cycle_years", "time_in_state")


def _rate_to_prob(rate, t=1.0):
    return 1.0 - np.exp(-np.asarray(rate, dtype=float) * t)


def _prob_to_rate(p, t=1.0):
    return -np.log1p(-np.asarray(p, dtype=float)) / t


def _min(*args):
    out = args[0]
    for a in args[1:]:
        out = np.minimum(out, a)
    return out


def _max(*args):
    out = args[0]
    for a in args[1:]:
        out = np.maximum(out, a)
    return out


def _sum(a):
    """Sum over the members axis (the first of an indexed array), added in member order."""
    a = np.asarray(a, dtype=float)
    if a.ndim < 3:
        return a
    out = a[0].copy()
    for i in range(1, a.shape[0]):
        out += a[i]
    return out


def _where(cond, a, b):
    return np.where(cond, a, b)


def _log(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


#: The sum over a dimension, ``sum(x_{service})``: kept apart from :data:`FUNCTIONS` since it only
#: takes an indexed expression (written out member by member everywhere but in the engine's plan).
INDEX_FUNCTIONS = {"sum": (_sum, 1, 1, "sum(x_{service}): an indexed expression summed over the members of its dimension")}

#: Whitelisted functions: name -> (implementation, minimum arguments, maximum arguments, help).
FUNCTIONS: dict[str, tuple[Callable, int, int, str]] = {
    "min": (_min, 2, 32, "elementwise minimum of two or more values"),
    "max": (_max, 2, 32, "elementwise maximum of two or more values"),
    "exp": (np.exp, 1, 1, "exponential"),
    "log": (_log, 1, 1, "natural logarithm"),
    "sqrt": (np.sqrt, 1, 1, "square root"),
    "abs": (np.abs, 1, 1, "absolute value"),
    "sin": (np.sin, 1, 1, "sine (radians); for analytic test functions such as Ishigami's"),
    "cos": (np.cos, 1, 1, "cosine (radians)"),
    "where": (_where, 3, 3, "where(condition, value_if_true, value_if_false), elementwise"),
    "rate_to_prob": (_rate_to_prob, 1, 2, "rate_to_prob(rate, t=1) = 1 - exp(-rate * t)"),
    "prob_to_rate": (_prob_to_rate, 1, 2, "prob_to_rate(p, t=1) = -log(1 - p) / t"),
}

_BINOPS = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
    ast.Mod: np.mod,
}
_CMPOPS = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}

_FORBIDDEN_HINTS = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "indexing ('[...]') is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.IfExp: "'x if c else y' is not allowed; use where(c, x, y)",
    ast.NamedExpr: "assignment (':=') is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Set: "sets are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
}


class ExpressionError(ValueError):
    """An expression is not valid. ``column`` is the 1-based offset in the text, 0 if unknown."""

    def __init__(self, message: str, column: int = 0):
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Expression:
    """A checked, compiled expression.

    Attributes
    ----------
    text : str
        The source text.
    names : frozenset of str
        Every variable name the expression reads.
    constant : float or None
        The value, when the expression is a plain number.
    """

    text: str
    names: frozenset
    constant: float | None
    _fn: Callable = field(repr=False, compare=False)

    def evaluate(self, env: Mapping[str, np.ndarray]) -> np.ndarray:
        """Evaluate with numpy broadcasting over the arrays in ``env`` (name -> array)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.asarray(self._fn(env), dtype=float)


def _fail(node: ast.AST, message: str) -> ExpressionError:
    return ExpressionError(message, getattr(node, "col_offset", -1) + 1)


def _compile(node: ast.AST, names: set, depth: int) -> Callable:
    if depth > MAX_EXPRESSION_DEPTH:
        raise _fail(node, f"expression is nested too deeply (more than {MAX_EXPRESSION_DEPTH} levels)")
    d = depth + 1
    if isinstance(node, ast.Constant):
        return _compile_constant(node)
    if isinstance(node, ast.Name):
        name = node.id
        if name.startswith("_"):
            raise _fail(node, f"names starting with '_' are not allowed (got '{name}')")
        if name in FUNCTIONS:
            raise _fail(node, f"'{name}' is a function; call it as {name}(...)")
        names.add(name)
        return lambda env: env[name]
    if isinstance(node, ast.BinOp):
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise _fail(node, f"operator {type(node.op).__name__} is not allowed; use + - * / ** %")
        left, right = _compile(node.left, names, d), _compile(node.right, names, d)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, names, d)
        if isinstance(node.op, ast.USub):
            return lambda env: np.negative(operand(env))
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return lambda env: np.logical_not(operand(env))
        raise _fail(node, f"operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.BoolOp):
        return _compile_boolop(node, names, d)
    if isinstance(node, ast.Compare):
        return _compile_compare(node, names, d)
    if isinstance(node, ast.Call):
        return _compile_call(node, names, d)
    hint = _FORBIDDEN_HINTS.get(type(node))
    if hint is None:
        hint = f"{type(node).__name__} is not allowed in an expression"
    raise _fail(node, hint)


def _compile_constant(node: ast.Constant) -> Callable:
    v = node.value
    if isinstance(v, bool):
        value = float(v)
    elif isinstance(v, (int, float)):
        try:
            value = float(v)
        except OverflowError:
            raise _fail(node, f"number too large ({str(v)[:20]}...)") from None
    else:
        raise _fail(node, f"only numbers are allowed as constants (got {type(v).__name__} {v!r:.40})")
    return lambda env: value


def _compile_boolop(node: ast.BoolOp, names: set, d: int) -> Callable:
    parts = [_compile(v, names, d) for v in node.values]
    combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or

    def boolop(env):
        out = parts[0](env)
        for p in parts[1:]:
            out = combine(out, p(env))
        return out

    return boolop


def _compile_compare(node: ast.Compare, names: set, d: int) -> Callable:
    ops = []
    for op in node.ops:
        fn = _CMPOPS.get(type(op))
        if fn is None:
            raise _fail(node, f"comparison {type(op).__name__} is not allowed; use < <= > >= == !=")
        ops.append(fn)
    operands = [_compile(node.left, names, d)] + [_compile(c, names, d) for c in node.comparators]

    def compare(env):
        values = [o(env) for o in operands]
        out = ops[0](values[0], values[1])
        for i in range(1, len(ops)):
            out = np.logical_and(out, ops[i](values[i], values[i + 1]))
        return out

    return compare


def _compile_call(node: ast.Call, names: set, d: int) -> Callable:
    if not isinstance(node.func, ast.Name):
        if type(node.func) in _FORBIDDEN_HINTS:
            raise _fail(node.func, _FORBIDDEN_HINTS[type(node.func)])
        raise _fail(node, "only calls of the listed functions are allowed: " + ", ".join(FUNCTIONS))
    fname = node.func.id
    if fname == "sum" and len(node.args) == 1 and not node.keywords:
        inner: set = set()
        arg = _compile(node.args[0], inner, d)
        names |= inner
        if not any(INDEX_MARK in n for n in inner):
            raise _fail(node, "sum() adds an indexed expression over the members of its dimension: write "
                              "sum(x_{service}), where x_{service} is an indexed name")
        return lambda env: _sum(arg(env))
    if fname not in FUNCTIONS:
        close = difflib.get_close_matches(fname, list(FUNCTIONS) + ["sum"], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise _fail(node, f"function '{fname}' is not allowed{hint}; allowed: " + ", ".join(FUNCTIONS) + ", sum")
    if node.keywords:
        raise _fail(node, f"keyword arguments are not allowed in {fname}()")
    impl, lo, hi, _ = FUNCTIONS[fname]
    if not lo <= len(node.args) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise _fail(node, f"{fname}() takes {want} arguments (got {len(node.args)})")
    args = [_compile(a, names, d) for a in node.args]
    return lambda env: impl(*[a(env) for a in args])


_OPERATOR_WORDS = {"and", "or", "not", "True", "False", "if", "else"}


def _reserved_word_in(text: str):
    """(word, 1-based column) of the first reserved word used as a name in ``text``, else None."""
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text):
        if m.group(0) in RESERVED_WORDS and m.group(0) not in _OPERATOR_WORDS:
            return m.group(0), m.start() + 1
    return None


def parse_expression(text: str | float | int) -> Expression:
    """Parse and check an expression.

    Parameters
    ----------
    text : str or number
        The expression. A number is accepted as a constant.

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        If the text is too long, does not parse, or uses anything outside the whitelist.
    """
    if isinstance(text, bool):
        raise ExpressionError(f"expected a number or an expression (got {text!r})")
    if isinstance(text, (int, float)):
        value = float(text)
        return Expression(str(text), frozenset(), value, lambda env: value)
    if not isinstance(text, str):
        raise ExpressionError(f"expected a number or an expression (got {type(text).__name__})")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression is too long ({len(text)} characters; at most {MAX_EXPRESSION_LENGTH})")
    if not text.strip():
        raise ExpressionError("expression is empty")
    return _parse_text(text)


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> Expression:
    """Parse a checked, non-empty text; one immutable Expression per distinct text (errors are not cached)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        word = _reserved_word_in(text)
        if word is not None:
            raise ExpressionError(f"syntax error: '{word[0]}' is a reserved word and cannot be a name in an expression; rename "
                                  f"the parameter (e.g. '{word[0]}_')", word[1]) from None
        raise ExpressionError(f"syntax error: {exc.msg}", exc.offset or 0) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression is nested too deeply or is malformed") from None
    names: set = set()
    try:
        fn = _compile(tree.body, names, 0)
    except RecursionError:
        raise ExpressionError("expression is nested too deeply") from None
    constant = None
    if not names:
        try:
            with np.errstate(all="ignore"):
                c = np.asarray(fn({}), dtype=float)
            if c.ndim == 0:
                constant = float(c)
        except (ArithmeticError, ValueError, TypeError):
            constant = None
    return Expression(text, frozenset(names), constant, fn)
