"""Swap-based local search for single-tier uncapacitated instances (p-median, UFL).

The MIP (``solver.design.model``) proves optima of p-median and uncapacitated
facility location (UFL) instances, but HiGHS started without a good incumbent
stalls on p-median instances with hundreds of sites and few medians, where the
LP bound is weak. This module finds near-optimal, usually optimal, site sets
for those instances quickly, in pure numpy.

Problem. Candidate sites j with fixed cost f_j (0 for the p-median), clients u
served by the cheapest open site among their arcs (cost c_ju, folded handling
included as in the MIP), at least ``lo`` and at most ``hi`` sites open
(``lo = hi = p`` for the p-median), forced sites always open::

    min  Σ_{j open} f_j + Σ_u min_{j open} c_ju

Local search: vertex substitution ("fast interchange", Teitz & Bart 1968,
Whitaker 1983, *A fast algorithm for the greedy interchange for large-scale
clustering and median location problems*, INFOR 21(2)) with the bookkeeping of
Resende & Werneck 2003, *A fast swap-based local search procedure for location
problems*, Annals of OR 150 (2007), kept by
:class:`~solver.design.heuristic.interchange.Interchange`: every move's cost
decrease for all (insert, remove) pairs at once, one vectorised argmax.

Construction: greedy (open the site of best gain − fixed cost until ``lo`` are
open, then while that improves, up to ``hi``), or a given start repaired to
the open-count bounds.

Diversification until the deadline: variable neighbourhood search (Hansen &
Mladenović 1997, *Variable neighborhood search for the p-median*, Location
Science 5(4)): shake the current solution with k random moves (k = 1, 2, …,
at most ``SHAKE_MAX``), descend, move there and restart at k = 1 if better,
else k + 1. Unlike the textbook scheme, a descent that ends at an equally
good solution is kept too: p-median instances have wide plateaus of equal
local optima, and walking across them found the OR-Library optima about
twice as fast (pmed30, pmed40) as going back. Random numbers come from
``numpy``'s generator seeded with ``seed``, so a run is reproducible up to
where the deadline cuts it.

"""

from __future__ import annotations

import math

import numpy as np

from solver import clock
from solver.design.arrays import DesignArrays
from solver.design.heuristic.interchange import Interchange, prepare_instance, selection_cost

#: Largest number of random moves of one shake. On OR-Library pmed30 (p = 200) and pmed40 (p = 90)
#: improvements came from shakes of 7 to 60 moves; cycling k up to p wasted time on near-restarts.
SHAKE_MAX = 40
#: Rebuild the bookkeeping from scratch every this many descents (float drift).
REBUILD_EVERY = 200


def swap_applicable(a: DesignArrays) -> bool:
    """True for single-tier instances with every option uncapacitated (opt_cap inf), one option per facility,
    no upper arcs, no co2 cap / max_fixed / min_shared_share / min_open_groups; exact_open / max_open on tier 0 and fac_forced allowed."""
    if a.n_fac == 0 or np.any(a.fac_tier != 0):
        return False
    if len(a.opt_fac) and (np.any(np.isfinite(a.opt_cap)) or np.bincount(a.opt_fac, minlength=a.n_fac).max() > 1):
        return False
    if len(a.up_from) or a.co2_cap is not None or a.max_fixed is not None:
        return False
    if a.min_shared_share > 0 or a.min_open_groups:
        return False
    return set(a.exact_open) <= {0} and set(a.max_open) <= {0}


def swap_search(a: DesignArrays, *, deadline: float, seed: int = 0,
                start: np.ndarray | None = None) -> tuple[np.ndarray, float] | None:
    """Best facility-open vector found (bool, length a.n_fac) and its objective (fixed + sum over clients of the
    cheapest open arc cost), by clock.now() deadline. None if no feasible selection exists
    (e.g. a client with no arc to any allowed facility). Respects fac_forced, exact_open[0] (= p), max_open[0].

    Parameters
    ----------
    a
        The instance; must satisfy :func:`swap_applicable`.
    deadline
        ``clock.now()`` value at which to stop. The construction and
        the first descent always finish, so a past deadline still gives a
        local optimum.
    seed
        Seed of the shaking moves.
    start
        Optional open vector (bool, length ``a.n_fac``) to start from instead
        of the greedy construction; it is repaired to the open-count bounds.

    Returns
    -------
    tuple or None
        ``(open, objective)``; None when the instance has no feasible
        selection, or when the search found none serving every client (which
        can happen only when an open-count limit is too small to reach every
        client).

    Raises
    ------
    ValueError
        If the instance is not :func:`swap_applicable` or ``start`` has the
        wrong length.
    """
    if not swap_applicable(a):
        raise ValueError("swap_search needs a single-tier uncapacitated instance (see swap_applicable)")
    if start is not None and len(start) != a.n_fac:
        raise ValueError(f"start: expected length {a.n_fac}, got {len(start)}")
    inst = prepare_instance(a)
    if inst is None:
        return None
    search = _Search(inst)
    if start is None:
        search.greedy()
    else:
        search.start_from(np.asarray(start, dtype=bool)[inst.fac_ids] | inst.forced)
    search.local_search(math.inf)
    best_open = search.vns(deadline, np.random.default_rng(seed))
    objective, served = selection_cost(inst, best_open)
    if not served:
        return None
    is_open = np.zeros(a.n_fac, dtype=bool)
    is_open[inst.fac_ids[best_open]] = True
    return is_open, objective


