"""Write the ILLUSTRATIVE life table for England by single year of age and sex (NOT ONS figures).

The project has no copy of the ONS National Life Tables (England) on disk, so this script builds a
table in their layout (age 0 to 100, female and male, the probability of dying within a year ``qx``)
from a Gompertz-Makeham hazard with ASSUMED parameters, chosen only so that the orders of magnitude
look like an English life table (qx about 0.001 at 40 and 0.05 at 80). Every figure is an assumption.
To use real figures, download "National life tables: England" (ONS, the latest three-year period,
e.g. 2020-2022), keep the columns ``age,sex,qx`` and the ``# source/years/status`` lines, and point
the scenario's ``lookup.table`` at that file.

Usage::

    python scripts/make_illustrative_life_table.py     # writes scenarios/tables/ILLUSTRATIVE_life_table_england.csv

Hazard at age a (per year): m(a) = makeham + alpha * exp(beta * a), plus an infant hazard at age 0;
qx = 1 - exp(-m(a)) (constant hazard within the year), rounded to 6 decimals; the last row, 100, is
the open-ended band "100 and over".
"""
from __future__ import annotations

import math
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "scenarios" / "tables" / "ILLUSTRATIVE_life_table_england.csv"

#: sex -> (makeham, alpha, beta, infant hazard): assumptions, see the module docstring.
PARAMETERS = {"female": (0.0001, 1.8e-5, 0.100, 0.0035), "male": (0.0002, 3.4e-5, 0.095, 0.0042)}


def qx(sex: str, age: int) -> float:
    makeham, alpha, beta, infant = PARAMETERS[sex]
    m = makeham + alpha * math.exp(beta * age) + (infant if age == 0 else 0.0)
    return round(1.0 - math.exp(-m), 6)


def main() -> None:
    lines = ["# source: ILLUSTRATIVE - NOT ONS FIGURES. Gompertz-Makeham qx with assumed parameters "
             "(scripts/make_illustrative_life_table.py), in the layout of the ONS National Life Tables (England)",
             "# years: none (constructed; replace with an ONS three-year period such as 2020-2022)",
             "# status: assumption",
             "age,sex,qx"]
    for sex in PARAMETERS:
        lines += [f"{a},{sex},{qx(sex, a):.6f}" for a in range(0, 101)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
