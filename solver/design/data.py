"""Turn a Scenario and NetworkParams into the arrays of the design model.

Sparse assignment: a village is linked only to collection points within its
coverage radius (urban / rural), at most ``k_nearest`` of them, and (with
mobile collection) to transfer stations within ``mobile_max_distance_km``;
a point only to its ``k_nearest`` nearest reachable stations; stations to
every reachable centre; each at most its ``NEIGHBOURS`` nearest in reach. No dense
village × site matrix is built: ``network.nearby`` finds the pairs in reach
with a k-d tree and measures road distance for those only, so memory grows
with the arcs. Forced-open sites are always kept. Sites that cannot
pass material on (a point without a reachable station, a station without a
reachable centre) are dropped, unless forced open (then the pre-check says so).

The sparse arcs must not cut capacity the full network has: when the
k-nearest arcs cannot carry all demand to the top at the largest sizes
(``solver.design.flow.carried_flow``; Urumqi's 647 urban communities reached only
the 17 stations nearest their points, 170 kt/yr for 249 kt/yr), the full
network's arcs across that bottleneck (its minimum cut) are kept too.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import numpy as np

from network.demand import Village
from network.nearby import Arcs, nearby_arcs
from network.network_params import NetworkParams
from network.scenario import Scenario
from network.sites import CandidateSite, SiteStatus, SizeLevel, Tier
from solver.design.arrays import DesignArrays
from solver.design.flow import carried_flow

log = logging.getLogger("huishou.solver.design.data")

#: Every origin's arcs in reach are its nearest destinations within the distance limit, at most this many
#: (a village's points within 30 km, a point's stations, a station's centres: a prefecture's every centre,
#: a province's that are not across it). The k nearest are the model's arcs, the rest what the capacity
#: check may add; Datong's villages have 250 points in reach on average, of which the model keeps 12.
NEIGHBOURS = 96
TIERS: tuple[Tier, ...] = (Tier.COLLECTION_POINT, Tier.TRANSFER_STATION, Tier.SORTING_CENTRE)


@dataclass(slots=True)
class NetworkData:
    """The design arrays and the look-ups back to scenario objects."""

    arrays: DesignArrays
    villages: list[Village]
    modelled: np.ndarray
    sites: list[CandidateSite]
    options: list[SizeLevel]
    arc_km: np.ndarray
    arc_mobile: np.ndarray
    up_km: np.ndarray
    dropped: list[tuple[CandidateSite, str]]
    density_required: dict[str, int]

    @property
    def clients(self) -> list[Village]:
        """The modelled villages (those generating something), in the arrays' client order."""
        return [v for v, m in zip(self.villages, self.modelled, strict=True) if m]


