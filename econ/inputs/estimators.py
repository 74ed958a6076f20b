"""Effect estimators from person-level before-after data, with a person bootstrap shared across outcomes.

Four estimators of the effect of peer support on the mean of each outcome (monthly use or cost of a
service, total cost, SWEMWBS score) in the intervention group, each with what it assumes:

``pre_post``
    Follow-up mean minus baseline mean in the intervention group. **No comparison group**: the change
    includes regression to the mean (people join at a point of need), secular trends and any effect.
    Kept for comparison with earlier results; it is not an estimate of the effect.
``difference_in_differences``
    Change in the intervention group minus change in the comparison group. Assumes parallel trends:
    without peer support both groups would have changed alike, which includes the same regression to
    the mean (true when both were selected the same way, e.g. referred at the same point of need).
``ancova``
    Follow-up regressed on baseline and group (ordinary least squares, statsmodels), per outcome; the
    group coefficient. Removes the part of regression to the mean due to baseline imbalance between
    groups, under a common linear relation of follow-up to baseline in both groups; consistent for the
    mean difference whatever that relation when groups are comparable at baseline (randomised or
    selected alike).
``rtm_adjusted``
    Before-after change in the intervention group plus the expected regression to the mean (Barnett,
    van der Pols & Dobson 2005): expected RTM = ``(1 - rho) x (mean baseline of those selected -
    population mean)``. Needs the population mean (of the population people were selected from, without
    selection) and the test-retest correlation ``rho`` of the outcome in that population, which is
    uncertain: pass its bootstrap draws. Assumes no secular trend and a linear regression of follow-up
    on baseline (exact for bivariate normal data).

All four use complete cases (people followed up), which is unbiased only when loss to follow-up is
unrelated to the outcomes; the numbers lost are reported. The bootstrap resamples people with
replacement within group, keeping each person's baseline and follow-up together; one resample is
shared by every outcome and estimator of a call, so costs and outcomes stay correlated. Intervals are
bootstrap percentiles.

References
----------
Barnett AG, van der Pols JC, Dobson AJ (2005) Regression to the mean: what it is and how to deal with
it. Int J Epidemiol 34(1):215-220. Vickers AJ, Altman DG (2001) Analysing controlled trials with
baseline and follow up measurements. BMJ 323:1123-1124.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from econ.core.errors import DataError
from econ.inputs.service_use import INFORMAL_CARE_SERVICE, ServiceUseData
from econ.inputs.unit_costs import UnitCostTable
if TYPE_CHECKING:  # imported where used: the default scenario has no controlled data (start-up, issue 19)
    from econ.inputs.controlled_data import ControlledData

#: Estimators and the label printed next to their results.
ESTIMATORS = {
    "pre_post": "before-after, no comparison group (includes regression to the mean)",
    "difference_in_differences": "difference in differences (parallel trends)",
    "ancova": "ANCOVA: follow-up on baseline and group",
    "rtm_adjusted": "before-after adjusted for regression to the mean (Barnett et al. 2005)",
}

#: Estimators that need a comparison group.
NEEDS_COMPARISON = ("difference_in_differences", "ancova")

#: Measures of an outcome column.
MEASURES = ("use", "cost", "swemwbs")

#: Name of the total-cost column added with the cost measure.
TOTAL_COST = "total_cost"


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Complete-case person-level outcomes, ready for estimation.

    Attributes
    ----------
    names : tuple of str
        Outcome columns (service codes, :data:`TOTAL_COST`, ``'swemwbs'``).
    measures : tuple of str
        Measure of each column (:data:`MEASURES`): use (units per person per month), cost (GBP per person
        per month), swemwbs (points).
    baseline, followup : numpy.ndarray
        (n_persons, n_columns), persons followed up only.
    intervention : numpy.ndarray
        (n_persons,) bool: True for the intervention group.
    n_lost : dict
        People lost to follow-up by group (``'intervention'``, ``'comparison'``).
    has_group_column : bool
        Whether the data carry a ``group`` column.
    source_file : str
        Data file, for messages.
    unit_cost : tuple of float
        Per column: the unit cost that turned use into cost (cost columns of a service), NaN for
        :data:`TOTAL_COST`, 1 otherwise; empty means 1 for every column.
    """

    names: tuple[str, ...]
    measures: tuple[str, ...]
    baseline: np.ndarray
    followup: np.ndarray
    intervention: np.ndarray
    n_lost: Mapping[str, int]
    has_group_column: bool = True
    source_file: str = ""
    unit_cost: tuple[float, ...] = ()

    def scale(self, k: int) -> float:
        """Multiplier from the unit of the service to the unit of column ``k``."""
        return self.unit_cost[k] if self.unit_cost else 1.0

    @property
    def n_intervention(self) -> int:
        """Intervention people analysed."""
        return int(self.intervention.sum())

    @property
    def n_comparison(self) -> int:
        """Comparison people analysed."""
        return int((~self.intervention).sum())


