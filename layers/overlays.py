"""Map controls drawn by Leaflet itself: an on-map legend, a locator inset, a coastline note.

All three are part of the base map's *fixed* JavaScript (:func:`add_overlays`, once): their
output depends only on the constructor arguments and the basemap file, never on random ids or
the time, so streamlit-folium does not remount the map on a rerun.  Each has a pure-Python
builder (:func:`legend_html`, :func:`inset_svg`, :func:`coast_note_html`) for the tests.

* :class:`Legend` (bottom right, over the open sea south of Ca Mau at the opening view): the layers' colours in display order and what the outline
  styles mean; a ``<details>`` element, closed at start on a narrow map (phone, embed).
* :class:`LocatorInset` (top right): the whole Gulf of Thailand as a small SVG with a red box
  for the current view; shown only once the reader has zoomed in past most of the region.
* :class:`CoastlineNote` (bottom right): at zoom >= 11 with no tile layer, says the offline
  coastline is approximate and offers to switch the page's basemap to satellite imagery.
"""

from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium

from .basemap import FILES, LAND_COLOR, SEA_COLOR, basemap_dir
from .registry import BY_ID, DISPLAY_ORDER
from .spec import CONTESTED_OUTLINE, LayerSpec, LegendEntry

INSET_BBOX = (98.5, 5.5, 106.5, 14.5)  # lon_min, lat_min, lon_max, lat_max: the Gulf of Thailand
INSET_SIZE = (130, 120)  # px
INSET_TOLERANCE = 0.03  # degrees, Douglas-Peucker on the land before projecting
INSET_HIDE_FRACTION = 0.6  # hide the inset when the view spans more than this share of it
INSET_MIN_BOX = 6  # px: a smaller view box is drawn as a cross
INSET_LABEL = "Locator: where this view lies in the Gulf of Thailand"
NARROW_MAP_PX, SHORT_MAP_PX = 500, 520  # the legend starts closed on a map narrower / lower
COAST_NOTE_MIN_ZOOM = 11
IMAGERY_SELECTOR = ".st-key-gw-imagery button"
COAST_NOTE_TEXT = "Offline coastline is approximate at this scale (Natural Earth 1:10m, ~1 km off)."
COAST_NOTE_BUTTON = "Show satellite imagery"
COAST_NOTE_FALLBACK = "Pick “Esri World Imagery” under Basemap."
VIEW_COLOR = "#d62728"

OUTLINE_MEANINGS = (  # (swatch kind, text)
    ("solid", "published coordinate"),
    ("dashed", "estimated or schematic"),
    ("contested", "contested: claims and denials"),
    ("ring", "location uncertainty"),
    ("site", "site of several features: zoom in"),  # render.py's site symbol
)

_esc = html.escape


# =========================================================================== legend

def _swatch(shape: str, color: str, dashed: bool = False, stroke: str | None = None,
            width: float = 1.6, dash: str = "3 2") -> str:
    """A 16×12 inline SVG swatch (no images, no emoji)."""
    c, s = _esc(color), _esc(stroke or color)
    da = f' stroke-dasharray="{_esc(dash)}"' if dashed else ""
    paint = f'fill="{c}" fill-opacity="0.3" stroke="{s}" stroke-width="{width}"{da}'
    if shape == "line":
        body = f'<line x1="1" y1="6" x2="15" y2="6" stroke="{s}" stroke-width="2.5"{da}/>'
    elif shape == "square":
        body = f'<rect x="2" y="1.5" width="12" height="9" rx="1" {paint}/>'
    elif shape == "dot":
        body = (f'<circle cx="8" cy="6" r="4.3" fill="{c}" fill-opacity="0.85" stroke="{s}" '
                f'stroke-width="1.8"/>')
    else:
        body = f'<circle cx="8" cy="6" r="4.5" {paint}/>'
    return (f'<svg class="gw-lg-sw" width="16" height="12" viewBox="0 0 16 12" aria-hidden="true" '
            f'focusable="false">{body}</svg>')


