"""A relaxation of a multi-tier design without its lowest tier, for a stronger bound.

On the three-tier regions the LP relaxation of the full model is weak in the
transfer-station tier: a point's flow to the stations is linked to their
opening only by ``f ≤ M z``, so the LP opens a small share of several stations
and sends each point's whole flow to the nearest (Hami: LP 18.30 M CNY/yr,
best plans 19.42–19.45 M; the gap sits in station fixed cost and point→station
transport). Removing the lowest tier gives a smaller problem whose
client-to-station arcs carry the strong per-village link ``x ≤ y``:

* every client arc (v, p) to a lowest-tier site p and every upper arc (p, s)
  become one arc (v, s) costing ``c(v, p) + d_v · (u_vp + e(p, s))``, where
  ``u_vp = min_o (F_o / Q'_o + h_o)`` is the least cost per tonne of p over
  its sizes (Q'_o the capacity cut to what can reach p) — under single
  sourcing only over sizes with ``Q'_o ≥ d_v``, since p then holds all of v;
  per (v, s) the cheapest such path is kept;
* client arcs to higher tiers (mobile collection at a station) stay;
* the higher tiers, their sizes, capacities and upper arcs stay as they are;
* side constraints on the removed tier (its site limits, the shared-site
  share, density minimums) and forced lowest-tier sites are dropped; limits
  on higher tiers, the fixed-cost budget and the CO₂ cap stay (each (v, s)
  arc carries the least CO₂ of the paths it stands for, so it dominates every
  one of them in cost and CO₂ at once).

Density minimums (``min_open_groups`` on the removed tier, in disjoint
groups) still say something: every plan opens at least ``count`` sites of
each group, so the removed tier's fixed cost is at least C, the sum of each
group's ``count`` least fixed costs. For any λ in [0, 1],
``F·y ≥ λ·F·y + (1 − λ)·(F/Q')·t``, so charging the removed sites
``(1 − λ)·F/Q' + h`` per tonne and adding ``λ·C`` (``offset``) is a
relaxation too. λ = 0 is the construction above; with groups, λ = 1 is
taken instead when its path bound (``solver.design.bounds.path.path_bound``) plus C is
higher — Datong with the density rule needs 538 points (C = 7.30 M CNY/yr),
where the plans without the rule open 16.

Why it is a relaxation: map any plan of the full model to this one by routing
each village on the arc (v, s) of the station its point sends to. Its cost is
at most the full plan's, since a point at size o with load L costs
F_o + h_o·L ≥ L·(F_o/Q'_o + h_o) ≥ L·u_vp for each village v it serves (whose
d_v ≤ L ≤ Q'_o under single sourcing), and every other cost and constraint
is unchanged or dropped. Under split sourcing the shares multiply and each
(v, s) share stays below the station's opening. So any proven lower bound of
this problem (its LP, or a MIP's dual bound) bounds the full problem; on Hami
its LP alone is 18.63 M (0.4 s) against the full LP's 18.30 M (2.3 s), and
its MIP with shares split (a relaxation still) is proven optimal at 19.05 M
in about 30 s, where 60 s of the full MIP prove 18.59 M.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.design.arrays import DesignArrays, client_slices, index_groups, reachable_inflow
from solver.design.bounds.path import path_bound


@dataclass(frozen=True, slots=True)
class CollapsedDesign:
    """The relaxation and how it maps back to the full instance.

    ``arrays`` is the relaxed instance; ``options`` the full-instance index of
    each of its size options; ``offset`` the cost every plan pays beyond the
    relaxed objective (its bounds plus ``offset`` bound the full instance).
    """

    arrays: DesignArrays
    options: np.ndarray
    offset: float = 0.0


def collapse_lowest_tier(a: DesignArrays) -> CollapsedDesign | None:
    """The relaxation of the module docstring, or None when ``a`` has no tier above its lowest.

    Returns
    -------
    CollapsedDesign or None
        Facilities of the higher tiers only (in their original order, options
        too), with the same clients; its lower bounds plus ``offset`` bound ``a``.
    """
    low_tier = int(a.fac_tier.min()) if a.n_fac else 0
    if not np.any(a.fac_tier[a.up_from] == low_tier):
        return None
    plain = _collapse(a, low_tier, fixed_weight=1.0)
    least_fixed = _least_fixed_of_minimums(a, low_tier)
    if least_fixed <= 0:
        return plain
    fixed_paid = _collapse(a, low_tier, fixed_weight=0.0)
    fixed_paid = CollapsedDesign(fixed_paid.arrays, fixed_paid.options, least_fixed)
    return max((plain, fixed_paid), key=lambda c: path_bound(c.arrays) + c.offset)


def _least_fixed_of_minimums(a: DesignArrays, tier: int) -> float:
    """The least fixed cost ``tier``'s group minimums force (0 without groups, or if groups overlap)."""
    groups = [(facs, count) for facs, count in a.min_open_groups if np.all(a.fac_tier[facs] == tier)]
    members = np.concatenate([facs for facs, _ in groups]) if groups else np.zeros(0, dtype=np.int64)
    if not groups or len(np.unique(members)) < len(members):
        return 0.0
    least = np.full(a.n_fac, np.inf)
    np.minimum.at(least, a.opt_fac, a.opt_fixed)
    return float(sum(np.sort(least[facs][np.isfinite(least[facs])])[:int(count)].sum() for facs, count in groups))


