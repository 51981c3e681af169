"""Fault: the index is rebuilt twice while gunicorn serves searches; no request fails.

A small index in a temporary folder (SOP_INDEX_DIR) built from the real site's guidance
pages, real gunicorn with 2 workers, and the real indexer (`sophub build-index`) run after
editing one page of the copied site export.
No timing assertions: deadlines only bound the waits.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from functools import partial
from pathlib import Path

from search_api.index import store as index_store
from search_api.index.vector_cache import cache_path
from tests.conftest import INDEX, SITE, require_built
from tests.support.fault_tools import Background, load_script, wait_for

SOPHUB = Path(sys.executable).with_name("sophub")
MARKERS = ("zqxvmarkerone", "zqxvmarkertwo")  # words no page uses: only the edited section matches


load = load_script()


def make_hub(tmp_path: Path) -> tuple[Path, Path, str]:
    """A small hub in tmp_path: the guidance pages of the built site and their own index.

    The real index is copied in first, so the build reuses its vectors and embeds only
    sections that changed since it was built; the subset bounds that work either way."""
    require_built()
    version = index_store.current_version(INDEX)
    assert version
    index_dir, site_dir = tmp_path / "index", tmp_path / "site"
    shutil.copytree(INDEX / version, index_dir / version)
    (index_dir / "CURRENT").write_text(version, encoding="utf-8")
    if cache_path(INDEX).is_file():  # the chatbot's sentences too, as a copied deployment has them
        shutil.copy(cache_path(INDEX), cache_path(index_dir))
    (site_dir / "_hub").mkdir(parents=True)
    lines = (SITE / "_hub" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    guidance = [line for line in lines if json.loads(line)["url"].startswith("/guidance/")]
    assert guidance
    (site_dir / "_hub" / "pages.jsonl").write_text("\n".join(guidance) + "\n", encoding="utf-8")
    rebuild(site_dir, index_dir)
    return site_dir, index_dir, index_store.current_version(index_dir) or ""


def edit_page(site_dir: Path, marker: str) -> str:
    """Add a section holding `marker` to the first page; returns that page's URL."""
    path = site_dir / "_hub" / "pages.jsonl"
    pages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    page = pages[0]
    page["markdown"] += f"\n\n## Rebuild check {marker}\n\nThis section exists to test an index rebuild: {marker}.\n"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    return page["url"]


def rebuild(site_dir: Path, index_dir: Path) -> None:
    """The real indexer, as `make index` runs it (only the edited section is embedded)."""
    cmd = [str(SOPHUB), "build-index", "--site", str(site_dir), "--index", str(index_dir), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=200)
    assert done.returncode == 0, done.stderr[-2000:]


def get_json(port: int, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        assert resp.status == 200, (path, resp.status)
        return json.loads(resp.read())
    finally:
        conn.close()


class Hammer(Background):
    """Search clients (kept-alive connections) and a health poller, until stopped."""

    def __init__(self, port: int, threads: int) -> None:
        super().__init__()
        self.port = port
        self.ok = 0
        self.failures: list[str] = []
        self.health_problems: list[dict] = []
        self._lock = threading.Lock()
        searches = load.traffic()["search"]
        self._threads = [threading.Thread(target=self._search, args=(searches[i::threads],)) for i in range(threads)]
        self._threads.append(threading.Thread(target=self._health))

    def _search(self, requests: list) -> None:
        client = load.Client(self.port)
        i = 0
        while not self._stop.is_set():
            req = requests[i % len(requests)]
            i += 1
            try:
                status, headers, payload = client.send(req)
                problem = load.check(req, status, headers, payload)
            except Exception as exc:  # noqa: BLE001 - any failure counts
                problem = f"{type(exc).__name__}: {exc}"
            with self._lock:
                if problem:
                    self.failures.append(problem)
                else:
                    self.ok += 1
        client.close()

    def _health(self) -> None:
        while not self._stop.is_set():
            try:
                body = get_json(self.port, "/api/health")
            except Exception as exc:  # noqa: BLE001 - any failure counts
                with self._lock:
                    self.failures.append(f"health: {type(exc).__name__}: {exc}")
                time.sleep(0.05)  # no busy loop against a server that is down
                continue
            with self._lock:
                self.health_problems += [p for p in body["problems"] if p["code"].startswith("index")]
            time.sleep(0.05)

    def count(self) -> int:
        with self._lock:
            return self.ok


def every_worker_serves(port: int, version: str, marker: str, page_url: str) -> bool:
    """Ten health checks in a row report `version` and ten searches for `marker` find the page."""
    for _ in range(10):
        body = get_json(port, "/api/health")
        if (body.get("index") or {}).get("version") != version:
            return False
    for _ in range(10):
        results = get_json(port, "/api/search?" + urllib.parse.urlencode({"q": marker}))["results"]
        if not any(r["url"].split("#")[0] == page_url for r in results):
            return False
    return True


def test_rebuilding_the_index_under_load_fails_no_request(tmp_path):
    site_dir, index_dir, first = make_hub(tmp_path)
    proc, port = load.start_server({"SOP_WORKERS": "2", "SOP_INDEX_DIR": str(index_dir)}, tmp_path / "gunicorn.log")
    try:
        assert get_json(port, "/api/health")["index"]["version"] == first
        versions = [first]
        with Hammer(port, threads=3) as hammer:
            wait_for("searches before the rebuild", lambda: hammer.count() >= 30)
            for marker in MARKERS:
                page_url = edit_page(site_dir, marker)
                before = hammer.count()
                rebuild(site_dir, index_dir)
                new = index_store.current_version(index_dir)
                assert new and new not in versions
                versions.append(new)
                wait_for(f"every worker to serve {new}", partial(every_worker_serves, port, new, marker, page_url))
                wait_for("more searches", partial(lambda n: hammer.count() >= n, before + 30))
        print(f"\n{hammer.ok} searches answered during {len(MARKERS)} rebuilds ({' -> '.join(versions)})")
        assert hammer.failures == [], hammer.failures[:5]
        assert hammer.health_problems == [], hammer.health_problems[:3]
    finally:
        load.stop_server(proc)
    # The oldest version was pruned only after two newer ones existed; no build leftovers.
    on_disk = sorted(p.name for p in index_dir.iterdir() if p.is_dir())
    assert on_disk == versions[-index_store.KEEP_VERSIONS :], on_disk
    assert index_store.current_version(index_dir) == versions[-1]
