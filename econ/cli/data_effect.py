"""``data effect``: effect estimates from controlled data, with loss to follow-up, clusters and a cost model.

Reads a controlled service-use file (``docs/data_format.md``: ``group`` column, persons file with
``followed_up`` and ``cluster``), or one in the default format whose persons file records ``followed_up``
(everyone in the intervention arm), and prints, for total cost (and SWEMWBS when the persons file has it),
the estimate with its 95% interval under the chosen method for loss to follow-up, the share missing per
arm and time point, the cost model's estimate of the total-cost change and, with clusters, the ICC and
design effect. Settings come from the options, else from ``--scenario FILE``'s ``data:`` block
(``missing_followup``, ``imputations``, ``bootstrap_clusters``, ``cost_model``, ``seed``), else the defaults.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from econ.core.errors import DataError

DEFAULTS = {"missing_followup": "complete_case", "imputations": 10, "bootstrap_clusters": "none",
            "cost_model": "mean", "seed": 1}


def add_effect_parser(commands) -> None:
    """Add ``effect`` to the ``data`` command's sub-commands."""
    p = commands.add_parser("effect", help="effect estimate with loss to follow-up, clusters and a cost model",
                            description=__doc__.splitlines()[0])
    p.add_argument("file", metavar="FILE", help="service-use CSV: controlled (a group column) or the default format "
                                                "(persons file X_persons.csv beside it, with followed_up)")
    p.add_argument("--scenario", metavar="YAML", help="take the settings from this scenario's data: block")
    p.add_argument("--estimator", choices=("pre_post", "difference_in_differences", "ancova"),
                   help="default: difference_in_differences with a comparison group, else pre_post")
    p.add_argument("--missing", choices=("complete_case", "ipw", "mice"), help="default: the scenario's "
                   "data.missing_followup, else complete_case")
    p.add_argument("--cluster", choices=("none", "cluster", "area"), help="default: data.bootstrap_clusters, else none")
    p.add_argument("--cost-model", choices=("mean", "glm_gamma", "two_part"), help="default: data.cost_model, else mean")
    p.add_argument("--imputations", type=int, help="default: data.imputations, else 10")
    p.add_argument("--replicates", type=int, default=200, help="bootstrap replicates (default 200)")
    p.add_argument("--seed", type=int, help="default: the scenario's settings.seed, else 1")
    p.add_argument("--costs", default=None, metavar="CSV", help="unit-cost table (default: costs/unit_costs.csv)")
    p.add_argument("--price-year", default="2023/24", metavar="YYYY/YY", help="price year (default 2023/24)")


def _settings(args) -> dict:
    out = dict(DEFAULTS)
    if args.scenario:
        from econ.scenario.load import load_scenario

        spec = load_scenario(args.scenario).spec
        out.update({key: getattr(spec.data, key) for key in ("missing_followup", "imputations", "bootstrap_clusters",
                                                              "cost_model")}, seed=int(spec.settings.seed))
    given = {"missing_followup": args.missing, "bootstrap_clusters": args.cluster, "cost_model": args.cost_model,
             "imputations": args.imputations, "seed": args.seed}
    out.update({k: v for k, v in given.items() if v is not None})
    if out["imputations"] < 2 or args.replicates < 10:
        raise DataError(f"--imputations must be >= 2 and --replicates >= 10 (got {out['imputations']}, {args.replicates})")
    return out


