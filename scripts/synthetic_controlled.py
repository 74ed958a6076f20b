"""SYNTHETIC controlled data sets: an intervention and a comparison group, regression to the mean, loss to follow-up.

THE OUTPUT IS SYNTHETIC. Called by ``scripts/make_synthetic_data.py``, which writes two companion data
sets from the same seed (the same people, levels and needs):

- ``SYNTHETIC_controlled_rtm_only_*``: regression to the mean (RTM) and no true effect of peer support;
- ``SYNTHETIC_controlled_true_effect_*``: the same, plus a known true effect (stated in the metadata);
- ``SYNTHETIC_controlled_need_dropout_*``: the true-effect set with loss to follow-up that depends on
  baseline need (through the baseline use it causes; missing at random given baseline use) and clusters
  with a stated intra-cluster correlation of the SWEMWBS change (:data:`DATA_SETS`), for the methods of
  ``econ.inputs.missing`` and ``econ.inputs.clustered``.

Each set is three files: ``*_service_use.csv`` (the service-use format of ``docs/data_format.md`` plus a
``group`` column; comparison people have setting ``none`` and 0 sessions; people lost to follow-up have
no follow-up rows), ``*_persons.csv`` (one row per person: ``cluster``, ``followed_up``, SWEMWBS at
baseline and follow-up) and ``*_metadata.yaml`` (label, seed, design, true effects, the inputs the
RTM-adjusted estimator needs).

How each person is generated (every constant below is an assumption, none is from Side by Side):

1. Group (intervention or comparison), area (shares of :data:`AREAS` of the main generator), BME
   status, setting and sessions as in the main generator (comparison: setting ``none``, 0 sessions),
   a cluster within area and group (a peer-support group, or for the comparison group a referral
   site; :data:`CLUSTERS_PER_AREA` per area), and time-invariant level multipliers, all with mean 1:
   person ``Gamma(2, mean 1)`` shared by all services, area (:data:`AREA_LEVEL`, share-weighted mean 1),
   cluster ``LogNormal(-s^2/2, s)`` with ``s`` = :data:`CLUSTER_SD` (rescaled to a person-weighted mean
   of 1 in each group, so that the population values of the metadata hold for every seed while clusters
   still differ from one another), and per person x service
   ``Gamma(dispersion, mean 1)``.
2. **Need and regression to the mean.** For service k the need in period t is ``N_t = L + e_t``:
   a long-run level ``L ~ Gamma(rho T, 1/T)`` plus a transient part ``e_t ~ Gamma((1 - rho) T, 1/T)``
   (:data:`NEED_SHAPE` T), so in the population ``E N = 1`` and ``corr(N_0, N_1) = rho``. People join
   (both groups: the comparison group are people referred at the same point of need who were not
   offered a place) with probability proportional to ``N_0 ** s`` (:data:`JOIN_TILT` s), so a joiner's
   ``N_0 ~ Gamma(T + s, 1/T)`` and, given ``N_0``, ``L = N_0 B`` with ``B ~ Beta(rho T, (1 - rho) T)``;
   then ``N_1 = L + e_1``. This gives exactly ``E[N_1 | N_0] = 1 + rho (N_0 - 1)``, the linear
   regression under which the Barnett, van der Pols & Dobson (2005) RTM formula holds with this rho.
3. Quantities over a 3-month recall: ``Poisson(mean_k x levels x N_t x keep)``; bed days are
   admissions ``A ~ Poisson(rate x levels x N_t x keep)`` of ``1 + Poisson(LOS - 1)`` days each
   (``A + Poisson(A (LOS - 1))``), capped at 91 days. ``keep = 1`` except at follow-up for the
   intervention group of the true-effect set: ``keep = 1 - reduction_k x`` :data:`SETTING_EFFECT`.
4. SWEMWBS (7-35): latent wellbeing ``W_t = 23.5 + u + eps_t``, ``u ~ N(0, 3^2)``, ``eps_t ~ N(0, 2.5^2)``;
   joining tilts ``W_0`` down by :data:`WELLBEING_SHIFT` points (exponential tilting of a normal), then
   ``u | W_0`` is normal with mean ``rho_w (W_0 - 23.5)``; the true-effect set adds
   :data:`WELLBEING_EFFECT` points at follow-up in the intervention group; the score is ``W`` rounded
   and clipped to 7-35. Wellbeing is generated independently of service need.
5. Loss to follow-up: completely at random with probability :data:`DROPOUT` by group (``dropout='mcar'``),
   or (``dropout='need'``) with probability ``expit(a_g + b (log(1 + U_0) - c))`` where ``U_0`` is the
   person's total baseline count of contacts and days over all services (which carries baseline need),
   ``b`` = :data:`NEED_DROPOUT_SLOPE`, ``c`` = :data:`NEED_DROPOUT_CENTRE` and ``a_g`` the logit of
   :data:`DROPOUT` by group: people with more use at baseline are lost more often. Loss is then missing at
   random given baseline use (not completely at random), so complete-case analysis is biased.
6. Clusters with a stated ICC (``cluster_icc=rho_c``): the latent follow-up wellbeing gets a cluster
   effect ``v_c ~ N(0, s_v^2)``, ``s_v^2 = rho_c / (1 - rho_c) x 12.5``, where 12.5 is the variance of the
   latent change ``W_1 - W_0`` of joiners (``2 x 2.5^2``), so the intra-cluster correlation of the latent
   change is ``rho_c`` (scores are then rounded, which lowers it slightly). The effects are centred to mean 0
   over each group's people, so the population effect is unchanged.

True effect (true-effect set): the expected change in mean monthly use in the intervention group
caused by peer support is ``-mean_k (1 + rho_k s / T) x reduction_k x E[setting factor] / 3`` per
service (the population value; a sample's own effect differs by chance), and +2 SWEMWBS points.
"""
from __future__ import annotations

