"""The independent network-plan checker: a hand-built plan passes, each broken one is caught.

The scenario has four villages, three candidate collection points (one closed,
one spare), two transfer stations and one sorting centre; distances are given
by a ``TableTravelModel``. The valid plan and its costs are worked out by hand:

* v1 (rural, 100 t general + 10 t appliances) → cp1, 10 km
* v2 (rural, 50 t general) → cp1, 20 km
* v3 (urban, 30 t general) → cp2, 3 km
* v4 (rural, 20 t general) → mobile from ts1, 40 km
* cp1 → ts1 15 km, cp2 → ts1 25 km, ts1 → sc1 100 km

Fixed: cp1 standard 40,000 × 0.6 (shared) + cp2 kiosk 15,000 + ts1 small
250,000 + sc1 specialised 1,500,000 = 1,789,000. Handling: 160 × 25 + 30 × 30
+ 210 × 40 + 210 × 60 = 25,900. Transport: 2,190 t·km × 2 + 800 × 1.0 +
3,150 × 1.0 + 21,000 × 0.45 = 17,780. Mobile: 52 × 120 = 6,240.
Total 1,838,920 CNY/yr. CO2: (2,190 × 0.05 + 800 × 0.28 + 3,150 × 0.28 +
21,000 × 0.12) / 1000 = 3.7355 t.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from network import (
    Assignment,
    CandidateSite,
    Flow,
    MaterialStream,
    OpenSite,
    Plan,
    Scenario,
    SettlementType,
    SiteStatus,
    SolveInfo,
    TableTravelModel,
    Tier,
    Village,
)
from network.network_params import NetworkParams
from network.serialize import plan_from_dict, plan_to_json
from solver.check.design import check_network_plan

G, A = MaterialStream.GENERAL_RECYCLABLES, MaterialStream.APPLIANCES
CP, TS, SC = Tier.COLLECTION_POINT, Tier.TRANSFER_STATION, Tier.SORTING_CENTRE


def _village(vid: str, settlement: SettlementType, households: float, gen: dict) -> Village:
    return Village(vid, f"村{vid}", "650502", "650502100", 93.5, 42.8, settlement, households,
                   households * 3, gen)


def _site(sid: str, tier: Tier, **kw) -> CandidateSite:
    return CandidateSite(sid, f"site {sid}", tier, 93.6, 42.9, "650502", **kw)


def scenario(**site_overrides: dict) -> Scenario:
    villages = (
        _village("v1", SettlementType.RURAL, 3000, {G: 100.0, A: 10.0}),
        _village("v2", SettlementType.RURAL, 2000, {G: 50.0}),
        _village("v3", SettlementType.URBAN, 1500, {G: 30.0}),
        _village("v4", SettlementType.RURAL, 500, {G: 20.0}),
    )
    kwargs = {"cp1": {"shared_with_garbage_sorting": True}, "cp2": {"size_levels": ("kiosk",)},
              "cp3": {"status": SiteStatus.CLOSED}, "cp4": {}, "ts1": {"status": SiteStatus.EXISTING},
              "ts2": {}, "sc1": {"status": SiteStatus.REQUIRED}}
    for sid, over in site_overrides.items():
        kwargs[sid] = {**kwargs[sid], **over}
    tiers = {"cp": CP, "ts": TS, "sc": SC}
    sites = tuple(_site(sid, tiers[sid[:2]], **kw) for sid, kw in kwargs.items())
    km = {("v1", "cp1"): 10, ("v2", "cp1"): 20, ("v3", "cp2"): 3, ("v4", "ts1"): 40,
          ("v1", "cp2"): 12, ("v2", "cp3"): 8, ("v2", "ts1"): 18, ("v4", "cp1"): 25, ("v3", "cp1"): 4,
          ("cp1", "ts1"): 15, ("cp2", "ts1"): 25, ("cp1", "ts2"): 30, ("ts1", "sc1"): 100,
          ("ts2", "sc1"): 80}
    return Scenario("check", villages, sites, TableTravelModel(km))


def valid_plan() -> Plan:
    sites = (OpenSite("cp1", CP, "standard", 500, 160, 24_000), OpenSite("cp2", CP, "kiosk", 150, 30, 15_000),
             OpenSite("ts1", TS, "small", 3_000, 210, 250_000),
             OpenSite("sc1", SC, "specialised", 15_000, 210, 1_500_000))
    assignments = (Assignment("v1", "cp1", 1.0, "site", 10), Assignment("v2", "cp1", 1.0, "site", 20),
                   Assignment("v3", "cp2", 1.0, "site", 3), Assignment("v4", "ts1", 1.0, "mobile", 40),
                   Assignment("cp1", "ts1", 1.0, "site", 15), Assignment("cp2", "ts1", 1.0, "site", 25),
                   Assignment("ts1", "sc1", 1.0, "site", 100))
    flows = (Flow("v1", "cp1", G, 100, 10, "village_to_point"), Flow("v1", "cp1", A, 10, 10, "village_to_point"),
             Flow("v2", "cp1", G, 50, 20, "village_to_point"), Flow("v3", "cp2", G, 30, 3, "village_to_point"),
             Flow("v4", "ts1", G, 20, 40, "mobile_collection"),
             Flow("cp1", "ts1", G, 150, 15, "point_to_station"), Flow("cp1", "ts1", A, 10, 15, "point_to_station"),
             Flow("cp2", "ts1", G, 30, 25, "point_to_station"),
             Flow("ts1", "sc1", G, 200, 100, "station_to_centre"),
             Flow("ts1", "sc1", A, 10, 100, "station_to_centre"))
    costs = {"fixed": 1_789_000.0, "handling": 25_900.0, "transport": 17_780.0, "mobile_collection": 6_240.0,
             "total": 1_838_920.0}
    kpis = {"demand_t": 210.0, "served_t": 210.0, "coverage_share": 1.0, "t_km": 27_140.0, "co2_t": 3.7355,
            "mean_village_km": 18.25, "max_village_km": 40.0, "shared_site_share": 0.5, "mobile_villages": 1.0,
            "open_collection_point": 2.0, "open_transfer_station": 1.0, "open_sorting_centre": 1.0}
    return Plan("network", "check", SolveInfo("hand", "none", "optimal", 1_838_920.0), sites=sites,
                assignments=assignments, flows=flows, costs_cny=costs, kpis=kpis)


def test_hand_built_plan_is_clean() -> None:
    assert check_network_plan(scenario(), valid_plan(), NetworkParams()) == []


def test_plan_is_clean_after_a_json_round_trip() -> None:
    again = plan_from_dict(json.loads(plan_to_json(valid_plan())))
    assert check_network_plan(scenario(), again, NetworkParams()) == []


def test_density_rule_met_when_enough_points_open() -> None:
    # 3,000/2,500 + 2,000/2,500 + 500/2,500 + 1,500/2,000 = 2.95 → 3 points, 3 usable, 2 open;
    # with cp4 closed only 2 are usable, so 2 open points satisfy the rule.
    sc = scenario(cp4={"status": SiteStatus.CLOSED})
    assert check_network_plan(sc, valid_plan(), NetworkParams(density_rule=True)) == []


# -- breaking the plan -------------------------------------------------------
def _swap(items: tuple, match: Callable[[object], bool], new: object | None) -> tuple:
    out = []
    for item in items:
        if match(item):
            if new is not None:
                out.append(new)
        else:
            out.append(item)
    return tuple(out)


def _assign(client: str, *new: Assignment) -> Callable[[Plan], Plan]:
    def edit(plan: Plan) -> Plan:
        rows = tuple(a for a in plan.assignments if a.client_id != client) + new
        return dataclasses.replace(plan, assignments=rows)
    return edit


def _site_edit(sid: str, **changes) -> Callable[[Plan], Plan]:
    def edit(plan: Plan) -> Plan:
        old = next(s for s in plan.sites if s.site_id == sid)
        return dataclasses.replace(plan, sites=_swap(plan.sites, lambda s: s.site_id == sid,
                                                     dataclasses.replace(old, **changes)))
    return edit


def _flow_edit(origin: str, dest: str, stream: MaterialStream, **changes) -> Callable[[Plan], Plan]:
    def edit(plan: Plan) -> Plan:
        def match(f: Flow) -> bool:
            return (f.origin_id, f.destination_id, f.stream) == (origin, dest, stream)
        old = next(f for f in plan.flows if match(f))
        new = dataclasses.replace(old, **changes) if changes else None
        return dataclasses.replace(plan, flows=_swap(plan.flows, match, new))
    return edit


def _mapping_edit(attr: str, key: str, value: float | None) -> Callable[[Plan], Plan]:
    def edit(plan: Plan) -> Plan:
        values = dict(getattr(plan, attr))
        if value is None:
            del values[key]
        else:
            values[key] = value
        return dataclasses.replace(plan, **{attr: values})
    return edit


def _same(plan: Plan) -> Plan:
    return plan


BROKEN: list[tuple[str, Callable[[Plan], Plan], dict, dict, str]] = [
    # (name, plan edit, NetworkParams changes, scenario site overrides, expected message part)
    ("share sum", _assign("v2", Assignment("v2", "cp1", 0.5, "site", 20)), {}, {},
     "v2: assignment shares sum to 0.500000; expected 1"),
    ("single sourcing", _assign("v1", Assignment("v1", "cp1", 0.5, "site", 10),
                                Assignment("v1", "cp2", 0.5, "site", 12)), {}, {},
     "v1: single sourcing is required but it is served by 2 sites"),
    ("assigned to a site that is not open", _assign("v2", Assignment("v2", "cp3", 1.0, "site", 8)), {}, {},
     "village v2 is assigned to cp3, which is a 回收点 collection point that is not open"),
    ("village assigned to a station by site mode", _assign("v2", Assignment("v2", "ts1", 1.0, "site", 18)),
     {}, {}, "expected a 回收点 collection point"),
    ("mobile from a collection point", _assign("v4", Assignment("v4", "cp1", 1.0, "mobile", 25)), {}, {},
     "village v4 is assigned (mobile) to cp1, a 回收点 collection point; expected a 中转站 transfer station"),
    ("mobile beyond radius", _same, {"mobile_max_distance_km": 30.0}, {},
     "village v4 (rural) → ts1 is 40.000 km, beyond mobile_max_distance_km = 30 km"),
    ("mobile not allowed", _same, {"allow_mobile_collection": False}, {},
     "village v4 (rural) is served by mobile collection from ts1, but allow_mobile_collection is false"),
    ("rural coverage", _same, {"max_distance_rural_km": 15.0}, {},
     "village v2 (rural) → cp1 is 20.000 km, beyond max_distance_rural_km = 15 km"),
    ("urban coverage", _same, {"max_distance_urban_km": 2.0}, {},
     "village v3 (urban) → cp2 is 3.000 km, beyond max_distance_urban_km = 2 km"),
    ("stated distance", _assign("v1", Assignment("v1", "cp1", 1.0, "site", 11)), {}, {},
     "assignment states 11.000 km, the travel model gives 10.000 km"),
    ("density rule", _same, {"density_rule": True}, {},
     "density rule (SB/T 10719) needs 3 open collection points (2.95 by households, 3 usable candidates), 2 open"),
    ("capacity", _site_edit("cp1", size_level="kiosk", capacity_t_per_year=150, fixed_cost_cny_per_year=9_000),
     {}, {}, "cp1: 160.000 t/yr enter, above the capacity 150.000 t/yr of size level 'kiosk'"),
    ("size level not allowed", _site_edit("cp2", size_level="standard", capacity_t_per_year=500,
                                          fixed_cost_cny_per_year=40_000), {}, {},
     "cp2 is open at size level 'standard'; allowed levels: kiosk"),
    ("stated capacity", _site_edit("ts1", capacity_t_per_year=10_000), {}, {},
     "ts1: capacity stated 10,000.000 t/yr, level 'small' has 3,000.000 t/yr"),
    ("shared-site fixed cost", _site_edit("cp1", fixed_cost_cny_per_year=40_000), {}, {},
     "cp1: fixed cost stated 40,000.00 CNY/yr, recomputed 24,000.00 CNY/yr (level 'standard', shared site)"),
    ("forced-open site closed", _same, {}, {"ts2": {"status": SiteStatus.EXISTING}},
     "中转站 transfer station ts2 has status 'existing' (forced open) but the plan does not open it"),
    ("closed site open", lambda p: dataclasses.replace(p, sites=(*p.sites, OpenSite("cp3", CP, "kiosk", 150, 0,
                                                                                      15_000))), {}, {},
     "回收点 collection point cp3 is open but its status is 'closed'"),
    ("unknown site", lambda p: dataclasses.replace(p, sites=(*p.sites, OpenSite("zz", CP, "kiosk", 150, 0, 0))),
     {}, {}, "open site zz is not a candidate site of the scenario"),
    ("flow balance", _flow_edit("cp1", "ts1", G, amount_t=140), {}, {},
     "cp1, stream general_recyclables: 150.000 t/yr enter but 140.000 t/yr leave"),
    ("flow vs generation", _flow_edit("v1", "cp1", G, amount_t=90), {}, {},
     "flow v1 → cp1 (general_recyclables, village_to_point): 90.000 t/yr in the plan, 100.000 t/yr"),
    ("centres receive all", _flow_edit("ts1", "sc1", A), {}, {},
     "stream appliances: 10.000 t/yr generated, 0.000 t/yr reach sorting centres"),
    ("flow distance", _flow_edit("ts1", "sc1", G, distance_km=90), {}, {},
     "flow ts1 → sc1 (general_recyclables): states 90.000 km, the travel model gives 100.000 km"),
    ("flow to the wrong tier", _flow_edit("v3", "cp2", G, destination_id="ts1"), {}, {},
     "flow v3 → ts1 (general_recyclables, village_to_point): destination is not an open 回收点"),
    ("stated throughput", _site_edit("ts1", throughput_t_per_year=200), {}, {},
     "ts1: throughput stated 200.000 t/yr, the flows bring 210.000 t/yr"),
    ("village unassigned", _assign("v3"), {}, {},
     "village v3: 30.000 t/yr generated but not assigned to any collection point"),
    ("point not assigned upward", _assign("cp2"), {}, {},
     "回收点 collection point cp2 receives 30.000 t/yr but is not assigned to any 中转站 transfer station"),
    ("upper-leg radius", _same, {"max_distance_station_centre_km": 50.0}, {},
     "ts1 → sc1 is 100.000 km, beyond max_distance_station_centre_km = 50 km"),
    ("site budget", _same, {"max_sites": {CP: 1}}, {},
     "回收点 collection point: 2 sites open, budget max_sites allows 1"),
    ("fixed-cost budget", _same, {"max_fixed_cost_cny": 1_000_000.0}, {},
     "fixed cost 1,789,000.00 CNY/yr exceeds the budget max_fixed_cost_cny = 1,000,000.00"),
    ("CO2 cap", _same, {"co2_cap_t": 3.0}, {}, "transport CO2 3.736 t/yr exceeds co2_cap_t = 3.000"),
    ("shared share", _same, {"min_shared_point_share": 0.6}, {},
     "shared collection points (两网融合): 1 of 2 open = 0.500, below min_shared_point_share = 0.6"),
    ("objective", lambda p: dataclasses.replace(p, solve=dataclasses.replace(p.solve, objective=1.0)), {}, {},
     "objective 1.00 differs from the recomputed total cost 1,838,920.00 CNY/yr"),
    ("kind", lambda p: dataclasses.replace(p, kind="routes"), {}, {}, "plan kind is 'routes'; expected 'network'"),
    ("missing KPI", _mapping_edit("kpis", "co2_t", None), {}, {},
     "KPI 'co2_t' is missing from the plan (recomputed 3.736)"),
    ("missing cost", _mapping_edit("costs_cny", "mobile_collection", None), {}, {},
     "cost 'mobile_collection' is missing from the plan"),
]
for _key, _true in [("fixed", 1_789_000.0), ("handling", 25_900.0), ("transport", 17_780.0),
                    ("mobile_collection", 6_240.0), ("total", 1_838_920.0)]:
    BROKEN.append((f"cost {_key}", _mapping_edit("costs_cny", _key, _true + 10.0), {}, {},
                   f"cost '{_key}': plan states {_true + 10:,.3f} CNY/yr, recomputed {_true:,.3f} CNY/yr"))
for _key, _true in [("demand_t", 210.0), ("served_t", 210.0), ("coverage_share", 1.0), ("t_km", 27_140.0),
                    ("co2_t", 3.7355), ("mean_village_km", 18.25), ("max_village_km", 40.0),
                    ("shared_site_share", 0.5), ("mobile_villages", 1.0), ("open_collection_point", 2.0),
                    ("open_transfer_station", 1.0), ("open_sorting_centre", 1.0)]:
    BROKEN.append((f"KPI {_key}", _mapping_edit("kpis", _key, _true + 0.5), {}, {},
                   f"KPI '{_key}': plan states {_true + 0.5:,.3f}, recomputed {_true:,.3f}"))


@pytest.mark.parametrize(("edit", "params", "overrides", "expected"),
                         [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_broken_plan_is_caught(edit: Callable[[Plan], Plan], params: dict, overrides: dict,
                               expected: str) -> None:
    problems = check_network_plan(scenario(**overrides), edit(valid_plan()), NetworkParams(**params))
    assert any(expected in p for p in problems), "\n".join(problems)


def test_small_drift_within_tolerance_is_accepted() -> None:
    plan = _mapping_edit("costs_cny", "total", 1_838_920.0 + 1e-4)(valid_plan())
    assert check_network_plan(scenario(), plan, NetworkParams()) == []


@pytest.mark.parametrize("module", ["design.py", "design_costs.py"])
def test_checker_shares_no_code_with_the_model(module: str) -> None:
    source = Path(__file__).resolve().parents[2] / "solver" / "check" / module
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    from_solver = {name for name in imported if name.split(".")[0] == "solver"}
    assert from_solver <= {"solver.check.design_costs"}
