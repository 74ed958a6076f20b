"""Start-up (issue 19): commands and heavy modules are imported only when used; nothing changes."""
from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import econ.cli.main

cli_main = sys.modules["econ.cli.main"]

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("scipy", "SALib", "matplotlib", "jinja2", "openpyxl")


def test_z95_is_scipys_value():
    from scipy import special

    from econ.uncertainty.distributions import Z95

    assert Z95 == float(special.ndtri(0.975))


def _commands_of(module: str) -> set[str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    importlib.import_module(f"econ.cli.{module}").register(sub)
    return set(sub.choices)


def test_module_commands_match_the_parsers():
    for module, names in cli_main.MODULE_COMMANDS.items():
        assert _commands_of(module) == set(names), module
    assert _commands_of("run") == set(cli_main.RUN_COMMANDS)


@pytest.mark.parametrize("argv, modules", [
    ([], ()), (["--debug"], ()), (["run", "x.yaml"], ()), (["--debug", "compare", "a", "b"], ()),
    (["psa", "x.yaml", "--draws", "10"], ("uncertainty",)), (["gsa", "x"], ("gsa",)), (["data", "check"], ("data",)),
    (["report", "x"], ("report",)), (["--help"], cli_main.COMMAND_MODULES), (["nope"], cli_main.COMMAND_MODULES),
])
def test_command_modules(argv, modules):
    assert cli_main.command_modules(argv) == modules


def test_help_and_unknown_command_list_every_command(capsys):
    assert cli_main.main(["nope"]) == 2
    err = capsys.readouterr().err
    for name in ("psa", "gsa", "report", "data", "run"):
        assert name in err


def test_default_base_case_imports_no_heavy_module():
    code = ("import sys, contextlib, io\nfrom econ.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main([]) == 0\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
