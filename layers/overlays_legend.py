"""The on-map legend (bottom right): the layers' colours in display order and what the outline
styles mean.

A ``<details>`` element, closed at start on a narrow map (phone, embed); :func:`legend_html`
builds its HTML (pure Python, for the tests), :class:`Legend` adds it as a Leaflet control.
Part of the base map's fixed JavaScript (:func:`layers.overlays.add_overlays`).
"""

from __future__ import annotations

import html

import folium

from .registry import BY_ID, DISPLAY_ORDER
from .spec import CONTESTED_OUTLINE, LayerSpec, LegendEntry

NARROW_MAP_PX, SHORT_MAP_PX = 500, 520  # the legend starts closed on a map narrower / lower

OUTLINE_MEANINGS = (  # (swatch kind, text)
    ("solid", "published coordinate"),
    ("dashed", "estimated or schematic"),
    ("contested", "contested: claims and denials"),
    ("ring", "location uncertainty"),
    ("site", "site of several features: zoom in"),  # render.py's site symbol
)

_esc = html.escape


def _swatch(shape: str, color: str, dashed: bool = False, stroke: str | None = None,
            width: float = 1.6, dash: str = "3 2") -> str:
    """A 16×12 inline SVG swatch (no images, no emoji)."""
    c, s = _esc(color), _esc(stroke or color)
    da = f' stroke-dasharray="{_esc(dash)}"' if dashed else ""
    paint = f'fill="{c}" fill-opacity="0.3" stroke="{s}" stroke-width="{width}"{da}'
    if shape == "line":
        body = f'<line x1="1" y1="6" x2="15" y2="6" stroke="{s}" stroke-width="2.5"{da}/>'
    elif shape == "square":
        body = f'<rect x="2" y="1.5" width="12" height="9" rx="1" {paint}/>'
    elif shape == "dot":
        body = (f'<circle cx="8" cy="6" r="4.3" fill="{c}" fill-opacity="0.85" stroke="{s}" '
                f'stroke-width="1.8"/>')
    else:
        body = f'<circle cx="8" cy="6" r="4.5" {paint}/>'
    return (f'<svg class="gw-lg-sw" width="16" height="12" viewBox="0 0 16 12" aria-hidden="true" '
            f'focusable="false">{body}</svg>')


def _row(swatch: str, text: str) -> str:
    return f'<div class="gw-lg-row">{swatch}<span>{_esc(text)}</span></div>'


def _item(swatch: str, text: str) -> str:
    return f'<span class="gw-lg-item">{swatch}<span>{_esc(text)}</span></span>'


def _outline_swatch(kind: str) -> str:
    grey = "#555"
    return {
        "solid": _swatch("square", "#ffffff", stroke=grey),
        "dashed": _swatch("square", "#ffffff", dashed=True, stroke=grey),
        "contested": _swatch("square", "#ffffff", stroke=CONTESTED_OUTLINE, width=2.4),
        "ring": _swatch("circle", "#ffffff", dashed=True, stroke=grey, width=1.2, dash="1.2 1.8"),
        "site": _swatch("dot", "#777777", stroke="#444444"),
    }[kind]


def legend_html(layers: tuple[LayerSpec, ...] | None = None) -> str:
    """The legend's HTML: one block per layer (in :data:`DISPLAY_ORDER`), then the outlines."""
    specs = layers if layers is not None else tuple(BY_ID[i] for i in DISPLAY_ORDER)
    parts = ['<details class="gw-legend" open><summary>Legend</summary><div class="gw-lg-body">']
    for spec in specs:  # one line per layer, its entries side by side
        entries: tuple[LegendEntry, ...] = spec.legend or (LegendEntry(spec.title, spec.color),)
        parts.append(f'<div class="gw-lg-layer" data-layer="{_esc(spec.id)}" title="{_esc(spec.title)}">'
                     + "".join(_item(_swatch(e.shape, e.color, e.dashed), e.label) for e in entries)
                     + "</div>")
    parts.append('<div class="gw-lg-layer gw-lg-outlines">')
    parts += [_row(_outline_swatch(kind), text) for kind, text in OUTLINE_MEANINGS]
    parts.append("</div></div></details>")
    return "".join(parts)


class Legend(folium.MacroElement):
    """The legend as a Leaflet control (bottom right), closed at start on a small map (narrower
    than ``narrow_px`` or lower than ``short_px``: a phone, an embed), reachable by a click."""

    _template = folium.template.Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gw-legend-ctl");
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var d = div.querySelector("details");
    var c = map.getContainer();
    if (d && (c.clientWidth < {{ this.narrow }} || c.clientHeight < {{ this.short }})) { d.open = false; }
    return div;
  };
  ctl.addTo(map);
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, layers: tuple[LayerSpec, ...] | None = None, position: str = "bottomright",
                 narrow_px: int = NARROW_MAP_PX, short_px: int = SHORT_MAP_PX) -> None:
        super().__init__()
        self._name = "GwLegend"
        self.html = legend_html(layers)
        self.position = position
        self.narrow, self.short = int(narrow_px), int(short_px)


__all__ = ["NARROW_MAP_PX", "OUTLINE_MEANINGS", "SHORT_MAP_PX", "Legend", "legend_html"]
