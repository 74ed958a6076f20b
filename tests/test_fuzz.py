"""Fuzzing: mutated scenarios and corrupted CSV inputs either run or exit 2 with a located message.

Never an uncaught exception, never a traceback. Each target runs 2,000 hypothesis examples
(set PEER_ECON_FUZZ_EXAMPLES to change it locally; CI uses the default).
"""
from __future__ import annotations

import contextlib
import copy
import io
import math
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from econ.cli.main import main

from .conftest import DATA, ROOT, SCENARIOS, without_data_quality_warnings

EXAMPLES = int(os.environ.get("PEER_ECON_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# --- values a mutation may write ---------------------------------------------------------------
WEIRD_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -1e308, 5e-324, float("nan"), float("inf"), -float("inf"), 10**6, 2**63]),
    st.text(max_size=40),
    st.sampled_from(["", "complement", "1/0", "log(0)", "p_die ** 1e6", "__import__('os')", "x.__class__",
                     "é☃\u202e", "a" * 3000, "(" * 500, "where(cycle > 1, 1, 0)", "\x00", "=HYPERLINK(1)"]),
)


def nested(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


WEIRD_VALUES = st.one_of(
    WEIRD_SCALARS,
    st.lists(WEIRD_SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=8), WEIRD_SCALARS, max_size=3),
    st.integers(20, 400).map(nested),
)


def paths(data, prefix=()):
    """Every key path in a document."""
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths(v, prefix + (i,))
    return out


_PATHS: dict = {}


def mutate(data, draw):
    """Apply one random mutation; returns the new YAML text."""
    key = id(data)
    if key not in _PATHS:
        _PATHS[key] = [p for p in paths(data) if p]
    data = copy.deepcopy(data)
    kind = draw(st.sampled_from(["delete", "replace", "replace", "rename", "huge_horizon", "duplicate_line",
                                 "truncate", "unicode_key", "add_key"]))
    path = draw(st.sampled_from(_PATHS[key]))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if kind == "delete":
        del parent[last]
    elif kind == "replace":
        parent[last] = draw(WEIRD_VALUES)
    elif kind == "rename" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(last)
    elif kind == "unicode_key" and isinstance(parent, dict):
        parent["ключ_" + draw(st.text(max_size=5))] = draw(WEIRD_SCALARS)
    elif kind == "add_key" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["extends", "tunnel", "mixture", "dist", "unit_cost", "service_use"]))] = \
            draw(WEIRD_VALUES)
    elif kind == "huge_horizon":
        data.setdefault("settings", {})["n_cycles"] = draw(st.sampled_from([0, 1, 2, 10**5, 10**9, 13_000, -3]))
    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False)
    if kind == "duplicate_line":
        lines = text.splitlines()
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
        text = "\n".join(lines)
    elif kind == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    return text


def run_cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def check_outcome(code: int, err: str) -> None:
    assert code in (0, 2), f"exit {code}: {err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    if code == 2:
        lines = without_data_quality_warnings(err).strip().splitlines()
        assert lines and all(line.startswith("error: ") for line in lines), err[-2000:]


@pytest.fixture(scope="module")
def scenario_copy(tmp_path_factory):
    """A copy of scenarios/ and costs/ (so relative paths resolve) that mutated files can sit in."""
    import shutil

    root = tmp_path_factory.mktemp("fuzz-tree")
    shutil.copytree(SCENARIOS, root / "scenarios")
    shutil.copytree(ROOT / "costs", root / "costs")
    return root / "scenarios"


@pytest.mark.parametrize("name", ["validation/chancellor_hiv.yaml", "side_by_side.yaml"])
def test_mutated_shipped_scenarios_run_or_exit_2(name, scenario_copy):
    source = scenario_copy / name
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    target = source.parent / f"fuzz-{source.name}"

    @FUZZ
    @given(st.data())
    def check(hyp):
        target.write_text(mutate(data, hyp.draw), encoding="utf-8")
        code, _, err = run_cli(["validate", str(target)])
        check_outcome(code, err)

    check()


@FUZZ
@given(hyp=st.data())
def test_mutated_small_scenario_through_run(hyp, tmp_path_factory):
    """The small test scenario through `run` (base case, printing), which also formats results."""
    source = DATA / "scenarios" / "valid" / "base.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    path = tmp_path_factory.getbasetemp() / "fuzz-base.yaml"
    path.write_text(mutate(data, hyp.draw), encoding="utf-8")
    code, _, err = run_cli(["run", str(path)])
    check_outcome(code, err)


# --- CSV corruption -----------------------------------------------------------------------------
UNIT_COSTS = (ROOT / "costs" / "unit_costs.csv").read_bytes()
SERVICE_USE = b"\n".join((SCENARIOS / "data" / "SYNTHETIC_service_use.csv").read_bytes().splitlines()[:120]) + b"\n"


def corrupt(raw: bytes, draw) -> bytes:
    kind = draw(st.sampled_from(["encoding", "drop_column", "cell", "cell", "empty", "truncate", "bom", "lines",
                                 "quote"]))
    if kind == "empty":
        return b""
    if kind == "encoding":
        return raw.decode("utf-8").encode(draw(st.sampled_from(["utf-16", "latin-1", "cp1252"])), errors="replace") \
            + draw(st.binary(max_size=8))
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw
    if kind == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if kind == "quote":
        i = draw(st.integers(0, len(raw)))
        return raw[:i] + b'"' + raw[i:]
    lines = raw.decode("utf-8").splitlines()
    if kind == "lines":
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(draw(st.integers(0, len(lines))), lines[i])
        return ("\n".join(lines) + "\n").encode()
    header = lines[0].split(",")
    if kind == "drop_column":
        j = draw(st.integers(0, len(header) - 1))
        lines = [",".join(c for k, c in enumerate(line.split(",")) if k != j) for line in lines]
        return ("\n".join(lines) + "\n").encode()
    row = draw(st.integers(1, len(lines) - 1))
    cells = lines[row].split(",")
    col = draw(st.integers(0, len(cells) - 1))
    cells[col] = draw(st.sampled_from(["", "abc", "-1", "1e999", "nan", "inf", "£45", "=1+1", "0x10", "１２",
                                       "9" * 400, "\t", "yes", "2023/24x"]))
    lines[row] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


@FUZZ
@given(hyp=st.data())
def test_corrupted_unit_cost_csv(hyp, tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "fuzz-costs"
    folder.mkdir(exist_ok=True)
    path = folder / "unit_costs.csv"
    path.write_bytes(corrupt(UNIT_COSTS, hyp.draw))
    code, _, err = run_cli(["data", "summary", str(SCENARIOS / "data" / "SYNTHETIC_service_use.csv"),
                            "--costs", str(path)])
    check_outcome(code, err)


@FUZZ
@given(hyp=st.data())
def test_corrupted_service_use_csv(hyp, tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "fuzz-use"
    folder.mkdir(exist_ok=True)
    path = folder / "service_use.csv"
    path.write_bytes(corrupt(SERVICE_USE, hyp.draw))
    code, _, err = run_cli(["data", "summary", str(path)])
    check_outcome(code, err)


def test_fuzz_examples_default_is_at_least_2000():
    assert int(os.environ.get("PEER_ECON_FUZZ_EXAMPLES", "2000")) >= 2000 or os.environ.get("CI") is None
    assert not math.isnan(EXAMPLES)
