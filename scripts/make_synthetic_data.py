"""Generate the SYNTHETIC service-use and informal-care data set (seeded, deterministic, date-free).

THE OUTPUT IS SYNTHETIC. It imitates the *shape* of the Side by Side research sample (about 700
people, 9 areas, three peer-support settings, about a third from Black and minority ethnic (BME)
communities, baseline and follow-up questionnaires), but no figure in it comes from Side by Side:
its economic tables are not available to this project. Use it to exercise the code, never as evidence.

It also writes two *controlled* companion data sets (an intervention and a comparison group,
regression to the mean, clustering, loss to follow-up, SWEMWBS), one with a known true effect and one
with regression to the mean but no true effect: ``scenarios/data/SYNTHETIC_controlled_*``, made by
``scripts/synthetic_controlled.py`` (see its docstring). The default data set above is unchanged by them.

Usage::

    python scripts/make_synthetic_data.py                 # writes scenarios/data/SYNTHETIC_*
    python scripts/make_synthetic_data.py --seed 7 --out-dir /tmp/syn

The same seed and person count give byte-identical files (no dates, fixed formatting, one
``numpy.random.Generator`` consumed in a fixed order).

How each person is generated (all parameters are the constants below; every one is an assumption, chosen
to agree with the default scenario ``scenarios/side_by_side.yaml``; the truth is written to
``SYNTHETIC_metadata.yaml``, key ``truth``):

1. Area from :data:`AREAS` (shares), BME status with the area's probability, setting with
   :data:`SETTING_SHARES`, and peer-support sessions between baseline and follow-up as
   1 + negative binomial with the setting's mean (:data:`SESSION_MEANS`, dispersion 1.5).
2. A time-invariant person level ``Gamma(2, mean 1)`` shared by all services (heavy users of one service
   tend to use others), the BME multiplier of baseline use of each service, and a person x service level
   ``Gamma(dispersion, mean 1)`` (right-skewed use, many zeros).
3. **People join at a point of need** (the need model of ``scripts/synthetic_controlled.py``, step 2,
   reused): for each service the need in period t is ``N_t = L + e_t``, a long-run level plus a transient
   part, with ``E N = 1`` and test-retest correlation ``corr(N_0, N_1) = rho`` in the population; people
   join with probability proportional to ``N_0 ** s``, so ``E[N_1 | N_0] = 1 + rho (N_0 - 1)`` among
   joiners, the linear regression under which the Barnett et al. (2005) RTM formula is exact. rho is the
   scenario's value for the service (:data:`RHO`: ``rho_primary_care``, ``rho_community_care``,
   ``rho_urgent_care``) and ``s = T (1 / r - 1)`` makes the population mean ``r`` =
   :data:`SELECTION_RATIO` (the scenario's ``selection_ratio``) times the joiners' mean baseline need.
4. Use over a 3-month recall (typical of the Client Service Receipt Inventory), baseline and follow-up
   (6 months later): ``Poisson(mean_k x r x N_t x levels x keep)``, where ``mean_k`` is the joiners'
   expected baseline use at BME multiplier 1; bed days are admissions ``A ~ Poisson(...)`` of
   ``1 + Poisson(LOS - 1)`` days each, capped at the 91 days of the window. ``keep = 1`` at baseline and
   ``1 - min(reduction_k x setting factor x engagement factor x BME factor, 0.6)`` at follow-up: the true
   effect of peer support (:data:`SETTING_EFFECT`, :data:`ENGAGEMENT_EFFECT`, :data:`BME_EFFECT`;
   reductions 0-20% by service before the factors, several services none).
5. Informal care hours per week: 45% of people have someone giving unpaid care (time-invariant);
   hours ``0.5 x Poisson(2 x 12 x g x r x N_t x keep)`` (half hours, at most the 168 hours of a week) with
   ``g ~ Gamma(1.2, mean 1)``, need with the scenario's community rho and the same selection, and a
   12% reduction before the factors of step 4.
6. SWEMWBS wellbeing (7-35, ``SYNTHETIC_persons.csv``) from a random stream of its own
   (``default_rng([seed, WELLBEING_STREAM])``), the wellbeing model of ``synthetic_controlled.py``
   (step 4) reused: latent ``W_t = 23.5 + u + e_t`` with person and occasion SDs equal
   (:data:`WELLBEING_PERSON_SD`, so rho = 0.5, the scenario's ``rho_swemwbs``); joining tilts ``W_0``
   down so the population mean is :data:`SWEMWBS_POPULATION_RATIO` (the scenario's
   ``swemwbs_population_ratio``) times the joiners' baseline mean; at follow-up peer support adds
   :data:`WELLBEING_GAIN` points times the factors of step 4. Scores are rounded and clipped to 7-35.
7. Services of other public bodies (police arrests, housing support hours; :data:`OTHER_PUBLIC_SERVICES`)
   follow steps 3-4 with the same person level and factors, from a random stream of their own, so
   that removing them leaves the other rows unchanged.

Rows are written only for services used (quantity > 0); a period with no service use is one row with
service ``none`` and quantity 0, as ``docs/data_format.md`` describes.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import yaml

GENERATOR = "scripts/make_synthetic_data.py"
GENERATOR_VERSION = 2  # 2: people join at a point of need (the default scenario's rho and selection ratio)
#: Version written into the controlled data sets, whose generation did not change with version 2.
CONTROLLED_GENERATOR_VERSION = 1
DEFAULT_SEED = 20150201  # Side by Side started in February 2015; any fixed integer would do
DEFAULT_N_PERSONS = 700  # "questionnaires from over 700 people" (Side by Side early findings, 2017)
DEFAULT_OUT_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "data"
PREFIX = "SYNTHETIC"
RECALL_MONTHS = 3
LABEL = ("SYNTHETIC DATA - generated by scripts/make_synthetic_data.py; NOT real Side by Side data; "
         "do not cite any figure from it as evidence")

#: The nine Side by Side delivery areas (names from the 2017 early-findings summary):
#: (code, share of people, probability of being from a BME community). Shares and probabilities are
#: assumptions chosen so that about a third of the sample is BME, as in the research sample.
AREAS = (
    ("blackpool_blackburn_darwen", 0.11, 0.40),
    ("coventry_rugby", 0.11, 0.45),
    ("kensington_chelsea", 0.10, 0.60),
    ("leeds", 0.14, 0.45),
    ("middlesbrough_stockton", 0.10, 0.20),
    ("northamptonshire", 0.11, 0.30),
    ("plymouth", 0.10, 0.12),
    ("southampton_new_forest", 0.12, 0.30),
    ("suffolk", 0.11, 0.15),
)

#: Settings and their shares. Side by Side reached 17,936 people online and 3,255 face to face, but the
#: research sample was mostly face to face; this mix (65% face to face) is an assumption in between.
SETTING_SHARES = (("group", 0.45), ("one_to_one", 0.20), ("online", 0.35))

#: Mean peer-support sessions attended between baseline and follow-up, by setting (assumption).
SESSION_MEANS = {"group": 10.0, "one_to_one": 8.0, "online": 6.0}

#: Selection and regression to the mean, as the default scenario assumes (scenarios/side_by_side.yaml):
#: population mean use = SELECTION_RATIO x the joiners' mean baseline use (``selection_ratio``), and the
#: test-retest correlation of need by kind of service (``rho_primary_care``, ``rho_community_care``,
#: ``rho_urgent_care``; the scenario's default ``effect.rho`` is the community value).
SELECTION_RATIO = 0.7
RHO = {"primary": 0.7, "community": 0.6, "urgent": 0.35}
#: Shape of the time-invariant person level shared by all services (mean 1).
PERSON_SHAPE = 2.0

#: Services: (unit-cost code, kind, mean per 3 months of the people who join, at baseline and BME multiplier 1
#: (count: units; stay: admissions), mean length of stay in days (stay) or None, dispersion (shape of the
#: person x service level), kind of rho (:data:`RHO`), reduction at follow-up before the factors, BME
#: multiplier of use). Levels are plausible for adults with mental-health difficulties who join community
#: peer support at a point of need, not calibrated to any data set.
SERVICES = (
    ("gp_surgery", "count", 2.2, None, 1.5, "primary", 0.10, 1.0),
    ("gp_telephone", "count", 1.0, None, 1.0, "primary", 0.08, 1.0),
    ("practice_nurse_consultation", "count", 0.5, None, 0.8, "primary", 0.00, 1.0),
    ("nhs111_call", "count", 0.3, None, 0.5, "urgent", 0.12, 1.0),
    ("ae_attendance", "count", 0.3, None, 0.5, "urgent", 0.15, 1.1),
    ("ambulance", "count", 0.08, None, 0.4, "urgent", 0.15, 1.1),
    ("acute_nel_short_stay", "count", 0.04, None, 0.5, "urgent", 0.05, 1.0),
    ("outpatient_psychiatry", "count", 0.4, None, 0.7, "community", 0.05, 1.0),
    ("mh_inpatient_day", "stay", 0.045, 24.0, 0.5, "urgent", 0.20, 1.3),
    ("cmht_contact", "count", 1.2, None, 0.3, "community", 0.08, 1.0),
    ("crisis_team_contact", "count", 0.28, None, 0.2, "urgent", 0.18, 1.3),
    ("talking_therapies_contact", "count", 0.9, None, 0.3, "community", 0.00, 0.7),
    ("counsellor_hour", "count", 0.6, None, 0.3, "community", 0.00, 0.7),
    ("social_worker_hour", "count", 0.24, None, 0.3, "community", 0.05, 1.0),
    ("day_care_la", "count", 0.5, None, 0.3, "community", 0.10, 1.0),
)

#: Multipliers of the follow-up reduction (assumptions: more change in groups and with more sessions,
#: as the early findings describe; smaller reductions for BME respondents, whose outcomes differed).
SETTING_EFFECT = {"group": 1.2, "one_to_one": 1.0, "online": 0.6}
ENGAGEMENT_EFFECT = (("1-5", 1, 5, 0.6), ("6-11", 6, 11, 1.0), ("12+", 12, 10**9, 1.3))
BME_EFFECT = {"yes": 0.5, "no": 1.0}
MAX_REDUCTION = 0.6

#: SWEMWBS (assumptions, see step 6): population mean (Ng Fat et al. 2017: 23.7 men, 23.2 women), person
#: and occasion SDs (equal: rho 0.5, the scenario's rho_swemwbs), population mean / joiners' baseline mean
#: (the scenario's swemwbs_population_ratio), the gain before the factors, and the seed of the stream.
WELLBEING_MEAN = 23.5
WELLBEING_PERSON_SD = 2.75
WELLBEING_OCCASION_SD = 2.75
SWEMWBS_POPULATION_RATIO = 1.15
WELLBEING_GAIN = 1.5
WELLBEING_STREAM = 0x5E3B
SWEMWBS_RANGE = (7, 35)
#: Informal care (step 5): share of people with an unpaid carer, mean hours per week of the joiners at
#: baseline when cared for, shape of the person level of hours, kind of rho, reduction, cap (hours a week).
INFORMAL_CARE = {"share": 0.45, "hours": 12.0, "shape": 1.2, "rho": "community", "reduction": 0.12, "cap": 168.0}

#: Services paid for by other public bodies (police, housing), in the layout of :data:`SERVICES`. They
#: are drawn from their own random stream (:data:`OTHER_PUBLIC_STREAM`) after everything else, so the
#: rows of the services above do not depend on them (issue 16). Levels and reductions are assumptions.
OTHER_PUBLIC_SERVICES = (
    ("police_arrest_nfa", "count", 0.04, None, 0.3, "community", 0.10, 1.2),
    ("housing_support_hour", "count", 0.72, None, 0.3, "community", 0.05, 1.1),
)
#: Key of the random stream of :data:`OTHER_PUBLIC_SERVICES`: ``numpy.random.default_rng([seed, 16])``.
OTHER_PUBLIC_STREAM = 16


def _gamma_mean_one(rng: np.random.Generator, shape: float, size: int) -> np.ndarray:
    return rng.gamma(shape, 1.0 / shape, size)


def _engagement_factor(sessions: np.ndarray) -> np.ndarray:
    factor = np.empty(len(sessions))
    for _, low, high, value in ENGAGEMENT_EFFECT:
        factor[(sessions >= low) & (sessions <= high)] = value
    return factor


def join_tilt(controlled) -> float:
    """s of P(join) ~ N_0^s that puts the population mean need at SELECTION_RATIO x the joiners' mean."""
    return controlled.NEED_SHAPE * (1.0 / SELECTION_RATIO - 1.0)


