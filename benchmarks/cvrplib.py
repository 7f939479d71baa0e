"""CVRPLIB A, B and P: huishou's routing engine against the proven optima.

For every instance of the Augerat A, B and P sets (``instances/cvrplib/``,
TSPLIB format, depot node 1, distances nint(Euclidean) = floor(d + 0.5)) this
runs, in the same process with the same time limit:

* ``default``  — ``solve_routing_problem(backend="auto")``, the backend huishou
  picks for a CVRP (PyVRP); it is also reported in that backend's column;
* ``pyvrp``    — the PyVRP backend (iterated local search);
* ``ortools``  — the OR-Tools backend (guided local search);
* ``ortools_first`` — a reference: plain OR-Tools routing on the same
  integer matrix, ``DefaultRoutingSearchParameters()`` (first-solution
  strategy AUTOMATIC = PATH_CHEAPEST_ARC) stopped at its first solution,
  i.e. what a textbook OR-Tools CVRP gives before any local search.

The optima (``instances/optima.csv``, not the files' COMMENT lines) are for
**exactly K routes**, K from the ``-kK`` in the name. Neither backend can
force a minimum number of routes, so every solver gets a fleet of *at most*
K vehicles (``RoutingProblem.cvrp(num_vehicles=K)``; ``--fleet free`` lifts
the limit, to see where a free fleet uses fewer or more routes); for these sets K is
the fewest vehicles the demand needs in all but a few instances, and where a
solver uses fewer than K routes the row is marked ``<K`` and its gap is not
an exactly-K comparison (it can be negative: P-n55-k8 has a 7-route solution
of 576 < 588). Costs are recomputed from the routes by the independent
checker ``solver.check.routing`` and every solution is checked
(``check_routing_solution``); the output says ``clean`` or lists the first
violation.

Usage::

    python benchmarks/cvrplib.py [--sets A,B,P] [--limit N] [--time-limit 2] [--seed 0]
                                 [--solvers default,pyvrp,ortools,ortools_first] [--fleet k|free]

``--limit N`` keeps the first N instances of each set (by size). Results go
to ``benchmarks/results/cvrplib.csv`` (``cvrplib_free.csv`` with ``--fleet
free``; gitignored).

References: P. Augerat et al., "Computational results with a branch and cut
code for the CVRP", Research Report 949-M, Univ. J. Fourier, Grenoble (1995);
optima from the CVRPLIB table (galgos.inf.puc-rio.br/cvrplib). The vrplib
package (2.2) reads these files too but returns *unrounded* EUC_2D
distances; the TSPLIB convention (nint) is applied by ``RoutingProblem.cvrp``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from network.errors import HuishouError, InputError  # noqa: E402
from network.serialize import write_text_atomic  # noqa: E402
from solver.check.routing import check_routing_solution, route_figures  # noqa: E402
from solver.routing.engine import choose_backend, solve_routing_problem  # noqa: E402
from solver.routing.problem import RoutingProblem  # noqa: E402
from solver.routing.solution import RoutingRoute, RoutingSolution, Visit  # noqa: E402

INSTANCES = ROOT / "benchmarks" / "instances"
RESULTS = ROOT / "benchmarks" / "results" / "cvrplib.csv"
SOLVERS = ("default", "pyvrp", "ortools", "ortools_first")
GAP_TARGET_PCT = 3.0


@dataclass(frozen=True, slots=True)
class VrpInstance:
    """A CVRPLIB instance as read: coordinates and demands with the depot first."""

    name: str
    coords: tuple[tuple[float, float], ...]
    demands: tuple[float, ...]
    capacity: float
    k: int


def read_vrp(path: Path) -> VrpInstance:
    """Read a TSPLIB ``.vrp`` file of the A/B/P sets (EUC_2D, one depot).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    VrpInstance
        Nodes renumbered so the depot is first (it is node 1 in these sets).

    Raises
    ------
    InputError
        Naming the file and line, on a missing section, a non-EUC_2D weight
        type, a bad number or several depots.
    """
    problems: list[str] = []
    head: dict[str, str] = {}
    coords: dict[int, tuple[float, float]] = {}
    demands: dict[int, float] = {}
    depots: list[int] = []
    section = ""
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            section = line
            continue
        if ":" in line and not section:
            key, value = line.split(":", 1)
            head[key.strip()] = value.strip()
            continue
        parts = line.split()
        try:
            if section == "NODE_COORD_SECTION":
                coords[int(parts[0])] = (float(parts[1]), float(parts[2]))
            elif section == "DEMAND_SECTION":
                demands[int(parts[0])] = float(parts[1])
            elif section == "DEPOT_SECTION" and int(parts[0]) != -1:
                depots.append(int(parts[0]))
        except (ValueError, IndexError):
            problems.append(f"{path.name} line {lineno}: expected numbers in {section}, got {raw!r}")
    if head.get("EDGE_WEIGHT_TYPE") != "EUC_2D":
        problems.append(f"{path.name}: expected EDGE_WEIGHT_TYPE EUC_2D, got {head.get('EDGE_WEIGHT_TYPE')!r}")
    if "CAPACITY" not in head:
        problems.append(f"{path.name}: missing CAPACITY")
    if len(depots) != 1:
        problems.append(f"{path.name}: expected one depot in DEPOT_SECTION, got {depots}")
    if set(coords) != set(demands) or len(coords) != int(head.get("DIMENSION", -1)):
        problems.append(f"{path.name}: expected DIMENSION {head.get('DIMENSION')} nodes with coordinates "
                        f"and demands, got {len(coords)} and {len(demands)}")
    match = re.search(r"-k(\d+)$", path.stem)
    if not match:
        problems.append(f"{path.name}: expected '-kK' (vehicle count) at the end of the name")
    if problems:
        raise InputError(problems)
    order = depots + sorted(n for n in coords if n != depots[0])
    return VrpInstance(path.stem, tuple(coords[n] for n in order), tuple(demands[n] for n in order),
                       float(head["CAPACITY"]), int(match.group(1)) if match else 0)


def read_optima(path: Path = INSTANCES / "optima.csv") -> dict[str, float]:
    """Known optimal values of the ``cvrplib_*`` rows of ``optima.csv``, by instance name.

    Raises
    ------
    InputError
        If a value is not a number.
    """
    out: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row, rec in enumerate(csv.DictReader(handle), start=2):
            if rec["set"].startswith("cvrplib"):
                try:
                    out[rec["instance"]] = float(rec["known_value"])
                except ValueError:
                    raise InputError(f"{path.name} row {row}, field 'known_value': expected a number, "
                                     f"got {rec['known_value']!r}") from None
    return out


def solve_ortools_first(problem: RoutingProblem, *, time_limit_s: float) -> RoutingSolution:
    """Plain OR-Tools CVRP with default search parameters, stopped at its first solution.

    The textbook model: one capacity dimension, at most ``count`` vehicles,
    arc cost = integer distance. Meant for CVRP instances (one vehicle type,
    no time, no unloading).

    Raises
    ------
    HuishouError
        If OR-Tools finds no solution within the limit.
    """
    from ortools.constraint_solver import pywrapcp

    start = time.perf_counter()
    vt = problem.vehicle_types[0]
    n = len(problem.location_ids)
    dist = [[int(round(x)) for x in row] for row in problem.distance_km]
    demand = [0] * n
    for c in problem.clients:
        demand[c.location] = int(round(c.demand_t))
    manager = pywrapcp.RoutingIndexManager(n, vt.count, problem.depots[0].location)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitCallback(
        lambda i, j: dist[manager.IndexToNode(i)][manager.IndexToNode(j)])
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    load = routing.RegisterUnaryTransitCallback(lambda i: demand[manager.IndexToNode(i)])
    start_at_zero = True
    routing.AddDimensionWithVehicleCapacity(load, 0, [int(vt.capacity_t)] * vt.count, start_at_zero, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.solution_limit = 1
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    assignment = routing.SolveWithParameters(params)
    if assignment is None:
        raise HuishouError(f"{problem.name}: OR-Tools defaults found no first solution in {time_limit_s:g} s")
    client_of = {c.location: i for i, c in enumerate(problem.clients)}
    routes = []
    for v in range(vt.count):
        index = routing.Start(v)
        visits = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node in client_of:
                visits.append(Visit("client", client_of[node]))
            index = assignment.Value(routing.NextVar(index))
        if visits:
            routes.append(RoutingRoute(0, tuple(visits)))
    return RoutingSolution(tuple(routes), (), float(assignment.ObjectiveValue()), "ortools_first",
                           "feasible", time.perf_counter() - start)


@dataclass(frozen=True, slots=True)
class Result:
    """One solver's answer on one instance."""

    instance: str
    solver: str
    backend: str
    optimum: float
    k: int
    cost: float
    routes: int
    time_s: float
    violations: tuple[str, ...]

    @property
    def failed(self) -> bool:
        return self.cost == float("inf")

    @property
    def gap_pct(self) -> float:
        return 100.0 * (self.cost - self.optimum) / self.optimum


