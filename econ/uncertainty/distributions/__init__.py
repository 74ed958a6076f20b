"""Probability distributions of model parameters: parameterisation, point value, inverse CDF and draws.

Every distribution is a small frozen dataclass with the same interface:

``name``
    The name used in scenario files (``dist: beta``).
``dimension``
    1, or k for a Dirichlet over k components.
``mean``, ``sd``
    Moments of the distribution (arrays of length k for a Dirichlet).
``ppf(u)``
    The inverse CDF, vectorised. Latin hypercube and Sobol' PSA designs, GSA designs and
    correlated (copula) draws are built by pushing uniforms through ``ppf``, so the same uniforms
    give the same parameter values everywhere.
``cdf(x)``, ``interval(level)``
    Univariate distributions only.
``draw(rng, n)``
    ``ppf`` of ``n`` uniforms (``(n, k)`` for a Dirichlet) from ``rng.random``.
``sample(rng, n)``
    ``n`` draws by the fastest exact method: numpy's direct samplers for gamma, beta, PERT and
    Dirichlet (which avoid the costly inverse incomplete gamma and beta functions), ``draw``
    for the others. Same distribution as ``draw``, different numbers for the same ``rng``; used
    for Monte Carlo PSA draws of inputs that are not in a copula (see :mod:`econ.uncertainty.sampling`).

A distribution is written in a scenario as a mapping, e.g. ``{dist: gamma, mean: 120, se: 30}``, and
built by :func:`make_distribution`. The parameterisation is always explicit: the keys say whether
the numbers are moments (fitted by the method of moments), a 95% interval, or the natural
parameters. ``se`` may also be written ``sd``. Allowed keys per distribution:

==============  ==========================================================================
``fixed``       ``value``
``normal``      ``mean, se`` | ``mean, ci95``
``lognormal``   ``mean, se`` | ``median, ci95`` | ``meanlog, sdlog``
``gamma``       ``mean, se`` | ``shape, scale``
``beta``        ``mean, se`` | ``alpha, beta`` | ``events, n``
``uniform``     ``low, high``
``triangular``  ``low, mode, high``
``pert``        ``low, mode, high`` (optional ``lambda``, default 4)
``dirichlet``   ``counts`` (mapping component name -> count, or a list of counts)
``empirical``   ``values`` (a list of numbers; bootstrap from data)
==============  ==========================================================================

Every distribution also accepts an optional ``value`` key: the point estimate used in the base case.

Point value rule (:func:`point_value`), applied in this order:

1. the explicit ``value`` key, if present;
2. else the ``mean`` key, if the spec gives one;
3. else the ``median`` key, if the spec gives one (e.g. a lognormal hazard ratio stated as median
   and 95% interval keeps its published point estimate, not the lognormal mean);
4. else the mean of the distribution (for a Dirichlet, the vector ``counts / sum(counts)``).

Bad specs raise :class:`DistributionSpecError`, whose ``key`` attribute names the offending key so
that the scenario loader can point at its file and line.
"""
# The docstring above is the user-facing reference (econ.scenario.reference copies it into
# docs/scenario_reference.md). The code is split by responsibility, and every name of the former
# single module stays importable from here:
#   base        constants (UNIT_EPS, Z95, CI_SYMMETRY_RTOL), DistributionSpecError, value parsing
#               and checks, the Distribution base class
#   parametric  fixed, normal, lognormal, gamma, beta
#   bounded     uniform, triangular, pert
#   from_data   dirichlet, empirical
#   factory     DISTRIBUTIONS, make_distribution, point_value
from __future__ import annotations

from econ.uncertainty.distributions.base import (
    CI_SYMMETRY_RTOL,
    UNIT_EPS,
    Z95,
    Distribution,
    DistributionSpecError,
    clip_to_open_unit,
)
from econ.uncertainty.distributions.bounded import Pert, Triangular, Uniform
from econ.uncertainty.distributions.factory import DISTRIBUTIONS, make_distribution, point_value
from econ.uncertainty.distributions.from_data import Dirichlet, Empirical
from econ.uncertainty.distributions.parametric import Beta, Fixed, Gamma, Lognormal, Normal

# Private helpers of the former module, kept importable from the old path.
from econ.uncertainty.distributions.base import (  # noqa: F401
    _FIELD_KEYS,
    _USE_FIXED,
    _as_float_fields,
    _check_level,
    _check_n,
    _check_positive_field,
    _check_symmetric,
    _check_unit,
    _fmt,
    _got,
    _number,
    _numbers,
    _Params,
    _positive,
)
from econ.uncertainty.distributions.bounded import _check_low_mode_high  # noqa: F401
from econ.uncertainty.distributions.factory import (  # noqa: F401
    _ALIASES,
    _POINT_KEY,
    _check_point_value,
    _distribution_class,
    _match,
    _options,
)

__all__ = [
    "CI_SYMMETRY_RTOL",
    "DISTRIBUTIONS",
    "UNIT_EPS",
    "Beta",
    "Dirichlet",
    "Distribution",
    "DistributionSpecError",
    "Empirical",
    "Fixed",
    "Gamma",
    "Lognormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
    "clip_to_open_unit",
    "make_distribution",
    "point_value",
]
