"""Issue 20 in the model: loss to follow-up recorded in the default format, the model's statistics under
data.missing_followup (econ.inputs.followup_model), the share missing next to results, SWEMWBS under
DiD / ANCOVA.

Data: the SYNTHETIC need-dropout design of scripts/synthetic_controlled.py (people with more baseline use are
lost more often), written in the default format by its ``write_default_format``; the truth is the closed form
of tests/test_missing.py (mean change of monthly GP contacts in the intervention group).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import econ
from econ.cli.main import main
from econ.core.errors import DataError
from econ.inputs.controlled_data import load_controlled_data
from econ.inputs.estimators import Outcomes, Resample, ancova, difference_in_differences
from econ.inputs.followup_model import _impute_copies, weighted_effect
from econ.inputs.missing import estimate_missing, ipw_weights, missing_outcomes
from econ.inputs.service_use import load_service_use

from .test_missing import CODES, DESIGN, GEN, SEEDS, TRUTH

ROOT = Path(__file__).resolve().parent.parent
CONTROLLED = ROOT / "scenarios" / "data" / "SYNTHETIC_controlled_need_dropout_service_use.csv"


def _scenario(folder: Path, data: Path, persons: Path | None, method: str, *, estimator: str | None = None,
              replicates: int = 200, statistic: str = "change", name: str = "fu") -> Path:
    persons_key = f", persons: {persons}" if persons is not None else ""
    effect = (f"effect: {{estimator: {estimator}, follow_up_months: 6, persistence: none}}\n"
              if estimator else "")
    text = f"""
metadata: {{name: {name}, synthetic: true}}
settings: {{cycle_length: month, n_cycles: 6, cycle_correction: trapezoid, discount_rate_costs: 0,
           discount_rate_outcomes: 0, price_year: "2023/24", seed: 5}}
data: {{service_use: {data}{persons_key}, bootstrap_replicates: {replicates}, missing_followup: {method}}}
{effect}parameters:
  gp: {{service_use: {{service: gp_surgery, statistic: {statistic}}}}}
  sw: {{service_use: {{service: swemwbs, statistic: {statistic}}}}}
  c_gp: {{unit_cost: gp_surgery}}
states: {{on: {{}}, off: {{}}}}
transitions: {{on: {{on: 1}}, off: {{off: 1}}}}
initial: {{on: 1}}
strategies:
  usual_care: {{initial: {{off: 1}}}}
  peer: {{}}
values:
  cost: {{kind: cost, sector: nhs, states: {{on: c_gp * gp, off: 0}}}}