def _row(swatch: str, text: str) -> str:
    return f'<div class="gw-lg-row">{swatch}<span>{_esc(text)}</span></div>'


def _item(swatch: str, text: str) -> str:
    return f'<span class="gw-lg-item">{swatch}<span>{_esc(text)}</span></span>'


def _outline_swatch(kind: str) -> str:
    grey = "#555"
    return {
        "solid": _swatch("square", "#ffffff", stroke=grey),
        "dashed": _swatch("square", "#ffffff", dashed=True, stroke=grey),
        "contested": _swatch("square", "#ffffff", stroke=CONTESTED_OUTLINE, width=2.4),
        "ring": _swatch("circle", "#ffffff", dashed=True, stroke=grey, width=1.2, dash="1.2 1.8"),
        "site": _swatch("dot", "#777777", stroke="#444444"),
    }[kind]


def legend_html(layers: tuple[LayerSpec, ...] | None = None) -> str:
    """The legend's HTML: one block per layer (in :data:`DISPLAY_ORDER`), then the outlines."""
    specs = layers if layers is not None else tuple(BY_ID[i] for i in DISPLAY_ORDER)
    parts = ['<details class="gw-legend" open><summary>Legend</summary><div class="gw-lg-body">']
    for spec in specs:  # one line per layer, its entries side by side
        entries: tuple[LegendEntry, ...] = spec.legend or (LegendEntry(spec.title, spec.color),)
        parts.append(f'<div class="gw-lg-layer" data-layer="{_esc(spec.id)}" title="{_esc(spec.title)}">'
                     + "".join(_item(_swatch(e.shape, e.color, e.dashed), e.label) for e in entries)
                     + "</div>")
    parts.append('<div class="gw-lg-layer gw-lg-outlines">')
    parts += [_row(_outline_swatch(kind), text) for kind, text in OUTLINE_MEANINGS]
    parts.append("</div></div></details>")
    return "".join(parts)


class Legend(folium.MacroElement):
    """The legend as a Leaflet control (bottom right), closed at start on a small map (narrower
    than ``narrow_px`` or lower than ``short_px``: a phone, an embed), reachable by a click."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gw-legend-ctl");
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var d = div.querySelector("details");
    var c = map.getContainer();
    if (d && (c.clientWidth < {{ this.narrow }} || c.clientHeight < {{ this.short }})) { d.open = false; }
    return div;
  };
  ctl.addTo(map);
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, layers: tuple[LayerSpec, ...] | None = None, position: str = "bottomright",
                 narrow_px: int = NARROW_MAP_PX, short_px: int = SHORT_MAP_PX) -> None:
        super().__init__()
        self._name = "GwLegend"
        self.html = legend_html(layers)
        self.position = position
        self.narrow, self.short = int(narrow_px), int(short_px)


# =========================================================================== locator inset

def _merc(lat: float) -> float:
    """Web-Mercator y in degrees (same units as longitude)."""
    lat = max(-85.0, min(85.0, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _unmerc(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def inset_projection(bbox: tuple[float, float, float, float] = INSET_BBOX,
                     size: tuple[int, int] = INSET_SIZE) -> dict[str, float]:
    """Web-Mercator projection of ``bbox`` onto a ``size`` px box, north up, one scale for
    both axes: the box is widened (or heightened) about its centre to fill ``size`` exactly.
    Returns ``lon0, lon1, lat0, lat1`` (the box actually shown), ``ymax`` (Mercator y of its
    top), ``k`` (px per degree) and ``width, height``."""
    x0, y0, x1, y1 = (float(v) for v in bbox)
    w, h = int(size[0]), int(size[1])
    m0, m1 = _merc(y0), _merc(y1)
    k = min(w / (x1 - x0), h / (m1 - m0))
    cx, cm = (x0 + x1) / 2, (m0 + m1) / 2
    hx, hm = w / k / 2, h / k / 2
    return {"lon0": round(cx - hx, 6), "lon1": round(cx + hx, 6),
            "lat0": round(_unmerc(cm - hm), 6), "lat1": round(_unmerc(cm + hm), 6),
            "ymax": round(cm + hm, 6), "k": round(k, 6), "width": w, "height": h}


def project(lon: float, lat: float, proj: dict[str, float]) -> tuple[float, float]:
    """SVG (x, y) of a point, as the inset's JavaScript computes it."""
    return (lon - proj["lon0"]) * proj["k"], (proj["ymax"] - _merc(lat)) * proj["k"]


