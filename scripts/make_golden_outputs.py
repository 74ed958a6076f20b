"""Write the stored outputs that tests/test_golden_outputs.py compares against, bit for bit.

Run from the repository root: ``python scripts/make_golden_outputs.py``. Only rerun it when a change
is *meant* to change results (and say so in the commit): the point of the files is that moving code
around (e.g. the package layout) leaves every number identical.

Each table is written with 17 significant digits, which round-trips a float64 exactly.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "tests" / "data" / "golden" / "outputs"

#: ``--set`` overrides that turn the default scenario back into the uncontrolled before-after model of
#: versions before issue 13 (pre-post estimator, attribution a beta around 0.5, effect lasting as the
#: states say). ``tests/data/golden/pre_issue13/`` holds the default scenario's stored outputs from
#: before issue 13; ``golden_tables("peer", PRE_POST_OVERRIDES)`` must reproduce them
#: (tests/test_effect_scenario.py).
PRE_POST_OVERRIDES = ("effect.estimator=pre_post", "parameters.attribution={value: 0.5, dist: beta, mean: 0.5, se: 0.2}",
                      "effect.persistence=constant")

#: The runs compared: name -> (scenario, PSA draws, PSA seed).
CASES = {
    "peer": ("scenarios/side_by_side.yaml", 300, 11),
    "hiv": ("scenarios/validation/chancellor_hiv.yaml", 300, 12),
}


def golden_tables(name: str, overrides=()) -> dict:
    """Every table of one case, by file stem (a pure function of the code, the scenario and ``overrides``)."""
    import econ

    path, draws, seed = CASES[name]
    compiled = econ.compile_path(ROOT / path, overrides=tuple(overrides))
    res = econ.run(compiled)
    tables = {
        "summary": res.summary.reset_index(),
        "summary_undiscounted": res.summary_undiscounted.reset_index(),
        "per_cycle": res.per_cycle,
        "trace": res.trace,
    }
    psa = econ.psa(compiled, n_draws=draws, seed=seed)
    tables["psa_draws"] = psa.outputs.reset_index()
    from econ.analysis.psa import psa_tables

    for key, frame in psa_tables(psa).items():
        tables[f"psa_{key}" if not key.startswith("psa_") else key] = frame.reset_index() if frame.index.name else frame
    if compiled.loaded.spec.cost_offset is not None:
        tables["headline"] = econ.headline(compiled)
    if compiled.loaded.spec.budget is not None:
        tables["budget"] = econ.budget(compiled)
    return tables


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        for stem, frame in golden_tables(name).items():
            frame.to_csv(OUT / f"{name}_{stem}.csv", index=False, float_format="%.17g")
            print(f"wrote {name}_{stem}.csv ({len(frame)} rows)")


if __name__ == "__main__":
    main()
