"""The reader's layer on the map: one folium GeoJson layer, compact enough for 100,000 points.

Points travel as integer coordinates and popups as per-column value arrays; lines and polygons
as GeoJSON, simplified for drawing to at most ``MAX_DRAWN_VERTICES`` (:mod:`.simplify`).  Every
value, column name and the layer's name are HTML-escaped in Python before they reach the page.
A GeometryCollection is drawn as its parts (Leaflet gives the parts of a collection no
``feature``, which broke popups and clicks), each part opening its feature's popup.  What is
embedded is computed once per layer and reused on every rerun (a click reruns the map).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template
from pyproj import CRS

from .csv import LAT_NAMES, LON_NAMES
from .memo import per_layer
from .simplify import drawing_for

PAYLOAD_BUDGET_BYTES = 4_500_000  # data embedded in the page for one user layer
MAX_POPUP_VALUE_CHARS = 80
MAX_LABEL_CHARS = 40
COORD_SCALE = 100_000  # 5 decimals ≈ 1 m


def _js_json(obj: Any) -> str:
    """Compact JSON that is safe inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("</", "<\\/").replace("<!--", "<\\!--")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _popup_text(v: Any) -> str | None:
    """One value as a truncated, HTML-escaped string (None for missing)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    t = " ".join(str(v).split())
    if not t:
        return None
    if len(t) > MAX_POPUP_VALUE_CHARS:
        t = t[: MAX_POPUP_VALUE_CHARS - 1] + "…"
    return html.escape(t)


def _encode_column(s: pd.Series) -> str | None:
    """A column as JSON: ``{"v": [...]}`` or dictionary-coded ``{"d": uniques, "c": codes}``.

    Values are escaped once per distinct value; None when the column is empty.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = [_popup_text(v) for v in uniques]
    if not any(t is not None for t in texts):
        return None
    if len(uniques) <= len(s) // 2:
        return '{"d":' + _js_json(texts) + ',"c":[' + ",".join(map(str, codes.tolist())) + "]}"
    lookup = np.array(texts + [None], dtype=object)  # code -1 → None
    return '{"v":' + _js_json(lookup[codes].tolist()) + "}"


def _is_coordinate_column(name: Any) -> bool:
    return str(name).strip().lower() in LAT_NAMES + LON_NAMES


@dataclass
class PopupPlan:
    labels: list[str]  # escaped column labels shown
    encoded: list[str]  # JSON per shown column
    omitted: list[str]  # columns left out to keep the page small


