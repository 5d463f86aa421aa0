"""Rendering to folium: normalised data in, Leaflet layers out (no Streamlit here).

The base map (:func:`base_map`) is built identically on every rerun, so streamlit-folium never
remounts it and the reader keeps their pan and zoom.  Everything that changes — basemap choice,
visible layers, filters — goes into feature groups (:func:`dynamic_groups`) that
``st_folium(feature_group_to_add=...)`` swaps in place.  In the app the selection outline is
drawn by the map itself (:class:`LiveSelection`), so a click does not swap the groups; the
downloaded map, which has no page around it, draws it as a group (:func:`selection_group`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import folium
from shapely.geometry import shape

from .labels import Label, add_label_support, feature_labels, label_markers, ne_place_obstacles
from .load import Dataset
from .mapframe import POINT_PANE, TIP_CLASS, add_frame
from .model import Feature
from .overlays import add_overlays
from .panel import esc, popup_html, tooltip_html
from .registry import BY_ID, LAYERS
from .sites import Site, anchor, site_of, sites

DEFAULT_CENTER = (10.9, 103.4)  # lat, lon: the Cambodian coast between Koh Kong and Kep
DEFAULT_ZOOM = 7
SELECT_COLOR = "#ffd400"
# the selection outline: ring radius (px) and stroke weight around a point; weight along a shape
SELECT_RADIUS, SELECT_POINT_WEIGHT, SELECT_SHAPE_WEIGHT = 16, 4, 5
POINT_RADIUS, SITE_RADIUS = 11, 13  # px: with the outline, points are >= 24 px touch targets
CONTEXT_ZOOM = 11  # a link to a small feature opens here: the feature and ~50 km around it


def feature_class(feature_id: str) -> str:
    """CSS class on a feature's SVG path (lets tests and people find it in the page)."""
    return f"gw-f-{feature_id}"


def basemap_data_dir(data_dir: Path | None) -> Path | None:
    """A data folder without its own basemap/ (tests, a fork's data) uses the repo's."""
    return data_dir if data_dir is not None and (Path(data_dir) / "basemap").is_dir() else None


def base_map(center: Sequence[float] = DEFAULT_CENTER, zoom: int = DEFAULT_ZOOM,
             data_dir: Path | None = None, basemap_src: str | None = None) -> folium.Map:
    """The map frame and the Natural Earth basemap, which never change: the same JavaScript
    on every rerun (no remount), and nothing for the browser to redraw when a selection or a
    filter changes the feature groups.  ``basemap_src``: fetch the basemap from that URL
    (see :func:`layers.basemap.ensure_static_basemap`) instead of writing it into the script."""
    from .basemap import add_basemap_panes, natural_earth_group

    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True,
                   world_copy_jump=False)
    # folium drops min/max zoom when tiles=None; set them on the map options directly
    m.options["min_zoom"], m.options["max_zoom"] = 4, 18
    add_basemap_panes(m)
    add_label_support(m)
    add_frame(m)
    natural_earth_group(basemap_data_dir(data_dir), src=basemap_src).add_to(m)
    add_overlays(m, basemap_data_dir(data_dir))  # legend, locator inset, coarse-coastline note
    return m


