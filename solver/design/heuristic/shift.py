"""Shift moves for single-sourcing plans: one client, or one site's whole load, to another open server.

With the open sites fixed, single sourcing is a generalised assignment
problem; HiGHS, handed one as a sub-MIP, often ends its time slice near its
start (Hami: the split plan's sites single-sourced by the numpy repair cost
19.87 M CNY/yr, the sub-MIP brought that to 19.72 M in 22 s). The classical
shift neighbourhood of the GAP (e.g. Yagiura, Ibaraki & Glover 2004, *An
ejection chain approach for the generalized assignment problem*, INFORMS
J. Comput. 16(2)) priced exactly and incrementally fills that gap in
milliseconds: moving d tonnes from server j to server k changes

* the arc or upper-arc cost,
* the per-tonne cost of the way up from j and from k (their chains of upper
  sites), and
* the size-level cost of every site whose load changes, each at its cheapest
  level holding the new load (a site left empty closes unless forced);

a move is made when the sum is negative and every new load fits a level.
Sites themselves (points to stations, stations to centres) move the same way
with their whole load. Under the density rule (``min_open_groups``) a site
whose county has no open site to spare stays open when emptied (and costs
its cheapest level), and so does a shared point the shared share (两网融合)
cannot spare; plans with a CO₂ cap or an exact site count are left to the
MIP moves (closing a site could break those rows).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from solver import clock
from solver.design.heuristic.repair import cheapest_levels, solution_vector
from solver.design.model import DesignModel

#: Relative improvement below which a move is not made (guards against float churn).
_MIN_GAIN = 1e-9


def shift_moves(model: DesignModel, values: np.ndarray, deadline: float,
                stopped: Callable[[], bool] = lambda: False) -> np.ndarray:
    """Improve a single-sourcing plan by shift moves until none pays or ``deadline`` (perf_counter) passes.

    Returns
    -------
    numpy.ndarray
        The improved vector (checked against every model row), or ``values``
        itself when nothing improved or the instance is not one this applies to.
    """
    a = model.arrays
    if not a.single_source or not a.single_source_upper or a.co2_cap is not None or a.exact_open:
        return values
    state = _State(model, values)
    made = 0
    while clock.now() < deadline and not stopped():
        moved = state.client_pass(deadline, stopped) + state.site_pass(deadline, stopped)
        made += moved
        if not moved:
            break
    if not made:  # every move made lowers the cost, so none means nothing gained
        return values
    found = state.vector()
    before = model.objective_of(values)
    if found is None or model.objective_of(found) >= before - _MIN_GAIN * abs(before):
        return values
    return found


class _State:
    """A whole-client plan as server per client, parent per site and loads, with exact move prices."""

    def __init__(self, model: DesignModel, values: np.ndarray) -> None:
        a = model.arrays
        self.model = model
        self.a = a
        x = values[model.x]
        self.arc_of = np.full(a.n_cli, -1, dtype=np.int64)
        whole = np.flatnonzero(x > 0.5)
        self.arc_of[a.arc_cli[whole]] = whole
        f = values[model.f]
        self.up_of = np.full(a.n_fac, -1, dtype=np.int64)
        sending = np.flatnonzero(f > 1e-9)
        if model.z is not None:
            sending = np.union1d(sending, np.flatnonzero(values[model.z] > 0.5))
        self.up_of[a.up_from[sending]] = sending
        self.load = model.site_loads(values)
        self.levels = [[] for _ in range(a.n_fac)]
        for o in np.argsort(a.opt_cap, kind="stable"):
            self.levels[a.opt_fac[o]].append((float(a.opt_cap[o]), float(a.opt_fixed[o]), float(a.opt_handling[o])))
        self.forced = a.fac_forced.astype(bool)
        self.open = self.load > 1e-12
        self.open[a.opt_fac[np.round(values[model.y]) > 0.5]] = True
        # Density rule: each group's least number of open sites, and how many are open.
        self.groups_of: list[list[int]] = [[] for _ in range(a.n_fac)]
        self.group_least = np.array([count for _, count in a.min_open_groups], dtype=float)
        self.group_open = np.array([self.open[facs].sum() for facs, _ in a.min_open_groups], dtype=float)
        for g, (facs, _) in enumerate(a.min_open_groups):
            for j in facs:
                self.groups_of[int(j)].append(g)
        # 两网融合: shared points among all open points (the lowest tier) keep their least share.
        self.point = a.fac_tier == 0
        self.shared_point = self.point & a.fac_shared.astype(bool)
        self.points_open = int(self.open[self.point].sum())
        self.shared_open = int(self.open[self.shared_point].sum())
        # Sites a side rule may keep open while idle: density-group members, and shared points under a share.
        self.rule_bound = np.array([bool(g) for g in self.groups_of], dtype=bool)
        if a.min_shared_share > 0:
            self.rule_bound |= self.shared_point
        self.arcs_of_client = [[] for _ in range(a.n_cli)]
        for arc in np.argsort(a.arc_cost, kind="stable"):
            self.arcs_of_client[a.arc_cli[arc]].append(int(arc))
        self.ups_of_site = [[] for _ in range(a.n_fac)]
        for u in np.argsort(a.up_cost, kind="stable"):
            self.ups_of_site[a.up_from[u]].append(int(u))

    def stays_open(self, j: int) -> bool:
        """Whether site j stays open when empty: forced, its group has no open site to spare, or
        closing it (a shared point) would bring the shared share below its least."""
        share = self.a.min_shared_share
        return (bool(self.forced[j]) or any(self.group_open[g] <= self.group_least[g] for g in self.groups_of[j])
                or (share > 0 and bool(self.shared_point[j])
                    and self.shared_open - 1 < share * (self.points_open - 1) - 1e-9))

    def site_cost(self, j: int, load: float) -> float:
        if load <= 1e-12 and not self.stays_open(j):
            return 0.0
        best = math.inf
        for cap, fixed, handling in self.levels[j]:
            if cap >= load - 1e-9:
                best = min(best, fixed + handling * load)
        return best

    def chain(self, j: int) -> list[int]:
        """Upper arcs from j to the top tier, in order."""
        out = []
        while self.up_of[j] >= 0:
            u = int(self.up_of[j])
            out.append(u)
            j = int(self.a.up_to[u])
        return out

    def price(self, tonnes: float, old_site: int, new_site: int) -> tuple[float, dict[int, float]]:
        """Cost change of the way up and of site levels when ``tonnes`` leave old_site for new_site."""
        a = self.a
        delta_load: dict[int, float] = {old_site: -tonnes}
        delta_load[new_site] = delta_load.get(new_site, 0.0) + tonnes
        change = 0.0
        for u in self.chain(old_site):
            change -= tonnes * a.up_cost[u]
            to = int(a.up_to[u])
            delta_load[to] = delta_load.get(to, 0.0) - tonnes
        for u in self.chain(new_site):
            change += tonnes * a.up_cost[u]
            to = int(a.up_to[u])
            delta_load[to] = delta_load.get(to, 0.0) + tonnes
        for j, d in delta_load.items():
            if abs(d) > 1e-12:
                change += self.site_cost(j, self.load[j] + d) - self.site_cost(j, self.load[j])
        return change, delta_load

    def client_pass(self, deadline: float, stopped: Callable[[], bool]) -> int:
        a = self.a
        moved = 0
        for v in np.argsort(-a.demand, kind="stable"):
            if clock.now() >= deadline or stopped():
                break
            current = int(self.arc_of[v])
            j = int(a.arc_fac[current])
            found = self._best_shift(float(a.demand[v]), j, (
                (arc, int(a.arc_fac[arc]), a.arc_cost[arc] - a.arc_cost[current]) for arc in self.arcs_of_client[v]),
                -_MIN_GAIN * max(1.0, abs(a.arc_cost[current])))
            if found is not None:
                self.arc_of[v] = found[0]
                self._move(found[1], j)
                moved += 1
        return moved

    def site_pass(self, deadline: float, stopped: Callable[[], bool]) -> int:
        """Move each sending site's whole load to another open upper site."""
        a = self.a
        moved = 0
        for p in np.flatnonzero(self.up_of >= 0):
            if clock.now() >= deadline or stopped():
                break
            current = int(self.up_of[p])
            tonnes = float(self.load[p])
            if tonnes <= 1e-12:
                continue
            j = int(a.up_to[current])
            found = self._best_shift(tonnes, j, (
                (u, int(a.up_to[u]), tonnes * (a.up_cost[u] - a.up_cost[current])) for u in self.ups_of_site[p]),
                -_MIN_GAIN * max(1.0, tonnes * a.up_cost[current]))
            if found is not None:
                self.up_of[p] = found[0]
                self._move(found[1], j)
                moved += 1
        return moved

    def _best_shift(self, tonnes: float, old_site: int, options: Iterable[tuple[int, int, float]],
                    threshold: float) -> tuple[int, dict[int, float]] | None:
        """The best of ``options`` (link id, new server, cost change of the link itself) costing below ``threshold``.

        Returns the link and the load changes of the move, or None.
        """
        best, found = threshold, None
        for link, k, link_change in options:
            if k == old_site or not self.open[k] or (self.up_of[k] < 0 and self.ups_of_site[k]):
                continue
            change, delta_load = self.price(tonnes, old_site, k)
            if change + link_change < best:
                best, found = change + link_change, (link, delta_load)
        return found

    def _move(self, delta_load: dict[int, float], old_site: int) -> None:
        """Apply a move's load changes; an emptied old site closes."""
        for j, d in delta_load.items():
            self.load[j] += d
            if self.open[j] and self.load[j] <= 1e-12 and not self.stays_open(j):
                self.open[j] = False
                for g in self.groups_of[j]:
                    self.group_open[g] -= 1
                self.points_open -= int(self.point[j])
                self.shared_open -= int(self.shared_point[j])
        self._close_if_empty(old_site)

    def _close_if_empty(self, j: int) -> None:
        """An emptied site closes and stops sending up (its chain no longer carries anything)."""
        while j >= 0 and not self.open[j]:
            u = int(self.up_of[j])
            self.up_of[j] = -1
            j = int(self.a.up_to[u]) if u >= 0 else -1

    def vector(self) -> np.ndarray | None:
        a = self.a
        chosen_up = np.zeros(len(a.up_from), dtype=bool)
        chosen_up[self.up_of[self.up_of >= 0]] = True
        flow = np.zeros(len(a.up_from))
        flow[chosen_up] = self.load[a.up_from[chosen_up]]
        levels = cheapest_levels(self.model, self.load, chosen_up, self.open | self.forced,
                                  self.forced | (self.open & self.rule_bound))
        return solution_vector(self.model, self.load, self.arc_of, chosen_up, flow, levels)
