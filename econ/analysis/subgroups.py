"""The scenario per subgroup of the service-use data, with bootstrap intervals and the interaction test.

For each value of the subgroup variable (``setting``, ``engagement_band``, ``area``, ``bme``) every
service-use statistic is re-estimated from the people of the subgroup, and the headline measures
(delivery cost, cost offset, net cost, return on investment per strategy) are computed at the point
values and on every bootstrap replicate of the data (other parameters at their point values, so the
interval is the data's sampling uncertainty). The replicates resample people within the subgroup, or
clusters (``cluster='area'``) and the people in them (:mod:`econ.inputs.clustered`); with clusters the
design effect (clustered over person variance of the measure) is reported.

Rules that make every subgroup run (each stated in the row's ``warning``):

- A parameter that already names the subgroup variable in its own ``subgroup:`` (e.g. a per-setting
  reduction) keeps it; with ``--by setting`` only the strategy of that setting is shown (its reductions
  come from the setting's people either way, and its baseline use from the subgroup).
- A ``reduction`` or ``relative_change`` whose baseline mean is 0 in the subgroup (nobody used the
  service at baseline) is undefined; it is taken as 0 (no change) and counted. The service's baseline use
  in the subgroup is 0 too when the parameter has no subgroup of its own, so its offset is 0 either way.
- With ``--by engagement_band`` delivery cost follows engagement: the delivery cost of a strategy is
  scaled by the mean sessions of the band's people of that setting over the mean of all people of the
  setting (assumption: delivery cost proportional to sessions attended). Engagement is measured after
  baseline, so it is not a randomised or baseline subgroup: people who benefit may attend more.
- Below ``min_n`` people a row is flagged as a small sample.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from econ.analysis.offset import check_cost_offset, measures
from econ.core.errors import ScenarioError
from econ.inputs.context import DataContext
from econ.inputs.service_use import ENGAGEMENT_BANDS
from econ.inputs.effects import EFFECT_STATISTICS
from econ.inputs.subgroup_effects import SMALL_SAMPLE_N, interaction_test, small_sample_warning
from econ.model.parameters import ParameterTable

#: Measures with intervals, in the order shown.
MEASURES = ("delivery_cost", "cost_offset", "net_cost", "roi")

#: Columns of the subgroups table (``subgroups.csv``).
COLUMNS = ("subgroup", "value", "strategy", "measure", "n", "mean", "low", "high", "warning", "interaction_p",
           "design_effect", "perspective")

#: Statistics that are ratios to the baseline mean (or, effect_reduction, to the counterfactual, which
#: under pre_post is the baseline).
_RATIOS = ("relative_change", "reduction", "effect_reduction", "counterfactual_change")


@dataclass
class SubgroupContext(DataContext):
    """A data context for one subgroup run (rules of the module docstring).

    ``cluster`` names the person column whose values are resampled as clusters (None: people).
    ``undefined`` collects, per parameter, how many of the point and replicate values were undefined.
    """

    cluster: str | None = None
    undefined: dict = field(default_factory=dict)

    def _filter(self, ref) -> dict:
        f = dict(ref.subgroup)
        for k, v in self.subgroup.items():
            f.setdefault(k, v)
        return f

    def service_use_point(self, name: str, ref) -> float:
        rows = self._select(self._point_table, name, ref)
        w = rows["n_persons"].astype(float)
        b = float((rows["baseline"] * w).sum() / w.sum())
        if ref.statistic in _RATIOS and b == 0:
            self.undefined.setdefault(name, [ref.service, 0, 0])[1] = 1
            return 0.0
        return super().service_use_point(name, ref)

    def service_use_replicates(self, name: str, ref) -> np.ndarray:
        b, f = self.replicate_means(name, ref)
        zero = b == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            if ref.statistic in EFFECT_STATISTICS:  # by the scenario's estimator, as the full-data run
                values = np.asarray(self._effect(name, ref, b, f, True), dtype=float)
                zero = zero | ~np.isfinite(values) if ref.statistic in _RATIOS else zero
            else:
                values = self._statistic(b, f, ref.statistic)
        if ref.statistic in _RATIOS and zero.any():
            self.undefined.setdefault(name, [ref.service, 0, 0])[2] = int(zero.sum())
            values = np.where(zero, 0.0, values)
        return values

    def _cluster_column(self) -> str | None:
        return self.cluster


def _replicate_table(compiled) -> ParameterTable:
    """Point values with every service-use parameter at its bootstrap replicates (one row per replicate)."""
    from econ.inputs.context import BootstrapStatistic

    pset = compiled.parameters
    boot = [p for p in pset.independent if isinstance(p.distribution, BootstrapStatistic)]
    n = boot[0].distribution.replicates.size if boot else 1
    base = pset.point_table()
    cols = {k: np.repeat(v, n) for k, v in base.columns.items()}
    for p in boot:
        cols[p.name] = np.asarray(p.distribution.replicates, dtype=float)
    return ParameterTable(cols, n)


def _delivery_factors(persons: pd.DataFrame, by: str, value: str, strategies) -> dict:
    """Per strategy: mean sessions of the band's people of the strategy's setting over all of that setting."""
    if by != "engagement_band":
        return {s: 1.0 for s in strategies}
    out = {}
    band = persons["engagement_band"].astype(str) == value
    for s in strategies:
        same = (persons["setting"] == s) if s in set(persons["setting"]) else np.ones(len(persons), dtype=bool)
        part = persons["engagement_sessions"][same & band]
        if not len(part):
            part = persons["engagement_sessions"][band]
        out[s] = float(part.mean() / persons["engagement_sessions"][same].mean())
    return out


def _measures(compiled, table, perspective, factors) -> dict:
    """Measures (draws, strategies) of :data:`MEASURES`, delivery scaled by ``factors``."""
    from econ.model.evaluate import evaluate

    ev = evaluate(compiled, table)
    m = measures(compiled, ev, perspective)
    scale = np.array([factors.get(s, 1.0) for s in ev.strategies])
    delivery = m["delivery_cost"] * scale[None, :]
    offset = m["cost_offset"]
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(delivery != 0, offset / delivery, np.nan)
    return {"strategies": list(ev.strategies), "delivery_cost": delivery, "cost_offset": offset,
            "net_cost": delivery - offset, "roi": roi}


@dataclass(frozen=True)
class SubgroupResult:
    """The table (:data:`COLUMNS`), the notes printed under it and the compiled runs (for the manifest)."""

    table: pd.DataFrame
    notes: tuple
    compiled: tuple
    synthetic: bool


def _run_one(loaded, by, value, perspective, cluster):
    """Point and replicate measures of one subgroup; with clusters also the person bootstrap's variance."""
    from econ.model.compile import compile_scenario

    context = SubgroupContext(loaded, {by: value}, cluster=cluster)
    compiled = compile_scenario(loaded, context=context)
    persons = compiled.context.service_use.persons
    point = _measures(compiled, compiled.parameters.point_table(), perspective, {})
    factors = _delivery_factors(persons, by, value, point["strategies"])
    point = _measures(compiled, compiled.parameters.point_table(), perspective, factors)
    reps = _measures(compiled, _replicate_table(compiled), perspective, factors)
    naive_var = None
    if cluster is not None:
        plain = compile_scenario(loaded, context=SubgroupContext(loaded, {by: value}))
        naive = _measures(plain, _replicate_table(plain), perspective, factors)
        with warnings.catch_warnings():  # the reference strategy's roi is NaN in every replicate
            warnings.simplefilter("ignore", RuntimeWarning)
            naive_var = {k: np.nanvar(naive[k], axis=0, ddof=1) for k in MEASURES}
    return compiled, context, point, reps, naive_var


