"""Map-only page for bench.py section B: the same base map with one user layer, drawn either by
the app's renderer (``layers.userlayer.user_layer_group``) or naively (a ``folium.Marker`` with a
``folium.Popup`` per row).  Driven through ``streamlit.testing.v1.AppTest``: bench.py puts the
GeoDataFrame in ``st.session_state["bench_gdf"]`` and ``"ours"`` / ``"naive"`` in
``st.session_state["bench_renderer"]``.  Both go through ``st_folium(feature_group_to_add=...)``
exactly like the app, so the timing covers building the layer *and* serialising it.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from layers import render  # noqa: E402
from layers.assets import configure_folium  # noqa: E402
from layers.userlayer import user_layer_group  # noqa: E402

POPUP_FIELDS = 8


def naive_group(gdf, name: str = "Your layer", max_fields: int = POPUP_FIELDS) -> folium.FeatureGroup:
    """What one writes first: a Marker per row, each with an HTML-table popup (escaped)."""
    fg = folium.FeatureGroup(name=html.escape(name), show=True)
    cols = [c for c in gdf.columns if c != gdf.geometry.name][:max_fields]
    xs, ys = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    values = gdf[cols].itertuples(index=False, name=None)
    for x, y, row in zip(xs, ys, values):
        rows = "".join(f"<tr><th>{html.escape(str(c))}</th><td>{html.escape(str(v))}</td></tr>"
                       for c, v in zip(cols, row) if v is not None and v == v and v != "")
        folium.Marker([float(y), float(x)], popup=folium.Popup(f"<table>{rows}</table>", max_width=320)
                      ).add_to(fg)
    return fg


configure_folium()
gdf = st.session_state.get("bench_gdf")
kind = st.session_state.get("bench_renderer", "ours")
groups = []
if gdf is not None:
    groups = [naive_group(gdf) if kind == "naive" else user_layer_group(gdf, name="Your layer")]
st_folium(render.base_map(), key="bench-map", height=640, use_container_width=True,
          feature_group_to_add=groups, returned_objects=["last_object_clicked"])
