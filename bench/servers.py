"""Streamlit servers as process groups for bench.py (re-exported by ``harness``, used as ``H.``).
Every server is started with ``start_new_session=True`` (cwd = the repo root, so
``.streamlit/config.toml`` applies; log in ``bench/out/``) and remembered in ``_LIVE``; ``stop()``
kills its whole process group, and an ``atexit`` / SIGTERM / SIGINT hook, registered once when
this module is first imported, stops whatever is still running, so an interrupted bench leaves
no processes behind.  Also :func:`foreign_servers`: the servers and browsers it did not start.
Split out of harness.py, with the bench's paths (``BENCH``, ``REPO``, ``OUT``)."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from procstats import _all_stats, session_pids

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"

_LIVE: list[Server] = []


def foreign_servers() -> list[str]:
    """Streamlit servers / Chromium browsers on this machine that this bench did not start."""
    mine = {s.sid for s in _LIVE}
    stats = _all_stats()
    children: dict[int, list[int]] = {}
    for pid, f in stats.items():
        children.setdefault(int(f[3]), []).append(pid)
    ours, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        ours.add(pid)
        todo.extend(children.get(pid, []))
    found = []
    for pid, f in stats.items():
        if pid in ours or int(f[5]) in mine:
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "streamlit run" in cmd or ("chromium" in cmd and "--type=" not in cmd and "crashpad" not in cmd):
            found.append(f"{pid}: {cmd[:90]}")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    script: str
    port: int
    proc: subprocess.Popen
    log: Path
    t_start: float  # time.perf_counter() just before Popen
    t_healthy: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sid(self) -> int:
        return self.proc.pid

    def wait_healthy(self, timeout: float = 90, poll: float = 0.05) -> float:
        """Seconds from process start until /_stcore/health answers ``ok``."""
        deadline = time.perf_counter() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.script}: streamlit exited early (code {self.proc.returncode});"
                                   f" log: {self.log}\n{self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=1) as r:
                    if r.read() == b"ok":
                        self.t_healthy = time.perf_counter()
                        return self.t_healthy - self.t_start
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{self.script}: not healthy after {timeout:.0f} s; log: {self.log}")
            time.sleep(poll)

    def died(self) -> str | None:
        """Why the server is gone, if it is (None while it runs)."""
        rc = self.proc.poll()
        if rc is None:
            return None
        tail = self.log.read_text(errors="replace")[-300:] if self.log.exists() else ""
        why = (" after 'Stopping...': it was sent SIGTERM/SIGINT from outside this bench"
               if "Stopping..." in tail else "")
        return f"streamlit server on port {self.port} exited (code {rc}){why}; log {self.log.name}"

    def stop(self) -> None:
        if self in _LIVE:
            _LIVE.remove(self)
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        # anything of the group that outlived its leader
        deadline = time.monotonic() + 5
        while session_pids(self.sid) and time.monotonic() < deadline:
            try:
                os.killpg(self.sid, signal.SIGKILL)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        self.extra["leftover_pids"] = session_pids(self.sid)


def start_server(script: str = "app.py", tag: str = "app", env: dict | None = None) -> Server:
    """``python -m streamlit run <script>`` in the repo (so ``.streamlit/config.toml`` applies)."""
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = OUT / f"server-{tag}-{port}.log"
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless=true",
           f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"]
    fh = open(log, "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    fh.close()
    server = Server(script, port, proc, log, t0)
    _LIVE.append(server)
    return server


def stop_all() -> None:
    for s in list(_LIVE):
        s.stop()


def _on_signal(signum, _frame) -> None:
    stop_all()
    sys.exit(128 + signum)


atexit.register(stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
