"""Slide metadata (issue 15): the stored notebooks carry the slide types tools/slide_metadata.py gives them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import slide_metadata  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_slide_metadata_is_current(path):
    stale = slide_metadata.stale(load(path))
    assert not stale, (
        f"{path.name}: slide metadata missing or out of date in {len(stale)} cells (first: {stale[0]}); "
        f"run: .venv/bin/python tools/slide_metadata.py notebooks/{path.name}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_deck_is_a_lecture(path):
    nb = load(path)
    kinds = slide_metadata.slide_types(nb)
    assert len(kinds) == len(nb["cells"]) and kinds[0] == "slide"
    for cell, kind in zip(nb["cells"], kinds):
        text = "".join(cell["source"])
        tags = cell["metadata"].get("tags", [])
        if text.startswith(("## Learning objectives", "## Summary")):
            assert kind == "slide", f"{path.name} {cell['id']}: objectives and summary open a slide"
        if "solution" in tags or text.startswith(("## Setup", "## Exercises", "check(")) or "nbval-ignore-output" in tags:
            assert kind == "skip", f"{path.name} {cell['id']}: setup, exercises, live cells and widgets stay out"
        if kind != "skip" and cell["cell_type"] == "code":
            assert slide_metadata.code_height(cell) <= slide_metadata.SLIDE_BUDGET_PX
    shown = [k for k in kinds if k != "skip"]
    assert sum(k == "slide" for k in shown) >= 3, f"{path.name}: a deck needs a title, objectives and a summary"


def test_apply_is_idempotent_and_leaves_other_metadata(tmp_path):
    nb = load(NOTEBOOKS[1])
    once = slide_metadata.apply(nb)
    assert slide_metadata.stale(once) == [] and slide_metadata.apply(once) == once
    assert [c["metadata"].get("tags") for c in once["cells"]] == [c["metadata"].get("tags") for c in nb["cells"]]
    # the command line writes a copy in nbformat's layout and then reports it current
    copy = tmp_path / NOTEBOOKS[1].name
    copy.write_text(json.dumps(nb), encoding="utf-8")
    assert slide_metadata.main([str(copy)]) == 0 and slide_metadata.main(["--check", str(copy)]) == 0
    assert slide_metadata.main([str(tmp_path / "missing.ipynb")]) == 2
