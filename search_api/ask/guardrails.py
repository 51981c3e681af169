"""Input guardrails for the chatbot: length, invisible characters, personal data, history."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_QUESTION = 500
MAX_HISTORY_ITEMS = 6
MAX_HISTORY_TEXT = 500
MAX_COMMENT = 1000
ROLES = ("user", "bot")
# "assistant" is what most chat clients call the bot's turns; it is accepted as "bot".
ROLE_ALIASES = {"assistant": "bot"}

# Format (Cf: zero-width spaces, bidi overrides, BOM), control (Cc), private-use and
# unassigned characters can hide instructions or break matching; they carry no meaning here.
_DROP_CATEGORIES = {"Cf", "Cc", "Co", "Cn", "Cs"}

# Personal data we refuse to take in. Patterns lean towards catching too much: a refused
# question costs the reader a retype, a stored email address costs far more.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# UK numbers: +44 or 0, then 9-10 more digits with optional spaces, dots, dashes, brackets.
_PHONE = re.compile(r"(?<![\w£$€.])(?:\+\s?44\s?\(?0?\)?|\(?0)(?:[\s.\-()]*\d){9,10}(?![\d%])")
# National Insurance number: two letters, six digits, a suffix A-D (spaces allowed).
# Official prefixes exclude some letters, but people also type the well-known example
# "QQ 12 34 56 C", so any two letters count.
_NINO = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I)
_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
# A house number and a capitalised street name ("12 Mill Road"), or a house number
# followed within a short stretch by a postcode ("Flat 3, ... PE1 1AA").
_STREET_TYPES = "street|st|road|rd|avenue|ave|lane|close|drive|crescent|terrace|gardens|grove|square|mews"
_ADDRESS = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z'.-]+\s+){1,3}(?i:" + _STREET_TYPES + r")\b"
    r"|(?i:\b\d{1,4}[a-z]?\b[^0-9]{0,80}?\b" + _POSTCODE + r"\b)"
)
PERSONAL_KINDS = {
    "email": _EMAIL,
    "phone": _PHONE,
    "national_insurance": _NINO,
    "address": _ADDRESS,
}


def clean_text(text: str) -> str:
    """Invisible and control characters removed, whitespace collapsed, NFKC-normalised."""
    text = unicodedata.normalize("NFKC", text)
    kept = []
    for ch in text:
        if ch in "\t\n\r":
            kept.append(" ")
        elif unicodedata.category(ch) not in _DROP_CATEGORIES:
            kept.append(ch)
    return " ".join("".join(kept).split())


def personal_data(text: str) -> list[str]:
    """The kinds of personal data found in a text (empty when none)."""
    return [kind for kind, pattern in PERSONAL_KINDS.items() if pattern.search(text)]


PERSONAL_DATA_MESSAGE = (
    "Your message seems to contain personal details ({kinds}). Please do not share personal "
    "information here: I cannot help with individual cases, and I have not stored or logged "
    "your message. Ask again without the personal details."
)

_KIND_NAMES = {
    "email": "an email address",
    "phone": "a phone number",
    "national_insurance": "a National Insurance number",
    "address": "a home address",
}


def personal_data_message(kinds: list[str]) -> str:
    """The explanation shown when a message is refused for personal data."""
    return PERSONAL_DATA_MESSAGE.format(kinds=", ".join(_KIND_NAMES[k] for k in kinds))


@dataclass
class Turn:
    """One earlier turn of the conversation."""

    role: str
    text: str


def clean_history(history: list[dict[str, Any]] | None) -> list[Turn]:
    """Earlier turns, cleaned; turns holding personal data are dropped, never used."""
    turns: list[Turn] = []
    for item in (history or [])[-MAX_HISTORY_ITEMS:]:
        role = ROLE_ALIASES.get(item.get("role"), item.get("role"))
        text = clean_text(str(item.get("text") or ""))[:MAX_HISTORY_TEXT]
        if role in ROLES and text and not personal_data(text):
            turns.append(Turn(role, text))
    return turns


def history_errors(history: Any) -> list[dict[str, str]]:
    """Validation problems of a history value: [] when it is acceptable."""
    if history is None:
        return []
    if not isinstance(history, list):
        return [{"field": "history", "message": "'history' must be a list of {role, text} objects."}]
    problems: list[dict[str, str]] = []
    if len(history) > MAX_HISTORY_ITEMS:
        problems.append({"field": "history", "message": f"'history' may hold at most {MAX_HISTORY_ITEMS} turns."})
    for i, item in enumerate(history):
        where = f"history[{i}]"
        if not isinstance(item, dict):
            problems.append({"field": where, "message": f"'{where}' must be an object with role and text."})
            continue
        unknown = sorted(set(item) - {"role", "text"})
        if unknown:
            problems.append({"field": f"{where}.{unknown[0]}", "message": f"Unknown field(s) in {where}: {unknown}."})
        role = item.get("role")
        # A list or object as role is unhashable: test the type before the alias lookup.
        if not isinstance(role, str) or (role not in ROLES and role not in ROLE_ALIASES):
            problems.append({"field": f"{where}.role", "message": f"'{where}.role' must be 'user' or 'bot'."})
        text = item.get("text")
        if not isinstance(text, str):
            problems.append({"field": f"{where}.text", "message": f"'{where}.text' must be a string."})
        elif len(text) > MAX_HISTORY_TEXT:
            problems.append(
                {"field": f"{where}.text", "message": f"'{where}.text' must be at most {MAX_HISTORY_TEXT} characters."}
            )
    return problems
