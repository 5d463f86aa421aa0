"""Readers' layers, kept server-wide within one memory budget, keyed by session.

Ten readers one after another each uploading a million-row CSV took the server from 54 MB to
1.2 GB, still there after 5 minutes idle: a layer lived in its session's state, and Streamlit
keeps a closed tab's session (for a reconnect) until another session happens to evict it.  Now
a session's state holds only a :class:`UserLayer` handle, and the layer itself is here:

* at most :data:`BUDGET_BYTES` for all readers' layers together (``GULFWATCH_USER_LAYERS_MB``,
  default 256 MiB), each layer's size estimated from its columns and coordinates plus what the
  map embeds for it; a new layer first pushes out the least recently used layers of *other*
  sessions, whose readers are told on their next run ("… was released to free memory; upload
  it again"); a layer bigger than the whole budget is refused;
* a layer is released when its reader removes it or uploads another, when its session is gone
  (:meth:`LayerStore.sweep`, run every :data:`SWEEP_S` seconds by a daemon thread, releases the
  layers of sessions disconnected for over :data:`GRACE_S` seconds — a reload or a dropped
  connection within that time keeps the layer), and when the handle is garbage-collected;
* after a release, :func:`layers.upload.limits.release_memory` hands the memory back.

No Streamlit here: the Your data tab (``layers/tabs/upload.py``) passes session ids and says
which sessions are alive.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from .limits import env_mb, estimate_bytes, release_memory
from .mapdraw import PAYLOAD_BUDGET_BYTES

BUDGET_BYTES = env_mb("GULFWATCH_USER_LAYERS_MB", 256)
GRACE_S = 60.0
SWEEP_S = 15.0
MAX_NOTES = 1_000  # release notices waiting for their readers

RELEASED_FOR_MEMORY = "was released to free memory for other readers; upload it again"
RELEASED_IDLE = "was released when this page lost its connection to the server; upload it again"


@dataclass
class Entry:
    session: str
    token: str
    name: str
    gdf: gpd.GeoDataFrame
    nbytes: int
    used: float  # clock() of the last use
    away_since: float | None = None  # clock() when its session was first seen disconnected


class LayerStore:
    """Thread-safe: sessions run in their own threads, the sweeper in another."""

    def __init__(self, budget_bytes: int = BUDGET_BYTES, grace_s: float = GRACE_S,
                 clock: Callable[[], float] = time.monotonic):
        self.budget = int(budget_bytes)
        self.grace = float(grace_s)
        self.clock = clock
        self._lock = threading.RLock()
        self._entries: dict[str, Entry] = {}
        self._notes: dict[tuple[str, str], str] = {}  # (session, token) → why it was released
        self._sweeper: threading.Thread | None = None

    # --- keeping ---------------------------------------------------------------------------

    def put(self, session: str, name: str, gdf: gpd.GeoDataFrame,
            nbytes: int | None = None) -> tuple[UserLayer | None, str | None]:
        """Keep ``gdf`` as ``session``'s layer (replacing its previous one).  Returns (a handle
        for the session's state, None) or (None, why it cannot be kept)."""
        size = (estimate_bytes(gdf) + PAYLOAD_BUDGET_BYTES) if nbytes is None else int(nbytes)
        if size > self.budget:
            return None, (f"“{name.removeprefix('Your layer: ')}” would take about "
                          f"{size / 1024 / 1024:,.0f} MB of the server's memory; all readers' "
                          f"layers together are limited to {self.budget / 1024 / 1024:,.0f} MB. "
                          "Upload fewer rows or columns.")
        token = uuid.uuid4().hex
        with self._lock:
            self._drop(session)
            while self._entries and self.total_bytes() + size > self.budget:
                lru = min(self._entries.values(), key=lambda e: e.used)
                self._drop(lru.session, RELEASED_FOR_MEMORY)
            self._entries[session] = Entry(session, token, name, gdf, size, self.clock())
        handle = UserLayer(self, session, token, name, len(gdf))
        weakref.finalize(handle, self.release, session, token)
        return handle, None

    def get(self, session: str, token: str, touch: bool = True) -> Entry | None:
        with self._lock:
            e = self._entries.get(session)
            if e is None or e.token != token:
                return None
            if touch:
                e.used = self.clock()
            return e

    def release(self, session: str, token: str | None = None, reason: str | None = None) -> bool:
        """Drop ``session``'s layer (only if it is still ``token``'s, when given); True if one
        was dropped.  With a ``reason``, the reader is told on their next run."""
        with self._lock:
            e = self._entries.get(session)
            if e is None or (token is not None and e.token != token):
                return False
            self._drop(session, reason)
        release_memory()
        return True

    def note(self, session: str, token: str) -> str | None:
        """Why this layer was released (once), or None."""
        with self._lock:
            return self._notes.pop((session, token), None)

    def _drop(self, session: str, reason: str | None = None) -> None:
        e = self._entries.pop(session, None)
        if e is not None and reason:
            self._notes[(session, e.token)] = reason
            while len(self._notes) > MAX_NOTES:
                self._notes.pop(next(iter(self._notes)))

    # --- looking ---------------------------------------------------------------------------

    def total_bytes(self) -> int:
        with self._lock:
            return sum(e.nbytes for e in self._entries.values())

    def sessions(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, session: object) -> bool:
        with self._lock:
            return session in self._entries

    # --- sessions that ended -----------------------------------------------------------------

    def sweep(self, is_alive: Callable[[str], bool]) -> list[str]:
        """Release the layers of sessions that ``is_alive`` has said are gone for longer than
        the grace period; returns their session ids."""
        now = self.clock()
        gone: list[str] = []
        with self._lock:
            for e in list(self._entries.values()):
                try:
                    alive = is_alive(e.session)
                except Exception:
                    alive = True  # unsure: keep it
                if alive:
                    e.away_since = None
                elif e.away_since is None:
                    e.away_since = now
                elif now - e.away_since >= self.grace:
                    self._drop(e.session, RELEASED_IDLE)
                    gone.append(e.session)
        if gone:
            release_memory()
        return gone

    def start_sweeper(self, is_alive: Callable[[str], bool], every_s: float = SWEEP_S) -> None:
        """Sweep every ``every_s`` seconds in a daemon thread (started once)."""
        with self._lock:
            if self._sweeper is not None and self._sweeper.is_alive():
                return
            ref = weakref.ref(self)

            def loop() -> None:
                while True:
                    time.sleep(every_s)
                    store = ref()
                    if store is None:
                        return
                    if len(store):
                        store.sweep(is_alive)
                    del store

            self._sweeper = threading.Thread(target=loop, name="gulfwatch-layer-sweeper", daemon=True)
            self._sweeper.start()


