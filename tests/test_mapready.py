"""Map first (layers/mapready.py): the map's "drawn" ping, its route, and the first page's
bounded wait for it.  What a reader sees of it is in tests/browser/test_map_first.py."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from starlette.applications import Starlette

from layers import mapready


def call(app, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request through the ASGI app (Starlette's TestClient needs httpx, not a dependency)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    # in a thread of its own: after the browser tests, Playwright's loop runs in this one
    worker = threading.Thread(target=lambda: asyncio.run(app(scope, receive, send)))
    worker.start()
    worker.join(30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_wait_ends_at_a_ping_after_the_mark_not_before():
    mapready.ping()  # a ping before the mark (another reader's map) does not count
    after = mapready.mark()
    t0 = time.perf_counter()
    assert mapready.wait(after, timeout=0.2) is False
    assert time.perf_counter() - t0 >= 0.19  # no ping: the whole (bounded) wait
    timer = threading.Timer(0.05, mapready.ping)
    timer.start()
    t0 = time.perf_counter()
    assert mapready.wait(after, timeout=5) is True
    assert time.perf_counter() - t0 < 2  # ended by the ping, not by the timeout
    timer.join()


@pytest.mark.parametrize("base, path", [("", "/gulfwatch/map-drawn"), ("/news/map/", "/news/map/gulfwatch/map-drawn"),
                                        ("gw", "/gw/gulfwatch/map-drawn")])
def test_the_route_counts_posts_under_the_base_path(base, path):
    app = Starlette(routes=mapready.routes(base))
    before = mapready.mark()
    status, headers, body = call(app, "POST", path)
    assert status == 204 and body == b"" and headers["cache-control"] == "no-store"
    assert mapready.mark() == before + 1
    assert call(app, "GET", path)[0] == 405  # only the map's POST; nothing to fetch or cache
    assert call(app, "POST", "/" + mapready.PATH + "x")[0] == 404
    assert mapready.mark() == before + 1


def test_a_page_waits_only_in_a_server_whose_start_up_hook_ran(monkeypatch):
    monkeypatch.setattr(mapready, "_serving", False)
    assert not mapready.serving()  # AppTest, tools: nothing would answer, so nothing waits
    mapready.start_serving()
    assert mapready.serving()


def test_only_the_live_map_pings():
    """The app's live map carries the ping (last, after the basemap); the downloaded map and the
    static site, which no Gulf Watch server answers, do not."""
    import folium

    from layers import render
    from layers.assets import configure_folium
    from layers.load import data_dir_from_env, load_dataset

    configure_folium()
    m = folium.Map()
    render.MapReadyPing().add_to(m)
    html = m.get_root().render()
    assert '"gulfwatch/map-drawn"' in html and 'method: "POST"' in html
    assert "requestAnimationFrame" in html  # sent after the frame that shows the map

    ds = load_dataset(data_dir_from_env())
    full = render.full_map(ds, ds.features, [layer.id for layer in render.LAYERS], "Natural Earth (offline)", set(),
                           data_dir_from_env()).get_root().render()
    assert "map-drawn" not in full


def test_a_map_click_during_the_wait_does_not_cut_the_first_page_short():
    """The dependency rule the wait relies on: the map reports (and a reader may click it) while
    the first page waits, and those are reruns of the map's fragment, which Streamlit queues behind
    a running whole-page run instead of stopping it — stopped, the page would end before its
    sidebar and tabs.  (Streamlit's ScriptRequests; fails if Streamlit changes the rule.)"""
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests, ScriptRequestType

    requests = ScriptRequests()
    assert requests.request_rerun(RerunData())  # a reader opens the page
    assert requests.on_scriptrunner_ready().type == ScriptRequestType.RERUN  # the first page runs
    assert requests.request_rerun(RerunData(fragment_id="map_and_evidence"))
    assert requests.on_scriptrunner_yield() is None  # the first page goes on
    assert requests.request_rerun(RerunData())  # a whole-page rerun (a widget) still stops it
    assert requests.on_scriptrunner_yield().type == ScriptRequestType.RERUN
