"""Copy the INDIGO CSVs the hub uses (and the credit README) into kb/indigo/.

Usage: .venv/bin/python scripts/import_indigo.py [SOURCE_DIR]
SOURCE_DIR defaults to ../shared/data/indigo beside the repository.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search_api.projects.load import DATA_DIR, FILES, load  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "indigo"


def main(argv: list[str]) -> int:
    """Copy the files unchanged, then load them to prove they parse."""
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    missing = [name for name in [*FILES.values(), "README.md"] if not (source / name).is_file()]
    if missing:
        print(f"error: {source} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # The README carries GO Lab's credit and terms: it travels with the data.
    for name in [*FILES.values(), "README.md"]:
        shutil.copyfile(source / name, DATA_DIR / name)
        (DATA_DIR / name).chmod(0o644)
    data = load(DATA_DIR)
    print(
        f"Copied {len(FILES)} CSV files and README.md to {DATA_DIR.relative_to(ROOT)}: {len(data.projects)} projects."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
