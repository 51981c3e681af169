"""Figures that claim to add up must add up: a stated total and the parts it "includes".

The rule, checked on every docs/**/*.md page:

1. A *statement* is one table row, or one sentence of prose (list items and admonition text
   count as prose). Fenced code blocks, HTML comments and front matter are ignored.
2. A statement is a *breakdown* when a money amount (the total) is followed, within a few
   words and before any other amount, by one of the trigger phrases "including",
   "includes", "included", "made up of", "comprising", "comprises", "consisting of",
   "split between" or a colon (":"). Every money amount after the trigger, in the same
   currency, is a *part*; a part "from each of seven" payers counts seven times. Amounts are written like £7.96m, £1.62 million, $3.76 million,
   EUR 2,670, £500,000 or £1.2bn.
3. With two or more parts, the parts must add up to the total within rounding. With one
   part ("£21.76m, including £3.76m of fees"), the part must not be larger than the total.
4. *Within rounding* means the difference is no more than the larger of 0.5% of the total
   and one unit of the total's last stated digit plus half a unit of each part's last
   stated digit (for £8.63m the unit is £0.01m; for £22.3m it is £0.1m).
5. A breakdown that does not add up passes only if it is explained:
   - the same statement (table row or prose paragraph) says the figures "do not add up"
     (or "does not", "did not", "don't") or mentions a "difference"; or
   - the page carries a note admonition (`!!! note` or `??? note`) that uses one of those
     words and states the same total amount.

This keeps a page from presenting, say, a total of £8.63m "made up of" £7.96m and £1.62m
(£9.58m) without telling the reader that its source has the same gap.

Self-contained on purpose: it imports only the standard library and pytest, and finds the
project root from this file's location, so it keeps working if modules move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest


def _find_root() -> Path:
    """The nearest folder above this file that holds mkdocs.yml (the project root)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "mkdocs.yml").is_file() and (parent / "docs").is_dir():
            return parent
    raise RuntimeError("could not find the project root (a folder with mkdocs.yml and docs/)")


ROOT = _find_root()
DOCS = ROOT / "docs"

# --- parsing money amounts ---------------------------------------------------------------

_CURRENCY = r"(?P<cur>£|US\$|A\$|\$|€|EUR\s?|USD\s?|GBP\s?|AUD\s?)"
_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_UNIT = r"(?:\s?(?P<unit>bn|billion|m|million|k|thousand)\b)?"
MONEY = re.compile(_CURRENCY + _NUMBER + _UNIT, re.I)
_SCALE = {
    None: Decimal(1),
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}
_CURRENCY_KEY = {
    "£": "GBP",
    "gbp": "GBP",
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "a$": "AUD",
    "aud": "AUD",
}
TRIGGER = re.compile(
    r"^[^£$€\d]{0,60}?(?:\b(?:including|includes|included|made up of|comprising|comprises|consisting of|split between)\b|:)",
    re.I,
)
NOTE_WORDS = re.compile(r"\b(?:do|does|did|don't|doesn't)(?:\s+not)?\s+add\s+up\b|\bdifference\b", re.I)


@dataclass(frozen=True)
class Amount:
    currency: str
    value: Decimal
    unit: Decimal  # one unit of the last stated digit, in the same money terms
    text: str


def parse_amount(m: re.Match) -> Amount:
    cur = _CURRENCY_KEY[m.group("cur").strip().lower()]
    num = m.group("num").replace(",", "")
    scale = _SCALE[(m.group("unit") or "").lower() or None]
    decimals = len(num.split(".")[1]) if "." in num else 0
    return Amount(cur, Decimal(num) * scale, Decimal(1).scaleb(-decimals) * scale, m.group(0).strip())


def amounts(text: str) -> list[tuple[int, int, Amount]]:
    return [(m.start(), m.end(), parse_amount(m)) for m in MONEY.finditer(text)]


@dataclass(frozen=True)
class Breakdown:
    total: Amount
    parts: tuple[Amount, ...]

    @property
    def tolerance(self) -> Decimal:
        rounding = self.total.unit + sum((p.unit / 2 for p in self.parts), Decimal(0))
        return max(self.total.value * Decimal("0.005"), rounding)

    @property
    def adds_up(self) -> bool:
        if len(self.parts) == 1:
            return self.parts[0].value <= self.total.value + self.tolerance
        return abs(sum(p.value for p in self.parts) - self.total.value) <= self.tolerance

    def describe(self) -> str:
        got = sum(p.value for p in self.parts)
        parts = " + ".join(p.text for p in self.parts)
        return f"{self.total.text} stated as including {parts} (= {_fmt(got, self.total.currency)})"


