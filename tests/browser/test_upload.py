"""Bring your own layer: an uploaded CSV shows as points; a bad file gets a clear message."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import open_app

CSV = ("mmsi,name,lat,lon,note\n"
       "1,Ship A,10.60,103.40,<img src=x onerror=window.__pwned=1>\n"
       "2,Ship B,10.70,103.30,ok\n"
       "3,Ship C,not-a-number,103.2,bad row\n")


def test_upload_csv_points_visible(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "view=10.65,103.35,10")
    page.get_by_role("tab", name="Your data").click()
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        files=[{"name": "ships.csv", "mimeType": "text/csv", "buffer": CSV.encode()}])
    expect(page.get_by_text("2 features from ships.csv are on the map")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("row 4", exact=False).first).to_be_visible()  # the bad row is reported
    # canvas circle markers are drawn in the map
    expect(frame.locator("canvas.leaflet-zoom-animated, .leaflet-overlay-pane canvas").first).to_be_attached(
        timeout=15_000)
    n = frame.locator(".leaflet-container").evaluate(
        "() => { let n = 0; window.map.eachLayer(l => { if (l instanceof L.CircleMarker && "
        "l.options.renderer instanceof L.Canvas) n++; }); return n; }")
    assert n == 2
    assert page.evaluate("() => window.__pwned") is None
    # the layer has its own toggle, and can be removed
    expect(page.get_by_text("Your layer: ships.csv")).to_be_visible()
    page.get_by_role("button", name="Remove your layer").click()
    expect(page.get_by_text("are on the map")).to_have_count(0, timeout=15_000)


def test_bad_upload_message(page, offline_context, app_server):
    open_app(page, app_server.url)
    page.get_by_role("tab", name="Your data").click()
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        files=[{"name": "broken.geojson", "mimeType": "application/json", "buffer": b"{nope"}])
    expect(page.get_by_text("broken.geojson", exact=False).first).to_be_visible(timeout=20_000)
    expect(page.locator(".gw-upload-msg").filter(has_text="broken.geojson").first).to_be_visible()
    assert offline_context.attempted == []
