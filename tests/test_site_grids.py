"""Every widget declares the grid the static site draws it on (issue 16), and the grids are checked.

The frames themselves, their truth against the live widget and the browser are
tested in ``tests/browser/test_site_widgets.py``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import ipywidgets as w
import matplotlib
import pytest

matplotlib.use("Agg")

from tcpmodel.widgets.base import EVERY, CourseWidget, Steps  # noqa: E402
from tcpmodel.widgets.site import (  # noqa: E402
    _closure,
    _imports_of_source,
    check_grid,
    grid_points,
    manifest_controls,
    point_key,
    widget_from_source,
    widget_key,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Frames a cold `make site` may draw in all: about 0.1-0.25 s each on one core, in a pool of 2.
MAX_POINTS = 2500


def _builder():
    spec = importlib.util.spec_from_file_location("build_site_for_grids", ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_site_for_grids"] = module
    spec.loader.exec_module(module)
    return module


SPECS = _builder().site_widget_specs(NOTEBOOKS)


def test_every_notebook_widget_is_found():
    cells = sum(1 for nb in NOTEBOOKS for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                if any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.get("outputs", [])))
    assert len(SPECS) == cells and cells > 0


@pytest.mark.parametrize("spec", SPECS, ids=[s["id"] for s in SPECS])
def test_every_control_of_every_widget_has_a_grid(spec):
    widget = widget_from_source(spec["source"])
    grid = check_grid(widget)  # raises, naming the control, if one has no entry or a bad one
    assert set(grid) == set(widget.controls)
    controls = {c["name"]: c for c in manifest_controls(widget, grid)}
    for name, control in widget.controls.items():
        shown = controls[name]
        assert shown["label"] == (control.description or name).strip(), "the site shows the notebook's label"
        if shown["kind"] == "slider":
            assert (shown["min"], shown["max"], shown["step"]) == (control.min, control.max, control.step)
            assert shown["values"][shown["initial"]] == control.value
        if shown["kind"] in ("select", "toggle"):
            options = [o if isinstance(o, tuple) else (str(o), o) for o in control.options]
            assert shown["labels"] == [str(label) for label, _ in options], "every option, with its label"


def test_grids_stay_within_the_build_budget():
    total = sum(len(grid_points(check_grid(widget_from_source(s["source"])))) for s in SPECS)
    assert total <= MAX_POINTS, f"{total} grid points; a cold make site would take too long (budget {MAX_POINTS})"


def _demo(grid):
    controls = {"n": w.IntSlider(value=2, min=0, max=10, step=2), "on": w.Checkbox(value=True),
                "pick": w.Dropdown(options=[("a", 1), ("b", 2)], value=1)}
    return CourseWidget(controls, lambda n, on, pick: None, site_grid=grid)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"n": [0, 2, 10], "on": EVERY}, "no entry for control 'pick'"),
        ({"n": [0, 2, 10], "on": EVERY, "pick": [1]}, "every option of the drop-down"),
        ({"n": [0, 2, 8], "on": EVERY, "pick": EVERY}, "both ends of the slider"),
        ({"n": [0, 3, 10], "on": EVERY, "pick": EVERY}, "on the slider's steps"),
        ({"n": [0, 4, 10], "on": EVERY, "pick": EVERY}, "initial value 2"),
        ({"n": [0, 2, 10], "on": [True], "pick": EVERY}, "both states of the check box"),
        ({"n": [0, 2, 10], "on": EVERY, "pick": EVERY, "gone": [1]}, "does not have"),
    ],
)
def test_a_bad_grid_is_refused_naming_the_control(grid, message):
    with pytest.raises(ValueError, match=message):
        check_grid(_demo(grid))


def test_a_good_grid_expands_every_option():
    grid = check_grid(_demo({"n": [0, 2, 10], "on": EVERY, "pick": EVERY}))
    assert grid == {"n": [0, 2, 10], "on": [False, True], "pick": [1, 2]}
    assert len(grid_points(grid)) == 3 * 2 * 2


def test_steps_are_not_a_grid_axis():
    widget = widget_from_source("from tcpmodel.widgets.stepper import state_stepper\nstate_stepper()")
    grid = check_grid(widget)
    assert isinstance(grid["action"], Steps)
    assert [sorted(values) for _, values in grid_points(grid)][0] == ["mode", "scenario"]


def test_cache_key_covers_the_model_the_widget_draws():
    source = "from tcpmodel.widgets.loss_picker import loss_picker\nloss_picker()"
    files = {str(p.relative_to(ROOT)) for p in _closure(_imports_of_source(source))}
    for needed in ("tcpmodel/widgets/loss_picker.py", "tcpmodel/plots/ladder.py", "tcpmodel/sim/engine.py", "tcpmodel/states.py"):
        assert needed in files, f"a change to {needed} must redraw the loss picker's frames"
    key = widget_key(source)
    assert point_key(key, {"lose": 1, "time_wait": True}) != point_key(key, {"lose": 1, "time_wait": False})
    assert point_key(key, {"lose": 1}) == point_key(key, {"lose": 1})


def test_loss_picker_lists_its_segments_beside_the_ladder():
    """On the site, the loss picker's frames carry the run's segments in words; the lost one says so."""
    import re

    from tcpmodel.sim import simulate
    from tcpmodel.widgets.loss_picker import _MSL, segments_table

    rows = dict(re.findall(r"<tr><td>#(\d+)</td>(.*?)</tr>", segments_table(6, time_wait=True)))
    assert "lost" in rows["6"] and all("lost" not in row for i, row in rows.items() if i != "6")
    assert "lost" not in segments_table(-1)
    assert len(re.findall(r"<tr><td>#", segments_table(-1))) == len(simulate("normal_close", closer="A", msl=_MSL).segments)
    widget = widget_from_source("from tcpmodel.widgets.loss_picker import loss_picker\nloss_picker()")
    [frame] = widget.site_frames({"lose": 3, "time_wait": False})
    assert frame["html"] == segments_table(3, time_wait=False)
