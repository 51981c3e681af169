"""MkDocs hook: export every page's Markdown and URL so the search index matches the site."""

from __future__ import annotations

import json
import os

from search_api import paths
from sitebuild import section_questions

_pages: list[dict] = []


def on_pre_build(config):
    _pages.clear()


def on_page_markdown(markdown, page, config, files):
    # Dates in front matter become ISO strings so the export stays plain JSON.
    meta = json.loads(json.dumps(dict(page.meta), default=str))
    # Questions each section answers, in readers' words: search matches them question-to-question.
    questions = section_questions.questions_for(page.file.src_uri, "/" + page.url, markdown)
    if questions:
        meta["questions"] = questions
    rests_on = section_questions.based_on(page.file.src_uri, markdown)
    if rests_on:
        meta["based_on"] = rests_on
    _pages.append(
        {
            "src": page.file.src_uri,
            "url": "/" + page.url,
            "title": page.meta.get("title") or page.title or "",
            "meta": meta,
            "markdown": markdown,
        }
    )
    return markdown


def on_post_build(config):
    out = os.path.join(config["site_dir"], paths.PAGES_EXPORT)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        for page in sorted(_pages, key=lambda p: p["url"]):
            fh.write(json.dumps(page, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    # The fingerprint of the sources this site was built from: tells when site and index are stale.
    from search_api.index.sources import source_fingerprint

    with open(os.path.join(config["site_dir"], paths.FINGERPRINT), "w", encoding="utf-8") as fh:
        fh.write(source_fingerprint())
