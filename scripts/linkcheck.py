"""Link check over the built site: internal links, #anchors and /api/ references; external links listed.

Run: .venv/bin/python scripts/linkcheck.py [--site SITE_DIR] [--report FILE] [--no-api]

Every HTML file in the site is parsed. Each internal href/src (a, area, link, script, img,
source, iframe, audio, video, track, form action, meta refresh) must name a file of the site
(a folder means its index.html) and each #anchor an id or <a name> in the target page.
Attribute values starting with /api (such as data-api) and "/api/..." strings in the hub's
own scripts must match a route of the Flask app. External links (http, https, mailto, tel)
are never fetched: they are written to a report with the pages that use them.
Standard library only, apart from the Flask app for the route check.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
REPORT = ROOT / "kb" / "build" / "external-links.json"
# Which attributes of which elements hold a URL the reader's browser follows or loads.
URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "form": ("action",),
}
EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")
IGNORED_SCHEMES = ("data", "javascript", "blob", "about")
# Material's own files that are fine as they are: source maps and the search index are never linked.
SKIP_DIRS = {"_hub"}
_JS_API = re.compile(r"""["'`](/api(?:/[^"'`?#\s]*)?)""")
_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)


@dataclass(frozen=True)
class Broken:
    """One link that does not resolve, and why."""

    page: str
    url: str
    reason: str


@dataclass
class Report:
    """What the check found over one site."""

    pages: int = 0
    internal: int = 0
    anchors: int = 0
    api: int = 0
    broken: list[Broken] = field(default_factory=list)
    external: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        """One line with the counts."""
        return (
            f"{self.pages} pages, {self.internal} internal links ({self.anchors} with an anchor), "
            f"{self.api} /api/ references, {len(self.external)} distinct external links "
            f"(not fetched), {len(self.broken)} broken"
        )


class _PageParser(HTMLParser):
    """Collects (attribute, URL) pairs, API references and ids of one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []
        self.api: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for name in URL_ATTRS.get(tag, ()):
            if name in a:
                values = (
                    [c.strip().split()[0] for c in a[name].split(",") if c.strip()] if name == "srcset" else [a[name]]
                )
                self.urls += [(f"{tag}[{name}]", v.strip()) for v in values]
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            m = _REFRESH.search(a.get("content") or "")
            if m:
                self.urls.append(("meta[refresh]", m.group(1).strip()))
        self.api += [v for k, v in a.items() if v.startswith("/api") and k not in ("href", "src", "action")]


@cache
def parse(path: Path) -> _PageParser:
    """The parsed links and ids of one HTML file (each file parsed once)."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def html_files(site: Path) -> list[str]:
    """Every HTML file of the site, relative to it, sorted."""
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html") if not SKIP_DIRS & set(p.relative_to(site).parts)
    )


def classify(page: str, url: str, site_url: str = "") -> tuple[str, str, str]:
    """('external'|'ignored'|'api'|'internal', target file relative to the site, anchor)."""
    if site_url and url.startswith(site_url):
        url = "/" + url[len(site_url) :].lstrip("/")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in EXTERNAL_SCHEMES or url.startswith("//"):
        return "external", "", ""
    if scheme:
        return "ignored", "", ""
    path = unquote(parts.path)
    anchor = unquote(parts.fragment)
    if path == "/api" or path.startswith("/api/"):
        return "api", path, ""
    if not path:
        return "internal", page, anchor
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/") or ".")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if target.startswith(".."):
        return "internal", "../", anchor  # outside the site: never resolves
    if target == ".":
        target = ""
    return "internal", target, anchor


def resolve(site: Path, target: str) -> Path | None:
    """The file a target names; a folder means its index.html (use_directory_urls)."""
    if target.startswith(".."):
        return None
    candidate = site / target if target else site
    if candidate.is_file():
        return candidate
    if candidate.is_dir() and (candidate / "index.html").is_file():
        return candidate / "index.html"
    return None


