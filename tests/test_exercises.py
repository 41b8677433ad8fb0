"""Every registered exercise of every notebook, checked both ways (issue 7).

The exercise modules are discovered (``tcpmodel/exercises/nbNN.py``), so an
exercise added to any notebook is covered without editing this file. For each
exercise: its right answer is accepted; a wrong answer is rejected with a hint
and without the right answer in the message; every listed common mistake and
every explained wrong option gets its own explanation; and ``...`` is "not
answered yet". A second group of tests checks that each course notebook uses
its exercises: at least three, with numeric, path and choice answers among
them, each id in a ``check`` cell, and a reflection with a model answer.
"""

from __future__ import annotations

import importlib
import json
import math
import pkgutil
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tcpmodel.exercises as exercises
from tcpmodel.exercises import EXERCISES, ChoiceExercise, NumberExercise, SequenceExercise, check

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(info.name for info in pkgutil.iter_modules(exercises.__path__) if re.fullmatch(r"nb\d\d", info.name))
for _name in MODULES:
    importlib.import_module(f"tcpmodel.exercises.{_name}")

COURSE_IDS = sorted(k for k in EXERCISES if re.fullmatch(r"\d\d\.[\w.-]+", k) and f"nb{k[:2]}" in MODULES)
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if p.name[:2] != "00")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _numbers_in(text: str) -> list[float]:
    found = []
    for token in NUMBER.findall(text):
        try:
            found.append(float(token.replace(",", "")))
        except ValueError:
            continue
    return found


def _wrong_number(ex: NumberExercise) -> float:
    expected = ex.expected_answer()
    candidate = expected * 1.7 + 3.0 if expected >= 0 else expected * 0.3 - 3.0
    mistakes = [float(make()) for make, _ in ex.mistakes.values()]
    while any(math.isclose(candidate, m, rel_tol=max(ex.rel_tol, 1e-9) * 2) for m in mistakes) or ex._close(candidate, expected):
        candidate = candidate * 1.3 + 1.0
    return candidate


def test_exercise_modules_are_found():
    assert MODULES, "no tcpmodel/exercises/nbNN.py module found"
    assert COURSE_IDS, "the nbNN modules register no exercises"


