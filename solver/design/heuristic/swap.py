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
problems*, Annals of OR 150 (2007). Every client keeps its nearest open site
φ1(u) at d1(u) and second nearest at d2(u). For inserting a closed site i and
removing an open site r the cost decrease is::

    profit(i, r) = gain(i) − loss(r) + extra(i, r) − f_i + f_r
    gain(i)      = Σ_u max(0, d1(u) − c_iu)
    loss(r)      = Σ_{u: φ1(u) = r} (d2(u) − d1(u))
    extra(i, r)  = Σ_{u: φ1(u) = r, c_iu < d2(u)} (d2(u) − max(c_iu, d1(u)))

gain, loss and extra are kept up to date incrementally: a move only changes
the clients whose nearest or second-nearest site is the removed one, or to
whom the inserted site comes closer than d2; their old contributions are
subtracted and their new ones added. Only a client's arcs cheaper than d2
contribute, so with arcs sorted by cost per client that is a prefix of the
client's list. ``extra`` is a dense (candidate × open slot) matrix, so the
best of all swaps is one vectorised argmax; for UFL the plain open
(profit gain(i) − f_i) and close (f_r − loss(r)) moves are taken too.

A client left without an open site is charged a cost larger than any full
solution (a virtual site always open), so selections that serve every client
always win and infeasible starts repair themselves.

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

Memory: ``extra`` has a column per open site, at most ``MAX_EXTRA_ENTRIES``
entries; a UFL instance too large for a column per candidate is searched
with at most that many columns' worth of open sites.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from solver.design.arrays import DesignArrays

#: Largest (candidate × open slot) ``extra`` matrix, entries (8 bytes each).
MAX_EXTRA_ENTRIES = 25_000_000
#: Relative tolerance of an improvement (relative to the unserved-client charge).
REL_TOL = 1e-10
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
    cheapest open arc cost), by time.perf_counter() deadline. None if no feasible selection exists
    (e.g. a client with no arc to any allowed facility). Respects fac_forced, exact_open[0] (= p), max_open[0].

    Parameters
    ----------
    a
        The instance; must satisfy :func:`swap_applicable`.
    deadline
        ``time.perf_counter()`` value at which to stop. The construction and
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
    inst = _prepare(a)
    if inst is None:
        return None
    search = _Search(inst)
    if start is None:
        search.greedy()
    else:
        search.start_from(np.asarray(start, dtype=bool)[inst.fac_ids] | inst.forced)
    search.local_search(math.inf)
    best_open = search.vns(deadline, np.random.default_rng(seed))
    objective, served = _selection_cost(inst, best_open)
    if not served:
        return None
    is_open = np.zeros(a.n_fac, dtype=bool)
    is_open[inst.fac_ids[best_open]] = True
    return is_open, objective


@dataclass(slots=True)
class _Instance:
    """The instance in candidate-site indices, arcs in two CSR orders.

    Candidates are the facilities with a size option. Arcs (one per client
    and candidate, the cheapest if repeated) are sorted by client, then cost,
    then candidate; ``cand_arc`` lists the same arcs grouped by candidate.
    """

    fac_ids: np.ndarray
    fixed: np.ndarray
    forced: np.ndarray
    cli_start: np.ndarray
    arc_cand: np.ndarray
    arc_cost: np.ndarray
    arc_cli: np.ndarray
    cand_start: np.ndarray
    cand_arc: np.ndarray
    min_open: int
    max_open: int
    unserved_cost: float
    tol: float

    @property
    def n_cand(self) -> int:
        return len(self.fac_ids)

    @property
    def n_cli(self) -> int:
        return len(self.cli_start) - 1


