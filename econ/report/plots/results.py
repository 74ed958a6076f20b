"""Result figures: cumulative net cost, budget by year, state occupancy, cost and savings, scenario comparison."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from econ.report.text import PERSPECTIVE_LABELS
from econ.report.plots.style import (COST_COLOUR, NET_COLOUR, SAVING_COLOUR, _check_columns, _colours, _figure,
                                     _label, _money_axis_label, _money_formatter, _short, _styled)


@_styled
def plot_cumulative_net_cost(df: pd.DataFrame, *, currency: str = "GBP", strategy_labels: Mapping | None = None,
                             cycle_label: str = "Month",
                             title: str | None = "When does it pay back? Cumulative net cost per person") -> Figure:
    """Cumulative net cost per person over time with its 95% interval band, per strategy.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``strategy``, ``cycle``, ``mean``, ``lower``, ``upper`` (2.5th and 97.5th percentiles
        over the probabilistic draws; ``p2.5``/``p97.5`` are accepted too).
    currency : str
    strategy_labels : mapping, optional
    cycle_label : str

    Returns
    -------
    matplotlib.figure.Figure
        Below the zero line the programme has paid for itself.
    """
    df = df.rename(columns={"p2.5": "lower", "p97.5": "upper"})
    _check_columns(df, ["strategy", "cycle", "mean", "lower", "upper"], "cumulative net cost")
    strategies = list(dict.fromkeys(df["strategy"]))
    colours = _colours(strategies)
    fig = _figure(8, 4.8)
    ax = fig.add_subplot()
    for s in strategies:
        part = df[df["strategy"] == s].sort_values("cycle")
        ax.fill_between(part["cycle"], part["lower"], part["upper"], color=colours[s], alpha=0.15, linewidth=0)
        ax.plot(part["cycle"], part["mean"], color=colours[s], linewidth=2, label=_label(strategy_labels, s))
    ax.axhline(0, color=NET_COLOUR, linewidth=1)
    ax.annotate("paid back below this line", (ax.get_xlim()[0], 0), xytext=(4, -12), textcoords="offset points",
                fontsize=8.5, color=SAVING_COLOUR)
    ax.yaxis.set_major_formatter(_money_formatter(currency))
    ax.set_xlabel(cycle_label)
    ax.set_ylabel(_money_axis_label("Cumulative net cost per person", currency))
    ax.legend(loc="best", fontsize=8.5, title="mean and 95% interval", title_fontsize=8.5)
    if title:
        ax.set_title(title)
    return fig


@_styled
def plot_budget(df: pd.DataFrame, *, perspective: str | None = None, currency: str = "GBP",
                strategy_labels: Mapping | None = None,
                title: str | None = "Budget by financial year") -> Figure:
    """Programme cost and savings by financial year, with the cumulative net cost, one panel per strategy.

    Parameters
    ----------
    df : pandas.DataFrame
        :func:`econ.analysis.budget.budget_table` output: ``perspective``, ``strategy``,
        ``financial_year``, ``delivery_cost``, ``cost_offset``, ``net_cost``, ``cumulative_net_cost``.
    perspective : str, optional
        The perspective drawn (default: the first in the table).
    currency : str
    strategy_labels : mapping, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(df, ["strategy", "financial_year", "delivery_cost", "cost_offset", "cumulative_net_cost"],
                   "budget")
    if "perspective" in df.columns:
        perspective = perspective or df["perspective"].iloc[0]
        df = df[df["perspective"] == perspective]
    strategies = list(dict.fromkeys(df["strategy"]))
    fig = _figure(9, 3.6 * len(strategies) + 0.6)
    axes = fig.subplots(len(strategies), 1, squeeze=False)[:, 0]
    fmt = _money_formatter(currency)
    for ax, s in zip(axes, strategies):
        part = df[df["strategy"] == s]
        years = list(part["financial_year"])
        x = np.arange(len(years))
        ax.bar(x - 0.2, part["delivery_cost"], width=0.4, color=COST_COLOUR, label="programme cost")
        ax.bar(x + 0.2, part["cost_offset"], width=0.4, color=SAVING_COLOUR, label="savings")
        ax.plot(x, part["cumulative_net_cost"], color=NET_COLOUR, marker="o", linewidth=2,
                label="cumulative net cost")
        ax.axhline(0, color="#888888", linewidth=0.8)
        ax.set_xticks(x, years)
        ax.yaxis.set_major_formatter(fmt)
        ax.set_ylabel(currency)
        sub = _label(strategy_labels, s)
        if perspective:
            sub += f" — {PERSPECTIVE_LABELS.get(perspective, perspective)}"
        ax.set_title(sub, fontsize=10, fontweight="normal")
        ax.legend(loc="best", fontsize=8.5)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    return fig


