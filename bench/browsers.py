"""Offline Chromium for bench.py (re-exported by ``harness``, used as ``H.``): the launch
arguments of ``tests/conftest.py`` with Debian's Chromium (``tests/chromium.py``), browser contexts
(sync and async API, viewport 1400x1000) in which every request to a host other than 127.0.0.1 /
localhost is aborted and counted (:class:`Blocked`), and the Chromium version for the header.
Split out of harness.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
from tests.chromium import CHROMIUM_ARGS, LOCAL_HOSTS, MAP_IFRAME, chromium_path  # noqa: E402

# MAP_IFRAME (the app's map iframe, for the sections as H.MAP_IFRAME) is passed on, not used here
__all__ = ["CHROMIUM_ARGS", "LOCAL_HOSTS", "MAP_IFRAME", "chromium_path", "launch_kwargs", "is_external", "Blocked",
           "offline_context", "offline_context_async", "chromium_version"]


def launch_kwargs() -> dict:
    kw: dict = {"headless": True, "args": CHROMIUM_ARGS}
    path = chromium_path()
    if path:
        kw["executable_path"] = path
    return kw


def is_external(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return (urlparse(url).hostname or "") not in LOCAL_HOSTS


class Blocked:
    """Route handler that aborts (and counts) every request leaving the machine."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def sync_handler(self, route) -> None:
        self.urls.append(route.request.url)
        route.abort()

    async def async_handler(self, route) -> None:
        self.urls.append(route.request.url)
        await route.abort()


def offline_context(browser, blocked: Blocked, **kw):
    """A sync-API context where non-local requests are aborted."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, **kw)
    ctx.route(is_external, blocked.sync_handler)
    return ctx


async def offline_context_async(browser, blocked: Blocked, **kw):
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000}, **kw)
    await ctx.route(is_external, blocked.async_handler)
    return ctx


def chromium_version() -> str:
    path = chromium_path()
    if not path:
        return "Playwright's Chromium"
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20).stdout
        return out.strip() or path
    except (OSError, subprocess.TimeoutExpired):
        return path
