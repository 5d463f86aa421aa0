"""Export & share: "Download figure" — the current view as a PNG, SVG or PDF for an article, a
social card or print (:mod:`layers.figure`; matplotlib is loaded only when the file is made)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..load import Dataset
from ..model import Feature
from ..state import ViewState
from ..ui import MAP_KEY, contested

SIZE_LABELS = {"web": "Web article (1200 px wide)", "social": "Social card (1200×675)",
               "print": "Print (180 mm, 300 dpi)"}
FORMAT_LABELS = {"png": "PNG", "svg": "SVG (editable text)", "pdf": "PDF (editable text)"}


def current_bbox(value: dict | None) -> tuple[float, float, float, float]:
    """The map's current view from st_folium's value: its bounds (returned since
    :func:`layers.ui.returned_objects` asks for them), else its centre and zoom in a 1200×800
    frame, else the opening view (the whole Gulf)."""
    from ..figure import view_bbox

    value = value or {}
    c = value.get("center") or {}
    center = (c.get("lat"), c.get("lng")) if isinstance(c, dict) and c.get("lat") is not None else None
    return view_bbox(center, value.get("zoom"), value.get("bounds"))


def show(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path) -> None:
    from ..figure import DEFAULT_TITLE, MIME

    st.markdown("**Figure for print and social** — the current view with its legend, scale bar, "
                "locator and credits; in SVG and PDF the names and credits stay editable text.")
    c = st.columns([2, 2, 3])
    size = c[0].selectbox("Size", list(SIZE_LABELS), format_func=SIZE_LABELS.get, key="fig-size")
    fmt = c[1].selectbox("Format", list(FORMAT_LABELS), format_func=FORMAT_LABELS.get, key="fig-format")
    title = c[2].text_input("Title", value=DEFAULT_TITLE, max_chars=160, key="fig-title")
    # the download runs outside the script: capture everything it needs now
    args = dict(bbox=current_bbox(st.session_state.get(MAP_KEY)), size=size, fmt=fmt, title=title,
                contested=set(contested(ds)), layers=tuple(view.layers), data_dir=data_dir)
    feats = list(features)
    st.download_button("Download figure", data=lambda: _figure(ds, feats, args),
                       file_name=f"gulf-watch-{size}.{fmt}", mime=MIME[fmt], key="dl-figure",
                       on_click="ignore", help="Drawn from the offline Natural Earth basemap and the "
                       "features shown, in their map styles; the credit names every source's publisher.")


def _figure(ds: Dataset, features: list[Feature], args: dict) -> bytes:
    from ..figure import draw_figure

    return draw_figure(ds, features, **args)
