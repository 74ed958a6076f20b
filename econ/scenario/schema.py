"""Pydantic models of the scenario YAML: one class per block, a docstring on every field.

The YAML reference in ``docs/scenario_reference.md`` is generated from these classes
(``python -m econ.scenario.reference``); edit the docstrings here, not the document.

Length: one class per YAML block, each field with the docstring the generated reference prints; the
blocks nest (a scenario holds settings, parameters, strategies, values, ...), so they are kept in one
module that reads top to bottom in the order of the reference rather than split across files.

No ``from __future__ import annotations`` here: with real annotations pydantic need not evaluate
some 150 strings at every start-up (about 6 ms, issue 19); so a block is defined before the blocks
that hold it.
"""
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

#: Expressions may be a number or a string in the expression language (see ``econ.scenario.expressions``).
Expr = Union[float, str]
Probability = Annotated[float, Field(ge=0, le=1)]
Rate = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
#: A name, or an indexed name with one placeholder of a dimension: ``c_{service}``, ``{service}``.
IndexedName = Annotated[str, Field(pattern=r"^([A-Za-z][A-Za-z0-9_]*)?(\{[A-Za-z][A-Za-z0-9_]*\}[A-Za-z0-9_]*)?$",
                                   min_length=1, max_length=64)]
#: A member attribute written in an indexed value (``sector: "{service.sector}"``), checked once expanded.
MemberAttribute = Annotated[str, Field(pattern=r"^\{[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*\}$")]
#: A scalar attribute of a dimension member (a table cell or a YAML scalar; read as text).
AttributeValue = Union[str, float, int, bool]

CYCLE_LENGTH_YEARS = {"year": 1.0, "quarter": 0.25, "month": 1.0 / 12.0, "week": 7.0 / 365.25, "day": 1.0 / 365.25}


def field_docstrings(model: type) -> dict[str, str]:
    """Field name -> the docstring written under it in this module (for the generated reference).

    Read from the source with :mod:`ast` only when asked (the reference, not a run): pydantic's
    ``use_attribute_docstrings`` would read and parse the source at every start-up (issue 19).
    """
    import ast
    import inspect

    tree = _source_tree()
    out: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__), None)
        if node is None or cls.__module__ != __name__:
            continue
        for first, second in zip(node.body, node.body[1:]):
            if (isinstance(first, ast.AnnAssign) and isinstance(first.target, ast.Name)
                    and isinstance(second, ast.Expr) and isinstance(second.value, ast.Constant)
                    and isinstance(second.value.value, str)):
                out[first.target.id] = inspect.cleandoc(second.value.value)
    return out


def _source_tree():
    import ast
    from pathlib import Path

    return ast.parse(Path(__file__).read_text(encoding="utf-8"))


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Metadata(_Block):
    """What the scenario is."""

    name: str = Field(min_length=1, max_length=200)
    """Short name, used in tables, file names and reports."""
    description: str = ""
    """One or two sentences: the question the scenario answers."""
    synthetic: bool = False
    """True when any input is synthetic (made-up) data; every output is then flagged SYNTHETIC."""
    author: str = ""
    """Who wrote the scenario (free text)."""


