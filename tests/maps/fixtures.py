"""Small hand-made scenario and plans of each kind for the map and report tests.

Two counties near Hami (哈密); 12 villages (two with generated locations), a
few candidates of every tier, three plants and two rail stations. The plans
are drawn by hand to the Plan contract (not solver output): a three-tier
network, two collection routes with an unload, and one recycling base.
"""

from __future__ import annotations

from network import (
    Assignment,
    CandidateSite,
    County,
    Flow,
    MaterialStream,
    OpenSite,
    Plan,
    Plant,
    RailStation,
    Route,
    RouteStop,
    Scenario,
    SettlementType,
    SizeStep,
    SolveInfo,
    TableTravelModel,
    Tier,
    Village,
)

GR = MaterialStream.GENERAL_RECYCLABLES
YZ, BLK = "650502", "650521"


def _village(i: int, lon: float, lat: float, settlement: SettlementType = SettlementType.RURAL, *,
             generated: bool = False, county: str = YZ) -> Village:
    return Village(f"v{i}", f"村{i}", county, county + "100", lon, lat, settlement, 100 + 10 * i, 300 + 30 * i,
                   {GR: 5.0 + i, MaterialStream.APPLIANCES: 0.5},
                   frozenset({"lon", "lat"}) if generated else frozenset())


def scenario() -> Scenario:
    """The fixture scenario (WGS-84 coordinates near Hami)."""
    villages = (
        _village(1, 93.40, 42.80), _village(2, 93.45, 42.85), _village(3, 93.55, 42.78),
        _village(4, 93.60, 42.90, SettlementType.URBAN), _village(5, 93.52, 42.83, SettlementType.URBAN),
        _village(6, 93.30, 42.70, generated=True), _village(7, 93.70, 42.75, SettlementType.FARM_UNIT),
        _village(8, 93.05, 43.55, county=BLK), _village(9, 93.10, 43.62, county=BLK),
        _village(10, 92.95, 43.58, county=BLK, generated=True), _village(11, 93.20, 43.50, county=BLK),
        _village(12, 93.65, 42.95),
    )
    sites = (
        CandidateSite("cp1", "供销社甲 Coop A", Tier.COLLECTION_POINT, 93.44, 42.82, YZ),
        CandidateSite("cp2", "石榴籽站乙 Station B", Tier.COLLECTION_POINT, 93.58, 42.86, YZ,
                      shared_with_garbage_sorting=True),
        CandidateSite("cp3", "巴里坤回收点", Tier.COLLECTION_POINT, 93.08, 43.57, BLK,
                      generated_fields=frozenset({"lon", "lat"})),
        CandidateSite("cp4", "未选点 Unused", Tier.COLLECTION_POINT, 93.25, 42.75, YZ),
        CandidateSite("ts1", "伊州中转站", Tier.TRANSFER_STATION, 93.50, 42.82, YZ),
        CandidateSite("ts2", "巴里坤中转站", Tier.TRANSFER_STATION, 93.02, 43.60, BLK),
        CandidateSite("sc1", "哈密分拣中心", Tier.SORTING_CENTRE, 93.53, 42.84, YZ),
        CandidateSite("rb1", "哈密循环利用基地", Tier.RECYCLING_BASE, 93.60, 42.70, YZ),
        CandidateSite("rb2", "巴里坤基地候选", Tier.RECYCLING_BASE, 93.10, 43.50, BLK),
    )
    counties = (
        County(YZ, "伊州区", "650500", "哈密市", 93.51, 42.83,
               seat_generated=False, population=300_000, households=100_000, urban_population=200_000, rural_population=100_000),
        County(BLK, "巴里坤县", "650500", "哈密市", 93.01, 43.60,
               seat_generated=False, population=100_000, households=30_000, urban_population=30_000, rural_population=70_000),
    )
    plants = (
        Plant("p1", "三塘湖风电", "wind", 200.0, 2012, "operating", 93.8, 43.3, BLK, "650500", "GEM"),
        Plant("p2", "烟墩风电", "wind", 49.5, 2010, "operating", 94.2, 42.6, YZ, "650500", "GEM",
              commissioning_year_imputed=True),
        Plant("p3", "哈密光伏", "solar", 20.0, 2014, "operating", 93.7, 42.6, YZ, "650500", "WRI"),
    )
    rails = (RailStation("rs1", "哈密站", 93.50, 42.82, YZ), RailStation("rs2", "柳树泉站", 93.95, 42.65, YZ))
    return Scenario("fixture 哈密", villages, sites, TableTravelModel({("v1", "cp1"): 4.0}), counties=counties,
                    plants=plants, rail_stations=rails, region_id="")


def _solve(model: str) -> SolveInfo:
    return SolveInfo(model, "heuristic", "heuristic", 1.0, time_s=0.1)


