"""Known-optimum benchmarks of the network model in its single-echelon special cases.

Runs huishou's array-level entry point ``solver.design.cflp.solve_facility_location``
(the same build / heuristic / MIP code as the three-tier network design) on

* ``cap``   — OR-Library capacitated warehouse location cap41–cap134 (multi-source), 37 instances;
* ``uncap`` — the same files with capacities ignored (uncapacitated), 12 instances;
* ``pmed``  — OR-Library p-median pmed1–pmed40, 40 instances;

and prints, per instance, our value, the known optimum (``instances/optima.csv``),
the gap, whether optimality was proven, our time, and the time of a direct
HiGHS solve of the textbook formulation measured in the same run::

    min  Σ_i f_i y_i + Σ_ij c_ij x_ij
    s.t. Σ_i x_ij = 1            ∀ j          (every customer served)
         Σ_j d_j x_ij ≤ s_i y_i  ∀ i          (capacity; cap only)
         x_ij ≤ y_i             ∀ i, j       (strengthening)
         Σ_i y_i = p                          (pmed only)
         y ∈ {0, 1}, x ≥ 0

For p-median it also times ``spopt``'s ``PMedian`` with its default solver
(PuLP's CBC) on a subset. Every one of our answers is re-checked here from its
arrays (coverage, capacity, open facilities, objective), independently of the
model. Results go to ``benchmarks/results/facility_location.csv``.

Usage::

    python benchmarks/facility_location.py [--sets cap,uncap,pmed] [--limit N] [--time-limit S]

References: J.E. Beasley, EJOR 33 (1988) 314–325 (cap), EJOR 21 (1985)
270–273 (pmed); OR-Library, JORS 41 (1990) 1069–1072.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from machine import machine_lines  # noqa: E402
from orlib import INSTANCES_DIR, read_cflp, read_optima, read_pmed  # noqa: E402

from network.errors import HuishouError  # noqa: E402
from network.serialize import write_text_atomic  # noqa: E402

SETS = {"cap": ("orlib_cap", "orlib_cap"), "uncap": ("orlib_uncap", "orlib_cap"), "pmed": ("orlib_pmed", "orlib_pmed")}
OPT_TOL = 1e-3  # absolute, as the instances README advises
RESULTS = ROOT / "benchmarks" / "results" / "facility_location.csv"


@dataclass
class Problem:
    """One single-echelon instance as arrays (see ``solve_facility_location``)."""

    name: str
    fixed: np.ndarray
    capacity: np.ndarray | None
    demand: np.ndarray
    cost: np.ndarray
    p: int | None = None


@dataclass
class Row:
    set_name: str
    instance: str
    known: float
    ours: float = float("nan")
    ours_status: str = ""
    ours_gap: float = float("nan")
    ours_s: float = float("nan")
    ours_check: str = ""
    ref: float = float("nan")
    ref_status: str = ""
    ref_s: float = float("nan")
    spopt: float = float("nan")
    spopt_s: float = float("nan")
    notes: list[str] = field(default_factory=list)

    @property
    def at_optimum(self) -> bool:
        return abs(self.ours - self.known) <= OPT_TOL and not self.ours_check

    @property
    def proven(self) -> bool:
        return self.at_optimum and self.ours_status == "optimal"


def load(set_key: str, name: str) -> Problem:
    """Read one instance as arrays."""
    set_name, folder = SETS[set_key]
    if set_key == "pmed":
        inst = read_pmed(INSTANCES_DIR / folder / f"{name}.txt")
        return Problem(name, np.zeros(inst.n), None, np.ones(inst.n), inst.distance, inst.p)
    cflp = read_cflp(INSTANCES_DIR / folder / f"{name}.txt")
    return Problem(name, cflp.fixed_cost, cflp.capacity if set_key == "cap" else None, cflp.demand,
                   cflp.assign_cost)


def check_solution(prob: Problem, is_open: np.ndarray, assign: np.ndarray) -> tuple[float, str]:
    """Recompute the objective of an answer and say what is infeasible ('' if nothing)."""
    problems = []
    served = assign.sum(axis=0)
    if np.any(np.abs(served - 1) > 1e-6):
        problems.append(f"{int(np.sum(np.abs(served - 1) > 1e-6))} customers not fully served")
    if np.any(assign[~is_open].sum(axis=1) > 1e-9):
        problems.append("assignment to a closed facility")
    if prob.capacity is not None:
        load_ = assign @ prob.demand
        if np.any(load_ > prob.capacity + 1e-6):
            problems.append("capacity exceeded")
    if prob.p is not None and int(is_open.sum()) != prob.p:
        problems.append(f"{int(is_open.sum())} open, p = {prob.p}")
    used = assign > 0
    objective = float(prob.fixed[is_open].sum() + np.sum(prob.cost[used] * assign[used]))
    return objective, "; ".join(problems)


def solve_ours(prob: Problem, row: Row, *, time_limit_s: float, threads: int) -> None:
    """Solve with huishou's model and fill ``row``; the answer is re-checked here."""
    from solver.design.cflp import solve_facility_location

    start = time.perf_counter()
    try:
        res = solve_facility_location(prob.fixed, prob.capacity, prob.demand, prob.cost,
                                      single_source=False, p=prob.p, capacitated=prob.capacity is not None,
                                      time_limit_s=time_limit_s, threads=threads)
    except Exception as exc:  # a benchmark records the failure and goes on
        row.ours_s = time.perf_counter() - start
        kind = "error" if isinstance(exc, HuishouError) else f"crash {type(exc).__name__}"
        row.ours_status = kind
        row.notes.append(f"{kind}: {exc}")
        return
    row.ours_s = time.perf_counter() - start
    row.ours, row.ours_check = check_solution(prob, res.open, res.assign)
    if abs(row.ours - res.objective) > OPT_TOL + 1e-9 * abs(row.ours):
        row.notes.append(f"model reported {res.objective:.3f}, recomputed {row.ours:.3f}")
    row.ours_status, row.ours_gap = res.status, res.gap


