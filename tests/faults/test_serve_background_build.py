"""`sophub serve --build` (what `make run` runs): serves at once on words only, builds the
missing index in a child process with the real model, then searches by meaning without a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from devtools.local_server import free_port
from search_api.config import ROOT
from search_api.index import onnx as onnx_encoder
from search_api.index.sources import source_fingerprint
from search_api.index.vector_cache import cache_path
from tests.conftest import SAMPLE_PAGES, require_built, write_site


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
            return json.loads(r.read())
    except OSError:
        return None


def _search(port: int, q: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={urllib.parse.quote(q)}", timeout=10) as r:
        return json.loads(r.read())


def test_serve_build_answers_on_words_first_then_swaps_to_the_built_index(tmp_path):
    require_built()  # the shared ONNX export lives beside the lead's index
    assert onnx_encoder.is_verified(onnx_encoder.ONNX_DIR)
    site, index_dir, instance = tmp_path / "site", tmp_path / "index", tmp_path / "instance"
    # Enough pages that the child's build outlasts the server's start by a wide margin.
    extra = [
        {**SAMPLE_PAGES[1], "src": f"case-studies/p{i}.md", "url": f"/case-studies/p{i}/", "title": f"Project {i}"}
        for i in range(150)
    ]
    write_site(site, SAMPLE_PAGES + extra)
    # Stamped as built from today's sources, so serve --build goes straight to the index.
    (site / "_hub" / "fingerprint").write_text(source_fingerprint(), encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "SOP_SITE_DIR": str(site),
        "SOP_INDEX_DIR": str(index_dir),
        "SOP_INSTANCE_DIR": str(instance),
        "SOP_PORT": str(port),
        "SOP_RATELIMIT_ENABLED": "0",
    }
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "search_api.cli", "serve", "--build"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        seen: list[str] = []
        deadline = time.monotonic() + 120  # a bound on the wait, not a measure of speed
        while time.monotonic() < deadline and proc.poll() is None:
            body = _health(port)
            if body is not None:
                seen.append(body["search"])
                if body["search"] == "hybrid":
                    break
            time.sleep(0.2)
        text = log.read_text(errors="replace")
        assert seen and seen[-1] == "hybrid", text
        assert "Building the search index in the background" in text and "is up to date" in text
        # The page export answered before the index existed: words only, then by meaning.
        assert seen[0] != "hybrid", seen
        hits = _search(port, "who pays investors")
        assert hits["results"] and hits["results"][0]["url"].startswith("/guidance/what/")
        # The child filled the shared cache with the chatbot's sentences too.
        assert cache_path(index_dir).is_file() and not cache_path(instance).exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
