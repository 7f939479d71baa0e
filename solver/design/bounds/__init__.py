"""Lower bounds of a design instance: what makes a gap small when the full MIP's own bound is weak.

From the cheapest to the strongest, as the search uses them:

1. :mod:`~solver.design.bounds.path` — each client on its cheapest path,
   sites charged per tonne: instant at any size;
2. :mod:`~solver.design.bounds.lagrange` — a Lagrangian bound (service and
   flow-conservation rows dualised, subgradient steps) near the LP value in
   seconds of numpy;
3. :mod:`~solver.design.bounds.collapse` — the relaxation without the lowest
   tier (villages straight to stations at the points' cheapest cost), whose
   MIP the bound stage solves;
4. :mod:`~solver.design.bounds.stages` — the search's bound stages: 2, then
   3's MIP, then a sub-MIP of the full model on 3's station/centre choice.

The capacity cuts on every tier are rows of the model itself
(``build_design(every_tier_cuts=True)``).
"""

from solver.design.bounds.collapse import CollapsedDesign, collapse_lowest_tier
from solver.design.bounds.lagrange import LagrangianBound, lagrangian_bound
from solver.design.bounds.path import path_bound

__all__ = ["CollapsedDesign", "LagrangianBound", "collapse_lowest_tier", "lagrangian_bound", "path_bound"]
