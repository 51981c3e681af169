"""The chat box says what is kept and for how long, and the deploy files keep that promise."""

from __future__ import annotations

import re

from search_api.config import ROOT
from tests.conftest import SITE, require_built


def _privacy_line(html: str) -> str:
    match = re.search(r'<p id="hub-chat-privacy"[^>]*>(.*?)</p>', html, re.S)
    assert match, "the chat box has no privacy line"
    return " ".join(match.group(1).split())


def test_the_chat_box_says_what_is_kept_and_for_how_long():
    require_built()
    line = _privacy_line((SITE / "index.html").read_text(encoding="utf-8"))
    for words in ("rating", "question", "comment", "one year", "never with personal details"):
        assert words in line, words
    dialog = re.search(r'<section id="hub-chat-dialog"[^>]*>', (SITE / "index.html").read_text(encoding="utf-8"))
    assert dialog and "hub-chat-privacy" in dialog.group(0)  # screen readers hear it with the box


def test_the_daily_prune_keeps_the_one_year_promise():
    service = (ROOT / "deploy" / "sophub-prune.service").read_text(encoding="utf-8")
    timer = (ROOT / "deploy" / "sophub-prune.timer").read_text(encoding="utf-8")
    assert "feedback-prune --older-than 365d" in service and "OnCalendar=daily" in timer
