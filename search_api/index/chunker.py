"""Split a Markdown page into sections at h2/h3 headings, with the site's own anchors."""

from __future__ import annotations

import hashlib
import html
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from markdown import Markdown
from markdown.extensions.toc import slugify, unique

from search_api.index import markup

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ATTR = re.compile(r"\s*\{[:#.][^}]*\}\s*$")
_INLINE = re.compile(r"(\*\*|__|\*|_|`)")
_HTML_TAG = re.compile(r"<[^>]+>")
# Characters Markdown may read as markup in a heading ("snake_case", "`code`", "a * b", "&amp;").
_MARKUP_CHARS = re.compile(r"[*_`<>&\[\]!\\]")
_TOC_ID = re.compile(r' id="([^"]*)"')
_toc = threading.local()


@dataclass
class Chunk:
    """One searchable section of a page."""

    id: str
    page: str
    url: str
    title: str
    section: str
    text: str
    type: str = "guidance"
    meta: dict[str, Any] = field(default_factory=dict)
    hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def inline_text(md: str) -> str:
    """Markdown inline syntax reduced to the words a reader sees."""
    text = _LINK.sub(r"\1", md)
    text = _ATTR.sub("", text)
    text = _HTML_TAG.sub("", text)
    return _INLINE.sub("", text).strip()


def heading_slug(heading_md: str, used: set[str]) -> str:
    """The id Python-Markdown's toc gives this heading (same slugify, same de-duplication)."""
    explicit = re.search(r"\{[^}]*#([\w-]+)[^}]*\}\s*$", heading_md)
    if explicit:
        used.add(explicit.group(1))
        return explicit.group(1)
    if _MARKUP_CHARS.search(heading_md):
        # Markup is ambiguous ("_" may be literal): ask Python-Markdown's toc, as the site does.
        return unique(_toc_slug(heading_md), used)
    return unique(slugify(inline_text(heading_md), "-"), used)


def _toc_slug(heading_md: str) -> str:
    """The id the site's toc extension gives this heading on its own."""
    md = getattr(_toc, "md", None)
    if md is None:
        md = _toc.md = Markdown(extensions=["toc", "attr_list"])
    found = _TOC_ID.search(md.reset().convert("## " + heading_md))
    return html.unescape(found.group(1)) if found else "_1"


def _table_row(line: str, header: list[str] | None) -> tuple[str, list[str] | None]:
    cells = [inline_text(c) for c in line.strip().strip("|").split("|")]
    if header is None:
        return "", cells
    if len(cells) == 2 and len(header) == 2:
        # Two-column fact tables ("Place | Peterborough") read best as "Place: Peterborough."
        return f"{cells[0]}: {cells[1]}.", header
    pairs = [f"{h}: {c}" for h, c in zip(header, cells, strict=False) if c]
    return "; ".join(pairs) + ".", header


# An HTML tag that may run over several lines (a form field with its attributes on two lines).
_TAG_ACROSS_LINES = re.compile(r"<[A-Za-z/!][^<>]*>", re.S)


def _prose_lines(lines: list[str]) -> list[str]:
    """The lines outside code fences, with HTML tags removed even where one runs over several lines.

    Line by line, "<input id=... autocomplete="off"" and its last line "aria-...">" are not tags,
    and the chatbot quoted them as a sentence."""
    kept: list[str] = []
    in_fence = False
    for raw in lines:
        if markup.FENCE.match(raw):
            in_fence = not in_fence
        elif not in_fence:
            kept.append(raw)
    return _TAG_ACROSS_LINES.sub("", "\n".join(kept)).split("\n")


def body_text(lines: list[str]) -> str:
    """Plain text of a section body: tables flattened, fences and markup dropped."""
    out: list[str] = []
    header: list[str] | None = None
    for raw in _prose_lines(lines):
        if markup.ABBR_DEF.match(raw.strip()):
            continue
        line = raw.strip()
        if line.startswith("|"):
            if markup.TABLE_RULE.match(line):
                continue
            text, header = _table_row(line, header)
            if text:
                out.append(text)
            continue
        header = None
        adm = markup.ADMONITION.match(line)
        if adm:
            continue
        line = re.sub(r"^([-*+]|\d+\.)\s+", "", line)
        line = line.lstrip("> ")
        if line:
            out.append(inline_text(line))
        else:
            out.append("")
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def content_hash(*parts: str) -> str:
    """A stable hash of a chunk's content (what decides re-embedding)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def chunk_page(markdown_text: str, url: str, title: str, meta: dict[str, Any] | None = None) -> list[Chunk]:
    """Sections of one page: the intro, then each h2 and h3, each with its anchor URL."""
    meta = dict(meta or {})
    markdown_text = markup.FRONT_MATTER.sub("", markdown_text, count=1)
    page_type = str(meta.get("type", "guidance"))
    used: set[str] = set()
    sections: list[tuple[str, str, list[str]]] = [("", title, [])]
    path: list[str] = []
    in_fence = False
    for line in markdown_text.splitlines():
        if markup.FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if not m:
            sections[-1][2].append(line)
            continue
        level, heading = len(m.group(1)), m.group(2)
        anchor = heading_slug(heading, used)
        if level == 1:
            continue
        name = inline_text(_ATTR.sub("", heading))
        if level == 2:
            path = [name]
        elif level == 3:
            path = path[:1] + [name]
        else:
            sections[-1][2].append(name)
            continue
        sections.append((anchor, " > ".join(path), []))
    chunks: list[Chunk] = []
    for anchor, section, lines in sections:
        text = body_text(lines)
        if not text:
            continue
        full_url = f"{url}#{anchor}" if anchor else url
        keep = {k: meta[k] for k in ("tags", "policy_area", "country", "launch_year", "indigo_id") if k in meta}
        chunk = Chunk(
            id=content_hash(full_url)[:16],
            page=url,
            url=full_url,
            title=title,
            section=section or title,
            text=text,
            type=page_type,
            meta=keep,
        )
        chunk.hash = content_hash(chunk.title, chunk.section, chunk.text)
        chunks.append(chunk)
    return chunks


# Link lists answer no question and crowd out real sections in results.
SKIP_SECTIONS = {"Related pages", "Sources"}


def chunks_from_pages(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every section of every page as a JSON-ready chunk."""
    out: list[dict[str, Any]] = []
    for page in pages:
        meta = page.get("meta") or {}
        search = meta.get("search")
        if isinstance(search, dict) and search.get("exclude"):
            continue
        questions = meta.get("questions") or {}
        rests_on = meta.get("based_on") or {}
        for chunk in chunk_page(page["markdown"], page["url"], page["title"], meta):
            # Link lists answer no question and crowd out real sections in results.
            if chunk.section.split(" > ")[0] in SKIP_SECTIONS:
                continue
            anchor = chunk.url.partition("#")[2]
            if questions.get(anchor):
                chunk.meta["questions"] = list(questions[anchor])
            if rests_on.get(anchor):
                chunk.meta["based_on"] = list(rests_on[anchor])
            out.append(chunk.to_dict())
    return out
