"""`make load`, second part: one gunicorn server, then nginx in front of two, sharing Redis and PostgreSQL.

Starts PostgreSQL, Redis and nginx as this script's own processes on free loopback ports
(the servers of tests/support/services.py), then runs the same mix twice:
1. clients straight to one gunicorn server;
2. clients to nginx (deploy/nginx.conf over HTTPS) in front of two gunicorn servers, with
   PostgreSQL restarted half-way through.
Both use PostgreSQL for feedback (SOP_FEEDBACK_URL) and Redis for rate limits, set high so
every request is counted in Redis without being refused. The mix is load.py's plus 10%
feedback. Exits 1 on any error or 5xx, or if any feedback answered 201 is missing from the
database or stored twice.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import ssl
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test support's servers live in tests/support

from load import STALE, Request, pct, report, traffic  # noqa: E402 - scripts/load.py, beside this file

from devtools.local_server import free_port  # noqa: E402
from search_api.web.nginx_conf import NginxValues, render  # noqa: E402
from tests.support.deploy_tools import DEPLOY_ROOT, Gunicorn, self_signed_cert, unit_command  # noqa: E402
from tests.support.services import Nginx, Postgres, Redis  # noqa: E402

MIX = (("search", 0.55), ("ask", 0.2), ("feasibility", 0.15), ("feedback", 0.1))
EXPECTED = {
    "search": (200, "results"),
    "ask": (200, "answered"),
    "feasibility": (200, "verdict"),
    "feedback": (201, "stored"),
}
HIGH = "1000000/minute"


@dataclass
class Outcome:
    """What one step saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    feedback: dict[str, int] = field(default_factory=dict)  # comment -> id, for each 201
    elapsed: float = 0.0


class Client:
    """One keep-alive connection, plain or TLS; resends once if the server closed an idle one."""

    def __init__(self, port: int, tls: ssl.SSLContext | None) -> None:
        self.port, self.tls = port, tls
        self.conn: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body: dict | None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in range(2):
            fresh = self.conn is None
            if self.conn is None:
                if self.tls is not None:
                    self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=self.tls)
                else:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
            except STALE:
                self.close()
                if fresh or attempt:
                    raise
                continue
            except Exception:
                self.close()
                raise
            if resp.will_close:
                self.close()
            return resp.status, payload
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run(
    port: int,
    tls: ssl.SSLContext | None,
    label: str,
    clients: int,
    seconds: float,
    limit: int,
    pool: dict[str, list[Request]],
    during: threading.Thread | None = None,
) -> Outcome:
    """`clients` threads send the mix for `seconds` (at most `limit` requests); `during` runs alongside."""
    out = Outcome()
    lock = threading.Lock()
    sent = [0]
    kinds, weights = zip(*MIX, strict=True)
    stop = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        client = Client(port, tls)
        try:
            while time.perf_counter() < stop:
                with lock:
                    if sent[0] >= limit:
                        return
                    sent[0] += 1
                    n = sent[0]
                kind = rnd.choices(kinds, weights)[0]
                if kind == "feedback":
                    comment = f"load {label} {n}"
                    req = Request(
                        "feedback", "POST", "/api/feedback", {"rating": rnd.choice(["up", "down"]), "comment": comment}
                    )
                else:
                    req = rnd.choice(pool[kind])
                t = time.perf_counter()
                try:
                    status, payload = client.send(req.method, req.path, req.body)
                    problem = _check(req.kind, status, payload)
                except (OSError, http.client.HTTPException) as exc:
                    status, payload, problem = 0, b"", f"{req.kind}: {type(exc).__name__}: {exc}"
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    out.statuses[status] = out.statuses.get(status, 0) + 1
                    if problem:
                        out.errors.append(problem)
                    else:
                        out.latencies.append(ms)
                        if req.kind == "feedback":
                            out.feedback[req.body["comment"]] = json.loads(payload)["id"]
        finally:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads + ([during] if during else []):
        t.start()
    for t in threads + ([during] if during else []):
        t.join()
    out.elapsed = time.perf_counter() - started
    return out


def _check(kind: str, status: int, payload: bytes) -> str | None:
    want, key = EXPECTED[kind]
    if status != want:
        return f"{kind}: HTTP {status} {payload[:120]!r}"
    try:
        return None if key in json.loads(payload) else f"{kind}: {status} without '{key}'"
    except ValueError:
        return f"{kind}: {status} but not JSON"


def stored_feedback(pg: Postgres, url: str, label: str) -> dict[str, list[int]]:
    """comment -> ids of the rows this step stored."""
    rows = pg.execute(url, f"SELECT comment, id FROM feedback WHERE comment LIKE 'load {label} %'")
    found: dict[str, list[int]] = {}
    for comment, row_id in rows:
        found.setdefault(comment, []).append(row_id)
    return found


