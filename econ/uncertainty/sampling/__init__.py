"""Uniform designs (Monte Carlo, Latin hypercube, Sobol), Gaussian-copula correlation, and parameter draws.

Two ways to draw
----------------
*Inverse CDF.* A parameter draw is ``dist.ppf(u)`` for a column of a uniform design ``u`` in
(0, 1). Latin hypercube and Sobol' designs, every GSA design, and parameters in a copula are
always drawn this way: stratification and correlation live on the uniforms. Correlation between
parameters is imposed on the uniforms with a Gaussian copula before the ``ppf``, so each parameter
keeps its own marginal distribution.

*Direct* (Monte Carlo only; the default, ``monte_carlo_draws="direct"``). Independent Monte Carlo
draws need no uniform, so each input is drawn by :meth:`Distribution.sample
<econ.uncertainty.distributions.Distribution.sample>`: numpy's exact direct samplers for gamma, beta, PERT and
Dirichlet (as R's ``rgamma`` / ``rdirichlet`` in heemod and hesim), ``ppf`` of uniforms for the
rest. The inverse incomplete gamma and beta functions cost 0.3-1.6 microseconds a value, which
made drawing, not the model, the bottleneck of a PSA (the DMHEE HIV model's 15 gamma quantiles
per draw: 2.0 s of drawing for 200,000 draws; direct: 0.06 s). The draws follow the same
distributions; they are different numbers, so a PSA of an earlier version is reproduced with
``monte_carlo_draws="inverse_cdf"`` (the scenario setting ``settings.monte_carlo_draws``).

Reproducibility
---------------
Inverse CDF: :func:`draw_parameters` builds the whole ``(n, d)`` design in one call and assigns
its columns to parameters in the order of the mapping (a Dirichlet over k components takes k
adjacent columns; a fixed parameter still takes one). The draws therefore depend only on the seed,
``n``, the method, the ordered parameter list and the correlation.

Direct: each input has its own random stream, seeded from four 32-bit words taken from ``rng``
and a hash of the input's *name* (:func:`input_streams`); the parameters of a copula share one
stream named after the block. An input's draws therefore depend only on the seed, ``n`` and its
name and distribution: adding, removing or reordering other parameters leaves them unchanged,
and two scenarios run with the same seed share the draws of the parameters they have in common
(common random numbers, which make the Monte Carlo error of a difference between scenarios small).

Either way the draws never depend on how a later stage chunks them for evaluation, and for
``"monte_carlo"`` draw i is the same whatever ``n`` (the first n rows of a larger run equal a run
of size n: every stream is consumed row by row); Latin hypercube and Sobol designs depend on ``n``
by construction.
"""
# The code is split by responsibility, and every name of the former single module stays
# importable from here:
#   designs      uniform_design (Monte Carlo, Latin hypercube, Sobol'), DesignError, the scipy.stats.qmc helpers
#   correlation  spearman_to_pearson, check_correlation, nearest_correlation, apply_copula, CorrelationError
#   draws        input_streams, draw_parameters
from __future__ import annotations

from econ.uncertainty.sampling.correlation import (
    CORRELATION_ATOL,
    CorrelationError,
    CorrelationKind,
    CorrelationRepairWarning,
    apply_copula,
    check_correlation,
    nearest_correlation,
    spearman_to_pearson,
)
from econ.uncertainty.sampling.designs import DesignError, DesignMethod, qmc_module, qmc_rng_keyword, uniform_design
from econ.uncertainty.sampling.draws import MonteCarloDraws, draw_parameters, input_streams

# Private helpers of the former module, kept importable from the old path.
from econ.uncertainty.sampling.correlation import (  # noqa: F401
    _KINDS,
    _as_square,
    _correlation_block,
    _factor,
    _labels,
    _pairs,
    _project_psd,
)
from econ.uncertainty.sampling.designs import _METHODS, _check_count  # noqa: F401
from econ.uncertainty.sampling.draws import _MC_DRAWS, _copula_stream_name  # noqa: F401

__all__ = [
    "CorrelationError",
    "CorrelationRepairWarning",
    "DesignError",
    "apply_copula",
    "check_correlation",
    "draw_parameters",
    "input_streams",
    "nearest_correlation",
    "spearman_to_pearson",
    "uniform_design",
]
