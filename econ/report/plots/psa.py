"""Probabilistic figures: net cost distribution, cost-effectiveness and cost-savings planes, acceptability curves."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from econ.report.plots.style import (NET_COLOUR, SAVING_COLOUR, _check_columns, _colours, _figure, _label,
                                     _money_axis_label, _money_formatter, _styled)


@_styled
def plot_net_cost_distribution(df: pd.DataFrame, *, currency: str = "GBP", strategy_labels: Mapping | None = None,
                               value: str = "net_cost", value_label: str = "Net cost per person",
                               title: str | None = "How sure are we? Net cost across the simulations") -> Figure:
    """Histogram of the net cost per person over the probabilistic draws, one panel per strategy.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table, one row per draw and strategy: columns ``strategy`` and ``net_cost`` (or the
        column named by ``value``).
    currency : str
    strategy_labels : mapping, optional
    value, value_label : str
        Column drawn and its axis label.

    Returns
    -------
    matplotlib.figure.Figure
        Draws below 0 (the programme saves money) are shaded green; each panel states the share of
        draws below 0.
    """
    _check_columns(df, ["strategy", value], "net cost distribution")
    strategies = list(dict.fromkeys(df["strategy"]))
    x_all = df[value].to_numpy(float)
    x_all = x_all[np.isfinite(x_all)]
    lo, hi = (np.percentile(x_all, [0.5, 99.5]) if x_all.size else (-1.0, 1.0))
    pad = 0.05 * (hi - lo or 1.0)
    bins = np.linspace(min(lo, 0) - pad, max(hi, 0) + pad, 50)
    fig = _figure(9, 1.35 * len(strategies) + 1.3)
    axes = fig.subplots(len(strategies), 1, sharex=True, squeeze=False)[:, 0]
    colours = _colours(strategies)
    for ax, s in zip(axes, strategies):
        x = df.loc[df["strategy"] == s, value].to_numpy(float)
        x = x[np.isfinite(x)]
        counts, edges = np.histogram(np.clip(x, bins[0], bins[-1]), bins=bins)
        centres = (edges[:-1] + edges[1:]) / 2
        colours_bar = [SAVING_COLOUR if c < 0 else colours[s] for c in centres]
        ax.bar(centres, counts, width=np.diff(edges), color=colours_bar, alpha=0.85, linewidth=0)
        ax.axvline(0, color=NET_COLOUR, linewidth=1)
        share = float(np.mean(x < 0)) if x.size else float("nan")
        share_text = "<1%" if 0 < share < 0.005 else ">99%" if 0.995 <= share < 1 else f"{share:.0%}"
        ax.text(0.01, 0.92, _label(strategy_labels, s), transform=ax.transAxes, fontsize=9.5, fontweight="bold",
                va="top")
        ax.text(0.99, 0.92, f"saves money in {share_text} of simulations", transform=ax.transAxes, fontsize=9,
                va="top", ha="right", color=SAVING_COLOUR if share >= 0.5 else NET_COLOUR)
        if x.size:
            ax.axvline(float(np.mean(x)), color=NET_COLOUR, linewidth=1, linestyle=":")
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)
    axes[-1].xaxis.set_major_formatter(_money_formatter(currency))
    axes[-1].set_xlabel(_money_axis_label(value_label, currency) + "   (below 0: saves money; dotted: mean)")
    if title:
        axes[0].set_title(title)
    return fig


@_styled
def plot_ce_plane(df: pd.DataFrame, *, currency: str = "GBP", effect_label: str = "Incremental effect",
                  strategy_labels: Mapping | None = None, wtp: float | None = None,
                  title: str | None = "Cost-effectiveness plane") -> Figure:
    """Cost-effectiveness plane: incremental effect (x) and cost (y) of each draw, per strategy.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``strategy``, ``inc_effect``, ``inc_cost`` (:func:`econ.analysis.psa.ce_plane`).
    currency : str
    effect_label : str
        Label of the effect axis (e.g. "Life-years gained").
    strategy_labels : mapping, optional
    wtp : float, optional
        Draw the line cost = wtp x effect (a willingness-to-pay threshold).

    Returns
    -------
    matplotlib.figure.Figure
        Each strategy's mean is marked with a larger point.
    """
    _check_columns(df, ["strategy", "inc_effect", "inc_cost"], "cost-effectiveness plane")
    return _plane(df, "inc_effect", "inc_cost", currency=currency, x_label=effect_label, x_money=False,
                  y_label=_money_axis_label("Incremental cost", currency), strategy_labels=strategy_labels,
                  slope=wtp, slope_label=(f"willingness to pay {_money_formatter(currency)(wtp)} per unit"
                                          if wtp is not None else None), title=title)


@_styled
def plot_cost_savings_plane(df: pd.DataFrame, *, currency: str = "GBP", strategy_labels: Mapping | None = None,
                            title: str | None = "Cost and savings in each simulation") -> Figure:
    """Programme cost (x) against savings (y) per draw: above the diagonal the programme saves money.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table, one row per draw and strategy: ``strategy``, ``delivery_cost``, ``cost_offset``
        (per person; :func:`econ.analysis.offset.measures` per draw).
    currency : str
    strategy_labels : mapping, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(df, ["strategy", "delivery_cost", "cost_offset"], "cost-savings plane")
    return _plane(df, "delivery_cost", "cost_offset", currency=currency, x_money=True,
                  x_label=_money_axis_label("Programme cost per person", currency),
                  y_label=_money_axis_label("Savings per person", currency), strategy_labels=strategy_labels,
                  slope=1.0, slope_label="break-even: savings = cost", title=title, shade_above=True)


