"""What the feasibility assessor takes from INDIGO: threshold evidence and comparable projects."""

from __future__ import annotations

import math
from typing import Any

from search_api.projects import load as indigo

CREDIT = "Data: INDIGO, Government Outcomes Lab, University of Oxford"
MAX_COMPARABLE = 5
# "Similar size" means within this factor of the commissioner's figure, either way.
SIZE_FACTOR = 4.0


def _uk() -> list[Any]:
    return [p for p in indigo.load_projects() if "GB" in p.countries]


def _service_months(p: Any) -> int | None:
    start, end = p.service_start, p.service_end_planned or p.service_end
    if not (start and end and start.year and start.month and end.year and end.month):
        return None
    months = (end.year - start.year) * 12 + (end.month - start.month)
    # A few records end before they start: data slips, left out rather than guessed.
    return months if months > 0 else None


def measure(name: str) -> list[float]:
    """The sorted values behind a threshold's evidence (names used in rules.yaml)."""
    uk = _uk()
    if name == "uk_max_outcome_payment_gbp":
        values = [p.max_outcome_payment.value for p in uk if p.max_outcome_payment.currency == "GBP"]
    elif name == "uk_service_months":
        values = [_service_months(p) for p in uk]
    elif name == "uk_users_targeted":
        values = [p.users_targeted for p in uk if p.users_targeted]
    else:
        raise KeyError(f"unknown INDIGO measure {name!r}")
    return sorted(float(v) for v in values if v is not None and v > 0)


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolation percentile (the same method as numpy's default)."""
    if not values:
        raise ValueError("no values")
    pos = (len(values) - 1) * p / 100
    low, high = math.floor(pos), math.ceil(pos)
    return values[low] + (values[high] - values[low]) * (pos - low)


def policy_areas() -> list[str]:
    """INDIGO's policy sectors, the allowed values of `policy_area`."""
    fn = getattr(indigo, "policy_sectors", None)
    if fn is not None:
        return list(fn())
    return sorted({s for p in indigo.load_projects() for s in p.policy_sectors})


def _size(p: Any, contract_value_gbp: float | None, cohort_size: int | None) -> tuple[str, float, float] | None:
    """(what, theirs, ours) for the size measure we can compare, or None."""
    cap = p.max_outcome_payment
    if contract_value_gbp and cap.currency == "GBP" and cap.value:
        return "contract", cap.value, contract_value_gbp
    if contract_value_gbp is None and cohort_size and p.users_targeted:
        return "cohort", float(p.users_targeted), float(cohort_size)
    return None


def comparable_projects(
    policy_area: str | None, contract_value_gbp: float | None = None, cohort_size: int | None = None
) -> list[dict[str, Any]]:
    """Up to five INDIGO projects in the same policy area and of similar size, closest first."""
    pool = [p for p in indigo.load_projects() if not policy_area or policy_area in p.policy_sectors]
    sized = contract_value_gbp is not None or cohort_size is not None
    if not policy_area and not sized:
        return []
    scored = []
    for p in pool:
        size = _size(p, contract_value_gbp, cohort_size)
        if sized:
            if size is None or size[2] <= 0 or abs(math.log(size[1] / size[2])) > math.log(SIZE_FACTOR):
                continue
            distance = abs(math.log(size[1] / size[2]))
        else:
            distance = 0.0
        # UK projects first among equals: most users of the hub commission in the UK.
        scored.append((distance, "GB" not in p.countries, -(p.launch_year or 0), p.id, p, size))
    scored.sort(key=lambda t: t[:4])
    if not scored and sized and policy_area:
        # Nothing of a similar size in this area: the area alone is still worth showing.
        return comparable_projects(policy_area)
    return [_project_json(p, size) for *_, p, size in scored[:MAX_COMPARABLE]]


def _project_json(p: Any, size: tuple[str, float, float] | None) -> dict[str, Any]:
    cap = p.max_outcome_payment
    if size is None:
        why = f"Same policy area: {p.policy_sector}."
    elif size[0] == "contract":
        why = f"Maximum outcome payments of {cap.display()}, {size[1] / size[2]:.1f} times your figure."
    else:
        why = f"Targeted {p.users_targeted:,} people, {size[1] / size[2]:.1f} times your figure."
    return {
        "id": p.id,
        "name": p.name,
        "policy_area": p.policy_sector,
        "countries": p.country_names,
        "stage": p.stage,
        "launch_year": p.launch_year,
        "max_outcome_payment": cap.display() if cap.known else "",
        "users_targeted": p.users_targeted,
        "why": why,
        "url": p.page_url,
        "indigo_url": p.indigo_url,
    }
