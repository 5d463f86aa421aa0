"""Distances and range rings around the selected feature; the measure tool."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import open_app


def test_distance_table_and_rings(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "feature=ream-naval-base")
    page.get_by_role("tab", name="Distances & rings").click()
    expect(page.get_by_text(re.compile(r"^From Ream Naval Base"))).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']:visible").first).to_be_visible()
    box = page.get_by_label("Range rings (radii, comma-separated)")
    box.fill("100, 500")
    box.press("Enter")
    expect(frame.locator("path.gw-ring")).to_have_count(2, timeout=15_000)
    expect(frame.locator(".gw-ring-label").filter(has_text="500 km")).to_have_count(1)
    page.get_by_role("radiogroup", name="Unit").get_by_text("nmi").click()
    expect(frame.locator(".gw-ring-label").filter(has_text="500 nmi")).to_have_count(1, timeout=15_000)
    # only the open tab runs, but the rings and the typed radii survive a visit to another tab
    page.get_by_role("tab", name="Table").click()
    expect(page.get_by_text("Every feature drawn on the map")).to_be_visible()
    expect(frame.locator(".gw-ring-label").filter(has_text="500 nmi")).to_have_count(1)
    page.get_by_role("tab", name="Distances & rings").click()
    expect(box).to_have_value("100, 500")
    expect(page.get_by_role("radiogroup", name="Unit").get_by_label("nmi")).to_be_checked()
    box.fill("lots")
    box.press("Enter")
    expect(page.get_by_text(re.compile("not a number"))).to_be_visible()
    expect(frame.locator("path.gw-ring")).to_have_count(0)


def test_measure_two_points(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "view=9.5,101.0,7")
    page.get_by_role("tab", name="Distances & rings").click()
    page.get_by_text("Measure on the map").click()
    container = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    page.wait_for_timeout(500)
    page.mouse.click(container["x"] + 120, container["y"] + 400)
    expect(page.get_by_text("Click a second point on the map.")).to_be_visible(timeout=15_000)
    page.mouse.click(container["x"] + 300, container["y"] + 420)
    expect(page.get_by_text(re.compile(r"→ .*: [\d,.]+ km \([\d,.]+ nmi\), geodesic"))).to_be_visible(
        timeout=15_000)
    expect(frame.locator("path.gw-measure-line")).to_have_count(1)
