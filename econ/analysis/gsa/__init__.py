"""Global sensitivity analysis with SALib (its only importer): problem, designs, chunked evaluation, tidy tables.

Pipeline
--------
::

    ParameterSet --build_problem--> GsaProblem (one design column per uniform; SALib groups)
    GsaProblem --sample--> Design (unit-cube design, or a PSA sample for delta/PAWN)
    Design --evaluate_design--> Y (evaluations x outputs), in chunks, in process or on Dask
    Design + Y --analyze--> tidy DataFrames (sobol_indices, morris_indices, ...)

Inputs are sampled on [0, 1]^d (SALib bounds [0, 1]) and each design column goes through its own
parameter's inverse CDF (:func:`econ.analysis.draws.table_from_uniforms`, after
:func:`econ.uncertainty.distributions.clip_to_open_unit`), so beta, gamma, lognormal and Dirichlet inputs keep
their distributions: the idea of SALib's ``_nonuniform_scale_samples``, with our distributions.
A Dirichlet takes k columns and all parameters drawn from the service-use bootstrap share one
(``service_use_data``); parameters with the same ``group:`` and a Dirichlet's columns form one
SALib group, so Sobol' and Morris report them as one input.

SALib is called through its module functions (not ``ProblemSpec``), with generic names
(``x0, x1, ...``; groups ``g0, g1, ...``) so that no parameter name can clash with SALib's own
keys, and every call that seeds numpy's global random state (``delta``, ``fast``, ``pawn``) runs
with that state saved and restored.


Modules: :mod:`.problem` (methods, GsaProblem, sample sizes), :mod:`.design` (designs and
:func:`sample`), :mod:`.evaluation` (chunked evaluation), :mod:`.methods` (:func:`analyze`, SALib
estimators), :mod:`.run` (:func:`run_gsa`, GsaResult). Every name is re-exported here.
"""
from __future__ import annotations

# Every name the former single module defined, private ones included, is importable from here.
from econ.analysis.gsa.problem import (GsaMethod, METHODS, TABLE_NAMES, DEFAULT_N, MORRIS_LEVELS,
                                       MORRIS_TAIL, EFAST_M, PAWN_SLICES, GsaError, GsaProblem,
                                       _input_columns, build_problem, _powers_of_two_near,
                                       _check_method, check_sample_size)  # noqa: F401
from econ.analysis.gsa.design import (SaltelliRows, UniformRows, TableRows, Design, _saltelli_from_b,
                                      design_uniforms, _scenario_correlation, sample)  # noqa: F401
from econ.analysis.gsa.evaluation import (bytes_per_draw, chunk_draws_for, design_chunking,
                                          EvaluationJob, evaluate_rows, _stderr_is_terminal,
                                          _progress_bar, evaluate_design)  # noqa: F401
from econ.analysis.gsa.methods import (_salib_sandbox, _int_seed, _frame, SOBOL_COLUMNS,
                                       SOBOL_S2_COLUMNS, MORRIS_COLUMNS, EFAST_COLUMNS, DELTA_COLUMNS,
                                       PAWN_COLUMNS, _sobol_analyses, analyze)  # noqa: F401
from econ.analysis.gsa.run import (GsaResult, _spec_outputs, run_gsa, sobol_indices, morris_indices,
                                   efast_indices, delta_indices, pawn_indices)  # noqa: F401
