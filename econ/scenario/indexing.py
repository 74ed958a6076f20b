"""Expand the indexed names of a validated scenario (see :mod:`econ.scenario.dimensions`).

Independent indexed parameters (numbers, distributions, table statistics) become one parameter per
member; indexed values one value per member; indexed totals entries the members' values. Indexed
expressions (``m_{service}: ...``, in ``parameters`` or a strategy's ``parameters``) are kept, to be
evaluated over a members axis by the model. Every expanded key keeps the file:line:column of the
template it came from, so errors point at the line that wrote it and name the member.
"""
from __future__ import annotations

import difflib
import re

from pydantic import ValidationError

from econ.core.errors import Problem
from econ.scenario.dimensions import (PLACEHOLDER, element_name, resolve_dimensions, scalar_text, substitute,
                                      template_dimension)
from econ.scenario.source import format_key_path

_TABLE_KEYS = ("unit_cost", "service_use", "informal_care_rate", "lookup")


def is_expression_entry(entry) -> bool:
    """True for a parameter entry that is an expression (evaluated in the model, not a column of draws)."""
    from econ.scenario.schema import ParameterSpec

    if isinstance(entry, str):
        return True
    if isinstance(entry, ParameterSpec):
        return (isinstance(entry.value, str) and entry.dist is None
                and all(getattr(entry, k) is None for k in _TABLE_KEYS))
    return False


def expand_scenario(spec, positions, resolve_path):
    """(expanded spec, dimensions, problems). ``positions`` gains the keys of the expanded entries."""
    if not spec.dimensions and not _any_template(spec):
        return spec, {}, []
    dims, problems = resolve_dimensions(spec, positions, resolve_path)
    ex = _Expander(spec, positions, dims, problems)
    update = {"parameters": ex.parameters(), "values": ex.values(), "totals": ex.totals(),
              "strategies": ex.strategies()}
    if spec.dsa_groups:
        update["dsa_groups"] = {g: ex.name_list(("dsa_groups", g), ms) for g, ms in spec.dsa_groups.items()}
    if spec.gsa is not None and spec.gsa.parameters:
        update["gsa"] = spec.gsa.model_copy(update={"parameters": ex.name_list(("gsa", "parameters"),
                                                                               spec.gsa.parameters)})
    return spec.model_copy(update=update), dims, problems


def _any_template(spec) -> bool:
    names = list(spec.parameters) + list(spec.values)
    names += [n for s in spec.strategies.values() for n in s.parameters]
    return any("{" in n for n in names)