def _collapse(a: DesignArrays, low_tier: int, *, fixed_weight: float) -> CollapsedDesign:
    """The relaxation with the lowest tier's fixed costs charged per tonne times ``fixed_weight`` (1 − λ)."""
    low_up = np.flatnonzero(a.fac_tier[a.up_from] == low_tier)
    keep_fac = a.fac_tier > low_tier
    new_id = np.full(a.n_fac, -1, dtype=np.int64)
    new_id[keep_fac] = np.arange(int(keep_fac.sum()))

    # Every path client arc (to the lowest tier) x upper arc leaving that site.
    low_arcs = np.flatnonzero(a.fac_tier[a.arc_fac] == low_tier)
    low_up = low_up[np.argsort(a.up_from[low_up], kind="stable")]
    first, end = client_slices(low_up, a.up_from, a.n_fac)  # each site's upper arcs in low_up
    count = end - first
    per_arc = count[a.arc_fac[low_arcs]]
    path_arc = np.repeat(low_arcs, per_arc)
    within = np.arange(len(path_arc)) - np.repeat(np.cumsum(per_arc) - per_arc, per_arc)
    path_up = low_up[np.repeat(first[a.arc_fac[low_arcs]], per_arc) + within]
    tonnes = a.demand[a.arc_cli[path_arc]]
    unit = _least_cost_per_tonne(a, a.arc_fac[path_arc], tonnes if a.single_source else np.zeros(len(path_arc)),
                                 fixed_weight)
    path_cost = a.arc_cost[path_arc] + tonnes * (unit + a.up_cost[path_up])
    usable = np.isfinite(path_cost)  # under single sourcing, not through a point too small for v

    direct = np.flatnonzero(a.fac_tier[a.arc_fac] > low_tier)
    cli = np.concatenate([a.arc_cli[path_arc[usable]], a.arc_cli[direct]])
    fac = np.concatenate([a.up_to[path_up[usable]], a.arc_fac[direct]])
    cost = np.concatenate([path_cost[usable], a.arc_cost[direct]])
    co2 = np.concatenate([a.arc_co2[path_arc[usable]] + tonnes[usable] * a.up_co2[path_up[usable]],
                          a.arc_co2[direct]])
    # The cheapest arc per (client, server) pair, carrying the least CO₂ of the pair's arcs: it
    # dominates each of them in both, so the CO₂ cap can stay.
    pair = cli * a.n_fac + fac
    order = np.lexsort((cost, pair))
    lead = np.ones(len(order), dtype=bool)
    lead[1:] = pair[order][1:] != pair[order][:-1]
    kept = order[lead]
    least_co2 = np.minimum.reduceat(co2[order], np.flatnonzero(lead)) if len(order) else co2[kept]

    upper = a.fac_tier[a.up_from] > low_tier
    opts = keep_fac[a.opt_fac]
    groups = [(new_id[facs], count) for facs, count in a.min_open_groups if np.all(keep_fac[facs])]
    relaxed = DesignArrays(
        fac_tier=a.fac_tier[keep_fac], fac_forced=a.fac_forced[keep_fac], fac_shared=a.fac_shared[keep_fac],
        opt_fac=new_id[a.opt_fac[opts]], opt_fixed=a.opt_fixed[opts], opt_cap=a.opt_cap[opts],
        opt_handling=a.opt_handling[opts], demand=a.demand,
        arc_cli=cli[kept], arc_fac=new_id[fac[kept]], arc_cost=cost[kept], arc_co2=least_co2, co2_cap=a.co2_cap,
        up_from=new_id[a.up_from[upper]], up_to=new_id[a.up_to[upper]], up_cost=a.up_cost[upper],
        up_co2=a.up_co2[upper],
        single_source=a.single_source and a.single_source_upper, single_source_upper=a.single_source_upper,
        max_open={t: n for t, n in a.max_open.items() if t > low_tier},
        exact_open={t: n for t, n in a.exact_open.items() if t > low_tier},
        max_fixed=a.max_fixed, min_open_groups=groups)
    return CollapsedDesign(relaxed, np.flatnonzero(opts))


def _least_cost_per_tonne(a: DesignArrays, site: np.ndarray, least_load: np.ndarray,
                          fixed_weight: float = 1.0) -> np.ndarray:
    """Per pair (site, least load): ``min_o w·F_o / Q'_o + h_o`` over the site's options with ``Q'_o >= load``.

    ``Q'_o`` is the option's capacity cut to what can reach the site, ``w``
    is ``fixed_weight``; inf where no option fits.
    """
    cap_eff = np.minimum(a.opt_cap, reachable_inflow(a)[a.opt_fac])
    unit_of_opt = fixed_weight * a.opt_fixed / np.maximum(cap_eff, 1e-9) + a.opt_handling
    opts = index_groups(a.opt_fac, a.n_fac)[site]  # each pair's options, -1 padded
    fits = (opts >= 0) & (cap_eff[opts] >= least_load[:, None] - 1e-9)
    return np.where(fits, unit_of_opt[opts], np.inf).min(axis=1, initial=np.inf)
