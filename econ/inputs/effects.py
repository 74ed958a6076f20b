"""Effect statistics of a scenario's ``effect`` block, from the means of the service-use data.

The ``service_use:`` statistics ``effect``, ``effect_reduction``, ``counterfactual`` and
``counterfactual_change`` of a service are computed here from its mean monthly use at baseline ``b`` and
follow-up ``f`` (one number for the point estimate, one per bootstrap replicate for the probabilistic
analysis), by the scenario's estimator (what each assumes: :mod:`econ.inputs.estimators`):

``pre_post``
    effect = f - b; counterfactual = b (usual care stays at baseline: no comparison group, so the
    change includes regression to the mean). ``effect_reduction`` is then computed as
    ``-((f - b) / b)``, the same operations as the ``reduction`` statistic, so a scenario that moves from
    ``reduction`` to ``effect_reduction`` under ``pre_post`` gives bit-identical results.
``rtm_adjusted``
    effect = (f - b) + (1 - rho) (b - mu) (Barnett, van der Pols & Dobson 2005, through
    :func:`econ.inputs.estimators.expected_rtm`); counterfactual = f - effect = b - (1 - rho)(b - mu),
    where mu, the population mean, is ``population_ratio`` x the pooled baseline mean of everyone in the
    data. rho and the ratio may be one value per bootstrap replicate, so their uncertainty is drawn
    with the data's.

Then ``effect_reduction`` = -effect / counterfactual and ``counterfactual_change`` = (counterfactual -
b) / b. The estimators with a comparison group (``difference_in_differences``, ``ancova``) need person
level data with a ``group`` column (:func:`econ.inputs.controlled_data.load_controlled_data`);
:func:`check_estimator` says so, with the data file. With such data every service-use statistic is of
the intervention people followed up (:func:`intervention_view`), and :func:`comparison_effect` runs the
estimator of :mod:`econ.inputs.estimators` on them and the comparison people followed up, with the
intervention people's bootstrap weights of the same replicates as the other statistics
(:func:`econ.inputs.service_use.bootstrap_counts`) and the comparison people resampled on a stream of
their own.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from econ.inputs.estimators import (ESTIMATORS, NEEDS_COMPARISON, Outcomes, Resample, ancova,
                                    difference_in_differences, expected_rtm)

#: Statistics computed by the scenario's estimator.
EFFECT_STATISTICS = ("effect", "effect_reduction", "counterfactual", "counterfactual_change")

#: Estimators a scenario can use on data without a comparison group.
WITHOUT_COMPARISON = tuple(name for name in ESTIMATORS if name not in NEEDS_COMPARISON)


@dataclass(frozen=True)
class RtmInputs:
    """What ``rtm_adjusted`` needs for one service: rho and the population ratio, point and per replicate.

    ``rho_draws`` / ``ratio_draws`` are None when the value is fixed, else the parameter's JointDraws
    (``.replicates``: one value per bootstrap replicate, in replicate order, drawn when first needed);
    ``rho_name`` / ``ratio_name`` name the parameters they come from.
    """

    rho: float
    ratio: float
    rho_draws: object | None = None
    ratio_draws: object | None = None
    rho_name: str | None = None  # the parameter giving rho, if any
    ratio_name: str | None = None


def check_estimator(estimator: str, has_comparison: bool, data_file: str) -> str | None:
    """Why ``estimator`` cannot be used on these data (a message), or None when it can."""
    if estimator not in ESTIMATORS:
        return f"unknown estimator {estimator!r}; choose from {', '.join(ESTIMATORS)}"
    if estimator in NEEDS_COMPARISON and not has_comparison:
        return (f"estimator '{estimator}' needs a comparison group (a 'group' column with intervention and "
                f"comparison people), but the service-use data ({data_file}) have no 'group' column (or fewer than 2 "
                f"comparison people followed up); without a "
                f"comparison group use one of: {', '.join(WITHOUT_COMPARISON)} (rtm_adjusted adjusts for "
                f"regression to the mean; pre_post does not)")
    return None


def effect_statistic(baseline, followup, statistic: str, estimator: str, *, rho=None,
                     population_mean=None) -> np.ndarray:
    """One effect statistic from baseline and follow-up means (arrays of the same shape).

    Parameters
    ----------
    baseline, followup : array_like
        Mean monthly use per person (one value, or one per bootstrap replicate).
    statistic : str
        One of :data:`EFFECT_STATISTICS`.
    estimator : {"pre_post", "rtm_adjusted"}
    rho, population_mean : float or array_like
        ``rtm_adjusted`` only: test-retest correlation and population mean (scalars or per replicate).
    """
    b = np.asarray(baseline, dtype=float)
    f = np.asarray(followup, dtype=float)
    if estimator == "pre_post":
        if statistic == "effect":
            return f - b
        if statistic == "counterfactual":
            return b.copy()
        if statistic == "counterfactual_change":
            return np.zeros_like(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (f - b) / b
        return -change
    if estimator != "rtm_adjusted":
        raise ValueError(f"effect statistics from means need pre_post or rtm_adjusted (got {estimator!r})")
    return statistic_of_effect(b, f, (f - b) + expected_rtm(b, population_mean, rho), statistic)


def statistic_of_effect(baseline, followup, effect, statistic: str) -> np.ndarray:
    """One of :data:`EFFECT_STATISTICS` from the means and an estimated effect (counterfactual = f - effect)."""
    b = np.asarray(baseline, dtype=float)
    f = np.asarray(followup, dtype=float)
    effect = np.asarray(effect, dtype=float)
    counterfactual = f - effect
    if statistic == "effect":
        return effect
    if statistic == "counterfactual":
        return counterfactual
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "counterfactual_change":
            return (counterfactual - b) / b
        return -effect / counterfactual


def intervention_view(controlled):
    """The intervention people followed up of ControlledData, as ServiceUseData (for the usual statistics)."""
    from econ.inputs.service_use import ServiceUseData

    keep = ((controlled.persons["group"] == "intervention") & controlled.persons["followed_up"]).to_numpy()
    persons = controlled.persons.loc[keep, ["person_id", "group", "setting", "engagement_sessions",
                                             "engagement_band", "area", "bme"]].reset_index(drop=True)
    use = np.asarray(controlled.monthly_use)[:, keep, :].copy()
    use.flags.writeable = False
    swemwbs = None
    if controlled.swemwbs is not None:  # SWEMWBS of the persons file, so 'swemwbs' statistics work here too
        swemwbs = np.asarray(controlled.swemwbs)[:, keep].copy()
        swemwbs.flags.writeable = False
    return ServiceUseData(persons=persons, services=controlled.services, monthly_use=use,
                          recall_months=np.full((2, int(keep.sum())), np.nan), informal_care_monthly=None,
                          source_file=controlled.source_file, synthetic=controlled.synthetic,
                          metadata=controlled.metadata, swemwbs=swemwbs, persons_file=controlled.persons_file)


def _person_values(data, service: str, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(baseline, follow-up) of ``service`` (a service code or ``swemwbs``) for the people ``mask``; zeros for a
    service nobody used."""
    from econ.inputs.service_use import SWEMWBS

    if service == SWEMWBS and getattr(data, "swemwbs", None) is not None:
        scores = np.asarray(data.swemwbs, dtype=float)
        return scores[0, mask], scores[1, mask]
    if service not in data.services:
        return np.zeros(int(mask.sum())), np.zeros(int(mask.sum()))
    k = data.services.index(service)
    use = np.asarray(data.monthly_use)
    return use[0, mask, k], use[1, mask, k]


