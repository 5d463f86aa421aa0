"""Leaflet's JavaScript and CSS from local files, so the map works with no internet at all.

folium points every map at CDNs (jsdelivr, cdnjs, code.jquery.com, …) and streamlit-folium loads
those links one after another, giving up at the first failure: one unreachable CDN means no map.
This module replaces them with files from two PyPI packages, ``xstatic-leaflet`` (Leaflet 1.9.3)
and ``xstatic-leaflet-markercluster`` (1.4.1), so no third-party code is committed to the repo:

* :func:`ensure_static_assets` copies the files into ``<app>/static/vendor/`` (git-ignored), which
  Streamlit serves at ``<app root>/app/static/vendor/`` when ``server.enableStaticServing`` is on.
* :func:`configure_folium` points folium at those URLs and drops jQuery, Bootstrap, Font Awesome
  and awesome-markers.  A 1 KB script of ours (:data:`COMPAT_JS`) stands in for the two bits of
  jQuery folium still uses (``folium.Popup``, ``objects_to_stay_in_front``), sets the default
  marker image path (streamlit-folium issue #275) and makes ``folium.Icon`` fall back to the
  default marker instead of breaking the whole map.  Use ``DivIcon`` / ``CircleMarker`` for
  custom markers: ``folium.Icon`` (awesome-markers) is not available offline.
* :func:`standalone_html` writes a map as one HTML file with everything inlined (downloads).

URLs.  streamlit-folium's iframe is served from ``<root>/component/streamlit_folium.st_folium/
index.html`` and the scripts are added to *that* document, so the links are written relative to
it (``../../app/static/vendor/…``).  ``<root>`` is ``/`` locally, ``/foo/`` with
``--server.baseUrlPath=foo`` and ``/~/+/`` on Streamlit Community Cloud; a root-relative
``/app/static/…`` would only work in the first case.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import branca.element
import folium
import folium.plugins
from jinja2 import Template as _JinjaTemplate
import xstatic.pkg.leaflet as _xs_leaflet
import xstatic.pkg.leaflet_markercluster as _xs_markercluster

LEAFLET_DIR = Path(_xs_leaflet.BASE_DIR)
MARKERCLUSTER_DIR = Path(_xs_markercluster.BASE_DIR)
LEAFLET_VERSION = _xs_leaflet.VERSION
MARKERCLUSTER_VERSION = _xs_markercluster.VERSION

VENDOR_SUBDIR = Path("static") / "vendor"
COMPAT_JS_NAME = "gulfwatch-compat.js"

# (source directory, file inside it, destination relative to <app>/static/vendor/)
ASSET_FILES: tuple[tuple[Path, str, str], ...] = (
    (LEAFLET_DIR, "leaflet.js", "leaflet/leaflet.js"),
    (LEAFLET_DIR, "leaflet.css", "leaflet/leaflet.css"),
    (LEAFLET_DIR, "images/layers.png", "leaflet/images/layers.png"),
    (LEAFLET_DIR, "images/layers-2x.png", "leaflet/images/layers-2x.png"),
    (LEAFLET_DIR, "images/marker-icon.png", "leaflet/images/marker-icon.png"),
    (LEAFLET_DIR, "images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"),
    (LEAFLET_DIR, "images/marker-shadow.png", "leaflet/images/marker-shadow.png"),
    (MARKERCLUSTER_DIR, "leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    (MARKERCLUSTER_DIR, "MarkerCluster.css", "markercluster/MarkerCluster.css"),
    (MARKERCLUSTER_DIR, "MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
)

# Our own code, written next to the copied files (see module docstring).  It runs right after
# leaflet.js.  ES5 only, no dependencies.
COMPAT_JS = r"""/* Gulf Watch: stand-ins for the parts of jQuery / awesome-markers that folium uses. */
(function () {
  "use strict";
  var L = window.L, me = document.currentScript;
  /* Default marker images sit next to leaflet.css: derive their URL from this script's own URL
     (Leaflet guesses ".../leafletmarker-icon.png" when the CSS loads late: streamlit-folium #275). */
  if (L && me && me.src) {
    L.Icon.Default.imagePath = new URL("leaflet/images/", me.src).href;
  }
  /* folium.Popup: $(`<div>…</div>`)[0]; folium.Map (objects_to_stay_in_front): $(document).ready(f). */
  if (!window.jQuery && !window.$) {
    var ready = function (fn) {
      if (document.readyState !== "loading") { fn(); }
      else { document.addEventListener("DOMContentLoaded", fn); }
    };
    var $ = function (arg) {
      if (typeof arg === "function") { ready(arg); return undefined; }
      if (typeof arg === "string") {
        var s = arg.trim();
        if (s.charAt(0) === "<") {
          var t = document.createElement("template");
          t.innerHTML = s;
          return Array.prototype.slice.call(t.content.childNodes);
        }
        return Array.prototype.slice.call(document.querySelectorAll(s));
      }
      return { 0: arg, length: 1, ready: ready };
    };
    window.$ = window.jQuery = $;
  }
  /* folium.Icon and FastMarkerCluster's default callback need Leaflet.awesome-markers, which is
     not bundled: show the default marker rather than let one icon stop the whole map script. */
  if (L && !L.AwesomeMarkers) {
    var warned = false, Fallback = L.Icon.Default.extend({
      initialize: function (options) {
        if (!warned && window.console) {
          warned = true;
          console.warn("Leaflet.awesome-markers is not bundled (folium.Icon, FastMarkerCluster's " +
                       "default icon): showing Leaflet's default marker instead");
        }
        L.Icon.Default.prototype.initialize.call(this, options);
      }
    });
    L.AwesomeMarkers = { Icon: Fallback, icon: function (o) { return new Fallback(o); } };
  }
})();
"""


# --------------------------------------------------------------------------- static files

def _write_atomic(dest: Path, data: bytes) -> None:
    """Write via a temp file in the same folder + os.replace: readers never see half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def ensure_static_assets(app_dir: Path) -> Path:
    """Copy Leaflet + markercluster into ``<app_dir>/static/vendor/``; return that folder.

    Cheap when up to date (one ``stat`` per file; a file is rewritten only when its size
    differs), and safe when several processes run it at once (temp file + ``os.replace``).
    """
    vendor = Path(app_dir) / VENDOR_SUBDIR
    wanted: list[tuple[Path, bytes | Path]] = [(vendor / dest, src_dir / name)
                                               for src_dir, name, dest in ASSET_FILES]
    wanted.append((vendor / COMPAT_JS_NAME, COMPAT_JS.encode("utf-8")))
    for dest, src in wanted:
        size = src.stat().st_size if isinstance(src, Path) else len(src)
        try:
            if dest.stat().st_size == size:
                continue
        except FileNotFoundError:
            pass
        _write_atomic(dest, src.read_bytes() if isinstance(src, Path) else src)
    return vendor


