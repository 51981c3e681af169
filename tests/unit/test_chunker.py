from markdown import Markdown

from search_api.index import chunker
from search_api.index.chunker import chunk_page


def _ids(md: str) -> list[str]:
    html = Markdown(extensions=["toc", "attr_list", "tables"]).convert(md)
    import re

    return re.findall(r'<h[23] id="([^"]+)"', html)


def test_sections_split_at_h2_and_h3_with_heading_path():
    md = "# Page\n\nIntro.\n\n## First part\n\nOne.\n\n### Detail\n\nTwo.\n\n## Second\n\nThree.\n"
    chunks = chunk_page(md, "/p/", "Page", {"type": "guidance"})
    assert [c.section for c in chunks] == ["Page", "First part", "First part > Detail", "Second"]
    assert [c.url for c in chunks] == ["/p/", "/p/#first-part", "/p/#detail", "/p/#second"]


def test_anchors_match_python_markdown_toc_including_duplicates_and_markup():
    md = (
        "# Same\n\n## Same\n\nx\n\n## Same\n\ny\n\n## A [link](x.md) and `code` (2010): £5m\n\nz\n\n"
        "## Custom {#my-id}\n\nw\n"
    )
    chunks = chunk_page(md, "/p/", "Same")
    assert [c.url.split("#")[1] for c in chunks] == _ids(md)


def test_front_matter_fences_and_tables():
    md = "---\ntitle: X\n---\n# X\n\n## Facts\n\n| Fact | Value |\n|---|---|\n| Place | Peterborough |\n\n```mermaid\n# not a heading\n```\n"
    chunks = chunk_page(md, "/x/", "X")
    assert len(chunks) == 1
    assert chunks[0].text == "Place: Peterborough."


def test_hash_changes_with_text_only():
    a = chunk_page("# T\n\n## S\n\nOne.\n", "/t/", "T")[0]
    b = chunk_page("# T\n\n## S\n\nOne.\n", "/t/", "T")[0]
    c = chunk_page("# T\n\n## S\n\nTwo.\n", "/t/", "T")[0]
    assert a.hash == b.hash != c.hash


def test_html_tags_split_over_lines_are_not_quoted_as_text():
    body = chunker.body_text(
        [
            '<form id="f" action="tools/search/">',
            '  <label for="q">Search the hub</label>',
            '  <input id="q" type="search" name="query"',
            '         aria-describedby="hint">',
            "</form>",
            "```html",
            '<input id="shown-in-a-code-block"',
            "```",
        ]
    )
    assert body == "Search the hub"
    assert "aria-describedby" not in body and "<" not in body
