"""Gulf Watch benchmark suite: ``python bench/bench.py [--quick] [--only A|A3|B|C|D] [--runs N]``.

A. default page: map payload, server rerun after a click, cold start to a visible map
   (each beside a bare one-marker streamlit-folium page, bench/bare_app.py) — bench/section_a.py;
B. "bring your own layer": 1k / 10k / 100k AIS-like points — server rerun, payload, the same
   layer as a naive Marker loop, and the browser drawing 100k points — bench/section_b.py;
C. concurrency: 20 Chromium sessions on one server, each opening the page once and then
   clicking features (with a reading pause, and back to back) — errors, click → panel latency
   and where it goes, peak server RSS — bench/section_c.py;
D. the static reader site beside the app — bench/site_bench.py.

Everything is measured in the same run on this machine; see bench/README.md for what each
figure means.  Sections run one after another (2 cores: nothing else competes); warm-up runs
are excluded from medians.  Output is printed and also written to bench/out/.  This file is the
entry point: arguments, the machine header, the sections in turn, the summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import traceback
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
# site_bench.py finds this module (its ``out`` and section C's helpers) as ``bench``: AppTest
# (sections A and B) replaces ``__main__`` while it runs a script, so that name is not reliable
if __name__ == "__main__":
    sys.modules.setdefault("bench", sys.modules[__name__])
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness as H  # noqa: E402
from common import open_output, out  # noqa: E402
from section_a import section_a  # noqa: E402
from section_b import section_b  # noqa: E402
from section_c import C_CYCLE, C_THINK, C_VIEW, PANEL_WATCH_JS, run_sessions, section_c  # noqa: E402

# what section D (site_bench.py, site_readers.py) reads from this module as ``B = _bench()``
__all__ = ["out", "C_CYCLE", "C_THINK", "C_VIEW", "PANEL_WATCH_JS", "run_sessions", "main"]


# --------------------------------------------------------------------------- machine header

def _v(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "not installed"


def machine_header(args: argparse.Namespace) -> None:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor() or "?")
    mem_kb = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal")), 0)
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out(f"Gulf Watch benchmark — {now} — mode: {'quick' if args.quick else 'full'}"
        + (f", only {args.only}" if args.only else ""))
    out(f"machine : {platform.system()} {platform.release()} {platform.machine()}, "
        f"nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), {cpu}, "
        f"{mem_kb / 1024 / 1024:.1f} GiB RAM")
    out(f"python  : {platform.python_version()} ({sys.executable})")
    out("packages: " + ", ".join(f"{p} {_v(p)}" for p in (
        "streamlit", "streamlit-folium", "folium", "branca", "geopandas", "shapely", "pandas",
        "numpy", "playwright", "psutil")))
    out(f"browser : {H.chromium_version()} (headless, offline: non-local requests aborted)")
    out("memory  : RSS read from /proc (psutil not used), summed over the server's process session")
    load = Path("/proc/loadavg").read_text().split()[:3]
    others = H.foreign_servers()
    out(f"load    : {' '.join(load)} (1/5/15 min) at start; other streamlit servers / browsers running: "
        f"{len(others)}" + "".join(f"\n            {o}" for o in others[:6]))
    out()


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke run with small counts (~2-3 min)")
    p.add_argument("--only", choices=["A", "A3", "B", "C", "D"], type=str.upper,
                   help="run one section (A3: section A's cold start alone)")
    p.add_argument("--runs", type=int, default=0, metavar="N",
                   help="A3: cold starts of each page (default 3, 1 with --quick)")
    args = p.parse_args(argv)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    tee = open_output(H.OUT / f"bench-{stamp}{'-quick' if args.quick else ''}.txt")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    import logging

    class _Quiet(logging.Filter):  # AppTest in the main thread: harmless, but one per rerun
        def filter(self, record: logging.LogRecord) -> bool:
            return "missing ScriptRunContext" not in record.getMessage()

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_Quiet())
    t_all = time.perf_counter()
    machine_header(args)
    import site_bench  # section D: the static reader site (bench/site_bench.py); keeps C's results for D
    sections = {"A": section_a, "B": section_b, "C": site_bench.keep("C", section_c), "D": site_bench.section_d}
    failed = []
    for name, fn in sections.items():
        if args.only and name != args.only[0]:
            continue
        t = time.perf_counter()
        act = H.Activity()
        try:
            with act:
                fn(args)
        except Exception:
            failed.append(name)
            out(f"section {name} FAILED:\n{traceback.format_exc()}")
        finally:
            H.stop_all()
        extra = f"; {act.summary()}" if hasattr(act, "foreign") else ""
        out(f"(section {name}: {time.perf_counter() - t:.0f} s{extra})")
        out()
    H.stop_all()
    killed = H.reap_leftovers()
    out("leftover processes: " + ("none" if not killed else f"had to kill {killed}"))
    out(f"total: {time.perf_counter() - t_all:.0f} s; output saved to {tee.path.relative_to(H.REPO)}"
        + (f"; sections that crashed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