class _Expander:
    def __init__(self, spec, positions, dims, problems):
        self.spec, self.positions, self.dims, self.problems = spec, positions, dims, problems
        self._heads: dict = {}  # n -> {first n keys of a path: [(path, location)]}, built once (alias)

    def add(self, path, message):
        self.problems.append(Problem(message, self.positions.of(path), format_key_path(path)))

    def dimension(self, path, name):
        d = template_dimension(name)
        if d is None:
            return None
        dim = self.dims.get(d)
        if dim is None:
            close = difflib.get_close_matches(d, list(self.dims), n=2)
            known = f"; dimensions: {', '.join(self.dims)}" if self.dims else "; declare it under 'dimensions'"
            self.add(path, f"unknown dimension '{d}' in '{name}'"
                     + (f" (did you mean {' or '.join(close)}?)" if close else "") + known)
        return dim

    def alias(self, prefix, template, element):
        """Give ``prefix + (element, ...)`` the positions of ``prefix + (template, ...)``."""
        n = len(prefix) + 1
        index = self._heads.get(n)
        if index is None:  # the written paths grouped by their first n keys (a template's paths are written ones)
            index = {}
            for path, loc in self.positions.locations.items():
                if len(path) >= n:
                    index.setdefault(path[:n], []).append((path, loc))
            self._heads[n] = index
        for path, loc in index.get(prefix + (template,), ()):
            self.positions.locations.setdefault(prefix + (element,) + path[n:], loc)

    # --- parameters -------------------------------------------------------------------------
    def parameters(self) -> dict:
        out = {}
        explicit = {k for k in self.spec.parameters if "{" not in k}
        for key, entry in self.spec.parameters.items():
            path = ("parameters", key)
            dim = self.dimension(path, key)
            if dim is None:
                if "{" not in key:
                    out[key] = entry
                continue
            if is_expression_entry(entry):
                out[key] = entry  # evaluated over the members axis by the model
                for m in dim.members:
                    self.alias(("parameters",), key, element_name(key, m))
                continue
            for m in dim.members:
                name = element_name(key, m)
                if name in explicit:
                    continue  # the member's own entry overrides the indexed one
                got = self.member_entry(path, entry, dim, m)
                if got is not None:
                    out[name] = got
                    self.alias(("parameters",), key, name)
        return out

    def member_entry(self, path, entry, dim, member):
        from econ.scenario.schema import ParameterSpec

        if not isinstance(entry, ParameterSpec):
            return entry
        try:
            data = _substitute_all(entry.model_dump(exclude_defaults=True), dim, member)
        except KeyError as exc:
            self.add(path, f"{dim.name} member '{member}' has no attribute '{exc.args[0]}'")
            return None
        try:
            return ParameterSpec.model_validate(data)
        except ValidationError as exc:
            self.add(path, f"for {dim.name} member '{member}': {exc.errors()[0]['msg']}")
            return None

    # --- values and totals --------------------------------------------------------------------
    def values(self) -> dict:
        from econ.scenario.schema import ValueSpec

        out = {}
        for key, v in self.spec.values.items():
            path = ("values", key)
            dim = self.dimension(path, key)
            if dim is None:
                if "{" in v.sector:
                    self.add(path + ("sector",), f"'{v.sector}' reads a member attribute, but value '{key}' is not "
                                                 f"indexed (name it like \"{{service}}\" to make one value per member)")
                elif "{" not in key:
                    data = v.model_dump(exclude_defaults=True)
                    new = _expand_value_sums(data, self.dims)
                    out[key] = v if new == data else ValueSpec.model_validate(new)
                continue
            for m in dim.members:
                name = element_name(key, m)
                if name in self.spec.values or name in out:
                    self.add(path, f"value '{name}' ({key} for {dim.name} member '{m}') is also written "
                                   f"elsewhere; give it once")
                    continue
                try:
                    data = _substitute_all(v.model_dump(exclude_defaults=True), dim, m)
                    data = _expand_value_sums(data, self.dims)
                    out[name] = ValueSpec.model_validate(data)
                except KeyError as exc:
                    self.add(path, f"{dim.name} member '{m}' has no attribute '{exc.args[0]}'")
                    continue
                except ValidationError as exc:
                    err = exc.errors()[0]
                    where = ".".join(str(x) for x in err["loc"])
                    self.add(path, f"{name} ({dim.name} member '{m}'): {where}: {err['msg']}")
                    continue
                self.alias(("values",), key, name)
        return out

    def name_list(self, path, names) -> list:
        """A list of parameter names with indexed ones (``c_{service}``) written out member by member."""
        out = []
        for i, n in enumerate(names):
            dim = self.dimension(path + (i,), n) if "{" in n else None
            if dim is None:
                if "{" not in n:
                    out.append(n)
                continue
            out.extend(element_name(n, m) for m in dim.members)
        return out

    def totals(self) -> dict:
        out = {}
        for t_name, members in self.spec.totals.items():
            expanded = []
            for i, m in enumerate(members):
                dim = self.dimension(("totals", t_name, i), m)
                if dim is None:
                    if "{" not in m:
                        expanded.append(m)
                    continue
                expanded.extend(element_name(m, x) for x in dim.members)
            out[t_name] = expanded
        return out

    def strategies(self) -> dict:
        for s_name, s in self.spec.strategies.items():
            for key in s.parameters:
                self.dimension(("strategies", s_name, "parameters", key), key)
        return self.spec.strategies


def _substitute_all(data, dim, member):
    if isinstance(data, str):
        return substitute(data, dim, member)
    if isinstance(data, dict):
        return {(_substitute_all(k, dim, member) if isinstance(k, str) else k): _substitute_all(v, dim, member)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_substitute_all(v, dim, member) for v in data]
    return data


def _expand_value_sums(data, dims):
    """Write out ``sum(...)`` in the expressions of a value (states, transitions, strategy overrides)."""
    def walk(d, key=None):
        if isinstance(d, dict):
            return {k: walk(v, k) for k, v in d.items()}
        if isinstance(d, str) and key not in ("kind", "label", "category", "sector", "unit") and "sum" in d:
            return scalar_text(d, dims)
        return d

    return walk(data)


def has_placeholder(text) -> bool:
    return isinstance(text, str) and PLACEHOLDER.search(text) is not None


def template_of(name: str, parameters: dict) -> str | None:
    """The indexed parameter (``c_{service}``) whose members could include ``name``, else None."""
    for key in parameters:
        m = re.fullmatch(r"([A-Za-z0-9_]*)\{[A-Za-z][A-Za-z0-9_]*\}([A-Za-z0-9_]*)", str(key))
        if m and name.startswith(m.group(1)) and name.endswith(m.group(2)) \
                and len(name) > len(m.group(1)) + len(m.group(2)):
            return key
    return None


def check_member_overrides(members: list, dims) -> list[Problem]:
    """``--set`` names taken as members of indexed parameters that are not members after all."""
    problems = []
    for name, template, where in members:
        dim = dims.get(template_dimension(template))
        names = [element_name(template, m) for m in dim.members] if dim is not None else []
        if name not in names:
            close = difflib.get_close_matches(name, names, n=3)
            problems.append(Problem(f"no parameter named '{name}'" + (f"; did you mean {', '.join(close)}?" if close
                                                                       else f" (members of {template}: {', '.join(names)})"),
                                    where, f"parameters.{name}"))
    return problems
