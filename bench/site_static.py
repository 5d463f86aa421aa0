"""Section D's static site outside the browser (``bench/site_bench.py``): publishing it
(``python -m layers publish``), D1 without a browser (the files ``index.html`` makes the browser
load, found by parsing the page, weighed raw and gzip -6, and the whole folder), and serving the
folder with ``python -m http.server`` as its own process group, remembered by the harness like the
Streamlit servers, with the requests it logged.  Split out of site_bench.py to keep each file small."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import harness as H


# --------------------------------------------------------------------------- publish, static server

def publish(folder: Path) -> float:
    """``python -m layers publish --out folder``; seconds it took."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "layers", "publish", "--out", str(folder)], cwd=H.REPO,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or not (folder / "index.html").exists():
        raise RuntimeError(f"publish failed (code {r.returncode}): {(r.stderr or r.stdout)[-1500:]}")
    return time.perf_counter() - t


def start_static(folder: Path) -> H.Server:
    """``python -m http.server`` serving ``folder``: its own process group, remembered by the
    harness so that ``H.stop_all`` (and its atexit / signal hooks) kill it with os.killpg."""
    H.OUT.mkdir(parents=True, exist_ok=True)
    port = H.free_port()
    log = H.OUT / f"server-static-{port}.log"
    fh = open(log, "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                            cwd=folder, stdout=fh, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    fh.close()
    server = H.Server("http.server", port, proc, log, t0)
    H._LIVE.append(server)
    deadline = time.perf_counter() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"http.server exited early (code {proc.returncode}); log {log}")
        try:
            with urllib.request.urlopen(server.url + "/index.html", timeout=1) as r:
                if r.status == 200:
                    r.read()
                    server.t_healthy = time.perf_counter()
                    return server
        except OSError:
            pass
        if time.perf_counter() > deadline:
            server.stop()
            raise RuntimeError(f"http.server not answering after 30 s; log {log}")
        time.sleep(0.05)


_LOG_LINE = re.compile(r'"(?:GET|HEAD|POST) (\S+) HTTP/[\d.]+" (\d{3})')


def served(server: H.Server) -> list[tuple[str, int]]:
    """(path, status) of every request the static server logged so far."""
    try:
        text = server.log.read_text(errors="replace")
    except OSError:
        return []
    return [(m.group(1), int(m.group(2))) for m in _LOG_LINE.finditer(text)]


def static_gone(server: H.Server) -> str | None:
    rc = server.proc.poll()
    return None if rc is None else f"static server on port {server.port} exited (code {rc}); log {server.log.name}"


# --------------------------------------------------------------------------- D1 without a browser

class _Refs(HTMLParser):
    """What a page makes the browser fetch as it loads (``load``), and what it only links
    (``linked``: anchors, fetched when a reader follows them)."""

    LOAD_LINK_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "manifest",
                      "apple-touch-icon", "prefetch"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.load: list[tuple[str, str]] = []  # (kind, url)
        self.linked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.load.append(("script", a["src"]))
        elif tag == "link" and a.get("href"):
            rels = set(a.get("rel", "").lower().split())
            if rels & self.LOAD_LINK_RELS:
                self.load.append(("stylesheet" if "stylesheet" in rels else "+".join(sorted(rels)), a["href"]))
        elif tag in ("img", "iframe", "embed", "source", "audio", "video", "track") and a.get("src"):
            self.load.append((tag, a["src"]))
        elif tag == "object" and a.get("data"):
            self.load.append(("object", a["data"]))
        elif tag == "input" and a.get("type", "").lower() == "image" and a.get("src"):
            self.load.append(("img", a["src"]))
        elif tag == "a" and a.get("href"):
            self.linked.append(a["href"])


def _is_remote(url: str) -> bool:
    return url.startswith("//") or urlparse(url).scheme not in ("", "file")


def _local(folder: Path, url: str) -> Path:
    return folder / urlparse(url).path.lstrip("/")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def first_visit_files(folder: Path) -> dict:
    """The files a first visit of ``folder/index.html`` loads, by parsing the page."""
    page = (folder / "index.html").read_bytes()
    p = _Refs()
    p.feed(page.decode("utf-8"))
    files = [("index.html", "document", page)]
    remote, missing = [], []
    for kind, url in p.load:
        if url.startswith("data:"):
            continue
        if _is_remote(url):
            remote.append(url)
            continue
        f = _local(folder, url)
        if not f.is_file():
            missing.append(url)
            continue
        files.append((f.relative_to(folder).as_posix(), kind, f.read_bytes()))
    # images and fonts the loaded stylesheets name: fetched only when a rule using them applies
    css_refs = set()
    for rel, kind, data in files:
        if kind == "stylesheet":
            for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", data.decode("utf-8", "replace")):
                if not u.startswith(("data:", "#")) and not _is_remote(u):
                    css_refs.add(urljoin(rel, u))
    linked = sorted({u for u in p.linked if not _is_remote(u) and not u.startswith(("#", "mailto:"))
                     and _local(folder, u).is_file()})
    all_files = [f for f in folder.rglob("*") if f.is_file()]
    return {"files": [(rel, kind, len(data), gz(data)) for rel, kind, data in files],
            "remote": remote, "missing": missing,
            "css_refs": sorted((u, (folder / u).stat().st_size if (folder / u).is_file() else None)
                               for u in css_refs),
            "linked": [(u, _local(folder, u).stat().st_size) for u in linked],
            "folder_files": len(all_files), "folder_bytes": sum(f.stat().st_size for f in all_files),
            "folder_gz": sum(gz(f.read_bytes()) for f in all_files)}