def network_plan() -> Plan:
    """Five open sites, every village assigned (v12 by mobile collection)."""
    by_point = {"cp1": ["v1", "v2", "v6"], "cp2": ["v3", "v4", "v5", "v7"], "cp3": ["v8", "v9", "v10", "v11"]}
    assignments = [Assignment(v, cp, 1.0, "site", 3.5) for cp, vs in by_point.items() for v in vs]
    assignments.append(Assignment("v12", "ts1", 1.0, "mobile", 16.0))
    assignments += [Assignment("cp1", "ts1", 1.0, "site", 6.0), Assignment("cp2", "ts1", 1.0, "site", 7.0),
                    Assignment("cp3", "ts2", 1.0, "site", 5.0), Assignment("ts1", "sc1", 1.0, "site", 3.0),
                    Assignment("ts2", "sc1", 1.0, "site", 95.0)]
    flows = [Flow(a.client_id, a.server_id, GR, 10.0, a.distance_km, "village_to_point") for a in assignments[:11]]
    sites = (
        OpenSite("cp1", Tier.COLLECTION_POINT, "kiosk", 150, 27.5, 15_000),
        OpenSite("cp2", Tier.COLLECTION_POINT, "standard", 500, 41.0, 24_000),
        OpenSite("cp3", Tier.COLLECTION_POINT, "kiosk", 150, 56.0, 15_000),
        OpenSite("ts1", Tier.TRANSFER_STATION, "small", 3_000, 86.0, 250_000),
        OpenSite("ts2", Tier.TRANSFER_STATION, "small", 3_000, 56.0, 250_000),
        OpenSite("sc1", Tier.SORTING_CENTRE, "specialised", 15_000, 142.0, 1_500_000),
    )
    return Plan("network", "fixture 哈密", _solve("network_design"), sites=sites, assignments=tuple(assignments),
                flows=tuple(flows),
                costs_cny={"fixed": 2_054_000.0, "handling": 12_345.0, "transport": 9_876.0,
                           "mobile_collection": 6_240.0, "total": 2_082_461.0},
                kpis={"demand_t": 142.0, "served_t": 142.0, "coverage_share": 1.0, "t_km": 5_432.0,
                      "co2_t": 0.9, "mean_village_km": 4.5, "max_village_km": 16.0,
                      "shared_site_share": 1 / 3, "mobile_villages": 1.0, "open_collection_point": 3.0,
                      "open_transfer_station": 2.0, "open_sorting_centre": 1.0},
                params={"max_village_km": 20.0})


def routes_plan() -> Plan:
    """Two routes from ts1; route r1 unloads at ts1 mid-shift."""
    def stop(loc: str, kind: str, h: float, load: float, got: float = 0.0) -> RouteStop:
        return RouteStop(loc, kind, h, load, load / 0.15, got)

    r1 = Route("r1", "ts1", "light_truck", (
        stop("ts1", "depot", 0.0, 0.0), stop("v1", "collect", 0.5, 0.8, 0.8), stop("v2", "collect", 0.8, 1.5, 0.7),
        stop("ts1", "unload", 1.2, 0.0), stop("v6", "collect", 1.9, 0.6, 0.6), stop("ts1", "depot", 2.6, 0.0)),
        62.0, 2.6, 310.0)
    r2 = Route("r2", "ts1", "tricycle", (
        stop("ts1", "depot", 0.0, 0.0), stop("v3", "collect", 0.4, 0.2, 0.2), stop("v5", "collect", 0.7, 0.35, 0.15),
        stop("v4", "collect", 1.1, 0.45, 0.1), stop("ts1", "depot", 1.6, 0.0)), 28.0, 1.6, 90.0)
    return Plan("routes", "fixture 哈密", _solve("routing"), routes=(r1, r2),
                costs_cny={"vehicles_fixed": 240.0, "distance": 110.0, "time": 50.0, "total": 400.0},
                kpis={"total_km": 90.0, "vehicle_hours": 4.2, "utilisation": 0.6, "co2_t": 0.01,
                      "routes": 2.0, "unloads": 1.0})


def bases_plan() -> Plan:
    """One base from 2030 with an expansion in 2035; road and rail flows."""
    flows = (
        Flow("p1", "rb1", MaterialStream.WIND_BLADES, 800.0, 90.0, "plant_to_base", 2032, "road"),
        Flow("p1", "rb1", MaterialStream.TOWERS_STEEL, 3_000.0, 90.0, "plant_to_base", 2033, "rail"),
        Flow("p2", "rb1", MaterialStream.WIND_BLADES, 200.0, 60.0, "plant_to_base", 2031, "road"),
        Flow("p3", "rb1", MaterialStream.PV_MODULES, 150.0, 15.0, "plant_to_base", 2034, "road"),
    )
    base = OpenSite("rb1", Tier.RECYCLING_BASE, "base", 20_000, 4_150, 3_000_000, open_year=2030,
                    steps=(SizeStep(2030, "base", 20_000), SizeStep(2035, "large", 50_000)))
    return Plan("bases", "fixture 哈密", _solve("bases"), sites=(base,), flows=flows,
                costs_cny={"fixed": 30_000_000.0, "processing": 4_000_000.0, "transport": 700_000.0,
                           "revenue": -5_000_000.0, "total": 29_700_000.0},
                kpis={"retired_t": 4_150.0, "t_km": 321_000.0, "co2_t": 18.0, "bases": 1.0})


def forecast_table() -> list[dict[str, object]]:
    """A tidy retirement forecast: year, county, class, t."""
    rows: list[dict[str, object]] = []
    for year in range(2030, 2036):
        rows.append({"year": year, "county": "伊州区", "class": "wind_blades", "t": 100.0 + 20 * (year - 2030)})
        rows.append({"year": year, "county": "巴里坤县", "class": "pv_modules", "t": 50.0 + 5 * (year - 2030)})
    return rows
