"""The landing page's "Recently reviewed pages" list, from front matter (sitebuild/landing.py)."""

from __future__ import annotations

import datetime as dt

from sitebuild import landing

DAY = dt.date(2026, 12, 1)


def page(src: str, day: dt.date, order: int, title: str = "") -> landing.Reviewed:
    return landing.Reviewed(src, title or src, day, order)


def test_newest_first_then_menu_order_and_never_the_landing_page_itself():
    pages = [
        page("a.md", DAY - dt.timedelta(days=3), 0),
        page("index.md", DAY + dt.timedelta(days=1), 1),
        page("c.md", DAY, 5),
        page("b.md", DAY, 2),
        page("d.md", DAY - dt.timedelta(days=1), 3),
    ]
    assert [p.src for p in landing.latest(pages, "index.md", count=3)] == ["b.md", "c.md", "d.md"]


def test_dates_come_as_yaml_gives_them_and_nonsense_is_skipped():
    assert landing.as_date(DAY) == DAY
    assert landing.as_date(dt.datetime(2026, 12, 1, 9, 30)) == DAY
    assert landing.as_date("2026-12-01") == DAY
    assert landing.as_date("soon") is None and landing.as_date(None) is None


def test_the_list_links_each_page_with_its_date_in_words():
    out = landing.render([page("guidance/x.md", DAY, 0, "Pricing [draft] outcomes")])
    assert out == "- [Pricing \\[draft\\] outcomes](guidance/x.md), reviewed 1 December 2026"
    assert landing.render([]) == "No page gives a review date yet."


def test_menu_order_follows_the_nav_of_mkdocs_yml():
    nav = [{"Home": "index.md"}, {"Guidance": ["guidance/index.md", {"More": "guidance/more.md"}]}, "tags.md"]
    assert landing.nav_order(nav) == ["index.md", "guidance/index.md", "guidance/more.md", "tags.md"]
