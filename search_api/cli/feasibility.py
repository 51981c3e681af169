"""`sophub assess answers.yaml`: the feasibility report in the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from search_api.cli.registry import command


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("answers", type=Path, help="YAML or JSON file of answers (the page's JSON export works too)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON instead of the report")
    p.add_argument(
        "--base-url", default="http://127.0.0.1:8000", help="site address for guidance links (default: local hub)"
    )


def read_answers(path: Path) -> Any:
    """The answers mapping from a file: either the mapping itself or {"answers": {...}}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]
    if isinstance(data, dict):
        # YAML 1.1 reads a bare yes/no as true/false; a commissioner writing `yes` means "yes".
        data = {k: ("yes" if v is True else "no" if v is False else v) for k, v in data.items()}
    return data


@command("assess", "Assess whether a Social Outcomes Partnership fits, from a file of answers.", _args)
def _assess(args: argparse.Namespace) -> int:
    from search_api.feasibility.assess import assess, report_markdown, validate

    try:
        raw = read_answers(args.answers)
    except (OSError, yaml.YAMLError) as exc:
        print(f"error: cannot read {args.answers}: {exc}", file=sys.stderr)
        return 2
    answers, problems = validate(raw if raw is not None else {})
    if problems:
        for p in problems:
            allowed = p.get("allowed")
            hint = f" Allowed: {', '.join(map(str, allowed))}." if isinstance(allowed, list) else ""
            print(f"error: {p['field']}: {p['message']}{hint}", file=sys.stderr)
        return 2
    result = assess(answers)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(report_markdown(result, base_url=args.base_url))
    return 0
