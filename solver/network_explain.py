"""Why no network plan exists, in a planner's terms and by area.

Cheap pre-checks run before any solve; when the solver still reports the
model infeasible, each optional side constraint is relaxed in turn on the LP
relaxation to name the one that cannot be met.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from network.network_params import NetworkParams
from network.scenario import Scenario
from network.sites import Tier
from solver.network_data import TIERS, NetworkData
from solver.network_flow import CarriedFlow, carried_flow
from solver.network_greedy import _largest_cap
from solver.network_mip import solve_mip
from solver.network_model import DesignArrays, build_design

_MAX_LISTED = 12


def precheck(scenario: Scenario, params: NetworkParams, data: NetworkData) -> list[str]:
    """Reasons, by area, why no plan can exist (empty when none is found cheaply)."""
    a = data.arrays
    reasons: list[str] = []
    vil = [v for v, m in zip(data.villages, data.modelled, strict=True) if m]
    has_arc = np.zeros(a.n_cli, dtype=bool)
    has_arc[a.arc_cli] = True
    stranded: dict[str, list[str]] = defaultdict(list)
    for i in np.flatnonzero(~has_arc):
        v = vil[i]
        stranded[v.county_code].append(f"{v.name} {v.village_id}")
    for county, names in sorted(stranded.items()):
        mobile = (f" and no transfer station within mobile_max_distance_km = {params.mobile_max_distance_km:g} km"
                  if params.allow_mobile_collection else "")
        reasons.append(f"{scenario.county_name(county)} ({county}): {len(names)} villages have no collection "
                       f"point within the coverage distance (urban {params.max_distance_urban_km:g} km, rural "
                       f"{params.max_distance_rural_km:g} km){mobile}: {_listed(names)}; add candidate points or raise "
                       "max_distance_*_km")
    cap_max = _largest_cap(a)
    if a.single_source:
        reasons += _oversized_villages(scenario, params, data, cap_max, vil)
    # Demand vs the capacity every route passes (the capacity network's minimum cut),
    # for the villages that have a route at all (the others are listed above).
    flow = carried_flow(dataclasses.replace(a, demand=np.where(has_arc, a.demand, 0.0)))
    if flow.short_t > 0:
        reasons.append(_bottleneck(scenario, data, flow, vil, cap_max))
    for site, why in data.dropped:
        if site.status.forced_open:
            reasons.append(f"{site.tier.label} {site.site_id} ({scenario.county_name(site.county_code)}) is "
                           f"forced open ({site.status}) but has {why}")
    # Forced sites vs budgets.
    min_fixed = np.full(a.n_fac, np.inf)
    np.minimum.at(min_fixed, a.opt_fac, a.opt_fixed)
    forced = a.fac_forced.astype(bool)
    for tier_key, limit in params.max_sites.items():
        tier = Tier(tier_key)
        if tier not in TIERS:
            continue
        n_forced = int(forced[a.fac_tier == TIERS.index(tier)].sum())
        if n_forced > limit:
            names = ", ".join(s.site_id for s, f in zip(data.sites, forced, strict=True) if f and s.tier is tier)
            reasons.append(f"{tier.label}: {n_forced} sites are forced open (existing/required: {names}) but "
                           f"max_sites allows {limit}")
    if params.max_fixed_cost_cny is not None and forced.any():
        forced_fixed = float(min_fixed[forced].sum())
        if forced_fixed > params.max_fixed_cost_cny + 1e-6:
            reasons.append(f"forced-open sites cost at least {forced_fixed:,.0f} CNY/yr in fixed cost, above "
                           f"max_fixed_cost_cny = {params.max_fixed_cost_cny:,.0f}")
    if params.min_shared_point_share > 0 and not np.any(a.fac_shared[a.fac_tier == 0]):
        reasons.append(f"min_shared_point_share = {params.min_shared_point_share:g} but no usable candidate "
                       "collection point is shared with a garbage-sorting point (两网融合)")
    return reasons


def _bottleneck(scenario: Scenario, data: NetworkData, flow: CarriedFlow, vil: list, cap_max: np.ndarray) -> str:
    """The minimum cut in words: which villages, how much, and which sites all their routes pass."""
    a = data.arrays
    members = flow.cut_clients[a.demand[flow.cut_clients] > 0]
    where = _listed([f"{scenario.county_name(c)} ({c})" for c in sorted({vil[i].county_code for i in members})])
    passes = []
    for t, tier in enumerate(TIERS):
        sites = flow.cut_sites[a.fac_tier[flow.cut_sites] == t]
        if len(sites):
            passes.append(f"{tier.label} ×{len(sites)} ({float(cap_max[sites].sum()):,.0f} t/yr: "
                          f"{_listed([data.sites[j].site_id for j in sites])})")
    passes = "; ".join(passes)
    return (f"{where}: {len(members)} villages generate {float(a.demand[members].sum()):,.0f} t/yr, but every "
            f"route of theirs to a sorting centre passes {passes}, at their largest size levels; "
            f"{flow.short_t:,.0f} t/yr cannot be carried. Add candidates or larger size levels there, or raise "
            "the coverage and distance limits")


def _listed(names: list[str]) -> str:
    """The first ``_MAX_LISTED`` names, and how many more."""
    more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
    return ", ".join(names[:_MAX_LISTED]) + more


def _oversized_villages(scenario: Scenario, params: NetworkParams, data: NetworkData, cap_max: np.ndarray,
                        vil: list) -> list[str]:
    """Under single sourcing, villages too big for any point they reach must fit the mobile stations."""
    a = data.arrays
    point_arc = ~data.arc_mobile
    best_point = np.zeros(a.n_cli)
    np.maximum.at(best_point, a.arc_cli[point_arc], cap_max[a.arc_fac[point_arc]])
    big = a.demand > best_point + 1e-9
    reasons: list[str] = []
    by_county: dict[str, list[int]] = defaultdict(list)
    members_all = np.flatnonzero(big)
    if not len(members_all):
        return reasons
    # Max flow (Hall's condition) from the oversized villages to the stations they reach by mobile collection.
    arcs = np.flatnonzero(np.isin(a.arc_cli, members_all) & data.arc_mobile)
    stations = np.unique(a.arc_fac[arcs])
    n_v, n_s = len(members_all), len(stations)
    v_index = {int(v): i for i, v in enumerate(members_all)}
    s_index = {int(j): i for i, j in enumerate(stations)}
    source, sink = n_v + n_s, n_v + n_s + 1
    rows = [source] * n_v + [v_index[int(a.arc_cli[k])] for k in arcs] + [n_v + i for i in range(n_s)]
    cols = list(range(n_v)) + [n_v + s_index[int(a.arc_fac[k])] for k in arcs] + [sink] * n_s
    need = np.ceil(a.demand[members_all] * 10).astype(np.int64)
    caps = np.concatenate([need, np.full(len(arcs), int(need.sum())),
                           np.floor(cap_max[stations] * 10).astype(np.int64)])
    graph = csr_matrix((caps.astype(np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    result = maximum_flow(graph, source, sink)
    if result.flow_value >= need.sum():
        return reasons
    flow = result.flow.toarray()
    short = [int(v) for i, v in enumerate(members_all) if flow[source, i] < need[i]]
    for v in short:
        by_county[vil[v].county_code].append(v)
    for county, members in sorted(by_county.items()):
        reach = {int(a.arc_fac[k]) for k in arcs if int(a.arc_cli[k]) in set(members)}
        names = _listed([f"{vil[i].name} ({a.demand[i]:,.0f} t/yr)" for i in members])
        reasons.append(
            f"{scenario.county_name(county)} ({county}): villages generate more than the largest collection "
            f"point in their reach holds ({int(big.sum())} such villages in the region; these cannot be placed: "
            f"{names}); under single sourcing they need mobile collection, but the "
            f"{len(reach)} transfer station(s) within {params.mobile_max_distance_km:g} km of them hold "
            f"{sum(cap_max[j] for j in reach):,.0f} t/yr in all; set single_sourcing = false (a community split "
            "over several points), add larger collection-point levels or more stations")
    return reasons


def diagnose(scenario: Scenario, params: NetworkParams, data: NetworkData, *, time_limit_s: float = 20.0) -> list[str]:
    """After an infeasible solve: name the side constraint whose removal makes the LP feasible."""
    a = data.arrays
    reasons: list[str] = []
    if a.co2_cap is not None:
        least = _min_co2(a, time_limit_s)
        if least is not None and least > a.co2_cap + 1e-6:
            reasons.append(f"co2_cap_t = {a.co2_cap:,.1f} t/yr is below the least transport CO2 any plan "
                           f"can reach ({least:,.1f} t/yr or more); raise the cap")
    for name, change, text in (
            ("max_sites", {"max_open": {}}, "the site budget max_sites ({v}) leaves too little capacity"),
            ("max_fixed_cost_cny", {"max_fixed": None},
             "the fixed-cost budget max_fixed_cost_cny = {v} cannot pay for enough capacity"),
            ("min_shared_point_share", {"min_shared_share": 0.0},
             "the shared-site share min_shared_point_share = {v} cannot be met with the shared candidates "
             "in reach"),
            ("density_rule", {"min_open_groups": []},
             "the density rule (SB/T 10719) cannot be met together with the other limits")):
        value = getattr(params, name)
        if not value:
            continue
        if _lp_feasible(dataclasses.replace(a, **change), time_limit_s):
            reasons.append(text.format(v=dict(value) if isinstance(value, dict) else value))
    if not reasons:
        reasons.append("no plan meets capacities, coverage distances and the single-sourcing rule together; "
                       "try single_sourcing = false, larger size levels or more candidates")
    return reasons


def _lp_feasible(a: DesignArrays, time_limit_s: float) -> bool:
    res = solve_mip(build_design(a).builder, relax=True, time_limit_s=time_limit_s)
    return res.status != "infeasible"


def _min_co2(a: DesignArrays, time_limit_s: float) -> float | None:
    trial = dataclasses.replace(a, co2_cap=None, arc_cost=a.arc_co2, up_cost=a.up_co2,
                                opt_fixed=np.zeros_like(a.opt_fixed), opt_handling=np.zeros_like(a.opt_handling))
    res = solve_mip(build_design(trial).builder, relax=True, time_limit_s=time_limit_s)
    return res.objective if res.values is not None and math.isfinite(res.objective) else None
