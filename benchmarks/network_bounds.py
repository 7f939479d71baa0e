"""Lower bounds of a bundled region's network design, side by side, to show where the gap sits.

Prints, for one region (default Hami) and default parameters:

1. the LP relaxation of the full model;
2. the LP of the relaxation without the lowest tier (``solver.design.bounds.collapse``)
   as the bound stage builds it (shares split, capacity cuts on every tier);
3. that relaxation's MIP (the solver's bound stage) with a time limit;
4. the full model with the stations and centres fixed to that MIP's choice:
   its LP, and its MIP with a time limit (a plan, and a bound for that one
   station choice only);
5. the full MIP with the same time limit, for reference.

Run: ``python benchmarks/network_bounds.py [--region hami] [--time-limit 60]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_lines

from geodata.regions import load_region
from network.network_params import NetworkParams
from solver.design.bounds.collapse import collapse_lowest_tier
from solver.design.data import build_network_data
from solver.design.model import build_design
from solver.mip import MipResult, solve_mip


def _line(label: str, res: MipResult, wall: float, *, lp: bool = False) -> None:
    value = f"{res.objective:14,.0f}" if res.values is not None else f"{'—':>14}"
    bound = f"{res.objective if lp else res.bound:14,.0f}"
    print(f"  {label:<52} value {value}  bound {bound}  {wall:7.1f} s  {res.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="hami")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per MIP")
    parser.add_argument("--threads", type=int, default=1, help="HiGHS threads per MIP")
    args = parser.parse_args()
    print("\n".join(machine_lines()))
    arrays = build_network_data(load_region(args.region), NetworkParams()).arrays
    full = build_design(arrays)
    print(f"\n{args.region}: {arrays.n_cli:,} villages, {arrays.n_fac:,} candidate sites, "
          f"{full.builder.n_vars:,} variables; MIP limit {args.time_limit:.0f} s, {args.threads} thread(s)")

    def timed(label: str, builder, *, relax: bool = False, **kwargs) -> MipResult:
        start = time.perf_counter()
        res = solve_mip(builder, relax=relax, time_limit_s=args.time_limit, relative_gap=1e-4,
                        threads=args.threads, **kwargs)
        _line(label, res, time.perf_counter() - start, lp=relax)
        return res

    timed("full model, LP", full.builder, relax=True)
    collapsed = collapse_lowest_tier(arrays)
    if collapsed is None:
        print("  (a single tier: no relaxation without the lowest tier)")
        return
    relaxed = build_design(replace(collapsed.arrays, single_source=False, single_source_upper=False),
                           every_tier_cuts=True)
    timed("without the lowest tier, LP", relaxed.builder, relax=True)
    res = timed("without the lowest tier, MIP (the bound stage)", relaxed.builder)
    if res.values is not None:
        lb, ub = full.builder.arrays()[:2]
        higher = arrays.fac_tier[arrays.opt_fac] > arrays.fac_tier.min()
        chosen = np.zeros(len(arrays.opt_fac))
        chosen[collapsed.options] = np.round(res.values[relaxed.y])
        lb[full.y[higher]] = ub[full.y[higher]] = chosen[higher]
        timed("full model, its stations/centres fixed, LP", full.builder, relax=True, lb=lb, ub=ub)
        timed("full model, its stations/centres fixed, MIP", full.builder, lb=lb, ub=ub)
    else:
        for label in ("full model, its stations/centres fixed, LP", "full model, its stations/centres fixed, MIP"):
            print(f"  {label:<52} not run: the bound stage found no station/centre choice in {args.time_limit:.0f} s")
    timed("full model, MIP", full.builder)


if __name__ == "__main__":
    main()