import hashlib

import numpy as np
import yaml

PREFIX = "SYNTHETIC_controlled"
VARIANTS = ("rtm_only", "true_effect")
GROUPS = ("intervention", "comparison")
DEFAULT_N = {"intervention": 700, "comparison": 350}
RECALL_MONTHS = 3

#: Need: shape T of the population need N = L + e (mean 1), and the tilt s of joining (P(join) ~ N_0^s).
NEED_SHAPE = 2.5
JOIN_TILT = 2.0
PERSON_SHAPE = 2.0
CLUSTER_SD = 0.3
CLUSTERS_PER_AREA = 6
STAY_CAP_DAYS = 91
DROPOUT = {"intervention": 0.25, "comparison": 0.30}
#: Dropout depending on need (step 5): slope b on log(1 + total baseline count) and its centre c (assumption).
NEED_DROPOUT_SLOPE = 1.5
NEED_DROPOUT_CENTRE = 2.6
#: Variance of the latent SWEMWBS change W_1 - W_0 of joiners (2 x transient variance; step 6).
WELLBEING_CHANGE_VAR = 12.5
#: Data sets written by :func:`write_files`: name -> (variant, dropout, cluster ICC of the SWEMWBS change).
DATA_SETS = {"rtm_only": ("rtm_only", "mcar", None), "true_effect": ("true_effect", "mcar", None),
             "need_dropout": ("true_effect", "need", 0.05)}
DROPOUTS = ("mcar", "need")

