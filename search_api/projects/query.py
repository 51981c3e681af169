"""Filter, page and serialise INDIGO projects for the API (no Flask here)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from search_api.projects.load import (
    CREDIT,
    INDIGO_HOME,
    ROLES,
    Organisation,
    Project,
    countries,
    funds,
    policy_sectors,
    stages,
)
from search_api.projects.values import PartialDate
from search_api.web import vocabulary
from search_api.web.vocabulary import parse_int

FILTERS = ("country", "policy_sector", "stage", "fund", "launch_year_from", "launch_year_to", "q")
PARAMS = (*FILTERS, "page", "per_page")
DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_Q = 20, 100, 200
YEAR_RANGE = (1990, 2100)
CREDIT_BODY = {
    "text": CREDIT,
    "url": INDIGO_HOME,
    "terms": "Shared by GO Lab for research and policy analysis, not for auditing, investment or legal purposes.",
}


@dataclass
class Query:
    """Parsed filters and paging."""

    country: str | None = None
    policy_sector: str | None = None
    stage: str | None = None
    fund: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    words: list[str] = field(default_factory=list)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def applied(self) -> dict:
        """The filters in force, as the client can resend them."""
        out = {
            "country": self.country,
            "policy_sector": self.policy_sector,
            "stage": self.stage,
            "fund": self.fund,
            "launch_year_from": self.year_from,
            "launch_year_to": self.year_to,
            "q": " ".join(self.words) or None,
        }
        return {k: v for k, v in out.items() if v is not None}


def _one(args: Mapping[str, Sequence[str]], name: str, strip: bool = True) -> str | None:
    """The parameter's single value: trimmed, blank meaning not given; or as sent (strip=False)."""
    values = list(args.get(name, []))
    if len(values) > 1:
        raise vocabulary.repeated(name)
    if not values:
        return None
    return (values[0].strip() or None) if strip else values[0]


def _choice(value: str | None, name: str, options: dict[str, str], allowed: list[str], hint: str = "") -> str | None:
    if value is None:
        return None
    found = options.get(value.lower())
    if found is None:
        raise vocabulary.not_allowed(name, allowed, hint)
    return found


