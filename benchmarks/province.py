"""Province-scale three-tier plans: whole Shanxi, Xinjiang and Inner Mongolia, in bounded memory.

For each region, ``solve_network`` with default parameters (decomposed by
prefecture: plan parts and bound parts in two worker processes) runs with the
time limit; the plan goes through the independent checker. Printed per
region: villages, model arcs, the size estimate made before building, plan,
proven global bound, gap, wall time and the peak resident memory of the
process and of its workers — and, with ``--whole``, the same model solved
without decomposition as the peer measured in the same run.

Run: ``python benchmarks/province.py [--regions shanxi,xinjiang,innermongolia]
[--time-limit 480] [--whole] [--set KEY=VALUE ...]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_lines

from geodata.regions import load_region
from network.network_params import NetworkParams
from network.params import params_from_mapping
from solver.check.design import check_network_plan
from solver.design.size import estimate_size, peak_rss_gb
from solver.design.solve import solve_network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", default="shanxi,xinjiang,innermongolia")
    parser.add_argument("--time-limit", type=float, default=480.0)
    parser.add_argument("--whole", action="store_true", help="also solve each region without decomposition")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    table = {k: tomllib.loads(f"v = {v}")["v"] for k, v in (s.split("=", 1) for s in args.set)}
    params = params_from_mapping(NetworkParams, {**table, "time_limit_s": args.time_limit}, source="--set")
    print("\n".join(machine_lines()))
    print(f"time limit {args.time_limit:g} s, parameters {table or 'default'}")
    header = (f"{'region':<14}{'mode':<10}{'villages':>9}{'arcs est.':>11}{'plan CNY/yr':>16}{'bound':>16}"
              f"{'gap':>8}{'wall s':>8}{'peak GB':>9}  checker")
    print(header)
    for region in args.regions.split(","):
        scenario = load_region(region, travel="circuity")
        size = estimate_size(scenario, params)
        modes = [("parts", params)] + ([("whole", dataclasses.replace(params, decompose="off"))] if args.whole else [])
        for mode, p in modes:
            start = time.perf_counter()
            plan = solve_network(scenario, params=p)
            wall = time.perf_counter() - start
            problems = check_network_plan(scenario, plan, p)
            bound = plan.solve.bound if plan.solve.bound is not None else float("nan")
            gap = 100 * plan.solve.gap if plan.solve.gap is not None else float("nan")
            print(f"{region:<14}{mode:<10}{size.villages:>9,}{size.arcs:>11,}{plan.solve.objective:>16,.0f}"
                  f"{bound:>16,.0f}{gap:>7.2f}%{wall:>8.1f}{peak_rss_gb():>9.2f}  "
                  f"{'OK' if not problems else f'{len(problems)} problems'}", flush=True)


if __name__ == "__main__":
    main()
