"""Messages for a scenario that fails schema validation: pydantic's errors as located Problems.

Each error is reported at the key path written in the file (pydantic's type tags dropped), with the
value found, and a did-you-mean for an unknown key or a misspelt choice (from the schema's fields
and ``Literal`` choices).
"""
from __future__ import annotations

import difflib
import typing
from typing import Any, Sequence

from pydantic import ValidationError

from econ.core.errors import Problem
from econ.scenario.schema import Scenario
from econ.scenario.source import KeyPath, Positions, format_key_path


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


_FRIENDLY = {
    "missing": "required key is missing",
    "int_type": "expected a whole number",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "dict_type": "expected a mapping (key: value lines)",
    "list_type": "expected a list",
}


def _value_at(data: Any, loc: Sequence) -> tuple[bool, Any]:
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False, None
    return True, node


def _data_path(data: Any, loc: Sequence) -> KeyPath:
    """Drop the parts of a pydantic error location that are type tags, not keys of the data."""
    path: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif not isinstance(node, (dict, list)):
            break
        elif isinstance(node, dict) and isinstance(part, str) and part.startswith(("function-", "union")):
            continue
        elif isinstance(node, dict) and isinstance(part, str) and part in ("ParameterSpec", "StateSpec",
                                                                            "str", "float", "int"):
            continue
        else:
            path.append(part)
            break
    return tuple(path)


def pydantic_problems(exc: ValidationError, data: dict, positions: Positions) -> list[Problem]:
    grouped: dict = {}
    for err in exc.errors():
        path = _data_path(data, err["loc"])
        grouped.setdefault(path, []).append(err)
    problems = []
    for path, errs in grouped.items():
        found, value = _value_at(data, path)
        key = format_key_path(path)
        types = {e["type"] for e in errs}
        if "extra_forbidden" in types:
            parent_found, parent = _value_at(data, path[:-1])
            allowed = _allowed_keys(path[:-1])
            close = difflib.get_close_matches(str(path[-1]), allowed, n=2) if allowed else []
            hint = f"; did you mean {' or '.join(close)}?" if close else (
                f"; allowed: {', '.join(allowed)}" if allowed else "")
            msg = f"unknown key '{path[-1]}'{hint}"
        elif len(errs) > 1 and all(e["type"].endswith("_type") for e in errs):
            kinds = sorted({_FRIENDLY.get(e["type"], e["msg"]).replace("expected ", "") for e in errs})
            msg = f"expected {' or '.join(kinds)} (got {_short(value) if found else 'nothing'})"
        else:
            e = errs[0]
            base, suffix = _FRIENDLY.get(e["type"], e["msg"]), ""
            if e["type"] == "literal_error":
                base = e["msg"].replace("Input should be", "must be")
                options = list(typing.get_args(_literal_at(path)) or ())
                close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1) if found else []
                suffix = f"; did you mean {close[0]}?" if close else ""
            elif e["type"] == "string_pattern_mismatch":
                base = "names must start with a letter and use only letters, digits and _"
            elif e["type"].startswith(("greater", "less")):
                base = e["msg"].replace("Input should be", "must be")
            elif e["type"] == "string_too_short":
                base = "must not be empty"
            msg = base if e["type"] == "missing" else f"{base} (got {_short(value) if found else _short(e.get('input'))})"
            msg += suffix
        problems.append(Problem(msg, positions.of(path), key))
    return problems


def _literal_at(path: KeyPath):
    """The Literal annotation of the field at ``path`` (for did-you-mean on choices), else None."""
    *parent, last = path if path else ("",)
    from pydantic import BaseModel

    model: Any = Scenario
    for part in parent:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            args = typing.get_args(model)
            model = args[-1] if args else None
            if model is None:
                return None
            continue
        f = model.model_fields.get(part)
        if f is None:
            return None
        model = _unwrap(f.annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or last not in model.model_fields:
        return None
    ann = model.model_fields[last].annotation
    for a in (ann, *typing.get_args(ann)):
        if typing.get_origin(a) is typing.Literal:
            return a
    return None


def _allowed_keys(parent_path: KeyPath) -> list[str]:
    """Field names allowed at ``parent_path`` (by walking the schema), for suggestions."""
    from pydantic import BaseModel

    model: Any = Scenario
    for part in parent_path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            # a dict[str, X]: skip the free key, descend to X
            args = typing.get_args(model)
            model = args[-1] if args else None
            if model is None:
                return []
            continue
        f = model.model_fields.get(part)
        if f is None:
            return []
        model = _unwrap(f.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    from pydantic import BaseModel

    origin = typing.get_origin(annotation)
    if origin is dict:
        return annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    for a in args:
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
        if typing.get_origin(a) is dict:
            return a
    return annotation