def _needs(rng: np.random.Generator, controlled, kind: str, size: int):
    """Need of joiners at baseline and follow-up, times SELECTION_RATIO (joiners' mean baseline 1)."""
    n0, n1 = controlled._needs(rng, RHO[kind], size, tilt=join_tilt(controlled))
    return n0 * SELECTION_RATIO, n1 * SELECTION_RATIO


def generate(seed: int = DEFAULT_SEED, n_persons: int = DEFAULT_N_PERSONS):
    """Generate the data set.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    n_persons : int
        Number of persons.

    Returns
    -------
    persons : dict of str to numpy.ndarray
        ``person_id``, ``area``, ``bme``, ``setting``, ``engagement_sessions``, ``swemwbs_baseline``,
        ``swemwbs_followup`` (whole SWEMWBS points, 7-35).
    use : numpy.ndarray
        Shape (2, n_persons, len(SERVICES) + len(OTHER_PUBLIC_SERVICES)), integer quantities per 3-month
        recall (baseline, follow-up); the other public bodies' services last (:func:`all_services`).
    hours : numpy.ndarray
        Shape (2, n_persons), informal care hours per week.
    """
    rng = np.random.default_rng(seed)
    width = max(4, len(str(n_persons)))
    person_id = np.array([f"SYN-{k:0{width}d}" for k in range(1, n_persons + 1)])
    area_codes = np.array([a[0] for a in AREAS])
    area_shares = np.array([a[1] for a in AREAS])
    area_index = rng.choice(len(AREAS), size=n_persons, p=area_shares / area_shares.sum())
    bme_probability = np.array([a[2] for a in AREAS])[area_index]
    bme = np.where(rng.random(n_persons) < bme_probability, "yes", "no")
    setting_names = np.array([s[0] for s in SETTING_SHARES])
    setting = setting_names[rng.choice(len(SETTING_SHARES), size=n_persons, p=[s[1] for s in SETTING_SHARES])]
    session_mean = np.array([SESSION_MEANS[s] for s in setting])
    dispersion = 1.5
    sessions = 1 + rng.negative_binomial(dispersion, dispersion / (dispersion + session_mean - 1.0))

    controlled = controlled_module()
    level = _gamma_mean_one(rng, PERSON_SHAPE, n_persons)
    modifier = (np.array([SETTING_EFFECT[s] for s in setting]) * _engagement_factor(sessions)
                * np.array([BME_EFFECT[b] for b in bme]))
    is_bme = bme == "yes"
    use = _service_block(rng, controlled, SERVICES, level, modifier, is_bme)

    care = INFORMAL_CARE
    cared_for = rng.random(n_persons) < care["share"]
    scale = _gamma_mean_one(rng, care["shape"], n_persons) * care["hours"]
    need = _needs(rng, controlled, care["rho"], n_persons)
    keep = 1.0 - np.minimum(care["reduction"] * modifier, MAX_REDUCTION)
    hours = np.zeros((2, n_persons))
    for t in (0, 1):
        half_hours = rng.poisson(2.0 * scale * need[t] * (keep if t else 1.0))
        hours[t] = np.where(cared_for, np.minimum(half_hours / 2.0, care["cap"]), 0.0)

    persons = {"person_id": person_id, "area": area_codes[area_index], "bme": bme, "setting": setting,
               "engagement_sessions": sessions}
    use = np.concatenate([use, other_public_use(seed, level, modifier, is_bme)], axis=2)
    persons["swemwbs_baseline"], persons["swemwbs_followup"] = _swemwbs(seed, modifier, controlled)
    return persons, use, hours