"""
    path = folder / f"{name}_{method}_{estimator or 'none'}.yaml"
    path.write_text(text)
    return path


def _default_format(tmp_path, seed, n=500):
    return GEN.write_default_format(DESIGN, tmp_path, seed=seed, n={"intervention": n, "comparison": 0})


# -- the default format records who was lost ---------------------------------------------------------------
def test_default_format_loss_round_trips_and_matches_the_controlled_loader(tmp_path):
    people, use = GEN.generate(DESIGN, 4, "true_effect", {"intervention": 120, "comparison": 60}, dropout="need",
                               cluster_icc=0.05)
    use_text, persons_text = GEN.default_format_texts(people, use)
    (tmp_path / "d_service_use.csv").write_text(use_text)
    (tmp_path / "d_persons.csv").write_text(persons_text)
    data = load_service_use(tmp_path / "d_service_use.csv", persons_path=tmp_path / "d_persons.csv")
    treated = people["group"] == "intervention"
    order = np.argsort(people["person_id"][treated])
    followed = people["followed_up"][treated][order]
    assert 0 < (~followed).sum() < len(followed)
    assert np.array_equal(data.persons["followed_up"].to_numpy(), followed)
    assert list(data.persons["cluster"]) == list(people["cluster"][treated][order])
    k = CODES.index("gp_surgery")
    monthly = use[:, treated][:, order, k] / GEN.RECALL_MONTHS
    column = data.services.index("gp_surgery")
    np.testing.assert_allclose(data.monthly_use[0, :, column], monthly[0])
    assert np.isnan(data.monthly_use[1, ~followed]).all() and np.isnan(data.swemwbs[1, ~followed]).all()
    np.testing.assert_allclose(data.monthly_use[1, followed, column], monthly[1, followed])
    np.testing.assert_array_equal(data.swemwbs[:, followed], people["swemwbs"][:, treated][:, order][:, followed])
    # the same people through the controlled loader (its own format) give the same arrays
    (tmp_path / "c_service_use.csv").write_text(GEN._service_use_csv(people, use))
    (tmp_path / "c_persons.csv").write_text(GEN._persons_csv(people))
    c = load_controlled_data(tmp_path / "c_service_use.csv")
    keep = (c.persons["group"] == "intervention").to_numpy()
    np.testing.assert_array_equal(c.monthly_use[:, keep][:, :, c.services.index("gp_surgery")],
                                  data.monthly_use[:, :, column])
    np.testing.assert_array_equal(c.swemwbs[:, keep], data.swemwbs)


def _small(tmp_path, use_rows, person_rows, informal_rows=None):
    head = "person_id,period,recall_months,setting,engagement_sessions,area,bme,service,quantity"
    (tmp_path / "s.csv").write_text("\n".join([head] + use_rows) + "\n")
    (tmp_path / "p.csv").write_text("\n".join(["person_id,cluster,followed_up,swemwbs_baseline,swemwbs_followup"]
                                              + person_rows) + "\n")
    ic = None
    if informal_rows is not None:
        ic = tmp_path / "ic.csv"
        ic.write_text("\n".join(["person_id,period,recall_months,informal_care_hours_per_week"] + informal_rows) + "\n")
    return load_service_use(tmp_path / "s.csv", persons_path=tmp_path / "p.csv", informal_care_path=ic)


USE = ["A,baseline,3,group,4,x,no,gp_surgery,2", "A,followup,3,group,4,x,no,gp_surgery,1",
       "B,baseline,3,group,4,x,no,gp_surgery,5"]
PERSONS = ["A,g1,yes,20,22", "B,g1,no,18,"]


def test_a_person_lost_with_baseline_rows_only_loads(tmp_path):
    data = _small(tmp_path, USE, PERSONS, ["A,baseline,3,2", "A,followup,3,1", "B,baseline,3,4"])
    assert list(data.persons["followed_up"]) == [True, False]
    assert np.isnan(data.informal_care_monthly[1, 1]) and data.informal_care_monthly[1, 0] > 0


@pytest.mark.parametrize("use_rows, person_rows, informal, where, message", [
    (USE + ["B,followup,3,group,4,x,no,gp_surgery,1"], PERSONS, None, "s.csv:5",
     "person 'B' is lost to follow-up (" ),
    (USE, ["A,g1,yes,20,22", "B,g1,yes,18,19"], None, "s.csv:4", "person 'B' has no followup rows but is followed up"),
    (USE, ["A,g1,yes,20,22", "B,g1,no,18,19"], None, "p.csv:3", "must have an empty swemwbs_followup"),
    (USE, ["A,g1,yes,20,22", "B,g1,maybe,18,"], None, "p.csv:3", "followed_up"),
    (USE, ["A,g1,yes,20,22", "B,,no,18,"], None, "p.csv:3", "cluster"),
    (USE, PERSONS, ["A,baseline,3,2", "A,followup,3,1", "B,baseline,3,4", "B,followup,3,4"], "ic.csv:5",
     "is lost to follow-up (followed_up = no in the persons file) but has a followup row"),
])
def test_contradictions_about_follow_up_are_located(tmp_path, use_rows, person_rows, informal, where, message):
    with pytest.raises(DataError) as err:
        _small(tmp_path, use_rows, person_rows, informal)
    text = str(err.value)
    assert where in text and message in text, text


def test_without_followed_up_every_person_still_needs_both_periods(tmp_path):
    (tmp_path / "s.csv").write_text("person_id,period,recall_months,setting,engagement_sessions,area,bme,service,"
                                    "quantity\n" + "\n".join(USE) + "\n")
    (tmp_path / "p.csv").write_text("person_id,swemwbs_baseline,swemwbs_followup\nA,20,22\nB,18,19\n")
    with pytest.raises(DataError, match="every person needs both periods"):
        load_service_use(tmp_path / "s.csv", persons_path=tmp_path / "p.csv")


# -- the model's statistics under each method ----------------------------------------------------------------
@pytest.fixture(scope="module")
def model_seeds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("followup_seeds")
    out = {method: [] for method in ("complete_case", "ipw", "mice")}
    for seed in SEEDS:
        data, persons = _default_format(folder, seed)
        for method in out:
            compiled = econ.compile_path(_scenario(folder, data, persons, method))
            p = compiled.parameters["gp"]
            low, high = np.quantile(p.distribution.replicates, [0.025, 0.975])
            out[method].append((float(p.point), low, high))
    return {method: np.array(rows) for method, rows in out.items()}


def test_model_complete_case_is_biased_under_need_dropout(model_seeds):
    cc = model_seeds["complete_case"]
    mc_se = cc[:, 0].std(ddof=1) / np.sqrt(len(cc))
    assert cc[:, 0].mean() - TRUTH > 4 * mc_se  # people lost had more use, hence a larger fall (measured: 12 SE)
    assert np.mean((cc[:, 1] <= TRUTH) & (TRUTH <= cc[:, 2])) < 0.9  # measured: 11 of 20


@pytest.mark.parametrize("method", ["ipw", "mice"])
def test_model_ipw_and_mi_cover_the_generators_truth(model_seeds, method):
    """20 seeds: at least 17 bootstrap intervals of the model's statistic cover the truth (P(<= 16 | 95%) =
    1.6%; measured 20 and 20); no bias beyond 3 Monte Carlo SE of the mean over seeds."""
    rows = model_seeds[method]
    covered = (rows[:, 1] <= TRUTH) & (TRUTH <= rows[:, 2])
    assert covered.sum() >= 17, covered.sum()
    mc_se = rows[:, 0].std(ddof=1) / np.sqrt(len(rows))
    assert abs(rows[:, 0].mean() - TRUTH) < 3 * mc_se


def _ipw_model_outcomes(controlled):
    """The IPW model of econ.inputs.followup_model written out: log1p total baseline use, bme, baseline SWEMWBS."""
    use = np.moveaxis(np.asarray(controlled.monthly_use), 0, 2)
    gp = controlled.services.index("gp_surgery")
    baseline, followup = use[:, gp, 0][:, None], use[:, gp, 1][:, None].copy()
    followed = controlled.persons["followed_up"].to_numpy()
    followup[~followed] = np.nan
    covariates = {"t": np.log1p(use[:, :, 0].sum(axis=1)), "bme": (controlled.persons["bme"] == "yes").to_numpy(float),
                  "sw": np.asarray(controlled.swemwbs[0], dtype=float)}
    return missing_outcomes(baseline, followup, (controlled.persons["group"] == "intervention").to_numpy(),
                            names=["gp_surgery"], covariates=covariates, baseline_covariates=False)


def test_model_ipw_point_equals_the_weighted_estimators(tmp_path):
    """pre_post: econ.inputs.missing.estimate_missing's IPW estimate; ancova / DiD: econ.inputs.estimators on the
    people followed up with the IPW weights, on the same data and dropout model."""
    controlled = load_controlled_data(CONTROLLED)
    mo = _ipw_model_outcomes(controlled)
    expected = estimate_missing(mo, "pre_post", "ipw", n_boot=2, rng=np.random.default_rng(0)).estimate[0]
    compiled = econ.compile_path(_scenario(tmp_path, CONTROLLED, None, "ipw"))
    assert float(compiled.parameters["gp"].point) == pytest.approx(expected, rel=1e-9)
    cc = mo.complete_cases()
    w = Resample(ipw_weights(mo, np.ones(mo.n_persons))[:, mo.followed])
    for estimator, run in (("ancova", ancova), ("difference_in_differences", difference_in_differences)):
        compiled = econ.compile_path(_scenario(tmp_path, CONTROLLED, None, "ipw", estimator=estimator,
                                               statistic="effect"))
        assert float(compiled.parameters["gp"].point) == pytest.approx(run(cc, resample=w).replicates[0, 0],
                                                                       rel=1e-9)


def test_weighted_effect_with_per_replicate_follow_up_equals_the_estimators():
    """The sums form of DiD and ANCOVA (follow-up may differ per replicate, as after imputation) equals
    econ.inputs.estimators (checked there against statsmodels) when it does not."""
    rng = np.random.default_rng(2)
    n = 60
    group = np.arange(n) < 35
    x = rng.gamma(2.0, 1.0, n)
    y = 0.5 + 0.7 * x - 0.4 * group + rng.normal(0, 0.5, n)
    w = rng.integers(0, 3, size=(5, n)).astype(float)
    o = Outcomes(("y",), ("use",), x[:, None], y[:, None], group, {})

    def sums(mask):
        return {"n": w[:, mask].sum(1), "b": w[:, mask] @ x[mask], "f": w[:, mask] @ y[mask],
                "bb": w[:, mask] @ (x[mask] ** 2), "bf": w[:, mask] @ (x[mask] * y[mask])}

    for estimator, run in (("ancova", ancova), ("difference_in_differences", difference_in_differences)):
        np.testing.assert_allclose(weighted_effect(estimator, sums(group), sums(~group)),
                                   run(o, resample=Resample(w)).replicates[:, 0], rtol=1e-10)


def test_closed_form_imputation_draws_from_the_fitted_regression():
    """Imputed follow-up of a lost person with k copies: mean k x the regression prediction, and the variance
    of one copy the residual variance (a linear model with known truth; 4,000 draws)."""
    rng = np.random.default_rng(7)
    n = 400
    x = rng.normal(0, 1, n)
    y = (1.0 + 2.0 * x + rng.normal(0, 0.5, n))[:, None]
    design = np.column_stack([np.ones(n), x])
    lost = np.array([0, 1])
    seen = np.arange(2, n)
    counts = np.ones(n)
    counts[1] = 3
    draws = np.array([_impute_copies(design, y, seen, lost, counts, rng) for _ in range(4000)])
    truth = 1.0 + 2.0 * x[lost]
    assert abs(draws[:, 0, 0].mean() - truth[0]) < 4 * 0.5 / np.sqrt(4000) + 0.08
    assert abs(draws[:, 1, 0].mean() - 3 * truth[1]) < 4 * 0.5 * np.sqrt(3) / np.sqrt(4000) + 0.24
    assert draws[:, 0, 0].std() == pytest.approx(0.5, rel=0.1)  # residual sd, plus the small spread of the fit


def test_swemwbs_under_did_and_ancova_is_the_estimator_on_the_persons_file(tmp_path):
    """Issue 20 item 4: SWEMWBS under a comparison-group estimator (was a misleading 'set data.persons'), here the
    difference in mean change between the arms' people followed up, from the CSV with pandas."""
    persons = pd.read_csv(CONTROLLED.with_name("SYNTHETIC_controlled_need_dropout_persons.csv"))
    groups = pd.read_csv(CONTROLLED)[["person_id", "group"]].drop_duplicates()
    frame = persons.merge(groups, on="person_id")
    frame = frame[frame.followed_up == "yes"]
    change = (frame.swemwbs_followup - frame.swemwbs_baseline).groupby(frame.group).mean()
    compiled = econ.compile_path(_scenario(tmp_path, CONTROLLED, None, "complete_case",
                                           estimator="difference_in_differences", statistic="effect"))
    assert float(compiled.parameters["sw"].point) == pytest.approx(change["intervention"] - change["comparison"],
                                                                   rel=1e-12)
    compiled = econ.compile_path(_scenario(tmp_path, CONTROLLED, None, "mice", estimator="ancova",
                                           statistic="effect"))
    replicates = compiled.parameters["sw"].distribution.replicates
    assert np.isfinite(replicates).all() and replicates.std() > 0


