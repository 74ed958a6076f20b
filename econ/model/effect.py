"""The scenario's ``effect`` block: estimator inputs, the derived parameters of time, the observed window.

The block (``econ.scenario.schema.EffectSpec``) says which estimator turns the person-level data into
the ``effect`` statistics (``econ.inputs.effects``), how long the data window is and what the effect
does after it. This module

- validates the block against the parameters (names that must be parameters with a value, ranges of
  numbers, a half-life for ``decay``, rho and population ratio for ``rtm_adjusted``), with located
  problems;
- resolves rho and the population ratio of every service for ``rtm_adjusted``; a parameter named
  there with a distribution is drawn once per bootstrap replicate (its own stream, fixed by the seed
  and its name) and becomes a member of the joint service-use group, so each PSA draw uses the same
  value in the effect statistics and wherever the parameter is written;
- defines the parameters named in :data:`EFFECT_PARAMETERS`: ``effect_persistence``, ``effect_window`` and
  ``effect_counterfactual_path`` (of ``cycle``, see ``EffectSpec``), ``effect_follow_up_months`` (F) and
  ``effect_months`` (the middle of the cycle in months since baseline, (t - 0.5) L), so a scenario
  can write its own counterfactual path per service category;
- gives, per cycle, the share inside the observed window (:func:`window_inside`), from which the
  analyses compute the share of the saving beyond it.

Timing: cycle t covers months ((t - 1) L, t L], L the cycle length in months. Its share inside the
window of F months is clip((F - (t - 1) L) / L, 0, 1). Beyond the window the effect is multiplied by 0
(``none``), 1 (``constant``) or 0.5^((m - F) / h) (``decay``), m the middle of the cycle's part beyond
the window; within it by 1. So ``effect_persistence`` = inside + (1 - inside) x that factor.
"""
from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np

from econ.core.errors import Problem
from econ.scenario.schema import CYCLE_LENGTH_YEARS

#: Derived parameters the ``effect`` block defines (a scenario parameter may not use these names).
EFFECT_PARAMETERS = ("effect_persistence", "effect_window", "effect_counterfactual_path", "effect_follow_up_months",
                     "effect_months")

#: Salt of the stream of joint draws of rho and population-ratio parameters (with the seed and the name).
JOINT_STREAM = 0xB007


def months_per_cycle(spec) -> float:
    """Cycle length in months (1 for monthly cycles)."""
    return 1.0 if spec.settings.cycle_length == "month" else CYCLE_LENGTH_YEARS[spec.settings.cycle_length] * 12.0


def window_inside(spec) -> np.ndarray:
    """Share of each cycle (1..n_cycles) inside the observed window; all ones without an ``effect`` block."""
    n = spec.settings.n_cycles
    if spec.effect is None:
        return np.ones(n)
    L = months_per_cycle(spec)
    t = np.arange(1, n + 1, dtype=float)
    return np.clip((spec.effect.follow_up_months - (t - 1.0) * L) / L, 0.0, 1.0)


def _num(x) -> str:
    return repr(float(x)) if not isinstance(x, str) else x


def effect_expressions(spec) -> dict[str, str]:
    """Text of the derived parameters of :data:`EFFECT_PARAMETERS` for this scenario."""
    e = spec.effect
    L, F = _num(months_per_cycle(spec)), _num(e.follow_up_months)
    inside = f"min(max(({F} - (cycle - 1) * {L}) / {L}, 0), 1)"
    if e.persistence == "constant":
        persistence = "1"
    elif e.persistence == "none":
        persistence = inside
    else:
        mid = f"(max((cycle - 1) * {L}, {F}) + cycle * {L}) / 2"
        persistence = f"{inside} + (1 - {inside}) * 0.5 ** (({mid} - {F}) / {_num(e.half_life_months)})"
    m = f"(cycle - 0.5) * {L}"
    h = e.counterfactual_half_life_months
    path = f"min({m} / {F}, 1)" if h is None else f"(1 - 0.5 ** ({m} / {_num(h)})) / (1 - 0.5 ** ({F} / {_num(h)}))"
    return {"effect_persistence": persistence, "effect_window": inside, "effect_counterfactual_path": path,
            "effect_follow_up_months": F, "effect_months": m}