# --------------------------------------------------------------------------- folium links

def _join(base_url: str, rel: str) -> str:
    """URL of a vendor file as written into the map.

    ``base_url`` without a scheme or leading ``/`` or ``.`` is a path below the Streamlit server
    root; it is made relative to the streamlit-folium iframe (two levels below the root) so it
    works under any ``server.baseUrlPath``.  Anything else is used as given.
    """
    base = base_url.rstrip("/")
    if not re.match(r"^([a-z][a-z0-9+.-]*:|/|\.)", base, re.I):
        base = "../../" + base
    return f"{base}/{rel}"


def vendor_urls(base_url: str = "app/static/vendor") -> dict[str, str]:
    """The URL of every file folium links to, keyed by a short name."""
    return {
        "leaflet_js": _join(base_url, "leaflet/leaflet.js"),
        "leaflet_css": _join(base_url, "leaflet/leaflet.css"),
        "leaflet_images": _join(base_url, "leaflet/images/"),
        "compat_js": _join(base_url, COMPAT_JS_NAME),
        "markercluster_js": _join(base_url, "markercluster/leaflet.markercluster.js"),
        "markercluster_css": _join(base_url, "markercluster/MarkerCluster.css"),
        "markercluster_default_css": _join(base_url, "markercluster/MarkerCluster.Default.css"),
    }


class _LazyTemplate:
    """A Jinja template compiled when first used.  branca wraps every rendered snippet of
    JavaScript in a new ``Element(template=<the snippet>)``, compiling the snippet as a Jinja
    template (the map's data included: tens of KB per rerun) although streamlit-folium never
    renders most of them again; compiling them was a third of the server's work per click."""

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source, self._compiled = source, None

    def _template(self):
        if self._compiled is None:
            self._compiled = _JinjaTemplate(self._source)
        return self._compiled

    def render(self, *args, **kwargs) -> str:
        return self._template().render(*args, **kwargs)

    def __getattr__(self, name: str):  # .module, .blocks, … as on the compiled template
        return getattr(self._template(), name)


def configure_folium(base_url: str = "app/static/vendor") -> None:
    """Point folium at the local Leaflet files only (no jQuery, Bootstrap, Font Awesome, …).

    Call once per process before building maps (idempotent).  Afterwards ``folium.Map`` links
    exactly leaflet.js + our compat script + leaflet.css, and ``MarkerCluster`` /
    ``FastMarkerCluster`` link the local markercluster files; branca compiles the snippets it
    wraps in ``Element`` only when they are rendered (:class:`_LazyTemplate`).  The links resolve inside
    streamlit-folium's iframe; for a file to open elsewhere use :func:`standalone_html`.
    """
    u = vendor_urls(base_url)
    branca.element.Template = _LazyTemplate  # what Element(template=...) compiles with
    # New lists (never mutate folium's): JSCSSMixin.add_js_link edits the class list in place.
    folium.Map.default_js = [("leaflet", u["leaflet_js"]), ("gulfwatch_compat", u["compat_js"])]
    folium.Map.default_css = [("leaflet_css", u["leaflet_css"])]
    mc_js = [("markerclusterjs", u["markercluster_js"])]
    mc_css = [("markerclustercss", u["markercluster_css"]),
              ("markerclusterdefaultcss", u["markercluster_default_css"])]
    for cls in (folium.plugins.MarkerCluster, folium.plugins.FastMarkerCluster):
        cls.default_js = list(mc_js)
        cls.default_css = list(mc_css)