class Settings(_Block):
    """Time, discounting and counting conventions of the cohort model."""

    cycle_length: Literal["year", "quarter", "month", "week", "day"] = "year"
    """Length of one model cycle. Rates per year are converted to it."""
    n_cycles: Annotated[int, Field(ge=1)] = 20
    """Number of cycles in the time horizon (e.g. 36 monthly cycles = 3 years)."""
    cycle_correction: Literal["end", "start", "trapezoid", "simpson"] = "trapezoid"
    """How state membership is counted in each cycle: ``end`` (membership at the end of the cycle),
    ``start`` (at the beginning), ``trapezoid`` (the average of both: half-cycle / life-table
    correction, the default) or ``simpson`` (composite Simpson's 1/3 rule; weights 1,4,2,...,4,1 over
    the cycle boundaries; with an odd number of cycles the last cycle uses the quadratic through the
    last three boundaries)."""
    discount_rate_costs: Rate = 0.035
    """Discount rate per year for values of kind ``cost`` (NICE reference case: 0.035)."""
    discount_rate_outcomes: Rate = 0.035
    """Discount rate per year for values of kind ``outcome`` (NICE reference case: 0.035)."""
    discount_first_cycle: bool = True
    """Timing: if true, cycle t is discounted by (1 + r_cycle)^-t (the first cycle is discounted);
    if false, by (1 + r_cycle)^-(t-1) (the first cycle is not)."""
    discount_timing: Literal["cycle", "boundary"] = "cycle"
    """When discounting is applied: ``cycle`` (the default): each cycle's counted membership (after the
    cycle correction) is discounted by the cycle's factor, see ``discount_first_cycle``; ``boundary``:
    the membership at each cycle boundary t = 0..n is discounted by 1/(1 + r)^t and weighted by the
    cycle correction's weight of that boundary (trapezoid 1/2, 1, ..., 1, 1/2; Simpson 1, 4, 2, ..., 4,
    1 over 3; end 0, 1, ..., 1; start 1, ..., 1, 0), as in the DARTH tutorials and hesim. One-off
    transition values are discounted with their cycle either way. See docs/scenario_reference.md."""
    reference_strategy: Name | None = None
    """Strategy that increments and the ICER are computed against (default: the first strategy)."""
    seed: Annotated[int, Field(ge=0)] = 12345
    """Seed for every random draw of the run (PSA, bootstrap, GSA)."""
    price_year: str | None = None
    """Financial year all money is expressed in, e.g. ``2023/24``."""
    currency: str = "GBP"
    """Currency of every money value."""
    chunk_draws: Annotated[int, Field(ge=1)] = 5_000
    """Most draws evaluated at once (per thread); bounds memory. Results do not depend on it. The
    default keeps a chunk's arrays in the processor's cache: on the shipped models 5,000 draws per
    chunk evaluated 10-40% faster than 20,000 (``bench/bench_gsa.py``)."""
    sampling: Literal["monte_carlo", "latin_hypercube", "sobol"] = "monte_carlo"
    """Design of the probabilistic analysis: ``monte_carlo`` (independent uniforms), ``latin_hypercube``
    (one draw in each of n equal-probability strata of every parameter) or ``sobol`` (scrambled Sobol
    sequence; the number of draws must then be a power of two). For ``latin_hypercube`` and ``sobol``
    each parameter's draw is its inverse CDF of the design's uniform, so every design keeps the
    parameters' distributions; for ``monte_carlo`` see ``monte_carlo_draws``."""
    monte_carlo_draws: Literal["direct", "inverse_cdf"] = "direct"
    """How ``monte_carlo`` draws are made: ``direct`` (each parameter from its own random stream,
    seeded by the seed and the parameter's name, with numpy's exact samplers for gamma, beta, PERT
    and Dirichlet; parameters of the same name get the same draws in every scenario run with the
    same seed) or ``inverse_cdf`` (one uniform design pushed through each inverse CDF, as versions
    before 0.2 did: slower, since inverse gamma and beta functions are costly). Correlated parameters
    always go through the inverse CDF of a Gaussian copula."""
    start_age: Annotated[float, Field(ge=0, le=150)] | None = None
    """Age of the cohort at the start (years). It makes the built-in variable ``age`` = start_age +
    ``time`` (age at the start of each cycle), e.g. to read a life table; a strategy may set its own."""
    sex: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)] | None = None
    """Sex of the cohort (a category of the lookup tables that are keyed by ``sex``, e.g. ``female``
    or ``male``); a strategy may set its own."""
    unit_cost_uncertainty: Literal["fixed", "gamma_se"] = "fixed"
    """How parameters read from the unit-cost table (``unit_cost:``) enter the probabilistic analysis:
    ``fixed`` (the default; NICE practice: national average unit costs are not sampling estimates, so
    they stay at their values in every draw and are varied in the one-way analysis over the table's
    ``low``/``high``, or the 95% interval of a gamma with the table's SE where no range is given) or
    ``gamma_se`` (a gamma with the table's mean and SE, which is the default 25% of the cost where the
    table gives none). A ``dist:`` written on the parameter overrides either."""


class DimensionSpec(_Block):
    """A dimension: a named list of members (e.g. services) that parameters, values and totals are indexed by.

    A name with the placeholder ``{service}`` (``c_{service}``, a value ``"{service}"``) stands for one
    name per member; see ``docs/scenario_reference.md#dimensions``.
    """

    members: list[Name] | dict[Name, dict[Name, AttributeValue] | None] | None = None
    """The members in order: a list (``[gp_surgery, ambulance]``) or a mapping member -> attributes
    (``{gp_surgery: {label: GP surgery, category: primary_care}}``). Attributes are read in text as
    ``{service.label}``. For a subset (``subset_of``): the parent's members it keeps (default: all)."""
    table: str | None = None
    """A CSV file (relative to the scenario file) with one row per member: the ``key`` column names
    the member, the other columns are its attributes. Lines starting with ``#`` are comments."""
    key: str | None = None
    """Column of ``table`` holding the member names (default: the first column)."""
    subset_of: Name | None = None
    """Make this dimension a subset of another: its members are the parent's, filtered by ``members``
    and ``where``. ``x_{subset}`` names the same parameters as ``x_{parent}`` for those members."""
    where: dict[Name, AttributeValue] = Field(default_factory=dict)
    """For a subset: keep the parent's members whose attributes equal these (e.g. ``{effect: pooled}``)."""
    label: str = ""
    """Readable name of the dimension."""


