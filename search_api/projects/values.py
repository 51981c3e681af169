"""Clean INDIGO's raw cell values: text, numbers, money, partial dates, countries."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MONTHS = ("January February March April May June July August September October November December").split()

# INDIGO gives ISO 3166 alpha-2 codes; these are the names readers expect.
COUNTRY_NAMES = {
    "AE": "United Arab Emirates", "AR": "Argentina", "AT": "Austria", "AU": "Australia",
    "BE": "Belgium", "CA": "Canada", "CD": "Democratic Republic of the Congo", "CH": "Switzerland",
    "CL": "Chile", "CM": "Cameroon", "CO": "Colombia", "DE": "Germany", "DK": "Denmark",
    "ET": "Ethiopia", "FI": "Finland", "FR": "France", "GB": "United Kingdom", "GH": "Ghana",
    "HK": "Hong Kong", "IL": "Israel", "IN": "India", "JO": "Jordan", "JP": "Japan", "KE": "Kenya",
    "KH": "Cambodia", "KR": "South Korea", "ML": "Mali", "MX": "Mexico", "NG": "Nigeria",
    "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand", "PE": "Peru", "PS": "Palestine",
    "PT": "Portugal", "RU": "Russia", "SE": "Sweden", "SL": "Sierra Leone", "TR": "Turkey",
    "UG": "Uganda", "US": "United States", "UY": "Uruguay", "ZA": "South Africa",
}  # fmt: skip

# Some currency cells hold a name instead of the ISO code.
CURRENCY_ALIASES = {
    "russian ruble": "RUB", "russian rubles": "RUB", "israeli new shekels": "ILS",
    "japanese yen": "JPY", "south korean won": "KRW", "south african rand": "ZAR",
    "swedish": "SEK", "swiss francs": "CHF", "nz dollar": "NZD",
}  # fmt: skip

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def text(value: str | None) -> str:
    """Trimmed text; blank, 'nan' and 'None' all become ''."""
    if value is None:
        return ""
    value = str(value).strip()
    return "" if value.lower() in {"nan", "none", "null", "n/a"} else value


def number(value: str | None) -> float | None:
    """A plain number, or None for blanks, words and spreadsheet formulae."""
    value = text(value).replace(",", "")
    if not _NUMBER.fullmatch(value):
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def count(value: str | None) -> int | None:
    """A whole number of people or units, or None."""
    out = number(value)
    return int(out) if out is not None and out >= 0 else None


def currency(value: str | None) -> str:
    """An ISO currency code ('' if unknown)."""
    value = text(value)
    return CURRENCY_ALIASES.get(value.lower(), value.upper() if len(value) == 3 else value)


def country_name(code: str) -> str:
    """The English name of a country code (the code itself if unknown)."""
    return COUNTRY_NAMES.get(code.strip().upper(), code.strip())


_ARTICLE = {"GB", "US", "NL", "AE", "CD"}


def place_names(codes: tuple[str, ...] | list[str]) -> str:
    """'the United Kingdom', 'Kenya and Uganda': country names to use inside a sentence."""
    names = [("the " if c in _ARTICLE else "") + country_name(c) for c in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def country_codes(value: str | None) -> tuple[str, ...]:
    """Country codes from a cell such as 'KE, UG'."""
    return tuple(c.strip().upper() for c in text(value).split(",") if c.strip())


@dataclass(frozen=True)
class PartialDate:
    """A date INDIGO may give as a year, a year and month, or a full date."""

    raw: str
    year: int | None = None
    month: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> PartialDate | None:
        """None for a blank cell; an impossible month (e.g. 2018-13) keeps only the year."""
        raw = text(value)
        if not raw:
            return None
        m = _DATE.fullmatch(raw)
        if not m:
            return cls(raw)
        month = int(m.group(2)) if m.group(2) else None
        return cls(raw, int(m.group(1)), month if month and 1 <= month <= 12 else None)

    def __str__(self) -> str:
        if self.year is None:
            return self.raw
        if self.month is None:
            return str(self.year)
        return f"{MONTHS[self.month - 1]} {self.year}"

    def iso(self) -> str:
        """'2010-03', '2010' or the raw text."""
        if self.year is None:
            return self.raw
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)


@dataclass(frozen=True)
class Money:
    """An amount in its original currency, maybe a range, with INDIGO's USD value."""

    currency: str = ""
    amount: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    amount_usd: float | None = None
    minimum_usd: float | None = None
    maximum_usd: float | None = None
    note: str = ""

    @property
    def known(self) -> bool:
        """True when there is an amount, a range or a note to show."""
        return self.value is not None or bool(self.note)

    @property
    def value(self) -> float | None:
        """One figure in the original currency: the exact amount, else the middle of the range."""
        return _central(self.amount, self.minimum, self.maximum)

    @property
    def value_usd(self) -> float | None:
        """One figure in US dollars, as INDIGO converted it."""
        return _central(self.amount_usd, self.minimum_usd, self.maximum_usd)

    def display(self) -> str:
        """'GBP 5,000,000', 'GBP 908,000 to 1,787,523' or '' (never 'nan')."""
        code = self.currency or "(currency not given)"
        if self.amount is not None:
            return f"{code} {fmt_amount(self.amount)}"
        if self.minimum is not None and self.maximum is not None:
            return f"{code} {fmt_amount(self.minimum)} to {fmt_amount(self.maximum)}"
        if self.minimum is not None:
            return f"at least {code} {fmt_amount(self.minimum)}"
        if self.maximum is not None:
            return f"up to {code} {fmt_amount(self.maximum)}"
        return self.note

    def display_usd(self) -> str:
        """'USD 6,300,000' (INDIGO's conversion) or ''."""
        if self.currency == "USD":
            return ""
        value = self.value_usd
        return f"USD {fmt_amount(round(value))}" if value is not None else ""

    def to_dict(self) -> dict:
        """Plain JSON: no NaN, None only where a figure is missing."""
        return {
            "currency": self.currency or None,
            "amount": self.amount,
            "min": self.minimum,
            "max": self.maximum,
            "amount_usd": self.amount_usd,
            "min_usd": self.minimum_usd,
            "max_usd": self.maximum_usd,
            "display": self.display() or None,
        }


def money(
    cur: str | None, amount: str | None, lo: str | None = None, hi: str | None = None, **usd: str | None
) -> Money:
    """Money from raw cells; text that is not a number is kept as a note unless it is noise."""
    raw = text(amount)
    note = raw if raw and number(raw) is None and any(ch.isdigit() for ch in raw) and not raw.startswith("=") else ""
    return Money(
        currency=currency(cur),
        amount=number(amount),
        minimum=number(lo),
        maximum=number(hi),
        amount_usd=number(usd.get("usd")),
        minimum_usd=number(usd.get("usd_min")),
        maximum_usd=number(usd.get("usd_max")),
        note=note,
    )


def _central(exact: float | None, lo: float | None, hi: float | None) -> float | None:
    if exact is not None:
        return exact
    if lo is not None and hi is not None:
        return (lo + hi) / 2
    return lo if lo is not None else hi


def fmt_amount(value: float) -> str:
    """12,500,000 or 1,234.5: no trailing .0, thousands separated."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def fmt_count(value: int | None) -> str:
    """'1,000' or ''."""
    return f"{value:,}" if value is not None else ""
