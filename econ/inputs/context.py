"""Scenario inputs from tables: unit costs (re-based), informal-care rates and service-use statistics.

A :class:`DataContext` holds the tables a scenario names in its ``data:`` block, loaded once and
re-based to the scenario's price year. Parameters that say ``unit_cost:``, ``service_use:``,
``informal_care_rate:`` or ``outcome_value:`` take their value (and uncertainty) from it.

SWEMWBS wellbeing (from the persons file, ``data.persons``) is a statistic like service use: service
``swemwbs`` of a ``service_use:`` parameter, in the same person-level bootstrap replicates, so costs
and outcomes stay correlated in the probabilistic analysis.

Service-use statistics are drawn *jointly* in the probabilistic analysis: one person-level
bootstrap replicate gives every such parameter its value, so correlations between services and
between baseline use and its change are kept. Each parameter's marginal (:class:`BootstrapStatistic`)
is what one-way and global sensitivity analyses use.

Length: the DataContext keeps every table of a run and the statistics drawn from them in one class (the
estimators' arithmetic is in :mod:`econ.inputs.effects`), with the two distributions built on it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
import numpy as np
import pandas as pd

from econ.core.errors import DataError, Problem, ScenarioError

#: Where the project's own tables live.
COSTS_DIR = Path(__file__).resolve().parents[2] / "costs"

#: Statistics a ``service_use:`` parameter may ask for (``change``: followup - baseline, in the unit of
#: the measure, e.g. SWEMWBS points; the last four by the scenario's ``effect`` block).
STATISTICS = ("baseline", "followup", "relative_change", "reduction", "change", "effect", "effect_reduction",
              "counterfactual", "counterfactual_change")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: Tables already read in this process, keyed by (kind, path, size, mtime): reading the same
#: unchanged file again (compare, subgroups, sweeps over scenarios) returns the same frozen object.
_TABLE_CACHE: dict = {}


def _cached(kind: str, path: Path, load, *extra):
    try:
        st = Path(path).stat()
        key = (kind, str(Path(path).resolve()), st.st_size, st.st_mtime_ns) + tuple(extra)
    except OSError:
        return load()
    if key not in _TABLE_CACHE:
        _TABLE_CACHE[key] = load()
    return _TABLE_CACHE[key]


@dataclass
class DataContext:
    """Tables of one scenario run (loaded lazily, each at most once)."""

    loaded: object
    subgroup: dict = field(default_factory=dict)
    #: service -> :class:`econ.inputs.effects.RtmInputs`, set by ``econ.model.effect`` when the scenario's
    #: estimator is ``rtm_adjusted`` (before any effect statistic is asked for)
    effect_inputs: dict = field(default_factory=dict)

    # -- paths ---------------------------------------------------------------------------
    def _path(self, key: str, default: Path | None) -> Path | None:
        value = getattr(self.loaded.spec.data, key)
        if value is None:
            return default
        try:
            path = self.loaded.resolve_path(("data", key), value)
            found = path.exists()
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte...
            raise ScenarioError(self.loaded.problem(("data", key), f"cannot use this path ({exc.__class__.__name__}: "
                                                                   f"{str(exc)[:80]})")) from None
        if not found:
            raise ScenarioError(self.loaded.problem(("data", key), f"file not found: {value} (looked for {path})"))
        if key != "price_indices":  # a folder; its tables are checked as they are read
            from econ.core.files import input_file_problem

            problem = input_file_problem(path, kind="data")
            if problem is not None:  # a directory, a FIFO, a device, a file over the cap: at the key naming it
                raise ScenarioError(self.loaded.problem(("data", key), f"{value} {problem.message}"))
        return path

    @property
    def price_year(self) -> str:
        year = self.loaded.spec.settings.price_year
        if year is None:
            raise ScenarioError(self.loaded.problem(("settings",), "settings.price_year is needed to re-base unit "
                                                                   "costs (e.g. price_year: '2023/24')"))
        from econ.inputs.inflation import price_year_problem

        outside = price_year_problem(year, self.indices)
        if outside:
            raise ScenarioError(self.loaded.problem(("settings", "price_year"), outside))
        return year

    # -- tables --------------------------------------------------------------------------
    @cached_property
    def indices(self):
        from econ.inputs.inflation import load_indices

        folder = self._path("price_indices", COSTS_DIR)
        return _cached("indices", folder / "index_nhscii.csv", lambda: load_indices(folder),
                       (folder / "index_pss.csv").stat().st_mtime_ns if (folder / "index_pss.csv").exists() else 0)

    @cached_property
    def unit_costs(self):
        from econ.inputs.unit_costs import load_unit_costs

        path = self._path("unit_costs", COSTS_DIR / "unit_costs.csv")
        return _cached("unit_costs", path, lambda: load_unit_costs(path))

    @cached_property
    def unit_costs_rebased(self):
        self._check_currency("unit_costs", COSTS_DIR / "unit_costs.csv", "unit-cost table")
        return self.unit_costs.select(self._used_codes()).rebased(self.price_year, self.indices)

    def _check_currency(self, key: str, default: Path, table: str) -> None:
        """Refuse, at settings.currency, a table whose money is in another currency (never converted)."""
        from econ.inputs.currency import currency_mismatch, table_currency

        path = self._path(key, default)
        mismatch = currency_mismatch(self.loaded.spec.settings.currency, table, path, table_currency(path))
        if mismatch:
            raise ScenarioError(self.loaded.problem(("settings", "currency"), mismatch))

    def _used_codes(self) -> list[str]:
        codes = []
        for entry in self.loaded.spec.parameters.values():
            code = getattr(entry, "unit_cost", None)
            if code and code in self.unit_costs and code not in codes:
                codes.append(code)
        return codes

    @cached_property
    def informal_care_rates(self):
        from econ.inputs.informal_care import load_informal_care_rates

        path = self._path("informal_care_rates", COSTS_DIR / "informal_care_rates.csv")
        self._check_currency("informal_care_rates", COSTS_DIR / "informal_care_rates.csv", "informal-care rate table")
        self._check_currency("unit_costs", COSTS_DIR / "unit_costs.csv", "unit-cost table")  # replacement rates
        return load_informal_care_rates(path, unit_costs=self.unit_costs)

    @cached_property
    def service_use(self):
        """The people every complete-case statistic is of: the intervention people followed up."""
        path = self._path("service_use", None)
        if path is None:
            raise ScenarioError(self.loaded.problem(("data",), "a parameter uses service_use: but data.service_use "
                                                               "names no file"))
        self._path("informal_care", None)  # a wrong path is an error even where the file is not used
        if self.controlled is not None:  # a comparison group: the usual statistics are of the intervention group
            from econ.inputs.effects import intervention_view

            return intervention_view(self.controlled)
        from econ.inputs.followup import followed_up_only

        return followed_up_only(self.everyone)  # complete cases; people lost are the business of _followup

    @cached_property
    def everyone(self):
        """The service-use data with the people lost to follow-up (NaN there): ControlledData when the file
        has a ``group`` column, else ServiceUseData; None without data.service_use."""
        from econ.inputs.service_use import load_service_use

        path = self._path("service_use", None)
        if path is None:
            return None
        if self.controlled is not None:
            return self.controlled
        ic = self._path("informal_care", None)
        pp = self._path("persons", None)
        return _cached("service_use", path, lambda: load_service_use(path, unit_costs=self.unit_costs,
                                                                     informal_care_path=ic, persons_path=pp),
                       str(ic), ic.stat().st_mtime_ns if ic is not None else 0, id(self.unit_costs),
                       str(pp), pp.stat().st_mtime_ns if pp is not None else 0)

    @cached_property
    def _followup(self):
        """A FollowupStatistics (econ.inputs.followup_model) when data.missing_followup is ipw or mice and
        somebody was lost to follow-up; None otherwise (complete cases are then every statistic's people)."""
        method = self.loaded.spec.data.missing_followup
        data = self.everyone
        if method == "complete_case" or data is None or "followed_up" not in data.persons \
                or data.persons["followed_up"].all():
            return None
        from econ.inputs.followup_model import FollowupStatistics

        spec = self.loaded.spec.data
        try:
            return FollowupStatistics(data, method, n_boot=int(spec.bootstrap_replicates),
                                      seed=int(self.loaded.spec.settings.seed), by=self._by,
                                      cluster=self._cluster_column(), imputations=int(spec.imputations))
        except DataError as exc:
            raise ScenarioError(self.loaded.problem(("data", "missing_followup"), str(exc))) from None

    def followup_mask(self, ref, *, arm: str = "intervention") -> np.ndarray:
        """People of :attr:`everyone` a parameter's statistics are of: the arm, the parameter's subgroup and the
        run's (comparison people: area and bme only, as for complete cases)."""
        persons = self.everyone.persons
        mask = (persons["group"] == arm).to_numpy() if "group" in persons else np.ones(len(persons), dtype=bool)
        for key, value in self._filter(ref).items():
            if arm == "intervention" or key in ("area", "bme"):
                mask &= persons[key].astype(str).to_numpy() == str(value)
        return mask

    @cached_property
    def outcome_values(self):
        from econ.inputs.outcome_values import load_outcome_values

        path = self._path("outcome_values", COSTS_DIR / "outcome_values.csv")
        return _cached("outcome_values", path, lambda: load_outcome_values(path))

    @cached_property
    def controlled(self):
        """ControlledData when the service-use file has a ``group`` column (intervention / comparison), else None."""
        path = self._path("service_use", None)
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as fh:
                header = [c.strip() for c in fh.readline().split(",")]
        except OSError:
            return None  # the loader reports it
        if "group" not in header:
            return None
        from econ.inputs.controlled_data import load_controlled_data

        pp = self._path("persons", None)  # data.persons, else X_persons.csv beside X_service_use.csv
        return _cached("controlled", path, lambda: load_controlled_data(path, unit_costs=self.unit_costs,
                                                                        persons_path=pp),
                       id(self.unit_costs), str(pp))

    def data_files(self) -> list[dict]:
        """Data files used so far, with SHA-256 and the synthetic flag (for run metadata)."""
        out = []
        for key in ("unit_costs", "informal_care_rates", "outcome_values", "service_use", "informal_care", "persons"):
            if key in self.__dict__ or (key in ("informal_care", "persons") and "service_use" in self.__dict__):
                default = {"unit_costs": COSTS_DIR / "unit_costs.csv",
                           "informal_care_rates": COSTS_DIR / "informal_care_rates.csv",
                           "outcome_values": COSTS_DIR / "outcome_values.csv"}.get(key)
                path = self._path(key, default)
                if path is not None:
                    synthetic = key in ("service_use", "informal_care", "persons") and bool(self.service_use.synthetic)
                    out.append({"role": key, "path": str(path), "sha256": _sha256(path), "synthetic": synthetic})
        controlled = self.__dict__.get("controlled")
        if controlled is not None and controlled.persons_file and not any(
                d["role"] == "persons" and Path(d["path"]) == Path(controlled.persons_file) for d in out):
            out.append({"role": "persons", "path": controlled.persons_file,
                        "sha256": _sha256(Path(controlled.persons_file)), "synthetic": bool(controlled.synthetic)})
        if "indices" in self.__dict__:
            for name, index in self.indices.items():
                out.append({"role": f"price_index:{name}", "path": index.path, "sha256": _sha256(Path(index.path)),
                            "synthetic": False})
        return out

    @property
    def synthetic(self) -> bool:
        return "service_use" in self.__dict__ and bool(self.service_use.synthetic)

    # -- service-use statistics -------------------------------------------------------------
    def _refs(self) -> dict:
        refs = {}
        for name, entry in self.loaded.spec.parameters.items():
            ref = getattr(entry, "service_use", None)
            if ref is not None:
                refs[name] = ref
        return refs

    @cached_property
    def _by(self) -> tuple:
        keys: list = []
        for ref in self._refs().values():
            for k in list(ref.subgroup) + list(self.subgroup):
                if k not in keys:
                    keys.append(k)
        order = ("setting", "engagement_band", "area", "bme")
        return tuple(k for k in order if k in keys)

    def _filter(self, ref) -> dict:
        f = dict(ref.subgroup)
        for k, v in self.subgroup.items():
            if k in f and f[k] != v:
                return {"__empty__": True}
            f[k] = v
        return f

    @cached_property
    def _point_table(self) -> pd.DataFrame:
        from econ.inputs.service_use import point_table

        return point_table(self.service_use, by=self._by)

    def _by_service(self, table: pd.DataFrame) -> dict:
        """service -> {column: numpy array} of ``table`` (cached per table), for fast selection."""
        cache = self.__dict__.setdefault("_service_index", {})
        key = id(table)
        if key not in cache:  # each column converted once, then cut per service (rows in table order)
            cols = {c: (table[c].astype(str) if c in self._by else table[c]).to_numpy() for c in table.columns}
            codes, services = pd.factorize(table["service"], sort=False)  # first-seen order, as groupby
            ends = np.searchsorted(codes[(order := np.argsort(codes, kind="stable"))], np.arange(len(services) + 1))
            index = {svc: {c: a[order[ends[i]:ends[i + 1]]] for c, a in cols.items()} for i, svc in enumerate(services)}
            cache[key] = (table, index)  # keep the table alive so its id is not reused
        return cache[key][1]

    def _select(self, table: pd.DataFrame, name: str, ref) -> dict:
        """The rows of ``table`` for a parameter's service and subgroup, as column -> numpy array."""
        f = self._filter(ref)
        where = ("parameters", name, "service_use")
        if "__empty__" in f:
            raise ScenarioError(self.loaded.problem(where, f"its subgroup {dict(ref.subgroup)} conflicts with the "
                                                           f"subgroup of this run {self.subgroup}"))
        index = self._by_service(table)
        rows = index.get(ref.service)
        if rows is None and ref.service == "swemwbs":
            raise ScenarioError(self.loaded.problem(where + ("service",),
                                                    "SWEMWBS scores come from a persons file: set data.persons "
                                                    "(columns person_id, swemwbs_baseline, swemwbs_followup; "
                                                    "docs/data_format.md)"))
        if rows is None:
            raise ScenarioError(self.loaded.problem(where + ("service",),
                                                    f"service '{ref.service}' is not in the data "
                                                    f"({self.loaded.spec.data.service_use}); services: "
                                                    f"{', '.join(sorted(index))}"))
        mask = np.ones(len(rows["service"]), dtype=bool)
        for k, v in f.items():
            mask &= rows[k] == str(v)
        if not mask.any():
            raise ScenarioError(self.loaded.problem(where + ("subgroup",), f"no people in the data with {f}"))
        return {c: a[mask] for c, a in rows.items()}

    @staticmethod
    def _statistic(baseline: np.ndarray, followup: np.ndarray, statistic: str) -> np.ndarray:
        if statistic == "baseline":
            return baseline
        if statistic == "followup":
            return followup
        if statistic == "change":
            return followup - baseline
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (followup - baseline) / baseline
        return change if statistic == "relative_change" else -change

    def point_means(self, name: str, ref) -> tuple[float, float]:
        """Mean baseline and follow-up of the persons ``ref`` selects (groups pooled by their sizes), or under
        data.missing_followup ipw / mice the estimates of econ.inputs.followup_model."""
        rows = self._select(self._point_table, name, ref)
        if self._followup is not None:
            b, f = self._followup.means(self.followup_mask(ref), ref.service, False)
            return float(b), float(f)
        w = rows["n_persons"].astype(float)
        return float((rows["baseline"] * w).sum() / w.sum()), float((rows["followup"] * w).sum() / w.sum())

    def effect_point_at(self, name: str, ref, *, rho=None, ratio=None) -> np.ndarray:
        """An effect statistic at the data's point estimate with rho and/or the population ratio set to these
        values (arrays): what a one-way analysis of that rho or ratio needs."""
        b, f = self.point_means(name, ref)
        return self._effect(name, ref, np.array(b), np.array(f), False, rho=rho, ratio=ratio)

    def _effect(self, name: str, ref, b, f, replicates: bool, *, rho=None, ratio=None):
        """An effect statistic by the estimator of the scenario's ``effect`` block (econ.inputs.effects)."""
        from econ.inputs.effects import context_effect

        return context_effect(self, name, ref, b, f, replicates, rho=rho, ratio=ratio)

    def _comparison_effect(self, name: str, ref, replicates: bool) -> np.ndarray:
        """DiD or ANCOVA effect on the parameter's service (see :func:`econ.inputs.effects.comparison_statistic`)."""
        from econ.inputs.effects import comparison_statistic

        return comparison_statistic(self, name, ref, replicates)

    def check_estimator(self) -> None:
        """Raise a located ScenarioError when the data cannot serve the ``effect`` block's estimator."""
        from econ.inputs.effects import check_context_estimator

        check_context_estimator(self)

    @cached_property
    def population_baseline(self) -> dict:
        """Service -> mean baseline monthly use of everyone in the data (the base of the population mean);
        with a persons file also ``swemwbs``, the mean baseline SWEMWBS score (points), so ``rtm_adjusted``
        adjusts wellbeing like service use (with its own rho and population ratio, effect.*_by_service)."""
        from econ.inputs.service_use import INFORMAL_CARE_SERVICE, SWEMWBS

        data = self.service_use
        if self._followup is not None:  # ipw / mice: everyone of the intervention arm, lost people included
            fs = self._followup
            return {name: float(fs.mo.baseline[fs.intervention, k].mean()) for name, k in fs.column.items()}
        out = dict(zip(data.services, np.asarray(data.monthly_use[0], dtype=float).mean(axis=0)))
        if data.informal_care_monthly is not None:
            out[INFORMAL_CARE_SERVICE] = float(np.asarray(data.informal_care_monthly[0], dtype=float).mean())
        if getattr(data, "swemwbs", None) is not None:
            out[SWEMWBS] = float(np.asarray(data.swemwbs[0], dtype=float).mean())
        return out

    def service_use_point(self, name: str, ref) -> float:
        """Point estimate of a service-use statistic from the data (persons pooled over the subgroup)."""
        from econ.inputs.effects import EFFECT_STATISTICS

        b, f = self.point_means(name, ref)
        if ref.statistic in EFFECT_STATISTICS:
            value = float(self._effect(name, ref, np.array(b), np.array(f), False))
        else:
            value = float(self._statistic(np.array(b), np.array(f), ref.statistic))
        if not np.isfinite(value):
            raise ScenarioError(self.loaded.problem(("parameters", name, "service_use"),
                                                    f"{ref.statistic} is undefined: nobody used '{ref.service}' at "
                                                    f"baseline in this group"))
        return value

    @cached_property
    def _bootstrap(self) -> pd.DataFrame:
        from econ.inputs.service_use import bootstrap_summary

        seed = int(self.loaded.spec.settings.seed)
        rng = np.random.default_rng([seed, 0xB007])  # a stream of its own, fixed by the scenario seed
        data = self.service_use
        cluster = self._cluster_column()
        if cluster is not None:  # data.bootstrap_clusters: clusters resampled with their people
            from econ.inputs.clustered import cluster_bootstrap_summary

            try:
                boot = cluster_bootstrap_summary(data, n_boot=int(self.loaded.spec.data.bootstrap_replicates),
                                                 rng=np.random.default_rng([seed, 0xB007, 0xC1]), cluster=cluster,
                                                 by=self._by,
                                                 include_informal_care=data.informal_care_monthly is not None,
                                                 include_swemwbs=data.swemwbs is not None)
            except DataError as exc:
                raise ScenarioError(self.loaded.problem(("data", "bootstrap_clusters"), str(exc))) from None
        else:
            boot = bootstrap_summary(data, n_boot=int(self.loaded.spec.data.bootstrap_replicates), rng=rng,
                                     by=self._by, include_informal_care=data.informal_care_monthly is not None,
                                     include_swemwbs=data.swemwbs is not None)
        sizes = self._point_table[list(self._by) + ["service", "n_persons"]] if self._by else None
        if sizes is not None:
            boot = boot.merge(sizes, on=list(self._by) + ["service"], how="left")
        else:
            boot["n_persons"] = data.n_persons
        return boot

    def _cluster_column(self) -> str | None:
        """The person column resampled as clusters (``data.bootstrap_clusters``), or None for people."""
        value = getattr(self.loaded.spec.data, "bootstrap_clusters", "none")
        return None if value == "none" else value

    def replicate_means(self, name: str, ref) -> tuple[np.ndarray, np.ndarray]:
        """Mean baseline and follow-up use of the persons ``ref`` selects, in each bootstrap replicate
        (groups pooled by their sizes; under data.missing_followup ipw / mice, econ.inputs.followup_model)."""
        if self._followup is not None:
            self._select(self._point_table, name, ref)  # the located errors of a service or subgroup not in the data
            return self._followup.means(self.followup_mask(ref), ref.service, True)
        rows = self._select(self._bootstrap, name, ref)
        w = rows["n_persons"].astype(float)
        rep = rows["replicate"].astype(np.intp)
        R = int(self.loaded.spec.data.bootstrap_replicates)
        wsum = np.bincount(rep, weights=w, minlength=R)
        b = np.bincount(rep, weights=rows["baseline"] * w, minlength=R) / wsum
        f = np.bincount(rep, weights=rows["followup"] * w, minlength=R) / wsum
        return b, f

    def service_use_replicates(self, name: str, ref) -> np.ndarray:
        """Bootstrap replicates of a statistic, shape (replicates,), in replicate order.

        Groups are resampled within themselves (a stratified bootstrap keeping group sizes), so a
        statistic pooled over several groups is their size-weighted mean within each replicate.
        """
        b, f = self.replicate_means(name, ref)
        from econ.inputs.effects import EFFECT_STATISTICS

        if ref.statistic in EFFECT_STATISTICS:
            values = self._effect(name, ref, b, f, True)
        else:
            values = self._statistic(b, f, ref.statistic)
        if not np.all(np.isfinite(values)):
            bad = int((~np.isfinite(values)).sum())
            raise ScenarioError(self.loaded.problem(("parameters", name, "service_use"),
                                                    f"{ref.statistic} is undefined in {bad} of {len(values)} bootstrap "
                                                    f"replicates (no baseline use of '{ref.service}'); use a "
                                                    f"larger group or a stated distribution"))
        return values


class BootstrapStatistic:
    """Distribution of a data statistic: its bootstrap replicates (marginal), drawn jointly in PSA.

    ``ppf(u)`` is the empirical quantile function of the replicates (for one-way ranges and GSA);
    ``replicates`` are in replicate order so that PSA can give every data parameter the values of
    the same replicate.
    """

    name = "bootstrap"
    dimension = 1
    joint_group = "service_use_data"

    def __init__(self, context: DataContext, parameter: str, ref):
        self._context, self._parameter, self._ref = context, parameter, ref

    @cached_property
    def replicates(self) -> np.ndarray:
        return self._context.service_use_replicates(self._parameter, self._ref)

    @cached_property
    def _sorted(self) -> np.ndarray:
        return np.sort(self.replicates)

    @property
    def mean(self) -> float:
        return float(self.replicates.mean())

    @property
    def sd(self) -> float:
        return float(self.replicates.std(ddof=1))

    def ppf(self, u):
        n = self._sorted.size
        idx = np.clip(np.ceil(np.asarray(u, dtype=float) * n).astype(np.intp) - 1, 0, n - 1)
        return self._sorted[idx]

    def cdf(self, x):
        return np.searchsorted(self._sorted, np.asarray(x, dtype=float), side="right") / self._sorted.size

    def interval(self, level: float = 0.95):
        a = (1 - level) / 2
        return float(np.quantile(self.replicates, a)), float(np.quantile(self.replicates, 1 - a))

    def draw_joint(self, replicate_index: np.ndarray) -> np.ndarray:
        return self.replicates[replicate_index]


class JointDraws(BootstrapStatistic):
    """A parameter drawn once per bootstrap replicate (e.g. the test-retest correlation of an RTM adjustment).

    Its ``replicates`` are draws from the parameter's declared distribution, one per replicate; the
    probabilistic analysis gives it, like the service-use statistics, the value of the replicate drawn,
    so the effect statistics computed with that value and the parameter itself agree in every draw.
    """

    def __init__(self, draws, declared=None):
        self._draws = draws  # an array, or a function giving it (drawn when first needed: the PSA)
        self.declared = declared
        #: values -> {parameter: values}: the statistics computed with this parameter, at the data's point
        #: estimate, for analyses that vary it alone (one-way, two-way, threshold); set by econ.model.effect
        self.dependents = None

    @property
    def replicates(self) -> np.ndarray:  # type: ignore[override]
        if callable(self._draws):
            self._draws = np.asarray(self._draws(), dtype=float)
        return self._draws


def table_problems(loaded) -> list[Problem]:
    """Parameters that name more than one table, or a table and a value/expression."""
    problems = []
    for name, entry in loaded.spec.parameters.items():
        keys = [k for k in ("unit_cost", "service_use", "informal_care_rate", "outcome_value", "lookup")
                if getattr(entry, k, None) is not None]
        if len(keys) > 1:
            problems.append(loaded.problem(("parameters", name), f"give one of unit_cost, service_use, "
                                                                 f"informal_care_rate, outcome_value, lookup "
                                                                 f"(got {', '.join(keys)})"))
        elif keys and getattr(entry, "value", None) is not None:
            problems.append(loaded.problem(("parameters", name, "value"),
                                           f"a parameter read from a table ({keys[0]}) takes its value from it; "
                                           f"remove 'value'"))
    return problems

