"""Faults in production serving: a worker killed mid-request, a graceful reload under traffic.

Real gunicorn (gunicorn.conf.py, 2 workers, preload, real model and index) on a free
127.0.0.1 port. No timing assertions: deadlines only bound the waits.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require_built
from tests.support.fault_tools import Background, load_script, wait_for

load = load_script()
# The module's gunicorn starts once: its tests share one pytest-xdist worker (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("gunicorn_workers")


@dataclass
class Server:
    """A running gunicorn: its process, port and log file."""

    proc: object
    port: int
    log: Path

    @property
    def master(self) -> int:
        return self.proc.pid

    def workers(self) -> set[int]:
        """The master's child processes (its workers), from /proc."""
        path = Path(f"/proc/{self.master}/task/{self.master}/children")
        try:
            return {int(p) for p in path.read_text().split()}
        except FileNotFoundError:
            return set()


def start(tmp_path: Path, **env: str) -> Server:
    require_built()
    log = tmp_path / "gunicorn.log"
    proc, port = load.start_server({"SOP_WORKERS": "2", **env}, log)
    server = Server(proc, port, log)
    wait_for("two workers", lambda: len(server.workers()) == 2)
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    srv = start(tmp_path_factory.mktemp("gunicorn"))
    try:
        yield srv
    finally:
        load.stop_server(srv.proc)


@dataclass
class Outcome:
    """One request: when it started and ended, and the problem if it failed."""

    started: float
    ended: float
    status: int
    problem: str | None


class Traffic(Background):
    """Client threads sending the load test's mixed requests until stopped.

    fresh=True opens a new connection per request (no retry of any kind), so a failed request
    is exactly one the server lost; otherwise a kept-alive connection with one retry of a
    stale connection, as browsers, proxies and urllib3 do."""

    def __init__(self, port: int, threads: int, fresh: bool) -> None:
        super().__init__()
        self.port, self.fresh = port, fresh
        self.pool = load.traffic()
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, seed: int) -> None:
        import random

        rnd = random.Random(seed)
        kinds, weights = zip(*load.MIX, strict=True)
        client = load.Client(self.port)
        while not self._stop.is_set():
            req = rnd.choice(self.pool[rnd.choices(kinds, weights)[0]])
            started = time.monotonic()
            try:
                status, headers, payload = client.send(req)
                problem = load.check(req, status, headers, payload)
            except OSError as exc:  # includes http.client's RemoteDisconnected
                status, problem = 0, f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # noqa: BLE001 - any other client failure is a failed request
                status, problem = 0, f"{type(exc).__name__}: {exc}"
            if self.fresh:
                client.close()
            with self._lock:
                self.outcomes.append(Outcome(started, time.monotonic(), status, problem))
        client.close()

    def count(self) -> int:
        with self._lock:
            return len(self.outcomes)

    def wait_for_more(self, n: int) -> None:
        """Wait until n more requests have finished."""
        target = self.count() + n
        wait_for(f"{n} more requests", lambda: self.count() >= target)

    def failures(self) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if o.problem]


def test_the_master_warms_up_before_forking(server):
    """The model, index and caches load once, in the master, before any worker exists."""
    log = server.log.read_text()
    assert "warm-up done" in log and "Booting worker" in log, log[-2000:]
    assert log.index("warm-up done") < log.index("Booting worker")
    assert "warm-up:" not in log and "warm-up GET" not in log and "warm-up POST" not in log, log[-2000:]


def test_a_killed_worker_loses_only_its_requests_in_flight_and_is_replaced(server):
    before = server.workers()
    victim = min(before)
    with Traffic(server.port, threads=6, fresh=True) as traffic:
        traffic.wait_for_more(30)
        os.kill(victim, signal.SIGKILL)
        wait_for("the worker to die", lambda: not is_running(victim))
        dead_at = time.monotonic()
        wait_for("the master to start a new worker", lambda: len(server.workers() - before) == 1)
        traffic.wait_for_more(60)
    failures = traffic.failures()
    print(f"\n{len(traffic.outcomes)} requests; {len(failures)} lost with the killed worker")
    # Only requests in flight while the worker died may fail, and only as a lost
    # connection: never a 5xx, never a request sent once it was gone.
    for f in failures:
        assert f.status == 0, f.problem
        assert f.started < dead_at, f"a request sent after the worker died failed: {f.problem}"
    after = server.workers()
    assert victim not in after and len(after) == 2
    assert sum(1 for o in traffic.outcomes if o.started > dead_at and not o.problem) >= 60
    assert "was sent SIGKILL" in server.log.read_text()


def is_running(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_after_the_respawn_every_request_succeeds(server):
    with Traffic(server.port, threads=4, fresh=False) as traffic:
        traffic.wait_for_more(80)
    assert traffic.failures() == []
    assert len(server.workers()) == 2


@pytest.mark.parametrize("fresh", [True, False], ids=["new-connections", "kept-alive"])
def test_a_graceful_reload_under_traffic_fails_no_request(server, fresh):
    before = server.workers()
    with Traffic(server.port, threads=6, fresh=fresh) as traffic:
        traffic.wait_for_more(30)
        os.kill(server.master, signal.SIGHUP)
        wait_for("a new generation of workers", lambda: len(server.workers()) == 2 and not server.workers() & before)
        traffic.wait_for_more(60)
    print(f"\n{len(traffic.outcomes)} requests across the reload, {len(traffic.failures())} failed")
    assert traffic.failures() == [], traffic.failures()[:5]
    assert "Handling signal: hup" in server.log.read_text()


def test_workers_exit_cleanly_when_the_server_stops(tmp_path):
    """No worker hangs or aborts in native destructors at exit (onnxruntime after fork).

    Its own server, since it stops it: the module's server stays up whatever the test order."""
    server = start(tmp_path)
    try:
        _stop_and_check(server)
    finally:
        load.stop_server(server.proc)


def _stop_and_check(server: Server) -> None:
    """Serve a little traffic, SIGTERM the master, and check every worker exited cleanly."""
    workers = server.workers()
    with Traffic(server.port, threads=2, fresh=False) as traffic:
        traffic.wait_for_more(10)
    seen = len(server.log.read_text())
    os.kill(server.master, signal.SIGTERM)
    server.proc.wait(timeout=120)
    log = server.log.read_text()[seen:]
    assert server.proc.returncode == 0, log[-2000:]
    assert "terminate called" not in log and "SIGABRT" not in log and "SIGKILL" not in log, log[-2000:]
    assert all(f"Worker exiting (pid: {pid})" in log for pid in workers), log[-2000:]
