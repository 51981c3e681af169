"""`make load`: mixed search/ask/feasibility traffic against gunicorn at rising concurrency.

Starts the production server (gunicorn.conf.py) on a free 127.0.0.1 port with rate limiting
switched off, runs each concurrency step for a fixed time (and at most --max-requests
requests), prints one table row per step, then runs one step with the rate limiter on to
show it answers 429 with Retry-After. Exits 1 on any error or 5xx (429s in the rate-limited
step are expected), or if that step saw no 429.
"""

from __future__ import annotations

import argparse
import ctypes
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from devtools.local_server import free_port

ROOT = Path(__file__).resolve().parent.parent
# Share of each kind of request in the mix.
MIX = (("search", 0.6), ("ask", 0.25), ("feasibility", 0.15))
# The key each successful response must carry (a 200 with a broken body is an error too).
EXPECTED_KEY = {"search": "results", "ask": "answered", "feasibility": "verdict"}
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class Request:
    """One request of the mix."""

    kind: str
    method: str
    path: str
    body: dict[str, Any] | None = None


def traffic() -> dict[str, list[Request]]:
    """Realistic requests from the evaluation sets and the feasibility scenarios."""
    search = yaml.safe_load((ROOT / "kb/eval/search.yaml").read_text(encoding="utf-8"))
    ask = yaml.safe_load((ROOT / "kb/eval/ask.yaml").read_text(encoding="utf-8"))
    cases = yaml.safe_load((ROOT / "kb/feasibility/cases.yaml").read_text(encoding="utf-8"))["cases"]
    questions = ask["in_scope"] + ask["out_of_scope"]
    return {
        "search": [
            Request("search", "GET", "/api/search?" + urllib.parse.urlencode({"q": q["question"]})) for q in search
        ],
        "ask": [
            Request("ask", "POST", "/api/ask", {"question": q["question"], "history": q.get("history", [])})
            for q in questions
        ],
        "feasibility": [Request("feasibility", "POST", "/api/feasibility", {"answers": c["answers"]}) for c in cases],
    }


@dataclass
class Result:
    """What one step saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retried: int = 0
    elapsed: float = 0.0


class Client:
    """One keep-alive connection. Like browsers and urllib3, it retries once when a reused
    connection turns out to have been closed by the server (counted as `retried`)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.retried = 0

    def send(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of one request."""
        data = json.dumps(req.body).encode() if req.body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in range(2):
            fresh = self.conn is None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(req.method, req.path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
            except STALE:
                self.close()
                if fresh or attempt:
                    raise
                self.retried += 1
                continue
            except Exception:
                self.close()
                raise
            if resp.will_close:
                self.close()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def check(req: Request, status: int, headers: dict[str, str], payload: bytes) -> str | None:
    """Why a response is wrong, or None. A 429 must say when to retry."""
    if status == 429:
        return None if headers.get("retry-after", "").isdigit() else "429 without Retry-After"
    if status != 200:
        return f"{req.kind}: HTTP {status} {payload[:120]!r}"
    try:
        body = json.loads(payload)
    except ValueError:
        return f"{req.kind}: 200 but not JSON"
    return None if EXPECTED_KEY[req.kind] in body else f"{req.kind}: 200 without '{EXPECTED_KEY[req.kind]}'"


def run_step(port: int, pool: dict[str, list[Request]], concurrency: int, seconds: float, limit: int) -> Result:
    """`concurrency` clients send the mix for `seconds` or until `limit` requests were sent."""
    result = Result()
    lock = threading.Lock()
    sent = [0]
    kinds, weights = zip(*MIX, strict=True)
    start = time.perf_counter()
    stop = start + seconds

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        client = Client(port)
        try:
            while time.perf_counter() < stop:
                with lock:
                    if sent[0] >= limit:
                        return
                    sent[0] += 1
                req = rnd.choice(pool[rnd.choices(kinds, weights)[0]])
                t = time.perf_counter()
                try:
                    status, headers, payload = client.send(req)
                    problem = check(req, status, headers, payload)
                except (OSError, http.client.HTTPException) as exc:
                    status, problem = 0, f"{req.kind}: {type(exc).__name__}: {exc}"
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if problem:
                        result.errors.append(problem)
                    elif status == 200:
                        result.latencies.append(ms)
        finally:
            client.close()
            with lock:
                result.retried += client.retried

    threads = [threading.Thread(target=worker, args=(1000 * concurrency + i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - start
    return result


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank); 0 when there are no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def start_server(env_extra: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn with the project's config on a free 127.0.0.1 port, in its own process group;
    waits until /api/health answers. env_extra adds or overrides environment variables."""
    port = free_port()
    env = {
        **os.environ,
        "SOP_RATELIMIT_ENABLED": "0",
        "SOP_ACCESS_LOG": "",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **env_extra,
        "SOP_HOST": "127.0.0.1",
        "SOP_PORT": str(port),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "-c", "gunicorn.conf.py", "search_api.wsgi:app"]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True, preexec_fn=_die_with(os.getpid())
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError(f"gunicorn did not answer within 180 s; see {log_path}")


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
PR_SET_PDEATHSIG = 1


def _die_with(parent: int):
    """A preexec_fn: the server gets SIGTERM if this process dies (even killed, or a test
    timing out), so no gunicorn is ever left behind."""

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)

    return preexec


