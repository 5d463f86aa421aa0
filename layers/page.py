"""The page every reader gets: one run of this function is one run of the Streamlit script.

``app.py`` calls :func:`run` on every script run (a reader opening the page, a widget change);
a click on the map reruns only :func:`run`'s inner ``map_and_evidence`` fragment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from . import layout, mapready, ui
from .load import data_dir_from_env

FIRST_PAGE_SENT = "_first_page_sent"


@st.cache_resource(show_spinner=False)
def map_assets(app_dir: str) -> bool:
    """Leaflet served from ``app_dir/static`` and folium pointed at it: once per process (the
    server's warm-up usually has, layers/warmup.py)."""
    from .assets import configure_folium, ensure_static_assets

    ensure_static_assets(Path(app_dir))
    configure_folium()
    return True


def run(app_dir: Path) -> None:
    embedded = bool(st.context.is_embedded)  # ?embed=true (Streamlit strips it from st.query_params)

    # "auto": the sidebar is open on a wide screen and closed on a phone; an embed never shows it
    st.set_page_config(page_title="Gulf Watch — sourced map of the Gulf of Thailand", page_icon=layout.favicon(),
                       layout="wide", initial_sidebar_state="collapsed" if embedded else "auto")
    st.html(layout.page_css(embedded))

    data_dir = data_dir_from_env()
    ds = ui.dataset(str(data_dir))  # validated once per process, then from the disk cache (layers/cache.py)
    ui.init_state(ds)  # also marks this run as a whole-page run

    if not embedded:
        st.html(layout.header_html())
    ui.show_notices(ds)
    # The sidebar's room from the start (its widgets come after the map, below): the map is laid
    # out at its final width and does not shift when they arrive.
    sidebar = None if embedded else st.sidebar.container(key=layout.SIDEBAR_KEY)

    # The map's code is imported only now: folium and streamlit-folium take ~0.5 s to import in a
    # new process (unless the server's start-up already did, layers/warmup.py), and the header
    # sent above is what the browser loads meanwhile.
    from streamlit_folium import st_folium

    map_assets(str(app_dir))

    @st.fragment
    def map_and_evidence() -> None:
        """The map and its evidence panel.  A click on the map reruns only this part: the sidebar
        and the tabs below are left as they are (they do not change with the selection, or, for
        the tabs that do, :func:`layers.ui.on_map_change` asks for a whole-page run)."""
        ui.whole_page_if_asked()
        view = ui.current_view(ds)
        features = ui.visible(ds, view)
        # embedded: the map across the frame, the panel below it
        map_col, panel_col = (st.container(), st.container()) if embedded else st.columns([5, 3], gap="small")
        with map_col:
            groups = ui.map_groups(ds, features, view, data_dir)
            center, zoom = ui.map_view()
            st_folium(
                ui.base_map(data_dir, app_dir),
                key=ui.MAP_KEY,
                on_change=ui.on_map_change,
                height=640,
                use_container_width=True,
                feature_group_to_add=groups,
                center=center,
                zoom=zoom,
                returned_objects=ui.returned_objects(),
                # st_folium renders the map for its arguments either way; its extra whole-page render
                # first only compiled templates (same arguments, tests/test_lazy_templates.py)
                render=False,
            )
            ui.map_footer(ds, features, view)
        with panel_col, st.container(height=680, border=False, key=layout.PANEL_KEY):
            ui.evidence_panel(ds, view)
        ui.sync_query_params(ds, dt.date.today())

    # A reader's first page: the sidebar and the tabs wait (at most mapready.HOLD_S) for the map
    # to say it has drawn.  The browser fetches each widget's code as the widget arrives, six
    # requests at a time, and those ~65 scripts would otherwise queue ahead of the map's own
    # (bench/bench.py, section A3).  Same run, no rerun: nothing clicked meanwhile is lost.
    first_page = mapready.serving() and not st.session_state.get(FIRST_PAGE_SENT)
    drawn_after = mapready.mark()
    map_and_evidence()
    if first_page:
        st.session_state[FIRST_PAGE_SENT] = True
        mapready.wait(drawn_after)
    # The sidebar's values are in session state from the start (ui.init_state).
    if sidebar is not None:
        with sidebar:
            ui.sidebar_controls(ds)
    view = ui.current_view(ds)
    ui.lower_tabs(ds, ui.visible(ds, view), view, data_dir)
    ui.sync_query_params(ds, dt.date.today())
