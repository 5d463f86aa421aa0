"""On-map legend, locator inset and coastline note (layers/overlays.py)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace

import folium

from layers import overlays
from layers.registry import BY_ID, DISPLAY_ORDER
from layers.render import base_map
from layers.spec import CONTESTED_OUTLINE, LegendEntry

LAND = overlays.basemap_dir() / "ne_land.geojson"
_MAP_NAME = re.compile(r"\bmap_[0-9a-f]{32}\b")


def _script(el: folium.MacroElement) -> str:
    """What the element writes into the page's script (the map's name normalised)."""
    return _MAP_NAME.sub("map_X", el._template.module.__dict__["script"](el, {}))


def _overlay_map() -> folium.Map:
    return overlays.add_overlays(base_map())


def test_legend_names_every_layer_and_outline_meaning():
    text = overlays.legend_html()
    assert text.startswith('<details class="gw-legend" open><summary>Legend</summary>')
    positions = [text.index(html.escape(BY_ID[i].title)) for i in DISPLAY_ORDER]
    assert positions == sorted(positions)  # display order
    for layer_id in DISPLAY_ORDER:
        for e in BY_ID[layer_id].legend:
            assert html.escape(e.label) in text
            assert e.color in text
    for meaning in ("published coordinate", "estimated or schematic", "contested: claims and denials",
                    "location uncertainty", "site of several features: zoom in"):
        assert meaning in text
    assert CONTESTED_OUTLINE in text
    assert "<img" not in text and "<svg" in text


def test_legend_escapes_text():
    evil = replace(BY_ID["ream"], id='x"y', title="<b>Ream & co</b>",
                   legend=(LegendEntry('<script>alert(1)</script>', '#c00" onload="x'),))
    text = overlays.legend_html((evil,))
    assert "<b>" not in text and "<script>" not in text
    assert "&lt;b&gt;Ream &amp; co&lt;/b&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert '" onload="' not in text and 'data-layer="x&quot;y"' in text
    js = _script(overlays.Legend((evil,)).add_to(folium.Map(tiles=None)))
    assert "</script" not in js.lower() and "<b>" not in js


def test_overlay_scripts_identical_between_renders():
    a, b = _overlay_map(), _overlay_map()
    for name in ("gw_legend", "gw_locator_inset", "gw_coastline_note"):
        sa, sb = _script(a._children[name]), _script(b._children[name])
        assert sa == sb and "map_X" in sa
        assert re.search(r"[0-9a-f]{32}", sa) is None  # no ids but the map's
    page = a.get_root().render()
    for name in ("gw_legend", "gw_locator_inset", "gw_coastline_note"):
        raw = a._children[name]._template.module.__dict__["script"](a._children[name], {})
        assert raw in page
    assert page.count(".gw-legend-ctl {") == 1  # CSS once


def test_add_overlays_is_idempotent():
    m = _overlay_map()
    before = set(m._children)
    overlays.add_overlays(m)
    assert set(m._children) == before
    assert sum(k.startswith("gw_") and "overlays" in k for k in m.get_root().header._children) == 1
    page = m.get_root().render()
    assert page.count('L.DomUtil.create("div", "gw-legend-ctl")') == 1
    assert page.count('"gw-inset"') == 1 and page.count('"gw-coast-note"') == 1


def test_inset_svg_small_and_projects_ream():
    svg, proj = overlays.inset_svg(LAND)
    assert len(svg.encode("utf-8")) < 8000
    assert re.search(r'<path d="M[0-9]', svg)
    assert 'role="img"' in svg and f'aria-label="{overlays.INSET_LABEL}"' in svg
    assert overlays.SEA_COLOR in svg and overlays.LAND_COLOR in svg
    w, h = proj["width"], proj["height"]
    assert (w, h) == overlays.INSET_SIZE
    assert proj["lon0"] <= 98.5 and proj["lon1"] >= 106.5 and proj["lat0"] <= 5.5 and proj["lat1"] >= 14.5
    x, y = overlays.project(103.61, 10.51, proj)
    assert 0 < x < w and 0 < y < h
    # Ream lies a bit east of the middle and north of centre (lat 10.5 of 5.5-14.5 ≈ 55 % up)
    assert abs(x - (103.61 - proj["lon0"]) / (proj["lon1"] - proj["lon0"]) * w) < 0.01
    assert 0.55 * w < x < 0.68 * w and 0.38 * h < y < 0.5 * h
    # the corners of the shown box map onto the SVG corners
    assert all(abs(v) < 1e-3 for v in overlays.project(proj["lon0"], proj["lat1"], proj))
    xr, yr = overlays.project(proj["lon1"], proj["lat0"], proj)
    assert abs(xr - w) < 1e-3 and abs(yr - h) < 1e-3


def test_inset_svg_from_dict_clips_to_box():
    square = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[100, 8], [120, 8], [120, 12], [100, 12], [100, 8]]]}}]}
    svg, proj = overlays.inset_svg(square, (98.5, 5.5, 106.5, 14.5), (100, 100))
    d = re.search(r'<path d="([^"]*)"', svg).group(1)
    xs = [float(v) for v in re.findall(r"[ML](-?[\d.]+) ", d)]
    assert xs and min(xs) > 0 and max(xs) <= 100 + 0.5 * proj["k"] + 0.1  # clipped (with a margin)
    svg2, _ = overlays.inset_svg({"type": "FeatureCollection", "features": []})
    assert '<path d=""' in svg2


def test_inset_same_output_every_time():
    a, b = overlays.LocatorInset(LAND), overlays.LocatorInset(str(LAND))
    assert a.svg == b.svg and a.proj == b.proj


def test_coastline_note_selector_json_escaped():
    sel = """[data-x="a'b"] </script><b>"""
    js = _script(overlays.CoastlineNote(sel).add_to(folium.Map(tiles=None)))
    assert "</script" not in js.lower() and "<b>" not in js
    m = re.search(r"var SEL = (\"(?:[^\"\\]|\\.)*\")", js)
    assert m and json.loads(m.group(1)) == sel
    default = _script(overlays.CoastlineNote().add_to(folium.Map(tiles=None)))
    assert 'var SEL = ".st-key-gw-imagery button"' in default
    assert "window.parent.document.querySelector(SEL)" in default
    assert "instanceof L.TileLayer" in default and "layeradd layerremove" in default
    note = overlays.coast_note_html()
    assert overlays.COAST_NOTE_TEXT in note and "Show satellite imagery</button>" in note
    fallback = re.search(r"textContent = (\"(?:[^\"\\]|\\.)*\")", default).group(1)
    assert json.loads(fallback) == "Pick “Esri World Imagery” under Basemap."
