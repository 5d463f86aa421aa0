"""The Table tab: every feature drawn on the map, the text alternative to the map."""

from __future__ import annotations

import streamlit as st

from ..load import Dataset
from ..model import Feature
from ..registry import BY_ID
from ..state import ViewState
from ..ui import select

def show(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    import pandas as pd

    from ..panel import date_range_label, precision_label

    rows = [{"id": f.id, "name": f.props.name, "layer": BY_ID[f.props.layer].title,
             "status": f.props.status.value,
             "dates": date_range_label(f.props.start, f.props.end),
             "precision": precision_label(f.props.precision_m),
             "location": f.props.location_basis.value,
             "evidence": len(ds.evidence(f))} for f in features]
    df = pd.DataFrame(rows)
    st.caption("Every feature drawn on the map (same filters) — the text alternative to the map. "
               "Select a row to select the feature.")
    event = st.dataframe(df, hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="feature-table",
                         column_config={"id": None})
    rows_sel = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows_sel:
        fid = df.iloc[rows_sel[0]]["id"]
        if st.session_state.get("_table_last") != fid:
            st.session_state["_table_last"] = fid
            select(fid, ds=ds)
            st.session_state["_scroll_to_map"] = True
            st.rerun()
