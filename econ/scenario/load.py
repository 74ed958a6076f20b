"""Load a scenario: YAML -> ``extends:`` chain -> overrides -> validated :class:`LoadedScenario`.

Precedence (highest first), written down once here and recorded in every run's metadata:

1. command-line ``--set key=value`` overrides (``overrides=`` in the API), applied in order;
2. the scenario file itself;
3. its ``extends:`` parent, then the parent's parent, and so on;
4. the defaults of the schema (``econ/scenario/schema.py``).

Mappings merge key by key; any other value (number, string, list) replaces the parent's whole.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml
from pydantic import ValidationError

from econ.core.errors import Problem, ScenarioError, ScenarioWarning, SourceLocation
from econ.scenario.children import apply_removals, unused_child_parameters
from econ.scenario.population import population_problems
from econ.scenario.schema import ParameterSpec, Scenario
from econ.scenario.schema_errors import _short, pydantic_problems
from econ.scenario.indexing import template_of
from econ.scenario.source import KeyPath, Positions, format_key_path, parse_yaml_text, read_yaml

#: Deepest ``extends:`` chain accepted.
MAX_EXTENDS_DEPTH = 32


@dataclass(frozen=True)
class ScenarioFile:
    """One file that went into a scenario, with its SHA-256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with the provenance of every key.

    Attributes
    ----------
    spec : Scenario
        The validated content.
    raw : dict
        The merged plain data (what ``spec`` was validated from).
    positions : Positions
        Where each key path was written (file:line:column).
    path : str
        The scenario file named by the user.
    files : tuple of ScenarioFile
        The file and its ``extends:`` ancestors, child first, with hashes.
    overrides : tuple of str
        The ``key=value`` overrides applied, in order.
    """

    spec: Scenario
    raw: dict
    positions: Positions
    path: str
    files: tuple = ()
    overrides: tuple = ()
    data_files: tuple = field(default=())
    removed: tuple = ()  # key paths removed from the parents by ``remove:`` ("path (by file)")
    warnings: tuple = ()  # Problems that are probably mistakes (econ.scenario.children)
    dimensions: dict = field(default_factory=dict)  # name -> econ.scenario.dimensions.Dimension

    def location(self, *path) -> SourceLocation | None:
        """File:line:column where ``path`` (a key path) was written, or its nearest ancestor."""
        return self.positions.of(tuple(path))

    def problem(self, path: KeyPath, message: str) -> Problem:
        """A :class:`Problem` located at ``path``."""
        return Problem(message, self.positions.of(tuple(path)), format_key_path(tuple(path)))

    def resolve_path(self, key_path: KeyPath, value: str) -> Path:
        """Resolve a file path written at ``key_path`` relative to the file that wrote it."""
        loc = self.positions.of(tuple(key_path))
        base = Path(loc.file).parent if loc is not None and Path(loc.file).exists() else Path(self.path).parent
        return (base / value).resolve() if not Path(value).is_absolute() else Path(value)


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _merge(parent: Any, child: Any, parent_pos: Positions, child_pos: Positions, path: KeyPath,
           out_pos: dict) -> Any:
    """Deep-merge ``child`` over ``parent``; collect the positions that survive."""
    if isinstance(parent, dict) and isinstance(child, dict):
        merged = {}
        for key in list(parent) + [k for k in child if k not in parent]:
            p = path + (key,)
            if key in child and key in parent:
                if p in child_pos.locations:
                    out_pos[p] = child_pos.locations[p]
                merged[key] = _merge(parent[key], child[key], parent_pos, child_pos, p, out_pos)
            elif key in child:
                merged[key] = child[key]
                _copy_positions(child_pos, p, out_pos)
            else:
                merged[key] = parent[key]
                _copy_positions(parent_pos, p, out_pos)
        return merged
    _copy_positions(child_pos, path, out_pos)
    return child


def _copy_positions(src: Positions, prefix: KeyPath, out: dict) -> None:
    n = len(prefix)
    for p, loc in src.locations.items():
        if p[:n] == prefix:
            out[p] = loc


def _read_chain(path: Path, chain: list[Path], display: str,
                notes: dict | None = None) -> tuple[dict, Positions, list[Path]]:
    """Read ``path`` and its ``extends:`` parents merged; ``notes`` collects what each child did
    (``removed``: key paths, ``new``: the parameters a child writes, with its parent's names)."""
    notes = notes if notes is not None else {"removed": [], "new": {}}
    data, positions = read_yaml(path, display_name=display)
    if not isinstance(data, dict):
        raise ScenarioError(Problem(f"a scenario file must be a mapping of keys (got {type(data).__name__})",
                                    positions.default))
    files = [path]
    parent_ref = data.get("extends")
    if parent_ref is None:
        if data.get("remove") is not None:
            raise ScenarioError(Problem("'remove' needs 'extends': it removes keys inherited from a parent",
                                        positions.of(("remove",)), "remove"))
        return data, positions, files
    loc = positions.of(("extends",))
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise ScenarioError(Problem(f"must be a path to another scenario file (got {parent_ref!r})", loc, "extends"))
    try:
        parent_path = (path.parent / parent_ref).resolve()
        parent_is_file = parent_path.is_file()
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte, a symlink loop...
        raise ScenarioError(Problem(f"cannot use this path ({exc.__class__.__name__}: {str(exc)[:80]})", loc,
                                    "extends")) from None
    if parent_path in chain or parent_path == path.resolve():
        cycle = " -> ".join(str(p.name) for p in chain + [path.resolve(), parent_path])
        raise ScenarioError(Problem(f"circular 'extends' ({cycle})", loc, "extends"))
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(Problem(f"'extends' chain deeper than {MAX_EXTENDS_DEPTH} files", loc, "extends"))
    if not parent_is_file:
        raise ScenarioError(Problem(f"extended file not found: {parent_ref} (looked for {parent_path})", loc, "extends"))
    parent, parent_pos, parent_files = _read_chain(parent_path, chain + [path.resolve()], _display(parent_path),
                                                   notes)
    parent_name = Path(parent_ref).name
    notes["removed"] += [f"{p} (by {display})" for p in apply_removals(parent, parent_pos, data, positions, parent_name)]
    parent_params = parent.get("parameters") if isinstance(parent.get("parameters"), dict) else {}
    if isinstance(data.get("parameters"), dict):
        notes["new"].update({k: (parent_name, list(parent_params), k in parent_params) for k in data["parameters"]})
    out_pos: dict = {}
    merged = _merge(parent, data, parent_pos, positions, (), out_pos)
    merged.pop("extends", None)
    merged.pop("remove", None)
    out_pos = {p: l for p, l in out_pos.items() if p[:1] not in (("extends",), ("remove",))}
    return merged, Positions(out_pos, positions.default), files + parent_files


def _display(path: Path) -> str:
    """Show paths relative to the working directory when they are below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # not below the working directory; a symlink loop
        return str(path)


def parse_override(text: str) -> tuple[KeyPath, Any]:
    """Parse ``key.path=value`` (value read as a YAML scalar or flow collection).

    A bare name (no dot) means a parameter: ``attribution=0.4`` is ``parameters.attribution=0.4``.
    """
    where = SourceLocation(f"--set {text}")
    if "=" not in text:
        raise ScenarioError(Problem("expected key=value (e.g. attribution=0.4 or settings.n_cycles=24)", where))
    key, _, raw_value = text.partition("=")
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError(Problem(f"bad key '{key}'", where))
    try:
        value, _ = parse_yaml_text(raw_value if raw_value.strip() else "''", where.file)
    except ScenarioError as exc:
        raise ScenarioError(Problem(f"cannot read value '{raw_value}': {exc.problems[0].message}", where)) from None
    parts = key.split(".")
    path: KeyPath = ("parameters", key) if len(parts) == 1 else tuple(parts)
    return path, value


def apply_overrides(data: dict, positions: Positions, overrides: Sequence[str],
                    members: list | None = None) -> list[str]:
    """Apply ``--set`` overrides in place; returns log lines saying what each replaced.

    A member of an indexed parameter (``c_gp_surgery`` of ``c_{service}``) may be set; such names are
    appended to ``members`` as (name, template, where), to be checked once the dimensions are known. A key
    inside such a member (``parameters.r_gp_surgery_group.service_use.statistic``) is set on a copy of the
    indexed entry written for that member alone (:func:`_member_entry`).
    """
    log = []
    for text in overrides:
        path, value = parse_override(text)
        where = SourceLocation(f"--set {text}")
        if path[0] == "parameters" and len(path) > 2 and isinstance(data.get("parameters"), dict):
            _member_entry(data["parameters"], path[1], members, where)
        node = data
        for i, part in enumerate(path[:-1]):
            if not isinstance(node, dict):
                raise ScenarioError(Problem(f"cannot set inside {format_key_path(path[:i])}: it is not a mapping",
                                            where, format_key_path(path)))
            node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError(Problem(f"cannot set inside {format_key_path(path[:-1])}: it is not a mapping",
                                        where, format_key_path(path)))
        last = path[-1]
        template = template_of(last, node) if path[0] == "parameters" and len(path) == 2 else None
        if template is not None and last not in node:
            if members is not None:
                members.append((last, template, where))
            old = node[template]
            _check_override_support(last, old, value, where, format_key_path(path))
            node[last] = value
            positions.locations[path] = where
            log.append(f"{format_key_path(path)}: member of {template} -> {_short(value)} (from --set)")
            continue
        if path[0] == "parameters" and len(path) == 2 and last not in node:
            close = difflib.get_close_matches(last, list(node), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ScenarioError(Problem(f"no parameter named '{last}'{hint}", where, format_key_path(path)))
        old = node.get(last, "<unset>")
        if path[0] == "parameters" and len(path) == 2:
            _check_override_support(last, old, value, where, format_key_path(path))
        node[last] = value
        for p in [p for p in positions.locations if p[: len(path)] == path]:
            del positions.locations[p]
        positions.locations[path] = where
        log.append(f"{format_key_path(path)}: {_short(old)} -> {_short(value)} (from --set)")
    return log


def _member_entry(params: dict, name: str, members: list | None, where: SourceLocation) -> None:
    """Give member ``name`` of an indexed parameter (``r_gp_surgery_group`` of ``r_{by_setting}_group``) an entry
    of its own in ``params``: the indexed entry with ``{dimension}`` replaced by the member (in place)."""
    template = template_of(name, params) if name not in params else None
    if template is None or not isinstance(params[template], dict):
        return
    prefix, dim, suffix = re.fullmatch(r"([A-Za-z0-9_]*)\{([A-Za-z][A-Za-z0-9_]*)\}([A-Za-z0-9_]*)", template).groups()
    member = name[len(prefix):len(name) - len(suffix)]

    def sub(x):
        if isinstance(x, dict):
            return {k: sub(v) for k, v in x.items()}
        if isinstance(x, list):
            return [sub(v) for v in x]
        return x.replace("{" + dim + "}", member) if isinstance(x, str) else x

    params[name] = sub(copy.deepcopy(params[template]))
    if members is not None:
        members.append((name, template, where))


#: Distributions whose support is a property of the quantity (a probability, a cost): a ``--set``
#: value of a parameter drawn from one of them must lie in it, as a YAML value must.
_NATURAL_SUPPORT = {"beta": (0.0, 1.0, "a probability or share, in [0, 1]"),
                    "gamma": (0.0, float("inf"), "a non-negative quantity, >= 0"),
                    "lognormal": (0.0, float("inf"), "a positive quantity, > 0")}


def _check_override_support(name: str, old: Any, value: Any, where: SourceLocation, key: str) -> None:
    """Refuse ``--set name=value`` outside the support of the distribution ``name`` is declared with."""
    dist = old.get("dist") if isinstance(old, dict) else None
    if dist not in _NATURAL_SUPPORT or isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    lo, hi, what = _NATURAL_SUPPORT[dist]
    outside = not (lo <= value <= hi) or (dist == "lognormal" and value <= 0) or value != value
    if outside:
        raise ScenarioError(Problem(f"{value!r} is outside the support of '{name}', declared as a {dist} ({what})",
                                    where, key))


def _check_parameter_specs(spec: Scenario, loaded_positions: Positions) -> list[Problem]:
    problems = []
    for name, entry in spec.parameters.items():
        if isinstance(entry, ParameterSpec) and entry.dist is None and entry.model_extra:
            for key in entry.model_extra:
                close = difflib.get_close_matches(key, list(ParameterSpec.model_fields), n=1)
                problems.append(Problem(
                    f"unknown key '{key}'" + (f"; did you mean {close[0]}?" if close else "")
                    + " (distribution keys need 'dist:'; allowed: " + ", ".join(ParameterSpec.model_fields) + ")",
                    loaded_positions.of(("parameters", name, key)), f"parameters.{name}.{key}"))
        from_table = isinstance(entry, ParameterSpec) and any(
            getattr(entry, k) is not None for k in ("unit_cost", "service_use", "informal_care_rate",
                                                    "outcome_value", "lookup"))
        if isinstance(entry, ParameterSpec) and entry.dist is None and entry.value is None and not from_table:
            problems.append(Problem("needs 'value' (a number or expression) or 'dist'",
                                    loaded_positions.of(("parameters", name)), f"parameters.{name}"))
    return problems


def load_scenario(path: str | Path, *, overrides: Sequence[str] = ()) -> LoadedScenario:
    """Read, merge and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario YAML.
    overrides : sequence of str
        ``key.path=value`` overrides (highest precedence). A bare name is a parameter.

    Returns
    -------
    LoadedScenario

    Raises
    ------
    ScenarioError
        Every problem found, each with file:line:column and key path.
    """
    path = Path(path)
    display = _display(path)
    try:
        found = path.exists()
    except (OSError, ValueError) as exc:
        raise ScenarioError(Problem(f"cannot use this path ({exc.__class__.__name__})", SourceLocation(display[:200])))
    if not found:
        raise ScenarioError(Problem("file not found", SourceLocation(display)))
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise ScenarioError(Problem(f"cannot use this path ({exc.__class__.__name__})", SourceLocation(display))) from None
    notes: dict = {"removed": [], "new": {}}
    data, positions, files = _read_chain(resolved, [], display, notes)
    data = copy.deepcopy(data)
    data.pop("extends", None)
    members: list = []
    log = apply_overrides(data, positions, list(overrides), members)
    try:
        spec = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(pydantic_problems(exc, data, positions)) from None
    from econ.scenario.indexing import check_member_overrides, expand_scenario

    spec, dims, problems = expand_scenario(spec, positions, lambda kp, v: _resolve(positions, display, kp, v))
    problems += check_member_overrides(members, dims)
    problems += _check_parameter_specs(spec, positions) + population_problems(spec, positions)
    cautions = tuple(unused_child_parameters(data, positions, notes["new"], dims))
    loaded_partial = LoadedScenario(spec=spec, raw=data, positions=positions, path=display, dimensions=dims)
    from econ.inputs.context import table_problems

    problems += table_problems(loaded_partial)
    if problems:
        raise ScenarioError(problems)
    scenario_files = tuple(ScenarioFile(_display(f), sha256_file(f)) for f in files)
    for caution in cautions:
        warnings.warn(ScenarioWarning(caution), stacklevel=2)
    return LoadedScenario(spec=spec, raw=data, positions=positions, path=display,
                          files=scenario_files, overrides=tuple(log), removed=tuple(notes["removed"]),
                          warnings=cautions, dimensions=dims)


def _resolve(positions: Positions, display: str, key_path: KeyPath, value: str) -> Path:
    """A file path written at ``key_path``, relative to the file that wrote it (as LoadedScenario.resolve_path)."""
    loc = positions.of(tuple(key_path))
    base = Path(loc.file).parent if loc is not None and Path(loc.file).exists() else Path(display).parent
    return (base / value).resolve() if not Path(value).is_absolute() else Path(value)


def dump_yaml(data: Mapping) -> str:
    """Write plain data as YAML (safe dumper), e.g. the merged scenario for a run folder."""
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)
