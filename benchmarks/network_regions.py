"""Three-tier network plans on the bundled regions: value, proven bound, gap, time, checker.

For each region the default ``solve.py plan`` solve (``solve_network`` with
default parameters: single sourcing, two cores) runs with the time limit, its
plan goes through the independent checker, and — as the peer measured in the
same run — the plain MIP of the same model (HiGHS, no heuristic, no warm
start, the same cores and limit) runs too. The target of the design issue is
a gap ≤ 0.5 % in 60 s on Hami and Datong; a whole prefecture (Kashgar) reports
its time and gap.

Run: ``python benchmarks/network_regions.py [--regions hami,datong]
[--time-limit 60] [--no-reference] [--set KEY=VALUE ...] [--results CSV]``;
``--set`` changes one ``[network]`` parameter (a TOML value, e.g.
``--set density_rule=true --set co2_cap_t=750``). Results are appended to
``benchmarks/results/network_regions.csv`` unless ``--results`` says otherwise,
with the settings in the ``scenario`` column.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_lines

from geodata.regions import load_region
from network.network_params import NetworkParams
from network.params import params_from_mapping
from network.sites import Tier
from solver.check.design import check_network_plan
from solver.design.data import build_network_data
from solver.design.model import build_design
from solver.design.solution import relative_gap
from solver.design.solve import solve_network
from solver.mip import solve_mip

TARGET_GAP = 0.005
RESULTS = Path(__file__).resolve().parent / "results" / "network_regions.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", default="hami,datong", help="comma-separated bundled regions")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-reference", action="store_true", help="skip the plain MIP peer")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a [network] parameter as in a scenario file, e.g. density_rule=true")
    parser.add_argument("--results", type=Path, default=RESULTS, help="CSV the rows are appended to")
    args = parser.parse_args()
    print("\n".join(machine_lines()))
    settings = tomllib.loads("\n".join(args.set))
    params = params_from_mapping(NetworkParams, {"threads": args.threads, **settings}, source="--set")
    scenario_label = " ".join(args.set) or "default"
    print(f"scenario 情景: {scenario_label}")
    rows = []
    for region in [r.strip() for r in args.regions.split(",") if r.strip()]:
        scenario = load_region(region)
        start = time.perf_counter()
        plan = solve_network(scenario, params=params, time_limit_s=args.time_limit)
        wall = time.perf_counter() - start
        problems = check_network_plan(scenario, plan, params)
        s = plan.solve
        opened = " / ".join(str(len(plan.sites_of(t)))
                            for t in (Tier.COLLECTION_POINT, Tier.TRANSFER_STATION, Tier.SORTING_CENTRE))
        print(f"\n{region}: {len(scenario.villages):,} villages, {len(scenario.sites):,} candidate sites; "
              f"open (point / station / centre) {opened}")
        print(f"  ours       value {s.objective:14,.0f}  bound {s.bound or float('nan'):14,.0f}  "
              f"gap {100 * (s.gap or 0):6.2f} %  {wall:6.1f} s  {s.status}  checker "
              + ("OK" if not problems else f"{len(problems)} problems: {problems[:3]}"))
        row = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "region": region, "scenario": scenario_label,
               "time_limit_s": args.time_limit, "threads": args.threads, "value": s.objective,
               "bound": s.bound, "gap": s.gap, "wall_s": round(wall, 2), "status": s.status,
               "checker_problems": len(problems), "target_met": bool(s.gap is not None and s.gap <= TARGET_GAP
                                                                     and wall <= args.time_limit + 1.0)}
        if not args.no_reference:
            model = build_design(build_network_data(scenario, params).arrays)
            start = time.perf_counter()
            ref = solve_mip(model.builder, time_limit_s=args.time_limit, relative_gap=params.relative_gap,
                            threads=args.threads)
            ref_wall = time.perf_counter() - start
            value = ref.objective if ref.values is not None else float("nan")
            print(f"  plain MIP  value {value:14,.0f}  bound {ref.bound:14,.0f}  "
                  f"gap {100 * relative_gap(value, ref.bound):6.2f} %  {ref_wall:6.1f} s  {ref.status}")
            row.update(mip_value=value, mip_bound=ref.bound, mip_wall_s=round(ref_wall, 2))
        print(f"  target gap <= {100 * TARGET_GAP:.1f} % in {args.time_limit:.0f} s: "
              + ("met 达到" if row["target_met"] else "not met 未达到"))
        rows.append(row)
    _append(args.results, rows)
    print(f"\nresults 结果: {args.results}")


FIELDS = ["date", "region", "time_limit_s", "threads", "value", "bound", "gap", "wall_s", "status",
          "checker_problems", "target_met", "mip_value", "mip_bound", "mip_wall_s", "scenario"]


def _append(path: Path, rows: list[dict]) -> None:
    """Append ``rows`` to the CSV at ``path``; a file from before the scenario column gets it ("default")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old: list[dict] = []
    if path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != FIELDS:
                old = [{"scenario": "default", **r} for r in reader]
    if old or not path.exists():
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(old)
    with path.open("a", newline="", encoding="utf-8") as out:
        csv.DictWriter(out, fieldnames=FIELDS).writerows(rows)


if __name__ == "__main__":
    main()
