"""The state space of a scenario: declared states expanded into tunnel states, and its size limits."""
from __future__ import annotations

from dataclasses import dataclass

from econ.core.errors import LimitError, Problem
from econ.core.limits import check_size, current_limits


@dataclass
class States:
    """Declared states and their expansion: one expanded state per tunnel cycle."""

    declared: list
    expanded: list
    group: list
    tis: list
    first_index: dict
    tunnel_len: dict


def expand_states(spec) -> States:
    declared = list(spec.states)
    expanded: list[str] = []
    group: list[str] = []
    tis: list[int] = []
    first_index: dict[str, int] = {}
    tunnel_len: dict[str, int] = {}
    for name in declared:
        st = spec.states[name]
        n = st.tunnel if st is not None and st.tunnel else 1
        tunnel_len[name] = n
        first_index[name] = len(expanded)
        for k in range(1, n + 1):
            expanded.append(name if n == 1 else f"{name}@{k}")
            group.append(name)
            tis.append(k)
    return States(declared, expanded, group, tis, first_index, tunnel_len)


def check_limits(loaded, spec, states: States) -> None:
    lim = current_limits()
    if len(states.expanded) > lim.max_states or spec.settings.n_cycles > lim.max_cycles:
        try:
            check_size(n_cycles=spec.settings.n_cycles, n_states=len(states.expanded))
        except LimitError as exc:
            raise LimitError([Problem(p.message, loaded.location(*(("settings", "n_cycles") if "cycles" in p.message
                                                                    else ("states",))), p.key_path)
                              for p in exc.problems]) from None
