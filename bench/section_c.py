"""Section C of ``bench/bench.py``: concurrency.  One server of the real app, N Chromium sessions
(contexts of one browser; 20, 4 with ``--quick``) that open the page together and then click
features one after another — with a 1 s pause alone (baseline), with a reading pause, and back to
back — each time waiting for the feature's evidence panel: errors, open time, click → panel and
where it goes (send, server, draw, from the websocket), peak server RSS and CPU; then C3, the
same sessions and clicks speaking Streamlit's websocket protocol directly (bench/wsclient.py),
and C2, the targets.  Section D (bench/site_bench.py) reuses its view, clicks, pause, panel
watcher and sessions (through bench.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness as H  # noqa: E402
from common import out  # noqa: E402

TARGET_C_P95_S = 1.0
TARGET_C_RSS = 600 * 1024 * 1024  # MiB, as top/ps report memory

C_WAIT_MS = 120_000  # common.WAIT_MS under 20 concurrent pages on 2 cores: slow is measured, not an error


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
                  blocked: H.Blocked, rec: dict, gate: H.Gate, cycle: list[str]) -> None:
    """One reader: open the page once, then click ``clicks`` features of ``cycle`` on the map, each
    time waiting for the evidence panel, pausing ``think`` seconds (uniform range; None = none)."""
    import random

    rnd = random.Random(idx)
    ctx = await H.offline_context_async(browser, blocked)
    sent: list[float] = []  # rerun requests leaving the browser
    done: list[float] = []  # script runs finished, as seen by the browser
    step = "goto"
    fid = cycle[idx % len(cycle)]
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
            fid = cycle[(idx + r) % len(cycle)]
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
                       blocked: H.Blocked, budget: float, cycle: list[str] | None = None) -> dict:
    """``n`` sessions open the page together; once all are open, all start clicking (the features
    of ``cycle``, :data:`C_CYCLE` unless given: section D passes its own, site_bench.app_reading_phase)."""
    from playwright.async_api import async_playwright

    cycle = C_CYCLE if cycle is None else cycle
    rec: dict = {"open": [], "click": [], "send": [], "server": [], "draw": [], "errors": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**H.launch_kwargs())
        try:
            gate = H.Gate(n)
            tasks = [asyncio.create_task(session(i, browser, url, clicks, think, blocked, rec, gate, cycle))
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
