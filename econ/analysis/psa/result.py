"""PSA result: the reported percentiles, default grids and the PsaResult of a run."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from econ.model.evaluate import Evaluation
from econ.model.compile import CompiledScenario
from econ.model.parameters import ParameterTable
from econ.analysis.outputs import OutputSpec, parse_output

#: Percentiles reported for every summarised quantity (a central 95% interval).
PERCENTILES = (2.5, 97.5)

#: Default willingness-to-pay grid, money per unit of the ICER's effect: 0 to 100,000 in steps of
#: 1,000 (covers the NICE range of 20,000 to 30,000 per QALY with room either side).
DEFAULT_WTP = np.arange(0.0, 100_001.0, 1_000.0)

#: Draw counts at which convergence is reported (those below N, then N itself).
DEFAULT_CHECKPOINTS = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000,
                       500_000, 1_000_000)

_STAT_COLUMNS = ["mean", "sd", "mcse", "p2.5", "p97.5"]


@dataclass(frozen=True)
class PsaResult:
    """Everything a probabilistic analysis produced.

    Attributes
    ----------
    compiled : CompiledScenario
    table : ParameterTable
        The draws (rows) of every parameter column (uncertain ones drawn, others at point values).
    evaluation : Evaluation
        Totals per draw, strategy and value/total, discounted and undiscounted.
    outputs : pandas.DataFrame
        Named outputs (see :mod:`econ.analysis.outputs`) per draw: index ``draw`` (0..N-1), one float
        column per output name.
    seed : int
        Seed of ``numpy.random.default_rng`` that drew the table.
    method : str
        ``monte_carlo``, ``latin_hypercube`` or ``sobol``.
    correlation : dict
        ``(a, b) -> rho`` normal-score correlations imposed by the Gaussian copula (empty: independent).
    """

    compiled: CompiledScenario
    table: ParameterTable
    evaluation: Evaluation
    outputs: pd.DataFrame
    seed: int
    method: str
    correlation: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        from econ.analysis.base_case import result_repr

        return result_repr("PsaResult", self.compiled, f"{self.n_draws:,} draws ({self.method}, seed {self.seed}) "
                           f"of {self.outputs.shape[1]} outputs", ".outputs, .table, psa_tables(result)")

    @property
    def n_draws(self) -> int:
        return self.table.n_draws

    @property
    def output_specs(self) -> list[OutputSpec]:
        return [parse_output(self.compiled, name) for name in self.outputs.columns]
