"""A tiny, exact facility-location model used as a batch test fixture.

Batch tests address it as ``model = "tests.batch.test_tinymodel:TINY"`` (the tests
folder is on ``sys.path`` under pytest, and on ``PYTHONPATH`` for the
subprocesses the tests start). It solves a 4-village, 3-candidate problem by
enumerating every set of open points, so its answer is the proven optimum and
repeatable; ``fail = true`` makes it raise and ``delay_s`` makes it slow, for
the failure and kill tests. It is a test fixture, not a shipped model.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import pytest

from batch.models import BatchModel
from network import (
    CandidateSite,
    MaterialStream,
    Scenario,
    SettlementType,
    SolverError,
    TableTravelModel,
    Tier,
    Village,
)
from network.plan import Assignment, Flow, OpenSite, Plan, SolveInfo

KM = {("v1", "p1"): 2.0, ("v1", "p2"): 9.0, ("v1", "p3"): 7.0,
      ("v2", "p1"): 3.0, ("v2", "p2"): 4.0, ("v2", "p3"): 8.0,
      ("v3", "p1"): 8.0, ("v3", "p2"): 3.0, ("v3", "p3"): 2.0,
      ("v4", "p1"): 9.0, ("v4", "p2"): 6.0, ("v4", "p3"): 1.0}


@dataclass(frozen=True, slots=True)
class TinyParams:
    """Fixed cost per open point (CNY/yr), transport rate (CNY/t·km) and test knobs."""

    fixed_cost_cny: float = 100.0
    rate_cny_per_t_km: float = 2.0
    fail: bool = False
    delay_s: float = 0.0
    threads: int = 1
    seed: int = 0
    time_limit_s: float = 10.0


def load_tiny(region: str, seed: int) -> Scenario:
    if region != "tiny":
        raise SolverError(f"tiny model: unknown region {region!r}")
    villages = tuple(
        Village(f"v{i}", f"村{i}", "650502", "650502100", 93.5 + 0.01 * i, 42.8, SettlementType.RURAL, 50, 150,
                {MaterialStream.GENERAL_RECYCLABLES: 10.0 * i + seed})
        for i in range(1, 5))
    sites = tuple(CandidateSite(f"p{j}", f"点{j}", Tier.COLLECTION_POINT, 93.5 + 0.01 * j, 42.81, "650502")
                  for j in range(1, 4))
    return Scenario("tiny", villages, sites, TableTravelModel(KM), region_id="tiny")


def solve_tiny(scenario: Scenario, *, params: TinyParams, time_limit_s: float) -> Plan:
    if params.fail:
        raise SolverError("tiny model: this scenario is set to fail (fail = true)")
    time.sleep(params.delay_s)
    m = scenario.travel.matrix([v.point for v in scenario.villages], [s.point for s in scenario.sites])
    points = [s.site_id for s in scenario.sites]
    best = None
    for k in range(1, len(points) + 1):
        for open_ in itertools.combinations(points, k):
            assign = {v.village_id: min(open_, key=lambda p, v=v: (m.distance(v.village_id, p), p))
                      for v in scenario.villages}
            transport = sum(v.total_t_per_year * m.distance(v.village_id, assign[v.village_id])
                            * params.rate_cny_per_t_km for v in scenario.villages)
            total = params.fixed_cost_cny * k + transport
            if best is None or total < best[0] - 1e-9:
                best = (total, open_, assign, transport)
    total, open_, assign, transport = best
    by_id = {v.village_id: v for v in scenario.villages}
    t_km = sum(by_id[v].total_t_per_year * m.distance(v, p) for v, p in assign.items())
    through = {p: sum(by_id[v].total_t_per_year for v, q in assign.items() if q == p) for p in open_}
    return Plan(
        "network", scenario.name, SolveInfo("tiny-enumeration", "heuristic", "optimal", total, total, 0.0, 0.0),
        sites=tuple(OpenSite(p, Tier.COLLECTION_POINT, "kiosk", 1000.0, through[p], params.fixed_cost_cny)
                    for p in open_),
        assignments=tuple(Assignment(v, p, 1.0, "site", m.distance(v, p)) for v, p in assign.items()),
        flows=tuple(Flow(v, p, MaterialStream.GENERAL_RECYCLABLES, by_id[v].total_t_per_year, m.distance(v, p),
                         "village_to_point") for v, p in assign.items()),
        costs_cny={"fixed": params.fixed_cost_cny * len(open_), "transport": transport, "total": total},
        kpis={"demand_t": sum(through.values()), "served_t": sum(through.values()), "coverage_share": 1.0,
              "t_km": t_km, "co2_t": t_km * 0.05 / 1000, "open_collection_point": float(len(open_))})


def check_tiny(scenario: Scenario, plan: Plan, params: TinyParams) -> list[str]:
    """Independent check: every village served by an open point; costs recomputed."""
    problems = []
    open_ids = {s.site_id for s in plan.sites}
    served = {a.client_id: a.server_id for a in plan.assignments}
    transport = 0.0
    for v in scenario.villages:
        p = served.get(v.village_id)
        if p not in open_ids:
            problems.append(f"village {v.village_id} is not served by an open point")
            continue
        km = KM[(v.village_id, p)]
        transport += v.total_t_per_year * km * params.rate_cny_per_t_km
    total = params.fixed_cost_cny * len(open_ids) + transport
    if abs(total - plan.costs_cny["total"]) > 1e-6:
        problems.append(f"total cost {plan.costs_cny['total']} != recomputed {total}")
    return problems


TINY = BatchModel("tiny", TinyParams, load_tiny, solve_tiny, check_tiny)


def test_tiny_model_finds_the_hand_computed_optimum() -> None:
    # Fixed 100/point, 2 CNY/t·km; loads v1..v4 = 10, 20, 30, 40 t.
    # Open {p1, p3}: v1→p1 2 km, v2→p1 3 km, v3→p3 2 km, v4→p3 1 km:
    # transport 2·(20 + 60 + 60 + 40) = 360, total 560 (best of the 7 subsets).
    scenario = load_tiny("tiny", 0)
    params = TinyParams()
    plan = solve_tiny(scenario, params=params, time_limit_s=1)
    assert {s.site_id for s in plan.sites} == {"p1", "p3"}
    assert plan.costs_cny["total"] == pytest.approx(560.0)
    assert check_tiny(scenario, plan, params) == []


def test_tiny_checker_catches_a_wrong_cost() -> None:
    scenario = load_tiny("tiny", 0)
    params = TinyParams()
    plan = solve_tiny(scenario, params=params, time_limit_s=1)
    broken = Plan(plan.kind, plan.scenario_name, plan.solve, plan.sites, plan.assignments, plan.flows,
                  costs_cny={**plan.costs_cny, "total": 1.0}, kpis=plan.kpis)
    assert any("recomputed" in p for p in check_tiny(scenario, broken, params))
