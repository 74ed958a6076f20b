"""Plots of result tables (matplotlib, Agg): each takes tidy tables and returns a Figure; no model runs here."""
from __future__ import annotations

import base64
import functools
import io
import textwrap
from pathlib import Path
from typing import Callable, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.ticker import FuncFormatter, PercentFormatter

from econ.report.files import write_atomic
from econ.report.text import PERSPECTIVE_LABELS

# Every function draws on its own Figure with an Agg canvas (no pyplot, no global figure state, no
# display needed); the input columns are those the analyses produce (econ.analysis.psa, .dsa,
# .budget, econ.analysis.gsa, Results.trace) and are listed in each docstring.

#: Colour-blind-safe palette (Okabe and Ito 2008), one colour per strategy in order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Colours with a meaning: money spent, money saved, the net figure, bands and reference lines.
COST_COLOUR, SAVING_COLOUR, NET_COLOUR, GRID_COLOUR = "#D55E00", "#009E73", "#222222", "#DDDDDD"

_STYLE = {
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": GRID_COLOUR,
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "svg.hashsalt": "peer-econ",  # stable element ids: the same figure gives the same SVG
    "svg.fonttype": "path",
}

SAVE_FORMATS = ("png", "svg")


def _styled(func: Callable) -> Callable:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_STYLE):
            return func(*args, **kwargs)

    return wrapper


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _money_formatter(currency: str) -> FuncFormatter:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency)

    def fmt(x, _pos=None):
        sign = "-" if x < 0 else ""
        a = abs(x)
        text = f"{a / 1e6:,.1f}m" if a >= 1e6 else f"{a / 1e3:,.0f}k" if a >= 1e4 else f"{a:,.0f}"
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text}"

    return FuncFormatter(fmt)


def _money_axis_label(text: str, currency: str) -> str:
    return f"{text} ({currency})"


def _colours(keys: Sequence) -> dict:
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}


def _label(mapping: Mapping | None, key) -> str:
    return str((mapping or {}).get(key, key))


