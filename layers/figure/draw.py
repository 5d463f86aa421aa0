"""The figure itself: layout, then basemap, features, furniture, names, title and credit.

Deterministic: the Agg renderer, the DejaVu fonts that ship with matplotlib, a fixed SVG hash
salt and no dates in the metadata, so the same input gives the same bytes.  In SVG and PDF
every label, the title and the credit stay text (``svg.fonttype='none'``, ``pdf.fonttype=42``:
TrueType embedded, text operators kept), so a graphics desk can edit them.  No text is parsed
as mathtext (``parse_math=False``): a "$" in the data is a dollar sign."""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from ..load import Dataset
from ..model import Feature
from . import furniture as fu
from .basemap import basemap_names, draw_basemap
from .features import draw_features, pt_scale
from .labels import feature_items, name_items, place
from .style import FONT, INK, MUTED, clip_lines, credit_text, plain, publishers, wrap
from .view import SIZES, BBox, Size, extent_lonlat, fit_extent, zoom_for

_LOCK = threading.Lock()  # rcParams are global: one figure at a time per process
SIDE_PT, TOP_PT, BOTTOM_PT = 10.0, 9.0, 7.0
TITLE_PT, SUBTITLE_PT, CREDIT_PT = 10.5, 7.6, 5.8
LINE = 1.28  # line height / font size
RC = {
    "font.family": "sans-serif", "font.sans-serif": [FONT], "text.usetex": False,
    "svg.fonttype": "none", "svg.hashsalt": "gulf-watch", "svg.image_inline": True,
    "pdf.fonttype": 42, "pdf.compression": 6, "ps.fonttype": 42,
    "lines.scale_dashes": False, "axes.unicode_minus": False, "path.simplify": True,
    "figure.facecolor": "white", "savefig.facecolor": "white", "savefig.bbox": None,
}


def _metadata(fmt: str, title: str) -> dict:
    if fmt == "png":
        return {"Software": None}
    if fmt == "svg":
        return {"Date": None, "Title": title, "Creator": None}
    return {"CreationDate": None, "ModDate": None, "Title": title, "Creator": "Gulf Watch", "Producer": None}


def _matplotlib():
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # geopandas imports pyplot: never a GUI backend here
    return matplotlib


def render(ds: Dataset, features: Sequence[Feature], bbox: BBox, size: Size, fmt: str, title: str,
           subtitle: str, contested: set[str], data_dir: Path | None) -> bytes:
    import warnings

    mpl = _matplotlib()
    with _LOCK, mpl.rc_context(RC), warnings.catch_warnings():
        # a character DejaVu lacks (emoji, CJK) is drawn as a box: no need to say so every time
        warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from font", UserWarning)
        fig = _compose(ds, features, bbox, size, title, subtitle, contested, data_dir)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=size.dpi, metadata=_metadata(fmt, title))
        return buf.getvalue()


