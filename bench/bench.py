"""Gulf Watch benchmark suite: ``python bench/bench.py [--quick] [--only A|B|C]``.

A. default page: map payload, server rerun after a click, cold start to a visible map
   (each beside a bare one-marker streamlit-folium page, bench/bare_app.py);
B. "bring your own layer": 1k / 10k / 100k AIS-like points — server rerun, payload, the same
   layer as a naive Marker loop, and the browser drawing 100k points;
C. concurrency: 20 Chromium contexts selecting features on one server — errors, click → panel
   latency, peak server RSS.

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
# (feature id, lat, lon, zoom): isolated point features, opened with ?view= centred on them
CLICK_TARGETS = [("sattahip-naval-base", 12.625, 100.917, 9),
                 ("fiery-cross-reef", 9.54917, 112.88917, 9),
                 ("phu-quoc", 10.27463, 103.99794, 10),
                 ("dara-sakor-airport", 10.915, 103.224, 11)]

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

    # A3 cold start -------------------------------------------------------------
    runs = 1 if args.quick else 3
    from playwright.sync_api import sync_playwright

    blocked = H.Blocked()
    results: dict[str, list[dict]] = {"app": [], "bare": []}
    icon_checks: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**H.launch_kwargs())
        try:
            order = ["bare"] + ["app", "bare"] * runs  # the first (bare) is a warm-up
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
    for kind, label in (("app", "Gulf Watch"), ("bare", "bare page")):
        rs = results[kind]
        med = {k: H.median([r[k] for r in rs]) for k in ("health", "goto", "iframe", "map")}
        rows.append([label, H.fmt_s(med["health"], 2), H.fmt_s(med["goto"], 2), H.fmt_s(med["iframe"], 2),
                     H.fmt_s(med["map"], 2),
                     "  ".join(f"{r['map']:.2f}" for r in rs)])
        res[f"cold_{kind}"] = med["map"]
    out(H.table(["", "health ok", "goto returned", "map iframe attached", "map visible",
                 "each run (map visible, s)"], rows))
    out("  map visible = iframe .leaflet-container visible and, for Gulf Watch, a path.leaflet-interactive"
        " attached; for the bare page, its .leaflet-marker-icon attached")
    out(f"  bare page marker icon: {icon_checks[-1] if icon_checks else 'not checked'}")
    out(f"  non-local requests attempted (aborted): {len(blocked.urls)}"
        + (f" e.g. {blocked.urls[:3]}" if blocked.urls else ""))
    out()
    return res


class ServerGone(RuntimeError):
    pass


def cold_start(browser, blocked: H.Blocked, kind: str) -> dict:
    script = "app.py" if kind == "app" else "bench/bare_app.py"
    ctx = H.offline_context(browser, blocked)
    page = ctx.new_page()
    server = H.start_server(script, tag=f"cold-{kind}")
    try:
        health = server.wait_healthy()
        page.goto(server.url + "/", timeout=WAIT_MS)
        t_goto = time.perf_counter() - server.t_start
        page.locator(H.MAP_IFRAME).wait_for(state="attached", timeout=WAIT_MS)
        t_iframe = time.perf_counter() - server.t_start
        frame = page.frame_locator(H.MAP_IFRAME)
        frame.locator(".leaflet-container").wait_for(state="visible", timeout=WAIT_MS)
        sel = "path.leaflet-interactive" if kind == "app" else ".leaflet-marker-icon"
        frame.locator(sel).first.wait_for(state="attached", timeout=WAIT_MS)
        t_map = time.perf_counter() - server.t_start
        r = {"health": health, "goto": t_goto, "iframe": t_iframe, "map": t_map}
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
                fid, lat, lon, zoom = CLICK_TARGETS[0]  # opened on a feature, clicked once drawn
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

async def stable_box(locator, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    prev = None
    while time.monotonic() < deadline:
        box = await locator.bounding_box()
        if box and prev == box and box["width"] > 0:
            return box
        prev = box
        await asyncio.sleep(0.15)
    raise TimeoutError("feature path never settled")


HIT_JS = """([x, y, cls]) => { const e = document.elementFromPoint(x, y);
  return !!e && e.classList && e.classList.contains(cls); }"""


async def click_point(page, path, fid: str, timeout: float = 60) -> tuple[float, float]:
    """Centre of the feature's path once it stops moving and is the topmost element there."""
    deadline = time.monotonic() + timeout
    while True:
        box = await stable_box(path, timeout=max(deadline - time.monotonic(), 1))
        frame_box = await page.locator(H.MAP_IFRAME).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        frame = await (await page.locator(H.MAP_IFRAME).element_handle()).content_frame()
        if await frame.evaluate(HIT_JS, [x - frame_box["x"], y - frame_box["y"], f"gw-f-{fid}"]):
            return x, y
        if time.monotonic() > deadline:
            raise TimeoutError(f"path.gw-f-{fid} is not the topmost element at its centre")
        await asyncio.sleep(0.3)


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


