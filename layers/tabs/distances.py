"""The Distances & rings tab: geodesic distances from the selection, range rings, measuring."""

from __future__ import annotations

import folium
import streamlit as st

from ..filters import plural
from ..load import Dataset
from ..model import Feature
from ..panel import esc
from ..state import ViewState
from ..ui import plain, text_html

def show(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    from ..geodesy import distance_table, parse_radii

    sel = ds.feature(view.feature) if view.feature else None
    st.checkbox("Measure on the map: click two points (or two features)", key="measure",
                help="While this is on, each click on the map is a measuring point.")
    pts = st.session_state.get("measure_pts", [])
    if st.session_state.get("measure"):
        if len(pts) == 2:
            plain(_measure_text(pts), "success")  # a point's name comes from the data
        else:
            st.info(f"Click {'two points' if not pts else 'a second point'} on the map.")
        if pts and st.button("Clear measurement", key="measure-clear"):
            st.session_state["measure_pts"] = []
            st.rerun()
    if sel is None:
        st.caption("Select a feature to see geodesic distances from it and draw range rings.")
        return
    text_html(f"<b>From {esc(sel.props.name)}</b> — geodesic distances on the WGS84 ellipsoid "
              "(pyproj), nearest first. Distances are between representative points and are only "
              "as good as both locations (see ± column).")
    df = distance_table(ds.features, sel.id)
    st.dataframe(df.drop(columns=["id"]), hide_index=True, width="stretch",
                 column_config={"km": st.column_config.NumberColumn(format="%.1f"),
                                "nmi": st.column_config.NumberColumn(format="%.1f"),
                                "azimuth_deg": st.column_config.NumberColumn("bearing °", format="%.0f")})
    c1, c2 = st.columns([3, 1])
    c1.text_input("Range rings (radii, comma-separated)", key="ring_text", placeholder="e.g. 50, 100, 500")
    c2.radio("Unit", ["km", "nmi"], key="ring_unit", horizontal=True)
    raw = st.session_state.get("ring_text", "")
    if raw.strip():
        try:
            radii = parse_radii(raw, st.session_state.get("ring_unit", "km"))
            plain(f"{plural(len(radii), 'ring')} drawn around {sel.props.name} as true geodesic "
                  "circles.", "caption")
        except ValueError as e:
            plain(str(e), "error")  # it may quote what was typed


def _measure_text(pts: list[dict]) -> str:
    from ..geodesy import distance_km, km_to_nmi

    a, b = pts[0], pts[1]
    km = distance_km((a["lng"], a["lat"]), (b["lng"], b["lat"]))
    name = lambda p: p.get("name") or f"{p['lat']:.4f}, {p['lng']:.4f}"  # noqa: E731
    return f"{name(a)} → {name(b)}: {km:,.1f} km ({km_to_nmi(km):,.1f} nmi), geodesic (WGS84)"


def extra_groups(ds: Dataset, view: ViewState) -> list[folium.FeatureGroup]:
    """Range rings and the measuring line, as map groups."""
    from ..geodesy import parse_radii, range_ring, representative_point

    groups = []
    sel = ds.feature(view.feature) if view.feature else None
    raw = st.session_state.get("ring_text", "")
    if sel is not None and raw.strip():
        try:
            radii = parse_radii(raw, st.session_state.get("ring_unit", "km"))
        except ValueError:
            radii = []
        center = representative_point(sel.geometry)
        fg = folium.FeatureGroup(name="Range rings", control=False)
        unit = st.session_state.get("ring_unit", "km")
        for km in radii:
            ring = range_ring(center, km)
            label = f"{km:,.0f} km" if unit == "km" else f"{km / 1.852:,.0f} nmi"
            folium.GeoJson({"type": "Feature", "geometry": ring.__geo_interface__, "properties": {}},
                           style_function=lambda _f: {"color": "#111", "weight": 1.5, "dashArray": "5 5",
                                                      "fill": False, "className": "gw-ring",
                                                      "interactive": False},
                           interactive=False).add_to(fg)
            lon, lat = ring.exterior.coords[0]  # due north of the centre
            folium.Marker([lat, lon], icon=folium.DivIcon(
                html=f'<div class="gw-ring-label" style="font:11px sans-serif;background:#fffc;'
                     f'padding:0 2px;white-space:nowrap">{esc(label)}</div>',
                icon_size=(70, 14), icon_anchor=(35, 7)), interactive=False).add_to(fg)
        groups.append(fg)
    pts = st.session_state.get("measure_pts", []) if st.session_state.get("measure") else []
    if pts:
        fg = folium.FeatureGroup(name="Measure", control=False)
        for p in pts:
            folium.CircleMarker([p["lat"], p["lng"]], radius=5, color="#000", fill=True,
                                interactive=False, class_name="gw-measure-pt").add_to(fg)
        if len(pts) == 2:
            from pyproj import Geod

            a, b = pts
            line = Geod(ellps="WGS84").npts(a["lng"], a["lat"], b["lng"], b["lat"], 30)
            coords = [[a["lat"], a["lng"]]] + [[la, lo] for lo, la in line] + [[b["lat"], b["lng"]]]
            folium.PolyLine(coords, color="#000", weight=2, dash_array="4 4", interactive=False,
                            tooltip=None, class_name="gw-measure-line").add_to(fg)
        groups.append(fg)
    return groups
