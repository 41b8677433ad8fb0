"""Rewrite fact blocks and annotated numbers in the notebooks from tcpmodel.

    python tools/sync_prose.py [notebooks/NN_x.ipynb ...]   # default: every notebook

Only markdown cells change; outputs and execution counts are left as they are.
See tcpmodel/prose.py for the two annotations.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tcpmodel.prose import sync_markdown

ROOT = Path(__file__).resolve().parents[1]


def sync(path: Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        old = "".join(cell["source"])
        new = sync_markdown(old)
        if new != old:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        if sync(path):
            print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
