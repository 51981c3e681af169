"""The INDIGO loader agrees with the CSV files, counted here with the csv module alone."""

import csv
import re
from collections import Counter

import pytest

from search_api.cli.main import main
from search_api.projects import load as indigo
from search_api.projects.values import Money, PartialDate, money, number, text

DATA = indigo.DATA_DIR


def read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


PROJECTS = read("original_projects_with_orgs_countries.csv")
SECTOR = "Purpose and classifications - Policy sector - (Value)"


def csv_sector_counts() -> Counter:
    return Counter(r[SECTOR].strip() for r in PROJECTS)


def csv_country_counts() -> Counter:
    return Counter(c.strip() for r in PROJECTS for c in r["Countries"].split(",") if c.strip())


def test_counts_match_the_readme_and_the_files():
    data = indigo.dataset()
    assert len(data.projects) == len(PROJECTS) == 319
    assert len(data.funds) == len(read("original_funds.csv")) == 21
    assert len(data.organisations) == len(read("original_orgs.csv")) == 1549
    assert data.metrics == len(read("original_projects_outcome_metrics.csv")) == 1408
    assert data.results == len(read("original_projects_results.csv")) == 518


def test_counts_per_sector_equal_the_csv():
    loaded = Counter(p.policy_sector for p in indigo.load_projects())
    assert loaded == csv_sector_counts()
    assert indigo.policy_sectors() == sorted(csv_sector_counts())


def test_counts_per_country_equal_the_csv():
    loaded = Counter(c for p in indigo.load_projects() for c in p.countries)
    assert loaded == csv_country_counts()
    # A project in several countries (e.g. 'KE, UG') is split, not counted as a new country.
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in loaded)


def test_every_project_has_id_name_sector_country_and_url():
    for p in indigo.load_projects():
        assert re.fullmatch(r"INDIGO-POJ-\d{4}", p.id)
        assert p.name and p.policy_sector and p.countries and p.country_names
        assert p.page_url == f"/projects/{p.id.lower()}/"
        assert p.indigo_url.endswith(f"/impact-bond-dataset-v2/{p.id}/")


def test_fund_links_match_the_csv():
    links = read("original_projects_outcome_funds.csv")
    lcf_id = next(r["ID"] for r in read("original_funds.csv") if r["Fund - Name"].startswith("Life Chances Fund"))
    expected = {r["Project ID"].strip() for r in links if r["Id"].strip() == lcf_id}
    fund = next(f for f in indigo.funds() if f.id == lcf_id)
    assert set(fund.project_ids) == expected and len(expected) == 30
    assert all(fund in indigo.get_project(pid).funds for pid in expected)


def test_get_project_is_case_insensitive_and_none_when_unknown():
    assert indigo.get_project("indigo-poj-0153").name.startswith("HMP Peterborough")
    assert indigo.get_project("INDIGO-POJ-9999") is None
    assert indigo.load_projects() is indigo.load_projects()  # cached


def test_roles_cover_every_role_row():
    files = {
        "outcome_payer": "original_projects_outcome_payment_commitments.csv",
        "investor": "original_projects_investments.csv",
        "provider": "original_projects_service_provisions.csv",
        "intermediary": "original_projects_intermediary_services.csv",
    }
    loaded = Counter(r.role for p in indigo.load_projects() for r in p.roles)
    assert loaded == {role: len(read(name)) for role, name in files.items()}


@pytest.mark.parametrize(
    ("raw", "year", "month", "shown"),
    [
        ("2010-03", 2010, 3, "March 2010"),
        ("2022", 2022, None, "2022"),
        ("2018-10-01", 2018, 10, "October 2018"),
        ("2018-13", 2018, None, "2018"),
        ("sometime", None, None, "sometime"),
    ],
)
def test_partial_dates(raw, year, month, shown):
    d = PartialDate.parse(raw)
    assert (d.year, d.month, str(d)) == (year, month, shown)


def test_blank_and_odd_values_never_become_nan_or_none():
    assert PartialDate.parse("") is None and PartialDate.parse("nan") is None
    assert text("nan") == text(None) == text("  ") == ""
    assert number("=D41-D36") is None and number("$") is None and number("1,000") == 1000
    assert Money().display() == "" and not Money().known
    m = money("GBP", "", "908000", "1787523")
    assert m.display() == "GBP 908,000 to 1,787,523" and m.value == (908000 + 1787523) / 2
    assert money("CAD", "C$1.3M").display() == "C$1.3M"
    assert money("USD", "$").display() == ""
    assert money("Russian Ruble", "100").currency == "RUB"
    for p in indigo.load_projects():
        for shown in (p.capital_raised.display(), p.max_outcome_payment.display(), str(p.service_start or "")):
            assert not re.search(r"\b(nan|None)\b", shown)


def test_launch_year_prefers_service_start_then_contract():
    p = indigo.get_project("INDIGO-POJ-0153")
    assert p.service_start.iso() == "2010-09" and p.launch_year == 2010
    undated = [p for p in indigo.load_projects() if p.launch_year is None]
    assert all(p.service_start is None and p.contract_signed is None for p in undated)


def test_indigo_check_prints_the_counts(capsys):
    assert main(["indigo-check"]) == 0
    out = capsys.readouterr().out
    for figure in ("319", "21", "1,549", "1,408", "518"):
        assert figure in out