def _service_block(rng: np.random.Generator, controlled, services, level, modifier, is_bme) -> np.ndarray:
    """Baseline and follow-up quantities, shape (2, persons, len(services)), drawn from ``rng`` in order."""
    use = np.zeros((2, len(level), len(services)), dtype=np.int64)
    for k, (_, kind, mean, los, disp, rho_kind, reduction, bme_multiplier) in enumerate(services):
        levels = level * np.where(is_bme, bme_multiplier, 1.0) * _gamma_mean_one(rng, disp, len(level))
        keep = 1.0 - np.minimum(reduction * modifier, MAX_REDUCTION)
        n0, n1 = _needs(rng, controlled, rho_kind, len(level))
        use[0, :, k] = controlled._quantity(rng, kind, mean, los, levels * n0)
        use[1, :, k] = controlled._quantity(rng, kind, mean, los, levels * n1 * keep)
    return use


def other_public_use(seed: int, level, modifier, is_bme) -> np.ndarray:
    """Use of the other public bodies' services (:data:`OTHER_PUBLIC_SERVICES`), shape (2, persons, K).

    The same person level and effect factors as the other services, but a random stream of its own
    (``default_rng([seed, OTHER_PUBLIC_STREAM])``), so these services leave every draw of the others unchanged.
    """
    rng = np.random.default_rng([seed, OTHER_PUBLIC_STREAM])
    return _service_block(rng, controlled_module(), OTHER_PUBLIC_SERVICES, level, modifier, is_bme)


