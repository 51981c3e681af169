"""Project pages enter the search index like any other page (real model, real index)."""

import pytest

from search_api.projects.load import load_projects

pytestmark = pytest.mark.model


def test_homelessness_projects_in_manchester_are_found(real_app):
    body = real_app.test_client().get("/api/search", query_string={"q": "homelessness projects in Manchester", "k": 10})
    urls = [r["url"].split("#")[0] for r in body.get_json()["results"]]
    expected = {
        p.page_url for p in load_projects() if p.policy_sector == "Homelessness" and "manchester" in p.search_text()
    }
    assert expected, "the data should hold a homelessness project in Manchester"
    assert expected & set(urls), urls