def popup_plan(gdf: gpd.GeoDataFrame, max_fields: int, budget: int) -> PopupPlan:
    """Choose the popup columns: up to ``max_fields`` non-empty ones, in order (lat/lon-like
    columns last, as the marker already shows the position); if together they exceed
    ``budget`` bytes, lat/lon-like columns and then the most expensive are left out until
    the rest fit."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    cols.sort(key=_is_coordinate_column)  # stable: keeps the file's order otherwise
    candidates: list[tuple[Any, str]] = []
    omitted: list[str] = []
    for c in cols:
        if len(candidates) >= max_fields:
            if gdf[c].notna().any():
                omitted.append(str(c))
            continue
        enc = _encode_column(gdf[c])
        if enc is not None:
            candidates.append((c, enc))
    sizes = {str(c): len(enc.encode("utf-8")) for c, enc in candidates}
    total = sum(sizes.values())
    # leave out lat/lon-like columns first (the marker shows the position), then the largest
    for c, _ in sorted(candidates, key=lambda ce: (not _is_coordinate_column(ce[0]),
                                                   -sizes[str(ce[0])])):
        if total <= budget:
            break
        total -= sizes[str(c)]
        omitted.insert(0, str(c))
    plan = PopupPlan([], [], [])
    for c, enc in candidates:
        if str(c) in omitted:
            continue
        label = " ".join(str(c).split())
        label = label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
        plan.labels.append(html.escape(label))
        plan.encoded.append(enc)
    order = {str(c): i for i, c in enumerate(cols)}
    plan.omitted = sorted(omitted, key=lambda c: order.get(c, 0))
    return plan


class _CompactData(MacroElement):
    """Adds the points to its parent GeoJson from a compact columnar payload.

    Points travel as integer coordinates (×1e5) and popups as per-column value arrays
    (dictionary-coded when values repeat); the browser rebuilds GeoJSON features and builds a
    popup only when one is opened.  Every value was HTML-escaped in Python.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var layer = {{ this._parent.get_name() }};
    var renderer = L.canvas({padding: 0.5});
    var basePoint = layer.options.pointToLayer;
    layer.options.pointToLayer = function(feature, latlng) {
        var m = basePoint ? basePoint(feature, latlng) : L.circleMarker(latlng, {radius: 3});
        m.options.renderer = renderer;
        return m;
    };
    var xy = [{{ this.xy }}];
    var pos = {{ this.pos }};
    var labels = {{ this.labels }};
    var cols = [{{ this.cols }}];
    var note = {{ this.note }};
    function val(c, i) {
        var col = cols[c];
        if (col.c) { var k = col.c[i]; return k < 0 ? null : col.d[k]; }
        return col.v[i];
    }
    function popup(i) {
        var h = '<table class="gw-user-popup">';
        for (var c = 0; c < cols.length; c++) {
            var v = val(c, i);
            if (v !== null && v !== '') { h += '<tr><th>' + labels[c] + '</th><td>' + v + '</td></tr>'; }
        }
        h += '</table>';
        if (note) { h += '<div class="gw-user-note">' + note + '</div>'; }
        return h;
    }
    var n = xy.length / 2, feats = new Array(n);
    for (var j = 0; j < n; j++) {
        feats[j] = {type: "Feature", properties: {_i: pos ? pos[j] : j},
                    geometry: {type: "Point", coordinates: [xy[2 * j] / {{ this.scale }}, xy[2 * j + 1] / {{ this.scale }}]}};
    }
    layer.addData({type: "FeatureCollection", features: feats.concat({{ this.others }})});
    {%- if this.has_popup %}
    layer.bindPopup(function(l) {
        var f = l && l.feature;
        return f && f.properties ? popup(f.properties._i) : '';
    }, {maxWidth: 320});
    {%- endif %}
})();
{% endmacro %}
""")

    def __init__(self, gdf: gpd.GeoDataFrame, max_popup_fields: int, budget: int):
        super().__init__()
        self._name = "UserLayerData"
        payload = per_layer(gdf, ("payload", max_popup_fields, budget),
                            lambda: _payload(gdf, max_popup_fields, budget))
        for k, v in payload.items():
            setattr(self, k, v)


def _parts(g: Any) -> list[Any]:
    """A geometry, or the non-empty parts of a (nested) GeometryCollection."""
    if shapely.get_type_id(g) != 7:
        return [g]
    out: list[Any] = []
    for part in shapely.get_parts(g):
        if not shapely.is_empty(part):
            out.extend(_parts(part))
    return out


def _payload(gdf: gpd.GeoDataFrame, max_popup_fields: int, budget: int) -> dict[str, Any]:
    """The strings :class:`_CompactData` puts in the page (computed once per layer)."""
    geoms = drawing_for(gdf).geoms
    is_point = shapely.get_type_id(geoms) == 0
    pts = geoms[is_point]
    xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]) if len(pts) else np.empty((0, 2))
    out: dict[str, Any] = {"scale": COORD_SCALE}
    out["xy"] = ",".join(map(str, np.rint(xy * COORD_SCALE).astype(np.int64).ravel().tolist()))
    positions = np.flatnonzero(is_point)
    out["pos"] = "null" if is_point.all() else "[" + ",".join(map(str, positions.tolist())) + "]"
    out["others"] = _js_json([
        {"type": "Feature", "properties": {"_i": int(i)},
         "geometry": json.loads(shapely.to_geojson(shapely.transform(part, lambda c: np.round(c, 5))))}
        for i in np.flatnonzero(~is_point) for part in _parts(geoms[i])
    ])
    fixed = len(out["xy"]) + len(out["pos"]) + len(out["others"])
    plan = popup_plan(gdf, max_popup_fields, max(budget - fixed, 0))
    out["plan"] = plan
    out["labels"] = _js_json(plan.labels)
    out["cols"] = ",".join(plan.encoded)
    out["has_popup"] = bool(plan.labels) or bool(plan.omitted)
    note = ""
    if plan.omitted:
        shown = ", ".join(plan.omitted[:6]) + (" …" if len(plan.omitted) > 6 else "")
        note = html.escape(f"Not shown here: {shown}.")
    out["note"] = _js_json(note)
    return out


class _UserGeoJson(folium.GeoJson):
    """A GeoJson whose data arrive from a :class:`_CompactData` child; bounds from the frame."""

    def __init__(self, gdf: gpd.GeoDataFrame, **kwargs: Any):
        super().__init__({"type": "FeatureCollection", "features": []}, **kwargs)
        minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
        self._bounds = [[miny, minx], [maxy, maxx]]

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds


def user_layer_group(gdf: gpd.GeoDataFrame | None, name: str = "Your layer",
                     max_popup_fields: int = 8, color: str = "#c2185b",
                     budget_bytes: int = PAYLOAD_BUDGET_BYTES) -> folium.FeatureGroup:
    """One folium.GeoJson layer of canvas circle markers (radius 3) inside a FeatureGroup.

    Popups show up to ``max_popup_fields`` columns, every value HTML-escaped (and cut to 80
    characters) in Python before it reaches the page.  The embedded data stay within
    ``budget_bytes``: coordinates first, then popup columns in order while they fit; columns
    that do not fit are named in the popup.  Each feature carries ``properties._i``, its row
    position in ``gdf``, so the app can show the full row for a clicked point.
    """
    fg = folium.FeatureGroup(name=html.escape(str(name)), show=True)
    if gdf is None or len(gdf) == 0:
        return fg
    if gdf.crs is not None and not gdf.crs.equals(CRS.from_epsg(4326)):
        gdf = gdf.to_crs("EPSG:4326")
    marker = folium.CircleMarker(radius=3, color=color, weight=1, fill=True,
                                 fill_color=color, fill_opacity=0.7)
    layer = _UserGeoJson(gdf, name=html.escape(str(name)), control=False, marker=marker,
                         style=folium.utilities.JsCode(
                             "function(f) {return f.geometry.type === 'Point' ? {} : "
                             f"{{color: {json.dumps(color)}, weight: 2, fillOpacity: 0.15}};}}"))
    layer.add_child(_CompactData(gdf, max_popup_fields, budget_bytes))
    layer.add_to(fg)
    return fg