@_styled
def plot_state_occupancy(df: pd.DataFrame, *, state_labels: Mapping | None = None,
                         strategy_labels: Mapping | None = None, cycle_label: str = "Month",
                         title: str | None = "Where people are over time") -> Figure:
    """Stacked share of people in each state over time, one panel per strategy.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``strategy``, ``cycle``, ``state``, ``share`` (:attr:`econ.model.results.Results.trace`).
    state_labels, strategy_labels : mapping, optional
    cycle_label : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(df, ["strategy", "cycle", "state", "share"], "state occupancy")
    strategies = list(dict.fromkeys(df["strategy"]))
    states = list(dict.fromkeys(df["state"]))
    colours = _colours(states)
    ncols = min(3, len(strategies))
    nrows = int(np.ceil(len(strategies) / ncols))
    fig = _figure(3.4 * ncols + 1.8, 2.7 * nrows + 0.8)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
    for k, s in enumerate(strategies):
        ax = axes[k // ncols, k % ncols]
        wide = df[df["strategy"] == s].pivot_table(index="cycle", columns="state", values="share", sort=False)
        wide = wide.reindex(columns=states).fillna(0.0)
        ax.stackplot(wide.index, wide.T.to_numpy(), colors=[colours[st] for st in states], alpha=0.9,
                     labels=[_label(state_labels, st) for st in states], linewidth=0)
        ax.set_title(_short(_label(strategy_labels, s), 34), fontsize=10, fontweight="normal")
        ax.set_ylim(0, 1)
        ax.set_xlim(wide.index.min(), wide.index.max())
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(False)
        if k // ncols == nrows - 1:
            ax.set_xlabel(cycle_label)
    for k in range(len(strategies), nrows * ncols):
        axes[k // ncols, k % ncols].set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside right center", fontsize=8.5)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    return fig


@_styled
def plot_cost_and_savings(df: pd.DataFrame, *, perspective: str | None = None, currency: str = "GBP",
                          strategy_labels: Mapping | None = None,
                          title: str | None = "Cost and savings per person") -> Figure:
    """Programme cost, savings and net cost per person for each strategy (the headline as a chart).

    Parameters
    ----------
    df : pandas.DataFrame
        :func:`econ.analysis.offset.headline` output (``perspective``, ``discounting``, ``strategy``,
        ``measure``, ``per_participant``); the discounted rows of one perspective are drawn.
    perspective : str, optional
        Default: the first in the table.
    currency : str
    strategy_labels : mapping, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(df, ["strategy", "measure", "per_participant"], "cost and savings")
    if "discounting" in df.columns:
        df = df[df["discounting"] == "discounted"]
    if "perspective" in df.columns:
        perspective = perspective or df["perspective"].iloc[0]
        df = df[df["perspective"] == perspective]
    wide = df.pivot_table(index="strategy", columns="measure", values="per_participant", sort=False)
    strategies = list(wide.index)
    fig = _figure(8, 0.9 * len(strategies) + 1.6)
    ax = fig.add_subplot()
    y = np.arange(len(strategies))[::-1]
    ax.barh(y + 0.2, wide["delivery_cost"], height=0.38, color=COST_COLOUR, label="programme cost")
    ax.barh(y - 0.2, wide["cost_offset"], height=0.38, color=SAVING_COLOUR, label="savings")
    ax.scatter(wide["net_cost"], y, marker="D", color=NET_COLOUR, zorder=5, s=36, label="net cost (cost - savings)")
    fmt = _money_formatter(currency)
    for yi, (_, row) in zip(y, wide.iterrows()):
        ax.annotate(f"net {fmt(row['net_cost'])}", (max(row["delivery_cost"], row["cost_offset"], 0), yi),
                    xytext=(6, -4), textcoords="offset points", fontsize=9, fontweight="bold")
    ax.set_yticks(y, [_short(_label(strategy_labels, s), 30) for s in strategies])
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.xaxis.set_major_formatter(fmt)
    ax.set_xlabel(_money_axis_label("Per person, discounted", currency))
    left, right = ax.get_xlim()
    ax.set_xlim(left, right + 0.22 * (right - left))
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8.5)
    if title:
        ax.set_title(title, pad=20 if perspective else 6)
    if perspective:
        ax.text(0, 1.015, PERSPECTIVE_LABELS.get(perspective, perspective), transform=ax.transAxes, fontsize=9,
                color="#555555", va="bottom")
    return fig


@_styled
def plot_comparison(df: pd.DataFrame, *, currency: str = "GBP", strategy_labels: Mapping | None = None,
                    value_label: str = "Net cost per person",
                    title: str | None = "Scenarios compared: net cost per person") -> Figure:
    """One value (e.g. the net cost per person) of each strategy in each scenario, as grouped bars.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``scenario``, ``strategy``, ``value`` (money), one row per scenario and strategy, e.g.
        the ``net_cost`` rows of the comparison table of one perspective.
    currency : str
    strategy_labels : mapping, optional
    value_label : str

    Returns
    -------
    matplotlib.figure.Figure
        Bars left of zero save money.
    """
    _check_columns(df, ["scenario", "strategy", "value"], "comparison")
    scenarios = list(dict.fromkeys(df["scenario"]))
    strategies = list(dict.fromkeys(df["strategy"]))
    colours = _colours(strategies)
    fig = _figure(9, 0.32 * len(scenarios) * max(len(strategies), 1) + 1.6)
    ax = fig.add_subplot()
    height = 0.8 / max(len(strategies), 1)
    y0 = np.arange(len(scenarios))[::-1]
    for j, s in enumerate(strategies):
        part = df[df["strategy"] == s].set_index("scenario")["value"].reindex(scenarios)
        ax.barh(y0 + 0.4 - height * (j + 0.5), part.to_numpy(float), height=height * 0.92, color=colours[s],
                label=_label(strategy_labels, s))
    ax.axvline(0, color=NET_COLOUR, linewidth=1)
    ax.set_yticks(y0, [_short(sc, 30) for sc in scenarios])
    ax.xaxis.set_major_formatter(_money_formatter(currency))
    ax.set_xlabel(_money_axis_label(value_label, currency) + "   (below 0: saves money)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="best", fontsize=8.5)
    if title:
        ax.set_title(title)
    return fig
