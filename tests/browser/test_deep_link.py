"""A shared link restores the view: selected feature, visible layers, basemap, date window."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import open_app, wait_panel


def test_deep_link_opens_feature_with_layers(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "feature=gd2024-land-kampong-chhnang&layers=drills,ream")
    wait_panel(page, "gd2024-land-kampong-chhnang")
    panel = page.locator('.gw-panel[data-feature="gd2024-land-kampong-chhnang"]')
    expect(panel).to_contain_text("robot dogs")
    expect(frame.locator("path.gw-f-gd2024-land-kampong-chhnang").first).to_be_attached()
    expect(frame.locator("path.gw-f-phnom-penh")).to_have_count(0)  # context layer hidden
    expect(frame.locator("path.gw-f-dara-sakor-airport")).to_have_count(0)
    expect(frame.locator("path.gw-selected")).to_have_count(1)
    # the map was moved to the feature
    center = frame.locator(".leaflet-container").evaluate("() => window.map.getCenter()")
    assert abs(center["lat"] - 12.29) < 0.3 and abs(center["lng"] - 104.5) < 0.3
    expect(page.locator("section[data-testid='stSidebar'] input[type=checkbox]").nth(0)).to_be_checked()


def test_bad_link_falls_back_with_notice(page, offline_context, app_server):
    open_app(page, app_server.url, "feature=atlantis&from=yesterday&basemap=%3Cscript%3E")
    expect(page.get_by_text("No feature 'atlantis' on this map")).to_be_visible()
    expect(page.get_by_text("Unknown basemap '<script>'")).to_be_visible()
    expect(page.locator(".gw-panel[data-feature]")).to_have_count(0)
    expect(page).not_to_have_url(re.compile("atlantis"))