async def client(idx: int, browser, url: str, rounds: int, blocked: H.Blocked, rec: dict,
                 instrument: bool = False) -> None:
    ctx = await H.offline_context_async(browser, blocked)
    frames: list[tuple[float, str, int]] = []
    try:
        page = await ctx.new_page()
        if instrument:  # websocket traffic, to take one click apart
            def on_ws(ws):
                ws.on("framesent", lambda p: frames.append((time.perf_counter(), "sent", len(p))))
                ws.on("framereceived", lambda p: frames.append((time.perf_counter(), "recv", len(p))))
            page.on("websocket", on_ws)
        for r in range(rounds):
            fid, lat, lon, zoom = CLICK_TARGETS[(idx + r) % len(CLICK_TARGETS)]
            step = "goto"
            try:
                t0 = time.perf_counter()
                await page.goto(f"{url}/?view={lat},{lon},{zoom}", timeout=C_WAIT_MS)
                step = "feature path attached"
                path = page.frame_locator(H.MAP_IFRAME).locator(f"path.gw-f-{fid}").first
                await path.wait_for(state="attached", timeout=C_WAIT_MS)
                rec["open"].append(time.perf_counter() - t0)
                step = "path settled under the pointer"
                x, y = await click_point(page, path, fid)
                if instrument:
                    await asyncio.sleep(1.0)  # let the page's own first reruns finish
                step = "click → panel"
                t1 = time.perf_counter()
                await page.mouse.click(x, y)
                await page.locator(f'.gw-panel[data-feature="{fid}"]').wait_for(state="visible",
                                                                                   timeout=C_WAIT_MS)
                t2 = time.perf_counter()
                rec["click"].append(t2 - t1)
                if instrument:
                    sent = [t for t, k, _ in frames if k == "sent" and t >= t1]
                    got = [(t, n) for t, k, n in frames if k == "recv" and t1 <= t <= t2]
                    rec.setdefault("anatomy", []).append({
                        "back": (sent[0] - t1) if sent else None, "msgs": len(got),
                        "bytes": sum(n for _, n in got), "last": (got[-1][0] - t1) if got else None,
                        "panel": t2 - t1})
            except Exception as e:
                msg = (f"client {idx} round {r} ({fid}) at '{step}': {e.__class__.__name__}: "
                       f"{str(e).splitlines()[0][:160]}")
                if step == "click → panel":
                    msg += " | " + await click_diagnosis(page)
                rec["errors"].append(msg)
    finally:
        await ctx.close()


async def run_clients(url: str, n_clients: int, rounds: int, blocked: H.Blocked, budget: float,
                      instrument: bool = False) -> dict:
    from playwright.async_api import async_playwright

    rec: dict = {"open": [], "click": [], "errors": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**H.launch_kwargs())
        try:
            t0 = time.perf_counter()
            busy0, total0 = H.cpu_busy_snapshot()
            tasks = [asyncio.create_task(client(i, browser, url, rounds, blocked, rec, instrument))
                     for i in range(n_clients)]
            done, pending = await asyncio.wait(tasks, timeout=budget)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.wait(pending, timeout=30)
                rec["errors"].append(f"{len(pending)} client(s) still running after {budget:.0f} s: cancelled")
            rec["wall"] = time.perf_counter() - t0
            busy1, total1 = H.cpu_busy_snapshot()
            rec["machine_busy"] = (busy1 - busy0) / max(total1 - total0, 1e-9)
        finally:
            await browser.close()
    return rec


