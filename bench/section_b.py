"""Section B of ``bench/bench.py``: "bring your own layer" — 1k / 10k / 100k AIS-like points
(bench/aisdata.py).  B1 times ``parse_upload``, the whole app's rerun with the layer and the
map-only page (bench/layer_app.py) drawing it with the app's renderer or a naive
``folium.Marker`` + ``Popup`` loop, and weighs each map payload (AppTest); B2 checks them against
the targets; B3 uploads the CSV in the real app in Chromium and times it until every point is
drawn, then one click on a feature with the layer on the map."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness as H  # noqa: E402
from common import APP, WAIT_MS, apptest, map_json, out, run_checked  # noqa: E402

LAYER_APP = str(H.BENCH / "layer_app.py")

# B3 (feature id, lat, lon, zoom): an isolated point feature, opened with ?view= centred on it
B3_TARGET = ("sattahip-naval-base", 12.625, 100.917, 9)

TARGET_B_RERUN_S = 1.5
TARGET_B_PAYLOAD = 5_000_000  # bytes (MB = 10^6 bytes throughout)
TARGET_B_RATIO = 20.0


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
    count = f"{br['count']:,}" if isinstance(br.get("count"), int) else "—"
    out(f"  layers counted in the map: {count}; canvas elements: {br.get('canvas', '—')}; "
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