def run_effect(args, *, out=None) -> int:
    """Run ``data effect`` (module docstring); DataError for bad input (exit 2)."""
    from econ.inputs.clustered import icc_anova
    from econ.inputs.cost_models import COST_MODELS, cost_effect
    from econ.inputs.estimators import TOTAL_COST
    from econ.inputs.inflation import load_indices
    from econ.inputs.missing import draw_resample_all, estimate_missing, missing_from_data, missing_table
    from econ.inputs.unit_costs import DEFAULT_UNIT_COSTS, load_unit_costs

    out = out if out is not None else sys.stdout
    s = _settings(args)
    costs_path = Path(args.costs or DEFAULT_UNIT_COSTS)
    unit_costs = load_unit_costs(costs_path)
    data = _load(args.file, unit_costs)
    table = unit_costs.select(data.services).rebased(args.price_year, load_indices(costs_path.parent))
    measures = ("cost", "swemwbs") if data.swemwbs is not None else ("cost",)
    cluster = None if s["bootstrap_clusters"] == "none" else s["bootstrap_clusters"]
    mo = missing_from_data(data, unit_costs=table, measures=measures, cluster=cluster)
    keep = [k for k, name in enumerate(mo.names) if name in (TOTAL_COST, "swemwbs")]
    mo = _columns(mo, keep)
    estimator = args.estimator or ("difference_in_differences" if (~mo.intervention).sum() >= 2 else "pre_post")
    rng = np.random.default_rng(s["seed"])
    resample = draw_resample_all(mo, args.replicates, rng, clustered=cluster is not None)
    effect = estimate_missing(mo, estimator, s["missing_followup"], resample=resample, rng=rng,
                              imputations=s["imputations"])
    lines = []
    if data.synthetic:
        lines.append(f"*** SYNTHETIC DATA: {data.source_file} is synthetic; not real data, do not cite as evidence ***")
    lines.append(f"Effect: {estimator}, {effect.table()['method_label'][0]}; 95% intervals from {args.replicates} "
                 f"bootstrap replicates ({'clusters: ' + cluster if cluster else 'people'} within arm); cost in GBP "
                 f"{args.price_year} per person per month")
    lines.append("")
    lines.append("Share missing per arm and time point:")
    lines.append(missing_table(mo).to_string(index=False))
    lines.append("")
    cols = ["name", "estimate", "low", "high"] + [c for c in effect.table().columns if c.startswith("missing_")]
    lines.append(effect.table()[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    cc = mo.complete_cases(np.arange(mo.n_persons))
    k = cc.names.index(TOTAL_COST)
    followed = resample.weights[:, mo.followed]
    cost = cost_effect(cc, TOTAL_COST, s["cost_model"], resample=type(resample)(followed))
    low, high = cost.interval
    lines.append("")
    lines.append(f"Total cost change, {COST_MODELS[s['cost_model']]} (complete cases): {cost.estimate:.2f} "
                 f"[{low:.2f} to {high:.2f}]")
    if cluster is not None:
        member = cc.intervention
        labels = pd.Series(mo.clusters[mo.followed])
        de = icc_anova(cc.followup[member, k] - cc.baseline[member, k], labels[member].to_numpy())
        lines.append(f"Clusters ({cluster}): {de.n_clusters} in the intervention arm, ICC of the total-cost change "
                     f"{de.icc:.3f}, design effect 1 + (m - 1) ICC = {de.design_effect:.2f} (m = {de.effective_size:.1f})")
    print("\n".join(lines), file=out)
    return 0


def _load(file, unit_costs):
    """Controlled data (a ``group`` column), else the default format with the persons file beside it
    (``X_persons.csv``; its ``followed_up`` column records who was lost; everyone is in the intervention arm)."""
    from econ.inputs.controlled_data import load_controlled_data, persons_path_for

    try:
        with open(file, encoding="utf-8-sig", errors="replace") as fh:
            header = {c.strip() for c in fh.readline().split(",")}
    except OSError:
        header = {"group"}  # the controlled loader reports it
    if "group" in header:
        return load_controlled_data(file, unit_costs=unit_costs)
    from econ.inputs.service_use import load_service_use

    persons = persons_path_for(file)
    return load_service_use(file, unit_costs=unit_costs, persons_path=persons if persons.is_file() else None)


def _columns(mo, keep):
    import dataclasses

    names = tuple(mo.names[k] for k in keep)
    drop = {f"log1p_baseline_{n}" for n in mo.names if n not in names} | {f"baseline_{n}" for n in mo.names
                                                                            if n not in names}
    cov = [j for j, label in enumerate(mo.covariate_names) if label not in drop]
    return dataclasses.replace(mo, names=names, measures=tuple(mo.measures[k] for k in keep),
                               baseline=mo.baseline[:, keep], followup=mo.followup[:, keep],
                               covariates=mo.covariates[:, cov],
                               covariate_names=tuple(mo.covariate_names[j] for j in cov))