class ServiceUseRef(_Block):
    """A statistic of the service-use data used as a parameter (see docs/data_format.md)."""

    service: str
    """A service code of the data (a unit-cost code), ``informal_care_hours``, or ``swemwbs`` (the mean
    SWEMWBS wellbeing score, 7-35, from ``data.persons``)."""
    statistic: Literal["baseline", "followup", "relative_change", "reduction", "change", "effect", "effect_reduction",
                       "counterfactual", "counterfactual_change"]
    """``baseline`` / ``followup``: mean use per person per month (SWEMWBS: mean score) in that period;
    ``relative_change``: (followup - baseline) / baseline; ``reduction``: (baseline - followup) / baseline
    (the uncontrolled before-after change); ``change``: followup - baseline (e.g. SWEMWBS points gained).
    By the estimator of the scenario's ``effect`` block (see :class:`EffectSpec`): ``effect``: change in
    mean monthly use per person caused by the intervention by the end of the follow-up window (negative
    when use falls); ``counterfactual``: mean monthly use the same people would have had at follow-up
    without it (follow-up minus effect); ``effect_reduction``: -effect / counterfactual, the share of
    counterfactual use avoided; ``counterfactual_change``: (counterfactual - baseline) / baseline, how
    usual-care use would have moved by the end of the window. With ``pre_post`` the counterfactual is the
    baseline, so ``effect_reduction`` equals ``reduction`` and ``counterfactual_change`` is 0."""
    subgroup: dict[Literal["setting", "engagement_band", "area", "bme"], str] = Field(default_factory=dict)
    """Restrict to people with these attributes, e.g. {setting: group}. Subgroup runs add to it."""


class LookupSpec(_Block):
    """A parameter read from a lookup table (CSV) by its keys, e.g. qx by age and sex from a life table."""

    table: str
    """The CSV file (relative to the scenario file): optional ``# source: ...``, ``# years: ...``,
    ``# status: ...`` lines, a header, one row per key (see ``econ.inputs.lookup_tables``)."""
    column: str
    """The value column to read (e.g. ``qx``)."""
    by: dict[str, Expr] = Field(min_length=1)
    """Key column -> what to look up: for a numeric key column an expression (``age``, ``2025 + time``);
    for a category column the category (``female``), or ``sex`` for the cohort's sex
    (``settings.sex`` or the strategy's ``sex``)."""
    method: Literal["exact", "step", "linear"] = "exact"
    """How the numeric key is matched: ``exact`` (must be one of the table's keys), ``step`` (the row of
    the last key at or below it: bands such as ages 40-44; the last row is open-ended) or ``linear``
    (interpolated between the two keys around it; never extrapolated)."""


class ParameterSpec(BaseModel):
    """A parameter written as a mapping: a point value or expression, an optional distribution, a source.

    Distribution keys (``mean``, ``se``, ``alpha``, ``counts``, ...) sit beside ``dist``; which ones a
    distribution takes is listed in ``docs/distributions.md``.
    """

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    value: Expr | None = None
    """Point value (base case): a number or an expression of other parameters. If omitted and a
    distribution is given, the point value is its ``mean`` (or ``median``, or the distribution mean)."""
    dist: str | None = None
    """Distribution for the probabilistic analysis: fixed, normal, lognormal, gamma, beta, uniform,
    triangular, pert, dirichlet, empirical."""
    source: str = ""
    """Where the number comes from (publication and table), or 'assumption: <reasoning>'."""
    description: str = ""
    """What the parameter means."""
    unit: str = ""
    """Unit (e.g. 'GBP 2023/24 per hour', 'probability per month')."""
    dsa_range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    """[low, high] for one-way sensitivity analysis (default: for a ``unit_cost``, the table's
    ``low``/``high`` where given; otherwise the distribution's 2.5th and 97.5th percentiles, for a
    fixed unit cost those of the gamma it would have under ``gamma_se``). Not to be confused with ``low``/``high`` of a uniform, triangular or PERT
    distribution."""
    group: str | None = None
    """Group name for global sensitivity analysis (parameters in a group are varied together)."""
    unit_cost: str | None = None
    """A code of the unit-cost table (``data.unit_costs``): the value is that cost re-based to
    ``settings.price_year`` with its sector's index. Unless ``dist`` is given, it is fixed in the
    probabilistic analysis, or a gamma with the table's mean and SE under
    ``settings.unit_cost_uncertainty: gamma_se``; its one-way range is the table's ``low``/``high``."""
    service_use: ServiceUseRef | None = None
    """A statistic of the service-use data (``data.service_use``); in the probabilistic analysis all
    such parameters are drawn together from one person-level bootstrap replicate."""
    lookup: LookupSpec | None = None
    """Read the value from a lookup table by its keys (evaluated in every cycle, so it may depend on
    ``age`` or ``time``); fixed in the probabilistic analysis. Its source is the table's."""
    informal_care_rate: Literal["replacement", "opportunity", "minimum_wage"] | None = None
    """The value of one hour of informal care (GBP per hour at ``settings.price_year``) by this method:
    replacement cost (home care worker hour), opportunity cost (median hourly earnings) or the
    National Living Wage. Fixed in the probabilistic analysis (a method choice, not a sampled input)."""
    outcome_value: str | None = None
    """A code of the outcome-value table (``data.outcome_values``, default ``costs/outcome_values.csv``),
    e.g. ``wellby`` (HM Treasury Green Book value of a WELLBY): the money value of one unit of an outcome,
    re-based to ``settings.price_year`` where the table names an index, else at the table's stated price
    year (the parameter's unit says which). Fixed in the probabilistic analysis (a policy value)."""


