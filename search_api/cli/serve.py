"""`sophub serve`: the site and the API from one local process."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading

from search_api import state
from search_api.cli.registry import command
from search_api.config import Settings


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None, help="bind address (default: SOP_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: SOP_PORT or 8000)")
    p.add_argument(
        "--build",
        action="store_true",
        help="build the site if a source changed; when the index is missing or stale, build it in the "
        "background and serve at once (search matches words only until it is ready)",
    )


def _child(*args: str) -> subprocess.Popen:
    """A `sophub` command in a child process: the build uses every core, the server keeps one thread."""
    return subprocess.Popen([sys.executable, "-m", "search_api.cli", *args])


def _export_early() -> subprocess.Popen | None:
    """Export the model to ONNX while the site builds (None when a verified export is there).

    The export needs no site and MkDocs uses one core, so a fresh clone pays for the two at once."""
    from search_api.index import onnx

    if onnx.is_verified():
        return None
    print("Exporting the model to ONNX while the site builds...", flush=True)
    return _child("export-onnx", "--if-missing")


def _build_after(export: subprocess.Popen | None, children: list[subprocess.Popen]) -> None:
    """Wait for the export, build the index, and say when it ends (the server picks it up by itself)."""
    if export is not None:
        export.wait()
    child = _child("build-index", "--if-stale")
    children.append(child)
    code = child.wait()
    if code == 0:
        print("Search index ready: search by meaning is on.", flush=True)
    else:
        print(f"warning: the index build failed (exit {code}); run `make index` to see why.", file=sys.stderr)


def _start_builds(s: Settings, children: list[subprocess.Popen]) -> tuple[int, bool]:
    """Build the site here, and the index in the background when it is missing or stale.

    Returns the site build's exit code and whether an index build was started."""
    from search_api.cli.build import build_site
    from sitebuild import indexer

    export = _export_early()
    if export is not None:
        children.append(export)
    # The site in this process: one interpreter start less on every `make run`.
    code = build_site(if_stale=True)
    if code or indexer.is_up_to_date(s.index_dir, s.site_dir):
        return code, False
    print(
        "Building the search index in the background (about 2 minutes on a fresh clone). "
        "Until it is ready, search matches words only.",
        flush=True,
    )
    threading.Thread(target=_build_after, args=(export, children), daemon=True).start()
    return 0, True


@command("serve", "Serve the built site at / and the API at /api/ from one process.", _serve_args)
def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from search_api import create_app
    from search_api.index.embedder import ModelMissingError

    s = Settings()
    host = args.host or s.host
    port = args.port or s.port
    app = create_app()
    res = state.resources(app)
    children: list[subprocess.Popen] = []
    building = False
    if args.build:
        code, building = _start_builds(s, children)
        if code:
            _stop(children)
            return code
    if not building:
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
    finally:
        _stop(children)  # the cache keeps what was embedded; the next run goes on from there
    return 0


def _stop(children: list[subprocess.Popen]) -> None:
    """End the background builds that are still running."""
    for child in children:
        if child.poll() is None:
            child.terminate()
