"""The feasibility assessor: check answers, apply kb/feasibility/rules.yaml, explain the verdict."""

from __future__ import annotations

import math
from typing import Any

from search_api.feasibility import data as feasibility_data
from search_api.feasibility.rules import CHOICES, RuleSet, evaluate, guidance_url, load

STATUS_LABELS = {"met": "Met", "partly": "Partly met", "unknown": "Not known yet", "not_met": "Not met"}


def questionnaire(rs: RuleSet | None = None) -> dict[str, Any]:
    """The questionnaire as JSON: themes, questions, allowed answers and guidance links."""
    rs = rs or load()
    themes = []
    for theme in rs.themes:
        qs = [_question_json(q) for q in rs.questions if q["theme"] == theme["id"]]
        themes.append({**theme, "questions": qs})
    return {
        "rules_version": rs.rules_version,
        "answers": rs.answers,
        "themes": themes,
        "status_labels": STATUS_LABELS,
        "verdicts": [{"id": v["id"], "label": v["label"]} for v in rs.verdicts],
        "credit": feasibility_data.CREDIT,
    }


def _question_json(q: dict[str, Any]) -> dict[str, Any]:
    out = {k: q[k] for k in ("id", "type", "text", "help") if k in q}
    out["guidance_url"] = guidance_url(q["guidance"])
    if q["type"] == "number":
        out.update({k: q[k] for k in ("minimum", "maximum", "integer", "unit")})
    if q["type"] == "policy_area":
        out["options"] = feasibility_data.policy_areas()
    return out


