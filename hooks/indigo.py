"""MkDocs hook: INDIGO project, fund, organisation, finder and chart pages, generated at build time.

Nothing is committed: every page is made from kb/indigo/*.csv on each build. Case studies with
`indigo_id` in their front matter and the Life Chances Fund page get a link to the matching data page.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.utils.meta import get_data

from search_api.projects import export
from search_api.projects import load as indigo
from search_api.projects.query import Query
from sitebuild.charts import render_charts
from sitebuild.project_finder import render_finder, static_file
from sitebuild.project_lists import render_fund, render_funds_index, render_organisations
from sitebuild.project_pages import render_project

LCF_PAGE = "life-chances-fund/index.md"
LCF_NAME = "Life Chances Fund"
_state: dict = {"projects": {}, "case_studies": {}, "lcf": None}


def _case_studies(files) -> dict[str, str]:
    """indigo_id -> case-study source path, read from each case study's front matter."""
    out: dict[str, str] = {}
    for f in files:
        if f.src_uri.startswith("case-studies/") and f.src_uri.endswith(".md") and f.abs_src_path:
            _, meta = get_data(Path(f.abs_src_path).read_text(encoding="utf-8"))
            pid = str(meta.get("indigo_id") or "").strip().upper()
            if pid:
                out.setdefault(pid, f.src_uri)
    return out


def on_files(files, config):
    data = indigo.load(indigo.DATA_DIR)
    orgs = data.organisations
    cases = _case_studies(files)
    _state.update(projects={p.id: p for p in data.projects}, case_studies=cases, lcf=None)

    def add(path: str, content: str) -> None:
        files.append(File.generated(config, path, content=content))

    names = Counter(p.name.lower() for p in data.projects)
    for p in data.projects:
        add(f"projects/{p.slug}.md", render_project(p, orgs, cases.get(p.id), names[p.name.lower()] > 1))
    add("projects/index.md", render_finder(data))
    # The whole data set beside the finder, the same files /api/projects.csv and .json give unfiltered.
    add(f"projects/{static_file('csv')}", export.to_csv(data.projects, Query()))
    everything = export.to_json(data.projects, Query())
    add(f"projects/{static_file('json')}", json.dumps(everything, ensure_ascii=False, indent=1))
    add("projects/charts.md", render_charts(data))
    add("funds/index.md", render_funds_index(data))
    add("organisations/index.md", render_organisations(data))
    has_lcf_page = files.get_file_from_path(LCF_PAGE) is not None
    for fund in data.funds:
        related = []
        if fund.name.startswith(LCF_NAME):
            _state["lcf"] = fund
            if has_lcf_page:
                related.append(f"- [About the Life Chances Fund](../{LCF_PAGE})")
        add(f"funds/{fund.slug}.md", render_fund(fund, data, related))
    return files


def _insert_before_sources(markdown: str, text: str) -> str:
    """Put a paragraph just before the final '## Sources' heading (or at the end)."""
    matches = list(re.finditer(r"^## Sources\s*$", markdown, re.M))
    if not matches:
        return markdown.rstrip() + "\n\n" + text + "\n"
    at = matches[-1].start()
    return markdown[:at].rstrip() + "\n\n" + text + "\n\n" + markdown[at:]


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    if src.startswith("case-studies/"):
        pid = str(page.meta.get("indigo_id") or "").strip().upper()
        project = _state["projects"].get(pid)
        if project is not None:
            link = f"../projects/{project.slug}.md"
            markdown = _insert_before_sources(
                markdown,
                f"**Project data:** see [{project.id} in the project database]({link}) for its key facts,"
                " organisations, outcome metrics and results from INDIGO.",
            )
    elif src == LCF_PAGE and _state["lcf"] is not None:
        fund = _state["lcf"]
        markdown = _insert_before_sources(
            markdown,
            f"**Project data:** the [Life Chances Fund page in the project database](../funds/{fund.slug}.md)"
            f" lists all {len(fund.project_ids)} projects INDIGO links to the fund, each with its own page.",
        )
    return markdown
