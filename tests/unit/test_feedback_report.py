"""The feedback report and export: durations, grouping of declined questions, Markdown and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from search_api.feedback import report

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)
ROWS = [
    {
        "id": 1,
        "created": "2026-11-02T10:00:00+00:00",
        "rating": "up",
        "page": "/guidance/a/",
        "route": "answered",
        "question": "what is a sib",
        "comment": None,
        "answer_urls": ["/guidance/a/#x"],
    },
    {
        "id": 2,
        "created": "2026-11-03T10:00:00+00:00",
        "rating": "down",
        "page": "/guidance/a/",
        "route": "answered",
        "question": "who pays | back",
        "comment": "Missing the\nfigures",
        "answer_urls": ["/guidance/a/#y", "/b/"],
    },
    {
        "id": 3,
        "created": "2026-11-04T10:00:00+00:00",
        "rating": "down",
        "page": "/guidance/b/",
        "route": "declined",
        "question": "rates in wales",
        "comment": "nothing",
        "answer_urls": [],
    },
    {
        "id": 4,
        "created": "2026-11-05T10:00:00+00:00",
        "rating": "up",
        "page": None,
        "route": None,
        "question": None,
        "comment": None,
        "answer_urls": [],
    },
]
DECLINED = [
    {"created": "2026-11-02T09:00:00+00:00", "question": "What about Wales?"},
    {"created": "2026-11-06T09:00:00+00:00", "question": "what  about wales"},
    {"created": "2026-11-04T09:00:00+00:00", "question": "Who regulates SIBs?"},
]


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("30d", timedelta(days=30)),
        ("2w", timedelta(weeks=2)),
        ("12h", timedelta(hours=12)),
        (" 365D ", timedelta(days=365)),
    ],
)
def test_durations(text, delta):
    assert report.parse_duration(text) == delta


@pytest.mark.parametrize("text", ["", "30", "d", "0d", "-3d", "1y", "3 days", "30d;"])
def test_bad_durations_say_what_is_accepted(text):
    with pytest.raises(ValueError, match="30d, 2w or 12h"):
        report.parse_duration(text)


def test_questions_are_grouped_by_normalised_text():
    assert report.normalise_question("  What ABOUT\u200b Wales?! ") == "what about wales"
    assert report.normalise_question("Who's paying — the council?") == "who's paying the council"
    built = report.build([], DECLINED, SINCE, UNTIL)
    assert built.declined == [("what about wales", 2, "2026-11-06"), ("who regulates sibs", 1, "2026-11-04")]
    assert built.declined_total == 3


def test_ratings_by_page_and_route_put_the_unhelpful_first():
    built = report.build(ROWS, [], SINCE, UNTIL)
    assert built.ratings == 4
    assert list(built.by_page) == ["/guidance/a/", "/guidance/b/", "(no page)"]
    a = built.by_page["/guidance/a/"]
    assert (a.up, a.down, a.total, a.helpful) == (1, 1, 2, "50%")
    assert {k: (t.up, t.down) for k, t in built.by_route.items()} == {
        "answered": (1, 1),
        "declined": (0, 1),
        "(not sent)": (1, 0),
    }
    assert [r["id"] for r in built.unhelpful] == [3, 2]  # newest first


def test_markdown_report_has_every_section_and_safe_cells():
    text = report.to_markdown(report.build(ROWS, DECLINED, SINCE, UNTIL))
    for heading in (
        "## Ratings by page",
        "## Ratings by answer route",
        "## Answers rated unhelpful",
        "## Questions the chatbot declined most often",
    ):
        assert heading in text
    assert "| /guidance/a/ | 1 | 1 | 2 | 50% |" in text
    # A pipe or a new line in a reader's text cannot break the table.
    assert "who pays \\| back" in text and "Missing the figures" in text
    assert "| what about wales | 2 | 2026-11-06 |" in text
    assert "01 November 2026 to 01 December 2026" in text


def test_an_empty_period_says_so():
    text = report.to_markdown(report.build([], [], SINCE, UNTIL))
    assert "No ratings in this period." in text and "No answer was rated unhelpful" in text
    assert "SOP_LOG_DECLINED=1" in text


def test_csv_report_names_the_section_of_each_row():
    rows = list(csv.DictReader(io.StringIO(report.to_csv(report.build(ROWS, DECLINED, SINCE, UNTIL)))))
    assert {r["section"] for r in rows} == {"page", "route", "unhelpful", "declined"}
    unhelpful = [r for r in rows if r["section"] == "unhelpful"]
    assert unhelpful[1]["comment"] == "Missing the\nfigures" and unhelpful[1]["cited"] == "/guidance/a/#y /b/"
    assert [r for r in rows if r["section"] == "declined"][0]["count"] == "2"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_keeps_every_field(fmt):
    text = report.export(ROWS, fmt)
    if fmt == "json":
        back = json.loads(text)
    else:
        back = list(csv.DictReader(io.StringIO(text)))
        for r in back:
            r["answer_urls"] = r["answer_urls"].split()
            r["id"] = int(r["id"])
            for k in ("page", "route", "question", "comment"):
                r[k] = r[k] or None
    assert back == [{k: r[k] for k in report.EXPORT_COLUMNS} for r in ROWS]
