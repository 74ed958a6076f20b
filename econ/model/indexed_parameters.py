"""Parameters of indexed expressions (``m_{service}: c_{service} * u_{service}``): members and families.

Each member becomes a derived :class:`~econ.model.parameters.Parameter` with its own expression
(the template with the member written in and sums written out), which is what reports, the
spreadsheet export and the checks read; the :class:`~econ.model.indexed.Family` holds the same
template as one expression over stacked references, which is what the engine evaluates.
"""
from __future__ import annotations

from econ.model.indexed import Family
from econ.scenario.dimensions import (PLACEHOLDER, TEMPLATE_TOKEN, element_name, referenced_dimensions, scalar_text,
                                      substitute, template_dimension, unmangle, vector_text)
from econ.scenario.expressions import ExpressionError, parse_expression


def _loc(loaded, path) -> str:
    from econ.scenario.source import format_key_path

    loc = loaded.location(*path)
    return f"{loc}: {format_key_path(path)}" if loc else format_key_path(path)


def scalar_expression_text(loaded, text: str) -> str:
    """A non-indexed expression with its ``sum(x_{d})`` written out; ExpressionError if an indexed name is left."""
    out = scalar_text(text, loaded.dimensions)
    left = PLACEHOLDER.search(out)
    if left:
        d = left.group(1)
        if d not in loaded.dimensions:
            raise ExpressionError(f"unknown dimension '{d}'" + (f"; dimensions: {', '.join(loaded.dimensions)}"
                                                               if loaded.dimensions else ""))
        token = TEMPLATE_TOKEN.search(out)
        name = token.group(0) if token else left.group(0)
        first = element_name(name, loaded.dimensions[d].members[0])
        raise ExpressionError(f"'{name}' is indexed by {d}, but this expression is not: sum over the members "
                              f"(sum({name})) or name one member (e.g. {first})")
    return out


def family_problems(loaded, template: str, text: str) -> str | None:
    """Why ``text`` cannot be the expression of indexed name ``template``, or None."""
    dims = loaded.dimensions
    d = template_dimension(template)
    other = sorted(referenced_dimensions(text) - {d})
    if other:
        return (f"'{template}' is indexed by {d} but its expression names {', '.join('{' + o + '}' for o in other)} "
                f"outside a sum: an indexed expression uses its own dimension (write x_{{{d}}})")
    for o in referenced_dimensions(text) | {d}:
        if o not in dims:
            return f"unknown dimension '{o}'" + (f"; dimensions: {', '.join(dims)}" if dims else "")
    return None


def vector_expression(loaded, template: str, text: str):
    """The template's expression over stacked references, or None where it cannot be vectorised
    (a member attribute in the expression: each member is then evaluated on its own)."""
    vt = vector_text(text)
    if "{" in vt:
        return None
    try:
        expr = parse_expression(vt)
    except ExpressionError:
        return None
    for n in expr.names:
        parts = unmangle(n)
        if parts is not None and parts[1] not in loaded.dimensions:
            return None
    return expr


def build_family(loaded, name: str, entry, problems: list):
    """(Family or None, {member name: Parameter}) of a global indexed expression."""
    from econ.model.parameters import Parameter
    from econ.scenario.schema import ParameterSpec

    path = ("parameters", name)
    dims = loaded.dimensions
    text = entry.value if isinstance(entry, ParameterSpec) else entry
    meta = {}
    if isinstance(entry, ParameterSpec):
        meta = dict(source=entry.source, description=entry.description, unit=entry.unit, group=entry.group)
    d = template_dimension(name)
    if d not in dims:
        return None, {}  # reported by the expansion
    why = family_problems(loaded, name, text)
    if why:
        problems.append(loaded.problem(path, why))
        return None, {}
    dim = dims[d]
    explicit = set(loaded.spec.parameters)
    params = {}
    for m in dim.members:
        elem = element_name(name, m)
        if elem in explicit:
            continue  # the member's own entry overrides the indexed one
        try:
            expr = parse_expression(scalar_text(text, dims, dim, m))
        except ExpressionError as exc:
            problems.append(loaded.problem(path, f"{name}[{m}]: {exc.message} in '{text}'"))
            return None, {}
        except KeyError as exc:
            problems.append(loaded.problem(path, f"{dim.name} member '{m}' has no attribute '{exc.args[0]}'"))
            return None, {}
        try:  # {service} and {service.label} in the source, description and unit
            own = {k: (substitute(v, dim, m) if isinstance(v, str) else v) for k, v in meta.items()}
        except KeyError as exc:
            problems.append(loaded.problem(path, f"{dim.name} member '{m}' has no attribute '{exc.args[0]}'"))
            return None, {}
        params[elem] = Parameter(elem, expression=expr, origin=_loc(loaded, path), family=name, member=m, **own)
    fam = Family(name, dim.name, dim.members, tuple(element_name(name, m) for m in dim.members),
                 vector_expression(loaded, name, text), _loc(loaded, path))
    return fam, params


def local_names(loaded, s_spec) -> set:
    """A strategy's own parameter names, indexed ones written out member by member."""
    out = set()
    for key in s_spec.parameters:
        dim = loaded.dimensions.get(template_dimension(key)) if "{" in key else None
        out |= {element_name(key, m) for m in dim.members} if dim is not None else {key}
    return out


def member_label(param) -> str:
    """``e_ambulance (e_{service}[ambulance])`` for a member, else the name."""
    return f"{param.name} ({param.family}[{param.member}])" if getattr(param, "family", "") else param.name


def local_family(loaded, s_name: str, key: str, text, parse, problems_add):
    """A strategy's indexed override: (Family or None, {member name: scalar Expression})."""
    dims = loaded.dimensions
    path = ("strategies", s_name, "parameters", key)
    d = template_dimension(key)
    if d not in dims:
        return None, {}
    if not isinstance(text, str):
        text = repr(float(text))
    why = family_problems(loaded, key, text)
    if why:
        problems_add(path, why)
        return None, {}
    dim = dims[d]
    explicit = set(loaded.spec.strategies[s_name].parameters)
    exprs = {}
    for m in dim.members:
        elem = element_name(key, m)
        if elem in explicit:
            continue
        e = parse(path, scalar_text(text, dims, dim, m))
        if e is None:
            return None, {}
        exprs[elem] = e
    fam = Family(key, dim.name, dim.members, tuple(element_name(key, m) for m in dim.members),
                 vector_expression(loaded, key, text), "")
    return fam, exprs


