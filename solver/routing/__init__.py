"""Collection routes 收运线路: vehicles from each transfer station to its points and villages.

The model is the multi-trip vehicle routing problem with intermediate
facilities and time windows (MT-VRP-IF; Crevier, Cordeau & Laporte 2007,
EJOR 176(2); the reload formulation of PyVRP, Wouda, Lan & Kool 2024), stated
in :mod:`solver.routing.problem`.

``solve_routes`` (:mod:`~solver.routing.solve`) runs these stages:

1. :mod:`~solver.routing.stations` — the network plan → each station's
   clients, visit frequencies, days and fleet → one ``RoutingProblem`` per
   station and day (the busiest day sizes the fleet);
2. :mod:`~solver.routing.engine` — ``solve_routing_problem`` picks a backend:
   PyVRP (:mod:`~solver.routing.pyvrp_backend`, iterated local search with
   native reloads) or OR-Tools (:mod:`~solver.routing.ortools_backend`,
   guided local search, for breaks); both in integer units
   (:mod:`~solver.routing.units`, :mod:`~solver.routing.common`);
3. :mod:`~solver.routing.schedule` — every route is re-timed and re-costed
   in floats;
4. the routes ``Plan`` (docs/plan_contract.md).

``RoutingProblem.cvrp`` and ``solve_routing_problem`` are the array-level
entry for the CVRPLIB benchmarks.
"""

from solver.routing.engine import choose_backend, solve_routing_problem
from solver.routing.problem import (
    DriverBreak,
    RoutingClient,
    RoutingDepot,
    RoutingProblem,
    RoutingVehicleType,
    UnloadFacility,
)
from solver.routing.schedule import RouteSchedule, schedule_route
from solver.routing.solution import RoutingProgress, RoutingRoute, RoutingSolution, UnservedClient, Visit
from solver.routing.solve import solve_routes

__all__ = [
    "DriverBreak", "RouteSchedule", "RoutingClient", "RoutingDepot", "RoutingProblem", "RoutingProgress",
    "RoutingRoute", "RoutingSolution", "RoutingVehicleType", "UnloadFacility", "UnservedClient", "Visit",
    "choose_backend", "schedule_route", "solve_routes", "solve_routing_problem",
]
