"""Publication figures of the current view: PNG, SVG or PDF for the web, social cards and print.

:func:`draw_figure` draws the offline Natural Earth basemap, the visible features in their map
styles (colours, dashes, contested outline, uncertainty rings: :mod:`layers.spec`), their
names placed without overlaps, a legend, a scale bar (true at the view's latitude), a north
arrow, a locator inset, a title and a credit line naming Natural Earth and the publishers of
the sources behind the features shown — in Web Mercator (EPSG:3857), like the map, with
geopandas' own plotting on matplotlib.

matplotlib and geopandas are imported only when a figure is drawn (the app's start-up stays
as fast as before).  Modules: :mod:`.view` (view box, sizes), :mod:`.style` (styles, safe text,
credits), :mod:`.basemap`, :mod:`.features`, :mod:`.labels`, :mod:`.furniture`, :mod:`.draw`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..load import Dataset
from ..model import Feature
from .view import FEATURE_FRAME_PX, FORMATS, FRAME_PX, GULF_BBOX, SIZES, BBox, bbox_from_center, parse_bbox

DEFAULT_TITLE = "China’s military and economic footprint around the Gulf of Thailand"
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def view_bbox(center: tuple[float, float] | None = None, zoom: float | None = None,
              bounds: dict | None = None, frame_px: tuple[int, int] = FRAME_PX) -> BBox:
    """The view as a lon/lat box: Leaflet ``bounds`` (``{"_southWest": {lat, lng},
    "_northEast": …}``) if given and sound, else ``center`` (lat, lon) and ``zoom`` in a
    ``frame_px`` map, else the opening view (the whole Gulf)."""
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        box = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
        return parse_bbox(",".join(repr(v) for v in box))
    except (TypeError, KeyError, ValueError):
        pass
    if center is not None and zoom is not None:
        try:
            return bbox_from_center(float(center[0]), float(center[1]), float(zoom), frame_px)
        except (TypeError, ValueError, OverflowError):
            pass
    return GULF_BBOX


def feature_bbox(feature: Feature, all_features: Iterable[Feature] = ()) -> BBox:
    """The view the app opens on for a feature (:func:`layers.render.view_for`)."""
    from ..render import view_for

    (lat, lon), zoom = view_for(feature, list(all_features))
    return bbox_from_center(lat, lon, zoom, FEATURE_FRAME_PX)


def draw_figure(ds: Dataset, features: Sequence[Feature], *, bbox: BBox | None = None,
                center: tuple[float, float] | None = None, zoom: float | None = None,
                size: str = "web", fmt: str = "png", title: str | None = None, subtitle: str | None = None,
                contested: Iterable[str] | None = None, layers: Iterable[str] | None = None,
                data_dir: Path | None = None) -> bytes:
    """The figure as PNG, SVG or PDF bytes (the same bytes for the same input).

    ``features``: what may be drawn (as filtered in the app), further limited to ``layers``;
    the view is ``bbox`` (lon/lat), else ``center`` (lat, lon) + ``zoom``, else the whole Gulf;
    ``size``: a key of :data:`SIZES`; ``contested``: ids drawn with the red outline (default:
    :func:`layers.evidence.contested_ids`); ``data_dir``: the ``data/`` folder for the basemap."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from .draw import render
    from .style import plain

    feats = [f for f in features if layers is None or f.props.layer in set(layers)]
    box = bbox if bbox is not None else view_bbox(center, zoom)
    if contested is None:
        from ..evidence import contested_ids

        contested = contested_ids(ds)
    t = plain(DEFAULT_TITLE if title is None else title, 160)
    sub = plain(subtitle, 240) if subtitle else ""
    return render(ds, feats, tuple(box), SIZES[size], fmt, t, sub, set(contested), _basemap_dir(data_dir))


def _basemap_dir(data_dir: Path | None) -> Path | None:
    """A data folder without its own basemap/ (tests, a fork's data) uses the repo's."""
    return data_dir if data_dir is not None and (Path(data_dir) / "basemap").is_dir() else None


__all__ = ["DEFAULT_TITLE", "FORMATS", "MIME", "SIZES", "draw_figure", "feature_bbox", "parse_bbox", "view_bbox"]
