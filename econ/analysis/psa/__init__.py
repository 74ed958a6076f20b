"""Probabilistic sensitivity analysis: draw every uncertain parameter, evaluate all draws at once, summarize.

Modules: :mod:`.result` (PsaResult, percentiles, default grids), :mod:`.run` (:func:`run_psa`,
:func:`scenario_correlation`), :mod:`.summaries` (parameter, output and cost-offset summaries),
:mod:`.decision` (CE plane, ICER, acceptability, EVPI), :mod:`.tables` (convergence, per-draw frame,
:func:`psa_tables`), :mod:`.curves` (cumulative net cost, net-cost curve). Every name is re-exported here.
"""
from __future__ import annotations

# Every name the former single module defined, private ones included, is importable from here.
from econ.analysis.psa.result import (PERCENTILES, DEFAULT_WTP, DEFAULT_CHECKPOINTS, _STAT_COLUMNS,
                                      PsaResult)  # noqa: F401
from econ.analysis.psa.run import (scenario_correlation, _correlation_problem, run_psa)  # noqa: F401
from econ.analysis.psa.summaries import (_stats, summarize, summarize_outputs, _incremental,
                                         _population, summarize_offset, cost_saving)  # noqa: F401
from econ.analysis.psa.decision import (_check_icer, ce_plane, summarize_icer, _nmb_inputs,
                                        acceptability, evpi)  # noqa: F401
from econ.analysis.psa.tables import (convergence, draws_columns, draws_frame, psa_tables)  # noqa: F401
from econ.analysis.psa.curves import (CURVE_POINTS, CYCLE_CHUNK, cumulative_band,
                                      net_cost_curve)  # noqa: F401
