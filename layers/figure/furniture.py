"""Map furniture: legend, locator inset, scale bar and north arrow.

Positions are in points from the map panel's lower-left corner (:func:`pt_transform`), so
they stay put whatever the output's resolution.  Each piece returns the display-pixel box it
covers, for the label placement to keep clear of."""

from __future__ import annotations

from shapely.geometry import box

from ..basemap import FILES, LAND_COLOR, SEA_COLOR, basemap_dir, load_geojson
from ..overlays import INSET_BBOX, OUTLINE_MEANINGS, VIEW_COLOR
from ..registry import BY_ID, DISPLAY_ORDER
from ..spec import CONTESTED_OUTLINE
from .features import Drawn
from .style import INK, dashes
from .view import DATA_BOUNDS, BBox, extent_lonlat, ground_m_per_unit, merc, nice_length_km, unmerc

MARGIN_PT = 6.0
INSET_FRACTION = 0.2  # of the map's width
INSET_MIN_PT, INSET_MAX_PT = 62.0, 105.0
INSET_WIDE_FRACTION = 0.6  # a view wider than this share of the Gulf box gets the whole region
LEGEND_FONT = 6.4
CORNERS = ("lower right", "lower left", "upper left", "upper right")
MEANING = dict((k, t) for k, t in OUTLINE_MEANINGS)
MEANING["site"] = "site of several features"  # "zoom in" means nothing on paper


def pt_transform(fig, ax_in: tuple[float, float]):
    """Points from the map panel's lower-left corner (at ``ax_in`` inches) → display."""
    from matplotlib.transforms import Affine2D

    return Affine2D().scale(1 / 72).translate(*ax_in) + fig.dpi_scale_trans


# --------------------------------------------------------------------------- legend

