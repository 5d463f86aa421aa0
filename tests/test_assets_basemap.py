"""Offline Leaflet assets (layers/assets.py) and the Natural Earth basemap (layers/basemap.py)."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import folium
import folium.plugins
import pytest
import shapely
from shapely.geometry import shape

from layers import assets, basemap

REPO = Path(__file__).resolve().parents[1]
NE_SOURCE = REPO.parent / "shared" / "data" / "naturalearth"
REGION = (97.0, 0.0, 118.0, 17.5)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

_EXTERNAL_TAG = re.compile(r"<(script|link)\b[^>]*\b(src|href)=[\"']([^\"']+)[\"']", re.I)
_CLASSES = (folium.Map, folium.plugins.MarkerCluster, folium.plugins.FastMarkerCluster)


@pytest.fixture(autouse=True)
def _restore_folium_links():
    """configure_folium changes folium class attributes: put them back after each test."""
    saved = [(c, c.__dict__.get("default_js"), c.__dict__.get("default_css")) for c in _CLASSES]
    yield
    for cls, js, css in saved:
        for attr, val in (("default_js", js), ("default_css", css)):
            if val is None:
                if attr in cls.__dict__:
                    delattr(cls, attr)
            else:
                setattr(cls, attr, val)


def _demo_map() -> folium.Map:
    """A map using the element types the app relies on, on the offline basemap."""
    m = folium.Map(location=[10.9, 103.4], zoom_start=7, tiles=None)
    basemap.add_basemap_panes(m)
    fg = folium.FeatureGroup(name="Features").add_to(m)
    folium.GeoJson(
        {"type": "Feature", "properties": {"name": "Box"},
         "geometry": {"type": "Polygon",
                      "coordinates": [[[102.6, 10.2], [103.2, 10.2], [103.2, 10.7], [102.6, 10.7], [102.6, 10.2]]]}},
        style_function=lambda _f: {"color": "#c00", "className": "gw-smoke"},
        tooltip=folium.GeoJsonTooltip(["name"]), popup=folium.GeoJsonPopup(["name"]),
    ).add_to(fg)
    folium.CircleMarker([10.3, 104.0], radius=6, tooltip="circle", popup="circle").add_to(fg)
    folium.Marker([10.9, 104.2], icon=folium.DivIcon(html="<b>div</b>")).add_to(fg)
    folium.Marker([10.63, 103.5], popup=folium.Popup("<b>Ream</b>")).add_to(fg)
    mc = folium.plugins.MarkerCluster().add_to(fg)
    folium.Marker([11.5, 104.5]).add_to(mc)
    folium.plugins.FastMarkerCluster([[9.5, 102.0], [9.6, 102.1]]).add_to(fg)
    basemap.basemap_group(basemap.OFFLINE, REPO / "data").add_to(m)
    folium.LayerControl().add_to(m)
    return m


# =========================================================================== assets

def test_ensure_static_assets_copies_every_file_and_is_idempotent(tmp_path):
    vendor = assets.ensure_static_assets(tmp_path)
    assert vendor == tmp_path / "static" / "vendor"
    for src_dir, name, dest in assets.ASSET_FILES:
        assert (vendor / dest).read_bytes() == (src_dir / name).read_bytes()
    assert (vendor / assets.COMPAT_JS_NAME).read_text(encoding="utf-8") == assets.COMPAT_JS
    stamps = {p: p.stat().st_mtime_ns for p in vendor.rglob("*") if p.is_file()}
    assert len(stamps) == len(assets.ASSET_FILES) + 1

    time.sleep(0.01)
    assets.ensure_static_assets(tmp_path)  # up to date: nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps

    broken = vendor / "leaflet" / "leaflet.js"
    broken.write_bytes(b"truncated")
    assets.ensure_static_assets(tmp_path)
    assert broken.read_bytes() == (assets.LEAFLET_DIR / "leaflet.js").read_bytes()


def test_ensure_static_assets_is_safe_when_run_concurrently(tmp_path):
    errors: list[BaseException] = []

    def run():
        try:
            assets.ensure_static_assets(tmp_path)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    vendor = tmp_path / "static" / "vendor"
    for src_dir, name, dest in assets.ASSET_FILES:
        assert (vendor / dest).read_bytes() == (src_dir / name).read_bytes()
    assert not [p for p in vendor.rglob("*") if p.name.endswith(".tmp")]


def test_static_dir_is_git_ignored():
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "static/" in lines


def test_streamlit_config_enables_static_serving():
    import tomllib

    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["enableStaticServing"] is True
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["runner"]["postScriptGC"] is False  # see the comment there: half a click's server time


def test_configure_folium_leaves_no_cdn_link_in_the_rendered_map():
    assets.configure_folium()
    html = _demo_map().get_root().render()
    urls = [u for _tag, _attr, u in _EXTERNAL_TAG.findall(html)]
    assert urls, "expected local script/link tags"
    assert not [u for u in urls if "http" in u or "//" in u], urls
    for lib in ("jquery", "bootstrap", "awesome", "fontawesome", "glyphicons", "cdn"):
        assert lib not in " ".join(urls).lower()
    assert all(u.startswith("../../app/static/vendor/") for u in urls), urls


def test_streamlit_folium_collects_only_local_links(monkeypatch):
    import streamlit_folium

    assets.configure_folium()
    captured: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: captured.update(kw))
    m = folium.Map(location=[10.9, 103.4], zoom_start=7, tiles=None)
    basemap.add_basemap_panes(m)
    extra = folium.FeatureGroup(name="extra")
    folium.GeoJson({"type": "Point", "coordinates": [103.5, 10.6]}).add_to(extra)
    folium.plugins.MarkerCluster().add_to(m)
    streamlit_folium.st_folium(m, feature_group_to_add=[basemap.basemap_group(basemap.OFFLINE, REPO / "data"), extra],
                               returned_objects=[])
    links = captured["js_links"] + captured["css_links"]
    assert links and not [u for u in links if "http" in u], links
    v = "../../app/static/vendor/"
    assert captured["js_links"] == [v + "leaflet/leaflet.js", v + assets.COMPAT_JS_NAME,
                                    v + "markercluster/leaflet.markercluster.js"]
    assert v + "leaflet/leaflet.css" in captured["css_links"]
    # the URLs point at files ensure_static_assets provides (relative to <app>/static/vendor)
    provided = {dest for _s, _n, dest in assets.ASSET_FILES} | {assets.COMPAT_JS_NAME}
    assert {u.removeprefix(v) for u in links} <= provided


def test_configure_folium_base_url_forms():
    assets.configure_folium("app/static/vendor")
    assert dict(folium.Map.default_js)["leaflet"] == "../../app/static/vendor/leaflet/leaflet.js"
    assets.configure_folium("/static/x/")
    assert dict(folium.Map.default_js)["leaflet"] == "/static/x/leaflet/leaflet.js"
    assets.configure_folium("https://example.org/v")
    assert dict(folium.plugins.MarkerCluster.default_css)["markerclustercss"] == \
        "https://example.org/v/markercluster/MarkerCluster.css"


def test_leaflet_icon_path_element():
    m = folium.Map(tiles=None)
    assets.LeafletIconPath("../../x/images/").add_to(m)
    assert 'L.Icon.Default.imagePath = "../../x/images/";' in m.get_root().render()


def test_inline_head_html_is_self_contained():
    head = assets.inline_head_html()
    assert head.count("<script>") == 4 and "<style>" in head
    assert "Leaflet 1.9.3" in head and "MarkerClusterGroup" in head
    assert "url(images/" not in head and "data:image/png;base64," in head
    assert not _EXTERNAL_TAG.findall(head)


@pytest.mark.parametrize("configured", [True, False], ids=["configured", "folium-defaults"])
def test_standalone_html_has_no_external_script_or_stylesheet(configured):
    if configured:
        assets.configure_folium()
    else:  # folium's own CDN links (the module lists are never mutated by configure_folium)
        import folium.folium as ff

        folium.Map.default_js, folium.Map.default_css = list(ff._default_js), list(ff._default_css)
        cdn = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
        for cls in (folium.plugins.MarkerCluster, folium.plugins.FastMarkerCluster):
            cls.default_js = [("markerclusterjs", cdn + "leaflet.markercluster.js")]
            cls.default_css = [("markerclustercss", cdn + "MarkerCluster.css"),
                               ("markerclusterdefaultcss", cdn + "MarkerCluster.Default.css")]
        assert "https://" in _demo_map().get_root().render()
    html = assets.standalone_html(_demo_map())
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert not _EXTERNAL_TAG.findall(html), _EXTERNAL_TAG.findall(html)[:3]
    assert "Leaflet 1.9.3" in html and "MarkerClusterGroup" in html
    assert html.count("Leaflet 1.9.3, a JS library") == 1  # inlined once
    assert "gw-smoke" in html


# =========================================================================== basemap files

def _basemap_files() -> dict[str, Path]:
    return {k: basemap.DATA_DIR / name for k, name in basemap.FILES.items()}


def test_basemap_extracts_exist_are_valid_and_small():
    total = 0
    for key, path in _basemap_files().items():
        assert path.exists(), f"missing {path}: run python -m layers basemap --from ..."
        total += path.stat().st_size
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["type"] == "FeatureCollection" and doc["features"], key
        for f in doc["features"]:
            g = shape(f["geometry"])
            assert g.is_valid and not g.is_empty, key
            minx, miny, maxx, maxy = g.bounds
            assert REGION[0] <= minx and maxx <= REGION[2] and REGION[1] <= miny and maxy <= REGION[3], key
    assert total <= basemap.SIZE_BUDGET, total

    land = shape(json.loads(_basemap_files()["land"].read_text())["features"][0]["geometry"])
    assert land.geom_type == "MultiPolygon" and len(land.geoms) > 100  # islands kept
    assert land.contains(shapely.Point(104.92, 11.56))  # Phnom Penh is on land
    assert not land.contains(shapely.Point(102.5, 10.0))  # the Gulf of Thailand is not
    places = json.loads(_basemap_files()["places"].read_text())["features"]
    assert all(set(f["properties"]) == set(basemap.PLACE_PROPS) for f in places)
    names = {f["properties"]["NAME"] for f in places}
    assert {"Phnom Penh", "Bangkok", "Kampot", "Krong Koh Kong", "Ho Chi Minh City"} <= names
    seas = {f["properties"]["NAME"] for f in json.loads(_basemap_files()["seas"].read_text())["features"]}
    assert "Gulf of Thailand" in seas


@pytest.mark.skipif(not NE_SOURCE.exists(), reason="Natural Earth extracts not available")
def test_build_extracts_reproduces_the_committed_files(tmp_path):
    assert basemap.main_build(["--from", str(NE_SOURCE), "--out", str(tmp_path)]) == 0
    for name in basemap.FILES.values():
        assert (tmp_path / name).read_bytes() == (basemap.DATA_DIR / name).read_bytes(), name
    src_kh = [f for f in json.loads((NE_SOURCE / "ne_10m_populated_places.geojson").read_text())["features"]
              if f["properties"]["ADM0NAME"] == "Cambodia"]
    out_kh = [f for f in json.loads((tmp_path / basemap.FILES["places"]).read_text())["features"]
              if f["properties"]["ADM0NAME"] == "Cambodia"]
    assert len(out_kh) == len(src_kh)  # every Cambodian place is kept


# =========================================================================== basemap layers

def _group_js(choice: str, data_dir: Path = REPO / "data") -> str:
    import streamlit_folium

    m = folium.Map(location=[10.9, 103.4], zoom_start=7, tiles=None)
    basemap.add_basemap_panes(m)
    return streamlit_folium._get_feature_group_string(basemap.basemap_group(choice, data_dir), m)


def test_tile_basemaps_choices():
    assert list(basemap.TILE_BASEMAPS) == ["Natural Earth (offline)", "OpenStreetMap", "Carto Positron",
                                           "Esri World Imagery"]
    assert basemap.TILE_BASEMAPS[basemap.OFFLINE]["url"] is None
    for name, spec in basemap.TILE_BASEMAPS.items():
        assert spec["attribution"] and spec["max_zoom"] >= 18, name
    assert "OpenStreetMap" in basemap.TILE_BASEMAPS["Carto Positron"]["attribution"]
    assert "CARTO" in basemap.TILE_BASEMAPS["Carto Positron"]["attribution"]
    assert "GIS User Community" in basemap.TILE_BASEMAPS["Esri World Imagery"]["attribution"]


@pytest.mark.parametrize("choice", list(basemap.TILE_BASEMAPS))
def test_basemap_group_renders_for_every_choice(choice):
    fg = basemap.basemap_group(choice, REPO / "data")
    assert isinstance(fg, folium.FeatureGroup) and fg.control is False
    m = folium.Map(location=[10.9, 103.4], zoom_start=7, tiles=None)
    basemap.add_basemap_panes(m)
    fg.add_to(m)
    html = m.get_root().render()
    assert "L.geoJSON(" in html and "Natural Earth" in html
    js = _group_js(choice)
    assert js.count("interactive: false") >= 3  # land, borders, labels
    assert '"gwNeBase"' in js and '"gwNeLabels"' in js
    assert "Phnom Penh" in js and "Gulf of Thailand" in js


def test_offline_choice_has_no_tile_layer():
    js = _group_js(basemap.OFFLINE)
    assert "tileLayer" not in js
    for spec in basemap.TILE_BASEMAPS.values():
        if spec["url"]:
            host = re.sub(r"\{\w+\}\.", "", spec["url"].split("/")[2])  # {s}.basemaps… -> basemaps…
            assert host not in js
    assert "naturalearthdata.com" in js  # the credit


def test_osm_choice_has_tile_url_and_attribution():
    js = _group_js("OpenStreetMap")
    assert "L.tileLayer(" in js
    assert '"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in js
    assert "openstreetmap.org/copyright" in js and "OpenStreetMap" in js and "contributors" in js
    assert '"maxZoom": 19' in js


def test_basemap_group_accepts_data_or_basemap_dir_and_rejects_unknown_choice():
    assert _group_js(basemap.OFFLINE, REPO / "data") == _group_js(basemap.OFFLINE, REPO / "data" / "basemap")
    with pytest.raises(ValueError):
        basemap.basemap_group("Google Maps", REPO / "data")


def test_add_basemap_panes_puts_ne_below_the_tile_pane():
    m = folium.Map(tiles=None)
    basemap.add_basemap_panes(m)
    basemap.add_basemap_panes(m)  # idempotent
    html = m.get_root().render()
    assert html.count("createPane(") == 2
    assert re.search(r'createPane\(\s*"gwNeBase"\);\s*\S+\.style\.zIndex = 150;', html)
    assert re.search(r'createPane\(\s*"gwNeLabels"\);\s*\S+\.style\.zIndex = 160;', html)
    assert basemap.Z_BASE < 200 and basemap.Z_LABELS < 200  # Leaflet's tilePane is 200
    assert basemap.SEA_COLOR in html and '"maxZoom": 18' in html


def test_labels_are_html_escaped(tmp_path):
    for name in basemap.FILES.values():
        (tmp_path / name).write_bytes((basemap.DATA_DIR / name).read_bytes())
    doc = json.loads((tmp_path / basemap.FILES["places"]).read_text())
    doc["features"][0]["properties"]["NAME"] = '<img src=x onerror="alert(1)">&Co'
    (tmp_path / basemap.FILES["places"]).write_text(json.dumps(doc))
    js = _group_js(basemap.OFFLINE, tmp_path)
    assert "<img" not in js
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;Co" in js


def test_basemap_group_is_fast_to_build_and_render():
    _group_js(basemap.OFFLINE)  # warm the cache
    t0 = time.perf_counter()
    for _ in range(5):
        js = _group_js(basemap.OFFLINE)
    per_run = (time.perf_counter() - t0) / 5
    assert per_run < 0.25, f"{per_run * 1000:.0f} ms"
    assert len(js.encode()) < 220_000


# =========================================================================== browser smoke test

@pytest.fixture
def sync_playwright_instance(request):
    """pytest-playwright's session instance when that plugin is active (a second sync_playwright()
    in the same process fails inside its event loop), else a private one."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if request.config.pluginmanager.hasplugin("playwright"):
        yield request.getfixturevalue("playwright")
    else:
        with sync_api.sync_playwright() as p:
            yield p


