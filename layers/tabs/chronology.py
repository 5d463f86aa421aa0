"""The Chronology tab: every dated event of the visible features; a pick selects its feature."""

from __future__ import annotations

import streamlit as st

from ..filters import plural
from ..load import Dataset
from ..model import Feature
from ..panel import md_escape
from ..state import ViewState
from ..ui import _dataset_cached, select

def show(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    """Every dated event of the visible features, in order; choosing one selects its feature.
    One radio widget, not a button per event: each rerun re-sends every element on the page."""
    from ..timeline import chronology

    items = chronology(ds, features, view.date_from, view.date_to)
    if not items:
        st.caption("No dated events in the current window and filters.")
        return
    by_key = {i.key: i for i in items}
    st.session_state["_chron_features"] = {i.key: i.feature_id for i in items}
    st.caption(f"{plural(len(items), 'dated event')} in the window, oldest first (precision in brackets: day, "
               "month, year or approximate). Choose one to select its feature on the map.")
    st.radio("Chronology", list(by_key), key="chron", index=None, label_visibility="collapsed",
             format_func=lambda k: md_escape(f"{by_key[k].date.label()} ({by_key[k].date.precision.value})"
                                             f" — {by_key[k].title} · {by_key[k].feature_name}"),
             on_change=_on_pick)


def _on_pick() -> None:
    ss = st.session_state
    key = ss.get("chron")
    fid = ss.get("_chron_features", {}).get(key)
    if fid:
        ds = _dataset_cached(*ss["_stamp"])
        select(fid, ds=ds)
        ss["_scroll_to_map"] = True
    ss["chron"] = None  # so the same event can be chosen again later
