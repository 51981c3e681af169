"""MkDocs hook: when a page moves, its old address still works.

kb/redirects.yaml (next to mkdocs.yml) maps an old page path to its new one, both as paths
under docs/, for example `guidance/old-name.md: guidance/new-name.md#a-section`. After the
build, each old address gets a tiny HTML page: a meta refresh, a canonical link to the new
address and a plain link for readers whose browser does not follow the refresh.
"""

from __future__ import annotations

import html
import logging
import posixpath
from pathlib import Path

import yaml

from search_api import paths

log = logging.getLogger("mkdocs.hooks.redirects")
# Relative to the folder mkdocs runs in, so a test can build a site of its own with its own redirects.
REDIRECTS_FILE = paths.REDIRECTS.relative_to(paths.ROOT)

_redirects: dict[str, str] = {}


def load_redirects(path: Path) -> dict[str, str]:
    """Old page path -> new page path (optionally with #anchor); empty if the file is absent."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{path} must map old page paths to new page paths (strings)")
    for old, new in data.items():
        if not old.endswith(".md") or not new.split("#", 1)[0].endswith(".md"):
            raise ValueError(f"{path}: {old} -> {new}: both must be page paths ending in .md")
    return dict(data)


def page_url(src: str, use_directory_urls: bool = True) -> str:
    """The URL (relative to the site root) MkDocs gives the page at docs/<src>."""
    stem = src[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    if stem.lower() == "readme" or stem.lower().endswith("/readme"):
        return stem[: -len("readme")]
    return stem + "/" if use_directory_urls else stem + ".html"


def output_file(url: str) -> str:
    """The file under the site folder that serves a URL."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def relative_url(from_url: str, to_url: str) -> str:
    """A link from the page at from_url to to_url, relative so it works on any host."""
    from_dir = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url)
    rel = posixpath.relpath("/" + to_url, "/" + from_dir) if to_url else posixpath.relpath("/", "/" + from_dir)
    if rel == ".":
        return "./"
    return rel + "/" if (to_url == "" or to_url.endswith("/")) and not rel.endswith("/") else rel


def redirect_html(old_url: str, new_url: str, anchor: str, site_url: str) -> str:
    """The small page served at the old address."""
    target = relative_url(old_url, new_url) + (f"#{anchor}" if anchor else "")
    canonical = (site_url.rstrip("/") + "/" + new_url) if site_url else target
    t, c = html.escape(target, quote=True), html.escape(canonical, quote=True)
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>This page has moved</title>\n"
        f'<link rel="canonical" href="{c}">\n'
        f'<meta http-equiv="refresh" content="0; url={t}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n<body>\n"
        f'<p>This page has moved. Go to <a href="{t}">its new address</a>.</p>\n'
        "</body>\n</html>\n"
    )


def write_redirects(
    site_dir: Path, redirects: dict[str, str], site_url: str = "", use_directory_urls: bool = True
) -> list[Path]:
    """Write one redirect page per entry into site_dir; returns the files written."""
    written = []
    for old, new in sorted(redirects.items()):
        new_src, _, anchor = new.partition("#")
        old_url, new_url = page_url(old, use_directory_urls), page_url(new_src, use_directory_urls)
        out = site_dir / output_file(old_url)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(redirect_html(old_url, new_url, anchor, site_url), encoding="utf-8")
        written.append(out)
    return written


def on_config(config):
    _redirects.clear()
    _redirects.update(load_redirects(Path(config.config_file_path).parent / REDIRECTS_FILE))
    return config


def on_files(files, config):
    # A redirect must lead to a page that exists and must not hide a page that still exists.
    pages = {f.src_uri for f in files.documentation_pages()}
    for old, new in sorted(_redirects.items()):
        if old in pages:
            log.warning(f"redirects: '{old}' still exists, so it cannot redirect to '{new}'")
        if new.split("#", 1)[0] not in pages:
            log.warning(f"redirects: '{old}' redirects to '{new}', which is not a page")
    return files


def on_post_build(config):
    write_redirects(Path(config["site_dir"]), _redirects, config.get("site_url") or "", config["use_directory_urls"])
