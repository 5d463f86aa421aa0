"""Plumbing for bench.py: Streamlit servers as process groups, /proc sampling, offline browser
contexts, statistics and plain-text tables.  Nothing here knows about Gulf Watch itself.

Every server is started with ``start_new_session=True`` and remembered in ``_LIVE``; ``stop()``
kills its whole process group, and an ``atexit`` / SIGTERM / SIGINT hook stops whatever is
still running, so an interrupted bench leaves no processes behind.
"""

from __future__ import annotations

import atexit
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from tests.chromium import CHROMIUM_ARGS, LOCAL_HOSTS, MAP_IFRAME, chromium_path  # noqa: E402, F401 (MAP_IFRAME: used by the sections as H.MAP_IFRAME)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- statistics

def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); NaN for no values."""
    xs = sorted(values)
    if not xs:
        return math.nan
    k = (len(xs) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return percentile(values, 50)


# --------------------------------------------------------------------------- formatting

def fmt_s(x: float | None, nd: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f} s"


def fmt_b(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def fmt_mb(n: float | None) -> str:
    return "—" if n is None else f"{n / 1e6:.2f} MB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(headers: list[str], rows: list[list[object]], indent: str = "  ") -> str:
    """Plain-text table: first column left-aligned, the rest right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return indent + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                  for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    sep = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), sep] + [line(r) for r in cells[1:]])


# --------------------------------------------------------------------------- /proc

def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # the command name (field 2) may hold spaces and parentheses: split after the last ')'
    return [str(pid), "comm"] + raw[raw.rindex(")") + 2:].split()


def session_pids(sid: int) -> list[int]:
    """Every live process of session ``sid`` (a server started with start_new_session=True
    and all its descendants, unless one of them started its own session)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = _stat_fields(int(entry))
            if f and int(f[5]) == sid and f[2] != "Z":
                pids.append(int(entry))
    return pids


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: int) -> float:
    f = _stat_fields(pid)
    return (int(f[13]) + int(f[14])) / CLK_TCK if f else 0.0


def tree_rss(sid: int) -> int:
    return sum(rss_bytes(p) for p in session_pids(sid))


def tree_cpu(sid: int) -> float:
    return sum(cpu_seconds(p) for p in session_pids(sid))


def _all_stats() -> dict[int, list[str]]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = _stat_fields(int(entry))
            if f:
                stats[int(entry)] = f
    return stats


def own_descendants() -> list[int]:
    stats = _all_stats()
    children: dict[int, list[int]] = {}
    for pid, f in stats.items():
        if f[2] != "Z":
            children.setdefault(int(f[3]), []).append(pid)
    found, todo = [], list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def reap_leftovers(grace: float = 10) -> list[str]:
    """Wait for this process's descendants to exit; kill (by pid) any still there after
    ``grace`` seconds.  Returns what had to be killed."""
    deadline = time.monotonic() + grace
    while own_descendants() and time.monotonic() < deadline:
        time.sleep(0.2)
    killed = []
    for pid in own_descendants():
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            os.kill(pid, signal.SIGKILL)
            killed.append(f"{pid} {cmd[:60]}")
        except (ProcessLookupError, FileNotFoundError):
            pass
    return killed


def _own_tree_cpu() -> dict[int, float]:
    """utime+stime of this process and each live descendant, by pid."""
    stats = _all_stats()
    children: dict[int, list[int]] = {}
    for pid, f in stats.items():
        children.setdefault(int(f[3]), []).append(pid)
    out, todo = {}, [os.getpid()]
    while todo:
        pid = todo.pop()
        f = stats.get(pid)
        if f:
            out[pid] = (int(f[13]) + int(f[14])) / CLK_TCK
        todo.extend(children.get(pid, []))
    return out


class Activity:
    """Machine CPU used during a block, split into ours (this bench, its servers, the Playwright
    driver and Chromium: sampled every 0.5 s, the last value of each pid kept, because a
    browser's processes die in an order that loses them from their parents' cutime) and everyone
    else's (other sessions, CI runs...), so a figure taken on a busy machine says so."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self._seen: dict[int, float] = {}
        self._base: dict[int, float] = {}
        self._kind: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid, cpu in _own_tree_cpu().items():
            self._seen[pid] = max(cpu, self._seen.get(pid, 0.0))
            if pid not in self._kind:
                self._kind[pid] = _kind_of(pid)

    def own_by_kind(self) -> dict[str, float]:
        """CPU seconds used during the block by our own processes, split into ``server``
        (streamlit), ``chromium`` and ``harness`` (this bench, the Playwright driver)."""
        out = {"server": 0.0, "chromium": 0.0, "harness": 0.0}
        for pid, cpu in self._seen.items():
            out[self._kind.get(pid, "harness")] += cpu - self._base.get(pid, 0.0)
        return out

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> Activity:
        self.busy0, self.total0 = cpu_busy_snapshot()
        self._base = _own_tree_cpu()
        self.t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()
        busy1, total1 = cpu_busy_snapshot()
        self.wall = time.perf_counter() - self.t0
        self.busy = busy1 - self.busy0
        self.capacity = total1 - self.total0
        self.own = sum(cpu - self._base.get(pid, 0.0) for pid, cpu in self._seen.items())
        self.foreign = max(self.busy - self.own, 0.0)

    def summary(self) -> str:
        share = 100 * self.foreign / self.capacity if self.capacity else 0
        return (f"machine CPU busy {100 * self.busy / max(self.capacity, 1e-9):.0f}% of "
                f"{os.cpu_count()} cores; other processes (not this bench) used {self.foreign:.0f} CPU s "
                f"= {share:.0f}% of the machine" + ("  ⚠ busy machine: figures inflated" if share > 10 else ""))


