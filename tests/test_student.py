"""The student version removes solutions and leaves runnable stubs."""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from make_student import assigned_names, stub_for, studentise  # noqa: E402


def test_stub_assigns_ellipsis_and_raises():
    stub = stub_for("answer_rate = 470.5\nanswer_path = ['A', 'B']")
    namespace: dict = {}
    with pytest.raises(NotImplementedError):
        exec(stub, namespace)
    assert namespace["answer_rate"] is ... and namespace["answer_path"] is ...


def test_solution_must_assign_something():
    with pytest.raises(ValueError, match="must assign"):
        assigned_names("print('no answer')")


def test_studentise_replaces_only_solution_cells():
    nb = nbformat.v4.new_notebook()
    question = nbformat.v4.new_markdown_cell("Q1")
    solution = nbformat.v4.new_code_cell("answer_q1 = 42")
    solution.metadata["tags"] = ["solution"]
    worked = nbformat.v4.new_markdown_cell("Worked answer")
    worked.metadata["tags"] = ["solution"]
    check = nbformat.v4.new_code_cell('check("00.q1", answer_q1)')
    nb.cells = [question, solution, worked, check]
    out = studentise(nb)
    sources = [c.source for c in out.cells]
    assert "answer_q1 = 42" not in "\n".join(sources)
    assert sources[0] == "Q1" and sources[-1] == 'check("00.q1", answer_q1)'
    assert len(out.cells) == 3
    assert out.cells[1].metadata["tags"] == ["raises-exception", "exercise-stub"]
