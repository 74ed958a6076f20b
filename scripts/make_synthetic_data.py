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

How each person is generated (all parameters are the constants below; every one is an assumption):

1. Area from :data:`AREAS` (shares), BME status with the area's probability, setting with
   :data:`SETTING_SHARES`, and peer-support sessions between baseline and follow-up as
   1 + negative binomial with the setting's mean (:data:`SESSION_MEANS`, dispersion 1.5).
2. A latent need ``lam ~ Gamma(shape 1.2, mean 1)`` shared by all services, so heavy users of one
   service tend to use others (right-skewed totals, many zeros).
3. Baseline use over a 3-month recall (typical of the Client Service Receipt Inventory) per service
   in :data:`SERVICES`:

   - ``count``: Poisson with mean ``mean * lam * BME multiplier * f``, ``f ~ Gamma(shape=dispersion,
     mean 1)`` (a negative binomial, overdispersed);
   - ``hurdle``: used at all when ``U < 1 - (1 - p) ** (lam * BME multiplier)``, ``U ~ Uniform(0, 1)``;
     users have ``1 + Poisson(f * (mean - 1))`` contacts, ``f ~ Gamma(1.5, mean 1)``;
   - ``stay`` (inpatient bed days): admitted as in ``hurdle``; days ``1 + Poisson(f * (mean - 1))``,
     ``f ~ Gamma(1.2, mean 1)`` (a negative binomial), capped at the 91 days of the recall window.

   The person's ``f`` and ``U`` for a service are drawn once and used in both periods.

4. Follow-up (6 months after baseline, again a 3-month recall): need drifts,
   ``lam_f = lam * LogNormal(-0.03125, 0.25)`` (mean-preserving), and each service's mean (or use
   probability) is multiplied by ``1 - r``, with ``r = reduction * setting factor * engagement
   factor * BME factor``, capped at 0.6 (:data:`SETTING_EFFECT`, :data:`ENGAGEMENT_EFFECT`,
   :data:`BME_EFFECT`). Reductions are 0-20% by service; several services have none.
5. Informal care hours per week: received with probability ``1 - 0.6 ** lam``; hours
   ``Gamma(1.2, mean 12) * sqrt(lam)`` rounded to half hours (at most 100). At follow-up 10% of
   recipients stop, the rest change by ``(1 - r) * LogNormal(-0.045, 0.3)`` with ``r`` as above from
   a 12% reduction; non-recipients start with probability ``0.06 * lam_f``.
6. SWEMWBS wellbeing (7-35, written to ``SYNTHETIC_persons.csv``), from a random stream of its own
   (``default_rng([seed, WELLBEING_STREAM])``, so the service-use and informal-care files are the same
   as before it was added): latent ``W_0 = 23.5 - 3 - 1.5 (lam - 1) + u + e_0`` with
   ``u ~ N(0, 3^2)`` (the person) and ``e_0 ~ N(0, 2.5^2)`` (the occasion): people join at a point of
   low wellbeing (3 points below the population mean, :data:`WELLBEING_JOIN_DIP`), lower when their
   need is higher. At follow-up half of the dip has passed (regression to the mean, which peer support
   does not cause) and need has drifted as above: ``W_1 = 23.5 - 1.5 - 1.5 (lam_f - 1) + u + e_1 +
   1.5 m``, where ``m`` is the setting x engagement x BME factor of step 4 (:data:`WELLBEING_GAIN`
   points before it). Scores are ``W`` rounded to whole points and clipped to 7-35 (raw scores, not
   the Rasch metric conversion).

6. Services of other public bodies (police arrests, housing support hours; :data:`OTHER_PUBLIC_SERVICES`)
   follow step 3-4 with the same need and modifiers, from a random stream of their own, so that the
   rows of the services above did not change when they were added.

Rows are written only for services used (quantity > 0); a period with no service use is one row with
service ``none`` and quantity 0, as ``docs/data_format.md`` describes.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import yaml

GENERATOR = "scripts/make_synthetic_data.py"
GENERATOR_VERSION = 1
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

