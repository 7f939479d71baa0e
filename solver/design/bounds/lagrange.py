"""A Lagrangian lower bound for design instances too large for their LP in the time.

On the largest bundled regions the relaxation without the lowest tier
(``solver.design.bounds.collapse``) has ~45,000 arcs, and its LP takes HiGHS 30–50 s
alone (dual simplex or interior point) and does not finish in a 60 s solve
beside the heuristic, which then reports only the instant path bound. This
bound reaches the neighbourhood of that LP in seconds of numpy.

Dualise two families of constraints of the model of ``solver.design.model``:

* every client served, ``Σ_a∋v x_a = 1``, with a price ``μ_v`` per tonne of
  client v (so ``μ_v d_v`` per client);
* every site that passes its load on does so, ``inflow_j = outflow_j``, with
  a price ``λ_j`` per tonne entering site j (0 at sites without upper arcs).

What remains falls apart into one problem per site: pick at most one size
option o (exactly one if the site is forced open) and fill it, up to its
capacity Q'_o (cut to what can reach the site, as ``solver.design.model`` does),
with tonnes of its incoming arcs: a client arc a = (v, j) at
``c_a / d_v − μ_v + λ_j + h_o`` per tonne (at most d_v tonnes), an upper arc
u = (i, j) at ``e_u − λ_i + λ_j + h_o`` (at most the largest capacity of i,
which its outflow cannot exceed). That is a continuous knapsack: the
cheapest tonnes first while they cost less than nothing, then F_o added; the
site takes its best option, or stays closed at 0. For any prices,

    L(μ, λ) = Σ_v μ_v d_v + Σ_j (site j's value)

is a lower bound on every plan: the constraints kept are a relaxation of the
model's (single sourcing, the upper big-M links, site limits, budgets and the
CO₂ cap are dropped), and each site problem is solved exactly. Each site's
problem is the LP of itself (it scales with its open variable), so the best
L equals the LP bound with the strong link x ≤ y; subgradient steps
(Polyak's, towards the best known plan) approach it.

Starting prices: μ_v the cheapest path of v per tonne and λ_j the cheapest
way up from j per tonne, with every site charged min_o (F_o / Q'_o + h_o);
then every site's value is 0 and L is exactly the path bound
(``solver.design.bounds.path.path_bound``), so the bound never starts below it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver import clock
from solver.design.arrays import (
    DesignArrays,
    index_groups,
    largest_cap,
    level_costs,
    reachable_inflow,
    tiers_all_flow_crosses,
    unit_costs,
)
from solver.design.bounds.cover import CoverKnapsack

#: Polyak step factor at the start; halved after ``STALL_ITERATIONS`` steps without a better bound
#: (Kashgar: 73.66 M CNY/yr in 4.2 s with 12, 73.99 M in 6.3 s with 20).
STEP_START = 1.0
STALL_ITERATIONS = 10
#: Stop when the step factor falls below this.
STEP_MIN = 1e-4
#: Weight of each step's open options in ``LagrangianBound.option_share``.
SHARE_WEIGHT = 0.05


@dataclass(frozen=True, slots=True)
class LagrangianBound:
    """The best bound found, after how many subgradient steps and seconds."""

    bound: float
    path_bound: float
    iterations: int
    time_s: float
    #: Per size option, how often the subproblems opened it lately (an exponential average over
    #: the steps, ``SHARE_WEIGHT`` per step): an estimate of the LP's y where the LP is too large to solve.
    option_share: np.ndarray | None = None


class _Knapsacks:
    """Every site's incoming arcs as items, and each site's continuous knapsack per option."""

    def __init__(self, a: DesignArrays) -> None:
        self.a = a
        self.n_arc = len(a.arc_cli)
        # Items: client arcs first, then upper arcs; each enters one site.
        self.site = np.concatenate([a.arc_fac, a.up_to]).astype(np.int64)
        self.ub = np.concatenate([a.demand[a.arc_cli], largest_cap(a)[a.up_from]])
        self.cap = np.minimum(a.opt_cap, reachable_inflow(a)[a.opt_fac])
        self.options = index_groups(a.opt_fac, a.n_fac)  # (site, slot) → option, −1 padded
        self.forced = a.fac_forced.astype(bool)
        self.covers = []
        for tier in tiers_all_flow_crosses(a):
            sites = np.flatnonzero(a.fac_tier == tier)
            cover = CoverKnapsack(sites, self.options[sites], self.cap, self.forced[sites], float(a.demand.sum()))
            if cover.binding:
                self.covers.append(cover)

    def solve(self, per_t: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Sites' values summed, the tonnes each item carries and the option each site opens (−1 closed),
        for item costs ``per_t`` (CNY/t before handling)."""
        a = self.a
        order = np.lexsort((per_t, self.site))
        site, cost, ub = self.site[order], per_t[order], self.ub[order]
        counts = np.bincount(site, minlength=a.n_fac)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        # Prefix sums over the sorted items, restarted at every site.
        tonnes = np.concatenate([[0.0], np.cumsum(ub)])
        spend = np.concatenate([[0.0], np.cumsum(cost * ub)])
        rank = np.arange(len(order)) - start[site]
        within = tonnes[1:] - tonnes[start[site]]  # tonnes up to and including each item, in its site
        slots = self.options.shape[1]
        values = np.full((a.n_fac, slots), np.inf)
        fulls = np.zeros((a.n_fac, slots), dtype=np.int64)
        partials = np.zeros((a.n_fac, slots))
        for slot in range(slots):
            opt = self.options[:, slot]
            has = opt >= 0
            o = np.where(has, opt, 0)
            h, q = a.opt_handling[o], self.cap[o]
            # Items worth taking (cost + handling < 0) and items that fit whole, per site.
            worth = np.bincount(site, weights=(cost + h[site] < 0), minlength=a.n_fac).astype(np.int64)
            fit = np.bincount(site, weights=(within <= q[site] + 1e-9), minlength=a.n_fac).astype(np.int64)
            full = np.minimum(worth, fit)
            partial = np.zeros(a.n_fac)
            cut = has & (fit < worth)  # capacity binds inside the worthwhile items
            part_item = start[cut] + full[cut]
            partial[cut] = q[cut] - (tonnes[part_item] - tonnes[start[cut]])
            end = start + full
            value = (a.opt_fixed[o] + h * (tonnes[end] - tonnes[start]) + (spend[end] - spend[start]))
            value[cut] += partial[cut] * (cost[part_item] + h[cut])
            values[has, slot], fulls[:, slot], partials[:, slot] = value[has], full, partial
        # Each site alone: its best option, or closed at 0 unless forced open.
        best_slot = np.argmin(values, axis=1)
        best_value = values[np.arange(a.n_fac), best_slot]
        closed = ~self.forced & ~(best_value < 0)
        best_option = np.where(closed, -1, self.options[np.arange(a.n_fac), best_slot])
        best_value = np.where(closed, 0.0, best_value)
        total = float(best_value.sum())
        # Sites of a tier every tonne crosses: together, the cheapest cover of the demand.
        for cover in self.covers:
            value, chosen = cover.choose(values[cover.sites])
            total += value - float(best_value[cover.sites].sum())
            best_option[cover.sites] = chosen
        chosen_slot = np.argmax(self.options == best_option[:, None], axis=1)
        take_full = fulls[np.arange(a.n_fac), chosen_slot]
        take_part = partials[np.arange(a.n_fac), chosen_slot]
        carried_sorted = np.where(rank < take_full[site], ub, 0.0)
        at_part = rank == take_full[site]
        carried_sorted[at_part] = take_part[site[at_part]]
        carried_sorted[best_option[site] < 0] = 0.0
        carried = np.empty_like(carried_sorted)
        carried[order] = carried_sorted
        return total, carried, best_option


