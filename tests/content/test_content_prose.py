"""The sentence splitter and readability script the content tests rely on, and the link helpers."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from search_api.config import ROOT
from tests.support import content_site as cs

readability = cs.load_script("readability")
S = readability.sentences


def test_front_matter_headings_and_code_are_not_prose():
    page = (
        "---\ntitle: A title that is long enough to be a sentence\ntype: guidance\n---\n"
        "# Heading one\n\n## Heading two\n\n```python\nx = 1. Y = 2\n```\n\n"
        "```mermaid\nflowchart LR\n  A --> B\n```\n\nOnly this is prose.\n"
    )
    assert S(page) == ["Only this is prose."]


def test_fences_inside_admonitions_are_skipped_and_the_admonition_text_kept():
    page = '!!! summary "Summary"\n    The box text. It has two sentences.\n\n    ```\n    code. Not prose\n    ```\n'
    assert S(page) == ["The box text.", "It has two sentences."]


def test_pipe_and_html_tables_are_skipped():
    page = (
        "Before the table.\n\n| Fact | Value |\n|---|---|\n| Place. | Peterborough. |\n\n"
        "Fact | Value\n--- | ---\nA | B\n\n"
        "<table><tr><td>Cell one. Cell two</td></tr>\n<tr><td>More</td></tr></table>\n\nAfter the table.\n"
    )
    assert S(page) == ["Before the table.", "After the table."]


def test_links_keep_their_text_and_urls_are_dropped():
    page = "Read [the guidance](https://www.gov.uk/guidance/x) now. See <https://example.org/a.b> or https://x.org/y.z too.\n"
    assert S(page) == ["Read the guidance now.", "See or too."]


def test_list_items_are_separate_sentences_without_their_markers():
    page = "- first item without a stop\n- second item\n  continues here\n1. numbered item\n2) another one\n"
    assert S(page) == ["first item without a stop", "second item continues here", "numbered item", "another one"]


def test_abbreviations_initials_and_decimals_do_not_end_a_sentence():
    text = "Some funds, e.g. The Life Chances Fund, paid £1.2m to Dr. Smith of the U.S. Treasury (c. 25% of it). Then it ended."
    assert readability.split_sentences(text) == [
        "Some funds, e.g. The Life Chances Fund, paid £1.2m to Dr. Smith of the U.S. Treasury (c. 25% of it).",
        "Then it ended.",
    ]


def test_question_marks_exclamations_quotes_and_brackets_end_sentences():
    text = 'Does it work? Yes! They said "it did." (A trial showed it.) 2016 was the start.'
    assert readability.split_sentences(text) == [
        "Does it work?",
        "Yes!",
        'They said "it did."',
        "(A trial showed it.)",
        "2016 was the start.",
    ]


def test_lower_case_after_a_stop_does_not_split():
    assert readability.split_sentences("It cost approx. ten pounds. next") == ["It cost approx. ten pounds. next"]


def test_html_comments_abbreviation_lines_and_blockquote_markers():
    page = "<!-- a comment. With two sentences -->\n*[SOP]: Social Outcomes Partnership\n\n> Quoted text here.\n"
    assert S(page) == ["Quoted text here."]


def test_a_36_word_sentence_is_counted_as_one():
    long = "Word " + " ".join(["word"] * 34) + " end."
    found = S(f"Short one. {long}\n")
    assert [readability.word_count(s) for s in found] == [2, 36]


def test_word_count_ignores_punctuation_only_tokens():
    assert readability.word_count("Costs – about £70m – rose (a lot) .") == 6


@pytest.mark.parametrize(
    ("word", "count"),
    [("the", 1), ("cat", 1), ("people", 2), ("table", 2), ("social", 2), ("outcomes", 2), ("investor", 3),
     ("partnership", 3), ("SOP", 3), ("2016", 1)],
)  # fmt: skip
def test_syllables(word, count):
    assert readability.syllables(word) == count


def test_flesch_formula():
    assert readability.flesch_reading_ease(100, 5, 150) == pytest.approx(59.635)
    assert readability.flesch_reading_ease(0, 0, 0) == 0.0


def test_measure_a_page():
    r = readability.measure("p.md", "# T\n\nThe cat sat. The dog ran away.\n")
    assert (r.words, r.sentences, r.average_sentence_length) == (7, 2, 3.5)
    expected = 206.835 - 1.015 * 3.5 - 84.6 * (8 / 7)  # "away" has two syllables
    assert r.flesch == round(expected, 1)


# --- the script ------------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readability.py"), *args], capture_output=True, text=True, cwd=ROOT
    )


def test_script_prints_each_page_and_the_medians(tmp_path):
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "one.md").write_text("---\ntitle: One\n---\n# One\n\nThe cat sat.\n", encoding="utf-8")
    (docs / "a" / "two.md").write_text("# Two\n\nThe dog ran away. It came back home.\n", encoding="utf-8")
    (docs / "a" / "three.md").write_text("# Three\n\nA bird flew over the old red barn today.\n", encoding="utf-8")
    run = _run("--docs", str(docs))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert any(line.startswith("a/two.md") for line in lines) and any(line.startswith("one.md") for line in lines)
    # words 3, 8, 9 -> median 8; sentence lengths 3.0, 4.0, 9.0 -> median 4.0
    assert re.search(
        r"Median over 3 pages: 8 words, average sentence length 4\.0 words, Flesch reading ease -?\d+\.\d", lines[-1]
    )


def test_script_reads_a_built_site_export(tmp_path):
    cs_pages = [{"src": "glossary.md", "markdown": "# G\n\nA term means a thing.\n"}]
    (tmp_path / "_hub").mkdir()
    (tmp_path / "_hub" / "pages.jsonl").write_text("\n".join(json.dumps(p) for p in cs_pages), encoding="utf-8")
    run = _run("--site", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "glossary.md" in run.stdout and "Median over 1 pages: 5 words" in run.stdout


def test_script_runs_on_the_hub_and_prints_a_median():
    run = _run()
    assert run.returncode == 0, run.stderr
    median = re.search(r"Median over (\d+) pages: ([\d.]+) words, average sentence length ([\d.]+) words", run.stdout)
    assert median, run.stdout[-500:]
    assert int(median.group(1)) == len([p for p in cs.DOCS.rglob("*.md")]) - sum(
        1 for p in cs.DOCS.rglob("*.md") if not readability.sentences(p.read_text(encoding="utf-8"))
    )
    assert 0 < float(median.group(3)) <= 35


def test_script_reports_a_missing_folder(tmp_path):
    run = _run("--site", str(tmp_path / "nowhere"))
    assert run.returncode == 2 and "error" in run.stderr


# --- link helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../benefits/", ("guidance/benefits/index.html", "")),
        ("../benefits/#costs", ("guidance/benefits/index.html", "costs")),
        ("#top", ("guidance/what/index.html", "top")),
        ("../../assets/x.css?v=1", ("assets/x.css", "")),
        ("../..", ("index.html", "")),
        ("/tags/", ("tags/index.html", "")),
        ("http://127.0.0.1:8000/evidence/", ("evidence/index.html", "")),
        ("https://www.gov.uk/", None),
        ("mailto:a@b.org", None),
        ("//cdn.example.org/x.js", None),
        ("/api/search", None),
    ],
)
def test_internal_target(href, expected):
    assert cs.internal_target("guidance/what/index.html", href, "http://127.0.0.1:8000/") == expected


def test_link_parser_finds_hrefs_ids_and_names(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<a href="x/">x</a><h2 id="h">H</h2><a name="old"></a><link href="s.css">', encoding="utf-8")
    hrefs, ids = cs.parse_html(page)
    assert hrefs == ("x/", "s.css") and ids == {"h", "old"}
