"""Names on the figure, placed by priority without overlaps (as :mod:`layers.labels` does for
the map: its candidates, its priority order, its Natural Earth rules), but measured with the
real font and tried at several positions around a point, since a figure cannot be zoomed.

Order: feature labels of rank 1–2, then Natural Earth town names (between ranks 2 and 3, as on
the map; a town whose name a feature label repeats within 15 km gives way), feature labels of
rank 3–5, country names, sea names.  A label is drawn only where its box overlaps no label
already placed, no point symbol, no figure furniture (legend, inset, scale bar), and stays
inside the map panel; a town's dot is drawn only with its name."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .. import labels as maplabels
from ..model import Feature
from .basemap import Name
from .style import FONT, INK, SEA_INK, plain
from .view import merc, unmerc

Box = tuple[float, float, float, float]  # display pixels x0, y0, x1, y1 (y up)


@dataclass(frozen=True)
class Item:
    text: str
    lon: float
    lat: float
    kind: str  # "feature" | "area" | "place" | "capital" | "sea" | "country"
    order: tuple
    size: float
    weight: str = "normal"
    color: str = INK
    family: str = FONT
    style: str = "normal"
    gap_pt: float = 0.0  # distance from the anchor to the text of a point label
    halo: bool = False
    feature_id: str | None = None
    alts: tuple[tuple[float, float], ...] = ()  # other anchors to try (a country's interior)
    within: object = None  # the label's box must lie inside this area (shapely, lon/lat)


def feature_items(features: Sequence[Feature], zoom: float, symbol_r: dict[str, float],
                  view: tuple[float, float, float, float] | None = None) -> list[Item]:
    """One item per feature (:func:`layers.labels.label_candidates`); an area or line whose
    anchor lies outside ``view`` (lon/lat) is anchored on its part inside the view."""
    from dataclasses import replace

    from shapely.geometry import Point, box, shape

    out = []
    geoms = {f.id: f.geometry for f in features}
    for lab in maplabels.label_candidates(features):
        if view is not None and not lab.point and not box(*view).contains(Point(lab.lon, lab.lat)):
            part = shape(geoms[lab.feature_id]).intersection(box(*view))
            if part.is_empty:
                continue
            rp = part.representative_point() if "Line" not in part.geom_type else part.interpolate(0.5, normalized=True)
            lab = replace(lab, lon=float(rp.x), lat=float(rp.y))
        point = lab.as_point(int(math.floor(zoom)))
        out.append(Item(plain(lab.text, maplabels.MAX_CHARS), lab.lon, lab.lat, "feature" if point else "area",
                        (0 if lab.rank <= maplabels.NE_RANK else 2, *maplabels.priority(lab)),
                        8.6 if lab.rank == 1 else 7.3, "bold", "#111111" if lab.rank == 1 else INK,
                        gap_pt=symbol_r.get(lab.feature_id, 2.0) + 1.8, halo=True, feature_id=lab.feature_id))
    return out


def name_items(names: Sequence[Name], zoom: float, labels: Sequence[maplabels.Label]) -> list[Item]:
    out = []
    for n in names:
        if n.min_zoom > zoom + 1e-9:
            continue
        if n.kind in ("place", "capital"):
            ob = (n.lat, n.lon, n.text, 0)
            if any(maplabels.replaces(lab, ob) for lab in labels):
                continue
            cap = n.kind == "capital"
            out.append(Item(n.text, n.lon, n.lat, n.kind, (1, n.rank, n.text), 7.0 if cap else 6.4,
                            "bold" if cap else "normal", "#1f1f1f" if cap else "#3a3a3a",
                            gap_pt=3.2 if cap else 2.6))
        elif n.kind == "sea":
            out.append(Item(n.text, n.lon, n.lat, "sea", (4, n.rank, n.text), 7.6 if n.rank < 4 else 6.6,
                            color=SEA_INK, family="DejaVu Serif", style="italic"))
        else:
            out.append(Item(n.text, n.lon, n.lat, "country", (3, 0, n.text), 7.0, color="#8a8170", alts=n.alts,
                            within=n.within))
    return out


def _hits(b: Box, boxes: Sequence[Box]) -> bool:
    return any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in boxes)


def _candidates(kind: str, x: float, y: float, w: float, h: float, gap: float) -> list[tuple[Box, str, float, float]]:
    """(box, ha, dx, dy) in pixels around the anchor: a point's name right, left, above,
    below (then diagonals); an area's, sea's or country's centred on it."""
    if kind in ("area", "sea", "country"):
        return [((x - w / 2, y - h / 2, x + w / 2, y + h / 2), "center", 0.0, 0.0)]
    d = gap / math.sqrt(2)
    out = []
    for ha, dx, dy in (("left", gap, 0), ("right", -gap, 0), ("center", 0, gap + h / 2),
                       ("center", 0, -gap - h / 2), ("left", d, d + h / 4), ("left", d, -d - h / 4),
                       ("right", -d, d + h / 4), ("right", -d, -d - h / 4)):
        x0 = x + dx if ha == "left" else x + dx - w if ha == "right" else x - w / 2
        out.append(((x0, y + dy - h / 2, x0 + w, y + dy + h / 2), ha, dx, dy))
    return out


def _callouts(x: float, y: float, w: float, h: float, gap: float) -> list[tuple[Box, str, float, float]]:
    """Farther positions, joined to the symbol by a leader line: for ranks 1–2 when no near
    position is free (a crowded coast)."""
    out = []
    for k in (2.4, 3.6, 5.0, 6.5):
        r = gap * k
        for ang in (0, 180, 45, -45, 135, -135, 90, -90, 22, -22, 158, -158):
            dx, dy = r * math.cos(math.radians(ang)), r * math.sin(math.radians(ang))
            ha = "left" if dx > 1e-6 else "right" if dx < -1e-6 else "center"
            x0 = x + dx if ha == "left" else x + dx - w if ha == "right" else x + dx - w / 2
            out.append(((x0, y + dy - h / 2, x0 + w, y + dy + h / 2), ha, dx, dy))
    return out


