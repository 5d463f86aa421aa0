"""What the map frame does on its own, whatever is on it (no Streamlit here).

One fixed piece of the map's JavaScript (:class:`MapFrame`), the same on every rerun, so
streamlit-folium never remounts the map:

- the opening view frames the whole Gulf (Bangkok, Surat Thani, Songkhla, Ca Mau, Phnom Penh)
  for whatever size the map has, unless the page asked for another view; a "Whole Gulf" button
  brings it back;
- the map fills the height its iframe is given (the page sizes the iframe with CSS);
- hover labels are wrapped, at most ~300 px wide, kept inside the map, and closed by a click;
- on a touch screen one finger scrolls the page and two fingers move the map, so a phone
  reader is never trapped in the map; a one-finger move on the map says so for a moment.
"""

from __future__ import annotations

import folium

from .sites import zoom_css

# lat, lon: the Gulf of Thailand from Songkhla and Surat Thani to Bangkok, Ca Mau and Phnom Penh
GULF_BOUNDS = ((6.9, 99.15), (13.95, 105.35))
FRAMED_PLACES = {  # what the opening view must show (checked by the tests)
    "Bangkok": (13.7563, 100.5018), "Surat Thani": (9.1382, 99.3217), "Songkhla": (7.1898, 100.5954),
    "Ca Mau": (9.1769, 105.1524), "Phnom Penh": (11.5564, 104.9282),
}
POINT_PANE, POINT_PANE_Z = "gwPoints", 440  # points above areas and lines (overlayPane is 400)
TIP_CLASS = "gw-tip"
TIP_MAX_WIDTH = 300

FRAME_CSS = f"""
<style>
/* the map fills its iframe, which the page sizes to the window (st_folium takes pixels only) */
html, body {{ height: 100%; margin: 0; }}
#map_div, #map_div2 {{ height: 100vh !important; }}
.leaflet-tooltip.{TIP_CLASS} {{ white-space: normal; width: max-content; max-width: {TIP_MAX_WIDTH}px;
  padding: 4px 8px; font: 13px/1.3 "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; }}
.leaflet-tooltip.{TIP_CLASS} br {{ display: none; }}
.leaflet-tooltip.{TIP_CLASS} .gw-tip-name {{ display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
  overflow: hidden; }}
.leaflet-tooltip.{TIP_CLASS} .gw-tip-meta {{ display: block; color: #555 !important; font-size: 12px !important;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.gw-home a {{ width: auto !important; padding: 0 6px; font: 600 12px/30px sans-serif; white-space: nowrap; }}
.gw-touch-hint {{ position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%); z-index: 1000;
  max-width: 80%; background: rgba(0, 0, 0, .72); color: #fff; padding: 8px 14px; border-radius: 6px;
  font: 15px/1.3 sans-serif; text-align: center; pointer-events: none; opacity: 0; transition: opacity .2s; }}
.gw-touch-hint.gw-shown {{ opacity: 1; }}
</style>
"""


