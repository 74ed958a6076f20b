"""Dimensions of a scenario: named lists of members (e.g. ``service``) and the names indexed by them.

A dimension is declared under ``dimensions:`` (members listed, given with attributes, or read from a
CSV table; or a subset of another dimension). A name with a placeholder, such as ``c_{service}``, is
*indexed*: it stands for one name per member (``c_gp_surgery``, ``c_ambulance``, ...).

- Indexed parameters that are numbers, distributions or table statistics (``unit_cost: "{service}"``)
  are expanded here, at load time, into one parameter per member: each member has its own value,
  distribution, source, one-way range and draws.
- Indexed parameters that are expressions (``m_{service}: c_{service} * u_{service}``) stay indexed:
  the model evaluates them once over a members axis (``econ.model.indexed``).
- Indexed values (``values: {"{service}": ...}``) expand into one value per member (one output
  each); their labels, categories and sectors may read member attributes (``"{service.category}"``).
- Totals may list ``"{service}"`` (or ``"c_{service}"``) for every member's value.

In text, ``{service}`` is the member and ``{service.label}`` one of its attributes. Expressions may
use ``sum(x_{service})``, the sum over the members in their declared order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from econ.core.errors import Problem
from econ.scenario.expressions import INDEX_MARK

#: An identifier with one placeholder, e.g. ``c_{service}`` or ``r_{service}_group``.
TEMPLATE_TOKEN = re.compile(r"(?<![A-Za-z0-9_{}ǀ.])([A-Za-z0-9_]*)\{([A-Za-z][A-Za-z0-9_]*)\}([A-Za-z0-9_]*)")
#: Any placeholder, with an optional attribute: ``{service}`` or ``{service.label}``.
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)(?:\.([A-Za-z][A-Za-z0-9_]*))?\}")
#: The character that stands for a brace inside a mangled identifier (a letter to Python's parser,
#: never one a scenario can write, since names are ASCII).
MANGLE = INDEX_MARK


@dataclass(frozen=True)
class Dimension:
    """A resolved dimension: members in order, each with its attributes (strings)."""

    name: str
    members: tuple
    attributes: dict = field(default_factory=dict)  # member -> {attribute: str}
    parent: str | None = None  # for a subset: the dimension it is a subset of
    origin: str = ""

    @property
    def root(self) -> str:
        return self.parent or self.name

    def attribute(self, member: str, attr: str) -> str | None:
        return self.attributes.get(member, {}).get(attr)


def template_dimension(name: str) -> str | None:
    """The dimension of a placeholder in ``name`` (e.g. ``c_{service}`` -> ``service``), else None."""
    m = PLACEHOLDER.search(name)
    return m.group(1) if m else None


def element_name(template: str, member: str) -> str:
    """``c_{service}``, ``gp_surgery`` -> ``c_gp_surgery``."""
    return PLACEHOLDER.sub(member, template, count=1)


def family_key(template: str, dims: dict) -> str:
    """The template written with its root dimension (``r_{pooled}`` -> ``r_{service}``)."""
    m = PLACEHOLDER.search(template)
    d = dims.get(m.group(1)) if m else None
    return template if d is None else template[:m.start()] + "{" + d.root + "}" + template[m.end():]


def mangle(prefix: str, dim: str, suffix: str) -> str:
    """The identifier an indexed reference becomes in a vectorised expression."""
    return f"{prefix}{MANGLE}{dim}{MANGLE}{suffix}"


def unmangle(name: str) -> tuple[str, str, str] | None:
    """(prefix, dimension, suffix) of a mangled identifier, else None."""
    parts = name.split(MANGLE)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def substitute(text: str, dim: Dimension, member: str) -> str:
    """Replace ``{dim}`` by the member and ``{dim.attr}`` by its attribute (other placeholders stay).

    Raises KeyError(attribute) for an attribute the member does not have.
    """
    def repl(m):
        if m.group(1) != dim.name and m.group(1) != dim.root:
            return m.group(0)
        if m.group(2) is None:
            return member
        value = dim.attribute(member, m.group(2))
        if value is None:
            raise KeyError(m.group(2))
        return value

    return PLACEHOLDER.sub(repl, text)


def _matching_paren(text: str, open_index: int) -> int:
    depth = 0
    for i in range(open_index, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


_SUM = re.compile(r"(?<![A-Za-z0-9_])sum\s*\(")


def expand_sums(text: str, dims: dict) -> str:
    """Write ``sum(<expression of x_{d}>)`` as ``(x_m1 + x_m2 + ...)`` over the members of ``d``.

    The scalar form of a sum, in member order (the order the vectorised sum adds in). A ``sum`` whose
    argument names no dimension, or an unknown one, is left for the parser to report.
    """
    out, pos = [], 0
    while True:
        m = _SUM.search(text, pos)
        if m is None:
            out.append(text[pos:])
            return "".join(out)
        close = _matching_paren(text, m.end() - 1)
        if close < 0:
            out.append(text[pos:])
            return "".join(out)
        arg = expand_sums(text[m.end():close], dims)
        names = {p.group(1) for p in PLACEHOLDER.finditer(arg)}
        dim = dims.get(next(iter(names))) if len(names) == 1 else None
        if dim is None:
            out.append(text[pos:close + 1])
        else:
            out.append(text[pos:m.start()] + "(" + " + ".join(f"({substitute(arg, dim, x)})" if _needs_parens(arg)
                                                              else substitute(arg, dim, x) for x in dim.members) + ")")
        pos = close + 1


def _needs_parens(arg: str) -> bool:
    return not re.fullmatch(r"\s*[A-Za-z0-9_{}.]+\s*", arg)


def scalar_text(text: str, dims: dict, dim: Dimension | None = None, member: str | None = None) -> str:
    """An expression with its sums written out and ``{dim}`` replaced by ``member`` (a plain expression)."""
    text = expand_sums(text, dims)
    return substitute(text, dim, member) if dim is not None else text


def vector_text(text: str) -> str:
    """An expression with each indexed reference ``x_{d}`` written as one mangled identifier."""
    return TEMPLATE_TOKEN.sub(lambda m: mangle(m.group(1), m.group(2), m.group(3)), text)


def referenced_dimensions(text: str) -> set:
    """Dimensions named by placeholders in ``text`` outside ``sum(...)``."""
    stripped, pos, out = [], 0, set()
    while True:
        m = _SUM.search(text, pos)
        if m is None:
            stripped.append(text[pos:])
            break
        close = _matching_paren(text, m.end() - 1)
        if close < 0:
            stripped.append(text[pos:])
            break
        stripped.append(text[pos:m.start()])
        pos = close + 1
    for p in PLACEHOLDER.finditer("".join(stripped)):
        out.add(p.group(1))
    return out


# --- resolving the declared dimensions --------------------------------------------------------------
def resolve_dimensions(spec, positions, resolve_path) -> tuple[dict, list]:
    """Dimension objects of ``spec.dimensions`` and the problems found (unknown parents, empty lists).

    ``resolve_path(key_path, value)`` resolves a table path relative to the file that wrote it.
    """
    from econ.scenario.source import format_key_path

    dims: dict = {}
    problems: list = []

    def add(path, message):
        problems.append(Problem(message, positions.of(path), format_key_path(path)))

    pending = list(spec.dimensions.items())
    for name, d in pending:
        path = ("dimensions", name)
        if d.subset_of is not None:
            continue
        members, attrs = _members_of(name, d, path, add, resolve_path)
        if members is not None:
            dims[name] = Dimension(name, tuple(members), attrs)
    for name, d in pending:
        if d.subset_of is None:
            continue
        path = ("dimensions", name)
        parent = dims.get(d.subset_of)
        if parent is None:
            import difflib

            close = difflib.get_close_matches(d.subset_of, [n for n, x in spec.dimensions.items() if x.subset_of is None], n=2)
            add(path + ("subset_of",), f"unknown dimension '{d.subset_of}'"
                + (f" (did you mean {' or '.join(close)}?)" if close else "")
                + "; a subset's parent must be a dimension with its own members")
            continue
        if d.members is not None:
            listed = list(d.members)
            for i, m in enumerate(listed):
                if m not in parent.members:
                    add(path + ("members", i), f"'{m}' is not a member of '{parent.name}'")
            members = [m for m in parent.members if m in listed]
        else:
            members = list(parent.members)
        for attr, want in d.where.items():
            missing = [m for m in members if parent.attribute(m, attr) is None]
            if missing:
                add(path + ("where", attr), f"members of '{parent.name}' have no attribute '{attr}'")
                members = []
                break
            members = [m for m in members if parent.attribute(m, attr) == str(want)]
        if not members:
            add(path, f"subset '{name}' of '{parent.name}' has no members")
            continue
        dims[name] = Dimension(name, tuple(members), {m: parent.attributes.get(m, {}) for m in members},
                               parent=parent.name)
    return dims, problems


def _members_of(name, d, path, add, resolve_path):
    if (d.members is None) == (d.table is None):
        add(path, "give the members of the dimension: 'members' (a list, or a mapping member -> attributes) "
                  "or 'table' (a CSV file with one row per member)")
        return None, {}
    if d.table is not None:
        return _members_from_table(d, path, add, resolve_path)
    if isinstance(d.members, dict):
        members = list(d.members)
        attrs = {m: {k: _as_text(v) for k, v in (a or {}).items()} for m, a in d.members.items()}
    else:
        members, attrs = list(d.members), {}
        seen = set()
        for i, m in enumerate(members):
            if m in seen:
                add(path + ("members", i), f"member '{m}' is listed twice")
            seen.add(m)
    if not members:
        add(path + ("members",), "a dimension needs at least one member")
        return None, {}
    return members, attrs


def _as_text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return repr(v)
    return str(v)


def _members_from_table(d, path, add, resolve_path):
    import csv

    file = resolve_path(path + ("table",), d.table)
    try:
        with open(file, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.reader(line for line in fh if not line.lstrip().startswith("#"))]
    except OSError as exc:
        add(path + ("table",), f"cannot read '{d.table}' ({exc.__class__.__name__}: {exc.strerror or exc})")
        return None, {}
    if not rows:
        add(path + ("table",), f"'{d.table}' is empty; it needs a header row and one row per member")
        return None, {}
    header = [h.strip() for h in rows[0]]
    key = d.key or header[0]
    if key not in header:
        add(path + ("key",), f"column '{key}' is not in '{d.table}' (columns: {', '.join(header)})")
        return None, {}
    k = header.index(key)
    members, attrs = [], {}
    for line, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(header):
            add(path + ("table",), f"{Path(file).name} row {line}: {len(r)} fields, the header has {len(header)}")
            return None, {}
        m = r[k].strip()
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", m):
            add(path + ("table",), f"{Path(file).name} row {line}: member '{m}' must start with a letter and use "
                                   f"only letters, digits and _")
            return None, {}
        if m in attrs:
            add(path + ("table",), f"{Path(file).name} row {line}: member '{m}' is listed twice")
            return None, {}
        members.append(m)
        attrs[m] = {h: c.strip() for h, c in zip(header, r) if h != key}
    if not members:
        add(path + ("table",), f"'{d.table}' has no members")
        return None, {}
    return members, attrs