def _fmt(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _land_path(land: dict[str, Any], proj: dict[str, float], tolerance: float) -> str:
    import shapely
    from shapely.geometry import box, shape

    geoms = [shape(f["geometry"]) for f in land.get("features", []) if f.get("geometry")]
    if not geoms:
        return ""
    pad = 0.5
    clip = box(proj["lon0"] - pad, proj["lat0"] - pad, proj["lon1"] + pad, proj["lat1"] + pad)
    g = shapely.intersection(shapely.union_all(geoms), clip)
    g = shapely.simplify(g, tolerance, preserve_topology=True)
    min_area = (1.5 / proj["k"]) ** 2  # drop islands smaller than ~1.5 px square
    out: list[str] = []
    for poly in shapely.get_parts(g):
        if poly.geom_type != "Polygon" or poly.is_empty or poly.area < min_area:
            continue
        for ring in (poly.exterior, *poly.interiors):
            pts, last = [], None
            for lon, lat in ring.coords[:-1]:
                p = " ".join(_fmt(v) for v in project(lon, lat, proj))
                if p != last:
                    pts.append(p)
                    last = p
            if len(pts) >= 3:
                out.append("M" + "L".join(pts) + "Z")
    return "".join(out)


@lru_cache(maxsize=8)
def _cached_land(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def inset_svg(land: str | Path | dict[str, Any], bbox: tuple[float, float, float, float] = INSET_BBOX,
              size: tuple[int, int] = INSET_SIZE,
              tolerance: float = INSET_TOLERANCE) -> tuple[str, dict[str, float]]:
    """``(svg markup, projection)`` of the locator inset: sea, land (``land`` is a GeoJSON
    path or dict, clipped to ``bbox`` and simplified), and the view box and cross the map's
    script moves (hidden at first).  Projection as :func:`inset_projection`."""
    if not isinstance(land, dict):
        st = Path(land).stat()
        land = _cached_land(str(land), st.st_mtime_ns, st.st_size)
    proj = inset_projection(bbox, size)
    w, h = proj["width"], proj["height"]
    d = _land_path(land, proj, tolerance)
    red = _esc(VIEW_COLOR)
    svg = (f'<svg class="gw-inset-svg" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{_esc(INSET_LABEL)}">'
           f'<rect width="{w}" height="{h}" fill="{_esc(SEA_COLOR)}"/>'
           f'<path d="{d}" fill="{_esc(LAND_COLOR)}" stroke="#9c9588" stroke-width="0.5" '
           f'fill-rule="evenodd"/>'
           f'<rect class="gw-inset-view" x="0" y="0" width="0" height="0" fill="{red}" '
           f'fill-opacity="0.12" stroke="{red}" stroke-width="1.5" display="none"/>'
           f'<path class="gw-inset-cross" d="M-4 -4L4 4M-4 4L4 -4" stroke="{red}" stroke-width="2" '
           f'stroke-linecap="round" display="none"/></svg>')
    return svg, proj


class LocatorInset(folium.MacroElement):
    """Where in the Gulf the view lies: shown once the view spans less than
    ``hide_fraction`` of the inset (the reader has zoomed in), with a red box (or cross)."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var P = {{ this.proj|tojson }}, HIDE = {{ this.hide_fraction }}, MIN = {{ this.min_box }};
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gw-inset");
    div.innerHTML = {{ this.svg|tojson }};
    div.style.display = "none";
    return div;
  };
  ctl.addTo(map);
  var div = ctl.getContainer(), rect = div.querySelector(".gw-inset-view"),
      cross = div.querySelector(".gw-inset-cross");
  function merc(lat) {
    lat = Math.max(-85, Math.min(85, lat));
    return 180 / Math.PI * Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360));
  }
  function xy(ll) { return [(ll.lng - P.lon0) * P.k, (P.ymax - merc(ll.lat)) * P.k]; }
  function clamp(v, hi) { return Math.max(0, Math.min(hi, v)); }
  function r1(v) { return String(Math.round(v * 10) / 10); }
  function upd() {
    var b = map.getBounds(), sw = xy(b.getSouthWest()), ne = xy(b.getNorthEast());
    if (ne[0] - sw[0] > HIDE * P.width || sw[1] - ne[1] > HIDE * P.height) {
      div.style.display = "none"; return;
    }
    div.style.display = "";
    var x0 = clamp(sw[0], P.width), x1 = clamp(ne[0], P.width),
        y0 = clamp(ne[1], P.height), y1 = clamp(sw[1], P.height);
    if (x1 - x0 < MIN || y1 - y0 < MIN) {
      rect.setAttribute("display", "none");
      cross.setAttribute("transform", "translate(" + r1((x0 + x1) / 2) + " " + r1((y0 + y1) / 2) + ")");
      cross.removeAttribute("display");
    } else {
      cross.setAttribute("display", "none");
      rect.setAttribute("x", r1(x0)); rect.setAttribute("y", r1(y0));
      rect.setAttribute("width", r1(x1 - x0)); rect.setAttribute("height", r1(y1 - y0));
      rect.removeAttribute("display");
    }
  }
  map.on("moveend zoomend resize", upd);
  upd();
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, land: str | Path | dict[str, Any] | None = None,
                 bbox: tuple[float, float, float, float] = INSET_BBOX, size: tuple[int, int] = INSET_SIZE,
                 position: str = "topright", hide_fraction: float = INSET_HIDE_FRACTION,
                 min_box: float = INSET_MIN_BOX) -> None:
        super().__init__()
        self._name = "GwLocatorInset"
        if land is None:
            land = basemap_dir() / FILES["land"]
        self.svg, self.proj = inset_svg(land, bbox, size)
        self.position = position
        self.hide_fraction = float(hide_fraction)
        self.min_box = float(min_box)


# =========================================================================== coastline note

def coast_note_html() -> str:
    return (f'<div class="gw-coast-text">{_esc(COAST_NOTE_TEXT)}</div>'
            f'<button type="button" class="gw-coast-btn">{_esc(COAST_NOTE_BUTTON)}</button>')


class CoastlineNote(folium.MacroElement):
    """At zoom >= ``min_zoom`` with no tile layer on the map: the offline coastline is only
    approximate.  Its button clicks the page's own control (``selector``, in the parent
    document: the map runs in a same-origin iframe); failing that it says what to pick."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var SEL = {{ this.selector|tojson }}, MIN = {{ this.min_zoom }};
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gw-coast-note");
    div.innerHTML = {{ this.html|tojson }};
    div.style.display = "none";
    div.setAttribute("role", "note");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo(map);
  var div = ctl.getContainer(), btn = div.querySelector("button");
  btn.addEventListener("click", function () {
    var target = null;
    try { target = window.parent.document.querySelector(SEL); if (target) { target.click(); } }
    catch (e) { target = null; }
    if (!target && btn.parentNode) {
      var s = document.createElement("span");
      s.className = "gw-coast-fallback";
      s.textContent = {{ this.fallback|tojson }};
      btn.parentNode.replaceChild(s, btn);
    }
  });
  function hasTiles() {
    var t = false;
    map.eachLayer(function (l) { if (l instanceof L.TileLayer) { t = true; } });
    return t;
  }
  function upd() { div.style.display = map.getZoom() >= MIN && !hasTiles() ? "" : "none"; }
  map.on("zoomend", upd);
  map.on("layeradd layerremove", function (e) { if (e.layer instanceof L.TileLayer) { upd(); } });
  upd();
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, selector: str = IMAGERY_SELECTOR, min_zoom: int = COAST_NOTE_MIN_ZOOM,
                 position: str = "bottomright") -> None:
        super().__init__()
        self._name = "GwCoastlineNote"
        self.selector = str(selector)
        self.min_zoom = int(min_zoom)
        self.position = position
        self.html = coast_note_html()
        self.fallback = COAST_NOTE_FALLBACK


