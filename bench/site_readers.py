"""Section D's browser readers (``bench/site_bench.py``): one reader's first visit (requests,
bytes, websocket frames) and N readers clicking features on the static site, the way section C's
sessions click the app (``section_c.session``); section C's phases as D2 runs them, and the app's
reading-pause phase for D3 when section C did not run.  Split out of site_bench.py to keep each
file small."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlparse

import harness as H

WAIT_MS = 60_000  # any single browser wait of one reader
D_WAIT_MS = 120_000  # the same under N concurrent pages on 2 cores: slow is measured, not an error
HERE = Path(__file__).resolve().parent

def _bench():
    """bench.py as a module (its ``out`` and section C's helpers): bench.py registers itself as
    ``bench`` when it runs as ``python bench/bench.py`` (``__main__`` is not reliable: AppTest
    replaces it while it runs a script); imported otherwise."""
    import bench

    return bench


# Which of the clicked features are drawn as their own path (a box of non-zero size) here.
DRAWN_JS = """(ids) => ids.filter((fid) => [...document.querySelectorAll(`path.gw-f-${fid}`)]
  .some((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; }))"""


async def first_visit(browser, blocked: H.Blocked, url: str, path_sel: str, in_iframe: bool,
                      cycle: list[str] | None = None) -> dict:
    """One reader's first visit in a fresh context: every HTTP request with its transferred size
    (``request.sizes()``: response body as sent + response headers), and the websocket frames
    received until the map's first feature path is attached."""
    ctx = await H.offline_context_async(browser, blocked)
    reqs, failed, frames = [], [], []
    ctx.on("requestfinished", lambda r: reqs.append(r))
    ctx.on("requestfailed", lambda r: failed.append(r.url))
    errors: list[str] = []
    try:
        page = await ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)[:160]))
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda p: frames.append((time.perf_counter(),
                                                      len(p.encode() if isinstance(p, str) else p)))))
        t0 = time.perf_counter()
        await page.goto(url, timeout=WAIT_MS)
        scope = page.frame_locator(H.MAP_IFRAME) if in_iframe else page
        await scope.locator(path_sel).first.wait_for(state="attached", timeout=WAIT_MS)
        t_map = time.perf_counter()
        n_at_map = len(reqs)
        ws_at_map = [b for t, b in frames if t <= t_map]
        try:  # anything the page still loads after the map (500 ms without a request)
            await page.wait_for_load_state("networkidle", timeout=20_000)
        except Exception:
            errors.append("network not idle 20 s after the map was drawn")
        res = {"map": t_map - t0, "requests_at_map": n_at_map, "ws_frames": len(ws_at_map),
               "ws_bytes": sum(ws_at_map), "failed": failed, "errors": errors}
        if cycle is not None:
            res["drawn"] = await page.evaluate(DRAWN_JS, cycle)
        sizes, gzipped, paths = 0, 0, []
        for r in list(reqs):
            s = await r.sizes()
            sizes += max(s["responseBodySize"], 0) + max(s["responseHeadersSize"], 0)
            resp = await r.response()
            if resp is not None and (resp.headers.get("content-encoding") or "").lower() in ("gzip", "br"):
                gzipped += 1
            paths.append(urlparse(r.url).path)
        res.update(requests=len(reqs), bytes=sizes, compressed=gzipped, paths=paths)
        return res
    finally:
        await ctx.close()


async def first_visits(site_url: str | None, app_url: str | None, blocked: H.Blocked,
                       fid: str, cycle: list[str]) -> dict:
    """A warm-up visit (not measured: a new Chromium's first page is slower), then one measured
    first visit in a fresh context, for each URL given."""
    from playwright.async_api import async_playwright

    B = _bench()
    view = "?view=" + ",".join(str(v) for v in B.C_VIEW)
    out: dict = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**H.launch_kwargs())
        try:
            for kind, base in (("site", site_url), ("app", app_url)):
                if not base:
                    continue
                in_iframe = kind == "app"
                args = (browser, blocked, f"{base}/{view}", f"path.gw-f-{fid}", in_iframe)
                await first_visit(*args)  # warm-up
                out[kind] = await first_visit(*args, cycle=cycle if kind == "site" else None)
        finally:
            await browser.close()
    return out


# --------------------------------------------------------------------------- D2: N readers

# Where to click on the site, in one round trip: the feature's path (or its site symbol) once it
# has stopped moving (the same box 150 ms apart) and is the topmost element at its centre.  The
# map is in the page itself (no iframe), so these are page coordinates.
SITE_AIM_JS = """async ([fid, timeoutMs]) => {
  const deadline = Date.now() + timeoutMs;
  let prev = null, why = "path not in the page";
  while (Date.now() < deadline) {
    const els = [...document.querySelectorAll(`path.gw-f-${fid}, path.gw-s-${fid}`)];
    const el = els.find((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
    if (el) {
      const b = el.getBoundingClientRect();
      const box = [b.x, b.y, b.width, b.height].join();
      if (box === prev) {
        const x = b.x + b.width / 2, y = b.y + b.height / 2;
        const top = document.elementFromPoint(x, y);
        const cl = top && top.classList;
        if (cl && (cl.contains(`gw-f-${fid}`) || cl.contains(`gw-s-${fid}`))) return [x, y];
        why = "path is not the topmost element at its centre";
      } else {
        why = "path still moving";
      }
      prev = box;
    } else if (els.length) {
      why = "path drawn with no size (hidden at this zoom)";
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return why;
}"""


