"""The sidebar's controls: search, layers, basemap, date window, voices, and how to read the map.
``layers/page.py`` sends them after the map (as ``ui.sidebar_controls``, re-exported by
:mod:`layers.ui`); their values are in session state from the start (:mod:`layers.session`)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from .filters import timeline_min
from .load import Dataset
from .model import SIDE_LABELS, Side
from .panel import md_escape
from .registry import BY_ID, DISPLAY_ORDER
from .session import select
from .state import ALL_SIDES, BASEMAPS


def sidebar_controls(ds: Dataset) -> None:
    st.session_state["_names"] = {f.id: f.props.name for f in ds.features}
    _search_box(ds)
    st.header("Layers")
    counts = {layer: sum(f.props.layer == layer for f in ds.features) for layer in DISPLAY_ORDER}
    for layer in DISPLAY_ORDER:
        spec = BY_ID[layer]
        st.checkbox(md_escape(f"{spec.title} ({counts[layer]})"), key=f"lay_{layer}", help=spec.description)
    if st.session_state.get("user_layer") is not None:
        st.checkbox(md_escape(st.session_state["user_layer"]["name"]), key="lay_user")
    st.caption("Colours, outlines and rings are explained in the legend on the map.")
    st.radio("Basemap", list(BASEMAPS), key="basemap", format_func=lambda s: BASEMAPS[s],
             help="Natural Earth works with no internet and is always drawn underneath; the "
                  "online tile maps load from their providers only when you pick them.")
    st.slider("Date window", min_value=timeline_min(ds), max_value=dt.date.today(), key="window",
              format="YYYY-MM-DD",
              help="Shows features whose dates overlap the window; a feature that is still the case "
                   "stays visible after its start; undated places are always shown.")
    st.multiselect("Evidence from", list(ALL_SIDES), key="sides",
                   format_func=lambda s: SIDE_LABELS[Side(s)],
                   help="Narrows the evidence shown and the features drawn to these voices.")
    with st.expander("How to read this map"):
        st.markdown(
            "- **Status**: confirmed (official or several reputable sources agree), reported, "
            "alleged, denied, planned.\n"
            "- **Location precision** is an honest radius; many sites have *no* published "
            "coordinate and are drawn as labelled schematics or estimates — the panel says how "
            "each location was obtained.\n"
            "- **Quotes** are verbatim excerpts of the cited publication; other reports are "
            "summarised in our words and linked.\n"
            "- Reports that disagree are shown side by side, not averaged.\n"
            "- Basemap data: Made with Natural Earth (public domain).")


def _search_box(ds: Dataset) -> None:
    from .search import search

    q = st.text_input("Search", key="q", placeholder="place, source or quote…",
                      help="Searches feature names and aliases, source titles and quote text.")
    if not q.strip():
        return
    hits = search(ds, q, limit=12)
    if not hits:
        st.caption("No match.")
    for i, h in enumerate(hits):
        icon = {"feature": ":material/location_on:", "source": ":material/newspaper:",
                "excerpt": ":material/format_quote:"}[h.kind]
        # the tooltip is Markdown too: the snippet of data that matched goes in escaped
        if st.button(md_escape(h.label), key=f"hit-{i}-{h.kind}-{h.id}",
                     help=md_escape(h.detail) if h.detail else None, width="stretch", icon=icon):
            if h.source_id:
                st.session_state["reader_source"] = h.source_id
                if h.kind != "feature":
                    st.session_state["lower_tab"] = "Sources"
            if h.feature_id:
                select(h.feature_id, ds=ds)
            st.rerun()