def run_solver(solver: str, problem: RoutingProblem, inst: VrpInstance, optimum: float, *,
               time_limit_s: float, seed: int) -> Result:
    """Solve one instance with one solver and check the answer independently."""
    start = time.perf_counter()
    try:
        if solver == "ortools_first":
            solution = solve_ortools_first(problem, time_limit_s=time_limit_s)
        else:
            backend = "auto" if solver == "default" else solver
            solution = solve_routing_problem(problem, backend=backend, time_limit_s=time_limit_s, seed=seed)
    except HuishouError as exc:
        return Result(inst.name, solver, solver, optimum, inst.k, float("inf"), 0,
                      time.perf_counter() - start, (f"no solution: {exc}",))
    elapsed = time.perf_counter() - start
    cost = sum(route_figures(problem, r).distance_km for r in solution.routes)
    return Result(inst.name, solver, solution.backend, optimum, inst.k, cost, len(solution.routes), elapsed,
                  tuple(check_routing_solution(problem, solution)))


def _cell(res: Result | None) -> str:
    if res is None:
        return f"{'':>27}"
    if res.failed:
        return f"{'failed':>27}"
    mark = "<K" if res.routes < res.k else ("  " if res.routes == res.k else ">K")
    return f"{res.cost:7.0f} {res.gap_pct:6.2f}% {res.routes:3d}{mark} {res.time_s:5.1f}s"