ParameterEntry = Union[float, str, ParameterSpec]


class StateSpec(_Block):
    """A health state (a row and column of the transition matrix)."""

    label: str = ""
    """Readable name for tables and plots."""
    description: str = ""
    """What being in the state means."""
    tunnel: Annotated[int, Field(ge=2, le=1200)] | None = None
    """If set, the state is expanded into this many tunnel states so that expressions can depend on
    ``time_in_state`` (1, 2, ..., tunnel). People entering the state start at time_in_state 1; the
    last tunnel state holds everyone who stays longer."""


TransitionMatrix = dict[str, dict[str, Expr]]


class StrategySpec(_Block):
    """An option being compared (e.g. usual care, group peer support)."""

    label: str = ""
    """Readable name for tables and plots."""
    description: str = ""
    """What the strategy is."""
    parameters: dict[IndexedName, Expr] = Field(default_factory=dict)
    """Strategy-local parameters: a name here takes this value (number or expression) in every
    expression evaluated for this strategy, overriding a global parameter of the same name. An indexed
    name overrides every member (``red_{service}: 0``) or those of a subset (``red_{pooled}: r_{pooled}``);
    a member's own name overrides that member only (``red_ambulance: 0.1``)."""
    transitions: TransitionMatrix = Field(default_factory=dict)
    """Rows of the transition matrix, from-state -> {to-state: probability per cycle}. Rows given
    here replace the same rows of the shared ``transitions``. One entry per row may be the keyword
    ``complement`` (1 minus the rest of the row)."""
    initial: dict[str, Expr] | None = None
    """Initial state distribution for this strategy (default: the shared ``initial``)."""
    start_age: Annotated[float, Field(ge=0, le=150)] | None = None
    """This strategy's cohort start age (default ``settings.start_age``)."""
    sex: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)] | None = None
    """This strategy's cohort sex (default ``settings.sex``)."""
    mixture: dict[str, Expr] | None = None
    """A mix of other strategies: strategy -> share of the cohort (shares in [0, 1], summing to 1),
    e.g. people choosing group, one-to-one or online support. Its trace and every value are the
    share-weighted sums of the components' (exact, as a cohort model is linear in its cohort). A
    mixture has no transitions or initial distribution of its own."""


class ValueOverride(_Block):
    """Per-strategy entries of a value; they replace the shared entries with the same key."""

    states: dict[str, Expr] = Field(default_factory=dict)
    """State -> amount per cycle in that state."""
    transitions: dict[str, Expr] = Field(default_factory=dict)
    """'from->to' -> one-off amount per person making that transition."""


class ValueSpec(_Block):
    """A quantity accumulated over the model: a cost category or an outcome (life-years, QALYs)."""

    kind: Literal["cost", "outcome"]
    """``cost`` (money, discounted at ``discount_rate_costs``) or ``outcome`` (health or other
    effects, discounted at ``discount_rate_outcomes``)."""
    label: str = ""
    """Readable name for tables."""
    category: str = ""
    """Cost category (e.g. 'primary_care', 'informal_care', 'delivery'), for grouping in reports."""
    sector: Literal["", "nhs", "pss", "other_public", "voluntary", "informal_care", "programme"] | MemberAttribute = ""
    """Who bears the cost: nhs, pss (personal social services), other_public (police, housing),
    voluntary, informal_care (unpaid carers), programme (the intervention itself). Perspectives
    select sectors; programme costs count under all of them."""
    unit: str = ""
    """Unit of the amounts (e.g. 'GBP', 'life-years')."""
    discount_rate: Rate | None = None
    """Discount rate per year for this value, overriding the settings' rate for its kind."""
    states: dict[str, Expr] = Field(default_factory=dict)
    """State -> amount per cycle spent in that state (states not listed: 0)."""
    transitions: dict[str, Expr] = Field(default_factory=dict)
    """'from->to' -> one-off amount per person making that transition in a cycle (not cycle
    corrected; discounted with the cycle it happens in). ``*`` as from-state means any other state,
    so ``'*->dead'`` is a cost of dying."""
    strategies: dict[str, ValueOverride] = Field(default_factory=dict)
    """Per-strategy entries replacing the shared ones."""


class IcerSpec(_Block):
    """Which values make the incremental cost-effectiveness ratio."""

    cost: str
    """A value or total of kind cost."""
    effect: str
    """A value or total of kind outcome."""


