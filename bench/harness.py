"""Plumbing for bench.py, used by the sections as ``import harness as H``.  Nothing here knows
about Gulf Watch itself.  This module only gathers the parts it was split into, so that
``H.<name>`` works everywhere:

* ``stats.py``       — percentiles, number formats and plain-text tables;
* ``procstats.py``   — ``/proc`` sampling of process trees (RSS, CPU), ``Activity``, ``RssSampler``;
* ``servers.py``     — Streamlit servers as process groups (and the atexit / SIGTERM / SIGINT hook
  that stops them), the bench's paths ``BENCH``, ``REPO``, ``OUT``;
* ``browsers.py``    — offline Chromium contexts, launch arguments, the Chromium version;
* ``concurrency.py`` — ``Gate`` / ``release_together``: N sessions open, then click together.
"""

from __future__ import annotations

from browsers import (CHROMIUM_ARGS, LOCAL_HOSTS, MAP_IFRAME, Blocked, chromium_path, chromium_version,
                      is_external, launch_kwargs, offline_context, offline_context_async)
from concurrency import Gate, release_together
from procstats import (CLK_TCK, PAGE_SIZE, Activity, RssSampler, cpu_busy_snapshot, cpu_seconds, own_descendants,
                       reap_leftovers, rss_bytes, session_pids, tree_cpu, tree_rss)
from servers import _LIVE, BENCH, OUT, REPO, Server, foreign_servers, free_port, start_server, stop_all
from stats import fmt_b, fmt_mb, fmt_s, median, percentile, table, verdict

__all__ = [
    # stats.py
    "percentile", "median", "fmt_s", "fmt_b", "fmt_mb", "verdict", "table",
    # procstats.py
    "PAGE_SIZE", "CLK_TCK", "session_pids", "rss_bytes", "cpu_seconds", "tree_rss", "tree_cpu",
    "own_descendants", "reap_leftovers", "Activity", "cpu_busy_snapshot", "RssSampler",
    # servers.py (_LIVE: site_bench.py's static server joins the servers stop_all stops)
    "BENCH", "REPO", "OUT", "_LIVE", "foreign_servers", "free_port", "Server", "start_server", "stop_all",
    # browsers.py (and what it imports from tests/chromium.py)
    "CHROMIUM_ARGS", "LOCAL_HOSTS", "MAP_IFRAME", "chromium_path", "launch_kwargs", "is_external", "Blocked",
    "offline_context", "offline_context_async", "chromium_version",
    # concurrency.py
    "Gate", "release_together",
]
