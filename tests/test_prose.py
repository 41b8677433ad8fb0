"""Notebook prose agrees with tcpmodel: facts stated once, numbers computed, no template leftovers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcpmodel import prose
from tcpmodel.facts import FACTS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def markdown_cells(nb: Path):
    for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            yield cell.get("id"), "".join(cell["source"])


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_fact_blocks_match_tcpmodel(nb):
    stale = [(cid, key) for cid, md in markdown_cells(nb) for key in prose.stale_facts(md)]
    assert not stale, f"{nb.name}: fact blocks differ from tcpmodel.facts (run tools/sync_prose.py): {stale}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_annotated_numbers_match_tcpmodel(nb):
    wrong = [(cid, *w) for cid, md in markdown_cells(nb) for w in prose.wrong_numbers(md)]
    assert not wrong, f"{nb.name}: numbers in prose differ from tcpmodel (cell, shown, computed, expression): {wrong}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_numbers_in_prose_are_computed(nb):
    """Every number with a unit in markdown carries the annotation that computes it."""
    loose = []
    for cid, md in markdown_cells(nb):
        body = "\n".join(line for line in md.splitlines() if not line.startswith("**Time:**"))
        loose += [(cid, n) for n in prose.unannotated_numbers(body)]
    assert not loose, f"{nb.name}: numbers typed into prose, with no <!--= ... --> annotation: {loose}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_template_leftovers_in_stored_notebook(nb):
    found = []
    for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
        texts = ["".join(cell["source"])] if cell["cell_type"] == "markdown" else []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            texts += ["".join(out.get("text", ""))] + ["".join(data.get(k, "")) for k in ("text/markdown", "text/html")]
        found += [(cell.get("id"), t) for text in texts for t in prose.template_leftovers(text)]
    assert not found, f"{nb.name}: unrendered template syntax or constant names: {found}"


def test_every_fact_is_shown_somewhere():
    shown = {key for nb in NOTEBOOKS for _, md in markdown_cells(nb) for key in
             [m.group(2) for m in prose.FACT_BLOCK.finditer(md)]}
    assert set(FACTS) <= shown, f"facts no notebook shows: {sorted(set(FACTS) - shown)}"