def all_services() -> tuple:
    """:data:`SERVICES` then :data:`OTHER_PUBLIC_SERVICES`: the order of the last axis of ``use``."""
    return SERVICES + OTHER_PUBLIC_SERVICES


def _swemwbs(seed: int, modifier: np.ndarray, controlled):
    """SWEMWBS scores at baseline and follow-up (step 6), from a stream of their own."""
    rng = np.random.default_rng([seed, WELLBEING_STREAM])
    shift = WELLBEING_MEAN * (1.0 - 1.0 / SWEMWBS_POPULATION_RATIO)
    w0, w1, _ = controlled._wellbeing(rng, len(modifier), WELLBEING_PERSON_SD, WELLBEING_OCCASION_SD, shift)
    w1 = w1 + WELLBEING_GAIN * modifier
    low, high = SWEMWBS_RANGE
    return tuple(np.clip(np.round(w), low, high).astype(np.int64) for w in (w0, w1))


def _band_probabilities(mean_sessions: float) -> dict[str, float]:
    """P(engagement band) of 1 + NegativeBinomial(1.5, 1.5 / (1.5 + mean - 1)) sessions (step 1)."""
    r = 1.5
    p = r / (r + mean_sessions - 1.0)

    def pmf(k):  # P(sessions - 1 = k)
        return math.exp(math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log(p) + k * math.log1p(-p))

    out = {band: sum(pmf(k - 1) for k in range(low, high + 1)) for band, low, high, _ in ENGAGEMENT_EFFECT[:-1]}
    out[ENGAGEMENT_EFFECT[-1][0]] = 1.0 - sum(out.values())
    return out