def _named(spec) -> list[tuple[tuple, str | float, str]]:
    """(key path, value, kind) of every number-or-name of the block; kind: rho, ratio, half_life."""
    e = spec.effect
    out = [(("effect", "half_life_months"), e.half_life_months, "half_life"),
           (("effect", "counterfactual_half_life_months"), e.counterfactual_half_life_months, "half_life"),
           (("effect", "rho"), e.rho, "rho"), (("effect", "population_ratio"), e.population_ratio, "ratio")]
    out += [(("effect", "rho_by_service", k), v, "rho") for k, v in e.rho_by_service.items()]
    out += [(("effect", "population_ratio_by_service", k), v, "ratio") for k, v in e.population_ratio_by_service.items()]
    return [item for item in out if item[1] is not None]


_RANGES = {"rho": (0.0, 1.0, "a correlation in [0, 1]"), "ratio": (0.0, np.inf, "a ratio > 0"),
           "half_life": (0.0, np.inf, "a number of months > 0")}


def _outside(kind: str, x) -> np.ndarray:
    lo, hi, _ = _RANGES[kind]
    x = np.asarray(x, dtype=float)
    bad = ~np.isfinite(x) | (x < lo) | (x > hi)
    return bad | (x <= 0) if kind != "rho" else bad


def effect_problems(loaded) -> list[Problem]:
    """Problems of the block that need no data: missing keys, numbers out of range, names clashing."""
    spec = loaded.spec
    e = spec.effect
    problems = []
    if e.persistence == "decay" and e.half_life_months is None:
        problems.append(loaded.problem(("effect", "persistence"), "persistence 'decay' needs half_life_months "
                                                                  "(a number of months or a parameter name)"))
    if e.estimator == "rtm_adjusted":
        for key in ("rho", "population_ratio"):
            if getattr(e, key) is None and not getattr(e, f"{key}_by_service"):
                problems.append(loaded.problem(("effect", "estimator"), f"estimator 'rtm_adjusted' needs '{key}' "
                                                                        f"(a number or a parameter name)"))
    for path, value, kind in _named(spec):
        if isinstance(value, str):
            if value not in spec.parameters:
                problems.append(loaded.problem(path, f"'{value}' is not a parameter; give a number ({_RANGES[kind][2]}) "
                                                     f"or the name of a parameter"))
        elif _outside(kind, value).any():
            problems.append(loaded.problem(path, f"must be {_RANGES[kind][2]} (got {value!r})"))
    for name in EFFECT_PARAMETERS:
        if name in spec.parameters:
            problems.append(loaded.problem(("parameters", name), f"'{name}' is defined by the 'effect' block; "
                                                                 f"choose another name"))
    return problems


def data_option_problems(loaded) -> list[Problem]:
    """``data.cost_model`` other than ``mean`` is used by the ``data effect`` command only, so it is refused in a
    model with an ``effect`` block (it would be silently ignored). The model's statistics are means of one
    arm and period (and DiD / ANCOVA of them): without covariates the gamma GLM's and the two-part model's
    estimate of such a mean is the mean itself (the maximum-likelihood intercept of a log-link GLM is the
    log of the sample mean; share with cost x mean of those with cost = the mean), so they would change
    nothing there. ``data.missing_followup`` is honoured (econ.inputs.followup_model)."""
    spec = loaded.spec
    if spec.data.cost_model == "mean":
        return []
    return [loaded.problem(("data", "cost_model"), f"'{spec.data.cost_model}' is used by the `data effect` command only; "
                                                   f"the model's statistics are means per arm and period, which a "
                                                   f"gamma GLM or a two-part model without covariates estimates by "
                                                   f"the mean itself (remove the key or set it to 'mean')")]


def input_names(spec) -> list[str]:
    """Parameter names the block uses as rho or population ratio (drawn jointly with the bootstrap)."""
    return list(dict.fromkeys(v for _, v, kind in _named(spec) if isinstance(v, str) and kind in ("rho", "ratio")))


def joint_parameter(loaded, param, n_boot: int, problems: list):
    """``param`` with its distribution drawn once per bootstrap replicate (a JointDraws), checked for range."""
    from econ.inputs.context import JointDraws

    kinds = {kind for _, v, kind in _named(loaded.spec) if v == param.name and kind in ("rho", "ratio")}
    path = ("parameters", param.name)
    if param.is_derived:
        problems.append(loaded.problem(path, "a rho or population ratio of the 'effect' block must be a number or "
                                             "a distribution, not an expression"))
        return param
    for kind in kinds:
        if _outside(kind, param.point).any():
            problems.append(loaded.problem(path, f"used by the 'effect' block as {_RANGES[kind][2]} (got "
                                                 f"{float(param.point)!r})"))
            return param
    if not param.is_uncertain:
        return param
    dist = param.distribution
    low, high = dist.support
    for kind in kinds:
        lo, hi, what = _RANGES[kind]
        if getattr(dist, "dimension", 1) != 1 or low < lo or high > hi:
            problems.append(loaded.problem(path, f"its distribution ({dist.name}, support {low:g} to {high:g}) gives "
                                                 f"values outside {what}, as the 'effect' block uses it; use a beta "
                                                 f"for rho, a gamma or lognormal for a ratio"))
            return param
    seed = int(loaded.spec.settings.seed)
    rng = np.random.default_rng([seed, JOINT_STREAM, zlib.crc32(param.name.encode())])
    return replace(param, distribution=JointDraws(_Sample(dist, rng, n_boot), dist))