class MapFrame(folium.MacroElement):
    """The map's fixed behaviour (see the module docstring).  Leaflet 1.9's tooltip has no
    option to stay inside the map: ``L.Tooltip.prototype._setPosition`` is wrapped (once per
    page) to shift a ``gw-tip`` tooltip back inside after Leaflet placed it; if a Leaflet
    upgrade renames that method the wrap is skipped with a console warning, and
    ``tests/browser/test_reader_view.py`` (hover labels inside the map) fails."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var GULF = {{ this.bounds|tojson }}, framing = false, touched = false;
  function frameGulf() {
    framing = true;
    try { map.fitBounds(GULF, {padding: [6, 6], animate: false}); } finally { framing = false; }
  }
  // Frame the Gulf now, and again when the page gives the map its final size, until the view
  // is moved by anything else: the reader, or the app (a link's view, a selected feature).
  map.on("movestart", function () { if (!framing) { touched = true; } });
  var params = new URLSearchParams(window.location.search);
  try { params = new URLSearchParams(window.parent.location.search); } catch (e) {}
  var hash = new URLSearchParams(window.location.hash.slice(1));  // the static site's #feature=
  if (params.get("view") || params.get("feature") || hash.get("view") || hash.get("feature")) {
    touched = true;
  } else { frameGulf(); }
  map.on("resize", function () { if (!touched) { frameGulf(); } });
  if (window.ResizeObserver) {  // the page resizes the map's box without resizing the window
    new ResizeObserver(function () { map.invalidateSize(); if (!touched) { frameGulf(); } })
      .observe(map.getContainer());
  }

  // Leaflet focuses the map on mousedown (for its keyboard handler); a plain focus() scrolls
  // the page to bring the whole map into view, so a click on a half-scrolled map moved the page
  // under the pointer and missed its target.  Focus without scrolling.
  var box = map.getContainer();
  box.focus = function (opts) {
    HTMLElement.prototype.focus.call(box, Object.assign({preventScroll: true}, opts || {}));
  };

  var Home = L.Control.extend({options: {position: "topleft"}, onAdd: function () {
    var div = L.DomUtil.create("div", "leaflet-bar gw-home");
    var a = L.DomUtil.create("a", "", div);
    a.href = "#"; a.title = "Show the whole Gulf of Thailand"; a.setAttribute("role", "button");
    a.textContent = "Whole Gulf";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); frameGulf(); });
    return div;
  }});
  new Home().addTo(map);

  var P = L.Tooltip.prototype;
  if (typeof P._setPosition !== "function") {
    console.warn("Gulf Watch: L.Tooltip._setPosition is gone; hover labels are not kept inside the map");
  } else if (!P._gwKeepInside) {
    var place = P._setPosition;
    P._gwKeepInside = true;
    P._setPosition = function (pos) {
      place.call(this, pos);
      var m = this._map, el = this._container;
      if (!m || !el || String(this.options.className).indexOf({{ this.tip_class|tojson }}) < 0) { return; }
      var at = L.DomUtil.getPosition(el), tl = m.layerPointToContainerPoint(at), size = m.getSize();
      var w = el.offsetWidth, h = el.offsetHeight, dx = 0, dy = 0;
      if (tl.x < 4) { dx = 4 - tl.x; } else if (tl.x + w > size.x - 4) { dx = size.x - 4 - tl.x - w; }
      if (tl.y < 4) { dy = 4 - tl.y; } else if (tl.y + h > size.y - 4) { dy = size.y - 4 - tl.y - h; }
      if (dx || dy) { L.DomUtil.setPosition(el, at.add([dx, dy])); }
    };
  }
  function closeTips() {
    map.eachLayer(function (l) {
      if (l.getTooltip && l.getTooltip() && l.isTooltipOpen()) { l.closeTooltip(); }
    });
  }
  map.on("click", closeTips);
  map.on("layeradd", function (e) {
    if (e.layer.feature && e.layer.on) { e.layer.on("click", closeTips); }
  });

  var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  if (coarse && map.dragging) {
    map.dragging.disable();  // one finger scrolls the page; two fingers move and zoom the map
    // Said when it matters, as Google's and Mapbox's "cooperative" maps do: a one-finger move on
    // the map (which scrolls the page) shows the hint in the middle of the map for a moment.  A
    // hint always on screen sat in a corner under the legend or the coastline note on a phone.
    var hint = L.DomUtil.create("div", "gw-touch-hint", map.getContainer()), hide = null;
    hint.textContent = "Use two fingers to move the map";
    hint.setAttribute("role", "status");
    // the browser's own touch events (Leaflet's L.DomEvent turns "touchmove" into pointer events)
    map.getContainer().addEventListener("touchmove", function (e) {
      if (e.touches.length !== 1) { L.DomUtil.removeClass(hint, "gw-shown"); return; }
      L.DomUtil.addClass(hint, "gw-shown");
      clearTimeout(hide);
      hide = setTimeout(function () { L.DomUtil.removeClass(hint, "gw-shown"); }, 1500);
    }, {passive: true});
  }
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "GwMapFrame"
        self.bounds = [list(GULF_BOUNDS[0]), list(GULF_BOUNDS[1])]
        self.tip_class = TIP_CLASS


def add_frame(m: folium.Map) -> folium.Map:
    """The frame's behaviour, its CSS and the pane that keeps points above areas (once)."""
    m.add_child(folium.map.CustomPane(POINT_PANE, z_index=POINT_PANE_Z, pointer_events=True),
                name="gw_pane_points")
    m.add_child(MapFrame(), name="gw_map_frame")
    m.get_root().header.add_child(folium.Element(FRAME_CSS), name="gw_frame_css")
    m.get_root().header.add_child(folium.Element(zoom_css()), name="gw_site_css")
    return m
