"""Read YAML safely into plain values plus the file:line:column of every key."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from econ.core.errors import Problem, ScenarioError, SourceLocation
from econ.core.files import input_file_problem

KeyPath = tuple  # of str (mapping keys) and int (list indices)


def format_key_path(path: KeyPath) -> str:
    """``("a", "b", 0, "c")`` -> ``"a.b[0].c"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Positions:
    """Where each key path was written. Lookups fall back to the nearest written ancestor."""

    locations: dict = field(default_factory=dict)
    default: SourceLocation | None = None

    def of(self, path: KeyPath) -> SourceLocation | None:
        path = tuple(path)
        while True:
            if path in self.locations:
                return self.locations[path]
            if not path:
                return self.default
            path = path[:-1]

    def update(self, other: "Positions") -> None:
        self.locations.update(other.locations)


class _PositionsLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader (the C one when libyaml is there); only its composer is used, to keep
    node positions. Safe either way: no Python object tags are constructed."""


#: Most YAML nodes one document may expand to (aliases included), against "billion laughs" files.
MAX_YAML_NODES = 1_000_000

#: Most levels of mappings and lists inside each other in one YAML file (a scenario needs about 6).
MAX_YAML_DEPTH = 100

#: A file that may nest deeper than this is measured by a token scan before it is composed: libyaml's
#: composer recurses in C and crashes the process somewhere past 20,000 levels.
_SCAN_NESTING_ABOVE = 4_000

# YAML 1.1 (PyYAML) reads 1e-6 as a string; economists write it as a number, so accept the
# YAML 1.2 float forms too.
_PositionsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+
                |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?)$""", re.X),
    list("-+0123456789."),
)


def _build(node: yaml.Node, path: KeyPath, file: str, out: dict, problems: list, budget: list) -> Any:
    """Construct plain values from the node tree, recording positions.

    Mapping keys are kept as the text written (so a state called ``no`` stays ``"no"``, not False);
    scalar values are resolved by PyYAML's safe constructor.
    """
    if len(path) >= MAX_YAML_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        raise ScenarioError(_too_deep(file, node.start_mark))  # inside len(path) collections, and one more
    budget[0] += 1
    if budget[0] > MAX_YAML_NODES:
        mark = node.start_mark
        raise ScenarioError(Problem(f"YAML document has more than {MAX_YAML_NODES:,} values (keys, list items); this "
                                    f"is the {MAX_YAML_NODES + 1:,}th", SourceLocation(file, mark.line + 1,
                                                                                        mark.column + 1)))
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        seen: dict = {}
        for key_node, value_node in node.value:
            loc = SourceLocation(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem("keys must be plain words, not lists or mappings", loc,
                                        format_key_path(path)))
                continue
            key = key_node.value
            if key == "<<":
                problems.append(Problem("YAML merge keys ('<<') are not supported; use 'extends:'", loc,
                                        format_key_path(path)))
                continue
            if key in seen:
                problems.append(
                    Problem(f"duplicate key '{key}' (first written at line {seen[key].line})",
                            loc, format_key_path(path + (key,)))
                )
            seen[key] = loc
            out[path + (key,)] = loc
            result[key] = _build(value_node, path + (key,), file, out, problems, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            out[path + (i,)] = SourceLocation(file, item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_build(item, path + (i,), file, out, problems, budget))
        return items
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        loc = SourceLocation(file, mark.line + 1, mark.column + 1) if mark else SourceLocation(file)
        problems.append(Problem(f"cannot read value: {exc.problem}", loc, format_key_path(path)))
        return None
    except (ValueError, OverflowError) as exc:
        loc = SourceLocation(file, node.start_mark.line + 1, node.start_mark.column + 1)
        problems.append(Problem(f"cannot read value ({exc})", loc, format_key_path(path)))
        return None


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def read_yaml(path: str | Path, *, display_name: str | None = None) -> tuple[Any, Positions]:
    """Read a YAML file with the safe loader.

    Returns
    -------
    (value, positions)
        The document as plain Python values, and the location of every key and list item.

    Raises
    ------
    ScenarioError
        File missing or unreadable, not UTF-8, YAML syntax error, duplicate keys, empty file.
    """
    path = Path(path)
    name = display_name or str(path)
    problem = input_file_problem(path, kind="scenario", name=name)
    if problem is not None and problem.message.startswith("is a directory"):
        problem = Problem("is a directory, not a scenario file", problem.location)
    if problem is not None:
        raise ScenarioError(problem)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(Problem("file not found", SourceLocation(name))) from None
    except IsADirectoryError:
        raise ScenarioError(Problem("is a directory, not a scenario file", SourceLocation(name))) from None
    except OSError as exc:
        raise ScenarioError(Problem(f"cannot read file ({exc.strerror})", SourceLocation(name))) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            Problem(f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", SourceLocation(name, line))
        ) from None
    return parse_yaml_text(text, name)


def _refuse_unreadable(text: str, name: str) -> None:
    """Refuse, with line and column, what the YAML reader would reject without a location or only
    after expanding it: NUL and other control characters, and anchors/aliases (a "billion laughs"
    file is a few lines of aliases that expand to billions of nodes)."""
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise ScenarioError(Problem(f"the file holds a control character (U+{ord(bad.group()):04X}); a scenario "
                                    f"is plain text", SourceLocation(name, line, col)))
    lines = text.splitlines()
    if text.count("[") + text.count("{") + 2 * (max(map(len, lines), default=0) + 1) > _SCAN_NESTING_ABOVE:
        mark = _deepest(text, MAX_YAML_DEPTH)  # an upper bound of the depth (flow brackets, block columns) is high
        if mark is not None:
            raise ScenarioError(_too_deep(name, mark))
    if not _MAYBE_ANCHOR.search(text):  # the full token scan is slow: only when an anchor may be there
        return
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: 5x faster
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                mark = token.start_mark
                raise ScenarioError(Problem("YAML anchors and aliases (&name, *name) are not supported; write the "
                                            "value out, or share it with 'extends:'",
                                            SourceLocation(name, mark.line + 1, mark.column + 1)))
    except yaml.YAMLError:
        return  # a syntax error: reported with its location by the parser below


def _too_deep(name: str, mark) -> Problem:
    return Problem(f"YAML is nested more than {MAX_YAML_DEPTH} levels deep here (mappings and lists inside each "
                   f"other); a scenario needs a few", SourceLocation(name, mark.line + 1, mark.column + 1))


_OPENS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
          yaml.FlowSequenceStartToken)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _deepest(text: str, limit: int | None):
    """Mark of the first token more than ``limit`` collections deep (None: of the deepest), or None.

    A token scan (libyaml's scanner, which does not recurse): it counts a sequence written without
    indentation under its key as no level, so it never finds more levels than there are. A syntax
    error ends the scan (the parser reports it with its location).
    """
    fast = getattr(yaml, "CSafeLoader", None)
    for loader in (fast, yaml.SafeLoader) if fast else (yaml.SafeLoader,):
        depth, deepest, mark = 0, 0, None
        try:
            for token in yaml.scan(text, Loader=loader):
                if isinstance(token, _OPENS):
                    depth += 1
                    if limit is not None and depth > limit:
                        return token.start_mark
                    if depth > deepest:
                        deepest, mark = depth, token.start_mark
                elif isinstance(token, _CLOSES):
                    depth -= 1
        except yaml.YAMLError as exc:
            # libyaml 0.2.5 as bundled with PyYAML 6.0.4 refuses over 1,000 flow levels before it yields a
            # token: the pure-Python scanner (no such limit, no recursion) finds the level instead.
            if loader is fast and "maximum nesting depth" in str(exc):
                continue
        break
    return None if limit is not None else mark