def place(ax, renderer, items: Sequence[Item], obstacles: Sequence[Box], symbols: Sequence[Box]) -> list:
    """Place ``items`` in priority order; draw the ones that fit.  Returns the drawn Text
    objects (and the dots of town names, the leader lines) in drawing order."""
    from matplotlib.font_manager import FontProperties

    fig = ax.figure
    px_per_pt = fig.dpi / 72
    frame = ax.get_window_extent(renderer)
    inner = (frame.x0 + 2, frame.y0 + 2, frame.x1 - 2, frame.y1 - 2)
    placed: list[Box] = list(obstacles)
    sym = list(symbols)
    drawn = []

    def inside(b: Box) -> bool:
        return inner[0] <= b[0] and b[2] <= inner[2] and inner[1] <= b[1] and b[3] <= inner[3]

    for it in sorted(items, key=lambda i: i.order):
        for lon, lat in ((it.lon, it.lat), *it.alts):
            x, y = ax.transData.transform(merc(lon, lat))
            if not (inner[0] <= x <= inner[2] and inner[1] <= y <= inner[3]):
                continue
            prop = FontProperties(family=it.family, size=it.size, weight=it.weight, style=it.style)
            w, h, _d = renderer.get_text_width_height_descent(it.text, prop, ismath=False)
            pad = (1.6 if it.halo else 1.0) * px_per_pt
            w, h = w + 2 * pad, h + 2 * pad
            own: list[Box] = []
            if it.kind in ("place", "capital"):
                r = (2.6 if it.kind == "capital" else 2.1) * px_per_pt
                own = [(x - r, y - r, x + r, y + r)]
                if _hits(own[0], placed) or _hits(own[0], sym):  # a town's dot under a feature
                    continue
            others = [s for s in sym if not (s[0] <= x <= s[2] and s[1] <= y <= s[3])]
            gap = it.gap_pt * px_per_pt
            tries = [(c, False) for c in _candidates(it.kind, x, y, w, h, gap)]
            if it.kind == "feature" and it.order[0] == 0:
                tries += [(c, True) for c in _callouts(x, y, w, h, gap)]
            found = None
            for (bx, ha, dx, dy), leader in tries:
                if it.within is not None and not _box_within(ax, bx, it.within):
                    continue
                if inside(bx) and not _hits(bx, placed) and not _hits(bx, others):
                    found = (bx, ha, dx, dy, leader)
                    break
            if found is None and it.order[1:2] == (1,):  # rank 1: over other symbols if need be
                for (bx, ha, dx, dy), leader in tries:
                    if inside(bx) and not _hits(bx, placed):
                        found = (bx, ha, dx, dy, leader)
                        break
            if found is None:
                continue
            bx, ha, dx, dy, leader = found
            placed.append(bx)
            placed.extend(own)
            if leader:
                drawn.append(_leader(ax, (x, y), bx, it.gap_pt * px_per_pt * 0.55))
            drawn.extend(_draw(ax, it, ha, dx / px_per_pt, dy / px_per_pt, (lon, lat)))
            break
    return drawn


def _box_within(ax, bx: Box, area) -> bool:
    from shapely.geometry import box

    inv = ax.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform([(bx[0], bx[1]), (bx[2], bx[3])])
    (lon0, lat0), (lon1, lat1) = unmerc(x0, y0), unmerc(x1, y1)
    return area.contains(box(lon0, lat0, lon1, lat1))


def _leader(ax, xy: tuple[float, float], bx: Box, start_px: float):
    """A thin line from the symbol's edge to the nearest point of the label's box."""
    x, y = xy
    tx, ty = min(max(x, bx[0]), bx[2]), min(max(y, bx[1]), bx[3])
    d = math.hypot(tx - x, ty - y) or 1.0
    sx, sy = x + (tx - x) * start_px / d, y + (ty - y) * start_px / d
    inv = ax.transData.inverted()
    (ax0, ay0), (ax1, ay1) = inv.transform([(sx, sy), (tx, ty)])
    (line,) = ax.plot([ax0, ax1], [ay0, ay1], color="#333333", linewidth=0.6, zorder=7.5, solid_capstyle="round")
    return line


def _draw(ax, it: Item, ha: str, dx_pt: float, dy_pt: float, lonlat: tuple[float, float]) -> list:
    out = []
    xy = merc(*lonlat)
    if it.kind in ("place", "capital"):
        cap = it.kind == "capital"
        (line,) = ax.plot([xy[0]], [xy[1]], marker="s" if cap else "o", markersize=4.6 if cap else 3.4,
                          markerfacecolor="#1f1f1f" if cap else "#4a4a4a", markeredgecolor="white",
                          markeredgewidth=0.6, linestyle="none", zorder=7)
        out.append(line)
    bbox = dict(boxstyle="round,pad=0.16,rounding_size=0.25", facecolor="white", alpha=0.78,
                edgecolor="none") if it.halo else None
    t = ax.annotate(it.text, xy=xy, xytext=(dx_pt, dy_pt), textcoords="offset points", ha=ha,
                    va="center", fontsize=it.size, fontweight=it.weight, fontfamily=it.family,
                    fontstyle=it.style, color=it.color, bbox=bbox, zorder=8 if it.halo else 7,
                    annotation_clip=False, parse_math=False)
    if it.feature_id:  # unique: a feature id (a slug); names get no id
        t.set_gid(f"label-{it.feature_id}")
    out.append(t)
    return out
