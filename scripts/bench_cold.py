"""`make bench`, part 2: a cold build, step by step, in a temp folder: venv, site, chunks, ONNX,
embedding, sentences, index files; then a rebuild after editing one page.

Nothing is reused: an empty uv cache, an empty embedding cache, a fresh ONNX export."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search_api.ask.sentences import sentence_texts  # noqa: E402
from search_api.config import Settings  # noqa: E402
from search_api.index import questions  # noqa: E402
from search_api.index.chunker import chunks_from_pages  # noqa: E402
from search_api.index.extras import WRITERS  # noqa: E402
from search_api.index.onnx import OnnxEncoder  # noqa: E402
from search_api.index.sources import read_pages  # noqa: E402
from search_api.index.vector_cache import VectorCache  # noqa: E402
from sitebuild import indexer, onnx_export  # noqa: E402

# Issue 16's own figures for the old build (torch, one thread), the baseline this table answers.
BASELINE = {
    "venv (make setup)": "60",
    "site (mkdocs build)": "-",
    "chunks": "-",
    "ONNX export and check": "55",
    "embedding sections and questions": "109",
    "sentences for the chatbot": "117",
    "total": "341",
}


def timed(rows: list[tuple[str, float, str]], name: str, note: str = ""):
    """Decorator-free timer: call the returned function with the step's work."""

    def run(fn, *a, **k):
        t = time.perf_counter()
        out = fn(*a, **k)
        rows.append((name, time.perf_counter() - t, note(out) if callable(note) else note))
        return out

    return run


def make_venv(folder: Path) -> None:
    """What `make setup` does, into a new folder, with an empty uv cache."""
    env = {**os.environ, "UV_CACHE_DIR": str(folder / "uv-cache")}
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip, uv = venv / "bin" / "pip", venv / "bin" / "uv"
    subprocess.run([str(pip), "install", "-q", "uv==0.13.9"], check=True, env=env, stderr=subprocess.DEVNULL)
    torch = next(x for x in (ROOT / "requirements.txt").read_text().splitlines() if x.startswith("torch=="))
    wheels = ["--find-links", "/opt/wheels"] if Path("/opt/wheels").is_dir() else []
    base = [str(uv), "pip", "install", "-q", "--python", str(venv / "bin" / "python")]
    subprocess.run([*base, *wheels, torch], check=True, env=env)
    reqs = ["-r", str(ROOT / "requirements.txt"), "-r", str(ROOT / "requirements-dev.txt")]
    subprocess.run([*base, *reqs], check=True, env=env)


def build_site(site: Path) -> None:
    """mkdocs build --strict into a temp folder, as `sophub build-site` does."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([str(mkdocs), "build", "--strict", "--quiet", "-d", str(site)], cwd=ROOT, check=True, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-venv", action="store_true", help="skip the venv step (it downloads about 1.7 GB)")
    args = parser.parse_args(argv)
    rows: list[tuple[str, float, str]] = []
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        if not args.no_venv:
            timed(rows, "venv (make setup)", "uv, empty cache; npm ci not included")(make_venv, tmp_dir)
        site = tmp_dir / "site"
        timed(rows, "site (mkdocs build)")(build_site, site)
        chunks = timed(rows, "chunks", lambda c: f"{len(c):,} sections")(lambda: chunks_from_pages(read_pages(site)))
        onnx_dir = tmp_dir / "onnx"
        report = timed(rows, "ONNX export and check", lambda r: f"min cosine {r['min_cosine']:.7f}")(
            onnx_export.export_and_verify, Settings().docs_dir, None, onnx_dir
        )
        encoder = OnnxEncoder(onnx_dir, workers=workers)
        cache = VectorCache()
        main_texts = cache.missing(
            [indexer.embed_text(c) for c in chunks] + [q for _, q in questions.section_questions(chunks)]
        )
        timed(rows, "embedding sections and questions", f"{len(main_texts):,} texts, {workers} workers")(
            lambda: cache.put(main_texts, encoder.encode(main_texts))
        )
        sents = cache.missing(sentence_texts(chunks))
        timed(rows, "sentences for the chatbot", f"{len(sents):,} texts, {workers} workers")(
            lambda: cache.put(sents, encoder.encode(sents))
        )
        index_dir = tmp_dir / "index"
        timed(rows, "index files (FAISS, BM25, questions)")(
            indexer.build, site, index_dir, lambda: encoder, False, WRITERS, cache, True
        )
        pages = [json.loads(x) for x in (site / "_hub" / "pages.jsonl").read_text().splitlines()]
        pages[0]["markdown"] += "\n\n## Benchmark edit\n\nOne new paragraph about outcome payments.\n"
        (site / "_hub" / "pages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages))
        inc = timed(rows, "rebuild after editing one page", lambda r: f"{r.texts_embedded} new texts")(
            indexer.build, site, index_dir, lambda: encoder, False, WRITERS, cache, True
        )
        assert report["verified"] and inc.texts_embedded >= 1
    total = sum(s for name, s, _ in rows if BASELINE.get(name, "-") != "-")
    print(f"\nCold build, step by step ({workers} cores; baseline: issue 16's figures for the torch build)\n")
    print("| Step | baseline s | now s | note |\n|---|---|---|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {BASELINE.get(name, '-')} | {seconds:.1f} | {note} |")
    print(f"| total | {BASELINE['total']} | {total:.1f} | the steps with a baseline figure |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