def _fmt(value: Decimal, currency: str) -> str:
    sign = {"GBP": "£", "USD": "$", "EUR": "EUR ", "AUD": "A$"}[currency]
    if value >= 1_000_000:
        return f"{sign}{(value / 1_000_000).normalize():f}m"
    return f"{sign}{value.normalize():f}"


_COUNT_WORDS = {
    w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
}
_EACH = re.compile(r"^\s*(?:from\s+)?each\s+(?:of\s+)?(?:the\s+)?(\d+|[a-z]+)\b", re.I)


def _times(part: Amount, after: str) -> Amount:
    """A part written as "£230,400 from each of seven councils" counts seven times."""
    m = _EACH.match(after)
    n = None
    if m:
        word = m.group(1).lower()
        n = int(word) if word.isdigit() else _COUNT_WORDS.get(word)
    if not n:
        return part
    return Amount(part.currency, part.value * n, part.unit * n, f"{n} x {part.text}")


def find_breakdowns(statement: str) -> list[Breakdown]:
    """Every total-with-parts in one statement (see the module docstring, rule 2)."""
    found: list[Breakdown] = []
    spans = amounts(statement)
    for i, (_, end, total) in enumerate(spans):
        rest = statement[end:]
        if not TRIGGER.match(rest):
            continue
        parts = tuple(_times(a, statement[a_end:]) for _, a_end, a in spans[i + 1 :] if a.currency == total.currency)
        if parts:
            found.append(Breakdown(total, parts))
        break  # one breakdown per statement: later amounts are this total's parts
    return found


# --- splitting a page into statements ----------------------------------------------------

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}).*?^\1\2\s*$", re.M | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'*])")
_ADMONITION = re.compile(r"^(?:!!!|\?\?\?\+?)\s+(\w+)")


@dataclass(frozen=True)
class Statement:
    text: str
    block: str  # the table row or paragraph it comes from (where an explanation may sit)
    line: int


def _clean(text: str) -> str:
    text = _FRONT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    text = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _blocks(text: str) -> list[tuple[int, str, bool]]:
    """(first line number, text, is_table_row) for each table row and each prose paragraph."""
    out: list[tuple[int, str, bool]] = []
    para: list[str] = []
    start = 0

    def flush() -> None:
        if para:
            out.append((start, " ".join(s.strip() for s in para), False))
            para.clear()

    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("|"):
            flush()
            out.append((n, stripped, True))
        elif not stripped or stripped.startswith("#") or re.match(r"^([-*+]|\d+\.)\s", stripped):
            flush()
            if stripped and not stripped.startswith("#"):
                start = n
                para.append(re.sub(r"^([-*+]|\d+\.)\s+", "", stripped))
        else:
            if not para:
                start = n
            para.append(stripped)
    flush()
    return out


def statements(text: str) -> list[Statement]:
    found: list[Statement] = []
    for line, block, is_row in _blocks(_clean(text)):
        if is_row:
            found.extend(Statement(cell, block, line) for cell in block.strip("|").split("|"))
        else:
            found.extend(Statement(s, block, line) for s in _SENTENCE_END.split(block))
    return found


def _notes(text: str) -> list[str]:
    """The body text of each note admonition on a page."""
    notes: list[str] = []
    lines = _clean(text).splitlines()
    for i, line in enumerate(lines):
        m = _ADMONITION.match(line.strip())
        if not m or m.group(1).lower() != "note":
            continue
        body = [line]
        for nxt in lines[i + 1 :]:
            if nxt.strip() and not nxt.startswith(("    ", "\t")):
                break
            body.append(nxt)
        notes.append(" ".join(s.strip() for s in body))
    return notes


def _note_explains(note: str, total: Amount) -> bool:
    if not NOTE_WORDS.search(note):
        return False
    return any(a.currency == total.currency and a.value == total.value for _, _, a in amounts(note))


