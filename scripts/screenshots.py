"""Screenshots of what a reader sees, for the README: the opening map at 1440×900, a shared
link to Ream Naval Base, a 720×480 article embed and a 390×844 phone; and the static reader
site (``python -m layers publish``) opened from disk at 1440×900 and on a phone.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts the app on a free local port with the repo's data, drives the same headless Chromium
as the browser tests (Debian's /usr/bin/chromium, every off-machine request blocked) and writes
one PNG per view.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.chromium import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.conftest import start_server, stop_server  # noqa: E402
from tests.e2e import open_app, open_embedded, reader_page, wait_panel  # noqa: E402

VIEWS = (  # file name, screen size, query, what it shows
    ("desktop.png", "desktop", "", "the opening map"),
    ("ream.png", "desktop", "feature=ream-naval-base", "a shared link to Ream Naval Base"),
    ("embed.png", "embed", "", "embedded in an article (720×480)"),
    ("phone.png", "phone", "", "on a phone (390×844)"),
)
SITE_VIEWS = (
    ("site.png", "desktop", "?feature=ream-naval-base", "the static site: a link to Ream Naval Base"),
    ("site-phone.png", "phone", "?feature=ream-naval-base", "the static site on a phone"),
)


def settle(page, ms: int = 2500) -> None:
    page.wait_for_timeout(ms)  # fonts, the basemap fetch and the opening fit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    server = start_server(Path(tempfile.mkdtemp(prefix="gw-shots-")))
    try:
        with sync_playwright() as pw:
            launch = {"args": CHROMIUM_ARGS}
            if chromium_path():
                launch["executable_path"] = chromium_path()
            browser = pw.chromium.launch(**launch)
            for name, size, query, what in VIEWS:
                page = reader_page(browser, size)
                if size == "embed":
                    open_embedded(page, server.url, query)
                else:
                    open_app(page, server.url, query)
                if "feature=" in query:
                    wait_panel(page, query.split("feature=")[1].split("&")[0])
                settle(page)
                page.screenshot(path=str(args.out / name))
                page.context.close()
                print(f"{args.out / name}: {what}")
            site = Path(tempfile.mkdtemp(prefix="gw-site-"))
            from layers.load import data_dir_from_env, load_dataset
            from layers.publish import publish

            publish(load_dataset(data_dir_from_env()), site, data_dir_from_env())
            for name, size, query, what in SITE_VIEWS:
                page = reader_page(browser, size)
                page.goto((site / "index.html").as_uri() + query)
                page.locator(".gw-panel[data-feature]").wait_for(state="visible")
                settle(page, 1500)
                page.screenshot(path=str(args.out / name))
                page.context.close()
                print(f"{args.out / name}: {what}")
            browser.close()
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
