"""Sites: features that sit on the same few pixels are one target until you zoom in (pure).

A feature whose ``site`` names another feature is a *part* of that site (Ream's pier works,
the Chinese warships, the demolished NCMS buildings are parts of the Ream Naval Base).  Below
the site's *parts zoom* the map draws one symbol for the whole site, whose click selects the
site's main feature; from that zoom up, the parts themselves are drawn, each its own target.
The parts zoom is the first at which every part can be told apart: point parts at least
``MIN_SEP_PX`` apart, each area at least that wide.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shapely.geometry import shape

from .model import Feature

MIN_SEP_PX = 24  # a touch target
ZOOMS = range(4, 19)


def anchor(feature: Feature) -> tuple[float, float]:
    """(lon, lat) where a feature's symbol and label sit: the point, or a point inside the shape."""
    g = feature.geometry
    if g["type"] == "Point":
        lon, lat = g["coordinates"][:2]
        return float(lon), float(lat)
    p = shape(g).representative_point()
    return p.x, p.y


def to_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web-Mercator pixel coordinates of the whole world at ``zoom`` (256 px tiles)."""
    scale = 256 * 2 ** zoom
    s = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    return (lon + 180) / 360 * scale, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale


def _width_px(feature: Feature, zoom: int) -> float:
    minx, miny, maxx, maxy = shape(feature.geometry).bounds
    x0, y0 = to_px(minx, maxy, zoom)
    x1, y1 = to_px(maxx, miny, zoom)
    return min(x1 - x0, y1 - y0)


def parts_zoom(members: Sequence[Feature], min_sep: float = MIN_SEP_PX) -> int:
    """The first zoom at which every member of a site can be told apart (see module docstring)."""
    points = [anchor(f) for f in members if f.geometry["type"] == "Point"]
    areas = [f for f in members if f.geometry["type"] != "Point"]
    for z in ZOOMS:
        px = [to_px(lon, lat, z) for lon, lat in points]
        apart = all(math.dist(a, b) >= min_sep for i, a in enumerate(px) for b in px[i + 1:])
        if apart and all(_width_px(f, z) >= min_sep for f in areas):
            return z
    return ZOOMS[-1]


@dataclass(frozen=True)
class Site:
    main: Feature
    parts: tuple[Feature, ...]
    zoom: int  # parts are drawn from this zoom up; one symbol below it

    @property
    def members(self) -> tuple[Feature, ...]:
        return (self.main, *self.parts)


def sites(features: Iterable[Feature]) -> list[Site]:
    """The sites among ``features``: a main feature with at least one part present."""
    feats = list(features)
    by_id = {f.id: f for f in feats}
    parts: dict[str, list[Feature]] = {}
    for f in feats:
        main = getattr(f.props, "site", None)
        if main and main in by_id and main != f.id:
            parts.setdefault(main, []).append(f)
    out = []
    for main_id, ps in parts.items():
        main = by_id[main_id]
        out.append(Site(main, tuple(ps), parts_zoom([main, *ps])))
    return out


def site_of(feature: Feature, all_features: Iterable[Feature]) -> Site | None:
    """The site a feature belongs to (as main or part), if any."""
    for s in sites(all_features):
        if any(m.id == feature.id for m in s.members):
            return s
    return None


def related(feature: Feature, all_features: Iterable[Feature]) -> tuple[str, tuple[Feature, ...]] | None:
    """What a feature's panel lists of its site: the parts under a site's main feature, or the
    site a part belongs to — ``(heading, features)``; None outside any site."""
    site = site_of(feature, all_features)
    if site is None:
        return None
    if feature.id == site.main.id:
        return (f"Parts of this site ({len(site.parts)}), drawn separately when you zoom in:", site.parts)
    return "Part of:", (site.main,)


def zoom_css(zooms: Iterable[int] = ZOOMS) -> str:
    """Rules that hide a site's parts below its parts zoom (``gw-minzK``) and its symbol from
    that zoom up (``gw-maxzK``).  They read the ``gw-zltK`` classes the map container carries
    for every K its zoom is below (:class:`layers.labels.LabelZoom`)."""
    rules = []
    for k in zooms:
        rules.append(f".gw-zlt{k} .gw-minz{k}{{display:none}}")
        rules.append(f".leaflet-container:not(.gw-zlt{k}) .gw-maxz{k}{{display:none}}")
    return "<style>" + "\n".join(rules) + "</style>"