class _Search(Interchange):
    """The descent, the constructions and the variable neighbourhood search on one interchange state."""

    def local_search(self, deadline: float) -> None:
        """Best-improvement descent until no move improves (or the deadline)."""
        while True:
            profit, insert, remove = self.best_move()
            if not profit > self.inst.tol:
                break
            self.move(insert, remove)
            if clock.now() > deadline:
                break
        self.descents += 1

    # ----------------------------------------------------------- construction
    def greedy(self, allowed: np.ndarray | None = None) -> None:
        """Forced sites, then the best gain − fixed site until ``min_open``, then while it pays.

        With ``allowed``, only those sites are added while any is left; the
        rest fill up to ``min_open`` if needed.
        """
        self.rebuild(self.inst.forced)
        while self.n_open < self.max_open:
            add = self.open_profits()
            if allowed is not None and np.any(allowed & ~self.is_open):
                add = np.where(allowed, add, -np.inf)
            i = int(np.argmax(add))
            if not np.isfinite(add[i]) or (self.n_open >= self.inst.min_open and not add[i] > self.inst.tol):
                break
            self.move(i, -1)

    def start_from(self, is_open: np.ndarray) -> None:
        """Open ``is_open`` (forced included), repaired to the open-count bounds.

        Too many sites: the greedy picks among them; too few: the best other
        sites are added.
        """
        if is_open.sum() > self.max_open:
            self.greedy(allowed=is_open)
        else:
            self.rebuild(is_open)
        while self.n_open < self.inst.min_open:
            self.move(int(np.argmax(self.open_profits())), -1)

    # -------------------------------------------------------- diversification
    def vns(self, deadline: float, rng: np.random.Generator) -> np.ndarray:
        """Variable neighbourhood search from the current local optimum; returns the best open set."""
        inst = self.inst
        current = self.cost()
        best_cost, best_open = current, self.is_open.copy()
        self.best_log.append((clock.now(), current))
        k = 1
        while clock.now() < deadline:
            movable = self.n_open - int(inst.forced[self.is_open].sum())
            closed = inst.n_cand - self.n_open
            if movable == 0 and closed == 0:
                break
            k_max = max(1, min(movable, closed, SHAKE_MAX))
            snap = self.snapshot()
            if not self._shake(k, rng):
                break
            self.local_search(deadline)
            value = self.cost()
            if value < current - inst.tol:
                current, k = value, 1
                if value < best_cost - inst.tol:
                    best_cost, best_open = value, self.is_open.copy()
                    self.best_log.append((clock.now(), value))
            else:
                # An equally good solution is kept (a walk across the plateau of equal local optima);
                # a worse one is undone.
                if value > current + inst.tol:
                    self.restore(snap)
                k = k + 1 if k < k_max else 1
            if self.descents % REBUILD_EVERY == 0:
                self.rebuild(self.is_open.copy())
        return best_open

    def _shake(self, k: int, rng: np.random.Generator) -> bool:
        """Apply k random moves that keep the open count within bounds; False if none is possible."""
        inst = self.inst
        for _ in range(k):
            removable = np.flatnonzero(self.is_open & ~inst.forced)
            closed = np.flatnonzero(~self.is_open)
            kinds = []
            if len(removable) and len(closed):
                kinds.append("swap")
            if len(closed) and self.n_open < self.max_open:
                kinds.append("open")
            if len(removable) and self.n_open > inst.min_open:
                kinds.append("close")
            if not kinds:
                return False
            kind = kinds[int(rng.integers(len(kinds)))]
            insert = int(rng.choice(closed)) if kind in ("swap", "open") else -1
            remove = int(rng.choice(removable)) if kind in ("swap", "close") else -1
            self.move(insert, remove)
        return True