def _compose(ds, features, bbox, size: Size, title, subtitle, contested, data_dir):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    W = size.width_in * 72  # points
    fig = Figure(figsize=(size.width_in, size.height_in or size.width_in), dpi=size.dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw_idle = lambda *a, **k: None  # geopandas asks for a full redraw after every plot
    renderer = canvas.get_renderer()

    def measure(pts: float, weight: str = "normal"):
        """Width in points of a line: the sum of its words' and spaces' widths (each word
        measured once; kerning across a space is ignored, well within the margins)."""
        prop = FontProperties(family=FONT, size=pts, weight=weight)
        cache: dict[str, float] = {}

        def one(w: str) -> float:
            if w not in cache:
                cache[w] = renderer.get_text_width_height_descent(w, prop, ismath=False)[0] * 72 / fig.dpi
            return cache[w]

        def width(s: str) -> float:
            words = s.split(" ")
            return sum(one(w) for w in words) + (len(words) - 1) * (one("x x") - 2 * one("x"))

        return width

    inner = W - 2 * SIDE_PT
    title_lines = wrap(title, inner, measure(TITLE_PT, "bold"))[:2] if title else []
    sub_lines = wrap(subtitle, inner, measure(SUBTITLE_PT))[:2] if subtitle else []
    head_h = TOP_PT + len(title_lines) * TITLE_PT * LINE + len(sub_lines) * SUBTITLE_PT * LINE + (5 if title_lines or sub_lines else 0)

    # the view first (the scale note goes in the credit), then the credit's height
    map_w = inner
    if size.height_in is None:
        map_h = map_w * size.map_ratio
    else:  # fixed height: the map takes what the text leaves (credit: at most credit_lines)
        n = size.credit_lines or 3
        map_h = size.height_in * 72 - head_h - 5 - n * CREDIT_PT * LINE - BOTTOM_PT
    extent = fit_extent(bbox, map_w / map_h)
    zoom = zoom_for(extent, map_w)
    km, bar_pt, lat = fu.scale_bar(extent, map_w)
    from .features import in_view

    shown = in_view(features, extent)
    head, src = credit_text(publishers(ds, shown), f"scale bar true at {abs(lat):.1f}° {'N' if lat >= 0 else 'S'}")
    m = measure(CREDIT_PT)
    credit = wrap(head, inner, m)
    limit = None if size.credit_lines is None else max(size.credit_lines - len(credit), 1)
    credit += clip_lines(wrap(src, inner, m), limit, publishers(ds, shown), inner, m)
    credit_h = (len(credit) if size.height_in is None else size.credit_lines or 3) * CREDIT_PT * LINE
    if size.height_in is None:
        H = head_h + map_h + 5 + credit_h + BOTTOM_PT
        fig.set_size_inches(size.width_in, H / 72)
    else:  # the lines reserved for the credit stay reserved: the view above is final
        H = size.height_in * 72
    renderer = canvas.get_renderer()

    # title and subtitle
    y = H - TOP_PT
    for line in title_lines:
        y -= TITLE_PT * LINE
        fig.text(SIDE_PT / W, (y + 0.22 * TITLE_PT) / H, line, fontsize=TITLE_PT, fontweight="bold", color=INK,
                 parse_math=False)
    for line in sub_lines:
        y -= SUBTITLE_PT * LINE
        fig.text(SIDE_PT / W, (y + 0.22 * SUBTITLE_PT) / H, line, fontsize=SUBTITLE_PT, color=MUTED, parse_math=False)

    # the map panel
    map_y = BOTTOM_PT + credit_h + 5
    ax = fig.add_axes((SIDE_PT / W, map_y / H, map_w / W, map_h / H))
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_autoscale_on(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_edgecolor("#8c8c8c")
        s.set_linewidth(0.6)
    ax.set_gid("map")
    draw_basemap(ax, extent, data_dir)
    drawn = draw_features(ax, features, contested, extent, zoom, pt_scale(extent, map_w))
    ax.set_aspect("auto")
    ax.set_xlabel("")  # geopandas names the CRS axes; a map needs no axis titles
    ax.set_ylabel("")
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])

    # furniture: legend in the emptiest corner, the inset in a top corner, the scale in a bottom one
    ax_in = (SIDE_PT / 72, map_y / 72)
    T = fu.pt_transform(fig, ax_in)
    px = fig.dpi / 72
    anchors = _weights(ax, drawn)
    leg = fu.add_legend(ax, drawn, "lower right")
    leg_box = None
    if leg is not None:
        bb = leg.get_window_extent(renderer)
        if bb.height > 0.55 * map_h * px:
            leg.remove()
            leg = fu.add_legend(ax, drawn, "lower right", ncols=2)
            bb = leg.get_window_extent(renderer)
        lw, lh = bb.width / px, bb.height / px
        boxes = {c: _corner_box(c, lw, lh, map_w, map_h) for c in fu.CORNERS}
        corners = {c: _score(boxes[c], anchors, map_w) for c in fu.CORNERS}
        best = min(fu.CORNERS, key=lambda c: (corners[c], fu.CORNERS.index(c)))
        leg.set_loc(best)
        leg_box = boxes[best]
    used = best if leg is not None else None
    region = fu.inset_region(extent)
    iw, ih = fu.inset_size_pt(region, map_w)
    tops = [c for c in ("upper right", "upper left") if c != used]
    inset_corner = min(tops, key=lambda c: (_score(_corner_box(c, iw, ih, map_w, map_h), anchors, map_w), tops.index(c)))
    ib = _corner_box(inset_corner, iw, ih, map_w, map_h)
    fu.draw_inset(fig, ax_in, (ib[0], ib[1]), (iw, ih), region, extent, data_dir)
    right = used == "lower left"
    sb = fu.draw_scale_and_north(ax, T, (map_w - fu.MARGIN_PT if right else fu.MARGIN_PT + 2, fu.MARGIN_PT + 2),
                                 right, km, bar_pt)
    furn = [b for b in (leg_box, ib, sb) if b is not None]
    obstacles = [_px(T, b) for b in furn]

    # names
    sym = []
    for x, y, r in drawn.points:
        dx, dy = ax.transData.transform((x, y))
        sym.append((dx - r * px, dy - r * px, dx + r * px, dy + r * px))
    radius = _symbol_radius(drawn)
    items = feature_items(drawn.labelled, zoom, radius, extent_lonlat(extent))
    from ..labels import label_candidates

    items += name_items(basemap_names(extent, data_dir), zoom, label_candidates(drawn.labelled))
    place(ax, renderer, items, obstacles, sym)

    # credit
    yc = map_y - 5
    for line in credit:
        yc -= CREDIT_PT * LINE
        fig.text(SIDE_PT / W, (yc + 0.25 * CREDIT_PT) / H, line, fontsize=CREDIT_PT, color=MUTED, parse_math=False)
    return fig


