"""Sites of the network: tiers, size levels and candidate sites.

Glossary: 回收点/交投点 → collection point; 中转站 → transfer station;
分拣中心 → sorting centre; 退役风电光伏设备循环利用产业基地 → recycling base;
基层供销社 → co-op shop; 石榴籽服务站 → Shiliuzi service station;
乡镇客运站 → township bus station; 物业服务中心 → property centre;
两网融合 → shared with a garbage-sorting point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from network.errors import InputError
from network.geo import GeoPoint, coordinate_problem


class Tier(StrEnum):
    """Tier of a site in the network, from village to county and beyond."""

    COLLECTION_POINT = "collection_point"
    TRANSFER_STATION = "transfer_station"
    SORTING_CENTRE = "sorting_centre"
    RECYCLING_BASE = "recycling_base"

    @property
    def name_zh(self) -> str:
        return _TIER_ZH[self]

    @property
    def label(self) -> str:
        return f"{_TIER_ZH[self]} {self.value.replace('_', ' ')}"


_TIER_ZH = {
    Tier.COLLECTION_POINT: "回收点",
    Tier.TRANSFER_STATION: "中转站",
    Tier.SORTING_CENTRE: "分拣中心",
    Tier.RECYCLING_BASE: "循环利用基地",
}

#: The three tiers of the collection network, in flow order.
COLLECTION_TIERS: tuple[Tier, ...] = (
    Tier.COLLECTION_POINT,
    Tier.TRANSFER_STATION,
    Tier.SORTING_CENTRE,
)


class SiteStatus(StrEnum):
    """Whether the planner may choose a site.

    ``existing`` and ``required`` sites are forced open; ``closed`` candidates
    are excluded; ``candidate`` sites are the model's choice.
    """

    CANDIDATE = "candidate"
    EXISTING = "existing"
    REQUIRED = "required"
    CLOSED = "closed"

    @property
    def forced_open(self) -> bool:
        return self in (SiteStatus.EXISTING, SiteStatus.REQUIRED)


class OutletKind(StrEnum):
    """What a candidate site is on the ground (often an existing outlet)."""

    NEW = "new"
    COOP_SHOP = "coop_shop"
    SHILIUZI_STATION = "shiliuzi_station"
    BUS_STATION = "bus_station"
    PROPERTY_CENTRE = "property_centre"
    GARBAGE_SORTING_POINT = "garbage_sorting_point"
    RAIL_STATION = "rail_station"
    INDUSTRIAL_PARK = "industrial_park"
    COUNTY_SEAT = "county_seat"

    @property
    def name_zh(self) -> str:
        return _OUTLET_ZH[self]


_OUTLET_ZH = {
    OutletKind.NEW: "新建",
    OutletKind.COOP_SHOP: "基层供销社",
    OutletKind.SHILIUZI_STATION: "石榴籽服务站",
    OutletKind.BUS_STATION: "乡镇客运站",
    OutletKind.PROPERTY_CENTRE: "物业服务中心",
    OutletKind.GARBAGE_SORTING_POINT: "垃圾分类点",
    OutletKind.RAIL_STATION: "铁路站点",
    OutletKind.INDUSTRIAL_PARK: "工业园区",
    OutletKind.COUNTY_SEAT: "县城",
}


@dataclass(frozen=True, slots=True)
class SizeLevel:
    """One size a site of a tier can be built at.

    Parameters
    ----------
    name
        Identifier unique within the tier, e.g. ``"standard"``.
    tier
        The tier this level belongs to.
    capacity_t_per_year
        Throughput the site handles per year, all streams together.
    fixed_cost_cny_per_year
        Annualised fixed cost: building or rent, equipment, staff.
    handling_cost_cny_per_t
        Variable cost per tonne handled.
    floor_area_m2
        Floor or yard area, for land planning.
    source
        Where the numbers come from.
    """

    name: str
    tier: Tier
    capacity_t_per_year: float
    fixed_cost_cny_per_year: float
    handling_cost_cny_per_t: float
    floor_area_m2: float
    name_zh: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        problems = []
        for attr in ("capacity_t_per_year", "fixed_cost_cny_per_year",
                     "handling_cost_cny_per_t", "floor_area_m2"):
            value = getattr(self, attr)
            if not (math.isfinite(value) and value >= 0):
                problems.append(f"size level {self.tier}/{self.name}, field '{attr}': "
                                f"expected a non-negative number, got {value!r}")
        if self.capacity_t_per_year <= 0:
            problems.append(f"size level {self.tier}/{self.name}, field 'capacity_t_per_year': "
                            f"expected a positive number, got {self.capacity_t_per_year!r}")
        if problems:
            raise InputError(problems)


_SBT_10719 = ("SB/T 10719-2012 再生资源回收站点建设管理规范 (community/village recycling "
              "points: fixed premises, floor area tens of m2; 1 point per 2,000 urban / "
              "2,500 rural households); capacity and cost are stated assumptions")
_SBT_10720 = ("SB/T 10720-2021 再生资源绿色分拣中心建设管理规范 (comprehensive sorting "
              "centre in principle > 3,000 m2 site and > 30,000 t/yr; specialised centres "
              "set by capacity only); costs are stated assumptions")
_TRANSFER = ("transfer stations are between SB/T 10719 points and SB/T 10720 centres; "
             "area, capacity and cost are stated assumptions (township 中转站 practice)")

#: Default size levels per tier. Costs are annualised: capital over 15 years at
#: 5 % plus operation; they are planning assumptions, to be replaced by local
#: figures in the scenario file.
DEFAULT_SIZE_LEVELS: tuple[SizeLevel, ...] = (
    SizeLevel("kiosk", Tier.COLLECTION_POINT, 150.0, 15_000.0, 30.0, 20.0, "小型交投点", _SBT_10719),
    SizeLevel("standard", Tier.COLLECTION_POINT, 500.0, 40_000.0, 25.0, 60.0, "标准回收点", _SBT_10719),
    # Large urban communities (社区) of 5,000–9,000 households generate 1,200–2,200 t/yr;
    # single-sourced to one point they need a staffed community recycling station.
    SizeLevel("station", Tier.COLLECTION_POINT, 2_500.0, 150_000.0, 20.0, 200.0, "社区回收站", _SBT_10719),
    SizeLevel("small", Tier.TRANSFER_STATION, 3_000.0, 250_000.0, 40.0, 300.0, "小型中转站", _TRANSFER),
    SizeLevel("large", Tier.TRANSFER_STATION, 10_000.0, 550_000.0, 35.0, 800.0, "大型中转站", _TRANSFER),
    SizeLevel("specialised", Tier.SORTING_CENTRE, 15_000.0, 1_500_000.0, 60.0, 1_500.0,
              "专业型分拣中心", _SBT_10720),
    SizeLevel("comprehensive", Tier.SORTING_CENTRE, 30_000.0, 2_600_000.0, 55.0, 3_000.0,
              "综合型分拣中心", _SBT_10720),
    SizeLevel("large_comprehensive", Tier.SORTING_CENTRE, 60_000.0, 4_500_000.0, 50.0, 6_000.0,
              "大型综合型分拣中心", _SBT_10720),
)


@dataclass(frozen=True, slots=True)
class CandidateSite:
    """A place where a site of one tier may be (or already is) open.

    ``generated_fields`` names the fields that were synthesised rather than
    read from a real source (e.g. ``{"lon", "lat"}``); maps draw them so.
    ``size_levels`` restricts the allowed size levels by name (empty: all of
    the tier's levels).
    """

    site_id: str
    name: str
    tier: Tier
    lon: float
    lat: float
    county_code: str
    township_code: str | None = None
    status: SiteStatus = SiteStatus.CANDIDATE
    outlet_kind: OutletKind = OutletKind.NEW
    shared_with_garbage_sorting: bool = False
    size_levels: tuple[str, ...] = ()
    generated_fields: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.site_id:
            raise InputError(f"site '{self.name}': expected a non-empty site_id")
        problem = coordinate_problem(self.lon, self.lat)
        if problem:
            raise InputError(f"site {self.site_id}, fields 'lon'/'lat': {problem}")

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(self.site_id, self.lon, self.lat)


def levels_by_tier(levels: tuple[SizeLevel, ...]) -> Mapping[Tier, tuple[SizeLevel, ...]]:
    """Group size levels by tier, each group in increasing capacity."""
    grouped: dict[Tier, list[SizeLevel]] = {}
    for level in levels:
        grouped.setdefault(level.tier, []).append(level)
    return {tier: tuple(sorted(group, key=lambda lv: lv.capacity_t_per_year))
            for tier, group in grouped.items()}