def legend_handles(drawn: Drawn) -> list[tuple[object, str]]:
    """(handle, text) for what is drawn: the layers' colours in display order (only the
    entries whose colour is drawn), then the outline meanings that occur."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    layers = {f.props.layer for f in drawn.features}
    out = []
    for lid in DISPLAY_ORDER:
        if lid not in layers:
            continue
        spec = BY_ID[lid]
        for e in spec.legend:
            if e.color not in drawn.colors:
                continue
            if e.shape == "circle":
                h = Line2D([], [], marker="o", linestyle="none", markersize=6.5, markerfacecolor=_rgba(e.color, 0.3),
                           markeredgecolor=e.color, markeredgewidth=1.2)
            else:
                h = Patch(facecolor=_rgba(e.color, 0.3), edgecolor=e.color, linewidth=1.2,
                          linestyle=dashes("3 2") if e.dashed else "solid")
            out.append((h, e.label))
    grey = "#555555"
    if "published" in drawn.basis:
        out.append((Patch(facecolor="white", edgecolor=grey, linewidth=1.2), MEANING["solid"]))
    if drawn.basis - {"published"}:
        out.append((Patch(facecolor="white", edgecolor=grey, linewidth=1.2, linestyle=dashes("3 2")),
                    MEANING["dashed"]))
    if drawn.contested:
        out.append((Patch(facecolor="white", edgecolor=CONTESTED_OUTLINE, linewidth=2.0), MEANING["contested"]))
    if drawn.rings:
        out.append((Line2D([], [], marker="o", linestyle="none", markersize=7, markerfacecolor="none",
                           markeredgecolor=grey, markeredgewidth=0.9), MEANING["ring"]))
    if drawn.site:
        out.append((Line2D([], [], marker="o", linestyle="none", markersize=6.5, markerfacecolor="#777777",
                           markeredgecolor="#444444", markeredgewidth=1.4), MEANING["site"]))
    return out


def _rgba(color: str, alpha: float):
    from matplotlib.colors import to_rgba

    return to_rgba(color, alpha)


def add_legend(ax, drawn: Drawn, loc: str, ncols: int = 1):
    items = legend_handles(drawn)
    if not items:
        return None
    leg = ax.legend([h for h, _ in items], [t for _, t in items], loc=loc, ncols=ncols, fontsize=LEGEND_FONT,
                    frameon=True, fancybox=False, framealpha=0.92, edgecolor="#b8b8b8", borderpad=0.55,
                    labelspacing=0.42, handlelength=1.5, handleheight=0.9, handletextpad=0.55,
                    borderaxespad=MARGIN_PT / LEGEND_FONT, columnspacing=1.0, labelcolor=INK)
    leg.get_frame().set_linewidth(0.5)
    for t in leg.get_texts():
        t.set_parse_math(False)
    leg.set_zorder(20)
    return leg


# --------------------------------------------------------------------------- inset

def inset_region(extent: BBox) -> BBox:
    """The Gulf box (as the map's inset) for a view well inside it; the whole region else."""
    v = extent_lonlat(extent)
    g = INSET_BBOX
    inside = g[0] <= v[0] and v[2] <= g[2] and g[1] <= v[1] and v[3] <= g[3]
    small = (v[2] - v[0]) <= INSET_WIDE_FRACTION * (g[2] - g[0]) and (v[3] - v[1]) <= INSET_WIDE_FRACTION * (g[3] - g[1])
    return g if inside and small else DATA_BOUNDS


def inset_size_pt(region: BBox, map_w_pt: float) -> tuple[float, float]:
    x0, y0 = merc(region[0], region[1])
    x1, y1 = merc(region[2], region[3])
    w = min(max(INSET_FRACTION * map_w_pt, INSET_MIN_PT), INSET_MAX_PT)
    return w, w * (y1 - y0) / (x1 - x0)


def draw_inset(fig, ax_in: tuple[float, float], corner_pt: tuple[float, float], size_pt: tuple[float, float],
               region: BBox, extent: BBox, data_dir=None):
    """A small map of ``region`` with the view's rectangle (a cross when it would be tiny)."""
    import geopandas as gpd

    fw, fh = fig.get_size_inches()
    x, y = ax_in[0] + corner_pt[0] / 72, ax_in[1] + corner_pt[1] / 72
    iax = fig.add_axes((x / fw, y / fh, size_pt[0] / 72 / fw, size_pt[1] / 72 / fh), zorder=25)
    iax.set_facecolor(SEA_COLOR)
    x0, y0 = merc(region[0], region[1])
    x1, y1 = merc(region[2], region[3])
    path = basemap_dir(data_dir) / FILES["land"]
    if path.exists():
        from shapely.geometry import shape

        clip = box(*region)
        land = [shape(f["geometry"]).intersection(clip) for f in load_geojson(path)["features"]]
        land = [g.simplify(0.02, preserve_topology=True) for g in land if not g.is_empty]
        if land:
            gpd.GeoSeries(land, crs="EPSG:4326").to_crs("EPSG:3857").plot(
                ax=iax, facecolor=LAND_COLOR, edgecolor="#9c9588", linewidth=0.3, aspect=None)
    vx0, vy0 = max(extent[0], x0), max(extent[1], y0)
    vx1, vy1 = min(extent[2], x1), min(extent[3], y1)
    k = size_pt[0] / (x1 - x0)  # points per metre
    if (vx1 - vx0) * k < 5 or (vy1 - vy0) * k < 5:
        cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
        iax.plot([cx], [cy], marker="x", markersize=6, markeredgewidth=1.6, color=VIEW_COLOR)
    else:
        from matplotlib.patches import Rectangle

        iax.add_patch(Rectangle((vx0, vy0), vx1 - vx0, vy1 - vy0, facecolor=_rgba(VIEW_COLOR, 0.12),
                                edgecolor=VIEW_COLOR, linewidth=1.1))
    iax.set_xlim(x0, x1)
    iax.set_ylim(y0, y1)
    iax.set_aspect("auto")
    iax.set_xlabel("")
    iax.set_ylabel("")
    iax.set_xticks([])
    iax.set_yticks([])
    for s in iax.spines.values():
        s.set_edgecolor("#777777")
        s.set_linewidth(0.6)
    iax.set_gid("locator-inset")
    return iax


# --------------------------------------------------------------------------- scale bar, north arrow

def scale_bar(extent: BBox, map_w_pt: float, max_fraction: float = 0.24) -> tuple[float, float, float]:
    """(length km, length pt, latitude): true at the view's centre latitude."""
    lat = unmerc(0, (extent[1] + extent[3]) / 2)[1]
    m_per_pt = (extent[2] - extent[0]) / map_w_pt * ground_m_per_unit(lat)
    km = nice_length_km(max_fraction * map_w_pt * m_per_pt / 1000)
    return km, km * 1000 / m_per_pt, lat


def _km(v: float) -> str:
    return "0" if v == 0 else f"{v:g}" if v >= 1 else f"{v * 1000:g} m"


def draw_scale_and_north(ax, T, at_pt: tuple[float, float], right: bool, km: float, length_pt: float) -> tuple:
    """A two-part bar with "0 … km" and a north arrow beside it; returns the box it covers in
    points from the map corner (x0, y0, x1, y1)."""
    from matplotlib.patches import FancyArrow, Rectangle

    h = 3.2
    x, y = at_pt
    arrow_w = 11.0
    if right:
        x = x - length_pt - arrow_w - 6
    bar_x = x + arrow_w + 6
    half = length_pt / 2
    for i, fc in enumerate((INK, "white")):
        ax.add_patch(Rectangle((bar_x + i * half, y), half, h, transform=T, facecolor=fc, edgecolor=INK,
                               linewidth=0.6, zorder=21, clip_on=False))
    unit = " km" if km >= 1 else ""
    for v, xx in ((0, bar_x), (km / 2, bar_x + half), (km, bar_x + length_pt)):
        ax.text(xx, y + h + 1.6, _km(v) + (unit if v == km else ""), transform=T, fontsize=6.2, color=INK,
                ha="center", va="bottom",
                zorder=21, parse_math=False, clip_on=False)
    # north arrow: Web Mercator keeps north straight up everywhere
    ax_x = x + arrow_w / 2
    ax.add_patch(FancyArrow(ax_x, y, 0, 13, width=0.0, head_width=7, head_length=8, length_includes_head=True,
                            transform=T, facecolor=INK, edgecolor=INK, linewidth=0.8, zorder=21, clip_on=False))
    ax.text(ax_x, y + 15, "N", transform=T, fontsize=7, fontweight="bold", color=INK, ha="center",
            va="bottom", zorder=21, parse_math=False, clip_on=False)
    return (x - 2, y - 2, bar_x + length_pt + 14, y + 26)


__all__ = ["CORNERS", "MARGIN_PT", "add_legend", "draw_inset", "draw_scale_and_north", "inset_region",
           "inset_size_pt", "legend_handles", "pt_transform", "scale_bar"]
