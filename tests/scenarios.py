"""The small hand-made scenarios near Hami (哈密) that tests in several folders build on.

Each is small enough to solve by hand; the test that uses one states the
numbers it expects and how they follow.

**The design county** (``design_scenario``): one county 伊州区, three rural
villages, two collection points, a station and a centre; road km, t/yr, one
stream:

    villages v1 (10 t), v2 (10 t), v3 (20 t)
    points p1, p2: one level "pt" 100 t/yr, 1,000 CNY/yr fixed, no handling
    station s1: 1,000 t/yr, 5,000 CNY/yr; centre c1: 1,000 t/yr, 10,000 CNY/yr
    km: v1-p1 1, v2-p1 2, v3-p1 10, v1-p2 10, v2-p2 3, v3-p2 1,
        p1-s1 5, p2-s1 5, s1-c1 10, mobile v1-s1 15, v2-s1 40, v3-s1 40
    rates (CNY/t·km): village→point 2, point→station 1, station→centre 0.5

**The route county** (``route_scenario``, ``route_network_plan``): station
ST with points cp1, cp2, cp3 and one village v1 collected by a mobile
vehicle, 40 km/h, and the network plan that opens them (cp1 104 t/yr,
cp2 270.4 t/yr, cp3 26 t/yr, v1 52 t/yr).

**The two prefectures** (``bases_scenario``, ``bases_forecast``,
``BASES_PARAMS``): candidate recycling bases in 伊州区 (Hami) and 昌吉市
(Changji), 10 km from their own county and 300 km from the other; 10 kt/yr of
tower steel retiring in Hami from 2025 and in Changji from 2030; one base size
of 50 kt/yr at 1 M CNY/yr, 1 CNY/t·km, no discounting.
"""

from __future__ import annotations

from network import (
    Assignment,
    CandidateSite,
    CostParams,
    County,
    MaterialStream,
    OpenSite,
    Plan,
    Plant,
    RailStation,
    Scenario,
    SettlementType,
    SizeLevel,
    SolveInfo,
    TableTravelModel,
    Tier,
    Village,
)
from network.bases_params import BasesParams, ForecastParams
from network.network_params import NetworkParams
from solver.bases.forecast import Forecast, ForecastRow

GR = MaterialStream.GENERAL_RECYCLABLES
STEEL = MaterialStream.TOWERS_STEEL
YIZHOU, CHANGJI = "650502", "652301"  # Hami Yizhou, Changji city: two prefectures

# -- the design county ------------------------------------------------------------
DESIGN_COUNTY = County(YIZHOU, "伊州区", "650500", "哈密市", 93.5, 42.8, seat_generated=False, population=1000,
                       households=300, urban_population=500, rural_population=500)
DESIGN_LEVELS = (
    SizeLevel("pt", Tier.COLLECTION_POINT, 100.0, 1_000.0, 0.0, 10.0),
    SizeLevel("st", Tier.TRANSFER_STATION, 1_000.0, 5_000.0, 0.0, 100.0),
    SizeLevel("ce", Tier.SORTING_CENTRE, 1_000.0, 10_000.0, 0.0, 1_000.0),
)
#: Road km of the design county without the mobile-collection legs (villages to the station).
DESIGN_SITE_KM = {("v1", "p1"): 1, ("v2", "p1"): 2, ("v3", "p1"): 10, ("v1", "p2"): 10, ("v2", "p2"): 3,
                  ("v3", "p2"): 1, ("p1", "s1"): 5, ("p2", "s1"): 5, ("s1", "c1"): 10}
DESIGN_KM = {**DESIGN_SITE_KM, ("v1", "s1"): 15, ("v2", "s1"): 40, ("v3", "s1"): 40}
DESIGN_RATES = {"village_to_point": 2.0, "point_to_station": 1.0, "station_to_centre": 0.5}
DESIGN_COSTS = CostParams(transport_rate_cny_per_t_km=DESIGN_RATES, mobile_visit_cost_cny=1.0,
                          mobile_visits_per_year=52.0)
#: Fixed sites only, 50 km rural radius, proven optimal within 1e-6.
DESIGN_PARAMS = NetworkParams(allow_mobile_collection=False, max_distance_rural_km=50.0, time_limit_s=20.0,
                              relative_gap=1e-6)


def design_village(vid: str, amount: float, lon: float, households: float = 100.0) -> Village:
    """A rural village of 伊州区 at ``lon``, 42.80 N, making ``amount`` t/yr of general recyclables."""
    return Village(vid, f"村{vid}", YIZHOU, "650502100", lon, 42.80, SettlementType.RURAL, households,
                   households * 3, {GR: amount})


def design_site(sid: str, tier: Tier, lon: float, **kw: object) -> CandidateSite:
    """A candidate site of 伊州区 at ``lon``, 42.85 N."""
    return CandidateSite(sid, f"站{sid}", tier, lon, 42.85, YIZHOU, **kw)


def design_scenario(*, p1: dict | None = None, p2: dict | None = None, households_v1: float = 100.0,
                    villages: tuple[Village, ...] | None = None, km: dict | None = None,
                    costs: CostParams = DESIGN_COSTS) -> Scenario:
    """The design county; ``p1`` / ``p2`` change a point's fields, the rest replace the county's."""
    vs = villages or (design_village("v1", 10, 93.50, households_v1), design_village("v2", 10, 93.51),
                      design_village("v3", 20, 93.52))
    sites = (design_site("p1", Tier.COLLECTION_POINT, 93.50, **(p1 or {})),
             design_site("p2", Tier.COLLECTION_POINT, 93.52, **(p2 or {})),
             design_site("s1", Tier.TRANSFER_STATION, 93.53), design_site("c1", Tier.SORTING_CENTRE, 93.60))
    return Scenario("tiny", vs, sites, TableTravelModel(km or DESIGN_KM), size_levels=DESIGN_LEVELS, costs=costs,
                    counties=(DESIGN_COUNTY,))


