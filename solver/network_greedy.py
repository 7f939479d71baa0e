"""A fast constructive start for the design model, without any LP.

Large instances (thousands of villages) make even the LP relaxation slow on a
busy machine, so the search first builds a plan greedily in numpy:

1. every facility gets a unit cost per tonne, bottom-up: a centre its
   cheapest level's (fixed / capacity + handling); a station that plus its
   cheapest route to a centre; a point that plus its cheapest route to a
   station;
2. clients, largest first, go to the arc with the least unit cost (arc cost
   per tonne + the server's unit cost) among servers with room left at their
   largest level (split across servers only when none has room for all);
3. upper tiers are assigned the same way with the loads that arrive.

The open sites (each at its largest level) are returned; the search then
re-optimises flows exactly with those sites fixed and improves by local moves.
"""

from __future__ import annotations

import numpy as np

from solver.network_model import DesignArrays


def greedy_open(a: DesignArrays) -> np.ndarray:
    """0/1 per size option: the options a greedy construction opens (largest level per site)."""
    n_opt = len(a.opt_fac)
    big = np.full(a.n_fac, -1, dtype=np.int64)
    for o in np.argsort(a.opt_cap, kind="stable"):
        big[a.opt_fac[o]] = o
    cap = np.where(big >= 0, a.opt_cap[np.maximum(big, 0)], 0.0)
    unit_level = np.full(a.n_fac, np.inf)
    per_t = a.opt_fixed / np.maximum(a.opt_cap, 1e-9) + a.opt_handling
    np.minimum.at(unit_level, a.opt_fac, per_t)
    unit = unit_level.copy()
    # Bottom-up unit costs: tiers from the sink down.
    for tier in sorted(set(a.fac_tier.tolist()), reverse=True):
        arcs = np.flatnonzero(a.fac_tier[a.up_from] == tier)
        if len(arcs):
            best_up = np.full(a.n_fac, np.inf)
            np.minimum.at(best_up, a.up_from[arcs], a.up_cost[arcs] + unit[a.up_to[arcs]])
            sel = a.fac_tier == tier
            unit[sel] = unit_level[sel] + best_up[sel]
    used = np.zeros(a.n_fac)
    load = np.zeros(a.n_fac)
    forced = a.fac_forced.astype(bool)
    # Clients, largest first.
    dem = a.demand
    price = a.arc_cost / np.maximum(dem[a.arc_cli], 1e-12) + unit[a.arc_fac]
    order_arcs = np.lexsort((price, a.arc_cli))
    starts = np.searchsorted(a.arc_cli[order_arcs], np.arange(a.n_cli))
    ends = np.searchsorted(a.arc_cli[order_arcs], np.arange(a.n_cli), side="right")
    for v in np.argsort(-dem, kind="stable"):
        _place(order_arcs[starts[v]:ends[v]], a.arc_fac, dem[v], cap, load, single=True)
    used += load
    # Upper tiers with the loads that arrive.
    for tier in sorted(set(a.fac_tier[a.up_from].tolist())):
        arcs = np.flatnonzero(a.fac_tier[a.up_from] == tier)
        price = a.up_cost[arcs] + unit[a.up_to[arcs]]
        senders = [j for j in np.flatnonzero((a.fac_tier == tier) & ((load > 0) | forced))]
        for j in sorted(senders, key=lambda jj: -load[jj]):
            mine = arcs[a.up_from[arcs] == j]
            if not len(mine):
                continue
            mine = mine[np.argsort(price[np.searchsorted(arcs, mine)], kind="stable")]
            _place(mine, a.up_to, load[j], cap, load, single=True, min_share=0.0)
            if load[j] == 0:  # forced, idle site: still needs an open upper site
                used[a.up_to[mine[0]]] += 1e-9
        used += load
    y = np.zeros(n_opt)
    is_open = (load > 1e-12) | (used > 0) | forced
    y[big[is_open & (big >= 0)]] = 1.0
    return y


def _place(arcs: np.ndarray, server_of: np.ndarray, amount: float, cap: np.ndarray, load: np.ndarray, *,
           single: bool, min_share: float = 0.0) -> None:
    """Put ``amount`` on the cheapest arcs (in order) that have room; split only when none does."""
    if amount <= 0 or not len(arcs):
        return
    servers = server_of[arcs]
    room = cap[servers] - load[servers]
    fits = np.flatnonzero(room >= amount - 1e-9)
    if single and len(fits):
        load[servers[fits[0]]] += amount
        return
    left = amount
    for s in servers:
        take = min(left, max(cap[s] - load[s], 0.0))
        if take > min_share:
            load[s] += take
            left -= take
        if left <= 1e-9:
            return
    load[servers[0]] += left  # over capacity: the exact re-optimisation sorts it out or fails