def outcomes_from_data(data: ServiceUseData | ControlledData, *, unit_costs: UnitCostTable | None = None,
                       measures: Sequence[str] = ("use",)) -> Outcomes:
    """Outcome columns of loaded data, complete cases only.

    Parameters
    ----------
    data : ServiceUseData or ControlledData
        Service-use data without groups (everyone is in the intervention group) or controlled data.
    unit_costs : UnitCostTable, optional
        Needed for the ``cost`` measure; the services' costs must be at one price year.
    measures : sequence of str
        ``use`` (monthly use per service, and informal care hours per month when loaded), ``cost``
        (monthly cost per service and :data:`TOTAL_COST`), ``swemwbs`` (data loaded with a persons file).

    Raises
    ------
    DataError
        Unknown measure, cost without unit costs or at several price years, SWEMWBS absent.
    """
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise DataError(f"unknown measure {unknown[0]!r}; choose from {', '.join(MEASURES)}")
    from econ.inputs.controlled_data import ControlledData
    controlled = isinstance(data, ControlledData)
    use = np.moveaxis(np.asarray(data.monthly_use, dtype=float), 0, 2)  # persons x services x period
    names, kinds, columns, scales = [], [], [], []
    if "use" in measures:
        names += list(data.services)
        kinds += ["use"] * len(data.services)
        columns.append(use)
        scales += [1.0] * len(data.services)
        informal = None if controlled else data.informal_care_monthly
        if informal is not None:
            names.append(INFORMAL_CARE_SERVICE)
            kinds.append("use")
            columns.append(np.asarray(informal).T[:, None, :])
            scales.append(1.0)
    if "cost" in measures:
        cost = _unit_cost_vector(data, unit_costs)
        per_service = use * cost[None, :, None]
        names += list(data.services) + [TOTAL_COST]
        kinds += ["cost"] * (len(data.services) + 1)
        columns += [per_service, per_service.sum(axis=1, keepdims=True)]
        scales += list(cost) + [np.nan]
    if "swemwbs" in measures:
        if getattr(data, "swemwbs", None) is None:
            raise DataError(f"{data.source_file}: no SWEMWBS scores; they come from a persons file "
                            f"(columns swemwbs_baseline, swemwbs_followup)")
        names.append("swemwbs")
        kinds.append("swemwbs")
        columns.append(np.asarray(data.swemwbs).T[:, None, :])
        scales.append(1.0)
    values = np.concatenate(columns, axis=1) if columns else np.zeros((data.n_persons, 0, 2))
    if controlled:
        intervention = (data.persons["group"] == "intervention").to_numpy()
        followed = data.persons["followed_up"].to_numpy(dtype=bool)
    else:  # the default format: everyone in the intervention group; followed_up when the persons file records it
        intervention = np.ones(data.n_persons, dtype=bool)
        followed = (data.persons["followed_up"].to_numpy(dtype=bool) if "followed_up" in data.persons
                    else np.ones(data.n_persons, dtype=bool))
    lost = {"intervention": int((intervention & ~followed).sum()), "comparison": int((~intervention & ~followed).sum())}
    return Outcomes(names=tuple(names), measures=tuple(kinds), baseline=values[followed, :, 0],
                    followup=values[followed, :, 1], intervention=intervention[followed], n_lost=lost,
                    has_group_column=controlled, source_file=data.source_file, unit_cost=tuple(scales))


