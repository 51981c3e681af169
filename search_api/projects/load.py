"""Typed model of the INDIGO impact bond data in kb/indigo/ (GO Lab, University of Oxford)."""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from search_api import paths
from search_api.projects.model import (
    CREDIT,
    INDIGO_HOME,
    RECORD_URL,
    ROLES,
    Dataset,
    Fund,
    Organisation,
    OutcomeMetric,
    Project,
    Result,
    Role,
)
from search_api.projects.values import Money, PartialDate, count, country_codes, country_name, money, text

__all__ = [
    "CREDIT",
    "INDIGO_HOME",
    "RECORD_URL",
    "ROLES",
    "Dataset",
    "Fund",
    "Money",
    "Organisation",
    "OutcomeMetric",
    "PartialDate",
    "Project",
    "Result",
    "Role",
    "countries",
    "dataset",
    "funds",
    "get_project",
    "load",
    "load_projects",
    "organisations",
    "policy_sectors",
    "stages",
]

DATA_DIR = paths.INDIGO_DIR
FILES = {
    "projects": "original_projects_with_orgs_countries.csv",
    "orgs": "original_orgs.csv",
    "funds": "original_funds.csv",
    "project_funds": "original_projects_outcome_funds.csv",
    "metrics": "original_projects_outcome_metrics.csv",
    "results": "original_projects_results.csv",
    "investments": "original_projects_investments.csv",
    "payers": "original_projects_outcome_payment_commitments.csv",
    "providers": "original_projects_service_provisions.csv",
    "intermediaries": "original_projects_intermediary_services.csv",
    "locations": "original_projects_delivery_locations.csv",
}
_V = " - (Value)"
_FIN = "Overall project finance - "


def _rows(data_dir: Path, key: str) -> list[dict[str, str]]:
    with open(data_dir / FILES[key], encoding="utf-8", newline="") as fh:
        return [{k.strip(): (v or "") for k, v in row.items() if k} for row in csv.DictReader(fh)]


def _fund(r: dict[str, str], orgs: dict[str, Organisation]) -> Fund:
    dim = "Fund - Dimensions of Scale - Total Outcome Fund value (outcomes funding) - "
    host = text(r["Fund - Host institution of Outcome Fund"])
    return Fund(
        id=text(r["ID"]),
        name=text(r["Fund - Name"]),
        stage=text(r["Fund - Stage of Development" + _V]),
        host=orgs[host].name if host in orgs else host,
        mechanism=text(r["Fund - Mechanism"]),
        launch=PartialDate.parse(r["Fund - Dates - Launch date" + _V]),
        purpose=text(r["Fund - Purpose and classifications - Purpose"]),
        target_population=text(r["Fund - Service and beneficiaries - Target population"]),
        country=text(r["Fund - Country"]),
        value=money(
            r[dim + "Currency"], r[dim + "Aspiration - Amount" + _V], usd=r[dim + "Aspiration - Amount USD" + _V]
        ),
    )


def _project(r: dict[str, str]) -> Project:
    inv, pay = _FIN + "Total investment commitment - ", _FIN + "Maximum potential outcome payment - "
    sb, pc = "Service and beneficiaries - ", "Purpose and classifications - "
    return Project(
        id=text(r["ID"]),
        name=text(r["Impact Bond Name" + _V]),
        stage=text(r["Stage of Development" + _V]),
        countries=country_codes(r["Countries"]),
        policy_sector=text(r[pc + "Policy sector" + _V]),
        alt_names=text(r["Alternative Names" + _V]),
        social_challenge=text(r[pc + "Social challenge" + _V]),
        intervention=text(r[pc + "Intervention" + _V]),
        target_population=text(r[sb + "Target population" + _V]),
        users_targeted=count(r[sb + "Targeted number of unique service users or beneficiaries (total)" + _V]),
        users_engaged=count(r[sb + "Actual number of unique service users or beneficiaries engaged (total)" + _V]),
        users_unit=text(r[sb + "Unit description of targeted service user or beneficiaries" + _V]),
        contract_signed=PartialDate.parse(r["Dates - Date outcomes contract signed" + _V]),
        service_start=PartialDate.parse(r["Dates - Start date of service provision" + _V]),
        service_end=PartialDate.parse(r["Dates - Actual end date of service provision" + _V]),
        service_end_planned=PartialDate.parse(r["Dates - Anticipated end date of service provision" + _V]),
        capital_raised=_range_money(r, inv, usd_range=True),
        max_outcome_payment=money(r[pay + "Currency" + _V], r[pay + "Amount" + _V], usd=r[pay + "Amount USD" + _V]),
        covid_changes=text(r["Changes to project due to COVID-19" + _V]),
        notes=text(r["Notes" + _V]),
    )


def _range_money(r: dict[str, str], prefix: str, usd_range: bool = False) -> Money:
    """Money from INDIGO's currency, exact, min and max columns under one prefix."""
    extra = {}
    if usd_range:
        extra = {"usd_min": r[prefix + "Amount USD - Min" + _V], "usd_max": r[prefix + "Amount USD - Max" + _V]}
    return money(
        r[prefix + "Currency" + _V],
        r[prefix + "Amount - Exact" + _V],
        r[prefix + "Amount - Min" + _V],
        r[prefix + "Amount - Max" + _V],
        usd=r[prefix + "Amount USD - Exact" + _V],
        **extra,
    )