def expected_reduction(reduction: float, bme_multiplier: float = 1.0, cap: float = MAX_REDUCTION) -> float:
    """E[BME multiplier x min(reduction x setting x engagement x BME factor, cap)] over the joiners (settings,
    sessions and BME status as step 1 draws them): the share of use peer support removes, weighted by use."""
    shares = np.array([a[1] for a in AREAS])
    p_bme = float(np.dot(shares / shares.sum(), [a[2] for a in AREAS]))
    engagement = {band: value for band, _, _, value in ENGAGEMENT_EFFECT}
    total = 0.0
    for setting, share in SETTING_SHARES:
        for band, probability in _band_probabilities(SESSION_MEANS[setting]).items():
            for bme, p, multiplier in (("yes", p_bme, bme_multiplier), ("no", 1.0 - p_bme, 1.0)):
                factor = SETTING_EFFECT[setting] * engagement[band] * BME_EFFECT[bme]
                total += share * probability * p * multiplier * min(reduction * factor, cap)
    return total


def truth() -> dict:
    """The generator's truth (population values of people who join; the metadata's ``truth``).

    Per service, per person per month: mean baseline use, population mean (SELECTION_RATIO x baseline),
    counterfactual follow-up (``population + rho (baseline - population)``) and the true effect of peer
    support on mean follow-up use (negative: a fall). Bed days before the 91-day cap. Informal care in
    hours per week; SWEMWBS in points (latent, before rounding and clipping).
    """
    shares = np.array([a[1] for a in AREAS])
    p_bme = float(np.dot(shares / shares.sum(), [a[2] for a in AREAS]))
    services = {}
    for code, kind, mean, los, _, rho_kind, reduction, bme_multiplier in all_services():
        per_month = mean * (los if kind == "stay" else 1.0) / RECALL_MONTHS
        rho = RHO[rho_kind]
        baseline = per_month * (1.0 + p_bme * (bme_multiplier - 1.0))
        carry = SELECTION_RATIO + rho * (1.0 - SELECTION_RATIO)  # E[N_1] / E[N_0] of joiners
        services[code] = {"rho": rho, "baseline_mean_per_month": baseline,
                          "population_mean_per_month": SELECTION_RATIO * baseline,
                          "counterfactual_followup_per_month": carry * baseline,
                          "effect_per_month": -carry * per_month * expected_reduction(reduction, bme_multiplier)}
    care = INFORMAL_CARE
    rho = RHO[care["rho"]]
    carry = SELECTION_RATIO + rho * (1.0 - SELECTION_RATIO)
    baseline = care["share"] * care["hours"]
    informal = {"rho": rho, "baseline_mean_hours_per_week": baseline,
                "population_mean_hours_per_week": SELECTION_RATIO * baseline,
                "counterfactual_followup_hours_per_week": carry * baseline,
                "effect_hours_per_week": -carry * baseline * expected_reduction(care["reduction"])}
    rho_w = WELLBEING_PERSON_SD**2 / (WELLBEING_PERSON_SD**2 + WELLBEING_OCCASION_SD**2)
    wellbeing = {"rho": rho_w, "population_mean": WELLBEING_MEAN,
                 "baseline_mean": WELLBEING_MEAN / SWEMWBS_POPULATION_RATIO,
                 "population_ratio": SWEMWBS_POPULATION_RATIO,
                 "effect_points": WELLBEING_GAIN * expected_reduction(1.0, cap=math.inf)}
    return {"selection_ratio": SELECTION_RATIO, "rho_by_kind": dict(RHO), "service_use": services,
            "informal_care": informal, "swemwbs": wellbeing}