def _unit_cost_vector(data, unit_costs: UnitCostTable | None) -> np.ndarray:
    if unit_costs is None:
        raise DataError(f"{data.source_file}: the cost measure needs unit costs (unit_costs=)")
    table = unit_costs.select(data.services)
    years = sorted({item.price_year for item in table})
    if len(years) > 1:
        raise DataError(f"the unit costs of the services are at different price years ({', '.join(years)}); "
                        f"re-base the table to one price year first (UnitCostTable.rebased)")
    lookup = {item.code: item.cost for item in table}
    return np.array([lookup[code] for code in data.services], dtype=float)


@dataclass(frozen=True, eq=False)
class Resample:
    """Bootstrap weights: ``weights[r, i]`` is how often person ``i`` is drawn in replicate ``r``."""

    weights: np.ndarray

    @property
    def n_boot(self) -> int:
        """Number of replicates."""
        return self.weights.shape[0]


def draw_resample(outcomes: Outcomes, n_boot: int, rng: np.random.Generator) -> Resample:
    """Resample people with replacement within group (intervention first, then comparison).

    Each replicate draws ``n_g`` people from each group of ``n_g``; the draws are ``rng.integers`` of
    shape (n_boot, n_g) per group in that order, so the same seed gives the same replicates.
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise DataError(f"n_boot must be a whole number >= 1 (got {n_boot!r})")
    weights = np.zeros((n_boot, len(outcomes.intervention)))
    for member in (outcomes.intervention, ~outcomes.intervention):
        index = np.flatnonzero(member)
        if len(index) == 0:
            continue
        draws = rng.integers(0, len(index), size=(n_boot, len(index)))
        offsets = (np.arange(n_boot) * len(index))[:, None]
        counts = np.bincount((draws + offsets).ravel(), minlength=n_boot * len(index))
        weights[:, index] = counts.reshape(n_boot, len(index))
    return Resample(weights)


@dataclass(frozen=True, eq=False)
class EffectEstimate:
    """One estimator's estimates for every outcome column, with bootstrap replicates.

    Attributes
    ----------
    estimator : str
        Key of :data:`ESTIMATORS`.
    outcomes : Outcomes
        The data estimated from.
    estimate : numpy.ndarray
        (n_columns,) estimated effect: change in the mean per person (per month for use and cost).
    replicates : numpy.ndarray
        (n_boot, n_columns) bootstrap estimates (same resample for every column).
    level : float
        Interval level.
    """

    estimator: str
    outcomes: Outcomes
    estimate: np.ndarray
    replicates: np.ndarray
    level: float = 0.95

    @property
    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """Percentile bootstrap interval (low, high) per column."""
        tail = (1.0 - self.level) / 2.0
        return (np.quantile(self.replicates, tail, axis=0), np.quantile(self.replicates, 1.0 - tail, axis=0))

    def table(self) -> pd.DataFrame:
        """One row per column: estimator, label, measure, name, group sizes, estimate, low, high, boot_se."""
        low, high = self.interval
        o = self.outcomes
        return pd.DataFrame({
            "estimator": self.estimator, "label": ESTIMATORS[self.estimator], "measure": list(o.measures),
            "name": list(o.names), "n_intervention": o.n_intervention, "n_comparison": o.n_comparison,
            "lost_intervention": o.n_lost["intervention"], "lost_comparison": o.n_lost["comparison"],
            "estimate": self.estimate, "low": low, "high": high, "boot_se": self.replicates.std(axis=0, ddof=1)})


def _means(w: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Weighted means over persons: (R, n) weights x (n, m) values -> (R, m)."""
    return (w @ values) / w.sum(axis=1, keepdims=True)


