"""The design instance as arrays, and the queries on it that the model, the heuristic and the bounds share.

:class:`DesignArrays` states one multi-echelon facility-location instance
(the formulation is in :mod:`solver.design.model`): facilities and their size
options, clients and their arcs, upper arcs between tiers, side constraints.
The functions below read it without solving anything: what can reach a site,
its cheapest cost per tonne, its largest size, which tiers all material
crosses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(slots=True)
class DesignArrays:
    """A facility-location instance as arrays (see the module formulation).

    Facility-level arrays have length ``n_fac``; option arrays one entry per
    (facility, size option); client arcs one per (client, facility) pair
    allowed; upper arcs one per (lower facility, upper facility) pair allowed.
    Costs are in the objective's unit (CNY/yr for the network).
    """

    fac_tier: np.ndarray
    fac_forced: np.ndarray
    fac_shared: np.ndarray
    opt_fac: np.ndarray
    opt_fixed: np.ndarray
    opt_cap: np.ndarray
    opt_handling: np.ndarray
    demand: np.ndarray
    arc_cli: np.ndarray
    arc_fac: np.ndarray
    arc_cost: np.ndarray
    arc_co2: np.ndarray
    up_from: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    up_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    up_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    up_co2: np.ndarray = field(default_factory=lambda: np.zeros(0))
    single_source: bool = True
    single_source_upper: bool = True
    co2_cap: float | None = None
    max_open: dict[int, int] = field(default_factory=dict)
    exact_open: dict[int, int] = field(default_factory=dict)
    max_fixed: float | None = None
    min_shared_share: float = 0.0
    min_open_groups: list[tuple[np.ndarray, int]] = field(default_factory=list)

    @property
    def n_fac(self) -> int:
        return len(self.fac_tier)

    @property
    def n_cli(self) -> int:
        return len(self.demand)


def tiers_all_flow_crosses(a: DesignArrays) -> list[int]:
    """Tiers every tonne passes: no client arc and no upper arc from below jumps past them,
    and every site below them passes its load on (has upper arcs)."""
    if not len(a.opt_fac):
        return []
    passes_on = np.zeros(a.n_fac, dtype=bool)
    passes_on[a.up_from] = True
    crossed = []
    for tier in np.unique(a.fac_tier).tolist():
        below = a.fac_tier < tier
        if (np.all(a.fac_tier[a.arc_fac] <= tier) and np.all(passes_on[below])
                and np.all(a.fac_tier[a.up_to[below[a.up_from]]] <= tier)):
            crossed.append(tier)
    return crossed


def reachable_inflow(a: DesignArrays) -> np.ndarray:
    """Per facility, the most that can reach it: its clients' demand plus what its senders can pass on."""
    reach = np.bincount(a.arc_fac, weights=a.demand[a.arc_cli], minlength=a.n_fac)
    cap_max = np.zeros(a.n_fac)
    np.maximum.at(cap_max, a.opt_fac, a.opt_cap)
    for tier in sorted(set(a.fac_tier[a.up_from].tolist())):
        arcs = np.flatnonzero(a.fac_tier[a.up_from] == tier)
        np.add.at(reach, a.up_to[arcs], np.minimum(reach, cap_max)[a.up_from[arcs]])
    return np.minimum(reach, float(a.demand.sum()))


def index_groups(keys: np.ndarray, n: int) -> np.ndarray:
    """``out[k, r]`` = index of the r-th item with key k (−1 padded)."""
    counts = np.bincount(keys, minlength=n)
    width = int(counts.max()) if len(keys) else 0
    out = np.full((n, max(width, 1)), -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(len(keys)) - starts[keys[order]]
    out[keys[order], rank] = order
    return out


def level_costs(a: DesignArrays, capacity: np.ndarray) -> np.ndarray:
    """Per site, its least cost per tonne over its sizes: min_o (F_o / capacity_o + h_o)."""
    level = np.full(a.n_fac, np.inf)
    np.minimum.at(level, a.opt_fac, a.opt_fixed / np.maximum(capacity, 1e-9) + a.opt_handling)
    return level


def unit_costs(a: DesignArrays, closed: np.ndarray, capacity: np.ndarray | None = None) -> np.ndarray:
    """Per-tonne cost from each facility to the end: cheapest level (F/Q + h) plus the cheapest way up."""
    unit_level = level_costs(a, a.opt_cap if capacity is None else capacity)
    unit_level[closed] = np.inf
    unit = unit_level.copy()
    for tier in sorted(set(a.fac_tier.tolist()), reverse=True):
        arcs = np.flatnonzero(a.fac_tier[a.up_from] == tier)
        if len(arcs):
            best_up = np.full(a.n_fac, np.inf)
            np.minimum.at(best_up, a.up_from[arcs], a.up_cost[arcs] + unit[a.up_to[arcs]])
            sel = a.fac_tier == tier
            unit[sel] = unit_level[sel] + best_up[sel]
    return unit


def cheapest_level(a: DesignArrays, j: int, load: float) -> int:
    """The option of facility ``j`` with the least fixed + handling cost that holds ``load``; −1 if none."""
    opts = np.flatnonzero(a.opt_fac == j)
    fits = opts[a.opt_cap[opts] >= load - 1e-9]
    return int(fits[np.argmin(a.opt_fixed[fits] + a.opt_handling[fits] * load)]) if len(fits) else -1


def client_slices(order: np.ndarray, arc_cli: np.ndarray, n_cli: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end in ``order`` (arcs sorted by client first) of each client's arcs."""
    sorted_cli = arc_cli[order]
    return (np.searchsorted(sorted_cli, np.arange(n_cli)),
            np.searchsorted(sorted_cli, np.arange(n_cli), side="right"))


def largest_option(a: DesignArrays) -> np.ndarray:
    big = np.full(a.n_fac, -1, dtype=np.int64)
    for o in np.argsort(a.opt_cap, kind="stable"):
        big[a.opt_fac[o]] = o
    return big


def largest_cap(a: DesignArrays) -> np.ndarray:
    big = largest_option(a)
    return np.where(big >= 0, a.opt_cap[np.maximum(big, 0)], 0.0)
