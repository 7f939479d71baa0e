"""Run a batch on Dask: skip what is finished, run the rest, write each result atomically.

By default a ``distributed.LocalCluster`` is started with one single-threaded
worker process per core; ``scheduler="tcp://host:8786"`` runs the same batch
on an existing cluster unchanged (the workers need huishou installed; they
need no access to the output folder, since results come back to this process
and are written here). ``sequential=True`` runs everything in this process,
one scenario after another (the reference for the speed-up benchmark).

Each task runs its solver with one thread and BLAS/OpenMP capped to one
thread, so ``workers`` tasks use ``workers`` cores.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batch.spec import BatchSpec, ScenarioSpec
from batch.store import batch_lock, finished_manifests, remove_leftovers, write_json, write_scenario_folder
from batch.task import THREAD_VARIABLES, error_record, now_iso, run_task
from network.errors import InputError

log = logging.getLogger("huishou.batch.run")


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """Where a batch run stands, sent to ``on_progress`` after every scenario.

    ``done`` counts scenarios finished ok in this run, ``failed`` those that
    failed in this run, ``skipped`` those found finished from an earlier run;
    ``eta_s`` is the estimated time to finish (seconds; None before the first
    result).
    """

    total: int
    done: int
    failed: int
    skipped: int
    remaining: int
    elapsed_s: float
    eta_s: float | None
    last_id: str = ""
    last_name: str = ""
    last_status: str = ""


@dataclass(slots=True)
class BatchResult:
    """What a run did: manifests of every finished scenario, by id, and counts."""

    batch_dir: Path
    run_id: str
    manifests: dict[str, dict[str, Any]]
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def check_failures(self) -> list[str]:
        """Ids of scenarios whose plan did not pass the independent checker."""
        return [sid for sid, m in self.manifests.items()
                if m.get("status") == "ok" and not m.get("check", {}).get("passed", False)]


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_batch(spec: BatchSpec, batch_dir: Path, *, scheduler: str | None = None, workers: int | None = None,
              sequential: bool = False, retry_failed: bool = True,
              on_progress: Callable[[BatchProgress], None] | None = None) -> BatchResult:
    """Run every unfinished scenario of ``spec`` and write its folder under ``batch_dir``.

    Parameters
    ----------
    spec
        The expanded batch (``batch.read.read_batch``).
    batch_dir
        Output folder, e.g. ``out/hami-sweep``; created if missing.
    scheduler
        Address of an existing Dask scheduler (``tcp://10.0.0.5:8786``);
        None (default) starts a LocalCluster for this run.
    workers
        Worker processes of the LocalCluster; default one per usable core.
    sequential
        Run in this process, one scenario at a time, without Dask.
    retry_failed
        Run again scenarios whose earlier run failed (default True); False
        keeps their failure.
    on_progress
        Called with a :class:`BatchProgress` at the start and after each scenario.

    Returns
    -------
    BatchResult

    Raises
    ------
    InputError
        If another run holds the folder, or the scheduler cannot be reached
        or has no workers.
    KeyboardInterrupt
        On Ctrl-C: the cluster is shut down; every scenario finished so far
        is on disk and a rerun resumes.
    """
    batch_dir = Path(batch_dir)
    run_id = uuid.uuid4().hex
    started = time.perf_counter()
    with batch_lock(batch_dir):
        removed = remove_leftovers(batch_dir)
        if removed:
            log.info("removed %d unfinished folder(s) of an interrupted run", removed)
        ids = [s.scenario_id for s in spec.scenarios]
        write_json(batch_dir / "batch.json", {
            "name": spec.name, "source": spec.source, "updated_at": now_iso(),
            "scenarios": [{"scenario_id": s.scenario_id, "name": s.name} for s in spec.scenarios]})
        manifests = finished_manifests(batch_dir, ids)
        skipped = [sid for sid, m in manifests.items() if m["status"] == "ok" or not retry_failed]
        todo = [s for s in spec.scenarios if s.scenario_id not in skipped]
        result = BatchResult(batch_dir, run_id, {sid: manifests[sid] for sid in skipped}, skipped=skipped)
        total = len(spec.scenarios)
        rate_start = time.perf_counter()

        def report(last: ScenarioSpec | None = None, status: str = "") -> None:
            if on_progress is None:
                return
            finished_now = len(result.ran)
            remaining = total - len(skipped) - finished_now
            elapsed = time.perf_counter() - started
            eta = None
            if finished_now:
                eta = remaining * (time.perf_counter() - rate_start) / finished_now
            on_progress(BatchProgress(total, finished_now - len(result.failed), len(result.failed),
                                      len(skipped), remaining, elapsed, eta,
                                      last.scenario_id if last else "", last.name if last else "", status))

        report()
        tasks = [{"spec": s.to_dict(), "run_id": run_id} for s in todo]
        by_id = {s.scenario_id: s for s in todo}
        runner = _run_sequential(tasks) if sequential else _run_dask(tasks, scheduler, workers)
        for outcome in runner:
            scenario = by_id[outcome["scenario_id"]]
            manifest = _store(batch_dir, spec, scenario, outcome)
            result.manifests[scenario.scenario_id] = manifest
            result.ran.append(scenario.scenario_id)
            if manifest["status"] != "ok":
                result.failed.append(scenario.scenario_id)
            report(scenario, manifest["status"])
        result.manifests = {sid: result.manifests[sid] for sid in ids if sid in result.manifests}
    result.elapsed_s = time.perf_counter() - started
    return result


def _store(batch_dir: Path, spec: BatchSpec, scenario: ScenarioSpec, outcome: dict[str, Any]) -> dict[str, Any]:
    files = outcome.pop("files", {}) or {}
    manifest = {"scenario_id": scenario.scenario_id, "name": scenario.name, "batch": spec.name,
                "status": outcome.get("status", "failed"), "parameters": scenario.to_dict(),
                **{k: v for k, v in outcome.items() if k not in ("scenario_id", "status")},
                "written_at": now_iso()}
    write_scenario_folder(batch_dir, scenario.scenario_id, files, manifest)
    return finished_manifests(batch_dir, [scenario.scenario_id], verify=False)[scenario.scenario_id]


def _run_sequential(tasks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for task in tasks:
        yield run_task(task)


def _run_dask(tasks: list[dict[str, Any]], scheduler: str | None, workers: int | None) -> Iterator[dict[str, Any]]:
    if not tasks:
        return
    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    one_thread = dict.fromkeys(THREAD_VARIABLES, 1)
    if scheduler is None:
        n = workers or usable_cores()
        with dask.config.set({"distributed.nanny.pre-spawn-environ": {
                "MALLOC_TRIM_THRESHOLD_": 65536, **one_thread}}):
            cluster = LocalCluster(n_workers=min(n, len(tasks)), threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"scheduler {scheduler}: cannot connect ({exc}); start it with "
                             "'dask scheduler' or leave out --scheduler to use this machine") from None
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            client.close()
            raise InputError(f"scheduler {scheduler}: no worker connected within 60 s; start workers "
                             f"with 'dask worker {scheduler} --nthreads 1'") from None
    futures: dict[str, Any] = {}
    try:
        for task in tasks:
            sid = task["spec"]["scenario_id"]
            fut = client.submit(run_task, task, key=f"huishou-{sid}-{task['run_id'][:8]}", pure=False)
            futures[fut.key] = (fut, task)
        for fut in as_completed([f for f, _ in futures.values()]):
            task = futures[fut.key][1]
            try:
                yield fut.result()
            except Exception as exc:  # the worker died or the task could not run
                yield {"scenario_id": task["spec"]["scenario_id"], "run_id": task["run_id"],
                       "status": "failed", "error": error_record(exc), "finished_at": now_iso()}
    finally:
        unfinished = [fut for fut, _ in futures.values() if not fut.done()]
        if unfinished:
            client.cancel(unfinished)
        client.close()
        if cluster is not None:
            cluster.close()
