"""A solution of a design instance, with the proof of its quality (bound and gap)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solver.design.arrays import DesignArrays
from solver.design.model import DesignModel


@dataclass(slots=True)
class DesignSolution:
    """A solution of a design instance with its proof quality.

    ``status`` is ``optimal``, ``feasible``, ``time_limit``, ``interrupted``,
    ``heuristic`` or ``infeasible`` (then ``values`` is None).
    """

    arrays: DesignArrays
    model: DesignModel
    values: np.ndarray | None
    objective: float
    bound: float
    time_s: float
    status: str
    backend: str
    message: str = ""
    #: Under single sourcing, the best plan found with shares split (the split stage), CNY/yr; inf if none.
    split_objective: float = math.inf

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)

    @property
    def y(self) -> np.ndarray:
        return np.round(self.values[self.model.y]) if self.values is not None else np.zeros(0)

    @property
    def x(self) -> np.ndarray:
        x = self.values[self.model.x] if self.values is not None else np.zeros(0)
        return np.round(x) if self.arrays.single_source else np.clip(x, 0.0, 1.0)

    @property
    def f(self) -> np.ndarray:
        return np.maximum(self.values[self.model.f], 0.0) if self.values is not None else np.zeros(0)
def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when both are 0, inf without a bound."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else math.inf
    return max(0.0, (objective - bound) / abs(objective))