@pytest.mark.parametrize("exercise_id", COURSE_IDS)
def test_id_belongs_to_its_module(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.exercise_id == exercise_id
    assert ex.prompt.strip(), f"{exercise_id} has no prompt"


@pytest.mark.parametrize("exercise_id", COURSE_IDS)
def test_right_answer_is_accepted(exercise_id):
    ex = EXERCISES[exercise_id]
    answer = ex.expected_answer()
    if isinstance(ex, ChoiceExercise) and len(answer) == 1:
        answer = next(iter(answer))
    feedback = check(exercise_id, answer)
    assert feedback.correct, f"{exercise_id}: its own expected answer {answer!r} is rejected: {feedback.message}"
    assert repr(feedback).startswith("✅")


@pytest.mark.parametrize("exercise_id", COURSE_IDS)
def test_unanswered_is_not_wrong(exercise_id):
    feedback = check(exercise_id, ...)
    assert not feedback.correct and not feedback.answered


@pytest.mark.parametrize("exercise_id", COURSE_IDS)
def test_wrong_answer_gets_a_hint_not_the_answer(exercise_id):
    ex = EXERCISES[exercise_id]
    if isinstance(ex, NumberExercise):
        expected = ex.expected_answer()
        wrong = _wrong_number(ex)
        feedback = check(exercise_id, wrong)
        assert not feedback.correct and feedback.answered
        assert "Hint:" in feedback.message and ex.hint.strip(), f"{exercise_id}: no hint for a wrong number"
        if not (float(expected).is_integer() and abs(expected) < 10):  # small integers occur in any text ("RFC 9293 §3")
            leaked = [x for x in _numbers_in(feedback.message) if math.isclose(x, expected, rel_tol=1e-3) and not math.isclose(x, wrong, rel_tol=1e-6)]
            assert not leaked, f"{exercise_id}: the feedback reveals the answer: {feedback.message}"
    elif isinstance(ex, ChoiceExercise):
        expected = ex.expected_answer()
        wrong_options = [o for o in ex.options if o not in expected]
        assert wrong_options, f"{exercise_id}: every option is right; the question cannot be answered wrongly"
        for option in wrong_options:
            feedback = check(exercise_id, option)
            assert not feedback.correct and feedback.answered
            assert ("Hint:" in feedback.message) or (option in ex.why_wrong), f"{exercise_id}: no hint for {option!r}"
            for right in expected:
                assert repr(right) not in feedback.message, f"{exercise_id}: the feedback names the answer {right!r}"
    elif isinstance(ex, SequenceExercise):
        expected = list(ex.expected_answer())
        assert expected, f"{exercise_id}: empty expected path"
        wrong = list(expected)
        wrong[len(wrong) // 2] = "NOT-A-STEP"
        feedback = check(exercise_id, wrong)
        assert not feedback.correct and "Hint:" in feedback.message
        if len(expected) > 1:
            short = check(exercise_id, expected[:-1])
            assert not short.correct and "longer" in short.message
            assert repr(expected[-1]) not in short.message, f"{exercise_id}: the feedback names the missing step"
    else:  # pragma: no cover - a new kind must get its own test here
        pytest.fail(f"{exercise_id}: unknown exercise kind {type(ex).__name__}")


@pytest.mark.parametrize("exercise_id", [k for k in COURSE_IDS if isinstance(EXERCISES[k], NumberExercise) and EXERCISES[k].mistakes])
def test_each_common_mistake_gets_its_explanation(exercise_id):
    ex = EXERCISES[exercise_id]
    for label, (make_wrong, why) in ex.mistakes.items():
        value = float(make_wrong())
        feedback = check(exercise_id, value)
        if ex._close(value, ex.expected_answer()):
            pytest.fail(f"{exercise_id}: mistake {label!r} equals the right answer")
        assert not feedback.correct and why in feedback.message, f"{exercise_id}: mistake {label!r} does not get its explanation"


@pytest.mark.parametrize("exercise_id", [k for k in COURSE_IDS if isinstance(EXERCISES[k], ChoiceExercise) and EXERCISES[k].why_wrong])
def test_each_explained_wrong_option_gets_its_explanation(exercise_id):
    ex = EXERCISES[exercise_id]
    for option, why in ex.why_wrong.items():
        assert option in ex.options, f"{exercise_id}: why_wrong names {option!r}, which is not an option"
        assert option not in ex.expected_answer(), f"{exercise_id}: why_wrong explains a right option {option!r}"
        feedback = check(exercise_id, option)
        assert not feedback.correct and why in feedback.message


# --- each notebook uses its exercises ----------------------------------------------------


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_three_kinds_of_checked_exercise(path):
    number = path.name[:2]
    ids = {k for k in EXERCISES if k.startswith(f"{number}.")}
    assert len(ids) >= 3, f"{path.name}: tcpmodel/exercises/nb{number}.py registers {len(ids)} exercises; want at least 3"
    kinds = {type(EXERCISES[k]) for k in ids}
    missing = {NumberExercise, SequenceExercise, ChoiceExercise} - kinds
    assert not missing, f"{path.name}: no {', '.join(sorted(k.__name__ for k in missing))} among its exercises"
    code = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code")
    unused = sorted(k for k in ids if f'check("{k}"' not in code and f"check('{k}'" not in code)
    assert not unused, f"{path.name}: exercises registered but never checked in the notebook: {unused}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_solution_cells_only_assign_answers_and_are_checked(path):
    cells = _cells(path)
    for i, cell in enumerate(cells):
        if "solution" not in cell.get("metadata", {}).get("tags", []) or cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        names = re.findall(r"^(answer_\w+)\s*=", source, re.M)
        assert names, f"{path.name} cell {cell.get('id')}: a solution cell must assign answer_<slug>"
        following = "".join("".join(c["source"]) for c in cells[i + 1 : i + 3] if c["cell_type"] == "code")
        for name in names:
            assert re.search(rf"""check\(["']\d\d\.[\w.-]+["'],\s*{name}\)""", following), f"{path.name}: {name} is not checked right after its solution cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_a_reflection_with_a_model_answer(path):
    text = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")
    assert re.search(r"<details>\s*<summary>\s*Model answer\s*</summary>", text), f"{path.name}: no reflection with a <details><summary>Model answer</summary> block"


NUMBER_IDS = [k for k in COURSE_IDS if isinstance(EXERCISES[k], NumberExercise)]


@pytest.mark.skipif(not NUMBER_IDS, reason="no numeric exercises registered")
@settings(max_examples=60)
@given(data=st.data())
def test_any_number_gets_a_verdict_and_never_the_answer(data):
    exercise_id = data.draw(st.sampled_from(NUMBER_IDS))
    ex = EXERCISES[exercise_id]
    value = data.draw(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
    feedback = check(exercise_id, value)
    assert feedback.answered
    if feedback.correct:
        assert ex._close(value, ex.expected_answer())
    else:
        assert "Hint:" in feedback.message or "common mistake" in feedback.message
