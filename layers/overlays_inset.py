"""The locator inset (top right): the whole Gulf of Thailand as a small SVG with a red box for
the current view; shown only once the reader has zoomed in past most of the region.

:func:`inset_svg` draws the SVG (pure Python, for the tests) in the Web-Mercator projection of
:func:`inset_projection`, which the control's script repeats to move the box;
:class:`LocatorInset` adds it as a Leaflet control.  Part of the base map's fixed JavaScript
(:func:`layers.overlays.add_overlays`).
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

INSET_BBOX = (98.5, 5.5, 106.5, 14.5)  # lon_min, lat_min, lon_max, lat_max: the Gulf of Thailand
INSET_SIZE = (130, 120)  # px
INSET_TOLERANCE = 0.03  # degrees, Douglas-Peucker on the land before projecting
INSET_HIDE_FRACTION = 0.6  # hide the inset when the view spans more than this share of it
INSET_MIN_BOX = 6  # px: a smaller view box is drawn as a cross
INSET_LABEL = "Locator: where this view lies in the Gulf of Thailand"
VIEW_COLOR = "#d62728"

_esc = html.escape


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


__all__ = [
    "INSET_BBOX", "INSET_HIDE_FRACTION", "INSET_LABEL", "INSET_MIN_BOX", "INSET_SIZE", "INSET_TOLERANCE",
    "VIEW_COLOR", "LocatorInset", "inset_projection", "inset_svg", "project",
]
