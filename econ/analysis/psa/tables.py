"""PSA tables: convergence of the outputs, the per-draw frame, and every summary table by name."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from econ.analysis.psa.decision import acceptability, ce_plane, evpi, summarize_icer
from econ.analysis.psa.result import DEFAULT_CHECKPOINTS, PsaResult
from econ.analysis.psa.summaries import cost_saving, summarize, summarize_offset, summarize_outputs


def convergence(result: PsaResult, checkpoints: Sequence[int] | None = None) -> pd.DataFrame:
    """Running mean of each named output and its Monte Carlo standard error at checkpoints.

    Parameters
    ----------
    result : PsaResult
    checkpoints : sequence of int, optional
        Draw counts n (default: 100, 200, 500, 1,000, ... below N, then N).

    Returns
    -------
    pandas.DataFrame
        Columns ``output``, ``n_draws``, ``mean`` (of the first n draws), ``mcse`` = sd_n / sqrt(n),
        ``rel_mcse`` = mcse / |mean|, ``change`` = |mean_n - mean_N| / mcse_N (how many final
        standard errors the running mean still is from the final one). ICER outputs are left out
        (a ratio of means; see :func:`summarize_outputs`).

    Notes
    -----
    A run has converged for a purpose when mcse is small against the differences that matter
    (e.g. below 1% of the mean, or well below the distance of the mean from a decision threshold).
    For Latin hypercube or Sobol designs the first n draws are not themselves a balanced design and
    the independent-draws MCSE overstates the error of the full run.
    """
    n = result.n_draws
    points = sorted({int(c) for c in (checkpoints if checkpoints is not None else DEFAULT_CHECKPOINTS)
                     if 1 < int(c) < n} | {n})
    rows = []
    for spec in result.output_specs:
        if spec.kind == "icer":
            continue
        x = result.outputs[spec.text].to_numpy()
        final_mean = x.mean()
        final_mcse = x.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        for m in points:
            part = x[:m]
            mean = part.mean()
            mcse = part.std(ddof=1) / np.sqrt(m) if m > 1 else np.nan
            with np.errstate(divide="ignore", invalid="ignore"):
                rows.append({"output": spec.text, "n_draws": m, "mean": mean, "mcse": mcse,
                             "rel_mcse": mcse / abs(mean) if mean != 0 else np.nan,
                             "change": abs(mean - final_mean) / final_mcse if final_mcse > 0 else np.nan})
    return pd.DataFrame(rows, columns=["output", "n_draws", "mean", "mcse", "rel_mcse", "change"])


# --------------------------------------------------------------------------------------------
def draws_columns(result: PsaResult) -> dict[str, np.ndarray]:
    """The columns of :func:`draws_frame` as numpy arrays, ``draw`` first (for writers that need no frame)."""
    columns = {"draw": np.arange(result.n_draws)}
    for p in result.compiled.parameters.uncertain:
        for c in p.components:
            columns[c] = np.asarray(result.table.columns[c])
    for name in result.outputs.columns:
        columns[name] = result.outputs[name].to_numpy()
    return columns


def draws_frame(result: PsaResult) -> pd.DataFrame:
    """Parameter draws and named outputs per draw, one row per draw.

    Returns
    -------
    pandas.DataFrame
        Index ``draw``; a column per uncertain parameter column (Dirichlet components expanded,
        e.g. ``tA_B``; parameters fixed in the PSA are left out), then a column per named output.
    """
    columns = [c for p in result.compiled.parameters.uncertain for c in p.components]
    frame = pd.DataFrame({c: result.table.columns[c] for c in columns},
                         index=pd.RangeIndex(result.n_draws, name="draw"))
    return pd.concat([frame, result.outputs], axis=1)


def psa_tables(result: PsaResult, *, wtp: Sequence[float] | None = None,
               population: float | None = None) -> dict[str, pd.DataFrame]:
    """Every summary table that applies to the scenario, by name.

    Returns
    -------
    dict of str to pandas.DataFrame
        Always ``psa_summary`` (:func:`summarize`), ``psa_outputs`` (:func:`summarize_outputs`) and
        ``convergence``; with a ``cost_offset`` block ``psa_offset`` and ``cost_saving``; with an
        ``icer`` block ``psa_icer``, ``ce_plane``, ``ceac`` (:func:`acceptability`) and ``evpi``.

    Notes
    -----
    The acceptability curve and EVPI are computed on a second thread while the summaries are (with
    two CPUs, :func:`econ.core.parallel.default_threads`, and at least 2,000 draws): on the HIV model
    at 200,000 draws 0.32 s against 0.42 s (medians of 6) while the 2-core machine was otherwise
    quiet; no difference measured while other processes kept its cores busy. The tables do not
    depend on it.
    """
    from econ.core.parallel import run_in_order, threads_for

    def summaries() -> dict:
        out = {"psa_summary": summarize(result), "psa_outputs": summarize_outputs(result),
               "convergence": convergence(result)}
        if result.compiled.loaded.spec.cost_offset is not None:
            out["psa_offset"] = summarize_offset(result)
            out["cost_saving"] = cost_saving(result)
        if result.compiled.icer is not None:
            out["psa_icer"] = summarize_icer(result)
            out["ce_plane"] = ce_plane(result)
        return out

    def decision() -> dict:
        if result.compiled.icer is None:
            return {}
        return {"ceac": acceptability(result, wtp), "evpi": evpi(result, wtp, population=population)}

    # two independent groups of tables, on two threads when there are two CPUs and draws enough
    # (numpy releases the GIL in their loops); each table is computed as it would be alone
    first, second = run_in_order([summaries, decision], threads=min(2, threads_for(result.n_draws)))
    return {**first, **second}
