"""Result containers: tidy pandas tables of a run, and the metadata that makes them traceable."""
from __future__ import annotations

import datetime as _dt
import platform
import sys
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from econ.model.evaluate import Evaluation
from econ.model.compile import CompiledScenario


def package_versions() -> dict:
    """Versions of Python and of the packages that affect results."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("peer-econ", "numpy", "scipy", "pandas", "SALib", "PyYAML", "pydantic"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


@dataclass(frozen=True)
class RunMetadata:
    """What made a result: scenario files and hashes, overrides, seed, versions, command line."""

    scenario: str
    scenario_path: str
    files: list
    overrides: list
    seed: int | None
    n_draws: int
    price_year: str | None
    currency: str
    cycle_length: str
    n_cycles: int
    cycle_correction: str
    discount_first_cycle: bool
    synthetic: bool
    versions: dict = field(default_factory=package_versions)
    command_line: list = field(default_factory=lambda: list(sys.argv))
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    data_files: list = field(default_factory=list)
    perspectives: list = field(default_factory=list)
    precedence: str = "--set overrides > scenario file > extends: parents > schema defaults"

    def to_dict(self) -> dict:
        return asdict(self)


def metadata_for(compiled: CompiledScenario, *, n_draws: int, seed: int | None, data_files=()) -> RunMetadata:
    """Build the RunMetadata of a run of ``compiled``."""
    loaded = compiled.loaded
    st = loaded.spec.settings
    return RunMetadata(
        scenario=loaded.spec.metadata.name, scenario_path=loaded.path,
        files=[{"path": f.path, "sha256": f.sha256} for f in loaded.files],
        overrides=list(loaded.overrides), seed=seed, n_draws=n_draws, price_year=st.price_year,
        currency=st.currency, cycle_length=st.cycle_length, n_cycles=st.n_cycles,
        cycle_correction=st.cycle_correction, discount_first_cycle=st.discount_first_cycle,
        synthetic=compiled.synthetic or any(d.get("synthetic") for d in data_files),
        data_files=list(data_files),
        perspectives=list(loaded.spec.cost_offset.perspectives) if loaded.spec.cost_offset is not None else [],
    )


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
