"""The basemap: Natural Earth vectors that always work offline, plus optional online tiles.

* :mod:`layers.basemap_files` builds the Natural Earth files in ``data/basemap/`` (land,
  borders, places, sea names; :func:`build_extracts`) and reads them; :mod:`layers.basemap_tiles`
  holds the online tile choices (:data:`TILE_BASEMAPS`).  Their public names are re-exported
  here; this module draws the files as folium layers.
* :func:`add_basemap_panes` (once, on the base map) creates two panes *below* Leaflet's tile pane
  (z-index 200): ``gwNeBase`` (150) for land and borders, ``gwNeLabels`` (160) for names.  So
  tiles, when they load, cover the Natural Earth layers, and when no tile server is reachable
  the Natural Earth map stays visible.  It also paints the sea (the map background) and adds the
  label styles and a zoom hook that hides minor names when zoomed out.
* :func:`basemap_group` returns one ``FeatureGroup`` with the Natural Earth layers and the chosen
  tile layer, for ``st_folium(feature_group_to_add=...)``: switching basemap swaps the group
  without remounting the map.  It is rebuilt on every rerun, so the data is loaded and
  serialised once (``lru_cache``) and building + rendering the group takes a few milliseconds.

Everything in the basemap is non-interactive: clicks go through to the real features above it.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import folium.map

# re-exported: callers import everything basemap from here
from .basemap_files import (DATA_DIR, FILES, PLACE_PROPS, SIZE_BUDGET, _place_min_zoom, basemap_dir,
                            build_extracts, load_geojson, main_build)
from .basemap_tiles import DEFAULT_BASEMAP, NE_ATTRIBUTION, OFFLINE, TILE_BASEMAPS, tile_layer

PANE_BASE, Z_BASE = "gwNeBase", 150
PANE_LABELS, Z_LABELS = "gwNeLabels", 160
SEA_COLOR = "#aad3df"
LAND_COLOR = "#f2efe9"
BORDER_COLOR = "#8e7a99"
ZOOM_STEPS = (5, 6, 7, 8)  # a label with class gw-mzK is hidden below zoom K


# =========================================================================== layer data (cached)

def _js(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _place_label(p: dict[str, Any], lon: float, lat: float) -> list[Any]:
    cls = "gw-ne-place" + (" gw-ne-cap" if p.get("ADM0CAP") == 1 else "")
    mz = _place_min_zoom(p)
    if mz:
        cls += f" gw-mz{mz}"
    return [lat, lon, html.escape(str(p["NAME"])), cls]


def _sea_label(p: dict[str, Any], lon: float, lat: float) -> list[Any]:
    kind = str(p.get("FEATURECLA") or "sea").lower()
    cls = "gw-ne-sea gw-ne-k-" + ("strait" if kind == "strait" else "sea" if kind in ("sea", "ocean") else "gulf")
    if int(p.get("SCALERANK") or 0) >= 4:
        cls += " gw-mz6"
    return [lat, lon, html.escape(str(p["NAME"])), cls]


@lru_cache(maxsize=8)
def _payload(directory: str, stamp: tuple[tuple[int, int], ...]) -> tuple[str, str, str]:
    """(land JSON, borders JSON, labels JSON) ready to paste into JavaScript."""
    d = Path(directory)
    land = load_geojson(d / FILES["land"])
    borders = load_geojson(d / FILES["borders"])
    labels: list[list[Any]] = []
    for key, make in (("seas", _sea_label), ("places", _place_label)):
        for f in load_geojson(d / FILES[key])["features"]:
            lon, lat = f["geometry"]["coordinates"][:2]
            labels.append(make(f["properties"], lon, lat))
    strip = lambda fc: {"type": "FeatureCollection", "features": fc["features"]}  # noqa: E731
    return _js(strip(land)), _js(strip(borders)), _js(labels)


def _ne_payload(data_dir: Path | None) -> tuple[str, str, str]:
    d = basemap_dir(data_dir)
    stamp = []
    for name in FILES.values():
        st = (d / name).stat()
        stamp.append((st.st_mtime_ns, st.st_size))
    return _payload(str(d), tuple(stamp))


# =========================================================================== folium elements

_BASEMAP_CSS = f"""<style>
/* doubled class: wins over leaflet.css (#ddd) whichever of the two is loaded last */
.leaflet-container.leaflet-container {{ background: {SEA_COLOR}; }}
.gw-ne-place, .gw-ne-sea {{ pointer-events: none; }}
.gw-ne-place span, .gw-ne-sea span {{ position: absolute; white-space: nowrap; }}
.gw-ne-place::before {{ content: ""; position: absolute; left: -2.5px; top: -2.5px; width: 5px;
  height: 5px; border-radius: 50%; background: #4a4a4a; box-shadow: 0 0 0 1px #fff; }}
.gw-ne-place span {{ left: 5px; top: -9px; color: #333;
  font: 11px/17px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }}
.gw-ne-cap::before {{ left: -3.5px; top: -3.5px; width: 7px; height: 7px; border-radius: 1px;
  background: #1f1f1f; }}
.gw-ne-cap span {{ left: 6px; top: -10px; font-size: 12.5px; line-height: 20px; font-weight: 600;
  color: #1f1f1f; }}
.gw-ne-sea span {{ transform: translate(-50%, -50%); color: #2b5f86; letter-spacing: .08em;
  font: italic 13px/1.2 Georgia, "Times New Roman", serif;
  text-shadow: 0 0 2px {SEA_COLOR}, 0 0 3px {SEA_COLOR}; }}
.gw-ne-k-sea span {{ font-size: 14px; }}
.gw-ne-k-strait span {{ font-size: 11px; letter-spacing: .04em; }}
{chr(10).join(f".gw-zlt{k} .gw-mz{k} {{ display: none; }}" for k in ZOOM_STEPS)}
</style>"""


class _ZoomClasses(folium.MacroElement):
    """Keeps ``gw-zltK`` classes on the map container for each K the zoom is below."""

    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}"
        "(function (map) {"
        " function upd() { var z = map.getZoom(), c = map.getContainer();"
        "  {{ this.steps|tojson }}.forEach(function (k) {"
        "   L.DomUtil[z < k ? 'addClass' : 'removeClass'](c, 'gw-zlt' + k); }); }"
        " map.on('zoomend', upd); upd();"
        "})({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "GwZoomClasses"
        self.steps = list(ZOOM_STEPS)


def add_basemap_panes(m: folium.Map) -> folium.Map:
    """Panes below the tile pane for the Natural Earth layers, sea colour, label CSS, zoom hook.

    Also gives the map a ``maxZoom`` (18) unless it has one.  Call once on the base map (it is
    part of the map's fixed JavaScript, so it never changes between reruns).  Idempotent.
    """
    # folium.Map(tiles=None, max_zoom=...) passes max_zoom only to its own tile layer, so a map
    # without tiles has no zoom limit at all, and MarkerCluster then throws "Map has no maxZoom".
    m.options.setdefault("max_zoom", TILE_BASEMAPS[OFFLINE]["max_zoom"])
    m.add_child(folium.map.CustomPane(PANE_BASE, z_index=Z_BASE, pointer_events=False), name="gw_pane_base")
    m.add_child(folium.map.CustomPane(PANE_LABELS, z_index=Z_LABELS, pointer_events=False),
                name="gw_pane_labels")
    m.add_child(_ZoomClasses(), name="gw_zoom_classes")
    m.get_root().header.add_child(folium.Element(_BASEMAP_CSS), name="gw_basemap_css")
    return m


class NaturalEarthLayers(folium.MacroElement):
    """Land, borders and names from ``data/basemap`` (non-interactive): inline in the script,
    or, with ``src``, fetched from that URL (a file written by :func:`ensure_static_basemap`).

    The app uses ``src``: st_folium re-sends the whole map script on every rerun, and inline
    the basemap was two thirds of it (about 150 KB per click, for the server to serialise and
    the browser to take in).  The downloadable HTML keeps it inline, to open with no server."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (group) {
  {%- if this.map_name %}
  var map = {{ this.map_name }};
  [[{{ this.pane_base|tojson }}, {{ this.z_base }}], [{{ this.pane_labels|tojson }}, {{ this.z_labels }}]]
    .forEach(function (p) {
      if (!map.getPane(p[0])) {
        var el = map.createPane(p[0]); el.style.zIndex = p[1]; el.style.pointerEvents = "none";
      }
    });
  {%- endif %}
  function draw(land, borders, labels) {
    L.geoJSON(land, {pane: {{ this.pane_base|tojson }}, interactive: false,
      attribution: {{ this.attribution|tojson }}, maxZoom: {{ this.max_zoom }},
      style: {stroke: false, fillColor: {{ this.land_color|tojson }}, fillOpacity: 1}}).addTo(group);
    L.geoJSON(borders, {pane: {{ this.pane_base|tojson }}, interactive: false,
      style: {color: {{ this.border_color|tojson }}, weight: 1.3, opacity: 0.9, dashArray: "6 3",
              fill: false}}).addTo(group);
    labels.forEach(function (d) {
      L.marker([d[0], d[1]], {pane: {{ this.pane_labels|tojson }}, interactive: false, keyboard: false,
        icon: L.divIcon({className: d[3], html: "<span>" + d[2] + "</span>", iconSize: null})
      }).addTo(group);
    });
  }
  {%- if this.src %}
  fetch({{ this.src|tojson }}).then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  }).then(function (d) { draw(d.land, d.borders, d.labels); }).catch(function (e) {
    console.warn("Natural Earth basemap not loaded from " + {{ this.src|tojson }} + ": " + e);
    if (group._map && group._map.attributionControl) {
      group._map.attributionControl.addAttribution("⚠ offline basemap failed to load");
    }
  });
  {%- else %}
  draw({{ this.land }}, {{ this.borders }}, {{ this.labels }});
  {%- endif %}
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, data_dir: Path | None = None, src: str | None = None):
        super().__init__()
        self._name = "NaturalEarth"
        self.src = src
        self.land, self.borders, self.labels = ("null",) * 3 if src else _ne_payload(data_dir)
        self.attribution = NE_ATTRIBUTION
        self.pane_base, self.z_base = PANE_BASE, Z_BASE
        self.pane_labels, self.z_labels = PANE_LABELS, Z_LABELS
        self.land_color, self.border_color = LAND_COLOR, BORDER_COLOR
        self.max_zoom = int(TILE_BASEMAPS[OFFLINE]["max_zoom"])  # zoom limit when no tiles are shown

    @property
    def map_name(self) -> str | None:
        p = self._parent
        while p is not None and not isinstance(p, folium.Map):
            p = getattr(p, "_parent", None)
        return p.get_name() if p is not None else None


def natural_earth_group(data_dir: Path | None = None, src: str | None = None) -> folium.FeatureGroup:
    """The Natural Earth layers alone (for the static base map: they never change)."""
    fg = folium.FeatureGroup(name="Natural Earth", control=False)
    NaturalEarthLayers(data_dir, src=src).add_to(fg)
    return fg


def static_basemap_json(data_dir: Path | None = None) -> bytes:
    """The Natural Earth layers as one JSON document ``{"land", "borders", "labels"}``."""
    land, borders, labels = _ne_payload(data_dir)
    return f'{{"land":{land},"borders":{borders},"labels":{labels}}}'.encode("utf-8")


def ensure_static_basemap(app_dir: Path, data_dir: Path | None = None,
                          base_url: str = "app/static/basemap") -> str:
    """Write the basemap JSON to ``<app_dir>/static/basemap/ne-<hash>.json`` (Streamlit serves
    it; git-ignored) unless it is already there, and return its URL for the map's iframe.  The
    name changes with the content, so a browser never keeps an outdated copy."""
    from .assets import _join, _write_atomic

    data = static_basemap_json(data_dir)
    name = f"ne-{hashlib.sha256(data).hexdigest()[:16]}.json"
    dest = Path(app_dir) / "static" / "basemap" / name
    try:
        fresh = dest.stat().st_size == len(data)
    except FileNotFoundError:
        fresh = False
    if not fresh:
        _write_atomic(dest, data)
    return _join(base_url, name)


def basemap_group(choice: str = DEFAULT_BASEMAP, data_dir: Path | None = None,
                  natural_earth: bool = True) -> folium.FeatureGroup:
    """One ``FeatureGroup`` (``control=False``): the Natural Earth layers always, plus the tiles.

    ``choice`` is a key of :data:`TILE_BASEMAPS`; ``data_dir`` the ``data/`` folder (or
    ``data/basemap``).  The map needs :func:`add_basemap_panes` for the label styles; the panes
    themselves are created on the fly if missing.
    """
    if choice not in TILE_BASEMAPS:
        raise ValueError(f"unknown basemap {choice!r}; choose one of {list(TILE_BASEMAPS)}")
    fg = folium.FeatureGroup(name=f"Basemap: {choice}", control=False)
    if natural_earth:
        NaturalEarthLayers(data_dir).add_to(fg)
    tiles = tile_layer(choice)
    if tiles is not None:
        tiles.add_to(fg)
    return fg


__all__ = [
    "DATA_DIR", "DEFAULT_BASEMAP", "FILES", "NE_ATTRIBUTION", "OFFLINE", "PANE_BASE", "PANE_LABELS",
    "PLACE_PROPS", "SIZE_BUDGET", "TILE_BASEMAPS", "NaturalEarthLayers", "add_basemap_panes",
    "basemap_dir", "basemap_group", "build_extracts", "ensure_static_basemap", "natural_earth_group",
    "load_geojson", "main_build", "static_basemap_json", "tile_layer",
]