def stop_server(proc: subprocess.Popen) -> None:
    """TERM the server's process group, then KILL it if it is still there after 30 s."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def row(label: str, concurrency: int, r: Result) -> str:
    n = sum(r.statuses.values())
    five = sum(v for k, v in r.statuses.items() if k >= 500)
    limited = r.statuses.get(429, 0)
    return (
        f"| {label} | {concurrency} | {n} | {n / r.elapsed:.1f} | {pct(r.latencies, 50):.0f} | "
        f"{pct(r.latencies, 95):.0f} | {pct(r.latencies, 99):.0f} | {len(r.errors)} | {five} | {limited} | {r.retried} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="1,8,32,64", help="concurrency of each step (default 1,8,32,64)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each step (default 10)")
    parser.add_argument("--max-requests", type=int, default=5000, help="most requests per step (default 5000)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--limited-concurrency", type=int, default=8, help="clients in the rate-limited step")
    parser.add_argument("--no-rate-limit-step", action="store_true", help="skip the step with the limiter on")
    args = parser.parse_args(argv)
    steps = [int(s) for s in args.steps.split(",") if s.strip()]
    pool = traffic()
    log_path = Path(tempfile.gettempdir()) / f"sophub-load-{os.getpid()}.log"
    header = (
        "| Step | Concurrency | Requests | Throughput req/s | p50 ms | p95 ms | p99 ms | Errors | 5xx | 429 | Retried |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    mix = ", ".join(f"{k} {int(w * 100)}%" for k, w in MIX)
    print(f"Load test: {mix}; {args.seconds:.0f} s or {args.max_requests} requests per step; server log {log_path}\n")
    print(header, flush=True)
    failed: list[str] = []
    workers = {"SOP_WORKERS": str(args.workers)} if args.workers else {}
    proc, port = start_server({**workers, "SOP_RATELIMIT_ENABLED": "0"}, log_path)
    try:
        for c in steps:
            r = run_step(port, pool, c, args.seconds, args.max_requests)
            print(row("rate limit off", c, r), flush=True)
            failed += [f"concurrency {c}: {e}" for e in r.errors]
            failed += [f"concurrency {c}: unexpected 429" for _ in range(r.statuses.get(429, 0))]
    finally:
        stop_server(proc)
    if not args.no_rate_limit_step:
        proc, port = start_server({**workers, "SOP_RATELIMIT_ENABLED": "1"}, log_path)
        try:
            c = args.limited_concurrency
            r = run_step(port, pool, c, args.seconds, args.max_requests)
            print(row("rate limit on", c, r), flush=True)
            failed += [f"rate-limited step: {e}" for e in r.errors]
            if not r.statuses.get(429):
                failed.append(f"rate-limited step: no 429 in {sum(r.statuses.values())} requests; is the limiter on?")
        finally:
            stop_server(proc)
    print("\nLatency percentiles cover successful (200) responses. 429s are expected only with the limiter on.")
    print("Retried: requests resent once because the server had closed a kept-alive connection.")
    return report(failed, "no errors and no 5xx")


def report(failed: list[str], ok: str) -> int:
    """Print the first problems and return 1, or say OK and return 0 (the exit code of a load script)."""
    if failed:
        print(f"\nFAILED: {len(failed)} problem(s); first ones:")
        for line in failed[:10]:
            print(f"  {line}")
        return 1
    print(f"\nOK: {ok}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
