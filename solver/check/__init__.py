"""Independent checkers: every plan a model writes is recomputed from the scenario alone.

Each checker reads the scenario, the parameters and the plan (for routes,
also the network plan), recomputes capacities, assignments, coverage, flows,
loads, schedules and costs, and returns the violations as sentences (an empty
list: clean). They import no model code — only :mod:`network` and the
routing problem and solution types (``solver.routing.problem``,
``solver.routing.solution``), the array-level contract the routing checker
reads; ``tests/test_layering.py`` enforces it — so a bug in a model cannot
hide in its checker.

- :mod:`~solver.check.design` (with :mod:`~solver.check.design_costs`) —
  network plans (``check_network_plan``);
- :mod:`~solver.check.routing` — a ``RoutingSolution`` against its
  ``RoutingProblem`` (``check_routing_solution``, ``route_figures``);
- :mod:`~solver.check.route_plan` — a routes ``Plan`` against the scenario
  and network plan (``check_route_plan``);
- :mod:`~solver.check.bases` — recycling-base plans (``check_bases_plan``).
"""

from solver.check.bases import check_bases_plan
from solver.check.design import check_network_plan
from solver.check.route_plan import check_route_plan
from solver.check.routing import check_routing_solution, route_figures

__all__ = ["check_bases_plan", "check_network_plan", "check_route_plan", "check_routing_solution",
           "route_figures"]