def solve_reference(prob: Problem, row: Row, *, time_limit_s: float, threads: int) -> None:
    """Direct HiGHS (highspy) solve of the textbook formulation with x_ij ≤ y_i."""
    import highspy

    start = time.perf_counter()
    m, n = prob.cost.shape
    finite = np.isfinite(prob.cost)
    fac, cli = np.nonzero(finite)
    k = len(fac)
    x_col = m + np.arange(k)
    # Rows, as (row, col, value) triplets: assignment (n), x ≤ y (k), capacity (m), cardinality (1).
    r_assign, c_assign, v_assign = cli, x_col, np.ones(k)
    r_link = n + np.arange(k)
    rows = [r_assign, r_link, r_link]
    cols = [c_assign, x_col, fac]
    vals = [v_assign, np.ones(k), -np.ones(k)]
    lower = [np.ones(n), np.full(k, -np.inf)]
    upper = [np.ones(n), np.zeros(k)]
    next_row = n + k
    if prob.capacity is not None:
        rows += [next_row + fac, next_row + np.arange(m)]
        cols += [x_col, np.arange(m)]
        vals += [prob.demand[cli], -prob.capacity]
        lower.append(np.full(m, -np.inf))
        upper.append(np.zeros(m))
        next_row += m
    if prob.p is not None:
        rows.append(np.full(m, next_row))
        cols.append(np.arange(m))
        vals.append(np.ones(m))
        lower.append(np.array([float(prob.p)]))
        upper.append(np.array([float(prob.p)]))
        next_row += 1
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    order = np.lexsort((r, c))
    r, c, v = r[order], c[order], v[order]
    num_col = m + k
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = num_col, next_row
    lp.col_cost_ = np.concatenate([prob.fixed, prob.cost[fac, cli]])
    lp.col_lower_ = np.zeros(num_col)
    lp.col_upper_ = np.ones(num_col)
    lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(c, np.arange(num_col + 1)).astype(np.int32)
    lp.a_matrix_.index_ = r.astype(np.int32)
    lp.a_matrix_.value_ = v
    lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * k
    h = highspy.Highs()
    h.silent()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.passModel(lp)
    h.run()
    row.ref_s = time.perf_counter() - start
    status = h.getModelStatus()
    row.ref_status = "optimal" if status == highspy.HighsModelStatus.kOptimal else h.modelStatusToString(status)
    row.ref = float(h.getInfo().objective_function_value)


