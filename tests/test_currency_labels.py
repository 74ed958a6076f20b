"""Money and time in the scenario's own units in every output (issue 24).

A small cost-offset model without data tables (the two-state model of ``tests/analytic.py`` with a
programme cost and a service cost the programme lowers) is written in GBP, EUR, USD and AUD over
horizons of 1 cycle, 1 year of monthly cycles, 18 months and 36 months. No output of a non-GBP
scenario may say "GBP" or "£": the terminal text of ``run``, and every file ``report`` writes (CSV,
Markdown, LaTeX, HTML, the XLSX sheets and number formats, SVG plot text). The horizon reads in
natural words and the money note says "prices as entered" without a price year.
"""
from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest

from .analytic import two_state_scenario
from econ.cli.main import main
from econ.report.units import horizon_words, money_amount, money_note, prices_text, roi_label

#: (settings overrides, horizon words) for the horizons of the issue.
HORIZONS = {
    "1_cycle": ({"n_cycles": 1, "cycle_length": "month"}, "1 month"),
    "1_year": ({"n_cycles": 12, "cycle_length": "month"}, "1 year"),
    "18_months": ({"n_cycles": 18, "cycle_length": "month"}, "18 months"),
    "36_months": ({"n_cycles": 36, "cycle_length": "month"}, "36 months (3 years)"),
}
CURRENCIES = ("GBP", "EUR", "USD", "AUD")
#: Symbol each currency shows in spreadsheet formats and HTML prose.
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$"}
#: Wording that must never appear: a singular count in the plural, the old "stated prices".
BAD_WORDS = ("1 years", "1 months", " 1 cycles", "stated prices", "at stated")


def offset_scenario(currency: str, horizon: str, price_year: str | None = None) -> dict:
    """The two-state model as a cost-offset analysis of a programme against usual care."""
    data = two_state_scenario(p=0.02, c=100.0, r=0.035, T=1)
    settings, _ = HORIZONS[horizon]
    data["metadata"] = {"name": f"currency_{currency.lower()}_{horizon}"}
    data["settings"].update(settings, currency=currency)
    if price_year:
        data["settings"]["price_year"] = price_year
    data["parameters"] = {
        "p_die": 0.02,
        "c_alive": {"value": 100, "dist": "gamma", "mean": 100, "se": 20, "source": "assumption: test value"},
        "c_prog": {"value": 40, "dist": "gamma", "mean": 40, "se": 5, "source": "assumption: test value"},
        "r_use": {"value": 0.3, "dist": "beta", "mean": 0.3, "se": 0.05, "source": "assumption: test value"},
    }
    data["strategies"] = {"usual": {"label": "Usual care", "parameters": {"on": 0}},
                          "peer": {"label": "Peer support", "parameters": {"on": 1}}}
    data["values"] = {
        "delivery": {"kind": "cost", "sector": "programme", "states": {"alive": "on * c_prog"}},
        "care": {"kind": "cost", "sector": "nhs", "states": {"alive": "c_alive * (1 - on * r_use)"}},
        "ly": {"kind": "outcome", "states": {"alive": 1}},
    }
    data["cost_offset"] = {"delivery": ["delivery"], "perspectives": ["nhs"]}
    return data


def _run_text(path: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["run", str(path)]) == 0
    return out.getvalue()


def _report_texts(path: Path, folder: Path) -> dict[str, str]:
    """Every text ``report`` writes, by file name (XLSX parts and SVG plots included, PNGs left out)."""
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["report", str(path), "--draws", "20", "--format", "csv,xlsx,md,tex", "--out", str(folder)]) == 0
    texts = {}
    for f in sorted(folder.rglob("*")):
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                texts.update({f"{f.name}:{n}": z.read(n).decode("utf-8") for n in z.namelist()})
        elif f.is_file() and f.suffix != ".png":
            texts[str(f.relative_to(folder))] = f.read_text(encoding="utf-8")
    return texts


# --------------------------------------------------------------------------------------------
# The wording rules
@pytest.mark.parametrize("n, length, words", [
    (1, "year", "1 year"), (5, "year", "5 years"), (1, "month", "1 month"), (12, "month", "1 year"),
    (18, "month", "18 months"), (24, "month", "24 months (2 years)"), (36, "month", "36 months (3 years)"),
    (12, "week", "12 weeks"), (1, "week", "1 week"), (52, "week", "52 weeks"), (4, "quarter", "1 year"),
    (6, "quarter", "6 quarters"), (8, "quarter", "8 quarters (2 years)"), (1, "day", "1 day"), (30, "day", "30 days"),
])
def test_horizon_words(n, length, words):
    assert horizon_words(n, length) == words


