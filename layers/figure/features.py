"""The features in their map styles, drawn with ``GeoSeries.plot`` in EPSG:3857.

As on the map (:func:`layers.render.layer_group`): layers bottom-up in :data:`LAYERS` order,
each sorted by its ``draw_order``; areas and lines first, then the dotted uncertainty rings of
points (``precision_m`` >= 100 m), then points on top; a site (:mod:`layers.sites`) is one
symbol below the zoom where its parts can be told apart.  Point symbols are smaller than the
map's 24 px touch targets (a figure is not touched)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shapely.geometry import Point, box, shape

from ..model import Feature
from ..registry import BY_ID, LAYERS
from ..sites import anchor, parts_zoom, sites
from .style import PT_PER_PX, dashes, mpl_style
from .view import BBox, extent_lonlat, ground_m_per_unit, merc

POINT_R_PT = 3.7  # point symbol radius
SITE_R_PT = 5.0  # a site's one symbol
RING_MIN_R_PT = POINT_R_PT + 1.5  # a ring no wider than the symbol is not drawn
UNCERTAINTY_MIN_M = 100  # as layers.render
# a site's parts are drawn once they are this far apart (CSS px; the map: 24 px touch targets)
PARTS_SEP_PX = round(2 * POINT_R_PT * 4 / 3 + 2)


@dataclass
class Drawn:
    """What was drawn, for the legend, the labels and the credit."""

    features: list[Feature] = field(default_factory=list)  # in the view (a site counts whole)
    labelled: list[Feature] = field(default_factory=list)  # those whose name can be drawn
    points: list[tuple[float, float, float]] = field(default_factory=list)  # x, y, radius (pt)
    colors: set[str] = field(default_factory=set)
    basis: set[str] = field(default_factory=set)  # location_basis values drawn
    contested: bool = False
    rings: bool = False
    site: bool = False
    lines: bool = False


def in_view(features: Sequence[Feature], extent: BBox) -> list[Feature]:
    view = box(*extent_lonlat(extent))
    return [f for f in features if shape(f.geometry).intersects(view)]


def _series(geom):
    import geopandas as gpd

    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs("EPSG:3857")


def draw_features(ax, features: Sequence[Feature], contested: set[str], extent: BBox, zoom: float,
                  pt_to_m: float) -> Drawn:
    """Draw ``features`` (those in the view) on ``ax``; ``pt_to_m`` is EPSG:3857 metres per
    point at the figure's scale."""
    out = Drawn(features=in_view(features, extent))
    shown = {f.id for f in out.features}
    collapsed: dict[str, object] = {}  # member id -> its site, below the site's parts zoom
    for s in sites(out.features):
        if zoom < parts_zoom(list(s.members), PARTS_SEP_PX):
            for m in s.members:
                collapsed[m.id] = s
    points: list[tuple[Feature, dict]] = []
    for spec in LAYERS:
        feats = [f for f in out.features if f.props.layer == spec.id]
        if spec.draw_order:
            feats.sort(key=lambda f: spec.draw_order(f.props))
        for f in feats:
            if f.id in collapsed:
                continue
            is_c = f.id in contested
            leaflet = spec.style(f.props, is_c)
            st = mpl_style(leaflet)
            out.colors.add(spec.feature_color(f.props))
            out.basis.add(f.props.location_basis.value)
            out.contested |= is_c
            out.labelled.append(f)
            gtype = f.geometry["type"]
            if gtype in ("Point", "MultiPoint"):
                points.append((f, st))
                continue
            g = _series(shape(f.geometry))
            if "Line" in gtype:
                out.lines = True
                g.plot(ax=ax, color=st["edgecolor"], linewidth=st["linewidth"] + 0.4,
                       linestyle=st["linestyle"], zorder=3, capstyle="round")
            else:
                g.plot(ax=ax, facecolor=st["facecolor"], edgecolor=st["edgecolor"],
                       linewidth=st["linewidth"], linestyle=st["linestyle"], zorder=2)
    for f, _st in points:  # uncertainty rings, under every point symbol
        if f.geometry["type"] == "Point" and f.props.precision_m >= UNCERTAINTY_MIN_M:
            lon, lat = f.geometry["coordinates"][:2]
            r = f.props.precision_m / ground_m_per_unit(lat)
            if r / pt_to_m < RING_MIN_R_PT:
                continue
            import geopandas as gpd

            x, y = merc(lon, lat)
            color = BY_ID[f.props.layer].feature_color(f.props)
            gpd.GeoSeries([Point(x, y).buffer(r, 64).exterior], crs="EPSG:3857").plot(
                ax=ax, color=color, linewidth=1 * PT_PER_PX + 0.1, linestyle=dashes("3 4"),
                alpha=0.9, zorder=4)
            out.rings = True
    for f, st in points:
        _point(ax, f, st, POINT_R_PT, out)
    for s in {id(s): s for s in collapsed.values()}.values():  # one symbol per site
        main = s.main
        spec = BY_ID[main.props.layer]
        leaflet = spec.style(main.props, main.id in contested)
        leaflet.update(fillOpacity=0.85, weight=3, dashArray=None)
        st = mpl_style(leaflet)
        lon, lat = anchor(main)
        _point(ax, main, st, SITE_R_PT, out, lonlat=(lon, lat))
        out.labelled.append(main)
        out.colors.add(spec.feature_color(main.props))
        out.contested |= main.id in contested
        out.site = True
    out.labelled = [f for f in out.labelled if f.id in shown]
    return out


def _point(ax, f: Feature, st: dict, r_pt: float, out: Drawn, lonlat=None) -> None:
    if lonlat is None:
        g = shape(f.geometry)
        p = g if g.geom_type == "Point" else g.representative_point()
        lonlat = (p.x, p.y)
    x, y = merc(*lonlat)
    pt = _series(Point(*lonlat))
    # a white underlay, so a translucent symbol stays visible over areas of the same colour
    pt.plot(ax=ax, markersize=(2 * r_pt) ** 2, marker="o", facecolor=(1, 1, 1, 0.6), edgecolor="white",
            linewidth=st["linewidth"] + 1.6, zorder=5.9)
    pt.plot(
        ax=ax, markersize=(2 * r_pt) ** 2, marker="o", facecolor=st["facecolor"],
        edgecolor=st["edgecolor"], linewidth=st["linewidth"], linestyle=st["linestyle"], zorder=6)
    out.points.append((x, y, r_pt + st["linewidth"] / 2))


def pt_scale(extent: BBox, width_pt: float) -> float:
    """EPSG:3857 metres per point across the map panel."""
    return (extent[2] - extent[0]) / max(width_pt, 1e-9)


__all__ = ["Drawn", "draw_features", "in_view", "pt_scale", "POINT_R_PT", "SITE_R_PT"]