def summarise(results: list[Result], solvers: tuple[str, ...]) -> list[str]:
    """Per solver: mean / median / max gap, count above 3 %, routes below K, failed, unclean, time.

    Gaps are over the instances the solver solved; ``failed`` counts those
    where it found no solution within the fleet of K vehicles.
    """
    lines = ["", f"{'solver':<15}{'n':>4}{'mean gap':>10}{'median':>9}{'max':>9}{'> 3 %':>7}"
             f"{'<K':>5}{'>K':>5}{'=K gap mean':>13}{'failed':>8}{'unclean':>9}{'mean s':>8}"]
    for solver in solvers:
        rows = [r for r in results if r.solver == solver]
        solved = [r for r in rows if not r.failed]
        if not rows:
            continue
        gaps = [r.gap_pct for r in solved] or [float("nan")]
        exact_k = [r.gap_pct for r in solved if r.routes == r.k] or [float("nan")]
        lines.append(f"{solver:<15}{len(rows):4d}{statistics.mean(gaps):9.2f}%{statistics.median(gaps):8.2f}%"
                     f"{max(gaps):8.2f}%{sum(g > GAP_TARGET_PCT for g in gaps):7d}"
                     f"{sum(r.routes < r.k for r in solved):5d}{sum(r.routes > r.k for r in solved):5d}"
                     f"{statistics.mean(exact_k):12.2f}%"
                     f"{len(rows) - len(solved):8d}{sum(bool(r.violations) for r in solved):9d}"
                     f"{statistics.mean(r.time_s for r in rows):8.2f}")
    return lines