def comparison_people(controlled, service: str, attributes: dict) -> tuple[np.ndarray, np.ndarray]:
    """(baseline, follow-up) monthly use of ``service`` of the comparison people followed up with these
    attributes (area, bme; setting and engagement do not apply to them)."""
    persons = controlled.persons
    mask = ((persons["group"] == "comparison") & persons["followed_up"]).to_numpy()
    for key, value in attributes.items():
        if key in ("area", "bme"):
            mask &= (persons[key].astype(str) == str(value)).to_numpy()
    return _person_values(controlled, service, mask)


def comparison_effect(estimator: str, treated: tuple, compared: tuple, weights: tuple | None) -> np.ndarray:
    """Effect on one service by ``difference_in_differences`` or ``ancova`` (econ.inputs.estimators).

    ``treated`` / ``compared`` are (baseline, follow-up) arrays of the intervention and comparison people;
    ``weights`` None for the point estimate, else their bootstrap counts (replicates x people) each.
    Returns one value, or one per replicate.
    """
    baseline = np.concatenate([treated[0], compared[0]])[:, None]
    followup = np.concatenate([treated[1], compared[1]])[:, None]
    group = np.r_[np.ones(len(treated[0]), dtype=bool), np.zeros(len(compared[0]), dtype=bool)]
    o = Outcomes(names=("use",), measures=("use",), baseline=baseline, followup=followup, intervention=group,
                 n_lost={"intervention": 0, "comparison": 0})
    w = np.ones((1, len(group))) if weights is None else np.concatenate(weights, axis=1)
    run = difference_in_differences if estimator == "difference_in_differences" else ancova
    out = run(o, resample=Resample(w))
    return out.replicates[:, 0] if weights is not None else out.replicates[0, 0]


