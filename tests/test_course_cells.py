"""make student and make nbgrader read the exercise cells the same way (tools/course_cells.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course_cells  # noqa: E402
import make_nbgrader  # noqa: E402
import make_student  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
ASSIGNMENTS = [p.stem for p in make_nbgrader.assignment_notebooks(NOTEBOOKS)]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_every_notebook_with_exercises_is_an_assignment():
    stems = [p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if not p.name.startswith("00_")]
    with_exercises = [s for s in stems if course_cells.exercises(load(NOTEBOOKS / f"{s}.ipynb"))]
    assert ASSIGNMENTS == with_exercises and "01_state_machine" in ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_version_and_nbgrader_agree_on_solutions(name):
    """The same cells are solutions in both, and both start the answer with the same stub."""
    nb = load(NOTEBOOKS / f"{name}.ipynb")
    student = make_student.studentise(nbformat.reads(json.dumps(nb), as_version=4))
    stubs = {c.id.removesuffix("-stub"): c.source for c in student.cells if "exercise-stub" in c.metadata.get("tags", [])}
    source, grades = make_nbgrader.to_assignment(nb, name)
    answers = {c["id"]: c["source"] for c in source["cells"] if meta(c).get("solution") and c["cell_type"] == "code"}
    assert set(stubs) == set(answers) and stubs, f"{name}: student stubs {sorted(stubs)} but nbgrader answer cells {sorted(answers)}"
    for cell_id, stub in stubs.items():
        stub_lines = [line for line in stub.splitlines() if not line.startswith("raise NotImplementedError")]
        assert answers[cell_id].splitlines()[: len(stub_lines)] == stub_lines
    tagged = {nb["cells"][i]["id"] for i in course_cells.solution_indices(nb) if nb["cells"][i]["cell_type"] == "code"}
    assert set(answers) == tagged
    # Every solution has its autograded tests cell, and nothing else is graded automatically.
    assert sorted(k for k in grades if k.startswith("tests-")) == sorted(
        make_nbgrader.grade_id_for("tests", e.exercise_id) for e in course_cells.exercises(nb))


def test_a_solution_without_its_check_is_refused():
    nb = {"cells": [{"cell_type": "code", "id": "s", "metadata": {"tags": ["solution"]}, "source": "answer_x = 1"},
                    {"cell_type": "code", "id": "c", "metadata": {}, "source": "print(answer_x)"}]}
    with pytest.raises(ValueError, match="must be followed by a cell check"):
        course_cells.exercises(nb)


def test_markdown_solutions_are_dropped_by_both():
    worked = {"cell_type": "markdown", "id": "w", "metadata": {"tags": ["solution"]}, "source": "Worked answer"}
    nb = {"metadata": {}, "cells": [worked]}
    assert make_student.studentise(nbformat.reads(json.dumps(nb | {"nbformat": 4, "nbformat_minor": 5}), as_version=4)).cells == []
    assert make_nbgrader.to_assignment(nb, "01_x")[0]["cells"] == []




def test_make_nbgrader_bad_folder_is_a_one_line_error(tmp_path, capsys):
    assert make_nbgrader.main(["--notebooks", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("make_nbgrader: error: --notebooks must be a folder") and err.count("\n") == 1


def test_widget_cells_get_a_short_timeout_when_autograded(tmp_path):
    from traitlets.config import Config

    summary = make_nbgrader.write_course(NOTEBOOKS, tmp_path / "course")
    namespace = {"get_config": Config, "__file__": str(tmp_path / "course" / "nbgrader_config.py")}
    exec((tmp_path / "course" / "nbgrader_config.py").read_text(encoding="utf-8"), namespace)  # noqa: S102 - our own config
    timeout = namespace["c"].Execute.timeout_func
    tagged = 0
    for name in summary:
        nb = load(tmp_path / "course" / "source" / name / f"{name}.ipynb")
        for cell in nb["cells"]:
            shows_widget = any(make_nbgrader.WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", []))
            if cell["cell_type"] == "code" and shows_widget:
                assert make_nbgrader.WIDGET_TAG in cell["metadata"]["tags"]
            if make_nbgrader.WIDGET_TAG in cell["metadata"].get("tags", []):
                tagged += 1
                assert timeout(cell) == make_nbgrader.WIDGET_TIMEOUT_S
            elif cell["cell_type"] == "code":
                assert timeout(cell) == namespace["c"].Execute.timeout
    assert tagged > 0
