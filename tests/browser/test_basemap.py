"""Basemap switching: online tiles are requested only when picked; Natural Earth is always
underneath; the view is kept."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import open_app


def test_switch_to_osm_and_back(page, offline_context, app_server):
    frame = open_app(page, app_server.url)
    zoom = lambda: frame.locator(".leaflet-container").evaluate("() => window.map.getZoom()")  # noqa: E731
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(600)
    z = zoom()
    assert offline_context.attempted == []
    page.get_by_text("OpenStreetMap", exact=True).click()
    tiles = frame.locator("img.leaflet-tile")
    expect(tiles.first).to_be_attached(timeout=15_000)
    assert "tile.openstreetmap.org" in tiles.first.get_attribute("src")
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    page.wait_for_timeout(500)
    assert any("tile.openstreetmap.org" in u for u in offline_context.attempted)  # and were blocked
    expect(frame.get_by_text("Phnom Penh").first).to_be_attached()  # NE labels still underneath
    assert zoom() == z
    page.get_by_text("Esri World Imagery", exact=True).click()
    expect(frame.locator("img.leaflet-tile[src*='arcgisonline']").first).to_be_attached(timeout=15_000)
    page.get_by_text("Natural Earth (offline)", exact=True).click()
    expect(frame.locator("img.leaflet-tile")).to_have_count(0, timeout=15_000)
    expect(page).not_to_have_url(re.compile(r"basemap="))
