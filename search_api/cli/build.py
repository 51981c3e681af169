"""`sophub build-site`, `build-index` and `export-onnx`: the build steps `make index` runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from search_api import paths
from search_api.cli.registry import command
from search_api.config import Settings


def _index_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", type=Path, default=None, help="built site folder (default: SOP_SITE_DIR or site)")
    p.add_argument("--index", type=Path, default=None, help="index folder (default: SOP_INDEX_DIR or kb/index)")
    p.add_argument("--if-stale", action="store_true", help="do nothing when the index already matches the site")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


@command(
    "build-index",
    "Build the search index and the chatbot's sentence vectors from the built site (embeds new texts only).",
    _index_args,
)
def _build_index(args: argparse.Namespace) -> int:
    from search_api.index.embedder import ModelMissingError, pin_threads
    from search_api.index.vector_cache import VectorCache, cache_path
    from sitebuild import indexer, onnx_export

    s = Settings()
    site = args.site or s.site_dir
    index_dir = args.index or s.index_dir
    if args.if_stale and indexer.is_up_to_date(index_dir, site):
        print(f"Index in {index_dir} is up to date.")
        return 0
    pin_threads()
    try:
        report = indexer.build(
            site,
            index_dir,
            lambda: onnx_export.build_encoder(s.docs_dir, s.encoder, s.model_path),
            progress=not args.quiet,
            extra_writers=_extra_writers(),
            cache=VectorCache(cache_path(index_dir)),
            sentences=True,
        )
    except ModelMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"Index {report.version}: {report.chunks} chunks, {report.embedded} embedded, "
        f"{report.reused} reused ({report.texts_embedded} new texts with questions and sentences), "
        f"{report.seconds:.1f} s."
    )
    return 0


def _extra_writers() -> list:
    """Structures saved beside the vectors (e.g. BM25), registered by feature modules."""
    from search_api.index import extras as index_extras

    return index_extras.WRITERS


def _site_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--if-stale", action="store_true", help="do nothing when no source changed since the last build")


@command("build-site", "Build the static site with mkdocs --strict (skipped when no source changed).", _site_args)
def _build_site(args: argparse.Namespace) -> int:
    return build_site(args.if_stale)


def build_site(if_stale: bool = False) -> int:
    """Build the site with mkdocs --strict (nothing when `if_stale` and no source changed)."""
    import subprocess

    from search_api.config import ROOT
    from search_api.index.sources import source_fingerprint

    s = Settings()
    stamp = s.site_dir / paths.FINGERPRINT
    fingerprint = source_fingerprint()
    if if_stale and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        print(f"Site in {s.site_dir} is up to date.")
        return 0
    mkdocs = Path(sys.executable).with_name("mkdocs")
    print(f"Building the site into {s.site_dir} with MkDocs (about 15 s)...", flush=True)
    cmd = [str(mkdocs), "build", "--strict", "-d", str(s.site_dir)]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    log = run.stdout + run.stderr
    # Only what needs a reader's eye reaches the terminal; the whole log is kept with the site,
    # so the content tests check this very build instead of building the site a second time.
    for line in log.splitlines():
        if line.startswith(("WARNING", "ERROR", "Aborted", "Error")) or run.returncode:
            print(line, file=sys.stderr)
    if run.returncode == 0:
        paths.SITE_BUILD_LOG.parent.mkdir(parents=True, exist_ok=True)
        paths.SITE_BUILD_LOG.write_text(f"fingerprint: {fingerprint}\n{log}", encoding="utf-8")
    return run.returncode


def _onnx_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--if-missing", action="store_true", help="do nothing when a verified export exists")


@command(
    "export-onnx", "Export the model to ONNX and verify it against torch on the pages' own paragraphs.", _onnx_args
)
def _export_onnx(args: argparse.Namespace) -> int:
    import warnings

    from search_api.index import onnx as onnx_encoder
    from sitebuild import onnx_export

    if args.if_missing and onnx_encoder.is_verified():
        print("ONNX export is present and verified.")
        return 0
    warnings.filterwarnings("ignore")
    s = Settings()
    report = onnx_export.export_and_verify(s.docs_dir, s.model_path)
    state = "verified: queries will use ONNX" if report["verified"] else "NOT verified: queries will use torch"
    print(f"ONNX export {state} (min cosine {report['min_cosine']:.7f} over {report['texts']} texts).")
    return 0
