"""Where things are: one index of every located id of a scenario.

Plans refer to villages, sites, plants, rail stations and counties by id; the
map needs their WGS-84 position, display name and whether the position was
generated (synthetic) rather than read from a source.
"""

from __future__ import annotations

from dataclasses import dataclass

from network.plan import Assignment, Plan
from network.scenario import Scenario
from network.sites import CandidateSite, Tier


@dataclass(frozen=True, slots=True)
class Place:
    """A located item: WGS-84 degrees, name, what it is, and whether it was generated."""

    place_id: str
    lon: float
    lat: float
    name: str
    what: str
    generated: bool = False


def place_index(scenario: Scenario) -> dict[str, Place]:
    """Every located id of a scenario → :class:`Place`.

    Ids are looked up in the order villages, sites, plants, rail stations,
    townships, counties; the first hit wins (a county code never shadows a
    site id). A county code stands at the capacity-weighted centroid of the
    county's plants when it has any (where base siting puts the county's
    retired tonnes), else at the county seat.
    """
    index: dict[str, Place] = {}

    def put(place: Place) -> None:
        index.setdefault(place.place_id, place)

    for v in scenario.villages:
        put(Place(v.village_id, v.lon, v.lat, v.name, "village",
                  bool({"lon", "lat"} & set(v.generated_fields))))
    for s in scenario.sites:
        put(Place(s.site_id, s.lon, s.lat, s.name, s.tier.value,
                  bool({"lon", "lat"} & set(s.generated_fields))))
    for p in scenario.plants:
        put(Place(p.plant_id, p.lon, p.lat, p.name, "plant"))
    for r in scenario.rail_stations:
        put(Place(r.station_id, r.lon, r.lat, r.name, "rail_station"))
    for t in scenario.townships:
        put(Place(t.code, t.seat_lon, t.seat_lat, t.name, "township", t.seat_generated))
    # A county as a flow origin (base siting) sits at the capacity-weighted centroid of
    # its plants, as solver.bases.sites places county sources, else at its seat.
    mw: dict[str, list[float]] = {}
    for p in scenario.plants:
        acc = mw.setdefault(p.county_code, [0.0, 0.0, 0.0])
        acc[0] += p.capacity_mw
        acc[1] += p.capacity_mw * p.lon
        acc[2] += p.capacity_mw * p.lat
    names = {c.code: c.name for c in scenario.counties}
    for code, (total, lon_mw, lat_mw) in sorted(mw.items()):
        if total > 0 and code not in index:
            put(Place(code, lon_mw / total, lat_mw / total, f"{names.get(code, code)} 电站重心 plant centroid",
                      "county"))
    for c in scenario.counties:
        put(Place(c.code, c.seat_lon, c.seat_lat, c.name, "county", c.seat_generated))
    return index


def site_index(scenario: Scenario) -> dict[str, CandidateSite]:
    """Candidate sites by id."""
    return {s.site_id: s for s in scenario.sites}


def assignments_by_client(plan: Plan) -> dict[str, list[Assignment]]:
    """A plan's assignments grouped by client id (village or lower-tier site)."""
    out: dict[str, list[Assignment]] = {}
    for a in plan.assignments:
        out.setdefault(a.client_id, []).append(a)
    return out


def assignments_by_server(plan: Plan) -> dict[str, list[Assignment]]:
    """A plan's assignments grouped by server id (the site that serves)."""
    out: dict[str, list[Assignment]] = {}
    for a in plan.assignments:
        out.setdefault(a.server_id, []).append(a)
    return out


def leg_of(assignment: Assignment, sites: dict[str, CandidateSite]) -> str:
    """The network leg of an assignment (``docs/plan_contract.md``)."""
    if assignment.mode == "mobile":
        return "mobile_collection"
    client = sites.get(assignment.client_id)
    if client is None:
        return "village_to_point"
    if client.tier is Tier.COLLECTION_POINT:
        return "point_to_station"
    return "station_to_centre"
