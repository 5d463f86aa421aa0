"""The Your data tab: the reader's own layer (GeoJSON, KML/KMZ, CSV), kept for their session.

The upload is read in the uploader's ``on_change`` callback, which runs before the script: it
may then switch the sidebar's ``lay_user`` checkbox on (writing a widget's key during the run,
after the sidebar drew it, raised StreamlitWidgetAlreadyInstantiatedError on a second upload).
The file is then dropped from Streamlit's upload manager and the uploader gets a fresh key, so
the server keeps only the parsed layer — in :data:`layers.upload.STORE`, within a server-wide
budget; the session's state holds a small handle (:class:`layers.upload.UserLayer`).

Everything shown here that comes from a file (its name, its column names, values quoted in
messages) is shown as text: HTML-escaped into ``st.html``, never as Markdown, where a column
named ``![t](http://evil.example/x.png)`` would fetch an image and ``[Log in](https://…)``
would be a link.
"""

from __future__ import annotations

from pathlib import PurePath

import streamlit as st

from ..filters import plural

TYPES = ["geojson", "json", "kml", "kmz", "csv"]

def text_box(message: str, kind: str = "warning") -> None:
    """``message`` as plain text in an alert-like box (escaped: no Markdown, no HTML)."""
    from ..ui import plain

    plain(message, kind, css_class=f"gw-upload-msg gw-upload-{kind}")


def show() -> None:
    from ..upload import MAX_UNZIPPED_BYTES, MAX_UPLOAD_BYTES
    from ..upload.common import limit_text

    ss = st.session_state
    _check_released()
    st.markdown("**Add your own layer** — GeoJSON, KML or KMZ, or CSV with latitude/longitude "
                "columns (AIS positions, ACLED events, your notes). The file goes to the server "
                "running this map and is kept in memory for your session only: it is not saved to "
                "disk and not shown to other readers, and it is gone when you remove it or a minute "
                "after you close the page (sooner if the server needs the memory — you will be "
                "told).")
    key = f"upload-{ss.get('_upload_round', 0)}"
    st.file_uploader("Upload a file", type=TYPES, key=key, on_change=_on_upload, args=(key,),
                     help=f"Up to {limit_text(MAX_UPLOAD_BYTES)}; a KMZ's KML up to "
                          f"{limit_text(MAX_UNZIPPED_BYTES)} unpacked.")
    for msg in ss.get("upload_messages", []):
        text_box(msg, "warning")
    user = ss.get("user_layer")
    if user is not None:
        n = len(user["gdf"])
        shown = str(user["name"]).removeprefix("Your layer: ")
        text_box(f"{plural(n, 'feature')} from {shown} {'is' if n == 1 else 'are'} on the map "
                 "(toggle them under Layers).", "success")
        st.button("Remove your layer", key="user-remove", on_click=_remove)


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"


def _session_alive(session_id: str) -> bool:
    """For the store's sweeper: is this session still connected?  (True when unsure.)"""
    from streamlit import runtime

    if not runtime.exists():
        return True
    return runtime.get_instance().is_active_session(session_id)


def _forget_file(up) -> None:
    """Drop the uploaded bytes from Streamlit's upload manager (kept there until the session
    ends, otherwise): the parsed layer is all that is needed."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    try:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, up.file_id)
    except Exception:
        pass


def _display_name(name: str) -> str:
    base = " ".join(PurePath(str(name or "upload").replace("\\", "/")).name.split()) or "upload"
    return base[:77] + "…" if len(base) > 80 else base


def _on_upload(key: str) -> None:
    """The uploader's callback (before the script runs): read the file, keep the layer."""
    from ..upload import STORE, parse_upload
    from ..upload.limits import release_memory

    ss = st.session_state
    up = ss.get(key)
    if up is None or not hasattr(up, "getvalue"):  # cleared, or a DeletedFile
        return
    name = _display_name(up.name)
    data = up.getvalue()
    _forget_file(up)
    ss["_upload_round"] = ss.get("_upload_round", 0) + 1  # a fresh, empty uploader
    res = parse_upload(up.name, data)
    del data, up
    messages = list(res.messages)
    if res.gdf is not None and len(res.gdf):
        handle, why = STORE.put(_session_id(), f"Your layer: {name}", res.gdf)
        if handle is None:
            messages.append(why)
        else:
            ss["user_layer"] = handle
            ss["lay_user"] = True  # allowed here: no widget has been drawn in this run yet
            STORE.start_sweeper(_session_alive)
    ss["upload_messages"] = messages
    del res
    release_memory()


def _check_released() -> None:
    """If the store released this session's layer (memory, or a lost connection), say so once
    and forget the handle."""
    from ..upload import STORE, UserLayer

    ss = st.session_state
    user = ss.get("user_layer")
    if isinstance(user, UserLayer) and user.released:
        why = STORE.note(user.session, user.token) or "was released; upload it again"
        ss.pop("user_layer", None)
        ss["upload_messages"] = [f"Your layer {user.layer_name.removeprefix('Your layer: ')} {why}."]


def _remove() -> None:
    """A callback (runs before the next script run, even if a rerun is under way): drop the
    layer and give the uploader a fresh key so the file is cleared from it too."""
    from ..upload import STORE, UserLayer

    ss = st.session_state
    user = ss.get("user_layer")
    if isinstance(user, UserLayer):
        STORE.release(user.session, user.token)
    for k in ("user_layer", "upload_messages"):
        ss.pop(k, None)
    ss["_upload_round"] = ss.get("_upload_round", 0) + 1
