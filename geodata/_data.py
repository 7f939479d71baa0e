"""Access to the bundled data files in ``geodata/data`` (never ``/work/shared``).

Each reader returns a pandas DataFrame with every column as text, cached per
process, so loading a region twice parses each file once.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from network.errors import InputError


def data_path(relative: str) -> Path:
    """Path of a bundled data file, e.g. ``"admin/nbs2023_villages_shanxi.csv"``.

    Raises
    ------
    InputError
        If the file is not part of the installed package.
    """
    path = Path(str(resources.files("geodata") / "data" / relative))
    if not path.exists():
        raise InputError(f"bundled data file 'geodata/data/{relative}' is missing; reinstall huishou")
    return path


@cache
def read_bundled_csv(relative: str) -> pd.DataFrame:
    """Read a bundled CSV with every column as text (cached; do not mutate the result)."""
    return pd.read_csv(data_path(relative), dtype=str, keep_default_na=False)


def as_float(value: str) -> float | None:
    """Parse a text cell as a float; empty or ``NA`` gives None."""
    text = str(value).strip()
    if text in ("", "NA", "nan", "NaN", "None"):
        return None
    return float(text)
