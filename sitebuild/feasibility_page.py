"""The "How the assessor decides" page, generated from kb/feasibility/ at build time."""

from __future__ import annotations

from search_api.feasibility import assess as feasibility
from search_api.feasibility.rules import RuleSet, describe, format_threshold
from sitebuild.page import head

PAGE = "tools/how-the-assessor-decides.md"


def _link(doc_ref: str) -> str:
    """A docs path such as 'guidance/x.md#a' as a link relative to tools/."""
    return "../" + doc_ref


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_page(rs: RuleSet) -> str:
    """The generated page as Markdown: every criterion, rule, threshold, verdict and source."""
    labels = {q["id"]: q["text"] for q in rs.questions}
    total = sum(c.max_points for c in rs.criteria)
    core = [c for c in rs.criteria if c.blocker]
    meta = {
        "title": "How the feasibility assessor decides",
        "description": "Every test, rule, figure and source the feasibility assessor uses, generated from its rules file.",
        "type": "tool",
        "tags": ["feasibility", "tools"],
        "last_reviewed": rs.version[:10],
    }
    lines = [
        *head(
            meta,
            "How the feasibility assessor decides",
            [
                f"The [feasibility assessor](feasibility-assessor.md) checks {len(rs.criteria)} tests.",
                f"{len(core)} of them are core tests: if one is not met, the verdict is unsuitable.",
                "This page is built from the assessor's rules file each time the site is built,",
                f"so it always says exactly what the assessor does. Rules version `{rs.rules_version}`.",
            ],
        ),
        "## How the score and the verdict work",
        "",
        "Each answer is *yes*, *partly*, *no* or *unsure*. A question left blank counts as *unsure*.",
        "For each test, the rules below are tried in order and the first that applies gives its status.",
        "The status is *met*, *partly met*, *not known yet* or *not met*.",
        f"Each rule also gives points. The score is the points earned as a share of the {total} available, from 0 to 100.",
        "",
        "The verdict is the first of these that applies:",
        "",
    ]
    for v in rs.verdicts:
        lines.append(f"1. **{v['label']}** (`{v['id']}`). {_verdict_rule(v, rs)} {_cell(v['summary'])}")
    lines += [
        "",
        "## The tests",
        "",
        "Table: The tests the assessor applies, whether each is a core test, and the most points each can give.",
        "",
        "| Test | Core test | Most points | Guidance |",
        "|---|---|---|---|",
    ]
    for c in rs.criteria:
        lines.append(
            f"| {c.title} (`{c.id}`) | {'Yes' if c.blocker else 'No'} | {c.max_points} | [Read more]({_link(c.guidance)}) |"
        )
    lines += ["", "## The rules for each test", ""]
    for c in rs.criteria:
        lines += [
            f"### {c.title}",
            "",
            f'Table: The rules for the test "{c.title}", with the status, points and source of each.',
            "",
            "| Rule | Applies when | Status | Points | Why | Source |",
            "|---|---|---|---|---|---|",
        ]
        for r in c.rules:
            cond = describe(r.condition, rs.thresholds, labels)
            ref = f"[{_cell(r.reference['publication'])}]({r.reference['url']})"
            row = [f"`{r.id}`", cond, feasibility.STATUS_LABELS[r.status], r.weight, r.reason, ref]
            lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
        lines.append("")
    lines += [
        "## The figures the rules use",
        "",
        "These figures come from the INDIGO impact bond data held on this hub.",
        "Each one says how it was worked out, so you can check it.",
        "",
        "Table: The figures from INDIGO data that the rules use, and how each was worked out.",
        "",
        "| Figure | Value | What it means | How it was worked out |",
        "|---|---|---|---|",
    ]
    for tid, t in rs.thresholds.items():
        ev = t.get("evidence", {})
        how = f"{ev.get('method', '')} Projects counted: {ev.get('n', 'n/a')}."
        row = [f"`{tid}`", format_threshold(t), t["description"], how]
        lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    lines += [
        "",
        "## The order of the next steps",
        "",
        "The result lists the advice for each test that is not met, then each that is not known yet,",
        "then each that is partly met. Within each group, core tests come first, then the tests worth more points.",
        "",
        "## Sources",
        "",
    ]
    for ref in rs.references.values():
        lines.append(f"- {ref['publication']}, [link]({ref['url']})")
    lines.append("")
    return "\n".join(lines)


def _verdict_rule(v: dict, rs: RuleSet) -> str:
    """When a verdict applies, in short sentences."""
    if v.get("when_blocker"):
        return "Applies when any core test is not met."
    if not v.get("min_score") and not v.get("requires_met") and not v.get("no_not_met"):
        return "Applies in every other case."
    parts = [f"Applies when the score is at least {v.get('min_score', 0)}."]
    if v.get("requires_met"):
        titles = [c.title.lower() for c in rs.criteria if c.id in v["requires_met"]]
        parts.append("These tests must be met: " + "; ".join(titles) + ".")
    if v.get("no_not_met"):
        parts.append("No test may be not met.")
    return " ".join(parts)
