"""`sophub feedback-export`, `feedback-report` and `feedback-prune`: what readers said, for whoever runs the hub.

Each reads SOP_FEEDBACK_URL like the server does, so they work on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import argparse
import sys

from search_api.cli.registry import command
from search_api.config import Settings


def _store():
    from search_api.feedback.stores import open_store

    return open_store(Settings())


def _fail(exc: BaseException) -> int:
    from search_api.feedback.stores import redact

    print(f"error: the feedback store cannot be read: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
    return 2


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")


@command(
    "feedback-export",
    "Print every feedback row (rating, route, page, question, comment, cited URLs) as CSV or JSON.",
    _export_args,
)
def _export(args: argparse.Namespace) -> int:
    from search_api.feedback import report
    from search_api.feedback.stores import STORE_ERRORS

    store = _store()
    try:
        rows = store.rows()
    except STORE_ERRORS as exc:
        return _fail(exc)
    finally:
        store.close()
    sys.stdout.write(report.export(rows, args.format))
    return 0


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", default="30d", help="how far back: 30d (default), 2w or 12h")
    p.add_argument("--format", choices=("md", "csv"), default="md", help="md (Markdown, default) or csv")
    p.add_argument("--top", type=int, default=20, help="declined questions to list (default 20)")


@command(
    "feedback-report",
    "Ratings by page and by answer route, answers rated unhelpful, and the questions declined most often.",
    _report_args,
)
def _report(args: argparse.Namespace) -> int:
    from search_api.feedback import report
    from search_api.feedback.stores import STORE_ERRORS

    try:
        span = report.parse_duration(args.since)
    except ValueError as exc:
        print(f"error: --since: {exc}", file=sys.stderr)
        return 2
    until = report.now()
    since = until - span
    store = _store()
    try:
        built = report.build(store.rows(since), store.declined(since), since, until, top=max(1, args.top))
    except STORE_ERRORS as exc:
        return _fail(exc)
    finally:
        store.close()
    sys.stdout.write(report.to_markdown(built) if args.format == "md" else report.to_csv(built))
    return 0


def _prune_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--older-than", required=True, help="age of the rows to delete, such as 365d")


@command(
    "feedback-prune", "Delete feedback and declined questions older than --older-than (such as 365d).", _prune_args
)
def _prune(args: argparse.Namespace) -> int:
    from search_api.feedback import report
    from search_api.feedback.stores import STORE_ERRORS

    try:
        before = report.now() - report.parse_duration(args.older_than)
    except ValueError as exc:
        print(f"error: --older-than: {exc}", file=sys.stderr)
        return 2
    store = _store()
    try:
        gone = store.prune(before)
    except STORE_ERRORS as exc:
        return _fail(exc)
    finally:
        store.close()
    print(
        f"Deleted {gone['feedback']} feedback rows and {gone['declined']} declined questions from before {before:%Y-%m-%d %H:%M} UTC."
    )
    return 0
