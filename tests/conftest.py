"""Shared fixtures: a Streamlit server per data folder, and Debian's Chromium for Playwright.

Browser tests never reach off the machine: every request to a host other than this machine is
aborted (and recorded, so a test can prove that none was made except tiles the user picked).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.chromium import CHROMIUM_ARGS, LOCAL_HOSTS, chromium_path

APP_DIR = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, proc: subprocess.Popen, log: Path):
        self.url, self.proc, self.log = url, proc, log


def start_server(tmp: Path, data_dir: Path | None = None, extra_env: dict | None = None) -> Server:
    port = _free_port()
    log = tmp / f"server-{port}.log"
    env = {**os.environ, **(extra_env or {})}
    if data_dir is not None:
        env["GULFWATCH_DATA_DIR"] = str(data_dir)
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
           "--server.address=127.0.0.1", f"--server.port={port}",
           "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
           "--server.runOnSave=false"]
    out = open(log, "w")
    proc = subprocess.Popen(cmd, cwd=APP_DIR, stdout=out, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return Server(url, proc, log)
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_server(Server(url, proc, log))
            raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()}")
        time.sleep(0.2)


def stop_server(server: Server) -> None:
    try:
        os.killpg(server.proc.pid, signal.SIGTERM)
        server.proc.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[Server]:
    """The real app on the repo's data."""
    server = start_server(tmp_path_factory.mktemp("app"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    path = chromium_path()
    if path:
        args["executable_path"] = path
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture
def offline_context(context):
    """Abort every request that would leave the machine; record what was attempted."""
    attempted: list[str] = []

    def handle(route):
        attempted.append(route.request.url)
        route.abort()

    context.route(lambda url: (urlparse(url).hostname or "") not in LOCAL_HOSTS
                  and not url.startswith(("data:", "blob:", "about:", "file:")), handle)
    context.attempted = attempted
    return context
