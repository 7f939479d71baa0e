"""Batch speed-up: the same scenarios on a Dask LocalCluster vs one process, one after another.

Runs a batch (default: 24 scenarios of the three-tier network model on Wuhai,
:data:`DEFAULT_BATCH`: 2 policy variants × 4 first-leg freight rates × 3 rural
coverage radii; or ``--batch FILE``) twice into fresh temporary folders —
first sequentially in this process (``run_batch(..., sequential=True)``), then
on a ``LocalCluster`` with one single-threaded worker per core — and prints
the wall times, the speed-up, how many plans are identical between the two
runs (``outcome_sha256``: the plan without its wall time) and the checker's
verdicts, after a description of the machine.

Usage::

    python benchmarks/batch_speedup.py                      # 24 Wuhai scenarios
    python benchmarks/batch_speedup.py --scenarios 8        # the first 8 only
    python benchmarks/batch_speedup.py --batch my.toml --workers 2

Both runs solve every scenario (each folder starts empty). Each task runs
its solver with one thread, so the Dask run uses ``workers`` cores and the
sequential run one; the ideal speed-up is ``min(workers, scenarios)``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_lines

from batch.read import read_batch
from batch.run import run_batch, usable_cores
from batch.spec import BatchSpec, parse_batch

#: 24 Wuhai scenarios, in the batch-file form of docs/batch.md. Wuhai (乌海, 87
#: villages) solves to the 0.5 % gap well inside the time limit, so the runs
#: measure computing, not waiting for a clock (a time-limited solve takes its
#: limit whatever the load, which would fake a perfect speed-up).
DEFAULT_BATCH = {
    "name": "speedup-wuhai",
    "base": {"region": "wuhai", "model": "network", "seed": 0, "time_limit_s": 300,
             "params": {"single_sourcing": False}},
    "grid": {"costs.transport_rate_cny_per_t_km.village_to_point": [1.5, 2.0, 2.5, 3.0],
             "params.max_distance_rural_km": [20, 30, 40]},
    "variants": [{"name": "free 自由"},
                 {"name": "shared 两网融合 ≥30%", "params": {"min_shared_point_share": 0.3}}],
}


def _summary(label: str, result, elapsed: float) -> str:
    ok = sum(m["status"] == "ok" for m in result.manifests.values())
    clean = sum(m["status"] == "ok" and m["check"]["passed"] for m in result.manifests.values())
    solve = sum(m.get("timings_s", {}).get("solve", 0.0) for m in result.manifests.values())
    task = sum(m.get("timings_s", {}).get("total", 0.0) for m in result.manifests.values())
    cpu = sum(m.get("timings_s", {}).get("cpu", 0.0) for m in result.manifests.values())
    return (f"{label:<28} {elapsed:8.1f} s wall, {solve:8.1f} s solving in total; "
            f"{ok}/{len(result.manifests)} solved, {clean} checker-clean, {len(result.failed)} failed; "
            f"tasks got {cpu:.1f} CPU s in {task:.1f} task s ({100 * cpu / max(task, 1e-9):.0f}% of a core each)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=Path, default=None,
                        help="batch file (TOML/YAML/XLSX); default: 24 Wuhai scenarios")
    parser.add_argument("--scenarios", type=int, default=None, help="run only the first N scenarios")
    parser.add_argument("--workers", type=int, default=None, help="LocalCluster workers (default: usable cores)")
    args = parser.parse_args(argv)

    spec = read_batch(args.batch) if args.batch else parse_batch(DEFAULT_BATCH, source="batch_speedup.py")
    if args.scenarios:
        spec = BatchSpec(spec.name, spec.source, spec.scenarios[:args.scenarios])
    workers = args.workers or usable_cores()
    print("\n".join(machine_lines(("numpy", "scipy", "ortools", "highspy", "dask", "distributed"))))
    print(f"batch {spec.name} ({spec.source}): {len(spec.scenarios)} scenarios; "
          f"LocalCluster with {workers} single-threaded worker processes vs 1 process")
    with tempfile.TemporaryDirectory(prefix="huishou-speedup-") as tmp:
        t0 = time.perf_counter()
        seq = run_batch(spec, Path(tmp) / "sequential", sequential=True)
        t_seq = time.perf_counter() - t0
        print(_summary("sequential (1 process)", seq, t_seq), flush=True)
        t0 = time.perf_counter()
        par = run_batch(spec, Path(tmp) / "dask", workers=workers)
        t_par = time.perf_counter() - t0
        print(_summary(f"Dask LocalCluster ({workers} workers)", par, t_par))
    same, worst = 0, 0.0
    print(f"{'scenario':<58} {'seq CNY/yr':>14} {'dask CNY/yr':>14} {'diff':>8} {'seq s':>7} {'dask s':>7}")
    for sid, a in seq.manifests.items():
        b = par.manifests.get(sid, {})
        if a["status"] != "ok" or b.get("status") != "ok":
            print(f"{a['name'][:58]:<58} {a['status']:>14} {b.get('status', '-'):>14}")
            continue
        same += a["outcome_sha256"] == b["outcome_sha256"]
        ta, tb = a["costs_cny"]["total"], b["costs_cny"]["total"]
        rel = abs(ta - tb) / max(abs(ta), 1e-9)
        worst = max(worst, rel)
        print(f"{a['name'][:58]:<58} {ta:>14,.0f} {tb:>14,.0f} {100 * rel:>7.2f}% "
              f"{a['timings_s']['solve']:>7.1f} {b['timings_s']['solve']:>7.1f}")
    print(f"speed-up 加速比: {t_seq / t_par:.2f}× (ideal {min(workers, len(spec.scenarios))}×; the Dask time "
          "includes starting the cluster; a task that gets well under 100% of a core shares it with other work)")
    print(f"identical plans in both runs: {same}/{len(spec.scenarios)}; largest total-cost difference "
          f"{100 * worst:.2f}% (the solver stops at its gap, so equal-cost plans may differ under load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
