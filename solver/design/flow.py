"""How much demand a design instance's arcs and largest sizes can carry to the top.

Every site at its largest size, shares split, no side constraints: a
relaxation of every plan, and a network flow (source → village → site in →
site out → … → a site without upper arcs → sink, a site's capacity on its
in → out arc). :func:`carried_flow` gives the maximum flow and a minimum cut.
When the flow falls short of the demand, the villages on the cut's source
side generate more than the cut sites hold, and every route of theirs passes
a cut site: the planner's reason why no plan exists (``solver.design.explain``);
and the arcs of a denser network that cross the cut are the ones the sparse
arcs of ``solver.design.data`` must add.

Flows are integers in kilograms (OR-Tools' maximum-flow solver).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow

from solver.design.arrays import DesignArrays, largest_cap

#: Flow units per tonne.
UNITS_PER_T = 1000


@dataclass(frozen=True, slots=True)
class CarriedFlow:
    """The maximum flow of an instance and the source side of one minimum cut.

    ``carried_t`` and ``demand_t`` in t/yr (demand rounded down to the kg).
    The side masks say which clients, site entries and site exits the cut
    leaves with the source: the clients there generate more than the cut
    sites (entry on the source side, exit not) pass on.
    """

    carried_t: float
    demand_t: float
    client_side: np.ndarray
    site_in_side: np.ndarray
    site_out_side: np.ndarray

    @property
    def short_t(self) -> float:
        """Tonnes per year that cannot be carried (demands rounded down, capacities up: no false shortfall)."""
        return max(0.0, self.demand_t - self.carried_t)

    @property
    def cut_clients(self) -> np.ndarray:
        """Clients on the source side (indices)."""
        return np.flatnonzero(self.client_side)

    @property
    def cut_sites(self) -> np.ndarray:
        """Sites whose capacity the cut crosses (indices)."""
        return np.flatnonzero(self.site_in_side & ~self.site_out_side)

    def crossing_arcs(self, a: DesignArrays) -> tuple[np.ndarray, np.ndarray]:
        """Client and upper arcs of ``a`` (masks) leading from the source side to the other: the arcs that
        could carry more across this cut."""
        return (self.client_side[a.arc_cli] & ~self.site_in_side[a.arc_fac],
                self.site_out_side[a.up_from] & ~self.site_in_side[a.up_to])


def carried_flow(a: DesignArrays) -> CarriedFlow:
    """The most demand the instance can carry (largest sizes, split shares) and a minimum cut."""
    n_cli, n_fac = a.n_cli, a.n_fac
    source, first_cli = 0, 1
    site_in, site_out = first_cli + n_cli, first_cli + n_cli + n_fac
    sink = site_out + n_fac
    # Rounding may only loosen the network, so a shortfall it reports is real.
    supply = np.floor(a.demand * UNITS_PER_T).astype(np.int64)
    unbounded = int(supply.sum()) + 1
    site_cap = np.ceil(np.minimum(largest_cap(a), supply.sum() / UNITS_PER_T + 1) * UNITS_PER_T).astype(np.int64)
    ends = np.ones(n_fac, dtype=bool)
    ends[a.up_from] = False
    sinks = np.flatnonzero(ends)
    arcs = [  # (tail, head, capacity)
        (np.full(n_cli, source), first_cli + np.arange(n_cli), supply),
        (first_cli + a.arc_cli, site_in + a.arc_fac, np.full(len(a.arc_cli), unbounded)),
        (site_in + np.arange(n_fac), site_out + np.arange(n_fac), site_cap),
        (site_out + a.up_from, site_in + a.up_to, np.full(len(a.up_from), unbounded)),
        (site_out + sinks, np.full(len(sinks), sink), np.full(len(sinks), unbounded)),
    ]
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(*(np.concatenate([arc[k] for arc in arcs]).astype(np.int64) for k in range(3)))
    if solver.solve(source, sink) != solver.OPTIMAL:
        raise RuntimeError("the maximum-flow solver failed on the capacity network")
    side = np.zeros(sink + 1, dtype=bool)
    side[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)] = True
    return CarriedFlow(solver.optimal_flow() / UNITS_PER_T, int(supply.sum()) / UNITS_PER_T,
                       side[first_cli:site_in], side[site_in:site_out], side[site_out:sink])
