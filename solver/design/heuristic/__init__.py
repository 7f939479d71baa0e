"""The design heuristic: plans fast, improved by moves, each re-optimised exactly where it pays.

In the order the search (:mod:`solver.design.search`) uses them:

1. :mod:`~solver.design.heuristic.swap` (with the bookkeeping of
   :mod:`~solver.design.heuristic.interchange`) — vertex substitution and VNS
   for single-tier uncapacitated instances (p-median, UFL), before anything else;
2. :mod:`~solver.design.heuristic.greedy` — a constructive start without any LP;
3. :mod:`~solver.design.heuristic.repair` — a whole-client assignment to
   given open sites, in numpy (the feasible plan every move is priced by);
4. :mod:`~solver.design.heuristic.moves` (drop/add) and
   :mod:`~solver.design.heuristic.shift` (one client, or one site's load, to
   another server) — local moves priced in numpy;
5. :mod:`~solver.design.heuristic.stages` — the search's stages built on them:
   sub-MIPs with sites fixed, close moves, batch closing, resizing.

The split-sourcing stage and the LP rounding with its relaxation-induced
neighbourhood (Danna, Rothberg & Le Pape 2005) are in the search itself.
"""

from solver.design.heuristic.greedy import greedy_open
from solver.design.heuristic.moves import drop_add
from solver.design.heuristic.repair import assign_to_open
from solver.design.heuristic.shift import shift_moves
from solver.design.heuristic.swap import swap_applicable, swap_search

__all__ = ["assign_to_open", "drop_add", "greedy_open", "shift_moves", "swap_applicable", "swap_search"]