#: Services: (unit-cost code, model, p (hurdle/stay) or None, mean per 3 months at lam = 1 (count) or
#: per user (hurdle, stay), dispersion (count), reduction at follow-up before modifiers, BME multiplier
#: of baseline use). Levels are plausible for adults with mental-health difficulties living in the
#: community, not calibrated to any data set.
SERVICES = (
    ("gp_surgery", "count", None, 2.2, 1.5, 0.10, 1.0),
    ("gp_telephone", "count", None, 1.0, 1.0, 0.08, 1.0),
    ("practice_nurse_consultation", "count", None, 0.5, 0.8, 0.00, 1.0),
    ("nhs111_call", "count", None, 0.3, 0.5, 0.12, 1.0),
    ("ae_attendance", "count", None, 0.3, 0.5, 0.15, 1.1),
    ("ambulance", "count", None, 0.08, 0.4, 0.15, 1.1),
    ("acute_nel_short_stay", "count", None, 0.04, 0.5, 0.05, 1.0),
    ("outpatient_psychiatry", "count", None, 0.4, 0.7, 0.05, 1.0),
    ("mh_inpatient_day", "stay", 0.045, 24.0, None, 0.20, 1.3),
    ("cmht_contact", "hurdle", 0.20, 6.0, None, 0.08, 1.0),
    ("crisis_team_contact", "hurdle", 0.04, 7.0, None, 0.18, 1.3),
    ("talking_therapies_contact", "hurdle", 0.15, 6.0, None, 0.00, 0.7),
    ("counsellor_hour", "hurdle", 0.10, 6.0, None, 0.00, 0.7),
    ("social_worker_hour", "hurdle", 0.06, 4.0, None, 0.05, 1.0),
    ("day_care_la", "hurdle", 0.05, 10.0, None, 0.10, 1.0),
)

#: Multipliers of the follow-up reduction (assumptions: more change in groups and with more sessions,
#: as the early findings describe; smaller reductions for BME respondents, whose outcomes differed).
SETTING_EFFECT = {"group": 1.2, "one_to_one": 1.0, "online": 0.6}
ENGAGEMENT_EFFECT = (("1-5", 1, 5, 0.6), ("6-11", 6, 11, 1.0), ("12+", 12, 10**9, 1.3))
BME_EFFECT = {"yes": 0.5, "no": 1.0}
MAX_REDUCTION = 0.6

#: SWEMWBS (assumptions, see step 6): population mean (Ng Fat et al. 2017: 23.7 men, 23.2 women), person
#: and occasion SDs, the dip at joining (half of which passes by follow-up), the slope on latent need,
#: the gain before modifiers, and the seed of the stream the scores are drawn from.
WELLBEING_MEAN = 23.5
WELLBEING_PERSON_SD = 3.0
WELLBEING_OCCASION_SD = 2.5
WELLBEING_JOIN_DIP = 3.0
WELLBEING_RECOVERED = 0.5
WELLBEING_NEED_SLOPE = 1.5
WELLBEING_GAIN = 1.5
WELLBEING_STREAM = 0x5E3B
SWEMWBS_RANGE = (7, 35)
INFORMAL_CARE_REDUCTION = 0.12

#: Services paid for by other public bodies (police, housing), in the layout of :data:`SERVICES`. They
#: are drawn from their own random stream (:data:`OTHER_PUBLIC_STREAM`) after everything else, so the
#: rows of the services above are the same as before these were added (issue 16). Levels and reductions
#: are assumptions, not calibrated to any data set.
OTHER_PUBLIC_SERVICES = (
    ("police_arrest_nfa", "hurdle", 0.03, 1.4, None, 0.10, 1.2),
    ("housing_support_hour", "hurdle", 0.08, 9.0, None, 0.05, 1.1),
)
#: Key of the random stream of :data:`OTHER_PUBLIC_SERVICES`: ``numpy.random.default_rng([seed, 16])``.
OTHER_PUBLIC_STREAM = 16
STAY_CAP_DAYS = 91


def _gamma_mean_one(rng: np.random.Generator, shape: float, size: int) -> np.ndarray:
    return rng.gamma(shape, 1.0 / shape, size)