def comparison_statistic(context, name: str, ref, replicates: bool) -> np.ndarray:
    """DiD or ANCOVA effect on a parameter's service, from a DataContext with controlled data.

    The parameter's intervention people (its subgroup and the run's) take, in each replicate, their
    weights from the same draws as every other service-use statistic (``bootstrap_counts`` with the
    context's stream and strata); the comparison people followed up (with the same area / bme, when
    those are asked for) are resampled on a stream of their own, fixed by the seed and that subset, and
    shared by every service. Errors (too few people) are located at the parameter.
    """
    import zlib

    from econ.core.errors import DataError, ScenarioError
    from econ.inputs.service_use import bootstrap_counts

    data, where = context.service_use, ("parameters", name, "service_use")
    if context._followup is not None:  # ipw / mice: everyone resampled, weighted or imputed (econ.inputs.followup_model)
        try:
            return context._followup.comparison_effect(
                context.loaded.spec.effect.estimator, context.followup_mask(ref),
                context.followup_mask(ref, arm="comparison"), ref.service, replicates)
        except DataError as exc:
            raise ScenarioError(context.loaded.problem(where, exc.problems[0].message)) from None
    attributes = context._filter(ref)
    mask = np.ones(data.n_persons, dtype=bool)
    for key, value in attributes.items():
        mask &= data.persons[key].astype(str).to_numpy() == str(value)
    treated = _person_values(data, ref.service, mask)
    compared = comparison_people(context.controlled, ref.service, attributes)
    weights = None
    if replicates:
        seed, n_boot = int(context.loaded.spec.settings.seed), int(context.loaded.spec.data.bootstrap_replicates)
        cache = context.__dict__.setdefault("_effect_counts", {})
        if "intervention" not in cache:
            cache["intervention"] = bootstrap_counts(data, n_boot=n_boot, rng=np.random.default_rng([seed, 0xB007]),
                                                     by=context._by)
        subset = repr(sorted((a, str(v)) for a, v in attributes.items() if a in ("area", "bme")))
        if subset not in cache:
            rng = np.random.default_rng([seed, 0xB007, 0xC0, zlib.crc32(subset.encode())])
            n = len(compared[0])
            draws = rng.integers(0, n, size=(n_boot, n)) if n else np.zeros((n_boot, 0), dtype=np.intp)
            cache[subset] = np.stack([np.bincount(row, minlength=n) for row in draws]).astype(float) if n else \
                np.zeros((n_boot, 0))
        weights = (cache["intervention"][:, mask], cache[subset])
    try:
        return comparison_effect(context.loaded.spec.effect.estimator, treated, compared, weights)
    except DataError as exc:
        raise ScenarioError(context.loaded.problem(where, exc.problems[0].message)) from None


def check_context_estimator(context) -> None:
    """Raise a located ScenarioError when the data of a DataContext cannot serve the estimator."""
    from econ.core.errors import ScenarioError

    spec = context.loaded.spec.effect
    controlled = context.controlled
    has_group = controlled is not None and int(
        ((controlled.persons["group"] == "comparison") & controlled.persons["followed_up"]).sum()) >= 2
    message = check_estimator(spec.estimator, has_group, str(context.loaded.spec.data.service_use))
    if message is not None:
        raise ScenarioError(context.loaded.problem(("effect", "estimator"), message))


def context_effect(context, name: str, ref, b, f, replicates: bool, *, rho=None, ratio=None) -> np.ndarray:
    """An effect statistic of a parameter of a DataContext, by the estimator of the ``effect`` block.

    ``b`` / ``f`` are the baseline and follow-up means (one value, or one per replicate when
    ``replicates``); ``rho`` / ``ratio`` override the rtm_adjusted inputs (a one-way analysis). SWEMWBS
    (service ``swemwbs``, points, higher is better) is adjusted like service use, but only with its own
    rho and population ratio (``swemwbs`` in ``rho_by_service`` and ``population_ratio_by_service``):
    the ratios of service use (population below the people who join) would move it the wrong way.
    """
    from econ.core.errors import ScenarioError

    spec, loaded = context.loaded.spec.effect, context.loaded
    where = ("parameters", name, "service_use")
    if spec is None:
        raise ScenarioError(loaded.problem(where + ("statistic",), f"statistic '{ref.statistic}' is computed by an "
                                                                  f"estimator: add an 'effect:' block (estimator, "
                                                                  f"follow_up_months, persistence)"))
    check_context_estimator(context)
    if spec.estimator == "pre_post":
        return effect_statistic(b, f, ref.statistic, "pre_post")
    if spec.estimator in ("difference_in_differences", "ancova"):
        return statistic_of_effect(b, f, comparison_statistic(context, name, ref, replicates), ref.statistic)
    if ref.service == "swemwbs" and not all(ref.service in getattr(spec, f"{key}_by_service")
                                            for key in ("rho", "population_ratio")):
        raise ScenarioError(loaded.problem(where, "rtm_adjusted needs SWEMWBS's own rho and population ratio "
                                                  "(population mean / baseline mean score; above 1 when people join "
                                                  "with low wellbeing): give swemwbs in effect.rho_by_service and "
                                                  "effect.population_ratio_by_service"))
    inputs = context.effect_inputs.get(ref.service)
    if inputs is None or not (np.isfinite(inputs.rho) and np.isfinite(inputs.ratio)):
        raise ScenarioError(loaded.problem(where, f"rtm_adjusted has no rho and population ratio for service "
                                                  f"'{ref.service}': give effect.rho and effect.population_ratio, "
                                                  f"or the service in rho_by_service / population_ratio_by_service"))
    if rho is None:
        rho = inputs.rho_draws.replicates if replicates and inputs.rho_draws is not None else inputs.rho
    if ratio is None:
        ratio = inputs.ratio_draws.replicates if replicates and inputs.ratio_draws is not None else inputs.ratio
    mu = np.asarray(ratio, dtype=float) * context.population_baseline[ref.service]
    return effect_statistic(b, f, ref.statistic, "rtm_adjusted", rho=rho, population_mean=mu)
