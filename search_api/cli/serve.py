"""`sophub serve`: the site and the API from one local process."""

from __future__ import annotations

import argparse
import sys

from search_api import state
from search_api.cli.registry import command
from search_api.config import Settings


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None, help="bind address (default: SOP_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: SOP_PORT or 8000)")


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
