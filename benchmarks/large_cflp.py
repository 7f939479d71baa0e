"""Large generated capacitated facility location: plans against best-known values, with proven bounds.

The instances follow the generator of Cornuéjols, Sridharan & Thizy (1991,
EJOR 50(3), 280–297): facilities and customers uniform in the unit square,
demand d_j ~ U(5, 35), capacity s_i ~ U(10, 160) scaled so that
Σ s / Σ d = ratio (3 = tight; 10–15 = loose, where a few large sites open and
the strong LP lies 0.5–2.5 % below the best plans), fixed cost
f_i = U(0, 90) + U(100, 110)·√s_i, assignment cost c_ij = 10 · Euclidean
distance · d_j (cost of serving all of j).

Per ratio (default 3, 5, 10, 15; 100 sites × 1,000 customers, seed 1), the
default solve of ``solver.design.cflp.solve_facility_location`` (the network
model's code: heuristic and MIP side by side on two cores) runs with the time
limit. Printed: plan, proven bound, proven gap, the plan's gap to the best
known value (``instances/large_cflp_best.csv``, with how each was found),
wall time, peak memory. Every plan is recomputed and checked (all demand
served, open sites only, capacities) by ``facility_location.check_solution``,
not by the solver. ``--variants all`` adds the heuristic alone, the plain MIP
and the one-core combined solve as peers measured in the same run;
``--update`` writes a better plan found here into the best-known file.

Run: ``python benchmarks/large_cflp.py [--ratios 3,5,10,15] [--sites 100]
[--customers 1000] [--seed 1] [--time-limit 120] [--variants default|all] [--update]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from facility_location import Problem, check_solution
from machine import machine_lines

from solver.design.cflp import solve_facility_location
from solver.design.size import peak_rss_gb

BEST_FILE = Path(__file__).resolve().parent / "instances" / "large_cflp_best.csv"
BEST_FIELDS = ("sites", "customers", "ratio", "seed", "best_value", "best_bound", "found_by")
VARIANTS = {
    "default": [("heuristic | MIP 2 cores", {"use_heuristic": True, "threads": 2})],
    "all": [("heuristic | MIP 2 cores", {"use_heuristic": True, "threads": 2}),
            ("heuristic alone", {"use_heuristic": True, "heuristic_only": True}),
            ("plain MIP (no start)", {"use_heuristic": False}),
            ("heuristic, then MIP", {"use_heuristic": True})],
}


def generate(sites: int, customers: int, *, ratio: float, seed: int) -> tuple[np.ndarray, ...]:
    """The seeded instance: (fixed_cost, capacity, demand, assign_cost)."""
    rng = np.random.default_rng(seed)
    fac_xy = rng.random((sites, 2))
    cli_xy = rng.random((customers, 2))
    demand = rng.uniform(5, 35, customers)
    capacity = rng.uniform(10, 160, sites)
    capacity *= ratio * demand.sum() / capacity.sum()
    fixed = rng.uniform(0, 90, sites) + rng.uniform(100, 110, sites) * np.sqrt(capacity)
    dist = np.linalg.norm(fac_xy[:, None, :] - cli_xy[None, :, :], axis=2)
    return fixed, capacity, demand, 10.0 * dist * demand[None, :]


def _key(sites: int, customers: int, ratio: float, seed: int) -> tuple[int, int, float, int]:
    return sites, customers, float(ratio), seed


def read_best() -> dict[tuple[int, int, float, int], dict[str, str]]:
    if not BEST_FILE.exists():
        return {}
    with BEST_FILE.open(encoding="utf-8", newline="") as fh:
        return {_key(int(r["sites"]), int(r["customers"]), float(r["ratio"]), int(r["seed"])): r
                for r in csv.DictReader(fh)}


def write_best(best: dict[tuple[int, int, float, int], dict[str, str]]) -> None:
    with BEST_FILE.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=BEST_FIELDS)
        out.writeheader()
        for key in sorted(best):
            out.writerow({k: best[key][k] for k in BEST_FIELDS})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratios", default="3,5,10,15")
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--backend", default="highs")
    parser.add_argument("--variants", choices=sorted(VARIANTS), default="default")
    parser.add_argument("--update", action="store_true", help="write better plans into the best-known file")
    args = parser.parse_args()
    print("\n".join(machine_lines()))
    best = read_best()
    print(f"{args.sites} sites x {args.customers} customers, seed {args.seed}, limit {args.time_limit:.0f} s "
          f"each, backend {args.backend}; best known values from {BEST_FILE.name}")
    print(f"{'ratio':>5}  {'solve':24s}{'plan':>12}{'bound':>12}{'proven':>9}{'to best':>9}{'best known':>12}"
          f"{'wall s':>8}{'peak GB':>8}  check")
    worst = 0.0
    for ratio in (float(r) for r in args.ratios.split(",")):
        fixed, capacity, demand, cost = generate(args.sites, args.customers, ratio=ratio, seed=args.seed)
        problem = Problem(f"ratio {ratio:g}", fixed, capacity, demand, cost)
        key = _key(args.sites, args.customers, ratio, args.seed)
        for label, kwargs in VARIANTS[args.variants]:
            start = time.perf_counter()
            res = solve_facility_location(fixed, capacity, demand, cost, time_limit_s=args.time_limit,
                                          backend=args.backend, relative_gap=1e-4, **kwargs)
            wall = time.perf_counter() - start
            value, problems = check_solution(problem, res.open, res.assign)
            known = float(best[key]["best_value"]) if key in best else float("nan")
            if args.update and not problems and not value >= known - 1e-6:
                best[key] = {"sites": args.sites, "customers": args.customers, "ratio": f"{ratio:g}",
                             "seed": args.seed, "best_value": f"{value:.4f}", "best_bound": f"{res.bound:.4f}",
                             "found_by": f"this benchmark, {label}, {args.time_limit:g} s"}
                write_best(best)
                known = value
            to_best = 100 * (value - known) / known
            if label == VARIANTS["default"][0][0]:
                worst = max(worst, to_best)
            print(f"{ratio:>5g}  {label:24s}{value:>12.2f}{res.bound:>12.2f}{100 * res.gap:>8.3f}%"
                  f"{to_best:>8.3f}%{known:>12.2f}{wall:>8.1f}{peak_rss_gb():>8.2f}  {problems or 'OK'}", flush=True)
    print(f"largest gap of the default solve to the best known value: {worst:.3f} %")


if __name__ == "__main__":
    main()
