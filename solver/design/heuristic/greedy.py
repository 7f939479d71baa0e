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

from solver.design.arrays import (
    DesignArrays,
    cheapest_level,
    client_slices,
    largest_cap,
    largest_option,
    unit_costs,
)

#: Added per site whose load no size holds: worse than any usable construction, without overflow.
OVER_CAPACITY = 1e15


def greedy_open(a: DesignArrays, *, max_rounds: int = 40) -> np.ndarray:
    """0/1 per size option: the options a greedy construction opens (largest level per site).

    After a first construction, sites of one tier whose load is below a share
    of their capacity are closed and the construction repeated; a change is
    kept when the estimated cost (fixed at the cheapest fitting level,
    handling, transport) falls. Tiers are tried from the top (centres) down.
    Last, the site budgets (``a.max_open``) are kept (``_within_site_budgets``).
    """
    best_closed = np.zeros(a.n_fac, dtype=bool)
    best_cost, best_load = _construct(a, best_closed)
    forced = a.fac_forced.astype(bool)
    rounds = 0
    improved = True
    while improved and rounds < max_rounds:
        improved = False
        for tier in sorted(set(a.fac_tier.tolist()), reverse=True):
            for share in (0.15, 0.3, 0.5, 0.7):
                cap = largest_cap(a)
                idle = (a.fac_tier == tier) & ~forced & ~best_closed & (best_load < share * cap)
                if not idle.any():
                    continue
                rounds += 1
                closed = best_closed | idle
                cost, load = _construct(a, closed)
                if cost < best_cost - 1e-6 * abs(best_cost):
                    best_cost, best_load, best_closed, improved = cost, load, closed, True
    best_load = _within_site_budgets(a, best_closed, best_load)
    big = largest_option(a)
    y = np.zeros(len(a.opt_fac))
    is_open = (best_load > 1e-12) | forced
    y[big[is_open & (big >= 0)]] = 1.0
    return y


def _within_site_budgets(a: DesignArrays, closed: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Loads of a construction that opens no more sites per tier than ``a.max_open`` allows.

    Where a tier has too many, its least-loaded sites (not forced) close and the
    construction runs again; loads move, so this repeats until every tier fits.
    """
    if not a.max_open:
        return load
    forced = a.fac_forced.astype(bool)
    closed = closed.copy()
    for _ in range(a.n_fac):
        over = False
        closed &= load <= 1e-12  # a closed site that still gets load (its villages' only one) is open
        # A site that is some village's last server in reach stays (closing it strands the village).
        reach = ~closed[a.arc_fac]
        servers_left = np.bincount(a.arc_cli[reach], minlength=a.n_cli)
        last = np.zeros(a.n_fac, dtype=bool)
        last[a.arc_fac[reach & (servers_left[a.arc_cli] == 1)]] = True
        for tier, limit in a.max_open.items():
            is_open = (a.fac_tier == tier) & ~closed & ((load > 1e-12) | forced)
            extra = int(is_open.sum()) - limit
            candidates = np.flatnonzero(is_open & ~forced & ~last)
            if extra > 0 and len(candidates):
                closed[candidates[np.argsort(load[candidates], kind="stable")[:extra]]] = True
                over = True
        if not over:
            return load
        _, load = _construct(a, closed)
    return load


def _construct(a: DesignArrays, closed: np.ndarray) -> tuple[float, np.ndarray]:
    """One greedy pass with ``closed`` sites unavailable: (estimated cost, load per facility)."""
    cap = np.where(closed, 0.0, largest_cap(a))
    unit = unit_costs(a, closed)
    load = np.zeros(a.n_fac)
    forced = a.fac_forced.astype(bool)
    dem = a.demand
    per_t_arc = a.arc_cost / np.maximum(dem[a.arc_cli], 1e-12)
    price = per_t_arc + unit[a.arc_fac]
    order_arcs = np.lexsort((price, a.arc_cli))
    starts, ends = client_slices(order_arcs, a.arc_cli, a.n_cli)
    cost = 0.0
    for v in np.argsort(-dem, kind="stable"):
        cost += _place(order_arcs[starts[v]:ends[v]], a.arc_fac, per_t_arc, dem[v], cap, load)
    for tier in sorted(set(a.fac_tier[a.up_from].tolist())):
        arcs = np.flatnonzero(a.fac_tier[a.up_from] == tier)
        price = a.up_cost[arcs] + unit[a.up_to[arcs]]
        senders = np.flatnonzero((a.fac_tier == tier) & ((load > 0) | forced))
        for j in senders[np.argsort(-load[senders], kind="stable")]:
            mine = np.flatnonzero(a.up_from[arcs] == j)
            if not len(mine):
                continue
            mine = arcs[mine[np.argsort(price[mine], kind="stable")]]
            if load[j] > 0:
                cost += _place(mine, a.up_to, a.up_cost, load[j], cap, load)
            else:  # forced, idle site: its upper site must be open
                k = next((int(a.up_to[u]) for u in mine if cap[a.up_to[u]] > 0), int(a.up_to[mine[0]]))
                load[k] += 1e-9
    # Fixed and handling at the cheapest level holding each load.
    for j in np.flatnonzero((load > 1e-12) | forced):
        o = cheapest_level(a, j, load[j])
        if o < 0:
            cost += OVER_CAPACITY  # over capacity: this construction is not usable
            continue
        cost += float(a.opt_fixed[o] + a.opt_handling[o] * load[j])
    return cost, load


def _place(arcs: np.ndarray, server_of: np.ndarray, unit_cost: np.ndarray, amount: float, cap: np.ndarray,
           load: np.ndarray) -> float:
    """Put ``amount`` on the cheapest arc with room (split only when none has); return its cost."""
    if amount <= 0 or not len(arcs):
        return 0.0
    servers = server_of[arcs]
    room = cap[servers] - load[servers]
    fits = np.flatnonzero(room >= amount - 1e-9)
    if len(fits):
        load[servers[fits[0]]] += amount
        return float(unit_cost[arcs[fits[0]]] * amount)
    cost, left = 0.0, amount
    for arc, s in zip(arcs, servers, strict=True):
        take = min(left, max(cap[s] - load[s], 0.0))
        if take > 0:
            load[s] += take
            cost += float(unit_cost[arc] * take)
            left -= take
        if left <= 1e-9:
            return cost
    usable = [s for s in servers if cap[s] > 0]
    load[usable[0] if usable else servers[0]] += left  # over capacity: priced out above
    return cost + 1e6 * left * (1.0 + float(np.max(unit_cost[arcs])))
