"""Parameter groups and the one loader that reads them from TOML/YAML mappings.

Every parameter group is a frozen dataclass. ``params_from_mapping`` builds one
from a mapping (as read from a scenario file), rejecting unknown keys and
wrong types with the file and key named, so a typo never silently falls back
to a default. The parameters used are written into every plan.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from network.errors import InputError

P = TypeVar("P")

#: Legs of the collection network, in flow order.
LEGS: tuple[str, ...] = ("village_to_point", "point_to_station", "station_to_centre")


@dataclass(frozen=True, slots=True)
class CostParams:
    """Transport rates, CO2 factors and money conventions shared by all models.

    Parameters
    ----------
    transport_rate_cny_per_t_km
        Freight rate per leg of the collection network, CNY per tonne-km.
        Defaults are planning assumptions: short small loads on the first leg
        (tricycle / villagers' own carts, ~2 CNY/t·km), light trucks between
        point and station (~1.0), medium trucks from station to centre (~0.45,
        in line with Chinese less-than-truckload road freight quotes).
    leg_vehicle_class
        Vehicle class used on each leg (keys ``co2_kg_per_t_km``).
    co2_kg_per_t_km
        Well-to-wheel CO2e intensity per vehicle class, kg per tonne-km.
        Source: GLEC Framework v3.0 (Smart Freight Centre, 2023), default
        intensities for road freight in Asia by vehicle size, rounded; the
        electric tricycle is an assumption from China's grid factor
        (0.5703 kg/kWh, MEE 2023) at ~0.09 kWh/t·km.
    shared_site_fixed_cost_factor
        Multiplier on the fixed cost of a candidate shared with a garbage
        sorting point (两网融合): the shared premises and staff cut cost.
    mobile_visit_cost_cny
        Cost of one visit of a mobile collection vehicle (以车代库) to a village.
    mobile_visits_per_year
        Visits per year to a village served by mobile collection.
    mobile_vehicle_class
        Vehicle class of the mobile collection vehicle.
    discount_rate
        Real discount rate for multi-period plans.
    """

    transport_rate_cny_per_t_km: Mapping[str, float] = field(default_factory=lambda: {
        "village_to_point": 2.0, "point_to_station": 1.0, "station_to_centre": 0.45})
    leg_vehicle_class: Mapping[str, str] = field(default_factory=lambda: {
        "village_to_point": "tricycle", "point_to_station": "light_truck",
        "station_to_centre": "medium_truck"})
    co2_kg_per_t_km: Mapping[str, float] = field(default_factory=lambda: {
        "tricycle": 0.05, "light_truck": 0.28, "medium_truck": 0.12,
        "heavy_truck": 0.065, "oversize_truck": 0.09, "rail": 0.022})
    shared_site_fixed_cost_factor: float = 0.6
    mobile_visit_cost_cny: float = 120.0
    mobile_visits_per_year: float = 52.0
    mobile_vehicle_class: str = "light_truck"
    discount_rate: float = 0.05

    def __post_init__(self) -> None:
        problems = []
        for leg in LEGS:
            if leg not in self.transport_rate_cny_per_t_km:
                problems.append(f"cost parameter 'transport_rate_cny_per_t_km': missing leg '{leg}'")
            if leg not in self.leg_vehicle_class:
                problems.append(f"cost parameter 'leg_vehicle_class': missing leg '{leg}'")
        for leg, vclass in self.leg_vehicle_class.items():
            if vclass not in self.co2_kg_per_t_km:
                problems.append(f"cost parameter 'leg_vehicle_class[{leg}]': vehicle class "
                                f"'{vclass}' has no entry in 'co2_kg_per_t_km'")
        if self.mobile_vehicle_class not in self.co2_kg_per_t_km:
            problems.append(f"cost parameter 'mobile_vehicle_class': '{self.mobile_vehicle_class}' "
                            "has no entry in 'co2_kg_per_t_km'")
        for name in ("transport_rate_cny_per_t_km", "co2_kg_per_t_km"):
            for key, value in getattr(self, name).items():
                if not (math.isfinite(value) and value >= 0):
                    problems.append(f"cost parameter '{name}[{key}]': expected a non-negative "
                                    f"number, got {value!r}")
        if not 0 < self.shared_site_fixed_cost_factor <= 1:
            problems.append("cost parameter 'shared_site_fixed_cost_factor': expected a number "
                            f"in (0, 1], got {self.shared_site_fixed_cost_factor!r}")
        if problems:
            raise InputError(problems)


def params_from_mapping(cls: type[P], values: Mapping[str, Any], *, source: str) -> P:
    """Build the frozen parameter dataclass ``cls`` from ``values``.

    Unknown keys, wrong types and values the class rejects are all reported
    together, each with ``source`` and the key.

    Raises
    ------
    InputError
        If any key is unknown or any value has the wrong type.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    problems = []
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            problems.append(f"{source}: key '{key}' is unknown; expected one of "
                            f"{', '.join(sorted(fields))}")
            continue
        try:
            kwargs[key] = _coerce(value, hints[key])
        except (TypeError, ValueError) as exc:
            problems.append(f"{source}: key '{key}': {exc}")
    if problems:
        raise InputError(problems)
    try:
        return cls(**kwargs)
    except InputError as exc:
        raise InputError([f"{source}: {p}" for p in exc.problems]) from None


def params_to_mapping(params: Any) -> dict[str, Any]:
    """The inverse of ``params_from_mapping``: plain JSON-able values."""
    return {f.name: _plain(getattr(params, f.name)) for f in dataclasses.fields(params)}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return params_to_mapping(value)
    return value


def _coerce(value: Any, hint: Any) -> Any:
    """Check ``value`` against the type hint ``hint``, converting where lossless."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg)
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors))
    if hint is Any:
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise TypeError(f"expected true or false, got {value!r}")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise TypeError(f"expected a number, got {value!r}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError(f"expected a whole number, got {value!r}")
    if hint is str:
        if isinstance(value, str):
            return value
        raise TypeError(f"expected text, got {value!r}")
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            raise ValueError(f"expected one of {', '.join(m.value for m in hint)}, got {value!r}") from None
    if origin in (Mapping, dict, typing.Mapping) or (
            isinstance(origin, type) and issubclass(origin, Mapping)):
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table of key = value, got {value!r}")
        key_hint, value_hint = args or (Any, Any)
        return {_coerce(k, key_hint): _coerce(v, value_hint) for k, v in value.items()}
    if origin in (tuple, list, frozenset):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected a list, got {value!r}")
        item_hint = args[0] if args else Any
        items = [_coerce(v, item_hint) for v in value]
        return frozenset(items) if origin is frozenset else tuple(items)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table, got {value!r}")
        return params_from_mapping(hint, value, source=getattr(hint, "__name__", "params"))
    return value
