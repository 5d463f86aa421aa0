"""Each layer can be switched off and on; the reader's view survives the toggle."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import open_app

LAYERS = {  # checkbox label prefix → a feature of that layer
    "Ream Naval Base": "ream-naval-base",
    "Drill areas": "gd2024-naval-live-fire",
    "Economic zones": "dara-sakor-airport",
    "Context": "phnom-penh",
}


@pytest.mark.parametrize("label,feature", LAYERS.items())
def test_toggle_layer(page, offline_context, app_server, label, feature):
    frame = open_app(page, app_server.url)
    path = frame.locator(f"path.gw-f-{feature}")
    expect(path.first).to_be_attached()
    box = page.locator("section[data-testid='stSidebar'] label").filter(has_text=label).first
    box.click()
    expect(path).to_have_count(0, timeout=15_000)
    expect(page).to_have_url(re.compile(r"layers="))
    box.click()
    expect(path.first).to_be_attached(timeout=15_000)


def test_toggle_keeps_zoom(page, offline_context, app_server):
    frame = open_app(page, app_server.url)
    zoom = lambda: frame.locator(".leaflet-container").evaluate("() => window.map.getZoom()")  # noqa: E731
    for _ in range(2):
        frame.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(700)  # Leaflet ignores a zoom click during the zoom animation
    before = zoom()
    assert before == 9
    page.locator("section[data-testid='stSidebar'] label").filter(has_text="Context").first.click()
    expect(frame.locator("path.gw-f-phnom-penh")).to_have_count(0, timeout=15_000)
    assert zoom() == before
