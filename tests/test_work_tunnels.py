"""The work estimate counts a shifting tunnel's step as linear in its length (issue 19 with issue 23).

A tunnel of length L expanded to S = L + 2 states would be S^2 cells per cycle in the dense estimate;
the shifting engine goes through 3 L + 5 of them (tests/test_tunnels.py derives that count), so a
tunnel model the dense estimate would refuse is run, and a dense model of the same size is still refused.
"""
from __future__ import annotations

import pytest

import econ
from econ.analysis.psa import run_psa
from econ.core.errors import LimitError
from econ.core.limits import model_work
from econ.model import tunnels
from econ.model.evaluate import evaluate

from .test_robustness_work import chain_model

L, CYCLES, DRAWS, CAP = 100, 20, 100, 1_000_000


def tunnel_model(length: int) -> dict:
    return {"metadata": {"name": "t"}, "settings": {"n_cycles": CYCLES, "seed": 3},
            "parameters": {"p": {"value": 0.1, "dist": "beta", "mean": 0.1, "se": 0.02, "source": "test"}, "q": 0.05},
            "states": {"well": {}, "sick": {"tunnel": length}, "dead": {}},
            "initial": {"well": 1},
            "transitions": {"well": {"well": "complement", "sick": "p", "dead": "q"},
                            "sick": {"sick": "complement", "well": "p", "dead": "q"}, "dead": {"dead": 1}},
            "strategies": {"only": {}}, "values": {"ly": {"kind": "outcome", "states": {"well": 1}}}}


def test_step_cells_of_a_shifting_tunnel_are_linear_and_none_without_tunnels(write_scenario, peer):
    c = econ.compile_path(write_scenario(tunnel_model(L), "t.yaml"))
    assert len(c.model.states) == L + 2
    assert tunnels.step_cells(c.model) == 3 * L + 5  # the count derived in tests/test_tunnels.py
    assert tunnels.step_cells(c.model, "dense") is None  # forced dense: the dense estimate
    assert tunnels.step_cells(peer.model) is None  # no tunnel: the dense estimate
    assert model_work(n_states=L + 2, n_cycles=CYCLES, n_strategies=1, n_draws=DRAWS,
                      step_cells=3 * L + 5) == (3 * L + 5) * CYCLES * DRAWS
    assert model_work(n_states=L + 2, n_cycles=CYCLES, n_strategies=1, n_draws=DRAWS) == (L + 2) ** 2 * CYCLES * DRAWS


def test_a_tunnel_model_the_dense_estimate_would_refuse_runs(write_scenario, monkeypatch):
    c = econ.compile_path(write_scenario(tunnel_model(L), "t.yaml"))
    dense = (L + 2) ** 2 * CYCLES * DRAWS
    shifting = (3 * L + 5) * CYCLES * DRAWS
    assert shifting <= CAP < dense
    monkeypatch.setenv("PEER_ECON_MAX_WORK", str(CAP))
    result = run_psa(c, n_draws=DRAWS)  # accepted: the shifting engine's work is under the cap
    assert result.evaluation.totals.shape[0] == DRAWS
    # the dense path on the same model is still refused, with the dense estimate in the message
    with pytest.raises(LimitError, match=r"is about 2\.08e\+07 cells of transition matrices \(states\^2 x cycles x "
                                         r"strategies x draws\), more than the limit of 1\.00e\+06"):
        evaluate(c, result.table, method="dense")


def test_the_tunnel_aware_estimate_still_refuses_what_is_too_much(write_scenario, monkeypatch):
    c = econ.compile_path(write_scenario(tunnel_model(L), "t.yaml"))
    monkeypatch.setenv("PEER_ECON_MAX_WORK", str((3 * L + 5) * CYCLES * DRAWS - 1))
    with pytest.raises(LimitError, match=r"100 draws of a model with 102 states \(tunnels expanded\), 20 cycles and "
                                         r"1 strategies is about 6\.10e\+05 cells of transition matrices \(305 cells "
                                         r"per cycle over the strategies, tunnels advanced by shifting"):
        run_psa(c, n_draws=DRAWS)


def test_a_dense_model_of_the_same_size_is_still_refused(write_scenario, monkeypatch):
    c = econ.compile_path(write_scenario(chain_model(L + 2, n_cycles=CYCLES), "chain.yaml"))
    monkeypatch.setenv("PEER_ECON_MAX_WORK", str(CAP))
    with pytest.raises(LimitError, match=r"100 draws of a model with 102 states \(tunnels expanded\), 20 cycles and "
                                         r"2 strategies is about 4\.16e\+07 cells of transition matrices "
                                         r"\(states\^2 x cycles x strategies x draws\)"):
        run_psa(c, n_draws=DRAWS)
