"""The Markdown syntax the hub's text tools agree on: the chunker (what search indexes) and the
readability report read fences, front matter, table rules and admonitions with these same patterns."""

from __future__ import annotations

import re

# A code fence: three or more backticks or tildes (the run is captured so a closing fence can match it).
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# YAML front matter at the very top, closed by --- or ...
FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n(---|\.\.\.)\s*(\n|\Z)", re.S)
# The rule under a table's header row: |---|:--:|
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# An admonition's opening line: !!! note "Title" or ??? tip (collapsible).
ADMONITION = re.compile(r'^\s*(!!!|\?\?\?\+?)\s+\w[\w-]*(\s+"([^"]*)")?\s*$')
# An abbreviation definition: *[SIB]: social impact bond
ABBR_DEF = re.compile(r"^\s*\*\[[^\]]+\]:")


def strip_front_matter(markdown: str) -> str:
    """The Markdown without its leading YAML front matter block."""
    return FRONT_MATTER.sub("", markdown, count=1)
