"""`sophub nginx-conf`: deploy/nginx.conf with this installation's paths, ports and the site's security headers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from search_api.cli.registry import command
from search_api.config import Settings


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--site", type=Path, default=None, help="the built site nginx serves (default: SOP_SITE_DIR or site)"
    )
    p.add_argument("--api", action="append", default=None, help="a gunicorn server, host:port (repeat for several)")
    p.add_argument("--server-name", default="localhost", help="the site's host name")
    p.add_argument("--listen", default="443", help="HTTPS address or port (default 443)")
    p.add_argument("--http-listen", default="80", help="plain HTTP address or port, redirected to HTTPS (default 80)")
    p.add_argument("--cert", default="/etc/ssl/certs/sophub.pem", help="TLS certificate file")
    p.add_argument("--key", default="/etc/ssl/private/sophub.key", help="TLS key file")


@command("nginx-conf", "Print deploy/nginx.conf filled in: paths, ports, API servers and the site's CSP hashes.", _args)
def _nginx_conf(args: argparse.Namespace) -> int:
    from search_api.web.nginx_conf import NginxValues, render

    site = (args.site or Settings().site_dir).resolve()
    if not (site / "index.html").is_file():
        print(f"error: {site} holds no built site (index.html): run `make site` first", file=sys.stderr)
        return 2
    values = NginxValues(
        site_dir=site,
        apis=args.api or ["127.0.0.1:8000"],
        server_name=args.server_name,
        listen=args.listen,
        http_listen=args.http_listen,
        cert=args.cert,
        key=args.key,
    )
    sys.stdout.write(render(values))
    return 0
