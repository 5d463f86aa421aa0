"""Map first (layers/mapready.py): on a reader's first page the map is on the screen before the
sidebar and the tabs arrive, whose ~65 widget scripts would otherwise queue ahead of the map's
own files; the rest of the page still comes if the map's "drawn" call is lost, and a tab
clicked the moment the tabs appear opens (the rest comes in the same script run, no rerun)."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.e2e import MAP_IFRAME, open_app

# On every animation frame of the top page, the first time (performance.now()) at which: the
# map's frame shows its map with its features (and where the frame is then); the tabs under the
# map exist; the sidebar's date slider exists.
WATCH = """
(() => {
  if (window.top !== window) { return; }
  const seen = window.__seen = {};
  function look() {
    const now = performance.now();
    try {
      const f = document.querySelector(%s), doc = f && f.contentDocument;
      const box = doc && doc.querySelector(".leaflet-container");
      if (!seen.map && box && f.offsetHeight > 0 && box.offsetHeight > 0
          && doc.querySelector("path.leaflet-interactive")) {
        seen.map = now;
        const r = f.getBoundingClientRect();
        seen.mapBox = [r.x, r.y, r.width, r.height];
      }
    } catch (e) {}
    if (!seen.tabs && document.querySelector('[role="tab"]')) { seen.tabs = now; }
    if (!seen.sidebar && document.querySelector('[data-testid="stSidebar"] [data-testid="stSlider"]')) {
      seen.sidebar = now;
    }
    if (!(seen.map && seen.tabs && seen.sidebar)) { requestAnimationFrame(look); }
  }
  requestAnimationFrame(look);
})();
""" % json.dumps(MAP_IFRAME)


def seen(page) -> dict:
    page.wait_for_function("() => window.__seen && window.__seen.map && window.__seen.tabs && window.__seen.sidebar",
                           timeout=45_000)
    return page.evaluate("() => window.__seen")


def test_the_map_is_on_screen_before_the_sidebar_and_the_tabs_arrive(desktop, app_server):
    desktop.context.add_init_script(WATCH)
    pings = []
    desktop.on("requestfinished", lambda r: pings.append((r.method, r.response().status))
               if r.url.endswith("/gulfwatch/map-drawn") else None)
    open_app(desktop, app_server.url)
    t = seen(desktop)
    assert t["map"] <= t["tabs"] and t["map"] <= t["sidebar"], t
    assert pings == [("POST", 204)]  # the map said so, once
    # the sidebar's room was there from the start: the map did not move or shrink when its
    # widgets arrived
    r = desktop.locator(MAP_IFRAME).bounding_box()
    assert [round(v) for v in t["mapBox"]] == [round(r[k]) for k in ("x", "y", "width", "height")], t
    # and the page is whole: the table under the map, the sidebar's layer switches
    expect(desktop.locator('[data-testid="stDataFrame"]')).to_be_visible()
    expect(desktop.locator('[data-testid="stSidebar"]').get_by_text("Ream Naval Base").first).to_be_visible()


def test_without_the_maps_call_the_rest_of_the_page_still_comes(desktop, app_server):
    desktop.context.add_init_script(WATCH)
    desktop.route("**/gulfwatch/map-drawn", lambda route: route.abort())
    open_app(desktop, app_server.url)
    t = seen(desktop)  # the page's wait ends by itself (mapready.HOLD_S)
    assert t["map"] <= t["tabs"], t
    desktop.get_by_role("tab", name="Chronology").click()
    expect(desktop.get_by_role("tab", name="Chronology")).to_have_attribute("aria-selected", "true")


def test_a_tab_clicked_the_moment_the_tabs_appear_opens_and_loses_nothing(desktop, app_server):
    """Deferring the tabs with a second run lost such a click about one time in twelve (session 6);
    the tabs now come in the first run itself.  And a click that comes before the sidebar's
    widgets have loaded their code must not reset them: Streamlit's page then showed their
    defaults (no layer, no voice, the whole date range) and sent those back with the next click
    (layers/session.py re-states their values on every run).  Three fresh readers, each clicking
    at once, then clicking again."""
    for _ in range(3):
        desktop.goto(app_server.url + "/")
        tab = desktop.get_by_role("tab", name="Your data")
        tab.wait_for(state="visible", timeout=45_000)
        tab.click()
        expect(desktop.locator("[data-testid='stFileUploader']")).to_be_visible(timeout=20_000)
        expect(tab).to_have_attribute("aria-selected", "true")
        desktop.get_by_role("tab", name="Table").click()  # a second whole-page run, at once
        expect(desktop.get_by_role("tab", name="Table")).to_have_attribute("aria-selected", "true")
        desktop.wait_for_timeout(1000)
        side = desktop.locator('[data-testid="stSidebar"]')
        for label in ("Ream Naval Base", "Drill areas", "Economic zones", "Context"):
            box = side.locator("label").filter(has_text=label).first.locator("input[type=checkbox]")
            expect(box).to_be_checked()
        assert "none" not in desktop.evaluate("location.search"), desktop.evaluate("location.search")
        expect(side.get_by_text("Cambodia", exact=True)).to_be_visible()  # every voice still chosen
        frame = desktop.frame_locator(MAP_IFRAME)
        expect(frame.locator("path.gw-f-ream-naval-base, path.gw-s-ream-naval-base").first).to_be_attached()
