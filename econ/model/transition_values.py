"""Keys of one-off transition values (``'from->to'``, ``'*->dead'``) as expanded state index pairs."""
from __future__ import annotations

import difflib


def _suggest(name: str, options) -> str:
    close = difflib.get_close_matches(name, list(options), n=2)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def transition_pairs(key, path, c, spec, declared, first_index, tunnel_len):
    """Expanded (from, to) pairs for a transition-value key 'from->to' ('*' = any other state)."""
    if "->" not in key:
        c.add(path, f"transition keys are written 'from->to', e.g. 'A->dead' or '*->dead' (got '{key}')")
        return None
    frm, _, to = (part.strip() for part in key.partition("->"))
    if to not in spec.states:
        c.add(path, f"unknown state '{to}'{_suggest(to, declared)}")
        return None
    sources = [s for s in declared if s != to] if frm == "*" else [frm]
    if frm != "*" and frm not in spec.states:
        c.add(path, f"unknown state '{frm}'{_suggest(frm, declared)}")
        return None
    if frm == to:
        c.add(path, "a one-off value needs a change of state (from and to are the same)")
        return None
    pairs = []
    for s in sources:
        for k in range(tunnel_len[s]):
            pairs.append((first_index[s] + k, first_index[to]))
    return pairs
