"""Scenario inputs from tables: unit costs (re-based), informal-care rates and service-use statistics.

A :class:`DataContext` holds the tables a scenario names in its ``data:`` block, loaded once and
re-based to the scenario's price year. Parameters that say ``unit_cost:``, ``service_use:`` or
``informal_care_rate:`` take their value (and uncertainty) from it.

Service-use statistics are drawn *jointly* in the probabilistic analysis: one person-level
bootstrap replicate gives every such parameter its value, so correlations between services and
between baseline use and its change are kept. Each parameter's marginal (:class:`BootstrapStatistic`)
is what one-way and global sensitivity analyses use.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
import numpy as np
import pandas as pd

from econ.core.errors import Problem, ScenarioError

#: Where the project's own tables live.
COSTS_DIR = Path(__file__).resolve().parents[2] / "costs"

#: Statistics a ``service_use:`` parameter may ask for.
STATISTICS = ("baseline", "followup", "relative_change", "reduction")


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
        return path

    @property
    def price_year(self) -> str:
        year = self.loaded.spec.settings.price_year
        if year is None:
            raise ScenarioError(self.loaded.problem(("settings",), "settings.price_year is needed to re-base unit "
                                                                   "costs (e.g. price_year: '2023/24')"))
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
        return self.unit_costs.select(self._used_codes()).rebased(self.price_year, self.indices)

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
        return load_informal_care_rates(path, unit_costs=self.unit_costs)

    @cached_property
    def service_use(self):
        from econ.inputs.service_use import load_service_use

        path = self._path("service_use", None)
        if path is None:
            raise ScenarioError(self.loaded.problem(("data",), "a parameter uses service_use: but data.service_use "
                                                               "names no file"))
        ic = self._path("informal_care", None)
        return _cached("service_use", path, lambda: load_service_use(path, unit_costs=self.unit_costs,
                                                                     informal_care_path=ic),
                       str(ic), ic.stat().st_mtime_ns if ic is not None else 0, id(self.unit_costs))

    def data_files(self) -> list[dict]:
        """Data files used so far, with SHA-256 and the synthetic flag (for run metadata)."""
        out = []
        for key in ("unit_costs", "informal_care_rates", "service_use", "informal_care"):
            if key in self.__dict__ or (key == "informal_care" and "service_use" in self.__dict__):
                default = {"unit_costs": COSTS_DIR / "unit_costs.csv",
                           "informal_care_rates": COSTS_DIR / "informal_care_rates.csv"}.get(key)
                path = self._path(key, default)
                if path is not None:
                    synthetic = key in ("service_use", "informal_care") and bool(self.service_use.synthetic)
                    out.append({"role": key, "path": str(path), "sha256": _sha256(path), "synthetic": synthetic})
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
        from econ.inputs.service_use import INFORMAL_CARE_SERVICE, summarize_informal_care, summarize_use

        data = self.service_use
        use = summarize_use(data, by=self._by)
        if data.informal_care_monthly is not None:
            ic = summarize_informal_care(data, by=self._by)
            ic["service"] = INFORMAL_CARE_SERVICE
            use = pd.concat([use, ic[use.columns]], ignore_index=True)
        return use

    def _by_service(self, table: pd.DataFrame) -> dict:
        """service -> {column: numpy array} of ``table`` (cached per table), for fast selection."""
        cache = self.__dict__.setdefault("_service_index", {})
        key = id(table)
        if key not in cache:
            index = {}
            for service, part in table.groupby("service", sort=False):
                index[service] = {c: (part[c].astype(str).to_numpy() if c in self._by else part[c].to_numpy())
                                  for c in part.columns}
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
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (followup - baseline) / baseline
        return change if statistic == "relative_change" else -change

    def service_use_point(self, name: str, ref) -> float:
        """Point estimate of a service-use statistic from the data (persons pooled over the subgroup)."""
        rows = self._select(self._point_table, name, ref)
        w = rows["n_persons"].astype(float)
        b = float((rows["baseline"] * w).sum() / w.sum())
        f = float((rows["followup"] * w).sum() / w.sum())
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
        boot = bootstrap_summary(data, n_boot=int(self.loaded.spec.data.bootstrap_replicates), rng=rng,
                                 by=self._by, include_informal_care=data.informal_care_monthly is not None)
        sizes = self._point_table[list(self._by) + ["service", "n_persons"]] if self._by else None
        if sizes is not None:
            boot = boot.merge(sizes, on=list(self._by) + ["service"], how="left")
        else:
            boot["n_persons"] = data.n_persons
        return boot

    def service_use_replicates(self, name: str, ref) -> np.ndarray:
        """Bootstrap replicates of a statistic, shape (replicates,), in replicate order.

        Groups are resampled within themselves (a stratified bootstrap keeping group sizes), so a
        statistic pooled over several groups is their size-weighted mean within each replicate.
        """
        rows = self._select(self._bootstrap, name, ref)
        w = rows["n_persons"].astype(float)
        rep = rows["replicate"].astype(np.intp)
        R = int(self.loaded.spec.data.bootstrap_replicates)
        wsum = np.bincount(rep, weights=w, minlength=R)
        b = np.bincount(rep, weights=rows["baseline"] * w, minlength=R) / wsum
        f = np.bincount(rep, weights=rows["followup"] * w, minlength=R) / wsum
        values = self._statistic(b, f, ref.statistic)
        if not np.all(np.isfinite(values)):
            bad = int((~np.isfinite(values)).sum())
            raise ScenarioError(self.loaded.problem(("parameters", name, "service_use"),
                                                    f"{ref.statistic} is undefined in {bad} of {R} bootstrap "
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


def table_problems(loaded) -> list[Problem]:
    """Parameters that name more than one table, or a table and a value/expression."""
    problems = []
    for name, entry in loaded.spec.parameters.items():
        keys = [k for k in ("unit_cost", "service_use", "informal_care_rate", "lookup") if getattr(entry, k, None) is not None]
        if len(keys) > 1:
            problems.append(loaded.problem(("parameters", name), f"give one of unit_cost, service_use, "
                                                                 f"informal_care_rate, lookup (got {', '.join(keys)})"))
        elif keys and getattr(entry, "value", None) is not None:
            problems.append(loaded.problem(("parameters", name, "value"),
                                           f"a parameter read from a table ({keys[0]}) takes its value from it; "
                                           f"remove 'value'"))
    return problems

