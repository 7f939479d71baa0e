"""The array-level multi-echelon facility-location MIP shared by every network model.

Formulation (a multi-echelon capacitated facility location problem with
modular capacities, after Melo, Nickel & Saldanha-da-Gama 2009, *Facility
location and supply chain management – A review*, EJOR 196(2), and the
strong x ≤ y form of Cornuéjols, Sridharan & Thizy 1991, EJOR 50(3)):

Sets: facilities j (tier 0 collection points, 1 transfer stations, 2 sorting
centres; or a single tier for the OR-Library cases), size options o ∈ O(j)
(capacity Q_o, fixed cost F_o, handling cost h_o per t), clients v (villages)
with demand d_v, client arcs a = (v, j) with cost c_a for serving all of v,
upper arcs u = (j, k) between tiers with cost e_u per tonne.

Variables: y_o ∈ {0,1} (option o open); x_a ∈ [0,1] (share of v served on a,
binary under single sourcing); f_u ≥ 0 (t/yr on upper arc u); z_u ∈ {0,1}
(upper single sourcing); t_o ≥ 0 (throughput of j at option o, when j has
several options or a handling cost).

    min Σ F_o y_o + Σ h_o t_o + Σ c_a x_a + Σ e_u f_u
    Σ_{o∈O(j)} y_o ≤ 1  (= 1 for forced-open j)
    Σ_{a∋v} x_a = 1                                  every client served
    x_a ≤ Σ_{o∈O(j(a))} y_o                          strong linking (x ≤ y)
    Σ_a d_v x_a + Σ_{u→j} f_u = Σ_o t_o,  t_o ≤ Q_o y_o   capacity by size
    Σ_{u from j} f_u = inflow(j)                     flow conservation to the upper tier
    f_u ≤ M_u z_u, Σ_{u from j} z_u = Σ_o y_o(j)     upper single sourcing (option)
    Σ_{sink tier} Q_o y_o ≥ Σ d_v                    aggregate capacity cut
    side constraints: CO₂ cap, open-site limits per tier, fixed-cost budget,
    minimum shared-site share, minimum open counts per group (density rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solver.design.arrays import DesignArrays, index_groups, reachable_inflow, tiers_all_flow_crosses
from solver.mip import MipBuilder


@dataclass(slots=True)
class DesignModel:
    """The built MIP and where each family of variables sits in it."""

    builder: MipBuilder
    arrays: DesignArrays
    y: np.ndarray
    x: np.ndarray
    f: np.ndarray
    z: np.ndarray | None
    t: np.ndarray
    t_opt: np.ndarray

    def site_loads(self, values: np.ndarray) -> np.ndarray:
        """t/yr entering each facility in a full solution vector (clients plus upper inflow)."""
        a = self.arrays
        load = np.zeros(a.n_fac)
        np.add.at(load, a.arc_fac, a.demand[a.arc_cli] * values[self.x])
        np.add.at(load, a.up_to, values[self.f])
        return load

    def objective_of(self, values: np.ndarray) -> float:
        """Objective value of a full solution vector."""
        return float(self.builder.arrays()[3] @ values)


def build_design(a: DesignArrays, *, every_tier_cuts: bool = False) -> DesignModel:
    """Build the MIP of the module formulation from arrays.

    ``every_tier_cuts`` adds the aggregate capacity cut and its rounding on
    every tier all material crosses, not only the sink: they lift the bound a
    little (Datong's relaxation without the lowest tier: LP 64.20 -> 64.58 M
    CNY/yr) but change HiGHS's search in the heuristic's sub-MIPs (Datong
    60 s: 71.67 M with them everywhere, 71.38 M without), so only the bound
    stage asks for them.

    Returns
    -------
    DesignModel
        The builder with the column ids of y, x, f, z and t.
    """
    b = MipBuilder()
    n_opt = len(a.opt_fac)
    opts_per_fac = np.bincount(a.opt_fac, minlength=a.n_fac)
    fac_has_up_in = np.zeros(a.n_fac, dtype=bool)
    fac_has_up_in[a.up_to] = True
    # Facilities with one option and no upper inflow carry handling in the arc cost.
    first_opt = np.full(a.n_fac, -1, dtype=np.int64)
    first_opt[a.opt_fac[::-1]] = np.arange(n_opt)[::-1]
    needs_t = (opts_per_fac > 1) | fac_has_up_in
    fold_h = np.where(needs_t | (first_opt < 0), 0.0, a.opt_handling[np.maximum(first_opt, 0)])

    y = b.add_vars(n_opt, ub=1.0, integer=True, cost=a.opt_fixed)
    arc_cost = a.arc_cost + fold_h[a.arc_fac] * a.demand[a.arc_cli]
    x = b.add_vars(len(a.arc_cli), ub=1.0, integer=a.single_source, cost=arc_cost)
    total_demand = float(a.demand.sum())
    # No site can take more than reaches it: capacities above that are cut to it
    # (a valid, much tighter coefficient for a big level at a remote point).
    cap_eff = np.minimum(a.opt_cap, reachable_inflow(a)[a.opt_fac])
    cap_max_fac = np.zeros(a.n_fac)
    np.maximum.at(cap_max_fac, a.opt_fac, cap_eff)
    up_cost = a.up_cost + fold_h[a.up_to]
    up_ub = np.minimum(cap_max_fac[a.up_from], cap_max_fac[a.up_to]) if len(a.up_from) else np.zeros(0)
    f = b.add_vars(len(a.up_from), ub=up_ub, cost=up_cost)
    t_opt = np.flatnonzero(needs_t[a.opt_fac])
    t = b.add_vars(len(t_opt), ub=cap_eff[t_opt], cost=a.opt_handling[t_opt])

    # One option per facility; forced facilities open.
    forced = a.fac_forced.astype(bool)
    b.add_rows(a.n_fac, a.opt_fac, y, 1.0, lb=np.where(forced, 1.0, -math.inf), ub=1.0)
    # Every client served.
    b.add_rows(a.n_cli, a.arc_cli, x, 1.0, lb=1.0, ub=1.0)
    # Strong linking x_a <= sum of the facility's options.
    n_arc = len(x)
    opt_of_fac = index_groups(a.opt_fac, a.n_fac)
    rows, cols, vals = [np.arange(n_arc)], [x], [np.ones(n_arc)]
    for k in range(int(opts_per_fac.max()) if n_opt else 0):
        has = opts_per_fac[a.arc_fac] > k
        rows.append(np.flatnonzero(has))
        cols.append(y[opt_of_fac[a.arc_fac[has], k]])
        vals.append(-np.ones(int(has.sum())))
    b.add_rows(n_arc, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), ub=0.0)

    # Capacity / throughput per facility.
    inflow_rows = [a.arc_fac, a.up_to]
    inflow_cols = [x, f]
    inflow_vals = [a.demand[a.arc_cli], np.ones(len(f))]
    # rows: inflow - sum_o cap_o y_o <= 0   (facilities without t vars)
    # (uncapacitated facilities need no row: x <= y already links them)
    finite_fac = np.ones(a.n_fac, dtype=bool)
    np.logical_and.at(finite_fac, a.opt_fac, np.isfinite(a.opt_cap))
    cap_fac = np.flatnonzero(~needs_t & (opts_per_fac > 0) & finite_fac)
    cap_row = np.full(a.n_fac, -1, dtype=np.int64)
    cap_row[cap_fac] = np.arange(len(cap_fac))
    sel = [cap_row[r] >= 0 for r in inflow_rows]
    capped_opt = cap_row[a.opt_fac] >= 0
    b.add_rows(len(cap_fac),
               np.concatenate([cap_row[r][s] for r, s in zip(inflow_rows, sel, strict=True)]
                              + [cap_row[a.opt_fac][capped_opt]]),
               np.concatenate([c[s] for c, s in zip(inflow_cols, sel, strict=True)] + [y[capped_opt]]),
               np.concatenate([v[s] for v, s in zip(inflow_vals, sel, strict=True)]
                              + [-cap_eff[capped_opt]]),
               ub=0.0)
    # rows: inflow - sum_o t_o = 0 and t_o <= cap_o y_o  (facilities with t vars)
    t_fac = np.flatnonzero(needs_t)
    t_row = np.full(a.n_fac, -1, dtype=np.int64)
    t_row[t_fac] = np.arange(len(t_fac))
    sel = [t_row[r] >= 0 for r in inflow_rows]
    b.add_rows(len(t_fac),
               np.concatenate([t_row[r][s] for r, s in zip(inflow_rows, sel, strict=True)]
                              + [t_row[a.opt_fac[t_opt]]]),
               np.concatenate([c[s] for c, s in zip(inflow_cols, sel, strict=True)] + [t]),
               np.concatenate([v[s] for v, s in zip(inflow_vals, sel, strict=True)] + [-np.ones(len(t))]),
               lb=0.0, ub=0.0)
    b.add_rows(len(t), np.concatenate([np.arange(len(t))] * 2), np.concatenate([t, y[t_opt]]),
               np.concatenate([np.ones(len(t)), -cap_eff[t_opt]]), ub=0.0)

    # Flow conservation: what enters a facility with upper arcs leaves on them.
    out_fac = np.unique(a.up_from)
    out_row = np.full(a.n_fac, -1, dtype=np.int64)
    out_row[out_fac] = np.arange(len(out_fac))
    sel = [out_row[r] >= 0 for r in inflow_rows]
    b.add_rows(len(out_fac),
               np.concatenate([out_row[r][s] for r, s in zip(inflow_rows, sel, strict=True)]
                              + [out_row[a.up_from]]),
               np.concatenate([c[s] for c, s in zip(inflow_cols, sel, strict=True)] + [f]),
               np.concatenate([v[s] for v, s in zip(inflow_vals, sel, strict=True)] + [-np.ones(len(f))]),
               lb=0.0, ub=0.0)
    # Open lower sites with upper arcs must send somewhere open: f_u <= M * open(to).
    n_up = len(f)
    z = None
    if n_up:
        up_rows = [np.arange(n_up)]
        up_cols = [f]
        up_vals = [np.ones(n_up)]
        if a.single_source_upper:
            z = b.add_vars(n_up, ub=1.0, integer=True)
            b.add_rows(n_up, np.concatenate([np.arange(n_up)] * 2), np.concatenate([f, z]),
                       np.concatenate([np.ones(n_up), -up_ub]), ub=0.0)
            # sum_u z_u = open(from);  z_u <= open(to)
            b.add_rows(len(out_fac), np.concatenate([out_row[a.up_from], out_row[a.opt_fac][out_row[a.opt_fac] >= 0]]),
                       np.concatenate([z, y[out_row[a.opt_fac] >= 0]]),
                       np.concatenate([np.ones(n_up), -np.ones(int((out_row[a.opt_fac] >= 0).sum()))]),
                       lb=0.0, ub=0.0)
            up_cols, up_vals = [z], [np.ones(n_up)]
        for k in range(int(opts_per_fac.max())):
            has = opts_per_fac[a.up_to] > k
            up_rows.append(np.flatnonzero(has))
            up_cols.append(y[opt_of_fac[a.up_to[has], k]])
            coef = -np.ones(int(has.sum())) if a.single_source_upper else -up_ub[has]
            up_vals.append(coef)
        b.add_rows(n_up, np.concatenate(up_rows), np.concatenate(up_cols), np.concatenate(up_vals), ub=0.0)

    # Every tier that all material crosses holds all of it (aggregate capacity cut),
    # so it needs at least ⌈demand / largest size⌉ open sites (its integer rounding).
    # Only the sink's capacity cut unless asked for all (see ``build_design``).
    crossed = tiers_all_flow_crosses(a)
    for tier in crossed if every_tier_cuts else [t for t in crossed if t == a.fac_tier.max()]:
        tier_opt = a.fac_tier[a.opt_fac] == tier
        if np.all(np.isfinite(a.opt_cap[tier_opt])):
            b.add_row(y[tier_opt], cap_eff[tier_opt], lb=total_demand)
            if every_tier_cuts and total_demand > 0:
                b.add_row(y[tier_opt], 1.0, lb=float(math.ceil(total_demand / cap_eff[tier_opt].max() - 1e-9)))
    _side_constraints(b, a, y, x, f)
    return DesignModel(b, a, y, x, f, z, t, t_opt)


def _side_constraints(b: MipBuilder, a: DesignArrays, y: np.ndarray, x: np.ndarray, f: np.ndarray) -> None:
    opt_tier = a.fac_tier[a.opt_fac]
    if a.co2_cap is not None:
        b.add_row(np.concatenate([x, f]), np.concatenate([a.arc_co2, a.up_co2]), ub=a.co2_cap)
    for tier, limit in a.max_open.items():
        b.add_row(y[opt_tier == tier], 1.0, ub=float(limit))
    for tier, count in a.exact_open.items():
        b.add_row(y[opt_tier == tier], 1.0, lb=float(count), ub=float(count))
    if a.max_fixed is not None:
        b.add_row(y, a.opt_fixed, ub=a.max_fixed)
    if a.min_shared_share > 0:
        tier0 = opt_tier == 0
        coef = np.where(a.fac_shared[a.opt_fac], 1.0 - a.min_shared_share, -a.min_shared_share)
        b.add_row(y[tier0], coef[tier0], lb=0.0)
    for facs, count in a.min_open_groups:
        member = np.isin(a.opt_fac, facs)
        b.add_row(y[member], 1.0, lb=float(count))


