"""EVPI, EVPPI and EVSI/ENBS tables of a PSA result, per perspective (or threshold), per person and population.

Notes
-----
EVSI by the regression method (Strong, Brennan and Oakley 2015): for a proposed study of n people,
a summary statistic T_i is simulated for every PSA draw i from the study's data model given the
draw's parameter values theta_i, and net benefit is regressed on T (as for EVPPI, see
:mod:`econ.analysis.voi.regression`):

- ``normal``: T = theta + (sd / sqrt(n)) z, z standard normal; sd is the per-person standard
  deviation of the measurement. For a service-use statistic it defaults to the PSA's SD of the
  statistic x sqrt(people in the data): the bootstrap spread reflects that many people, so a study
  of n people has sampling SD psa_sd sqrt(n_data / n) (same design, same population: an assumption).
- ``binomial``: T = Binomial(n, theta) / n (theta a probability, e.g. a monthly fade probability
  observed over one month of follow-up).

The same standard normals (uniforms for binomial) are used for every n, so the estimates at
different n differ by the study size only. ENBS(n) = EVSI(n) x population - (fixed + per_person x n);
the n with the largest ENBS is flagged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from econ.analysis.voi.decision import Decision, InputSet, input_columns, input_matrix
from econ.analysis.voi.regression import DEFAULT_BOOTSTRAP, evpi_estimate, evppi_many
from econ.core.errors import EconError, Problem

LIKELIHOODS = ("normal", "binomial")

#: Study sizes when none are given.
DEFAULT_SIZES = (25, 50, 100, 200, 400, 800, 1600)


@dataclass(frozen=True)
class Study:
    """A proposed study: what it measures, how, how many people, what it costs."""

    parameters: tuple
    likelihood: str = "normal"
    sd: float | None = None  # per-person SD (normal); None: from the data for service-use statistics
    sizes: tuple = DEFAULT_SIZES
    cost_fixed: float = 0.0
    cost_per_person: float = 0.0
    label: str = field(default="")

    @property
    def name(self) -> str:
        return self.label or "+".join(self.parameters)


def _label_rows(d: Decision) -> dict:
    return {"perspective": d.perspective, "objective": d.objective, "threshold": d.threshold}


def evpi_table(decisions: list[Decision], population: dict, *, n_boot: int = DEFAULT_BOOTSTRAP,
               seed: int = 0) -> pd.DataFrame:
    """EVPI per perspective (or threshold), per person and population.

    Returns
    -------
    pandas.DataFrame
        Columns ``perspective``, ``objective``, ``threshold``, ``per`` (person | population),
        ``evpi``, ``se`` (bootstrap of the draws), ``best_strategy`` (highest expected net benefit),
        ``prob_best_wrong`` (share of draws in which another strategy is better), ``population``.
    """
    rows = []
    pop = population["population"]
    for d in decisions:
        e = evpi_estimate(d.nb, n_boot=n_boot, seed=seed)
        best = int(np.argmax(d.nb.mean(axis=0)))
        wrong = float(np.mean(np.argmax(d.nb, axis=1) != best))
        for per, scale in (("person", 1.0), ("population", pop)):
            rows.append({**_label_rows(d), "per": per, "evpi": e["evpi"] * scale, "se": e["se"] * scale,
                         "best_strategy": d.strategies[best], "prob_best_wrong": wrong, "population": pop})
    return pd.DataFrame(rows)


def evppi_table(table, decisions: list[Decision], sets: list[InputSet], population: dict, *,
                n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> pd.DataFrame:
    """EVPPI of every input set under every decision, per person and population.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameters`` (the set's label), ``evppi``, ``se``, ``perspective``, ``per``
        (person | population), ``objective``, ``threshold`` (NaN for net cost), ``members`` (comma-separated
        ParameterTable columns), ``n_members``, ``r2_min`` (smallest R^2 of the regression over
        strategies: the fit check), ``method``, ``se_method``.
    """
    rows = []
    pop = population["population"]
    for s in sets:
        x = input_matrix(table, s.columns)
        for d, r in zip(decisions, _many(decisions, x, n_boot, seed)):
            for per, scale in (("person", 1.0), ("population", pop)):
                rows.append({"parameters": s.label, "evppi": r["evppi"] * scale, "se": r["se"] * scale,
                             "perspective": d.perspective, "per": per, **_label_rows(d), "members": ",".join(s.columns),
                             "n_members": len(s.columns), "r2_min": r["r2_min"], "method": r["method"],
                             "se_method": r["se_method"]})
    return pd.DataFrame(rows)


def _many(decisions: list[Decision], x: np.ndarray, n_boot: int, seed: int) -> list[dict]:
    """EVPPI of ``x`` under each decision; decisions with identical net benefit (e.g. perspectives that
    count the same sectors in this model) are estimated once."""
    unique: list[int] = []
    which = []
    for i, d in enumerate(decisions):
        k = next((j for j, u in enumerate(unique) if np.array_equal(decisions[u].nb, d.nb)), None)
        if k is None:
            unique.append(i)
            k = len(unique) - 1
        which.append(k)
    results = evppi_many([decisions[u].nb for u in unique], x, n_boot=n_boot, seed=seed)
    return [results[k] for k in which]


def study_sd(compiled, table, study: Study) -> np.ndarray:
    """Per-person SD of each measured parameter (the study's ``sd``, or from the data; see notes)."""
    from econ.inputs.context import BootstrapStatistic

    out = []
    for name in study.parameters:
        if study.sd is not None:
            out.append(float(study.sd))
            continue
        p = compiled.parameters[name]
        if not isinstance(p.distribution, BootstrapStatistic):
            raise EconError(Problem(f"study of '{name}': give the per-person SD of the measurement (--study-sd); "
                                    "it is only derived from the data for service-use statistics", None, "study"))
        n_data = len(compiled.context.service_use.persons)
        out.append(float(np.std(table.columns[name], ddof=1)) * np.sqrt(n_data))
    return np.asarray(out)


def check_study(compiled, study: Study) -> None:
    """Raise EconError for a study that cannot be simulated."""
    problems = []
    if study.likelihood not in LIKELIHOODS:
        problems.append(f"study likelihood must be one of {', '.join(LIKELIHOODS)} (got {study.likelihood!r})")
    if not study.sizes or any(int(n) != n or n < 1 for n in study.sizes):
        problems.append(f"study sizes must be whole numbers >= 1 (got {list(study.sizes)})")
    if study.sd is not None and not (np.isfinite(study.sd) and study.sd > 0):
        problems.append(f"study SD must be a finite number > 0 (got {study.sd})")
    if study.cost_fixed < 0 or study.cost_per_person < 0 or not np.isfinite(study.cost_fixed + study.cost_per_person):
        problems.append(f"study costs must be finite and >= 0 (got fixed {study.cost_fixed}, per person "
                        f"{study.cost_per_person})")
    if problems:
        raise EconError([Problem(m, None, "study") for m in problems])
    for name in study.parameters:
        if len(input_columns(compiled, name)) != 1:
            raise EconError(Problem(f"study of '{name}': measure univariate parameters, one by one", None, "study"))


def simulate_summaries(theta: np.ndarray, study: Study, sd: np.ndarray, n: int, base: np.ndarray) -> np.ndarray:
    """Simulated summary statistics (draws, parameters) of a study of ``n`` people.

    ``base`` holds the common random numbers (standard normals for ``normal``, uniforms in (0, 1)
    for ``binomial``), the same for every n.
    """
    if study.likelihood == "normal":
        return theta + sd[None, :] / np.sqrt(n) * base
    from scipy.stats import binom

    if np.any((theta < 0) | (theta > 1)):
        raise EconError(Problem("a binomial study measures a probability; the parameter has draws outside [0, 1]",
                                None, "study"))
    return binom.ppf(base, n, theta) / n


def evsi_table(compiled, table, decisions: list[Decision], study: Study, population: dict, *,
               n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> pd.DataFrame:
    """EVSI and ENBS of a proposed study for each study size, per decision.

    Returns
    -------
    pandas.DataFrame
        Columns ``study``, ``n``, ``perspective``, ``objective``, ``threshold``, ``per`` (person |
        population), ``evsi``, ``se``, ``r2_min``, ``study_cost``, ``enbs`` (population rows; NaN on
        person rows), ``optimal`` (bool: the n with the largest ENBS for that decision, population rows).
    """
    check_study(compiled, study)
    theta = input_matrix(table, study.parameters)
    sd = study_sd(compiled, table, study)
    rng = np.random.default_rng(seed)
    if study.likelihood == "normal":
        base = rng.standard_normal(theta.shape)
    else:
        base = rng.uniform(np.finfo(float).tiny, 1.0, theta.shape)
    pop = population["population"]
    rows = []
    for n in sorted(int(n) for n in study.sizes):
        t = simulate_summaries(theta, study, sd, n, base)
        cost = study.cost_fixed + study.cost_per_person * n
        for d, r in zip(decisions, _many(decisions, t, n_boot, seed)):
            common = {"study": study.name, "n": n, **_label_rows(d), "r2_min": r["r2_min"], "study_cost": cost}
            rows.append({**common, "per": "person", "evsi": r["evppi"], "se": r["se"], "enbs": np.nan})
            rows.append({**common, "per": "population", "evsi": r["evppi"] * pop, "se": r["se"] * pop,
                         "enbs": r["evppi"] * pop - cost})
    df = pd.DataFrame(rows)
    df["optimal"] = False
    popr = df[df.per == "population"]
    if popr["enbs"].notna().any():
        for _, part in popr.groupby(["perspective", "threshold"], dropna=False, sort=False):
            if part["enbs"].notna().any():
                df.loc[part["enbs"].idxmax(), "optimal"] = True
    return df
