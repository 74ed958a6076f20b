"""The package layout shows the pipeline: imports go one way, modules and functions stay small.

Stages, lowest first (a module may import its own stage and the ones below it, never above):

    core -> inputs -> uncertainty -> scenario -> model -> analysis -> report -> cli -> econ (public API)

The test reads every ``import`` in ``econ/`` with :mod:`ast`, including imports inside functions,
so a lazy import cannot hide a dependency the wrong way.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "econ"

#: Rank of each stage; ``econ`` itself (``econ/__init__.py``, ``econ/api.py``) is the front door.
STAGES = {"core": 0, "inputs": 1, "uncertainty": 2, "scenario": 3, "model": 4, "analysis": 5, "report": 6,
          "cli": 7, "": 8}

#: A module longer than this, or a function longer than FUNCTION_LINES, says why at its top
#: (a line containing "Length:" in the module docstring, or in the function's docstring).
MODULE_LINES = 500
FUNCTION_LINES = 80


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        yield path, parts, path.name == "__init__.py"


def _stage(parts: list[str]) -> str:
    return parts[0] if len(parts) > 1 or (parts and parts[0] in STAGES and parts[0]) else ""


def _imports(path: Path, parts: list[str], is_pkg: bool):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["econ", *parts] if is_pkg else ["econ", *parts[:-1]]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{mod}.{alias.name}" if mod == "econ" else mod


def _stage_of_module(name: str) -> str | None:
    bits = name.split(".")
    if bits[0] != "econ":
        return None
    if len(bits) == 1 or bits[1] not in STAGES:
        return ""
    return bits[1]


def test_every_module_is_in_a_stage():
    for path, parts, is_pkg in _modules():
        assert not parts or parts[0] in STAGES or parts == ["api"], (
            f"{path.relative_to(ROOT)} is outside the stages {sorted(s for s in STAGES if s)}")


def test_imports_go_one_way():
    wrong = []
    for path, parts, is_pkg in _modules():
        here = _stage(parts) if parts else ""
        for line, name in _imports(path, parts, is_pkg):
            there = _stage_of_module(name)
            if there is None:
                continue
            if STAGES[there] > STAGES[here]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {here or 'econ'} imports {name} ({there or 'econ'})")
    assert not wrong, "imports against the pipeline:\n" + "\n".join(wrong)


def _has_reason(docstring: str | None) -> bool:
    return bool(docstring) and "Length:" in docstring


def test_modules_are_short_or_say_why():
    long = []
    for path, parts, is_pkg in _modules():
        text = path.read_text(encoding="utf-8")
        n = text.count("\n") + 1
        if n > MODULE_LINES and not _has_reason(ast.get_docstring(ast.parse(text))):
            long.append(f"{path.relative_to(ROOT)}: {n} lines")
    assert not long, f"modules over {MODULE_LINES} lines without a 'Length:' reason at the top:\n" + "\n".join(long)


def test_functions_are_short_or_say_why():
    long = []
    for path, parts, is_pkg in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > FUNCTION_LINES and not _has_reason(ast.get_docstring(node)):
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} ({n} lines)")
    assert not long, (f"functions over {FUNCTION_LINES} lines without a 'Length:' reason in their docstring:\n"
                      + "\n".join(long))


@pytest.mark.parametrize("text", ["from econ.report.tables import x", "import econ.cli"])
def test_direction_check_sees_a_wrong_import(tmp_path, text):
    """The checker itself: a model module importing the report or the CLI is caught."""
    path = tmp_path / "bad.py"
    path.write_text(text + "\n")
    found = [_stage_of_module(name) for _, name in _imports(path, ["model", "bad"], False)]
    assert any(STAGES[s] > STAGES["model"] for s in found if s is not None)


def test_readme_layout_table_matches_the_tree():
    """Every stage package is in the README's layout table, and every path the table names exists."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Layout"):]
    table = table[: table.index("\n## ", 4)] if "\n## " in table[4:] else table
    named = re.findall(r"^\| `([^`]+)` \|", table, flags=re.M)
    for path in named:
        assert (ROOT / path).exists(), f"README layout names {path}, which is not in the tree"
    packages = sorted(f"econ/{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    missing = [p for p in packages if p not in named]
    assert not missing, f"README layout table misses {missing}"
