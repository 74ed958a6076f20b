"""Figure output: PNG/SVG bytes without dates, files written atomically and data URIs for HTML."""
from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine

from econ.report.files import write_atomic
from econ.report.plots.style import SAVE_FORMATS, _STYLE


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