def _reasons(context, n: int, min_n: int, n_rep: int) -> list[str]:
    """Warnings of one subgroup: small sample, statistics undefined for lack of baseline use."""
    reasons = [r for r in [small_sample_warning(n, min_n)] if r]
    at_point = sorted(name for name, (_, hit, _) in context.undefined.items() if hit)
    in_reps = [count for _, hit, count in context.undefined.values() if count]
    if at_point:
        reasons.append(f"undefined without baseline use, taken as no change: {', '.join(at_point)}")
    if in_reps:
        reasons.append(f"{len(in_reps)} statistic(s) without baseline use in up to {max(in_reps)} of {n_rep} "
                       f"replicates, taken as no change there (the interval is less reliable)")
    return reasons


def _notes(by: str) -> list[str]:
    if by == "setting":
        return ["With --by setting each setting is shown for its own strategy only; the interaction test then "
                "compares settings, which differ in delivery as well as in people."]
    if by == "engagement_band":
        return ["Delivery cost follows engagement: scaled by the band's mean sessions over the setting's mean "
                "(assumption: cost proportional to sessions attended).",
                "Engagement is measured after baseline: people who benefit may attend more, so engagement bands "
                "are not randomised subgroups and their differences are not effects of engagement."]
    return []


def subgroup_analysis(path, by: str, *, overrides=(), perspective: str | None = None, cluster: str | None = None,
                      min_n: int = SMALL_SAMPLE_N, level: float = 0.95, progress=None) -> SubgroupResult:
    """Run the scenario at ``path`` per value of ``by`` (module docstring).

    ``progress``: called with ``'<by>=<value>'`` as each subgroup starts (a command's progress bar).

    ``cluster``: ``'none'`` (people), a person column such as ``'area'``, or None for the scenario's
    ``data.bootstrap_clusters``.

    Returns
    -------
    SubgroupResult
        ``table``: one row per subgroup value x strategy x measure with columns :data:`COLUMNS`: ``subgroup``
        (the variable), ``value``, ``strategy``, ``measure``, ``n`` (people), ``mean`` (at the point values),
        ``low``/``high`` (percentile interval of the bootstrap replicates), ``warning`` ('' or the reasons
        joined by '; '), ``interaction_p`` (Wald test that the measure is equal across the subgroups,
        from the replicates' variances), ``design_effect`` (clustered over person variance; NaN
        without clusters), ``perspective``.

    Raises
    ------
    ScenarioError
        As the scenario's compilation, or clusters that cannot be resampled (fewer than 2 in a group).
    """
    from econ.model.run import compile_path

    base = compile_path(path, overrides=overrides)
    check_cost_offset(base)
    loaded = base.loaded
    persp = perspective or loaded.spec.cost_offset.perspectives[0]
    persons = base.context.service_use.persons
    cluster = loaded.spec.data.bootstrap_clusters if cluster is None else cluster
    cluster = None if cluster == "none" else cluster
    if cluster is not None and cluster not in persons.columns:
        raise ScenarioError(loaded.problem(("data", "bootstrap_clusters"), f"the service-use data have no column "
                                                                           f"{cluster!r} to resample (use area or none)"))
    if cluster is not None and cluster == by:
        raise ScenarioError(loaded.problem(("data", "service_use"), f"cannot resample clusters of {cluster} within "
                                                                    f"subgroups of {by}: each subgroup is one cluster"))
    sizes = persons[by].astype(str).value_counts()
    tail = (1.0 - level) / 2.0
    rows, compiled_list = [], []
    variances = {}
    order = {label: k for k, (label, _, _) in enumerate(ENGAGEMENT_BANDS)} if by == "engagement_band" else {}
    for value in sorted(sizes.index, key=lambda v: (order.get(v, 0), v)):
        if progress is not None:
            progress(f"{by}={value}")
        compiled, context, point, reps, naive_var = _run_one(loaded, by, value, persp, cluster)
        compiled_list.append(compiled)
        n = int(sizes[value])
        reasons = _reasons(context, n, min_n, reps["net_cost"].shape[0])
        for k, s in enumerate(point["strategies"]):
            if s == compiled.reference or (by == "setting" and s != value):
                continue
            for measure in MEASURES:
                r = reps[measure][:, k]
                var = float(np.nanvar(r, ddof=1))
                if not np.nanmax(r) > np.nanmin(r):  # no sampling variation (e.g. delivery cost): no test
                    var = 0.0
                key = ("*" if by == "setting" else s, measure)  # settings are compared across their strategies
                variances.setdefault(key, []).append((float(point[measure][0, k]), var))
                rows.append({"subgroup": by, "value": value, "strategy": s, "measure": measure, "n": n,
                             "mean": float(point[measure][0, k]), "low": float(np.nanquantile(r, tail)),
                             "high": float(np.nanquantile(r, 1 - tail)), "warning": "; ".join(reasons),
                             "design_effect": (var / naive_var[measure][k] if naive_var is not None
                                               and naive_var[measure][k] > 0 else np.nan),
                             "perspective": persp})
    table = pd.DataFrame(rows)
    p_values = {key: interaction_test([e for e, _ in pairs], [v for _, v in pairs])[2]
                for key, pairs in variances.items()}
    table["interaction_p"] = [p_values[("*" if by == "setting" else s, m)]
                              for s, m in zip(table["strategy"], table["measure"])]
    return SubgroupResult(table[list(COLUMNS)], tuple(_notes(by)), tuple(compiled_list), bool(base.synthetic))
