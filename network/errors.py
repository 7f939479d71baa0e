"""The project's error family.

Every error a user can meet is one of these; OR-Tools, pandas or pydantic
exceptions are caught at the boundary and re-raised as one of them, so a
caller can write ``except HuishouError``.
"""

from __future__ import annotations

from collections.abc import Iterable


class HuishouError(Exception):
    """Base class of every error raised on purpose by huishou."""


class InputError(HuishouError, ValueError):
    """Input that cannot be used: a bad file, row, field or parameter.

    The message names the file, the row (1-based, header is row 1) and the
    field, what was expected and what was found. Several problems found in one
    pass are raised together, one per line, so a user fixes them all at once.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        if isinstance(problems, str):
            problems = [problems]
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


class InfeasibleError(HuishouError):
    """No plan satisfies the scenario; the message says why, by area."""

    def __init__(self, reasons: str | Iterable[str]) -> None:
        if isinstance(reasons, str):
            reasons = [reasons]
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__("\n".join(self.reasons))


class SolverError(HuishouError, RuntimeError):
    """A solver backend failed for a reason other than infeasibility."""


def where(source: str, row: int | None = None, field: str | None = None) -> str:
    """Format a location prefix such as ``villages.csv row 17, field 'lon'``.

    Parameters
    ----------
    source
        File name (or another label of the input).
    row
        1-based row number as a spreadsheet shows it (header = row 1).
    field
        Column or key name.
    """
    text = source
    if row is not None:
        text += f" row {row}"
    if field is not None:
        text += f", field '{field}'" if row is not None else f" field '{field}'"
    return text


class ProblemCollector:
    """Collects input problems so they can be raised together.

    Examples
    --------
    >>> problems = ProblemCollector()
    >>> problems.add("sites.csv", 3, "capacity_t", "expected a positive number, got '-5'")
    >>> problems.raise_if_any()
    Traceback (most recent call last):
    ...
    network.errors.InputError: sites.csv row 3, field 'capacity_t': expected a positive number, got '-5'
    """

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, source: str, row: int | None, field: str | None, message: str) -> None:
        self.problems.append(f"{where(source, row, field)}: {message}")

    def extend(self, problems: Iterable[str]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


class TooLargeError(HuishouError):
    """A model that would not fit the machine: refused before it is built, saying what to reduce."""
