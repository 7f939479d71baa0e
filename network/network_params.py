"""Parameters of the three-tier network-design model (``solve.py plan``).

Loaded from the ``[network]`` table of a scenario file with
``network.params.params_from_mapping(NetworkParams, table, source=...)``;
unknown keys and wrong types are errors. The parameters used are written into
every plan (``Plan.params``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from network.errors import InputError
from network.sites import Tier

#: MIP backends the installed OR-Tools wheel provides through MathOpt
#: (checked on ortools 9.15: HiGHS and SCIP solve MIPs; CP-SAT is not offered
#: because the model has continuous variables; GLPK and Gurobi are absent).
MIP_BACKENDS: tuple[str, ...] = ("highs", "scip")
DECOMPOSE_MODES: tuple[str, ...] = ("auto", "prefecture", "county", "off")


@dataclass(frozen=True, slots=True)
class NetworkParams:
    """Options of the three-tier network design (回收点 → 中转站 → 分拣中心).

    Parameters
    ----------
    single_sourcing
        Each village delivers all its material to one collection point (or is
        served by one mobile vehicle), and each point / station delivers to one
        upper site. Default True. False lets shares split (still summing to 1).
    max_distance_urban_km
        Coverage radius: the largest road distance, km, from an urban
        community (社区) to its collection point. Default 5 km.
    max_distance_rural_km
        Coverage radius, km, for rural villages (村) and 兵团 farm units
        (连队). Default 30 km.
    max_distance_point_station_km, max_distance_station_centre_km
        Largest road distance, km, on the upper legs; None (default) means no
        limit (only reachable pairs).
    density_rule
        If True, every county gets at least
        ``ceil(urban households / households_per_point_urban +
        rural households / households_per_point_rural)`` open collection points
        (SB/T 10719: one point per 2,000 urban / 2,500 rural households),
        bounded by its number of usable candidate points. Default False.
    households_per_point_urban, households_per_point_rural
        Households per collection point for the density rule.
    allow_mobile_collection
        If True (default), a village may instead be served by a mobile
        collection vehicle (以车代库) based at an open transfer station within
        ``mobile_max_distance_km``; costed per visit (``CostParams``).
    mobile_max_distance_km
        Largest road distance, km, from a station to a village it serves by
        mobile collection. Default 60 km.
    min_shared_point_share
        Minimum share (0–1) of open collection points that are shared with
        garbage-sorting points (两网融合). Default 0.
    co2_cap_t
        Upper limit on CO2e from transport, tonnes per year; None = no cap.
        CO2 is always reported as a KPI.
    max_sites
        Upper limit on the number of open sites per tier, e.g.
        ``{"transfer_station": 4}``; forced-open sites count.
    max_fixed_cost_cny
        Upper limit on the total annualised fixed cost, CNY/yr; None = none.
    k_nearest
        Sparse assignment: each client is linked to at most its ``k_nearest``
        nearest usable servers within the radius (0 = all within the radius).
        Default 12 (villages → points and points → stations; stations see all
        centres).
    backend
        MIP backend through OR-Tools MathOpt: ``"highs"`` (default) or
        ``"scip"``.
    time_limit_s
        Wall-clock limit of the whole solve, seconds. Default 60.
    relative_gap
        Relative MIP gap at which the solve stops. Default 0.005 (0.5 %).
    threads
        Cores to use. With 2 or more (default 2) the full MIP, which proves
        the bound, runs on one core while the heuristic runs on the other,
        both for the whole time limit; with 1 they take turns
        (``heuristic_share``). SCIP also gets this many threads.
    seed
        Random seed of the heuristic and the MIP backend. Default 0.
    use_heuristic
        Run the primal heuristic (greedy and numpy drop/add moves, LP-guided
        sub-MIPs, close moves; see docs/network_design.md) beside or before the
        full MIP (default True).
    heuristic_share
        With ``threads = 1``: share of the time limit the heuristic uses
        before the full MIP gets the rest, warm-started with its plan.
        Default 0.75.
    decompose
        ``"auto"`` (default: by prefecture when the region spans several, as
        a province does), ``"prefecture"``, ``"county"`` or ``"off"``: solve
        each area's part in its own worker process, with a bound of the whole
        from bound parts that share the sites several areas reach
        (``solver.design.decompose``). Not with a CO₂ cap, a fixed-cost budget
        or site limits (they couple the areas): those solve whole.
    deterministic
        Run every stage on a work clock (``solver.clock``): loops and MIP solves
        stop after a count of work, not of seconds, and the search runs on one
        thread, so the same inputs and seed give the same plan.json on any
        machine and load; the time limit then counts work seconds, and the wall
        clock stays as an outer safety limit (the wall time of a work second
        depends on the model: Hami ran about 7–10 wall seconds per work second).
        Default False; ``solve.py plan --deterministic`` turns it on.
    max_memory_gb
        Refuse, before building it, a model whose estimated peak memory exceeds
        this many GB; None (default) means 80 % of the memory available when
        the solve starts.

    Raises
    ------
    InputError
        If a value is out of range (all problems together).
    """

    single_sourcing: bool = True
    max_distance_urban_km: float = 5.0
    max_distance_rural_km: float = 30.0
    max_distance_point_station_km: float | None = None
    max_distance_station_centre_km: float | None = None
    density_rule: bool = False
    households_per_point_urban: float = 2000.0
    households_per_point_rural: float = 2500.0
    allow_mobile_collection: bool = True
    mobile_max_distance_km: float = 60.0
    min_shared_point_share: float = 0.0
    co2_cap_t: float | None = None
    max_sites: Mapping[Tier, int] = field(default_factory=dict)
    max_fixed_cost_cny: float | None = None
    k_nearest: int = 12
    backend: str = "highs"
    time_limit_s: float = 60.0
    relative_gap: float = 0.005
    threads: int = 2
    seed: int = 0
    use_heuristic: bool = True
    heuristic_share: float = 0.75
    decompose: str = "auto"
    deterministic: bool = False
    max_memory_gb: float | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []

        def positive(name: str, value: float | None, *, allow_none: bool = False) -> None:
            if value is None and allow_none:
                return
            if value is None or not (math.isfinite(value) and value > 0):
                problems.append(f"network parameter '{name}': expected a positive number, got {value!r}")

        positive("max_distance_urban_km", self.max_distance_urban_km)
        positive("max_distance_rural_km", self.max_distance_rural_km)
        positive("max_distance_point_station_km", self.max_distance_point_station_km, allow_none=True)
        positive("max_distance_station_centre_km", self.max_distance_station_centre_km, allow_none=True)
        positive("households_per_point_urban", self.households_per_point_urban)
        positive("households_per_point_rural", self.households_per_point_rural)
        positive("mobile_max_distance_km", self.mobile_max_distance_km)
        positive("time_limit_s", self.time_limit_s)
        if not 0.0 <= self.min_shared_point_share <= 1.0:
            problems.append("network parameter 'min_shared_point_share': expected a number in [0, 1], "
                            f"got {self.min_shared_point_share!r}")
        if self.co2_cap_t is not None and not (math.isfinite(self.co2_cap_t) and self.co2_cap_t >= 0):
            problems.append(f"network parameter 'co2_cap_t': expected a non-negative number, got {self.co2_cap_t!r}")
        if self.max_fixed_cost_cny is not None and not (
                math.isfinite(self.max_fixed_cost_cny) and self.max_fixed_cost_cny >= 0):
            problems.append("network parameter 'max_fixed_cost_cny': expected a non-negative number, "
                            f"got {self.max_fixed_cost_cny!r}")
        for tier, limit in self.max_sites.items():
            if not isinstance(tier, Tier):
                problems.append(f"network parameter 'max_sites': unknown tier {tier!r}")
            if not isinstance(limit, int) or limit < 0:
                problems.append(f"network parameter 'max_sites[{tier}]': expected a whole number >= 0, "
                                f"got {limit!r}")
        if self.k_nearest < 0:
            problems.append(f"network parameter 'k_nearest': expected a whole number >= 0, got {self.k_nearest!r}")
        if self.backend not in MIP_BACKENDS:
            problems.append(f"network parameter 'backend': expected one of {', '.join(MIP_BACKENDS)}, "
                            f"got {self.backend!r}")
        if not 0.0 <= self.relative_gap < 1.0:
            problems.append(f"network parameter 'relative_gap': expected a number in [0, 1), got {self.relative_gap!r}")
        if self.threads < 1:
            problems.append(f"network parameter 'threads': expected a whole number >= 1, got {self.threads!r}")
        if not 0.0 <= self.heuristic_share <= 1.0:
            problems.append("network parameter 'heuristic_share': expected a number in [0, 1], "
                            f"got {self.heuristic_share!r}")
        if self.decompose not in DECOMPOSE_MODES:
            problems.append(f"network parameter 'decompose': expected one of {', '.join(DECOMPOSE_MODES)}, "
                            f"got {self.decompose!r}")
        positive("max_memory_gb", self.max_memory_gb, allow_none=True)
        if problems:
            raise InputError(problems)
