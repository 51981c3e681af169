"""The top every generated page shares: front matter, the h1 and the summary box (GOV.UK style)."""

from __future__ import annotations

import json


def front_matter(meta: dict) -> str:
    """YAML front matter; JSON strings are valid YAML and quote everything safely."""
    lines = ["---"]
    for key, value in meta.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {json.dumps(v, ensure_ascii=False)}" for v in value]
        elif isinstance(value, int):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines + ["---", ""])


def head(meta: dict, title: str, summary: list[str]) -> list[str]:
    """Front matter, the page title and a "Summary" box holding the given lines, then a blank line."""
    return [front_matter(meta), f"# {title}", "", '!!! summary "Summary"', *(f"    {line}" for line in summary), ""]
