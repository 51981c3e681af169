"""Writers of structures saved beside the vectors in each index version (e.g. BM25)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from search_api.index.lexical import write_bm25

WRITERS: list[Callable[[Path, list[dict[str, Any]]], None]] = [write_bm25]