class UserLayer(Mapping):
    """What a session keeps in ``st.session_state["user_layer"]``: a name and a way to the
    layer.  Reads like the dict it replaces — ``["name"]``, ``["gdf"]`` — so the sidebar, the
    map and the Export tab need no change; once the layer is released, ``["gdf"]`` is an empty
    layer and ``["name"]`` says so."""

    __slots__ = ("store", "session", "token", "layer_name", "n", "__weakref__")

    def __init__(self, store: LayerStore, session: str, token: str, name: str, n: int):
        self.store, self.session, self.token, self.layer_name, self.n = store, session, token, name, n

    @property
    def released(self) -> bool:
        return self.store.get(self.session, self.token, touch=False) is None

    @property
    def gdf(self) -> gpd.GeoDataFrame:
        e = self.store.get(self.session, self.token)
        return e.gdf if e is not None else gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")

    def __getitem__(self, key: str) -> Any:
        if key == "gdf":
            return self.gdf
        if key == "name":
            return self.layer_name + (" (released — upload it again)" if self.released else "")
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(("name", "gdf"))

    def __len__(self) -> int:
        return 2

    def __eq__(self, other: object) -> bool:  # Mapping would compare the layers' rows
        return self is other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"UserLayer({self.layer_name!r}, {self.n} features{', released' if self.released else ''})"


STORE = LayerStore()
