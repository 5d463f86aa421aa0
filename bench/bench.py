"""Gulf Watch benchmark suite: ``python bench/bench.py [--quick] [--only A|A3|B|C|D] [--runs N]``.

A. default page: map payload, server rerun after a click, cold start to a visible map
   (each beside a bare one-marker streamlit-folium page, bench/bare_app.py);
B. "bring your own layer": 1k / 10k / 100k AIS-like points — server rerun, payload, the same
   layer as a naive Marker loop, and the browser drawing 100k points;
C. concurrency: 20 Chromium sessions on one server, each opening the page once and then
   clicking features (with a reading pause, and back to back) — errors, click → panel latency
   and where it goes, peak server RSS.

Everything is measured in the same run on this machine; see bench/README.md for what each
figure means.  Sections run one after another (2 cores: nothing else competes); warm-up runs
are excluded from medians.  Output is printed and also written to bench/out/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
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

APP = str(H.REPO / "app.py")
BARE = str(H.BENCH / "bare_app.py")
LAYER_APP = str(H.BENCH / "layer_app.py")

# features selected in A2 (session state, as the map's on_change callback does) and clicked in C
SELECT_IDS = ["sattahip-naval-base", "fiery-cross-reef", "phu-quoc", "dara-sakor-airport",
              "ream-naval-base", "gd2024-naval-live-fire", "funan-techo-canal", "qilu-sez"]
# B3 (feature id, lat, lon, zoom): an isolated point feature, opened with ?view= centred on it
B3_TARGET = ("sattahip-naval-base", 12.625, 100.917, 9)

TARGET_A3_RATIO = 1.3  # cold start to a visible map: Gulf Watch ÷ the bare page
TARGET_B_RERUN_S = 1.5
TARGET_B_PAYLOAD = 5_000_000  # bytes (MB = 10^6 bytes throughout)
TARGET_B_RATIO = 20.0
TARGET_C_P95_S = 1.0
TARGET_C_RSS = 600 * 1024 * 1024  # MiB, as top/ps report memory

WAIT_MS = 60_000  # any single browser wait
C_WAIT_MS = 120_000  # the same under 20 concurrent pages on 2 cores: slow is measured, not an error


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


out: Tee


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


def payload_parts(args: dict, total: int) -> dict[str, int]:
    size = lambda v: 0 if v is None else len(v.encode("utf-8"))  # noqa: E731
    parts = {k: size(args.get(k)) for k in ("script", "feature_group", "html", "header")}
    parts["js+css links"] = len(json.dumps(args.get("js_links", [])).encode()) + \
        len(json.dumps(args.get("css_links", [])).encode())
    parts["other args"] = total - sum(parts.values())
    parts["total JSON"] = total
    return parts


def panel_feature(at) -> str | None:
    import re

    for h in at.get("html"):
        m = re.search(r'class="gw-panel[^"]*" data-feature="([^"]+)"', h.proto.body)
        if m:
            return m.group(1)
    return None


# --------------------------------------------------------------------------- section A

def section_a(args: argparse.Namespace) -> dict:
    out("A. Default page (issue \"core\")")
    out("=" * 78)
    res: dict = {}
    if getattr(args, "only", None) != "A3":  # --only A3: the cold start alone
        res.update(section_a12(args))
    res.update(section_a3(args))
    return res


def section_a12(args: argparse.Namespace) -> dict:
    res: dict = {}

    # A1 payload ----------------------------------------------------------------
    at = apptest(APP)
    first_app = run_checked(at)
    a_args, a_total = map_json(at)
    bare = apptest(BARE)
    first_bare = run_checked(bare)
    b_args, b_total = map_json(bare)
    pa, pb = payload_parts(a_args, a_total), payload_parts(b_args, b_total)
    out("A1. Map payload of the default page: st_folium's component arguments (bytes of UTF-8 JSON)")
    out(H.table(["part", "Gulf Watch", "bare page", "ratio"],
                [[k, H.fmt_b(pa[k]), H.fmt_b(pb[k]), f"{pa[k] / pb[k]:.0f}×" if pb[k] else "—"]
                 for k in pa]))
    out(f"  js links: {a_args['js_links']} / bare: {b_args['js_links']}")
    out(f"  css links: {a_args['css_links']} / bare: {b_args['css_links']}")
    out(f"  (first AppTest run in this process, not a benchmark: app {first_app:.2f} s, "
        f"bare {first_bare:.2f} s)")
    out()
    res["payload_app"], res["payload_bare"] = a_total, b_total

    # A2 reruns -----------------------------------------------------------------
    n = 8 if args.quick else 24
    warm = 2
    ids = SELECT_IDS
    app_times, wrong = [], []
    for i in range(warm + n):
        fid = ids[i % len(ids)]
        at.session_state["sel"] = fid
        t = run_checked(at)
        if panel_feature(at) != fid:
            wrong.append(fid)
        if i >= warm:
            app_times.append(t)
    bare_times = []
    for i in range(warm + n):
        t = run_checked(bare)
        if i >= warm:
            bare_times.append(t)
    del at, bare
    gc.collect()
    out(f"A2. Server time of a rerun after a click (AppTest: set session_state['sel'] to a feature id, "
        f"as the map's on_change does, then at.run(); {warm} warm-up reruns excluded)")
    rows = []
    for name, ts in (("Gulf Watch, select feature", app_times), ("bare page, plain rerun", bare_times)):
        rows.append([name, len(ts), H.fmt_s(H.median(ts)), H.fmt_s(H.percentile(ts, 95)),
                     H.fmt_s(min(ts)), H.fmt_s(max(ts))])
    out(H.table(["", "n", "median", "p95", "min", "max"], rows))
    out(f"  ids cycled: {', '.join(ids)}; panel showed the selected feature in "
        f"{n + warm - len(wrong)}/{n + warm} reruns" + (f" (wrong: {wrong})" if wrong else ""))
    out()
    res["rerun_app"], res["rerun_bare"] = H.median(app_times), H.median(bare_times)
    return res


def section_a3(args: argparse.Namespace) -> dict:
    res: dict = {}

    # A3 cold start -------------------------------------------------------------
    runs = args.runs or (1 if args.quick else 3)
    from playwright.sync_api import sync_playwright

    # The app keeps the validated dataset on disk (layers/cache.py): every start after the first
    # with the same data and code reads it from there.  Fill it first, as any earlier start would;
    # "app-empty" starts with an empty cache folder of its own (a first start after a change).
    from layers.cache import cache_dir, load_dataset_cached, static_basemap_url
    from layers.load import data_dir_from_env
    from layers.render import basemap_data_dir

    load_dataset_cached(data_dir_from_env())
    static_basemap_url(H.REPO, basemap_data_dir(data_dir_from_env()))
    blocked = H.Blocked()
    results: dict[str, list[dict]] = {"app": [], "bare": [], "app-empty": []}
    icon_checks: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**H.launch_kwargs())
        try:
            order = ["bare"] + ["app", "bare", "app-empty"] * runs  # the first (bare) is a warm-up
            for i, kind in enumerate(order):
                try:
                    r = cold_start(browser, blocked, kind)
                except ServerGone as e:  # stopped from outside: say so and take that start again
                    out(f"  note: cold start {i} ({kind}) discarded: {e}")
                    r = cold_start(browser, blocked, kind)
                if kind == "bare" and r.get("icon"):
                    icon_checks.append(r["icon"])
                if i > 0:
                    results[kind].append(r)
        finally:
            browser.close()
    out(f"A3. Cold start: seconds from Popen(streamlit run …) to the map visible in Chromium "
        f"(median of {runs}; 1 warm-up start excluded)")
    rows = []
    for kind, label in (("app", "Gulf Watch"), ("bare", "bare page"),
                        ("app-empty", "Gulf Watch, empty disk cache")):
        rs = results[kind]
        med = {k: H.median([r[k] for r in rs]) for k in ("health", "goto", "iframe", "map", "polled")}
        rows.append([label, H.fmt_s(med["health"], 2), H.fmt_s(med["goto"], 2), H.fmt_s(med["iframe"], 2),
                     H.fmt_s(med["map"], 2), H.fmt_s(med["polled"], 2),
                     "  ".join(f"{r['map']:.2f}" for r in rs)])
        res[f"cold_{kind}"] = med["map"]
        res[f"cold_{kind}_polled"] = med["polled"]
    out(H.table(["", "health ok", "goto returned", "map iframe attached", "map visible",
                 "(Playwright saw it)", "each run (map visible, s)"], rows))
    rest = {kind: H.median([r["rest"] for r in results[kind]]) for kind in ("app", "app-empty")}
    out(f"  Gulf Watch, the rest of the first page (table under the map and sidebar drawn): {rest['app']:.2f} s"
        f" (empty disk cache {rest['app-empty']:.2f} s)")
    res["cold_app_rest"] = rest["app"]
    ratio = res["cold_app"] / res["cold_bare"]
    out(f"  Gulf Watch ÷ bare page (map visible, medians): {ratio:.2f}× — target ≤ {TARGET_A3_RATIO:.1f}× "
        f"{'PASS' if ratio <= TARGET_A3_RATIO else 'FAIL'}")
    res["cold_ratio"] = ratio
    out(f"  Gulf Watch: validated dataset and basemap file name from the disk cache ({cache_dir()}); with an empty cache "
        f"(first start after a data or code change): {res['cold_app-empty']:.2f} s = "
        f"{res['cold_app-empty'] / res['cold_bare']:.2f}× (not the target's figure)")
    out("  Gulf Watch's server warms up at start (app.py's st.App start-up hook, layers/warmup.py): the map's"
        " libraries and the data are loaded while the browser loads Streamlit; a reader's first page sends"
        " the sidebar and the tabs once the map says it has drawn (layers/mapready.py)")
    out("  map visible = the first animation frame in which the map's frame has its size and, for Gulf Watch,"
        " a path.leaflet-interactive, for the bare page its .leaflet-marker-icon (timed inside the frame,"
        " MAP_SEEN_JS); Playwright's wait_for, polling every 0.5 s by then, returns up to 0.5 s later"
        f" (ratio by that clock: {res['cold_app_polled'] / res['cold_bare_polled']:.2f}×)")
    out(f"  bare page marker icon: {icon_checks[-1] if icon_checks else 'not checked'}")
    out(f"  non-local requests attempted (aborted): {len(blocked.urls)}"
        + (f" e.g. {blocked.urls[:3]}" if blocked.urls else ""))
    out()
    return res


class ServerGone(RuntimeError):
    pass


# The moment the map is on screen, taken in the page.  Playwright's wait_for polls a frame with a
# growing interval (0, 20, 50, 100, 100, then every 500 ms: its retryWithProgressAndBackoff), so
# the time it returns is up to 0.5 s after the fact, by chance: a map that appears 1.5 s after the
# wait began is seen anywhere in the next half second.  This script (add_init_script; the top
# window only — Playwright does not run init scripts in the component's sandboxed frame) looks
# into the map's frame on every animation frame, and records the wall-clock time of the first in
# which the map has its size and its first feature (for Gulf Watch a path.leaflet-interactive,
# for the bare page its marker); for Gulf Watch also the first in which the rest of its first page
# is drawn (REST_SEEN: the table's grid under the map and the sidebar's date slider).
REST_SEEN = ['[data-testid="stDataFrame"] canvas', '[data-testid="stSidebar"] [data-testid="stSlider"]']
MAP_SEEN_JS = """
(() => {
  if (window.top !== window) { return; }
  const frameSel = %s, sel = %s, rest = %s;
  function look() {
    try {
      const f = document.querySelector(frameSel), doc = f && f.contentDocument;
      const box = doc && doc.querySelector(".leaflet-container");
      if (!window.__mapSeenAt && box && f.offsetHeight > 0 && box.offsetWidth > 0 && box.offsetHeight > 0
          && doc.querySelector(sel)) {
        window.__mapSeenAt = performance.timeOrigin + performance.now();
      }
      if (!window.__restSeenAt && rest.length && rest.every(s => document.querySelector(s))) {
        window.__restSeenAt = performance.timeOrigin + performance.now();
      }
      if (window.__mapSeenAt && (window.__restSeenAt || !rest.length)) { return; }
    } catch (e) {}
    requestAnimationFrame(look);
  }
  requestAnimationFrame(look);
})();
"""


def cold_start(browser, blocked: H.Blocked, kind: str) -> dict:
    import tempfile

    script = "bench/bare_app.py" if kind == "bare" else "app.py"
    ctx = H.offline_context(browser, blocked)
    sel = ".leaflet-marker-icon" if kind == "bare" else "path.leaflet-interactive"
    ctx.add_init_script(MAP_SEEN_JS % (json.dumps(H.MAP_IFRAME), json.dumps(sel),
                                       json.dumps([] if kind == "bare" else REST_SEEN)))
    page = ctx.new_page()
    empty = tempfile.TemporaryDirectory(prefix="gw-cache-") if kind == "app-empty" else None
    env = {"GULFWATCH_CACHE_DIR": empty.name} if empty else None
    server = H.start_server(script, tag=f"cold-{kind}", env=env)
    wall_start = time.time() - (time.perf_counter() - server.t_start)  # Popen on the wall clock
    try:
        health = server.wait_healthy()
        page.goto(server.url + "/", timeout=WAIT_MS)
        t_goto = time.perf_counter() - server.t_start
        page.locator(H.MAP_IFRAME).wait_for(state="attached", timeout=WAIT_MS)
        t_iframe = time.perf_counter() - server.t_start
        frame = page.frame_locator(H.MAP_IFRAME)
        frame.locator(".leaflet-container").wait_for(state="visible", timeout=WAIT_MS)
        frame.locator(sel).first.wait_for(state="attached", timeout=WAIT_MS)
        t_polled = time.perf_counter() - server.t_start
        page.wait_for_function("() => window.__mapSeenAt", timeout=WAIT_MS)
        t_map = page.evaluate("() => window.__mapSeenAt") / 1000 - wall_start
        r = {"health": health, "goto": t_goto, "iframe": t_iframe, "map": t_map, "polled": t_polled}
        if kind != "bare":
            page.wait_for_function("() => window.__restSeenAt", timeout=WAIT_MS)
            r["rest"] = page.evaluate("() => window.__restSeenAt") / 1000 - wall_start
        if kind == "bare":
            r["icon"] = marker_icon_state(frame)
        return r
    except Exception as e:
        gone = server.died()
        if gone:
            raise ServerGone(gone) from e
        raise
    finally:
        ctx.close()
        server.stop()
        if empty is not None:
            empty.cleanup()


def marker_icon_state(frame) -> str:
    icon = frame.locator(".leaflet-marker-icon").first
    deadline = time.monotonic() + 10
    state = {}
    while time.monotonic() < deadline:
        state = icon.evaluate("img => ({ok: img.complete && img.naturalWidth > 0, w: img.naturalWidth,"
                              " src: img.src})")
        if state["ok"]:
            break
        time.sleep(0.2)
    return (f"{'loaded' if state.get('ok') else 'NOT loaded'} (naturalWidth={state.get('w')}, "
            f"src={state.get('src')})")


# --------------------------------------------------------------------------- section B

def section_b(args: argparse.Namespace) -> dict:
    from aisdata import ais_csv
    from layers.userlayer import parse_upload

    out("B. User layer (\"bring your own layer\"): AIS-like points, lon 99–106, lat 8–13, 8 columns")
    out("=" * 78)
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    naive_sizes = [1_000] if args.quick else [1_000, 10_000]
    reps = 2 if args.quick else 3
    rows, res = [], {}
    naive_warm = False
    for n in sizes:
        raw = ais_csv(n)
        parse_t = []
        for _ in range(reps):
            t = time.perf_counter()
            up = parse_upload(f"ais-{n}.csv", raw)
            parse_t.append(time.perf_counter() - t)
        if up.gdf is None or len(up.gdf) != n:
            raise RuntimeError(f"parse_upload failed for {n}: {up.messages}")
        gdf = up.gdf

        # the real app, layer in session state as the upload tab puts it
        at = apptest(APP)
        run_checked(at)
        at.session_state["user_layer"] = {"name": f"Your layer: ais-{n}.csv", "gdf": gdf}
        at.session_state["lay_user"] = True
        run_checked(at)  # warm-up (first run with the layer)
        app_t = [run_checked(at) for _ in range(reps)]
        a_args, app_bytes = map_json(at)
        where = [k for k in ("script", "feature_group") if USER_LAYER_MARK in (a_args.get(k) or "")]
        if not where:
            raise RuntimeError("user layer missing from the map payload")
        layer_in = "+".join(where)
        del at, a_args
        gc.collect()

        # map-only page, our renderer
        at = apptest(LAYER_APP)
        run_checked(at)
        at.session_state["bench_gdf"], at.session_state["bench_renderer"] = gdf, "ours"
        run_checked(at)  # warm-up
        ours_t = [run_checked(at) for _ in range(reps)]
        _, ours_bytes = map_json(at)
        del at
        gc.collect()

        naive_t, naive_bytes = None, None
        if n in naive_sizes:
            at = apptest(LAYER_APP)
            run_checked(at)
            at.session_state["bench_gdf"], at.session_state["bench_renderer"] = gdf, "naive"
            if not naive_warm:  # warm the Marker code path once (1k); a 10k warm-up costs ~15 s
                run_checked(at)
                naive_warm = True
            naive_t = [run_checked(at) for _ in range(reps)]
            _, naive_bytes = map_json(at)
            del at
            gc.collect()

        r = {"n": n, "csv": len(raw), "layer_in": layer_in, "parse": H.median(parse_t), "app": H.median(app_t),
             "app_all": app_t, "app_bytes": app_bytes, "ours": H.median(ours_t), "ours_bytes": ours_bytes,
             "naive": H.median(naive_t) if naive_t else None, "naive_bytes": naive_bytes}
        res[n] = r
        rows.append([f"{n:,}", H.fmt_mb(len(raw)), H.fmt_s(r["parse"]), H.fmt_s(r["app"]),
                     H.fmt_mb(app_bytes), H.fmt_s(r["ours"]), H.fmt_mb(ours_bytes),
                     H.fmt_s(r["naive"]), H.fmt_mb(naive_bytes),
                     f"{r['naive'] / r['ours']:.0f}×" if r["naive"] else "—",
                     f"{r['naive'] / r['app']:.0f}×" if r["naive"] else "—"])
        out(f"  … {n:,} points done (app reruns: {', '.join(f'{x:.3f}' for x in app_t)} s)")
    out(f"B1. Server seconds (AppTest, median of {reps} after 1 warm-up) and map payload (st_folium JSON)")
    out(f"  (in the app the user layer travels in st_folium's “{res[sizes[0]]['layer_in']}” argument)")
    out(H.table(["points", "CSV", "parse_upload", "app rerun", "app payload", "map-only ours",
                 "ours payload", "map-only naive", "naive payload", "naive/ours", "naive/app"], rows))
    out("  app rerun      = the whole Gulf Watch page rerun with the layer in st.session_state['user_layer']")
    out("  map-only       = bench/layer_app.py: base map + the one layer through st_folium (ours = "
        "user_layer_group, naive = folium.Marker + Popup per point)")
    out("  naive/ours     = map-only naive ÷ map-only ours (like for like); naive/app = naive ÷ whole app rerun")
    out()

    out("B2. Targets")
    rows = []
    if 100_000 in res:
        r = res[100_000]
        rows.append(["100k points: app rerun ≤ 1.5 s", H.fmt_s(r["app"]), H.verdict(r["app"] <= TARGET_B_RERUN_S)])
        rows.append(["100k points: app payload ≤ 5 MB", H.fmt_mb(r["app_bytes"]),
                     H.verdict(r["app_bytes"] <= TARGET_B_PAYLOAD)])
    else:
        rows.append(["100k points (skipped in --quick)", "—", "—"])
    if 10_000 in res and res[10_000]["naive"]:
        r = res[10_000]
        rows.append(["10k points: ≥ 20× faster than Marker loop (map-only)",
                     f"{r['naive'] / r['ours']:.1f}×", H.verdict(r["naive"] / r["ours"] >= TARGET_B_RATIO)])
        rows.append(["  same, naive map-only vs whole app rerun (stricter)",
                     f"{r['naive'] / r['app']:.1f}×", H.verdict(r["naive"] / r["app"] >= TARGET_B_RATIO)])
    else:
        rows.append(["10k naive (skipped in --quick)", "—", "—"])
    out(H.table(["target", "measured", ""], rows))
    out()

    # B3 browser ------------------------------------------------------------------
    n_browser = 10_000 if args.quick else 100_000
    br = browser_upload(n_browser, ais_csv(n_browser))
    res["browser"] = br
    out(f"B3. Browser: upload a {n_browser:,}-point CSV in the “Your data” tab of the real app and wait "
        "until it is drawn (1 run)")
    out(H.table(["step (seconds from set_input_files)", "seconds"], [
        ["server done: “N features … are on the map” shown", H.fmt_s(br.get("server"), 2)],
        [f"map: {n_browser:,} canvas markers in the Leaflet map + 2 frames", H.fmt_s(br.get("drawn"), 2)],
        ["then: click a feature → panel + selection outline, layer all drawn", H.fmt_s(br.get("click"), 2)],
    ]))
    if br.get("click_bytes") is not None:
        out(f"  that click's rerun: {br['click_msgs']} websocket messages, {br['click_bytes'] / 1e6:.2f} MB "
            "from the server")
    out(f"  layers counted in the map: {br.get('count', '—'):,}; canvas elements: {br.get('canvas', '—')}; "
        f"non-local requests aborted: {br.get('blocked', '—')}"
        + (f"; error: {br['error']}" if br.get("error") else ""))
    out()
    return res


USER_LAYER_MARK = "gw-user-popup"  # in the user layer's JavaScript only (layers/userlayer.py)
COUNT_JS = """(n) => {
  const m = window.map; if (!m || !m.eachLayer) return false;
  let c = 0; m.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties._i !== undefined) c++; });
  return c >= n ? c : false;
}"""
FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


def map_frame(page):
    """The map iframe's Frame as it is now (st_folium remounts it when the base map changes)."""
    handle = page.locator(H.MAP_IFRAME).element_handle(timeout=WAIT_MS)
    return handle.content_frame()


