"""The basemap choices: offline Natural Earth, or online tiles from the xyzservices catalogue.

:data:`TILE_BASEMAPS` maps each choice's display name to its tile source, and :func:`tile_layer`
makes the folium layer for one.  :mod:`layers.basemap` re-exports the public names here.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import folium
import xyzservices
import xyzservices.providers as xyz

OFFLINE = "Natural Earth (offline)"
DEFAULT_BASEMAP = OFFLINE
NE_ATTRIBUTION = ('Made with <a href="https://www.naturalearthdata.com/" target="_blank" '
                  'rel="noopener">Natural Earth</a>')


def _new_tab(attribution: str) -> str:
    """Links in an attribution open in a new tab: the map lives in a sandboxed iframe."""
    return re.sub(r"<a (?![^>]*\btarget=)", '<a target="_blank" rel="noopener" ', attribution)


def _xyz_tiles(provider: xyzservices.TileProvider, max_zoom: int = 18) -> dict[str, Any]:
    """URL template, HTML attribution, zoom limit and subdomains of an xyzservices provider."""
    with warnings.catch_warnings():
        # CARTO now asks for an API key (xyzservices warns on every build_url); without one the
        # tiles may be refused, and the Natural Earth layers underneath stay visible.
        warnings.simplefilter("ignore", UserWarning)
        url = provider.build_url(fill_subdomain=False)
    spec: dict[str, Any] = {
        "url": url,
        "attribution": _new_tab(provider.get("html_attribution") or provider.get("attribution", "")),
        "max_zoom": int(provider.get("max_zoom", max_zoom)),
        "provider": provider.name,
    }
    if "{s}" in url:
        spec["subdomains"] = provider.get("subdomains", "abc")
    return spec


# name -> tile source, from the xyzservices catalogue (installed with folium).  The names are
# the ones the app shows and stores (layers.state.BASEMAPS maps URL slugs to them).
TILE_BASEMAPS: dict[str, dict[str, Any]] = {
    OFFLINE: {"url": None, "attribution": NE_ATTRIBUTION, "max_zoom": 18},
    "OpenStreetMap": _xyz_tiles(xyz.OpenStreetMap.Mapnik),
    "Carto Positron": _xyz_tiles(xyz.CartoDB.Positron),
    "Esri World Imagery": _xyz_tiles(xyz.Esri.WorldImagery),
}


def tile_layer(choice: str) -> folium.TileLayer | None:
    """The tile layer of a :data:`TILE_BASEMAPS` choice (``None`` for the offline one)."""
    spec = TILE_BASEMAPS[choice]
    if not spec["url"]:
        return None
    return folium.TileLayer(tiles=spec["url"], attr=spec["attribution"], name=choice,
                            max_zoom=spec["max_zoom"], subdomains=spec.get("subdomains", "abc"),
                            overlay=False, control=False)


__all__ = ["DEFAULT_BASEMAP", "NE_ATTRIBUTION", "OFFLINE", "TILE_BASEMAPS", "tile_layer"]
