"""The coastline note (bottom right): at zoom >= 11 with no tile layer, says the offline
coastline is approximate and offers to switch the page's basemap to satellite imagery.

:func:`coast_note_html` builds its HTML (pure Python, for the tests), :class:`CoastlineNote`
adds it as a Leaflet control.  Part of the base map's fixed JavaScript
(:func:`layers.overlays.add_overlays`).
"""

from __future__ import annotations

import html

import folium

COAST_NOTE_MIN_ZOOM = 11
IMAGERY_SELECTOR = ".st-key-gw-imagery button"
COAST_NOTE_TEXT = "Offline coastline is approximate at this scale (Natural Earth 1:10m, ~1 km off)."
COAST_NOTE_BUTTON = "Show satellite imagery"
COAST_NOTE_FALLBACK = "Pick “Esri World Imagery” under Basemap."

_esc = html.escape


def coast_note_html() -> str:
    return (f'<div class="gw-coast-text">{_esc(COAST_NOTE_TEXT)}</div>'
            f'<button type="button" class="gw-coast-btn">{_esc(COAST_NOTE_BUTTON)}</button>')


class CoastlineNote(folium.MacroElement):
    """At zoom >= ``min_zoom`` with no tile layer on the map: the offline coastline is only
    approximate.  Its button clicks the page's own control (``selector``, in the parent
    document: the map runs in a same-origin iframe); failing that it says what to pick."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var SEL = {{ this.selector|tojson }}, MIN = {{ this.min_zoom }};
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gw-coast-note");
    div.innerHTML = {{ this.html|tojson }};
    div.style.display = "none";
    div.setAttribute("role", "note");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo(map);
  var div = ctl.getContainer(), btn = div.querySelector("button");
  btn.addEventListener("click", function () {
    var target = null;
    try { target = window.parent.document.querySelector(SEL); if (target) { target.click(); } }
    catch (e) { target = null; }
    if (!target && btn.parentNode) {
      var s = document.createElement("span");
      s.className = "gw-coast-fallback";
      s.textContent = {{ this.fallback|tojson }};
      btn.parentNode.replaceChild(s, btn);
    }
  });
  function hasTiles() {
    var t = false;
    map.eachLayer(function (l) { if (l instanceof L.TileLayer) { t = true; } });
    return t;
  }
  function upd() { div.style.display = map.getZoom() >= MIN && !hasTiles() ? "" : "none"; }
  map.on("zoomend", upd);
  map.on("layeradd layerremove", function (e) { if (e.layer instanceof L.TileLayer) { upd(); } });
  upd();
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, selector: str = IMAGERY_SELECTOR, min_zoom: int = COAST_NOTE_MIN_ZOOM,
                 position: str = "bottomright") -> None:
        super().__init__()
        self._name = "GwCoastlineNote"
        self.selector = str(selector)
        self.min_zoom = int(min_zoom)
        self.position = position
        self.html = coast_note_html()
        self.fallback = COAST_NOTE_FALLBACK


__all__ = [
    "COAST_NOTE_BUTTON", "COAST_NOTE_FALLBACK", "COAST_NOTE_MIN_ZOOM", "COAST_NOTE_TEXT", "IMAGERY_SELECTOR",
    "CoastlineNote", "coast_note_html",
]