def _feature_collection(ds: Dataset, features: Iterable[Feature], popups: bool,
                        symbols: Sequence[tuple[Site, str]] = ()) -> dict:
    def props(f: Feature) -> dict:
        # only the id and pre-escaped HTML leave Python: folium inserts these with innerHTML
        out = {"id": f.id, "layer": f.props.layer, "_tip": tooltip_html(f)}
        if popups:
            out["_popup"] = popup_html(ds, f)
        return out

    feats = [{"type": "Feature", "id": f.id, "geometry": f.geometry, "properties": props(f)} for f in features]
    for site, tip in symbols:
        lon, lat = anchor(site.main)
        p = props(site.main)
        p.update(_tip=tip, _site=site.zoom)
        feats.append({"type": "Feature", "id": f"site:{site.main.id}", "properties": p,
                      "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    return {"type": "FeatureCollection", "features": feats}


def _site_tip(site: Site) -> str:
    n = len(site.members)
    return (f"<b class='gw-tip-name'>{esc(site.main.props.name)}</b><br><span class='gw-tip-meta'>"
            f"{n} features here · zoom in for the parts</span>")


def map_labels(features: Sequence[Feature], data_dir: Path | None) -> tuple[list[Label], dict[str, int | None]]:
    """The names written on the map for the features drawn, each from the zoom where it fits
    (:mod:`layers.labels`); a site's parts are named only from the zoom where they are drawn."""
    labels, min_zoom = feature_labels(features, ne_place_obstacles(basemap_data_dir(data_dir)))
    for site in sites(features):
        for part in site.parts:
            if min_zoom.get(part.id) is not None:
                min_zoom[part.id] = max(min_zoom[part.id], site.zoom)
    return labels, min_zoom


def layer_group(ds: Dataset, layer_id: str, features: Sequence[Feature], contested: set[str],
                popups: bool = False,
                labels: tuple[list[Label], dict[str, int | None]] | None = None) -> folium.FeatureGroup:
    """One map layer: a single GeoJson (one JS object, cheap) plus uncertainty rings for points.

    Points sit in their own pane above areas and lines, so a place is never hidden under a
    shape around it, and are drawn as 24 px touch targets.  A site (:mod:`layers.sites`) is one
    symbol below its parts zoom and its parts above it (CSS classes ``gw-maxzK``/``gw-minzK``).

    ``popups`` (the downloaded map) binds each feature's full evidence as a popup.  In the app a
    click opens the evidence panel instead: a popup there would repeat it over the map, cover
    the neighbouring features, and make each click cost the browser more to draw."""
    spec = BY_ID[layer_id]
    fg = folium.FeatureGroup(name=spec.title, show=True)
    if spec.draw_order:
        features = sorted(features, key=lambda f: spec.draw_order(f.props))
    props_by_id = {f.id: f.props for f in features}
    layer_sites = sites(features)
    minz = {m.id: s.zoom for s in layer_sites for m in s.members}

    for f in features:
        if f.geometry["type"] == "Point" and f.props.precision_m >= 100:
            lon, lat = f.geometry["coordinates"][:2]
            cls = f"gw-uncertainty gw-u-{f.id}" + (f" gw-minz{minz[f.id]}" if f.id in minz else "")
            folium.Circle(location=[lat, lon], radius=f.props.precision_m, color=spec.feature_color(f.props),
                          weight=1, dash_array="3 4", fill=False, interactive=False,
                          class_name=cls).add_to(fg)

    def style(feat: dict) -> dict:
        p = feat["properties"]
        fid = p["id"]
        s = spec.style(props_by_id[fid], fid in contested)
        if p.get("_site"):
            s.update(className=f"gw-s-{fid} gw-site gw-maxz{p['_site']}", radius=SITE_RADIUS,
                     fillOpacity=0.85, weight=3, pane=POINT_PANE, dashArray=None)
            return s
        s["className"] = feature_class(fid) + (f" gw-minz{minz[fid]}" if fid in minz else "")
        if feat["geometry"]["type"] == "Point":
            s.update(radius=POINT_RADIUS, pane=POINT_PANE)
        return s

    if features:
        folium.GeoJson(
            _feature_collection(ds, features, popups, [(s, _site_tip(s)) for s in layer_sites]),
            name=spec.title,
            style_function=style,
            highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.45},
            marker=folium.CircleMarker(radius=POINT_RADIUS, fill=True),
            tooltip=folium.GeoJsonTooltip(fields=["_tip"], labels=False, sticky=True,
                                          class_name=f"foliumtooltip {TIP_CLASS}", direction="top",
                                          offset=(0, -14)),
            popup=folium.GeoJsonPopup(fields=["_popup"], labels=False, max_width=360) if popups else None,
            zoom_on_click=False,
        ).add_to(fg)
    if labels is not None:
        texts, min_zoom = labels
        for marker in label_markers([lab for lab in texts if lab.layer == layer_id], min_zoom):
            marker.add_to(fg)
    return fg


def selection_group(feature: Feature | None) -> folium.FeatureGroup:
    """A bright, non-interactive outline around the selected feature."""
    fg = folium.FeatureGroup(name="Selection", control=False)
    if feature is None:
        return fg
    geom = feature.geometry
    if geom["type"] == "Point":
        lon, lat = geom["coordinates"][:2]
        folium.CircleMarker([lat, lon], radius=SELECT_RADIUS, color=SELECT_COLOR,
                            weight=SELECT_POINT_WEIGHT, fill=False, interactive=False,
                            class_name="gw-selected").add_to(fg)
    else:
        folium.GeoJson({"type": "Feature", "geometry": geom, "properties": {}},
                       style_function=lambda _f: {"color": SELECT_COLOR, "weight": SELECT_SHAPE_WEIGHT, "fill": False,
                                                  "className": "gw-selected", "interactive": False},
                       interactive=False, control=False).add_to(fg)
    return fg


class LiveSelection(folium.MacroElement):
    """The selection outline drawn by the map itself (the app's map only).

    A new selection must not change the feature groups: streamlit-folium removes and re-adds
    every group when any of them changes, which was about a fifth of the browser's work per
    click.  Instead this script, part of the map's fixed JavaScript, outlines the feature the
    page's URL names (``?feature=``, which the app keeps equal to the selection), checking it a
    few times a second and whenever the map's layers change; a click on a feature outlines it at
    once, before the server has answered.  If the page's URL cannot be read (a cross-origin
    embed), clicks still outline.  Below a site's parts zoom the outline rings the site's
    symbol, which stands for the selected feature there.  Same look as :func:`selection_group`,
    which the downloaded map (no page around it) keeps using."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var COLOR = {{ this.color|tojson }}, PREFIX = "gw-f-", SITE_PREFIX = "gw-s-", PANE = "gwSelection";
  var byId = {}, siteById = {}, outline = null, shown = null, dirty = true, pending = null, pendingUntil = 0;
  if (!map.getPane(PANE)) {
    var el = map.createPane(PANE); el.style.zIndex = 450; el.style.pointerEvents = "none";
  }
  function idOf(layer, prefix) {
    var c = layer.options && layer.options.className;
    return layer.feature && typeof c === "string" && c.indexOf(prefix || PREFIX) === 0
      ? c.split(" ")[0].slice((prefix || PREFIX).length) : null;
  }
  function siteZoom(layer) {  // a site symbol stands for its features below this zoom
    var m = /gw-maxz(\\d+)/.exec(layer.options.className);
    return m ? +m[1] : 0;
  }
  function fromUrl() {  // ?feature= (the app), or #feature= (the static site from file://)
    try {
      var loc = window.parent.location, h = new URLSearchParams(loc.hash.slice(1));
      return h.has("feature") ? h.get("feature") : new URLSearchParams(loc.search).get("feature");
    } catch (e) { return shown; }  // cross-origin page: keep what the map itself selected
  }
  function wanted() {
    var url = fromUrl();
    if (pending !== null) {
      if (url === pending || Date.now() > pendingUntil) { pending = null; } else { return pending; }
    }
    return url;
  }
  function draw(id) {
    var target = id ? byId[id] : null, site = id ? siteById[id] : null;
    if (site && map.getZoom() < siteZoom(site)) { target = site; }
    if (outline) { map.removeLayer(outline); outline = null; }
    if (!target) { return; }
    if (target.feature.geometry.type === "Point" && target.getLatLng) {
      outline = L.circleMarker(target.getLatLng(), {pane: PANE, interactive: false,
        radius: {{ this.radius }}, color: COLOR, weight: {{ this.point_weight }}, fill: false,
        className: "gw-selected"});
    } else {
      outline = L.geoJSON(target.feature.geometry, {pane: PANE, interactive: false, color: COLOR,
        weight: {{ this.shape_weight }}, fill: false, className: "gw-selected"});
    }
    outline._gwOwn = true;
    outline.addTo(map);
  }
  function sync() {
    var id = wanted();
    if (id === shown && !dirty) { return; }
    shown = id; dirty = false; draw(id);
  }
  map.on("layeradd", function (e) {
    var sid = idOf(e.layer, SITE_PREFIX);
    if (sid !== null) {
      siteById[sid] = e.layer; dirty = true;
      e.layer.on("click", function () { pending = sid; pendingUntil = Date.now() + 10000; sync(); });
      setTimeout(sync, 0);
      return;
    }
    var id = idOf(e.layer);
    if (id === null) { return; }
    byId[id] = e.layer; dirty = true;
    e.layer.on("click", function () { pending = id; pendingUntil = Date.now() + 10000; sync(); });
    setTimeout(sync, 0);
  });
  map.on("layerremove", function (e) {
    var id = idOf(e.layer), sid = idOf(e.layer, SITE_PREFIX);
    if (id !== null && byId[id] === e.layer) { delete byId[id]; dirty = true; setTimeout(sync, 0); }
    if (sid !== null && siteById[sid] === e.layer) { delete siteById[sid]; dirty = true; setTimeout(sync, 0); }
  });
  map.on("zoomend", function () { dirty = true; sync(); });
  setInterval(sync, {{ this.poll_ms }});
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, poll_ms: int = 200) -> None:
        super().__init__()
        self._name = "GwLiveSelection"
        self.color = SELECT_COLOR
        self.radius, self.point_weight, self.shape_weight = SELECT_RADIUS, SELECT_POINT_WEIGHT, SELECT_SHAPE_WEIGHT
        self.poll_ms = int(poll_ms)


def dynamic_groups(ds: Dataset, features: Sequence[Feature], visible_layers: Iterable[str],
                   basemap_choice: str, contested: set[str], selected: Feature | None,
                   data_dir: Path, popups: bool = False,
                   extra: Sequence[folium.FeatureGroup] = ()) -> list[folium.FeatureGroup]:
    """Basemap, then each visible layer bottom-up, then user layers, then the selection."""
    from .basemap import basemap_group

    visible = set(visible_layers)
    drawn = [f for f in features if f.props.layer in visible]
    labels = map_labels(drawn, data_dir)
    groups = [basemap_group(basemap_choice, natural_earth=False)]  # tiles only; NE is in base_map
    for spec in LAYERS:
        if spec.id in visible:
            groups.append(layer_group(ds, spec.id, [f for f in drawn if f.props.layer == spec.id],
                                      contested, popups, labels=labels))
    groups.extend(extra)
    groups.append(selection_group(selected))
    return groups


def view_for(feature: Feature, all_features: Iterable[Feature] = ()) -> tuple[tuple[float, float], int]:
    """Centre (lat, lon) and a zoom that shows the feature with its surroundings: a small
    feature opens at :data:`CONTEXT_ZOOM` (Ream with Sihanoukville and the islands off it), a
    part of a site at the zoom where the parts are drawn (see :mod:`layers.sites`)."""
    g = shape(feature.geometry)
    minx, miny, maxx, maxy = g.bounds
    span = max(maxx - minx, maxy - miny, feature.props.precision_m / 111_000 * 2)
    zoom = CONTEXT_ZOOM
    for z, limit in ((10, 0.12), (9, 0.3), (8, 0.6), (7, 1.3), (6, 2.8), (5, 99)):
        if span > limit:
            zoom = z
    site = site_of(feature, all_features)
    if site is not None and feature.id != site.main.id:
        zoom = max(zoom, site.zoom)
    pt = g.centroid if g.geom_type != "Point" else g
    return (round(pt.y, 5), round(pt.x, 5)), zoom


def full_map(ds: Dataset, features: Sequence[Feature], visible_layers: Iterable[str], basemap_choice: str,
             contested: set[str], data_dir: Path, selected: Feature | None = None,
             center: Sequence[float] = DEFAULT_CENTER, zoom: int = DEFAULT_ZOOM) -> folium.Map:
    """A self-contained map (for the downloadable HTML): every group added to the map itself."""
    m = base_map(center, zoom, data_dir)
    for fg in dynamic_groups(ds, features, visible_layers, basemap_choice, contested, selected,
                             data_dir, popups=True):
        fg.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


class MapReadyPing(folium.MacroElement):
    """The map's "I am drawn" call for :mod:`layers.mapready` (the app's live map only: add it
    last, after the basemap).

    The URL is taken from our own compat script's address (``…/app/static/vendor/…``, see
    :mod:`layers.assets`), three folders up: the server's root under any base URL path.  A
    failed call changes nothing but the page's wait (:data:`layers.mapready.HOLD_S`)."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  // Drawn = the features are on the map (streamlit-folium adds them right after this script)
  // and the frame has its height (the page sets it once it has handled the map's message).
  var sent = false, tries = 0;
  function drawn() {
    var box = map.getContainer();
    return window.innerHeight > 0 && box.offsetHeight > 0 && box.offsetWidth > 0;
  }
  function check() {
    if (sent) { return; }
    if (!drawn() && ++tries < 100) { setTimeout(check, 50); return; }
    sent = true;
    window.removeEventListener("resize", check);
    // after the next frame, so the map is on the screen before the page sends the rest
    requestAnimationFrame(function () { setTimeout(send, 0); });
  }
  function send() {
    try {
      var s = document.querySelector('script[src*="gulfwatch-compat"]');
      if (!s || !window.fetch) { return; }
      fetch(new URL("../../../" + {{ this.path|tojson }}, s.src).href,
            {method: "POST", cache: "no-store", keepalive: true}).catch(function () {});
    } catch (e) { /* no ping: the page's wait ends by itself */ }
  }
  window.addEventListener("resize", check);
  setTimeout(check, 0);
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self) -> None:
        from .mapready import PATH

        super().__init__()
        self._name = "MapReadyPing"
        self.path = PATH


__all__ = ["LiveSelection", "MapReadyPing", "base_map", "dynamic_groups", "layer_group", "selection_group", "view_for", "full_map",
           "feature_class"]