def validate(raw: Any, rs: RuleSet | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Answers with every criterion filled in (missing means unsure), and every problem found."""
    rs = rs or load()
    if not isinstance(raw, dict):
        return {}, [{"field": "answers", "message": "'answers' must be an object of question id to answer."}]
    problems: list[dict[str, Any]] = []
    out: dict[str, Any] = {}
    for key in sorted(set(raw) - set(rs.question_ids)):
        problems.append(
            {"field": f"answers.{key}", "message": f"Unknown question id '{key}'.", "allowed": rs.question_ids}
        )
    for q in rs.questions:
        value = raw.get(q["id"])
        if value is None:
            continue
        problem = _check_value(q, value)
        if problem:
            problems.append({"field": f"answers.{q['id']}", **problem})
        else:
            out[q["id"]] = int(value) if q["type"] == "number" and q.get("integer") else value
    for c in rs.criteria:
        out.setdefault(c.id, "unsure")
    return out, problems


def _check_value(q: dict[str, Any], value: Any) -> dict[str, Any] | None:
    """None if the value is allowed, else a message and what is allowed."""
    if q["type"] == "choice":
        if value not in CHOICES:
            return {"message": f"'{q['id']}' must be one of: {', '.join(CHOICES)}.", "allowed": list(CHOICES)}
        return None
    if q["type"] == "policy_area":
        areas = feasibility_data.policy_areas()
        if value not in areas:
            return {"message": f"'{q['id']}' must be one of the INDIGO policy areas.", "allowed": areas}
        return None
    kind = "a whole number" if q.get("integer") else "a number"
    allowed = {"type": "integer" if q.get("integer") else "number", "minimum": q["minimum"], "maximum": q["maximum"]}
    msg = f"'{q['id']}' must be {kind} from {q['minimum']:,} to {q['maximum']:,} ({q['unit']})."
    # bool is an int in Python; true/false is never a count of people or pounds.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return {"message": msg, "allowed": allowed}
    if q.get("integer") and value != int(value):
        return {"message": msg, "allowed": allowed}
    if not q["minimum"] <= value <= q["maximum"]:
        return {"message": msg, "allowed": allowed}
    return None


def assess(answers: dict[str, Any], rs: RuleSet | None = None, comparables: bool = True) -> dict[str, Any]:
    """The verdict, score, per-criterion findings, blockers, next steps and comparable projects."""
    rs = rs or load()
    criteria, points, max_points = [], 0, 0
    for c in rs.criteria:
        rule = next((r for r in c.rules if evaluate(r.condition, answers, rs.thresholds)), None)
        if rule is None:  # the checks in feasibility_rules make this impossible; fail loudly if not
            raise RuntimeError(f"no rule matched criterion {c.id}")
        points += rule.weight
        max_points += c.max_points
        criteria.append(
            {
                "id": c.id,
                "title": c.title,
                "answer": answers.get(c.id, "unsure"),
                "status": rule.status,
                "status_label": STATUS_LABELS[rule.status],
                "reason": " ".join(rule.reason.split()),
                "advice": " ".join(rule.advice.split()),
                "guidance_url": guidance_url(c.guidance),
                "blocker": c.blocker,
                "points": rule.weight,
                "max_points": c.max_points,
                "rule": rule.id,
                "reference": rule.reference,
            }
        )
    blockers = [c["id"] for c in criteria if c["blocker"] and c["status"] == "not_met"]
    score = round(100 * points / max_points) if max_points else 0
    verdict = _verdict(rs, score, blockers, criteria)
    result = {
        "verdict": verdict["id"],
        "verdict_label": verdict["label"],
        "verdict_summary": " ".join(verdict["summary"].split()),
        "score": score,
        "criteria": criteria,
        "blockers": blockers,
        "next_steps": _next_steps(rs, criteria),
        "comparable_projects": [],
        "answers": answers,
        "rules_version": rs.rules_version,
        "credit": feasibility_data.CREDIT,
    }
    if comparables:
        result["comparable_projects"] = feasibility_data.comparable_projects(
            answers.get("policy_area"), answers.get("contract_value_gbp"), answers.get("cohort_size")
        )
    return result


def _verdict(rs: RuleSet, score: int, blockers: list[str], criteria: list[dict[str, Any]]) -> dict[str, Any]:
    met = {c["id"] for c in criteria if c["status"] == "met"}
    for v in rs.verdicts:
        if v.get("when_blocker"):
            if blockers:
                return v
            continue
        if v.get("no_not_met") and any(c["status"] == "not_met" for c in criteria):
            continue
        if score >= v.get("min_score", 0) and set(v.get("requires_met", [])) <= met:
            return v
    return rs.verdicts[-1]


def _next_steps(rs: RuleSet, criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Advice for each gap: by status order, then blockers, then points at stake."""
    order = rs.next_steps["order"]
    gaps = [c for c in criteria if c["status"] in order]
    gaps.sort(key=lambda c: (order.index(c["status"]), not c["blocker"], -c["max_points"]))
    steps = [{"criterion": c["id"], "text": c["advice"], "guidance_url": c["guidance_url"]} for c in gaps]
    for s in rs.next_steps.get("always", []):
        steps.append(
            {"criterion": None, "text": " ".join(s["text"].split()), "guidance_url": guidance_url(s["guidance"])}
        )
    return steps


def _figure(q: dict[str, Any], value: Any) -> str:
    """'£2,500,000', '300 people' or the text as given."""
    if q["type"] != "number":
        return str(value)
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return f"£{shown}" if q["unit"] == "GBP" else f"{shown} {q['unit']}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def report_markdown(result: dict[str, Any], base_url: str = "", rs: RuleSet | None = None) -> str:
    """The result as a Markdown report for a board paper (the CLI prints the same text)."""
    rs = rs or load()
    base = base_url.rstrip("/")
    lines = [
        "# Social Outcomes Partnership feasibility assessment",
        "",
        f"**Verdict: {result['verdict_label']}** (score {result['score']} out of 100)",
        "",
        result["verdict_summary"],
        "",
    ]
    titles = {c["id"]: c["title"] for c in result["criteria"]}
    if result["blockers"]:
        lines += ["## Blockers", ""] + [f"- {titles[b]}" for b in result["blockers"]] + [""]
    lines += ["## Findings", "", "| Test | Your answer | Status | Why | What to do |", "|---|---|---|---|---|"]
    for c in result["criteria"]:
        row = [f"[{c['title']}]({base}{c['guidance_url']})", c["answer"], c["status_label"], c["reason"], c["advice"]]
        lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    lines += ["", "## Next steps", ""]
    lines += [
        f"{i}. {s['text']} See [guidance]({base}{s['guidance_url']})." for i, s in enumerate(result["next_steps"], 1)
    ]
    if result["comparable_projects"]:
        lines += ["", "## Comparable projects", ""]
        for p in result["comparable_projects"]:
            where = ", ".join(p["countries"])
            lines.append(f"- [{p['name']}]({p['indigo_url']}) ({p['policy_area']}, {where}, {p['stage']}). {p['why']}")
        lines += ["", result["credit"] + "."]
    numbers = [q for q in rs.questions if q["type"] != "choice" and q["id"] in result["answers"]]
    if numbers:
        lines += ["", "## Figures you gave", ""]
        lines += [f"- {q['text']} {_figure(q, result['answers'][q['id']])}" for q in numbers]
    lines += [
        "",
        f"Rules version {result['rules_version']}. How the assessor decides: {base}/tools/how-the-assessor-decides/",
        "",
    ]
    return "\n".join(lines)
