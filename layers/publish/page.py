"""The static site's page (pure): the app's map, built by the app's own renderer, in a page of
our own — a header with search, the filters, the map and the evidence panel beside it.

The map is :func:`layers.render.base_map` plus every layer (all features, so that the page's
filters can show and hide them without Python), the live selection outline and the map frame,
rendered by folium; its links to Leaflet are replaced by links to the copies in ``vendor/``.
Everything from the data is either inside the map's JSON (folium's ``tojson``) or in
``site-data.js`` (:mod:`layers.publish.sitedata`); this page's own markup holds no data.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import folium

from ..layout import TAGLINE, TITLE
from ..load import Dataset

MAP_NAME = "gw"  # the map's JavaScript variable is map_gw


class SiteHook(folium.MacroElement):
    """Hands the map to ``site.js`` (``window.gwMap``)."""

    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}window.gwMap = {{ this._parent.get_name() }};{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "GwSiteHook"


def site_map(ds: Dataset, data_dir: Path | None) -> folium.Map:
    from .. import render
    from ..evidence import contested_ids
    from ..registry import DISPLAY_ORDER

    m = render.base_map(data_dir=data_dir)  # the Natural Earth basemap inline: no fetch, works from file://
    m._id = MAP_NAME
    render.LiveSelection().add_to(m)
    for fg in render.dynamic_groups(ds, ds.features, DISPLAY_ORDER, "Natural Earth (offline)",
                                    contested_ids(ds), None, data_dir or Path("data")):
        fg.add_to(m)
    SiteHook().add_to(m)
    return m


def _stable_ids(root) -> None:
    """folium names every element with a random id; number them instead, so publishing the
    same data twice writes the same bytes (a deployment diff shows only what changed)."""
    n = 0
    seen: set[int] = set()

    def walk(el) -> None:
        nonlocal n
        if id(el) in seen:
            return
        seen.add(id(el))
        if getattr(el, "_id", None) != MAP_NAME and hasattr(el, "_id"):
            n += 1
            el._id = f"{n:04d}"
        for child in list(getattr(el, "_children", {}).values()):
            walk(child)

    walk(root)


_HEAD_LINKS = """<link rel="stylesheet" href="vendor/leaflet/leaflet.css">
<link rel="stylesheet" href="site.css">
<script src="vendor/leaflet/leaflet.js"></script>
<script src="vendor/gulfwatch-compat.js"></script>
<script>document.documentElement.className += (/[?&#]embed=(true|1)\\b/.test(location.search + location.hash)
  ? " gw-embed" : "");</script>"""


def _shell() -> str:
    """The page's own markup (no data in it: site.js fills it from site-data.js)."""
    t = html.escape
    return f"""
<header id="gw-head" class="gw-top">
  <h1>{t(TITLE)}</h1><p class="gw-tagline">{t(TAGLINE)}</p>
  <div class="gw-search" role="search">
    <label for="gw-q" class="gw-sr">Search</label>
    <input id="gw-q" type="search" placeholder="Search places, sources, quotes…" autocomplete="off"
           aria-controls="gw-hits">
    <ul id="gw-hits" class="gw-hits" hidden></ul>
  </div>
</header>
<details id="gw-bar" class="gw-bar" open>
  <summary>Layers, dates, basemap</summary>
  <div class="gw-bar-in">
    <fieldset class="gw-layers"><legend>Layers</legend><span id="gw-layer-boxes"></span></fieldset>
    <fieldset class="gw-dates"><legend>Dates</legend>
      <label>from <input id="gw-from" type="date"></label>
      <label>to <input id="gw-to" type="date"></label></fieldset>
    <label class="gw-basemap">Basemap <select id="gw-basemap"></select></label>
    <p id="gw-status" class="gw-status" aria-live="polite"></p>
  </div>
</details>
<div id="gw-embedbar" class="gw-embedbar"><a id="gw-full" target="_blank" rel="noopener">Gulf Watch —
  open the full map ↗</a></div>
<aside id="gw-panel" class="gw-side-panel" aria-label="Evidence" tabindex="-1">
  <div id="gw-evidence"></div>
  <details id="gw-share" class="gw-share"><summary>Share or embed this view</summary>
    <p>Link to this view:</p><input id="gw-link" type="text" readonly aria-label="Link to this view">
    <p>Embed in an article (paste this HTML):</p><textarea id="gw-embed-code" readonly rows="4"
      aria-label="Embed code"></textarea>
  </details>
  <footer class="gw-credit"><p>Every feature is linked to its sources; quotes are verbatim.
    Basemap: Made with <a href="https://www.naturalearthdata.com/" target="_blank" rel="noopener noreferrer">Natural
    Earth</a> (public domain). <span id="gw-published"></span>
    Data: <a href="data/gulf-watch.geojson" download>GeoJSON</a>.
    <a id="gw-app" hidden target="_blank" rel="noopener noreferrer">Analyst's tools (table, chronology,
    sources, distances, exports, your own layer) ↗</a></p></footer>
</aside>
<div class="st-key-gw-imagery" hidden><button type="button" id="gw-imagery">Show satellite imagery</button></div>
"""


def page_html(ds: Dataset, data_dir: Path | None) -> str:
    from ..assets import _LINK_TAG, _SCRIPT_TAG

    m = site_map(ds, data_dir)
    fig = m.get_root()
    fig.html.add_child(folium.Element(_shell()), name="gw_shell")
    _stable_ids(fig)
    page = fig.render()
    # folium links Leaflet (and jQuery, Bootstrap, …) from CDNs or from the app's vendor URLs:
    # drop every script and stylesheet link, then link the site's own copies
    page = _SCRIPT_TAG.sub("", page)
    page = _LINK_TAG.sub(lambda mt: "" if "stylesheet" in mt.group(0).lower() else mt.group(0), page)
    page = re.sub(r"<head[^>]*>", lambda mt: (mt.group(0) + "\n<meta charset=\"utf-8\">\n"
                                             f"<title>{html.escape(TITLE)} — sourced map of the Gulf of "
                                             f"Thailand</title>\n" + _HEAD_LINKS), page, count=1)
    page = page.replace('<html>', '<html lang="en">', 1)
    # folium's viewport forbids zooming the page (user-scalable=no): a reader may need to
    page = re.sub(r'<meta name="viewport"[^>]*>', '<meta name="viewport" content="width=device-width, '
                  'initial-scale=1">', page, count=1)
    tail = '<script src="site-data.js"></script>\n<script src="site.js"></script>\n</html>'
    return page[: page.rindex("</html>")] + tail
