"""Warm the server up before the first reader: the start-up hook of ``app.py``'s ``st.App``.

A new server process spends its first script run importing the map libraries (folium,
streamlit-folium, pandas, shapely: ~0.7 s on two busy cores) and reading the validated data —
while the first reader waits for a map.  Yet the server is idle for most of a second before that
run: between being ready and the browser opening its websocket, the browser is still loading
Streamlit's own page.  :func:`lifespan` starts :func:`warm` in a thread at start-up, so that
work happens in that idle time; a script run that needs a module meanwhile waits for the
thread's import of it (Python's import lock), never imports it twice.

Nothing here changes what a run shows: every step is a cache a run would fill itself, and a
failure only leaves the cache empty (logged).  ``streamlit run app.py`` uses it (Streamlit finds
the ``st.App`` in ``app.py``); AppTest and bare ``python -c`` uses do not.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
import time
from pathlib import Path

log = logging.getLogger("gulfwatch.warmup")

# What a first run imports before its map is sent, heaviest first.  streamlit-folium's own
# dependencies, but not ``streamlit_folium`` itself: Streamlit registers a component only when the
# module declaring it is imported inside a script run, so importing it here would leave the map's
# component unknown to the server (its frame a 404).  Its own import after these takes ~0.04 s.
# tests/test_warmup.py checks both.
MAP_MODULES = ("folium", "folium.elements", "folium.plugins", "streamlit.components.v1",
               "streamlit.components.v1.component_arrow", "layers.render", "layers.page",
               "layers.search", "layers.assets", "PIL.Image")
# What the tabs under the map import (sent after the map and the sidebar).
TAB_MODULES = ("pyarrow.pandas_compat", "layers.tabs.table", "layers.tabs.chronology",
               "layers.tabs.sources", "layers.tabs.distances", "layers.tabs.share",
               "layers.tabs.figure", "layers.tabs.upload")

done = threading.Event()  # set when warm() has finished, successfully or not
timings: dict[str, float] = {}


def warm(app_dir: Path) -> None:
    """Do what a first run does before its map, in the order it does it, then what its tabs need."""
    t0 = time.perf_counter()
    try:
        from . import layout, ui
        from .load import data_dir_from_env

        data_dir = data_dir_from_env()
        ui._dataset_cached(str(data_dir), ui._data_stamp(data_dir))  # st.cache_resource: every session's
        timings["dataset"] = time.perf_counter() - t0
        for name in MAP_MODULES:
            importlib.import_module(name)
        from . import page, render
        from .cache import static_basemap_url

        layout.favicon()  # the page icon, drawn with Pillow; Streamlit saves it as PNG,
        importlib.import_module("PIL.Image").init()  # with the image plugins init() loads
        page.map_assets(str(app_dir))  # st.cache_resource: the first run finds it done
        static_basemap_url(app_dir, render.basemap_data_dir(data_dir))
        timings["map"] = time.perf_counter() - t0
        for name in TAB_MODULES:
            importlib.import_module(name)
    except Exception:  # a warm-up must never stop the server: the first run does the work itself
        log.exception("warm-up failed; the first reader's run will load everything itself")
    finally:
        timings["total"] = time.perf_counter() - t0
        done.set()


@contextlib.asynccontextmanager
async def lifespan(app):
    """``st.App(..., lifespan=lifespan)``: warm up in a thread, so the server is ready at once;
    and let first pages wait for the map's ping (``app.py`` mounts its route, layers/mapready.py)."""
    from . import mapready

    mapready.start_serving()
    threading.Thread(target=warm, args=(Path(app.script_path).resolve().parent,),
                     name="gulfwatch-warmup", daemon=True).start()
    yield
