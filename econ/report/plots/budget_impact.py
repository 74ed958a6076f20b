"""Budget impact figure: cost, cash-releasing and capacity savings by financial year, with 95% intervals."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from econ.report.plots.style import (COST_COLOUR, NET_COLOUR, SAVING_COLOUR, _check_columns, _figure, _label,
                                     _money_formatter, _styled)

CAPACITY_COLOUR = "#56B4E9"


@_styled
def plot_budget_impact(df: pd.DataFrame, *, currency: str = "GBP", strategy_labels: Mapping | None = None,
                       title: str | None = "Budget impact by financial year") -> Figure:
    """Bars: programme cost (set-up + running), cash-releasing savings and capacity freed per financial
    year (all payers), with whiskers at the 95% interval; line and band: net cash cost.

    Parameters
    ----------
    df : pandas.DataFrame
        :func:`econ.analysis.budget_impact.budget_impact` output (``strategy``, ``financial_year``,
        ``payer``, ``kind``, ``part``, ``mean``, ``low``, ``high``).
    """
    _check_columns(df, ["strategy", "financial_year", "payer", "kind", "part", "mean", "low", "high"], "budget impact")
    df = df[df["payer"] == "total"]
    options = list(dict.fromkeys(df["strategy"]))
    fig = _figure(9, 3.8 * len(options) + 0.6)
    axes = fig.subplots(len(options), 1, squeeze=False)[:, 0]
    fmt = _money_formatter(currency)
    for ax, option in zip(axes, options):
        part = df[df["strategy"] == option]
        years = list(dict.fromkeys(part["financial_year"]))
        x = np.arange(len(years))

        def series(kind, sub="total"):
            return part[(part["kind"] == kind) & (part["part"] == sub)].set_index("financial_year").reindex(years)

        setup, running = series("cost", "set-up"), series("cost", "running")
        cash, capacity, net = series("cash saving"), series("capacity saving"), series("net cash cost")
        ax.bar(x - 0.27, running["mean"], width=0.27, color=COST_COLOUR, label="running cost")
        ax.bar(x - 0.27, setup["mean"], width=0.27, bottom=running["mean"], color="#E69F00", label="set-up cost")
        for offset, s, colour, label in ((0.0, cash, SAVING_COLOUR, "cash-releasing savings"),
                                         (0.27, capacity, CAPACITY_COLOUR, "capacity freed (not cash)")):
            ax.bar(x + offset, s["mean"], width=0.27, color=colour, label=label,
                   yerr=[s["mean"] - s["low"], s["high"] - s["mean"]], ecolor="#444444", capsize=3)
        ax.fill_between(x, net["low"], net["high"], color=NET_COLOUR, alpha=0.12, linewidth=0)
        ax.plot(x, net["mean"], color=NET_COLOUR, marker="o", linewidth=2, label="net cash cost (95% band)")
        ax.axhline(0, color="#888888", linewidth=0.8)
        ax.set_xticks(x, years)
        ax.yaxis.set_major_formatter(fmt)
        ax.set_ylabel(currency)
        label = "Setting mix" if option == "setting_mix" else _label(strategy_labels, option)
        ax.set_title(f"{label}: all payers, mean and 95% interval", fontsize=10, fontweight="normal")
        ax.legend(loc="best", fontsize=8)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    return fig