def _short(text: str, width: int = 48) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _check_columns(df: pd.DataFrame, needed: Sequence[str], what: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: the table needs columns {', '.join(needed)} (missing {', '.join(missing)})")


def _one_output(df: pd.DataFrame, output: str | None) -> pd.DataFrame:
    if "output" not in df.columns:
        return df
    outputs = list(dict.fromkeys(df["output"]))
    chosen = output if output is not None else outputs[0]
    if chosen not in outputs:
        raise ValueError(f"output {chosen!r} is not in the table (outputs: {', '.join(map(str, outputs))})")
    return df[df["output"] == chosen]


# --------------------------------------------------------------------------------------------
@_styled
def plot_tornado(df: pd.DataFrame, *, output: str | None = None, output_label: str = "Net cost per person",
                 currency: str | None = "GBP", parameter_labels: Mapping | None = None, max_bars: int = 12,
                 title: str | None = "What drives the result") -> Figure:
    """Tornado diagram of a one-way sensitivity analysis.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``parameter``, ``output_low``, ``output_high`` (the output with the parameter at the
        low / high end of its range) and ``base`` (the base-case output); optional ``low_value``,
        ``high_value`` (shown next to the name) and ``output`` (one output is drawn). This is
        :func:`econ.analysis.dsa.oneway` output.
    output : str, optional
        Which output to draw when the table holds several (default: the first).
    output_label : str
        Axis label of the output.
    currency : str or None
        Money axis in this currency; None for a non-money output.
    parameter_labels : mapping, optional
        Parameter name -> label (e.g. its description).
    max_bars : int
        Draw the parameters with the largest swings only.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(df, ["parameter", "output_low", "output_high", "base"], "tornado")
    d = _one_output(df, output).copy()
    d["_swing"] = (d["output_high"] - d["output_low"]).abs()
    d = d.sort_values("_swing", ascending=False, kind="stable").head(max_bars).iloc[::-1]
    base = float(d["base"].iloc[0]) if len(d) else 0.0
    fig = _figure(10, 0.45 * max(len(d), 3) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(d))
    low = d["output_low"].to_numpy(float) - base
    high = d["output_high"].to_numpy(float) - base
    ax.barh(y, low, left=base, color="#56B4E9", label="parameter at its low value", height=0.7)
    ax.barh(y, high, left=base, color="#0072B2", label="parameter at its high value", height=0.7)
    names = []
    for _, row in d.iterrows():
        name = _short(_label(parameter_labels, row["parameter"]) or row["parameter"], 58)
        if "low_value" in d and "high_value" in d and pd.notna(row["low_value"]):
            name += f"\n({_range_text(row['low_value'])} to {_range_text(row['high_value'])})"
        names.append(name)
    ax.set_yticks(y, names, fontsize=8.5)
    ax.axvline(base, color=NET_COLOUR, linewidth=1.2)
    ax.annotate("base case", (base, len(d) - 0.4), xytext=(3, 0), textcoords="offset points", fontsize=8.5)
    lo_all, hi_all = min(base, np.nanmin(base + low), np.nanmin(base + high)), max(base, np.nanmax(base + low),
                                                                                  np.nanmax(base + high))
    if currency is not None and lo_all < 0 < hi_all:
        ax.axvline(0, color=SAVING_COLOUR, linewidth=1, linestyle="--")
        ax.annotate("break-even", (0, -0.6), xytext=(3, 0), textcoords="offset points", fontsize=8.5,
                    color=SAVING_COLOUR)
    ax.grid(axis="y", visible=False)
    if currency is not None:
        ax.xaxis.set_major_formatter(_money_formatter(currency))
        ax.set_xlabel(textwrap.fill(_money_axis_label(output_label, currency), 90))
    else:
        ax.set_xlabel(textwrap.fill(output_label, 90))
    ax.legend(loc="lower right", fontsize=8.5)
    if title:
        ax.set_title(title)
    return fig


def _range_text(x) -> str:
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


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
def plot_sobol(df: pd.DataFrame, *, output: str | None = None, parameter_labels: Mapping | None = None,
               max_parameters: int = 15, title: str | None = "Global sensitivity: Sobol indices") -> Figure:
    """First- and total-order Sobol indices with their 95% confidence intervals.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (half-widths of the 95%
        intervals) and optionally ``output`` (one output is drawn).
    output : str, optional
    parameter_labels : mapping, optional
    max_parameters : int
        The parameters with the largest total-order index.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(df, ["parameter", "S1", "S1_conf", "ST", "ST_conf"], "Sobol indices")
    d = _one_output(df, output).sort_values("ST", ascending=False, kind="stable").head(max_parameters).iloc[::-1]
    fig = _figure(8.5, 0.42 * max(len(d), 3) + 1.5)
    ax = fig.add_subplot()
    y = np.arange(len(d))
    ax.barh(y + 0.18, d["ST"], height=0.36, xerr=d["ST_conf"], color="#0072B2", label="total order (ST)",
            error_kw={"elinewidth": 1, "capsize": 2})
    ax.barh(y - 0.18, d["S1"], height=0.36, xerr=d["S1_conf"], color="#56B4E9", label="first order (S1)",
            error_kw={"elinewidth": 1, "capsize": 2})
    ax.set_yticks(y, [_short(_label(parameter_labels, p) or p, 44) for p in d["parameter"]], fontsize=8.5)
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_xlabel("Share of the output's variance (95% interval)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8.5)
    if title:
        ax.set_title(title)
    return fig


@_styled
def plot_morris(df: pd.DataFrame, *, output: str | None = None, parameter_labels: Mapping | None = None,
                n_labels: int = 8, title: str | None = "Screening: Morris elementary effects") -> Figure:
    """Morris screening: mu* (importance) against sigma (non-linearity or interactions).

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``parameter``, ``mu_star``, ``mu_star_conf`` (95% half-width), ``sigma`` and
        optionally ``output``.
    output : str, optional
    parameter_labels : mapping, optional
    n_labels : int
        Name the parameters with the largest mu*.

    Returns
    -------
    matplotlib.figure.Figure
        Dashed lines sigma/mu* = 0.1, 0.5 and 1 (Garcia Sanchez et al. 2014) separate linear, monotonic,
        almost monotonic and non-linear/non-monotonic effects.
    """
    _check_columns(df, ["parameter", "mu_star", "mu_star_conf", "sigma"], "Morris")
    d = _one_output(df, output)
    fig = _figure(8, 5.6)
    ax = fig.add_subplot()
    ax.errorbar(d["mu_star"], d["sigma"], xerr=d["mu_star_conf"], fmt="o", color="#0072B2", ecolor="#9ECAE1",
                elinewidth=1, markersize=5)
    top = max(float((d["mu_star"] + d["mu_star_conf"].fillna(0)).max()) if len(d) else 1.0, 1e-12) * 1.15
    ytop = max(float(d["sigma"].max()) if len(d) else 1.0, 1e-12) * 1.2
    xs = np.array([0.0, top])
    for ratio in (0.1, 0.5, 1.0):
        ax.plot(xs, ratio * xs, color="#888888", linewidth=0.8, linestyle="--")
        x_end = min(top, ytop / ratio)
        ax.annotate(f"σ/μ* = {ratio:g}", (x_end, ratio * x_end), fontsize=8, color="#666666", ha="right",
                    va="bottom")
    ax.set_xlim(0, top)
    ax.set_ylim(0, ytop)
    for _, row in d.sort_values("mu_star", ascending=False).head(n_labels).iterrows():
        ax.annotate(_short(_label(parameter_labels, row["parameter"]) or row["parameter"], 30),
                    (row["mu_star"], row["sigma"]), xytext=(4, 3), textcoords="offset points", fontsize=8)
    ax.set_xlabel("μ*: mean absolute elementary effect (importance)")
    ax.set_ylabel("σ: SD of elementary effects")
    if title:
        ax.set_title(title)
    return fig


@_styled
def plot_state_occupancy(df: pd.DataFrame, *, state_labels: Mapping | None = None,
                         strategy_labels: Mapping | None = None, cycle_label: str = "Month",
                         title: str | None = "Where people are over time") -> Figure:
    """Stacked share of people in each state over time, one panel per strategy.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``strategy``, ``cycle``, ``state``, ``share`` (:attr:`econ.analysis.base_case.Results.trace`).
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


# --------------------------------------------------------------------------------------------
def figure_bytes(fig: Figure, fmt: str = "png", *, dpi: int = 150) -> bytes:
    """The figure as PNG or SVG bytes (no creation date, so the same figure gives the same file)."""
    if fmt not in SAVE_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; formats: {', '.join(SAVE_FORMATS)}")
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context(_STYLE):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


def render_figure(fig: Figure, formats: Sequence[str] = SAVE_FORMATS) -> dict[str, bytes]:
    """The figure in several formats, laid out once.

    The constrained layout is computed by the first rendering and then frozen, so the other formats
    reuse the same positions (the layout is most of the drawing time).
    """
    out = {}
    for fmt in formats:
        out[fmt] = figure_bytes(fig, fmt)
        engine = fig.get_layout_engine()
        if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
            fig.set_layout_engine("none")
    return out


def save_figure(fig: Figure | Mapping[str, bytes], stem: str | Path,
                formats: Sequence[str] = SAVE_FORMATS) -> list[Path]:
    """Write ``<stem>.png`` and ``<stem>.svg`` atomically; returns the paths written.

    ``fig`` may be a Figure or its rendered bytes by format (``{"png": ..., "svg": ...}``), so a
    figure rendered once can be saved and embedded without drawing it again.
    """
    stem = Path(stem)
    rendered = fig if isinstance(fig, Mapping) else render_figure(fig, formats)
    return [write_atomic(stem.with_name(f"{stem.name}.{fmt}"), rendered[fmt]) for fmt in formats]


def data_uri(fig: Figure | bytes, fmt: str = "svg") -> str:
    """A ``data:`` URI of a figure (or of its PNG/SVG bytes) for an ``<img src>`` in a self-contained HTML file."""
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    data = fig if isinstance(fig, bytes) else figure_bytes(fig, fmt)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


__all__ = [
    "plot_tornado", "plot_net_cost_distribution", "plot_ce_plane", "plot_cost_savings_plane", "plot_acceptability",
    "plot_cumulative_net_cost", "plot_budget", "plot_sobol", "plot_morris", "plot_state_occupancy",
    "plot_cost_and_savings", "plot_comparison", "figure_bytes", "render_figure", "save_figure", "data_uri", "PALETTE",
]