def _roles(data_dir: Path) -> list[Role]:
    out: list[Role] = []
    for r in _rows(data_dir, "payers"):
        c = "Maximum potential Outcome payment - "
        amount = money(r[c + "Currency" + _V], r[c + "Amount" + _V], usd=r[c + "Amount USD" + _V])
        out.append(_role(r, "outcome_payer", amount))
    for r in _rows(data_dir, "investments"):
        c = "Investment Commitment - "
        amount = _range_money(r, c)
        out.append(_role(r, "investor", amount))
    out += [_role(r, "provider") for r in _rows(data_dir, "providers")]
    out += [_role(r, "intermediary") for r in _rows(data_dir, "intermediaries")]
    return out


def _role(r: dict[str, str], role: str, amount: Money | None = None) -> Role:
    return Role(
        project_id=text(r["Project ID"]),
        org_id=text(r["Organisation ID" + _V]),
        role=role,
        category=text(r["Organisation Role Category" + _V]),
        amount=amount if amount and amount.known else None,
    )


def load(data_dir: Path = DATA_DIR) -> Dataset:
    """Read every CSV once and link projects, organisations, funds, metrics and results."""
    problems: list[str] = []
    orgs = {
        text(r["ID"]): Organisation(
            text(r["ID"]), text(r["Name"]), text(r["Type" + _V]), text(r["Country"]), text(r["Website"])
        )
        for r in _rows(data_dir, "orgs")
    }
    funds = {f.id: f for f in (_fund(r, orgs) for r in _rows(data_dir, "funds"))}
    projects = {p.id: p for p in (_project(r) for r in _rows(data_dir, "projects"))}

    def owner(pid: str, what: str) -> Project | None:
        if pid not in projects:
            problems.append(f"{what} names unknown project {pid!r}")
        return projects.get(pid)

    for r in _rows(data_dir, "project_funds"):
        pid, fid = text(r["Project ID"]), text(r["Id"])
        p = owner(pid, "fund link")
        if p and fid not in p.fund_ids:
            p.fund_ids.append(fid)
            if fid in funds:
                p.funds.append(funds[fid])
                funds[fid].project_ids.append(pid)
            else:
                problems.append(f"{pid} names fund {fid}, which is not in the funds file")
    for role in _roles(data_dir):
        if (p := owner(role.project_id, role.role)) is not None:
            p.roles.append(role)
        if role.org_id in orgs:
            orgs[role.org_id].roles.append(role)
        else:
            problems.append(f"{role.project_id} names unknown organisation {role.org_id!r}")
    metrics = results = 0
    for r in _rows(data_dir, "metrics"):
        metrics += 1
        if p := owner(text(r["Project ID"]), "metric"):
            p.metrics.append(_metric(r))
    for r in _rows(data_dir, "results"):
        results += 1
        if p := owner(text(r["Project ID"]), "result"):
            p.results.append(_result(r))
    seen: dict[str, set[str]] = defaultdict(set)
    for r in _rows(data_dir, "locations"):
        pid, name = text(r["Project ID"]), text(r["Location - Name" + _V])
        if pid in projects and name and name not in seen[pid]:
            seen[pid].add(name)
            projects[pid].locations.append(name)
    for fund in funds.values():
        fund.project_ids.sort()
    return Dataset(
        sorted(projects.values(), key=lambda p: p.id), list(funds.values()), orgs, metrics, results, problems
    )


def _metric(r: dict[str, str]) -> OutcomeMetric:
    return OutcomeMetric(
        project_id=text(r["Project ID"]),
        id=text(r["Id"]),
        definition=text(r["Outcome Definition" + _V]),
        target_population=text(r["Target Population" + _V]),
        target_count=count(r["Targeted number of service users Or beneficiaries (total)" + _V]),
        target=text(r["Outcome metric target" + _V]),
        validation_method=text(r["Outcome validation Method" + _V]),
        policy_sector=text(r["Policy sector" + _V]),
    )


def _result(r: dict[str, str]) -> Result:
    return Result(
        project_id=text(r["Project ID"]),
        metric_id=text(r["Outcome Metric Id" + _V]),
        level=text(r["Result level" + _V]),
        result_type=text(r["Result type" + _V]),
        start=PartialDate.parse(r["Period - Start" + _V]),
        end=PartialDate.parse(r["Period - End" + _V]),
        achieved=text(r["Outcomes achieved" + _V]),
        engaged=text(r["Number engaged In impact bond" + _V]),
        positive=text(r["Number with Positive social outcomes" + _V]),
        description=text(r["Other Description of result" + _V]),
    )


@lru_cache(maxsize=1)
def dataset() -> Dataset:
    """The INDIGO data in kb/indigo/, loaded once per process."""
    return load(DATA_DIR)


def load_projects() -> list[Project]:
    """All projects, sorted by id (cached)."""
    return dataset().projects


def get_project(indigo_id: str) -> Project | None:
    """One project by id such as 'INDIGO-POJ-0153' (any case), or None."""
    wanted = indigo_id.strip().upper()
    return next((p for p in load_projects() if p.id == wanted), None)


def policy_sectors() -> list[str]:
    """The policy sectors INDIGO uses, alphabetical."""
    return sorted({s for p in load_projects() for s in p.policy_sectors})


def countries() -> list[tuple[str, str]]:
    """(code, name) of every country with a project, by name."""
    codes = {c for p in load_projects() for c in p.countries}
    return sorted(((c, country_name(c)) for c in codes), key=lambda pair: pair[1])


def stages() -> list[str]:
    """Stages of development found in the data."""
    return sorted({p.stage for p in load_projects() if p.stage})


def funds() -> list[Fund]:
    """All outcomes funds, sorted by name."""
    return sorted(dataset().funds, key=lambda f: f.name)


def organisations() -> dict[str, Organisation]:
    """Organisations by id."""
    return dataset().organisations