class LeafletIconPath(folium.MacroElement):
    """Set ``L.Icon.Default.imagePath`` explicitly (add to the map before any default Marker).

    Not needed with :func:`configure_folium`'s compat script, which derives the path from its
    own URL; useful when Leaflet comes from somewhere else.
    """

    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}"
        "L.Icon.Default.imagePath = {{ this.path|tojson }};"
        "{% endmacro %}"
    )

    def __init__(self, path: str | None = None):
        super().__init__()
        self._name = "LeafletIconPath"
        self.path = path if path is not None else vendor_urls()["leaflet_images"]


# --------------------------------------------------------------------------- inlined assets

def _data_uri(path: Path, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _script(js: str) -> str:
    return "<script>" + js.replace("</script", "<\\/script") + "</script>"


def _style(css: str) -> str:
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


@lru_cache(maxsize=2)
def inline_head_html(markercluster: bool = True) -> str:
    """``<style>`` + ``<script>`` tags with Leaflet (and markercluster) inlined, for offline HTML.

    The images leaflet.css refers to become data: URIs, and the default marker icons too.
    """
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\((['\"]?)images/([\w.-]+\.png)\1\)",
                 lambda mt: f"url({_data_uri(LEAFLET_DIR / 'images' / mt.group(2))})", css)
    icons = (
        'L.Icon.Default.imagePath = "";'
        "L.Icon.Default.mergeOptions({"
        f'iconUrl: "{_data_uri(LEAFLET_DIR / "images/marker-icon.png")}",'
        f'iconRetinaUrl: "{_data_uri(LEAFLET_DIR / "images/marker-icon-2x.png")}",'
        f'shadowUrl: "{_data_uri(LEAFLET_DIR / "images/marker-shadow.png")}"'
        "});"
    )
    parts = [_style(css)]
    if markercluster:
        parts += [_style((MARKERCLUSTER_DIR / n).read_text(encoding="utf-8"))
                  for n in ("MarkerCluster.css", "MarkerCluster.Default.css")]
    parts += [_script((LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")),
              _script(COMPAT_JS), _script(icons)]
    if markercluster:
        parts.append(_script((MARKERCLUSTER_DIR / "leaflet.markercluster.js").read_text(encoding="utf-8")))
    return "\n".join(parts)


# File names (last URL segment) of every library folium may link to that we replace or drop.
_KNOWN_ASSET = re.compile(
    r"(^|/)(leaflet(\.min)?\.(js|css)|leaflet\.markercluster(-src)?\.js|MarkerCluster(\.Default)?\.css"
    r"|jquery[\w.-]*\.js|bootstrap[\w.-]*\.(js|css)|bootstrap-glyphicons\.css|all(\.min)?\.css"
    r"|leaflet\.awesome-markers(\.min)?\.(js|css)|leaflet\.awesome\.rotate(\.min)?\.css"
    + "|" + re.escape(COMPAT_JS_NAME) + r")$"
)
_SCRIPT_TAG = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)[\"'][^>]*>\s*</script\s*>", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*\bhref=[\"']([^\"']+)[\"'][^>]*/?>", re.I)


def standalone_html(m: folium.Map) -> str:
    """The whole HTML document of ``m``, with the known library links replaced by inlined copies.

    Opens from disk with no network (tiles aside: with no tile server reachable the map shows
    its background and vector layers).  Links to libraries this module does not know (other
    folium plugins) are left as they are.
    """
    html = m.get_root().render()
    uses_mc = False

    def drop(match: re.Match) -> str:
        nonlocal uses_mc
        url = match.group(1).split("?", 1)[0].split("#", 1)[0]
        if not _KNOWN_ASSET.search(url):
            return match.group(0)
        if "arkercluster" in url:
            uses_mc = True
        return "<!--gw-asset-->"

    html = _SCRIPT_TAG.sub(drop, html)
    html = _LINK_TAG.sub(lambda mt: drop(mt) if "stylesheet" in mt.group(0).lower() else mt.group(0), html)
    head = inline_head_html(markercluster=uses_mc)
    if "<!--gw-asset-->" in html:
        html = html.replace("<!--gw-asset-->", head, 1).replace("<!--gw-asset-->", "")
    else:  # nothing to replace: put Leaflet first in <head>
        html = re.sub(r"<head[^>]*>", lambda mt: mt.group(0) + "\n" + head, html, count=1)
    return html


__all__ = [
    "ASSET_FILES", "COMPAT_JS", "COMPAT_JS_NAME", "LEAFLET_VERSION", "MARKERCLUSTER_VERSION",
    "LeafletIconPath", "configure_folium", "ensure_static_assets", "inline_head_html",
    "standalone_html", "vendor_urls",
]
