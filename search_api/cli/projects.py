"""`sophub indigo-check`: load the INDIGO data and report its counts and problems."""

from __future__ import annotations

import argparse
from pathlib import Path

from search_api.cli.registry import command


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None, help="folder of INDIGO CSVs (default: kb/indigo)")
    p.add_argument("--problems", action="store_true", help="list every data problem, not only how many")


@command("indigo-check", "Load the INDIGO data in kb/indigo and print its counts and data problems.", _args)
def _indigo_check(args: argparse.Namespace) -> int:
    from search_api.projects import load as indigo

    data_dir = args.data or indigo.DATA_DIR
    try:
        data = indigo.load(data_dir)
    except (FileNotFoundError, KeyError) as exc:
        print(f"error: cannot read INDIGO data in {data_dir}: {exc}. Run scripts/import_indigo.py first.")
        return 2
    lcf = [f for f in data.funds if f.name.startswith("Life Chances Fund")]
    print(f"INDIGO data in {data_dir}")
    print(f"  projects:        {len(data.projects):,}")
    print(f"  outcomes funds:  {len(data.funds):,}")
    print(f"  organisations:   {len(data.organisations):,}")
    print(f"  outcome metrics: {data.metrics:,}")
    print(f"  results:         {data.results:,}")
    print(f"  policy sectors:  {len({p.policy_sector for p in data.projects})}")
    print(f"  countries:       {len({c for p in data.projects for c in p.countries})}")
    if lcf:
        print(f"  Life Chances Fund projects: {len(lcf[0].project_ids)}")
    # Rows that point at ids missing from another file: shown on pages as plain ids, never links.
    print(f"  dangling references: {len(data.problems)}")
    for problem in data.problems if args.problems else []:
        print(f"    - {problem}")
    bad = [p.id for p in data.projects if not p.name or not p.policy_sector or not p.countries]
    if bad:
        print(f"error: projects without a name, sector or country: {', '.join(bad)}")
        return 1
    return 0