# =========================================================================== CSS and wiring

_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
OVERLAYS_CSS = f"""<style>
.gw-legend-ctl, .gw-coast-note {{ background: rgba(255,255,255,.92); border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); color: #222; font: 12px/1.35 {_FONT}; }}
.gw-legend-ctl {{ box-sizing: border-box; max-width: 190px; padding: 3px 7px; line-height: 1.2; font-size: 11.5px; }}
.gw-legend summary {{ cursor: pointer; font-weight: 600; }}
.gw-lg-body {{ max-height: calc(100vh - 140px); overflow-y: auto; }}
.gw-lg-layer {{ margin-top: 2px; display: flex; flex-wrap: wrap; gap: 0 6px; }}
.gw-lg-item {{ display: inline-flex; align-items: flex-start; gap: 3px; }}
.gw-lg-title {{ font-weight: 600; margin-bottom: 1px; }}
.gw-lg-row {{ display: flex; align-items: flex-start; gap: 5px; margin: 1px 0; }}
.gw-lg-sw {{ flex: none; margin-top: 2px; }}
.gw-lg-outlines {{ border-top: 1px solid #ddd; padding-top: 2px; display: block; }}
.leaflet-control.gw-inset {{ pointer-events: none; line-height: 0; border-radius: 4px;
  overflow: hidden; border: 1px solid rgba(0,0,0,.35); box-shadow: 0 1px 5px rgba(0,0,0,.4);
  background: {SEA_COLOR}; }}
@media (max-width: 480px) {{ .gw-inset-svg {{ width: 86px; height: auto; }} }}
.gw-coast-note {{ max-width: 240px; padding: 4px 8px; }}
.gw-coast-btn {{ margin-top: 3px; font: inherit; cursor: pointer; padding: 1px 7px;
  border: 1px solid #888; border-radius: 3px; background: #fff; }}
.gw-coast-fallback {{ display: block; margin-top: 3px; font-weight: 600; }}
</style>"""


def add_overlays(m: folium.Map, data_dir: Path | None = None,
                 selector: str = IMAGERY_SELECTOR) -> folium.Map:
    """Add the legend, the locator inset and the coastline note (and their CSS) to the base
    map.  ``data_dir``: the ``data/`` folder or ``data/basemap`` (falls back to the repo's
    basemap when it has none).  Idempotent: fixed child names, a second call replaces them."""
    d = basemap_dir(data_dir)
    if not (d / FILES["land"]).exists():
        d = basemap_dir(None)
    m.add_child(Legend(), name="gw_legend")
    m.add_child(LocatorInset(d / FILES["land"]), name="gw_locator_inset")
    m.add_child(CoastlineNote(selector), name="gw_coastline_note")
    m.get_root().header.add_child(folium.Element(OVERLAYS_CSS), name="gw_overlays_css")
    return m


__all__ = [
    "COAST_NOTE_TEXT", "IMAGERY_SELECTOR", "INSET_BBOX", "INSET_LABEL", "INSET_SIZE", "OUTLINE_MEANINGS",
    "OVERLAYS_CSS", "CoastlineNote", "Legend", "LocatorInset", "add_overlays", "coast_note_html",
    "inset_projection", "inset_svg", "legend_html", "project",
]
