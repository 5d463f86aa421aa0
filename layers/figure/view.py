"""What part of the world a figure shows, and at what size (pure: no matplotlib here).

A view is a box in longitude/latitude (``minlon, minlat, maxlon, maxlat``).  It comes from the
app's map (centre and zoom, framed as a :data:`FRAME_PX` map), from a feature (the app's
:func:`layers.render.view_for`), or is the opening view (:data:`layers.mapframe.GULF_BOUNDS`).
The figure draws it in Web Mercator (EPSG:3857), like the map, widened or heightened about its
centre to fill the map panel (as Leaflet's ``fitBounds``), and kept inside the Natural Earth
extract (97–118° E, 0–17.5° N) where the panel allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

R = 6378137.0  # Web Mercator sphere radius, metres
WORLD_M = 2 * math.pi * R  # the world's width in EPSG:3857 metres
CSS_PX_PER_PT = 96 / 72  # a CSS pixel is 1/96 in, a point 1/72 in
FRAME_PX = (1200, 800)  # the map frame a centre and zoom are read in
# about a figure's map panel in CSS px: a feature's figure shows what the map shows at the zoom
# it opens the feature at (layers.render.view_for)
FEATURE_FRAME_PX = (560, 360)
DATA_BOUNDS = (97.0, 0.0, 118.0, 17.5)  # the Natural Earth extract (data/basemap)
GULF_BBOX = (99.15, 6.9, 105.35, 13.95)  # layers.mapframe.GULF_BOUNDS as lon/lat box
MM = 1 / 25.4  # inches

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Size:
    """A figure size: width in inches at ``dpi``; ``height`` None grows with the credit lines.
    ``map_ratio`` is the map panel's height / width when the height is free."""

    name: str
    width_in: float
    dpi: int
    height_in: float | None = None
    map_ratio: float = 0.62
    credit_lines: int | None = None  # at most this many credit lines (None: all)

    @property
    def width_px(self) -> int:
        return round(self.width_in * self.dpi)


SIZES: dict[str, Size] = {
    # a web article: 1200 px wide (2x for sharp text on high-density screens)
    "web": Size("web", 6.0, 200, None, 0.64),
    # social cards (X/Twitter, Facebook, LinkedIn): exactly 1200 × 675
    "social": Size("social", 6.0, 200, 3.375, credit_lines=2),
    # print: 180 mm wide (a two-column page), 300 dpi
    "print": Size("print", round(180 * MM * 300) / 300, 300, None, 0.66),  # 2126 px
}
FORMATS = ("png", "svg", "pdf")


def merc(lon: float, lat: float) -> tuple[float, float]:
    lat = max(-85.05112878, min(85.05112878, lat))
    return (math.radians(lon) * R, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * R)


def unmerc(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x / R), math.degrees(2 * math.atan(math.exp(y / R)) - math.pi / 2)


def bbox_from_center(lat: float, lon: float, zoom: float, frame_px: tuple[int, int] = FRAME_PX) -> BBox:
    """The lon/lat box a ``frame_px`` map centred on (lat, lon) shows at ``zoom`` (Leaflet's
    256 px tiles); ValueError for a centre or zoom out of range."""
    if not (math.isfinite(lat) and math.isfinite(lon) and math.isfinite(zoom)) or not (
            -85 <= lat <= 85 and -180 <= lon <= 180 and 0 <= zoom <= 22):
        raise ValueError(f"no view at lat {lat}, lon {lon}, zoom {zoom}")
    m_per_px = WORLD_M / (256 * 2 ** float(zoom))
    cx, cy = merc(lon, lat)
    hw, hh = frame_px[0] * m_per_px / 2, frame_px[1] * m_per_px / 2
    lon0, lat0 = unmerc(cx - hw, cy - hh)
    lon1, lat1 = unmerc(cx + hw, cy + hh)
    return (lon0, lat0, lon1, lat1)


def parse_bbox(text: str) -> BBox:
    """``minlon,minlat,maxlon,maxlat`` → a box; ValueError with a readable message otherwise."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 4:
        raise ValueError("expected minlon,minlat,maxlon,maxlat")
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise ValueError("expected four numbers: minlon,minlat,maxlon,maxlat") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ValueError("coordinates must be finite numbers")
    if not (-180 <= x0 < x1 <= 180 and -85 <= y0 < y1 <= 85):
        raise ValueError("need -180 <= minlon < maxlon <= 180 and -85 <= minlat < maxlat <= 85")
    return (x0, y0, x1, y1)


def fit_extent(bbox: BBox, aspect: float, bounds: BBox = DATA_BOUNDS) -> BBox:
    """The EPSG:3857 extent ``(x0, y0, x1, y1)`` that contains ``bbox`` and has width/height
    ``aspect``, moved (not shrunk) to stay inside ``bounds`` where it fits."""
    x0, y0 = merc(bbox[0], bbox[1])
    x1, y1 = merc(bbox[2], bbox[3])
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    bx0, by0 = merc(bounds[0], bounds[1])
    bx1, by1 = merc(bounds[2], bounds[3])
    cx = _keep_inside(cx, w, bx0, bx1)
    cy = _keep_inside(cy, h, by0, by1)
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _keep_inside(c: float, span: float, lo: float, hi: float) -> float:
    if span >= hi - lo:
        return (lo + hi) / 2 if lo - span / 2 <= c <= hi + span / 2 else c
    return min(max(c, lo + span / 2), hi - span / 2)


def extent_lonlat(extent: BBox) -> BBox:
    lon0, lat0 = unmerc(extent[0], extent[1])
    lon1, lat1 = unmerc(extent[2], extent[3])
    return (lon0, lat0, lon1, lat1)


def zoom_for(extent: BBox, width_pt: float) -> float:
    """The Leaflet zoom at which the map would show ``extent`` across ``width_pt`` points (a
    CSS pixel per 3/4 point): what decides which names and site parts the figure draws, as
    the map decides them at that zoom."""
    px = width_pt * CSS_PX_PER_PT
    return math.log2(px * WORLD_M / (256 * (extent[2] - extent[0])))


def nice_length_km(max_km: float) -> float:
    """The largest 1-2-5 length (km) not above ``max_km``."""
    if max_km <= 0 or not math.isfinite(max_km):
        return 0.0
    e = math.floor(math.log10(max_km))
    for m in (5, 2, 1):
        if m * 10 ** e <= max_km:
            return m * 10.0 ** e
    return 10.0 ** e


def ground_m_per_unit(lat: float) -> float:
    """Metres on the ground per EPSG:3857 metre at ``lat`` (Mercator's scale factor)."""
    return math.cos(math.radians(lat))
