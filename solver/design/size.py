"""How large a design model will be, counted before any distance is measured, and whether it fits.

The count is cheap: a k-d tree counts the village–site pairs within reach
(``network.nearby.count_nearby``) without listing them. Peak memory follows
the pairs measured while the arcs are found and the arcs the model keeps;
the constants below are fitted on the bundled regions (2-core EPYC, HiGHS
through MathOpt): Shanxi, 21,895 villages, 1.05 M model arcs, peaked at
4.06 GB solved whole; Datong, 57 k arcs, at 0.5 GB.
"""

from __future__ import annotations

import math
import resource
import sys
from dataclasses import dataclass

from network.errors import TooLargeError
from network.nearby import count_nearby
from network.network_params import NetworkParams
from network.scenario import Scenario
from network.sites import SiteStatus, Tier
from solver.design.data import NEIGHBOURS

#: Resident memory of the process before the model (the libraries and the scenario), GB.
BASE_GB = 0.4
#: Bytes per candidate pair measured while finding the arcs (indices, points, km, masks).
BYTES_PER_PAIR = 100
#: Bytes per model arc through the solve (MathOpt model, HiGHS, the heuristic's copies).
BYTES_PER_ARC = 3_600
#: Candidate pairs measured per second while the arcs are found.
PAIRS_PER_S = 500_000
#: Least seconds of solve per model arc for a first plan of the whole model (greedy, repair, the LP):
#: Shanxi solved whole, 1.05 M arcs, gave its first checked plan after about 120 s.
SOLVE_S_PER_ARC = 1.2e-4
#: Share of the available memory a model may take when ``max_memory_gb`` is not set.
AVAILABLE_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class SizeEstimate:
    """The counts and what they imply: peak memory (GB) and seconds to find the arcs."""

    villages: int
    sites: int
    pairs: int
    arcs: int
    peak_gb: float
    arcs_s: float
    limit_gb: float
    least_s: float
    time_limit_s: float

    @property
    def fits(self) -> bool:
        return self.peak_gb <= self.limit_gb and self.least_s <= self.time_limit_s


def available_gb() -> float:
    """Memory the machine has free now, GB."""
    import psutil

    return psutil.virtual_memory().available / 1e9


def peak_rss_gb() -> float:
    """Peak resident memory of this process and of its finished worker processes (the larger), GB."""
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit
    return max(own, children) / 1e9


def estimate_size(scenario: Scenario, params: NetworkParams, *, time_limit_s: float | None = None,
                  parts: int = 1) -> SizeEstimate:
    """Count the pairs in reach and the arcs the model will keep; estimate memory and time.

    ``parts``: the model is solved in this many parts side by side on
    ``params.threads`` workers (a decomposed solve), so a first plan needs
    the time of the arcs shared over the workers.
    """
    usable = [s for s in scenario.sites if s.status is not SiteStatus.CLOSED]
    points = [s.point for s in usable if s.tier is Tier.COLLECTION_POINT]
    stations = [s.point for s in usable if s.tier is Tier.TRANSFER_STATION]
    n_centres = sum(1 for s in usable if s.tier is Tier.SORTING_CENTRE)
    villages = [v for v in scenario.villages if v.total_t_per_year > 0]
    radius = [params.max_distance_urban_km if v.settlement.is_urban else params.max_distance_rural_km
              for v in villages]
    k = params.k_nearest or math.inf
    upper = NEIGHBOURS
    travel = scenario.travel
    lower = count_nearby(travel, [v.point for v in villages], points, limit_km=radius, most=upper)
    mobile = count_nearby(travel, [v.point for v in villages], stations, limit_km=params.mobile_max_distance_km,
                          most=upper) if params.allow_mobile_collection else 0
    ps_limit = params.max_distance_point_station_km or math.inf
    up = count_nearby(travel, points, stations, limit_km=ps_limit, most=upper)
    sc = len(stations) * min(upper, n_centres)
    pairs = lower + mobile + up + sc
    arcs = int(min(lower, len(villages) * k) + min(mobile, len(villages) * k) + min(up, len(points) * k) + sc)
    peak = BASE_GB + (pairs * BYTES_PER_PAIR + arcs * BYTES_PER_ARC) / 1e9
    limit = params.max_memory_gb if params.max_memory_gb is not None else AVAILABLE_SHARE * available_gb()
    arcs_s = pairs / PAIRS_PER_S
    workers = min(parts, params.threads) if parts > 1 else 1
    least = arcs_s + SOLVE_S_PER_ARC * arcs / workers
    seconds = params.time_limit_s if time_limit_s is None else time_limit_s
    return SizeEstimate(len(villages), len(usable), int(pairs), arcs, peak, arcs_s, limit, least, seconds)


def ensure_fits(estimate: SizeEstimate) -> None:
    """Refuse a model that would not fit, saying its size and what to reduce.

    Raises
    ------
    TooLargeError
        When the estimated peak exceeds the limit.
    """
    if estimate.fits:
        return
    if estimate.peak_gb <= estimate.limit_gb:
        raise TooLargeError(
            f"the network model is too large for the time limit: {estimate.villages:,} villages and "
            f"{estimate.sites:,} candidate sites give about {estimate.arcs:,} model arcs, which need at least "
            f"{estimate.least_s:,.0f} s for a first plan (finding the arcs alone about {estimate.arcs_s:,.0f} s), "
            f"more than the time limit of {estimate.time_limit_s:,.0f} s. Raise --time-limit to "
            f"{1.5 * estimate.least_s:,.0f} s or more, or reduce the model: plan fewer counties at once (--counties), "
            "give fewer candidate sites (--sites), or lower max_distance_rural_km / mobile_max_distance_km or "
            "k_nearest. 模型相对求解时限过大: 请延长时限或减少县区、候选站点、覆盖半径。")
    raise TooLargeError(
        f"the network model is too large for this machine: {estimate.villages:,} villages and {estimate.sites:,} "
        f"candidate sites give {estimate.pairs:,} village–site pairs in reach and about {estimate.arcs:,} model "
        f"arcs, an estimated {estimate.peak_gb:,.1f} GB at its peak (finding the arcs alone about "
        f"{estimate.arcs_s:,.0f} s), over the limit of {estimate.limit_gb:,.1f} GB (max_memory_gb, or 80 % of "
        "the memory free). Reduce it: plan fewer counties at once (--counties), give fewer candidate sites "
        "(--sites), lower max_distance_rural_km / max_distance_urban_km or mobile_max_distance_km, or lower "
        "k_nearest; or raise max_memory_gb on a larger machine. 模型过大: 请减少县区、候选站点或覆盖半径。")
