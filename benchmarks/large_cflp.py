"""A large, tightly capacitated facility-location instance: heuristic vs plain MIP vs combined.

The instance follows the generator of Cornuéjols, Sridharan & Thizy (1991,
EJOR 50(3), 280–297): facilities and customers uniform in the unit square,
demand d_j ~ U(5, 35), capacity s_i ~ U(10, 160) scaled so that
Σ s / Σ d = ``--ratio`` (3 = tight), fixed cost f_i = U(0, 90) + U(100, 110)·√s_i,
assignment cost c_ij = 10 · Euclidean distance · d_j (cost of serving all of j).

Three solves, each with the same time limit (default 120 s), all through
``solver.design.cflp.solve_facility_location`` (the network model's code):

1. the heuristic alone (LP relaxation + relaxation-induced sub-MIP + close
   moves), with its own LP lower bound;
2. the plain MIP without a warm start (``use_heuristic=False``);
3. the combined solve on one core (heuristic start, then the MIP);
4. the combined solve on two cores (heuristic and MIP side by side, as
   ``solve.py plan`` runs by default).

Run: ``python benchmarks/large_cflp.py [--sites 100] [--customers 1000]
[--ratio 3] [--seed 1] [--time-limit 120]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from solver.design.cflp import solve_facility_location


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--ratio", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--backend", default="highs")
    args = parser.parse_args()
    try:
        from machine import machine_lines

        print("\n".join(machine_lines()))
    except ImportError:
        import os
        import platform

        print(f"machine: {platform.platform()}, {platform.processor()}, {os.cpu_count()} cores")
    fixed, capacity, demand, cost = generate(args.sites, args.customers, ratio=args.ratio, seed=args.seed)
    print(f"instance: {args.sites} sites x {args.customers} customers, capacity/demand = {args.ratio}, "
          f"seed {args.seed}, limit {args.time_limit:.0f} s each, backend {args.backend}")
    rows = []
    for label, kwargs in (("heuristic alone", {"use_heuristic": True, "heuristic_only": True}),
                          ("plain MIP (no start)", {"use_heuristic": False}),
                          ("heuristic, then MIP", {"use_heuristic": True}),
                          ("heuristic | MIP 2 cores", {"use_heuristic": True, "threads": 2})):
        start = time.perf_counter()
        result = solve_facility_location(fixed, capacity, demand, cost, time_limit_s=args.time_limit,
                                         backend=args.backend, relative_gap=1e-4, **kwargs)
        wall = time.perf_counter() - start
        rows.append((label, result.objective, result.bound, result.gap, wall, result.status,
                     int(result.open.sum())))
        print(f"  {label:24s} value {result.objective:14.2f}  bound {result.bound:14.2f}  "
              f"gap {100 * result.gap:7.3f} %  {wall:7.1f} s  {result.status}  open {int(result.open.sum())}",
              flush=True)
    best_bound = max(r[2] for r in rows)
    print(f"best bound over the {len(rows)} runs: {best_bound:.2f}")
    for label, value, _bound, _gap, _wall, _status, _n in rows:
        print(f"  {label:24s} {100 * (value - best_bound) / value:7.3f} % above the best bound")


if __name__ == "__main__":
    main()
