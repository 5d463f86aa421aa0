"""Sampling ``/proc`` for bench.py (re-exported by ``harness``, used as ``H.``): the processes of
a session (a server started with ``start_new_session=True``) and their summed RSS and CPU seconds,
this bench's own descendants (and :func:`reap_leftovers` for those still running at the end), the
machine's busy time, :class:`Activity` (machine CPU during a block, ours vs everyone else's) and
:class:`RssSampler` (peak RSS of a session).  Split out of harness.py; psutil is not used."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLK_TCK = os.sysconf("SC_CLK_TCK")


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
