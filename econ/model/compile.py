"""Compile a loaded scenario into the engine's terms: expanded states, compiled expressions, values.

This is the only place that knows both the scenario (YAML, with positions) and the engine's
arrays; every cross-reference (state names, parameter names, complement keyword, totals) is
checked here and all problems are reported together with their file:line:column.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from econ.model.accounting import ValueModel
from econ.model.engine import CohortModel, Entry, StrategyModel
from econ.core.errors import Problem, ScenarioError
from econ.scenario.expressions import BUILTIN_VARIABLES, Expression, ExpressionError, parse_expression
from econ.model.lookup import bind_for_strategy
from econ.model.parameters import ParameterSet, build_parameters, cohort_variables, order_derived
from econ.model.indexed import build_plan
from econ.model.transition_values import transition_pairs as _transition_pairs
from econ.model.states import States as _States, check_limits as _check_limits, expand_states as _expand_states
from econ.model.indexed_parameters import local_family, local_names, member_label, scalar_expression_text
from econ.scenario.schema import CYCLE_LENGTH_YEARS
from econ.scenario.source import format_key_path

#: The keyword that stands for "1 minus the rest of the row".
COMPLEMENT = "complement"


@dataclass(frozen=True)
class CompiledScenario:
    """Everything a run needs, with no YAML left in it."""

    loaded: object  # LoadedScenario
    parameters: ParameterSet
    model: CohortModel
    values: tuple  # ValueModel
    totals: dict  # name -> tuple of value names
    icer: tuple | None  # (cost name, effect name)
    reference: str
    correction: str
    first_cycle_discounted: bool
    flows: tuple  # (from, to) expanded index pairs needed by transition values
    context: object = None  # DataContext: the tables behind table-derived parameters
    discount_timing: str = "cycle"  # settings.discount_timing: "cycle" or "boundary"

    @property
    def synthetic(self) -> bool:
        """True if the scenario says so or any data it read is labelled synthetic."""
        return bool(self.loaded.spec.metadata.synthetic) or bool(self.context is not None and self.context.synthetic)

    @property
    def data_files(self) -> list:
        return self.context.data_files() if self.context is not None else []

    @property
    def followup(self) -> dict:
        """Loss to follow-up in the service-use data the statistics used: method and the share missing per arm
        and time point (econ.inputs.followup_model.followup_summary); {} when no such data were read."""
        context = self.context
        if context is None or not ({"service_use", "everyone"} & set(context.__dict__)):
            return {}
        from econ.inputs.followup_model import followup_summary

        return followup_summary(context)

    @property
    def name(self) -> str:
        return self.loaded.spec.metadata.name

    @property
    def output_names(self) -> list[str]:
        return [v.name for v in self.values] + list(self.totals)

    def kind_of(self, output: str) -> str:
        for v in self.values:
            if v.name == output:
                return v.kind
        kinds = {self.kind_of(m) for m in self.totals[output]}
        return kinds.pop() if len(kinds) == 1 else "mixed"


class _Collector:
    def __init__(self, loaded):
        self.loaded = loaded
        self.problems: list[Problem] = []

    def add(self, path, message):
        problem = self.loaded.problem(tuple(path), message)
        if problem not in self.problems:  # shared rows are checked once per strategy
            self.problems.append(problem)

    def origin(self, path) -> str:
        loc = self.loaded.location(*path)
        return f"{loc}: {format_key_path(tuple(path))}" if loc else format_key_path(tuple(path))


def _suggest(name: str, options) -> str:
    close = difflib.get_close_matches(name, list(options), n=2)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def compile_scenario(loaded, parameters: ParameterSet | None = None, *, subgroup: dict | None = None,
                     context=None) -> CompiledScenario:
    """Compile a :class:`~econ.scenario.load.LoadedScenario`.

    The stages run in this order, all adding to one list of problems that is raised at the end:
    states (tunnels expanded, size limits), strategies (derived parameters, mixtures, transition
    rows, initial distributions), values, totals and the ICER, the reference strategy.

    Raises
    ------
    ScenarioError
        Unknown states, strategies, values or names in expressions; forbidden expressions;
        more than one ``complement`` per row; a reference strategy or ICER that does not exist.
    """
    from econ.inputs.context import DataContext

    spec = loaded.spec
    if context is None:
        context = DataContext(loaded, dict(subgroup or {}))
    pset = parameters if parameters is not None else build_parameters(loaded, context)
    states = _expand_states(spec)
    _check_limits(loaded, spec, states)
    comp = _Compiler(loaded, pset, states)
    strategy_models, value_states = comp.strategies()
    model = CohortModel(tuple(states.expanded), tuple(states.group), tuple(states.tis), tuple(strategy_models),
                        spec.settings.n_cycles, CYCLE_LENGTH_YEARS[spec.settings.cycle_length])
    values, flows = comp.values(value_states)
    totals = comp.totals(values)
    icer = comp.icer(values, totals)
    reference = comp.reference()
    if spec.settings.discount_timing == "boundary" and not spec.settings.discount_first_cycle:
        comp.c.add(("settings", "discount_first_cycle"), "false applies to discount_timing: cycle only; with boundary timing "
                                                         "boundary t is discounted by (1 + r)^-t (remove it)")
    if comp.c.problems:
        raise ScenarioError(comp.c.problems)
    return CompiledScenario(loaded, pset, model, tuple(values), totals, icer, reference,
                            spec.settings.cycle_correction, spec.settings.discount_first_cycle,
                            tuple(sorted(flows)), context, spec.settings.discount_timing)


class _Compiler:
    """The stages of :func:`compile_scenario`, sharing the scenario, the states and the problems."""

    def __init__(self, loaded, pset: ParameterSet, states: _States):
        self.loaded = loaded
        self.spec = loaded.spec
        self.pset = pset
        self.states = states
        self.c = _Collector(loaded)
        self.strategy_names = list(self.spec.strategies)
        self.param_names = set(pset.columns) | {p.name for p in pset.derived} | cohort_variables(loaded)

    def parse(self, path, text, *, local=()) -> Expression | None:
        c = self.c
        try:
            if isinstance(text, str) and "{" in text:
                text = scalar_expression_text(self.loaded, text)
            expr = parse_expression(text)
        except ExpressionError as exc:
            col = f" at character {exc.column}" if exc.column > 0 else ""
            c.add(path, f"{exc.message}{col} (in '{text}')")
            return None
        unknown = sorted(expr.names - self.param_names - set(BUILTIN_VARIABLES) - set(local))
        if unknown:
            known = self.param_names | set(BUILTIN_VARIABLES) | set(local)
            c.add(path, "unknown name " + ", ".join(f"'{u}'{_suggest(u, known)}" for u in unknown)
                  + ": not a parameter or built-in variable")
            return None
        return expr

    def check_state(self, path, name) -> bool:
        if name not in self.spec.states:
            declared = self.states.declared
            self.c.add(path, f"unknown state '{name}'{_suggest(name, declared)}; states are: {', '.join(declared)}")
            return False
        return True

    # --- strategies ------------------------------------------------------------------------
    def strategies(self):
        """StrategyModels in declaration order, and each strategy's local parameter names."""
        strategy_models = []
        value_states: dict = {}
        for s_name in self.strategy_names:
            s_spec = self.spec.strategies[s_name]
            local = self.local_names(s_spec)
            derived, plan = self.derived(s_name, s_spec, local)
            if s_spec.mixture is not None:
                mixture = self.mixture(s_name, s_spec, local)
                strategy_models.append(StrategyModel(s_name, derived, (), (), tuple(mixture)))
            else:
                rows = self.rows(s_name, s_spec, local)
                initial = self.initial(s_name, s_spec, local)
                strategy_models.append(StrategyModel(s_name, derived, tuple(rows), tuple(initial), plan=plan))
            value_states[s_name] = local
        return strategy_models, value_states

    def cohort_variables(self, s_name, s_spec) -> dict:
        """``age`` = start age + time, when the settings give a start age (a strategy may change it)."""
        settings = self.spec.settings
        for key in ("start_age", "sex"):
            if getattr(s_spec, key) is not None and getattr(settings, key) is None:
                self.c.add(("strategies", s_name, key), f"give settings.{key} too (a strategy's {key} overrides it)")
        if settings.start_age is None:
            return {}
        start = s_spec.start_age if s_spec.start_age is not None else settings.start_age
        return {"age": parse_expression(f"{float(start)!r} + time")}

    def local_names(self, s_spec) -> set:
        return local_names(self.loaded, s_spec)

    def derived(self, s_name, s_spec, local) -> tuple:
        """Derived parameters for a strategy (globals, with strategy-local names overriding), and the
        engine's plan evaluating its indexed ones over a members axis (empty without dimensions)."""
        c, pset = self.c, self.pset
        exprs: dict[str, Expression] = self.cohort_variables(s_name, s_spec)
        sex = s_spec.sex if s_spec.sex is not None else self.spec.settings.sex
        exprs.update({p.name: bind_for_strategy(p.expression, sex, c.add, ("parameters", p.name, "lookup"))
                      for p in pset.derived})
        families, owner = [], {}
        for fam in pset.families:
            families.append((fam.template, fam))
            owner.update({e: fam.template for e in fam.elements
                          if e in pset.parameters and pset.parameters[e].family == fam.template})
        for lname, ltext in s_spec.parameters.items():
            path = ("strategies", s_name, "parameters", lname)
            if lname in BUILTIN_VARIABLES:
                c.add(path, f"'{lname}' is a built-in variable; choose another name")
                continue
            if "{" in lname:
                fam, members = local_family(self.loaded, s_name, lname, ltext,
                                            lambda p, t: self.parse(p, t, local=local), c.add)
                if fam is not None:
                    node = f"{lname}@{s_name}"
                    families.append((node, fam))
                    exprs.update(members)
                    owner.update({e: node for e in members})
                continue
            e = self.parse(path, ltext, local=local)
            if e is not None:
                exprs[lname] = e
                owner.pop(lname, None)
        if s_spec.mixture is not None:
            # a mixture only evaluates its shares: keep the derived parameters they read
            needed: set = set()
            stack = [n for t in s_spec.mixture.values() if isinstance(t, str)
                     for n in _names_or_empty(t)]
            while stack:
                nm = stack.pop()
                if nm in exprs and nm not in needed:
                    needed.add(nm)
                    stack.extend(exprs[nm].names)
            exprs = {k: v for k, v in exprs.items() if k in needed}
        available = set(pset.columns) | set(exprs) | set(BUILTIN_VARIABLES)
        for nm, e in exprs.items():
            missing = sorted(e.names - available)
            if missing and nm not in local:
                who = member_label(pset.parameters[nm]) if nm in pset.parameters else nm
                c.add(("parameters", nm), f"{who} uses {', '.join(repr(m) for m in missing)}, which strategy "
                                          f"'{s_name}' does not define (give it in strategies.{s_name}.parameters)")
        derived, plan = (), ()
        try:
            order = order_derived(exprs, loaded=None)
            derived = tuple((nm, exprs[nm]) for nm in order)
            if families and s_spec.mixture is None and not c.problems:
                plan = build_plan(dict(derived), families, owner, self.loaded.dimensions, pset.columns)
        except ScenarioError as exc:
            c.add(("strategies", s_name, "parameters"), exc.problems[0].message)
        return derived, plan

    def mixture(self, s_name, s_spec, local) -> list:
        """(component index, share expression, origin) for a mixture strategy."""
        c, spec, strategies = self.c, self.spec, self.strategy_names
        mixture = []
        for key in ("transitions", "initial"):
            if getattr(s_spec, key):
                c.add(("strategies", s_name, key), f"a mixture strategy takes its {key} from its components; "
                                                   f"remove '{key}'")
        if not s_spec.mixture:
            c.add(("strategies", s_name, "mixture"), "a mixture needs at least one component strategy")
        for comp, text in s_spec.mixture.items():
            p = ("strategies", s_name, "mixture", comp)
            if comp not in spec.strategies:
                c.add(p, f"unknown strategy '{comp}'{_suggest(comp, strategies)}")
                continue
            if spec.strategies[comp].mixture is not None:
                c.add(p, f"'{comp}' is itself a mixture; components must be ordinary strategies")
                continue
            e = self.parse(p, text, local=local)
            if e is not None:
                if e.names & {"cycle", "time", "time_in_state"}:
                    c.add(p, "mixture shares cannot depend on cycle, time or time_in_state")
                    continue
                mixture.append((strategies.index(comp), e, c.origin(p)))
        return mixture

    def rows(self, s_name, s_spec, local) -> list:
        """Transition rows over the expanded states: shared rows, replaced by the strategy's own."""
        c, spec, states = self.c, self.spec, self.states
        rows_spec = {}
        for frm, row in spec.transitions.items():
            rows_spec[frm] = (("transitions", frm), row)
        for frm, row in s_spec.transitions.items():
            rows_spec[frm] = (("strategies", s_name, "transitions", frm), row)
        for frm, (path, _row) in rows_spec.items():
            self.check_state(path, frm)
        for st in states.declared:
            if st not in rows_spec:
                c.add(("strategies", s_name), f"no transition row for state '{st}' (give it in 'transitions' or in "
                                              f"this strategy's 'transitions'; an absorbing state is '{st}: {{{st}: 1}}')")
        rows: list[tuple] = [() for _ in states.expanded]
        for frm, (path, row) in rows_spec.items():
            if frm not in spec.states:
                continue
            base_entries = self.row_entries(path, row, local)
            for k in range(states.tunnel_len[frm]):
                i = states.first_index[frm] + k
                entries = []
                for to, e, origin in base_entries:
                    if to == frm:
                        j = i + 1 if k + 1 < states.tunnel_len[frm] else i  # stay: move one tunnel on
                    else:
                        j = states.first_index[to]
                    entries.append(Entry(j, e, origin))
                rows[i] = tuple(entries)
        return rows

    def row_entries(self, path, row, local) -> list:
        """(to, expression or None for the complement, origin) for one declared row."""
        c = self.c
        n_comp = 0
        base_entries = []
        for to, text in row.items():
            p = path + (to,)
            if not self.check_state(p, to):
                continue
            if isinstance(text, str) and text.strip() != COMPLEMENT and text.strip() not in self.param_names \
                    and difflib.get_close_matches(text.strip(), [COMPLEMENT], n=1, cutoff=0.75):
                c.add(p, f"unknown name '{text.strip()}' (did you mean {COMPLEMENT}?)")
                continue
            if isinstance(text, str) and text.strip() == COMPLEMENT:
                n_comp += 1
                if n_comp > 1:
                    c.add(p, f"only one '{COMPLEMENT}' per row (the rest of the row is ambiguous)")
                base_entries.append((to, None, c.origin(p)))
                continue
            e = self.parse(p, text, local=local)
            if e is not None:
                base_entries.append((to, e, c.origin(p)))
        return base_entries

    def initial(self, s_name, s_spec, local) -> list:
        """(expanded index, expression, origin) of the initial state distribution."""
        c, spec = self.c, self.spec
        init_spec = s_spec.initial if s_spec.initial is not None else spec.initial
        init_path = ("strategies", s_name, "initial") if s_spec.initial is not None else ("initial",)
        if not init_spec:
            c.add(init_path if s_spec.initial is not None else ("strategies", s_name),
                  "no initial state distribution: give 'initial' (e.g. initial: {" + self.states.declared[0] + ": 1})")
        initial = []
        for st, text in (init_spec or {}).items():
            p = init_path + (st,)
            if self.check_state(p, st):
                e = self.parse(p, text, local=local)
                if e is not None:
                    initial.append((self.states.first_index[st], e, c.origin(p)))
        return initial

    # --- values, totals, ICER, reference ---------------------------------------------------
    def values(self, value_states: dict):
        """ValueModels in declaration order, and the set of (from, to) flows they need."""
        c, spec, strategies = self.c, self.spec, self.strategy_names
        flows: set = set()
        values = []
        for v_name, v in spec.values.items():
            for s_name in v.strategies:
                if s_name not in spec.strategies:
                    c.add(("values", v_name, "strategies", s_name),
                          f"unknown strategy '{s_name}'{_suggest(s_name, strategies)}")
                elif spec.strategies[s_name].mixture is not None:
                    c.add(("values", v_name, "strategies", s_name),
                          f"'{s_name}' is a mixture: its values are the share-weighted values of its components")
            rate = v.discount_rate if v.discount_rate is not None else (
                spec.settings.discount_rate_costs if v.kind == "cost" else spec.settings.discount_rate_outcomes)
            per_state, per_trans = [], []
            for s_name in strategies:
                if spec.strategies[s_name].mixture is not None:
                    per_state.append(())
                    per_trans.append(())
                    continue
                se, te = self.value_entries(v_name, v, s_name, value_states[s_name], flows)
                per_state.append(tuple(se))
                per_trans.append(tuple(te))
            values.append(ValueModel(v_name, v.kind, rate, tuple(per_state), tuple(per_trans),
                                     label=v.label or v_name, category=v.category, sector=v.sector, unit=v.unit))
        return values, flows

    def value_entries(self, v_name, v, s_name, local, flows: set):
        """State entries (index, expr) and transition entries (i, j, expr) of one value in one strategy."""
        states = self.states
        override = v.strategies.get(s_name)
        st_entries = {k: (("values", v_name, "states", k), t) for k, t in v.states.items()}
        tr_entries = {k: (("values", v_name, "transitions", k), t) for k, t in v.transitions.items()}
        if override is not None:
            st_entries.update({k: (("values", v_name, "strategies", s_name, "states", k), t)
                               for k, t in override.states.items()})
            tr_entries.update({k: (("values", v_name, "strategies", s_name, "transitions", k), t)
                               for k, t in override.transitions.items()})
        se = []
        for st, (p, text) in st_entries.items():
            if not self.check_state(p, st):
                continue
            e = self.parse(p, text, local=local)
            if e is None:
                continue
            for k in range(states.tunnel_len[st]):
                se.append((states.first_index[st] + k, e))
        te = []
        for key, (p, text) in tr_entries.items():
            pairs = _transition_pairs(key, p, self.c, self.spec, states.declared, states.first_index,
                                      states.tunnel_len)
            if pairs is None:
                continue
            e = self.parse(p, text, local=local)
            if e is None:
                continue
            for i, j in pairs:
                te.append((i, j, e))
                flows.add((i, j))
        return se, te

    def totals(self, values) -> dict:
        c, spec = self.c, self.spec
        totals = {}
        value_names = [v.name for v in values]
        for t_name, members in spec.totals.items():
            if t_name in spec.values:
                c.add(("totals", t_name), f"'{t_name}' is already a value; totals need their own names")
            for i, m in enumerate(members):
                if m not in spec.values:
                    c.add(("totals", t_name, i), f"unknown value '{m}'{_suggest(m, value_names)}")
            kinds = {spec.values[m].kind for m in members if m in spec.values}
            if len(kinds) > 1:
                c.add(("totals", t_name), "mixes costs and outcomes; a total must add values of one kind")
            totals[t_name] = tuple(members)
        return totals

    def icer(self, values, totals) -> tuple | None:
        spec = self.spec
        outputs = set(v.name for v in values) | set(totals)
        if spec.icer is None:
            return None
        kinds = {v.name: v.kind for v in values}
        kinds.update({t: kinds[m[0]] for t, m in totals.items() if m and m[0] in kinds})
        for key, wanted in (("cost", "cost"), ("effect", "outcome")):
            name = getattr(spec.icer, key)
            if name not in outputs:
                self.c.add(("icer", key), f"unknown value or total '{name}'{_suggest(name, outputs)}")
            elif kinds.get(name) != wanted:
                self.c.add(("icer", key), f"'{name}' is a{'n' if kinds.get(name) == 'outcome' else ''} "
                                          f"{kinds.get(name)} value; the ICER's {key} must be a{'n' if wanted == 'outcome' else ''} "
                                          f"{wanted} value or total")
        return (spec.icer.cost, spec.icer.effect)

    def reference(self) -> str:
        c, spec, strategies = self.c, self.spec, self.strategy_names
        if not strategies:
            c.add(("strategies",), "no strategies: give at least one (e.g. strategies: {usual_care: {}})")
        reference = spec.settings.reference_strategy or (strategies[0] if strategies else "")
        if strategies and reference not in spec.strategies:
            c.add(("settings", "reference_strategy"),
                  f"unknown strategy '{reference}'{_suggest(reference, strategies)}")
        return reference


def _names_or_empty(text: str) -> frozenset:
    try:
        return parse_expression(text).names
    except ExpressionError:
        return frozenset()