def wait_in_map(page, js: str, arg=None, timeout: float = 240) -> object:
    """Poll ``js`` in the current map iframe until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = map_frame(page).evaluate(js, arg)
            if value:
                return value
        except Exception:  # frame detached / replaced mid-evaluation: look again
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"map never satisfied: {js[:60]}…")
        time.sleep(0.25)


def browser_upload(n: int, raw: bytes) -> dict:
    from playwright.sync_api import sync_playwright

    res: dict = {}
    blocked = H.Blocked()
    frames: list[tuple[float, str, int]] = []
    server = H.start_server("app.py", tag="upload")
    try:
        server.wait_healthy()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**H.launch_kwargs())
            try:
                ctx = H.offline_context(browser, blocked)
                page = ctx.new_page()
                page.on("websocket", lambda ws: (
                    ws.on("framesent", lambda p: frames.append((time.perf_counter(), "sent", len(p)))),
                    ws.on("framereceived", lambda p: frames.append((time.perf_counter(), "recv", len(p))))))
                fid, lat, lon, zoom = B3_TARGET  # opened on a feature, clicked once drawn
                page.goto(f"{server.url}/?view={lat},{lon},{zoom}", timeout=WAIT_MS)
                fl = page.frame_locator(H.MAP_IFRAME)
                path = fl.locator(f"path.gw-f-{fid}").first
                path.wait_for(state="attached", timeout=WAIT_MS)
                page.get_by_role("tab", name="Your data").click(timeout=WAIT_MS)
                inp = page.locator('[data-testid="stFileUploader"] input[type="file"]').first
                t0 = time.perf_counter()
                inp.set_input_files(files=[{"name": f"ais-{n}.csv", "mimeType": "text/csv", "buffer": raw}],
                                    timeout=WAIT_MS)
                page.get_by_text(f"{n:,} features from", exact=False).first.wait_for(
                    state="visible", timeout=240_000)
                res["server"] = time.perf_counter() - t0
                res["count"] = wait_in_map(page, COUNT_JS, n)
                map_frame(page).evaluate(FRAMES_JS)
                res["drawn"] = time.perf_counter() - t0
                res["canvas"] = map_frame(page).evaluate("() => document.querySelectorAll('canvas').length")
                # a selection with the layer on the map
                box = stable_box_sync(path)
                time.sleep(1.0)  # let reruns started by the map's own updates finish
                t1 = time.perf_counter()
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.locator(f'.gw-panel[data-feature="{fid}"]').wait_for(state="visible", timeout=WAIT_MS)
                fl.locator("path.gw-selected").first.wait_for(state="attached", timeout=WAIT_MS)
                wait_in_map(page, COUNT_JS, n, timeout=60)  # the layer is (still / again) all there
                map_frame(page).evaluate(FRAMES_JS)
                t2 = time.perf_counter()
                res["click"] = t2 - t1
                got = [b for t, k, b in frames if k == "recv" and t1 <= t <= t2]
                res["click_msgs"], res["click_bytes"] = len(got), sum(got)
            finally:
                browser.close()
    except Exception as e:  # report, don't abort the run
        res["error"] = f"{e.__class__.__name__}: {str(e).splitlines()[0][:200]}"
        if server.died():
            res["error"] += f" — {server.died()}"
    finally:
        server.stop()
    res["blocked"] = len(blocked.urls)
    return res


def stable_box_sync(locator, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    prev = None
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box and prev == box and box["width"] > 0:
            return box
        prev = box
        time.sleep(0.15)
    raise TimeoutError("feature path never settled")


# --------------------------------------------------------------------------- section C

# Where to click, found in the page in one round trip (the map's iframe is same-origin): the
# feature's path, once it has stopped moving (the same box 150 ms apart) and is the topmost
# element at its centre; returns page coordinates, or why not.  Doing this with Playwright
# locators took ~10 protocol round trips per click, CPU that the bench's own side spent on the
# measured cores.
AIM_JS = """async ([iframeSel, fid, timeoutMs]) => {
  const deadline = Date.now() + timeoutMs;
  let prev = null, why = "no map iframe";
  while (Date.now() < deadline) {
    const frame = document.querySelector(iframeSel);
    const doc = frame && frame.contentDocument;
    const el = doc && doc.querySelector(`path.gw-f-${fid}`);
    if (el) {
      const b = el.getBoundingClientRect();
      const box = [b.x, b.y, b.width, b.height].join();
      if (box === prev && b.width > 0) {
        const x = b.x + b.width / 2, y = b.y + b.height / 2;
        const top = doc.elementFromPoint(x, y);
        if (top && top.classList && top.classList.contains(`gw-f-${fid}`)) {
          const f = frame.getBoundingClientRect();
          return [f.x + x, f.y + y];
        }
        why = "path is not the topmost element at its centre";
      } else {
        why = "path still moving";
      }
      prev = box;
    } else if (doc) {
      why = "path not in the map";
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return why;
}"""


async def click_diagnosis(page) -> str:
    """After a click that produced no panel: did the map register it, what does the page show?"""
    try:
        frame = await (await page.locator(H.MAP_IFRAME).element_handle(timeout=5000)).content_frame()
        clicks = await frame.evaluate("() => { const g = window.__GLOBAL_DATA__ || {};"
                                      " return [g.last_object_clicked_count, g.last_object_clicked]; }")
        shown = await page.locator(".gw-panel[data-feature]").evaluate_all(
            "els => els.map(e => e.dataset.feature)")
        return (f"map registered {clicks[0]} feature click(s), last at {clicks[1]}; panel(s) shown: "
                f"{shown or 'none'}; url: {page.url.split('?', 1)[-1][:120]}")
    except Exception as e:  # diagnosis only
        return f"no diagnosis ({e.__class__.__name__})"


# C: every session opens this view once (Sihanoukville, Ream, Dara Sakor, Phu Quoc) and then
# clicks these features one after another (each click a new selection); all five are points or
# small areas that are the topmost element at their centre in this view.
C_VIEW = (10.75, 103.4, 9)
# features drawn at C_VIEW (zoom 9); a site's parts (e.g. Ream's NCMS buildings) are drawn only from
# their site's parts zoom (13), so they are not in this list
C_CYCLE = ["sihanoukville-sez", "dara-sakor-airport", "phu-quoc", "gd2020-kampot", "kampot-international-tourism-port"]
C_THINK = (3.0, 7.0)  # seconds a reader spends on the evidence panel between two clicks


# The moment the panel appears is taken in the page (a MutationObserver, wall clock): Playwright's
# own waits re-check at growing intervals (up to 500 ms), which would add up to half a second.
PANEL_WATCH_JS = """(fid) => {
  const sel = `.gw-panel[data-feature="${fid}"]`;
  const shown = () => {
    const e = document.querySelector(sel);
    if (!e || e.closest('[data-stale="true"]')) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  window.__gwPanelSeen = new Promise((resolve) => {
    const mo = new MutationObserver(() => { if (shown()) { mo.disconnect(); resolve(Date.now()); } });
    mo.observe(document.body, {subtree: true, childList: true, attributes: true,
                               attributeFilter: ["data-stale"]});
  });
}"""


def _rerun_request(payload) -> bool:
    """Is this websocket frame (browser → server) a BackMsg asking for a rerun?"""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    if not isinstance(payload, (bytes, bytearray)):
        return False
    try:
        return BackMsg.FromString(bytes(payload)).WhichOneof("type") == "rerun_script"
    except Exception:
        return False


def _script_finished(payload) -> bool:
    """Is this websocket frame (server → browser) the ForwardMsg that ends a script run?"""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if not isinstance(payload, (bytes, bytearray)) or len(payload) > 4096:
        return False  # script_finished is tiny; skip parsing the big delta frames
    try:
        return ForwardMsg.FromString(bytes(payload)).WhichOneof("type") == "script_finished"
    except Exception:
        return False


async def session(idx: int, browser, url: str, clicks: int, think: tuple[float, float] | None,
                  blocked: H.Blocked, rec: dict, gate: H.Gate) -> None:
    """One reader: open the page once, then click ``clicks`` features on the map, each time
    waiting for the evidence panel, pausing ``think`` seconds (uniform range; None = none)."""
    import random

    rnd = random.Random(idx)
    ctx = await H.offline_context_async(browser, blocked)
    sent: list[float] = []  # rerun requests leaving the browser
    done: list[float] = []  # script runs finished, as seen by the browser
    step = "goto"
    fid = C_CYCLE[idx % len(C_CYCLE)]
    try:
        page = await ctx.new_page()

        def on_ws(ws):
            ws.on("framesent", lambda p: sent.append(time.perf_counter()) if _rerun_request(p) else None)
            ws.on("framereceived", lambda p: done.append(time.perf_counter()) if _script_finished(p) else None)
        page.on("websocket", on_ws)
        t0 = time.perf_counter()
        await page.goto(f"{url}/?view={C_VIEW[0]},{C_VIEW[1]},{C_VIEW[2]}", timeout=C_WAIT_MS)
        step = "features drawn"
        fl = page.frame_locator(H.MAP_IFRAME)
        await fl.locator(f"path.gw-f-{fid}").first.wait_for(state="attached", timeout=C_WAIT_MS)
        rec["open"].append(time.perf_counter() - t0)
    except Exception as e:
        rec["errors"].append(f"session {idx} at '{step}': {e.__class__.__name__}: {str(e).splitlines()[0][:160]}")
        await ctx.close()
        return
    finally:
        gate.arrive()
    try:
        await gate.go.wait()
        if think:  # spread the first clicks like the later ones
            await asyncio.sleep(rnd.uniform(0, think[1]))
        for r in range(clicks):
            fid = C_CYCLE[(idx + r) % len(C_CYCLE)]
            step = "path settled under the pointer"
            try:
                aim = await page.evaluate(AIM_JS, [H.MAP_IFRAME, fid, 60_000])
                if isinstance(aim, str):
                    raise TimeoutError(aim)
                x, y = aim
                step = "click → panel"
                await page.evaluate(PANEL_WATCH_JS, fid)
                t1, w1 = time.perf_counter(), time.time()
                await page.mouse.click(x, y)
                seen_ms = await asyncio.wait_for(page.evaluate("() => window.__gwPanelSeen"),
                                                 timeout=C_WAIT_MS / 1000)
                t2 = t1 + (seen_ms / 1000 - w1)
                await page.locator(f'.gw-panel[data-feature="{fid}"]').wait_for(state="visible",
                                                                                   timeout=C_WAIT_MS)
                rec["click"].append(t2 - t1)
                s = next((t for t in sent if t >= t1), None)
                f = next((t for t in done if s is not None and t >= s), None)
                if s is not None and f is not None and f <= t2 + 0.5:
                    rec["send"].append(s - t1)
                    rec["server"].append(f - s)
                    rec["draw"].append(max(t2 - f, 0.0))
            except Exception as e:
                msg = (f"session {idx} click {r} ({fid}) at '{step}': {e.__class__.__name__}: "
                       f"{str(e).splitlines()[0][:160]}")
                if step == "click → panel":
                    msg += " | " + await click_diagnosis(page)
                rec["errors"].append(msg)
            if think and r < clicks - 1:
                await asyncio.sleep(rnd.uniform(*think))
    finally:
        await ctx.close()


async def run_sessions(url: str, n: int, clicks: int, think: tuple[float, float] | None,
                       blocked: H.Blocked, budget: float) -> dict:
    """``n`` sessions open the page together; once all are open, all start clicking."""
    from playwright.async_api import async_playwright

    rec: dict = {"open": [], "click": [], "send": [], "server": [], "draw": [], "errors": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**H.launch_kwargs())
        try:
            gate = H.Gate(n)
            tasks = [asyncio.create_task(session(i, browser, url, clicks, think, blocked, rec, gate))
                     for i in range(n)]
            # settle: let the pages' own first reruns finish before the clicks
            await H.release_together(tasks, gate, rec, budget, settle=1.0)
        finally:
            await browser.close()
    return rec


def section_c(args: argparse.Namespace) -> dict:
    n = 4 if args.quick else 20
    clicks = 3 if args.quick else 5
    # the reading phase's p95 is the target: twice the clicks (each feature twice) for a steadier tail
    reading_clicks = clicks if args.quick else 2 * clicks
    out(f"C. Concurrency: one server of the real app, {n} Chromium sessions (contexts of one browser) "
        "on the same 2-core machine")
    out("=" * 78)
    out(f"  Each session opens the page once (all {n} at the same moment), then, when all are open, "
        f"clicks features on the map one after another ({', '.join(C_CYCLE)}; {reading_clicks} clicks "
        f"with a reading pause, {clicks} back to back), each time waiting for the evidence panel of "
        "that feature.")
    blocked = H.Blocked()
    res: dict = {}
    phases = [("1 session (baseline), 1 s pause", 1, 6, (1.0, 1.0)),
              (f"{n} sessions, {C_THINK[0]:.0f}–{C_THINK[1]:.0f} s reading pause", n, reading_clicks, C_THINK),
              (f"{n} sessions, back to back (stress)", n, clicks, None)]
    server = H.start_server("app.py", tag="concurrency")
    try:
        server.wait_healthy()
        rss_start = H.tree_rss(server.sid)
        rows, srows, crows = [], [], []
        for label, nc, k, think in phases:
            cpu0 = H.tree_cpu(server.sid)
            with H.RssSampler(server.sid, 0.2) as sampler, H.Activity() as act:
                rec = asyncio.run(run_sessions(server.url, nc, k, think, blocked, budget=900))
            gone = server.died()
            if gone:
                rec["errors"].insert(0, gone)
            rec.update(peak=sampler.peak, cpu=H.tree_cpu(server.sid) - cpu0, capacity=act.capacity,
                       client_cpu=max(act.own - (H.tree_cpu(server.sid) - cpu0), 0.0), busy=act.busy)
            res[label] = rec
            pct = lambda s: f"{s:.0f} s ({100 * s / max(rec['capacity'], 1e-9):.0f}%)"  # noqa: E731
            rows.append([label, f"{len(rec['click'])}/{nc * k}", len(rec["errors"]),
                         H.fmt_s(H.median(rec["click"]), 2), H.fmt_s(H.percentile(rec["click"], 95), 2),
                         H.fmt_s(max(rec["click"], default=None), 2),
                         H.fmt_s(H.median(rec["open"]), 1), H.fmt_s(max(rec["open"], default=None), 1),
                         f"{rec['peak'] / 2**20:.0f} MiB", pct(rec["cpu"]), pct(rec["client_cpu"]),
                         f"{100 * rec['busy'] / max(rec['capacity'], 1e-9):.0f}%"])
            k_ok = max(len(rec["click"]), 1)
            crows.append([label, f"{rec['wall']:.1f} s", f"{100 * rec['click_busy']:.0f}%",
                          f"{rec['click_cpu']['server'] / k_ok:.2f} s", f"{rec['click_cpu']['chromium'] / k_ok:.2f} s",
                          f"{rec['click_cpu']['harness'] / k_ok:.2f} s"])
            srows.append([label, len(rec["server"]), H.fmt_s(H.median(rec["send"]), 2),
                          H.fmt_s(H.median(rec["server"]), 2), H.fmt_s(H.percentile(rec["server"], 95), 2),
                          H.fmt_s(H.median(rec["draw"]), 2), H.fmt_s(H.percentile(rec["draw"], 95), 2)])
            if gone:
                break
        out(H.table(["", "clicks ok", "errors", "click→panel p50", "p95", "max", "open p50", "open max",
                     "peak RSS", "server CPU", "browser CPU", "machine busy"], rows))
        out("  open = page.goto until the first feature's SVG path is attached (all sessions at once); "
            "click→panel = mouse click on the feature until .gw-panel[data-feature=…] is visible")
        out("  server CPU = CPU seconds of the streamlit process over the phase (opening included); "
            "browser CPU = Chromium + Playwright + this script; (%) = share of the 2 cores")
        out()
        out("  Where a click's time goes (from the websocket as the browser sees it):")
        out(H.table(["", "n", "to send p50", "server p50", "server p95", "draw p50", "draw p95"], srows))
        out("  to send = click → the rerun request leaves the browser (streamlit-folium debounces map "
            "events by 250 ms); server = that request → the server's 'script finished' message "
            "(the rerun, its messages, and waiting for a CPU); draw = 'script finished' → panel visible "
            "(the browser applying the rerun)")
        out()
        out("  CPU of the clicking part alone (from the moment every session is open), per click:")
        out(H.table(["", "wall", "machine busy", "server", "Chromium", "harness"], crows))
        out("  harness = this bench and the Playwright driver (finding each feature, clicking, watching "
            "the websocket) — on the same cores, so it also slows the measured clicks")
        out(f"  server RSS: {rss_start / 2**20:.0f} MiB when healthy (before any page)")
        out(f"  non-local requests attempted (aborted): {len(blocked.urls)}")
        for label, rec in res.items():
            for e in rec["errors"][:4]:
                out(f"  error ({label}): {e}")
            if len(rec["errors"]) > 4:
                out(f"  … and {len(rec['errors']) - 4} more errors ({label})")
        out()
        out(f"C3. The server alone: the same sessions and clicks, {n} at a time, speaking Streamlit's "
            "websocket protocol directly (bench/wsclient.py) instead of through Chromium")
        out("=" * 78)
        import wsclient

        view = ",".join(str(v) for v in C_VIEW)
        wrows = []
        for label, nc, k, think in phases:
            with H.RssSampler(server.sid, 0.2) as sampler:
                rec = asyncio.run(wsclient.run_ws_sessions(server.url, nc, view, C_CYCLE, k, think, budget=600))
            gone = server.died()
            if gone:
                rec["errors"].insert(0, gone)
            rec["peak"] = sampler.peak
            res["ws " + label] = rec
            k_ok = max(len(rec["click"]), 1)
            wrows.append([label, f"{len(rec['click'])}/{nc * k}", len(rec["errors"]),
                          H.fmt_s(H.median(rec["click"]), 2), H.fmt_s(H.percentile(rec["click"], 95), 2),
                          H.fmt_s(max(rec["click"], default=None), 2), H.fmt_s(H.median(rec["finished"]), 2),
                          f"{H.median(rec['msgs']):.0f} / {H.median(rec['bytes']) / 1e3:.0f} KB",
                          f"{rec['click_cpu']['server'] / k_ok:.2f} s", f"{100 * rec['click_busy']:.0f}%",
                          f"{rec['peak'] / 2**20:.0f} MiB"])
            for e in rec["errors"][:4]:
                out(f"  error ({label}): {e}")
            if gone:
                break
        out(H.table(["", "clicks ok", "errors", "click→panel p50", "p95", "max", "finished p50",
                     "msgs / bytes per click", "server CPU per click", "machine busy", "peak RSS"], wrows))
        out("  click→panel = the click's rerun request sent → the delta holding that feature's evidence panel "
            "received; finished = → 'script finished' received; server CPU and machine busy: the clicking "
            "part alone. Add streamlit-folium's 250 ms debounce and the browser's drawing for what a reader sees.")
        out()
        out(f"C2. Targets ({n} sessions; the issue's targets are for 20)")
        rows = []
        targets = [(f"Chromium: {lb}", res[lb]) for lb, *_ in phases[1:] if lb in res]
        targets += [(f"server alone: {lb}", res["ws " + lb]) for lb, *_ in phases[1:] if "ws " + lb in res]
        for label, rec in targets:
            p95 = H.percentile(rec["click"], 95)
            rows.append([label, "0 errors", str(len(rec["errors"])), H.verdict(not rec["errors"])])
            rows.append(["", "click → panel p95 ≤ 1 s", H.fmt_s(p95, 2),
                         H.verdict(p95 == p95 and p95 <= TARGET_C_P95_S)])
            rows.append(["", "peak server RSS ≤ 600 MiB", f"{rec['peak'] / 2**20:.0f} MiB",
                         H.verdict(rec["peak"] <= TARGET_C_RSS)])
        out(H.table(["workload", "target", "measured", ""], rows))
        out()
    finally:
        server.stop()
        res["leftover"] = server.extra.get("leftover_pids")
    return res


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    global out
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke run with small counts (~2-3 min)")
    p.add_argument("--only", choices=["A", "A3", "B", "C", "D"], type=str.upper,
                   help="run one section (A3: section A's cold start alone)")
    p.add_argument("--runs", type=int, default=0, metavar="N",
                   help="A3: cold starts of each page (default 3, 1 with --quick)")
    args = p.parse_args(argv)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Tee(H.OUT / f"bench-{stamp}{'-quick' if args.quick else ''}.txt")
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
    out(f"total: {time.perf_counter() - t_all:.0f} s; output saved to {out.path.relative_to(H.REPO)}"
        + (f"; sections that crashed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
