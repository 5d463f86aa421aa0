"""The page's session state and its URL: seeded from the link on a session's first run, kept
equal to what is on screen on every run after.  :mod:`layers.ui` re-exports these names: the
page (``layers/page.py``) and the tabs take them from there, as ``ui.<name>``.  Session keys:

``sel``            selected feature id (or None)
``lay_<layer>``    layer checkboxes
``basemap``        basemap slug
``window``         (date_from, date_to)
``sides``          list of side values shown
``map_center`` / ``map_zoom``   the view last *sent* to the map (changed only to move it)
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import streamlit as st

from .filters import timeline_min
from .load import Dataset
from .model import Feature
from .registry import DISPLAY_ORDER
from .state import ALL_SIDES, TIMELINE_START, ViewState, parse_query, to_query


# Values of widgets that live in the lower tabs.  Only the open tab runs, and Streamlit forgets
# the value of a widget that did not run; these are re-stated on every run so they survive.
KEEP_WIDGETS = ("measure", "ring_text", "ring_unit", "reader_source")
# The sidebar's widgets (layers/sidebar.py), re-stated on every run too.  A value set through
# session state reaches the browser only with the run that sets it; a widget whose code the
# browser has not loaded yet when the next run comes (a tab clicked the moment it appears on a
# first page) is then drawn with its default — no layer, no voice, the whole date range — and
# sends that back with the next click (tests/browser/test_map_first.py).  Not the search box:
# re-sending its value could overwrite what a reader is typing.
SIDEBAR_WIDGETS = tuple(f"lay_{layer}" for layer in DISPLAY_ORDER) + ("lay_user", "basemap", "window", "sides")

# A map click reruns only the map-and-evidence fragment (layers/page.py).  These lower tabs show
# something that follows the selection or the measuring points, so when one of them is open a
# click asks for a whole-page run instead (:func:`layers.ui.on_map_change`).
FOLLOWS_SELECTION = ("Sources", "Distances & rings", "Export & share")
WHOLE_PAGE = "_whole_page_wanted"


def init_state(ds: Dataset) -> ViewState:
    """Every run: keep the values of the closed tabs' widgets and re-state the sidebar's.  First
    run of a session: seed every widget from the URL (with notices for garbage)."""
    for k in KEEP_WIDGETS + SIDEBAR_WIDGETS:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]
    st.session_state.pop(WHOLE_PAGE, None)  # this is a whole-page run
    if st.session_state.get("_init"):
        return current_view(ds)
    view, notices = parse_query(st.query_params.to_dict(), [f.id for f in ds.features])
    ss = st.session_state
    ss["_init"] = True
    ss["notices"] = notices
    for layer in DISPLAY_ORDER:
        ss[f"lay_{layer}"] = layer in view.layers
    ss["basemap"] = view.basemap
    lo = timeline_min(ds)
    ss["window"] = (max(view.date_from, lo), max(view.date_to, lo))
    ss["sides"] = list(view.sides)
    ss["sel"] = view.feature
    ss["map_center"], ss["map_zoom"] = None, None
    if view.view:
        ss["map_center"], ss["map_zoom"] = (view.view[0], view.view[1]), view.view[2]
    elif view.feature:
        _pan_to(ds.feature(view.feature), ds)
    return current_view(ds)


def current_view(ds: Dataset) -> ViewState:
    ss = st.session_state
    start, end = ss.get("window", (TIMELINE_START, dt.date.today()))
    sel = ss.get("sel")
    if sel is not None and ds.feature(sel) is None:
        sel = None
    return ViewState(
        feature=sel,
        layers=tuple(layer for layer in DISPLAY_ORDER if ss.get(f"lay_{layer}", True)),
        basemap=ss.get("basemap", "natural-earth"),
        date_from=start, date_to=end,
        sides=tuple(s for s in ALL_SIDES if s in ss.get("sides", ALL_SIDES)),
    )


def _pan_to(feature: Feature | None, ds: Dataset) -> None:
    if feature is None:
        return
    from . import render

    (lat, lon), zoom = render.view_for(feature, ds.features)
    # st_folium moves the map only when centre/zoom differ from what it was last sent: a
    # vanishing nudge makes "select again" re-centre even if the reader panned away.
    nonce = st.session_state.get("_nonce", 0) + 1
    st.session_state["_nonce"] = nonce
    st.session_state["map_center"] = (lat + (nonce % 2) * 1e-6, lon)
    st.session_state["map_zoom"] = zoom


def select(feature_id: str | None, pan: bool = True, ds: Dataset | None = None) -> None:
    st.session_state["sel"] = feature_id
    if pan and feature_id and ds is not None:
        _pan_to(ds.feature(feature_id), ds)


def map_view() -> tuple[tuple[float, float] | None, int | None]:
    return st.session_state.get("map_center"), st.session_state.get("map_zoom")


def sync_query_params(ds: Dataset, today: dt.date) -> None:
    """Keep the URL equal to what is on screen (shareable at any moment)."""
    want = to_query(current_view(ds), now=today)
    if st.query_params.to_dict() != want:
        st.query_params.from_dict(want)


def whole_page_if_asked() -> None:
    """At the top of the map fragment: if a click asked for a whole-page run and this run is
    only the fragment's (a whole-page run clears the request first), rerun the whole page."""
    if st.session_state.pop(WHOLE_PAGE, False):
        st.rerun(scope="app")


def share_link(view: ViewState, include_view: bool = False) -> str:
    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:
        base = ""
    q = to_query(view, include_view=include_view)
    return base + ("?" + urlencode(q) if q else "")
