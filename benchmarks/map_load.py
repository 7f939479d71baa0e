"""How fast a whole-prefecture map loads in headless Chromium (target: < 5 s).

Builds the map of Kashgar (喀什, 2,886 villages from ``load_region("kashgar")``)
with a three-tier network plan and times, over several runs, navigation start
→ map ready (every village marker in its cluster layer, every site drawn),
measured inside the page with ``performance.now()``. Prints the HTML size and
the machine.

The plan is the solver's (``solver.design.solve.solve_network``) when
``--solve`` is given and the solver is installed; otherwise a synthetic plan
drawn by a stated rule (every 8th collection-point candidate, every 4th
transfer station, every sorting centre; each village to its nearest open point
by great-circle km, each point to its nearest station, each station to its
nearest centre). Map load time depends on the number of features, not on how
the plan was found.

Run::

    python benchmarks/map_load.py [--region kashgar] [--runs 5] [--basemap none] [--solve]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from machine import machine_lines  # noqa: E402

from geodata.regions import load_region  # noqa: E402
from maps.offline import save_map  # noqa: E402
from maps.plan_map import build_map  # noqa: E402
from network import Assignment, OpenSite, Plan, Scenario, SolveInfo, Tier  # noqa: E402
from tests.maps.browser import FIND_MAP_JS, chromium_page  # noqa: E402


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def synthetic_plan(scenario: Scenario) -> Plan:
    """A network plan by the nearest-open-site rule in the module docstring (for load timing only)."""
    def pick(tier: Tier, every: int):
        cands = scenario.sites_of(tier)
        return cands[::every] or cands[:1]

    points, stations, centres = (pick(Tier.COLLECTION_POINT, 8), pick(Tier.TRANSFER_STATION, 4),
                                 pick(Tier.SORTING_CENTRE, 1))
    assignments: list[Assignment] = []
    load: dict[str, float] = {}

    def nearest(xy: tuple[float, float], options) -> tuple[str, float]:
        best = min(options, key=lambda s: _km(xy, (s.lon, s.lat)))
        return best.site_id, _km(xy, (best.lon, best.lat))

    for v in scenario.villages:
        sid, km = nearest((v.lon, v.lat), points)
        assignments.append(Assignment(v.village_id, sid, 1.0, "site", round(1.3 * km, 2)))
        load[sid] = load.get(sid, 0.0) + v.total_t_per_year
    for lower, upper in ((points, stations), (stations, centres)):
        for s in lower:
            if load.get(s.site_id, 0.0) <= 0:
                continue
            sid, km = nearest((s.lon, s.lat), upper)
            assignments.append(Assignment(s.site_id, sid, 1.0, "site", round(1.3 * km, 2)))
            load[sid] = load.get(sid, 0.0) + load[s.site_id]
    sites = []
    for tier in (Tier.COLLECTION_POINT, Tier.TRANSFER_STATION, Tier.SORTING_CENTRE):
        levels = scenario.levels_of(tier)
        for s in scenario.sites_of(tier):
            t = load.get(s.site_id, 0.0)
            if t > 0:
                level = next((lv for lv in levels if lv.capacity_t_per_year >= t), levels[-1])
                sites.append(OpenSite(s.site_id, tier, level.name, level.capacity_t_per_year, t,
                                      level.fixed_cost_cny_per_year))
    demand = sum(v.total_t_per_year for v in scenario.villages)
    return Plan("network", scenario.name, SolveInfo("synthetic nearest-site rule (benchmark)", "none", "heuristic",
                                                    0.0, message="map-load benchmark plan, not optimised"),
                sites=tuple(sites), assignments=tuple(assignments),
                costs_cny={"fixed": sum(s.fixed_cost_cny_per_year for s in sites)},
                kpis={"demand_t": demand, "served_t": demand})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", default="kashgar")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--basemap", default="none")
    parser.add_argument("--solve", action="store_true", help="use solve_network (60 s limit) instead of the rule")
    args = parser.parse_args()
    print("\n".join(machine_lines(("folium", "playwright", "numpy"))))
    scenario = load_region(args.region, travel="circuity")
    plan = None
    if args.solve:
        try:
            from solver.design.solve import solve_network
        except ImportError:
            print("solver.design.solve not available: using the synthetic plan")
        else:
            plan = solve_network(scenario, time_limit_s=60)
    plan = plan or synthetic_plan(scenario)
    start = time.perf_counter()
    fmap = build_map(scenario, plan, basemap=args.basemap)
    with tempfile.TemporaryDirectory() as tmp:
        path = save_map(fmap, Path(tmp) / "map.html")
        build_s = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6
        n_villages, n_sites = len(scenario.villages), len(plan.sites)
        print(f"region {args.region}: {n_villages:,} villages, {n_sites:,} open sites, "
              f"{len(plan.assignments):,} assignments; plan: {plan.solve.model}")
        print(f"map.html {size_mb:.2f} MB, built and written in {build_s:.2f} s (basemap {args.basemap})")
        ready = (f"(() => {{ const m = {FIND_MAP_JS}; if (!m || !window.HS) return false; const c = HS.count(m); "
                 f"return c.village === {n_villages} && (c.site || 0) === {n_sites}; }})()")
        times = []
        with chromium_page() as (page, log):
            for run in range(args.runs):
                page.goto("about:blank")
                page.goto(path.as_uri(), wait_until="commit", timeout=60_000)
                page.wait_for_function(ready, polling="raf", timeout=60_000)
                ms = page.evaluate("performance.now()")
                load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                times.append(ms / 1000)
                print(f"run {run + 1}: map ready {ms / 1000:.2f} s after navigation start (load event {load_ms / 1000:.2f} s)")
            errors = log.console_errors + log.page_errors + log.failed
        print(f"map ready: median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
              f"over {len(times)} runs (target < 5 s); console errors: {len(errors)}; "
              f"network requests: {len(log.network_requests)}")


if __name__ == "__main__":
    main()
