"""Hand-written sections of docs/scenario_reference.md (dimensions, lookup tables, discounting).

:mod:`econ.scenario.reference` appends them to the reference it generates from the schema, so the
document stays one generated file; edit the text here.
"""
from __future__ import annotations

DIMENSIONS = r"""
## Dimensions

A *dimension* is a named list of members, such as the services a model costs. A name with the
member placeholder `{service}` stands for one name per member, so each service is written once.

```yaml
dimensions:
  service:
    members:                       # or: table: services.csv (one row per member; columns = attributes)
      gp_surgery: {label: GP surgery consultations, category: primary_care, sector: nhs}
      ambulance:  {label: Ambulance call-outs, category: urgent_care, sector: nhs}
      day_care_la: {label: Local-authority day care, category: social_care, sector: pss}
  rare: {subset_of: service, members: [ambulance, day_care_la]}   # or where: {category: urgent_care}

parameters:
  c_{service}: {unit_cost: "{service}"}                                   # c_gp_surgery, c_ambulance, ...
  u_{service}: {service_use: {service: "{service}", statistic: baseline}}
  m_{service}: c_{service} * u_{service} * area_factor                    # evaluated over a members axis
  e_{service}: m_{service} * (1 - red_{service})
  c_ambulance: {unit_cost: ambulance_see_convey}                          # a member's own entry wins
  total_use_cost: sum(m_{service})                                        # sum over the members, in order

strategies:
  usual_care: {parameters: {"red_{service}": 0}}
  group:
    parameters:
      "red_{service}": r_{service}_group     # every member
      "red_{rare}": r_{rare}                 # the members of a subset
      red_ambulance: 0.1                     # one member

values:
  "{service}":                               # one value (one output column) per member
    kind: cost
    label: "{service.label}"                 # member attributes in text fields
    category: "{service.category}"
    sector: "{service.sector}"
    states: {engaged: "e_{service}", lapsed: "m_{service}"}

totals:
  service_cost: ["{service}"]                # every member's value
```

- Members are listed (a list, or a mapping member -> attributes), read from a CSV `table` (the
  `key` column, default the first, names them; lines starting with `#` are comments), or a
  `subset_of` another dimension (filtered by `members` and/or `where: {attribute: value}`). Adding a
  member (a row of the table) adds its parameters, values and total entries everywhere.
- A parameter that is a number, a distribution or a table statistic (`unit_cost:`,
  `service_use:`, `lookup:`) expands to one parameter per member, each with its own value,
  distribution, source, one-way range and draws (`c_gp_surgery`, ...). `{service}` and
  `{service.attribute}` are replaced in its text fields (`unit_cost: "{service}"`).
- A parameter that is an expression stays indexed: the engine evaluates it once for all members,
  with each reference `x_{service}` the stack of the members' values (an array members x draws x
  cycles), not once per name. Reports and the spreadsheet show each member's own expression
  (`m_gp_surgery = c_gp_surgery * u_gp_surgery * area_factor`).
- An indexed expression uses its own dimension (`x_{rare}` in an expression indexed by `rare`);
  elsewhere an indexed name must be summed (`sum(x_{service})`) or one member named
  (`x_ambulance`).
- Overrides: a member's own entry (`c_ambulance`, `red_ambulance`) replaces the indexed one for that
  member; in a strategy, an indexed name replaces every member, a subset's replaces its members.
- In YAML flow mappings (`{...}`) quote names and expressions with braces: `{"red_{service}": 0}`.
- Errors name the member: `e_ambulance (e_{service}[ambulance]) uses 'red_ambulance', which strategy
  'group' does not define`.
- Results: each member's value is an output of its own (per member); its `category` (e.g. from a
  member attribute) groups the cost offset by category (`offset_<category>`).
"""

LOOKUPS = r"""
## Lookup tables

A parameter can be read from a CSV table by one or more key columns, e.g. the probability of dying
within a year by age and sex from a life table:

```yaml
settings: {start_age: 40, sex: female}          # built-in age = start_age + time; a strategy may set its own
parameters:
  qx:
    lookup: {table: tables/ILLUSTRATIVE_life_table_england.csv, column: qx, by: {age: age, sex: sex}, method: step}
  p_die: rate_to_prob(prob_to_rate(qx) * smr, cycle_years)
strategies:
  women: {}
  men: {sex: male}
```

The table may start with `# source: ...`, `# years: ...`, `# status: ...` lines (shown as the
parameter's source), then a header and one row per key. Key columns hold categories (text) or
numbers; at most one numeric key. `by` maps each key column to what is looked up: an expression for
the numeric key (`age`, `2025 + time`), a category (`female`) or `sex` (the cohort's) for a category
column. Methods for the numeric key x in keys k_1 < ... < k_n:

| method | value | outside the keys |
| --- | --- | --- |
| `exact` | the row whose key equals x (within 1e-9) | error |
| `step` | the row of the last key <= x (bands; the last row is open-ended, like "100 and over") | below k_1: error |
| `linear` | v_i + (x - k_i)(v_{i+1} - v_i)/(k_{i+1} - k_i) | error (never extrapolated) |

A lookup is evaluated in every cycle for every draw at once and is fixed in the probabilistic
analysis. `scenarios/tables/ILLUSTRATIVE_life_table_england.csv` has the layout of the ONS National
Life Tables (England; ages 0-100, female and male, `qx`) but **not their figures**: none were
available to the project, so it is built from a Gompertz-Makeham hazard with assumed parameters
(`scripts/make_illustrative_life_table.py`) and labelled an assumption. Replace it with the ONS file
(same columns) for real figures.
"""

DISCOUNTING = r"""
## Discounting and counting conventions

With x_t the membership at boundary t = 0..n, r_c = (1 + r)^L - 1 the rate per cycle of length L
years, and w(t) the membership counted in cycle t under `cycle_correction` (see `Settings`):

| settings | total of a constant amount a per cycle in each state |
| --- | --- |
| `discount_timing: cycle`, `discount_first_cycle: true` (default) | sum_{t=1..n} (1 + r_c)^-t a . w(t) |
| `discount_timing: cycle`, `discount_first_cycle: false` | sum_{t=1..n} (1 + r_c)^-(t-1) a . w(t) |
| `discount_timing: boundary` | sum_{t=0..n} w_t (1 + r_c)^-t a . x_t |

The boundary weights w_t are those the cycle correction gives each boundary: `trapezoid`
(1/2, 1, ..., 1, 1/2), `simpson` ((1, 4, 2, ..., 4, 1) / 3, even n), `end` (0, 1, ..., 1), `start`
(1, ..., 1, 0). `boundary` is the convention of the DARTH tutorials and hesim (discount weights
1/(1 + r)^(0:n) applied to the trace, then the half-cycle or Simpson weights); `cycle` discounts each
cycle's counted membership by one factor. Undiscounted totals are the same under both. One-off
transition values are discounted with the cycle they happen in, (1 + r_c)^-t (cycle timing without
first-cycle discounting: (1 + r_c)^-(t-1)). Amounts that change with the cycle count with the cycle
each share of a boundary is counted towards. `discount_first_cycle: false` applies to cycle timing
only. The spreadsheet export supports cycle timing only.

```yaml
settings: {cycle_length: year, n_cycles: 20, cycle_correction: trapezoid, discount_timing: boundary}
```
"""

SECTIONS = (DIMENSIONS, LOOKUPS, DISCOUNTING)
