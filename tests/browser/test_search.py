"""One search box over places, sources and quotes; choosing a result selects and moves there."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import open_app, wait_panel


def test_search_selects_feature(page, offline_context, app_server):
    frame = open_app(page, app_server.url)
    box = page.get_by_placeholder("place, source or quote…")
    box.fill("dara sakor airport")
    box.press("Enter")
    hit = page.get_by_role("button", name="Dara Sakor International Airport", exact=True)
    expect(hit.locator("[data-testid='stIconMaterial']")).to_have_text("location_on")  # a font icon, not an emoji
    expect(hit).to_be_visible()
    hit.click()
    wait_panel(page, "dara-sakor-airport")
    frame.locator(".leaflet-container").evaluate("() => new Promise(r => setTimeout(r, 600))")
    c = frame.locator(".leaflet-container").evaluate("() => window.map.getCenter()")
    assert abs(c["lat"] - 10.915) < 0.05 and abs(c["lng"] - 103.224) < 0.05


def test_search_quote_opens_source_and_feature(page, offline_context, app_server):
    open_app(page, app_server.url)
    box = page.get_by_placeholder("place, source or quote…")
    box.fill("robot dogs")
    box.press("Enter")
    page.locator("section[data-testid='stSidebar'] button").filter(
        has=page.locator("[data-testid='stIconMaterial']", has_text="format_quote")).first.click()
    wait_panel(page, "gd2024-land-kampong-chhnang")
    # the reader opens by itself: the Sources tab is now the selected one
    expect(page.get_by_role("tab", name="Sources")).to_have_attribute("aria-selected", "true")
    expect(page.locator('[data-excerpt="bb-golden-dragon-robot-dogs"]')).to_have_attribute(
        "data-highlight", "true")


def test_no_match_and_hostile_query(page, offline_context, app_server):
    open_app(page, app_server.url)
    box = page.get_by_placeholder("place, source or quote…")
    box.fill("<script>(*")
    box.press("Enter")
    expect(page.get_by_text("No match.")).to_be_visible()