class DataSpec(_Block):
    """Input tables. Paths are relative to the scenario file that writes them."""

    unit_costs: str | None = None
    """Unit-cost table (CSV; default: the project's costs/unit_costs.csv)."""
    price_indices: str | None = None
    """Folder with the price-index tables index_nhscii.csv and index_pss.csv (default: costs/)."""
    informal_care_rates: str | None = None
    """Informal-care valuation rates (CSV; default: costs/informal_care_rates.csv)."""
    service_use: str | None = None
    """Service-use data (CSV, one row per person x period x service; see docs/data_format.md)."""
    informal_care: str | None = None
    """Informal-care hours per person and period (CSV)."""
    persons: str | None = None
    """Person-level measures of the service-use data's persons (CSV, one row per person: ``person_id``,
    ``swemwbs_baseline``, ``swemwbs_followup``, optionally ``followed_up`` (yes/no: who was lost to follow-up)
    and ``cluster``; see docs/data_format.md). Gives the ``swemwbs`` statistics."""
    outcome_values: str | None = None
    """Money values of outcomes (CSV; default: the project's costs/outcome_values.csv)."""
    bootstrap_replicates: Annotated[int, Field(ge=10, le=100_000)] = 2000
    """Person-level bootstrap replicates used as the distribution of data-derived parameters."""
    missing_followup: Literal["complete_case", "ipw", "mice"] = "complete_case"
    """People lost to follow-up in effect estimates (data that record them, docs/data_format.md):
    ``complete_case`` (people followed up only, labelled as such), ``ipw`` (inverse-probability weighting
    on baseline covariates, logistic within arm) or ``mice`` (multiple imputation by chained equations,
    Rubin's rules, bootstrap then impute); econ.inputs.missing. Every ``service_use:`` statistic of the model
    follows it (econ.inputs.followup_model: IPW refitted per replicate; one imputation per bootstrap
    replicate and Rubin's pooled estimate at the base case), and the share missing per arm and time point
    is printed under every result."""
    imputations: Annotated[int, Field(ge=2, le=1000)] = 10
    """Imputations of the data for Rubin's rules when ``missing_followup`` is ``mice``."""
    bootstrap_clusters: Literal["none", "area", "cluster"] = "none"
    """Resample clusters (within arm and subgroup), keeping their people, instead of people: ``area``, or
    ``cluster`` (the persons file's column; controlled data); ``none`` resamples people. The default
    of ``subgroups --cluster`` and ``data effect --cluster``; the design effect is reported."""
    cost_model: Literal["mean", "glm_gamma", "two_part"] = "mean"
    """Estimator of the change in total cost in ``data effect``: the arithmetic mean, a gamma log-link GLM
    or a two-part model (econ.inputs.cost_models; when each is preferable: docs/data_format.md). The
    statistics of a model with an ``effect`` block are means per arm and period, which these models
    without covariates estimate by the mean itself, so another value there is an error."""


#: Sectors each perspective counts. Values of sector ``programme`` (the intervention's own cost)
#: count under every perspective.
PERSPECTIVES = {
    "nhs": ("nhs",),
    "nhs_pss": ("nhs", "pss"),
    "public_sector": ("nhs", "pss", "other_public"),
    "societal": ("nhs", "pss", "other_public", "voluntary", "informal_care"),
}
SECTORS = ("nhs", "pss", "other_public", "voluntary", "informal_care", "programme")


def sector_counts(sector: str, perspective: str) -> bool:
    """Whether a cost of ``sector`` counts under ``perspective``: ``programme`` under all of them, any
    other sector under the perspectives that list it (so a delivery value of sector ``voluntary``, such
    as volunteer time, counts in the societal perspective only)."""
    return sector == "programme" or sector in PERSPECTIVES[perspective]
Perspective = Literal["nhs", "nhs_pss", "public_sector", "societal"]


class SroiSpec(_Block):
    """Adjustments of the SROI-style ratio (Social Value UK guide): the share of the savings that is the
    programme's impact. Each is a share in [0, 1]; 0 leaves the savings whole."""

    deadweight: Annotated[float, Field(ge=0, le=1)] = 0.0
    """Share of the saving that would have happened anyway. The model's ``attribution`` parameter
    already removes the change not caused by the programme; a deadweight here comes on top of it."""
    attribution: Annotated[float, Field(ge=0, le=1)] = 0.0
    """Share of the saving due to other organisations or people (SROI's attribution, not the model's
    ``cost_offset.attribution``, which is the share caused by the programme)."""
    displacement: Annotated[float, Field(ge=0, le=1)] = 0.0
    """Share of the saving that is displaced elsewhere (e.g. demand moved to another service)."""
    drop_off: Annotated[float, Field(ge=0, le=1)] = 0.0
    """Yearly decline of the saving after the first year: year y counts (1 - drop_off)^(y - 1). The
    model's own persistence (e.g. a fading benefit) is already in the savings; this comes on top."""


