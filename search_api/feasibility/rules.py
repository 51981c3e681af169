"""Load and check the feasibility questions and rules in kb/feasibility/ (plain YAML, no code)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from search_api import paths

DATA_DIR = paths.FEASIBILITY_DIR
CHOICES = ("yes", "partly", "no", "unsure")
STATUSES = ("met", "partly", "unknown", "not_met")
# A rule's status must follow its answer: "unsure" can only say we do not know yet.
_STATUS_OF_ANSWER = {"yes": "met", "partly": "partly", "no": "not_met", "unsure": "unknown"}
_COMPARISONS = ("below", "above", "at_least", "at_most")


class RulesError(ValueError):
    """The rules or questions file breaks the format; the message lists every problem."""


@dataclass(frozen=True)
class Rule:
    """One row of rules.yaml: when `condition` holds, `criterion` gets `status` and `weight` points."""

    id: str
    criterion: str
    description: str
    condition: dict[str, Any]
    status: str
    weight: int
    reason: str
    advice: str
    reference: dict[str, str]


@dataclass(frozen=True)
class Criterion:
    """A test the assessor scores; a `not_met` on a blocker makes the verdict unsuitable."""

    id: str
    title: str
    blocker: bool
    guidance: str
    rules: tuple[Rule, ...]

    @property
    def max_points(self) -> int:
        """The most points this criterion can add to the score."""
        return max(r.weight for r in self.rules)


@dataclass
class RuleSet:
    """Everything in questions.yaml and rules.yaml, checked and linked."""

    version: str
    rules_version: str
    answers: list[dict[str, str]]
    themes: list[dict[str, str]]
    questions: list[dict[str, Any]]
    criteria: list[Criterion]
    thresholds: dict[str, dict[str, Any]]
    verdicts: list[dict[str, Any]]
    next_steps: dict[str, Any]
    references: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def question_ids(self) -> list[str]:
        """Every answer id the API accepts, in questionnaire order."""
        return [q["id"] for q in self.questions]

    def question(self, qid: str) -> dict[str, Any]:
        """One question by id."""
        return next(q for q in self.questions if q["id"] == qid)


def guidance_url(doc_ref: str) -> str:
    """'guidance/x.md#part' -> '/guidance/x/#part' (the site uses directory URLs)."""
    path, _, anchor = doc_ref.partition("#")
    path = path.removesuffix(".md")
    url = "/" if path in ("index", "") else "/" + path.removesuffix("/index") + "/"
    return url + (f"#{anchor}" if anchor else "")


def evaluate(cond: dict[str, Any], answers: dict[str, Any], thresholds: dict[str, dict[str, Any]]) -> bool:
    """True when the condition tree holds for these answers (a missing number never matches)."""
    if "all" in cond:
        return all(evaluate(c, answers, thresholds) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, answers, thresholds) for c in cond["any"])
    if "answer" in cond:
        value = answers.get(cond["answer"]) or "unsure"
        return value == cond["is"] if "is" in cond else value in cond["in"]
    value = answers.get(cond["number"])
    if value is None:
        return False
    op = next(k for k in _COMPARISONS if k in cond)
    limit = thresholds[cond[op]]["value"]
    return {"below": value < limit, "above": value > limit, "at_least": value >= limit, "at_most": value <= limit}[op]


def describe(cond: dict[str, Any], thresholds: dict[str, dict[str, Any]], labels: dict[str, str]) -> str:
    """The condition in words, for the generated page."""
    if "all" in cond:
        return " and ".join(describe(c, thresholds, labels) for c in cond["all"])
    if "any" in cond:
        return "(" + " or ".join(describe(c, thresholds, labels) for c in cond["any"]) + ")"
    if "answer" in cond:
        values = [cond["is"]] if "is" in cond else cond["in"]
        return f"the answer to “{labels[cond['answer']]}” is " + " or ".join(f"*{v}*" for v in values)
    op = next(k for k in _COMPARISONS if k in cond)
    t = thresholds[cond[op]]
    words = {"below": "is below", "above": "is above", "at_least": "is at least", "at_most": "is at most"}[op]
    return f"{labels[cond['number']]} is given and {words} {format_threshold(t)}"


def format_threshold(t: dict[str, Any]) -> str:
    """'£300,000' or '48 months'."""
    if t["unit"] == "GBP":
        return f"£{t['value']:,}"
    return f"{t['value']:,} {t['unit']}"


def _leaves(cond: dict[str, Any]) -> list[dict[str, Any]]:
    if "all" in cond or "any" in cond:
        return [leaf for c in cond.get("all", cond.get("any", [])) for leaf in _leaves(c)]
    return [cond]


def _check_rule(r: dict[str, Any], crit_ids: set[str], questions: dict[str, dict], thresholds: dict) -> list[str]:
    """Problems with one rule, each naming the rule."""
    out = []
    rid = r.get("id", "?")
    need = ("id", "criterion", "description", "condition", "status", "weight", "reason", "advice", "reference")
    out += [f"rule {rid}: missing '{k}'" for k in need if not r.get(k) and r.get(k) != 0]
    if out:
        return out
    if r["criterion"] not in crit_ids:
        out.append(f"rule {rid}: unknown criterion {r['criterion']!r}")
    if r["status"] not in STATUSES:
        out.append(f"rule {rid}: status must be one of {STATUSES}")
    if not isinstance(r["weight"], int) or r["weight"] < 0:
        out.append(f"rule {rid}: weight must be a whole number of points, 0 or more")
    if not {"publication", "url"} <= set(r["reference"]) or not str(r["reference"]["url"]).startswith("https://"):
        out.append(f"rule {rid}: reference needs a publication and an https link")
    for leaf in _leaves(r["condition"]):
        if "answer" in leaf:
            # A rule may only read its own criterion's answer: that keeps each criterion's points
            # independent of the others, so a better answer can never lower the score.
            if leaf["answer"] != r["criterion"]:
                out.append(f"rule {rid}: reads answer {leaf['answer']!r}, not its own criterion")
            values = [leaf.get("is")] if "is" in leaf else list(leaf.get("in") or [])
            if not values or any(v not in CHOICES for v in values):
                out.append(f"rule {rid}: answer values must be among {CHOICES} (quote yes and no in YAML)")
        elif "number" in leaf:
            q = questions.get(leaf["number"])
            if not q or q["type"] != "number":
                out.append(f"rule {rid}: {leaf['number']!r} is not a number question")
            ops = [k for k in _COMPARISONS if k in leaf]
            if len(ops) != 1 or leaf[ops[0]] not in thresholds:
                out.append(f"rule {rid}: a number leaf needs one of {_COMPARISONS} naming a threshold")
        else:
            out.append(f"rule {rid}: a condition leaf needs 'answer' or 'number'")
    return out


def _check_criterion(c: Criterion) -> list[str]:
    """Every answer has its plain rule, and better answers never earn fewer points."""
    out = []
    plain = {}
    for r in c.rules:
        if set(r.condition) == {"answer", "is"}:
            plain.setdefault(r.condition["is"], r)
    for answer in CHOICES:
        if answer not in plain:
            out.append(f"criterion {c.id}: no plain rule for the answer {answer!r}")
        elif plain[answer].status != _STATUS_OF_ANSWER[answer]:
            out.append(f"criterion {c.id}: the plain rule for {answer!r} must give {_STATUS_OF_ANSWER[answer]}")
    if set(plain) >= set(CHOICES):
        pts = [plain[a].weight for a in ("yes", "partly", "unsure", "no")]
        if pts != sorted(pts, reverse=True) or pts[0] != c.max_points:
            out.append(f"criterion {c.id}: points must fall from yes to partly to unsure to no, yes the highest")
    return out


def build(questions_doc: dict[str, Any], rules_doc: dict[str, Any], raw: bytes) -> RuleSet:
    """Check both documents and link them; raise RulesError listing every problem."""
    problems: list[str] = []
    questions = {q["id"]: q for q in questions_doc["questions"]}
    thresholds = rules_doc.get("thresholds") or {}
    for tid, t in thresholds.items():
        if not {"value", "unit", "description", "source"} <= set(t):
            problems.append(f"threshold {tid}: needs value, unit, description and source")
    crit_docs = rules_doc["criteria"]
    crit_ids = {c["id"] for c in crit_docs}
    missing_q = crit_ids - set(questions)
    problems += [f"criterion {c}: no question with this id" for c in sorted(missing_q)]
    for r in rules_doc["rules"]:
        problems += _check_rule(r, crit_ids, questions, thresholds)
    if problems:
        raise RulesError("; ".join(problems))
    criteria = []
    for c in crit_docs:
        rules = tuple(
            Rule(**{k: r[k] for k in Rule.__dataclass_fields__})
            for r in rules_doc["rules"]
            if r["criterion"] == c["id"]
        )
        crit = Criterion(c["id"], c["title"], bool(c["blocker"]), questions[c["id"]]["guidance"], rules)
        problems += _check_criterion(crit)
        criteria.append(crit)
    for v in rules_doc["verdicts"]:
        problems += [
            f"verdict {v['id']}: unknown criterion {x}" for x in v.get("requires_met", []) if x not in crit_ids
        ]
    if problems:
        raise RulesError("; ".join(problems))
    version = str(rules_doc["version"])
    return RuleSet(
        version=version,
        rules_version=f"{version}+{hashlib.sha256(raw).hexdigest()[:10]}",
        answers=questions_doc["answers"],
        themes=questions_doc["themes"],
        questions=questions_doc["questions"],
        criteria=criteria,
        thresholds=thresholds,
        verdicts=rules_doc["verdicts"],
        next_steps=rules_doc["next_steps"],
        references=rules_doc.get("references") or {},
    )


@lru_cache(maxsize=4)
def load(data_dir: Path = DATA_DIR) -> RuleSet:
    """The checked rule set from a folder holding questions.yaml and rules.yaml (cached)."""
    raw_rules = (data_dir / "rules.yaml").read_bytes()
    raw_questions = (data_dir / "questions.yaml").read_bytes()
    # The version hash covers both files: a changed question changes what the answers mean.
    return build(yaml.safe_load(raw_questions), yaml.safe_load(raw_rules), raw_rules + raw_questions)