@pytest.mark.browser
def test_standalone_html_renders_offline_in_chromium(tmp_path, sync_playwright_instance):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed")
    assets.configure_folium()
    page_file = tmp_path / "map.html"
    page_file.write_text(assets.standalone_html(_demo_map()), encoding="utf-8")

    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    browser = sync_playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(viewport={"width": 1000, "height": 700})
        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        container = page.locator(".leaflet-container")
        container.wait_for(state="visible", timeout=15_000)
        smoke = page.locator("path.gw-smoke")
        smoke.wait_for(state="visible", timeout=10_000)
        box = smoke.bounding_box()
        assert box and box["width"] > 10 and box["height"] > 10
        assert page.locator(".leaflet-gwNeBase-pane path").count() == 2  # land + borders
        assert page.locator(".gw-ne-place span", has_text="Phnom Penh").is_visible()
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
        ) == "rgb(170, 211, 223)"
        assert page.evaluate("typeof L.markerClusterGroup") == "function"
        assert page.locator(".marker-cluster").count() >= 1
    finally:
        browser.close()
    assert not errors, errors
    assert not blocked, blocked


def test_static_basemap_file_is_written_once_and_fetched_by_the_map(tmp_path):
    """The app's map fetches Natural Earth from a static file instead of carrying it in its
    script (re-sent on every rerun); the file name follows its content."""
    import json as _json

    from layers import render
    from layers.basemap import ensure_static_basemap, static_basemap_json

    url = ensure_static_basemap(tmp_path)
    files = list((tmp_path / "static" / "basemap").glob("ne-*.json"))
    assert len(files) == 1 and url == f"../../app/static/basemap/{files[0].name}"
    doc = _json.loads(files[0].read_text("utf-8"))
    assert doc["land"]["features"] and doc["borders"]["features"]
    assert any("Phnom Penh" in label[2] for label in doc["labels"])
    mtime = files[0].stat().st_mtime_ns
    assert ensure_static_basemap(tmp_path) == url and files[0].stat().st_mtime_ns == mtime
    assert files[0].read_bytes() == static_basemap_json()

    fetched = render.base_map(basemap_src=url).get_root().render()
    inline = render.base_map().get_root().render()
    assert f'fetch("{url}")' in fetched and "failed to load" in fetched
    assert len(fetched) < len(inline) - 100_000  # the coordinates are not in the script
    assert "fetch(" not in inline  # the downloadable map keeps them inline
