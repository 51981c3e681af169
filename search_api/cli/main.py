"""The `sophub` command: build the index, serve the hub, and the other tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .config import Settings

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def command(name: str, help_text: str, add_args: Callable[[argparse.ArgumentParser], None] | None = None):
    """Register a subcommand: each feature module adds its own."""

    def wrap(fn: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help_text, add_args or (lambda p: None), fn)
        return fn

    return wrap


def _index_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", type=Path, default=None, help="built site folder (default: SOP_SITE_DIR or site)")
    p.add_argument("--index", type=Path, default=None, help="index folder (default: SOP_INDEX_DIR or kb/index)")
    p.add_argument("--if-stale", action="store_true", help="do nothing when the index already matches the site")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


@command("build-index", "Build the search index from the built site (re-embeds changed chunks only).", _index_args)
def _build_index(args: argparse.Namespace) -> int:
    from . import indexer
    from .embedder import ModelMissingError, load_torch_encoder, pin_threads

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
            lambda: load_torch_encoder(s.model_path),
            progress=not args.quiet,
            extra_writers=_extra_writers(),
        )
    except ModelMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"Index {report.version}: {report.chunks} chunks, {report.embedded} embedded, "
        f"{report.reused} reused, {report.seconds:.1f} s."
    )
    return 0


def _extra_writers() -> list:
    """Structures saved beside the vectors (e.g. BM25), registered by feature modules."""
    from . import index_extras

    return index_extras.WRITERS


def _site_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--if-stale", action="store_true", help="do nothing when no source changed since the last build")


@command("build-site", "Build the static site with mkdocs --strict (skipped when no source changed).", _site_args)
def _build_site(args: argparse.Namespace) -> int:
    import subprocess

    from .config import ROOT
    from .sources import source_fingerprint

    s = Settings()
    stamp = s.site_dir / "_hub" / "fingerprint"
    fingerprint = source_fingerprint()
    if args.if_stale and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        print(f"Site in {s.site_dir} is up to date.")
        return 0
    mkdocs = Path(sys.executable).with_name("mkdocs")
    code = subprocess.call([str(mkdocs), "build", "--strict", "--quiet", "-d", str(s.site_dir)], cwd=ROOT)
    return code


def _onnx_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--if-missing", action="store_true", help="do nothing when a verified export exists")


@command("export-onnx", "Export the model to ONNX and verify it against the torch vectors of the index.", _onnx_args)
def _export_onnx(args: argparse.Namespace) -> int:
    import warnings

    from . import onnx_encoder

    if args.if_missing and onnx_encoder.is_verified():
        print("ONNX export is present and verified.")
        return 0
    warnings.filterwarnings("ignore")
    report = onnx_encoder.export_and_verify(Settings().index_dir, Settings().model_path)
    state = "verified: queries will use ONNX" if report["verified"] else "NOT verified: queries will use torch"
    print(f"ONNX export {state} (min cosine {report['min_cosine']:.7f} over {report['texts']} chunks).")
    return 0


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None, help="bind address (default: SOP_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: SOP_PORT or 8000)")


@command("serve", "Serve the built site at / and the API at /api/ from one process.", _serve_args)
def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from . import create_app
    from .embedder import ModelMissingError

    s = Settings()
    host = args.host or s.host
    port = args.port or s.port
    app = create_app()
    res = app.extensions["sop"]
    # Load the model and index before saying we are ready, so the first reader waits for nothing.
    try:
        res.encoder()
    except ModelMissingError as exc:  # the site still serves; search runs on words only
        print(f"warning: {exc} Search will match words only; /api/health says degraded.", file=sys.stderr)
    try:
        res.index()
    except Exception as exc:  # noqa: BLE001 - the site still serves; health says degraded
        print(f"warning: {exc}", file=sys.stderr)
    server = make_server(host, port, app, threaded=True)
    print(
        f"Serving the hub at http://{host}:{port}/ (API at http://{host}:{port}/api/). Press Ctrl+C to stop.",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sophub` console script."""
    from . import cli_commands  # noqa: F401 - registers the feature commands

    parser = argparse.ArgumentParser(prog="sophub", description="Social Outcomes Partnerships hub tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_args, _fn) in sorted(COMMANDS.items()):
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_args(p)
    args = parser.parse_args(argv)
    return COMMANDS[args.command][2](args)


if __name__ == "__main__":
    sys.exit(main())