#: Text that may hold a YAML anchor or alias (``&name``/``*name`` after a space, bracket or comma,
#: or at the start of a line); ``A&E`` or ``2*x`` inside a word does not, nor ``x ** 2`` (a name is
#: letters, digits, ``-`` and ``_``, in PyYAML's reader and in libyaml's).
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s,\[\{])[&*][0-9A-Za-z_-]", re.M)

#: Characters a scenario may not hold: C0 controls other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_yaml_text(text: str, name: str) -> tuple[Any, Positions]:
    """Parse YAML text (see :func:`read_yaml`)."""
    _refuse_unreadable(text, name)
    try:
        node = yaml.compose(text, Loader=_PositionsLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = SourceLocation(name, mark.line + 1, mark.column + 1) if mark else SourceLocation(name)
        what = exc.problem or exc.context or "invalid YAML"
        raise ScenarioError(Problem(f"YAML syntax error: {what}", loc)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(Problem(f"YAML error: {exc}", SourceLocation(name))) from None
    except RecursionError:  # the pure-Python composer (no libyaml) is out of stack before the limit
        mark = _deepest(text, MAX_YAML_DEPTH) or _deepest(text, None)
        raise ScenarioError(_too_deep(name, mark) if mark else Problem("YAML is nested too deeply",
                                                                       SourceLocation(name))) from None
    if node is None:
        raise ScenarioError(Problem("file is empty; a scenario needs at least 'metadata'", SourceLocation(name, 1, 1)))
    locations: dict = {}
    problems: list = []
    value = _build(node, (), name, locations, problems, [0])  # at most MAX_YAML_DEPTH levels deep
    if problems:
        raise ScenarioError(problems)
    positions = Positions(locations, SourceLocation(name, node.start_mark.line + 1, node.start_mark.column + 1))
    return value, positions