def _service_use_csv(persons, use) -> str:
    services = all_services()
    lines = ["person_id,period,recall_months,setting,engagement_sessions,area,bme,service,quantity"]
    for i in range(len(persons["person_id"])):
        person = (f"{persons['setting'][i]},{persons['engagement_sessions'][i]},{persons['area'][i]},"
                  f"{persons['bme'][i]}")
        for t, period in enumerate(("baseline", "followup")):
            start = f"{persons['person_id'][i]},{period},{RECALL_MONTHS},{person}"
            used = [(services[k][0], int(use[t, i, k])) for k in range(len(services)) if use[t, i, k] > 0]
            for code, quantity in used or [("none", 0)]:
                lines.append(f"{start},{code},{quantity}")
    return "\n".join(lines) + "\n"


def _informal_care_csv(persons, hours) -> str:
    lines = ["person_id,period,recall_months,informal_care_hours_per_week"]
    for i in range(len(persons["person_id"])):
        for t, period in enumerate(("baseline", "followup")):
            lines.append(f"{persons['person_id'][i]},{period},{RECALL_MONTHS},{hours[t, i]:.1f}")
    return "\n".join(lines) + "\n"


def _persons_csv(persons) -> str:
    lines = ["person_id,swemwbs_baseline,swemwbs_followup"]
    for i in range(len(persons["person_id"])):
        lines.append(f"{persons['person_id'][i]},{persons['swemwbs_baseline'][i]},{persons['swemwbs_followup'][i]}")
    return "\n".join(lines) + "\n"


