"""Demand points: villages (村) and urban communities (社区) that generate material."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from network.errors import InputError
from network.geo import GeoPoint, coordinate_problem
from network.streams import MaterialStream


class SettlementType(StrEnum):
    """Urban community (社区), rural village (村) or 兵团 company/farm unit (连队)."""

    URBAN = "urban"
    RURAL = "rural"
    FARM_UNIT = "farm_unit"

    @property
    def name_zh(self) -> str:
        return {"urban": "社区", "rural": "村", "farm_unit": "连队/农林场"}[self.value]

    @property
    def is_urban(self) -> bool:
        return self is SettlementType.URBAN


@dataclass(frozen=True, slots=True)
class Village:
    """A village or community: where recyclables are generated.

    Parameters
    ----------
    village_id
        NBS 12-digit code for bundled data, any unique text for user data.
    households
        Number of households (户).
    population
        Resident population (人).
    generation_t_per_year
        Tonnes per year generated, per material stream.
    generated_fields
        Fields synthesised rather than read from a real source.
    """

    village_id: str
    name: str
    county_code: str
    township_code: str
    lon: float
    lat: float
    settlement: SettlementType
    households: float
    population: float
    generation_t_per_year: Mapping[MaterialStream, float]
    generated_fields: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        problems = []
        label = f"village {self.village_id or '?'}"
        if not self.village_id:
            problems.append(f"village '{self.name}': expected a non-empty village_id")
        problem = coordinate_problem(self.lon, self.lat)
        if problem:
            problems.append(f"{label}, fields 'lon'/'lat': {problem}")
        for attr in ("households", "population"):
            value = getattr(self, attr)
            if not (math.isfinite(value) and value >= 0):
                problems.append(f"{label}, field '{attr}': expected a non-negative number, got {value!r}")
        for stream, amount in self.generation_t_per_year.items():
            if not (math.isfinite(amount) and amount >= 0):
                problems.append(f"{label}, field 'generation_t_per_year[{stream}]': "
                                f"expected a non-negative number, got {amount!r}")
        if problems:
            raise InputError(problems)

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(self.village_id, self.lon, self.lat)

    @property
    def total_t_per_year(self) -> float:
        return float(sum(self.generation_t_per_year.values()))
