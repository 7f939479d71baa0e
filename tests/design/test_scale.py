"""Network design at region scale, the array-level entry point, and interruption."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ortools.util.python.solve_interrupter import SolveInterrupter

from network.network_params import NetworkParams
from solver.check.design import check_network_plan
from solver.design.cflp import solve_facility_location
from solver.design.solve import solve_network

ROOT = Path(__file__).resolve().parents[2]


def _read_cap(path: Path) -> tuple[np.ndarray, ...]:
    tokens = [float(t.rstrip(".")) if t != "." else 0.0 for t in path.read_text().split()]
    m, n = int(tokens[0]), int(tokens[1])
    k = 2
    cap, fixed = np.zeros(m), np.zeros(m)
    for i in range(m):
        cap[i], fixed[i] = tokens[k], tokens[k + 1]
        k += 2
    demand, cost = np.zeros(n), np.zeros((m, n))
    for j in range(n):
        demand[j] = tokens[k]
        cost[:, j] = tokens[k + 1:k + 1 + m]
        k += 1 + m
    return fixed, cap, demand, cost


def test_cap41_reaches_the_known_optimum() -> None:
    fixed, cap, demand, cost = _read_cap(ROOT / "benchmarks/instances/orlib_cap/cap41.txt")
    result = solve_facility_location(fixed, cap, demand, cost, time_limit_s=30)
    assert result.objective == pytest.approx(1_040_444.375, abs=1e-3)
    assert result.status == "optimal"
    assert np.allclose(result.assign.sum(axis=0), 1.0)


def test_small_facility_location_by_hand() -> None:
    # Two sites (fixed 10, 12; capacity 3 each), three customers of demand 1.
    fixed = np.array([10.0, 12.0])
    cost = np.array([[1.0, 1.0, 5.0], [4.0, 4.0, 1.0]])
    demand = np.ones(3)
    # Uncapacitated: site 0 alone, 10 + 1 + 1 + 5 = 17.
    free = solve_facility_location(fixed, None, demand, cost, capacitated=False)
    assert free.objective == pytest.approx(17) and list(free.open) == [True, False]
    # Capacity 2 forces both: 22 + 1 + 1 + 1 = 25.
    tight = solve_facility_location(fixed, np.array([2.0, 2.0]), demand, cost, single_source=True)
    assert tight.objective == pytest.approx(25) and tight.open.all()
    # p-median with p = 1 and no fixed cost: site 0 (7) beats site 1 (9).
    med = solve_facility_location(np.zeros(2), None, demand, cost, capacitated=False, p=1)
    assert med.objective == pytest.approx(7) and list(med.open) == [True, False]


def test_heuristic_alone_gives_a_bounded_answer() -> None:
    rng = np.random.default_rng(3)
    m, n = 12, 60
    fixed = rng.uniform(50, 100, m)
    cap = rng.uniform(20, 40, m)
    demand = rng.uniform(1, 5, n)
    cost = rng.uniform(1, 20, (m, n)) * demand
    alone = solve_facility_location(fixed, cap, demand, cost, heuristic_only=True, time_limit_s=20)
    exact = solve_facility_location(fixed, cap, demand, cost, time_limit_s=20)
    assert exact.status == "optimal"
    assert alone.bound <= exact.objective + 1e-6 <= alone.objective + 2e-6


@pytest.fixture(scope="module")
def hami():
    geodata_regions = pytest.importorskip("geodata.regions")
    return geodata_regions.load_region("hami")


def test_hami_plan_is_checker_clean(hami) -> None:
    params = NetworkParams(single_sourcing=False, time_limit_s=10.0)
    plan = solve_network(hami, params=params)
    assert check_network_plan(hami, plan, params) == []
    assert plan.kpis["coverage_share"] == pytest.approx(1.0)
    assert plan.solve.bound is not None and plan.solve.bound <= plan.total_cost_cny


def test_interrupted_solve_returns_the_best_plan_so_far(hami) -> None:
    stop = SolveInterrupter()
    seen = []

    def on_progress(plan) -> None:
        seen.append(plan.total_cost_cny)
        stop.interrupt()

    params = NetworkParams(single_sourcing=False, time_limit_s=30.0)
    plan = solve_network(hami, params=params, on_progress=on_progress, interrupter=stop)
    assert plan.solve.status == "interrupted"
    assert seen and plan.total_cost_cny == pytest.approx(min(seen))
    assert check_network_plan(hami, plan, params) == []


def test_ctrl_c_in_a_nested_search_stops_the_whole_solve(hami, monkeypatch) -> None:
    # Ctrl-C landing in numpy moves of the split stage's own search (not in a backend
    # solve) once only stopped that inner search; the outer one ran on to its limit.
    import solver.design.heuristic.stages as stages

    drop_add = stages.drop_add
    pressed = []

    def ctrl_c_once(*args, **kwargs):  # the first call comes from the split stage's search
        if not pressed:
            pressed.append(True)
            raise KeyboardInterrupt
        return drop_add(*args, **kwargs)

    monkeypatch.setattr(stages, "drop_add", ctrl_c_once)
    params = NetworkParams(time_limit_s=30.0)
    plan = solve_network(hami, params=params)
    assert plan.solve.status == "interrupted"
    assert plan.solve.time_s < 20
    assert check_network_plan(hami, plan, params) == []  # the plan so far (at least the greedy one)


def test_the_command_exits_with_its_code_while_an_abandoned_solve_runs() -> None:
    # An interrupted HiGHS solve keeps its thread inside C++; the interpreter's teardown
    # around it aborted solve.py (SIGABRT, exit 134) after its output was complete.
    import subprocess
    import sys

    code = ("import threading\n"
            "from ortools.util.python.solve_interrupter import SolveInterrupter\n"
            "from geodata.regions import load_region\n"
            "from network.network_params import NetworkParams\n"
            "from solver.design.data import build_network_data\n"
            "from solver.mip import backends_running, solve_mip\n"
            "from solver.design.model import build_design\n"
            "from cli.app import _exit\n"
            "a = build_network_data(load_region('datong'), NetworkParams()).arrays\n"
            "stop = SolveInterrupter()\n"
            "threading.Timer(1.0, stop.interrupt).start()\n"
            "res = solve_mip(build_design(a).builder, time_limit_s=60, interrupter=stop)\n"
            "print(res.status, backends_running(), flush=False)\n"
            "_exit(2)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout.split() == ["interrupted", "True"]


def test_the_plan_command_with_scip_on_two_threads_finishes_with_a_checked_plan(tmp_path) -> None:
    # Two SCIP solves at once (the heuristic's LP beside the bound core's sub-MIP) crashed
    # the process with SIGSEGV on Wuhai at ~5 s, every run; a subprocess keeps pytest alive.
    import subprocess
    import sys

    scenario = tmp_path / "scip.toml"
    scenario.write_text('[network]\nbackend = "scip"\nthreads = 2\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "solve.py", "plan", "--region", "wuhai", "--scenario", str(scenario),
                           "--time-limit", "8", "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "OK 通过" in done.stdout


def test_scip_solves_take_turns_and_the_limit_counts_from_the_call() -> None:
    import threading
    import time

    from geodata.regions import load_region
    from solver.design.data import build_network_data
    from solver.design.model import build_design
    from solver.mip import solve_mip

    builder = build_design(build_network_data(load_region("wuhai"), NetworkParams()).arrays).builder
    first = threading.Thread(target=solve_mip, args=(builder,), kwargs={"backend": "scip", "time_limit_s": 3.0})
    first.start()
    time.sleep(0.3)
    began = time.perf_counter()
    second = solve_mip(builder, backend="scip", time_limit_s=0.5)
    waited = time.perf_counter() - began
    first.join()
    # Its half second ran out while the first solve had SCIP: no result, and no overrun.
    assert (second.status, second.values) == ("time_limit", None)
    assert waited < 2.5


def test_plan_command_writes_the_plan_and_reports_the_checker(tmp_path) -> None:
    pytest.importorskip("geodata.regions")
    from typer.testing import CliRunner

    from cli.app import app

    scenario = tmp_path / "plan.toml"
    scenario.write_text("[network]\nsingle_sourcing = false\n[costs]\nmobile_visit_cost_cny = 100.0\n",
                        encoding="utf-8")
    result = CliRunner().invoke(app, ["plan", "--region", "hami", "--scenario", str(scenario),
                                      "--time-limit", "5", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "OK 通过" in result.output
    assert (tmp_path / "out" / "plan.json").exists()
    assert (tmp_path / "out" / "sites.csv").exists()


def test_scenario_file_with_an_unknown_key_is_rejected(tmp_path) -> None:
    from cli.plan_cmd import read_scenario_file
    from network import InputError

    bad = tmp_path / "bad.toml"
    bad.write_text("[network]\nmax_distance_km = 5\n[routing]\nx = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown table"):
        read_scenario_file(bad)


def test_the_regions_benchmark_reports_gap_checker_and_target(tmp_path) -> None:
    import csv
    import subprocess
    import sys

    results = tmp_path / "regions.csv"
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "network_regions.py"), "--regions", "hami",
                          "--time-limit", "4", "--results", str(results)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert "checker OK" in out and "plain MIP" in out and "target gap <= 0.5 % in 4 s" in out
    (row,) = list(csv.DictReader(results.open(encoding="utf-8")))
    assert row["region"] == "hami" and int(row["checker_problems"]) == 0 and row["scenario"] == "default"
    assert float(row["bound"]) <= float(row["value"]) and float(row["mip_bound"]) <= float(row["value"]) * 1.0001


def test_the_regions_benchmark_runs_a_scenario_and_keeps_older_rows(tmp_path) -> None:
    import csv
    import subprocess
    import sys

    results = tmp_path / "regions.csv"  # as written before the scenario column
    results.write_text("date,region,time_limit_s,threads,value,bound,gap,wall_s,status,checker_problems,"
                       "target_met,mip_value,mip_bound,mip_wall_s\n2026-11-26T19:08:15+00:00,hami,60.0,2,"
                       "19451806.9,19049124.1,0.0207,60.07,time_limit,0,False,,,\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "network_regions.py"), "--regions", "wuhai",
                          "--time-limit", "4", "--no-reference", "--set", "density_rule=true",
                          "--results", str(results)], capture_output=True, text=True, check=True, timeout=120).stdout
    assert "scenario 情景: density_rule=true" in out and "checker OK" in out
    old, new = list(csv.DictReader(results.open(encoding="utf-8")))
    assert (old["region"], old["scenario"], old["value"]) == ("hami", "default", "19451806.9")
    assert (new["region"], new["scenario"], new["checker_problems"]) == ("wuhai", "density_rule=true", "0")


def test_the_bounds_benchmark_prints_every_bound() -> None:
    import subprocess
    import sys

    # Wuhai: small enough that each stage ends its 2 s with a value on a loaded machine too.
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "network_bounds.py"), "--region", "wuhai",
                          "--time-limit", "2"], capture_output=True, text=True, check=True, timeout=120).stdout
    for label in ("full model, LP", "without the lowest tier, LP", "without the lowest tier, MIP",
                  "its stations/centres fixed, LP", "its stations/centres fixed, MIP", "full model, MIP"):
        assert label in out
    assert "not run" not in out