def _change(w, o: Outcomes, member) -> np.ndarray:
    return _means(w[:, member], o.followup[member] - o.baseline[member])


def _require_comparison(o: Outcomes, estimator: str) -> None:
    if o.n_intervention < 2:
        raise DataError(f"{o.source_file}: {estimator} needs at least 2 intervention people followed up "
                        f"(got {o.n_intervention})")
    if estimator in NEEDS_COMPARISON and o.n_comparison < 2:
        found = ("the data have no 'group' column" if not o.has_group_column
                 else f"column 'group' has {o.n_comparison} 'comparison' people followed up")
        raise DataError(f"{o.source_file}: estimator {estimator!r} needs a comparison group (at least 2 people "
                        f"with group = comparison, followed up), but {found}; use 'rtm_adjusted' (needs a "
                        f"test-retest correlation and a population mean) or 'pre_post' (no comparison group)")


def _pre_post_values(w, o):
    return _change(w, o, o.intervention)


def _did_values(w, o):
    return _change(w, o, o.intervention) - _change(w, o, ~o.intervention)


def _ancova_values(w, o):
    """Group coefficient of the weighted least-squares fit followup ~ 1 + group + baseline, per column.

    By the Frisch-Waugh theorem, with weighted (co)variances V: b_group = (V_gy V_xx - V_gx V_xy) /
    (V_gg V_xx - V_gx^2); when baseline does not vary (V_xx = 0) it is V_gy / V_gg, the difference in means.
    """
    total = w.sum(axis=1, keepdims=True)
    g = o.intervention.astype(float)
    mg = (w @ g)[:, None] / total
    mx, my = _means(w, o.baseline), _means(w, o.followup)
    vgg = mg * (1.0 - mg)
    vgx = (w @ (g[:, None] * o.baseline)) / total - mg * mx
    vgy = (w @ (g[:, None] * o.followup)) / total - mg * my
    vxx = _means(w, o.baseline**2) - mx**2
    vxy = _means(w, o.baseline * o.followup) - mx * my
    scale = np.maximum(_means(w, o.baseline**2), 1e-300)
    flat = vxx <= 1e-12 * scale
    denominator = vgg * vxx - vgx**2
    with np.errstate(divide="ignore", invalid="ignore"):
        adjusted = (vgy * vxx - vgx * vxy) / denominator
    return np.where(flat, vgy / vgg, adjusted)


def ancova_statsmodels(o: Outcomes) -> pd.DataFrame:
    """ANCOVA per column with statsmodels OLS: group coefficient, its model-based SE and p-value.

    The point estimates equal :func:`ancova`'s (checked in the tests); the bootstrap uses the closed form.
    """
    import statsmodels.api as sm

    _require_comparison(o, "ancova")
    rows = []
    for k, name in enumerate(o.names):
        design = np.column_stack([np.ones(len(o.intervention)), o.intervention.astype(float), o.baseline[:, k]])
        fit = sm.OLS(o.followup[:, k], design).fit()
        rows.append({"name": name, "estimate": fit.params[1], "se_model": fit.bse[1], "p_value": fit.pvalues[1]})
    return pd.DataFrame(rows)


def expected_rtm(baseline_mean, population_mean, rho):
    """Expected regression to the mean of a group selected with this baseline mean (Barnett et al. 2005).

    ``(1 - rho) x (baseline_mean - population_mean)``: how much the group's mean would fall by follow-up
    without any effect (rise, when selected below the mean), under a linear regression of follow-up on
    baseline with slope rho in the population. Broadcasts over arrays (e.g. one rho per replicate).
    """
    return (1.0 - np.asarray(rho, dtype=float)) * (np.asarray(baseline_mean, dtype=float) - population_mean)


def _rtm_values(w, o, rho, mu):
    """Change in the intervention group plus the expected RTM (1 - rho) (baseline mean - mu)."""
    member = o.intervention
    baseline = _means(w[:, member], o.baseline[member])
    return _change(w, o, member) + expected_rtm(baseline, mu, rho)


