"""Helpers for the browser tests: open the app, find the map, click features."""

from __future__ import annotations

from playwright.sync_api import FrameLocator, Page, expect

from tests.chromium import MAP_IFRAME  # noqa: F401  (re-exported for the tests)


def open_app(page: Page, url: str, query: str = "") -> FrameLocator:
    page.goto(url + ("/?" + query if query else "/"))
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator(".leaflet-container").wait_for(state="visible", timeout=45_000)
    # the data layers arrive with the first render of the feature groups
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    return frame


def feature_path(frame: FrameLocator, feature_id: str):
    return frame.locator(f"path.gw-f-{feature_id}").first


def panel(page: Page):
    return page.locator(".gw-panel[data-feature]")


def wait_panel(page: Page, feature_id: str, timeout: int = 20_000) -> None:
    expect(page.locator(f'.gw-panel[data-feature="{feature_id}"]')).to_be_visible(timeout=timeout)


# --- what the reader sees (tests/browser/test_reader_view.py, scripts/screenshots.py) ---------

SIZES = {"desktop": (1440, 900), "embed": (720, 480), "phone": (390, 844)}


def offline(context) -> None:
    """Abort every request that leaves the machine (as the ``offline_context`` fixture does)."""
    from urllib.parse import urlparse

    from tests.chromium import LOCAL_HOSTS

    context.route(lambda url: (urlparse(url).hostname or "") not in LOCAL_HOSTS
                  and not url.startswith(("data:", "blob:", "about:", "file:")), lambda route: route.abort())


def reader_page(browser, size: str):
    """A new page at one of the reader's screen sizes (a phone is a touch device)."""
    w, h = SIZES[size]
    phone = size == "phone"
    ctx = browser.new_context(viewport={"width": w, "height": h}, is_mobile=phone, has_touch=phone,
                              device_scale_factor=1)
    offline(ctx)
    return ctx.new_page()


def open_embedded(page: Page, url: str, query: str = "") -> tuple[FrameLocator, FrameLocator]:
    """The app as an article embeds it: ``?embed=true`` in an iframe filling the viewport.
    Returns (the app's frame, the map's frame)."""
    w, h = page.viewport_size["width"], page.viewport_size["height"]
    src = f"{url}/?embed=true" + ("&" + query if query else "")
    page.set_content(f'<html><body style="margin:0"><iframe id="article-embed" src="{src}" width="{w}" '
                     f'height="{h}" style="border:0;display:block"></iframe></body></html>')
    app = page.frame_locator("#article-embed")
    frame = app.frame_locator(MAP_IFRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=45_000)
    return app, frame


def on_screen(locator) -> bool:
    """Visible without scrolling anything: inside the viewport, and the topmost element at its
    centre is the element or inside it (not covered, not clipped by a scroll box)."""
    return locator.evaluate("""(el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) return false;
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 12));
      return !!hit && (hit === el || el.contains(hit));
    }""")


def map_js(frame: FrameLocator, script: str):
    """Evaluate ``script`` (a function of the Leaflet map) inside the map's iframe."""
    return frame.locator(".leaflet-container").evaluate(f"(_el) => ({script})(window.map)")


def offline_map_file(m, path) -> str:
    """Write a folium map as one HTML file that opens from ``file://`` with no server and no
    network (Leaflet inlined from the app's static copy); returns the map's JavaScript name."""
    import re
    from pathlib import Path

    from layers.assets import ensure_static_assets

    repo = Path(__file__).resolve().parents[1]
    ensure_static_assets(repo)  # a fresh clone has no static/ until the app runs
    leaflet = repo / "static" / "vendor" / "leaflet" / "leaflet.js"
    html = m.get_root().render()
    html = re.sub(r'<script src="[^"]*leaflet[^"]*\.js"></script>',
                  lambda _: "<script>" + leaflet.read_text() + "</script>", html, count=1)
    html = re.sub(r'<script src="https?://[^"]*"></script>', "", html)
    html = re.sub(r'<link rel="stylesheet" href="https?://[^"]*"/>', "", html)
    Path(path).write_text(html, encoding="utf-8")
    return re.search(r"var (map_[0-9a-f]+) = L\.map", html).group(1)
