"""ParameterTables for uncertainty analysis: PSA draws, and tables built from given uniforms (GSA).

Monte Carlo PSA draws are direct by default (each input from its own stream, see
:mod:`econ.uncertainty.sampling`). For inverse-CDF designs (Latin hypercube, Sobol', GSA, or Monte Carlo with
``monte_carlo_draws="inverse_cdf"``) the column order of the uniform design is the order
parameters are written in the scenario; each
uncertain parameter takes one column (a Dirichlet k), and all parameters drawn from the
service-use bootstrap share one column that picks the replicate, so they keep their joint
distribution. Parameters without a distribution stay at their point values.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from econ.uncertainty.distributions import Uniform
from econ.inputs.context import BootstrapStatistic
from econ.model.parameters import ParameterSet, ParameterTable
from econ.uncertainty.sampling import draw_parameters

#: Key of the design column shared by all bootstrap-derived parameters.
BOOTSTRAP_COLUMN = "service_use_data"


@dataclass(frozen=True)
class UncertainInput:
    """One input of an uncertainty analysis: a parameter (or the bootstrap group) and its design columns."""

    name: str
    parameters: tuple  # Parameter names it sets
    dimension: int  # design columns it takes
    group: str  # GSA group (the parameter's ``group``, or its own name)


def uncertain_inputs(pset: ParameterSet, *, names=None) -> list[UncertainInput]:
    """The inputs varied in PSA/GSA, in scenario order (default: every uncertain parameter).

    ``names`` restricts to these parameters (the bootstrap group is chosen by naming any of its
    parameters or ``service_use_data``).
    """
    out: list[UncertainInput] = []
    boot: list[str] = []
    boot_at = None
    for p in pset.independent:
        if not p.is_uncertain:
            continue
        if names is not None and p.name not in names and not (
                isinstance(p.distribution, BootstrapStatistic) and BOOTSTRAP_COLUMN in names):
            continue
        if isinstance(p.distribution, BootstrapStatistic):
            boot.append(p.name)
            if boot_at is None:
                boot_at = len(out)
                out.append(None)  # placeholder keeps the scenario position
            continue
        out.append(UncertainInput(p.name, (p.name,), p.distribution.dimension, p.group or p.name))
    if boot:
        out[boot_at] = UncertainInput(BOOTSTRAP_COLUMN, tuple(boot), 1, BOOTSTRAP_COLUMN)
    return out


def _point_columns(pset: ParameterSet, n: int) -> dict:
    base = pset.point_table()
    return {k: np.repeat(v, n) for k, v in base.columns.items()}


def table_from_uniforms(pset: ParameterSet, inputs: list[UncertainInput], u: np.ndarray) -> ParameterTable:
    """Map uniforms (n, sum of dimensions) through each input's inverse CDF; others at point values.

    The bootstrap group's column picks one replicate for all its parameters (replicate
    floor(u * R)), so they move together.
    """
    u = np.asarray(u, dtype=float)
    n = u.shape[0]
    cols = _point_columns(pset, n)
    j = 0
    for inp in inputs:
        block = u[:, j : j + inp.dimension]
        j += inp.dimension
        if inp.name == BOOTSTRAP_COLUMN:
            first = pset[inp.parameters[0]].distribution
            R = first.replicates.size
            idx = np.clip(np.ceil(block[:, 0] * R).astype(np.intp) - 1, 0, R - 1)
            for name in inp.parameters:
                cols[name] = pset[name].distribution.draw_joint(idx)
            continue
        p = pset[inp.name]
        values = p.distribution.ppf(block[:, 0] if inp.dimension == 1 else block)
        if inp.dimension == 1:
            cols[p.name] = np.asarray(values, dtype=float)
        else:
            for c, comp in enumerate(p.components):
                cols[comp] = np.asarray(values[:, c], dtype=float)
    if j != u.shape[1]:
        raise ValueError(f"uniforms have {u.shape[1]} columns; the inputs take {j}")
    return ParameterTable(cols, n)


def draw_input_values(pset: ParameterSet, n: int, *, rng: np.random.Generator, method: str = "monte_carlo",
                      correlation=None, correlation_kind=None, repair: bool = False,
                      monte_carlo_draws: str = "direct") -> tuple[list[UncertainInput], dict]:
    """Draw every uncertain input of a PSA (the first half of :func:`draw_table`).

    Returns
    -------
    inputs : list of UncertainInput
        As :func:`uncertain_inputs` (every uncertain parameter).
    values : dict
        Input name -> drawn values, shape (n,) or (n, k) for a Dirichlet; for the service-use
        bootstrap group (``service_use_data``) the uniform that picks the replicate.
    """
    inputs = uncertain_inputs(pset)
    dists = {}
    for inp in inputs:
        dists[inp.name] = Uniform(0.0, 1.0) if inp.name == BOOTSTRAP_COLUMN else pset[inp.name].distribution
    drawn = draw_parameters(dists, n, method=method, rng=rng, correlation=correlation,
                            correlation_kind=correlation_kind, repair=repair,
                            monte_carlo_draws=monte_carlo_draws) if dists else {}
    return inputs, drawn


def table_from_input_values(pset: ParameterSet, inputs: list[UncertainInput], values: dict, n: int) -> ParameterTable:
    """The ParameterTable of drawn input values (from :func:`draw_input_values`); others at point values."""
    cols = _point_columns(pset, n)
    for inp in inputs:
        value = values[inp.name]
        if inp.name == BOOTSTRAP_COLUMN:
            first = pset[inp.parameters[0]].distribution
            R = first.replicates.size
            idx = np.clip(np.ceil(np.asarray(value) * R).astype(np.intp) - 1, 0, R - 1)
            for name in inp.parameters:
                cols[name] = pset[name].distribution.draw_joint(idx)
        elif inp.dimension == 1:
            cols[inp.name] = np.asarray(value, dtype=float)
        else:
            for c, comp in enumerate(pset[inp.name].components):
                cols[comp] = np.asarray(value[:, c], dtype=float)
    return ParameterTable(cols, n)


def draw_table(pset: ParameterSet, n: int, *, rng: np.random.Generator, method: str = "monte_carlo",
               correlation=None, correlation_kind=None, repair: bool = False,
               monte_carlo_draws: str = "direct") -> ParameterTable:
    """Draw a PSA ParameterTable of ``n`` rows.

    Parameters
    ----------
    pset : ParameterSet
    n : int
        Draws (a power of two for ``sobol``).
    rng : numpy.random.Generator
    method : {"monte_carlo", "latin_hypercube", "sobol"}
    correlation, correlation_kind, repair, monte_carlo_draws
        As :func:`econ.uncertainty.sampling.draw_parameters` (pairs of univariate parameter names -> rho;
        ``"direct"`` or ``"inverse_cdf"`` Monte Carlo draws).

    Returns
    -------
    ParameterTable
        The whole table is drawn at once, so results never depend on how it is later chunked.
    """
    inputs, values = draw_input_values(pset, n, rng=rng, method=method, correlation=correlation,
                                       correlation_kind=correlation_kind, repair=repair,
                                       monte_carlo_draws=monte_carlo_draws)
    return table_from_input_values(pset, inputs, values, n)