def _per_column(o: Outcomes, values, what: str, *, scaled: bool = False) -> np.ndarray:
    """Values per column from a mapping by name (times the column's unit cost when ``scaled``) or an array."""
    if isinstance(values, Mapping):
        missing = list(dict.fromkeys(name for name in o.names if name not in values))
        if missing:
            raise DataError(f"rtm_adjusted needs {what} for every outcome; missing for {', '.join(missing)}")
        return np.array([values[name] * (o.scale(k) if scaled else 1.0) for k, name in enumerate(o.names)],
                        dtype=float)
    return np.broadcast_to(np.asarray(values, dtype=float), (len(o.names),))


def _derived_total(o: Outcomes, rho, population_mean) -> int | None:
    """Index of the total-cost column when it is to be summed from the service cost columns, else None."""
    if TOTAL_COST not in o.names or not isinstance(rho, Mapping) or not isinstance(population_mean, Mapping):
        return None
    if TOTAL_COST in rho or TOTAL_COST in population_mean:
        return None
    return o.names.index(TOTAL_COST)


def _columns(o: Outcomes, keep: Sequence[int]) -> Outcomes:
    keep = list(keep)
    return Outcomes(tuple(o.names[k] for k in keep), tuple(o.measures[k] for k in keep), o.baseline[:, keep],
                    o.followup[:, keep], o.intervention, o.n_lost, o.has_group_column, o.source_file,
                    tuple(o.unit_cost[k] for k in keep) if o.unit_cost else ())


def _draw_columns(draws, o: Outcomes, keep: Sequence[int]):
    if draws is None or isinstance(draws, Mapping):
        return draws
    draws = np.asarray(draws, dtype=float)
    return draws if draws.ndim == 1 else draws[:, list(keep)]


def _finish(estimator, o, resample, rng, n_boot, level, values):
    if resample is None:
        resample = draw_resample(o, n_boot, rng if rng is not None else np.random.default_rng())
    if resample.weights.shape[1] != len(o.intervention):
        raise DataError(f"the resample has {resample.weights.shape[1]} people but the outcomes have {len(o.intervention)}")
    if not 0.0 < level < 1.0:
        raise DataError(f"level must be between 0 and 1 (got {level!r})")
    ones = np.ones((1, len(o.intervention)))
    return EffectEstimate(estimator, o, values(ones, None)[0], values(resample.weights, resample), level)


def pre_post(o: Outcomes, *, resample: Resample | None = None, rng=None, n_boot: int = 1000,
             level: float = 0.95) -> EffectEstimate:
    """Before-after change in the intervention group; **no comparison group** (see the module docstring)."""
    _require_comparison(o, "pre_post")
    return _finish("pre_post", o, resample, rng, n_boot, level, lambda w, r: _pre_post_values(w, o))


def difference_in_differences(o: Outcomes, *, resample: Resample | None = None, rng=None, n_boot: int = 1000,
                              level: float = 0.95) -> EffectEstimate:
    """Change in the intervention group minus change in the comparison group (parallel trends)."""
    _require_comparison(o, "difference_in_differences")
    return _finish("difference_in_differences", o, resample, rng, n_boot, level, lambda w, r: _did_values(w, o))


def ancova(o: Outcomes, *, resample: Resample | None = None, rng=None, n_boot: int = 1000,
           level: float = 0.95) -> EffectEstimate:
    """Group coefficient of follow-up regressed on baseline and group, per column (see the module docstring)."""
    _require_comparison(o, "ancova")
    return _finish("ancova", o, resample, rng, n_boot, level, lambda w, r: _ancova_values(w, o))