def build_network_data(scenario: Scenario, params: NetworkParams) -> NetworkData:
    """Distances, sparse arcs, costs and side constraints of the scenario.

    Returns
    -------
    NetworkData
    """
    costs = scenario.costs
    rate = costs.transport_rate_cny_per_t_km
    co2 = costs.co2_kg_per_t_km
    co2_leg = {leg: co2[costs.leg_vehicle_class[leg]] / 1000.0 for leg in rate}
    co2_mobile = co2[costs.mobile_vehicle_class] / 1000.0
    by_tier = {t: [s for s in scenario.sites_of(t) if s.status is not SiteStatus.CLOSED and scenario.allowed_levels(s)]
               for t in TIERS}
    villages = list(scenario.villages)
    modelled = np.array([v.total_t_per_year > 0 for v in villages], dtype=bool)
    vil = [v for v, m in zip(villages, modelled, strict=True) if m]
    truck = "truck"

    def arcs(origins: list, destinations: list, limit: float | np.ndarray, k: int = 0, most: int = 0) -> Arcs:
        return nearby_arcs(scenario.travel, [o.point for o in origins], [d.point for d in destinations],
                           limit_km=limit, k=k, most=most, profile=truck)

    points, stations, centres = (by_tier[t] for t in TIERS)
    dropped: list[tuple[CandidateSite, str]] = []
    sc_limit = params.max_distance_station_centre_km or math.inf
    sc = arcs(stations, centres, sc_limit, most=NEIGHBOURS)
    st_ok = np.zeros(len(stations), dtype=bool)
    st_ok[sc.rows] = True
    for s, ok in zip(stations, st_ok, strict=True):
        if not ok and not s.status.forced_open:
            dropped.append((s, "no sorting centre reachable"))
    keep_s = np.array([i for i, (s, ok) in enumerate(zip(stations, st_ok, strict=True))
                       if ok or s.status.forced_open], dtype=np.int64)
    stations = [stations[i] for i in keep_s]
    sc = _renumber_rows(sc, keep_s)
    ps_limit = params.max_distance_point_station_km or math.inf
    ps = arcs(points, stations, ps_limit, params.k_nearest, most=NEIGHBOURS)
    pt_ok = np.zeros(len(points), dtype=bool)
    pt_ok[ps.rows] = True
    for s, ok in zip(points, pt_ok, strict=True):
        if not ok and not s.status.forced_open:
            dropped.append((s, "no transfer station reachable"))
    keep_p = np.array([i for i, (s, ok) in enumerate(zip(points, pt_ok, strict=True))
                       if ok or s.status.forced_open], dtype=np.int64)
    points = [points[i] for i in keep_p]
    ps = _renumber_rows(ps, keep_p)

    sites = points + stations + centres
    fac_tier = np.array([0] * len(points) + [1] * len(stations) + [2] * len(centres), dtype=np.int64)
    n_p, n_s = len(points), len(stations)
    factor = costs.shared_site_fixed_cost_factor
    opt_fac, options = [], []
    for j, s in enumerate(sites):
        for lv in scenario.allowed_levels(s):
            opt_fac.append(j)
            options.append(lv)
    shared = np.array([s.shared_with_garbage_sorting for s in sites], dtype=bool)
    opt_fac_a = np.array(opt_fac, dtype=np.int64)
    opt_fixed = np.array([lv.fixed_cost_cny_per_year for lv in options]) * np.where(shared[opt_fac_a], factor, 1.0) \
        if options else np.zeros(0)

    # Village arcs: points within the radius, and mobile stations.
    demand = np.array([v.total_t_per_year for v in vil])
    radius = np.array([params.max_distance_urban_km if v.settlement.is_urban else params.max_distance_rural_km
                       for v in vil])
    vp = arcs(vil, points, radius, params.k_nearest, most=NEIGHBOURS)
    r1, c1, near1, km1 = vp.rows, vp.cols, vp.near, vp.km
    cost1 = demand[r1] * km1 * rate["village_to_point"]
    co21 = demand[r1] * km1 * co2_leg["village_to_point"]
    if params.allow_mobile_collection and stations:
        vs = arcs(vil, stations, params.mobile_max_distance_km, params.k_nearest, most=NEIGHBOURS)
        r2, c2, near2, km2 = vs.rows, vs.cols, vs.near, vs.km
        visit = costs.mobile_visits_per_year * costs.mobile_visit_cost_cny
        cost2 = demand[r2] * km2 * rate["point_to_station"] + visit
        co22 = demand[r2] * km2 * co2_mobile
    else:
        r2 = c2 = np.zeros(0, dtype=np.int64)
        km2 = cost2 = co22 = np.zeros(0)
        near2 = np.zeros(0, dtype=bool)
    arc_cli = np.concatenate([r1, r2]).astype(np.int64)
    arc_fac = np.concatenate([c1, c2 + n_p]).astype(np.int64)
    order = np.lexsort((arc_fac, arc_cli))

    # Upper arcs.
    u1r, u1c, near_u1 = ps.rows, ps.cols, ps.near
    u2r, u2c = sc.rows, sc.cols
    up_from = np.concatenate([u1r, u2r + n_p]).astype(np.int64)
    up_to = np.concatenate([u1c + n_p, u2c + n_p + n_s]).astype(np.int64)
    up_km = np.concatenate([ps.km, sc.km])
    up_rate = np.concatenate([np.full(len(u1r), rate["point_to_station"]), np.full(len(u2r), rate["station_to_centre"])])
    up_co2 = np.concatenate([np.full(len(u1r), co2_leg["point_to_station"]),
                             np.full(len(u2r), co2_leg["station_to_centre"])])

    tier_index = {t: i for i, t in enumerate(TIERS)}
    density_required: dict[str, int] = {}
    groups: list[tuple[np.ndarray, int]] = []
    if params.density_rule:
        need: dict[str, float] = {}
        for v in villages:
            per = params.households_per_point_urban if v.settlement.is_urban else params.households_per_point_rural
            need[v.county_code] = need.get(v.county_code, 0.0) + v.households / per
        for county, amount in need.items():
            usable = sum(1 for s in scenario.sites_of(Tier.COLLECTION_POINT)
                         if s.county_code == county and s.status is not SiteStatus.CLOSED)
            required = min(math.ceil(amount - 1e-9), usable)
            if required > 0:
                density_required[county] = required
                members = np.array([j for j, s in enumerate(points) if s.county_code == county], dtype=np.int64)
                groups.append((members, required))
    arrays = DesignArrays(
        fac_tier=fac_tier, fac_forced=np.array([s.status.forced_open for s in sites], dtype=bool),
        fac_shared=shared, opt_fac=opt_fac_a, opt_fixed=opt_fixed,
        opt_cap=np.array([lv.capacity_t_per_year for lv in options]),
        opt_handling=np.array([lv.handling_cost_cny_per_t for lv in options]),
        demand=demand, arc_cli=arc_cli[order], arc_fac=arc_fac[order],
        arc_cost=np.concatenate([cost1, cost2])[order], arc_co2=np.concatenate([co21, co22])[order],
        up_from=up_from, up_to=up_to, up_cost=up_km * up_rate, up_co2=up_km * up_co2,
        single_source=params.single_sourcing, single_source_upper=params.single_sourcing,
        co2_cap=params.co2_cap_t,
        max_open={tier_index[Tier(t)]: n for t, n in params.max_sites.items() if Tier(t) in tier_index},
        max_fixed=params.max_fixed_cost_cny, min_shared_share=params.min_shared_point_share,
        min_open_groups=groups)
    arc_mobile = np.concatenate([np.zeros(len(r1), bool), np.ones(len(r2), bool)])[order]
    arc_keep = np.concatenate([near1, near2])[order]
    up_keep = np.concatenate([near_u1, np.ones(len(u2r), dtype=bool)])
    arc_keep, up_keep = _keep_capacity(arrays, arc_keep, up_keep)
    arrays = _arcs_subset(arrays, arc_keep, up_keep)
    return NetworkData(arrays, villages, modelled, sites, options, np.concatenate([km1, km2])[order][arc_keep],
                       arc_mobile[arc_keep], up_km[up_keep], dropped, density_required)


