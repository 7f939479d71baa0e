"""Domain model: validation, JSON round trips, parameter loading."""

import json

import pytest

from network import (
    CandidateSite,
    CostParams,
    InputError,
    MaterialStream,
    OpenSite,
    Plan,
    Scenario,
    SettlementType,
    SolveInfo,
    TableTravelModel,
    Tier,
    Village,
    params_from_mapping,
)
from network.serialize import (
    plan_from_dict,
    plan_to_json,
    scenario_content_id,
    scenario_from_dict,
    scenario_to_dict,
)


def _village(vid: str = "v1", lon: float = 93.5, lat: float = 42.8, households: float = 100) -> Village:
    return Village(vid, "甲村", "650502", "650502100", lon, lat, SettlementType.RURAL, households, 300,
                   {MaterialStream.GENERAL_RECYCLABLES: 10.0})


def _scenario() -> Scenario:
    site = CandidateSite("cp1", "供销社甲", Tier.COLLECTION_POINT, 93.51, 42.81, "650502")
    return Scenario("tiny", (_village(),), (site,), TableTravelModel({("v1", "cp1"): 3.0}))


def test_scenario_round_trips_through_json_with_a_stable_id() -> None:
    scenario = _scenario()
    again = scenario_from_dict(json.loads(json.dumps(scenario_to_dict(scenario))))
    assert again.villages == scenario.villages
    assert again.sites == scenario.sites
    assert scenario_content_id(again) == scenario_content_id(scenario)
    assert again.travel.matrix([v.point for v in again.villages], [s.point for s in again.sites]).distance(
        "v1", "cp1") == 3.0


def test_plan_round_trips_through_json() -> None:
    plan = Plan("network", "tiny", SolveInfo("m", "highs", "optimal", 15_060.0, 15_060.0, 0.0, 0.1),
                sites=(OpenSite("cp1", Tier.COLLECTION_POINT, "kiosk", 150, 10, 15_000),),
                costs_cny={"fixed": 15_000.0, "transport": 60.0, "total": 15_060.0})
    assert plan_from_dict(json.loads(plan_to_json(plan))) == plan
    assert "回收点 collection point: 1 open" in plan.summary()


def test_swapped_coordinates_are_named() -> None:
    with pytest.raises(InputError, match="looks swapped"):
        _village(lon=42.8, lat=93.5)


def test_negative_households_rejected_with_field() -> None:
    with pytest.raises(InputError, match="field 'households'"):
        _village(households=-1)


def test_duplicate_village_ids_rejected() -> None:
    scenario = _scenario()
    with pytest.raises(InputError, match="duplicate village_id 'v1'"):
        scenario.with_changes(villages=(_village(), _village()))


def test_params_reject_unknown_key_and_wrong_type_together() -> None:
    with pytest.raises(InputError) as info:
        params_from_mapping(CostParams, {"discount_rat": 0.03, "mobile_visit_cost_cny": "cheap"},
                            source="scenario.toml [costs]")
    text = str(info.value)
    assert "scenario.toml [costs]: key 'discount_rat' is unknown" in text
    assert "key 'mobile_visit_cost_cny': expected a number" in text


def test_params_accept_partial_mapping() -> None:
    params = params_from_mapping(CostParams, {"discount_rate": 0.03}, source="x")
    assert params.discount_rate == 0.03
    assert params.shared_site_fixed_cost_factor == 0.6
