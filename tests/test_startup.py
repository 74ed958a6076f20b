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


def _subcommands():
    parser = cli_main.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    return sorted(sub.choices)


@pytest.mark.parametrize("argv", [["--help"]] + [[name, "--help"] for name in _subcommands()])
def test_help_of_every_command_is_printed(argv, capsys):
    """``--help`` formats every option's help text (a bare % in one once crashed it with TypeError)."""
    assert cli_main.main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: run_model.py")


def test_default_base_case_imports_no_heavy_module():
    code = ("import sys, contextlib, io\nfrom econ.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main([]) == 0\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def _default_compiled():
    import warnings

    from econ.cli.common import DEFAULT_SCENARIO
    from econ.model.run import compile_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile_path(DEFAULT_SCENARIO)


def test_one_engine_run_gives_the_base_case_and_the_break_even_start_bit_for_bit():
    import numpy as np
    import pandas as pd

    from econ.analysis.offset import _stack, base_case_and_ends, headline
    from econ.model.evaluate import evaluate

    compiled = _default_compiled()
    base, ends = base_case_and_ends(compiled)
    alone = evaluate(compiled, keep_cycles=True, keep_trace=True)
    for field in ("totals", "totals_undiscounted", "per_cycle", "per_cycle_discounted", "trace"):
        assert np.array_equal(getattr(base, field), getattr(alone, field)), field
    name = compiled.loaded.spec.cost_offset.attribution
    stacked = evaluate(compiled, _stack(compiled.parameters.point_table(), name, [0.0, 1.0]))
    assert np.array_equal(ends.totals, stacked.totals) and np.array_equal(ends.totals_undiscounted,
                                                                          stacked.totals_undiscounted)
    pd.testing.assert_frame_equal(headline(compiled, evaluation=base, ends=ends), headline(compiled), check_exact=True)


def test_headline_text_tables_match_a_pandas_pivot():
    import numpy as np

    from econ.analysis.offset import headline
    from econ.report.text import _pivots

    head = headline(_default_compiled())
    cells = {c: head[c].tolist() for c in ("perspective", "discounting", "measure", "strategy", "per_participant",
                                           "population")}
    for (persp, disc), df in head.groupby(["perspective", "discounting"]):
        per, pop = _pivots(cells, persp, disc)
        for table, column in ((per, "per_participant"), (pop, "population")):
            pivot = df.pivot(index="measure", columns="strategy", values=column)
            assert list(table) == list(pivot.index)
            got = np.array([[table[m][s] for s in pivot.columns] for m in pivot.index])
            assert np.array_equal(got, pivot.to_numpy(dtype=float), equal_nan=True)
    assert _pivots(cells, "no_such_perspective", "discounted") is None


def test_anchor_precheck_skips_powers_but_not_anchors_or_aliases():
    from econ.scenario.source import _MAYBE_ANCHOR

    assert _MAYBE_ANCHOR.search("p: 1 - rho ** (t / 12)\nq: A&E\nr: 2*x\n") is None
    for text in ("a: &base 1\nb: *base\n", "a: [*x]\n", "- &y 2\n", "a: {b: *z}\n"):
        assert _MAYBE_ANCHOR.search(text), text