def solve_spopt(prob: Problem, row: Row, *, time_limit_s: float) -> None:
    """spopt's PMedian with its default solver (PuLP CBC, same time limit), on the same cost matrix."""
    try:
        import pulp
        from spopt.locate import PMedian
    except ImportError as exc:
        row.notes.append(f"spopt not installed ({exc.name}); pip install spopt")
        return
    start = time.perf_counter()
    model = PMedian.from_cost_matrix(prob.cost, np.ones(prob.cost.shape[0]), p_facilities=int(prob.p or 0))
    try:
        model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s))
    except RuntimeError as exc:  # spopt raises when CBC stops without a solution
        row.spopt_s = time.perf_counter() - start
        row.notes.append(f"spopt/CBC: {exc}")
        return
    row.spopt_s = time.perf_counter() - start
    row.spopt = float(pulp.value(model.problem.objective))
    if model.problem.sol_status != pulp.LpSolutionOptimal:
        row.notes.append(f"spopt/CBC stopped: {pulp.LpSolution[model.problem.sol_status]}")


def warm_up(*, threads: int, reference: bool) -> None:
    """Solve a 2 × 3 instance once with each solver, so one-time start-up costs are not timed."""
    prob = Problem("warm-up", np.array([1.0, 2.0]), np.array([5.0, 5.0]), np.array([1.0, 2.0, 3.0]),
                   np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    row = Row("warm-up", "warm-up", 0.0)
    solve_ours(prob, row, time_limit_s=10, threads=threads)
    if reference:
        solve_reference(prob, row, time_limit_s=10, threads=threads)


def _fmt(x: float, digits: int = 3) -> str:
    return "—" if x != x else f"{x:,.{digits}f}"


def print_row(row: Row) -> None:
    gap = round((row.ours - row.known) / abs(row.known) * 100, 5) + 0.0 if row.known else float("nan")
    proven = "yes 是" if row.proven else "no 否"
    extra = f"  spopt {_fmt(row.spopt, 1)} in {_fmt(row.spopt_s, 2)} s" if row.spopt_s == row.spopt_s else ""
    notes = ("  ! " + "; ".join([row.ours_check] * bool(row.ours_check) + row.notes)) if (
        row.ours_check or row.notes) else ""
    print(f"{row.instance:>7} {_fmt(row.ours):>16} {_fmt(row.known):>16} {gap:>9.5f} % {proven:>7} "
          f"{row.ours_status:>10} {row.ours_s:>8.2f} s | HiGHS {row.ref_status:>8} {row.ref_s:>7.2f} s"
          f"{extra}{notes}", flush=True)


def write_csv(rows: list[Row]) -> None:
    head = ("set,instance,known,ours,gap_pct,at_optimum,proven,ours_status,ours_s,check,"
            "highs_value,highs_status,highs_s,spopt_value,spopt_s,notes")
    lines = [head]
    for r in rows:
        gap = (r.ours - r.known) / abs(r.known) * 100 if r.known else float("nan")
        note = "; ".join(r.notes).replace('"', "'")
        lines.append(f"{r.set_name},{r.instance},{r.known},{r.ours},{gap:.6g},{r.at_optimum},{r.proven},"
                     f"{r.ours_status},{r.ours_s:.4f},\"{r.ours_check}\",{r.ref},{r.ref_status},{r.ref_s:.4f},"
                     f"{r.spopt},{r.spopt_s:.4f},\"{note}\"")
    write_text_atomic(RESULTS, "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="OR-Library facility-location benchmarks "
                                                 "设施选址基准 (cap / uncap / pmed)")
    parser.add_argument("--sets", default="cap,uncap,pmed", help="comma-separated: cap, uncap, pmed")
    parser.add_argument("--limit", type=int, default=0, help="first N instances of each set (0 = all)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (ours and HiGHS)")
    parser.add_argument("--threads", type=int, default=1, help="solver threads (ours and HiGHS)")
    parser.add_argument("--spopt", type=int, default=10, help="time spopt PMedian on pmed1..pmedN (0 = off)")
    parser.add_argument("--no-reference", action="store_true", help="skip the direct HiGHS reference")
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.sets.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; expected cap, uncap, pmed")
    print("\n".join(machine_lines()))
    print(f"time limit {args.time_limit:g} s per solve, {args.threads} thread(s); tolerance {OPT_TOL} absolute")
    optima = read_optima()
    warm_up(threads=args.threads, reference=not args.no_reference)
    rows: list[Row] = []
    for key in keys:
        set_name = SETS[key][0]
        names = [inst for (s, inst) in optima if s == set_name]
        names = names[:args.limit] if args.limit else names
        print(f"\n== {set_name}: {len(names)} instances ==")
        print(f"{'name':>7} {'ours 我们':>16} {'known 已知最优':>16} {'gap':>11} {'proven':>7} "
              f"{'status':>10} {'time':>10} | reference")
        for index, name in enumerate(names, start=1):
            prob = load(key, name)
            row = Row(set_name, name, optima[(set_name, name)].value)
            solve_ours(prob, row, time_limit_s=args.time_limit, threads=args.threads)
            if not args.no_reference:
                solve_reference(prob, row, time_limit_s=args.time_limit, threads=args.threads)
            if key == "pmed" and index <= args.spopt:
                solve_spopt(prob, row, time_limit_s=args.time_limit)
            rows.append(row)
            print_row(row)
            write_csv(rows)
    print_summary(rows, keys)
    write_csv(rows)
    load_avg = "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print(f"\nload avg at the end (1/5/15 min): {load_avg}; results 结果: {RESULTS.relative_to(ROOT)}")
    return 0


def print_summary(rows: list[Row], keys: list[str]) -> None:
    print("\n== summary 汇总 ==")
    total_ours = total_ref = 0.0
    for key in keys:
        set_rows = [r for r in rows if r.set_name == SETS[key][0]]
        if not set_rows:
            continue
        proven = sum(r.proven for r in set_rows)
        at_opt = sum(r.at_optimum for r in set_rows)
        ours = sum(r.ours_s for r in set_rows)
        ref = sum(r.ref_s for r in set_rows if r.ref_s == r.ref_s)
        ref_opt = sum(r.ref_status == "optimal" and abs(r.ref - r.known) <= OPT_TOL for r in set_rows)
        total_ours, total_ref = total_ours + ours, total_ref + ref
        versus = (f" vs direct HiGHS {ref:.2f} s (HiGHS proven at optimum {ref_opt}/{len(set_rows)}), "
                  f"ratio {ours / ref:.2f}×" + (" (target ≤ 1.5×)" if key == "cap" else "")
                  if ref else " (no reference run)")
        print(f"{SETS[key][0]:>12}: at the known optimum {at_opt}/{len(set_rows)}, proven optimal "
              f"{proven}/{len(set_rows)}; time ours {ours:.2f} s{versus}")
        sp = [r for r in set_rows if r.spopt_s == r.spopt_s]
        if sp:
            sp_ok = sum(abs(r.spopt - r.known) <= OPT_TOL for r in sp)
            print(f"{'':>12}  spopt PMedian (CBC) on {len(sp)}: {sum(r.spopt_s for r in sp):.2f} s, at optimum "
                  f"{sp_ok}/{len(sp)}; ours on the same {sum(r.ours_s for r in sp):.2f} s")
        elif key == "pmed" and any(r.notes for r in set_rows):
            print(f"{'':>12}  {set_rows[0].notes[-1]}")
    if total_ref:
        print(f"{'all':>12}: ours {total_ours:.2f} s vs direct HiGHS {total_ref:.2f} s, "
              f"ratio {total_ours / total_ref:.2f}×")


if __name__ == "__main__":
    raise SystemExit(main())