def test_money_wording():
    assert money_amount(1234.4, "GBP") == "£1,234"
    assert money_amount(-82, "EUR") == "-€82"
    assert money_amount(4.694, "AUD", decimals=2) == "A$4.69"
    assert money_amount(10, "USD") == "$10"
    assert money_amount(1500, "CHF") == "CHF 1,500"
    assert money_amount(-0.2, "GBP") == "£0"  # rounds to zero: no sign
    assert roi_label("AUD") == "Savings per AUD 1 spent"
    assert prices_text(None) == "at prices as entered"
    assert money_note("EUR", "2023") == "Money in EUR at 2023 prices"
    assert money_note("USD", None) == "Money in USD at prices as entered"


# --------------------------------------------------------------------------------------------
# Terminal text of ``run``
@pytest.mark.parametrize("horizon", sorted(HORIZONS))
@pytest.mark.parametrize("currency", CURRENCIES)
def test_run_text_in_the_scenario_units(write_scenario, currency, horizon):
    text = _run_text(write_scenario(offset_scenario(currency, horizon)))
    words = HORIZONS[horizon][1]
    assert f"over {words}." in text
    assert f"Money in {currency} at prices as entered" in text
    assert f"Savings per {currency} 1 spent" in text
    assert f"{currency} " in text.split("Perspective:")[1]  # amounts carry the code
    for bad in BAD_WORDS:
        assert bad not in text
    if currency != "GBP":
        assert "GBP" not in text and "£" not in text


def test_run_text_states_the_price_year(write_scenario):
    text = _run_text(write_scenario(offset_scenario("EUR", "18_months", price_year="2024")))
    assert "Money in EUR at 2024 prices" in text
    assert "prices as entered" not in text


# --------------------------------------------------------------------------------------------
# Every file ``report`` writes: one report per currency, each over a different horizon
@pytest.mark.parametrize("currency, horizon", list(zip(CURRENCIES, sorted(HORIZONS))))
def test_report_files_in_the_scenario_units(write_scenario, tmp_path, currency, horizon):
    texts = _report_texts(write_scenario(offset_scenario(currency, horizon)), tmp_path / "out")
    words = HORIZONS[horizon][1]
    kinds = {Path(name.split(":")[0]).suffix for name in texts}
    assert {".csv", ".md", ".tex", ".html", ".svg", ".xlsx"} <= kinds
    everything = "\n".join(texts.values())
    if currency != "GBP":
        offending = [name for name, t in texts.items() if "GBP" in t or "£" in t or r"\pounds" in t]
        assert offending == []
    # Column headers of the CSV tables name the currency.
    headline_csv = next(t for n, t in texts.items() if n.endswith("headline.csv"))
    assert f"({currency})" in headline_csv and f"Savings per {currency} 1 spent" in headline_csv
    # Spreadsheet money cells are formatted in the currency's symbol.
    styles = next(t for n, t in texts.items() if n.endswith("xl/styles.xml"))
    assert f"&quot;{SYMBOLS[currency]}&quot;#,##0" in styles
    # Plot axes name the currency.
    svg = "\n".join(t for n, t in texts.items() if n.endswith(".svg"))
    assert f"({currency})" in svg
    # Horizon and prices, in the tables and the HTML.
    md = "\n".join(t for n, t in texts.items() if n.endswith(".md"))
    assert f"over {words}." in md and "Money in " + currency + " at prices as entered" in md
    html = texts["report.html"]
    assert words in html and f"{currency} at prices as entered" in html
    for bad in BAD_WORDS:
        assert bad not in everything, bad


def test_one_annual_cycle_reads_in_years(write_scenario):
    """The issue's case: one annual cycle in AUD reads "over 1 year", and payback counts years."""
    data = offset_scenario("AUD", "1_cycle")
    data["settings"]["cycle_length"] = "year"
    text = _run_text(write_scenario(data))
    assert "over 1 year." in text and "Pays for itself by year" in text
    assert "by month" not in text and "GBP" not in text
    for bad in BAD_WORDS:
        assert bad not in text