def api_matcher() -> Callable[[str], bool]:
    """A function telling whether a path (or a prefix ending in /) is a route of the Flask app."""
    from search_api import create_app

    app = create_app({"TESTING": True})
    rules = [r.rule for r in app.url_map.iter_rules() if r.endpoint != "site.page" and r.endpoint != "static"]
    adapter = app.url_map.bind("localhost")

    def is_route(path: str) -> bool:
        if path.endswith("/"):  # a base the script adds a route name to, such as "/api/"
            return any(rule.startswith(path) for rule in rules)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            try:
                endpoint, _ = adapter.match(path, method=method)
            except Exception:  # noqa: BLE001 - NotFound, MethodNotAllowed, RequestRedirect
                continue
            if endpoint != "site.page":
                return True
        return False

    return is_route


def script_api_paths(site: Path) -> dict[str, list[str]]:
    """'/api/...' strings in the hub's own scripts (not Material's bundle or vendored files)."""
    found: dict[str, list[str]] = {}
    for js in sorted((site / "assets" / "javascripts").glob("*.js")):
        if js.name.startswith("bundle."):
            continue
        for path in _JS_API.findall(js.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(path, []).append(js.relative_to(site).as_posix())
    return found


def check_site(site: Path, site_url: str = "", is_route: Callable[[str], bool] | None = None) -> Report:
    """Check every HTML page of a built site; is_route=None skips the /api/ route check."""
    report = Report()
    external: dict[str, set[str]] = {}
    api_refs: dict[str, set[str]] = {}
    for page in html_files(site):
        report.pages += 1
        parsed = parse(site / page)
        for attr, url in dict.fromkeys(parsed.urls):
            kind, target, anchor = classify(page, url, site_url)
            if kind == "external":
                external.setdefault(url, set()).add(page)
            elif kind == "api":
                api_refs.setdefault(target, set()).add(f"{page} ({attr})")
            elif kind == "internal":
                report.internal += 1
                _check_internal(site, page, url, target, anchor, report)
        for value in parsed.api:
            api_refs.setdefault(urlsplit(value).path, set()).add(page)
    for path, scripts in script_api_paths(site).items():
        api_refs.setdefault(path, set()).update(scripts)
    if is_route is not None:
        for path, users in sorted(api_refs.items()):
            report.api += 1
            if not is_route(path):
                report.broken += [Broken(u, path, "no such API route") for u in sorted(users)]
    report.external = {url: sorted(pages) for url, pages in sorted(external.items())}
    return report


def _check_internal(site: Path, page: str, url: str, target: str, anchor: str, report: Report) -> None:
    found = resolve(site, target)
    if found is None:
        report.broken.append(Broken(page, url, f"no file {target or '/'} in the site"))
        return
    if not anchor:
        return
    report.anchors += 1
    if found.suffix == ".html" and anchor not in parse(found).ids:
        report.broken.append(Broken(page, url, f"no id {anchor!r} in {found.relative_to(site).as_posix()}"))


def site_url_of(mkdocs_yml: Path = ROOT / "mkdocs.yml") -> str:
    """site_url from mkdocs.yml: absolute links starting with it point inside the site."""
    m = re.search(r"^site_url:\s*(\S+)", mkdocs_yml.read_text(encoding="utf-8"), re.M)
    return m.group(1).strip("'\"") if m else ""


def write_external(report: Report, path: Path = REPORT) -> Path:
    """Write the external links and the pages using them as JSON; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "note": "External links are listed, never fetched (the hub is checked offline).",
        "count": len(report.external),
        "links": [{"url": url, "pages": pages} for url, pages in report.external.items()],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def format_broken(broken: Iterable[Broken]) -> str:
    """One line per broken link, grouped by page."""
    return "\n".join(f"{b.page}: {b.url} ({b.reason})" for b in sorted(broken, key=lambda b: (b.page, b.url)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SITE, help="built site folder (default: site)")
    parser.add_argument("--report", type=Path, default=REPORT, help="where to write the external links (JSON)")
    parser.add_argument("--no-api", action="store_true", help="skip checking /api/ references against the app")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"No built site in {args.site}: run `make site` first.", file=sys.stderr)
        return 2
    report = check_site(args.site, site_url_of(), None if args.no_api else api_matcher())
    out = write_external(report, args.report)
    print(report.summary())
    print(f"External links written to {out}")
    if report.broken:
        print("Broken links:\n" + format_broken(report.broken))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
