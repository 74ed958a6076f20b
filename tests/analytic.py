"""Closed-form answers for toy models (validation.md section 3), used by the engine tests."""
from __future__ import annotations


def cycles_alive_end(p: float, T: int) -> float:
    """Expected cycles alive counted at cycle end: sum_{t=1..T} (1-p)^t = (1-p)(1-(1-p)^T)/p."""
    q = 1.0 - p
    return q * (1.0 - q**T) / p


def discounted_cost_end(c: float, p: float, r: float, T: int) -> float:
    """sum_{t=1..T} c (1-p)^t / (1+r)^t: geometric with ratio a = (1-p)/(1+r)."""
    a = (1.0 - p) / (1.0 + r)
    return c * a * (1.0 - a**T) / (1.0 - a)


def two_state_scenario(p: float, c: float, r: float, T: int, correction: str = "end",
                       first_cycle_discounted: bool = True) -> dict:
    """The two-state (alive, dead) model as scenario data."""
    return {
        "metadata": {"name": "two_state"},
        "settings": {"n_cycles": T, "cycle_correction": correction, "discount_rate_costs": r,
                     "discount_rate_outcomes": 0.0, "discount_first_cycle": first_cycle_discounted},
        "parameters": {"p_die": p, "c_alive": c},
        "states": {"alive": {}, "dead": {}},
        "transitions": {"alive": {"alive": "complement", "dead": "p_die"}, "dead": {"dead": 1}},
        "initial": {"alive": 1},
        "strategies": {"only": {}},
        "values": {"cost": {"kind": "cost", "states": {"alive": "c_alive"}},
                   "ly": {"kind": "outcome", "states": {"alive": 1}}},
    }
