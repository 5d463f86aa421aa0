"""The Your data tab: the reader's own layer (GeoJSON, KML, CSV), kept in their session."""

from __future__ import annotations

import streamlit as st

from ..filters import plural
from ..panel import md_escape

def show() -> None:
    from ..userlayer import MAX_UPLOAD_BYTES, parse_upload

    st.markdown("**Add your own layer** — GeoJSON, KML, or CSV with latitude/longitude columns "
                "(AIS positions, ACLED events, your notes). The file goes to the server running this "
                "map and is kept in memory for your session only: it is not saved to disk and not "
                "shown to other readers, and it is gone when you remove it or close the page.")
    up = st.file_uploader("Upload a file", type=["geojson", "json", "kml", "csv"],
                          key=f"upload-{st.session_state.get('_upload_round', 0)}",
                          help=f"Up to {MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB.")
    if up is not None and st.session_state.get("_upload_id") != up.file_id:
        st.session_state["_upload_id"] = up.file_id
        res = parse_upload(up.name, up.getvalue())
        st.session_state["upload_messages"] = res.messages
        if res.gdf is not None and len(res.gdf):
            st.session_state["user_layer"] = {"name": f"Your layer: {up.name}", "gdf": res.gdf}
            st.session_state["lay_user"] = True
        st.rerun()
    for msg in st.session_state.get("upload_messages", []):
        st.warning(msg)
    user = st.session_state.get("user_layer")
    if user is not None:
        n = len(user["gdf"])
        st.success(md_escape(f"{plural(n, 'feature')} from {user['name'].removeprefix('Your layer: ')} "
                             f"{'is' if n == 1 else 'are'} on the map (toggle them under Layers)."))
        st.button("Remove your layer", key="user-remove", on_click=_remove)


def _remove() -> None:
    """A callback (runs before the next script run, even if a rerun is under way): drop the
    layer and give the uploader a fresh key so the file is cleared from it too."""
    ss = st.session_state
    for k in ("user_layer", "upload_messages", "_upload_id"):
        ss.pop(k, None)
    ss["_upload_round"] = ss.get("_upload_round", 0) + 1