#: Services: (code, kind, mean per 3 months at need 1 (count) or admission rate (stay), mean length of
#: stay (stay) or None, dispersion of the person x service level, rho (test-retest correlation of need),
#: reduction before the setting factor in the true-effect set). RTM is largest for crisis and hospital
#: care (low rho) and smallest for GP and nurse contacts (high rho).
SERVICES = (
    ("gp_surgery", "count", 2.2, None, 1.5, 0.80, 0.10),
    ("gp_telephone", "count", 1.0, None, 1.0, 0.75, 0.08),
    ("practice_nurse_consultation", "count", 0.5, None, 0.8, 0.80, 0.00),
    ("nhs111_call", "count", 0.3, None, 0.5, 0.50, 0.12),
    ("ae_attendance", "count", 0.35, None, 0.5, 0.35, 0.15),
    ("ambulance", "count", 0.10, None, 0.4, 0.30, 0.15),
    ("acute_nel_short_stay", "count", 0.05, None, 0.5, 0.30, 0.05),
    ("outpatient_psychiatry", "count", 0.4, None, 0.7, 0.70, 0.05),
    ("mh_inpatient_day", "stay", 0.05, 20.0, 0.5, 0.25, 0.20),
    ("cmht_contact", "count", 1.2, None, 0.3, 0.60, 0.08),
    ("crisis_team_contact", "count", 0.3, None, 0.2, 0.25, 0.18),
    ("talking_therapies_contact", "count", 0.9, None, 0.3, 0.60, 0.00),
    ("counsellor_hour", "count", 0.6, None, 0.3, 0.60, 0.00),
    ("social_worker_hour", "count", 0.25, None, 0.3, 0.60, 0.05),
    ("day_care_la", "count", 0.5, None, 0.3, 0.70, 0.10),
)

#: Multipliers of the reduction by setting (assumption, as in the main generator).
SETTING_EFFECT = {"group": 1.2, "one_to_one": 1.0, "online": 0.6}

#: Time-invariant level of use by area (assumption); rescaled to a share-weighted mean of 1.
AREA_LEVEL = (1.15, 1.0, 0.85, 1.1, 1.2, 0.95, 0.9, 1.0, 0.85)

WELLBEING_MEAN = 23.5
WELLBEING_PERSON_SD = 3.0
WELLBEING_TRANSIENT_SD = 2.5
WELLBEING_SHIFT = 3.0
WELLBEING_EFFECT = 2.0

PERSON_COLUMNS = ("person_id", "cluster", "followed_up", "swemwbs_baseline", "swemwbs_followup")


def _gamma_mean_one(rng, shape, size):
    return rng.gamma(shape, 1.0 / shape, size)


def _people(rng, main, n):
    """Group, area, bme, setting, sessions, cluster and the time-invariant level of every person."""
    group = np.repeat(np.array(GROUPS), [n["intervention"], n["comparison"]])
    size = len(group)
    shares = np.array([a[1] for a in main.AREAS])
    shares = shares / shares.sum()
    area_index = rng.choice(len(main.AREAS), size=size, p=shares)
    bme = np.where(rng.random(size) < np.array([a[2] for a in main.AREAS])[area_index], "yes", "no")
    names = np.array([s[0] for s in main.SETTING_SHARES])
    setting = names[rng.choice(len(names), size=size, p=[s[1] for s in main.SETTING_SHARES])]
    mean_sessions = np.array([main.SESSION_MEANS[s] for s in setting])
    sessions = 1 + rng.negative_binomial(1.5, 1.5 / (1.5 + mean_sessions - 1.0))
    treated = group == "intervention"
    setting = np.where(treated, setting, "none")
    sessions = np.where(treated, sessions, 0)
    site = rng.integers(0, CLUSTERS_PER_AREA, size)
    codes = np.array([a[0] for a in main.AREAS])
    cluster = np.array([f"{codes[a]}:{'I' if t else 'C'}{k + 1:02d}" for a, t, k in zip(area_index, treated, site)])
    cluster_keys, cluster_index = np.unique(cluster, return_inverse=True)
    cluster_level = rng.lognormal(-CLUSTER_SD**2 / 2, CLUSTER_SD, len(cluster_keys))[cluster_index]
    for member in (treated, ~treated):  # rescale to a person-weighted mean of 1 in each group
        if member.any():
            cluster_level[member] /= cluster_level[member].mean()
    area_level = np.array(AREA_LEVEL) / float(np.dot(shares, AREA_LEVEL))
    level = _gamma_mean_one(rng, PERSON_SHAPE, size) * area_level[area_index] * cluster_level
    return {"group": group, "area": codes[area_index], "bme": bme, "setting": setting, "sessions": sessions,
            "cluster": cluster, "level": level}