def _renumber_rows(arcs: Arcs, kept: np.ndarray) -> Arcs:
    """The arcs of the kept origins (indices into the old set, ascending), numbered in the kept set."""
    new = np.full(int(kept.max(initial=-1)) + 1 if len(kept) else 0, -1, dtype=np.int64)
    new[kept] = np.arange(len(kept))
    mine = np.isin(arcs.rows, kept)
    return Arcs(new[arcs.rows[mine]], arcs.cols[mine], arcs.km[mine], arcs.near[mine])


def _keep_capacity(full: DesignArrays, arc_keep: np.ndarray, up_keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sparse arc masks, grown by the full network's arcs that cross their minimum cut while they carry less."""
    first_short = None
    while True:
        flow = carried_flow(_arcs_subset(full, arc_keep, up_keep))
        first_short = flow.short_t if first_short is None else first_short
        cross_arcs, cross_up = flow.crossing_arcs(full)
        if flow.short_t <= 0 or not (np.any(cross_arcs & ~arc_keep) or np.any(cross_up & ~up_keep)):
            break  # carried in full, or the full network is short too (the pre-check says where)
        arc_keep, up_keep = arc_keep | cross_arcs, up_keep | cross_up
    if first_short:
        log.info("the k-nearest arcs carried %.0f t/yr less than all arcs in reach at the largest sizes; "
                 "kept the arcs across that bottleneck too (%d village and %d upper arcs in all)",
                 first_short, int(arc_keep.sum()), int(up_keep.sum()))
    return arc_keep, up_keep


def _arcs_subset(a: DesignArrays, arc_keep: np.ndarray, up_keep: np.ndarray) -> DesignArrays:
    return replace(a, arc_cli=a.arc_cli[arc_keep], arc_fac=a.arc_fac[arc_keep], arc_cost=a.arc_cost[arc_keep],
                   arc_co2=a.arc_co2[arc_keep], up_from=a.up_from[up_keep], up_to=a.up_to[up_keep],
                   up_cost=a.up_cost[up_keep], up_co2=a.up_co2[up_keep])
