"""The effect estimates behind a scenario: one row per parameter read from an effect statistic.

What a reviewer asks first of a cost-offset model is which effect it assumes and where that comes
from. :func:`effect_table` lists every parameter whose ``service_use:`` statistic is computed by the
scenario's estimator (``effect``, ``effect_reduction``, ``counterfactual``, ``counterfactual_change``),
with its point estimate and its 95% interval over the person-level bootstrap replicates (which include
the draws of rho and the population ratio for ``rtm_adjusted``), next to the uncontrolled before-after
``reduction`` of the same service and people, so the part the estimator takes out is visible (for the
``effect`` statistic, in the measure's own unit, e.g. SWEMWBS points, the uncontrolled ``change``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from econ.model.compile import CompiledScenario

#: Statistics listed (those computed by the effect block's estimator).
EFFECT_STATISTICS = ("effect", "effect_reduction", "counterfactual", "counterfactual_change")


def effect_table(compiled: CompiledScenario, *, level: float = 0.95) -> pd.DataFrame:
    """Effect statistics of the scenario, one row per parameter.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter``, ``service``, ``subgroup`` (``key=value`` pairs, '' for everyone),
        ``statistic``, ``estimator``, ``estimate`` (point, from the whole data), ``low``, ``high``
        (percentile interval of the replicates at ``level``), ``before_after_reduction`` (the
        uncontrolled (baseline - follow-up) / baseline of the same people; for ``effect``, a difference
        in the measure's unit, the uncontrolled follow-up - baseline). Empty without an ``effect`` block.
    """
    spec = compiled.loaded.spec
    columns = ["parameter", "service", "subgroup", "statistic", "estimator", "estimate", "low", "high",
               "before_after_reduction"]
    if spec.effect is None or compiled.context is None:
        return pd.DataFrame(columns=columns)
    context, tail = compiled.context, (1.0 - level) / 2.0
    rows = []
    for name, entry in spec.parameters.items():
        ref = getattr(entry, "service_use", None)
        if ref is None or ref.statistic not in EFFECT_STATISTICS or name not in compiled.parameters.parameters:
            continue
        p = compiled.parameters[name]
        reps = np.asarray(p.distribution.replicates) if hasattr(p.distribution, "replicates") else np.array([p.point])
        before_after = "change" if ref.statistic == "effect" else "reduction"
        naive = context.service_use_point(name, ref.model_copy(update={"statistic": before_after}))
        rows.append({"parameter": name, "service": ref.service,
                     "subgroup": ", ".join(f"{k}={v}" for k, v in dict(ref.subgroup, **context.subgroup).items()),
                     "statistic": ref.statistic, "estimator": spec.effect.estimator, "estimate": float(p.point),
                     "low": float(np.quantile(reps, tail)), "high": float(np.quantile(reps, 1.0 - tail)),
                     "before_after_reduction": naive})
    return pd.DataFrame(rows, columns=columns)
