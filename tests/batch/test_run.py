"""Running batches: failures recorded, resume after kill -9, a real Dask cluster.

Scenarios use the tiny exact model of ``tests.batch.test_tinymodel`` (proven optimal
by enumeration), so an interrupted-and-resumed run must give exactly the plans
of an uninterrupted one; every plan goes through its independent checker.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batch.read import read_batch
from batch.run import run_batch
from batch.spec import parse_batch
from batch.store import finished_manifests

ROOT = Path(__file__).resolve().parents[2]
TINY = "tests.batch.test_tinymodel:TINY"


def _spec(*, delay_s: float = 0.0, fail: bool = True, name: str = "tiny"):
    data = {"name": name, "base": {"model": TINY, "region": "tiny", "time_limit_s": 5,
                                   "params": {"delay_s": delay_s}},
            "grid": {"params.fixed_cost_cny": [50, 100, 200, 400], "params.rate_cny_per_t_km": [1, 2]}}
    if fail:
        data["scenarios"] = [{"name": "boom", "params.fail": True}]
    return parse_batch(data, source=f"{name}.toml")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _batch_toml(path: Path, *, delay_s: float) -> Path:
    path.write_text(f'name = "killme"\n[base]\nmodel = "{TINY}"\nregion = "tiny"\ntime_limit_s = 5\n'
                    f'params = {{ delay_s = {delay_s} }}\n'
                    '[grid]\n"params.fixed_cost_cny" = [50, 100, 200, 400]\n'
                    '"params.rate_cny_per_t_km" = [1, 2, 3]\n', encoding="utf-8")
    return path


def test_a_failing_scenario_is_recorded_and_the_others_finish(tmp_path: Path) -> None:
    spec = _spec()
    events = []
    result = run_batch(spec, tmp_path / "out", sequential=True, on_progress=events.append)
    boom = next(s.scenario_id for s in spec.scenarios if s.name == "boom")
    assert result.failed == [boom]
    assert len(result.ran) == len(spec.scenarios) == 9
    manifest = result.manifests[boom]
    assert manifest["status"] == "failed"
    assert manifest["error"]["type"] == "SolverError"
    assert "set to fail" in manifest["error"]["message"]
    assert "Traceback" in manifest["error"]["traceback"]
    ok = [m for sid, m in result.manifests.items() if sid != boom]
    assert all(m["status"] == "ok" and m["check"] == {"passed": True, "violations": []} for m in ok)
    # fixed 100, rate 2: the hand-computed optimum of the tiny model (see its test)
    hand = next(m for m in ok if m["parameters"]["params"]["fixed_cost_cny"] == 100.0
                and m["parameters"]["params"]["rate_cny_per_t_km"] == 2.0)
    assert hand["costs_cny"]["total"] == pytest.approx(560.0)
    assert [e.remaining for e in events] == list(range(9, -1, -1))
    assert events[-1].done == 8 and events[-1].failed == 1

    again = run_batch(spec, tmp_path / "out", sequential=True, retry_failed=False)
    assert again.ran == [] and len(again.skipped) == 9
    retry = run_batch(spec, tmp_path / "out", sequential=True)
    assert retry.ran == [boom] and retry.failed == [boom]


def test_resume_redoes_only_incomplete_folders(tmp_path: Path) -> None:
    spec = _spec(fail=False)
    out = tmp_path / "out"
    first = run_batch(spec, out, sequential=True)
    ids = [s.scenario_id for s in spec.scenarios]
    # A damaged result (file changed after its manifest was written), a folder
    # without manifest, and the leftover temporary folder of a killed run.
    (out / ids[0] / "plan.json").write_text("{}", encoding="utf-8")
    (out / ids[1] / "manifest.json").unlink()
    (out / f".tmp-{ids[2]}-deadbeef").mkdir()
    second = run_batch(spec, out, sequential=True)
    assert sorted(second.ran) == sorted(ids[:2])
    assert not (out / f".tmp-{ids[2]}-deadbeef").exists()
    for sid in ids[2:]:
        assert second.manifests[sid]["run_id"] == first.run_id
    for sid in ids[:2]:
        assert second.manifests[sid]["run_id"] == second.run_id
        assert second.manifests[sid]["outcome_sha256"] == first.manifests[sid]["outcome_sha256"]


def _snapshot(out: Path) -> dict[str, dict]:
    return finished_manifests(out)


@pytest.mark.slow
def test_kill_9_then_restart_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    toml = _batch_toml(tmp_path / "killme.toml", delay_s=0.3)
    out = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "solve.py"), "batch", str(toml), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not _snapshot(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the workers it started, if they outlive it
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    before = _snapshot(out)
    assert 1 <= len(before) < 12, "the kill must land after one scenario finished and before all did"

    cmd[-2:] = ["--sequential"]  # resuming does not depend on how the scenarios run (and it starts faster)
    rerun = subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=180)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    after = _snapshot(out)
    assert len(after) == 12
    assert not [p for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    for sid, manifest in before.items():  # nothing finished was recomputed or rewritten
        assert after[sid] == manifest
    new_runs = {m["run_id"] for sid, m in after.items() if sid not in before}
    assert len(new_runs) == 1 and new_runs.isdisjoint({m["run_id"] for m in before.values()})

    reference = run_batch(read_batch(toml), tmp_path / "reference", sequential=True)
    assert set(reference.manifests) == set(after)
    for sid, ref in reference.manifests.items():
        got = after[sid]
        assert got["status"] == ref["status"] == "ok"
        assert got["check"]["passed"] and ref["check"]["passed"]
        assert got["outcome_sha256"] == ref["outcome_sha256"]
        assert got["costs_cny"] == ref["costs_cny"] and got["kpis"] == ref["kpis"]
        plan = json.loads((out / sid / "plan.json").read_text(encoding="utf-8"))
        ref_plan = json.loads((tmp_path / "reference" / sid / "plan.json").read_text(encoding="utf-8"))
        plan["solve"]["time_s"] = ref_plan["solve"]["time_s"] = 0
        assert plan == ref_plan
    assert (out / "comparison.html").exists() and (out / "comparison.xlsx").exists()


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.exists(), f"{path} did not appear"


@pytest.mark.slow
def test_batch_runs_on_a_dask_cluster_started_outside(tmp_path: Path) -> None:
    from distributed import Client

    sched_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(sched_file)], cwd=tmp_path, env=_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        _wait_for(sched_file)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(sched_file),
             "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"],
            cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = json.loads(sched_file.read_text(encoding="utf-8"))["address"]
        assert address.startswith("tcp://127.0.0.1:")
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
            worker_pids = set(client.run(os.getpid).values())
        spec = _spec()
        result = run_batch(spec, tmp_path / "out", scheduler=address)
        assert len(result.ran) == 9 and len(result.failed) == 1
        pids = {m["pid"] for m in result.manifests.values()}
        assert pids <= worker_pids and os.getpid() not in pids
        assert all(m["check"]["passed"] for m in result.manifests.values() if m["status"] == "ok")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def test_a_map_that_fails_to_draw_keeps_the_plan(tmp_path: Path) -> None:
    import dataclasses

    from batch.models import MODELS
    from tests.batch.test_tinymodel import TINY as tiny

    def broken_writer(scenario, plan, out_dir, checks) -> None:
        (out_dir / "half.html").write_text("<html>", encoding="utf-8")
        raise RuntimeError("map renderer broke")

    MODELS["tiny-broken-map"] = lambda: dataclasses.replace(tiny, write_files=broken_writer)
    try:
        spec = parse_batch({"base": {"model": "tiny-broken-map", "region": "tiny"}}, source="x.toml")
        result = run_batch(spec, tmp_path / "out", sequential=True)
    finally:
        del MODELS["tiny-broken-map"]
    (manifest,) = result.manifests.values()
    assert manifest["status"] == "ok" and manifest["check"]["passed"]
    assert manifest["render_error"]["message"] == "map renderer broke"
    assert [f["path"] for f in manifest["files"]] == ["plan.json"]
