"""The baseline readers have today: Material's lunr search over site/search/search_index.json."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from lunr import lunr

_TAG = re.compile(r"<[^>]+>")
_SPECIAL = re.compile(r"[:^~*+\-\"]")


class MaterialSearch:
    """lunr.py with Material's fields and boosts (title 1000, text 1, tags 1,000,000)."""

    def __init__(self, site_dir: Path) -> None:
        data = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
        fields = data["config"].get("fields") or {"title": {"boost": 1000}, "text": {"boost": 1}}
        docs = []
        for doc in data["docs"]:
            docs.append(
                {
                    "location": "/" + doc["location"],
                    "title": unescape(_TAG.sub(" ", doc.get("title", ""))),
                    "text": unescape(_TAG.sub(" ", doc.get("text", ""))),
                    "tags": " ".join(doc.get("tags") or []),
                }
            )
        self.index = lunr(
            ref="location",
            fields=[{"field_name": name, "boost": spec.get("boost", 1)} for name, spec in fields.items()],
            documents=docs,
        )

    def search(self, query: str, k: int = 10) -> list[str]:
        """Locations of the top k sections, as the site's search would rank them."""
        # Query syntax characters are dropped, as Material's query transform does.
        cleaned = " ".join(_SPECIAL.sub(" ", query).split())
        if not cleaned:
            return []
        try:
            hits = self.index.search(cleaned)
        except Exception:  # noqa: BLE001 - a query lunr cannot parse finds nothing, as in the browser
            return []
        return [h["ref"] for h in hits[:k]]