async def site_session(idx: int, browser, url: str, cycle: list[str], clicks: int,
                       think: tuple[float, float] | None, blocked: H.Blocked, rec: dict, gate: H.Gate) -> None:
    """One reader of the static site: section C's ``session`` with the map in the page."""
    import random

    B = _bench()
    rnd = random.Random(idx)
    ctx = await H.offline_context_async(browser, blocked)
    step = "goto"
    fid = cycle[idx % len(cycle)]
    try:
        page = await ctx.new_page()
        page.on("pageerror", lambda e: rec["errors"].append(f"session {idx}: page error: {str(e)[:160]}"))
        t0 = time.perf_counter()
        await page.goto(f"{url}/?view={B.C_VIEW[0]},{B.C_VIEW[1]},{B.C_VIEW[2]}", timeout=D_WAIT_MS)
        step = "features drawn"
        await page.locator(f"path.gw-f-{fid}").first.wait_for(state="attached", timeout=D_WAIT_MS)
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
                aim = await asyncio.wait_for(page.evaluate(SITE_AIM_JS, [fid, 60_000]), timeout=90)
                if isinstance(aim, str):
                    raise TimeoutError(aim)
                x, y = aim
                step = "click → panel"
                await page.evaluate(B.PANEL_WATCH_JS, fid)
                t1, w1 = time.perf_counter(), time.time()
                await page.mouse.click(x, y)
                seen_ms = await asyncio.wait_for(page.evaluate("() => window.__gwPanelSeen"),
                                                 timeout=D_WAIT_MS / 1000)
                t2 = t1 + (seen_ms / 1000 - w1)
                await page.locator(f'#gw-evidence .gw-panel[data-feature="{fid}"]').wait_for(
                    state="visible", timeout=D_WAIT_MS)
                rec["click"].append(t2 - t1)
            except Exception as e:
                msg = (f"session {idx} click {r} ({fid}) at '{step}': {e.__class__.__name__}: "
                       f"{str(e).splitlines()[0][:160]}")
                if step == "click → panel":
                    try:
                        shown = await page.locator(".gw-panel[data-feature]").evaluate_all(
                            "els => els.map(e => e.dataset.feature)")
                        msg += f" | panel(s) shown: {shown or 'none'}"
                    except Exception:
                        pass
                rec["errors"].append(msg)
            if think and r < clicks - 1:
                await asyncio.sleep(rnd.uniform(*think))
    finally:
        await ctx.close()


async def site_run_sessions(url: str, cycle: list[str], n: int, clicks: int, think: tuple[float, float] | None,
                            blocked: H.Blocked, budget: float) -> dict:
    """``n`` readers open the site together; once all are open, all start clicking."""
    from playwright.async_api import async_playwright

    rec: dict = {"open": [], "click": [], "errors": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**H.launch_kwargs())
        try:
            gate = H.Gate(n)
            tasks = [asyncio.create_task(site_session(i, browser, url, cycle, clicks, think, blocked, rec, gate))
                     for i in range(n)]
            await H.release_together(tasks, gate, rec, budget, settle=1.0)
        finally:
            await browser.close()
    return rec

# --------------------------------------------------------------------------- D2 / D3: section C's phases, the app's reading phase

def phases(n: int, quick: bool) -> list[tuple[str, int, int, tuple[float, float] | None]]:
    """Section C's phases: (label, sessions, clicks each, pause)."""
    B = _bench()
    clicks = 3 if quick else 5
    reading_clicks = clicks if quick else 2 * clicks
    return [("1 session (baseline), 1 s pause", 1, 6, (1.0, 1.0)),
            (f"{n} sessions, {B.C_THINK[0]:.0f}–{B.C_THINK[1]:.0f} s reading pause", n, reading_clicks, B.C_THINK),
            (f"{n} sessions, back to back (stress)", n, clicks, None)]


def app_reading_phase(server: H.Server, n: int, quick: bool, cycle: list[str], blocked: H.Blocked) -> dict:
    """Section C's reading-pause phase for the app (after its 1-session baseline, which warms the
    server as in section C), with ``bench.run_sessions``."""
    B = _bench()
    (_, n1, k1, t1), (label, nc, k, think), _stress = phases(n, quick)
    # the same clicks as the site's (see section_d: features drawn at this view)
    asyncio.run(B.run_sessions(server.url, n1, k1, t1, blocked, budget=300, cycle=cycle))  # warm-up
    cpu0 = H.tree_cpu(server.sid)
    with H.RssSampler(server.sid, 0.2) as sampler:
        rec = asyncio.run(B.run_sessions(server.url, nc, k, think, blocked, budget=900, cycle=cycle))
    gone = server.died()
    if gone:
        rec["errors"].insert(0, gone)
    rec.update(peak=sampler.peak, cpu=H.tree_cpu(server.sid) - cpu0, label=label, n=nc)
    return rec