class CostOffsetSpec(_Block):
    """How to read the model as a cost-offset analysis of an intervention against a reference."""

    delivery: list[str] = Field(min_length=1)
    """Values that are the intervention's own cost (e.g. [c_delivery]); every other cost value in the
    perspective is a service or informal-care cost whose reduction is the offset."""
    attribution: str | None = None
    """Parameter that scales the effect (share of the observed change caused by the intervention; with
    an ``effect`` block, an extra multiplier of the estimated effect, SROI's deadweight); used for the
    break-even attribution."""
    population: str | None = None
    """Parameter giving the number of people commissioned, for population totals."""
    perspectives: list[Perspective] = Field(default_factory=lambda: ["nhs_pss", "societal"], min_length=1)
    """Perspectives reported: nhs, nhs_pss (NICE reference case), public_sector, societal (adds
    informal care)."""
    outcomes: list[str] = Field(default_factory=list)
    """Values of kind outcome reported next to the cost offset (e.g. [qalys, swemwbs_points, wellbys]):
    per strategy the gain against the reference (``gain_<value>``) and the net cost per unit gained
    (``cost_per_<value>``); with an ``icer`` block whose effect is listed, also the incremental net
    monetary benefit at GBP 20,000 and 30,000 per unit (``nmb_20000``, ``nmb_30000``)."""
    sroi: SroiSpec | None = None
    """Deadweight, attribution, displacement and drop-off of the SROI-style ratio (docs/budget_impact.md);
    absent: the SROI ratio is not reported."""


class IntakeSpec(_Block):
    """People starting the programme over the commissioning period."""

    per: Literal["month", "year"] = "year"
    """Whether ``counts`` are people per month or per year (a year's intake starts evenly over its months)."""
    counts: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)
    """People starting in each month or year, in order from ``start``."""


class UptakeSpec(_Block):
    """Share of the eligible population referred in each year or month (budget impact)."""

    per: Literal["month", "year"] = "year"
    """Whether ``shares`` are per month or per year (a year's referrals start evenly over its months)."""
    shares: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=1)
    """Share of the eligible population (``budget.eligible``) referred in each month or year from ``start``."""


#: Payers of the budget impact, in order, and the sector of the cost values each one pays for.
PAYERS = ("icb", "local_authority", "other_public", "voluntary_provider", "unpaid_carers")
Payer = Literal["icb", "local_authority", "other_public", "voluntary_provider", "unpaid_carers"]


class BudgetSpec(_Block):
    """The commissioner's budget view: overlapping cohorts by financial year (April to March).

    Who is referred: either an ``intake`` schedule, or an ``eligible`` population with its ``uptake``
    (Sullivan et al. 2014); not both."""

    start: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    """First month of intake, YYYY-MM (e.g. 2025-04)."""
    intake: IntakeSpec | None = None
    """People starting (or referred) over the commissioning period."""
    eligible: Name | None = None
    """Parameter: people in the area eligible for the programme (the pool uptake shares apply to); may
    be uncertain, so the intake varies across the probabilistic draws."""
    uptake: UptakeSpec | None = None
    """Share of the eligible population referred in each year or month (with ``eligible``)."""
    strategy: str | None = None
    """Strategy commissioned (default: every non-reference strategy)."""
    setting_mix: dict[Name, Name | Annotated[float, Field(ge=0, le=1)]] | None = None
    """Budget impact only: people referred are split over these strategies (settings), each share a
    number or a parameter name; shares must sum to 1 in every draw. Replaces ``strategy``."""
    funding: dict[Payer, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=lambda: {"icb": 1.0})
    """Who pays the programme's own costs (values of sector ``programme``): payer -> share, summing to 1.
    Payers: icb (NHS integrated care board), local_authority (adult social care), other_public,
    voluntary_provider, unpaid_carers."""
    set_up: list[Name] = Field(default_factory=list)
    """Values that are one-off set-up costs: in the budget impact their whole amount for the intake falls
    in the first month (``start``), not as each cohort starts."""
    saving_types: str | None = None
    """Table saying which savings release cash and which free capacity (CSV; default
    costs/saving_types.csv; path relative to this file)."""
    draws: Annotated[int, Field(ge=10, le=1_000_000)] = 1000
    """Probabilistic draws behind the 95% bands of the budget impact (``run_model.py budget --draws``)."""


class CorrelationSpec(_Block):
    """A correlation between two uncertain parameters in the probabilistic analysis (Gaussian copula)."""

    between: Annotated[list[Name], Field(min_length=2, max_length=2)]
    """The two parameters, e.g. [c_gp_surgery, c_practice_nurse_consultation]. Both need a univariate
    distribution (not a Dirichlet, not a service-use statistic, which are drawn jointly from the
    bootstrap) and must differ."""
    value: Annotated[float, Field(ge=-1, le=1)]
    """The correlation, between -1 and 1. All the correlations of a scenario together must form a
    valid (positive semi-definite) correlation matrix."""
    kind: Literal["spearman", "normal_scores"] = "spearman"
    """``spearman``: ``value`` is the rank correlation of the two parameters (converted to the copula's
    normal-score correlation by 2 sin(pi value / 6)); ``normal_scores``: ``value`` is the Pearson
    correlation of their normal scores, the copula's own parameter. Each parameter keeps its own
    distribution either way."""


