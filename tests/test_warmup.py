"""The server's warm-up (layers/warmup.py).

``streamlit run app.py`` finds the ``st.App`` in app.py and runs its start-up hook, which imports
the map's libraries and loads the data in a thread while the first reader's browser is still
loading Streamlit.  The browser tests run the app that way, so each of them also checks that the
warm-up leaves the map working (its component registered, the map drawn)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")


def test_streamlit_run_finds_the_app_with_its_warm_up():
    """Streamlit's own discovery (what ``streamlit run app.py`` calls) sees app.py's st.App, and
    importing app.py as a module (as the server does) gives that app without running the page."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(Path(APP))
    assert found.is_asgi_app and found.import_string == "app:app"
    code = ("import json, sys, importlib; import streamlit as st; from layers import warmup; "
            "m = importlib.import_module('app'); "
            "print(json.dumps([isinstance(m.app, st.App), str(m.app.script_path), "
            "m.app._user_lifespan is warmup.lifespan, 'layers.page' in sys.modules, "
            "[r.path for r in m.app._user_routes]]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120, check=True)
    is_app, script, hook, page_imported, routes = json.loads(out.stdout.strip().splitlines()[-1])
    assert is_app and Path(script).resolve() == Path(APP).resolve() and hook
    assert routes == ["/gulfwatch/map-drawn"]  # the map's "drawn" ping (layers/mapready.py)
    assert not page_imported  # importing app.py does not run (or even import) the page


def test_warm_up_loads_the_map_stack_but_not_streamlit_folium(tmp_path):
    """The start-up hook, run as the server runs it: after it, the first run has nothing heavy left
    to import, except streamlit_folium itself (see the next test for why not that)."""
    code = f"""
import asyncio, json, logging, sys
from pathlib import Path
logging.basicConfig(level=logging.ERROR)
from layers import warmup

class App:  # what the hook reads of st.App
    script_path = Path({APP!r})

async def main():
    async with warmup.lifespan(App()):
        assert await asyncio.to_thread(warmup.done.wait, 120)

asyncio.run(main())
wanted = warmup.MAP_MODULES + warmup.TAB_MODULES
from layers import mapready
print(json.dumps([sorted(m for m in wanted if m not in sys.modules), 'streamlit_folium' in sys.modules,
                  sorted(warmup.timings), mapready.serving()]))
"""
    env = {"GULFWATCH_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=180, check=True, env=env)
    assert "warm-up failed" not in out.stderr, out.stderr
    missing, sf, timings, serving = json.loads(out.stdout.strip().splitlines()[-1])
    assert missing == [] and not sf
    assert serving  # first pages may now wait for the map's ping
    assert timings == ["dataset", "map", "total"]  # every step ran


def test_a_component_declared_outside_a_script_run_is_not_registered(tmp_path, monkeypatch):
    """Why the warm-up must not import streamlit_folium: Streamlit registers a component only when
    it is declared inside a script run, and a module is imported once.  If this test fails,
    Streamlit changed that rule (or these internals): revisit layers/warmup.py's MAP_MODULES."""
    from streamlit.components.v1 import component_registry

    registered: list = []

    class Runtime:
        class component_registry:  # noqa: N801
            register_component = registered.append

    monkeypatch.setattr(component_registry, "get_instance", lambda: Runtime)
    component_registry.declare_component("probe", path=str(tmp_path))
    assert registered == []


def test_a_failing_warm_up_is_logged_and_leaves_the_server_to_do_the_work(monkeypatch, caplog):
    from layers import warmup

    monkeypatch.setattr(warmup, "MAP_MODULES", ("layers.no_such_module",))
    monkeypatch.setattr(warmup, "done", type(warmup.done)())
    warmup.warm(REPO)
    assert warmup.done.is_set()
    assert "warm-up failed" in caplog.text
