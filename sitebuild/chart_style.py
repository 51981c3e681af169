"""Colours and fill patterns for the INDIGO charts, checked for WCAG non-text contrast at import."""

from __future__ import annotations

# The page behind the charts: Material's default (light) scheme, the only one mkdocs.yml sets.
BACKGROUND = "#ffffff"

# IBM Carbon's categorical data-visualisation palette (light theme), first 8 colours in Carbon's
# order. Carbon picks them for 3:1 against white; check_contrast() below proves it for ours.
PALETTE = ["#6929c4", "#1192e8", "#005d5d", "#9f1853", "#fa4d56", "#570408", "#198038", "#002d9c"]
GRID = "#8d8d8d"  # Carbon gray 50: gridlines help read values, so they need 3:1 too
DOT = "#1192e8"  # capital chart: hollow rings, so overlapping projects stay visible without transparency
MEDIAN = "#570408"  # dark red, strongly different from the rings it crosses
MIN_CONTRAST = 3.0  # WCAG 2.2 SC 1.4.11 non-text contrast

# One distinct shape per series, drawn in the background colour over the series' colour,
# so sectors differ by more than colour (WCAG 2.2 SC 1.4.1). No horizontal lines: in a stacked
# bar they would look like the gap between two segments.
TILE = 6
_W = BACKGROUND
PATTERNS = [
    ("solid", ""),
    ("diagonal lines", f'<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="{_W}" stroke-width="1.4"/>'),
    ("dots", f'<circle cx="3" cy="3" r="1.4" fill="{_W}"/>'),
    ("vertical lines", f'<path d="M3,0 v6" stroke="{_W}" stroke-width="1.6"/>'),
    ("back diagonal lines", f'<path d="M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2" stroke="{_W}" stroke-width="1.4"/>'),
    ("cross-hatch", f'<path d="M0,0 l6,6 M0,6 l6,-6" stroke="{_W}" stroke-width="1"/>'),
    ("checks", f'<path d="M0,0 h3 v3 h-3 z M3,3 h3 v3 h-3 z" fill="{_W}"/>'),
    ("rings", f'<circle cx="3" cy="3" r="1.6" fill="none" stroke="{_W}" stroke-width="0.9"/>'),
]


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.2 contrast ratio of two #rrggbb colours, from 1 to 21."""
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def check_contrast(colours: list[str], background: str = BACKGROUND) -> None:
    """Raise ValueError if any colour has less than 3:1 contrast against the background."""
    low = {c: round(contrast_ratio(c, background), 2) for c in colours if contrast_ratio(c, background) < MIN_CONTRAST}
    if low:
        raise ValueError(f"chart colours below {MIN_CONTRAST}:1 against {background}: {low}")


def series_colour(j: int) -> str:
    """The colour of series j (colours repeat after 8; patterns tell them apart)."""
    return PALETTE[j % len(PALETTE)]


def pattern_id(key: str, j: int) -> str:
    """The id of series j's pattern in the chart with this key (unique on the page)."""
    return f"{key}-pattern-{j}"


def pattern_defs(key: str, count: int) -> str:
    """SVG <defs> with one pattern per series: the series' colour with its own shape over it."""
    if count > len(PATTERNS):
        raise ValueError(f"{count} series but only {len(PATTERNS)} distinct patterns")
    tiles = (
        f'<pattern id="{pattern_id(key, j)}" data-pattern="{PATTERNS[j][0]}" patternUnits="userSpaceOnUse" '
        f'width="{TILE}" height="{TILE}"><rect width="{TILE}" height="{TILE}" fill="{series_colour(j)}"/>'
        f"{PATTERNS[j][1]}</pattern>"
        for j in range(count)
    )
    return "<defs>" + "".join(tiles) + "</defs>"


# Fail the build, not the reader: a colour below 3:1 stops the site from building.
check_contrast([*PALETTE, GRID, DOT, MEDIAN])
