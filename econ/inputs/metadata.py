"""Read the metadata file (YAML) that describes a data table: safe loader, every error located."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from econ.core.errors import DataError, Problem, SourceLocation
from econ.core.files import input_file_problem, line_of_offset


def read_metadata(path: Path) -> Mapping[str, Any] | None:
    """The data file's metadata (YAML, safe loader), or None when there is none; errors are located."""
    if not path.exists() and not path.is_symlink():
        return None
    problem = input_file_problem(path, kind="data")
    if problem is not None:
        raise DataError([problem])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError([Problem(f"the metadata file is not valid UTF-8 (byte 0x{raw[err.start]:02x}); save it as "
                                 "UTF-8", SourceLocation(str(path), line_of_offset(raw, err.start)))]) from None
    try:
        try:  # libyaml's reader (same values, several times quicker); the Python one gives a bad file's message
            content = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe)
        except yaml.YAMLError:
            content = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = SourceLocation(str(path), mark.line + 1, mark.column + 1) if mark else SourceLocation(str(path))
        raise DataError([Problem(f"cannot read the metadata file: {err.problem or err.context}", where)]) from None
    except yaml.YAMLError as err:
        raise DataError([Problem(f"cannot read the metadata file ({err})", SourceLocation(str(path)))]) from None
    if not isinstance(content, dict):
        raise DataError([Problem("the metadata file must be a mapping of keys to values", SourceLocation(str(path), 1))])
    return content