def _symbol_radius(drawn) -> dict[str, float]:
    from shapely.geometry import shape

    from .features import POINT_R_PT, SITE_R_PT

    out = {}
    for f in drawn.labelled:
        out[f.id] = POINT_R_PT + 1 if shape(f.geometry).geom_type == "Point" else 2.0
        if drawn.site and f.props.site is None and any(g.props.site == f.id for g in drawn.features):
            out[f.id] = SITE_R_PT + 1.5
    return out


def _px(T, b):
    (x0, y0), (x1, y1) = T.transform([(b[0], b[1]), (b[2], b[3])])
    return (x0, y0, x1, y1)


def _corner_box(corner: str, w: float, h: float, map_w: float, map_h: float):
    m = fu.MARGIN_PT
    x0 = map_w - m - w if "right" in corner else m
    y0 = map_h - m - h if "upper" in corner else m
    return (x0, y0, x0 + w, y0 + h)


def _weights(ax, drawn) -> list[tuple[float, float, float]]:
    """(x, y in points from the map corner, weight) of what a box should not cover: features
    (rank 1 most), with room for their names to the right."""
    from ..labels import label_candidates

    fig = ax.figure
    px = fig.dpi / 72
    bb = ax.get_window_extent()
    out = []
    for lab in label_candidates(drawn.labelled):
        from .view import merc

        x, y = ax.transData.transform(merc(lab.lon, lab.lat))
        w = {1: 40.0, 2: 12.0, 3: 5.0, 4: 2.0}.get(lab.rank, 1.0)
        out.append(((x - bb.x0) / px, (y - bb.y0) / px, w))
    return out


def _score(box, anchors, map_w) -> float:
    x0, y0, x1, y1 = box
    s = 0.0
    for x, y, w in anchors:
        if x0 - 70 <= x <= x1 + 8 and y0 - 8 <= y <= y1 + 8:  # a name reaches ~70 pt to the right
            s += w
    return s


__all__ = ["render", "SIZES", "plain"]
