"""The on-map legend, locator inset and coastline note in a real browser (standalone page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from layers.assets import standalone_html
from layers.overlays import add_overlays
from layers.render import base_map

MAP = "window[Object.keys(window).find(k => k.startsWith('map_'))]"


@pytest.fixture
def overlay_page(page, offline_context, tmp_path):
    path = tmp_path / "overlays.html"
    path.write_text(standalone_html(add_overlays(base_map())), encoding="utf-8")
    page.goto(path.as_uri())
    expect(page.locator(".leaflet-container")).to_be_visible()
    return page


def _set_view(page, lat: float, lon: float, zoom: int) -> None:
    page.evaluate(f"() => {MAP}.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_timeout(300)


def _inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def test_overlays_in_browser(overlay_page, offline_context):
    page = overlay_page
    vp = page.viewport_size
    legend = page.locator(".gw-legend-ctl")
    expect(legend).to_be_visible()
    expect(page.locator("details.gw-legend")).to_have_attribute("open", "")
    expect(legend).to_contain_text("Ream Naval Base")
    lbox = legend.bounding_box()
    assert _inside(lbox, {"x": 0, "y": 0, "width": vp["width"], "height": vp["height"]})
    assert lbox["width"] <= 220.5

    inset, note = page.locator(".gw-inset"), page.locator(".gw-coast-note")
    _set_view(page, 10.9, 103.4, 7)
    expect(inset).to_be_hidden()
    expect(note).to_be_hidden()

    _set_view(page, 10.5, 103.6, 11)
    expect(inset).to_be_visible()
    svg = page.get_by_role("img", name="Locator: where this view lies in the Gulf of Thailand")
    expect(svg).to_be_visible()
    view = inset.locator(".gw-inset-view")
    expect(view).to_be_visible()
    box, vbox = inset.bounding_box(), view.bounding_box()
    assert vbox["width"] >= 5 and vbox["height"] >= 5
    assert _inside(vbox, box)
    # Ream is at about 61 % across and 45 % down the inset
    cx = (vbox["x"] + vbox["width"] / 2 - box["x"]) / box["width"]
    cy = (vbox["y"] + vbox["height"] / 2 - box["y"]) / box["height"]
    assert 0.55 < cx < 0.68 and 0.38 < cy < 0.52
    expect(note).to_be_visible()
    expect(note).to_contain_text("Offline coastline is approximate at this scale")
    assert _inside(note.bounding_box(), {"x": 0, "y": 0, "width": vp["width"], "height": vp["height"]})

    # zoomed far in, the view is drawn as a cross
    _set_view(page, 10.5, 103.6, 15)
    expect(inset.locator(".gw-inset-cross")).to_be_visible()
    expect(view).to_be_hidden()

    # an online basemap (tiles are blocked here) hides the note; removing it shows it again
    page.evaluate(f"() => {{ window._gwTiles = L.tileLayer('https://tiles.invalid/{{z}}/{{x}}/{{y}}.png')"
                  f".addTo({MAP}); }}")
    expect(note).to_be_hidden()
    page.evaluate(f"() => {MAP}.removeLayer(window._gwTiles)")
    expect(note).to_be_visible()

    # no page around the map: the button says what to pick instead
    note.get_by_role("button", name="Show satellite imagery").click()
    expect(note).to_contain_text("Pick “Esri World Imagery” under Basemap.")
    expect(note.get_by_role("button")).to_have_count(0)
    assert page.evaluate(f"() => {MAP}.getZoom()") == 15  # the click did not reach the map

    _set_view(page, 10.9, 103.4, 7)
    expect(inset).to_be_hidden()
    expect(note).to_be_hidden()


def test_legend_starts_closed_on_narrow_map(page, offline_context, tmp_path):
    page.set_viewport_size({"width": 420, "height": 700})
    path = tmp_path / "narrow.html"
    path.write_text(standalone_html(add_overlays(base_map())), encoding="utf-8")
    page.goto(path.as_uri())
    details = page.locator("details.gw-legend")
    expect(page.locator(".gw-legend-ctl")).to_be_visible()
    assert details.get_attribute("open") is None
    expect(page.locator(".gw-lg-body")).to_be_hidden()
    page.locator("details.gw-legend summary").click()
    expect(page.locator(".gw-lg-body")).to_be_visible()
