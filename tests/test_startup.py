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
#: Our modules the default scenario has no use for (no lookup table, no controlled data), imported when used.
LAZY = ("econ.inputs.lookup_tables", "econ.inputs.controlled_data")


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
            f"print(','.join(m for m in {HEAVY + LAZY!r} if m in sys.modules))\n"
            "from econ.model.results import _installed_versions\n"
            "print(_installed_versions.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    heavy, versions_read = out.stdout.split("\n")[:2]
    assert heavy == ""
    assert versions_read == "0"  # no manifest written: the installed packages' metadata is not read


def test_run_metadata_reads_the_versions_when_looked_at():
    from econ.model.results import InstalledVersions, package_versions

    lazy = InstalledVersions()
    assert dict(lazy) == package_versions()
    assert lazy["numpy"] == package_versions()["numpy"] and len(lazy) == len(package_versions())


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


def _exit_child(body: str, env_extra: dict | None = None, tmp_path: Path | None = None):
    """Run ``body`` in a child Python that ends with exit_without_teardown; returns CompletedProcess."""
    import os

    code = ("import atexit, sys, threading, time\n"
            "from econ.cli.main import exit_without_teardown\n" + body)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PEER_ECON_FULL_EXIT", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)


@pytest.mark.parametrize("full", [False, True])
def test_exit_without_teardown_keeps_status_atexit_handlers_and_buffered_output(tmp_path, full):
    # The fast exit must still run every atexit handler (coverage, temporary folders), flush what was
    # printed without a newline, and exit with the command's status; PEER_ECON_FULL_EXIT gives the same.
    marker = tmp_path / "handler_ran.txt"
    body = (f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
            "sys.stdout.write('no newline at the end')\n"
            "sys.stderr.write('to stderr')\n"
            "exit_without_teardown(3)\n"
            "print('never reached')\n")
    res = _exit_child(body, {"PEER_ECON_FULL_EXIT": "1"} if full else None, tmp_path)
    assert res.returncode == 3
    assert res.stdout == "no newline at the end"
    assert res.stderr == "to stderr"
    assert marker.read_text() == "ran"


def test_exit_without_teardown_waits_for_a_running_thread(tmp_path):
    # A thread that is not a daemon (e.g. a writer) still running: the process exits the normal way,
    # after the thread has finished its file.
    out = tmp_path / "written_by_thread.txt"
    body = ("def work():\n"
            "    time.sleep(0.3)\n"
            f"    open({str(out)!r}, 'w').write('complete')\n"
            "threading.Thread(target=work).start()\n"
            "exit_without_teardown(0)\n")
    res = _exit_child(body, None, tmp_path)
    assert res.returncode == 0, res.stderr
    assert out.read_text() == "complete"


def test_the_command_exits_through_the_fast_path(monkeypatch):
    # entry() ends with exit_without_teardown (the process exit of run_model.py and peer-econ).
    import signal

    calls = []
    previous = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(signal, "signal", lambda *a: previous)  # entry() ignores Ctrl-C at the end: not in pytest
    monkeypatch.setattr(cli_main, "main", lambda: 7)
    monkeypatch.setattr(cli_main, "exit_without_teardown", lambda code: calls.append(code))
    cli_main.entry()
    assert calls == [7]
