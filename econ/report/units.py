"""Wording of money and time in every output: one place for the rules, used by all renderers.

Money: labels and column headers carry the scenario's currency code (``Net cost (AUD)``); amounts in
prose, plot ticks and spreadsheet formats carry its symbol where one is standard (GBP £, EUR €,
USD $, AUD A$, ...) and the code otherwise (``CHF 1,234``). Prices: "at 2023/24 prices" when the
scenario states a price year, "at prices as entered" when it does not. Horizons: natural words from
the cycle length and count ("1 year", "18 months", "36 months (3 years)", "12 weeks").
"""
from __future__ import annotations

import math

#: Symbols of currencies where one is standard and unambiguous ($ alone means US dollars only).
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "JPY": "¥"}

#: Cycle lengths whose horizon is also given in years when it is a whole number of years (cycles per year).
_PER_YEAR = {"month": 12, "quarter": 4}


def currency_symbol(currency: str) -> str | None:
    """The standard symbol of a currency code ('£' for GBP, 'A$' for AUD), or None when it has none here."""
    return CURRENCY_SYMBOLS.get(currency)


def money_amount(x: float, currency: str, *, decimals: int = 0) -> str:
    """An amount for prose and plots: '£1,234', '-€82', 'A$4.69', 'CHF 1,234' (code where no symbol)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    text = f"{abs(x):,.{decimals}f}"
    sign = "-" if x < 0 and float(text.replace(",", "")) != 0 else ""
    symbol = currency_symbol(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"


def money_code_amount(x: float, currency: str, *, decimals: int = 0) -> str:
    """An amount in the plain-text terminal tables: 'GBP 1,234', '-AUD 82' (the code, never a symbol)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    sign = "-" if x < 0 else ""
    return f"{sign}{currency} {abs(x):,.{decimals}f}"


def money_label(text: str, currency: str) -> str:
    """A header or axis label with its money unit: 'Net cost (EUR)'."""
    return f"{text} ({currency})"


def roi_label(currency: str) -> str:
    """Label of the return on investment: 'Savings per GBP 1 spent', 'Savings per AUD 1 spent'."""
    return f"Savings per {currency} 1 spent"


def payback_label(cycle_length: str) -> str:
    """Label of the payback measure, counted in cycles: 'Pays for itself by month' ('by year', ...)."""
    return f"Pays for itself by {cycle_length}"


def prices_text(price_year: str | None) -> str:
    """'at 2023/24 prices', or 'at prices as entered' when the scenario states no price year."""
    return f"at {price_year} prices" if price_year else "at prices as entered"


def money_note(currency: str, price_year: str | None) -> str:
    """'Money in GBP at 2023/24 prices' / 'Money in AUD at prices as entered'."""
    return f"Money in {currency} {prices_text(price_year)}"


def money_unit_text(currency: str, price_year: str | None) -> str:
    """'GBP at 2023/24 prices' (the summary's "Money" fact)."""
    return f"{currency} {prices_text(price_year)}"


def count_words(n: float, unit: str) -> str:
    """'1 month', '18 months', '2.5 years': the unit singular for exactly one, plural otherwise."""
    n_text = f"{n:,.0f}" if float(n) == int(n) else f"{n:g}"
    return f"{n_text} {unit}{'' if float(n) == 1 else 's'}"


def horizon_words(n_cycles: int | None, cycle_length: str) -> str:
    """A time horizon in natural words from the cycle length and count.

    Whole years of monthly or quarterly cycles read in years too: 12 months is '1 year', 36 months
    '36 months (3 years)'; otherwise the count of cycles ('18 months', '12 weeks', '1 year', '5 days').
    None or 0 cycles gives ''.
    """
    if not n_cycles:
        return ""
    per_year = _PER_YEAR.get(cycle_length)
    if per_year and n_cycles % per_year == 0:
        years = n_cycles // per_year
        if years == 1:
            return count_words(1, "year")
        return f"{count_words(n_cycles, cycle_length)} ({count_words(years, 'year')})"
    return count_words(n_cycles, cycle_length)
