"""deploy/nginx.conf with its {{...}} values filled in: paths, ports, API servers and the site's security headers.

The headers are taken from the app itself (what it sends with a page of this site over
HTTPS), so nginx and the app can never disagree, CSP hashes included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from search_api.config import ROOT, Settings

TEMPLATE = ROOT / "deploy" / "nginx.conf"
# The security headers of a site page, in the order nginx sends them.
SITE_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
)
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


@dataclass
class NginxValues:
    """What differs between installations."""

    site_dir: Path
    apis: list[str] = field(default_factory=lambda: ["127.0.0.1:8000"])
    server_name: str = "localhost"
    listen: str = "443"
    http_listen: str = "80"
    cert: str = "/etc/ssl/certs/sophub.pem"
    key: str = "/etc/ssl/private/sophub.key"


def app_headers(site_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The security headers the app sends over HTTPS with a page of the site, and with an API answer."""
    from search_api import create_app

    # The default SQLite store opens nothing until a write: rendering never touches a database.
    settings = Settings(site_dir=Path(site_dir), feedback_url="")
    app = create_app({"TESTING": True, "SETTINGS": settings, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    page = client.get("/", base_url="https://localhost")
    api = client.get("/api/openapi.json", base_url="https://localhost")
    pick = lambda resp: {n: resp.headers[n] for n in SITE_HEADERS if n in resp.headers}  # noqa: E731
    return pick(page), pick(api)


def _quoted(value: str) -> str:
    if '"' in value or "\n" in value:
        raise ValueError(f"a header value nginx cannot quote: {value!r}")
    return f'"{value}"'


def render(values: NginxValues, template: str | None = None) -> str:
    """The server configuration for nginx, every {{...}} filled in."""
    text = template if template is not None else TEMPLATE.read_text(encoding="utf-8")
    site, api = app_headers(values.site_dir)
    simple = {
        "SITE_DIR": str(Path(values.site_dir).resolve()),
        "SERVER_NAME": values.server_name,
        "LISTEN": values.listen,
        "HTTP_LISTEN": values.http_listen,
        "CERT": values.cert,
        "KEY": values.key,
    }
    out = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        if "{{API}}" in line:
            out += [line.replace("{{API}}", api) for api in values.apis]
        elif line.strip() in ("{{SITE_HEADERS}}", "{{API_HEADERS}}"):
            headers = site if "SITE" in line else api
            out += [f"{indent}add_header {name} {_quoted(value)} always;" for name, value in headers.items()]
        else:
            out.append(_PLACEHOLDER.sub(lambda m: _value(simple, m.group(1)), line))
    return "\n".join(out) + "\n"


def _value(values: dict[str, str], name: str) -> str:
    if name not in values:
        raise ValueError(f"deploy/nginx.conf names an unknown value {{{{{name}}}}}")
    return values[name]