def write_csv(results: list[Result], path: Path = RESULTS) -> None:
    """Write every result as one CSV row, atomically."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["instance", "solver", "backend", "k", "optimum", "cost", "gap_pct", "routes",
                     "routes_vs_k", "time_s", "checker"])
    for r in results:
        writer.writerow([r.instance, r.solver, r.backend, r.k, f"{r.optimum:g}", f"{r.cost:g}",
                         f"{r.gap_pct:.4f}", r.routes, r.routes - r.k, f"{r.time_s:.3f}",
                         "clean" if not r.violations else " | ".join(r.violations)])
    write_text_atomic(path, buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0, or 1 if any solution found is not checker-clean."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="A,B,P", help="comma-separated CVRPLIB sets (A, B, P)")
    parser.add_argument("--limit", type=int, default=None, help="first N instances of each set")
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds per instance and solver")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solvers", default=",".join(SOLVERS), help=f"subset of {','.join(SOLVERS)}")
    parser.add_argument("--fleet", default="k", choices=("k", "free"),
                        help="k: at most K vehicles (default); free: as many as needed")
    args = parser.parse_args(argv)
    solvers = tuple(s.strip() for s in args.solvers.split(",") if s.strip())
    unknown = [s for s in solvers if s not in SOLVERS]
    if unknown:
        parser.error(f"unknown solvers {unknown}; expected a subset of {', '.join(SOLVERS)}")
    from machine import machine_lines

    print("\n".join(machine_lines()))
    optima = read_optima()
    paths: list[Path] = []
    for name in args.sets.split(","):
        found = sorted((INSTANCES / "cvrplib" / name.strip()).glob("*.vrp"),
                       key=lambda p: (int(re.search(r"-n(\d+)-", p.stem).group(1)), p.stem))
        paths += found[:args.limit] if args.limit else found
    print(f"CVRPLIB {args.sets}: {len(paths)} instances, {args.time_limit:g} s per instance and solver, "
          f"seed {args.seed}; fleet: {'at most K vehicles' if args.fleet == 'k' else 'free (unlimited)'} "
          "(optima are for exactly K)")
    header = f"{'instance':<13}{'opt':>6} "
    for s in solvers:
        header += f"| {s + ': cost gap routes time':<27} "
    print(header + "| checker")
    if "default" in solvers:
        print(f"(default = backend 'auto' = {choose_backend(RoutingProblem.cvrp([(0, 0), (1, 1)], [0, 1], 1))} "
              "for a CVRP; that backend's column repeats the default run)")
    results: list[Result] = []
    start = time.perf_counter()
    for path in paths:
        inst = read_vrp(path)
        problem = RoutingProblem.cvrp(inst.coords, inst.demands, inst.capacity,
                                      num_vehicles=inst.k if args.fleet == "k" else None, name=inst.name)
        default_backend = choose_backend(problem)
        row: dict[str, Result] = {}
        for solver in solvers:
            if solver == default_backend and "default" in row:
                row[solver] = dataclasses.replace(row["default"], solver=solver)
                continue
            row[solver] = run_solver(solver, problem, inst, optima[inst.name],
                                     time_limit_s=args.time_limit, seed=args.seed)
        results += row.values()
        bad = [f"{s}: {r.violations[0]}" for s, r in row.items() if r.violations]
        print(f"{inst.name:<13}{optima[inst.name]:6.0f} " + "".join(f"| {_cell(row.get(s))} " for s in solvers)
              + "| " + ("clean" if not bad else "; ".join(bad)), flush=True)
    print("\n".join(summarise(results, solvers)))
    print(f"total {time.perf_counter() - start:.0f} s; '<K': fewer routes than the exactly-K optimum "
          "(gap not comparable, may be negative); '=K gap mean' averages rows with exactly K routes")
    out = RESULTS if args.fleet == "k" else RESULTS.with_name("cvrplib_free.csv")
    write_csv(results, out)
    print(f"wrote {out.relative_to(ROOT)}")
    return 1 if any(r.violations for r in results if not r.failed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
