"""Section D of ``bench/bench.py``: the static reader site (``python -m layers publish``),
measured the way the app is measured (issue 12, part 1).

D1. A reader's first visit: the files ``index.html`` makes the browser load, counted and
    weighed without a browser (raw, and gzip -6 as a static host or CDN sends them), then the
    same first visit in Chromium for the site (``python -m http.server``) and for the app
    (``streamlit run app.py``): requests, bytes transferred, the app's websocket frames.
D2. N Chromium readers against the static server, with section C's view, features, reading
    pause and phases: open time, click → panel, errors, the server's CPU and RSS, requests
    served; then the app's figures for the same readers beside them (section C's, when it ran
    in this bench run; otherwise its reading-pause phase is run here with ``bench.run_sessions``).

Kept out of bench.py to keep that file small; the harness (servers as process groups,
/proc sampling, offline contexts, tables) is shared.  This file runs the section and prints its
tables; publishing, the static server and D1's file counting are in ``site_static.py``, the
browser readers (first visits, N readers, the app's reading phase) in ``site_readers.py``.
bench.py wires it in with ``"D": site_bench.section_d`` and ``site_bench.keep("C", section_c)``
(which keeps C's results for the side-by-side table).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness as H  # noqa: E402
from site_readers import _bench, app_reading_phase, first_visits, phases, site_run_sessions  # noqa: E402
from site_static import first_visit_files, publish, served, start_static, static_gone  # noqa: E402

# what other sections returned in this bench run (bench.py wraps section C with keep("C", …))
RESULTS: dict[str, dict] = {}


def keep(name: str, fn):
    """Wrap a section function so that what it returns is kept in :data:`RESULTS`."""
    def run(args):
        res = fn(args)
        RESULTS[name] = res if isinstance(res, dict) else {}
        return res
    run.__name__ = getattr(fn, "__name__", name)
    return run


# --------------------------------------------------------------------------- the section

def section_d(args) -> dict:
    B = _bench()
    out = B.out
    n = 4 if args.quick else 20
    ph = phases(n, args.quick)
    reading_label = ph[1][0]
    out("D. The static reader site (python -m layers publish): a first visit, and "
        f"{n} Chromium readers against a plain static server, beside the app")
    out("=" * 78)
    blocked = H.Blocked()
    res: dict = {}
    tmp = Path(tempfile.mkdtemp(prefix="gw-site-bench-"))
    folder = tmp / "site"
    static = app = None
    try:
        # D1 without a browser ---------------------------------------------------------------
        t_pub = publish(folder)
        fv = first_visit_files(folder)
        res["files"] = fv
        raw = sum(f[2] for f in fv["files"])
        zipped = sum(f[3] for f in fv["files"])
        out(f"D1. A reader's first visit, without a browser: the files index.html loads "
            f"(published in {t_pub:.1f} s into a temporary folder)")
        rows = [[rel, kind, H.fmt_b(b), H.fmt_b(g), f"{100 * g / b:.0f}%"] for rel, kind, b, g in fv["files"]]
        rows.append([f"first visit: {len(fv['files'])} requests", "", H.fmt_b(raw), H.fmt_b(zipped),
                     f"{100 * zipped / raw:.0f}%"])
        out(H.table(["file", "kind", "bytes", "gzip -6", "gzip/raw"], rows))
        out("  gzip -6 = what a static host or CDN that compresses text sends (GitHub Pages, S3 + CloudFront, "
            "nginx gzip on); python -m http.server sends the raw bytes")
        if fv["css_refs"]:
            out("  named by the stylesheets, fetched only when a rule using them applies: "
                + ", ".join(f"{u} ({H.fmt_b(s)} B)" for u, s in fv["css_refs"]))
        if fv["linked"]:
            out("  linked, not loaded (fetched when a reader follows the link): "
                + ", ".join(f"{u} ({H.fmt_b(s)} B)" for u, s in fv["linked"]))
        out(f"  remote files the page loads: {len(fv['remote'])}" + (f" {fv['remote'][:4]}" if fv["remote"] else "")
            + (f"; MISSING from the folder: {fv['missing']}" if fv["missing"] else ""))
        out(f"  the whole folder: {fv['folder_files']} files, {H.fmt_mb(fv['folder_bytes'])} "
            f"({H.fmt_mb(fv['folder_gz'])} gzip -6)")
        out()

        # D1 in Chromium + D2: the static server --------------------------------------------
        cycle_c = list(B.C_CYCLE)
        static = start_static(folder)
        rss_idle = H.tree_rss(static.sid)
        visits = asyncio.run(first_visits(static.url, None, blocked, cycle_c[0], cycle_c))
        drawn = visits["site"].get("drawn", cycle_c)
        cycle = [f for f in cycle_c if f in drawn] or cycle_c
        hidden = [f for f in cycle_c if f not in cycle]
        out(f"  … site first visit done ({len(visits['site']['paths'])} requests); clicked features: "
            f"{', '.join(cycle)}" + (f" — left out: {', '.join(hidden)} (not drawn as its own path at "
                                    f"?view={','.join(map(str, B.C_VIEW))}: a part of a site, drawn as the "
                                    "site's symbol below its parts zoom)" if hidden else ""))
        site_rows, site_recs = [], {}
        for label, nc, k, think in ph:
            cpu0, log0 = H.tree_cpu(static.sid), len(served(static))
            with H.RssSampler(static.sid, 0.2) as sampler, H.Activity() as act:
                rec = asyncio.run(site_run_sessions(static.url, cycle, nc, k, think, blocked, budget=600))
            gone = static_gone(static)
            if gone:
                rec["errors"].insert(0, gone)
            got = served(static)[log0:]
            cpu = H.tree_cpu(static.sid) - cpu0
            rec.update(peak=sampler.peak, cpu=cpu, requests=len(got), n=nc,
                       bad=[f"{p} {s}" for p, s in got if s >= 400], capacity=act.capacity, busy=act.busy,
                       client_cpu=max(act.own - cpu, 0.0))
            site_recs[label] = rec
            pct = lambda s: f"{s:.2f} s ({100 * s / max(rec['capacity'], 1e-9):.1f}%)"  # noqa: E731,B023
            site_rows.append([label, f"{len(rec['click'])}/{nc * k}", len(rec["errors"]),
                              H.fmt_s(H.median(rec["click"]), 3), H.fmt_s(H.percentile(rec["click"], 95), 3),
                              H.fmt_s(max(rec["click"], default=None), 3),
                              H.fmt_s(H.median(rec["open"]), 2), H.fmt_s(max(rec["open"], default=None), 2),
                              f"{rec['requests']}" + (f" ({len(rec['bad'])} ≥400)" if rec["bad"] else ""),
                              pct(cpu), f"{rec['peak'] / 2**20:.0f} MiB", pct(rec["client_cpu"]),
                              f"{100 * rec['busy'] / max(rec['capacity'], 1e-9):.0f}%"])
            out(f"  … site: {label} done")
            if gone:
                break
        res["site"] = site_recs
        static.stop()
        static_left = static.extra.get("leftover_pids")

        # the app: its first visit, and its reading phase unless section C ran ------------
        c = RESULTS.get("C") or {}
        app_rec = c.get(reading_label)
        app_from = "section C of this run"
        if app_rec and hidden:
            app_from += (f" (its cycle includes {', '.join(hidden)}, which the map does not draw as its own "
                         "path at this view: those clicks are among its errors)")
        app = H.start_server("app.py", tag="site-bench-app")
        app.wait_healthy()
        visits.update(asyncio.run(first_visits(None, app.url, blocked, cycle_c[0], cycle_c)))
        out("  … app first visit done")
        if not app_rec:
            app_rec = app_reading_phase(app, n, args.quick, cycle, blocked)
            app_from = (f"measured here: section C's reading-pause phase (bench.run_sessions, {n} sessions, "
                        f"{ph[1][2]} clicks each, after its 1-session baseline) on a fresh app server, "
                        f"clicking {', '.join(cycle)}")
            out("  … app: reading-pause phase done")
        app.stop()
        res["app"], res["visits"] = app_rec, visits

        # tables ------------------------------------------------------------------------------
        out()
        out("D1. The same first visit in Chromium (fresh context, after one unmeasured warm-up visit; "
            f"page opened at ?view={','.join(map(str, B.C_VIEW))})")
        vrows = []
        for kind, label in (("site", "static site (python -m http.server)"), ("app", "Gulf Watch app (streamlit)")):
            v = visits.get(kind)
            if not v:
                continue
            total = v["bytes"] + v["ws_bytes"]
            vrows.append([label, v["requests"], f"{v['requests_at_map']}", H.fmt_mb(v["bytes"]),
                          f"{v['compressed']}/{v['requests']}",
                          f"{v['ws_frames']} / {H.fmt_mb(v['ws_bytes'])}" if kind == "app" else "—",
                          H.fmt_mb(total), H.fmt_s(v["map"], 2)])
        out(H.table(["", "HTTP requests", "by map drawn", "HTTP transferred", "compressed",
                     "websocket frames / bytes received", "total", "map drawn"], vrows))
        out("  HTTP transferred = response bodies as sent + response headers (Playwright request.sizes()); "
            "compressed = responses sent gzip/br; websocket = frames from the server until the map's first "
            "feature path is attached; map drawn = goto → that path attached (one visit, warm server)")
        sv = visits.get("site", {})
        listed = {"/" + rel if rel != "index.html" else "/" for rel, *_ in fv["files"]}
        extra = sorted(set(sv.get("paths", [])) - listed)
        out("  Chromium loaded the files found in index.html: "
            + ("yes" if not extra and len(sv.get("paths", [])) == len(fv["files"]) else
               f"not exactly: also {extra}, {len(sv.get('paths', []))} requests vs {len(fv['files'])}"))
        for kind in ("site", "app"):
            v = visits.get(kind) or {}
            for e in (v.get("errors") or [])[:3] + [f"failed request {u}" for u in (v.get("failed") or [])[:3]]:
                out(f"  note ({kind}): {e}")
        out()

        out(f"D2. {n} Chromium readers of the static site (contexts of one browser, all opening at the same "
            f"moment), served by python -m http.server on the same {os.cpu_count()} cores")
        out(f"  Section C's view and phases: each reader opens ?view={','.join(map(str, B.C_VIEW))} once, then "
            f"clicks {', '.join(cycle)} one after another (reader i starts at the i-th), each time waiting for "
            "the evidence panel #gw-evidence .gw-panel[data-feature=…].")
        out(H.table(["", "clicks ok", "errors", "click→panel p50", "p95", "max", "open p50", "open max",
                     "requests served", "server CPU", "peak server RSS", "browser CPU", "machine busy"], site_rows))
        out("  open = page.goto until the first feature's path is attached; click→panel = mouse click on the path "
            "(its centre, once it is the topmost element there) until the panel is in the page (MutationObserver)")
        out(f"  server = the http.server process (its own session): CPU seconds over the phase, RSS sampled every "
            f"0.2 s ({rss_idle / 2**20:.0f} MiB when started); requests served = lines in its log; "
            "browser CPU = Chromium + Playwright + this script")
        for label, rec in site_recs.items():
            for e in rec["errors"][:4]:
                out(f"  error ({label}): {e}")
            if len(rec["errors"]) > 4:
                out(f"  … and {len(rec['errors']) - 4} more errors ({label})")
            if rec["bad"]:
                out(f"  requests answered ≥ 400 ({label}): {rec['bad'][:5]}")
        if static_left:
            out(f"  static server processes left after stop: {static_left}")
        out()

        site_rec = site_recs.get(reading_label)
        out(f"D3. App vs static site: {n} readers with a {B.C_THINK[0]:.0f}–{B.C_THINK[1]:.0f} s reading pause, "
            "same view and clicks")
        out(f"  app figures: {app_from}")
        av, sv = visits.get("app") or {}, visits.get("site") or {}
        cpu_app = app_rec["cpu"] / max(app_rec.get("n", n), 1) if app_rec else None
        cpu_site = site_rec["cpu"] / max(site_rec["n"], 1) if site_rec else None

        def both(f):
            return [f(app_rec, av) if app_rec else "—", f(site_rec, sv) if site_rec else "—"]
        crow = [
            ["first visit: HTTP requests", av.get("requests", "—"), sv.get("requests", "—")],
            ["first visit: bytes (HTTP + websocket)",
             H.fmt_mb(av["bytes"] + av["ws_bytes"]) if av else "—",
             (H.fmt_mb(sv["bytes"]) + f" ({H.fmt_mb(zipped)} gzip -6)") if sv else "—"],
            ["open p50 (all readers at once)"] + both(lambda r, v: H.fmt_s(H.median(r["open"]), 2)),
            ["click → panel p50"] + both(lambda r, v: H.fmt_s(H.median(r["click"]), 3)),
            ["click → panel p95"] + both(lambda r, v: H.fmt_s(H.percentile(r["click"], 95), 3)),
            ["clicks ok / errors"] + both(lambda r, v: f"{len(r['click'])} / {len(r['errors'])}"),
            ["server CPU per reader (open + clicks)",
             f"{cpu_app:.2f} s" if cpu_app is not None else "—", f"{cpu_site:.3f} s" if cpu_site is not None else "—"],
            ["peak server RSS"] + both(lambda r, v: f"{r['peak'] / 2**20:.0f} MiB"),
        ]
        out(H.table(["", "app (streamlit)", "static site (http.server)"], crow))
        if site_rec:
            per = site_rec["requests"] / max(site_rec["n"], 1)
            out(f"  The static site's per-reader server cost is a file per request: {per:.0f} files per reader "
                f"here ({site_rec['requests']} requests for {site_rec['n']} readers, the first visit only — a "
                "click is answered in the browser and asks the server for nothing), which any static host or "
                "CDN serves with no Python behind it; the app keeps a Python session per reader and reruns the "
                "script on every click.")
        if app_rec and app_rec.get("errors"):
            for e in app_rec["errors"][:3]:
                out(f"  app error: {e}")
        out(f"  non-local requests attempted (aborted): {len(blocked.urls)}"
            + (f" e.g. {blocked.urls[:3]}" if blocked.urls else ""))
        out()
        return res
    finally:
        for s in (static, app):
            if s is not None:
                s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["RESULTS", "keep", "section_d"]
