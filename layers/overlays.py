"""Map controls drawn by Leaflet itself: an on-map legend, a locator inset, a coastline note.

All three are part of the base map's *fixed* JavaScript (:func:`add_overlays`, once): their
output depends only on the constructor arguments and the basemap file, never on random ids or
the time, so streamlit-folium does not remount the map on a rerun.  Each has a pure-Python
builder (:func:`legend_html`, :func:`inset_svg`, :func:`coast_note_html`) for the tests.

* :class:`Legend` (bottom right, over the open sea south of Ca Mau at the opening view): the layers' colours in display order and what the outline
  styles mean; a ``<details>`` element, closed at start on a narrow map (phone, embed).
  In :mod:`layers.overlays_legend`.
* :class:`LocatorInset` (top right): the whole Gulf of Thailand as a small SVG with a red box
  for the current view; shown only once the reader has zoomed in past most of the region.
  In :mod:`layers.overlays_inset`.
* :class:`CoastlineNote` (bottom right): at zoom >= 11 with no tile layer, says the offline
  coastline is approximate and offers to switch the page's basemap to satellite imagery.
  In :mod:`layers.overlays_coast`.

This module holds their shared CSS (:data:`OVERLAYS_CSS`) and adds all three to a map; the three
modules' public names are re-exported here.
"""

from __future__ import annotations

from pathlib import Path

import folium

from .basemap import FILES, LAND_COLOR, SEA_COLOR, basemap_dir
# re-exported: callers import everything overlay from here
from .overlays_coast import (COAST_NOTE_BUTTON, COAST_NOTE_FALLBACK, COAST_NOTE_MIN_ZOOM, COAST_NOTE_TEXT,
                             IMAGERY_SELECTOR, CoastlineNote, coast_note_html)
from .overlays_inset import (INSET_BBOX, INSET_HIDE_FRACTION, INSET_LABEL, INSET_MIN_BOX, INSET_SIZE,
                             INSET_TOLERANCE, VIEW_COLOR, LocatorInset, inset_projection, inset_svg, project)
from .overlays_legend import NARROW_MAP_PX, OUTLINE_MEANINGS, SHORT_MAP_PX, Legend, legend_html


# =========================================================================== CSS and wiring

_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
OVERLAYS_CSS = f"""<style>
.gw-legend-ctl, .gw-coast-note {{ background: rgba(255,255,255,.92); border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); color: #222; font: 12px/1.35 {_FONT}; }}
.gw-legend-ctl {{ box-sizing: border-box; max-width: 190px; padding: 3px 7px; line-height: 1.2; font-size: 11.5px; }}
.gw-legend summary {{ cursor: pointer; font-weight: 600; }}
.gw-lg-body {{ max-height: calc(100vh - 140px); overflow-y: auto; }}
.gw-lg-layer {{ margin-top: 2px; display: flex; flex-wrap: wrap; gap: 0 6px; }}
.gw-lg-item {{ display: inline-flex; align-items: flex-start; gap: 3px; }}
.gw-lg-title {{ font-weight: 600; margin-bottom: 1px; }}
.gw-lg-row {{ display: flex; align-items: flex-start; gap: 5px; margin: 1px 0; }}
.gw-lg-sw {{ flex: none; margin-top: 2px; }}
.gw-lg-outlines {{ border-top: 1px solid #ddd; padding-top: 2px; display: block; }}
.leaflet-control.gw-inset {{ pointer-events: none; line-height: 0; border-radius: 4px;
  overflow: hidden; border: 1px solid rgba(0,0,0,.35); box-shadow: 0 1px 5px rgba(0,0,0,.4);
  background: {SEA_COLOR}; }}
@media (max-width: 480px) {{ .gw-inset-svg {{ width: 86px; height: auto; }} }}
.gw-coast-note {{ max-width: 240px; padding: 4px 8px; }}
.gw-coast-btn {{ margin-top: 3px; font: inherit; cursor: pointer; padding: 1px 7px;
  border: 1px solid #888; border-radius: 3px; background: #fff; }}
.gw-coast-fallback {{ display: block; margin-top: 3px; font-weight: 600; }}
</style>"""


def add_overlays(m: folium.Map, data_dir: Path | None = None,
                 selector: str = IMAGERY_SELECTOR) -> folium.Map:
    """Add the legend, the locator inset and the coastline note (and their CSS) to the base
    map.  ``data_dir``: the ``data/`` folder or ``data/basemap`` (falls back to the repo's
    basemap when it has none).  Idempotent: fixed child names, a second call replaces them."""
    d = basemap_dir(data_dir)
    if not (d / FILES["land"]).exists():
        d = basemap_dir(None)
    m.add_child(Legend(), name="gw_legend")
    m.add_child(LocatorInset(d / FILES["land"]), name="gw_locator_inset")
    m.add_child(CoastlineNote(selector), name="gw_coastline_note")
    m.get_root().header.add_child(folium.Element(OVERLAYS_CSS), name="gw_overlays_css")
    return m


__all__ = [
    "COAST_NOTE_BUTTON", "COAST_NOTE_FALLBACK", "COAST_NOTE_MIN_ZOOM", "COAST_NOTE_TEXT", "IMAGERY_SELECTOR",
    "INSET_BBOX", "INSET_HIDE_FRACTION", "INSET_LABEL", "INSET_MIN_BOX", "INSET_SIZE", "INSET_TOLERANCE",
    "NARROW_MAP_PX", "OUTLINE_MEANINGS", "OVERLAYS_CSS", "SHORT_MAP_PX", "VIEW_COLOR", "CoastlineNote",
    "Legend", "LocatorInset", "add_overlays", "coast_note_html", "inset_projection", "inset_svg",
    "legend_html", "project",
    "LAND_COLOR", "SEA_COLOR", "basemap_dir",  # layers.basemap's; tests/test_overlays.py reads them here
]
