"""The Streamlit page, piece by piece.  ``layers/page.py`` calls these in order.

Streamlit is imported only here and in the two modules split off from here, whose names this one
re-exports (:mod:`layers.session`: the session state and the URL; :mod:`layers.sidebar`: the
sidebar's controls), in the tabs under the map (:mod:`layers.tabs`, one module per tab) and in
``app.py`` with ``layers/page.py`` and ``layers/warmup.py``.  This module holds the page's state in
``st.session_state`` (the keys: :mod:`layers.session`) and turns it into calls to the pure modules
(``load``, ``filters``, ``render``, ``panel``, ``state``...).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from .layout import MAP_IFRAME
from .evidence import contested_ids
from .filters import hidden_by_window, plural, timeline_min, visible_features
from .cache import load_dataset_cached, static_basemap_url
from .load import Dataset
from .model import Feature, Side
from .panel import PANEL_CSS, feature_panel_html, md_escape
from .session import (FOLLOWS_SELECTION, KEEP_WIDGETS, WHOLE_PAGE, current_view, init_state, map_view,
                      select, share_link, sync_query_params, whole_page_if_asked)
from .sidebar import sidebar_controls
from .state import BASEMAPS, ViewState

if TYPE_CHECKING:
    import folium

# folium, shapely and the map code (``render``) are imported where the map is built, not here:
# the page (layers/page.py) sends its header first, and the browser loads it while the server
# imports them, unless the server's start-up already has (layers/warmup.py;
# tests/test_dataset_cache.py checks it).

# The page's pieces, as the page (layers/page.py) and the tabs take them from here; the names of
# layers/session.py and layers/sidebar.py are re-exported, so they stay ``ui.<name>``.
__all__ = [
    "MAP_KEY", "START_FEATURE", "dataset", "contested", "text_html", "plain", "show_notices",
    "visible", "base_map", "map_groups", "returned_objects", "on_map_change", "map_footer",
    "scroll_to_map", "evidence_panel", "lower_tabs",
    # layers/session.py
    "KEEP_WIDGETS", "FOLLOWS_SELECTION", "WHOLE_PAGE", "init_state", "current_view", "select",
    "map_view", "sync_query_params", "whole_page_if_asked", "share_link",
    # layers/sidebar.py
    "sidebar_controls",
]

MAP_KEY = "gulf-map"
START_FEATURE = "ream-naval-base"  # the story's centre: offered first when nothing is selected


# --- data ------------------------------------------------------------------------------------

def _data_stamp(data_dir: Path) -> tuple:
    """Changes whenever a data file changes, so edits show up without a restart."""
    out = []
    for p in data_dir.rglob("*"):
        if p.suffix not in (".json", ".geojson"):
            continue
        try:
            st_ = p.stat()
        except OSError:  # removed meanwhile, a broken link: load_dataset reports what is missing
            continue
        if p.is_file():
            out.append((str(p), st_.st_mtime_ns, st_.st_size))
    return tuple(sorted(out))


@st.cache_resource(show_spinner=False, max_entries=4)
def _dataset_cached(data_dir: str, stamp: tuple) -> Dataset:
    # a new process takes the validated data from the disk cache when no input or code changed
    return load_dataset_cached(Path(data_dir))


@st.cache_resource(show_spinner=False, max_entries=4)
def _contested_cached(data_dir: str, stamp: tuple) -> frozenset[str]:
    return frozenset(contested_ids(_dataset_cached(data_dir, stamp)))


def dataset(data_dir: str) -> Dataset:
    stamp = _data_stamp(Path(data_dir))
    st.session_state["_stamp"] = (data_dir, stamp)
    return _dataset_cached(data_dir, stamp)


def contested(ds: Dataset) -> set[str]:
    data_dir, stamp = st.session_state["_stamp"]
    return set(_contested_cached(data_dir, stamp))


# --- text from a link, an upload or the data ---------------------------------------------------

# Streamlit renders st.markdown, st.caption, st.info/success/warning/error and widget labels as
# Markdown: a value like ``![t](http://evil.example/x.png)`` would fetch that image (a request
# off the machine) and ``[Log in](https://…)`` would be a link.  Text that came from the URL, an
# upload or a data file is therefore shown only through these helpers (HTML-escaped inside
# st.html, which renders HTML and never Markdown), through st.text / st.code, or — for widget
# labels, which can only be Markdown — through :func:`layers.panel.md_escape`.
_TEXT_STYLE = ("margin:0 0 .5rem 0;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.5;"
               "font-family:inherit;")
_TEXT_KINDS = {
    "text": "",
    "caption": "font-size:.875rem;color:rgba(49,51,63,.6);",
    "info": "padding:.75rem 1rem;border-radius:.5rem;background:rgba(28,131,225,.1);color:#004280;",
    "success": "padding:.75rem 1rem;border-radius:.5rem;background:rgba(33,195,84,.1);color:#177233;",
    "warning": "padding:.75rem 1rem;border-radius:.5rem;background:rgba(255,189,69,.2);color:#926c05;",
    "error": "padding:.75rem 1rem;border-radius:.5rem;background:rgba(255,43,43,.09);color:#7d353b;",
}


def text_html(markup: str, kind: str = "text", where=None, css_class: str = "") -> None:
    """``markup`` (HTML in which every piece of outside text is already escaped with
    :func:`html.escape`) in a box styled as ``kind`` (caption, info, success, warning, error);
    ``css_class``: more classes on the box (ours, never outside text)."""
    role = ' role="alert"' if kind in ("warning", "error") else ' role="status"' if kind != "text" else ""
    classes = f"gw-text gw-text-{kind} {css_class}".strip()
    (where or st).html(f'<div class="{classes}"{role} '
                       f'style="{_TEXT_STYLE}{_TEXT_KINDS[kind]}">{markup}</div>')


def plain(text: str, kind: str = "text", where=None, css_class: str = "") -> None:
    """Show ``text`` exactly as written — never read as Markdown or HTML."""
    text_html(html.escape(str(text), quote=True), kind, where, css_class)


# --- page pieces -----------------------------------------------------------------------------

def show_notices(ds: Dataset) -> None:
    """What the link asked for that could not be shown, and the problems in the data.  Both
    quote outside text (a link's parameter, a file's ids), so both are shown as text."""
    for n in st.session_state.get("notices", []):
        plain(n, "info")
    errors = ds.errors
    if errors:
        with st.expander(f"{plural(len(errors), 'problem')} in the data — the affected items are not "
                         "shown; everything else is.", expanded=True, icon=":material/warning:"):
            st.code("\n".join(str(p) for p in errors[:50]), language=None, wrap_lines=True)
            if len(errors) > 50:
                st.caption(f"… and {len(errors) - 50:,} more (run `python -m layers check`).")


def visible(ds: Dataset, view: ViewState) -> list[Feature]:
    return visible_features(ds, view.layers, view.date_from, view.date_to, view.sides)


def base_map(data_dir: Path, app_dir: Path) -> folium.Map:
    """The map frame — plus the reader's own layer, if any.  A big uploaded layer lives in the
    base map rather than in the swapped feature groups: the groups are all redrawn whenever any
    of them changes (each selection), which for 100,000 points takes seconds; the base map is
    rebuilt in the browser only when the upload itself changes.  The Natural Earth basemap is
    a static file the map fetches once (``app_dir/static/basemap``), not part of the script."""
    from . import render

    # ensure_static_basemap's URL, from the disk cache when the basemap files are unchanged
    src = static_basemap_url(app_dir, render.basemap_data_dir(data_dir))
    m = render.base_map(data_dir=data_dir, basemap_src=src)
    render.LiveSelection().add_to(m)
    user = st.session_state.get("user_layer")
    if user is not None and st.session_state.get("lay_user", True):
        from .userlayer import user_layer_group

        user_layer_group(user["gdf"], name=user["name"]).add_to(m)
    render.MapReadyPing().add_to(m)  # last: the map's files are loaded when it runs (layers/mapready.py)
    return m


def map_groups(ds: Dataset, features: list[Feature], view: ViewState,
               data_dir: Path) -> list[folium.FeatureGroup]:
    """Everything on the map that a filter can change.  Not the selection: the map outlines the
    selected feature itself (:class:`layers.render.LiveSelection`), so a new selection leaves
    these groups as they were and the browser has nothing to redraw but the outline."""
    from . import render
    from .tabs.distances import extra_groups

    return render.dynamic_groups(ds, features, view.layers, BASEMAPS[view.basemap], contested(ds),
                                 None, data_dir, extra=extra_groups(ds, view))


def returned_objects() -> list[str]:
    """Clicks select (and feed the measure tool); centre and zoom come back too, for "link to
    this exact view", and the bounds, for "Download figure" (the view exactly as on screen).
    They rerun the script but never rebuild the map, since its JavaScript stays the same.
    (The component reads this list once, when it mounts: keep it constant.)"""
    return ["last_active_drawing", "last_object_clicked", "last_clicked", "center", "zoom", "bounds"]


def on_map_change() -> None:
    """st_folium callback: runs before the map fragment's rerun, so the map and the panel see
    the new selection (and an open tab that follows it gets a whole-page run, see
    :func:`whole_page_if_asked`).  Only a *new* click selects: pans and zooms also call back,
    with the old click still in it."""
    ss = st.session_state
    value = ss.get(MAP_KEY) or {}
    drawing = value.get("last_active_drawing") or {}
    fid = (drawing.get("properties") or {}).get("id")
    click = value.get("last_object_clicked")
    sig = repr((fid, click))
    before = (ss.get("sel"), ss.get("measure_pts"))
    if sig != ss.get("_click_sig"):
        ss["_click_sig"] = sig
        if isinstance(fid, str) and fid and click:
            ss["sel"] = fid
    if ss.get("measure"):
        pt = value.get("last_clicked")
        if pt and repr(pt) != ss.get("_measure_sig"):
            ss["_measure_sig"] = repr(pt)
            p = {"lat": float(pt["lat"]), "lng": float(pt["lng"])}
            if isinstance(fid, str) and click and abs(click.get("lat", 0) - p["lat"]) < 1e-9:
                p["name"] = ss.get("_names", {}).get(fid, fid)
            ss["measure_pts"] = (ss.get("measure_pts", []) + [p])[-2:]
    if (ss.get("sel"), ss.get("measure_pts")) != before and ss.get("lower_tab") in FOLLOWS_SELECTION:
        ss[WHOLE_PAGE] = True


def map_footer(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    note = ("" if view.basemap == "natural-earth" else
            " — tiles load from the provider; Natural Earth stays underneath if they can’t")
    st.caption(md_escape(f"Showing {len(features)} of {plural(len(ds.features), 'feature')} · click one "
                         f"for its evidence · basemap: {BASEMAPS[view.basemap]}{note}"))
    hidden = hidden_by_window(ds, view.layers, view.date_from, view.date_to, view.sides)
    if hidden:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        plain(f"The date window ({view.date_from:%-d %b %Y} – {view.date_to:%-d %b %Y}) hides "
              f"{plural(len(hidden), 'feature')}: " + "; ".join(f.props.name for f in hidden) + ".",
              "caption", c1)
        c2.button("Show all dates", key="window-all", on_click=_show_all_dates, args=(timeline_min(ds),))
    # the map's "Show satellite imagery" button (offline coastline too coarse) presses this one
    with st.container(key="gw-imagery-holder"):
        st.button("Show satellite imagery", key="gw-imagery", on_click=_pick_basemap, args=("esri",))
    if st.session_state.pop("_scroll_to_map", False):
        scroll_to_map()


def _show_all_dates(earliest: dt.date) -> None:
    st.session_state["window"] = (earliest, dt.date.today())


def _pick_basemap(slug: str) -> None:
    if slug in BASEMAPS:
        st.session_state["basemap"] = slug
        st.session_state[WHOLE_PAGE] = True  # the sidebar's basemap radio shows the choice


def scroll_to_map() -> None:
    """Bring the map into view (a pick in the table or the chronology, far below it, changed it).
    The script is ours, with no data in it; it runs in the page as soon as it is drawn."""
    nonce = st.session_state.get("_scroll_nonce", 0) + 1
    st.session_state["_scroll_nonce"] = nonce
    st.html(f"<script>/* {nonce} */ (function () {{ var f = document.querySelector({json.dumps(MAP_IFRAME)});"
            " if (f) { f.scrollIntoView({behavior: 'smooth', block: 'start'}); } })();</script>",
            unsafe_allow_javascript=True)


def evidence_panel(ds: Dataset, view: ViewState) -> None:
    feature = ds.feature(view.feature) if view.feature else None
    if feature is None:
        st.html(PANEL_CSS + '<div class="gw-panel gw-intro"><h3>Evidence</h3><p>Click a site on the map '
                "(or pick one in the table, chronology or sources below) to see what each side says: "
                "verbatim quotes and our summaries, each with who said it, the publication, the date "
                "and a link.</p></div>")
        start = ds.feature(START_FEATURE)
        if start is not None:
            st.button(md_escape(f"Start with {start.props.name}"), key="start-here", icon=":material/anchor:",
                      on_click=select, args=(start.id,), kwargs={"ds": ds})
        return
    sides = {Side(s) for s in view.sides}
    st.html(feature_panel_html(ds, feature, sides=sides))
    _site_buttons(ds, feature)
    if st.button("Clear selection", key="clear-sel"):
        select(None)
        st.rerun()


def _site_buttons(ds: Dataset, feature: Feature) -> None:
    """A site's parts (drawn only when zoomed in) are listed in its panel, and a part names its site."""
    from .sites import related

    rel = related(feature, ds.features)
    if rel is None:
        return
    heading, targets = rel
    st.caption(md_escape(heading))
    for t in targets:
        if st.button(md_escape(t.props.name), key=f"part-{t.id}", icon=":material/subdirectory_arrow_right:"):
            select(t.id, ds=ds)
            st.rerun()


# --- the tabs under the map ------------------------------------------------------------------

def lower_tabs(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path) -> None:
    """The tabs under the map (:mod:`layers.tabs`)."""
    from .tabs import lower_tabs as tabs

    tabs(ds, features, view, data_dir)
