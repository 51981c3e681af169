"""Search API on the fake encoder: validation, filters, highlights, abbreviations."""

import pytest

from search_api.index.textproc import normalise_query, stem, tokens


def _search(client, **params):
    return client.get("/api/search", query_string=params)


def test_search_returns_the_documented_shape(client):
    resp = _search(client, q="social impact bond")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"query", "results", "took_ms"}
    assert body["results"], body
    first = body["results"][0]
    assert set(first) == {"title", "section", "url", "snippet", "highlights", "score", "type"}
    assert first["url"] == "/guidance/what/#names"
    for start, end in first["highlights"]:
        assert first["snippet"][start:end].lower().startswith(("social", "impact", "bond"))


@pytest.mark.parametrize(
    "params,field",
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "bond", "k": "0"}, "k"),
        ({"q": "bond", "k": "51"}, "k"),
        ({"q": "bond", "k": "ten"}, "k"),
        ({"q": "bond", "type": "novel"}, "type"),
        ({"q": "bond", "country": "Atlantis"}, "country"),
        ({"q": "bond", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_gives_400_naming_the_field(client, params, field):
    resp = _search(client, **params)
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["field"] == field and err["message"]
    assert "<" not in resp.get_data(as_text=True)


def test_unknown_filter_value_lists_allowed_values(client):
    err = _search(client, q="bond", type="novel").get_json()["error"]
    assert err["allowed"] == ["case-study", "guidance"]


def test_query_of_500_characters_is_accepted(client):
    assert _search(client, q="bond " * 100).status_code == 200


def test_filters_restrict_results(client):
    body = _search(client, q="peterborough reoffending money", type="case-study").get_json()
    assert body["results"] and all(r["type"] == "case-study" for r in body["results"])
    body = _search(client, q="money", country="united kingdom").get_json()
    assert all(r["url"].startswith("/case-studies/") for r in body["results"])


def test_results_are_unique_per_section(client):
    urls = [r["url"] for r in _search(client, q="bond provider peterborough", k=50).get_json()["results"]]
    assert len(urls) == len(set(urls))


def test_filters_endpoint_lists_values(client):
    body = client.get("/api/search/filters").get_json()
    assert body["filters"]["policy_area"] == ["Criminal justice"]


def test_abbreviations_are_expanded_from_the_glossary():
    glossary = {"sib": "Social impact bond", "go lab": "Government Outcomes Lab"}
    assert "Social impact bond" in normalise_query("is a SIB feasible", glossary)
    assert "Social impact bond" in normalise_query("SIBs for rough sleepers", glossary)
    assert "Government Outcomes Lab" in normalise_query("the GO Lab report", glossary)
    assert normalise_query("a sib in lower case", glossary) == "a sib in lower case"


def test_tokens_drop_stop_words_and_stem():
    assert tokens("The providers were funding bonds") == ["provider", "fund", "bond"]
    assert stem("policies") == "policy" and stem("process") == "process"
