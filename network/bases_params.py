"""Parameters of the retirement forecast and the recycling-base siting (``solve.py bases``).

Two groups, each a frozen dataclass loadable with ``params_from_mapping`` from the
``[forecast]`` and ``[bases]`` tables of a scenario file. Every default number
carries its source or is marked as a stated assumption; ``docs/bases.md`` explains
them for planners. Money is CNY (2024 prices), mass tonnes, distance road km.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from network.errors import InputError
from network.sites import SizeLevel, Tier
from network.streams import EQUIPMENT_STREAMS

PV_MASS_SOURCE = ("mass per MW = module mass per area (kg/m2) / module efficiency (kW/m2), with the c-Si "
           "glass-backsheet baselines of NREL's PV_ICE (Ovaitt & Mirletz, baseline_modules_mass and "
           "module efficiency), rounded")

#: PV module mass per MW by installation cohort: (cohort year, kg/m², efficiency).
#: 12.0 kg/m² at 13 % gives 92 t/MW (2000); 11.5 kg/m² at 19.5 % gives 59 t/MW (2020).
PV_MASS_ANCHORS: tuple[tuple[float, ...], ...] = (
    (2000, 12.0, 0.130), (2005, 12.0, 0.140), (2010, 11.8, 0.150), (2015, 11.6, 0.165),
    (2020, 11.5, 0.195), (2025, 11.5, 0.210),
)


def pv_t_per_mw(cohort_year: float, anchors: tuple[tuple[float, ...], ...] = PV_MASS_ANCHORS) -> float:
    """PV module mass, t per MW, of an installation cohort.

    Mass per area and efficiency are each interpolated linearly between the anchor
    years (held constant outside them), then divided: 1 kW of modules at efficiency η
    (standard irradiance 1 kW/m²) covers 1/η m², so t/MW = kg/kW = (kg/m²) / η.
    Source: ``PV_MASS_SOURCE`` (NREL PV_ICE baselines).
    """
    years = [a[0] for a in anchors]
    y = min(max(cohort_year, years[0]), years[-1])
    for (y0, m0, e0), (y1, m1, e1) in zip(anchors, anchors[1:], strict=False):
        if y0 <= y <= y1:
            w = (y - y0) / (y1 - y0) if y1 > y0 else 0.0
            return (m0 + w * (m1 - m0)) / (e0 + w * (e1 - e0))
    return anchors[-1][1] / anchors[-1][2]


@dataclass(frozen=True, slots=True)
class ForecastParams:
    """Options of the cohort retirement forecast (``solver.bases.forecast``).

    Parameters
    ----------
    start_year, end_year
        First and last year of the forecast table (default 2025–2050).
    pv_weibull_beta_yr
        PV Weibull scale β, years (IRENA & IEA-PVPS 2016: 30).
    pv_loss_scenario
        ``"regular"`` (α = 5.3759) or ``"early"`` (α = 2.4928) loss, IRENA & IEA-PVPS 2016,
        *End-of-Life Management: Solar Photovoltaic Panels*, Table 3.
    pv_alpha_regular, pv_alpha_early
        The two Weibull shape factors α.
    wind_design_life_yr
        Wind turbine design life, years (20–25; GB/T 18451.1 / IEC 61400-1 design for 20 yr). Default 20.
    wind_life_model
        ``"normal"`` (default): age at retirement ~ Normal(design life, ``wind_life_sd_yr``),
        truncated at 0; ``"weibull"``: Weibull with shape ``wind_weibull_alpha`` and scale
        chosen so the mean equals the design life.
    wind_life_sd_yr
        Standard deviation of the normal life, years (stated assumption: 3).
    wind_weibull_alpha
        Weibull shape for wind (stated assumption: 5, a peaked wear-out curve).
    wind_repower_share
        Share (0–1) of each wind cohort repowered at the end of its design life: all its
        equipment retires at once in year commissioning + design life (default 0).
    wind_repower_new_cohort
        If True, repowered capacity starts a new cohort in the repowering year (same MW),
        which retires by the survival curve (never repowered again).
    alive_in_year
        Plants with ``status`` operating are known to be standing in this year (GEM data
        2023; default: the year before ``start_year``); their survival is conditioned on it,
        so nothing retires before ``start_year`` and all their mass retires in or after it.
    blade_t_per_mw
        Wind blade mass, t per MW (Liu & Barlow 2017, *Waste Management* 62:229–240: ~10 t/MW,
        up to 14 for larger rotors). Default 10.
    tower_nacelle_t_per_mw
        Tower, nacelle and hub (steel, cast iron, some copper), t per MW; foundations stay in
        place. Stated assumption: 95 t/MW, rounded from published 2 MW turbine LCAs
        (e.g. Vestas V110-2.0 MW LCA, 2015: tower ≈ 60 t/MW, nacelle + hub ≈ 35 t/MW).
    pv_mass_anchors
        ``PV_MASS_ANCHORS``: (cohort year, kg/m², efficiency) — see ``pv_t_per_mw``.
    """

    start_year: int = 2025
    end_year: int = 2050
    pv_weibull_beta_yr: float = 30.0
    pv_loss_scenario: str = "regular"
    pv_alpha_regular: float = 5.3759
    pv_alpha_early: float = 2.4928
    wind_design_life_yr: float = 20.0
    wind_life_model: str = "normal"
    wind_life_sd_yr: float = 3.0
    wind_weibull_alpha: float = 5.0
    wind_repower_share: float = 0.0
    wind_repower_new_cohort: bool = True
    alive_in_year: int | None = None
    blade_t_per_mw: float = 10.0
    tower_nacelle_t_per_mw: float = 95.0
    pv_mass_anchors: tuple[tuple[float, ...], ...] = PV_MASS_ANCHORS

    def __post_init__(self) -> None:
        problems = []
        if self.end_year < self.start_year:
            problems.append(f"forecast 'end_year': expected ≥ start_year {self.start_year}, got {self.end_year}")
        if self.pv_loss_scenario not in ("regular", "early"):
            problems.append(f"forecast 'pv_loss_scenario': expected regular or early, got {self.pv_loss_scenario!r}")
        if self.wind_life_model not in ("normal", "weibull"):
            problems.append(f"forecast 'wind_life_model': expected normal or weibull, got {self.wind_life_model!r}")
        if not 15 <= self.wind_design_life_yr <= 35:
            problems.append("forecast 'wind_design_life_yr': expected 15–35 years, got "
                            f"{self.wind_design_life_yr!r}")
        if not 0 <= self.wind_repower_share <= 1:
            problems.append(f"forecast 'wind_repower_share': expected 0–1, got {self.wind_repower_share!r}")
        for name in ("pv_weibull_beta_yr", "pv_alpha_regular", "pv_alpha_early", "wind_life_sd_yr",
                     "wind_weibull_alpha"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                problems.append(f"forecast '{name}': expected a positive number, got {value!r}")
        for name in ("blade_t_per_mw", "tower_nacelle_t_per_mw"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                problems.append(f"forecast '{name}': expected a non-negative number, got {value!r}")
        if not self.pv_mass_anchors or any(len(a) != 3 or a[1] <= 0 or not 0 < a[2] < 1
                                           for a in self.pv_mass_anchors):
            problems.append("forecast 'pv_mass_anchors': expected [[year, kg_per_m2, efficiency], ...] "
                            "with kg > 0 and 0 < efficiency < 1")
        if problems:
            raise InputError(problems)

    @property
    def pv_alpha(self) -> float:
        return self.pv_alpha_regular if self.pv_loss_scenario == "regular" else self.pv_alpha_early

    @property
    def observed_year(self) -> int:
        return self.alive_in_year if self.alive_in_year is not None else self.start_year - 1


_BASE_SRC = ("stated assumption: sized on Chinese PV-module and blade recycling lines of 10–50 kt/yr "
             "and scrap-steel yards; capital annualised over 15 yr at 5 % plus staff and upkeep")

#: Size levels of the recycling base (循环利用基地): capacity t/yr of all streams together,
#: annualised fixed cost CNY/yr, site handling CNY/t, yard and hall area m².
BASE_SIZE_LEVELS: tuple[SizeLevel, ...] = (
    SizeLevel("small", Tier.RECYCLING_BASE, 30_000.0, 8_000_000.0, 60.0, 30_000.0, "小型基地", _BASE_SRC),
    SizeLevel("medium", Tier.RECYCLING_BASE, 80_000.0, 16_000_000.0, 50.0, 70_000.0, "中型基地", _BASE_SRC),
    SizeLevel("large", Tier.RECYCLING_BASE, 200_000.0, 32_000_000.0, 40.0, 150_000.0, "大型基地", _BASE_SRC),
)


@dataclass(frozen=True, slots=True)
class BasesParams:
    """Options of the multi-period recycling-base siting (``solver.bases.solve``).

    Parameters
    ----------
    period_starts
        First year of each planning period (default 2025, 2030, …, 2045); the last period
        runs to ``end_year``. A base opened in a period has its capacity from that period on.
    end_year
        Last planning year (default 2050).
    road_rate_cny_per_t_km
        Road freight per stream, CNY per t·km (stated assumptions after Chinese full-truckload
        quotes of 0.3–0.6 CNY/t·km, raised for light, bulky loads): palletised PV modules 0.50,
        cut blade segments 0.60, cut tower sections and nacelle steel 0.40.
    whole_blade_rate_cny_per_t_km, whole_blade_permit_cny_per_t
        Whole blades as oversize loads (超限运输): 3.0 CNY/t·km (one ~10 t blade per special
        trailer) plus permit and escort 200 CNY/t (≈ 2,000 CNY per trip) — stated assumptions.
    blade_transport
        ``"cut"`` (default: blades cut into segments on site, ``blade_cutting_cny_per_t``) or
        ``"whole"`` (oversize loads, no rail).
    blade_cutting_cny_per_t
        On-site cutting of blades into transportable segments (stated assumption: 250).
    rail_rate_cny_per_t_km, rail_handling_cny_per_t
        Rail freight 0.15 CNY/t·km (China Railway bulk tariff order of magnitude) and handling
        at both ends 2 × 30 CNY/t (stated assumptions). Rail km are taken as the road km
        between the two stations.
    rail_access_km
        A source or base has rail access if a station is within this road distance (30 km);
        drayage to and from stations is charged at the road rate.
    processing_cny_per_t, revenue_cny_per_t
        Processing cost and revenue of recovered material per tonne received, by stream
        (see ``docs/bases.md``; stated assumptions with the material shares of IRENA & IEA-PVPS
        2016 for c-Si modules and scrap prices of 2024).
    unserved_penalty_cny_per_t
        Penalty per tonne left unserved (reported); default 20,000 CNY/t.
    max_distance_km
        Largest road distance from a source to a base (default 1,500 km: Kashgar–Urumqi).
    k_nearest
        Each source is linked to its ``k_nearest`` nearest candidate bases (default 8; 0 = all).
    one_base_per_prefecture
        Policy scenario: at least one base in each of ``policy_prefectures`` (4-digit codes; empty
        = every prefecture of the sources) by ``policy_year``.
    policy_prefectures, policy_year
        See above; ``policy_year`` None = the first period.
    backend, relative_gap, time_limit_s
        MathOpt backend (``highs`` or ``scip``), relative gap at which to stop (0.5 %) and
        wall-clock limit, seconds (60).
    """

    period_starts: tuple[int, ...] = (2025, 2030, 2035, 2040, 2045)
    end_year: int = 2050
    road_rate_cny_per_t_km: Mapping[str, float] = field(default_factory=lambda: {
        "pv_modules": 0.50, "wind_blades": 0.60, "towers_steel": 0.40})
    whole_blade_rate_cny_per_t_km: float = 3.0
    whole_blade_permit_cny_per_t: float = 200.0
    blade_transport: str = "cut"
    blade_cutting_cny_per_t: float = 250.0
    rail_rate_cny_per_t_km: float = 0.15
    rail_handling_cny_per_t: float = 60.0
    rail_access_km: float = 30.0
    processing_cny_per_t: Mapping[str, float] = field(default_factory=lambda: {
        "pv_modules": 900.0, "wind_blades": 700.0, "towers_steel": 250.0})
    revenue_cny_per_t: Mapping[str, float] = field(default_factory=lambda: {
        "pv_modules": 2500.0, "wind_blades": 150.0, "towers_steel": 2300.0})
    unserved_penalty_cny_per_t: float = 20_000.0
    max_distance_km: float = 1500.0
    k_nearest: int = 8
    one_base_per_prefecture: bool = False
    policy_prefectures: tuple[str, ...] = ()
    policy_year: int | None = None
    backend: str = "highs"
    relative_gap: float = 0.005
    time_limit_s: float = 60.0

    def __post_init__(self) -> None:
        problems = []
        starts = self.period_starts
        if not starts or list(starts) != sorted(set(starts)):
            problems.append(f"bases 'period_starts': expected increasing years, got {list(starts)}")
        elif self.end_year < starts[-1]:
            problems.append(f"bases 'end_year': expected ≥ the last period start {starts[-1]}, got {self.end_year}")
        if self.blade_transport not in ("cut", "whole"):
            problems.append(f"bases 'blade_transport': expected cut or whole, got {self.blade_transport!r}")
        streams = [s.value for s in EQUIPMENT_STREAMS]
        for name in ("road_rate_cny_per_t_km", "processing_cny_per_t", "revenue_cny_per_t"):
            table = getattr(self, name)
            for s in streams:
                if s not in table:
                    problems.append(f"bases '{name}': missing stream '{s}'")
            for key, value in table.items():
                if key not in streams:
                    problems.append(f"bases '{name}': unknown stream '{key}'; expected {', '.join(streams)}")
                elif not (math.isfinite(value) and value >= 0):
                    problems.append(f"bases '{name}[{key}]': expected a non-negative number, got {value!r}")
        for name in ("whole_blade_rate_cny_per_t_km", "whole_blade_permit_cny_per_t", "blade_cutting_cny_per_t",
                     "rail_rate_cny_per_t_km", "rail_handling_cny_per_t", "rail_access_km",
                     "unserved_penalty_cny_per_t", "max_distance_km", "relative_gap"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                problems.append(f"bases '{name}': expected a non-negative number, got {value!r}")
        if self.time_limit_s <= 0:
            problems.append(f"bases 'time_limit_s': expected a positive number, got {self.time_limit_s!r}")
        if self.k_nearest < 0:
            problems.append(f"bases 'k_nearest': expected ≥ 0, got {self.k_nearest!r}")
        if self.backend not in ("highs", "scip"):
            problems.append(f"bases 'backend': expected highs or scip, got {self.backend!r}")
        for code in self.policy_prefectures:
            if not (len(code) == 4 and code.isdigit()):
                problems.append(f"bases 'policy_prefectures': expected 4-digit codes, got {code!r}")
        if problems:
            raise InputError(problems)

    def periods(self) -> tuple[tuple[int, int], ...]:
        """(first year, last year) of each period."""
        ends = [s - 1 for s in self.period_starts[1:]] + [self.end_year]
        return tuple(zip(self.period_starts, ends, strict=True))
