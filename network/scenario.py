"""``Scenario``: one planning problem, everything a model needs and nothing else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from network.admin import County, Plant, RailStation, Township
from network.demand import Village
from network.errors import InputError
from network.fleet import DEFAULT_VEHICLE_TYPES, VehicleType
from network.matrix import TableTravelModel, TravelModel
from network.params import CostParams, params_to_mapping
from network.sites import DEFAULT_SIZE_LEVELS, CandidateSite, SizeLevel, Tier, levels_by_tier

#: Rebuilds a travel model from its ``spec``; geodata registers its models here.
TRAVEL_MODEL_FACTORIES: dict[str, Callable[[Mapping[str, Any]], TravelModel]] = {
    "table": TableTravelModel.from_spec,
}


@dataclass(frozen=True, slots=True, eq=False)
class Scenario:
    """One planning problem: demand, candidate sites, fleet, costs and travel.

    Parameters
    ----------
    name
        Human-readable name, e.g. ``"hami"``.
    villages
        Demand points.
    sites
        Candidate (and existing, required, closed) sites of every tier.
    travel
        Model that yields distance/time matrices between any located items.
    size_levels
        Size levels per tier; defaults cite SB/T 10719 / SB/T 10720.
    vehicle_types
        Vehicle types available for collection routes.
    costs
        Transport rates, CO2 factors and cost conventions.
    counties, townships
        Administrative units of the region (for reports and explanations).
    plants, rail_stations
        Wind/PV plants and railway stations (recycling-base siting).
    region_id
        Bundled region id, or ``""`` for user data.
    notes
        Provenance and generation notes shown to users.

    Raises
    ------
    InputError
        On duplicate ids, unknown size levels, or villages/sites that refer to
        unknown townships or counties.
    """

    name: str
    villages: tuple[Village, ...]
    sites: tuple[CandidateSite, ...]
    travel: TravelModel
    size_levels: tuple[SizeLevel, ...] = DEFAULT_SIZE_LEVELS
    vehicle_types: tuple[VehicleType, ...] = DEFAULT_VEHICLE_TYPES
    costs: CostParams = field(default_factory=CostParams)
    counties: tuple[County, ...] = ()
    townships: tuple[Township, ...] = ()
    plants: tuple[Plant, ...] = ()
    rail_stations: tuple[RailStation, ...] = ()
    region_id: str = ""
    notes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[str] = []
        for label, ids in (("village_id", [v.village_id for v in self.villages]),
                           ("site_id", [s.site_id for s in self.sites]),
                           ("plant_id", [p.plant_id for p in self.plants]),
                           ("vehicle type name", [v.name for v in self.vehicle_types])):
            for dup, n in Counter(ids).items():
                if n > 1:
                    problems.append(f"scenario '{self.name}': duplicate {label} '{dup}' ({n} times)")
        level_names = {(lv.tier, lv.name) for lv in self.size_levels}
        for dup, n in Counter((lv.tier, lv.name) for lv in self.size_levels).items():
            if n > 1:
                problems.append(f"scenario '{self.name}': duplicate size level {dup[0]}/{dup[1]}")
        for site in self.sites:
            for level in site.size_levels:
                if (site.tier, level) not in level_names:
                    problems.append(f"site {site.site_id}, field 'size_levels': unknown size level "
                                    f"'{level}' for tier {site.tier}")
        county_codes = {c.code for c in self.counties}
        township_codes = {t.code for t in self.townships}
        if township_codes:
            for v in self.villages:
                if v.township_code not in township_codes:
                    problems.append(f"village {v.village_id}, field 'township_code': unknown "
                                    f"township '{v.township_code}'")
        if county_codes:
            for item in (*self.villages, *self.sites):
                if item.county_code not in county_codes:
                    ident = getattr(item, "village_id", None) or getattr(item, "site_id", "")
                    problems.append(f"{ident}, field 'county_code': unknown county '{item.county_code}'")
        if problems:
            raise InputError(problems)

    # -- look-ups -------------------------------------------------------
    def sites_of(self, tier: Tier) -> tuple[CandidateSite, ...]:
        """Sites of one tier, in scenario order."""
        return tuple(s for s in self.sites if s.tier is tier)

    def levels_of(self, tier: Tier) -> tuple[SizeLevel, ...]:
        """Size levels of one tier, in increasing capacity."""
        return levels_by_tier(self.size_levels).get(tier, ())

    def allowed_levels(self, site: CandidateSite) -> tuple[SizeLevel, ...]:
        """Size levels a site may be built at, in increasing capacity."""
        levels = self.levels_of(site.tier)
        if site.size_levels:
            levels = tuple(lv for lv in levels if lv.name in site.size_levels)
        return levels

    def county_name(self, code: str) -> str:
        """County name for a code, or the code when the county is unknown."""
        for county in self.counties:
            if county.code == code:
                return county.name
        return code

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with some fields replaced (validated again)."""
        import dataclasses

        return dataclasses.replace(self, **changes)

    def summary_counts(self) -> dict[str, int]:
        """Counts for a summary table."""
        counts = {"counties": len(self.counties), "townships": len(self.townships),
                  "villages": len(self.villages)}
        for tier in Tier:
            counts[f"candidate {tier.value}"] = len(self.sites_of(tier))
        counts["plants"] = len(self.plants)
        counts["rail stations"] = len(self.rail_stations)
        return counts

    def costs_mapping(self) -> dict[str, Any]:
        return params_to_mapping(self.costs)


def travel_model_from_spec(spec: Mapping[str, Any]) -> TravelModel:
    """Rebuild a travel model from its ``spec``.

    Raises
    ------
    InputError
        If no factory is registered for the spec's ``source`` (import
        ``geodata`` to register the circuity and road-graph models).
    """
    source = spec.get("source")
    if source not in TRAVEL_MODEL_FACTORIES:
        raise InputError(f"travel model: unknown source {source!r}; expected one of "
                         f"{', '.join(sorted(TRAVEL_MODEL_FACTORIES))} (import geodata first)")
    return TRAVEL_MODEL_FACTORIES[source](spec)
