"""Figure style and shared helpers: palette, Agg figures, money axes, labels and column checks.

Every function draws on its own Figure with an Agg canvas (no pyplot, no global figure state, no
display needed); the input columns are those the analyses produce (econ.analysis.psa, .dsa,
.budget, econ.analysis.gsa, Results.trace) and are listed in each docstring.
"""
from __future__ import annotations

import functools
from typing import Callable, Mapping, Sequence

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from econ.report.units import currency_symbol, money_label


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
    symbol = currency_symbol(currency)

    def fmt(x, _pos=None):
        sign = "-" if x < 0 else ""
        a = abs(x)
        text = f"{a / 1e6:,.1f}m" if a >= 1e6 else f"{a / 1e3:,.0f}k" if a >= 1e4 else f"{a:,.0f}"
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text}"

    return FuncFormatter(fmt)


def _money_axis_label(text: str, currency: str) -> str:
    return money_label(text, currency)


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


def _range_text(x) -> str:
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"
