"""`make bench`: search latency (in-process, HTTP), raw query cost, throughput, memory, then the\ncold build table (scripts/bench_cold.py)."""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from devtools.local_server import free_port  # noqa: E402
from search_api import create_app, state  # noqa: E402
from search_api.index.embedder import pin_threads  # noqa: E402
from search_api.index.lexical import bm25_scores  # noqa: E402
from search_api.index.textproc import normalise_query, tokens  # noqa: E402

FALLBACK = ["what happens if targets are missed", "SIBs for rough sleepers", "who pays the investors back"]


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def questions() -> list[str]:
    path = ROOT / "kb" / "eval" / "search.yaml"
    if path.is_file():
        return [q["question"] for q in yaml.safe_load(path.read_text())]
    return FALLBACK


def raw_cost(app, qs: list[str], rounds: int) -> list[float]:
    """One query embedding + one FAISS search + one BM25 scoring, nothing else."""
    res = app.extensions["sop"]
    loaded, enc = res.index(), res.encoder()
    n = len(loaded.stored.chunks)
    out = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            expanded = normalise_query(q)
            vec = enc.encode([expanded])
            loaded.stored.faiss_index.search(vec, n)
            bm25_scores(loaded.bm25, tokens(expanded), n)
            out.append((time.perf_counter() - t) * 1000)
    return out


def in_process(app, qs: list[str], rounds: int, path: str = "/api/search") -> list[float]:
    client = app.test_client()
    out = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            resp = client.get(path, query_string={"q": q})
            out.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, resp.get_json()
    return out


def start_gunicorn(workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # Rate limits would turn a benchmark into a count of 429s.
    env = {**os.environ, "SOP_PORT": str(port), "WEB_CONCURRENCY": str(workers), "SOP_RATELIMIT_ENABLED": "0"}
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            "search_api.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def get(port: int, q: str) -> float:
    t = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q}))
    resp = conn.getresponse()
    resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}")
    return (time.perf_counter() - t) * 1000


def throughput(port: int, qs: list[str], concurrency: int, seconds: float) -> tuple[float, int, int]:
    """Requests per second with `concurrency` clients for a fixed time; returns (rps, ok, errors)."""
    stop = time.time() + seconds
    counts = {"ok": 0, "err": 0}
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while time.time() < stop:
            try:
                get(port, qs[i % len(qs)])
                key = "ok"
            except Exception:  # noqa: BLE001 - counted, reported
                key = "err"
            with lock:
                counts[key] += 1
            i += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts["ok"] / (time.time() - start), counts["ok"], counts["err"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the throughput run")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions for latency")
    parser.add_argument("--no-build", action="store_true", help="skip the cold build table")
    parser.add_argument("--no-venv", action="store_true", help="cold build table without the venv step")
    args = parser.parse_args(argv)
    pin_threads()
    qs = questions()
    app = create_app({"RATELIMIT_ENABLED": False})
    enc_name = type(app.extensions["sop"].encoder()).__name__
    app.extensions["sop"].index()
    rows = []
    raw = raw_cost(app, qs, args.rounds)
    inproc = in_process(app, qs, args.rounds)
    rows += [("raw query cost (embed + FAISS + BM25)", raw), ("/api/search in-process", inproc)]
    has_ask = any(r.rule == "/api/ask" for r in app.url_map.iter_rules())
    ask = []
    if has_ask:
        from search_api.ask.answer import warm

        warm(state.resources(app))  # `make index` fills the shared cache; this only checks it
        client = app.test_client()
        for q in qs:
            t = time.perf_counter()
            client.post("/api/ask", json={"question": q})
            ask.append((time.perf_counter() - t) * 1000)
        rows.append(("/api/ask in-process", ask))
    proc, port = start_gunicorn(2)
    try:
        http_lat = [get(port, q) for q in qs for _ in range(args.rounds)]
        rows.append(("/api/search over HTTP (gunicorn, 2 workers, sequential)", http_lat))
        rps, ok, errors = throughput(port, qs, 4, args.seconds)
        children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        mem = [rss_mb(pid) for pid in children]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    raw_p50 = statistics.median(raw)
    print(f"Search benchmark: {len(qs)} questions x {args.rounds} rounds, encoder {enc_name}, 1 thread per worker\n")
    print("| Measure | p50 ms | p95 ms |\n|---|---|---|")
    for name, values in rows:
        print(f"| {name} | {statistics.median(values):.2f} | {pct(values, 95):.2f} |")
    target = 0.7 * 2 / (raw_p50 / 1000)
    print()
    print(f"API p50 / raw cost (in-process): {statistics.median(inproc) / raw_p50:.2f}x (target <= 1.3x)")
    print(f"API p50 / raw cost (HTTP): {statistics.median(http_lat) / raw_p50:.2f}x")
    if ask:
        print(
            f"/api/ask p50 / /api/search p50: {statistics.median(ask) / statistics.median(inproc):.2f}x (target <= 2x)"
        )
    print(
        f"Throughput, gunicorn 2 workers, 4 clients, {args.seconds:.0f} s: {rps:.1f} requests/s "
        f"({ok} ok, {errors} errors); target >= 70% of 2 / raw cost = {target:.1f} requests/s"
    )
    print(f"Resident memory per worker: {', '.join(f'{m:.0f} MB' for m in mem)}")
    if not args.no_build:
        import bench_cold

        bench_cold.main(["--no-venv"] if args.no_venv else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
