"""What a child scenario (one that ``extends:`` another) does to its parent: removals and new parameters.

- ``remove:`` (a list of key paths such as ``strategies.online`` or ``values.c_online``) deletes
  those keys from what the child inherits, before the child's own keys are merged over it. A path
  that the parents do not have is an error (with a suggestion); a key removed and written again in
  the child is replaced whole instead of merged key by key.
- A parameter the child writes that nothing in the merged scenario reads (no expression, no
  ``cost_offset`` or ``budget`` entry) changes nothing: most often a misspelt name (``n_grop_size``
  for ``n_group_size``: a new parameter that shadows nothing), sometimes a change to a parameter
  that nothing uses. :func:`unused_child_parameters` finds them, and the loader reports each as a
  located warning (with a suggestion for a new name); ``validate --strict`` makes it an error.
"""
from __future__ import annotations

import difflib
import re
from typing import Any

from econ.core.errors import Problem, ScenarioError
from econ.scenario.source import KeyPath, Positions

#: Keys whose values are prose, not model references: a name written there is not a use.
TEXT_KEYS = frozenset({"description", "source", "unit", "label", "name", "question", "notes", "note",
                       "citation", "reference", "status", "file", "path", "extends", "remove"})

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: An indexed reference such as ``c_{service}`` or ``r_{pooled}_group`` (its member attributes aside).
_INDEXED = re.compile(r"[A-Za-z0-9_]*\{[A-Za-z][A-Za-z0-9_]*\}[A-Za-z0-9_]*")


def apply_removals(parent: dict, parent_pos: Positions, child: dict, child_pos: Positions,
                   parent_name: str) -> list[str]:
    """Delete the child's ``remove:`` key paths from ``parent`` (in place); returns the paths removed.

    Raises
    ------
    ScenarioError
        ``remove`` is not a list of dotted key paths, or names a key the parents do not have.
    """
    spec = child.get("remove")
    if spec is None:
        return []
    if not isinstance(spec, list) or not all(isinstance(p, str) and p.strip() for p in spec):
        raise ScenarioError(Problem("must be a list of key paths to remove from the parent, e.g. "
                                    "[strategies.online, values.c_online]", child_pos.of(("remove",)), "remove"))
    problems, removed = [], []
    for i, text in enumerate(spec):
        parts = tuple(p.strip() for p in text.split("."))
        node: Any = parent
        for depth, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node:
                options = list(node) if isinstance(node, dict) else []
                close = difflib.get_close_matches(part, options, n=2)
                hint = f"; did you mean {' or '.join('.'.join(parts[:depth] + (c,)) for c in close)}?" if close else ""
                problems.append(Problem(f"cannot remove '{text}': {parent_name} has no "
                                        f"'{'.'.join(parts[:depth + 1])}'{hint}", child_pos.of(("remove", i)),
                                        f"remove[{i}]"))
                break
            if depth == len(parts) - 1:
                del node[part]
                for p in [p for p in parent_pos.locations if p[:len(parts)] == parts]:
                    del parent_pos.locations[p]
                removed.append(".".join(parts))
            else:
                node = node[part]
    if problems:
        raise ScenarioError(problems)
    return removed


def _names_read(node: Any, path: KeyPath, out: set) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in TEXT_KEYS:
                _names_read(value, path + (key,), out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _names_read(value, path + (i,), out)
    elif isinstance(node, str):
        out.update(_NAME.findall(node))
        out.update(_INDEXED.findall(node))


def _families(data: dict, dims: dict) -> dict:
    """Element name -> indexed name (``c_gp_surgery`` -> ``c_{service}``) of every member of the indexed
    parameters in ``data`` (the merged scenario, with the resolved dimensions ``dims``)."""
    from econ.scenario.dimensions import element_name, template_dimension

    out: dict = {}
    keys = list(data.get("parameters", {}) or {})
    for s in (data.get("strategies") or {}).values():
        if isinstance(s, dict):
            keys += list(s.get("parameters") or {})
    for key in keys:
        dim = dims.get(template_dimension(str(key)) or "")
        if dim is not None:
            for m in dim.members:
                out.setdefault(element_name(str(key), m), str(key))
    return out


def _member_read(name: str, read: set, dims: dict) -> bool:
    """True if an indexed reference read somewhere (``c_{service}``, ``c_{pooled}``) includes ``name``."""
    from econ.scenario.dimensions import element_name, template_dimension

    for ref in read:
        dim = dims.get(template_dimension(ref) or "")
        if dim is not None and any(element_name(ref, m) == name for m in dim.members):
            return True
    return False


def unused_child_parameters(data: dict, positions: Positions, new: dict, dims: dict | None = None) -> list[Problem]:
    """Warnings for the parameters a child writes (``new``: name -> (parent's file name, parent's
    parameter names, whether the parent has it)) that nothing in the merged ``data`` reads: each
    located; a name the parent lacks gets a did-you-mean.

    With dimensions (``dims``, :attr:`LoadedScenario.dimensions`), a name that is a member of an
    indexed parameter (``c_gp_surgery`` of ``c_{service}``) overrides that member: it is used where an
    indexed reference that includes it (``c_{service}``, or ``c_{pooled}`` of a subset holding the
    member) is read, and the members are candidates for the did-you-mean.
    """
    dims = dims or {}
    read: set = set()
    _names_read(data, (), read)
    members = _families(data, dims)
    problems = []
    for name, (parent_name, parent_params, shadows) in new.items():
        if name in read or name not in data.get("parameters", {}):
            continue
        family = members.get(name)
        if family is not None and _member_read(name, read, dims):
            continue
        if shadows or family is not None:
            of = f" (a member of {family})" if family is not None else ""
            problems.append(Problem(f"nothing in the scenario uses '{name}'{of} (nor in {parent_name}), so changing "
                                    "it changes nothing", positions.of(("parameters", name)), f"parameters.{name}"))
            continue
        candidates = list(parent_params) + [m for m in members if m not in new]
        close = difflib.get_close_matches(name, candidates, n=2)
        hint = (f"; did you mean {' or '.join(close)}? (as written it is a new parameter and changes nothing)"
                if close else "; it changes nothing (use it in an expression, or delete it)")
        problems.append(Problem(f"'{name}' is not a parameter of {parent_name} and nothing in the scenario "
                                f"uses it{hint}", positions.of(("parameters", name)), f"parameters.{name}"))
    return problems
