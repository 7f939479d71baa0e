"""Headless Chromium for map tests and the map-load benchmark (Playwright, Debian's chromium).

Never downloads a browser: it drives ``/usr/bin/chromium`` (installed by
``tests/run.sh``) with a fresh profile, and records console errors, page
errors, failed requests and every network request a page makes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: JavaScript: the Leaflet map object folium created (its variable is ``map_<hex>``).
FIND_MAP_JS = ("Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)"
               ".map(k => window[k])[0]")


@dataclass
class PageLog:
    """What a page did: console errors, uncaught errors, failed requests, all requested URLs."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def network_requests(self) -> list[str]:
        """Requested URLs that are not the page file itself or inline data."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]


@contextmanager
def chromium_context(*, width: int = 1400, height: int = 900) -> Iterator[Any]:
    """A headless Chromium browser context with a fresh, temporary profile.

    Raises
    ------
    FileNotFoundError
        If ``/usr/bin/chromium`` is missing (tests skip before calling this).
    """
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing; run tests/run.sh to install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="hs-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height}, service_workers="block")
        try:
            yield context
        finally:
            context.close()


def new_page(context: Any) -> tuple[Any, PageLog]:
    """A new page of ``context`` whose console errors, page errors and requests go to a fresh log."""
    log = PageLog()
    page = context.new_page()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: log.failed.append(f"{r.url} {r.failure}"))
    page.on("request", lambda r: log.requests.append(r.url))
    return page, log


@contextmanager
def chromium_page(*, width: int = 1400, height: int = 900) -> Iterator[tuple[Any, PageLog]]:
    """A fresh headless Chromium page and its log (a browser of its own).

    Raises
    ------
    FileNotFoundError
        If ``/usr/bin/chromium`` is missing.
    """
    with chromium_context(width=width, height=height) as context:
        page, log = new_page(context)
        try:
            yield page, log
        finally:
            page.close()


def open_map(page: Any, path: Path, *, timeout_ms: int = 20_000) -> None:
    """Open a map file and wait until Leaflet and the huishou helpers are up."""
    page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
    page.wait_for_function(f"window.L && window.HS && ({FIND_MAP_JS}) !== undefined", timeout=timeout_ms)


def feature_counts(page: Any) -> dict[str, int]:
    """Features drawn on the map by kind (``village``, ``site``, ``stop`` ...), via the Leaflet map object."""
    return page.evaluate(f"HS.count({FIND_MAP_JS})")
