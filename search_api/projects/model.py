"""The INDIGO data model: projects, organisations and their roles, metrics, results, funds."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from search_api.projects.values import Money, PartialDate, country_name

CREDIT = "Data: INDIGO, Government Outcomes Lab, University of Oxford"
INDIGO_HOME = "https://golab.bsg.ox.ac.uk/knowledge-bank/indigo/"
RECORD_URL = "https://golab.bsg.ox.ac.uk/knowledge-bank/indigo/impact-bond-dataset-v2/{id}/"
# Role keys in the order a project page lists them, with their labels.
ROLES = {
    "outcome_payer": "Outcome payers",
    "investor": "Investors",
    "provider": "Service providers",
    "intermediary": "Intermediaries",
}


@dataclass(frozen=True)
class Role:
    """One organisation's part in one project."""

    project_id: str
    org_id: str
    role: str  # a key of ROLES
    category: str = ""
    amount: Money | None = None


@dataclass
class Organisation:
    """An organisation named in INDIGO, with every project role it holds."""

    id: str
    name: str
    org_type: str = ""
    country: str = ""
    website: str = ""
    roles: list[Role] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The HTML id of its row on the organisations page."""
        return self.id.lower()


@dataclass(frozen=True)
class OutcomeMetric:
    """An outcome the payers bought, as INDIGO describes it."""

    project_id: str
    id: str
    definition: str
    target_population: str = ""
    target_count: int | None = None
    target: str = ""
    validation_method: str = ""
    policy_sector: str = ""


@dataclass(frozen=True)
class Result:
    """A result reported against a metric or the project as a whole."""

    project_id: str
    metric_id: str
    level: str = ""
    result_type: str = ""
    start: PartialDate | None = None
    end: PartialDate | None = None
    achieved: str = ""
    engaged: str = ""
    positive: str = ""
    description: str = ""


@dataclass
class Fund:
    """An outcomes fund that topped up or paid outcome payments across projects."""

    id: str
    name: str
    stage: str = ""
    host: str = ""
    mechanism: str = ""
    launch: PartialDate | None = None
    purpose: str = ""
    target_population: str = ""
    country: str = ""
    value: Money = field(default_factory=Money)
    project_ids: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """URL-safe name, e.g. 'life-chances-fund-united-kingdom'."""
        plain = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")

    @property
    def page_url(self) -> str:
        """Site URL of its fund page."""
        return f"/funds/{self.slug}/"


@dataclass
class Project:
    """One impact bond project (INDIGO-POJ-nnnn) with its organisations, metrics and results."""

    id: str
    name: str
    stage: str
    countries: tuple[str, ...]
    policy_sector: str
    alt_names: str = ""
    social_challenge: str = ""
    intervention: str = ""
    target_population: str = ""
    users_targeted: int | None = None
    users_engaged: int | None = None
    users_unit: str = ""
    contract_signed: PartialDate | None = None
    service_start: PartialDate | None = None
    service_end: PartialDate | None = None
    service_end_planned: PartialDate | None = None
    capital_raised: Money = field(default_factory=Money)
    max_outcome_payment: Money = field(default_factory=Money)
    covid_changes: str = ""
    notes: str = ""
    locations: list[str] = field(default_factory=list)
    funds: list[Fund] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    metrics: list[OutcomeMetric] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    fund_ids: list[str] = field(default_factory=list)

    @property
    def country_names(self) -> list[str]:
        """Country names in INDIGO's order."""
        return [country_name(c) for c in self.countries]

    @property
    def policy_sectors(self) -> list[str]:
        """INDIGO gives one main sector per project; a list keeps callers future-proof."""
        return [self.policy_sector] if self.policy_sector else []

    @property
    def launch_year(self) -> int | None:
        """Year services started, else the year the outcomes contract was signed."""
        for date in (self.service_start, self.contract_signed):
            if date and date.year:
                return date.year
        return None

    @property
    def slug(self) -> str:
        """Lower-case id, the name of its page file."""
        return self.id.lower()

    @property
    def page_url(self) -> str:
        """Site URL of its project page."""
        return f"/projects/{self.slug}/"

    @property
    def indigo_url(self) -> str:
        """Its record on the GO Lab site."""
        return RECORD_URL.format(id=self.id)

    def roles_of(self, role: str) -> list[Role]:
        """The organisations holding one role, in INDIGO's order."""
        return [r for r in self.roles if r.role == role]

    def search_text(self) -> str:
        """Lower-case text the free-text filter matches."""
        parts = [self.id, self.name, self.alt_names, self.policy_sector, self.social_challenge, self.intervention]
        parts += self.country_names + self.locations + [f.name for f in self.funds]
        return " ".join(parts).lower()


@dataclass
class Dataset:
    """Everything loaded from one folder of INDIGO CSVs."""

    projects: list[Project]
    funds: list[Fund]
    organisations: dict[str, Organisation]
    metrics: int
    results: int
    problems: list[str]