# -- the route county -------------------------------------------------------------
def route_scenario() -> Scenario:
    """Station ST, points cp1–cp3 and village v1 (52 t/yr), with the road km between them."""
    sites = (CandidateSite("ST", "中转站", Tier.TRANSFER_STATION, 93.50, 42.80, YIZHOU),
             CandidateSite("cp1", "供销社1", Tier.COLLECTION_POINT, 93.55, 42.80, YIZHOU),
             CandidateSite("cp2", "供销社2", Tier.COLLECTION_POINT, 93.45, 42.80, YIZHOU),
             CandidateSite("cp3", "供销社3", Tier.COLLECTION_POINT, 93.50, 42.85, YIZHOU))
    village = Village("v1", "甲村", YIZHOU, YIZHOU + "100", 93.50, 42.75, SettlementType.RURAL, 100, 300,
                      {GR: 52.0})
    km = {("ST", "cp1"): 10, ("ST", "cp2"): 12, ("ST", "cp3"): 8, ("ST", "v1"): 15, ("cp1", "cp2"): 20,
          ("cp1", "cp3"): 9, ("cp2", "cp3"): 11, ("cp1", "v1"): 18, ("cp2", "v1"): 19, ("cp3", "v1"): 22}
    return Scenario("tiny", (village,), sites, TableTravelModel(km, speed_kmh=40.0))


def route_network_plan() -> Plan:
    """The network plan of the route county: every point open at ST, v1 collected from ST."""
    sites = (OpenSite("ST", Tier.TRANSFER_STATION, "small", 3000, 500, 250_000),
             OpenSite("cp1", Tier.COLLECTION_POINT, "kiosk", 150, 104.0, 15_000),   # 2.0 t/week
             OpenSite("cp2", Tier.COLLECTION_POINT, "kiosk", 500, 270.4, 40_000),   # 5.2 t/week
             OpenSite("cp3", Tier.COLLECTION_POINT, "kiosk", 150, 26.0, 15_000))    # 0.5 t/week
    assignments = (Assignment("cp1", "ST", 1.0, "site", 10), Assignment("cp2", "ST", 1.0, "site", 12),
                   Assignment("cp3", "ST", 1.0, "site", 8), Assignment("v1", "ST", 1.0, "mobile", 15))
    return Plan("network", "tiny", SolveInfo("network_design", "highs", "optimal", 0.0), sites=sites,
                assignments=assignments)


# -- the two prefectures ----------------------------------------------------------
def bases_scenario(*, stations: tuple[RailStation, ...] = (), extra_km: dict | None = None) -> Scenario:
    """Candidate bases base-A (Hami) and base-B (Changji), one wind plant each; ``extra_km`` adds road km."""
    level = SizeLevel("only", Tier.RECYCLING_BASE, 50_000.0, 1_000_000.0, 0.0, 10_000.0)
    sites = (CandidateSite("base-A", "哈密基地", Tier.RECYCLING_BASE, 93.5, 42.8, YIZHOU),
             CandidateSite("base-B", "昌吉基地", Tier.RECYCLING_BASE, 87.3, 44.0, CHANGJI))
    plants = (Plant("pA", "哈密风电", "wind", 100.0, 2005, "operating", 93.4, 42.9, YIZHOU, "6505", "test"),
              Plant("pB", "昌吉风电", "wind", 100.0, 2010, "operating", 87.2, 44.1, CHANGJI, "6523", "test"))
    km = {(YIZHOU, "base-A"): 10, (YIZHOU, "base-B"): 300, (CHANGJI, "base-A"): 300, (CHANGJI, "base-B"): 10}
    km.update(extra_km or {})
    return Scenario("two-period", (), sites, TableTravelModel(km), size_levels=(level,), plants=plants,
                    rail_stations=stations, costs=CostParams(discount_rate=0.0))


def bases_forecast() -> Forecast:
    """10 kt/yr of tower steel retiring in Hami 2025–2034 and in Changji 2030–2034."""
    rows = [ForecastRow(y, YIZHOU, "6505", STEEL, 10_000.0) for y in range(2025, 2035)]
    rows += [ForecastRow(y, CHANGJI, "6523", STEEL, 10_000.0) for y in range(2030, 2035)]
    return Forecast(tuple(rows), 2025, 2034, 150_000.0, 0.0, ForecastParams())


#: Two periods (2025, 2030), 1 CNY/t·km by road, no processing cost or revenue, proven optimal.
BASES_PARAMS = BasesParams(period_starts=(2025, 2030), end_year=2034,
                           road_rate_cny_per_t_km={"pv_modules": 1.0, "wind_blades": 1.0, "towers_steel": 1.0},
                           processing_cny_per_t={"pv_modules": 0.0, "wind_blades": 0.0, "towers_steel": 0.0},
                           revenue_cny_per_t={"pv_modules": 0.0, "wind_blades": 0.0, "towers_steel": 0.0},
                           relative_gap=0.0, time_limit_s=20.0)
