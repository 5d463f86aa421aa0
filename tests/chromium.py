"""Which Chromium the browser tests and benchmarks drive, and how (shared by both)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def chromium_path() -> str | None:
    """Debian's Chromium (or $GULFWATCH_CHROMIUM); None means Playwright's own download."""
    env = os.environ.get("GULFWATCH_CHROMIUM")
    if env:
        return env
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")
