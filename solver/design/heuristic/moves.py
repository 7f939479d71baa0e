"""Drop and add moves on open sites, each priced by a numpy re-assignment (no MIP).

A move closes one open site (drop) or opens one candidate at its largest
level (add); :func:`solver.design.heuristic.repair.assign_to_open` then rebuilds a
whole-client plan in milliseconds (clients keep their server unless it
closed, or move to the new site when it is cheaper per tonne), and the move
is kept when the plan's full cost falls. This is the classical ADD/DROP
local search for facility location (Kuehn & Hamburger 1963; Jacobsen 1983,
*Heuristics for the capacitated plant location model*, EJOR 12(3)) with the
exact objective of the design model; the MIP-based moves of
:mod:`solver.design.search` then polish the assignment of the best plan.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solver import clock
from solver.design.arrays import largest_option
from solver.design.heuristic.repair import assign_to_open
from solver.design.model import DesignModel

#: Candidates tried per add pass: the ones closest to paying for themselves.
ADD_CANDIDATES = 60


def drop_add(model: DesignModel, values: np.ndarray, deadline: float,
             stopped: Callable[[], bool] = lambda: False) -> np.ndarray:
    """Improve ``values`` by drop and add moves until none helps, ``deadline`` (perf_counter) passes or ``stopped()``.

    Returns
    -------
    numpy.ndarray
        The best vector found (``values`` itself when no move improved it).
    """
    best, best_obj = values, model.objective_of(values)
    improved = True
    while improved and clock.now() < deadline and not stopped():
        improved = False
        for move in (_drop_pass, _add_pass):
            found = move(model, best, best_obj, deadline, stopped)
            if found is not None:
                best, best_obj = found, model.objective_of(found)
                improved = True
    return best


def _open_options(model: DesignModel, values: np.ndarray) -> np.ndarray:
    return np.round(values[model.y])


def _drop_pass(model: DesignModel, values: np.ndarray, obj: float, deadline: float,
               stopped: Callable[[], bool]) -> np.ndarray | None:
    """Close open sites one at a time, least loaded per fixed cost first; keep each that pays."""
    a = model.arrays
    y = _open_options(model, values)
    load = model.site_loads(values)
    opened = np.flatnonzero(y > 0.5)
    opened = opened[~a.fac_forced[a.opt_fac[opened]].astype(bool)]
    order = opened[np.argsort(load[a.opt_fac[opened]] / np.maximum(a.opt_fixed[opened], 1e-9), kind="stable")]
    best = None
    for o in order:
        if clock.now() >= deadline or stopped():
            break
        if y[o] < 0.5:
            continue
        trial = y.copy()
        trial[o] = 0.0
        cur = best if best is not None else values
        found = assign_to_open(model, trial, x_pref=cur[model.x], f_pref=cur[model.f])
        if found is not None and model.objective_of(found) < obj - 1e-9 * abs(obj):
            best, obj = found, model.objective_of(found)
            y = _open_options(model, best)
    return best


def _add_pass(model: DesignModel, values: np.ndarray, obj: float, deadline: float,
              stopped: Callable[[], bool]) -> np.ndarray | None:
    """Open closed candidates (largest level) that save their clients the most per tonne; keep each that pays."""
    a = model.arrays
    y = _open_options(model, values)
    site_open = np.zeros(a.n_fac, dtype=bool)
    site_open[a.opt_fac[y > 0.5]] = True
    largest = largest_option(a)
    x = values[model.x]
    # What each client pays per tonne now, and what each arc would cost instead.
    per_t = a.arc_cost / np.maximum(a.demand[a.arc_cli], 1e-12)
    now = np.zeros(a.n_cli)
    np.add.at(now, a.arc_cli, per_t * x)
    saving = np.maximum(now[a.arc_cli] - per_t, 0.0) * a.demand[a.arc_cli]
    gain = np.bincount(a.arc_fac, weights=saving, minlength=a.n_fac)
    closed = np.flatnonzero(~site_open & (largest >= 0) & (gain > 0))
    worth = gain[closed] - a.opt_fixed[largest[closed]]
    candidates = closed[np.argsort(-worth, kind="stable")][:ADD_CANDIDATES]
    best = None
    for j in candidates:
        if clock.now() >= deadline or stopped():
            break
        cur = best if best is not None else values
        trial = _open_options(model, cur)
        trial[largest[j]] = 1.0
        x_pref = cur[model.x].copy()
        cur_now = np.zeros(a.n_cli)
        np.add.at(cur_now, a.arc_cli, per_t * x_pref)
        mine = a.arc_fac == j
        x_pref[mine] = np.where(per_t[mine] < cur_now[a.arc_cli[mine]], 2.0, 0.0)
        found = assign_to_open(model, trial, x_pref=x_pref, f_pref=cur[model.f])
        if found is not None and model.objective_of(found) < obj - 1e-9 * abs(obj):
            best, obj = found, model.objective_of(found)
    return best