# -- the share missing next to results ----------------------------------------------------------------------
def test_missing_share_is_printed_under_run_and_written_in_the_manifest(tmp_path, capsys):
    data, persons = _default_format(tmp_path, 1, n=200)
    frame = pd.read_csv(persons)
    lost = int((frame.followed_up == "no").sum())
    scenario = _scenario(tmp_path, data, persons, "ipw")
    assert main(["run", str(scenario), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    line = (f"Loss to follow-up: missing at follow-up: intervention {lost}/200 ({lost / 200:.0%}); none at "
            f"baseline; method: inverse-probability weighting")
    assert line in out, out
    meta = json.loads((tmp_path / "run" / "manifest.json").read_text())["scenarios"][0]["followup"]
    assert meta["method"] == "ipw" and meta["n_lost"] == lost
    share = {(r["arm"], r["time_point"]): r["share_missing"] for r in meta["missing"]}
    assert share == {("intervention", "baseline"): 0.0, ("intervention", "followup"): lost / 200}
    assert main(["run", str(_scenario(tmp_path, data, persons, "complete_case"))]) == 0
    assert "method: complete case (people followed up only)" in capsys.readouterr().out


def test_default_scenario_says_everyone_was_followed_up(capsys):
    assert main(["run", str(ROOT / "scenarios" / "side_by_side.yaml")]) == 0
    assert "Loss to follow-up: followed up: all 700" in capsys.readouterr().out


def test_missing_share_is_in_the_report_and_under_psa(tmp_path, capsys):
    data, persons = _default_format(tmp_path, 2, n=150)
    lost = int((pd.read_csv(persons).followed_up == "no").sum())
    scenario = _scenario(tmp_path, data, persons, "mice", replicates=50)
    assert main(["psa", str(scenario), "--draws", "40"]) == 0
    expected = f"missing at follow-up: intervention {lost}/150"
    assert expected in capsys.readouterr().out
    assert main(["report", str(scenario), "--draws", "40", "--format", "csv", "--out", str(tmp_path / "rep")]) == 0
    assert expected in capsys.readouterr().out
    html = (tmp_path / "rep" / "report.html").read_text()
    assert expected in html and "multiple imputation" in html


def test_data_commands_read_the_default_format_with_loss(tmp_path, capsys):
    """data summary says how many were lost and summarises the people followed up; data effect estimates from
    the default format (pre_post), with the share missing."""
    data, persons = _default_format(tmp_path, 3, n=120)
    lost = int((pd.read_csv(persons).followed_up == "no").sum())
    assert main(["data", "summary", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"Loss to follow-up: {lost} of 120 persons lost" in out and f": {120 - lost} persons," in out
    assert main(["data", "effect", str(data), "--missing", "ipw", "--replicates", "20"]) == 0
    out = capsys.readouterr().out
    assert "Effect: pre_post, inverse-probability weighting" in out and f"intervention   followup 120" in out


def test_controlled_data_take_data_persons_and_list_it_once(tmp_path):
    """data.persons names the controlled persons file too (it was ignored for the file beside the data)."""
    persons = CONTROLLED.with_name("SYNTHETIC_controlled_need_dropout_persons.csv")
    copy = tmp_path / "other_persons.csv"
    frame = pd.read_csv(persons, dtype=str, keep_default_na=False)
    frame.loc[0, "swemwbs_baseline"] = str(int(frame.loc[0, "swemwbs_baseline"]) % 28 + 7)  # a changed score
    frame.to_csv(copy, index=False)
    compiled = econ.compile_path(_scenario(tmp_path, CONTROLLED, copy, "complete_case"))
    assert compiled.context.controlled.persons_file == str(copy)
    roles = [d for d in compiled.data_files if d["role"] == "persons"]
    assert len(roles) == 1 and roles[0]["path"] == str(copy)
