"""“Bring your own layer” (layers.upload): parsing uploads and drawing them.

The hostile inputs (zip bombs, huge geometries, memory, encodings...) are in
tests/test_uploads_hostile.py."""

from __future__ import annotations

import json

import folium
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from layers import upload as ul
from layers.upload import UploadResult, finish, limits, parse_upload, user_layer_group
from tests.e2e import offline_map_file


def _fc(*features, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def _pt(lon, lat, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props}


def _failed(r: UploadResult, *needles: str) -> str:
    assert r.gdf is None and r.messages, r
    text = " ".join(r.messages)
    for n in needles:
        assert n in text, text
    assert "Traceback" not in text
    return text


def _ok(r: UploadResult) -> UploadResult:
    assert r.gdf is not None, r.messages
    assert r.gdf.crs.to_epsg() == 4326
    assert r.gdf.geometry.is_valid.all() and not r.gdf.geometry.is_empty.any()
    return r


# --- size, emptiness, type ----------------------------------------------------------------

def test_oversize_is_rejected_with_sizes():
    text = _failed(parse_upload("big.csv", b"lat,lon\n" + b"1,2\n" * 600, max_bytes=1024),
                   "“big.csv”", "2.4 KB", "limited to 1.0 KB")
    assert "uploads" in text


def test_max_upload_from_env(monkeypatch):
    assert ul.MAX_UPLOAD_BYTES == 50 * 1024 * 1024 or "GULFWATCH_MAX_UPLOAD_MB" in __import__("os").environ
    monkeypatch.setenv("GULFWATCH_MAX_UPLOAD_MB", "2")
    assert limits.env_max_bytes() == 2 * 1024 * 1024
    monkeypatch.setenv("GULFWATCH_MAX_UPLOAD_MB", "lots")
    assert limits.env_max_bytes() == 50 * 1024 * 1024
    monkeypatch.setenv("GULFWATCH_MAX_UPLOAD_MB", "-3")
    assert limits.env_max_bytes() == 50 * 1024 * 1024


@pytest.mark.parametrize("name", ["e.csv", "e.geojson", "e.kml"])
@pytest.mark.parametrize("data", [b"", b"  \n\t "])
def test_empty(name, data):
    _failed(parse_upload(name, data), f"“{name}” is empty")


def test_unsupported_types():
    _failed(parse_upload("ships.xlsx", b"PK\x03\x04"), "is a zip archive (an Excel workbook is one)",
            ".csv")
    _failed(parse_upload("ships.ods", b"<xml/>"), "unsupported file type .ods", ".csv")
    _failed(parse_upload("noext", b"abc"), "(no extension)")
    _failed(parse_upload("a.kmz", b"PK\x03\x04"), "damaged")
    _failed(parse_upload("a.kmz", b"<kml/>"), "not a zip archive")


def test_name_is_shortened_to_its_base():
    r = parse_upload("C:\\x/../secret/dir/" + "n" * 200 + ".csv", b"")
    assert "secret" not in r.messages[0] and "…" in r.messages[0]


# --- GeoJSON ------------------------------------------------------------------------------

def test_geojson_ok_with_properties():
    r = _ok(parse_upload("p.geojson", _fc(_pt(103.6, 10.5, name="A", n=1, nested={"k": [1, 2]}),
                                           _pt(104, 11, name="B"))))
    assert len(r.gdf) == 2 and r.dropped == 0
    assert list(r.gdf["name"]) == ["A", "B"]
    assert r.gdf.loc[0, "nested"] == '{"k": [1, 2]}'
    assert r.messages[0] == "“p.geojson”: loaded 2 features (Point)."


def test_geojson_single_feature_and_bare_geometry():
    _ok(parse_upload("f.json", json.dumps(_pt(100, 10, a=1)).encode()))
    r = _ok(parse_upload("g.json", b'{"type": "LineString", "coordinates": [[100, 10], [101, 11]]}'))
    assert r.gdf.geom_type.tolist() == ["LineString"]


def test_not_json():
    _failed(parse_upload("x.geojson", b"{not json"), "“x.geojson” is not valid JSON",
            "line 1, column 2")
    _failed(parse_upload("x.geojson", b"{\"a\": \"\xc3\x28\"}"), "not UTF-8", "position 7")


@pytest.mark.parametrize(("data", "needle"), [
    (b'{"type": "FeatureCollection"}', 'without a "features" list'),
    (b'{"type": "FeatureCollection", "features": []}', "with no features"),
    (b"[1, 2]", "JSON list"),
    (b'{"name": "x", "rows": []}', "keys: name, rows"),
    (b'{"type": "Topology"}', '"type": "Topology"'),
    (b"42", "single int"),
])
def test_geojson_without_features(data, needle):
    _failed(parse_upload("nf.geojson", data), "“nf.geojson”", needle)


def test_invalid_geometries_are_dropped_and_reported():
    bowtie = {"type": "Feature", "properties": {},
              "geometry": {"type": "Polygon",
                           "coordinates": [[[100, 10], [101, 11], [101, 10], [100, 11], [100, 10]]]}}
    malformed = {"type": "Feature", "properties": {},
                 "geometry": {"type": "Point", "coordinates": ["a"]}}
    unknown = {"type": "Feature", "properties": {}, "geometry": {"type": "Circle", "radius": 3}}
    null = {"type": "Feature", "properties": {}, "geometry": None}
    empty = {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": []}}
    r = _ok(parse_upload("bad.geojson", _fc(bowtie, _pt(103, 10), malformed, null, unknown, empty,
                                            "not a feature")))
    assert len(r.gdf) == 1 and r.dropped == 6
    text = " ".join(r.messages)
    assert "feature 1)" in text and "invalid geometry (e.g. Self-intersection" in text
    assert "malformed geometry" in text and "feature 3" in text
    assert "with no geometry (feature 4)" in text
    assert "'Circle'" in text and "feature 5" in text
    assert "empty geometry (feature 6)" in text
    assert "feature 7" in text
    assert "left out 6" in r.messages[0]
    assert "with a value that is not a GeoJSON Feature object (feature 7)" in text


def test_all_invalid_geometries():
    bowtie = {"type": "Feature", "properties": {},
              "geometry": {"type": "Polygon",
                           "coordinates": [[[100, 10], [101, 11], [101, 10], [100, 11], [100, 10]]]}}
    _failed(parse_upload("bow.geojson", _fc(bowtie, bowtie)), "features 1, 2", "no feature has a usable")


def test_projected_crs_geojson_is_reprojected():
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    x, y = to_utm.transform(103.61194, 10.50722)
    x2, y2 = to_utm.transform(103.7, 10.6)
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32648"}}
    line = {"type": "Feature", "properties": {"k": "line"},
            "geometry": {"type": "LineString", "coordinates": [[x, y], [x2, y2]]}}
    r = _ok(parse_upload("utm.geojson", _fc(_pt(x, y, k="pt"), line, crs=crs)))
    p = r.gdf.geometry.iloc[0]
    assert p.x == pytest.approx(103.61194, abs=1e-6) and p.y == pytest.approx(10.50722, abs=1e-6)
    assert r.gdf.geometry.iloc[1].coords[1] == pytest.approx((103.7, 10.6), abs=1e-6)
    text = " ".join(r.messages)
    assert "UTM zone 48N" in text and "EPSG:32648" in text and "converted to WGS84" in text


def test_crs84_and_epsg4326_members_are_not_reprojected():
    for name in ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"):
        crs = {"type": "name", "properties": {"name": name}}
        r = _ok(parse_upload("w.geojson", _fc(_pt(103, 10), crs=crs)))
        assert (r.gdf.geometry.iloc[0].x, r.gdf.geometry.iloc[0].y) == (103, 10)
        assert not any("converted" in m for m in r.messages)


def test_unknown_crs_member():
    crs = {"type": "name", "properties": {"name": "EPSG:999999"}}
    _failed(parse_upload("u.geojson", _fc(_pt(1, 2), crs=crs)), "not recognised", "EPSG:999999")


def test_projected_coordinates_without_crs_are_explained():
    r = parse_upload("p.geojson", _fc(_pt(500000, 1160000), _pt(103, 10)))
    _ok(r)
    assert len(r.gdf) == 1
    text = " ".join(r.messages)
    assert "outside longitude" in text and "projected coordinates" in text and "feature 1" in text


def test_too_many_columns_are_capped():
    props = {f"c{i}": i for i in range(45)}
    r = _ok(parse_upload("wide.geojson", _fc(_pt(100, 10, **props))))
    assert len(r.gdf.columns) == ul.MAX_COLUMNS + 1
    assert any("first 30 of its 45 columns" in m for m in r.messages)


# --- CSV ----------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["lat,lon", "Latitude,Longitude", "LAT,LNG", "y,x", " Lat , Long "])
def test_csv_column_names(header):
    r = _ok(parse_upload("s.csv", f"{header},name\n10.5,103.6,a\n11,104,b\n".encode()))
    assert len(r.gdf) == 2
    assert (r.gdf.geometry.iloc[0].x, r.gdf.geometry.iloc[0].y) == (103.6, 10.5)
    assert "name" in r.gdf.columns


def test_csv_x_before_y_and_semicolon_decimal_comma():
    r = _ok(parse_upload("eu.csv", "x;y;naam\n103,6;10,5;één\n".encode()))
    assert (r.gdf.geometry.iloc[0].x, r.gdf.geometry.iloc[0].y) == (103.6, 10.5)
    assert r.gdf.loc[0, "naam"] == "één"


def test_csv_tab_and_cp1252():
    r = _ok(parse_upload("t.tsv", "lat\tlon\tname\n10\t100\tCaf\xe9\n".encode("cp1252")))
    assert r.gdf.loc[0, "name"] == "Café"
    assert any("Windows-1252" in m for m in r.messages)


def test_csv_missing_columns():
    _failed(parse_upload("nope.csv", b"name,foo,bar\n1,2,3\n"), "“nope.csv” has no latitude/longitude",
            "Columns found: name, foo, bar")
    _failed(parse_upload("half.csv", b"Latitude,foo\n1,2\n"), "latitude column “Latitude”",
            "no longitude column")
    _failed(parse_upload("half.csv", b"lon,foo\n1,2\n"), "longitude column “lon”", "no latitude")


def test_csv_bad_values_are_dropped_and_counted():
    data = b"lat,lon,name\n10,100,ok\nabc,100,text\n,100,blank\n95,100,north\n10,200,east\n11,101,ok2\n"
    r = _ok(parse_upload("v.csv", data))
    assert len(r.gdf) == 2 and r.dropped == 4
    text = " ".join(r.messages)
    assert "left out 2 rows whose “lat” or “lon” is empty or not a number (rows 3, 4" in text
    assert "left out 2 rows with “lat” outside −90…90 or “lon” outside −180…180 (rows 5, 6" in text
    assert "counting the header as row 1" in text


def test_csv_many_bad_rows_lists_only_a_few():
    data = b"lat,lon\n" + b"x,1\n" * 50 + b"1,1\n"
    r = _ok(parse_upload("m.csv", data))
    assert r.dropped == 50
    assert "rows 2, 3, 4, 5, 6 and 45 more" in " ".join(r.messages)


def test_csv_projected_values_hint():
    _failed(parse_upload("utm.csv", b"y,x\n1160000,500000\n"), "projected coordinates",
            "no row has a usable position")


def test_csv_header_only_and_parse_error():
    _failed(parse_upload("h.csv", b"lat,lon\n"), "header row but no data rows")
    _failed(parse_upload("e.csv", b"lat,lon\n1,2\n3,4,5,6\n"), "could not be read as CSV",
            "Expected 2 fields in line 3, saw 4")
    _failed(parse_upload("q.csv", b'lat,lon\n"1,2\n'), "could not be read as CSV")


def test_csv_100k_points():
    rng = np.random.default_rng(1)
    n = 100_000
    df = pd.DataFrame({"lat": rng.uniform(0, 17, n).round(5), "lon": rng.uniform(97, 118, n).round(5),
                       "mmsi": rng.integers(1e8, 1e9, n), "t": pd.date_range("2024", periods=n, freq="s")})
    r = _ok(parse_upload("ais.csv", df.to_csv(index=False).encode()))
    assert len(r.gdf) == n and r.dropped == 0


def test_rows_over_the_cap(monkeypatch):
    monkeypatch.setattr(finish, "MAX_FEATURES", 10)
    r = _ok(parse_upload("c.csv", b"lat,lon\n" + b"1,2\n" * 15))
    assert len(r.gdf) == 10 and r.dropped == 5
    assert any("only the first 10 rows of 15 are shown" in m for m in r.messages)
    assert "left out 5 rows." in r.messages[0]


# --- KML ----------------------------------------------------------------------------------

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Notes</name>
<Placemark><name>Pier &amp; dock</name>
  <description><![CDATA[<p>Seen <b>here</b> &amp; there</p>]]></description>
  <TimeStamp><when>2024-06-08T10:00:00Z</when></TimeStamp>
  <ExtendedData><Data name="source"><value>own notes</value></Data></ExtendedData>
  <Point><coordinates>103.61,10.50,0</coordinates></Point></Placemark>
<Placemark><name>Track</name>
  <LineString><coordinates>103,10,0 104,11,0</coordinates></LineString></Placemark>
</Document></kml>"""


def test_kml():
    r = _ok(parse_upload("notes.kml", KML.encode()))
    g = r.gdf
    assert len(g) == 2 and set(g.geom_type) == {"Point", "LineString"}
    assert not g.geometry.has_z.any()
    assert g.loc[0, "Name"] == "Pier & dock"
    assert g.loc[0, "description"] == "Seen here & there"
    assert isinstance(g.loc[0, "timestamp"], str) and g.loc[0, "timestamp"].startswith("2024-06-08")
    assert "altitudeMode" not in g.columns
    json.dumps(g.drop(columns="geometry").to_dict("records"), default=None, allow_nan=True)


def test_bad_kml():
    _failed(parse_upload("b.kml", b"<kml><Placemark>"), "“b.kml” could not be read as KML")
    _failed(parse_upload("b.kml", b"this is not xml"), "could not be read as KML",
            "does not look like KML")
    assert "/vsimem/" not in " ".join(parse_upload("b.kml", b"this is not xml").messages)


def test_kml_without_placemarks():
    _failed(parse_upload("n.kml", b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                                  b'<name>x</name></Document></kml>'))


# --- never raises -------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["a.csv", "a.geojson", "a.json", "a.kml", "a.txt"]), st.binary(max_size=300))
def test_never_raises_on_random_bytes(name, data):
    r = parse_upload(name, data)
    assert isinstance(r, UploadResult) and r.messages
    assert (r.gdf is None) or len(r.gdf) > 0


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5) | st.integers(),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                        st.sampled_from(["type", "features", "geometry", "coordinates", "properties", "crs"]),
                        kids, max_size=4), max_leaves=12))
def test_never_raises_on_odd_json(obj):
    r = parse_upload("odd.geojson", json.dumps(obj).encode())
    assert r.messages


# --- map layer ----------------------------------------------------------------------------

HOSTILE = "<script>alert('x')</script>"


def _render(fg: folium.FeatureGroup) -> str:
    m = folium.Map(prefer_canvas=True)
    fg.add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def test_hostile_values_are_escaped_in_rendered_output():
    data = _fc(_pt(103, 10, **{"name": HOSTILE, HOSTILE: "x", "img": '<img src=x onerror="alert(1)">',
                               "amp": "a & b"}))
    r = _ok(parse_upload("h.geojson", data))
    html = _render(user_layer_group(r.gdf, name=f"Layer {HOSTILE}"))
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "a &amp; b" in html


def test_layer_payload_and_popup_fields():
    r = _ok(parse_upload("s.csv", b"lat,lon,a,b,c\n10.123456,103.987654,1,x,\n11,104,2,y,\n"))
    fg = user_layer_group(r.gdf, max_popup_fields=8)
    html = _render(fg)
    assert "var xy = [10398765,1012346,10400000,1100000];" in html  # 5 decimals, ×1e5
    assert '"labels"' not in html and 'var labels = ["a","b","lat","lon"];' in html
    assert html.count("L.geoJson(") == 1
    assert "L.canvas(" in html and "bindPopup" in html
    fg2 = user_layer_group(r.gdf, max_popup_fields=1)
    assert 'var labels = ["a"];' in _render(fg2) and "Not shown here: b, lat, lon." in _render(fg2)


def test_layer_bounds_and_mixed_geometries():
    r = _ok(parse_upload("notes.kml", KML.encode()))
    fg = user_layer_group(r.gdf)
    layer = next(iter(fg._children.values()))
    assert layer.get_bounds() == [[10.0, 103.0], [11.0, 104.0]]
    html = _render(fg)
    assert '"_i":1' in html and '"LineString"' in html
    assert "var pos = [0];" in html


def test_empty_layer_group():
    assert len(user_layer_group(None)._children) == 0


def test_render_size_for_100k_points_is_bounded():
    rng = np.random.default_rng(2)
    n = 100_000
    df = pd.DataFrame({"lat": rng.uniform(0, 17, n), "lon": rng.uniform(97, 118, n),
                       "mmsi": rng.integers(1e8, 1e9, n // 100)[rng.integers(0, n // 100, n)],
                       "when": pd.date_range("2024", periods=n, freq="s").astype(str),
                       "kind": rng.choice(["cargo", "tanker"], n), "note": ["x" * 200] * n})
    r = _ok(parse_upload("big.csv", df.to_csv(index=False).encode()))
    html = _render(user_layer_group(r.gdf))
    assert len(html.encode("utf-8")) <= 5 * 1024 * 1024
    assert "Not shown here:" in html  # something had to give


# --- a real browser (Debian's Chromium via the shared Playwright fixtures) ----------------



@pytest.mark.browser
def test_in_browser_markers_use_canvas_and_popups_stay_text(page, tmp_path):
    data = b"lat,lon,name\n10.5,103.6,<img src=x onerror=window.PWNED=1>\n11,104,ok\n"
    r = _ok(parse_upload("t.csv", data))
    m = folium.Map(location=[10.7, 103.8], zoom_start=8, prefer_canvas=True, tiles=None)
    user_layer_group(r.gdf).add_to(m)
    file = tmp_path / "map.html"
    map_var = offline_map_file(m, file)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(file.as_uri())
    res = page.evaluate("""(name) => {
        var n = 0, canvas = 0, first = null;
        window[name].eachLayer(function(l) { if (l instanceof L.CircleMarker) {
            n++; if (l._renderer instanceof L.Canvas) canvas++; if (!first) first = l; } });
        first.fire('click', {latlng: first.getLatLng()}, true);
        var pop = document.querySelector('.leaflet-popup-content');
        return {n: n, canvas: canvas, popup: pop && pop.innerHTML,
                imgs: pop ? pop.querySelectorAll('img').length : -1, pwned: window.PWNED || 0};
    }""", map_var)
    assert errors == []
    assert res["n"] == 2 and res["canvas"] == 2
    assert res["imgs"] == 0 and res["pwned"] == 0
    assert "&lt;img src=x onerror=window.PWNED=1&gt;" in res["popup"]