def _plane(df, x, y, *, currency, x_label, y_label, x_money, strategy_labels, slope, slope_label, title,
           shade_above=False) -> Figure:
    strategies = list(dict.fromkeys(df["strategy"]))
    colours = _colours(strategies)
    fig = _figure(8, 5.6)
    ax = fig.add_subplot()
    n_max = max((int((df["strategy"] == s).sum()) for s in strategies), default=1)
    size = 6 if n_max > 2000 else 10
    for s in strategies:
        part = df[df["strategy"] == s]
        ax.scatter(part[x], part[y], s=size, alpha=0.35, color=colours[s], linewidths=0, rasterized=True,
                   label=_label(strategy_labels, s))
        ax.scatter([part[x].mean()], [part[y].mean()], s=80, color=colours[s], edgecolors="white", linewidths=1.5,
                   zorder=5)
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.axvline(0, color="#888888", linewidth=0.8)
    if slope is not None:
        xl, yl = ax.get_xlim(), ax.get_ylim()
        xs = np.array(xl)
        ax.plot(xs, slope * xs, color=NET_COLOUR, linewidth=1, linestyle="--", label=slope_label)
        if shade_above:
            ax.fill_between(xs, slope * xs, max(yl[1], slope * xs.max()), color=SAVING_COLOUR, alpha=0.07,
                            label="saves money", linewidth=0)
        ax.set_xlim(xl)
        ax.set_ylim(yl)
    fmt = _money_formatter(currency)
    ax.yaxis.set_major_formatter(fmt)
    if x_money:
        ax.xaxis.set_major_formatter(fmt)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    leg = ax.legend(loc="best", fontsize=8.5, markerscale=2)
    for handle in leg.legend_handles:
        if hasattr(handle, "set_alpha"):
            handle.set_alpha(1)
    if title:
        ax.set_title(title)
    return fig


@_styled
def plot_acceptability(df: pd.DataFrame, *, x: str = "wtp", y: str = "prob_optimal", currency: str = "GBP",
                       x_label: str = "Willingness to pay per unit of effect",
                       y_label: str = "Probability cost-effective", strategy_labels: Mapping | None = None,
                       title: str | None = "Acceptability curve") -> Figure:
    """Acceptability curve: the probability each strategy is the best choice, by willingness to pay.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``wtp``, ``strategy``, ``prob_optimal`` (:func:`econ.analysis.psa.acceptability`), or
        the columns named by ``x`` and ``y``.
    currency : str
    x_label, y_label : str
    strategy_labels : mapping, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(df, ["strategy", x, y], "acceptability curve")
    strategies = list(dict.fromkeys(df["strategy"]))
    colours = _colours(strategies)
    fig = _figure(8, 4.8)
    ax = fig.add_subplot()
    for s in strategies:
        part = df[df["strategy"] == s].sort_values(x)
        ax.plot(part[x], part[y], color=colours[s], linewidth=2, label=_label(strategy_labels, s))
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_formatter(_money_formatter(currency))
    ax.set_xlabel(_money_axis_label(x_label, currency))
    ax.set_ylabel(y_label)
    ax.legend(loc="best", fontsize=8.5)
    if title:
        ax.set_title(title)
    return fig