class GsaSpec(_Block):
    """Global sensitivity analysis declared with the scenario; options of ``run_model.py gsa`` override these keys."""

    method: Literal["sobol", "morris", "efast", "delta", "pawn"] = "sobol"
    """``sobol``: first- and total-order (optionally second-order) variance indices with bootstrap
    intervals (Saltelli 2002/2010); ``morris``: elementary-effects screening (mu*, sigma);
    ``efast``: extended Fourier amplitude sensitivity test; ``delta`` (Borgonovo's moment-independent
    index) and ``pawn`` (CDF-based): valid when parameters are correlated (see ``correlations``)."""
    n: Annotated[int, Field(ge=2, le=100_000_000)] | None = None
    """Sample size. ``sobol``: base samples N, a power of two (N (D + 2) model evaluations, N (2D + 2)
    with second order, D = number of groups); ``morris``: trajectories (N (D + 1) evaluations);
    ``efast``: samples per input, > 64 (N D evaluations); ``delta``/``pawn``: draws. Default: 1024
    (sobol, efast), 100 (morris), 4096 (delta, pawn)."""
    outputs: list[str] = Field(default_factory=list)
    """Outputs analysed, by name (e.g. ``net_cost:group``, ``inc_total_cost:comb``; grammar in
    ``econ.analysis.outputs``). Default: net cost of every strategy against the reference (cost-offset
    scenarios), else the incremental cost of the ICER, else the first value of every strategy."""
    parameters: list[str] = Field(default_factory=list)
    """Parameters varied, by name (a Dirichlet by its own name; ``service_use_data`` for all
    parameters drawn from the service-use bootstrap). Default: every uncertain parameter; the others
    stay at their point values. Parameters sharing a ``group`` (and the components of a Dirichlet)
    are varied together and reported as one input by ``sobol`` and ``morris``."""
    second_order: bool = False
    """``sobol`` only: also estimate second-order indices S2 for every pair of inputs (doubles the
    evaluations to N (2D + 2))."""
    max_memory_mb: Annotated[int, Field(ge=1, le=1_000_000)] = 256
    """Working memory for evaluating the design (MiB), shared by the chunks evaluated at once (one per
    thread; on Dask, per task). The chunk size is this divided by the threads and by the estimated
    bytes one model evaluation needs (see ``econ.analysis.gsa.bytes_per_draw``); the design and the output
    values are held whole in addition. Results do not depend on it."""


#: Estimators of the ``effect`` block (their assumptions: ``econ.inputs.estimators``).
EFFECT_ESTIMATORS = ("pre_post", "difference_in_differences", "ancova", "rtm_adjusted")

#: A number or the name of a parameter (whose uncertainty then enters the analysis).
NumberOrName = Union[float, Name]


class EffectSpec(_Block):
    """How the effect of the intervention is estimated from person-level data, and how long it lasts.

    The ``service_use:`` statistics ``effect``, ``effect_reduction``, ``counterfactual`` and
    ``counterfactual_change`` are computed by ``estimator``; the run prints it and the manifest records
    it. The block also defines parameters that the model's expressions may use: ``effect_persistence``
    (multiplier of the effect: 1 within the follow-up window, then as ``persistence`` says),
    ``effect_window`` (share of the cycle inside the window), ``effect_counterfactual_path`` (0 at the
    start, 1 at the end of the window: usual-care use at month m is baseline x (1 +
    counterfactual_change x path(m))), ``effect_follow_up_months`` (the window) and ``effect_months``
    (the middle of the cycle in months since baseline); all but ``effect_follow_up_months`` depend on ``cycle``.
    """

    estimator: Literal["pre_post", "difference_in_differences", "ancova", "rtm_adjusted"]
    """``pre_post``: follow-up minus baseline, **no comparison group** (includes regression to the mean;
    kept for comparison). ``difference_in_differences``: change minus the comparison group's change
    (parallel trends; needs a ``group`` column). ``ancova``: follow-up regressed on baseline and group
    (needs a ``group`` column). ``rtm_adjusted``: before-after change plus the expected regression to
    the mean (1 - rho) (baseline - population mean) (Barnett, van der Pols & Dobson 2005), for data
    without a comparison group; needs ``rho`` and ``population_ratio``. When ``data.service_use`` has a
    ``group`` column (docs/data_format.md, ``econ.inputs.controlled_data``) every service-use statistic
    is of the intervention people followed up, and the comparison people enter only the effect."""
    follow_up_months: Annotated[float, Field(gt=0, le=1200)]
    """Months from baseline to the follow-up measurement: the observed window of the data."""
    persistence: Literal["none", "constant", "decay"] = "constant"
    """The effect beyond the window: ``none`` (stops at the end of the window), ``constant`` (lasts as
    the model's states say) or ``decay`` (halves every ``half_life_months`` after the window; a cycle's
    factor is taken at the middle of its part beyond the window)."""
    half_life_months: NumberOrName | None = None
    """Half-life of the effect beyond the window under ``decay``: a number of months or a parameter name."""
    counterfactual_half_life_months: NumberOrName | None = None
    """Usual-care use moves geometrically from baseline toward a long-run level with this half-life
    (months, or a parameter name), reaching the estimated counterfactual at the end of the window:
    path(m) = (1 - 0.5^(m/h)) / (1 - 0.5^(F/h)), m the middle of the cycle in months, F the window.
    Without it, the path rises linearly to 1 at the end of the window and stays there."""
    rho: NumberOrName | None = None
    """``rtm_adjusted``: test-retest correlation of monthly use in the population, in [0, 1], for every
    service not in ``rho_by_service``: a number or a parameter name (its distribution is drawn with
    the bootstrap, one value per replicate, so it stays consistent with the effect statistics)."""
    rho_by_service: dict[str, NumberOrName] = Field(default_factory=dict)
    """``rtm_adjusted``: service code -> rho for that service (e.g. lower for A&E and crisis care)."""
    population_ratio: NumberOrName | None = None
    """``rtm_adjusted``: population mean use / mean baseline use of everyone in the data, > 0 (people
    join at a point of need, so usually below 1): the population mean of service k is this times its
    pooled baseline mean. A number or a parameter name (drawn with the bootstrap, as ``rho``)."""
    population_ratio_by_service: dict[str, NumberOrName] = Field(default_factory=dict)
    """``rtm_adjusted``: service code -> population ratio for that service."""