def problems(text: str) -> list[str]:
    """Breakdowns on a page that do not add up and are not explained (module docstring, rule 5)."""
    notes = _notes(text)
    out: list[str] = []
    for st in statements(text):
        for bd in find_breakdowns(st.text):
            if bd.adds_up or NOTE_WORDS.search(st.block):
                continue
            if any(_note_explains(note, bd.total) for note in notes):
                continue
            out.append(f"line {st.line}: {bd.describe()}")
    return out


# --- the checker on small synthetic pages --------------------------------------------------


def test_amounts_are_read_with_their_units_and_precision():
    (_, _, a), (_, _, b), (_, _, c) = amounts("£7.96m and £1.62 million and EUR 2,670")
    assert (a.currency, a.value, a.unit) == ("GBP", Decimal("7960000"), Decimal("10000"))
    assert (b.value, b.unit) == (Decimal("1620000"), Decimal("10000"))
    assert (c.currency, c.value, c.unit) == ("EUR", Decimal("2670"), Decimal("1"))


def test_a_total_that_adds_up_passes():
    page = "| Maximum outcome payments | £22.3m: Kirklees Council up to £15.7m; the fund up to £6.6m |\n"
    assert find_breakdowns(page.split("|")[2])
    assert problems(page) == []


def test_rounded_parts_within_the_last_digit_pass():
    assert problems("The fund paid £10m, made up of £3.34m, £3.33m and £3.34m.\n") == []


def test_a_total_that_does_not_add_up_fails():
    page = "| Maximum outcome payments | £8.63m of planned payments: the council up to £7.96m and the fund up to £1.62m |\n"
    found = problems(page)
    assert len(found) == 1 and "£8.63m" in found[0] and "£9.58m" in found[0]


def test_a_prose_sentence_that_does_not_add_up_fails():
    page = "# Title\n\nThe total was £16.24m, including £4.25m from the fund, £3.05m from boroughs and £7.15m from donors.\n"
    assert len(problems(page)) == 1


def test_an_explanation_in_the_same_row_passes():
    page = (
        "| Maximum outcome payments | £8.63m: the council up to £7.96m and the fund up to £1.62m. "
        "The parts add up to £9.58m; the difference is not explained in the source. |\n"
    )
    assert problems(page) == []


def test_a_note_admonition_on_the_page_passes():
    page = (
        "| Maximum | £16.24m, including £4.25m, £3.05m and £7.15m |\n\n"
        '!!! note "Figures"\n    INDIGO gives £16.24 million, but its parts do not add up to that total.\n'
    )
    assert problems(page) == []


def test_a_note_about_another_total_does_not_excuse_this_one():
    page = (
        "| Maximum | £16.24m, including £4.25m, £3.05m and £7.15m |\n\n"
        '!!! note "Figures"\n    The £2m grant and its parts do not add up.\n'
    )
    assert len(problems(page)) == 1


def test_a_part_paid_by_each_of_several_payers_counts_once_per_payer():
    page = "| Maximum | £3,241,776, including up to £1,418,976 from the fund, up to £230,400 from each of seven councils and £210,000 from one more |\n"
    assert problems(page) == []
    assert len(problems(page.replace("seven", "six"))) == 1


def test_one_part_only_must_not_exceed_the_total():
    assert problems("Investment was $21.76 million, including $3.76 million of deferred fees.\n") == []
    assert len(problems("Investment was $2 million, including $3.76 million of deferred fees.\n")) == 1


def test_amounts_in_another_currency_or_without_a_trigger_are_not_parts():
    assert problems("The fund had £30m. It paid £10m in 2014 and £5m in 2015.\n") == []
    assert problems("The contract was worth $27 million: about £20m at the time.\n") == []


def test_code_blocks_and_front_matter_are_ignored():
    page = "---\ntitle: x\nnote: £5m: £1m and £1m\n---\n\n```\n£5m, including £1m and £1m\n```\n"
    assert problems(page) == []


# --- the real pages ---------------------------------------------------------------------

PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


def test_pages_were_found():
    assert len(PAGES) >= 10, f"found almost no pages under {DOCS}"


@pytest.mark.parametrize("src", PAGES)
def test_stated_totals_add_up_or_are_explained(src):
    found = problems((DOCS / src).read_text(encoding="utf-8"))
    assert not found, (
        f"docs/{src}: a total does not add up to its parts. Fix the figures, or say on the page "
        "that the source's parts do not add up (see this test's docstring):\n" + "\n".join(found)
    )
