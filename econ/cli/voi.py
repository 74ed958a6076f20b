"""The ``voi`` command: value of information (EVPI, EVPPI, EVSI/ENBS) from a PSA of a scenario."""
from __future__ import annotations

import argparse

import numpy as np

from econ.cli.main import EXIT_OK, UsageError, add_common_options, finite_number, manifest, now_iso, whole_number
from econ.cli.common import stage_progress


def _names(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _groups(values: list[str]) -> dict:
    out = {}
    for text in values:
        label, sep, names = text.partition("=")
        if not sep or not label.strip() or not _names(names):
            raise UsageError(f"--groups {text!r}: expected NAME=PARAM,PARAM (e.g. persistence=p_fade,p_stop)")
        if label.strip() in out:
            raise UsageError(f"--groups: the group name '{label.strip()}' is given twice")
        out[label.strip()] = _names(names)
    return out


def _sizes(text: str) -> tuple:
    try:
        sizes = tuple(int(x) for x in _names(text))
    except ValueError:
        raise UsageError(f"--study-n {text!r}: expected whole numbers separated by commas (e.g. 50,100,200)") from None
    if not sizes or min(sizes) < 1:
        raise UsageError(f"--study-n {text!r}: study sizes must be >= 1")
    return sizes


def _check_bootstrap_memory(args, compiled) -> None:
    """Refuse, before the PSA, bootstrap replicates whose arrays (replicates x draws x strategies) exceed the cap."""
    from econ.core.errors import LimitError, Problem
    from econ.core.limits import current_limits

    need = 8.0 * args.bootstrap * args.draws * (len(compiled.model.strategies) + 2)
    cap = current_limits().max_memory_mb
    if need > cap * 2**20:
        raise LimitError(Problem(f"--bootstrap {args.bootstrap:,} with {args.draws:,} draws needs about "
                                 f"{need / 2**20:,.0f} MB for the replicates of the standard errors, more than the "
                                 f"limit of {cap:,} MB; use fewer replicates or draws, or raise "
                                 f"PEER_ECON_MAX_MEMORY_MB", None, "bootstrap"))


def register(subparsers: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """Add the ``voi`` command (see :data:`econ.cli.main.COMMAND_MODULES`)."""
    from econ.analysis.voi import DEFAULT_DRAWS, DEFAULT_SIZES

    p = subparsers.add_parser(
        "voi", help="value of information: EVPI, EVPPI by parameter or group, EVSI/ENBS of a proposed study",
        description="Runs a PSA and values resolving its uncertainty. The decision: net monetary benefit at "
                    "thresholds when the scenario has an 'icer' block, else minus the net cost (fund or not) "
                    "per perspective. EVPPI by non-parametric regression on the PSA sample (Strong, Oakley and "
                    "Brennan 2014); EVSI by regression on simulated study summaries (Strong et al. 2015). "
                    "Writes evpi.csv, evppi.csv, evsi.csv (with --study), plots and manifest.json with --out.")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--draws", type=whole_number(100), default=DEFAULT_DRAWS, metavar="N",
                   help=f"PSA draws (default {DEFAULT_DRAWS})")
    p.add_argument("--seed", type=whole_number(0, 2**32 - 1), default=None,  # the regression's seed is 32-bit
                   help="default: the scenario's settings.seed")
    p.add_argument("--objective", choices=["nmb", "net_cost"], default=None,
                   help="default: nmb with an 'icer' block, else net_cost")
    p.add_argument("--wtp", type=finite_number, action="append", default=None, metavar="LAMBDA",
                   help="threshold per unit of effect for nmb (repeatable; default 20000 and 30000)")
    p.add_argument("--parameters", action="append", default=None, metavar="NAME[,NAME...]",
                   help="parameters whose EVPPI is estimated one by one (service_use_data: the service-use "
                        "statistics as one group); default: every uncertain input")
    p.add_argument("--groups", action="append", default=[], metavar="NAME=A,B",
                   help="a group of parameters whose EVPPI is estimated together (repeatable)")
    p.add_argument("--population", type=finite_number, default=None, metavar="N",
                   help="people affected by the decision (default: the budget intake schedule, discounted)")
    p.add_argument("--horizon", type=finite_number, default=None, metavar="YEARS",
                   help="decision horizon in years for the population (default: the intake schedule's length)")
    p.add_argument("--discount-rate", type=finite_number, default=None, metavar="R",
                   help="annual discount rate for the population (default: settings.discount_rate_costs)")
    p.add_argument("--study", default=None, metavar="PARAM[,PARAM...]",
                   help="EVSI of a study measuring these parameters (e.g. attribution)")
    p.add_argument("--study-likelihood", choices=["normal", "binomial"], default="normal",
                   help="data model of the study's summary (default normal: mean of n measurements)")
    p.add_argument("--study-sd", type=finite_number, default=None, metavar="SD",
                   help="per-person SD of a measurement (normal; default for service-use statistics: from the data)")
    p.add_argument("--study-n", type=_sizes, default=DEFAULT_SIZES, metavar="N,N,...",
                   help="study sizes (default " + ",".join(map(str, DEFAULT_SIZES)) + ")")
    p.add_argument("--study-cost-fixed", type=finite_number, default=0.0, metavar="MONEY")
    p.add_argument("--study-cost-per-person", type=finite_number, default=0.0, metavar="MONEY")
    p.add_argument("--bootstrap", type=whole_number(2), default=100, metavar="B",
                   help="bootstrap replicates of the standard errors (default 100)")
    p.add_argument("--top", type=whole_number(1), default=10, metavar="K", help="input sets printed (default 10)")
    add_common_options(p)
    p.set_defaults(func=cmd_voi)
    return p


def _print(compiled, result, psa, args) -> None:
    spec = compiled.loaded.spec
    cur = spec.settings.currency + (f" {spec.settings.price_year}" if spec.settings.price_year else "")
    print(f"Scenario: {spec.metadata.name} ({compiled.loaded.path})")
    if compiled.synthetic:
        print("SYNTHETIC DATA: results illustrate the method and are not evidence.")
    print(f"Value of information: {psa.n_draws:,} PSA draws, {psa.method}, seed {psa.seed}; money in {cur}, "
          "discounted")
    pop = result.population
    print(f"Population affected: {pop['population']:,.0f} people ({pop['source']})")
    for line in compiled.loaded.overrides:
        print(f"override: {line}")
    print()
    e = result.evpi[result.evpi.per == "person"]
    print("EVPI (what perfect information on everything is worth):")
    for _, r in e.iterrows():
        lab = r.perspective if r.objective == "net_cost" else f"NMB at {r.threshold:,.0f}"
        popv = result.evpi[(result.evpi.per == "population") & (result.evpi.perspective == r.perspective)
                           & (result.evpi.threshold.fillna(-1) == (-1 if np.isnan(r.threshold) else r.threshold))]
        print(f"  {lab}: {r.evpi:,.2f} per person (SE {r.se:,.2f}), {popv.evpi.iloc[0]:,.0f} for the population; "
              f"best on expected value: {r.best_strategy}, another is better in {r.prob_best_wrong:.0%} of draws")
    print()
    v = result.evppi[result.evppi.per == "person"]
    first = v.iloc[0]
    mask = (v.perspective == first.perspective) & (v.threshold.fillna(-1) == (-1 if np.isnan(first.threshold)
                                                                             else first.threshold))
    shown = v[mask].sort_values("evppi", ascending=False).head(args.top)
    lab = first.perspective if first.objective == "net_cost" else f"NMB at {first.threshold:,.0f}"
    print(f"EVPPI per person, {lab} (all decisions in evppi.csv), highest first:")
    for _, r in shown.iterrows():
        print(f"  {r.parameters:<28} {r.evppi:>10,.2f}  (SE {r.se:,.2f}; R^2 {r.r2_min:.2f}, {r.method})")
    if result.evsi is not None:
        s = result.evsi[(result.evsi.per == "population") & result.evsi.optimal]
        print()
        for _, r in s.iterrows():
            lab = r.perspective if r.objective == "net_cost" else f"NMB at {r.threshold:,.0f}"
            print(f"EVSI of a study of {r.study}, {lab}: ENBS is highest at n = {r.n} ({r.enbs:,.0f}; EVSI "
                  f"{r.evsi:,.0f}, study cost {r.study_cost:,.0f})")


def cmd_voi(args) -> int:
    """Run ``voi``: PSA, then EVPI/EVPPI/EVSI; print the headline; write tables, plots and manifest with --out."""
    from econ.analysis.psa import run_psa
    from econ.analysis.voi import Study, voi
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder, write_csv, write_json
    from econ.report.voi_plots import plot_evppi, plot_evsi, save_voi_figure

    started = now_iso()
    groups = _groups(args.groups)
    parameters = [n for text in args.parameters for n in _names(text)] if args.parameters else None
    if parameters == []:
        raise UsageError(f"--parameters {' '.join(args.parameters)!r}: names no parameter; give NAME[,NAME...]")
    compiled = compile_path(args.file, overrides=args.overrides)
    study = None
    if args.study:
        study = Study(tuple(_names(args.study)), likelihood=args.study_likelihood, sd=args.study_sd,
                      sizes=args.study_n, cost_fixed=args.study_cost_fixed,
                      cost_per_person=args.study_cost_per_person)
    _check_bootstrap_memory(args, compiled)
    folder = prepare_run_folder(args.out, f"voi-{compiled.name}", force=args.force) if args.out else None
    with stage_progress(args, 2, "voi") as step:
        step(f"probabilistic analysis ({args.draws or 'default'} draws)")
        psa = run_psa(compiled, n_draws=args.draws, seed=args.seed)
        step("value of information (EVPI, EVPPI" + (", EVSI)" if study is not None else ")"))
        result = voi(psa, objective=args.objective, thresholds=args.wtp, parameters=parameters,
                     groups=groups or None, study=study, population=args.population, horizon_years=args.horizon,
                     discount_rate=args.discount_rate, n_boot=args.bootstrap)
    _print(compiled, result, psa, args)
    if folder is None:
        return EXIT_OK
    written = []
    tables = {"evpi.csv": result.evpi, "evppi.csv": result.evppi}
    if result.evsi is not None:
        tables["evsi.csv"] = result.evsi
    for name, table in tables.items():
        write_csv(folder / name, table, index=False)
        written.append(name)
    cur = compiled.loaded.spec.settings.currency
    for per in ("person", "population"):
        paths = save_voi_figure(plot_evppi(result.evppi, per=per, currency=cur, synthetic=compiled.synthetic),
                                folder / f"evppi_{per}")
        written += [p.name for p in paths]
    if result.evsi is not None:
        written += [p.name for p in save_voi_figure(plot_evsi(result.evsi, currency=cur, synthetic=compiled.synthetic),
                                                    folder / "evsi_enbs")]
    info = {"voi": {"n_draws": psa.n_draws, "seed": psa.seed, "method": psa.method, "population": result.population,
                    "bootstrap": args.bootstrap, "objective": args.objective, "wtp": args.wtp,
                    "study": None if study is None else {**study.__dict__, "sizes": list(study.sizes)},
                    "synthetic": compiled.synthetic, "files": written + ["manifest.json"]}}
    write_json(folder / "manifest.json", manifest(args, [compiled], started, info, n_draws=psa.n_draws, seed=psa.seed))
    print(f"\nWrote {folder}/: " + ", ".join(written + ["manifest.json"]))
    return EXIT_OK
