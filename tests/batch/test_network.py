"""A batch of the real three-tier model (solve_network + check_network_plan) on a hand-checked instance.

Instance (the design county of ``tests.scenarios`` without its mobile legs; road km,
t/yr, one stream, one county): villages v1 10 t, v2 10 t,
v3 20 t; points p1, p2 (100 t/yr, 1,000 CNY/yr); station s1 (5,000 CNY/yr);
centre c1 (10,000 CNY/yr). km: v1-p1 1, v2-p1 2, v3-p1 10, v1-p2 10, v2-p2 3,
v3-p2 1, p1-s1 5, p2-s1 5, s1-c1 10. Upper legs cost 40·5·1 + 40·10·0.5 = 400.
With first-leg rate r (CNY/t·km):

- p2 alone: 16,000 fixed + 400 + (100 + 30 + 20)·r = 16,400 + 150 r
- p1 alone: 16,400 + (10 + 20 + 200)·r = 16,400 + 230 r
- both:     17,000 fixed + 400 + (10 + 20 + 20)·r = 17,400 + 50 r

so r = 2 opens p2 alone (16,700) and r = 20 opens both (18,400).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from batch.compare import kpi_table
from batch.models import BatchModel
from batch.run import run_batch
from batch.spec import parse_batch
from network import (
    CostParams,
    Scenario,
    SolverError,
)
from network.network_params import NetworkParams
from solver.check.design import check_network_plan
from solver.design.solve import solve_network
from tests.scenarios import DESIGN_RATES, DESIGN_SITE_KM, design_scenario


def load_hand(region: str, seed: int) -> Scenario:
    if region != "hand":
        raise SolverError(f"hand-checked instance: unknown region {region!r}")
    costs = CostParams(transport_rate_cny_per_t_km=DESIGN_RATES)
    return design_scenario(km=DESIGN_SITE_KM, costs=costs).with_changes(name="hand", region_id="hand")


def _solve(scenario: Scenario, *, params: NetworkParams, time_limit_s: float):
    return solve_network(scenario, params=params, time_limit_s=time_limit_s)


HAND = BatchModel("hand", NetworkParams, load_hand, _solve, check_network_plan)


def test_batch_of_the_real_model_matches_the_hand_optimum(tmp_path: Path) -> None:
    spec = parse_batch({
        "name": "hand",
        "base": {"model": "tests.batch.test_network:HAND", "region": "hand", "time_limit_s": 20,
                 "params": {"allow_mobile_collection": False, "max_distance_rural_km": 50.0,
                            "relative_gap": 1e-6}},
        "grid": {"costs.transport_rate_cny_per_t_km.village_to_point": [2.0, 20.0]},
    }, source="hand.toml")
    result = run_batch(spec, tmp_path / "out", sequential=True)
    assert result.failed == []
    by_rate = {m["parameters"]["cost_overrides"]["transport_rate_cny_per_t_km.village_to_point"]: m
               for m in result.manifests.values()}
    for rate, total, points in ((2.0, 16_700.0, 1), (20.0, 18_400.0, 2)):
        m = by_rate[rate]
        assert m["check"] == {"passed": True, "violations": []}  # the independent checker, in the task
        assert m["solve"]["status"] == "optimal"
        assert m["costs_cny"]["total"] == pytest.approx(total)
        assert m["kpis"]["open_collection_point"] == points
        assert m["costs_used"]["transport_rate_cny_per_t_km"]["village_to_point"] == rate
    frame = kpi_table(result.manifests)
    assert frame.loc[0, "best"] == "★" and frame.loc[0, "total_cny"] == pytest.approx(16_700.0)
