"""The source reader: excerpts in document order, each linked to its features; clicking one
moves the map (without rebuilding it) and opens the evidence panel."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import open_app, wait_panel


def test_excerpt_click_moves_map_and_fills_panel(page, offline_context, app_server):
    frame = open_app(page, app_server.url)
    zoom0 = frame.locator(".leaflet-container").evaluate("() => window.map.getZoom()")
    page.get_by_role("tab", name="Sources").click()
    reader = page.locator('.gw-reader[data-source="bloomberg-2024-06-03"]')
    expect(reader).to_be_visible()
    expect(reader).to_contain_text("Coverage: 17 of 17 excerpts linked to features")
    quote = page.locator('[data-excerpt="bb-ream-first-overseas-post"]')
    expect(quote).to_contain_text("will become China’s first overseas post in the Indo-Pacific")
    page.get_by_role("button", name="Show on map: Ream Naval Base").first.click()
    wait_panel(page, "ream-naval-base")
    frame.locator(".leaflet-container").evaluate("() => new Promise(r => setTimeout(r, 600))")
    view = frame.locator(".leaflet-container").evaluate(
        "() => ({z: window.map.getZoom(), c: window.map.getCenter()})")
    assert view["z"] > zoom0
    assert abs(view["c"]["lat"] - 10.507) < 0.05 and abs(view["c"]["lng"] - 103.611) < 0.05
    # selecting a feature highlights its excerpts in the reader
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator('[data-excerpt="bb-ream-first-overseas-post"]')).to_have_attribute(
        "data-highlight", "true")
    expect(page.locator('[data-excerpt="bb-austin-reset-ties"]')).to_have_attribute("data-highlight", "false")
