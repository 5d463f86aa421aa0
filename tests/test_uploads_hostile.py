"""Issue "Hostile input", the upload cases: one test per case, each file generated here.

Each case: a clear message naming the file (and row, feature or field), nothing else lost, the
map intact, memory and time bounded.  The case of a second upload raising
StreamlitWidgetAlreadyInstantiatedError is in tests/browser/test_upload_sequence.py (it needs the
real uploader).  Memory figures are in bench/upload_memory.py, not here.
"""

from __future__ import annotations

import gc
import io
import json
import re
import tracemalloc
import weakref
import zipfile

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers.upload import LayerStore, UserLayer, limits, parse_upload, simplify, store, user_layer_group
from tests.e2e import offline_map_file
from tests.test_userlayer import _failed




def _kml(n: int = 2, name: str | None = "Places", extra: str = "") -> str:
    doc_name = f"<name>{name}</name>" if name else ""
    marks = "".join(f"<Placemark><name>P{i}</name><description>{extra}</description>"
                    f"<Point><coordinates>{103 + i * 1e-4:.5f},{10 + (i % 97) * 1e-3:.5f}</coordinates>"
                    "</Point></Placemark>" for i in range(n))
    return (f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document>{doc_name}{marks}</Document></kml>")


def _zip(*members: tuple[str, bytes | str], level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


# --- 3. zip bombs and KMZ -----------------------------------------------------------------

def test_zip_bomb_renamed_kml_is_refused_without_unpacking():
    """A 0.2 MB zip holding a KML with a 200 MB description, renamed .kml: refused from the
    sizes the archive declares, before anything is unpacked (the server reached 2.8 GB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("doc.kml", "w") as f:
            f.write(b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                    b"<Placemark><description>")
            block = b"A" * (1 << 20)
            for _ in range(200):
                f.write(block)
            f.write(b"</description><Point><coordinates>103,10</coordinates></Point></Placemark>"
                    b"</Document></kml>")
    bomb = buf.getvalue()
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        r = parse_upload("notes.kml", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    text = _failed(r, "“notes.kml”", "“doc.kml” in the archive would unpack to 200.0 MB")
    assert "so it is not unpacked" in text
    assert peak < 3 * len(bomb) + 1024 * 1024  # nothing was unpacked


def test_real_kmz_within_limits_loads():
    """A KMZ as Google Earth saves it (doc.kml plus images) loads; so does one whose KML is
    not called doc.kml, and one renamed .kml."""
    kml = _kml(3)
    kmz = _zip(("doc.kml", kml), ("files/icon.png", b"\x89PNG\r\n\x1a\n" + bytes(200)))
    r = parse_upload("places.kmz", kmz)
    assert r.gdf is not None and len(r.gdf) == 3, r.messages
    assert list(r.gdf["Name"]) == ["P0", "P1", "P2"]
    r2 = parse_upload("other.kmz", _zip(("readme.txt", "hi"), ("layers/Places.kml", kml)))
    assert r2.gdf is not None and len(r2.gdf) == 3
    r3 = parse_upload("renamed.kml", kmz)
    assert r3.gdf is not None and len(r3.gdf) == 3


def test_kmz_over_the_unpacked_cap(monkeypatch):
    """A KMZ whose KML unpacks beyond the cap is refused (the cap is on the unpacked size, not
    the 50 MB of the upload); within the cap it loads."""
    kml = _kml(20_000).encode()  # ≈ 2.4 MB, packs ≈ 10–20 times: not a bomb
    kmz = _zip(("doc.kml", kml))
    assert len(kml) / len(kmz) < limits.MAX_ZIP_RATIO
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    text = _failed(parse_upload("big.kmz", kmz), "“big.kmz”", "“doc.kml” in the archive would unpack to",
                   "an unpacked KML is limited to 1 MB")
    assert f"{len(kml) / 1024 / 1024:.1f} MB" in text
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", 4 * 1024 * 1024)
    r = parse_upload("big.kmz", kmz)
    assert r.gdf is not None and len(r.gdf) == 20_000


def test_nested_zip_is_refused():
    inner = _zip(("doc.kml", _kml(1)))
    _failed(parse_upload("outer.kmz", _zip(("doc.kml", _kml(1)), ("more/inner.zip", inner))),
            "“outer.kmz” is a zip archive with another archive inside (“inner.zip”)")
    _failed(parse_upload("outer.kmz", _zip(("doc.kml", inner))),
            "“doc.kml” in the archive is itself a zip archive")
    _failed(parse_upload("empty.kmz", _zip(("a.txt", "x"), ("b.png", b"\x89PNG"))),
            "without a .kml file inside", "“a.txt”, “b.png”")
    _failed(parse_upload("book.xlsx", _zip(("xl/workbook.xml", "<x/>"))), "is a zip archive")
    _failed(parse_upload("broken.kmz", b"PK\x03\x04" + bytes(40)), "“broken.kmz”", "damaged")


# --- 6. vertices --------------------------------------------------------------------------

def test_vertex_cap_simplifies_the_drawing_and_keeps_the_geometry():
    """A 1,000,000-vertex polygon: drawn with at most MAX_DRAWN_VERTICES (the page was 20.8 MB),
    the reader is told, and the layer (what the download exports) keeps every vertex."""
    n = 1_000_000
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 1 + 0.05 * np.sin(t * 500)
    poly = shapely.Polygon(np.round(np.column_stack([103 + r * np.cos(t), 10 + r * np.sin(t)]), 7))
    data = ('{"type": "Feature", "properties": {"name": "big"}, "geometry": '
            + shapely.to_geojson(poly) + "}").encode()
    res = parse_upload("coast.geojson", data)
    assert res.gdf is not None, res.messages
    before, after = res.vertices
    assert before == n + 1 and after <= simplify.MAX_DRAWN_VERTICES
    assert (f"“coast.geojson”: simplified for drawing: {n + 1:,} → {after:,} vertices; the download "
            "keeps the full geometry.") in res.messages
    stored = res.gdf.geometry.iloc[0]
    assert shapely.get_num_coordinates(stored) == n + 1 and stored.equals(poly)
    assert json.loads(res.gdf.to_json())["features"][0]["geometry"]["coordinates"][0].__len__() == n + 1
    m = folium.Map()
    user_layer_group(res.gdf).add_to(m)
    page = m.get_root().render()
    assert len(page.encode()) < 2_000_000
    drawn = re.search(r'"type":"Polygon","coordinates":(\[\[.*?\]\]\])', page).group(1)
    assert len(json.loads(drawn)[0]) == after


def test_vertex_cap_for_many_shapes(monkeypatch):
    """Many small shapes that no tolerance brings under the cap are drawn as points."""
    monkeypatch.setattr(simplify, "MAX_DRAWN_VERTICES", 500)
    rng = np.random.default_rng(3)
    polys = shapely.buffer(shapely.points(rng.uniform([102, 9], [104, 11], (200, 2))), 0.01)
    gdf = gpd.GeoDataFrame({"k": range(200)}, geometry=polys, crs="EPSG:4326")
    d = simplify.for_drawing(gdf.geometry.to_numpy(), 500)
    assert d.after <= 500 and d.simplified
    assert simplify.vertices(gdf.geometry.to_numpy()) == d.before


# --- 7. memory ----------------------------------------------------------------------------

def _layer(n: int = 10) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"v": range(n)}, geometry=shapely.points(np.full((n, 2), [103.0, 10.0])),
                            crs="EPSG:4326")


def test_store_budget_evicts_least_recently_used_other_sessions():
    now = [0.0]
    s = LayerStore(budget_bytes=100, grace_s=60, clock=lambda: now[0])
    a, _ = s.put("A", "Your layer: a.csv", _layer(), nbytes=40)
    now[0] = 1
    b_gdf = _layer()
    b, _ = s.put("B", "Your layer: b.csv", b_gdf, nbytes=40)
    b_ref = weakref.ref(b_gdf)
    del b_gdf
    now[0] = 2
    assert len(a["gdf"]) == 10  # A is used: B is now the least recently used
    now[0] = 3
    c, _ = s.put("C", "Your layer: c.csv", _layer(), nbytes=40)
    assert s.sessions() == ["A", "C"] and s.total_bytes() == 80
    assert b.released and len(b["gdf"]) == 0 and "released" in b["name"]
    assert "released to free memory" in s.note("B", b.token) and s.note("B", b.token) is None
    gc.collect()
    assert b_ref() is None  # the layer's memory is gone, not just unlisted
    # a session's new layer replaces its own; one bigger than the budget is refused
    now[0] = 4
    a2, _ = s.put("A", "Your layer: a2.csv", _layer(), nbytes=60)
    assert a.released and not a2.released and s.total_bytes() == 100
    assert s.note("A", a.token) is None  # replaced by its reader: nothing to tell
    none, why = s.put("D", "Your layer: huge.csv", _layer(), nbytes=101)
    assert none is None and "“huge.csv”" in why and "limited to" in why
    assert s.sessions() == ["C", "A"]  # a refused layer evicts nobody


def test_released_layer_is_gone_from_the_store():
    now = [0.0]
    s = LayerStore(budget_bytes=10_000_000, grace_s=60, clock=lambda: now[0])
    alive = {"A": True, "B": True}
    a, _ = s.put("A", "Your layer: a.csv", _layer())
    b, _ = s.put("B", "Your layer: b.csv", _layer())
    # a session that ends: released after the grace period (a reload within it keeps it)
    alive["B"] = False
    assert s.sweep(alive.get) == []
    now[0] = 30
    alive["B"] = True
    assert s.sweep(alive.get) == []
    alive["B"] = False
    now[0] = 40
    s.sweep(alive.get)
    now[0] = 101
    assert s.sweep(alive.get) == ["B"]
    assert "B" not in s and b.released and "lost its connection" in s.note("B", b.token)
    # "Remove your layer"
    assert s.release("A", a.token) and "A" not in s and len(s) == 0 and s.total_bytes() == 0
    # a handle that is garbage-collected (its session is gone) releases its layer
    c, _ = s.put("C", "Your layer: c.csv", _layer())
    assert "C" in s
    del c
    gc.collect()
    assert "C" not in s
    # the estimate follows the data
    assert limits.estimate_bytes(_layer(1000)) > limits.estimate_bytes(_layer(10)) > 0


def test_reader_is_told_when_their_layer_was_released():
    """The Your data tab, on the reader's next run after the store let their layer go."""
    from streamlit.testing.v1 import AppTest

    def page():
        from layers.tabs import upload

        upload.show()

    h, _ = store.STORE.put("test-session-released", "Your layer: mine.csv", _layer(3))
    at = AppTest.from_function(page)
    at.session_state["user_layer"] = h
    at.run()
    bodies = " ".join(el.proto.body for el in at.get("html"))
    assert "3 features from mine.csv are on the map" in bodies
    store.STORE.release(h.session, h.token, reason=store.RELEASED_FOR_MEMORY)
    at.run()
    bodies = " ".join(el.proto.body for el in at.get("html"))
    assert ("Your layer mine.csv was released to free memory for other readers; upload it again."
            in bodies)
    assert "on the map" not in bodies and "user_layer" not in at.session_state
    assert not at.exception


def test_user_layer_handle_reads_like_the_dict_it_replaces():
    s = LayerStore(budget_bytes=10_000_000)
    h, _ = s.put("S", "Your layer: x.csv", _layer(3))
    assert isinstance(h, UserLayer) and h["name"] == "Your layer: x.csv" and len(h["gdf"]) == 3
    assert dict(h).keys() == {"name", "gdf"} and h == h and h != {"name": "x"}
    assert store.STORE.budget == store.BUDGET_BYTES


# --- 8. smaller ---------------------------------------------------------------------------

def test_kml_without_document_name():
    plain = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
             "<Placemark><name>A</name><Point><coordinates>103,10</coordinates></Point></Placemark></kml>")
    for kml in (plain, _kml(2, name=None),
                _kml(1, name=None).replace("</Document>",
                                           "<Folder><name>F</name><Placemark><name>B</name><Point>"
                                           "<coordinates>104,11</coordinates></Point></Placemark>"
                                           "</Folder></Document>")):
        r = parse_upload("nameless.kml", kml.encode())
        assert r.gdf is not None, r.messages
        assert "pyogrio" not in " ".join(r.messages)
    assert list(r.gdf["kml_folder"].fillna("")) == ["", "F"]


GC = {"type": "Feature", "properties": {"name": "collection <b>x</b>"},
      "geometry": {"type": "GeometryCollection", "geometries": [
          {"type": "Point", "coordinates": [103.2, 10.2]},
          {"type": "Polygon", "coordinates": [[[103, 10], [103.4, 10], [103.4, 10.4], [103, 10.4], [103, 10]]]},
          {"type": "GeometryCollection", "geometries": [
              {"type": "LineString", "coordinates": [[103.5, 10.5], [103.6, 10.6]]}]}]}}


@pytest.mark.browser
def test_geometry_collection_popup(page, tmp_path):
    """A GeometryCollection is drawn as its parts; each opens the feature's popup (it was
    empty, and the map threw "Cannot read properties of undefined (reading 'properties')")."""
    r = parse_upload("gc.geojson", json.dumps({"type": "FeatureCollection", "features": [
        GC, {"type": "Feature", "properties": {"name": "pt"},
             "geometry": {"type": "Point", "coordinates": [103.8, 10.8]}}]}).encode())
    assert r.gdf is not None and list(r.gdf.geom_type) == ["GeometryCollection", "Point"]
    m = folium.Map(location=[10.3, 103.3], zoom_start=9, tiles=None)
    user_layer_group(r.gdf).add_to(m)
    file = tmp_path / "gc.html"
    map_var = offline_map_file(m, file)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(file.as_uri())
    popups = page.evaluate("""(name) => {
        var out = [];
        window[name].eachLayer(function(l) {
            if (l.feature && l.feature.properties && l.feature.properties._i === 0 && !l._layers) {
                l.fire('click', {latlng: l.getLatLng ? l.getLatLng() : l.getBounds().getCenter()}, true);
                var pop = document.querySelector('.leaflet-popup-content');
                out.push(pop ? pop.innerHTML : null);
            }
        });
        return out;
    }""", map_var)
    assert errors == []
    assert len(popups) == 3  # point, polygon, line: each its own feature
    for p in popups:
        assert p and "collection &lt;b&gt;x&lt;/b&gt;" in p


@pytest.mark.parametrize(("encoding", "bom"), [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                               ("utf-16-le", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_utf16_csv(encoding, bom):
    data = bom + "name,lat,lon\nPhnom Pénh,11.55,104.92\nKep,10.48,104.31\n".encode(encoding)
    r = parse_upload("towns.csv", data)
    assert r.gdf is not None, r.messages
    assert list(r.gdf["name"]) == ["Phnom Pénh", "Kep"] and len(r.messages) == 1


def test_broken_utf16_is_named():
    data = b"\xff\xfe" + "name,lat,lon\n".encode("utf-16-le") + b"\x00\xd8\x41\x00"  # lone surrogate
    _failed(parse_upload("odd.csv", data), "“odd.csv” looks like UTF-16 LE text",
            "read as UTF-8 or UTF-16")


def test_over_limit_message_says_the_real_size():
    limit = limits.MAX_UPLOAD_BYTES
    _failed(parse_upload("big.csv", b"x" * (limit + 200 * 1024)),
            "“big.csv” is 50.2 MB; uploads are limited to 50 MB.")
    _failed(parse_upload("big.csv", b"x" * (limit + 3000)), "is 50.003 MB; uploads are limited to 50 MB.")
    _failed(parse_upload("big.csv", b"x" * (limit + 1)),
            f"is {limit + 1:,} bytes; uploads are limited to {limit:,} bytes (50 MB).")


def test_boolean_and_string_coordinates_are_rejected():
    def feat(geom):
        return {"type": "Feature", "properties": {}, "geometry": geom}

    fc = {"type": "FeatureCollection", "features": [
        feat({"type": "Point", "coordinates": [True, False]}),
        feat({"type": "Point", "coordinates": ["103", "10"]}),
        feat({"type": "LineString", "coordinates": [[103, 10], [104, True]]}),
        feat({"type": "Point", "coordinates": [103.5, 10.5]}),
        feat({"type": "Polygon", "coordinates": [[[103, 10], [103, 11], [104, None], [103, 10]]]}),
        feat({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, "2"]}]}),
    ]}
    r = parse_upload("odd.geojson", json.dumps(fc).encode())
    assert r.gdf is not None and len(r.gdf) == 1
    assert (r.gdf.geometry.iloc[0].x, r.gdf.geometry.iloc[0].y) == (103.5, 10.5)
    text = " ".join(r.messages)
    assert ("“odd.geojson”: left out 5 features with coordinates that are not numbers (true, false, "
            "null or text in quotes) (features 1, 2, 3, 5, 6).") in text
    assert "(1, 0)" not in text and "POINT (1 0)" not in repr(r.gdf.geometry.tolist())


def test_swapped_latitude_and_longitude_are_pointed_out():
    text = _failed(parse_upload("swap.csv", b"lat,lon,name\n103.6,10.5,a\n104.1,11.2,b\n"),
                   "“swap.csv”", "latitude and longitude look swapped", "“lat” holds longitudes")
    assert "projected" not in text
    r = parse_upload("some.csv", b"lat,lon\n103.6,10.5\n104.1,11.2\n10.5,103.6\n")
    assert r.gdf is not None and "look swapped" in " ".join(r.messages)
    geo = json.dumps({"type": "Feature", "properties": {},
                      "geometry": {"type": "Point", "coordinates": [10.5, 103.6]}}).encode()
    _failed(parse_upload("swap.geojson", geo), "latitude and longitude look swapped",
            "[longitude, latitude]")
    ok = parse_upload("fine.csv", b"lat,lon\n10.5,103.6\n-95,10\n")  # one bad row: no hint
    assert ok.gdf is not None and "swapped" not in " ".join(ok.messages)


def test_plurals():
    r = parse_upload("one.csv", b"lat,lon\n10,103\nx,1\n")
    assert r.messages[0] == "“one.csv”: loaded 1 feature (Point); left out 1 row."
    assert "left out 1 row whose" in r.messages[1] and "(row 3," in r.messages[1]


EVIL = ["[Log in again](https://evil.example/login)", "![t](http://evil.example/x.png)",
        "<img src=x onerror=alert(1)>"]


def test_hostile_header_text_is_shown_as_text():
    """Text from a file (its name, headers, values) is never Markdown or HTML: in the upload
    tab's messages (st.warning rendered Markdown: a link, an image fetched from elsewhere) and
    in the map's popups."""
    from streamlit.testing.v1 import AppTest

    header = ",".join(EVIL)
    res = parse_upload("[x](https://evil.example).csv", f"{header}\n1,2,3\n".encode())
    text = _failed(res, "Columns found: " + ", ".join(EVIL))

    def page():
        from layers.tabs import upload

        upload.show()

    at = AppTest.from_function(page)
    at.session_state["upload_messages"] = [text]
    at.run()
    assert not at.exception
    for kind in ("markdown", "warning", "success", "error", "info", "caption"):
        for el in at.get(kind):
            assert "evil.example" not in str(el.value), (kind, el.value)
    shown = [el.proto.body for el in at.get("html") if "gw-upload-msg" in el.proto.body]
    assert len(shown) == 1
    body = shown[0]
    assert "[Log in again](https://evil.example/login)" in body  # verbatim text, not a link
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "<img" not in body

    # on the map: headers and values escaped in the popups
    ok = parse_upload("h.csv", f"lat,lon,{header}\n10,103,{EVIL[1]},{EVIL[2]},x\n".encode())
    m = folium.Map()
    user_layer_group(ok.gdf).add_to(m)
    html = m.get_root().render()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