def _prepare(a: DesignArrays) -> _Instance | None:
    """Candidates, deduplicated sorted arcs and open-count bounds; None if trivially infeasible."""
    opt_of_fac = np.full(a.n_fac, -1, dtype=np.int64)
    opt_of_fac[a.opt_fac] = np.arange(len(a.opt_fac))
    forced_fac = a.fac_forced.astype(bool)
    if np.any(forced_fac & (opt_of_fac < 0)):
        return None  # a forced site without an option cannot open
    fac_ids = np.flatnonzero(opt_of_fac >= 0)
    cand_of_fac = np.full(a.n_fac, -1, dtype=np.int64)
    cand_of_fac[fac_ids] = np.arange(len(fac_ids))
    opts = opt_of_fac[fac_ids]
    fixed = np.asarray(a.opt_fixed, dtype=float)[opts]
    handling = np.asarray(a.opt_handling, dtype=float)[opts]
    forced = forced_fac[fac_ids]

    # The MIP folds a single option's handling cost into the arc cost.
    cand = cand_of_fac[a.arc_fac]
    usable = cand >= 0
    cli, cand = a.arc_cli[usable], cand[usable]
    cost = a.arc_cost[usable] + handling[cand] * a.demand[cli]
    finite = np.isfinite(cost)
    cli, cand, cost = cli[finite], cand[finite], cost[finite]
    order = np.lexsort((cost, cand, cli))
    cli, cand, cost = cli[order], cand[order], cost[order]
    first = np.ones(len(cli), dtype=bool)
    first[1:] = (cli[1:] != cli[:-1]) | (cand[1:] != cand[:-1])  # cheapest of repeated pairs
    cli, cand, cost = cli[first], cand[first], cost[first]
    order = np.lexsort((cand, cost, cli))
    cli, cand, cost = cli[order], cand[order], cost[order]

    n_cli, n_cand = a.n_cli, len(fac_ids)
    per_cli = np.bincount(cli, minlength=n_cli)
    if np.any(per_cli == 0):
        return None  # a client no site can serve
    cli_start = np.concatenate([[0], np.cumsum(per_cli)])
    cand_arc = np.argsort(cand, kind="stable")
    cand_start = np.concatenate([[0], np.cumsum(np.bincount(cand, minlength=n_cand))])

    n_forced = int(forced.sum())
    min_open, max_open = n_forced, n_cand
    if 0 in a.exact_open:
        min_open = max_open = int(a.exact_open[0])
    if 0 in a.max_open:
        max_open = min(max_open, int(a.max_open[0]))
    if min_open < n_forced or max_open > n_cand or min_open > max_open:
        return None

    # Charge of a client left unserved: above the cost of any full solution.
    max_cost = np.zeros(n_cli)
    np.maximum.at(max_cost, cli, np.abs(cost))
    unserved_cost = float(max_cost.sum() + np.abs(fixed).sum() + 1.0)
    return _Instance(fac_ids, fixed, forced, cli_start, cand, cost, cli, cand_start, cand_arc,
                     min_open, max_open, unserved_cost, REL_TOL * unserved_cost)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for each start s and length n."""
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - ends + lengths, lengths)


def _selection_cost(inst: _Instance, is_open: np.ndarray) -> tuple[float, bool]:
    """Objective of an open set, and whether every client is served (recomputed from the arcs)."""
    cost = np.where(is_open[inst.arc_cand], inst.arc_cost, np.inf)
    nearest = np.minimum.reduceat(cost, inst.cli_start[:-1]) if len(cost) else np.zeros(0)
    served = bool(np.all(np.isfinite(nearest)))
    return float(inst.fixed[is_open].sum() + nearest.sum()), served


@dataclass(slots=True)
class _Snapshot:
    """A copy of a :class:`_Search` state, to undo a shake and its descent."""

    is_open: np.ndarray
    slot_of: np.ndarray
    site_in_slot: np.ndarray
    n_open: int
    near1: np.ndarray
    near2: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    pos1: np.ndarray
    pos2: np.ndarray
    gain: np.ndarray
    loss: np.ndarray
    extra: np.ndarray


class _Search:
    """One solution and its fast-interchange bookkeeping (see the module docstring).

    Per client: nearest (``near1``, cost ``d1``, index ``pos1`` of its arc
    within the client's list) and second-nearest open site (``near2``, ``d2``,
    ``pos2``); −1, the unserved charge and the list length when missing. Open
    sites occupy slots ``0 .. n_open − 1``; column s of ``extra`` belongs to
    the site in slot s.
    """

    def __init__(self, inst: _Instance) -> None:
        self.inst = inst
        n_cand, n_cli = inst.n_cand, inst.n_cli
        self.degree = np.diff(inst.cli_start)
        # A huge UFL instance cannot hold a column per candidate: the search then opens at most
        # ``slots`` sites (still feasible, possibly not optimal). ``min_open`` columns are always there.
        self.slots = max(1, inst.min_open, min(inst.max_open, MAX_EXTRA_ENTRIES // max(n_cand, 1)))
        self.max_open = min(inst.max_open, self.slots)
        self.is_open = np.zeros(n_cand, dtype=bool)
        self.slot_of = np.full(n_cand, -1, dtype=np.int64)
        self.site_in_slot = np.full(self.slots, -1, dtype=np.int64)
        self.n_open = 0
        self.near1 = np.full(n_cli, -1, dtype=np.int64)
        self.near2 = np.full(n_cli, -1, dtype=np.int64)
        self.d1 = np.full(n_cli, inst.unserved_cost)
        self.d2 = np.full(n_cli, inst.unserved_cost)
        self.pos1 = self.degree.copy()
        self.pos2 = self.degree.copy()
        self.gain = np.zeros(n_cand)
        self.loss = np.zeros(n_cand)
        self.extra = np.zeros((n_cand, self.slots))
        self.descents = 0
        #: (time.perf_counter(), objective) at each new best of the diversification, for measurements.
        self.best_log: list[tuple[float, float]] = []

    # ------------------------------------------------------------------ state
    def cost(self) -> float:
        """Objective with the unserved charge (sum of d1 plus fixed costs)."""
        return float(self.inst.fixed[self.is_open].sum() + self.d1.sum())

    def rebuild(self, is_open: np.ndarray) -> None:
        """Set the open sites and recompute all bookkeeping from scratch."""
        inst = self.inst
        self.is_open[:] = is_open
        opened = np.flatnonzero(is_open)
        self.n_open = len(opened)
        self.slot_of[:] = -1
        self.slot_of[opened] = np.arange(self.n_open)
        self.site_in_slot[:] = -1
        self.site_in_slot[:self.n_open] = opened
        everyone = np.arange(inst.n_cli)
        self._rescan(everyone)
        self._contribute_all()

    def snapshot(self) -> _Snapshot:
        """Copy of the state (only the used columns of ``extra``)."""
        return _Snapshot(self.is_open.copy(), self.slot_of.copy(), self.site_in_slot.copy(), self.n_open,
                         self.near1.copy(), self.near2.copy(), self.d1.copy(), self.d2.copy(),
                         self.pos1.copy(), self.pos2.copy(), self.gain.copy(), self.loss.copy(),
                         self.extra[:, :self.n_open].copy())

    def restore(self, snap: _Snapshot) -> None:
        """Go back to a snapshot's state; columns beyond its open sites are cleared."""
        self.extra[:, snap.n_open:max(self.n_open, snap.n_open)] = 0.0
        self.extra[:, :snap.n_open] = snap.extra
        self.n_open = snap.n_open
        for name in ("is_open", "slot_of", "site_in_slot", "near1", "near2", "d1", "d2", "pos1", "pos2",
                     "gain", "loss"):
            getattr(self, name)[:] = getattr(snap, name)

    # ------------------------------------------------------------ bookkeeping
    def _rescan(self, clients: np.ndarray, scan: np.ndarray | None = None) -> None:
        """Nearest and second-nearest open site of ``clients``, scanning their cost-sorted arcs.

        ``scan`` limits the scan to that many arcs per client; clients that
        do not find two open sites there (and have more arcs) are scanned in
        full.
        """
        inst = self.inst
        deg = self.degree[clients]
        length = deg if scan is None else np.minimum(deg, scan)
        arcs = _ranges(inst.cli_start[clients], length)
        is_open = self.is_open[inst.arc_cand[arcs]]
        opens_so_far = np.cumsum(is_open)
        ends = np.cumsum(length)
        before_group = np.concatenate([[0], opens_so_far[ends[:-1] - 1]]) if len(ends) else ends
        rank = opens_so_far - np.repeat(before_group, length)
        owner = np.repeat(clients, length)
        big = inst.unserved_cost
        self.near1[clients], self.d1[clients], self.pos1[clients] = -1, big, deg
        self.near2[clients], self.d2[clients], self.pos2[clients] = -1, big, deg
        for near, dist, pos, which in ((self.near1, self.d1, self.pos1, 1), (self.near2, self.d2, self.pos2, 2)):
            hit = is_open & (rank == which)
            who, arc = owner[hit], arcs[hit]
            near[who] = inst.arc_cand[arc]
            dist[who] = inst.arc_cost[arc]
            pos[who] = arc - inst.cli_start[who]
        if scan is not None:
            unfinished = clients[(self.near2[clients] < 0) & (length < deg)]
            if len(unfinished):
                self._rescan(unfinished)

    def _terms(self, clients: np.ndarray) -> tuple[np.ndarray, ...]:
        """The gain, loss and extra terms of ``clients`` in the current state.

        Returns (gain site, gain amount, loss site, loss amount, extra
        candidate, extra open site, extra amount). Only the arcs before the
        second-nearest site's arc count: later arcs cost at least d2, so they
        neither gain nor reduce a removal's loss.
        """
        inst = self.inst
        length = self.pos2[clients]
        arcs = _ranges(inst.cli_start[clients], length)
        owner = np.repeat(clients, length)
        cand, cost = inst.arc_cand[arcs], inst.arc_cost[arcs]
        d1 = self.d1[owner]
        gain = np.maximum(d1 - cost, 0.0)
        near1 = self.near1[clients]
        served = near1 >= 0
        loss = (self.d2[clients] - self.d1[clients])[served]
        near_of_arc = self.near1[owner]
        keep = near_of_arc >= 0
        saving = self.d2[owner][keep] - np.maximum(cost[keep], d1[keep])
        return cand, gain, near1[served], loss, cand[keep], near_of_arc[keep], saving

    def _apply_terms(self, old: tuple[np.ndarray, ...], new: tuple[np.ndarray, ...], removed: int) -> None:
        """Replace the ``old`` terms by the ``new`` ones; the removed site's old terms were zeroed already."""
        n_cand = self.inst.n_cand
        o_gain_at, o_gain, o_loss_at, o_loss, o_cand, o_site, o_saving = old
        n_gain_at, n_gain, n_loss_at, n_loss, n_cand_, n_site, n_saving = new
        if removed >= 0:
            keep = o_loss_at != removed
            o_loss_at, o_loss = o_loss_at[keep], o_loss[keep]
            keep = o_site != removed
            o_cand, o_site, o_saving = o_cand[keep], o_site[keep], o_saving[keep]
        self.gain += np.bincount(np.concatenate([o_gain_at, n_gain_at]),
                                 weights=np.concatenate([-o_gain, n_gain]), minlength=n_cand)
        self.loss += np.bincount(np.concatenate([o_loss_at, n_loss_at]),
                                 weights=np.concatenate([-o_loss, n_loss]), minlength=n_cand)
        # Slots are looked up now: a close may have moved a site to another slot (and its column with it).
        flat = np.concatenate([o_cand, n_cand_]) * self.slots + self.slot_of[np.concatenate([o_site, n_site])]
        np.add.at(self.extra.reshape(-1), flat, np.concatenate([-o_saving, n_saving]))

    def _contribute_all(self) -> None:
        """Terms of every client, from zero."""
        self.gain[:] = 0.0
        self.loss[:] = 0.0
        self.extra[:] = 0.0
        empty = np.zeros(0, dtype=np.int64), np.zeros(0)
        nothing = (empty[0], empty[1], empty[0], empty[1], empty[0], empty[0], empty[1])
        self._apply_terms(nothing, self._terms(np.arange(self.inst.n_cli)), -1)

    def move(self, insert: int, remove: int) -> None:
        """Open ``insert`` and/or close ``remove`` (−1: none) and update the bookkeeping."""
        inst = self.inst
        if remove >= 0:
            by_removal = np.flatnonzero((self.near1 == remove) | (self.near2 == remove))
        else:
            by_removal = np.zeros(0, dtype=np.int64)
        if insert >= 0:
            arcs = inst.cand_arc[inst.cand_start[insert]:inst.cand_start[insert + 1]]
            closer = inst.arc_cost[arcs] < self.d2[inst.arc_cli[arcs]]
            if len(by_removal):
                # clients also losing the removed site are rescanned instead
                closer &= (self.near1[inst.arc_cli[arcs]] != remove) & (self.near2[inst.arc_cli[arcs]] != remove)
            arcs = arcs[closer]
            by_insertion = inst.arc_cli[arcs]
        else:
            arcs = by_insertion = np.zeros(0, dtype=np.int64)
        affected = np.concatenate([by_removal, by_insertion])
        old = self._terms(affected)

        if remove >= 0:
            slot = self.slot_of[remove]
            # Only the removed site's clients fed its column and loss: zero them rather than subtract (no drift).
            self.extra[:, slot] = 0.0
            self.loss[remove] = 0.0
            self.is_open[remove] = False
            self.slot_of[remove] = -1
            if insert < 0:  # keep slots compact: the last open site takes the freed slot
                last = self.n_open - 1
                if slot != last:
                    moved = self.site_in_slot[last]
                    self.extra[:, slot] = self.extra[:, last]
                    self.extra[:, last] = 0.0
                    self.site_in_slot[slot] = moved
                    self.slot_of[moved] = slot
                self.site_in_slot[last] = -1
                self.n_open -= 1
        if insert >= 0:
            if remove < 0:  # a swap reuses the removed site's slot
                slot = self.n_open
                self.n_open += 1
            self.is_open[insert] = True
            self.slot_of[insert] = slot
            self.site_in_slot[slot] = insert

        if len(by_removal):
            # The new second-nearest site lies past the old one, typically within a few times the
            # mean gap between open sites in a client's list.
            gap = inst.n_cand // max(self.n_open, 1)
            self._rescan(by_removal, self.pos2[by_removal] + 3 * gap + 8)
        if len(by_insertion):
            self._insert_nearer(insert, by_insertion, inst.arc_cost[arcs], arcs - inst.cli_start[by_insertion])
        self._apply_terms(old, self._terms(affected), remove)
        if insert >= 0:
            self.gain[insert] = 0.0  # an open site gains nothing: drop the drift

    def _insert_nearer(self, site: int, clients: np.ndarray, cost: np.ndarray, pos: np.ndarray) -> None:
        """The newly opened ``site`` becomes first or second nearest of ``clients`` (cost < d2)."""
        first = cost < self.d1[clients]
        c1, c2 = clients[first], clients[~first]
        self.near2[c1], self.d2[c1], self.pos2[c1] = self.near1[c1], self.d1[c1], self.pos1[c1]
        self.near1[c1], self.d1[c1], self.pos1[c1] = site, cost[first], pos[first]
        self.near2[c2], self.d2[c2], self.pos2[c2] = site, cost[~first], pos[~first]

    # ------------------------------------------------------------------ moves
    def open_profits(self, allowed: np.ndarray | None = None) -> np.ndarray:
        """gain − fixed per candidate; −inf where open (or not ``allowed``)."""
        shut = self.is_open if allowed is None else self.is_open | ~allowed
        return np.where(shut, -np.inf, self.gain - self.inst.fixed)

    def close_profits(self, allowed: np.ndarray | None = None) -> np.ndarray:
        """fixed − loss per open slot; −inf for forced sites (and sites not ``allowed``)."""
        sites = self.site_in_slot[:self.n_open]
        keep = ~self.inst.forced[sites] if allowed is None else ~self.inst.forced[sites] & allowed[sites]
        return np.where(keep, self.inst.fixed[sites] - self.loss[sites], -np.inf)

    def best_move(self, insertable: np.ndarray | None = None,
                  removable: np.ndarray | None = None) -> tuple[float, int, int]:
        """(profit, insert, remove) of the best swap, open or close move allowed (−1: none).

        ``insertable`` / ``removable`` (bool per candidate) restrict the sites
        that may open / close.
        """
        add = self.open_profits(insertable)
        drop = self.close_profits(removable)
        best = (-np.inf, -1, -1)
        if self.n_open and len(add):
            profit = self.extra[:, :self.n_open] + add[:, None] + drop[None, :]
            flat = int(np.argmax(profit))
            i, s = divmod(flat, self.n_open)
            best = (float(profit.flat[flat]), i, int(self.site_in_slot[s]))
        if self.n_open < self.max_open and len(add):
            i = int(np.argmax(add))
            if add[i] > best[0]:
                best = (float(add[i]), i, -1)
        if self.n_open > self.inst.min_open and self.n_open:
            s = int(np.argmax(drop))
            if drop[s] > best[0]:
                best = (float(drop[s]), -1, int(self.site_in_slot[s]))
        return best

    def local_search(self, deadline: float) -> None:
        """Best-improvement descent until no move improves (or the deadline)."""
        while True:
            profit, insert, remove = self.best_move()
            if not profit > self.inst.tol:
                break
            self.move(insert, remove)
            if time.perf_counter() > deadline:
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
        self.best_log.append((time.perf_counter(), current))
        k = 1
        while time.perf_counter() < deadline:
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
                    self.best_log.append((time.perf_counter(), value))
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
