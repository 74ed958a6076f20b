"""GSA designs: the unit-cube (or PSA) sample of each method and the parameter rows it produces."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from econ.uncertainty.distributions import clip_to_open_unit
from econ.uncertainty.sampling import qmc_module, qmc_rng_keyword
from econ.analysis.draws import BOOTSTRAP_COLUMN, draw_input_values, table_from_input_values, table_from_uniforms
from econ.core.errors import Problem
from econ.model.compile import CompiledScenario
from econ.model.parameters import ParameterSet, ParameterTable
from econ.analysis.gsa.problem import (EFAST_M, MORRIS_LEVELS, MORRIS_TAIL, GsaError, GsaMethod, GsaProblem,
                                       check_sample_size)


@dataclass(frozen=True)
class SaltelliRows:
    """Rows of Saltelli's Sobol' design, built on demand from the mapped base matrices A and B.

    Row r = i (k_max) + k of SALib's design is sample i of A (k = 0), of A with group k - 1 taken
    from B (k = 1..G), of B with group k - G - 1 taken from A (second order, k = G + 1..2G), or of
    B (the last k). Every value of a row is therefore a value of A or B, so the inverse CDFs are
    applied to the 2N rows of A and B once, not to all N (G + 2) rows: the same numbers, since
    each ``ppf`` is elementwise (a test checks the table equals mapping SALib's own design).
    """

    a: dict  # column -> (N,) mapped values of A (point values for columns not varied)
    b: dict  # column -> (N,) mapped values of B
    column_group: dict  # table column -> group index (absent: not varied)
    from_b: np.ndarray  # (rows per sample, G) bool: group g of sub-row k comes from B

    @property
    def step(self) -> int:
        return self.from_b.shape[0]

    def table(self, start: int, stop: int) -> ParameterTable:
        return self.take(np.arange(start, stop))

    def take(self, rows: np.ndarray, columns=None) -> ParameterTable:
        """The ParameterTable of design rows ``rows`` (any order), with only ``columns`` if given."""
        i, k = np.divmod(rows, self.step)
        cols = {}
        for name, a in self.a.items():
            if columns is not None and name not in columns:
                continue
            g = self.column_group.get(name)
            cols[name] = a[i] if g is None else np.where(self.from_b[k, g], self.b[name][i], a[i])
        return ParameterTable(cols, len(rows))


@dataclass(frozen=True)
class UniformRows:
    """Rows of a unit-cube design held whole (Morris, eFAST), mapped chunk by chunk."""

    pset: ParameterSet
    inputs: tuple
    uniforms: np.ndarray

    def table(self, start: int, stop: int) -> ParameterTable:
        return table_from_uniforms(self.pset, list(self.inputs), clip_to_open_unit(self.uniforms[start:stop]))


@dataclass(frozen=True)
class TableRows:
    """Rows of an already drawn ParameterTable (the PSA sample of delta and PAWN)."""

    table_: ParameterTable

    def table(self, start: int, stop: int) -> ParameterTable:
        return self.table_.slice(start, stop)


@dataclass(frozen=True)
class Design:
    """A GSA design: what to evaluate and what SALib needs to analyse it.

    Attributes
    ----------
    method : str
    problem : GsaProblem
    n : int
        Sample size as asked (base samples, trajectories, samples per input or draws).
    n_rows : int
        Model evaluations.
    second_order : bool
    rows : SaltelliRows | UniformRows | TableRows
        Produces the ParameterTable of any range of rows.
    X : ndarray or None
        What SALib's analysers read besides Y: the unit-cube design (Morris), or the input values
        of the PSA sample (delta, PAWN: one column per design column; for ``service_use_data`` the
        uniform that picks the bootstrap replicate). None for Sobol' and eFAST.
    base : ndarray or None
        Sobol': the (N, 2d) base sequence [A | B] (unclipped), for :func:`design_uniforms`.
    correlated : bool
        The sample carries the scenario's correlations (delta, PAWN).
    """

    method: str
    problem: GsaProblem
    n: int
    n_rows: int
    second_order: bool
    rows: object
    X: np.ndarray | None = None
    base: np.ndarray | None = None
    correlated: bool = False


def _saltelli_from_b(G: int, second_order: bool) -> np.ndarray:
    step = 2 * G + 2 if second_order else G + 2
    from_b = np.zeros((step, G), dtype=bool)
    for g in range(G):
        from_b[1 + g, g] = True
        if second_order:
            from_b[G + 1 + g, :] = True
            from_b[G + 1 + g, g] = False
    from_b[step - 1, :] = True
    return from_b


def design_uniforms(design: Design, start: int = 0, stop: int | None = None) -> np.ndarray:
    """The unit-cube rows [start, stop) of a design (unclipped), as SALib's sampler would give them.

    For Sobol' they are assembled from the base sequence; for Morris and eFAST they are the design
    itself. Not defined for delta/PAWN, whose sample is drawn as parameter values.
    """
    stop = design.n_rows if stop is None else stop
    if design.base is not None:
        p = design.problem
        gindex = {g: i for i, g in enumerate(p.groups)}
        col_g = np.array([gindex[g] for g in p.column_groups])
        from_b = _saltelli_from_b(len(p.groups), design.second_order)
        i, k = np.divmod(np.arange(start, stop), from_b.shape[0])
        take_b = from_b[k][:, col_g]
        return np.where(take_b, design.base[i, p.d:], design.base[i, : p.d])
    if isinstance(design.rows, UniformRows):
        return design.rows.uniforms[start:stop]
    raise GsaError(Problem(f"a {design.method} design is a sample of parameter values, not of uniforms", None,
                           "design"))


def _scenario_correlation(compiled: CompiledScenario | None) -> dict:
    """The scenario's ``correlations`` as normal-score correlations (as the PSA uses them), or {}."""
    if compiled is None or not compiled.loaded.spec.correlations:
        return {}
    from econ.analysis.psa import scenario_correlation

    return scenario_correlation(compiled)


def sample(pset: ParameterSet, problem: GsaProblem, method: GsaMethod, n: int, *, rng: np.random.Generator,
           second_order: bool = False, compiled: CompiledScenario | None = None) -> Design:
    """Draw the design of a method.

    Parameters
    ----------
    pset : ParameterSet
    problem : GsaProblem
    method : {"sobol", "morris", "efast", "delta", "pawn"}
    n : int
        Sample size (see :func:`check_sample_size`).
    rng : numpy.random.Generator
        Passed to SALib's samplers (and to scipy's Sobol' engine), so the design follows the seed.
    second_order : bool
        Sobol' only: the N (2G + 2)-row design for second-order indices.
    compiled : CompiledScenario, optional
        For delta/PAWN: the scenario whose ``correlations`` (if any) the PSA sample carries, and
        whose ``settings.sampling`` design it uses.

    Returns
    -------
    Design

    Notes
    -----
    ``sobol``: the base sequence is ``scipy.stats.qmc.Sobol(2d, scramble=True)`` drawn with ``rng``,
    exactly as ``SALib.sample.sobol.sample``; its N (G + 2) rows are assembled on demand (SALib's
    sampler fills them in a Python loop and holds them whole, N (G + 2) d x 8 bytes). ``morris``:
    ``SALib.sample.morris.sample`` on a 4-level grid, whose levels are the quantiles
    ``MORRIS_TAIL + level (1 - 2 MORRIS_TAIL)`` (see :data:`MORRIS_TAIL`). ``efast``: ``SALib.sample.fast_sampler``
    (every column its own factor; eFAST cannot vary groups together). ``delta``/``pawn``: the PSA
    sample of :func:`econ.analysis.draws.draw_input_values` (the table equals ``draw_table``'s for the same
    seed), with the scenario's correlations, since both estimators are valid for dependent inputs.
    """
    n_rows = check_sample_size(method, n, problem, second_order=second_order)
    if method == "sobol":
        return _sobol_design(pset, problem, n, n_rows, rng, second_order)
    if method == "morris":
        return _morris_design(pset, problem, n, rng)
    if method == "efast":
        return _efast_design(pset, problem, n, rng)
    return _psa_design(pset, problem, method, n, rng, compiled)


def _sobol_design(pset: ParameterSet, problem: GsaProblem, n: int, n_rows: int, rng: np.random.Generator,
                  second_order: bool) -> Design:
    """Saltelli's design: A and B from one scrambled Sobol' sequence, rows assembled on demand."""
    base = qmc_module().Sobol(2 * problem.d, scramble=True, **{qmc_rng_keyword(): rng}).random(n)
    a = clip_to_open_unit(base[:, : problem.d])
    b = clip_to_open_unit(base[:, problem.d:])
    inputs = list(problem.inputs)
    ta, tb = table_from_uniforms(pset, inputs, a), table_from_uniforms(pset, inputs, b)
    gindex = {g: i for i, g in enumerate(problem.groups)}
    column_group = {}
    for inp in problem.inputs:
        names = inp.parameters if inp.name == BOOTSTRAP_COLUMN else pset[inp.name].components
        for c in names:
            column_group[c] = gindex[inp.group]
    rows = SaltelliRows(ta.columns, tb.columns, column_group, _saltelli_from_b(len(problem.groups), second_order))
    return Design("sobol", problem, n, n_rows, second_order, rows, base=base)


def _morris_design(pset: ParameterSet, problem: GsaProblem, n: int, rng: np.random.Generator) -> Design:
    """SALib's Morris trajectories on the squeezed 4-level grid."""
    from SALib.sample import morris as morris_sample

    u = morris_sample.sample(problem.salib(), n, num_levels=MORRIS_LEVELS, seed=rng)
    quantiles = MORRIS_TAIL + u * (1.0 - 2.0 * MORRIS_TAIL)
    return Design("morris", problem, n, u.shape[0], False, UniformRows(pset, problem.inputs, quantiles), X=u)


def _efast_design(pset: ParameterSet, problem: GsaProblem, n: int, rng: np.random.Generator) -> Design:
    """SALib's eFAST sample, every design column its own factor."""
    from SALib.sample import fast_sampler

    u = fast_sampler.sample(problem.salib(grouped=False), n, M=EFAST_M, seed=rng)
    return Design("efast", problem, n, u.shape[0], False, UniformRows(pset, problem.inputs, u))


def _psa_design(pset: ParameterSet, problem: GsaProblem, method: str, n: int, rng: np.random.Generator,
                compiled: CompiledScenario | None) -> Design:
    """delta / pawn: the PSA sample (all uncertain inputs drawn as in the PSA; inputs not chosen are
    then put back at their point values)."""
    correlation = _scenario_correlation(compiled)
    settings = compiled.loaded.spec.settings if compiled is not None else None
    design_method = getattr(settings, "sampling", "monte_carlo") if settings is not None else "monte_carlo"
    mc_draws = getattr(settings, "monte_carlo_draws", "direct") if settings is not None else "direct"
    every, values = draw_input_values(pset, n, rng=rng, method=design_method, correlation=correlation or None,
                                      correlation_kind="normal_scores" if correlation else None,
                                      monte_carlo_draws=mc_draws)
    table = table_from_input_values(pset, every, values, n)
    chosen = {inp.name for inp in problem.inputs}
    point = pset.point_table().columns
    fixed = {}
    for inp in every:
        if inp.name not in chosen:
            for c in (inp.parameters if inp.name == BOOTSTRAP_COLUMN else pset[inp.name].components):
                fixed[c] = point[c][0]
    if fixed:
        table = table.with_values(**fixed)
    X = np.column_stack([np.asarray(values[inp.name], dtype=float).reshape(n, -1) for inp in problem.inputs])
    return Design(method, problem, n, n, False, TableRows(table), X=X, correlated=bool(correlation))
