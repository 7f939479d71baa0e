"""Administrative units (county 县, township 乡镇) and transport landmarks."""

from __future__ import annotations

from dataclasses import dataclass, field

from network.geo import GeoPoint


@dataclass(frozen=True, slots=True)
class County:
    """A county-level unit (区/县/市/旗) with its census figures.

    ``seat_generated`` is True when the seat coordinate is not a matched
    GeoNames point but a fallback (polygon representative point).
    """

    code: str
    name: str
    prefecture_code: str
    prefecture: str
    seat_lon: float
    seat_lat: float
    seat_generated: bool
    population: int
    households: int
    urban_population: int
    rural_population: int
    area_km2: float | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True, slots=True)
class Township:
    """A township-level unit (街道/镇/乡/苏木/团场)."""

    code: str
    name: str
    county_code: str
    kind: str
    seat_lon: float
    seat_lat: float
    seat_generated: bool


@dataclass(frozen=True, slots=True)
class RailStation:
    """A railway station (OSM ``railway=station``)."""

    station_id: str
    name: str
    lon: float
    lat: float
    county_code: str

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(self.station_id, self.lon, self.lat)


@dataclass(frozen=True, slots=True)
class Plant:
    """A wind farm phase or solar plant whose equipment will retire.

    ``commissioning_year_imputed`` is True where the year was filled by a
    documented rule; ``flags`` lists data-quality notes (e.g. a duplicate of a
    row in another source, coordinates outside the labelled province).
    """

    plant_id: str
    name: str
    technology: str  # "wind" or "solar"
    capacity_mw: float
    commissioning_year: int
    status: str
    lon: float
    lat: float
    county_code: str
    prefecture_code: str
    source: str
    commissioning_year_imputed: bool = False
    flags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(self.plant_id, self.lon, self.lat)
