"""MkDocs hook: fill the landing page's "Recently reviewed" list from every page's front matter."""

from __future__ import annotations

from pathlib import Path

from mkdocs.utils.meta import get_data

from sitebuild import landing

LANDING = "index.md"
_state: dict = {"pages": []}


def on_files(files, config):
    # Only hand-written pages: generated project and fund pages share one review date of the data.
    order = {src: i for i, src in enumerate(landing.nav_order(config.get("nav") or []))}
    pages = []
    for f in files.documentation_pages():
        if not f.abs_src_path or not Path(f.abs_src_path).is_file():
            continue
        _, meta = get_data(Path(f.abs_src_path).read_text(encoding="utf-8"))
        day = landing.as_date(meta.get("last_reviewed"))
        if day and meta.get("title"):
            pages.append(landing.Reviewed(f.src_uri, str(meta["title"]), day, order.get(f.src_uri, len(order))))
    _state["pages"] = pages
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != LANDING or landing.PLACEHOLDER not in markdown:
        return markdown
    return markdown.replace(landing.PLACEHOLDER, landing.render(landing.latest(_state["pages"], LANDING)))
