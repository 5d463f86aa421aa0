"""Section A of ``bench/bench.py``: the default page (issue "core"), each figure beside a bare
one-marker streamlit-folium page (bench/bare_app.py).  A1 weighs the map payload (the
``st_folium`` arguments, part by part); A2 times the server's rerun after a click (AppTest, a
feature id put in session state as the map's on_change does); A3 times a cold start, from
``Popen(streamlit run …)`` to the map visible in Chromium (timed inside the page), with the app's
disk cache filled and empty.  ``--only A3`` runs the cold start alone."""

from __future__ import annotations

import argparse
import gc
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
from common import APP, WAIT_MS, apptest, map_json, out, run_checked  # noqa: E402

BARE = str(H.BENCH / "bare_app.py")

# features selected in A2 (session state, as the map's on_change callback does)
SELECT_IDS = ["sattahip-naval-base", "fiery-cross-reef", "phu-quoc", "dara-sakor-airport",
              "ream-naval-base", "gd2024-naval-live-fire", "funan-techo-canal", "qilu-sez"]

TARGET_A3_RATIO = 1.3  # cold start to a visible map: Gulf Watch ÷ the bare page


# --------------------------------------------------------------------------- A's AppTest helpers

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