def section_c(args: argparse.Namespace) -> dict:
    n_clients = 4 if args.quick else 20
    rounds = 2 if args.quick else 4
    out(f"C. Concurrency: one server of the real app, {n_clients} Chromium contexts (one browser), "
        f"each opening the page {rounds}× and clicking a feature")
    out("=" * 78)
    blocked = H.Blocked()
    res: dict = {}
    notes: list[str] = []
    phases = [("1 client (warm-up, baseline)", 1, rounds), (f"{n_clients} clients", n_clients, rounds)]
    server = None
    try:
        for attempt in (1, 2):  # once more from the warm-up if the server is stopped from outside
            server = H.start_server("app.py", tag="concurrency")
            server.wait_healthy()
            rss_start = H.tree_rss(server.sid)
            rows = []
            for i, (label, nc, rd) in enumerate(phases):
                cpu0 = H.tree_cpu(server.sid)
                with H.RssSampler(server.sid, 0.2) as sampler, H.Activity() as act:
                    rec = asyncio.run(run_clients(server.url, nc, rd, blocked, budget=900,
                                                  instrument=(i == 0)))
                cpu = H.tree_cpu(server.sid) - cpu0
                rec.update(peak=sampler.peak, cpu=cpu, samples=len(sampler.samples),
                           rss_end=H.tree_rss(server.sid), client_cpu=max(act.own - cpu, 0.0),
                           capacity=act.capacity)
                res[label] = rec
                rows.append([label, f"{len(rec['click'])}/{nc * rd}", len(rec["errors"]),
                             H.fmt_s(H.median(rec["click"]), 2), H.fmt_s(H.percentile(rec["click"], 95), 2),
                             H.fmt_s(max(rec["click"], default=None), 2),
                             H.fmt_s(H.median(rec["open"]), 1), H.fmt_s(H.percentile(rec["open"], 95), 1),
                             f"{rec['peak'] / 2**20:.0f} MiB",
                             f"{rec['cpu']:.0f} s ({100 * rec['cpu'] / rec['capacity']:.0f}%)",
                             f"{rec['client_cpu']:.0f} s ({100 * rec['client_cpu'] / rec['capacity']:.0f}%)",
                             f"{100 * rec['machine_busy']:.0f}%", f"{rec['wall']:.1f} s"])
                gone = server.died()
                if gone:
                    rec["errors"].insert(0, gone)
                    if attempt == 1:
                        break
            if not gone or attempt == 2:
                break
            notes.append(f"attempt 1 discarded: {gone}; started a new server and ran C again")
            server.stop()
        out(H.table(["", "clicks ok", "errors", "click→panel p50", "p95", "max", "open p50", "open p95",
                     "peak RSS", "server CPU", "browser CPU", "machine busy", "wall"], rows))
        out(f"  server RSS: {rss_start / 2**20:.0f} MiB when healthy (before any page), "
            f"{res[phases[0][0]]['rss_end'] / 2**20:.0f} MiB after the warm-up client; sampled every 0.2 s "
            f"({res[phases[1][0]]['samples']} samples during the {n_clients}-client phase)")
        out("  open = page.goto(?view=…) until the feature's SVG path is attached in the map iframe; "
            "click→panel = mouse click on the path's centre until .gw-panel[data-feature=…] is visible")
        out("  server CPU = CPU seconds of the streamlit process in the phase; browser CPU = Chromium + "
            "Playwright + this script; (%) = share of the machine's 2-core capacity over the phase; "
            "machine busy = all processes")
        out(f"  non-local requests attempted (aborted): {len(blocked.urls)}")
        for note in notes:
            out(f"  note: {note}")
        an = res[phases[0][0]].get("anatomy") or []
        if an:
            med = lambda k: H.median([a[k] for a in an if a[k] is not None])  # noqa: E731
            out(f"  one click taken apart (1-client phase, median of {len(an)}): the map component sends its "
                f"value {med('back'):.2f} s after the click (streamlit-folium debounces map events by 250 ms); "
                f"the server then streams {med('msgs'):.0f} websocket messages ({med('bytes') / 1e3:.0f} KB) "
                f"for the rerun, the last at {med('last'):.2f} s; panel visible at {med('panel'):.2f} s")
        main = res[phases[1][0]]
        for e in main["errors"][:5]:
            out(f"  error: {e}")
        if len(main["errors"]) > 5:
            out(f"  … and {len(main['errors']) - 5} more errors")
        out()
        out("C2. Targets")
        p95 = H.percentile(main["click"], 95)
        out(H.table(["target", "measured", ""], [
            ["0 errors", str(len(main["errors"])), H.verdict(not main["errors"])],
            ["click → panel p95 ≤ 1 s", H.fmt_s(p95, 2), H.verdict(p95 == p95 and p95 <= TARGET_C_P95_S)],
            ["peak server RSS ≤ 600 MiB", f"{main['peak'] / 2**20:.0f} MiB", H.verdict(main["peak"] <= TARGET_C_RSS)],
        ]))
        out()
    finally:
        if server is not None:
            server.stop()
            res["leftover"] = server.extra.get("leftover_pids")
    return res


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    global out
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke run with small counts (~2-3 min)")
    p.add_argument("--only", choices=["A", "B", "C"], type=str.upper, help="run one section")
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
    sections = {"A": section_a, "B": section_b, "C": section_c}
    failed = []
    for name, fn in sections.items():
        if args.only and name != args.only:
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
