"""Cost and KPI recomputation of the independent network-plan checker.

Part of :mod:`solver.check.design` (split by job to keep modules short); like
it, this module shares no code with the network-design model. Every figure is
recomputed from the Scenario, the NetworkParams and the Plan's flows as
``docs/plan_contract.md`` defines it:

* ``fixed`` = Σ open sites level fixed cost × shared-site factor;
* ``handling`` = Σ open sites (tonnes entering per the flows) × level handling cost;
* ``transport`` = Σ flows t × km × rate of the leg (mobile leg at the point→station rate);
* ``mobile_collection`` = Σ mobile shares × visits per year × cost per visit;
* ``co2_t`` = Σ flows t × km × kg/t·km of the leg's vehicle class / 1000 (GLEC v3.0 factors in CostParams).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from network.plan import Assignment
from network.sites import Tier

if TYPE_CHECKING:
    from network.network_params import NetworkParams
    from network.params import CostParams
    from network.plan import OpenSite, Plan
    from network.scenario import Scenario
    from network.sites import CandidateSite, SizeLevel

#: Relative and absolute tolerance of every numeric comparison.
REL_TOL = 1e-6
ABS_TOL = 1e-3

#: Leg → (origin tier or None for a village, destination tier).
LEG_TIERS: dict[str, tuple[Tier | None, Tier]] = {
    "village_to_point": (None, Tier.COLLECTION_POINT),
    "mobile_collection": (None, Tier.TRANSFER_STATION),
    "point_to_station": (Tier.COLLECTION_POINT, Tier.TRANSFER_STATION),
    "station_to_centre": (Tier.TRANSFER_STATION, Tier.SORTING_CENTRE),
}


def close(a: float, b: float) -> bool:
    """True if ``a`` and ``b`` agree within ``REL_TOL`` relative + ``ABS_TOL`` absolute."""
    return abs(a - b) <= ABS_TOL + REL_TOL * max(abs(a), abs(b))


class CostChecks:
    """Cost, KPI, budget and CO2-cap checks; mixed into the checker, which provides the state."""

    sc: Scenario
    plan: Plan
    params: NetworkParams
    costs: CostParams
    candidates: dict[str, CandidateSite]
    open: dict[str, OpenSite]
    km: dict[tuple[str, str], float]
    throughput: dict[str, float]

    def say(self, text: str) -> None:
        raise NotImplementedError

    def _level(self, site: OpenSite) -> SizeLevel | None:
        raise NotImplementedError

    def _fixed_cost(self, cand: CandidateSite, level: SizeLevel) -> float:
        raise NotImplementedError

    def _open_points(self, tier: Tier) -> list[CandidateSite]:
        raise NotImplementedError

    # -- costs and KPIs ---------------------------------------------------
    def _check_costs_and_kpis(self, clients: dict[str, list[Assignment]],
                              inflow: dict[tuple[str, str], float]) -> None:
        c = self.costs
        fixed = handling = 0.0
        for site in self.open.values():
            cand, level = self.candidates.get(site.site_id), self._level(site)
            if cand is None or level is None:
                continue
            fixed += self._fixed_cost(cand, level)
            handling += self.throughput.get(site.site_id, 0.0) * level.handling_cost_cny_per_t
        transport = t_km = co2_kg = served = 0.0
        for f in self.plan.flows:
            if f.leg not in LEG_TIERS:
                continue
            km = self.km.get((f.origin_id, f.destination_id), f.distance_km)
            rate_leg = "point_to_station" if f.leg == "mobile_collection" else f.leg
            vclass = c.mobile_vehicle_class if f.leg == "mobile_collection" else c.leg_vehicle_class[f.leg]
            transport += f.amount_t * km * c.transport_rate_cny_per_t_km[rate_leg]
            t_km += f.amount_t * km
            co2_kg += f.amount_t * km * c.co2_kg_per_t_km[vclass]
            if LEG_TIERS[f.leg][0] is None:
                served += f.amount_t
        mobile_rows = [(v, a) for v in self.sc.villages for a in clients.get(v.village_id, ()) if a.mode == "mobile"]
        mobile = sum(a.share for _, a in mobile_rows) * c.mobile_visits_per_year * c.mobile_visit_cost_cny
        costs = {"fixed": fixed, "handling": handling, "transport": transport, "mobile_collection": mobile}
        costs["total"] = sum(costs.values())
        self._compare("cost", self.plan.costs_cny, costs, " CNY/yr")
        kpis = self._kpis(clients, served, t_km, co2_kg / 1000.0, len({v.village_id for v, _ in mobile_rows}))
        self._compare("KPI", self.plan.kpis, kpis, "")
        if not close(self.plan.solve.objective, costs["total"]):
            self.say(f"objective {self.plan.solve.objective:,.2f} differs from the recomputed total cost "
                     f"{costs['total']:,.2f} CNY/yr")
        p = self.params
        if p.max_fixed_cost_cny is not None and fixed > p.max_fixed_cost_cny + ABS_TOL:
            self.say(f"fixed cost {fixed:,.2f} CNY/yr exceeds the budget max_fixed_cost_cny = "
                     f"{p.max_fixed_cost_cny:,.2f}")
        if p.co2_cap_t is not None and kpis["co2_t"] > p.co2_cap_t + ABS_TOL:
            self.say(f"transport CO2 {kpis['co2_t']:,.3f} t/yr exceeds co2_cap_t = {p.co2_cap_t:,.3f}")

    def _kpis(self, clients: dict[str, list[Assignment]], served: float, t_km: float, co2_t: float,
              mobile_villages: int) -> dict[str, float]:
        p = self.params
        covered, village_km, max_km = 0, [], 0.0
        for v in self.sc.villages:
            rows = clients.get(v.village_id, [])
            radius = p.max_distance_urban_km if v.settlement.is_urban else p.max_distance_rural_km
            within = all(self.km.get((v.village_id, a.server_id), math.inf)
                         <= (p.mobile_max_distance_km if a.mode == "mobile" else radius) + ABS_TOL for a in rows)
            if math.isclose(sum(a.share for a in rows), 1.0, abs_tol=1e-6) and within:
                covered += 1
            if rows:
                kms = [(a.share, self.km.get((v.village_id, a.server_id), a.distance_km)) for a in rows]
                village_km.append(sum(s * k for s, k in kms))
                max_km = max([max_km] + [k for _, k in kms])
        points = self._open_points(Tier.COLLECTION_POINT)
        kpis = {
            "demand_t": sum(v.total_t_per_year for v in self.sc.villages),
            "served_t": served,
            "coverage_share": covered / len(self.sc.villages) if self.sc.villages else 1.0,
            "t_km": t_km, "co2_t": co2_t,
            "mean_village_km": sum(village_km) / len(village_km) if village_km else 0.0,
            "max_village_km": max_km,
            "shared_site_share": (sum(1 for s in points if s.shared_with_garbage_sorting) / len(points)
                                  if points else 0.0),
            "mobile_villages": float(mobile_villages),
        }
        for tier in (Tier.COLLECTION_POINT, Tier.TRANSFER_STATION, Tier.SORTING_CENTRE):
            kpis[f"open_{tier.value}"] = float(sum(1 for s in self.open.values() if s.tier is tier))
        return kpis

    def _compare(self, what: str, stated: Mapping[str, float], recomputed: dict[str, float],
                 unit: str) -> None:
        for key, value in recomputed.items():
            if key not in stated:
                self.say(f"{what} '{key}' is missing from the plan (recomputed {value:,.3f}{unit})")
            elif not close(float(stated[key]), value):
                self.say(f"{what} '{key}': plan states {float(stated[key]):,.3f}{unit}, "
                         f"recomputed {value:,.3f}{unit}")
