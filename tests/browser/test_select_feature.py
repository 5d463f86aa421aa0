"""Clicking the Ream base shows its evidence: verbatim quotes with speaker, stance, publication,
date and a link that opens in a new tab. The click does not reload the map."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import open_app, wait_panel


def click_south_of(frame, feature_id: str, page) -> None:
    """Click inside the feature's outline, in its southern part (away from the points on top)."""
    expect(frame.locator(f"path.gw-f-{feature_id}").first).to_be_visible()  # drawn once the link's zoom is applied
    box = frame.locator(f"path.gw-f-{feature_id}").first.bounding_box()
    iframe_box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box and iframe_box
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.85)


def test_click_ream_base_shows_quotes(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "view=10.507,103.611,14")
    zoom_before = frame.locator(".leaflet-container").evaluate("() => window.map.getZoom()")
    click_south_of(frame, "ream-naval-base", page)
    wait_panel(page, "ream-naval-base")
    panel = page.locator('.gw-panel[data-feature="ream-naval-base"]')
    expect(panel.locator("h3")).to_have_text("Ream Naval Base")
    # the founding article's claim and Cambodia's denial, verbatim, side by side
    expect(panel).to_contain_text("will become China’s first overseas post in the Indo-Pacific")
    expect(panel).to_contain_text("Cambodia has repeatedly denied the allegation")
    expect(panel.locator('.gw-side[data-side="us"]')).to_be_visible()
    expect(panel.locator('.gw-side[data-side="cambodia"]')).to_be_visible()
    expect(panel.locator(".gw-badge.gw-contested")).to_be_visible()
    link = panel.locator("a", has_text="Pentagon chief heads to Cambodia").first
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(panel).to_contain_text("asserts")
    expect(panel).to_contain_text("±500 m")
    # the URL now names the feature, and the map kept its view (no remount)
    expect(page).to_have_url(re.compile(r"feature=ream-naval-base"))
    assert frame.locator(".leaflet-container").evaluate("() => window.map.getZoom()") == zoom_before
    expect(frame.locator("path.gw-selected")).to_have_count(1)
    # the evidence is in the panel, not in a map popup covering the neighbours
    assert frame.locator(".leaflet-popup").count() == 0
