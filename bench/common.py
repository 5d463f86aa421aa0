"""Shared by bench.py's sections: the run's output (:func:`out` prints a line and writes it to
``bench/out/bench-<timestamp>.txt``, opened by bench.py's ``main`` with :func:`open_output`), the
app's script path and the browser wait, and the ``streamlit.testing.v1.AppTest`` helpers that
sections A and B use to time a server rerun and weigh the ``st_folium`` payload.  It measures
nothing itself."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness as H  # noqa: E402

APP = str(H.REPO / "app.py")

WAIT_MS = 60_000  # any single browser wait


# --------------------------------------------------------------------------- output

class Tee:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(path, "w", encoding="utf-8")
        self.path = path

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.fh.write(text + "\n")
        self.fh.flush()


_tee: Tee | None = None


def open_output(path: Path) -> Tee:
    """Open this run's output file; from then on :func:`out` prints and writes to it."""
    global _tee
    _tee = Tee(path)
    return _tee


def out(text: str = "") -> None:
    """Print a line and write it to this run's output file (see :func:`open_output`)."""
    _tee(text)


# --------------------------------------------------------------------------- AppTest helpers

def apptest(script: str, timeout: float = 600):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(script, default_timeout=timeout)


def run_checked(at) -> float:
    t = time.perf_counter()
    at.run()
    dt_ = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(f"app raised: {[e.message for e in at.exception]}")
    return dt_


def map_json(at) -> tuple[dict, int]:
    comps = [c for c in at.get("component_instance")
             if c.proto.component_name == "streamlit_folium.st_folium"]
    if len(comps) != 1:
        raise RuntimeError(f"expected one st_folium component, found {len(comps)}")
    raw = comps[0].proto.json_args
    return json.loads(raw), len(raw.encode("utf-8"))
