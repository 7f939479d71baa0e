"""One scenario, run inside a Dask worker (or in-process): load, solve, check, render.

The task returns plain data — status, KPIs, the checker's verdict, timings and
the bytes of every output file — and writes nothing into the batch folder:
the client writes each scenario's folder atomically, so a batch runs the same
on a cluster without a shared file system, and a killed worker leaves nothing
half-written.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import socket
import tempfile
import time
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from batch.models import get_model
from batch.spec import ScenarioSpec, cost_params_for
from network.params import params_from_mapping
from network.scenario import Scenario
from network.serialize import plan_to_dict, scenario_content_id

#: Thread-count variables of BLAS/OpenMP libraries, capped to one per task.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def now_iso() -> str:
    """The current UTC time, ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def outcome_sha256(plan_dict: Mapping[str, Any]) -> str:
    """SHA-256 of a plan without its wall time: equal answers, equal hash.

    ``solve.time_s`` changes from run to run even when the plan does not; it is
    zeroed before hashing, so a rerun that finds the same plan gives the same
    hash.
    """
    data = copy.deepcopy(dict(plan_dict))
    solve = dict(data.get("solve", {}))
    solve["time_s"] = 0.0
    data["solve"] = solve
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@cache
def _region(model: str, region: str, seed: int) -> Scenario:
    """Regions are loaded once per worker process and reused by its tasks."""
    return get_model(model).load_scenario(region, seed)


def limit_threads(n: int = 1) -> None:
    """Cap BLAS/OpenMP threads in this process (for libraries loaded later)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(n)


def run_task(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run one scenario and return its outcome as plain data (never raises).

    Parameters
    ----------
    task
        ``{"spec": ScenarioSpec.to_dict(), "run_id": str}``.

    Returns
    -------
    dict
        ``scenario_id``, ``status`` (``"ok"`` or ``"failed"``), ``run_id``,
        ``started_at``/``finished_at`` (UTC ISO), ``host``, ``pid``,
        ``timings_s`` (load, solve, check, render, total wall seconds, and
        ``cpu``: CPU seconds the process used meanwhile), and for
        ``"ok"``: ``solve``, ``costs_cny``, ``kpis``, ``check`` (passed,
        violations), ``scenario_content_id``, ``costs_used``,
        ``outcome_sha256``, ``files`` (relative path → bytes) and, when the
        extra files could not be drawn, ``render_error`` (the plan is kept);
        for ``"failed"``: ``error`` (type, message, traceback).
    """
    spec = ScenarioSpec.from_dict(task["spec"])
    out: dict[str, Any] = {"scenario_id": spec.scenario_id, "run_id": task["run_id"],
                           "started_at": now_iso(), "host": socket.gethostname(), "pid": os.getpid()}
    timings: dict[str, float] = {}
    t0 = last = time.perf_counter()
    cpu0 = time.process_time()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        timings[name] = round(now - last, 4)
        last = now

    try:
        limit_threads(1)
        model = get_model(spec.model)
        scenario = _region(spec.model, spec.region, spec.seed)
        costs = cost_params_for(scenario.costs, spec.cost_overrides, source=f"scenario '{spec.name}' costs")
        if costs is not scenario.costs:
            scenario = scenario.with_changes(costs=costs)
        params = params_from_mapping(model.params_cls, spec.params, source=f"scenario '{spec.name}' params")
        lap("load")
        plan = model.solve(scenario, params=params, time_limit_s=spec.time_limit_s)
        lap("solve")
        violations = list(model.check(scenario, plan, params))
        lap("check")
        plan_dict = plan_to_dict(plan)
        files: dict[str, bytes] = {
            "plan.json": json.dumps(plan_dict, ensure_ascii=False, indent=1).encode("utf-8")}
        render_error = None
        if model.write_files is not None:
            try:
                with tempfile.TemporaryDirectory(prefix="huishou-batch-") as tmp:
                    model.write_files(scenario, plan, Path(tmp), violations)
                    for path in sorted(Path(tmp).rglob("*")):
                        if path.is_file() and path.name != "plan.json":
                            files[path.relative_to(tmp).as_posix()] = path.read_bytes()
            except Exception as exc:  # a map that fails to draw must not lose the plan
                render_error = error_record(exc)
        lap("render")
        if render_error is not None:
            out["render_error"] = render_error
        out.update(status="ok", solve=plan_dict["solve"], costs_cny=dict(plan.costs_cny),
                   kpis=dict(plan.kpis), kind=plan.kind,
                   check={"passed": not violations, "violations": violations},
                   scenario_content_id=scenario_content_id(scenario), costs_used=scenario.costs_mapping(),
                   outcome_sha256=outcome_sha256(plan_dict), files=files)
    except Exception as exc:  # a failed scenario is recorded; the batch goes on
        lap("failed")
        out.update(status="failed", error=error_record(exc))
    timings["total"] = round(time.perf_counter() - t0, 4)
    timings["cpu"] = round(time.process_time() - cpu0, 4)  # CPU seconds of this process during the task
    out["timings_s"] = timings
    out["finished_at"] = now_iso()
    return out


def error_record(exc: BaseException) -> dict[str, str]:
    """Type, message and traceback of an exception, for a manifest."""
    return {"type": type(exc).__name__, "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc))}