def _truth_metadata(seed: int) -> dict:
    """The ``truth`` of the metadata: :func:`truth` rounded for reading, with how it was made."""
    def tidy(value):
        if isinstance(value, dict):
            return {k: tidy(v) for k, v in value.items()}
        return float(f"{value:.6g}") if isinstance(value, float) else value

    controlled = controlled_module()
    return {
        "description": ("population values for the people who join (what the estimators aim at; a sample's own "
                        "values differ by chance): per service mean use per person per month at baseline, the "
                        "population mean (selection_ratio x baseline), the counterfactual follow-up without peer "
                        "support (population + rho x (baseline - population)) and the true effect of peer "
                        "support on follow-up use (negative: a fall); bed days before the 91-day cap; informal "
                        "care in hours per week; SWEMWBS in points before rounding and clipping"),
        "seed": seed,
        "rho_note": ("rho is the test-retest correlation of need (the scenario's rho_* parameters), on which "
                     "people are selected; with it the RTM formula for the mean is exact. The correlation of the "
                     "observed counts differs (Poisson noise lowers it, the time-invariant person levels raise it)."),
        "need_model": {"need_shape": controlled.NEED_SHAPE, "join_tilt": round(join_tilt(controlled), 6),
                       "person_level_shape": PERSON_SHAPE},
        **tidy(truth()),
    }


def _metadata(seed: int, n_persons: int, files: dict[str, tuple[str, str]]) -> dict:
    return {
        "label": LABEL,
        "synthetic": True,
        "generator": GENERATOR,
        "generator_version": GENERATOR_VERSION,
        "command": f"python {GENERATOR} --seed {seed} --n-persons {n_persons}",
        "seed": seed,
        "n_persons": n_persons,
        "files": {role: {"name": name, "sha256": digest} for role, (name, digest) in files.items()},
        "design": {
            "periods": "baseline and followup; follow-up questionnaire 6 months after baseline",
            "recall_months": f"{RECALL_MONTHS} for both periods (a usual Client Service Receipt Inventory window)",
            "areas": [a[0] for a in AREAS],
            "settings": {name: share for name, share in SETTING_SHARES},
            "setting_mix_note": ("Side by Side reached 17,936 people online and 3,255 face to face, but its "
                                 "research sample was mostly face to face; 65% face to face is an assumption"),
            "bme_share_target": "about one third, as in the Side by Side research sample",
            "missing_data": "none: every person answered both questionnaires (complete cases only)",
        },
        "generation": (
            "People join peer support at a point of need (the need model of scripts/synthetic_controlled.py): "
            "for each service need = a long-run level + a transient part, with a stated test-retest "
            "correlation rho in the population, and people join with probability rising with their baseline "
            "need, so that the population mean is selection_ratio x the joiners' baseline mean and follow-up "
            "regresses toward it by exactly (1 - rho) x the gap without peer support (Barnett et al. 2005). rho "
            "and selection_ratio are the default scenario's (scenarios/side_by_side.yaml). Counts are Poisson "
            "given need, a person level shared by all services, a BME multiplier and a skewed person x service "
            "level (negative binomial, many zeros); bed days are admissions of about 24 days, capped at 91. Peer "
            "support then lowers follow-up use by 0-20% before its factors: larger in groups and with more "
            "sessions, smaller online and for BME respondents (by half); several services have no effect. "
            "Informal care hours per week (45% have an unpaid carer) follow the same need model and fall by 12% "
            "before the factors. SWEMWBS (7-35) comes from a random stream of its own: people join with low "
            "wellbeing (population mean 23.5 = swemwbs_population_ratio x the joiners' baseline mean), rho 0.5, "
            "and peer support adds 1.5 points before the same factors. Services of other public bodies (police "
            "arrests, housing support hours) follow the same models from a random stream of their own. Every "
            "level and effect is an assumption written in the generator's constants; none is from Side by "
            "Side. The true values are under 'truth'."
        ),
        "truth": _truth_metadata(seed),
        "wellbeing": {"scale": "SWEMWBS raw score, 7-35 (whole points; not Rasch-converted)",
                      "population_mean": WELLBEING_MEAN, "population_ratio": SWEMWBS_POPULATION_RATIO,
                      "gain_before_modifiers": WELLBEING_GAIN, "person_sd": WELLBEING_PERSON_SD,
                      "occasion_sd": WELLBEING_OCCASION_SD},
        "services": {code: {"model": kind, "rho_kind": rho_kind, "reduction_before_modifiers": reduction,
                            "bme_multiplier": bme_multiplier}
                     for code, kind, _, _, _, rho_kind, reduction, bme_multiplier in all_services()},
        "columns": {
            "service_use": {
                "person_id": "pseudonymous person identifier (SYN-nnnn)",
                "period": "baseline or followup",
                "recall_months": "months the questionnaire asked about",
                "setting": "peer-support setting: group, one_to_one or online",
                "engagement_sessions": "peer-support sessions attended between baseline and follow-up",
                "area": "delivery area",
                "bme": "yes if from a Black and minority ethnic community, else no",
                "service": "unit-cost code in costs/unit_costs.csv, or none for a period with no service use",
                "quantity": "units used over the recall window, in the unit of costs/unit_costs.csv",
            },
            "informal_care": {
                "person_id": "as in the service-use file",
                "period": "baseline or followup",
                "recall_months": "months the questionnaire asked about",
                "informal_care_hours_per_week": "hours of unpaid care from family and friends per week",
            },
            "persons": {
                "person_id": "as in the service-use file",
                "swemwbs_baseline": "SWEMWBS score 7-35 at baseline",
                "swemwbs_followup": "SWEMWBS score 7-35 at follow-up",
            },
        },
    }


