"""Turn a design solution into a ``Plan`` exactly as docs/plan_contract.md says.

Flows per stream follow the assignment shares: a village's streams go where
its shares say; a point or station passes its stream mix on in proportion to
its outgoing flows. Costs and KPIs are recomputed from the plan's flows (not
copied from the MIP objective), so the plan is self-consistent.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from network.nearby import nearby_arcs
from network.network_params import NetworkParams
from network.params import params_to_mapping
from network.plan import Assignment, Flow, OpenSite, Plan, SolveInfo
from network.scenario import Scenario
from network.sites import Tier
from network.streams import MaterialStream
from solver.design.data import TIERS, NetworkData
from solver.design.solution import DesignSolution, relative_gap

_UP_LEG = {0: "point_to_station", 1: "station_to_centre"}
_TOL = 1e-9


def build_plan(scenario: Scenario, params: NetworkParams, data: NetworkData, sol: DesignSolution, *,
               status: str | None = None) -> Plan:
    """The Plan of a solution (``sol.values`` must not be None).

    Parameters
    ----------
    scenario, params
        What was solved.
    data
        The arrays and look-ups the solution refers to.
    sol
        The solution.
    status
        Overrides ``sol.status`` (e.g. ``interrupted``).

    Returns
    -------
    Plan
        ``kind="network"``.
    """
    a = data.arrays
    y = sol.y
    x = sol.x.copy()
    vil = data.clients
    if not a.single_source:  # drop numerical dust, renormalise
        x[x < 1e-7] = 0.0
        total = np.bincount(a.arc_cli, weights=x, minlength=a.n_cli)
        x = x / np.where(total > 0, total, 1.0)[a.arc_cli]
    open_opt = {int(a.opt_fac[o]): int(o) for o in np.flatnonzero(y > 0.5)}
    inflow: dict[int, dict[MaterialStream, float]] = defaultdict(lambda: defaultdict(float))
    assignments: list[Assignment] = []
    flows: list[Flow] = []
    for k in np.flatnonzero(x > 0):
        v = vil[a.arc_cli[k]]
        j = int(a.arc_fac[k])
        share, km = float(x[k]), float(data.arc_km[k])
        mobile = bool(data.arc_mobile[k])
        assignments.append(Assignment(v.village_id, data.sites[j].site_id, share,
                                      "mobile" if mobile else "site", km))
        for stream, amount in v.generation_t_per_year.items():
            if amount * share > 0:
                inflow[j][stream] += amount * share
                flows.append(Flow(v.village_id, data.sites[j].site_id, stream, amount * share, km,
                                  "mobile_collection" if mobile else "village_to_point"))
    _zero_demand_villages(scenario, params, data, open_opt, assignments)
    f = sol.f
    z = np.round(sol.values[sol.model.z]) if sol.model.z is not None else None
    for tier in (0, 1):
        for j in sorted(jj for jj in open_opt if a.fac_tier[jj] == tier):
            out = np.flatnonzero(a.up_from == j)
            total_in = sum(inflow[j].values())
            if z is not None:
                chosen = out[z[out] > 0.5][:1]
                shares = {int(u): 1.0 for u in chosen}
            else:
                sent = f[out]
                shares = ({int(u): float(s / sent.sum()) for u, s in zip(out, sent, strict=True) if s > 1e-7 * sent.sum()}
                          if sent.sum() > _TOL else {})
                norm = sum(shares.values())
                shares = {u: s / norm for u, s in shares.items()}
            for u, share in shares.items():
                k_to = int(a.up_to[u])
                km = float(data.up_km[u])
                assignments.append(Assignment(data.sites[j].site_id, data.sites[k_to].site_id, share, "site", km))
                if total_in <= 0:
                    continue
                for stream, amount in list(inflow[j].items()):
                    if amount * share > 0:
                        inflow[k_to][stream] += amount * share
                        flows.append(Flow(data.sites[j].site_id, data.sites[k_to].site_id, stream,
                                          amount * share, km, _UP_LEG[tier]))
    costs = scenario.costs
    sites = []
    fixed = handling = 0.0
    for j, o in sorted(open_opt.items()):
        site, level = data.sites[j], data.options[o]
        through = float(sum(inflow[j].values()))
        fix = float(a.opt_fixed[o])
        fixed += fix
        handling += through * level.handling_cost_cny_per_t
        sites.append(OpenSite(site.site_id, site.tier, level.name, level.capacity_t_per_year, through, fix))
    transport = t_km = co2_kg = served = 0.0
    for fl in flows:
        rate_leg = "point_to_station" if fl.leg == "mobile_collection" else fl.leg
        vclass = costs.mobile_vehicle_class if fl.leg == "mobile_collection" else costs.leg_vehicle_class[fl.leg]
        transport += fl.amount_t * fl.distance_km * costs.transport_rate_cny_per_t_km[rate_leg]
        t_km += fl.amount_t * fl.distance_km
        co2_kg += fl.amount_t * fl.distance_km * costs.co2_kg_per_t_km[vclass]
        if fl.leg in ("village_to_point", "mobile_collection"):
            served += fl.amount_t
    mobile_share = sum(s.share for s in assignments if s.mode == "mobile")
    cost_map = {"fixed": fixed, "handling": handling, "transport": transport,
                "mobile_collection": mobile_share * costs.mobile_visits_per_year * costs.mobile_visit_cost_cny}
    cost_map["total"] = sum(cost_map.values())
    kpis = _kpis(scenario, params, data, sites, assignments, served, t_km, co2_kg / 1000.0)
    total = cost_map["total"]
    bound = min(sol.bound, total) if math.isfinite(sol.bound) else None
    gap = relative_gap(total, bound) if bound is not None else None
    info = SolveInfo("network_design", sol.backend, status or sol.status, total, bound, gap, sol.time_s,
                     sol.message)
    return Plan("network", scenario.name, info, tuple(sites), tuple(assignments), tuple(flows),
                costs_cny=cost_map, kpis=kpis, params=params_to_mapping(params), travel=dict(scenario.travel.spec))


def _zero_demand_villages(scenario: Scenario, params: NetworkParams, data: NetworkData,
                          open_opt: dict[int, int], assignments: list[Assignment]) -> None:
    """Villages generating nothing join the nearest open point within their radius (no flows)."""
    idle = [v for v, m in zip(data.villages, data.modelled, strict=True) if not m]
    points = [data.sites[j] for j in open_opt if data.sites[j].tier is Tier.COLLECTION_POINT]
    if not idle or not points:
        return
    radius = np.array([params.max_distance_urban_km if v.settlement.is_urban else params.max_distance_rural_km
                       for v in idle])
    arcs = nearby_arcs(scenario.travel, [v.point for v in idle], [p.point for p in points], limit_km=radius, k=1,
                       profile="truck")
    best: dict[int, tuple[float, int]] = {}  # the nearest open point within the radius, first on a tie
    for i, j, km in zip(arcs.rows, arcs.cols, arcs.km, strict=True):
        if int(i) not in best or (km, j) < best[int(i)]:
            best[int(i)] = (float(km), int(j))
    for i, (km, j) in sorted(best.items()):
        assignments.append(Assignment(idle[i].village_id, points[j].site_id, 1.0, "site", km))


def _kpis(scenario: Scenario, params: NetworkParams, data: NetworkData, sites: list[OpenSite],
          assignments: list[Assignment], served: float, t_km: float, co2_t: float) -> dict[str, float]:
    by_village: dict[str, list[Assignment]] = defaultdict(list)
    village_ids = {v.village_id for v in scenario.villages}
    for s in assignments:
        if s.client_id in village_ids:
            by_village[s.client_id].append(s)
    covered, per_village, max_km = 0, [], 0.0
    for v in scenario.villages:
        rows = by_village.get(v.village_id, [])
        radius = params.max_distance_urban_km if v.settlement.is_urban else params.max_distance_rural_km
        within = all(s.distance_km <= (params.mobile_max_distance_km if s.mode == "mobile" else radius) + 1e-3
                     for s in rows)
        if rows and abs(sum(s.share for s in rows) - 1.0) <= 1e-6 and within:
            covered += 1
        if rows:
            per_village.append(sum(s.share * s.distance_km for s in rows))
            max_km = max([max_km] + [s.distance_km for s in rows])
    shared_ids = {s.site_id for s in data.sites if s.shared_with_garbage_sorting}
    points = [s for s in sites if s.tier is Tier.COLLECTION_POINT]
    kpis = {
        "demand_t": float(sum(v.total_t_per_year for v in scenario.villages)),
        "served_t": served,
        "coverage_share": covered / len(scenario.villages) if scenario.villages else 1.0,
        "t_km": t_km,
        "co2_t": co2_t,
        "mean_village_km": sum(per_village) / len(per_village) if per_village else 0.0,
        "max_village_km": max_km,
        "shared_site_share": (sum(1 for s in points if s.site_id in shared_ids) / len(points)) if points else 0.0,
        "mobile_villages": float(len({s.client_id for s in assignments if s.mode == "mobile"})),
    }
    for tier in TIERS:
        kpis[f"open_{tier.value}"] = float(sum(1 for s in sites if s.tier is tier))
    return kpis
