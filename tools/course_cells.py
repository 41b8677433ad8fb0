"""Which cells of a course notebook are exercises: the one reading of the cell tags.

``make student`` (tools/make_student.py) and ``make nbgrader``
(tools/make_nbgrader.py) both read a notebook through this module, so that
the student version and the nbgrader release cannot disagree on what is a
solution (tests/test_course_cells.py checks that they agree).

The rules are CONTRIBUTING.md's "Exercises" section:

* a **solution cell** is tagged ``solution``. A code solution cell only
  assigns ``answer_<slug> = …``; a markdown one is a worked answer, which
  student versions drop;
* its **check cell** is the next code cell, ``check("NN.slug", answer_<slug>)``;
* a **reflection** is a markdown cell with a model answer inside
  ``<details><summary>Model answer</summary> … </details>``.

The functions take notebooks as plain dicts or ``nbformat`` nodes (a
``NotebookNode`` is a dict) and never import ``tcpmodel``.

Examples
--------
>>> nb = {"cells": [
...     {"cell_type": "markdown", "metadata": {}, "source": "**Exercise 1.** Why?"},
...     {"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "answer_x = 42"},
...     {"cell_type": "code", "metadata": {}, "source": 'check("01.x", answer_x)'},
...     {"cell_type": "markdown", "metadata": {}, "source": "Q?\\n<details><summary>Model answer</summary>\\nA.\\n</details>"}]}
>>> [(e.exercise_id, e.solution, e.check, e.answer_names) for e in exercises(nb)]
[('01.x', 1, 2, ('answer_x',))]
>>> [(r.index, r.question, r.model_answer) for r in reflections(nb)]
[(3, 'Q?', 'A.')]
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SOLUTION_TAG = "solution"
CHECK_CALL = re.compile(r"""^\s*check\(\s*["'](?P<id>\d\d\.\w+)["']\s*,\s*(?P<arg>\w+)\s*\)\s*$""")
MODEL_ANSWER = re.compile(r"<details>\s*<summary>\s*Model answer\s*</summary>(?P<answer>.*?)</details>", re.S | re.I)


def source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def tags(cell: Mapping[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_solution(cell: Mapping[str, Any]) -> bool:
    """Whether ``cell`` is a solution (code or worked-answer markdown)."""
    return SOLUTION_TAG in tags(cell)


def solution_indices(nb: Mapping[str, Any]) -> list[int]:
    """Indices of every solution cell, code and markdown."""
    return [i for i, cell in enumerate(nb["cells"]) if is_solution(cell)]


def assigned_names(text: str) -> list[str]:
    """The names a solution cell assigns at top level, in order.

    Raises
    ------
    ValueError
        If the cell assigns nothing (it could not be stubbed or graded).
    """
    names: list[str] = []
    for node in ast.parse(text).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in names:
                names.append(target.id)
    if not names:
        raise ValueError(f"a solution cell must assign an answer variable; this one assigns nothing:\n{text}")
    return names


@dataclass(frozen=True)
class ExerciseCells:
    """One auto-checked exercise: where its cells are and what they name."""

    exercise_id: str
    solution: int
    check: int
    answer_names: tuple[str, ...]
    checked_name: str

    @property
    def notebook(self) -> str:
        return self.exercise_id.split(".", 1)[0]


@dataclass(frozen=True)
class Reflection:
    """A reflection question: its markdown cell, the question and the model answer."""

    index: int
    question: str
    model_answer: str


def exercises(nb: Mapping[str, Any]) -> list[ExerciseCells]:
    """Every auto-checked exercise: a code solution cell and the check cell after it.

    Raises
    ------
    ValueError
        If a code solution cell is not followed by a ``check("NN.slug", answer)`` cell
        that checks one of the names it assigns.
    """
    cells = nb["cells"]
    found = []
    for i, cell in enumerate(cells):
        if not is_solution(cell) or cell["cell_type"] != "code":
            continue
        names = tuple(assigned_names(source(cell)))
        following = next((j for j in range(i + 1, len(cells)) if cells[j]["cell_type"] == "code"), None)
        match = CHECK_CALL.match(source(cells[following])) if following is not None else None
        if not match or match.group("arg") not in names:
            where = cell.get("id", i)
            raise ValueError(f"solution cell {where!r} must be followed by a cell check(\"NN.slug\", answer) for one of {names}")
        found.append(ExerciseCells(match.group("id"), i, following, names, match.group("arg")))
    return found


def reflections(nb: Mapping[str, Any]) -> list[Reflection]:
    """Every reflection question (markdown with a ``Model answer`` details block)."""
    out = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown" or is_solution(cell):
            continue
        text = source(cell)
        match = MODEL_ANSWER.search(text)
        if match:
            question = (text[: match.start()] + text[match.end():]).strip()
            out.append(Reflection(i, question, match.group("answer").strip()))
    return out
