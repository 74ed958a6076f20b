"""Summarise person-level service-use data (CSRI style), with a vectorised person bootstrap.

Loading and validation are in :mod:`econ.inputs.service_use_load`; every name defined there is
re-exported here, so ``from econ.inputs.service_use import load_service_use`` (and the constants,
:class:`ServiceUseData`, ...) keeps working.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from econ.core.errors import DataError
from econ.inputs.service_use_load import (  # noqa: F401  (re-exported: the old import path)
    BME_VALUES, ENGAGEMENT_BANDS, GROUP_COLUMNS, INFORMAL_CARE_COLUMNS, INFORMAL_CARE_SERVICE, NO_SERVICE, PERIODS,
    PERSONS_COLUMNS, SERVICE_USE_COLUMNS, SETTINGS, SWEMWBS, SWEMWBS_RANGE, WEEKS_PER_MONTH, ServiceUseData, _is_synthetic, _load_informal_care,
    _PERSON_ATTRIBUTES, _read_metadata, engagement_band, load_service_use, metadata_path_for)
from econ.inputs.unit_costs import UnitCostTable

__all__ = ["BME_VALUES", "BOOTSTRAP_BLOCK_DRAWS", "ENGAGEMENT_BANDS", "GROUP_COLUMNS", "INFORMAL_CARE_COLUMNS",
           "INFORMAL_CARE_SERVICE", "NO_SERVICE", "PERIODS", "PERSONS_COLUMNS", "SERVICE_USE_COLUMNS", "SETTINGS",
           "SWEMWBS", "SWEMWBS_RANGE", "WEEKS_PER_MONTH", "ServiceUseData", "bootstrap_counts", "bootstrap_summary", "engagement_band",
           "load_service_use", "metadata_path_for", "point_table", "summarize_cost", "summarize_informal_care",
           "summarize_swemwbs", "summarize_use"]

#: Replicates per block in :func:`bootstrap_summary` are limited so one block holds about this many draws.
BOOTSTRAP_BLOCK_DRAWS = 2_000_000


def _check_by(by: Sequence[str] | str | None) -> tuple[str, ...]:
    if by is None:
        return ()
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [name for name in by if name not in GROUP_COLUMNS]
    if unknown:
        raise DataError(f"cannot group by {', '.join(repr(n) for n in unknown)}; "
                        f"choose from {', '.join(GROUP_COLUMNS)}")
    return by


def _groups(data: ServiceUseData, by: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of each person (sorted group order) and the table of groups with their sizes."""
    if not by:
        return np.zeros(data.n_persons, dtype=np.intp), pd.DataFrame({"n_persons": [data.n_persons]})
    grouped = data.persons.groupby(list(by), sort=True, observed=True)
    codes = grouped.ngroup().to_numpy()
    table = grouped.size().rename("n_persons").reset_index()
    for name in by:
        table[name] = table[name].astype(str)
    return codes, table


