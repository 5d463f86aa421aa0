"""Server memory across sequential upload sessions: ``python bench/upload_memory.py [--sessions 10]
[--rows 1000000] [--idle 100] [--app PATH]``.

The issue ("Hostile input", case 7): ten sessions one after another, each uploading a
1,000,000-row CSV, took the server from 54 MB to 1.2 GB, still there after 5 minutes idle.

Two servers, one after the other (2 cores: nothing else competes):

* baseline — N Chromium sessions one after another, each opening the page and the Your data
  tab, uploading nothing;
* uploads — the same N sessions, each also uploading the same CSV (``lat,lon,mmsi,speed``; a
  million rows is about 30 MB, under the 50 MB limit) and waiting for the layer's message.

Each session's browser context is closed before the next starts (the tab is closed).  Printed
side by side: the server's RSS (whole process group, as ``ps`` counts it) after each session,
then every 10 s while both servers sit idle for ``--idle`` seconds (the app releases a closed
session's layer after 60 s; its sweeper looks every 15 s).  ``--app`` runs another copy of the
app (for instance a checkout of the code before the fix) with the same procedure.
Output is printed and written to bench/out/upload_memory-<time>.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness as H  # noqa: E402

MB = 1024 * 1024
WAIT_MS = 300_000  # one upload of a million rows, under load


def csv_rows(n: int, seed: int = 7) -> bytes:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"lat": rng.uniform(8, 13, n).round(5), "lon": rng.uniform(99, 106, n).round(5),
                       "mmsi": rng.integers(100_000_000, 999_999_999, n),
                       "speed": rng.gamma(2.0, 4.0, n).clip(0, 30).round(1)})
    return df.to_csv(index=False).encode()


def run_server(app: str, tag: str, sessions: int, data: bytes | None, idle: float,
               log: list[str]) -> dict:
    from playwright.sync_api import expect, sync_playwright

    server = H.start_server(app, tag=tag)
    rec: dict = {"start": None, "after": [], "idle": [], "errors": []}
    try:
        server.wait_healthy()
        time.sleep(2)
        rec["start"] = H.tree_rss(server.sid)
        blocked = H.Blocked()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**H.launch_kwargs())
            for i in range(sessions):
                ctx = H.offline_context(browser, blocked)
                page = ctx.new_page()
                t0 = time.perf_counter()
                try:
                    page.goto(server.url + "/")
                    page.frame_locator(H.MAP_IFRAME).locator(".leaflet-container").wait_for(
                        state="visible", timeout=WAIT_MS)
                    page.get_by_role("tab", name="Your data").click()
                    if data is not None:
                        page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
                            files=[{"name": f"positions-{i}.csv", "mimeType": "text/csv", "buffer": data}])
                        expect(page.get_by_text(f"features from positions-{i}.csv are on the map")
                               ).to_be_visible(timeout=WAIT_MS)
                    else:
                        expect(page.get_by_text("Add your own layer")).to_be_visible(timeout=WAIT_MS)
                except Exception as e:
                    rec["errors"].append(f"session {i}: {e.__class__.__name__}: {str(e)[:200]}")
                took = time.perf_counter() - t0
                ctx.close()  # the reader closes the tab
                time.sleep(1)
                rss = H.tree_rss(server.sid)
                rec["after"].append((rss, took))
                log.append(f"  {tag}: session {i + 1}/{sessions} done in {took:.1f} s, server RSS "
                           f"{rss / MB:.0f} MiB")
                print(log[-1], flush=True)
            browser.close()
        t_end = time.monotonic()
        while True:
            waited = time.monotonic() - t_end
            rec["idle"].append((waited, H.tree_rss(server.sid)))
            if waited >= idle:
                break
            time.sleep(min(10, idle - waited + 0.01))
        rec["blocked"] = list(blocked.urls)
    finally:
        server.stop()
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--idle", type=float, default=100, help="seconds to watch the idle servers")
    ap.add_argument("--app", default=str(H.REPO / "app.py"), help="the app script to run")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()

    data = csv_rows(args.rows)
    log: list[str] = []
    head = (f"Upload memory: {args.sessions} sequential sessions, each uploading a {args.rows:,}-row CSV "
            f"({len(data) / 1e6:.1f} MB) — app {args.app}\n{dt.datetime.now():%Y-%m-%d %H:%M}, "
            f"{H.chromium_version()}")
    print(head, flush=True)
    base = None if args.skip_baseline else run_server(args.app, "baseline", args.sessions, None,
                                                      args.idle, log)
    up = run_server(args.app, "uploads", args.sessions, data, args.idle, log)

    def col(rec, i, idle=False):
        if rec is None:
            return "—"
        rows = rec["idle"] if idle else rec["after"]
        return f"{rows[i][1 if idle else 0] / MB:,.0f} MiB" if i < len(rows) else "—"

    rows = [["server started", f"{base['start'] / MB:,.0f} MiB" if base else "—",
             f"{up['start'] / MB:,.0f} MiB"]]
    rows += [[f"after session {i + 1} (tab closed)", col(base, i), col(up, i)]
             for i in range(args.sessions)]
    rows += [[f"idle {up['idle'][i][0]:.0f} s", col(base, i, True), col(up, i, True)]
             for i in range(len(up["idle"]))]
    out = [head, "", H.table(["server RSS (process group)", "baseline: no upload", "each uploads the CSV"],
                             rows)]
    peak_up = max(r for r, _ in up["after"]) if up["after"] else 0
    out.append("")
    out.append(f"  uploads: peak after a session {peak_up / MB:,.0f} MiB; end of idle "
               f"{up['idle'][-1][1] / MB:,.0f} MiB (started {up['start'] / MB:,.0f} MiB); "
               f"median session {sorted(t for _, t in up['after'])[len(up['after']) // 2]:.1f} s")
    for rec, tag in ((base, "baseline"), (up, "uploads")):
        if rec and rec["errors"]:
            out.append(f"  {tag} errors: " + "; ".join(rec["errors"]))
        if rec and rec.get("blocked"):
            out.append(f"  {tag}: {len(rec['blocked'])} outside requests were blocked")
    text = "\n".join(out)
    print("\n" + text)
    H.OUT.mkdir(parents=True, exist_ok=True)
    (H.OUT / f"upload_memory-{dt.datetime.now():%Y%m%d-%H%M%S}.txt").write_text(
        text + "\n\n" + "\n".join(log) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
