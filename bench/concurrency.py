"""Concurrency phases for bench.py (re-exported by ``harness``, used as ``H.``): :class:`Gate`
and :func:`release_together` open N sessions, then let them all start clicking at the same moment
and measure the clicking part (wall time, our CPU by kind, machine busy).  Shared by section C's
Chromium sessions, C3's websocket sessions (``wsclient.py``) and section D's readers.  Split out
of harness.py."""

from __future__ import annotations

import time

from procstats import Activity


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
