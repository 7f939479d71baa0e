"""Vehicles that carry material between tiers and collect from points."""

from __future__ import annotations

import math
from dataclasses import dataclass

from network.errors import InputError


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A kind of vehicle, with its limits and costs.

    ``vehicle_class`` keys the per-class rates in ``CostParams`` (CO2 factor
    and t·km rate). ``count`` is how many are available per base (None: as
    many as needed).
    """

    name: str
    vehicle_class: str
    capacity_t: float
    capacity_m3: float
    fixed_cost_cny_per_day: float
    cost_cny_per_km: float
    cost_cny_per_hour: float
    speed_kmh: float
    shift_h: float = 8.0
    count: int | None = None
    name_zh: str = ""

    def __post_init__(self) -> None:
        problems = []
        for attr in ("capacity_t", "capacity_m3", "speed_kmh", "shift_h"):
            value = getattr(self, attr)
            if not (math.isfinite(value) and value > 0):
                problems.append(f"vehicle type '{self.name}', field '{attr}': "
                                f"expected a positive number, got {value!r}")
        for attr in ("fixed_cost_cny_per_day", "cost_cny_per_km", "cost_cny_per_hour"):
            value = getattr(self, attr)
            if not (math.isfinite(value) and value >= 0):
                problems.append(f"vehicle type '{self.name}', field '{attr}': "
                                f"expected a non-negative number, got {value!r}")
        if self.count is not None and self.count < 0:
            problems.append(f"vehicle type '{self.name}', field 'count': expected >= 0, got {self.count}")
        if problems:
            raise InputError(problems)


# Cost figures: planning assumptions for western China in 2024 (driver wage
# ~6,000 CNY/month, diesel ~7.5 CNY/l), to be replaced by local figures.
DEFAULT_VEHICLE_TYPES: tuple[VehicleType, ...] = (
    VehicleType("tricycle", "light_truck", 0.5, 3.0, 60.0, 0.3, 25.0, 25.0, 8.0, None, "电动三轮回收车"),
    VehicleType("light_truck", "light_truck", 2.0, 16.0, 180.0, 1.2, 40.0, 45.0, 8.0, None, "轻型厢式货车"),
    VehicleType("medium_truck", "medium_truck", 8.0, 40.0, 350.0, 2.2, 50.0, 55.0, 9.0, None, "中型厢式货车"),
    VehicleType("heavy_truck", "heavy_truck", 25.0, 90.0, 700.0, 3.8, 60.0, 60.0, 10.0, None, "重型半挂车"),
)
