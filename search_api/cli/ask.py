"""`sophub ask-warm` and `sophub ask`: prepare and try the guidance chatbot from the shell."""

from __future__ import annotations

import argparse
import json
import time

from search_api.cli.registry import command
from search_api.config import Settings


@command("ask-warm", "Embed every sentence of the index for the chatbot, so no reader waits (run after build-index).")
def _ask_warm(args: argparse.Namespace) -> int:
    from search_api.ask.answer import warm
    from search_api.state import Resources

    started = time.perf_counter()
    count = warm(Resources(Settings()))
    print(f"Chatbot sentence vectors ready: {count} sentences, {time.perf_counter() - started:.1f} s.")
    return 0


def _ask_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the question to answer")


@command("ask", "Answer one question with the guidance chatbot and print the JSON reply.", _ask_args)
def _ask(args: argparse.Namespace) -> int:
    from search_api.ask.answer import answer_question
    from search_api.state import Resources

    print(json.dumps(answer_question(Resources(Settings()), args.question), indent=2, ensure_ascii=False))
    return 0
