"""Uploads one after another in the real app (GeoJSON, CSV, KML, KMZ, then hostile CSVs): each
replaces the layer, none shows a traceback (a second upload raised
StreamlitWidgetAlreadyInstantiatedError for ``lay_user``), a refused file leaves the layer as it
was, and text from a file — its name, its column headers — is shown as text, fetching nothing."""

from __future__ import annotations

import io
import json
import time
import zipfile

from playwright.sync_api import expect

from tests.e2e import feature_path, open_app

GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": f"g{i}"},
     "geometry": {"type": "Point", "coordinates": [103.3 + i / 10, 10.6]}} for i in range(4)]})
CSV = "name,lat,lon\nA,10.60,103.40\nB,10.70,103.30\nC,10.65,103.35\n"
KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>Pier</name><Point><coordinates>103.5,10.5</coordinates></Point></Placemark>
<Placemark><name>Track</name><LineString><coordinates>103.2,10.4 103.6,10.8</coordinates></LineString></Placemark>
</Document></kml>"""


def _kmz() -> bytes:
    """As Google Earth saves one: doc.kml and its images, zipped."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", KML.replace("</Document>", "<Placemark><name>Jetty</name><Point>"
                                            "<coordinates>103.45,10.55</coordinates></Point>"
                                            "</Placemark></Document>"))
        zf.writestr("files/icon.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    return buf.getvalue()


EVIL_LINK = "[Log in again](https://evil.example/login)"
EVIL_IMG = "![t](http://evil.example/x.png)"
NO_COORDS = f"{EVIL_LINK},{EVIL_IMG}\n1,2\n"  # refused: its headers are quoted in the message
HOSTILE = f"lat,lon,{EVIL_LINK},{EVIL_IMG}\n10.6,103.4,a,b\n10.7,103.3,c,d\n"

UPLOADER = "[data-testid='stFileUploader'] input[type=file]"
USER_FEATURES = """() => { let n = 0; window.map.eachLayer(l => {
    if (l.feature && l.feature.properties && '_i' in l.feature.properties) n++; }); return n; }"""


def _upload(page, name: str, body: str | bytes, mime: str) -> None:
    data = body.encode() if isinstance(body, str) else body
    page.locator(UPLOADER).set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def _user_features(frame, want: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    n = -1
    while time.monotonic() < deadline:
        n = frame.locator(".leaflet-container").evaluate(USER_FEATURES)
        if n == want:
            break
        time.sleep(0.3)
    return n


def _no_traceback(page) -> None:
    page.wait_for_timeout(500)  # a late exception element would show by now
    assert page.locator('[data-testid="stException"]').count() == 0, \
        page.locator('[data-testid="stException"]').first.inner_text()


def _nothing_evil(page, frame) -> None:
    for scope in (page, frame):
        assert scope.locator('img[src*="evil.example"]').count() == 0
        assert scope.locator('a[href*="evil.example"]').count() == 0


def test_uploads_one_after_another(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "view=10.65,103.35,9")
    page.get_by_role("tab", name="Your data").click()
    steps = [("first.geojson", GEOJSON, "application/geo+json", 4),
             ("second.csv", CSV, "text/csv", 3),
             ("third.kml", KML, "application/vnd.google-earth.kml+xml", 2),
             ("fourth.kmz", _kmz(), "application/vnd.google-earth.kmz", 3)]
    for i, (name, body, mime, n) in enumerate(steps):
        _upload(page, name, body, mime)
        expect(page.get_by_text(f"{n} features from {name} are on the map")).to_be_visible(timeout=30_000)
        _no_traceback(page)
        # replaced, not added: one layer toggle, with this file's name, and only its features
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar.get_by_text(f"Your layer: {name}")).to_be_visible()
        for old, *_ in steps[:i]:
            expect(sidebar.get_by_text(f"Your layer: {old}")).to_have_count(0)
        assert _user_features(frame, n) == n

    # a file without coordinates: refused, its headers quoted as text, the layer kept
    _upload(page, "links.csv", NO_COORDS, "text/csv")
    msg = page.locator(".gw-upload-msg").filter(has_text="Columns found")
    expect(msg).to_be_visible(timeout=30_000)
    assert EVIL_LINK in msg.inner_text() and EVIL_IMG in msg.inner_text()
    _no_traceback(page)
    expect(page.get_by_text("3 features from fourth.kmz are on the map")).to_be_visible()
    _nothing_evil(page, frame)

    # hostile headers and a Markdown file name on a file that loads
    name = "**bold** [Log in](#evil) <b>x<b>.csv"
    _upload(page, name, HOSTILE, "text/csv")
    expect(page.get_by_text(f"2 features from {name} are on the map")).to_be_visible(timeout=30_000)
    _no_traceback(page)
    assert _user_features(frame, 2) == 2
    frame.locator(".leaflet-container").evaluate("""() => { let first = null;
        window.map.eachLayer(l => { if (!first && l instanceof L.CircleMarker && l.feature
            && '_i' in l.feature.properties) first = l; });
        first.fire('click', {latlng: first.getLatLng()}, true); }""")
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(EVIL_IMG, timeout=10_000)
    _nothing_evil(page, frame)
    expect(feature_path(frame, "ream-naval-base")).to_be_attached()  # the curated map is intact
    assert offline_context.attempted == []
