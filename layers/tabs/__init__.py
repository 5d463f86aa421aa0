"""The tabs under the map, one module each.  Only the open tab runs (``on_change="rerun"``): a
map click then re-sends the map, the panel and one tab, not the whole source reader,
chronology and distance table as well."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..load import Dataset
from ..model import Feature
from ..state import ViewState

LOWER_TABS = ("Table", "Chronology", "Sources", "Distances & rings", "Export & share", "Your data")


def lower_tabs(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path) -> None:
    from . import chronology, distances, share, sources, table, upload

    tabs = st.tabs(list(LOWER_TABS), key="lower_tab", on_change="rerun")
    bodies = (lambda: table.show(ds, features, view), lambda: chronology.show(ds, features, view),
              lambda: sources.show(ds, view), lambda: distances.show(ds, features, view),
              lambda: share.show(ds, features, view, data_dir), upload.show)
    for tab, body in zip(tabs, bodies, strict=True):
        if tab.open is not False:  # None: tab state unknown (then every tab runs, as before)
            with tab:
                body()
