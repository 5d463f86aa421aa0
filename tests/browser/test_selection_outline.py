"""The selected feature is outlined on the map: at once when it is clicked, and wherever the
selection comes from (search, clearing it, a layer switched off and on), without the map's
layers being redrawn."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import feature_path, open_app, wait_panel

# Dispatch a DOM click on the feature's SVG path and, in the same task, count outlines: what the
# map draws before any answer from the server (streamlit-folium waits 250 ms before it even
# sends the click), so this does not depend on timing.
CLICK_AND_COUNT = """(_map, fid) => {
  const el = document.querySelector(`path.gw-f-${fid}`);
  const r = el.getBoundingClientRect();
  const opts = {bubbles: true, cancelable: true, view: window, button: 0,
                clientX: r.x + r.width / 2, clientY: r.y + r.height / 2};
  el.dispatchEvent(new MouseEvent("mousedown", opts));
  el.dispatchEvent(new MouseEvent("mouseup", opts));
  el.dispatchEvent(new MouseEvent("click", opts));
  return document.querySelectorAll("path.gw-selected").length;
}"""


def assert_outlines(frame, feature_id: str) -> None:
    outline = frame.locator("path.gw-selected")
    expect(outline).to_have_count(1, timeout=10_000)
    # both boxes in one task (the page may scroll or the map redraw between two reads); the map
    # redraws the outline when layers come and go, so retry until it has settled
    for _ in range(20):
        got = frame.locator(".leaflet-container").evaluate(f"""() => {{
          const c = r => [r.x + r.width / 2, r.y + r.height / 2, r.width > 0];
          const o = document.querySelector("path.gw-selected"), f = document.querySelector("path.gw-f-{feature_id}");
          return o && f ? [c(o.getBoundingClientRect()), c(f.getBoundingClientRect())] : null;
        }}""")
        if got and got[0][2] and got[1][2] and abs(got[0][0] - got[1][0]) < 3 and abs(got[0][1] - got[1][1]) < 3:
            return
        frame.locator(".leaflet-container").page.wait_for_timeout(250)
    raise AssertionError((feature_id, got))


def test_click_outlines_at_once_then_follows_search_and_clear(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "view=10.75,103.4,9")
    expect(frame.locator("path.gw-selected")).to_have_count(0)
    # mark a path of another layer: a redraw of the layers would replace the element
    frame.locator(".leaflet-container").evaluate(
        "() => { document.querySelector('path.gw-f-phu-quoc').__gwMark = 1; }")

    n = frame.locator(".leaflet-container").evaluate(CLICK_AND_COUNT, "dara-sakor-airport")
    assert n == 1  # drawn in the click itself, before the server knows of it
    assert_outlines(frame, "dara-sakor-airport")
    wait_panel(page, "dara-sakor-airport")
    expect(page).to_have_url(re.compile(r"feature=dara-sakor-airport"))
    page.wait_for_timeout(600)  # a few of the map's URL checks
    assert_outlines(frame, "dara-sakor-airport")
    # the map's data layers were not redrawn for the selection: still the same path element
    assert frame.locator(".leaflet-container").evaluate(
        "() => document.querySelector('path.gw-f-phu-quoc').__gwMark === 1")

    # a selection from outside the map (search) moves the outline there
    box = page.get_by_placeholder("place, source or quote…")
    box.fill("phu quoc")
    box.press("Enter")
    page.get_by_role("button", name=re.compile(r"Phu Quoc")).first.click()
    wait_panel(page, "phu-quoc")
    page.wait_for_timeout(800)  # the map pans to it
    assert_outlines(frame, "phu-quoc")

    page.get_by_role("button", name="Clear selection").click()
    expect(page.locator(".gw-panel[data-feature]")).to_have_count(0)
    expect(frame.locator("path.gw-selected")).to_have_count(0, timeout=10_000)


def test_outline_goes_with_its_layer(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "feature=dara-sakor-airport")
    wait_panel(page, "dara-sakor-airport")
    assert_outlines(frame, "dara-sakor-airport")  # from the link alone
    layer = page.locator("section[data-testid='stSidebar'] label").filter(has_text="Economic zones").first
    layer.click()
    expect(feature_path(frame, "dara-sakor-airport")).to_have_count(0, timeout=15_000)
    expect(frame.locator("path.gw-selected")).to_have_count(0, timeout=10_000)
    layer.click()
    expect(feature_path(frame, "dara-sakor-airport")).to_be_attached(timeout=15_000)
    assert_outlines(frame, "dara-sakor-airport")
