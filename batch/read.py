"""Read a batch file in any of its forms (TOML, YAML or the Excel template) and expand it."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from batch.excel import read_batch_excel
from batch.spec import BATCH_SECTIONS, BatchSpec, parse_batch
from network.errors import InputError


# -- reading --------------------------------------------------------------------
def read_batch(path: Path) -> BatchSpec:
    """Read and expand a batch file: ``.toml``, ``.yaml``/``.yml`` or ``.xlsx``.

    Raises
    ------
    InputError
        If the file cannot be read, or any key or value is wrong (all
        problems together, each naming the file and key).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_batch_excel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read batch file: {exc.strerror}") from None
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            raise InputError(f"{path.name}: expected a .toml, .yaml, .yml or .xlsx batch file, "
                             f"got '{suffix or 'no suffix'}'")
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{path.name}: not valid {suffix[1:].upper()}: {exc}") from None
    except ImportError:  # pragma: no cover - pyyaml is a dependency
        raise InputError(f"{path.name}: YAML needs pyyaml") from None
    if not isinstance(data, Mapping):
        raise InputError(f"{path.name}: expected a table of sections {', '.join(BATCH_SECTIONS)}")
    return parse_batch(data, source=path.name, default_name=path.stem)
