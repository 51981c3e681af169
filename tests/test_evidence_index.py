"""The evidence index (sitebuild/evidence_index.py): filters, rows and errors, then the real pages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sitebuild import evidence_index as ei  # noqa: E402

EVIDENCE = ROOT / "docs" / "evidence"


def page(title: str, block: str | None) -> str:
    """A small evidence page with the given evidence block (None for no block)."""
    lines = ["---", f"title: {title}", "type: evidence"]
    if block is not None:
        lines += ["evidence:", *(f"  {line}" for line in block.strip().splitlines())]
    lines += ["---", "", f"# {title}", "", "Body text.", ""]
    return "\n".join(lines)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Three synthetic evidence pages and an index page that the module must skip."""
    (tmp_path / "zeta-trial.md").write_text(
        page(
            "Zeta trial",
            "policy_area: health\ncountry: United States\ndesign: randomised\nresult: no effect\n"
            'finding: "Home visits did not change birth outcomes."',
        ),
        encoding="utf-8",
    )
    (tmp_path / "alpha-review.md").write_text(
        page(
            "Alpha review",
            "policy_area: cross-cutting\ncountry: Multiple\ndesign: review\nresult: mixed\n"
            'finding: "Most completed bonds met targets | but few had a comparison group."',
        ),
        encoding="utf-8",
    )
    (tmp_path / "beta-study.md").write_text(
        page(
            "Beta study",
            "policy_area: health\ncountry: Australia\ndesign: quasi-experimental\nresult: positive\n"
            'finding: "Fewer children entered care than in a matched group."',
        ),
        encoding="utf-8",
    )
    (tmp_path / "index.md").write_text(
        "---\ntitle: Evidence summaries\ntype: guidance\n---\n\n# Evidence\n", encoding="utf-8"
    )
    return tmp_path


def table_rows(markdown: str) -> list[str]:
    """The body rows of the rendered Markdown table."""
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    return rows[2:]  # header and separator first


def test_filters_list_only_the_values_present(folder: Path) -> None:
    values = ei.filter_values(ei.load_entries(folder))
    assert values["policy_area"] == ["Cross-cutting", "Health"]
    assert values["country"] == ["Australia", "Multiple", "United States"]
    assert values["design"] == ["Randomised", "Quasi-experimental", "Review"]  # enum order, "process" absent
    assert values["result"] == ["Positive", "Mixed", "No effect"]
    form = ei.render_filters(values)
    assert '<option value="Australia">Australia</option>' in form
    assert "Process" not in form and "Finland" not in form


def test_filter_controls_are_labelled_and_hidden_without_script(folder: Path) -> None:
    form = ei.render_filters(ei.filter_values(ei.load_entries(folder)))
    assert form.startswith('<form id="evidence-filters"') and " hidden " in form
    for ident in re.findall(r'<select id="([^"]+)"', form):
        assert f'<label for="{ident}">' in form, f"select {ident} has no label"
    assert len(re.findall(r"<select ", form)) == 4
    assert "onclick" not in form and "<script" not in form


def test_rows_are_sorted_by_policy_area_then_title(folder: Path) -> None:
    entries = ei.load_entries(folder)
    assert [e.title for e in entries] == ["Alpha review", "Beta study", "Zeta trial"]
    rows = table_rows(ei.render_table(entries))
    assert len(rows) == 3
    assert rows[0].startswith("| [Alpha review](alpha-review.md) | Cross-cutting | Multiple | Review | Mixed |")
    assert rows[1].startswith("| [Beta study](beta-study.md) | Health | Australia | Quasi-experimental |")


def test_each_row_shows_its_finding_with_pipes_escaped(folder: Path) -> None:
    table = ei.render_table(ei.load_entries(folder))
    assert "Home visits did not change birth outcomes." in table
    assert "Most completed bonds met targets \\| but few had a comparison group." in table
    assert table.splitlines()[0].startswith("Table: Evidence summaries on the hub (3)")


def test_index_page_is_left_out_and_marker_is_replaced(folder: Path) -> None:
    built = ei.build(folder, f"# Evidence\n\n{ei.MARKER}\n\n## More\n")
    assert ei.MARKER not in built
    assert "index.md" not in built
    assert "All 3 evidence summaries are listed." in built
    assert built.index("<form") < built.index("| Evidence summary |") < built.index("## More")


def test_missing_marker_raises(folder: Path) -> None:
    with pytest.raises(ei.EvidenceIndexError, match="evidence-index"):
        ei.build(folder, "# Evidence\n\nNo marker here.\n")


def test_page_missing_the_block_raises_a_clear_error(folder: Path) -> None:
    (folder / "no-block.md").write_text(page("No block", None), encoding="utf-8")
    with pytest.raises(ei.EvidenceIndexError, match=r"no-block\.md: no 'evidence:' block"):
        ei.load_entries(folder)


def test_bad_design_or_missing_key_raises(folder: Path) -> None:
    (folder / "bad.md").write_text(
        page("Bad", 'policy_area: health\ncountry: UK\ndesign: anecdote\nresult: mixed\nfinding: "x"'), encoding="utf-8"
    )
    with pytest.raises(ei.EvidenceIndexError, match=r"bad\.md: design 'anecdote'"):
        ei.load_entries(folder)
    (folder / "bad.md").write_text(page("Bad", "policy_area: health\ncountry: UK\ndesign: review"), encoding="utf-8")
    with pytest.raises(ei.EvidenceIndexError, match=r"bad\.md: .*missing result, finding"):
        ei.load_entries(folder)


def test_header_cells_get_column_scope() -> None:
    html = (
        '<p>Before</p><div class="pf-table-wrap" id="evidence-index"><table><thead><tr><th>A</th>'
        '<th style="text-align: left">B</th></tr></thead></table></div><table><tr><th>Other</th></tr></table>'
    )
    out = ei.add_header_scope(html)
    assert '<th scope="col">A</th>' in out and '<th scope="col" style="text-align: left">B</th>' in out
    assert "<th>Other</th>" in out  # only the evidence table is touched
    assert "<thead>" in out  # <thead> is not a header cell


def test_every_real_evidence_page_appears_in_the_index() -> None:
    pages = sorted(p.name for p in EVIDENCE.glob("*.md") if p.name != "index.md")
    assert len(pages) >= 8
    entries = ei.load_entries(EVIDENCE)
    assert sorted(e.path for e in entries) == pages
    table = ei.render_table(entries)
    for e in entries:
        assert f"]({e.path})" in table, f"{e.path} is missing from the evidence index"
        assert e.finding.replace("|", "\\|") in table
    index = (EVIDENCE / "index.md").read_text(encoding="utf-8")
    assert ei.MARKER in index, "docs/evidence/index.md has lost its evidence-index marker"
