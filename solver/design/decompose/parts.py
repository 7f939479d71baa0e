"""Cut a design instance into parts: plan parts (disjoint sites) and bound parts (shared sites, shared fixed cost).

Labels: every facility belongs to the part of its area (a prefecture, say);
a station whose every centre arc leaves its part joins the part of its
cheapest centre, a point likewise by its stations, and a client joins its
area's part when it has an arc into it, else the part of its cheapest arc. So
every client of a plan part has a server in the part, and every server a way up.

Plan part p: p's clients and facilities and the arcs among them. The parts
share nothing, so the union of their plans is a plan of the whole instance
(the same arcs, the same costs) and its cost is the sum of theirs.

Bound part p: p's clients, p's facilities and every facility they reach (and
what those pass on to), a copy of each, with fixed cost ``λ[p, j]·F`` where
``Σ_p λ[p, j] = 1`` over the parts holding a copy of ``j``. Any plan of the
whole instance maps onto every bound part: open there the copies of its open
sites at the same sizes, route p's clients as the plan does. The fixed costs
of the copies add up to the plan's, and handling and transport split by client;
so the optima of the bound parts add up to at most the optimum of the whole,
and so do their proven bounds. λ splits each site's fixed cost by the demand
of each part that can reach it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from solver.design.arrays import DesignArrays


@dataclass(slots=True)
class Part:
    """A sub-instance and where its clients, facilities, options and arcs sit in the whole."""

    arrays: DesignArrays
    clients: np.ndarray
    facilities: np.ndarray
    options: np.ndarray
    arcs: np.ndarray
    ups: np.ndarray

    @property
    def size(self) -> int:
        """Arcs of the part: what its solve time scales with."""
        return len(self.arcs) + len(self.ups)


def part_labels(a: DesignArrays, client_area: np.ndarray, fac_area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(client part, facility part) from area labels, moved so that every part can serve its clients."""
    fac = np.asarray(fac_area, dtype=np.int64).copy()
    for tier in sorted(set(a.fac_tier[a.up_from].tolist()), reverse=True):
        arcs = np.flatnonzero(a.fac_tier[a.up_from] == tier)
        own = arcs[fac[a.up_to[arcs]] == fac[a.up_from[arcs]]]
        has_own = np.zeros(a.n_fac, dtype=bool)
        has_own[a.up_from[own]] = True
        for j in np.unique(a.up_from[arcs]):
            if not has_own[j]:
                mine = arcs[a.up_from[arcs] == j]
                fac[j] = fac[a.up_to[mine[np.argmin(a.up_cost[mine])]]]
    cli = np.asarray(client_area, dtype=np.int64).copy()
    own = fac[a.arc_fac] == cli[a.arc_cli]
    has_own = np.zeros(a.n_cli, dtype=bool)
    has_own[a.arc_cli[own]] = True
    order = np.lexsort((a.arc_cost, a.arc_cli))
    first = np.full(a.n_cli, -1, dtype=np.int64)
    first[a.arc_cli[order[::-1]]] = order[::-1]
    lost = np.flatnonzero(~has_own & (first >= 0))
    cli[lost] = fac[a.arc_fac[first[lost]]]
    return cli, fac


