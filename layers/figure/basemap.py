"""The offline Natural Earth basemap of the figure: sea, land, borders, and the names the map
shows (towns, seas) plus country names, from ``data/basemap/`` (Natural Earth, public domain).

Land and borders are clipped to the view before projecting, then drawn with
``GeoDataFrame.plot`` in the map's colours (:mod:`layers.basemap`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import box, shape

from ..basemap import BORDER_COLOR, FILES, LAND_COLOR, SEA_COLOR, _place_min_zoom, basemap_dir, load_geojson
from .style import PT_PER_PX, dashes, plain
from .view import BBox, extent_lonlat

COUNTRIES_FILE = "ne_countries.geojson"  # written by `layers basemap` for geocheck
COAST_COLOR = "#b3a993"


@dataclass(frozen=True)
class Name:
    """A Natural Earth name to place: a town (dot + name), a sea or a country (centred)."""

    kind: str  # "place" | "capital" | "sea" | "country"
    text: str
    lon: float
    lat: float
    min_zoom: float
    rank: int  # Natural Earth SCALERANK (0 = most important)
    alts: tuple[tuple[float, float], ...] = ()  # other anchors inside a country, nearest first
    within: object = None  # a country's name must lie inside this (shapely, lon/lat)


def _clip(path: Path, view) -> list:
    if not path.exists():
        return []
    out = []
    for f in load_geojson(path)["features"]:
        g = shape(f["geometry"])
        if g.intersects(view):
            out.append((g.intersection(view), f.get("properties") or {}))
    return out


def draw_basemap(ax, extent: BBox, data_dir: Path | None = None) -> None:
    """Sea (the axes' face), land, coastline and dashed land borders, as the map."""
    import geopandas as gpd

    ax.set_facecolor(SEA_COLOR)
    x0, y0, x1, y1 = extent_lonlat(extent)
    pad = max(x1 - x0, y1 - y0) * 0.05
    view = box(x0 - pad, max(y0 - pad, -85), x1 + pad, min(y1 + pad, 85))
    d = basemap_dir(data_dir)
    land = [g for g, _ in _clip(d / FILES["land"], view) if not g.is_empty]
    if land:
        gpd.GeoSeries(land, crs="EPSG:4326").to_crs("EPSG:3857").plot(
            ax=ax, facecolor=LAND_COLOR, edgecolor=COAST_COLOR, linewidth=0.35, zorder=1)
    borders = [g for g, _ in _clip(d / FILES["borders"], view) if not g.is_empty]
    if borders:
        gpd.GeoSeries(borders, crs="EPSG:4326").to_crs("EPSG:3857").plot(
            ax=ax, color=BORDER_COLOR, linewidth=1.3 * PT_PER_PX * 0.8, linestyle=dashes("6 3", 0.6),
            alpha=0.9, zorder=1.5)


def basemap_names(extent: BBox, data_dir: Path | None = None) -> list[Name]:
    """Towns and seas (as the map shows them from their zoom), and country names, in the view."""
    x0, y0, x1, y1 = extent_lonlat(extent)
    view = box(x0, y0, x1, y1)
    d = basemap_dir(data_dir)
    out: list[Name] = []
    path = d / FILES["places"]
    for f in (load_geojson(path)["features"] if path.exists() else []):
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"][:2]
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            out.append(Name("capital" if p.get("ADM0CAP") == 1 else "place", plain(p["NAME"], 40),
                            float(lon), float(lat), _place_min_zoom(p), int(p.get("SCALERANK") or 10)))
    path = d / FILES["seas"]
    for f in (load_geojson(path)["features"] if path.exists() else []):
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"][:2]
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            rank = int(p.get("SCALERANK") or 0)
            out.append(Name("sea", plain(p["NAME"], 40), float(lon), float(lat), 6 if rank >= 4 else 0, rank))
    for g, p in _clip(d / COUNTRIES_FILE, view):
        if g.is_empty or not p.get("NAME"):
            continue
        parts = sorted(getattr(g, "geoms", [g]), key=lambda q: -q.area)
        rp = parts[0].representative_point()
        out.append(Name("country", plain(p["NAME"], 40).upper(), rp.x, rp.y, 0, 0,
                        _interior(parts[0], rp, (x1 - x0) / 14), parts[0]))
    return out


def _interior(poly, start, step: float, n: int = 24) -> tuple[tuple[float, float], ...]:
    """Grid points well inside ``poly`` (a label's anchor must not sit on the coast), nearest
    to ``start`` first."""
    from shapely.geometry import Point

    if step <= 0:
        return ()
    core = poly.buffer(-step / 2)
    if core.is_empty:
        return ()
    x0, y0, x1, y1 = core.bounds
    pts = []
    i = 0
    while x0 + i * step <= x1:
        j = 0
        while y0 + j * step <= y1:
            p = Point(x0 + i * step, y0 + j * step)
            if core.contains(p):
                pts.append((round(p.x, 6), round(p.y, 6)))
            j += 1
        i += 1
    pts.sort(key=lambda q: ((q[0] - start.x) ** 2 + (q[1] - start.y) ** 2, q))
    return tuple(pts[:n])
