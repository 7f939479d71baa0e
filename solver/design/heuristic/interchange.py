"""Fast-interchange bookkeeping for the swap search (:mod:`solver.design.heuristic.swap`).

The bookkeeping of Resende & Werneck 2003, *A fast swap-based local search
procedure for location problems*, Annals of OR 150 (2007). Every client keeps
its nearest open site φ1(u) at d1(u) and second nearest at d2(u). For
inserting a closed site i and removing an open site r the cost decrease is::

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

Memory: ``extra`` has a column per open site, at most ``MAX_EXTRA_ENTRIES``
entries; a UFL instance too large for a column per candidate is searched
with at most that many columns' worth of open sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.design.arrays import DesignArrays

#: Largest (candidate × open slot) ``extra`` matrix, entries (8 bytes each).
MAX_EXTRA_ENTRIES = 25_000_000
#: Relative tolerance of an improvement (relative to the unserved-client charge).
REL_TOL = 1e-10


@dataclass(slots=True)
class SwapInstance:
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


def prepare_instance(a: DesignArrays) -> SwapInstance | None:
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
    return SwapInstance(fac_ids, fixed, forced, cli_start, cand, cost, cli, cand_start, cand_arc,
                     min_open, max_open, unserved_cost, REL_TOL * unserved_cost)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for each start s and length n."""
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - ends + lengths, lengths)


def selection_cost(inst: SwapInstance, is_open: np.ndarray) -> tuple[float, bool]:
    """Objective of an open set, and whether every client is served (recomputed from the arcs)."""
    cost = np.where(is_open[inst.arc_cand], inst.arc_cost, np.inf)
    nearest = np.minimum.reduceat(cost, inst.cli_start[:-1]) if len(cost) else np.zeros(0)
    served = bool(np.all(np.isfinite(nearest)))
    return float(inst.fixed[is_open].sum() + nearest.sum()), served


@dataclass(slots=True)
class _Snapshot:
    """A copy of an :class:`Interchange` state, to undo a shake and its descent."""

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


class Interchange:
    """One solution and its fast-interchange bookkeeping (see the module docstring).

    Per client: nearest (``near1``, cost ``d1``, index ``pos1`` of its arc
    within the client's list) and second-nearest open site (``near2``, ``d2``,
    ``pos2``); −1, the unserved charge and the list length when missing. Open
    sites occupy slots ``0 .. n_open − 1``; column s of ``extra`` belongs to
    the site in slot s.
    """

    def __init__(self, inst: SwapInstance) -> None:
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
        #: (clock.now(), objective) at each new best of the diversification, for measurements.
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