def restrict(a: DesignArrays, clients: np.ndarray, facilities: np.ndarray, *,
             fixed_share: np.ndarray | None = None, bound: bool = False) -> Part:
    """The sub-instance of some clients and facilities (sorted indices), arcs among them only.

    ``fixed_share`` scales each facility's fixed costs (bound parts); side
    constraints the caller does not split (CO₂ cap, budgets, site limits) must
    not be set. Density groups: a plan part opens ``min(r, members here)`` of a
    group needing ``r`` (the union meets ``r``); a bound part keeps what it
    can still prove, ``r − members outside``, and drops the shared-site share.
    """
    fac_new = np.full(a.n_fac, -1, dtype=np.int64)
    fac_new[facilities] = np.arange(len(facilities))
    cli_new = np.full(a.n_cli, -1, dtype=np.int64)
    cli_new[clients] = np.arange(len(clients))
    arcs = np.flatnonzero((cli_new[a.arc_cli] >= 0) & (fac_new[a.arc_fac] >= 0))
    ups = np.flatnonzero((fac_new[a.up_from] >= 0) & (fac_new[a.up_to] >= 0))
    options = np.flatnonzero(fac_new[a.opt_fac] >= 0)
    fixed = a.opt_fixed[options] * (1.0 if fixed_share is None else fixed_share[a.opt_fac[options]])
    groups = []
    for members, required in a.min_open_groups:
        inside = members[fac_new[members] >= 0]
        need = required - (len(members) - len(inside)) if bound else min(required, len(inside))
        if need > 0:
            groups.append((fac_new[inside], int(need)))
    sub = replace(
        a, fac_tier=a.fac_tier[facilities], fac_forced=a.fac_forced[facilities], fac_shared=a.fac_shared[facilities],
        opt_fac=fac_new[a.opt_fac[options]], opt_fixed=fixed, opt_cap=a.opt_cap[options],
        opt_handling=a.opt_handling[options], demand=a.demand[clients], arc_cli=cli_new[a.arc_cli[arcs]],
        arc_fac=fac_new[a.arc_fac[arcs]], arc_cost=a.arc_cost[arcs], arc_co2=a.arc_co2[arcs],
        up_from=fac_new[a.up_from[ups]], up_to=fac_new[a.up_to[ups]], up_cost=a.up_cost[ups], up_co2=a.up_co2[ups],
        min_shared_share=0.0 if bound else a.min_shared_share, min_open_groups=groups,
        max_open={}, exact_open={})
    return Part(sub, clients, facilities, options, arcs, ups)


def plan_parts(a: DesignArrays, cli_part: np.ndarray, fac_part: np.ndarray) -> list[Part]:
    """One plan part per label with clients: disjoint clients and facilities (the union is a plan)."""
    return [restrict(a, np.flatnonzero(cli_part == p), np.flatnonzero(fac_part == p))
            for p in np.unique(cli_part)]


def _reach(a: DesignArrays, clients: np.ndarray) -> np.ndarray:
    """Per facility, the demand of ``clients`` that can reach it (up the tiers)."""
    weight = np.zeros(a.n_cli)
    weight[clients] = a.demand[clients]
    reach = np.bincount(a.arc_fac, weights=weight[a.arc_cli], minlength=a.n_fac)
    for tier in sorted(set(a.fac_tier[a.up_from].tolist())):
        arcs = np.flatnonzero(a.fac_tier[a.up_from] == tier)
        reach += np.bincount(a.up_to[arcs], weights=reach[a.up_from[arcs]], minlength=a.n_fac)
    return reach


def _upward_closure(a: DesignArrays, facilities: np.ndarray) -> np.ndarray:
    inside = np.zeros(a.n_fac, dtype=bool)
    inside[facilities] = True
    for tier in sorted(set(a.fac_tier[a.up_from].tolist())):
        arcs = np.flatnonzero((a.fac_tier[a.up_from] == tier) & inside[a.up_from])
        inside[a.up_to[arcs]] = True
    return np.flatnonzero(inside)


def bound_parts(a: DesignArrays, cli_part: np.ndarray, fac_part: np.ndarray) -> list[Part]:
    """One bound part per label with clients; their proven bounds add up to a bound of the whole."""
    labels = np.unique(cli_part)
    reach = np.vstack([_reach(a, np.flatnonzero(cli_part == p)) for p in labels])
    held = (reach > 0) | (fac_part[None, :] == labels[:, None])
    members = [_upward_closure(a, np.flatnonzero(held[i])) for i in range(len(labels))]
    held = np.zeros_like(held)
    for i, m in enumerate(members):
        held[i, m] = True
    weight = np.where(held, reach, 0.0)
    total = weight.sum(axis=0)
    # Sites no part's demand reaches (forced, idle) are paid in full by their own part.
    owner = (fac_part[None, :] == labels[:, None]) & held
    share = np.where(total > 0, weight / np.where(total > 0, total, 1.0), owner.astype(float))
    unpaid = share.sum(axis=0) < 1 - 1e-12
    share[:, unpaid] = held[:, unpaid] / np.maximum(held[:, unpaid].sum(axis=0), 1)
    return [restrict(a, np.flatnonzero(cli_part == p), members[i], fixed_share=share[i], bound=True)
            for i, p in enumerate(labels)]
