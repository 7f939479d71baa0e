"""Environment settings: where caches live and whether the network may be used.

Settings hold environment only, never anything that changes an answer.

``HUISHOU_CACHE_DIR``
    Folder for downloaded road graphs (default ``~/.cache/huishou``).
``HUISHOU_ALLOW_NETWORK``
    ``1``/``true``/``yes`` lets huishou download OSM road graphs through
    osmnx; off by default, so a run never touches the internet unless asked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from network.errors import InputError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Where caches live and whether the network may be used."""

    cache_dir: Path
    allow_network: bool = False

    @property
    def graph_dir(self) -> Path:
        """Folder of cached road graphs (GraphML)."""
        return self.cache_dir / "graphs"


def get_settings() -> Settings:
    """Settings from the environment (read on every call, so tests can set variables).

    Raises
    ------
    InputError
        If ``HUISHOU_ALLOW_NETWORK`` is not a yes/no value.
    """
    cache = os.environ.get("HUISHOU_CACHE_DIR") or str(Path.home() / ".cache" / "huishou")
    flag = os.environ.get("HUISHOU_ALLOW_NETWORK", "").strip().lower()
    if flag not in _TRUE | _FALSE:
        raise InputError(f"environment variable HUISHOU_ALLOW_NETWORK: expected 1/0, true/false or yes/no, "
                         f"got {flag!r}")
    return Settings(Path(cache).expanduser(), flag in _TRUE)