class _Sample:
    """``n`` draws of ``dist`` from ``rng``, when called (a plain object, so a compiled scenario pickles)."""

    def __init__(self, dist, rng, n: int):
        self.dist, self.rng, self.n = dist, rng, n

    def __call__(self) -> np.ndarray:
        return np.asarray(self.dist.sample(self.rng, self.n), dtype=float)


class _Dependents:
    """Values of a rho or ratio parameter -> the effect statistics computed with them (see attach_dependents)."""

    def __init__(self, context, uses: list):
        self.context, self.uses = context, uses

    def __call__(self, values) -> dict:
        values = np.asarray(values, dtype=float)
        return {name: np.broadcast_to(self.context.effect_point_at(name, ref, **{kind: values}), values.shape)
                for name, ref, kind in self.uses}


def rtm_inputs(loaded, context, params: dict, problems: list) -> dict:
    """Service -> RtmInputs for every service of the data (``rtm_adjusted``), located problems appended."""
    from econ.inputs.effects import RtmInputs

    e = loaded.spec.effect
    services = list(context.population_baseline)
    for key in ("rho_by_service", "population_ratio_by_service"):
        for code in getattr(e, key):
            if code not in services:
                problems.append(loaded.problem(("effect", key, code), f"service '{code}' is not in the data; "
                                                                      f"services: {', '.join(services)}"))

    def value(x):
        if x is None:
            return np.nan, None
        if not isinstance(x, str):
            return float(x), None
        p = params.get(x)
        if p is None or p.is_derived:
            return np.nan, None
        joint = p.distribution if hasattr(p.distribution, "draw_joint") else None
        return float(p.point), joint

    out = {}
    for code in services:
        rho_of, ratio_of = e.rho_by_service.get(code, e.rho), e.population_ratio_by_service.get(code, e.population_ratio)
        rho, rho_draws = value(rho_of)
        ratio, ratio_draws = value(ratio_of)
        out[code] = RtmInputs(rho, ratio, rho_draws, ratio_draws, rho_of if isinstance(rho_of, str) else None,
                              ratio_of if isinstance(ratio_of, str) else None)
    return out


def attach_dependents(loaded, context, params: dict) -> None:
    """Give each joint rho / ratio parameter the map from its value to the effect statistics it drives.

    A one-way analysis that moves such a parameter alone then moves, with it, every effect statistic
    computed with it (at the data's point estimate), as the probabilistic analysis does draw by draw.
    """
    from econ.inputs.effects import EFFECT_STATISTICS

    users: dict = {}
    for name, entry in loaded.spec.parameters.items():
        ref = getattr(entry, "service_use", None)
        inputs = context.effect_inputs.get(ref.service) if ref is not None else None
        if ref is None or ref.statistic not in EFFECT_STATISTICS or inputs is None or name not in params:
            continue
        for kind, source in (("rho", inputs.rho_name), ("ratio", inputs.ratio_name)):
            if source is not None:
                users.setdefault(source, []).append((name, ref, kind))
    for source, uses in users.items():
        dist = params[source].distribution if source in params else None
        if dist is not None and hasattr(dist, "dependents"):
            dist.dependents = _Dependents(context, uses)


def effect_summary(spec) -> dict:
    """What the manifest and the terminal say about the block (empty without one)."""
    from econ.inputs.estimators import ESTIMATORS

    e = spec.effect
    if e is None:
        return {}
    out = {"estimator": e.estimator, "label": ESTIMATORS[e.estimator], "follow_up_months": e.follow_up_months,
           "persistence": e.persistence}
    if e.persistence == "decay":
        out["half_life_months"] = e.half_life_months
    if e.counterfactual_half_life_months is not None:
        out["counterfactual_half_life_months"] = e.counterfactual_half_life_months
    if e.estimator == "rtm_adjusted":
        out.update(rho=e.rho, rho_by_service=dict(e.rho_by_service), population_ratio=e.population_ratio,
                   population_ratio_by_service=dict(e.population_ratio_by_service))
    return out