def rtm_adjusted(o: Outcomes, *, rho, population_mean, rho_draws=None, resample: Resample | None = None,
                 rng=None, n_boot: int = 1000, level: float = 0.95) -> EffectEstimate:
    """Before-after change plus the expected regression to the mean (Barnett et al. 2005).

    Parameters
    ----------
    rho : float or mapping of column to float
        Test-retest correlation in the population (point value, in [0, 1]).
    population_mean : float or mapping of column to float
        Mean of the outcome in the population people were selected from. A mapping is by name in the
        unit of the service (use per month), turned into cost for cost columns with their unit cost; an
        array is in the unit of each column.
    rho_draws : array_like or mapping of column to array_like, optional
        Draws of rho from its uncertainty distribution, one per bootstrap replicate (shape (n_boot,) or
        (n_boot, n_columns)); without them rho is fixed and the interval reflects sampling only.

    Notes
    -----
    The expected RTM of a sum is the sum of the services' expected RTM, each with its own rho. So when
    ``rho`` and ``population_mean`` are mappings without :data:`TOTAL_COST`, the total-cost estimate (and
    each replicate) is the sum of the per-service cost estimates, not a formula with one rho.
    """
    _require_comparison(o, "rtm_adjusted")
    total = _derived_total(o, rho, population_mean)
    if total is not None:
        rest = [k for k in range(len(o.names)) if k != total]
        part = rtm_adjusted(_columns(o, rest), rho=rho, population_mean=population_mean,
                            rho_draws=_draw_columns(rho_draws, o, rest), resample=resample, rng=rng, n_boot=n_boot,
                            level=level)
        costs = [j for j, k in enumerate(rest) if o.measures[k] == "cost"]
        return EffectEstimate("rtm_adjusted", o, np.insert(part.estimate, total, part.estimate[costs].sum()),
                              np.insert(part.replicates, total, part.replicates[:, costs].sum(axis=1), axis=1), level)
    point = _per_column(o, rho, "rho")
    mu = _per_column(o, population_mean, "a population mean", scaled=True)
    if np.any((point < 0) | (point > 1)):
        raise DataError(f"rtm_adjusted: rho must be in [0, 1] (got {point.min():g} to {point.max():g})")

    def values(w, r):
        if r is None or rho_draws is None:
            return _rtm_values(w, o, point, mu)
        if isinstance(rho_draws, Mapping):
            draws = np.column_stack([np.asarray(rho_draws[name], dtype=float) for name in o.names])
        else:
            draws = np.asarray(rho_draws, dtype=float)
            draws = draws[:, None] if draws.ndim == 1 else draws
        if draws.shape[0] != r.n_boot:
            raise DataError(f"rtm_adjusted: {draws.shape[0]} rho draws for {r.n_boot} bootstrap replicates")
        return _rtm_values(w, o, draws, mu)

    return _finish("rtm_adjusted", o, resample, rng, n_boot, level, values)


def estimate_effects(o: Outcomes, estimators: Sequence[str], *, n_boot: int, rng: np.random.Generator,
                     level: float = 0.95, **rtm) -> dict[str, EffectEstimate]:
    """Run several estimators on one shared resample (so their replicates are paired).

    ``rtm`` holds the keyword arguments of :func:`rtm_adjusted` (``rho``, ``population_mean``,
    ``rho_draws``) when it is asked for.
    """
    unknown = [name for name in estimators if name not in ESTIMATORS]
    if unknown:
        raise DataError(f"unknown estimator {unknown[0]!r}; choose from {', '.join(ESTIMATORS)}")
    for name in estimators:
        _require_comparison(o, name)
    if "rtm_adjusted" in estimators and not {"rho", "population_mean"} <= set(rtm):
        raise DataError("rtm_adjusted needs rho and population_mean (and optionally rho_draws)")
    resample = draw_resample(o, n_boot, rng)
    functions = {"pre_post": pre_post, "difference_in_differences": difference_in_differences, "ancova": ancova}
    out = {}
    for name in estimators:
        if name == "rtm_adjusted":
            out[name] = rtm_adjusted(o, resample=resample, level=level, **rtm)
        else:
            out[name] = functions[name](o, resample=resample, level=level)
    return out
