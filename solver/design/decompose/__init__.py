"""Decomposition of a design instance by area: plans that scale to a province, with a proven global bound.

Model: the three-tier design of :mod:`solver.design` is almost separable by
area (villages reach points within a few km, points reach stations mostly in
their county), coupled through sites that clients of several areas reach.

Stages:

1. label clients and facilities by area (a prefecture), moved so every area
   can serve its own clients (:func:`~solver.design.decompose.parts.part_labels`);
2. plan parts — each area's clients and sites alone — solved side by side in
   worker processes (or a Dask cluster); their plans together are a plan of
   the whole, checked against the whole model's rows;
3. bound parts — each area's clients with a copy of every site they reach,
   fixed costs split among the areas by the demand that reaches them (a
   Lagrangian-style split of the linking fixed costs) — whose proven bounds
   add up to a bound of the whole (proof in :mod:`~solver.design.decompose.parts`).
"""

from solver.design.decompose.parts import Part, bound_parts, part_labels, plan_parts, restrict
from solver.design.decompose.solve import solve_by_parts, splittable

__all__ = ["Part", "bound_parts", "part_labels", "plan_parts", "restrict", "solve_by_parts", "splittable"]
