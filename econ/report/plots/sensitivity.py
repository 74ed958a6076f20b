"""Sensitivity figures: tornado (one-way DSA), Sobol indices and Morris screening (GSA)."""
from __future__ import annotations

import textwrap
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from econ.report.plots.style import (NET_COLOUR, SAVING_COLOUR, _check_columns, _figure, _label, _money_axis_label,
                                     _money_formatter, _one_output, _range_text, _short, _styled)


@_styled
def plot_tornado(df: pd.DataFrame, *, output: str | None = None, output_label: str = "Net cost per person",
                 currency: str | None = "GBP", parameter_labels: Mapping | None = None, max_bars: int = 12,
                 title: str | None = "What drives the result", percent_parameters=()) -> Figure:
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
    percent_parameters : collection of str
        Parameters that are shares (a probability, a fall in use): their range is shown in percent
        ('13% to 87%', '-39% to 30%'), not as fractions.

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
        # the whole label, wrapped on two lines of 44 characters (cut only beyond that), never cut at one
        name = "\n".join(textwrap.wrap(_short(_label(parameter_labels, row["parameter"]) or row["parameter"], 88),
                                        44))
        if "low_value" in d and "high_value" in d and pd.notna(row["low_value"]):
            if row["parameter"] in percent_parameters:
                name += f"\n({100 * row['low_value']:.0f}% to {100 * row['high_value']:.0f}%)"
            else:
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