def _engagement_factor(sessions: np.ndarray) -> np.ndarray:
    factor = np.empty(len(sessions))
    for _, low, high, value in ENGAGEMENT_EFFECT:
        factor[(sessions >= low) & (sessions <= high)] = value
    return factor


def _draw_use(rng: np.random.Generator, model: str, p: float | None, mean: float, dispersion: float | None,
              scales: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Quantities over the baseline and follow-up recall windows of one service.

    ``scales`` is need x modifiers in each period. A person's propensities for the service (a gamma
    frailty, and for hurdle/stay models a uniform deciding use) are drawn once and shared by both
    periods, so that heavy users stay heavy users and the change is not swamped by new draws.
    """
    n = len(scales[0])
    if model == "count":
        frailty = _gamma_mean_one(rng, dispersion, n)
        return tuple(rng.poisson(mean * scale * frailty) for scale in scales)
    threshold = rng.random(n)
    shape = 1.5 if model == "hurdle" else 1.2
    frailty = _gamma_mean_one(rng, shape, n)
    out = []
    for scale in scales:
        uses = threshold < 1.0 - (1.0 - p) ** scale
        amount = 1 + rng.poisson(frailty * (mean - 1.0))
        if model == "stay":
            amount = np.minimum(amount, STAY_CAP_DAYS)
        out.append(np.where(uses, amount, 0))
    return tuple(out)


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

    lam = _gamma_mean_one(rng, 1.2, n_persons)
    drift_sigma = 0.25
    lam_followup = lam * rng.lognormal(-drift_sigma**2 / 2, drift_sigma, n_persons)
    modifier = (np.array([SETTING_EFFECT[s] for s in setting]) * _engagement_factor(sessions)
                * np.array([BME_EFFECT[b] for b in bme]))

    is_bme = bme == "yes"
    use = _service_block(rng, SERVICES, lam, lam_followup, modifier, is_bme)

    hours = np.zeros((2, n_persons))
    receives = rng.random(n_persons) < 1.0 - 0.6**lam
    baseline_hours = _gamma_mean_one(rng, 1.2, n_persons) * 12.0 * np.sqrt(lam)
    hours[0] = np.where(receives, np.clip(np.round(baseline_hours * 2) / 2, 0.5, 100.0), 0.0)
    stops = rng.random(n_persons) < 0.10
    change = (1.0 - np.minimum(INFORMAL_CARE_REDUCTION * modifier, MAX_REDUCTION)) * rng.lognormal(-0.045, 0.3, n_persons)
    starts = rng.random(n_persons) < np.minimum(0.06 * lam_followup, 1.0)
    new_hours = _gamma_mean_one(rng, 1.2, n_persons) * 12.0 * np.sqrt(lam_followup)
    followup = np.where(receives, np.where(stops, 0.0, hours[0] * change), np.where(starts, new_hours, 0.0))
    hours[1] = np.where(followup > 0, np.clip(np.round(followup * 2) / 2, 0.5, 100.0), 0.0)

    persons = {"person_id": person_id, "area": area_codes[area_index], "bme": bme, "setting": setting,
               "engagement_sessions": sessions}
    use = np.concatenate([use, other_public_use(seed, lam, lam_followup, modifier, is_bme)], axis=2)
    persons["swemwbs_baseline"], persons["swemwbs_followup"] = _swemwbs(seed, lam, lam_followup, modifier)
    return persons, use, hours


def _service_block(rng: np.random.Generator, services, lam, lam_followup, modifier, is_bme) -> np.ndarray:
    """Baseline and follow-up quantities, shape (2, persons, len(services)), drawn from ``rng`` in order."""
    use = np.zeros((2, len(lam), len(services)), dtype=np.int64)
    for k, (_, model, p, mean, disp, reduction, bme_multiplier) in enumerate(services):
        group_multiplier = np.where(is_bme, bme_multiplier, 1.0)
        keep = 1.0 - np.minimum(reduction * modifier, MAX_REDUCTION)
        use[0, :, k], use[1, :, k] = _draw_use(rng, model, p, mean, disp,
                                               (lam * group_multiplier, lam_followup * group_multiplier * keep))
    return use


def other_public_use(seed: int, lam, lam_followup, modifier, is_bme) -> np.ndarray:
    """Use of the other public bodies' services (:data:`OTHER_PUBLIC_SERVICES`), shape (2, persons, K).

    The same need (``lam``, ``lam_followup``) and effect modifiers as the other services, but a random
    stream of its own (``default_rng([seed, OTHER_PUBLIC_STREAM])``), so adding these services leaves
    every draw of the others unchanged.
    """
    rng = np.random.default_rng([seed, OTHER_PUBLIC_STREAM])
    return _service_block(rng, OTHER_PUBLIC_SERVICES, lam, lam_followup, modifier, is_bme)


def all_services() -> tuple:
    """:data:`SERVICES` then :data:`OTHER_PUBLIC_SERVICES`: the order of the last axis of ``use``."""
    return SERVICES + OTHER_PUBLIC_SERVICES


def _swemwbs(seed: int, lam: np.ndarray, lam_followup: np.ndarray, modifier: np.ndarray):
    """SWEMWBS scores at baseline and follow-up (step 6), from a stream of their own."""
    rng = np.random.default_rng([seed, WELLBEING_STREAM])
    n = len(lam)
    person = rng.normal(0.0, WELLBEING_PERSON_SD, n)
    occasion = rng.normal(0.0, WELLBEING_OCCASION_SD, (2, n))
    dip = WELLBEING_JOIN_DIP * np.array([1.0, 1.0 - WELLBEING_RECOVERED])
    w0 = WELLBEING_MEAN - dip[0] - WELLBEING_NEED_SLOPE * (lam - 1.0) + person + occasion[0]
    w1 = (WELLBEING_MEAN - dip[1] - WELLBEING_NEED_SLOPE * (lam_followup - 1.0) + person + occasion[1]
          + WELLBEING_GAIN * modifier)
    low, high = SWEMWBS_RANGE
    return tuple(np.clip(np.round(w), low, high).astype(np.int64) for w in (w0, w1))


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
            "Each person has a latent need drawn from Gamma(1.2, mean 1) shared by all services. Counts are "
            "negative binomial; specialist contacts are hurdle models (a probability of any use, then a "
            "count); mental-health bed days are admissions times skewed lengths of stay, capped at 91 days. "
            "A person's propensity for each service is shared by both periods. At follow-up need drifts (mean-preserving lognormal, sd 0.25) and each service falls by 0-20% "
            "before modifiers: larger in groups and with more sessions, smaller online and for BME "
            "respondents (by half); several services have no change. Informal care hours per week are "
            "received by about 40% at baseline, skewed, and fall by about 12% before modifiers. Every level "
            "and effect is an assumption written in the generator's constants; none is from Side by Side. "
            "SWEMWBS (7-35) comes from a random stream of its own: people join 3 points below the population "
            "mean of 23.5, lower with higher need; half of that dip passes by follow-up (regression to the "
            "mean) and peer support adds 1.5 points before the same modifiers as the reductions. "
            "Services of other public bodies (police arrests, housing support hours) follow the same models "
            "from a random stream of their own, so the other services' rows did not change when they were added."
        ),
        "wellbeing": {"scale": "SWEMWBS raw score, 7-35 (whole points; not Rasch-converted)",
                      "population_mean": WELLBEING_MEAN, "join_dip": WELLBEING_JOIN_DIP,
                      "share_of_dip_recovered_by_followup": WELLBEING_RECOVERED,
                      "gain_before_modifiers": WELLBEING_GAIN, "need_slope": WELLBEING_NEED_SLOPE,
                      "person_sd": WELLBEING_PERSON_SD, "occasion_sd": WELLBEING_OCCASION_SD},
        "services": {code: {"model": model, "reduction_before_modifiers": reduction,
                            "bme_baseline_multiplier": bme_multiplier}
                     for code, model, _, _, _, reduction, bme_multiplier in all_services()},
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
                           GENERATOR=GENERATOR, GENERATOR_VERSION=GENERATOR_VERSION)


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
