"""GET /api/projects and /api/projects/<id>: filters, paging, errors and the INDIGO credit."""

import csv
from collections import Counter

import pytest

from search_api import create_app
from search_api.config import Settings
from search_api.projects.load import CREDIT, DATA_DIR

SECTOR = "Purpose and classifications - Policy sector - (Value)"


def read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


PROJECTS = read("original_projects_with_orgs_countries.csv")


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hub")
    settings = Settings(site_dir=tmp / "site", index_dir=tmp / "index", instance_dir=tmp / "instance")
    return create_app({"TESTING": True, "SETTINGS": settings}).test_client()


def get(api, url, status=200):
    resp = api.get(url)
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()
    assert body["credit"]["text"] == CREDIT  # every response, errors included
    return body


def ids(api, query: str) -> set[str]:
    out, page = set(), 1
    while True:
        body = get(api, f"/api/projects?{query}&per_page=100&page={page}")
        out |= {p["id"] for p in body["projects"]}
        if page >= body["pages"]:
            return out
        page += 1


def test_list_pages_through_every_project(api):
    body = get(api, "/api/projects")
    assert body["total"] == len(PROJECTS) == 319
    assert body["per_page"] == 20 and len(body["projects"]) == 20 and body["pages"] == 16
    assert ids(api, "") == {r["ID"] for r in PROJECTS}


def test_counts_per_sector_equal_the_csv(api):
    for sector, n in Counter(r[SECTOR].strip() for r in PROJECTS).items():
        assert get(api, f"/api/projects?policy_sector={sector}")["total"] == n, sector


def test_counts_per_country_equal_the_csv(api):
    counts = Counter(c.strip() for r in PROJECTS for c in r["Countries"].split(","))
    for code, n in counts.items():
        assert get(api, f"/api/projects?country={code}")["total"] == n, code
    assert get(api, "/api/projects?country=united%20kingdom")["total"] == counts["GB"]


def test_combined_filters_match_the_csv(api):
    expected = {
        r["ID"] for r in PROJECTS if r[SECTOR] == "Homelessness" and "GB" in r["Countries"] and r["Stage of Development - (Value)"] == "Complete"
    }  # fmt: skip
    assert ids(api, "policy_sector=Homelessness&country=GB&stage=complete") == expected


def test_fund_filter_accepts_id_or_slug(api):
    links = read("original_projects_outcome_funds.csv")
    lcf = {r["Project ID"].strip() for r in links if r["Id"].strip() == "INDIGO-FUND-0012"}
    assert ids(api, "fund=INDIGO-FUND-0012") == lcf == ids(api, "fund=life-chances-fund-united-kingdom")


def test_launch_year_range(api):
    got = get(api, "/api/projects?launch_year_from=2015&launch_year_to=2016&per_page=100")
    assert got["total"] > 0
    assert all(2015 <= p["launch_year"] <= 2016 for p in got["projects"])


def test_free_text(api):
    found = get(api, "/api/projects?q=greater%20MANCHESTER%20rough")["projects"]
    assert any("Greater Manchester" in p["name"] for p in found)
    for p in found:
        text = str(get(api, f"/api/projects/{p['id']}")["project"]).lower()
        assert all(word in text for word in ("greater", "manchester", "rough")), p["id"]
    assert get(api, "/api/projects?q=zzqqxx")["total"] == 0


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("country=Atlantis", "country", "invalid_value"),
        ("policy_sector=Space", "policy_sector", "invalid_value"),
        ("stage=Dreaming", "stage", "invalid_value"),
        ("fund=INDIGO-FUND-9999", "fund", "invalid_value"),
        ("colour=red", "colour", "unknown_parameter"),
        ("launch_year_from=abc", "launch_year_from", "invalid_type"),
        ("launch_year_from=2020&launch_year_to=2010", "launch_year_from", "invalid_range"),
        ("per_page=1000", "per_page", "out_of_range"),
        ("page=0", "page", "out_of_range"),
        ("page=500", "page", "out_of_range"),
        ("q=" + "x" * 201, "q", "too_long"),
        ("stage=Complete&stage=Implementation", "stage", "repeated_parameter"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, query, field, code):
    err = get(api, f"/api/projects?{query}", 400)["error"]
    assert err["field"] == field and err["code"] == code and err["message"]


def test_unknown_values_list_the_allowed_ones(api):
    err = get(api, "/api/projects?policy_sector=Space", 400)["error"]
    assert "Homelessness" in err["allowed"] and "Health" in err["allowed"]
    err = get(api, "/api/projects?colour=red", 400)["error"]
    assert "policy_sector" in err["allowed"]


def test_one_project(api):
    body = get(api, "/api/projects/INDIGO-POJ-0153")
    p = body["project"]
    assert p["name"].startswith("HMP Peterborough") and p["url"] == "/projects/indigo-poj-0153/"
    assert p["indigo_url"] == "https://golab.bsg.ox.ac.uk/knowledge-bank/indigo/impact-bond-dataset-v2/INDIGO-POJ-0153/"
    assert p["capital_raised"]["currency"] == "GBP" and p["capital_raised"]["amount"] == 5_000_000
    assert p["dates"]["service_start"] == "2010-09" and p["launch_year"] == 2010
    assert {o["name"] for o in p["organisations"]["outcome_payer"]} >= {"Ministry of Justice (MoJ)"}
    assert get(api, "/api/projects/indigo-poj-0153")["project"]["id"] == "INDIGO-POJ-0153"


def test_unknown_project_is_a_404_in_the_error_shape(api):
    for bad in ("INDIGO-POJ-9999", "nonsense"):
        err = get(api, f"/api/projects/{bad}", 404)["error"]
        assert err["code"] == "not_found" and "INDIGO-POJ" in err["message"]


def test_blank_finance_serialises_as_null_not_nan(api):
    blank = get(api, "/api/projects/INDIGO-POJ-0004")["project"]
    assert blank["capital_raised"]["amount"] is None and blank["capital_raised"]["display"] is None
    raw = api.get("/api/projects?per_page=100").get_data(as_text=True)
    assert "NaN" not in raw and '"nan"' not in raw


def test_other_errors_on_the_endpoint_also_credit_indigo(api):
    resp = api.post("/api/projects")
    assert resp.status_code == 405
    body = resp.get_json()
    assert body["error"]["code"] == "method_not_allowed" and body["credit"]["text"] == CREDIT
