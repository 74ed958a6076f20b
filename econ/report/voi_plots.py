"""Plots of value-of-information tables (matplotlib, Agg): EVPPI by parameter, EVSI and ENBS by study size.

Each function takes the tables of :mod:`econ.analysis.voi` and returns a Figure; nothing is computed
here beyond choosing rows.
"""
from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from econ.report.files import write_atomic

_MONEY = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.2g}")

#: Colour-blind-safe palette (Okabe and Ito 2008), one colour per perspective or threshold.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")

_STYLE = {"font.size": 10, "axes.titlesize": 12, "axes.titleweight": "bold", "axes.titlelocation": "left",
          "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#DDDDDD",
          "axes.axisbelow": True, "legend.frameon": False, "svg.hashsalt": "peer-econ", "svg.fonttype": "path"}


def _decision_label(row) -> str:
    if row["objective"] == "nmb":
        return f"NMB at {row['threshold']:,.0f} per unit of effect"
    return str(row["perspective"]).replace("_", " ")


def plot_evppi(evppi: pd.DataFrame, *, per: str = "person", top: int = 15, currency: str = "GBP",
               synthetic: bool = False) -> Figure:
    """Horizontal bars of EVPPI (with 2 SE whiskers) for the ``top`` input sets, one bar per decision.

    Input columns: ``parameters``, ``evppi``, ``se``, ``perspective``, ``objective``, ``threshold``, ``per``.
    """
    with matplotlib.rc_context(_STYLE):
        df = evppi[evppi["per"] == per].copy()
        df["decision"] = df.apply(_decision_label, axis=1)
        order = df.groupby("parameters")["evppi"].max().sort_values(ascending=False).head(top).index.tolist()
        decisions = list(dict.fromkeys(df["decision"]))
        fig = Figure(figsize=(8, 1.2 + 0.35 * len(order) * max(1, len(decisions)) ** 0.5))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        height = 0.8 / max(len(decisions), 1)
        for j, dec in enumerate(decisions):
            part = df[df["decision"] == dec].set_index("parameters").reindex(order)
            ys = [i + (j - (len(decisions) - 1) / 2) * height for i in range(len(order))]
            ax.barh(ys, part["evppi"], height=height, xerr=2 * part["se"].fillna(0), color=PALETTE[j % len(PALETTE)],
                    label=dec, error_kw={"elinewidth": 0.8, "capsize": 2})
        ax.set_yticks(range(len(order)), order)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(_MONEY)
        ax.set_xlabel(f"EVPPI, {currency} {'per person' if per == 'person' else 'for the population'} "
                      "(bars: estimate; whiskers: 2 SE)")
        ax.set_title("EVPPI: what resolving each uncertainty is worth" + ("\nSYNTHETIC DATA" if synthetic else ""))
        if len(decisions) > 1:
            ax.legend(loc="lower right")
        fig.tight_layout()
        return fig


def plot_evsi(evsi: pd.DataFrame, *, currency: str = "GBP", synthetic: bool = False) -> Figure:
    """EVSI for the population (with 2 SE band) and ENBS against study size n, one line per decision.

    Input columns: ``study``, ``n``, ``evsi``, ``se``, ``enbs``, ``study_cost``, ``optimal``,
    ``perspective``, ``objective``, ``threshold``, ``per``.
    """
    with matplotlib.rc_context(_STYLE):
        df = evsi[evsi["per"] == "population"].copy()
        df["decision"] = df.apply(_decision_label, axis=1)
        fig = Figure(figsize=(8, 4.5))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for j, (dec, part) in enumerate(df.groupby("decision", sort=False)):
            part = part.sort_values("n")
            colour = PALETTE[j % len(PALETTE)]
            ax.plot(part["n"], part["evsi"], "-o", color=colour, label=f"EVSI, {dec}", markersize=3)
            ax.fill_between(part["n"], part["evsi"] - 2 * part["se"], part["evsi"] + 2 * part["se"], color=colour,
                            alpha=0.15, linewidth=0)
            ax.plot(part["n"], part["enbs"], "--", color=colour, label=f"ENBS, {dec}")
            best = part[part["optimal"]]
            ax.plot(best["n"], best["enbs"], "*", color=colour, markersize=10)
        cost = df.drop_duplicates("n").sort_values("n")
        ax.plot(cost["n"], cost["study_cost"], ":", color="#222222", label="study cost")
        ax.axhline(0, color="#222222", linewidth=0.6)
        ax.set_xscale("log")
        ax.yaxis.set_major_formatter(_MONEY)
        ax.set_xlabel("people in the proposed study (n)")
        ax.set_ylabel(f"{currency}, population affected")
        study = ", ".join(dict.fromkeys(df["study"]))
        ax.set_title(f"A study of {study}: value (EVSI) and net value (ENBS)"
                     + ("\nSYNTHETIC DATA" if synthetic else ""))
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


def save_voi_figure(fig: Figure, stem: str | Path) -> list[Path]:
    """Write ``<stem>.png`` and ``<stem>.svg`` atomically; returns the paths written."""
    stem = Path(stem)
    out = []
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=150, metadata={"Software": None} if fmt == "png" else {"Date": None})
        out.append(write_atomic(stem.with_name(f"{stem.name}.{fmt}"), buf.getvalue()))
    return out
