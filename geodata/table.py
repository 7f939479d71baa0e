"""Reading tables (CSV, Excel, GeoPackage) with the row numbers a user sees.

Row numbers are spreadsheet rows: the header is row 1 and the first data row
is row 2 (for a GeoPackage, feature *n* is row *n* + 1, as if the attribute
table were a spreadsheet). They are kept in the ``_row`` column from the
first read, so every later problem names the row the user opens.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from network.errors import InputError, ProblemCollector

ROW = "_row"
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".gpkg")


def read_table(path: Path, *, declared_crs: str = "wgs84") -> pd.DataFrame:
    """Read a CSV, Excel or GeoPackage file into text columns plus ``_row``.

    GeoPackage point geometries become ``lon``/``lat`` columns. With the
    default declaration (``wgs84``) a GeoPackage whose layer has another CRS
    is first reprojected to WGS-84 with that CRS; any other declaration wins
    over the file's label (GCJ-02 data is often stored labelled WGS-84), and
    the coordinates are taken as stored.

    Raises
    ------
    InputError
        If the file is missing, of an unknown type, unreadable or has no data rows.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputError(f"{name}: file not found at {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                skipinitialspace=True)
        elif suffix in (".xlsx", ".xls"):
            table = pd.read_excel(path, dtype=str).fillna("")
        elif suffix == ".gpkg":
            table = _read_gpkg(path, reproject=declared_crs == "wgs84")
        else:
            raise InputError(f"{name}: expected a file ending in {', '.join(TABLE_SUFFIXES)}, got '{suffix}'")
    except pd.errors.EmptyDataError:
        raise InputError(f"{name} row 1: the file is empty; expected a header row and data rows") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{name}: cannot read as a table: {exc}") from None
    table.columns = [str(c).strip() for c in table.columns]
    table = table.reset_index(drop=True)
    offset = 2
    table[ROW] = range(offset, offset + len(table))
    if table.empty:
        raise InputError(f"{name} row 2: expected at least one data row after the header, found none")
    return table


def _read_gpkg(path: Path, *, reproject: bool) -> pd.DataFrame:
    import geopandas as gpd

    frame = gpd.read_file(path)
    if reproject and frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    data = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str).replace({"nan": "", "None": ""})
    if "lon" not in data.columns or "lat" not in data.columns:
        points = [None if g is None or g.is_empty else g if g.geom_type == "Point" else g.representative_point()
                  for g in frame.geometry]
        data["lon"] = ["" if p is None else repr(p.x) for p in points]
        data["lat"] = ["" if p is None else repr(p.y) for p in points]
    return data


class Rows:
    """Field parsing that records every problem with file, row and field.

    Parameters
    ----------
    table
        A table from ``read_table`` (or inline, in which case ``_row`` is added).
    source
        File name used in messages.
    """

    def __init__(self, table: pd.DataFrame, source: str) -> None:
        self.source = source
        self.problems = ProblemCollector()
        if ROW not in table.columns:
            table = table.reset_index(drop=True).assign(**{ROW: range(2, 2 + len(table))})
        self.table = table

    def require_columns(self, required: Iterable[str]) -> bool:
        """Record a problem per missing column (row 1 = header); True when all are there."""
        missing = [c for c in required if c not in self.table.columns]
        for column in missing:
            self.problems.add(self.source, 1, column,
                              f"missing column; expected a header with {', '.join(required)}")
        if self.table.empty:
            self.problems.add(self.source, 2, None, "expected at least one data row after the header, found none")
        return not missing and not self.table.empty

    def records(self) -> Iterable[tuple[int, dict[str, str]]]:
        for rec in self.table.to_dict("records"):
            row = int(rec.pop(ROW))
            yield row, {k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip())
                        for k, v in rec.items()}

    def add(self, row: int | None, field: str | None, message: str) -> None:
        self.problems.add(self.source, row, field, message)

    def text(self, rec: dict[str, str], row: int, field: str, *, required: bool = True) -> str:
        value = rec.get(field, "")
        if required and not value:
            self.add(row, field, "expected a value, got an empty cell")
        return value

    def number(self, rec: dict[str, str], row: int, field: str, *, required: bool = True,
               minimum: float | None = None, positive: bool = False) -> float | None:
        value = rec.get(field, "")
        if not value:
            if required:
                self.add(row, field, "expected a number, got an empty cell")
            return None
        try:
            number = float(value)
        except ValueError:
            self.add(row, field, f"expected a number, got '{value}'")
            return None
        if not math.isfinite(number):
            self.add(row, field, f"expected a finite number, got '{value}'")
            return None
        if positive and number <= 0:
            self.add(row, field, f"expected a positive number, got '{value}'")
            return None
        if minimum is not None and number < minimum:
            self.add(row, field, f"expected a number >= {minimum:g}, got '{value}'")
            return None
        return number

    def boolean(self, rec: dict[str, str], row: int, field: str, *, default: bool = False) -> bool:
        value = rec.get(field, "").lower()
        if not value:
            return default
        if value in ("1", "true", "yes", "y", "是", "t"):
            return True
        if value in ("0", "false", "no", "n", "否", "f"):
            return False
        self.add(row, field, f"expected yes/no (true/false, 1/0, 是/否), got '{rec[field]}'")
        return default

    def duplicates(self, field: str, values: list[tuple[int, str]]) -> None:
        """Record every repeated value of ``field`` with all the rows it is on."""
        seen: dict[str, list[int]] = {}
        for row, value in values:
            if value:
                seen.setdefault(value, []).append(row)
        for value, rows in seen.items():
            if len(rows) > 1:
                for row in rows[1:]:
                    self.add(row, field, f"duplicate id '{value}' (also on row {rows[0]}); expected unique ids")


def number_or_nan(value: Any) -> float:
    """``float(value)``, or NaN where that fails (the caller reports the cell)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
