"""Execute notebooks in place, top to bottom, so their stored outputs are current.

Why not plain `jupyter nbconvert --execute`: we also drop per-cell timing
metadata and normalise the notebook, so that re-executing an unchanged
notebook leaves git with nothing to commit.

Usage: python tools/execute_notebooks.py notebooks/01_state_machine.ipynb [...]
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

TIMEOUT_S = 300


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=False,  # only cells tagged raises-exception may raise
    )
    client.execute()
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        _stable_widget_ids(cell, f"{path.name}:{index}")
        # how a cell's printing is split into messages depends on timing: join the chunks
        CoalesceStreamsPreprocessor().preprocess_cell(cell, {}, index)
    nb.metadata.pop("widgets", None)  # widget state has random model ids
    nbformat.validate(nb)
    nbformat.write(nb, path)


def _stable_widget_ids(cell: nbformat.NotebookNode, where: str) -> None:
    """Replace each widget view's random model id with one derived from its place.

    The stored widget state is dropped, so the id points at nothing either way
    (readers without a kernel see the text fallback); a fixed id keeps a
    re-execution from changing the file.
    """
    for number, output in enumerate(cell.get("outputs", [])):
        view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
        if view is not None:
            view["model_id"] = hashlib.sha256(f"{where}:{number}".encode()).hexdigest()[:32]


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted(Path("notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"executing {path}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