def _needs(rng, rho, size, tilt=JOIN_TILT):
    """Need at baseline and follow-up of joiners (step 2 of the module docstring).

    ``tilt`` is s of P(join) ~ N_0^s; the joiners' mean baseline need is ``1 + s / T``, so the population
    mean (1) is ``T / (T + s)`` times it. The default data set (``make_synthetic_data.py``) picks s for its
    selection ratio.
    """
    a, b = rho * NEED_SHAPE, (1.0 - rho) * NEED_SHAPE
    n0 = rng.gamma(NEED_SHAPE + tilt, 1.0 / NEED_SHAPE, size)
    n1 = n0 * rng.beta(a, b, size) + rng.gamma(b, 1.0 / NEED_SHAPE, size)
    return n0, n1


def _quantity(rng, kind, mean, los, scale):
    if kind == "count":
        return rng.poisson(mean * scale)
    admissions = rng.poisson(mean * scale)
    return np.minimum(admissions + rng.poisson(admissions * (los - 1.0)), STAY_CAP_DAYS)


def _wellbeing(rng, size, person_sd=WELLBEING_PERSON_SD, transient_sd=WELLBEING_TRANSIENT_SD,
               shift=WELLBEING_SHIFT):
    """Latent SWEMWBS of joiners at baseline and follow-up (step 4), and rho = person var / total var."""
    total_var = person_sd**2 + transient_sd**2
    rho = person_sd**2 / total_var
    w0 = rng.normal(WELLBEING_MEAN - shift, np.sqrt(total_var), size)
    u = rng.normal(rho * (w0 - WELLBEING_MEAN), np.sqrt(person_sd**2 * (1.0 - rho)), size)
    w1 = WELLBEING_MEAN + u + rng.normal(0.0, transient_sd, size)
    return w0, w1, rho


def _score(w):
    return np.clip(np.round(w), 7, 35).astype(np.int64)


def _followed(rng, people, use, dropout):
    """Who returns the follow-up (step 5 of the module docstring)."""
    treated = people["group"] == "intervention"
    base = np.where(treated, DROPOUT["intervention"], DROPOUT["comparison"])
    u = rng.random(len(treated))
    if dropout == "mcar":
        return u >= base
    logit = np.log(base / (1 - base)) + NEED_DROPOUT_SLOPE * (np.log1p(use[0].sum(axis=1)) - NEED_DROPOUT_CENTRE)
    return u >= 1.0 / (1.0 + np.exp(-logit))


def _cluster_wellbeing(rng, people, icc):
    """Cluster effects on latent follow-up wellbeing with ICC ``icc`` of the change, centred per group (step 6)."""
    keys, index = np.unique(people["cluster"], return_inverse=True)
    effect = rng.normal(0.0, np.sqrt(icc / (1.0 - icc) * WELLBEING_CHANGE_VAR), len(keys))[index]
    for member in (people["group"] == "intervention", people["group"] == "comparison"):
        if member.any():
            effect[member] -= effect[member].mean()
    return effect