def _kind_of(pid: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()[:400]
    except OSError:
        return "harness"
    if b"streamlit" in cmd:
        return "server"
    return "chromium" if b"chrom" in cmd else "harness"


class Gate:
    """Concurrency phases: each of ``n`` sessions calls :meth:`arrive` once it is open (or has
    given up); :func:`release_together` then lets them all start clicking at once."""

    def __init__(self, n: int):
        import asyncio

        self.n, self.ready = n, 0
        self.opened, self.go = asyncio.Event(), asyncio.Event()

    def arrive(self) -> None:
        self.ready += 1
        if self.ready >= self.n:
            self.opened.set()


async def release_together(tasks: list, gate: Gate, rec: dict, budget: float, settle: float = 0.0) -> None:
    """Wait until every session has arrived at ``gate``, release them together, wait for them
    all; straggler sessions are cancelled and reported.  Records in ``rec``: ``wall`` of the
    clicking part, ``click_cpu`` (our CPU seconds in it by kind, see
    :meth:`Activity.own_by_kind`) and ``click_busy`` (share of the whole machine)."""
    import asyncio

    try:
        await asyncio.wait_for(gate.opened.wait(), timeout=budget / 2)
    except asyncio.TimeoutError:
        rec["errors"].append(f"only {gate.ready}/{gate.n} sessions open after {budget / 2:.0f} s")
    await asyncio.sleep(settle)
    t0 = time.perf_counter()
    with Activity() as act:  # the clicking part alone
        gate.go.set()
        _done, pending = await asyncio.wait(tasks, timeout=budget)
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.wait(pending, timeout=30)
            rec["errors"].append(f"{len(pending)} session(s) still running after {budget:.0f} s: cancelled")
    rec["wall"] = time.perf_counter() - t0
    rec["click_cpu"] = act.own_by_kind()
    rec["click_busy"] = act.busy / max(act.capacity, 1e-9)


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


def cpu_busy_snapshot() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores, from /proc/stat."""
    vals = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(vals[:8])  # user nice system idle iowait irq softirq steal
    idle = vals[3] + vals[4]
    return (total - idle) / CLK_TCK, total / CLK_TCK


class RssSampler:
    """Samples the summed RSS of a session's processes every ``interval`` seconds."""

    def __init__(self, sid: int, interval: float = 0.2):
        self.sid, self.interval = sid, interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(tree_rss(self.sid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def peak(self) -> int:
        return max(self.samples, default=0)


# --------------------------------------------------------------------------- servers

_LIVE: list[Server] = []


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


# --------------------------------------------------------------------------- browser

def launch_kwargs() -> dict:
    kw: dict = {"headless": True, "args": CHROMIUM_ARGS}
    path = chromium_path()
    if path:
        kw["executable_path"] = path
    return kw


def is_external(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return (urlparse(url).hostname or "") not in LOCAL_HOSTS


class Blocked:
    """Route handler that aborts (and counts) every request leaving the machine."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def sync_handler(self, route) -> None:
        self.urls.append(route.request.url)
        route.abort()

    async def async_handler(self, route) -> None:
        self.urls.append(route.request.url)
        await route.abort()


def offline_context(browser, blocked: Blocked, **kw):
    """A sync-API context where non-local requests are aborted."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, **kw)
    ctx.route(is_external, blocked.sync_handler)
    return ctx


async def offline_context_async(browser, blocked: Blocked, **kw):
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000}, **kw)
    await ctx.route(is_external, blocked.async_handler)
    return ctx


def chromium_version() -> str:
    path = chromium_path()
    if not path:
        return "Playwright's Chromium"
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20).stdout
        return out.strip() or path
    except (OSError, subprocess.TimeoutExpired):
        return path
