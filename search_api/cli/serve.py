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


def _start_build(s: Settings) -> subprocess.Popen | None:
    """Start `build-index` as a child process when the index is missing or stale (None when current)."""
    from sitebuild import indexer

    if indexer.is_up_to_date(s.index_dir, s.site_dir):
        return None
    print(
        "Building the search index in the background (a few minutes on a fresh clone). "
        "Until it is ready, search matches words only.",
        flush=True,
    )
    # A child process, not a thread: the build uses every core, the server keeps one thread.
    return subprocess.Popen([sys.executable, "-m", "search_api.cli", "build-index", "--if-stale"])


def _watch(child: subprocess.Popen) -> None:
    """Say when the background build ends (the server picks the new index up by itself)."""
    code = child.wait()
    if code == 0:
        print("Search index ready: search by meaning is on.", flush=True)
    else:
        print(f"warning: the index build failed (exit {code}); run `make index` to see why.", file=sys.stderr)


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
    child = None
    if args.build:
        from search_api.cli.build import build_site

        # The site first (in this process: one interpreter start less on every `make run`).
        code = build_site(if_stale=True)
        if code:
            return code
        child = _start_build(s)
    if child is None:
        # Load the model and index before saying we are ready, so the first reader waits for nothing.
        try:
            res.encoder()
        except ModelMissingError as exc:  # the site still serves; search runs on words only
            print(f"warning: {exc} Search will match words only; /api/health says degraded.", file=sys.stderr)
        try:
            res.index()
        except Exception as exc:  # noqa: BLE001 - the site still serves; health says degraded
            print(f"warning: {exc}", file=sys.stderr)
    else:
        threading.Thread(target=_watch, args=(child,), daemon=True).start()
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
        if child is not None and child.poll() is None:
            child.terminate()  # the cache keeps what it embedded; the next run goes on from there
    return 0
