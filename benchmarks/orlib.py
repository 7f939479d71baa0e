"""Readers for the OR-Library facility-location instances in ``benchmarks/instances``.

Two formats (J.E. Beasley, OR-Library, JORS 41 (1990) 1069–1072):

* **Capacitated warehouse location** ``capNN.txt`` (Beasley, EJOR 33 (1988)
  314–325): whitespace-separated tokens ``m n``, then per warehouse
  ``capacity fixed_cost``, then per customer ``demand c_1j … c_mj`` where
  ``c_ij`` is the cost of serving *all* of customer j from warehouse i.
  Numbers may carry a trailing dot (``7500.``) and values wrap over lines, so
  the file is read as one token stream of exactly ``2 + 2m + n(1 + m)`` tokens.
* **p-median** ``pmedN.txt`` (Beasley, EJOR 21 (1985) 270–273): ``n m p``,
  then m undirected edges ``i j cost`` (1-based). Client–facility costs are
  all-pairs shortest paths. Duplicate edges occur with different costs and the
  **last occurrence wins** (the published optima depend on it).

Read and parse are split (``read_cflp(path)`` is ``parse_cflp(text,
source=path.name)``) so tests feed inline text. Every problem names the file,
the token or line, what was expected and what was found.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

from network.errors import InputError

#: Where the bundled instances live.
INSTANCES_DIR = Path(__file__).resolve().parent / "instances"


@dataclass(frozen=True, slots=True, eq=False)
class CflpInstance:
    """A capacitated facility-location instance (multi-source).

    Attributes
    ----------
    name
        Instance name, e.g. ``"cap41"``.
    capacity
        Capacity of each facility (demand units), shape ``(m,)``.
    fixed_cost
        Fixed cost of opening each facility, shape ``(m,)``.
    demand
        Demand of each customer, shape ``(n,)``.
    assign_cost
        ``assign_cost[i, j]``: cost of serving all of customer j from
        facility i, shape ``(m, n)``; a fraction x costs ``x * assign_cost``.
    """

    name: str
    capacity: np.ndarray
    fixed_cost: np.ndarray
    demand: np.ndarray
    assign_cost: np.ndarray

    @property
    def m(self) -> int:
        """Number of facilities."""
        return int(self.capacity.shape[0])

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.demand.shape[0])


@dataclass(frozen=True, slots=True, eq=False)
class PMedianInstance:
    """A p-median instance: every vertex is a client (weight 1) and a candidate.

    Attributes
    ----------
    name
        Instance name, e.g. ``"pmed1"``.
    p
        Number of medians to open.
    distance
        All-pairs shortest-path distances, shape ``(n, n)``; ``inf`` where
        the graph is disconnected.
    """

    name: str
    p: int
    distance: np.ndarray

    @property
    def n(self) -> int:
        """Number of vertices."""
        return int(self.distance.shape[0])


def _number(token: str, source: str, index: int, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InputError(f"{source} token {index + 1} ({what}): expected a number, got {token!r}") from None
    if not np.isfinite(value):
        raise InputError(f"{source} token {index + 1} ({what}): expected a finite number, got {token!r}")
    return value


def _count(token: str, source: str, index: int, what: str) -> int:
    value = _number(token, source, index, what)
    if value != int(value) or value < 1:
        raise InputError(f"{source} token {index + 1} ({what}): expected a positive whole number, "
                         f"got {token!r}")
    return int(value)


def parse_cflp(text: str, *, source: str = "cflp") -> CflpInstance:
    """Parse the text of an OR-Library ``capNN.txt`` file.

    Parameters
    ----------
    text
        The whole file.
    source
        Name used in messages and as the instance name (a ``.txt`` suffix is
        dropped).

    Returns
    -------
    CflpInstance

    Raises
    ------
    InputError
        If the header is not two positive whole numbers, the token count is not
        ``2 + 2m + n(1 + m)``, or any token is not a number or is negative
        (all bad tokens are reported together).
    """
    tokens = text.split()
    if len(tokens) < 2:
        raise InputError(f"{source}: expected a header 'm n', found {len(tokens)} tokens")
    m = _count(tokens[0], source, 0, "m, number of facilities")
    n = _count(tokens[1], source, 1, "n, number of customers")
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise InputError(f"{source}: expected 2 + 2m + n(1+m) = {expected} tokens for m={m}, n={n}, "
                         f"found {len(tokens)}")
    values = np.empty(expected - 2)
    problems = []
    for k, token in enumerate(tokens[2:], start=2):
        if k < 2 + 2 * m:
            what = f"facility {(k - 2) // 2 + 1} {'capacity' if k % 2 == 0 else 'fixed cost'}"
        else:
            j, r = divmod(k - 2 - 2 * m, 1 + m)
            what = f"customer {j + 1} " + ("demand" if r == 0 else f"cost from facility {r}")
        try:
            values[k - 2] = _number(token, source, k, what)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if values[k - 2] < 0:
            problems.append(f"{source} token {k + 1} ({what}): expected a non-negative number, got {token!r}")
    if problems:
        raise InputError(problems)
    facilities = values[:2 * m].reshape(m, 2)
    customers = values[2 * m:].reshape(n, 1 + m)
    return CflpInstance(name=_stem(source), capacity=facilities[:, 0].copy(),
                        fixed_cost=facilities[:, 1].copy(), demand=customers[:, 0].copy(),
                        assign_cost=customers[:, 1:].T.copy())


def read_cflp(path: Path) -> CflpInstance:
    """Read an OR-Library ``capNN.txt`` file; see :func:`parse_cflp`.

    Raises
    ------
    InputError
        If the file cannot be read or does not parse.
    """
    return parse_cflp(_read(path), source=path.name)


def parse_pmed(text: str, *, source: str = "pmed") -> PMedianInstance:
    """Parse the text of an OR-Library ``pmedN.txt`` file.

    Edge costs of duplicate edges: the last occurrence in the file wins.
    Distances are all-pairs shortest paths (Dijkstra, scipy).

    Parameters
    ----------
    text
        The whole file.
    source
        Name used in messages and as the instance name.

    Returns
    -------
    PMedianInstance

    Raises
    ------
    InputError
        If the header is not ``n m p`` with ``1 <= p <= n``, a line is not
        ``i j cost`` with 1 <= i, j <= n and cost >= 0, or the file has fewer
        edge lines than ``m`` (all problems reported together).
    """
    lines = [(number, line.split()) for number, line in enumerate(text.splitlines(), start=1)
             if line.strip()]
    if not lines or len(lines[0][1]) != 3:
        found = " ".join(lines[0][1]) if lines else "an empty file"
        raise InputError(f"{source} line 1: expected the header 'n m p', got {found!r}")
    header_line, header = lines[0]
    n = _count(header[0], source, 0, "n, number of vertices")
    m = _count(header[1], source, 1, "m, number of edges")
    p = _count(header[2], source, 2, "p, number of medians")
    problems = []
    if p > n:
        problems.append(f"{source} line {header_line}: expected p <= n, got n={n}, p={p}")
    edges: dict[tuple[int, int], float] = {}
    body = lines[1:]
    if len(body) != m:
        problems.append(f"{source}: expected {m} edge lines after the header, found {len(body)}")
    for number, parts in body:
        if len(parts) != 3:
            problems.append(f"{source} line {number}: expected 'i j cost', got {' '.join(parts)!r}")
            continue
        try:
            i, j = (int(parts[0]), int(parts[1]))
            cost = float(parts[2])
        except ValueError:
            problems.append(f"{source} line {number}: expected whole vertex numbers and a numeric cost, "
                            f"got {' '.join(parts)!r}")
            continue
        if not (1 <= i <= n and 1 <= j <= n):
            problems.append(f"{source} line {number}: expected vertices in 1..{n}, got {i} and {j}")
            continue
        if not (np.isfinite(cost) and cost >= 0):
            problems.append(f"{source} line {number}: expected a non-negative edge cost, got {parts[2]!r}")
            continue
        if i != j:
            edges[(min(i, j) - 1, max(i, j) - 1)] = cost  # last occurrence wins
    if problems:
        raise InputError(problems)
    rows = np.fromiter((a for a, _ in edges), dtype=np.int64, count=len(edges))
    cols = np.fromiter((b for _, b in edges), dtype=np.int64, count=len(edges))
    costs = np.fromiter(edges.values(), dtype=float, count=len(edges))
    graph = coo_matrix((costs, (rows, cols)), shape=(n, n)).tocsr()
    distance = shortest_path(graph, method="D", directed=False)
    return PMedianInstance(name=_stem(source), p=p, distance=distance)


def read_pmed(path: Path) -> PMedianInstance:
    """Read an OR-Library ``pmedN.txt`` file; see :func:`parse_pmed`.

    Raises
    ------
    InputError
        If the file cannot be read or does not parse.
    """
    return parse_pmed(_read(path), source=path.name)


@dataclass(frozen=True, slots=True)
class KnownValue:
    """One row of ``optima.csv``: the known value and whether it is proven optimal."""

    set_name: str
    instance: str
    value: float
    is_optimal: bool
    source: str


def read_optima(path: Path | None = None) -> dict[tuple[str, str], KnownValue]:
    """Read ``optima.csv`` (``set,instance,known_value,is_optimal,source``).

    Parameters
    ----------
    path
        The CSV file; default ``benchmarks/instances/optima.csv``.

    Returns
    -------
    dict
        ``{(set, instance): KnownValue}``.

    Raises
    ------
    InputError
        If the file is missing, lacks a column, or a row has a non-numeric
        value or an ``is_optimal`` other than ``yes``/``no`` (all rows reported).
    """
    path = path or INSTANCES_DIR / "optima.csv"
    text = _read(path)
    reader = csv.DictReader(text.splitlines())
    needed = {"set", "instance", "known_value", "is_optimal"}
    missing = needed - set(reader.fieldnames or ())
    if missing:
        raise InputError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
    known: dict[tuple[str, str], KnownValue] = {}
    problems = []
    for row_number, row in enumerate(reader, start=2):
        try:
            value = float(row["known_value"])
        except (TypeError, ValueError):
            problems.append(f"{path.name} row {row_number}, field 'known_value': expected a number, "
                            f"got {row['known_value']!r}")
            continue
        if row["is_optimal"] not in ("yes", "no"):
            problems.append(f"{path.name} row {row_number}, field 'is_optimal': expected yes or no, "
                            f"got {row['is_optimal']!r}")
            continue
        known[(row["set"], row["instance"])] = KnownValue(row["set"], row["instance"], value,
                                                          row["is_optimal"] == "yes", row.get("source") or "")
    if problems:
        raise InputError(problems)
    return known


def instance_names(set_name: str, optima: dict[tuple[str, str], KnownValue]) -> list[str]:
    """Instance names of one set in ``optima.csv``, in the file's order."""
    return [inst for (s, inst) in optima if s == set_name]


def _stem(source: str) -> str:
    return source[:-4] if source.endswith(".txt") else source


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
