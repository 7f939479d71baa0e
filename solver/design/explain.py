"""Why no network plan exists, in a planner's terms and by area.

Cheap pre-checks run before any solve; when the solver still reports the
model infeasible, each optional side constraint is relaxed in turn on the LP
relaxation to name the one that cannot be met.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

import numpy as np

from network.network_params import NetworkParams
from network.scenario import Scenario
from network.sites import SiteStatus, Tier
from solver import clock
from solver.design.arrays import DesignArrays, largest_cap, tiers_all_flow_crosses
from solver.design.data import TIERS, NetworkData
from solver.design.flow import CarriedFlow, carried_flow
from solver.design.model import build_design
from solver.mip import solve_mip

_MAX_LISTED = 12
#: Seconds of a least-cost check's first solve; each next one is twice as long (``_least``).
QUICK_CHECK_S = 2.0


def precheck(scenario: Scenario, params: NetworkParams, data: NetworkData) -> list[str]:
    """Reasons, by area, why no plan can exist (empty when none is found cheaply)."""
    a = data.arrays
    reasons = _missing_tiers(scenario, params, data)
    if reasons:  # every tonne needs a station and a centre: nothing below can be placed either
        return reasons
    vil = data.clients
    has_arc = np.zeros(a.n_cli, dtype=bool)
    has_arc[a.arc_cli] = True
    stranded: dict[str, list[str]] = defaultdict(list)
    for i in np.flatnonzero(~has_arc):
        v = vil[i]
        stranded[v.county_code].append(f"{v.name} {v.village_id}")
    cut_off = defaultdict(int)  # points left out because they reach no station, per county
    for site, _ in data.dropped:
        if site.tier is Tier.COLLECTION_POINT:
            cut_off[site.county_code] += 1
    for county, names in sorted(stranded.items()):
        mobile = (f" and no transfer station within mobile_max_distance_km = {params.mobile_max_distance_km:g} km"
                  if params.allow_mobile_collection else "")
        left_out = (f" ({cut_off[county]} candidate points of the county are left out: no transfer station within "
                    f"max_distance_point_station_km = {params.max_distance_point_station_km:g} km)"
                    if cut_off[county] and params.max_distance_point_station_km is not None else "")
        reasons.append(f"{scenario.county_name(county)} ({county}): {_villages(len(names), 'have', 'has')} no collection "
                       f"point within the coverage distance (urban {params.max_distance_urban_km:g} km, rural "
                       f"{params.max_distance_rural_km:g} km){mobile}{left_out}: {_listed(names)}; add candidate "
                       "points or raise max_distance_*_km")
    cap_max = largest_cap(a)
    if a.single_source:
        reasons += _oversized_villages(scenario, params, data, cap_max, vil)
    # Demand vs the capacity every route passes (the capacity network's minimum cut),
    # for the villages that have a route at all (the others are listed above).
    flow = carried_flow(dataclasses.replace(a, demand=np.where(has_arc, a.demand, 0.0)))
    if flow.short_t > 0:
        reasons.append(_bottleneck(scenario, data, flow, vil, cap_max))
    for site, why in data.dropped:
        if site.status.forced_open:
            reasons.append(f"{site.tier.label} {site.site_id} ({scenario.county_name(site.county_code)}) is "
                           f"forced open ({site.status}) but has {why}")
    # Forced sites vs budgets.
    min_fixed = np.full(a.n_fac, np.inf)
    np.minimum.at(min_fixed, a.opt_fac, a.opt_fixed)
    forced = a.fac_forced.astype(bool)
    crossed = tiers_all_flow_crosses(a)
    for t, limit in a.max_open.items():
        tier = TIERS[t]
        n_forced = int(forced[a.fac_tier == t].sum())
        if n_forced > limit:
            names = ", ".join(s.site_id for s, f in zip(data.sites, forced, strict=True) if f and s.tier is tier)
            reasons.append(f"{tier.label}: {n_forced} sites are forced open (existing/required: {names}) but "
                           f"max_sites allows {limit}")
        elif t in crossed:
            # Every tonne passes this tier: the `limit` largest of its sites must hold all of it.
            largest = np.sort(cap_max[a.fac_tier == t])[::-1][:limit]
            if largest.sum() < a.demand.sum() - 1e-6:
                reasons.append(f"{tier.label}: max_sites allows {limit}, but every tonne passes this tier and "
                               f"the {limit} largest of its sites hold {largest.sum():,.0f} t/yr at their largest "
                               f"size levels, below the {a.demand.sum():,.0f} t/yr the villages generate; raise "
                               f"max_sites.{tier.value}")
    if params.max_fixed_cost_cny is not None and forced.any():
        forced_fixed = float(min_fixed[forced].sum())
        if forced_fixed > params.max_fixed_cost_cny + 1e-6:
            reasons.append(f"forced-open sites cost at least {forced_fixed:,.0f} CNY/yr in fixed cost, above "
                           f"max_fixed_cost_cny = {params.max_fixed_cost_cny:,.0f}")
    if params.min_shared_point_share > 0 and not np.any(a.fac_shared[a.fac_tier == 0]):
        reasons.append(f"min_shared_point_share = {params.min_shared_point_share:g} but no usable candidate "
                       "collection point is shared with a garbage-sorting point (两网融合)")
    return reasons


def _bottleneck(scenario: Scenario, data: NetworkData, flow: CarriedFlow, vil: list, cap_max: np.ndarray) -> str:
    """The minimum cut in words: which villages, how much, and which sites all their routes pass."""
    a = data.arrays
    members = flow.cut_clients[a.demand[flow.cut_clients] > 0]
    return (f"{_counties(scenario, vil, members)}: {_villages(len(members), 'generate', 'generates')} "
            f"{float(a.demand[members].sum()):,.0f} t/yr, but every route of theirs to a sorting centre passes "
            f"{_cut_sites(data, flow, cap_max)}, at their largest size levels; {flow.short_t:,.0f} t/yr cannot be "
            "carried. Add candidates or larger size levels there, or raise the coverage and distance limits")


def _counties(scenario: Scenario, vil: list, members: np.ndarray) -> str:
    return _listed([f"{scenario.county_name(c)} ({c})" for c in sorted({vil[i].county_code for i in members})])


def _cut_sites(data: NetworkData, flow: CarriedFlow, cap_max: np.ndarray) -> str:
    """The sites a minimum cut crosses, by tier, with their largest capacities and ids."""
    a = data.arrays
    passes = []
    for t, tier in enumerate(TIERS):
        sites = flow.cut_sites[a.fac_tier[flow.cut_sites] == t]
        if len(sites):
            passes.append(f"{tier.label} ×{len(sites)} ({float(cap_max[sites].sum()):,.0f} t/yr: "
                          f"{_listed([data.sites[j].site_id for j in sites])})")
    return "; ".join(passes)


def _listed(names: list[str]) -> str:
    """The first ``_MAX_LISTED`` names, and how many more."""
    more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
    return ", ".join(names[:_MAX_LISTED]) + more


def _oversized_villages(scenario: Scenario, params: NetworkParams, data: NetworkData, cap_max: np.ndarray,
                        vil: list) -> list[str]:
    """Under single sourcing, villages too big for any point they reach must be carried whole by mobile collection.

    The capacity network of those villages alone, on their mobile-collection
    arcs, must carry them (a relaxation still: the other villages need room too).
    """
    a = data.arrays
    point_arc = ~data.arc_mobile
    best_point = np.zeros(a.n_cli)
    np.maximum.at(best_point, a.arc_cli[point_arc], cap_max[a.arc_fac[point_arc]])
    # Villages with no point in reach at all are listed by the coverage check (or go mobile anyway).
    has_point = np.bincount(a.arc_cli[point_arc], minlength=a.n_cli) > 0
    big = has_point & (a.demand > best_point + 1e-9)
    if not big.any():
        return []
    keep = data.arc_mobile & big[a.arc_cli]
    flow = carried_flow(dataclasses.replace(a, demand=np.where(big, a.demand, 0.0), arc_cli=a.arc_cli[keep],
                                            arc_fac=a.arc_fac[keep], arc_cost=a.arc_cost[keep],
                                            arc_co2=a.arc_co2[keep]))
    if flow.short_t <= 0:
        return []
    members = flow.cut_clients[big[flow.cut_clients]]
    names = _listed([f"{vil[i].name} ({a.demand[i]:,.0f} t/yr)" for i in members])
    others = f"; {int(big.sum())} such villages in the region" if big.sum() > len(members) else ""
    more = "or stations within the mobile collection distance"
    if not params.allow_mobile_collection:
        way, more = "but mobile collection is off (allow_mobile_collection = false)", "or allow mobile collection"
    elif not len(flow.cut_sites):
        way = f"but no transfer station lies within mobile_max_distance_km = {params.mobile_max_distance_km:g} km"
    else:
        way = (f"but every way of theirs passes {_cut_sites(data, flow, cap_max)}, at their largest size levels; "
               f"{flow.short_t:,.0f} t/yr cannot be carried")
    return [f"{_counties(scenario, vil, members)}: {_villages(len(members), 'generate', 'generates')} more than the "
            f"largest collection point in their reach holds ({names}{others}); under single sourcing each must be "
            f"collected whole by a mobile vehicle, {way}. Set single_sourcing = false (a village split over "
            f"several points), add larger collection-point levels, {more}"]


def _missing_tiers(scenario: Scenario, params: NetworkParams, data: NetworkData) -> list[str]:
    """The sorting centres, then the transfer stations, every tonne must pass: a tier with no site that can open.

    With every sorting centre closed, every station and point was left out
    for want of a way up, and the pre-check listed every village as having
    no collection point in reach.
    """
    for tier in (Tier.SORTING_CENTRE, Tier.TRANSFER_STATION):
        if any(s.tier is tier for s in data.sites):
            continue
        sites = scenario.sites_of(tier)
        closed = sum(s.status is SiteStatus.CLOSED for s in sites)
        cut_off = [s.site_id for s, _ in data.dropped if s.tier is tier]
        limit = (f" within max_distance_station_centre_km = {params.max_distance_station_centre_km:g} km"
                 if params.max_distance_station_centre_km is not None else "")
        how = [f"{closed} closed" if closed else "",
               f"{len(cut_off)} with no sorting centre{limit} ({_listed(cut_off)})" if cut_off else ""]
        no_level = len(sites) - closed - len(cut_off)
        how.append(f"{no_level} without a size level" if no_level else "")
        said = ", ".join(h for h in how if h) or "none given"
        role = "ends at one" if tier is Tier.SORTING_CENTRE else "passes one on its way to a sorting centre"
        return [f"{tier.label}: no site can open (of {len(sites)} candidates: {said}), and every tonne {role}; "
                "add a candidate, or set one to candidate, existing or required"]
    return []


def _villages(n: int, plural_verb: str = "", singular_verb: str = "") -> str:
    """``3 villages have`` / ``1 village has``."""
    return (f"{n} village {singular_verb}" if n == 1 else f"{n} villages {plural_verb}").rstrip()


def diagnose(scenario: Scenario, params: NetworkParams, data: NetworkData, *, time_limit_s: float = 20.0) -> list[str]:
    """After an infeasible solve: name the side constraint that cannot be met.

    The CO₂ cap, site budgets and the fixed-cost budget are set against the
    least any plan needs (a MIP bound without that limit); then each optional
    limit not yet named is dropped in turn on the LP relaxation; under single
    sourcing, last, the model with shares split (``_split_plan``). All checks
    share ``time_limit_s`` (each gets at least a second).
    """
    a = data.arrays
    reasons: list[str] = []
    named: set[str] = set()
    left = _shared_seconds(time_limit_s)

    for check in _limits_against_least(a, left):
        if check.broken:
            named.add(check.name)
            reasons.append(check.broken_text)
    for name, change, text in (
            ("max_sites", {"max_open": {}}, "the site budget max_sites ({v}) cannot be met together with the "
                                            "coverage distances and capacities"),
            ("max_fixed_cost_cny", {"max_fixed": None},
             "the fixed-cost budget max_fixed_cost_cny = {v} cannot be met together with the coverage "
             "distances and capacities"),
            ("min_shared_point_share", {"min_shared_share": 0.0},
             "the shared-site share min_shared_point_share = {v} cannot be met with the shared candidates "
             "in reach"),
            ("density_rule", {"min_open_groups": []},
             "the density rule (SB/T 10719) cannot be met together with the other limits")):
        value = getattr(params, name)
        if value and name not in named and _lp_feasible(dataclasses.replace(a, **change), left()):
            reasons.append(text.format(v=_setting(value)))
    if not reasons and params.single_sourcing:
        split = _split_plan(scenario, data, left())
        if split is not None:
            reasons.append(split)
    if not reasons:
        reasons.append("no plan meets capacities, coverage distances and the single-sourcing rule together; "
                       "try single_sourcing = false, larger size levels or more candidates")
    return reasons


def _shared_seconds(time_limit_s: float) -> Callable[[], float]:
    """Seconds the next of several checks sharing ``time_limit_s`` may take (each at least a second)."""
    deadline = clock.now() + time_limit_s
    return lambda: max(1.0, deadline - clock.now())


@dataclasses.dataclass(frozen=True, slots=True)
class _LimitCheck:
    """A CO₂ cap or budget set, against the least any plan needs (a MIP bound; None if none in time)."""

    name: str
    setting: str
    least: str | None
    broken: bool
    broken_text: str


def _limits_against_least(a: DesignArrays, left: Callable[[], float]) -> Iterator[_LimitCheck]:
    """Each CO₂ cap, site budget and fixed-cost budget of ``a``, set against the least any plan needs.

    ``left()`` gives the seconds each check may take.
    """
    if a.co2_cap is not None:
        least = _least(a, left(), a.co2_cap, co2_cap=None, arc_cost=a.arc_co2, up_cost=a.up_co2)
        yield _LimitCheck(
            "co2_cap_t", f"co2_cap_t = {_tonnes(a.co2_cap)} t/yr",
            None if least is None else f"every plan emits at least {_tonnes(least)} t/yr",
            least is not None and least > a.co2_cap + 1e-6,
            f"co2_cap_t = {_tonnes(a.co2_cap)} t/yr is below the least transport CO2 any plan can reach "
            f"({_tonnes(least or 0.0)} t/yr or more); raise the cap")
    for tier, limit in a.max_open.items():
        least = _least(a, left(), limit, max_open={t: n for t, n in a.max_open.items() if t != tier},
                       opt_fixed=(a.fac_tier[a.opt_fac] == tier).astype(float))
        need = math.ceil(least - 1e-6) if least is not None else 0
        yield _LimitCheck(
            "max_sites", f"max_sites.{TIERS[tier].value} = {limit}",
            None if least is None else f"every plan needs at least {need}", need > limit,
            f"{TIERS[tier].label}: max_sites allows {limit}, but every plan needs at least {need} to serve every "
            f"village within its distance limits and the sites' capacities; raise max_sites.{TIERS[tier].value} "
            "or add larger size levels")
    if a.max_fixed is not None:
        least = _least(a, left(), a.max_fixed, max_fixed=None, opt_fixed=a.opt_fixed)
        yield _LimitCheck(
            "max_fixed_cost_cny", f"max_fixed_cost_cny = {_setting(a.max_fixed)}",
            None if least is None else f"every plan needs at least {least:,.0f} CNY/yr of fixed cost",
            least is not None and least > a.max_fixed + 1e-6,
            f"the fixed-cost budget max_fixed_cost_cny = {_setting(a.max_fixed)} is below the fixed cost every "
            f"plan needs (at least {least or 0.0:,.0f} CNY/yr); raise the budget")


def tight_limits(data: NetworkData, *, time_limit_s: float = 10.0) -> str:
    """After a solve that found no plan in time: the CO₂ cap and budgets set, beside the least any plan needs.

    One sentence, or "" when none is set. A limit close to that least leaves
    few plans to find: Hami with max_fixed_cost_cny = 9,200,000 found none in
    60 s, and every plan needs at least 8,691,000 CNY/yr of fixed cost. A
    limit below it (found only now, after the solve's time) is named as the
    reason, as ``diagnose`` names it.
    """
    checks = list(_limits_against_least(data.arrays, _shared_seconds(time_limit_s)))
    broken = [c.broken_text for c in checks if c.broken]
    if broken:
        return "No plan exists: " + "; ".join(broken) + "."
    said = [f"{c.setting} ({c.least})" if c.least else c.setting for c in checks]
    return ("The limits set leave few plans, or none: " + "; ".join(said)
            + ". Raise a limit close to the least, or the time limit (--time-limit).") if said else ""


def _split_plan(scenario: Scenario, data: NetworkData, time_limit_s: float) -> str | None:
    """When a plan exists with shares split: the single-sourcing rule fails, and where that plan splits.

    Whole villages (and whole site flows) then do not pack into the size
    levels, though the tonnes fit: a bin-packing kind of infeasibility that no
    capacity total shows. The villages and sites the cheapest split plan found
    divides are where the packing fails or is tightest.
    """
    a = data.arrays
    split = build_design(dataclasses.replace(a, single_source=False, single_source_upper=False))
    res = solve_mip(split.builder, time_limit_s=time_limit_s, relative_gap=1e-4)
    if res.values is None:
        return None
    used = res.values[split.x] > 1e-6
    split_villages = np.flatnonzero(np.bincount(a.arc_cli[used], minlength=a.n_cli) > 1)
    sending = res.values[split.f] > 1e-6
    split_sites = np.flatnonzero(np.bincount(a.up_from[sending], minlength=a.n_fac) > 1)
    vil = data.clients
    where = []
    if len(split_villages):
        names = _listed([f"{vil[i].name} ({a.demand[i]:,.0f} t/yr)" for i in split_villages])
        where.append(f"{_villages(len(split_villages))} over several sites ({names})")
    if len(split_sites):
        where.append(f"the flow of {len(split_sites)} site(s) over several higher sites "
                     f"({_listed([data.sites[j].site_id for j in split_sites])})")
    if not where:  # a split plan that splits nothing would be a single-sourcing plan
        return None
    counties = sorted({vil[i].county_code for i in split_villages} | {data.sites[j].county_code for j in split_sites})
    area = _listed([f"{scenario.county_name(c)} ({c})" for c in counties])
    return (f"{area}: the tonnes fit, but not in whole loads: a plan exists when shares may split "
            f"(single_sourcing = false; the cheapest found costs {res.objective:,.0f} CNY/yr), and it divides "
            f"{' and '.join(where)}. Under single sourcing each village goes whole to one point and each site "
            "sends everything to one higher site, and these loads do not pack into the size levels in reach. "
            "Set single_sourcing = false, or add larger size levels or more candidates there")


def _tonnes(t: float) -> str:
    return f"{t:,.1f}" if t >= 100 else f"{t:.4g}"


def _setting(value: object) -> str:
    """A parameter's value as a scenario file writes it (``sorting_centre = 1, …`` for a tier mapping)."""
    if isinstance(value, Mapping):
        return ", ".join(f"{getattr(k, 'value', k)} = {v:g}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:g}"
    return str(value)


def _lp_feasible(a: DesignArrays, time_limit_s: float) -> bool:
    """Whether the LP relaxation has a solution (an LP stopped by the clock blames nothing)."""
    res = solve_mip(build_design(a).builder, relax=True, time_limit_s=time_limit_s)
    return res.values is not None


def _least(a: DesignArrays, time_limit_s: float, limit: float, **changes: object) -> float | None:
    """A proven lower bound (MIP dual bound) of the instance with other costs: every cost not in
    ``changes`` is zero, and ``changes`` may lift constraints too; None if there is none in the time.

    Solves of doubling length (from ``QUICK_CHECK_S``) stop once the bound passes ``limit``
    (the setting checked): HiGHS through MathOpt takes no bound limit, and a CO₂ cap far
    below the least reachable (Wuhai: 50 t/yr against 107 t/yr at the root) spent the whole
    20 s closing the last 2 % (3.5 s now; Hami's fixed-cost budget of 5 M: 22 s, now 8 s).
    """
    zero = {"arc_cost": np.zeros_like(a.arc_cost), "up_cost": np.zeros_like(a.up_cost),
            "opt_fixed": np.zeros_like(a.opt_fixed), "opt_handling": np.zeros_like(a.opt_handling)}
    builder = build_design(dataclasses.replace(a, **(zero | changes))).builder
    deadline = clock.now() + time_limit_s
    slice_s = QUICK_CHECK_S
    while True:
        left = deadline - clock.now()
        res = solve_mip(builder, time_limit_s=slice_s if 2 * slice_s < left else left, relative_gap=0.0)
        if (res.status not in ("time_limit", "no_solution") or res.bound > limit + 1e-6
                or deadline - clock.now() < 0.05):
            break
        slice_s *= 2
    return res.bound if res.status != "infeasible" and math.isfinite(res.bound) else None
