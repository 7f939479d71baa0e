"""PyVRP backend: hybrid iterated local search with native reloads (multi-trip).

Mapping of the ``RoutingProblem`` onto PyVRP 0.14 (Wouda, Lan & Kool 2024,
INFORMS J. Computing 36(4): 943-955):

* each ``RoutingDepot`` is a PyVRP depot without service time; each
  ``UnloadFacility`` is a second PyVRP depot at its location whose
  ``service_duration`` is the unload time (PyVRP charges a depot's service
  duration at the start of every trip that leaves it, i.e. after each
  reload, never at the start depot of the shift);
* vehicle types get ``reload_depots`` (their allowed facilities),
  ``max_reloads``, two load dimensions ``[kg, litres]``, ``fixed_cost``,
  ``unit_distance_cost`` per metre, ``unit_duration_cost`` per second,
  ``tw_early = 0``, ``tw_late = shift_duration = shift``;
* clients carry their amount as *pickup* (collected, emptied at a reload
  depot), service time, time window, and optional clients a ``prize`` equal
  to their skip penalty (so the objective is cost + uncollected prizes).

Tuning: PyVRP's default ``SolveParams`` (the authors' tuned ILS with
late-acceptance hill climbing) serve both the CVRPLIB benchmark and the
station instances; only the runtime limit and the seed are set. If that
search ends with no feasible solution, a second search runs with the
penalty cap raised (``_raised_cap_params``). Ctrl-C stops
the search at the next iteration and returns the best solution so far
(a stopping criterion checks the flag).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
import warnings
from collections.abc import Callable

import pyvrp
from pyvrp.solve import SolveParams, solve
from pyvrp.stop import MaxRuntime

from network.errors import SolverError
from solver.routing.common import catch_interrupt, int_matrices, unit_costs
from solver.routing.problem import RoutingProblem
from solver.routing.solution import RoutingProgress, RoutingRoute, RoutingSolution, Visit
from solver.routing.units import COST_SCALE, LOAD_SCALE, TIME_SCALE, to_units, to_units_down, to_units_up

log = logging.getLogger("huishou.routing")


class _Stop:
    """Stops at the time limit or on Ctrl-C; reports each new best to ``on_progress``."""

    def __init__(self, time_limit_s: float, flag: object, label: str,
                 on_progress: Callable[[RoutingProgress], None] | None) -> None:
        self._runtime = MaxRuntime(time_limit_s)
        self._flag = flag
        self._label = label
        self._on_progress = on_progress
        self._best = math.inf
        self._start = time.perf_counter()
        self.interrupted = False

    def __call__(self, best_cost: float) -> bool:
        if best_cost < self._best:
            self._best = best_cost
            if self._on_progress is not None:
                self._on_progress(RoutingProgress(self._label, time.perf_counter() - self._start,
                                                  best_cost / COST_SCALE, "pyvrp: new best"))
        if getattr(self._flag, "is_set", False):
            self.interrupted = True
            return True
        return self._runtime(best_cost)


def build_data(problem: RoutingProblem) -> tuple[pyvrp.ProblemData, list[int]]:
    """PyVRP ``ProblemData`` for ``problem``, and our vehicle-type index per PyVRP type.

    Raises
    ------
    SolverError
        If the problem has driver breaks (PyVRP has none) or no vehicle.
    """
    if problem.has_breaks:
        raise SolverError(f"{problem.name}: driver breaks are modelled by the OR-Tools backend only; "
                          "use backend='ortools' (or 'auto')")
    locations = [pyvrp.Location(0, 0, name=lid) for lid in problem.location_ids]
    depots = [pyvrp.Depot(d.location, name=d.depot_id) for d in problem.depots]
    n_depots = len(depots)
    depots += [pyvrp.Depot(f.location, service_duration=to_units(f.unload_h, TIME_SCALE),
                           name=f.facility_id) for f in problem.unload_facilities]
    clients = []
    for c in problem.clients:
        clients.append(pyvrp.Client(
            c.location, delivery=[0, 0],
            pickup=[to_units_up(c.demand_t, LOAD_SCALE), to_units_up(c.demand_m3, LOAD_SCALE)],
            service_duration=to_units(c.service_h, TIME_SCALE),
            tw_early=to_units_up(c.tw_early_h, TIME_SCALE), tw_late=to_units_down(c.tw_late_h, TIME_SCALE),
            prize=0 if c.required else to_units(c.penalty_cny, COST_SCALE), required=c.required,
            name=c.client_id))
    vehicle_types = []
    ours = []
    for k, vt in enumerate(problem.vehicle_types):
        if vt.count <= 0:
            continue
        fixed, per_m, per_s = unit_costs(vt)
        shift = to_units_down(vt.shift_h, TIME_SCALE)
        reloads = [n_depots + f for f in problem.facilities_of(k)]
        vehicle_types.append(pyvrp.VehicleType(
            num_available=vt.count,
            capacity=[to_units_down(vt.capacity_t, LOAD_SCALE), to_units_down(vt.capacity_m3, LOAD_SCALE)],
            start_depot=vt.start_depot, end_depot=vt.end_depot, fixed_cost=fixed,
            tw_early=0, tw_late=shift, shift_duration=shift,
            unit_distance_cost=per_m, unit_duration_cost=per_s,
            reload_depots=reloads,
            max_reloads=(vt.max_unloads if vt.max_unloads is not None else 2**63) if reloads else 0,
            name=vt.name))
        ours.append(k)
    if not vehicle_types:
        raise SolverError(f"{problem.name}: no vehicle available (every vehicle type has count 0)")
    dist, dur = int_matrices(problem)
    try:
        data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, [dist], [dur])
    except (ValueError, IndexError) as exc:
        raise SolverError(f"{problem.name}: PyVRP rejected the instance: {exc}") from None
    return data, ours


def _raised_cap_params(problem: RoutingProblem) -> SolveParams:
    """PyVRP's tuned defaults, with the penalty cap raised above a vehicle's fixed cost.

    PyVRP caps the penalty per unit of excess load or time warp at
    ``max_penalty`` (1e5 by default). Costs here are scaled by ``COST_SCALE``,
    so one vehicle's fixed cost (e.g. 180 CNY -> 1.8e7) would outweigh any
    capped penalty on a small overload, and the search could settle on an
    infeasible solution that saves a vehicle. The cap must exceed the largest
    fixed cost per unit (kg, second) of violation. Used only as a second search
    when the defaults find nothing feasible: a high cap from the start makes
    the search drop optional points on short time limits.
    """
    largest_fixed = max((unit_costs(vt)[0] for vt in problem.vehicle_types), default=0)
    defaults = SolveParams()
    cap = max(defaults.penalty.max_penalty, 10.0 * largest_fixed)
    penalty = dataclasses.replace(defaults.penalty, max_penalty=cap)
    return SolveParams(ils=defaults.ils, penalty=penalty, neighbourhood=defaults.neighbourhood,
                       operators=defaults.operators, display_interval=defaults.display_interval,
                       perturbation=defaults.perturbation)


def solve_pyvrp(problem: RoutingProblem, *, time_limit_s: float, seed: int = 0,
                on_progress: Callable[[RoutingProgress], None] | None = None,
                params: SolveParams | None = None) -> RoutingSolution:
    """Solve ``problem`` with PyVRP within ``time_limit_s`` seconds.

    Returns the best solution found; ``status`` is ``time_limit``,
    ``interrupted`` (Ctrl-C) or ``infeasible`` (no feasible solution found:
    ``routes`` then holds the best infeasible attempt, for diagnosis).

    Raises
    ------
    SolverError
        If the instance uses breaks or PyVRP rejects it.
    """
    start = time.perf_counter()
    data, ours = build_data(problem)
    n_depots = len(problem.depots)
    with catch_interrupt() as flag, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stop = _Stop(time_limit_s, flag, problem.name, on_progress)
        result = solve(data, stop, seed=seed, collect_stats=False, display=False,
                       params=params or SolveParams())
        if params is None and not result.best.is_feasible() and not stop.interrupted:
            # PyVRP's defaults search best in general, but their penalty cap can leave
            # an easy instance infeasible (see _raised_cap_params): search once more.
            log.info("%s: PyVRP found no feasible solution; searching again with the penalty "
                     "cap raised above the vehicles' fixed costs", problem.name)
            stop = _Stop(time_limit_s, flag, problem.name, on_progress)
            result = solve(data, stop, seed=seed, collect_stats=False, display=False,
                           params=_raised_cap_params(problem))
    for warning in caught:  # e.g. PenaltyBoundWarning on infeasible instances: say it in the log
        log.info("%s: PyVRP: %s", problem.name, str(warning.message).split("\n")[0].strip() or warning.category)
    best = result.best
    routes = []
    for route in best.routes():
        visits = []
        for act in route.schedule()[1:-1]:
            if act.type == pyvrp.ActivityType.CLIENT:
                visits.append(Visit("client", act.idx, act.start_time / TIME_SCALE))
            elif act.type == pyvrp.ActivityType.DEPOT and act.idx >= n_depots:
                visits.append(Visit("unload", act.idx - n_depots, act.start_time / TIME_SCALE))
            else:
                raise SolverError(f"{problem.name}: unexpected PyVRP activity {act.type} {act.idx}")
        routes.append(RoutingRoute(ours[route.vehicle_type()], tuple(visits), route.start_time() / TIME_SCALE))
    status = "interrupted" if stop.interrupted else ("time_limit" if best.is_feasible() else "infeasible")
    objective = result.cost() / COST_SCALE if best.is_feasible() else math.inf
    return RoutingSolution(tuple(routes), (), objective, "pyvrp", status, time.perf_counter() - start,
                           {"iterations": result.num_iterations, "seed": seed,
                            "search_s": result.runtime, "feasible": best.is_feasible()})
