"""Recycling bases for retired wind and PV equipment 退役风电光伏设备循环利用基地: forecast, then phased siting.

The siting model is a multi-period capacitated facility-location MIP with
modular capacity expansion (after Melo, Nickel & Saldanha da Gama 2006,
Computers & OR 33(1)), stated in :mod:`solver.bases.model`; the forecast a
cohort model of retirements (:mod:`solver.bases.forecast`, Weibull or
truncated-normal lifetimes per equipment class, IRENA & IEA-PVPS 2016).

Stages:

1. :mod:`~solver.bases.forecast` — plants → tonnes retiring per year, county
   and stream;
2. :mod:`~solver.bases.sites` — candidate bases (county seats, rail stations,
   industrial parks) and the forecast's sources;
3. :mod:`~solver.bases.costs` — road or rail per tonne from each source to
   its nearest candidates;
4. :mod:`~solver.bases.solve` — ``solve_bases``: the MIP, a start, arc
   generation, then the plan (:mod:`~solver.bases.plan`);
5. :mod:`~solver.bases.policy` — the cost of one base per prefecture against
   free choice (two solves, the policy plan starting the free one).
"""

from solver.bases.forecast import Forecast, ForecastRow, forecast_retirements
from solver.bases.policy import PolicyComparison, compare_policy
from solver.bases.sites import base_candidates
from solver.bases.solve import BasesProgress, solve_bases

__all__ = [
    "BasesProgress", "Forecast", "ForecastRow", "PolicyComparison", "base_candidates", "compare_policy",
    "forecast_retirements", "solve_bases",
]
