"""The cost of a siting policy: one recycling base per prefecture vs free choice.

Both plans come from ``solver.bases.solve``; the policy adds one constraint (a base in each
listed prefecture from the policy year), so the policy plan is feasible for the free
model and starts its solve. Their difference in discounted total cost is the cost of the
policy; the proven gaps of the two solves bound how far the true difference can be.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from network.bases_params import BasesParams
from network.plan import Plan
from network.scenario import Scenario
from solver.bases.forecast import Forecast
from solver.bases.solve import BasesProgress, solve_bases_from


@dataclass(frozen=True, slots=True)
class PolicyComparison:
    """The free plan, the one-base-per-prefecture plan, and the policy's cost (CNY, discounted)."""

    free: Plan
    policy: Plan

    @property
    def policy_cost_cny(self) -> float:
        return self.policy.total_cost_cny - self.free.total_cost_cny

    @property
    def policy_cost_range_cny(self) -> tuple[float, float] | None:
        """What the proven gaps allow the true policy cost to be: (policy bound − free objective,
        policy objective − free bound); None when a bound is missing. Both MIPs share the
        revenue constant, so objective differences are total-cost differences."""
        fb, pb = self.free.solve.bound, self.policy.solve.bound
        if fb is None or pb is None:
            return None
        return (pb - self.free.solve.objective, self.policy.solve.objective - fb)


def compare_policy(scenario: Scenario, forecast: Forecast, *, params: BasesParams = BasesParams(),
                   prefectures: Sequence[str] = (), time_limit_s: float | None = None,
                   on_progress: Callable[[BasesProgress], None] | None = None) -> PolicyComparison:
    """Solve with free choice and with one base per prefecture; the difference is the policy's cost.

    The time limit is split evenly between the two solves. The policy plan is solved
    first and its solution, with the arcs its arc generation added (``solver.bases.solve``), is
    given to the free solve as a start (it is feasible there), so the free plan is never
    worse than the policy plan.

    Raises
    ------
    InfeasibleError
        If a listed prefecture has no candidate base.
    """
    limit = params.time_limit_s if time_limit_s is None else time_limit_s
    policy, start = solve_bases_from(scenario, forecast,
                                 params=dataclasses.replace(params, one_base_per_prefecture=True,
                                                            policy_prefectures=tuple(prefectures)),
                                 time_limit_s=limit / 2, on_progress=on_progress, hint=None)
    # The policy plan is feasible without the policy: it starts the free solve.
    free, _ = solve_bases_from(scenario, forecast, params=dataclasses.replace(params, one_base_per_prefecture=False),
                           time_limit_s=limit / 2, on_progress=on_progress, hint=start)
    return PolicyComparison(free, policy)
