"""Committed figures are exactly what the code draws now, and each has alt text."""

import json
from pathlib import Path

import pytest

from tcpmodel.figures import index_entry, registered_figures, render_svg

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
SPECS = registered_figures()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_committed_figure_is_current(name):
    committed = FIGURES / SPECS[name].filename
    assert committed.exists(), f"figures/{committed.name} is missing: run `make figures`"
    assert committed.read_bytes() == render_svg(SPECS[name]), f"figures/{committed.name} is stale: run `make figures`"


def test_rendering_is_deterministic():
    if not SPECS:
        pytest.skip("no figures registered yet")
    spec = SPECS[sorted(SPECS)[0]]
    assert render_svg(spec) == render_svg(spec)


def test_svg_has_no_date():
    for spec in SPECS.values():
        assert b"<dc:date>" not in (FIGURES / spec.filename).read_bytes()


def test_index_matches_registry():
    index = json.loads((FIGURES / "index.json").read_text(encoding="utf-8"))
    assert index == {name: index_entry(spec) for name, spec in SPECS.items()}
    assert all(entry["alt"].strip() for entry in index.values())


def test_no_orphan_figures():
    drawn = {spec.filename for spec in SPECS.values()}
    orphans = sorted(p.name for p in FIGURES.glob("*.svg") if p.name not in drawn)
    assert not orphans, f"figures/ holds SVGs no code draws: {orphans}"


def test_figure_registration_validates_names():
    from tcpmodel.figures import figure

    with pytest.raises(ValueError, match="figure name"):
        figure("Bad Name", alt="x")
    with pytest.raises(ValueError, match="alt text"):
        figure("no_alt", alt=" ")