def _relative_change(baseline: np.ndarray, followup: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(baseline > 0, (followup - baseline) / np.where(baseline > 0, baseline, 1.0), np.nan)


def _long_table(groups: pd.DataFrame, by: tuple[str, ...], names: Sequence[str], baseline: np.ndarray,
                followup: np.ndarray) -> pd.DataFrame:
    """Rows group x name from (n_groups, n_names) arrays of baseline and follow-up means."""
    n_groups, n_names = baseline.shape
    out = pd.DataFrame({name: np.repeat(groups[name].to_numpy(), n_names) for name in by})
    out["service"] = np.tile(np.asarray(names, dtype=object), n_groups)
    out["n_persons"] = np.repeat(groups["n_persons"].to_numpy(), n_names)
    out["baseline"] = baseline.ravel()
    out["followup"] = followup.ravel()
    out["relative_change"] = _relative_change(out["baseline"].to_numpy(), out["followup"].to_numpy())
    return out


def _group_means(codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Mean over persons within each group; values has persons on axis 0."""
    sums = np.zeros((n_groups,) + values.shape[1:])
    np.add.at(sums, codes, values)
    counts = np.bincount(codes, minlength=n_groups).reshape((n_groups,) + (1,) * (values.ndim - 1))
    return sums / counts


def summarize_use(data: ServiceUseData, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """Mean use per person per month of each service, by period, and its relative change.

    Parameters
    ----------
    data : ServiceUseData
        From :func:`load_service_use`.
    by : str or sequence of str
        Person attributes to group by, from :data:`GROUP_COLUMNS`; empty for everyone together.

    Returns
    -------
    pandas.DataFrame
        One row per group x service: the ``by`` columns (str), ``service`` (str), ``n_persons`` (int64),
        ``baseline`` and ``followup`` (float64, units of the service per person per month),
        ``relative_change`` (float64; NaN where baseline is 0).

    Notes
    -----
    For group :math:`g` of :math:`n_g` persons and service :math:`k`, the mean in period :math:`t` is
    :math:`\\bar u_{gkt} = n_g^{-1} \\sum_{i \\in g} q_{ikt} / m_{it}`, where :math:`q` is the quantity
    reported over a recall window of :math:`m` months (0 for a person with no row), and the relative
    change is :math:`(\\bar u_{gk,\\mathrm{followup}} - \\bar u_{gk,\\mathrm{baseline}}) / \\bar u_{gk,\\mathrm{baseline}}`.
    """
    by = _check_by(by)
    codes, groups = _groups(data, by)
    means = _group_means(codes, len(groups), np.moveaxis(data.monthly_use, 1, 0))
    return _long_table(groups, by, data.services, means[:, 0, :], means[:, 1, :])


def _require_informal_care(data: ServiceUseData) -> np.ndarray:
    if data.informal_care_monthly is None:
        raise DataError(f"{data.source_file}: no informal-care data loaded; pass informal_care_path= to "
                        f"load_service_use")
    return data.informal_care_monthly


def summarize_informal_care(data: ServiceUseData, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """Mean informal care hours per person per month, by period, and the relative change.

    Parameters
    ----------
    data : ServiceUseData
        Loaded with an informal-care file.
    by : str or sequence of str
        Person attributes to group by, from :data:`GROUP_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_persons``, ``baseline``, ``followup`` (hours per person
        per month, float64), ``relative_change`` (NaN where baseline is 0).

    Raises
    ------
    DataError
        If no informal-care file was loaded.
    """
    hours = _require_informal_care(data)
    by = _check_by(by)
    codes, groups = _groups(data, by)
    means = _group_means(codes, len(groups), hours.T)
    return _long_table(groups, by, [INFORMAL_CARE_SERVICE], means[:, :1], means[:, 1:]).drop(columns="service")


def _require_swemwbs(data: ServiceUseData) -> np.ndarray:
    if getattr(data, "swemwbs", None) is None:
        raise DataError(f"{data.source_file}: no SWEMWBS scores loaded; they come from a persons file "
                        f"(columns {', '.join(PERSONS_COLUMNS)}; persons_path= of load_service_use, or "
                        f"data.persons in a scenario)")
    return data.swemwbs


def summarize_swemwbs(data: ServiceUseData, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """Mean SWEMWBS score (7-35) per person at baseline and follow-up, and the mean change.

    Parameters
    ----------
    data : ServiceUseData
        Loaded with a persons file.
    by : str or sequence of str
        Person attributes to group by, from :data:`GROUP_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_persons``, ``baseline``, ``followup`` (mean points,
        float64), ``change`` (followup - baseline, points).

    Raises
    ------
    DataError
        If no persons file was loaded.
    """
    scores = _require_swemwbs(data)
    by = _check_by(by)
    codes, groups = _groups(data, by)
    means = _group_means(codes, len(groups), scores.T)
    out = _long_table(groups, by, [SWEMWBS], means[:, :1], means[:, 1:]).drop(columns=["service", "relative_change"])
    out["change"] = out["followup"] - out["baseline"]
    return out


def point_table(data: ServiceUseData, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """The rows of :func:`summarize_use`, then those of :func:`summarize_informal_care` (service
    ``informal_care``) and :func:`summarize_swemwbs` (service ``swemwbs``, its ``relative_change`` the
    change over the baseline) when the data have them, in one table with the columns of
    :func:`summarize_use`: the table :class:`econ.inputs.context.DataContext` selects its point estimates
    from. The same numbers as concatenating the three summaries, built in one pass (start-up, issue 19).
    """
    by = _check_by(by)
    codes, groups = _groups(data, by)
    n_groups = len(groups)
    blocks = []  # (names, baseline means, follow-up means), the means (groups, names)
    means = _group_means(codes, n_groups, np.moveaxis(data.monthly_use, 1, 0))
    blocks.append((list(data.services), means[:, 0, :], means[:, 1, :]))
    if data.informal_care_monthly is not None:
        means = _group_means(codes, n_groups, data.informal_care_monthly.T)
        blocks.append(([INFORMAL_CARE_SERVICE], means[:, :1], means[:, 1:]))
    if getattr(data, "swemwbs", None) is not None:
        means = _group_means(codes, n_groups, data.swemwbs.T)
        blocks.append(([SWEMWBS], means[:, :1], means[:, 1:]))
    columns: dict = {name: [] for name in (*by, "service", "n_persons", "baseline", "followup", "relative_change")}
    for names, baseline, followup in blocks:
        n_names = len(names)
        for name in by:
            columns[name].append(np.repeat(groups[name].to_numpy(), n_names))
        columns["service"].append(np.tile(np.asarray(names, dtype=object), n_groups))
        columns["n_persons"].append(np.repeat(groups["n_persons"].to_numpy(), n_names))
        columns["baseline"].append(baseline.ravel())
        columns["followup"].append(followup.ravel())
        if names == [SWEMWBS]:  # the change over the baseline, as summarize_swemwbs' change / baseline
            with np.errstate(divide="ignore", invalid="ignore"):
                columns["relative_change"].append((followup.ravel() - baseline.ravel()) / baseline.ravel())
        else:
            columns["relative_change"].append(_relative_change(baseline.ravel(), followup.ravel()))
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})


def summarize_cost(data: ServiceUseData, unit_costs: UnitCostTable, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """Mean cost per person per month of each service, by period.

    Parameters
    ----------
    data : ServiceUseData
        From :func:`load_service_use`.
    unit_costs : UnitCostTable
        Must hold every service of ``data`` at one price year (re-base it first with
        :meth:`UnitCostTable.rebased`).
    by : str or sequence of str
        Person attributes to group by.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`summarize_use`, with ``baseline`` and ``followup`` in GBP per person per
        month, plus ``unit`` (str), ``unit_cost`` (float64, GBP), ``price_year`` (str) and ``sector`` (str).

    Raises
    ------
    DataError
        If a service has no unit cost, or the costs of the services are at different price years.
    """
    table = unit_costs.select(data.services)
    years = sorted({item.price_year for item in table})
    if len(years) > 1:
        raise DataError(f"the unit costs of the services are at different price years ({', '.join(years)}); "
                        f"re-base the table to one price year first (UnitCostTable.rebased)")
    use = summarize_use(data, by=by)
    lookup = {item.code: item for item in table}
    cost = use["service"].map(lambda code: lookup[code].cost).astype("float64")
    out = use.copy()
    out["baseline"] = use["baseline"] * cost
    out["followup"] = use["followup"] * cost
    out.insert(out.columns.get_loc("service") + 1, "unit", use["service"].map(lambda c: lookup[c].unit))
    out["unit_cost"] = cost
    out["price_year"] = years[0] if years else ""
    out["sector"] = use["service"].map(lambda c: lookup[c].sector)
    return out


def bootstrap_summary(data: ServiceUseData, *, n_boot: int, rng: np.random.Generator,
                      by: Sequence[str] | str = (), include_informal_care: bool = False,
                      include_swemwbs: bool = False) -> pd.DataFrame:
    """Non-parametric bootstrap of mean monthly use per person, resampling persons.

    Parameters
    ----------
    data : ServiceUseData
        From :func:`load_service_use`.
    n_boot : int
        Number of bootstrap replicates (>= 1).
    rng : numpy.random.Generator
        Source of randomness; the same seed gives the same replicates.
    by : str or sequence of str
        Person attributes from :data:`GROUP_COLUMNS`; persons are resampled within each group (in sorted
        group order), keeping the group sizes.
    include_informal_care : bool
        Add informal care hours per month as service :data:`INFORMAL_CARE_SERVICE`.
    include_swemwbs : bool
        Add the mean SWEMWBS score as service :data:`SWEMWBS`, from the same resample of persons (the
        replicates of every other row are unchanged by it: the same draws, a separate product).

    Returns
    -------
    pandas.DataFrame
        One row per replicate x group x service: ``replicate`` (int64, 0-based), the ``by`` columns,
        ``service``, ``baseline``, ``followup`` (float64, per person per month) and ``relative_change``
        (NaN where the replicate's baseline mean is 0).

    Raises
    ------
    DataError
        If ``n_boot`` < 1, ``by`` names an unknown attribute, or informal care or SWEMWBS is asked for but
        absent.

    Notes
    -----
    A person keeps their baseline and follow-up together, so the paired change is resampled. Each
    replicate draws :math:`n_g` persons with replacement per group; with :math:`C` the replicates x
    persons matrix of draw counts and :math:`U` the persons x (period, service) matrix of monthly use,
    the replicate means are :math:`C U / n_g`. Replicates are computed in blocks of at most
    :data:`BOOTSTRAP_BLOCK_DRAWS` draws; numpy's ``Generator.integers`` yields the same stream however
    the draws are split into calls, so the result does not depend on the block size.

    References
    ----------
    Efron B, Tibshirani RJ (1993) An Introduction to the Bootstrap. Chapman & Hall.
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise DataError(f"n_boot must be a whole number >= 1 (got {n_boot!r})")
    by = _check_by(by)
    codes, groups = _groups(data, by)
    names = list(data.services)
    values = np.moveaxis(data.monthly_use, 1, 0)  # persons x period x service
    if include_informal_care:
        hours = _require_informal_care(data)
        values = np.concatenate([values, hours.T[:, :, None]], axis=2)
        names.append(INFORMAL_CARE_SERVICE)
    n_names = len(names)
    flat = values.reshape(data.n_persons, 2 * n_names)
    extra = _require_swemwbs(data).T if include_swemwbs else None

    means, extra_means = _bootstrap_means(codes, groups, flat, n_boot, n_names, rng, extra)
    if extra is not None:
        means = np.concatenate([means, extra_means[..., None]], axis=3)
        names.append(SWEMWBS)
    return _bootstrap_table(means, groups, by, names, n_boot)


def _count_blocks(codes: np.ndarray, groups: pd.DataFrame, n_boot: int, rng: np.random.Generator):
    """The person bootstrap's draws: (group, members, first replicate, counts (size, n)) block by block."""
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(groups)))
    for g in range(len(groups)):
        members = order[starts[g]: starts[g] + int(groups["n_persons"].iloc[g])]
        n = len(members)
        block = max(1, min(n_boot, BOOTSTRAP_BLOCK_DRAWS // n))
        for first in range(0, n_boot, block):
            size = min(block, n_boot - first)
            draws = rng.integers(0, n, size=(size, n))
            offsets = (np.arange(size) * n)[:, None]
            counts = np.bincount((draws + offsets).ravel(), minlength=size * n).reshape(size, n)
            yield g, members, first, counts


def _bootstrap_means(codes: np.ndarray, groups: pd.DataFrame, flat: np.ndarray, n_boot: int, n_names: int,
                     rng: np.random.Generator, extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Replicate means, (n_boot, n_groups, period, name), resampling persons within each group in blocks.

    ``extra`` (persons x period, e.g. SWEMWBS) is averaged over the same draws in a product of its own, so
    that its presence leaves the other means bit for bit the same; its means are (n_boot, n_groups, period).
    """
    means = np.empty((n_boot, len(groups), 2, n_names))
    extra_means = None if extra is None else np.empty((n_boot, len(groups), 2))
    for g, members, first, counts in _count_blocks(codes, groups, n_boot, rng):
        size, n = counts.shape
        means[first: first + size, g] = (counts @ flat[members] / n).reshape(size, 2, n_names)
        if extra is not None:
            extra_means[first: first + size, g] = counts @ extra[members] / n
    return means, extra_means


def bootstrap_counts(data: ServiceUseData, *, n_boot: int, rng: np.random.Generator,
                     by: Sequence[str] | str = ()) -> np.ndarray:
    """How often each person is drawn in each replicate of :func:`bootstrap_summary`, (n_boot, n_persons).

    The same draws as :func:`bootstrap_summary` with the same ``rng`` state and ``by``, so person-level
    estimators (e.g. ANCOVA) computed with these weights belong to the same replicates as its means.
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise DataError(f"n_boot must be a whole number >= 1 (got {n_boot!r})")
    codes, groups = _groups(data, _check_by(by))
    out = np.zeros((n_boot, data.n_persons))
    for _g, members, first, counts in _count_blocks(codes, groups, n_boot, rng):
        out[first: first + counts.shape[0], members] = counts
    return out


def _bootstrap_table(means: np.ndarray, groups: pd.DataFrame, by: tuple[str, ...], names: list, n_boot: int
                     ) -> pd.DataFrame:
    """The long table of :func:`bootstrap_summary` from its replicate means."""
    n_groups, n_names = len(groups), len(names)
    out = pd.DataFrame({"replicate": np.repeat(np.arange(n_boot, dtype=np.int64), n_groups * n_names)})
    for name in by:
        out[name] = np.tile(np.repeat(groups[name].to_numpy(), n_names), n_boot)
    out["service"] = np.tile(np.asarray(names, dtype=object), n_boot * n_groups)
    baseline = means[:, :, 0, :].ravel()
    followup = means[:, :, 1, :].ravel()
    out["baseline"] = baseline
    out["followup"] = followup
    out["relative_change"] = _relative_change(baseline, followup)
    return out
