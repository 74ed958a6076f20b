"""GSA problem: methods and their constants, the SALib problem built from a ParameterSet, sample sizes."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

from econ.analysis.draws import BOOTSTRAP_COLUMN, UncertainInput, uncertain_inputs
from econ.core.errors import EconError, Problem
from econ.model.parameters import ParameterSet

GsaMethod = Literal["sobol", "morris", "efast", "delta", "pawn"]
METHODS = ("sobol", "morris", "efast", "delta", "pawn")

#: Name of the result table (and CSV file stem) of each method.
TABLE_NAMES = {m: f"{m}_indices" for m in METHODS}

#: Sample size used when none is given: base samples (sobol), trajectories (morris), samples per
#: input (efast) or draws (delta, pawn).
DEFAULT_N = {"sobol": 1024, "morris": 100, "efast": 1024, "delta": 4096, "pawn": 4096}

#: Morris grid levels; SALib's default. With p = 4 the step is p / (2 (p - 1)) = 2/3 of the unit range.
MORRIS_LEVELS = 4
#: Morris grid levels are quantiles in [MORRIS_TAIL, 1 - MORRIS_TAIL] (the 0.5% and 99.5% quantiles
#: at the ends), not [0, 1]: the quantiles 0 and 1 of a normal, lognormal or gamma input are
#: infinite, and the clipped values (8 SD out) can make a transition probability exceed 1. The grid
#: is squeezed linearly, so a step is (1 - 2 MORRIS_TAIL) 2/3 of the probability range.
MORRIS_TAIL = 0.005
#: eFAST interference factor M (harmonics); SALib's default. It requires N > 4 M^2 samples per input.
EFAST_M = 4
#: PAWN conditioning slices; SALib's default.
PAWN_SLICES = 10


class GsaError(EconError, ValueError):
    """A global sensitivity analysis was asked for with an impossible method, size or input."""


# --------------------------------------------------------------------------------------------
# problem
@dataclass(frozen=True)
class GsaProblem:
    """The inputs of a GSA as SALib sees them.

    Attributes
    ----------
    inputs : tuple of UncertainInput
        Varied inputs, in scenario order.
    columns : tuple of str
        One name per design column: the parameter, a Dirichlet's component columns
        (``tA_B``), or ``service_use_data``.
    column_groups : tuple of str
        The group of each column (its parameter's ``group:``, the Dirichlet's name, or its own name).
    groups : tuple of str
        Distinct groups in order of first appearance: the factors of Sobol' and Morris.
    """

    inputs: tuple
    columns: tuple
    column_groups: tuple
    groups: tuple

    @property
    def d(self) -> int:
        """Number of design columns."""
        return len(self.columns)

    @property
    def grouped(self) -> bool:
        """True when some group holds more than one column (SALib then needs ``groups``)."""
        return len(self.groups) < len(self.columns)

    def salib(self, *, grouped: bool = True) -> dict:
        """A fresh SALib problem dict on the unit cube (SALib mutates the dicts it is given)."""
        problem = {"num_vars": self.d, "names": [f"x{j}" for j in range(self.d)], "bounds": [[0.0, 1.0]] * self.d}
        if grouped and self.grouped:
            index = {g: i for i, g in enumerate(self.groups)}
            problem["groups"] = [f"g{index[g]}" for g in self.column_groups]
        return problem

    def factors(self, *, grouped: bool) -> tuple:
        """Names of the factors SALib reports, in its order."""
        return self.groups if grouped and self.grouped else self.columns


def _input_columns(pset: ParameterSet, inp: UncertainInput) -> tuple:
    if inp.name == BOOTSTRAP_COLUMN:
        return (BOOTSTRAP_COLUMN,)
    return tuple(pset[inp.name].components)


def build_problem(pset: ParameterSet, parameters: Sequence[str] | None = None, *, loaded=None) -> GsaProblem:
    """Build the GSA problem from a ParameterSet.

    Parameters
    ----------
    pset : ParameterSet
    parameters : sequence of str, optional
        Parameters to vary: uncertain parameter names, group names (every member), or
        ``service_use_data`` (any bootstrap-derived parameter selects the whole bootstrap group).
        Default: every uncertain parameter. Parameters not chosen stay at their point values.
    loaded : LoadedScenario, optional
        Used to point errors at ``gsa.parameters`` in the scenario file.

    Returns
    -------
    GsaProblem

    Raises
    ------
    GsaError
        Unknown names (with suggestions), names of parameters without a distribution, or nothing
        to vary.
    """
    every = uncertain_inputs(pset)
    names = None
    if parameters:
        by_group: dict[str, list[str]] = {}
        known: set[str] = set()
        for inp in every:
            by_group.setdefault(inp.group, []).append(inp.name)
            known.update(inp.parameters)
            known.add(inp.name)
        problems = []
        names = set()
        for i, name in enumerate(parameters):
            where = ("gsa", "parameters", i)
            if name in known:
                names.add(name)
            elif name in by_group:
                names.update(by_group[name])
            else:
                if name in pset.parameters:
                    p = pset[name]
                    msg = (f"'{name}' is an expression of other parameters; vary the parameters it is computed from"
                           if p.is_derived else
                           f"'{name}' has no distribution, so it cannot be varied; give it one (e.g. dist: gamma)")
                else:
                    close = difflib.get_close_matches(name, sorted(known | set(by_group)), n=2)
                    msg = f"unknown parameter '{name}'" + (f" (did you mean {' or '.join(close)}?)" if close else "")
                problems.append(loaded.problem(where, msg) if loaded is not None else Problem(msg, None, "parameters"))
        if problems:
            raise GsaError(problems)
    inputs = uncertain_inputs(pset, names=names)
    if not inputs:
        raise GsaError(Problem("no uncertain parameters to vary: give some parameters a distribution", None,
                               "parameters"))
    columns, column_groups = [], []
    for inp in inputs:
        for c in _input_columns(pset, inp):
            columns.append(c)
            column_groups.append(inp.group)
    groups = tuple(dict.fromkeys(column_groups))
    return GsaProblem(tuple(inputs), tuple(columns), tuple(column_groups), groups)


# --------------------------------------------------------------------------------------------
# sample sizes
def _powers_of_two_near(n: int) -> tuple[int, int]:
    below = 1 << max(n.bit_length() - 1, 0)
    return below, below * 2


def _check_method(method: str) -> None:
    if method not in METHODS:
        close = difflib.get_close_matches(str(method), METHODS, n=1)
        raise GsaError(Problem(f"unknown method '{method}'" + (f" (did you mean {close[0]}?)" if close else "")
                               + f"; methods: {', '.join(METHODS)}", None, "method"))


def check_sample_size(method: str, n: int, problem: GsaProblem, *, second_order: bool = False) -> int:
    """Check a sample size for a method and return the number of model evaluations it needs.

    Raises
    ------
    GsaError
        Unknown method; ``sobol`` with n not a power of two (the message names the powers of two
        either side); ``efast`` with n <= 4 M^2 = 64; ``morris`` with fewer than 2 trajectories;
        ``delta``/``pawn`` with fewer draws than their estimators need; second order with a method
        other than ``sobol``.

    Notes
    -----
    The Sobol' rule is an error, not a warning: the balance properties of a Sobol' sequence (each
    elementary interval holding its share of points), and so the convergence rate of the
    estimators, hold only for N = 2^m.
    """
    _check_method(method)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise GsaError(Problem(f"sample size must be a whole number (got {n!r})", None, "n"))
    n = int(n)
    if second_order and method != "sobol":
        raise GsaError(Problem(f"second-order indices are estimated by sobol only (method is {method})", None,
                               "second_order"))
    G = len(problem.groups)
    if method == "sobol":
        if n < 2 or n & (n - 1):
            below, above = _powers_of_two_near(max(n, 1))
            hint = f"use n = {below} or {above}" if n >= 2 else "use n = 2 or more, e.g. 1024"
            raise GsaError(Problem(f"sobol needs n to be a power of two (got {n}); {hint}: the Sobol' sequence keeps "
                                   "its balance properties only at powers of two", None, "n"))
        return n * ((2 * G + 2) if second_order else (G + 2))
    if method == "morris":
        if n < 2:
            raise GsaError(Problem(f"morris needs at least 2 trajectories (got {n}); 20 to 100 is usual", None, "n"))
        return n * (G + 1)
    if method == "efast":
        if n <= 4 * EFAST_M**2:
            raise GsaError(Problem(f"efast needs n > 4 M^2 = {4 * EFAST_M**2} samples per input with M = {EFAST_M} "
                                   f"harmonics (got {n}); use n = {4 * EFAST_M**2 + 1} or more, e.g. 1024", None, "n"))
        return n * problem.d
    # delta and pawn estimate conditional distributions in classes of the sample: SALib's delta
    # keeps classes of at least 10 draws and PAWN compares PAWN_SLICES slices with the whole.
    minimum = 100
    if n < minimum:
        raise GsaError(Problem(f"{method} needs at least {minimum} draws (got {n}); a few thousand is usual",
                               None, "n"))
    return n