def write_files(out_dir: Path, *, seed: int = DEFAULT_SEED, n_persons: int = DEFAULT_N_PERSONS) -> list[Path]:
    """Generate the data set and write the three CSVs and the metadata YAML into ``out_dir``.

    Returns
    -------
    list of Path
        The files written: service use, informal care, persons (SWEMWBS), metadata.
    """
    persons, use, hours = generate(seed, n_persons)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {
        "service_use": (f"{PREFIX}_service_use.csv", _service_use_csv(persons, use)),
        "informal_care": (f"{PREFIX}_informal_care.csv", _informal_care_csv(persons, hours)),
        "persons": (f"{PREFIX}_persons.csv", _persons_csv(persons)),
    }
    written = []
    for name, text in texts.values():
        path = out_dir / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    digests = {role: (name, hashlib.sha256(text.encode("utf-8")).hexdigest()) for role, (name, text) in texts.items()}
    header = (f"# {LABEL}\n# Written by {GENERATOR}; regenerate rather than edit.\n")
    body = yaml.safe_dump(_metadata(seed, n_persons, digests), sort_keys=False, width=100, allow_unicode=False)
    path = out_dir / f"{PREFIX}_metadata.yaml"
    path.write_bytes((header + body).encode("utf-8"))
    written.append(path)
    return written


def shared_design() -> SimpleNamespace:
    """The constants the controlled data sets share with this data set (areas, settings, sessions, label)."""
    return SimpleNamespace(AREAS=AREAS, SETTING_SHARES=SETTING_SHARES, SESSION_MEANS=SESSION_MEANS, LABEL=LABEL,
                           GENERATOR=GENERATOR, GENERATOR_VERSION=CONTROLLED_GENERATOR_VERSION)


def controlled_module():
    """``scripts/synthetic_controlled.py``, loaded from beside this file (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("synthetic_controlled", Path(__file__).resolve().parent / "synthetic_controlled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--seed``, ``--n-persons``, ``--out-dir``, ``--n-intervention``, ``--n-comparison``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--n-persons", type=int, default=DEFAULT_N_PERSONS,
                        help=f"number of persons (default {DEFAULT_N_PERSONS})")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="output folder (default scenarios/data)")
    controlled = controlled_module()
    parser.add_argument("--n-intervention", type=int, default=controlled.DEFAULT_N["intervention"],
                        help="persons in the intervention group of the controlled data sets")
    parser.add_argument("--n-comparison", type=int, default=controlled.DEFAULT_N["comparison"],
                        help="persons in the comparison group of the controlled data sets")
    args = parser.parse_args(argv)
    if min(args.n_persons, args.n_intervention, args.n_comparison) < 1:
        parser.error("--n-persons, --n-intervention and --n-comparison must be at least 1")
    paths = write_files(args.out_dir, seed=args.seed, n_persons=args.n_persons)
    n = {"intervention": args.n_intervention, "comparison": args.n_comparison}
    paths += controlled.write_files(shared_design(), args.out_dir, seed=args.seed, n=n)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
