"""Time a contributor's first `make run` from a clean clone, then a second one.

Clones this checkout's HEAD into a temp folder, runs `make run` there with empty uv and npm
caches, and polls the port: when the site first answers, when /api/health says search by
meaning is on, and how long a second `make run` takes to serve."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.local_server import free_port  # noqa: E402


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return 0, b""


def run_until(clone: Path, env: dict, port: int, limit: float, log: Path) -> dict[str, float]:
    """Start `make run`; return seconds to the first page and to search by meaning."""
    started = time.perf_counter()
    marks: dict[str, float] = {}
    with open(log, "ab") as out:
        proc = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=out, stderr=out, start_new_session=True)
        try:
            while time.perf_counter() - started < limit and proc.poll() is None:
                if "site" not in marks and _get(f"http://127.0.0.1:{port}/")[0] == 200:
                    marks["site"] = time.perf_counter() - started
                if "site" in marks:
                    code, body = _get(f"http://127.0.0.1:{port}/api/health")
                    if code == 200 and json.loads(body).get("search") == "hybrid":
                        marks["hybrid"] = time.perf_counter() - started
                        break
                time.sleep(0.25)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    return marks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=900, help="give up after this many seconds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "hub"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        port = free_port()
        env = {
            **os.environ,
            "SOP_PORT": str(port),
            "UV_CACHE_DIR": str(Path(tmp) / "uv-cache"),
            "npm_config_cache": str(Path(tmp) / "npm-cache"),
        }
        log = Path(tmp) / "make-run.log"
        first = run_until(clone, env, port, args.limit, log)
        second = run_until(clone, env, port, 60, log)
        print(log.read_text(errors="replace")[-3000:] if not first.get("hybrid") else "")
    print("| make run from a clean clone | seconds |\n|---|---|")
    print(f"| first run: site and API answer | {first.get('site', float('nan')):.1f} |")
    print(f"| first run: search by meaning on (index built) | {first.get('hybrid', float('nan')):.1f} |")
    print(f"| second run: site and API answer | {second.get('site', float('nan')):.1f} |")
    return 0 if first.get("hybrid") and second.get("site") else 1


if __name__ == "__main__":
    sys.exit(main())