def generate(main, seed, variant, n=None, *, dropout="mcar", cluster_icc=None):
    """One controlled data set.

    Parameters
    ----------
    main : module
        ``scripts/make_synthetic_data.py`` (areas, settings, sessions).
    seed : int
        Seed of ``numpy.random.default_rng``; both variants with one seed have the same people, levels and
        needs (Poisson draws after the first one the effect changes may differ).
    variant : str
        ``'rtm_only'`` or ``'true_effect'``.
    n : dict, optional
        Persons per group (default :data:`DEFAULT_N`).
    dropout : {"mcar", "need"}
        Loss to follow-up completely at random or depending on baseline use (step 5).
    cluster_icc : float, optional
        Intra-cluster correlation of the latent SWEMWBS change, in [0, 1) (step 6); None: no cluster effect
        on wellbeing. The defaults give the draws of the rtm-only and true-effect sets.

    Returns
    -------
    people : dict of str to numpy.ndarray
        ``person_id``, ``group``, ``area``, ``bme``, ``setting``, ``sessions``, ``cluster``, ``followed_up``
        (bool), ``swemwbs`` (2 x persons, int; follow-up -1 where lost).
    use : numpy.ndarray
        (2, persons, services) integer quantities per 3-month recall (follow-up -1 where lost).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS} (got {variant!r})")
    if dropout not in DROPOUTS:
        raise ValueError(f"dropout must be one of {DROPOUTS} (got {dropout!r})")
    if cluster_icc is not None and not 0.0 <= cluster_icc < 1.0:
        raise ValueError(f"cluster_icc must be in [0, 1) (got {cluster_icc!r})")
    n = dict(DEFAULT_N if n is None else n)
    rng = np.random.default_rng(seed)
    people = _people(rng, main, n)
    size = len(people["group"])
    treated = people["group"] == "intervention"
    factor = np.array([SETTING_EFFECT.get(s, 0.0) for s in people["setting"]])
    effect_on = variant == "true_effect"
    use = np.zeros((2, size, len(SERVICES)), dtype=np.int64)
    for k, (_, kind, mean, los, dispersion, rho, reduction) in enumerate(SERVICES):
        n0, n1 = _needs(rng, rho, size)
        level = people["level"] * _gamma_mean_one(rng, dispersion, size)
        keep = 1.0 - reduction * factor * treated if effect_on else np.ones(size)
        use[0, :, k] = _quantity(rng, kind, mean, los, level * n0)
        use[1, :, k] = _quantity(rng, kind, mean, los, level * n1 * keep)
    w0, w1, _ = _wellbeing(rng, size)
    w1 = w1 + (WELLBEING_EFFECT * treated if effect_on else 0.0)
    followed = _followed(rng, people, use, dropout)
    if cluster_icc is not None:
        w1 = w1 + _cluster_wellbeing(rng, people, cluster_icc)
    use[1, ~followed] = -1
    swemwbs = np.stack([_score(w0), np.where(followed, _score(w1), -1)])
    width = max(4, len(str(size)))
    people.update(person_id=np.array([f"SYN-{k:0{width}d}" for k in range(1, size + 1)]),
                  followed_up=followed, swemwbs=swemwbs)
    return people, use


def true_effects(main):
    """Population effect of peer support in the true-effect set, per month (see the module docstring).

    Returns
    -------
    dict
        ``use_per_month``: service -> expected change in mean monthly use in the intervention group;
        ``swemwbs``: change in points (latent, before rounding and clipping).
    """
    shares = dict(main.SETTING_SHARES)
    mean_factor = sum(shares[s] * SETTING_EFFECT[s] for s in SETTING_EFFECT) / sum(shares.values())
    effects = {}
    for code, kind, mean, los, _, rho, reduction in SERVICES:
        per_need = mean * (los if kind == "stay" else 1.0)
        followup_mean = per_need * (1.0 + rho * JOIN_TILT / NEED_SHAPE)
        effects[code] = -followup_mean * reduction * mean_factor / RECALL_MONTHS
    return {"use_per_month": effects, "swemwbs": WELLBEING_EFFECT}


def rtm_inputs():
    """What the RTM-adjusted estimator needs: population mean monthly use (no selection) and rho per service."""
    population = {}
    rho = {}
    for code, kind, mean, los, _, r, _ in SERVICES:
        population[code] = mean * (los if kind == "stay" else 1.0) / RECALL_MONTHS
        rho[code] = r
    w_rho = WELLBEING_PERSON_SD**2 / (WELLBEING_PERSON_SD**2 + WELLBEING_TRANSIENT_SD**2)
    return {"population_mean_per_month": population, "rho": rho,
            "swemwbs": {"population_mean": WELLBEING_MEAN, "rho": w_rho}}


def _service_use_csv(people, use):
    lines = ["person_id,group,period,recall_months,setting,engagement_sessions,area,bme,service,quantity"]
    for i, pid in enumerate(people["person_id"]):
        person = (f"{people['setting'][i]},{people['sessions'][i]},{people['area'][i]},{people['bme'][i]}")
        periods = ("baseline", "followup") if people["followed_up"][i] else ("baseline",)
        for t, period in enumerate(periods):
            start = f"{pid},{people['group'][i]},{period},{RECALL_MONTHS},{person}"
            used = [(SERVICES[k][0], int(use[t, i, k])) for k in range(len(SERVICES)) if use[t, i, k] > 0]
            for code, quantity in used or [("none", 0)]:
                lines.append(f"{start},{code},{quantity}")
    return "\n".join(lines) + "\n"


def _persons_csv(people):
    lines = [",".join(PERSON_COLUMNS)]
    for i, pid in enumerate(people["person_id"]):
        followed = bool(people["followed_up"][i])
        after = str(people["swemwbs"][1, i]) if followed else ""
        lines.append(f"{pid},{people['cluster'][i]},{'yes' if followed else 'no'},{people['swemwbs'][0, i]},{after}")
    return "\n".join(lines) + "\n"


def _metadata(main, seed, variant, n, digests):
    effects = true_effects(main)
    zero = {code: 0.0 for code in effects["use_per_month"]}
    return {
        "label": main.LABEL,
        "synthetic": True,
        "generator": main.GENERATOR,
        "generator_module": "scripts/synthetic_controlled.py",
        "generator_version": main.GENERATOR_VERSION,
        "command": f"python {main.GENERATOR} --seed {seed}",
        "seed": seed,
        "variant": variant,
        "n_persons": dict(n),
        "files": {role: {"name": name, "sha256": digest} for role, (name, digest) in digests.items()},
        "design": {
            "groups": "intervention (joined peer support) and comparison (referred at the same point of need, "
                      "not offered a place); both selected the same way, so baseline need is balanced in expectation",
            "periods": "baseline and followup; follow-up questionnaire 6 months after baseline",
            "recall_months": RECALL_MONTHS,
            "regression_to_the_mean": (f"need = long-run level + transient part; people join with probability "
                                       f"proportional to need^{JOIN_TILT:g}; follow-up regresses toward the long-run level"),
            "clustering": (f"{CLUSTERS_PER_AREA} clusters per area and group (peer-support groups; referral sites), "
                           f"time-invariant cluster level LogNormal sd {CLUSTER_SD} rescaled to mean 1 per group; "
                           f"fixed area levels"),
            "loss_to_follow_up": {"mechanism": "completely at random", "probability": dict(DROPOUT)},
            "swemwbs": "Short Warwick-Edinburgh Mental Wellbeing Scale, 7-35, at baseline and follow-up",
        },
        "true_effect": {
            "description": ("expected change in mean monthly use per person in the intervention group caused by "
                            "peer support (population value), and in SWEMWBS points"),
            "use_per_month": effects["use_per_month"] if variant == "true_effect" else zero,
            "swemwbs": effects["swemwbs"] if variant == "true_effect" else 0.0,
        },
        "rtm_inputs": rtm_inputs(),
        "columns": {
            "service_use": "as docs/data_format.md, plus group (intervention or comparison); comparison people "
                           "have setting none and engagement_sessions 0; lost people have no followup rows",
            "persons": {
                "person_id": "as in the service-use file",
                "cluster": "area:I## (peer-support group) or area:C## (comparison referral site)",
                "followed_up": "yes if the follow-up questionnaire was returned, else no",
                "swemwbs_baseline": "SWEMWBS score 7-35 at baseline",
                "swemwbs_followup": "SWEMWBS score 7-35 at follow-up; empty when lost to follow-up",
            },
        },
    }


def _need_dropout_metadata(meta, data_set, dropout, icc):
    """The metadata of a data set with dropout depending on need and clusters with a stated ICC."""
    design = meta["design"]
    if dropout == "need":
        design["loss_to_follow_up"] = {
            "mechanism": "missing at random given baseline use (depends on baseline need through it)",
            "model": (f"P(lost) = expit(logit(p_g) + {NEED_DROPOUT_SLOPE:g} x (log(1 + total baseline count over "
                      f"services) - {NEED_DROPOUT_CENTRE:g}))"),
            "p_g": dict(DROPOUT)}
    if icc is not None:
        design["clustering"] += (f"; cluster effect on latent follow-up SWEMWBS with intra-cluster correlation "
                                 f"{icc:g} of the latent change (centred per group; before rounding)")
        design["swemwbs_change_icc"] = icc
    return {"data_set": data_set, **meta}


def write_files(main, out_dir, *, seed, n=None):
    """Write every data set of :data:`DATA_SETS` into ``out_dir``; returns the paths written."""
    n = dict(DEFAULT_N if n is None else n)
    written = []
    for data_set, (variant, dropout, icc) in DATA_SETS.items():
        people, use = generate(main, seed, variant, n, dropout=dropout, cluster_icc=icc)
        stem = f"{PREFIX}_{data_set}"
        texts = {"service_use": (f"{stem}_service_use.csv", _service_use_csv(people, use)),
                 "persons": (f"{stem}_persons.csv", _persons_csv(people))}
        for name, text in texts.values():
            path = out_dir / name
            path.write_bytes(text.encode("utf-8"))
            written.append(path)
        digests = {role: (name, hashlib.sha256(text.encode("utf-8")).hexdigest()) for role, (name, text) in texts.items()}
        header = f"# {main.LABEL}\n# Written by {main.GENERATOR}; regenerate rather than edit.\n"
        meta = _metadata(main, seed, variant, n, digests)
        if dropout != "mcar" or icc is not None:
            meta = _need_dropout_metadata(meta, data_set, dropout, icc)
        body = yaml.safe_dump(meta, sort_keys=False, width=100)
        path = out_dir / f"{stem}_metadata.yaml"
        path.write_bytes((header + body).encode("utf-8"))
        written.append(path)
    return written


def default_format_texts(people, use):
    """The intervention people of a data set in the DEFAULT format (docs/data_format.md): a service-use file
    without ``group`` and a persons file with ``cluster`` and ``followed_up`` (people lost have baseline rows
    only and an empty ``swemwbs_followup``). Returns (service_use text, persons text); still SYNTHETIC."""
    keep = np.flatnonzero(np.asarray(people["group"]) == "intervention")
    part = {key: (value[:, keep] if key == "swemwbs" else np.asarray(value)[keep]) for key, value in people.items()
            if key != "level"}
    lines = _service_use_csv(part, use[:, keep]).splitlines()
    header = lines[0].replace(",group,", ",")
    body = [",".join(f for j, f in enumerate(line.split(",")) if j != 1) for line in lines[1:]]
    return "\n".join([header] + body) + "\n", _persons_csv(part)


def write_default_format(main, out_dir, *, seed, n=None, name="need_dropout_default"):
    """Write ``SYNTHETIC_<name>_service_use.csv`` and ``_persons.csv`` (the need-dropout design, intervention
    people, default format) into ``out_dir``; returns (service-use path, persons path)."""
    variant, dropout, icc = DATA_SETS["need_dropout"]
    people, use = generate(main, seed, variant, n, dropout=dropout, cluster_icc=icc)
    use_text, persons_text = default_format_texts(people, use)
    paths = (out_dir / f"SYNTHETIC_{name}_service_use.csv", out_dir / f"SYNTHETIC_{name}_persons.csv")
    for path, text in zip(paths, (use_text, persons_text)):
        path.write_bytes(text.encode("utf-8"))
    return paths
