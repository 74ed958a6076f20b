"""The psa, dsa, twoway and threshold commands, run in-process."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from econ.cli.main import main

from .conftest import SCENARIOS

HIV = str(SCENARIOS / "validation" / "chancellor_hiv.yaml")
DEFAULT = str(SCENARIOS / "side_by_side.yaml")


def test_psa_writes_its_files(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["psa", HIV, "--draws", "1000", "--seed", "7", "--out", str(out), "--set", "c_lam=2000"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    for name in ("psa_summary.csv", "psa_draws.parquet", "psa_outputs.csv", "convergence.csv", "psa_icer.csv",
                 "ce_plane.parquet", "ceac.csv", "evpi.csv", "manifest.json"):
        assert (out / name).is_file(), name
    assert not (out / "psa_draws.csv").exists() and not (out / "ce_plane.csv").exists()
    draws = pd.read_parquet(out / "psa_draws.parquet")
    assert len(draws) == 1000 and {"draw", "rr_comb", "tA_B", "inc_total_cost:comb"} <= set(draws.columns)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["per_draw_formats"] == ["parquet"] and "psa_draws.parquet" in manifest["files"]
    assert manifest["command"] == "psa" and manifest["method"] == "monte_carlo"
    assert manifest["monte_carlo_draws"] == "direct"
    scen = manifest["scenarios"][0]
    assert scen["n_draws"] == 1000 and scen["seed"] == 7
    assert any("c_lam" in o for o in scen["overrides"])
    summary = pd.read_csv(out / "psa_summary.csv")
    assert {"strategy", "output", "basis", "discounting", "mean", "sd", "p2.5", "p97.5"} <= set(summary.columns)
    assert "ICER against mono" in captured.out and "EVPI" in captured.out
    assert "SYNTHETIC" not in captured.out


def test_psa_same_seed_same_files(tmp_path, capsys):
    for name in ("a", "b"):
        assert main(["psa", HIV, "--draws", "500", "--seed", "3", "--method", "latin_hypercube",
                     "--out", str(tmp_path / name)]) == 0
    capsys.readouterr()
    for name in ("psa_draws.parquet", "ce_plane.parquet", "psa_summary.csv", "ceac.csv", "evpi.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_psa_per_draw_tables_same_in_parquet_and_csv(tmp_path, capsys):
    """--format parquet,csv writes both; the Parquet columns hold exactly the numbers the CSV holds,
    and both equal the in-process per-draw frame and CE plane."""
    from econ.analysis.psa import ce_plane, draws_frame, run_psa
    from econ.model.run import compile_path

    out = tmp_path / "both"
    assert main(["psa", HIV, "--draws", "300", "--seed", "5", "--out", str(out), "--format", "parquet,csv"]) == 0
    capsys.readouterr()
    result = run_psa(compile_path(HIV), n_draws=300, seed=5)
    frame = draws_frame(result).reset_index()
    pq_draws = pd.read_parquet(out / "psa_draws.parquet")
    csv_draws = pd.read_csv(out / "psa_draws.csv")
    assert list(pq_draws.columns) == list(frame.columns) == list(csv_draws.columns)
    pd.testing.assert_frame_equal(pq_draws, frame, check_exact=True)
    pd.testing.assert_frame_equal(csv_draws, frame, check_exact=True)  # CSV floats round-trip exactly
    plane = ce_plane(result)
    pq_plane = pd.read_parquet(out / "ce_plane.parquet")
    csv_plane = pd.read_csv(out / "ce_plane.csv")
    for got in (pq_plane, csv_plane):
        assert list(got.columns) == list(plane.columns)
        assert got["strategy"].tolist() == plane["strategy"].tolist()
        pd.testing.assert_frame_equal(got.drop(columns="strategy"), plane.drop(columns="strategy"), check_exact=True)
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert {"psa_draws.parquet", "psa_draws.csv", "ce_plane.parquet", "ce_plane.csv"} <= set(files)


def test_psa_format_csv_writes_no_parquet(tmp_path, capsys):
    out = tmp_path / "csv"
    assert main(["psa", HIV, "--draws", "50", "--out", str(out), "--format", "csv"]) == 0
    capsys.readouterr()
    assert (out / "psa_draws.csv").is_file() and (out / "ce_plane.csv").is_file()
    assert not list(out.glob("*.parquet")) and not list(out.glob(".*part"))


def test_parquet_text_is_neutralised_and_atomic(tmp_path):
    import numpy as np
    from econ.report.files import write_parquet

    path = write_parquet(tmp_path / "t.parquet", {"x": np.arange(3.0), "=name": np.array(["=SUM(A1)", "ok", "ok"],
                                                                                        dtype=object)})
    back = pd.read_parquet(path)
    assert list(back.columns) == ["x", "'=name"]
    assert back["'=name"].astype(object).tolist() == ["'=SUM(A1)", "ok", "ok"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_psa_of_the_default_model_is_flagged_synthetic(capsys):
    assert main(["psa", DEFAULT, "--draws", "300", "--output", "net_cost:group", "--output", "roi@societal:online"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    assert "Probability of saving money" in out and "roi@societal:online" in out


@pytest.mark.parametrize("argv, message", [
    (["psa", HIV, "--draws", "0"], "must be at least 1"),
    (["psa", HIV, "--draws", "1000", "--method", "sobol"], "power of two"),
    (["psa", HIV, "--draws", "10", "--output", "nope:comb"], "unknown output 'nope'"),
    (["psa", HIV, "--draws", "10", "--method", "random"], "invalid choice"),
    (["psa", HIV, "--draws", "10", "--format", "xlsx"], "expected parquet, csv or both"),
    (["psa", str(SCENARIOS / "missing.yaml")], "file not found"),
    (["dsa", HIV, "--parameters", "rr_cmb"], "did you mean rr_comb"),
    (["dsa", HIV, "--output", "icer:nope"], "unknown strategy 'nope'"),
    (["twoway", HIV, "rr_comb", "rr_comb"], "must differ"),
    (["threshold", HIV, "rr_comb", "--output", "inc_total_cost:comb", "--target", "1e9"], "does not reach"),
    (["threshold", HIV, "rr_comb", "--range", "1", "0.5"], "low < high"),
])
def test_bad_input_exits_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_psa_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    assert main(["psa", HIV, "--draws", "10", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["psa", HIV, "--draws", "10", "--out", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "keep.txt").is_file() and (tmp_path / "psa_summary.csv").is_file()


def test_dsa_prints_and_writes_the_tornado(tmp_path, capsys):
    assert main(["dsa", HIV, "--output", "icer:comb", "--out", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "One-way sensitivity analysis of icer:comb" in out and "rr_comb" in out
    table = pd.read_csv(tmp_path / "d" / "tornado.csv")
    assert table.swing.is_monotonic_decreasing
    assert json.loads((tmp_path / "d" / "manifest.json").read_text())["analysis"] == "dsa"


def test_dsa_is_grouped_by_default_and_ungrouped_on_request(tmp_path, capsys):
    assert main(["dsa", DEFAULT, "--out", str(tmp_path / "g")]) == 0
    assert main(["dsa", DEFAULT, "--ungrouped", "--out", str(tmp_path / "u")]) == 0
    capsys.readouterr()
    grouped, ungrouped = (pd.read_csv(tmp_path / d / "tornado.csv") for d in ("g", "u"))
    assert {"unit_costs", "service_use_reductions"} <= set(grouped.parameter)
    assert "unit_costs" not in set(ungrouped.parameter) and "c_ambulance" in set(ungrouped.parameter)
    assert json.loads((tmp_path / "u" / "manifest.json").read_text())["grouped"] is False


def test_twoway_prints_a_grid(capsys):
    assert main(["twoway", HIV, "rr_comb", "c_dmed_A", "--n", "3", "--output", "inc_total_cost:comb"]) == 0
    out = capsys.readouterr().out
    assert "rows: rr_comb; columns: c_dmed_A" in out
    assert len([line for line in out.splitlines() if line.startswith(("0.3", "0.5", "0.7"))]) == 3


def test_threshold_prints_the_value(tmp_path, capsys):
    assert main(["threshold", HIV, "rr_comb", "--output", "icer:comb", "--target", "20000",
                 "--range", "0.1", "0.95", "--out", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "rr_comb = 0.88948" in out and "gives icer:comb = 20000" in out
    table = pd.read_csv(tmp_path / "t" / "threshold.csv")
    assert table.value.iloc[0] == pytest.approx(0.88948, abs=1e-5)
