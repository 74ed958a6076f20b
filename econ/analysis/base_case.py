"""The deterministic base case: :func:`run` and its :class:`Results` (tidy pandas tables + run metadata)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from econ.analysis.cea import cost_consequence, frontier, net_benefit
from econ.core.errors import ScenarioError
from econ.model.compile import CompiledScenario
from econ.model.evaluate import Evaluation, evaluate
from econ.model.results import RunMetadata, metadata_for
from econ.model.run import compile_path
from econ.scenario.load import LoadedScenario


@dataclass(frozen=True)
class Results:
    """Results of a deterministic run (or the mean of a set of draws).

    Attributes
    ----------
    compiled : CompiledScenario
    evaluation : Evaluation
    metadata : RunMetadata
    """

    compiled: CompiledScenario
    evaluation: Evaluation
    metadata: RunMetadata

    def __repr__(self) -> str:
        return result_repr("Results", self.compiled, f"{len(self.outputs)} outputs",
                           ".summary, .incremental" + (", .offset" if self.compiled.loaded.spec.cost_offset is not None
                                                       else "") + ", .per_cycle, .trace, .metadata")

    @property
    def strategies(self) -> list[str]:
        return list(self.evaluation.strategies)

    @property
    def outputs(self) -> list[str]:
        return list(self.evaluation.outputs)

    def _frame(self, arr: np.ndarray) -> pd.DataFrame:
        df = pd.DataFrame(arr.mean(axis=0), index=pd.Index(self.strategies, name="strategy"), columns=self.outputs)
        df.columns.name = "value"
        return df

    @property
    def summary(self) -> pd.DataFrame:
        """Discounted totals per person: index strategy, one column per value and total (float)."""
        return self._frame(self.evaluation.totals)

    @property
    def offset(self) -> pd.DataFrame:
        """The cost-offset headline per perspective and strategy (discounted), for a scenario with a
        ``cost_offset`` block: index (perspective, strategy), columns delivery_cost, cost_offset,
        net_cost, roi, break_even_attribution, payback_month (NaN: not within the horizon). The
        per-value totals stay in :attr:`summary`; the long table with the offset by category and the
        population totals is :func:`econ.headline`. Raises ScenarioError without a ``cost_offset`` block.
        """
        from econ.analysis.offset import headline

        h = headline(self.compiled)
        h = h[h.discounting == "discounted"]
        wide = h.pivot_table(index=["perspective", "strategy"], columns="measure", values="per_participant",
                             sort=False, dropna=False)
        wanted = ["delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution", "payback_month"]
        wide = wide[[m for m in wanted if m in wide.columns]]
        wide.columns.name = None
        return wide

    @property
    def summary_undiscounted(self) -> pd.DataFrame:
        """Undiscounted totals per person, same shape as :attr:`summary`."""
        return self._frame(self.evaluation.totals_undiscounted)

    @property
    def incremental(self) -> pd.DataFrame:
        """Each strategy minus the reference strategy (discounted), plus the ICER when declared.

        Columns: one per value and total (the increment), then ``icer`` (cost increment / effect
        increment, NaN for the reference or when the effect increment is 0) and ``dominance``
        ('reference', 'dominant': cheaper and at least as effective, 'dominated': dearer and no
        more effective, or '').
        """
        s = self.summary
        ref = self.compiled.reference
        inc = s - s.loc[ref]
        inc.insert(0, "reference", ref)
        if self.compiled.icer is not None:
            cost, effect = self.compiled.icer
            dc, de = inc[cost].to_numpy(), inc[effect].to_numpy()
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                icer = np.where(de != 0, dc / np.where(de != 0, de, 1.0), np.nan)
            inc["icer"] = icer
            labels = []
            for strat, c_, e_ in zip(inc.index, dc, de):
                if strat == ref:
                    labels.append("reference")
                elif c_ <= 0 and e_ >= 0 and (c_ < 0 or e_ > 0):
                    labels.append("dominant")
                elif c_ >= 0 and e_ <= 0 and (c_ > 0 or e_ < 0):
                    labels.append("dominated")
                else:
                    labels.append("")
            inc["dominance"] = labels
        return inc

    def _icer_pair(self) -> tuple[str, str]:
        if self.compiled.icer is None:
            raise ScenarioError(self.compiled.loaded.problem(
                (), "the efficiency frontier and net benefit need an 'icer' block (cost, effect)"))
        return self.compiled.icer

    @property
    def frontier(self) -> pd.DataFrame:
        """The efficiency frontier of the declared cost and effect (``icer`` block), discounted.

        One row per strategy: ``strategy``, ``cost``, ``effect``, ``status``, ``comparator``,
        ``inc_cost``, ``inc_effect``, ``icer`` (see :func:`econ.analysis.cea.frontier`). Raises
        ScenarioError when the scenario declares no ``icer`` block.
        """
        cost, effect = self._icer_pair()
        s = self.summary
        return frontier(s[cost], s[effect])

    def net_benefit(self, thresholds: Sequence[float] | None = None) -> pd.DataFrame:
        """Net monetary and net health benefit per strategy at ``thresholds`` (default GBP 20,000 and
        30,000 per unit of effect); see :func:`econ.analysis.cea.net_benefit`."""
        cost, effect = self._icer_pair()
        s = self.summary
        return net_benefit(s[cost], s[effect], thresholds, strategies=self.strategies)

    @property
    def cost_consequence(self) -> pd.DataFrame:
        """Costs next to every outcome per strategy, and differences from the reference strategy.

        Costs: the ``icer`` block's cost when declared, else every total of kind cost (every cost value
        when there are no such totals); outcomes: every value and total of kind outcome. See
        :func:`econ.analysis.cea.cost_consequence`.
        """
        c = self.compiled
        kinds = {o: c.kind_of(o) for o in self.outputs}
        if c.icer is not None:
            costs = [c.icer[0]]
        else:
            costs = [o for o in c.totals if kinds[o] == "cost"] or [o for o in self.outputs if kinds[o] == "cost"]
        outcomes = [o for o in self.outputs if kinds[o] == "outcome"]
        return cost_consequence(self.summary, costs, outcomes, c.reference)

    @property
    def per_cycle(self) -> pd.DataFrame:
        """Long table: strategy, cycle, value, amount (undiscounted), discounted (mean over draws)."""
        ev = self.evaluation
        if ev.per_cycle is None:
            raise ValueError("per-cycle amounts were not kept; run with keep_cycles=True")
        und = ev.per_cycle.mean(axis=0)
        dis = ev.per_cycle_discounted.mean(axis=0)
        K, O, T = und.shape
        idx = pd.MultiIndex.from_product([self.strategies, self.outputs, range(1, T + 1)],
                                         names=["strategy", "value", "cycle"])
        df = pd.DataFrame({"amount": und.reshape(-1), "discounted": dis.reshape(-1)}, index=idx).reset_index()
        return df[["strategy", "cycle", "value", "amount", "discounted"]]

    @property
    def trace(self) -> pd.DataFrame:
        """Long table: strategy, cycle (0..T), state (declared states, tunnels summed), share."""
        from econ.model.engine import collapse_tunnels

        ev = self.evaluation
        if ev.trace is None:
            raise ValueError("the trace was not kept; run with keep_trace=True")
        groups, arr = collapse_tunnels(self.compiled.model, ev.trace.mean(axis=0))
        K, T1, S = arr.shape
        idx = pd.MultiIndex.from_product([self.strategies, range(T1), groups], names=["strategy", "cycle", "state"])
        return pd.DataFrame({"share": arr.reshape(-1)}, index=idx).reset_index()


def run(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
        keep_cycles: bool = True, keep_trace: bool = True, evaluation: Evaluation | None = None) -> Results:
    """Run the deterministic base case of a scenario.

    Parameters
    ----------
    scenario : path, LoadedScenario or CompiledScenario
    overrides : sequence of str
        ``key=value`` overrides, as ``--set`` on the command line (highest precedence).
    keep_cycles, keep_trace : bool
        Keep per-cycle amounts and the state trace (both small for one draw).
    evaluation : Evaluation, optional
        The base case's evaluation, already made (one draw, e.g. evaluated with other tables in one
        go by the ``run`` command); used instead of evaluating again.

    Returns
    -------
    Results
        ``.summary`` (discounted totals per person by strategy), ``.summary_undiscounted``,
        ``.incremental`` (against the reference strategy, with the ICER when declared),
        ``.frontier``, ``.net_benefit()`` and ``.cost_consequence`` (cost-effectiveness),
        ``.per_cycle`` and ``.trace`` (long tables) and ``.metadata``.

    Examples
    --------
    >>> import econ
    >>> res = econ.run("scenarios/validation/chancellor_hiv.yaml")  # doctest: +SKIP
    >>> res.summary.loc["mono", "total_cost"]  # doctest: +SKIP
    44663.45...
    """
    compiled = compile_path(scenario, overrides=overrides)
    if evaluation is not None and evaluation.n_draws != 1:
        raise ValueError(f"the base case's evaluation has one draw (got {evaluation.n_draws})")
    ev = evaluation if evaluation is not None else evaluate(compiled, keep_cycles=keep_cycles, keep_trace=keep_trace)
    meta = metadata_for(compiled, n_draws=1, seed=None, data_files=compiled.data_files)
    warn_if_synthetic(compiled)
    return Results(compiled, ev, meta)


def result_repr(kind: str, compiled: CompiledScenario, size: str, tables: str) -> str:
    """A short one-line ``repr`` for a result object (notebooks print it; the tables stay in attributes)."""
    strategies = compiled.model.strategy_names
    flag = ", SYNTHETIC data" if compiled.synthetic else ""
    return (f"<{kind} of '{compiled.name}' ({compiled.loaded.path}): {len(strategies)} strategies "
            f"({', '.join(strategies[:6])}{', ...' if len(strategies) > 6 else ''}), {size}{flag}; see {tables}>")


#: Scenarios (name, file) already warned about in this session (see :func:`warn_if_synthetic`).
_WARNED_SYNTHETIC: set = set()


def warn_if_synthetic(compiled: CompiledScenario) -> None:
    """Warn (:class:`~econ.core.errors.SyntheticDataWarning`) that results come from synthetic data,
    once per scenario and session (a notebook that reruns a cell is not told again; Python's own
    once-only registry is reset whenever any library changes the warning filters). The command line
    drops the warning, as every command prints its own SYNTHETIC banner.
    """
    key = (compiled.name, compiled.loaded.path)
    if compiled.synthetic and key not in _WARNED_SYNTHETIC:
        import warnings

        from econ.core.errors import SyntheticDataWarning

        _WARNED_SYNTHETIC.add(key)
        warnings.warn(SyntheticDataWarning(f"results of '{compiled.name}' come from SYNTHETIC data: they "
                                           "illustrate the method and are not evidence"), stacklevel=3)
