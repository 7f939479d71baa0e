"""Three-tier network design 三级回收网络: collection points → transfer stations → sorting centres.

The model is a multi-echelon capacitated facility-location MIP with size
levels (Melo, Nickel & Saldanha-da-Gama 2009, EJOR 196(2); strong x ≤ y
linking after Cornuéjols, Sridharan & Thizy 1991, EJOR 50(3)), written out in
:mod:`solver.design.model` and docs/network_design.md.

``solve_network`` (:mod:`~solver.design.solve`) runs these stages:

1. :mod:`~solver.design.data` — Scenario and NetworkParams → the instance
   arrays (:mod:`~solver.design.arrays`): sparse arcs within the coverage
   radii, kept wide enough to carry all demand (:mod:`~solver.design.flow`);
2. :mod:`~solver.design.explain` — pre-checks that name why no plan can exist;
3. :mod:`~solver.design.search` — ``solve_design``: the heuristic
   (:mod:`solver.design.heuristic`) beside the bound stages
   (:mod:`solver.design.bounds`), then the full MIP (:mod:`~solver.design.model`
   through :mod:`solver.mip`), sharing one best plan and bound
   (:mod:`~solver.design.state`, :mod:`~solver.design.solution`);
4. :mod:`~solver.design.plan` — the solution → the network ``Plan``
   (docs/plan_contract.md); with no plan, ``explain.diagnose`` says why.

:func:`~solver.design.cflp.solve_facility_location` is the array-level
single-echelon entry (CFLP, UFLP, p-median) on the same code, for the
OR-Library benchmarks.
"""

from solver.design.arrays import DesignArrays
from solver.design.cflp import FacilityResult, solve_facility_location
from solver.design.data import NetworkData, build_network_data
from solver.design.model import DesignModel, build_design
from solver.design.search import solve_design
from solver.design.solution import DesignSolution, relative_gap
from solver.design.solve import solve_network

__all__ = [
    "DesignArrays", "DesignModel", "DesignSolution", "FacilityResult", "NetworkData", "build_design",
    "build_network_data", "relative_gap", "solve_design", "solve_facility_location", "solve_network",
]
