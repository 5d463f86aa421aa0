"""Sessions that speak Streamlit's websocket protocol directly, with no browser (bench section C3).

Each session does what the browser does for a map click: it sends a ``rerun_script`` BackMsg
whose widget state is the value streamlit-folium reports after a click on a feature (the
feature's GeoJSON as ``last_active_drawing``, the click point as ``last_object_clicked``), for
the fragment the map lives in, listing the big elements it already holds (as the browser does:
Streamlit then sends those by reference), and reads the ForwardMsgs of the rerun.  *click → panel* here is from sending that message to the
arrival of the delta that holds the evidence panel of the clicked feature (``data-feature="…"``);
*finished* is the ``script_finished`` message.  So the figures are the server's own share of a
click, with nearly all the machine's CPU left to the server (the client only reads bytes).
"""

from __future__ import annotations

import asyncio
import json
import random
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

MAP_COMPONENT = "streamlit_folium.st_folium"


def click_points(feature_ids: list[str]) -> dict[str, tuple[float, float]]:
    """(lat, lon) inside each feature, where a reader would click it."""
    from shapely.geometry import shape

    from layers.load import data_dir_from_env, load_dataset

    ds = load_dataset(data_dir_from_env())
    out = {}
    for fid in feature_ids:
        p = shape(ds.feature(fid).geometry).representative_point()
        out[fid] = (p.y, p.x)
    return out


def _rerun(query: str, page_hash: str, widgets: list[tuple[str, str]] = (), fragment: str = "",
           cached: set[str] = frozenset()) -> bytes:
    bm = BackMsg()
    cs = bm.rerun_script
    cs.query_string = query
    # like the browser: the big elements it already holds, which the server then sends by reference
    cs.cached_message_hashes.extend(sorted(cached))
    if page_hash:
        cs.page_script_hash = page_hash
    if fragment:  # the widget lives in a fragment: the browser asks for that fragment's run
        cs.fragment_id = fragment
    for wid, value in widgets:
        w = cs.widget_states.widgets.add()
        w.id, w.json_value = wid, value
    return bm.SerializeToString()


# the cacheable messages a client received, by hash: Streamlit later sends them by reference
# (e.g. a feature's evidence panel shown again), and the marker is looked for in the body
_BODIES: dict[str, bytes] = {}


async def _read_run(ws, timeout: float, marker: bytes | None = None, cached: set[str] | None = None) -> dict:
    """Read ForwardMsgs until ``script_finished``; note when ``marker`` first appears; add the
    hashes of cacheable messages to ``cached``."""
    t0 = time.perf_counter()
    seen = {"marker": None, "msgs": 0, "bytes": 0, "component": None, "fragment": "", "page_hash": None}
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout)
        seen["msgs"] += 1
        seen["bytes"] += len(raw)
        if marker is not None and seen["marker"] is None and marker in raw:
            seen["marker"] = time.perf_counter() - t0
        if len(raw) > 65536 and seen["component"] is not None and cached is None:
            continue  # a big delta (the map's arguments): nothing else needed from it
        msg = ForwardMsg.FromString(raw)
        if cached is not None and msg.metadata.cacheable and msg.hash:
            cached.add(msg.hash)
            _BODIES[msg.hash] = raw
        kind = msg.WhichOneof("type")
        if kind == "ref_hash" and marker is not None and seen["marker"] is None \
                and marker in _BODIES.get(msg.ref_hash, b""):
            seen["marker"] = time.perf_counter() - t0  # sent by reference: a panel this client holds
        if kind == "new_session":
            seen["page_hash"] = msg.new_session.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            if el.WhichOneof("type") == "component_instance" and el.component_instance.component_name == MAP_COMPONENT:
                seen["component"] = el.component_instance.id
                seen["fragment"] = msg.delta.fragment_id
        elif kind == "script_finished":
            seen["finished"] = time.perf_counter() - t0
            return seen


async def ws_session(idx: int, url: str, view: str, cycle: list[str], points: dict, clicks: int,
                     think: tuple[float, float] | None, rec: dict, gate, timeout: float) -> None:
    import websockets

    rnd = random.Random(1000 + idx)
    ws_url = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    ready = False
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
            cached: set[str] = set()
            await ws.send(_rerun(f"view={view}", ""))
            first = await _read_run(ws, timeout, cached=cached)
            comp, page_hash, frag = first["component"], first["page_hash"] or "", first["fragment"]
            if comp is None:
                raise RuntimeError("the page has no map component")
            ready = True
            gate.arrive()
            await gate.go.wait()
            if think:
                await asyncio.sleep(rnd.uniform(0, think[1]))
            lat0, lon0, zoom = (float(v) for v in view.split(","))
            for r in range(clicks):
                fid = cycle[(idx + r) % len(cycle)]
                lat, lon = points[fid]
                value = {"last_active_drawing": {"type": "Feature", "properties": {"id": fid},
                                                 "geometry": {"type": "Point", "coordinates": [lon, lat]}},
                         "last_object_clicked": {"lat": lat, "lng": lon},
                         "last_clicked": {"lat": lat, "lng": lon},
                         "center": {"lat": lat0, "lng": lon0}, "zoom": int(zoom)}
                await ws.send(_rerun(f"view={view}", page_hash, [(comp, json.dumps(value))], frag, cached))
                run = await _read_run(ws, timeout, marker=f'data-feature="{fid}"'.encode(), cached=cached)
                if run["marker"] is None:
                    rec["errors"].append(f"ws session {idx} click {r} ({fid}): the rerun had no panel for it")
                    continue
                rec["click"].append(run["marker"])
                rec["finished"].append(run["finished"])
                rec["msgs"].append(run["msgs"])
                rec["bytes"].append(run["bytes"])
                if think and r < clicks - 1:
                    await asyncio.sleep(rnd.uniform(*think))
    except Exception as e:
        rec["errors"].append(f"ws session {idx}: {e.__class__.__name__}: {str(e)[:160]}")
    finally:
        if not ready:
            gate.arrive()


async def run_ws_sessions(url: str, n: int, view: str, cycle: list[str], clicks: int,
                          think: tuple[float, float] | None, budget: float) -> dict:
    points = click_points(cycle)
    import harness as H

    rec: dict = {"click": [], "finished": [], "msgs": [], "bytes": [], "errors": []}
    gate = H.Gate(n)
    tasks = [asyncio.create_task(ws_session(i, url, view, cycle, points, clicks, think, rec, gate,
                                            timeout=budget / 2)) for i in range(n)]
    await H.release_together(tasks, gate, rec, budget)
    return rec