def lagrangian_bound(a: DesignArrays, *, deadline: float, best_plan: Callable[[], float] = lambda: math.inf,
                     stopped: Callable[[], bool] = lambda: False) -> LagrangianBound:
    """The best Lagrangian bound found by subgradient steps until ``deadline`` (``solver.clock.now``).

    ``best_plan`` gives the objective of the best plan known so far (the
    Polyak steps aim at it; ``inf`` while there is none); ``stopped`` ends
    the steps early.
    """
    began = clock.now()
    sites = _Knapsacks(a)
    cap_eff = sites.cap
    unit = unit_costs(a, np.zeros(a.n_fac, dtype=bool), cap_eff)
    level = level_costs(a, cap_eff)
    passes_on = np.zeros(a.n_fac, dtype=bool)
    passes_on[a.up_from] = True
    lam = np.where(passes_on, unit - level, 0.0)
    d = a.demand[a.arc_cli]
    arc_per_t = np.divide(a.arc_cost, d, out=np.zeros_like(a.arc_cost), where=d > 0)
    mu = np.full(a.n_cli, np.inf)
    np.minimum.at(mu, a.arc_cli, arc_per_t + unit[a.arc_fac])
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(lam))):
        return LagrangianBound(-math.inf, -math.inf, 0, clock.now() - began)
    share = np.zeros(len(a.opt_fac))
    start_bound = best = float(mu @ a.demand)
    step, since_better, iterations = STEP_START, 0, 0
    while step >= STEP_MIN and clock.now() < deadline and not stopped():
        per_t = np.concatenate([arc_per_t - mu[a.arc_cli] + lam[a.arc_fac],
                                a.up_cost - lam[a.up_from] + lam[a.up_to]])
        sites_value, carried, opened = sites.solve(per_t)
        value = float(mu @ a.demand) + sites_value
        iterations += 1
        share *= 1.0 - SHARE_WEIGHT
        share[opened[opened >= 0]] += SHARE_WEIGHT
        if value > best + 1e-9 * abs(best):
            best, since_better = value, 0
        else:
            since_better += 1
            if since_better >= STALL_ITERATIONS:
                step, since_better = step / 2, 0
        # Subgradients in tonnes: clients' unserved tonnes, sites' inflow not passed on.
        served = np.bincount(a.arc_cli, weights=carried[:sites.n_arc], minlength=a.n_cli)
        g_mu = a.demand - served
        inflow = np.bincount(sites.site, weights=carried, minlength=a.n_fac)
        outflow = np.bincount(a.up_from, weights=carried[sites.n_arc:], minlength=a.n_fac)
        g_lam = np.where(passes_on, inflow - outflow, 0.0)
        norm = float(g_mu @ g_mu + g_lam @ g_lam)
        if norm <= 1e-12:  # the relaxed solution is a plan: the bound is its value
            share[:] = 0.0
            share[opened[opened >= 0]] = 1.0
            return LagrangianBound(best, start_bound, iterations, clock.now() - began, share)
        target = best_plan()
        if not math.isfinite(target) or target <= best:
            target = best + 0.05 * abs(best) + 1.0
        move = step * (target - value) / norm
        mu += move * g_mu
        lam += move * g_lam
    if iterations:  # an average of the steps made, however few
        share /= 1.0 - (1.0 - SHARE_WEIGHT) ** iterations
    return LagrangianBound(best, start_bound, iterations, clock.now() - began, share)