def _int(value: str | None, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    out = parse_int(value)
    if out is None:
        raise vocabulary.not_whole_number(name, low, high)
    if not low <= out <= high:
        raise vocabulary.out_of_range(name, low, high)
    return out


def parse(args: Mapping[str, Sequence[str]], allowed: Sequence[str] = PARAMS) -> Query:
    """Check every parameter: unknown names, unknown values, bad numbers and ranges are errors.

    Downloads pass allowed=FILTERS: they hold every match, so paging parameters are unknown there."""
    err = vocabulary.unknown(args, allowed)
    if err is not None:
        raise err
    country_opts = {c.lower(): c for c, _ in countries()} | {n.lower(): c for c, n in countries()}
    fund_opts = {f.id.lower(): f.id for f in funds()} | {f.slug: f.id for f in funds()}
    q = _one(args, "q")
    # The limit holds for the text as sent, spaces included.
    if any(len(v) > MAX_Q for v in args.get("q", [])):
        raise vocabulary.too_long("q", MAX_Q)
    query = Query(
        country=_choice(
            _one(args, "country"),
            "country",
            country_opts,
            [c for c, _ in countries()],
            " Use a country code such as GB or a name such as United Kingdom.",
        ),
        policy_sector=_choice(
            _one(args, "policy_sector"), "policy_sector", {s.lower(): s for s in policy_sectors()}, policy_sectors()
        ),
        # Numbers and the stage are checked as sent: "", " 5" or "+5" are refused, not guessed at.
        stage=_choice(_one(args, "stage", False), "stage", {s.lower(): s for s in stages()}, stages()),
        fund=_choice(_one(args, "fund"), "fund", fund_opts, [f.id for f in funds()], " Use a fund id or its slug."),
        year_from=_int(_one(args, "launch_year_from", False), "launch_year_from", *YEAR_RANGE),
        year_to=_int(_one(args, "launch_year_to", False), "launch_year_to", *YEAR_RANGE),
        words=(q or "").lower().split(),
        page=_int(_one(args, "page", False), "page", 1, 100_000) or 1,
        per_page=_int(_one(args, "per_page", False), "per_page", 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )
    if query.year_from and query.year_to and query.year_from > query.year_to:
        raise vocabulary.InputError(
            "invalid_range", "'launch_year_from' must not be after 'launch_year_to'.", "launch_year_from"
        )
    return query


def matches(p: Project, q: Query) -> bool:
    """True when the project passes every filter (a project without a launch year fails a year filter)."""
    year = p.launch_year
    text = p.search_text() if q.words else ""
    return (
        (q.country is None or q.country in p.countries)
        and (q.policy_sector is None or q.policy_sector in p.policy_sectors)
        and (q.stage is None or p.stage == q.stage)
        and (q.fund is None or q.fund in p.fund_ids)
        and (q.year_from is None or (year is not None and year >= q.year_from))
        and (q.year_to is None or (year is not None and year <= q.year_to))
        and all(w in text for w in q.words)
    )


def run(projects: list[Project], q: Query) -> dict:
    """One page of matching projects with the totals a client needs to page on."""
    hits = [p for p in projects if matches(p, q)]
    pages = max(1, math.ceil(len(hits) / q.per_page))
    if q.page > pages:
        raise vocabulary.out_of_range("page", 1, pages, " for these filters")
    start = (q.page - 1) * q.per_page
    return {
        "credit": CREDIT_BODY,
        "total": len(hits),
        "page": q.page,
        "per_page": q.per_page,
        "pages": pages,
        "filters": q.applied(),
        "projects": [summary(p) for p in hits[start : start + q.per_page]],
    }


def _date(d: PartialDate | None) -> str | None:
    return d.iso() if d else None


def summary(p: Project) -> dict:
    """The list view of a project."""
    return {
        "id": p.id,
        "name": p.name,
        "countries": [{"code": c, "name": n} for c, n in zip(p.countries, p.country_names, strict=True)],
        "policy_sector": p.policy_sector,
        "policy_sectors": p.policy_sectors,
        "stage": p.stage or None,
        "launch_year": p.launch_year,
        "capital_raised": p.capital_raised.to_dict(),
        "max_outcome_payment": p.max_outcome_payment.to_dict(),
        "funds": [{"id": f.id, "name": f.name, "url": f.page_url} for f in p.funds],
        "url": p.page_url,
        "indigo_url": p.indigo_url,
    }


def detail(p: Project, orgs: dict[str, Organisation]) -> dict:
    """Everything the project page shows, as JSON."""
    out = summary(p)
    out.update(
        alternative_names=p.alt_names or None,
        social_challenge=p.social_challenge or None,
        intervention=p.intervention or None,
        target_population=p.target_population or None,
        service_users_targeted=p.users_targeted,
        service_users_engaged=p.users_engaged,
        dates={
            "outcomes_contract_signed": _date(p.contract_signed),
            "service_start": _date(p.service_start),
            "service_end": _date(p.service_end),
            "service_end_planned": _date(p.service_end_planned),
        },
        locations=p.locations,
        organisations={
            role: [
                {
                    "id": r.org_id,
                    "name": orgs[r.org_id].name if r.org_id in orgs else None,
                    "category": r.category or None,
                    "amount": r.amount.to_dict() if r.amount else None,
                }
                for r in p.roles_of(role)
            ]
            for role in ROLES
        },
        outcome_metrics=[
            {
                "id": m.id,
                "definition": m.definition,
                "target_population": m.target_population or None,
                "target_count": m.target_count,
                "target": m.target or None,
                "validation_method": m.validation_method or None,
            }
            for m in p.metrics
        ],
        results=[
            {
                "metric_id": r.metric_id or None,
                "level": r.level or None,
                "type": r.result_type or None,
                "period_start": _date(r.start),
                "period_end": _date(r.end),
                "outcomes_achieved": r.achieved or None,
                "engaged": r.engaged or None,
                "positive_outcomes": r.positive or None,
            }
            for r in p.results
        ],
    )
    return out
