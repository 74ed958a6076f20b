"""Plots of result tables (matplotlib, Agg): each takes tidy tables and returns a Figure; no model runs here.

A package by plot family: :mod:`.style` (palette, figures, axes helpers), :mod:`.sensitivity` (tornado, Sobol,
Morris), :mod:`.psa` (distribution, planes, acceptability), :mod:`.results` (cumulative net cost, budget, state
occupancy, cost and savings, comparison) and :mod:`.output` (bytes, files, data URIs). Every name of the former
single module is importable from here.
"""
# Every name the former single module defined or imported from econ, private ones included.
from econ.report.text import (PERSPECTIVE_LABELS)
from econ.report.files import (write_atomic)
from econ.report.plots.style import (PALETTE, COST_COLOUR, SAVING_COLOUR, NET_COLOUR, GRID_COLOUR, _STYLE,
                                     SAVE_FORMATS, _styled, _figure, _money_formatter, _money_axis_label, _colours,
                                     _label, _short, _check_columns, _one_output, _range_text)
from econ.report.plots.sensitivity import (plot_tornado, plot_sobol, plot_morris)
from econ.report.plots.psa import (plot_net_cost_distribution, plot_ce_plane, plot_cost_savings_plane, _plane,
                                   plot_acceptability)
from econ.report.plots.results import (plot_cumulative_net_cost, plot_budget, plot_state_occupancy,
                                       plot_cost_and_savings, plot_comparison)
from econ.report.plots.output import (figure_bytes, render_figure, save_figure, data_uri)
from econ.report.plots.budget_impact import plot_budget_impact

__all__ = ["plot_tornado", "plot_net_cost_distribution", "plot_ce_plane", "plot_cost_savings_plane",
           "plot_acceptability", "plot_cumulative_net_cost", "plot_budget", "plot_budget_impact", "plot_sobol", "plot_morris",
           "plot_state_occupancy", "plot_cost_and_savings", "plot_comparison", "figure_bytes", "render_figure",
           "save_figure", "data_uri", "PALETTE"]