class Scenario(_Block):
    """A whole scenario file (after ``extends:`` and overrides have been applied)."""

    extends: str | None = None
    """Path of a parent scenario (relative to this file). This file's keys override the parent's;
    mappings merge key by key, anything else (numbers, strings, lists) is replaced whole."""
    remove: list[str] | None = None
    """Key paths to delete from what this file inherits through ``extends:``, e.g. ``[strategies.online,
    values.c_online, budget]``; removed before this file's keys are merged, so a key removed and
    written again here replaces the parent's whole. A path the parents lack is an error. ``validate``
    lists what was removed and what the scenario ends up with."""
    metadata: Metadata
    """What the scenario is."""
    settings: Settings = Field(default_factory=Settings)
    """Time horizon, cycle length, discounting and counting conventions."""
    dimensions: dict[Name, DimensionSpec] = Field(default_factory=dict)
    """Named lists of members (e.g. ``service``) that parameters, values and totals can be indexed by."""
    parameters: dict[IndexedName, ParameterEntry] = Field(default_factory=dict)
    """Named model inputs: a number, an expression of other parameters, or a mapping with a value,
    a distribution and a source. An indexed name (``c_{service}``) gives one parameter per member."""
    data: DataSpec = Field(default_factory=DataSpec)
    """Input tables: unit costs, price indices, informal-care rates, service-use data."""
    states: dict[Name, StateSpec | None]
    """Health states, in order."""
    transitions: TransitionMatrix = Field(default_factory=dict)
    """Transition matrix shared by all strategies (a strategy may replace rows)."""
    initial: dict[str, Expr] = Field(default_factory=dict)
    """Share of the cohort in each state at the start (must sum to 1)."""
    strategies: dict[Name, StrategySpec]
    """Strategies compared, in order. The first is the default reference."""
    values: dict[IndexedName, ValueSpec] = Field(default_factory=dict)
    """Costs and outcomes accumulated over the model. An indexed name (``"{service}"``) gives one value
    per member; its text fields may read member attributes (``label: "{service.label}"``)."""
    totals: dict[Name, list[str]] = Field(default_factory=dict)
    """Sums of values reported as their own column (e.g. total_cost: [c_drug, c_care]); an indexed
    entry (``"{service}"``) lists every member's value."""
    icer: IcerSpec | None = None
    """The cost and effect used for incremental cost-effectiveness ratios."""
    correlations: list[CorrelationSpec] = Field(default_factory=list)
    """Correlations between uncertain parameters in the probabilistic analysis (default: independent)."""
    effect: EffectSpec | None = None
    """How the effect is estimated from the data (estimator), its observed window and its persistence."""
    cost_offset: CostOffsetSpec | None = None
    """Cost-offset reading: delivery cost, attribution, population and perspectives."""
    budget: BudgetSpec | None = None
    """Budget view by financial year for an intake schedule (needs monthly cycles)."""
    dsa_groups: dict[Name, Annotated[list[str], Field(min_length=1)]] | None = None
    """Groups of parameters varied together in the grouped one-way analysis (``run_model.py dsa``; one
    tornado row per group). Each member is a parameter name, a pattern (``*`` any characters, ``?`` one,
    e.g. ``p_taper_*``) or a selector: ``@unit_cost`` (every parameter read from the unit-cost table),
    ``@service_use`` (every service-use statistic), ``@service_use:reduction`` / ``@service_use:baseline``
    (one kind of statistic). Parameters in no group keep a row each. Default (key absent):
    ``{service_use_reductions: ['@service_use:reduction'], service_use_baseline: ['@service_use:baseline'],
    unit_costs: ['@unit_cost']}``; a scenario that declares groups lists these too if it wants them
    (``{}``: no groups). A group's members all go to their low ends, then all to their high ends; a
    group of service-use statistics takes instead the joint bootstrap replicates at the 2.5th and 97.5th
    percentiles of the output (see ``econ.analysis.dsa_groups``). ``run_model.py dsa --ungrouped``
    varies every parameter on its own."""
    gsa: GsaSpec | None = None
    """Global sensitivity analysis run by ``run_model.py gsa`` (method, sample size, outputs, inputs)."""