def gunicorn(tmp: Path, pg_url: str, redis_url: str, proxied: bool, name: str) -> Gunicorn:
    """A gunicorn server started as deploy/sophub.service starts it."""
    import os

    argv, env, workdir = unit_command(ROOT / "deploy" / "sophub.service", ROOT)
    port = free_port()
    env = {
        **os.environ,
        **env,
        "SOP_PORT": str(port),
        "SOP_FEEDBACK_URL": pg_url,
        "SOP_RATELIMIT_STORAGE_URL": redis_url,
        "SOP_RATELIMIT_SEARCH": HIGH,
        "SOP_RATELIMIT_ASK": HIGH,
        "SOP_RATELIMIT_FEEDBACK": HIGH,
        "SOP_ACCESS_LOG": "",
        "SOP_PROXY_HOPS": "1" if proxied else "0",
    }
    assert DEPLOY_ROOT not in " ".join(argv)
    return Gunicorn(argv, env, workdir, port, tmp / f"{name}.log")


def row(label: str, clients: int, o: Outcome, stored: dict[str, list[int]]) -> str:
    n = sum(o.statuses.values())
    five = sum(v for k, v in o.statuses.items() if k >= 500)
    lost = sum(1 for c in o.feedback if c not in stored)
    twice = sum(1 for ids in stored.values() if len(ids) > 1)
    return (
        f"| {label} | {clients} | {n} | {n / o.elapsed:.1f} | {pct(o.latencies, 50):.0f} | {pct(o.latencies, 95):.0f} | "
        f"{pct(o.latencies, 99):.0f} | {len(o.errors)} | {five} | {len(o.feedback)} | {lost} | {twice} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each step (default 20)")
    parser.add_argument("--max-requests", type=int, default=5000, help="most requests per step (default 5000)")
    args = parser.parse_args(argv)
    pool = traffic()
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sophub-load-") as folder:
        tmp = Path(folder)
        pg, rd = Postgres(tmp / "postgres"), Redis(tmp / "redis")
        pg.start()
        rd.start()
        servers: list[Gunicorn] = []
        nginx = None
        try:
            url = pg.new_database()
            print(
                f"Load test with PostgreSQL and Redis: {args.clients} clients, {args.seconds:.0f} s per step; logs in {tmp}\n"
            )
            print(
                "| Setup | Clients | Requests | Throughput req/s | p50 ms | p95 ms | p99 ms | Errors | 5xx | Feedback 201 | Lost | Stored twice |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
            one = gunicorn(tmp, url, rd.url, False, "single")
            servers.append(one)
            one.start()
            # The first server creates the schema at start; nothing else is written before the steps.
            o = run(one.port, None, "single", args.clients, args.seconds, args.max_requests, pool)
            stored = stored_feedback(pg, url, "single")
            print(row("one gunicorn server", args.clients, o, stored), flush=True)
            failed += _problems("one server", o, stored)
            one.stop()
            servers.clear()
            for name in ("api-1", "api-2"):
                servers.append(gunicorn(tmp, url, rd.url, True, name))
                servers[-1].start()
            cert, key = self_signed_cert(tmp / "tls")
            port = free_port()
            values = NginxValues(
                site_dir=ROOT / "site",
                apis=[f"127.0.0.1:{s.port}" for s in servers],
                server_name="127.0.0.1",
                listen=f"127.0.0.1:{port}",
                http_listen=f"127.0.0.1:{free_port()}",
                cert=str(cert),
                key=str(key),
            )
            nginx = Nginx(tmp / "nginx", render(values), port)
            nginx.start()
            took: list[float] = []

            def restart_pg() -> None:
                time.sleep(args.seconds / 2)
                t = time.perf_counter()
                pg.restart()
                took.append(time.perf_counter() - t)

            restart = threading.Thread(target=restart_pg)
            tls = ssl.create_default_context(cafile=str(cert))
            o = run(port, tls, "cluster", args.clients, args.seconds, args.max_requests, pool, during=restart)
            stored = stored_feedback(pg, url, "cluster")
            print(row("nginx + two servers, PostgreSQL restarted", args.clients, o, stored), flush=True)
            failed += _problems("nginx + two servers", o, stored)
            if took:
                print(
                    f"\nPostgreSQL was restarted {args.seconds / 2:.0f} s into that step; it was down for {took[0]:.1f} s."
                )
            else:
                failed.append("the PostgreSQL restart did not happen")
        finally:
            if nginx is not None:
                nginx.stop()
            for s in servers:
                s.stop()
            rd.stop()
            pg.stop()
    print("\nFeedback 201: feedback answers that said stored; Lost: of those, rows missing from PostgreSQL afterwards;")
    print("Stored twice: rows written more than once. Latency percentiles cover successful responses.")
    return report(failed, "no errors, no 5xx, no feedback lost or stored twice")


def _problems(step: str, o: Outcome, stored: dict[str, list[int]]) -> list[str]:
    found = [f"{step}: {e}" for e in o.errors]
    found += [f"{step}: feedback {c!r} answered 201 but is not stored" for c in o.feedback if c not in stored]
    found += [f"{step}: feedback {c!r} stored {len(ids)} times" for c, ids in stored.items() if len(ids) > 1]
    found += [f"{step}: feedback {c!r} stored without a 201" for c in stored if c not in o.feedback]
    return found


if __name__ == "__main__":
    sys.exit(main())
