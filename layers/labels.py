"""Names of the key sites, drawn on the map as text, by priority, without overlapping.

* :func:`label_candidates` — one :class:`Label` per feature: its ``label`` (else its name, cut to
  32 characters), an anchor, a rank (``label_rank``, else by layer: ream 1, drills 2,
  economic 3, context 4) and whether it is a point (text to the right of the symbol) or an area
  (text centred on the anchor).  An area less than 48 px across on screen (Ream, ~1 km, below
  zoom 13) is labelled like a point: its text beside it, not over it (CSS class ``gw-ptzK``).
* :func:`place_labels` — pure and deterministic: for every zoom, greedy in priority order
  (rank, then the larger feature, then the id) on Web-Mercator pixels; a label is kept when its
  box overlaps no box already kept.  Each label gets the zoom from which it is always kept.
* :func:`label_markers` — ``folium.Marker``\\ s with a ``DivIcon`` (non-interactive, in the
  ``gwLabels`` pane); a label with class ``gw-lzM`` is hidden below zoom M by :data:`LABEL_CSS`
  and the zoom classes that :class:`LabelZoom` keeps on the map container.

Natural Earth (NE) place names of the basemap (:func:`ne_place_obstacles`) rank *between* 2
and 3: rank 1–2 labels (Ream, Golden Dragon 2024, Phnom Penh, Sihanoukville) win over a town
name, and in the browser :class:`LabelZoom` hides an NE name that a visible feature label
covers; rank 3–5 labels give way to NE names instead, so the basemap stays readable.  A feature
label whose text equals an NE place name within 15 km replaces it: the NE name is no obstacle
(and the browser hides it), because the feature label belongs to a feature you can click.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import folium
from shapely.geometry import Point, shape

from .geodesy import distance_km, representative_point
from .model import Feature

DEFAULT_RANK = {"ream": 1, "drills": 2, "economic": 3, "context": 4}
MAX_CHARS = 32
ZOOMS = range(4, 17)
MAP_ZOOMS = range(4, 19)  # the app's map: min zoom 4, max zoom 18
PANE, PANE_Z = "gwLabels", 620
ZOOM_CLASS_STEPS = tuple(range(4, 20))  # gw-zltK on the map container when zoom < K (max zoom 18)
CHAR_EM = 0.62  # average glyph width / font size: semi-bold sans-serif, wide fonts included
PAD = 6  # px: 3 px either side of the text, and font size + 6 = line height
POINT_OFFSET = 14  # px from a point to the start of its label's text
SYMBOL_PX = 24  # a point feature's symbol, as a box around it
AREA_MIN_PX = 2 * SYMBOL_PX  # a smaller area (or its site symbol) is labelled like a point
NE_FONT_PX, NE_LINE_PX = 12, 18  # NE place names (11 px, capitals 12.5 px; a little margin)
NE_RANK = 2.5  # NE names give way to rank 1–2 labels, and win over rank 3–5 ones
DUPLICATE_KM = 15.0

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in world pixels at one zoom
Obstacle = tuple[float, float, str, int]  # lat, lon, text, min zoom (an NE place name)


@dataclass(frozen=True)
class Label:
    feature_id: str
    layer: str
    text: str
    lat: float
    lon: float
    rank: int
    point: bool  # True: text to the right of the point; False: centred on the anchor
    size: float = 0.0  # the feature's extent in degrees (the larger is placed first)
    point_below: int = 0  # an area under AREA_MIN_PX across is labelled like a point below this zoom

    def as_point(self, zoom: int) -> bool:
        return self.point or zoom < self.point_below


def _clip(text: str, n: int = MAX_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def label_candidates(features: Iterable[Feature]) -> list[Label]:
    """One label per feature, anchored at a point's own coordinates, at shapely's
    ``representative_point`` of an area (always inside it), and halfway along a line
    (:func:`layers.geodesy.representative_point`: shapely's point of a line is often an end)."""
    out = []
    for f in features:
        p = f.props
        g = shape(f.geometry)
        if "Line" in g.geom_type:
            lon, lat = representative_point(g)
        else:
            rp = g.representative_point()
            lon, lat = float(rp.x), float(rp.y)
        minx, miny, maxx, maxy = g.bounds
        out.append(Label(
            feature_id=f.id, layer=p.layer, text=_clip(p.label or p.name),
            lat=lat, lon=lon,
            rank=p.label_rank if p.label_rank is not None else DEFAULT_RANK.get(p.layer, 3),
            point=g.geom_type in ("Point", "MultiPoint"),
            size=max(maxx - minx, maxy - miny), point_below=_point_below(g, lon, lat)))
    return out


def _point_below(g, lon: float, lat: float) -> int:
    """The first zoom at which the area part holding the anchor is AREA_MIN_PX across (0 for
    points and lines; at most 19: beyond the map's zoom 18)."""
    if g.geom_type not in ("Polygon", "MultiPolygon"):
        return 0
    here = Point(lon, lat)
    part = next((p for p in getattr(g, "geoms", [g]) if p.intersects(here)), g)
    minx, miny, maxx, maxy = part.bounds
    for z in range(20):
        (x0, y0), (x1, y1) = world_px(maxy, minx, z), world_px(miny, maxx, z)
        if min(x1 - x0, y1 - y0) >= AREA_MIN_PX:
            return z
    return 19


def priority(label: Label) -> tuple[int, float, str]:
    """Sort key: most important first."""
    return (label.rank, -label.size, label.feature_id)


# --------------------------------------------------------------------------- geometry

def world_px(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web-Mercator pixel coordinates in a world 256·2^zoom pixels wide (as Leaflet)."""
    scale = 256.0 * 2 ** zoom
    s = math.sin(math.radians(max(-85.0511, min(85.0511, lat))))
    return ((lon + 180.0) / 360.0 * scale,
            (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale)


def label_font_px(label: Label, font_px: int = 12) -> int:
    return font_px + 1 if label.rank == 1 else font_px


def label_box(label: Label, zoom: int, font_px: int = 12) -> Box:
    """The box a label covers at ``zoom`` (as :data:`LABEL_CSS` draws it)."""
    f = label_font_px(label, font_px)
    bold = 1.08 if label.rank == 1 else 1.0  # rank 1 is bold, the others semi-bold
    w, h = CHAR_EM * bold * f * len(label.text) + PAD, f + PAD
    x, y = world_px(label.lat, label.lon, zoom)
    if label.as_point(zoom):
        x0 = x + POINT_OFFSET - PAD / 2
        return (x0, y - h / 2, x0 + w, y + h / 2)
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def symbol_box(label: Label, zoom: int) -> Box:
    x, y = world_px(label.lat, label.lon, zoom)
    r = SYMBOL_PX / 2
    return (x - r, y - r, x + r, y + r)


def obstacle_box(ob: Obstacle, zoom: int) -> Box:
    """An NE place name: a dot, and the name 5 px to its right (see ``basemap._BASEMAP_CSS``)."""
    lat, lon, text, _ = ob
    x, y = world_px(lat, lon, zoom)
    return (x - 3, y - NE_LINE_PX / 2, x + 5 + CHAR_EM * NE_FONT_PX * len(text) + 3, y + NE_LINE_PX / 2)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _hits(box: Box, boxes: Sequence[Box]) -> bool:
    return any(overlaps(box, b) for b in boxes)


def replaces(label: Label, ob: Obstacle) -> bool:
    """The feature label says what the NE name says, within 15 km: the NE name gives way."""
    return (label.text.casefold() == ob[2].casefold()
            and distance_km((label.lon, label.lat), (ob[1], ob[0])) <= DUPLICATE_KM)


# --------------------------------------------------------------------------- placement

def place_labels(labels: Iterable[Label], zooms: Iterable[int] = ZOOMS, font_px: int = 12,
                 obstacles: Iterable[Obstacle] = ()) -> dict[str, int | None]:
    """feature id → the zoom from which its label is shown (``None``: not within ``zooms``).

    Per zoom, in :func:`priority` order, a label is kept when its box overlaps no kept label,
    no point symbol of a more important feature (:data:`SYMBOL_PX` square) and, for ranks 3–5,
    no NE name (``obstacles``, each from its own min zoom) that no rank 1–2 label covers.
    The result is the first zoom from which the label is kept at every higher zoom in range,
    so a label never disappears when zooming in."""
    return dict(_place(tuple(labels), tuple(sorted(set(zooms))), int(font_px), tuple(obstacles)))


@lru_cache(maxsize=64)
def _place(labels: tuple[Label, ...], zooms: tuple[int, ...], font_px: int,
           obstacles: tuple[Obstacle, ...]) -> tuple[tuple[str, int | None], ...]:
    order = sorted(labels, key=priority)
    obstacles = tuple(o for o in obstacles if not any(replaces(lab, o) for lab in labels))
    kept: dict[str, set[int]] = {lab.feature_id: set() for lab in labels}
    for z in zooms:
        boxes: list[Box] = []  # kept feature labels
        symbols: list[Box] = []  # point symbols of the features placed so far
        ne: list[Box] | None = None  # NE names left standing once ranks 1–2 are placed
        for lab in order:
            if ne is None and lab.rank > NE_RANK:
                ne = [b for b in (obstacle_box(o, z) for o in obstacles if o[3] <= z) if not _hits(b, boxes)]
            box = label_box(lab, z, font_px)
            if not (_hits(box, boxes) or _hits(box, symbols) or (ne and _hits(box, ne))):
                boxes.append(box)
                kept[lab.feature_id].add(z)
            if lab.as_point(z):
                symbols.append(symbol_box(lab, z))
    out = []
    for lab in labels:
        first = None
        for z in reversed(zooms):
            if z not in kept[lab.feature_id]:
                break
            first = z
        out.append((lab.feature_id, first))
    return tuple(out)


def ne_place_obstacles(data_dir: Path | None = None) -> list[Obstacle]:
    """The basemap's NE place names as obstacles ``(lat, lon, name, min zoom)``; ``data_dir``
    is ``data/`` or ``data/basemap`` (default: the repository's).  Empty if the file is missing."""
    from .basemap import FILES, _place_min_zoom, basemap_dir, load_geojson

    path = basemap_dir(data_dir) / FILES["places"]
    if not path.exists():
        return []
    out = []
    for f in load_geojson(path)["features"]:
        lon, lat = f["geometry"]["coordinates"][:2]
        out.append((float(lat), float(lon), str(f["properties"]["NAME"]), _place_min_zoom(f["properties"])))
    return out


# --------------------------------------------------------------------------- rendering

def label_class(label: Label, min_zoom: int) -> str:
    kind = "point" if label.point else "area"
    cls = f"gw-label gw-label-{kind} gw-lz{int(min_zoom)} gw-rank{int(label.rank)}"
    return cls + (f" gw-ptz{label.point_below}" if not label.point and label.point_below > min_zoom else "")


def label_marker(label: Label, min_zoom: int) -> folium.Marker:
    """One non-interactive text marker in the :data:`PANE` pane."""
    span = (f'<span data-feature="{html.escape(label.feature_id)}">'
            f"{html.escape(label.text)}</span>")
    icon = folium.DivIcon(html=span, icon_size=(0, 0), icon_anchor=(0, 0),
                          class_name=label_class(label, min_zoom))
    return folium.Marker(location=[label.lat, label.lon], icon=icon, interactive=False,
                         keyboard=False, pane=PANE)


def label_markers(labels: Iterable[Label], min_zooms: Mapping[str, int | None]) -> list[folium.Marker]:
    """Markers for the labels that are shown at some zoom (``min_zooms`` from
    :func:`place_labels`); a label that never fits is left out."""
    return [label_marker(lab, min_zooms[lab.feature_id]) for lab in labels
            if min_zooms.get(lab.feature_id) is not None]


_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
LABEL_CSS = f"""<style>
.gw-label {{ pointer-events: none; }}
.gw-label span {{ position: absolute; top: 0; padding: 0 {PAD // 2}px; white-space: nowrap;
  color: #1b2230; font: 600 12px/{12 + PAD}px {_FONT};
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }}
.gw-label-point span {{ left: {POINT_OFFSET - PAD // 2}px; transform: translateY(-50%); }}
.gw-label-area span {{ left: 0; transform: translate(-50%, -50%); }}
{chr(10).join(f".gw-zlt{k} .gw-ptz{k} span {{ left: {POINT_OFFSET - PAD // 2}px; transform: translateY(-50%); }}"
              for k in ZOOM_CLASS_STEPS)}
.gw-label.gw-rank1 span {{ font-size: 13px; line-height: {13 + PAD}px; font-weight: 700; color: #111; }}
.gw-ne-place.gw-ne-yield {{ visibility: hidden; }}
{chr(10).join(f".gw-zlt{k} .gw-lz{k} {{ display: none; }}" for k in ZOOM_CLASS_STEPS)}
</style>"""


class LabelZoom(folium.MacroElement):
    """Fixed script for the base map: creates the :data:`PANE` pane (z-index 620, above markers,
    below tooltips, no pointer events), keeps ``gw-zltK`` classes on the map container for every
    K in 4…18 the zoom is below (basemap's own hook does 5…8 the same way), and lets NE place
    names give way: after a zoom or a layer change (once per animation frame) an NE name whose
    on-screen box overlaps a visible feature label, or that a feature label of the same text
    within 15 km replaces, gets ``gw-ne-yield`` (hidden, still measurable), and loses it again
    once nothing covers it.  A feature's name under one of the map's controls (locator inset,
    legend, coastline note) moves to the other side of its point, or is hidden while covered."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var PANE = {{ this.pane|tojson }}, c = map.getContainer(), queued = false;
  if (!map.getPane(PANE)) {
    var p = map.createPane(PANE); p.style.zIndex = {{ this.z_index }}; p.style.pointerEvents = "none";
  }
  function zoomClasses() {
    var z = map.getZoom();
    {{ this.steps|tojson }}.forEach(function (k) {
      L.DomUtil[z < k ? "addClass" : "removeClass"](c, "gw-zlt" + k);
    });
  }
  function rect(el) { var r = el && el.getBoundingClientRect(); return r && r.width > 0 ? r : null; }
  function hit(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
  function yieldNames() {
    queued = false;
    var ours = [], a = map.getCenter(), b = [a.lat + {{ this.dup_deg }}, a.lng];  // 15 km north
    var dup = Math.abs(map.latLngToContainerPoint(a).y - map.latLngToContainerPoint(b).y);
    var cr = c.getBoundingClientRect();
    c.querySelectorAll(".gw-label span").forEach(function (s) {  // keep names inside the map:
      s.style.marginLeft = "";                                    // a point's name moves to its
      var r = rect(s), ax = s.parentNode.getBoundingClientRect().left;  // left, an area's slides
      if (!r) { return; }
      if (r.right > cr.right - 4) {
        s.style.marginLeft = (r.left > ax + 4 ? -(r.width + 2 * (r.left - ax)) : cr.right - 4 - r.right) + "px";
      } else if (r.left < cr.left + 4 && r.left < ax) {
        s.style.marginLeft = (cr.left + 4 - r.left) + "px";
      }
    });
    // a name under a control (locator inset, legend, coastline note) moves to the other side of
    // its point, or is hidden while the control covers it
    var ctls = [];
    c.querySelectorAll(".leaflet-control").forEach(function (el) { var r = rect(el); if (r) { ctls.push(r); } });
    function covered(r) { return ctls.some(function (k) { return hit(r, k); }); }
    c.querySelectorAll(".gw-label span").forEach(function (s) {
      s.style.visibility = "";
      var r = rect(s), ax = s.parentNode.getBoundingClientRect().left;
      if (!r || !covered(r)) { return; }
      var was = s.style.marginLeft;
      if (r.left > ax + 4) {  // a point's name on its right: try its left
        s.style.marginLeft = -(r.width + 2 * (r.left - ax)) + "px";
      } else if (was) {        // moved left at the map's edge: try its own place
        s.style.marginLeft = "";
      }
      var r2 = rect(s);
      if (r2 && !covered(r2) && r2.left >= cr.left + 4 && r2.right <= cr.right - 4) { return; }
      s.style.marginLeft = was;
      s.style.visibility = "hidden";
    });
    c.querySelectorAll(".gw-label span").forEach(function (s) {
      var r = rect(s), o = s.parentNode.getBoundingClientRect();
      if (r && s.style.visibility !== "hidden") { ours.push([r, s.textContent.toLowerCase(), o.left, o.top]); }
    });
    c.querySelectorAll(".gw-ne-place").forEach(function (el) {
      var s = el.querySelector("span"), r = rect(s), o = el.getBoundingClientRect(), hide = false;
      for (var i = 0; r && !hide && i < ours.length; i++) {
        hide = hit(r, ours[i][0]) || (ours[i][1] === s.textContent.toLowerCase()
          && Math.abs(o.left - ours[i][2]) + Math.abs(o.top - ours[i][3]) <= dup);
      }
      L.DomUtil[hide ? "addClass" : "removeClass"](el, "gw-ne-yield");
    });
  }
  function later() { if (!queued) { queued = true; requestAnimationFrame(yieldNames); } }
  map.on("zoomend", function () { zoomClasses(); later(); });
  map.on("layeradd layerremove moveend resize", later);
  if (window.ResizeObserver) {  // a control shown, folded or grown (legend, inset, coastline note)
    var ro = new ResizeObserver(later);
    c.querySelectorAll(".leaflet-control-container > div").forEach(function (el) { ro.observe(el); });
  }
  zoomClasses(); later();
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "GwLabelZoom"
        self.pane, self.z_index = PANE, PANE_Z
        self.steps = list(ZOOM_CLASS_STEPS)
        self.dup_deg = round(DUPLICATE_KM / 111.2, 5)


def add_label_support(m: folium.Map) -> folium.Map:
    """Call once on the base map (fixed JavaScript): the label pane, CSS and zoom hook."""
    m.add_child(LabelZoom(), name="gw_label_zoom")
    m.get_root().header.add_child(folium.Element(LABEL_CSS), name="gw_label_css")
    return m


def feature_labels(features: Sequence[Feature], obstacles: Iterable[Obstacle] = (),
                   zooms: Iterable[int] = MAP_ZOOMS) -> tuple[list[Label], dict[str, int | None]]:
    """Candidates and their min zooms for every zoom of the map (4–18), in one call (the
    placement is cached: cheap on every rerun)."""
    labels = label_candidates(features)
    return labels, place_labels(labels, zooms, obstacles=obstacles)


__all__ = [
    "DEFAULT_RANK", "LABEL_CSS", "PANE", "PANE_Z", "ZOOMS", "MAP_ZOOMS", "ZOOM_CLASS_STEPS", "Label", "LabelZoom",
    "add_label_support", "label_font_px",
    "feature_labels", "label_box", "label_candidates", "label_class", "label_marker", "label_markers",
    "ne_place_obstacles", "obstacle_box", "overlaps", "place_labels", "priority", "symbol_box", "world_px",
]
