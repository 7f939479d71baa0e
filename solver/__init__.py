"""The models, one folder each, and their independent checkers.

- :mod:`solver.design` — the three-tier network design 三级回收网络 (which
  collection points, transfer stations and sorting centres open, at which
  size, who serves whom): ``solve_network(scenario) -> Plan``;
- :mod:`solver.routing` — collection routes from each station 收运线路:
  ``solve_routes(scenario, network_plan) -> Plan``;
- :mod:`solver.bases` — the retirement forecast and the phased siting of
  recycling bases for wind and PV equipment 循环利用基地:
  ``solve_bases(scenario, forecast) -> Plan``;
- :mod:`solver.check` — a checker per model that recomputes a plan from the
  scenario alone and imports no model code;
- :mod:`solver.mip` — the MathOpt layer the MIP models share (array-level
  model building, solving with a time limit and Ctrl-C, HiGHS or SCIP).

A new model is a new folder with one entry function of that shape and its
checker in :mod:`solver.check` (docs/architecture.md).
"""
