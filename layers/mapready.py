"""Map first: a reader's first page sends the sidebar and the tabs once the map has drawn.

Why.  The browser fetches each Streamlit widget's code when the widget arrives, six requests at
a time.  A first page sends the map and, a few milliseconds later, the sidebar and the tab under
the map: ~65 widget scripts, which Chromium asks for before the map's frame has even asked for
its own files (streamlit-folium's page and bundle, Leaflet, the basemap).  The map's files then
wait ~0.4 s in that queue (bench/bench.py, section A3, and bench/README.md).

How.  The app's live map carries :class:`layers.render.MapReadyPing`: a few lines at the end of
its script that, once the map has its features and its frame its height, wait for the next
animation frame (the map is then on the screen) and POST to :data:`PATH`.  The route
(:func:`routes`, mounted by ``app.py``'s ``st.App``) counts those calls.  A session's first page
takes :func:`mark` before its map and, after it, :func:`wait` for a call after that mark — at
most :data:`HOLD_S` — before it sends the rest.  No rerun is involved (the rest comes in the
same script run), so nothing a reader clicks can be lost in between; the map's own report and
any click on it meanwhile are reruns of its fragment, which Streamlit queues behind the running
page rather than stopping it (a rule ``tests/test_mapready.py`` pins).  Measured in
bench/bench.py, section A3 (the map ~0.8 s sooner, the table and sidebar ~0.2 s later).

The count is per process, not per reader: another reader's map may end a wait early, which only
costs this optimisation, never correctness.  Without the route (AppTest, the static site, a
downloaded map) nothing waits: :func:`serving` is true only once the server's start-up hook
has run (``app.py``'s ``st.App``, which also mounts the route), and the ping is only in the
live map.
"""

from __future__ import annotations

import threading

PATH = "gulfwatch/map-drawn"  # under the server's base URL path, like Streamlit's own routes
HOLD_S = 1.0  # the longest a first page holds its sidebar and tabs for the map

_cond = threading.Condition()
_count = 0
_serving = False


def routes(base_url_path: str = "") -> list:
    """The route for ``st.App(routes=...)``.  ``base_url_path`` is Streamlit's
    ``server.baseUrlPath`` (the map's ping is relative to it)."""
    from starlette.responses import Response
    from starlette.routing import Route

    async def drawn(request) -> Response:
        ping()
        return Response(status_code=204, headers={"Cache-Control": "no-store"})

    base = base_url_path.strip("/")
    return [Route("/" + (f"{base}/" if base else "") + PATH, drawn, methods=["POST"])]


def start_serving() -> None:
    """Called by the server's start-up hook (``layers.warmup.lifespan``): from now on the route
    answers, so a first page may wait for the map's ping."""
    global _serving
    _serving = True


def serving() -> bool:
    """Whether this process is a server answering the map's ping (not AppTest, not a tool)."""
    return _serving


def ping() -> None:
    """A map has drawn (the route's work; also for tests)."""
    global _count
    with _cond:
        _count += 1
        _cond.notify_all()


def mark() -> int:
    """The count before a map is sent: :func:`wait` waits for a ping after it."""
    with _cond:
        return _count


def wait(after: int, timeout: float = HOLD_S) -> bool:
    """Wait until a map has pinged since ``after`` (:func:`mark`) or ``timeout`` seconds have
    passed; True if it pinged."""
    with _cond:
        return _cond.wait_for(lambda: _count > after, timeout=timeout)
