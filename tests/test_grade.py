"""The grading form of the exercise checks (issue 15): ``grade`` for nbgrader's tests cells, and points."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

import pytest

import tcpmodel.exercises as exercises
from tcpmodel.exercises import (
    DEFAULT_POINTS, EXERCISES, REFLECTION_POINTS, ChoiceExercise, NumberExercise, SequenceExercise, check, grade, points,
    reflection_points,
)

MODULES = sorted(info.name for info in pkgutil.iter_modules(exercises.__path__) if re.fullmatch(r"nb\d\d", info.name))
for _name in MODULES:
    importlib.import_module(f"tcpmodel.exercises.{_name}")
COURSE_IDS = sorted(k for k in EXERCISES if re.fullmatch(r"\d\d\.[\w.-]+", k) and f"nb{k[:2]}" in MODULES)


def right_answer(exercise_id: str):
    ex = EXERCISES[exercise_id]
    answer = ex.expected_answer()
    if isinstance(ex, ChoiceExercise):
        return next(iter(answer)) if len(answer) == 1 else set(answer)
    return list(answer) if isinstance(ex, SequenceExercise) else answer


@pytest.mark.parametrize("exercise_id", COURSE_IDS)
def test_right_answer_earns_the_points(exercise_id):
    assert grade(exercise_id, right_answer(exercise_id)) == points(exercise_id) >= 1


@pytest.mark.parametrize("exercise_id", COURSE_IDS)
def test_wrong_or_missing_answer_fails_with_checks_hint(exercise_id):
    for wrong in ("not the answer", 10**9 + 0.5, ["not", "it"]):
        feedback = check(exercise_id, wrong)
        if feedback.correct:  # pragma: no cover - no exercise accepts these
            continue
        with pytest.raises(AssertionError) as raised:
            grade(exercise_id, wrong)
        assert str(raised.value) == f"{exercise_id}: {feedback.message}"
    with pytest.raises(AssertionError, match="not answered yet"):
        grade(exercise_id, ...)


def test_points_by_kind_unless_declared():
    by_kind = {NumberExercise: DEFAULT_POINTS["NumberExercise"], SequenceExercise: DEFAULT_POINTS["SequenceExercise"],
               ChoiceExercise: DEFAULT_POINTS["ChoiceExercise"]}
    for exercise_id in COURSE_IDS:
        ex = EXERCISES[exercise_id]
        want = ex.points if ex.points is not None else by_kind[type(ex)]
        assert points(exercise_id) == want
    declared = dataclasses.replace(EXERCISES[COURSE_IDS[0]], exercise_id="xx.declared", points=5)
    exercises.register(declared)
    assert points("xx.declared") == 5
    assert reflection_points("01") == REFLECTION_POINTS


def test_unknown_exercise_is_a_value_error():
    with pytest.raises(ValueError, match="exercise_id must be a known exercise"):
        grade("99.nothing_here", 1)


def test_fresh_grading_ignores_a_patched_registry():
    """An answer cell that replaces an exercise in the kernel passes the visible test, not the hidden one."""
    exercise_id = "01.close_segments"
    real = EXERCISES[exercise_id]
    wrong = real.expected_answer() + 1
    assert not check(exercise_id, wrong).correct
    EXERCISES[exercise_id] = dataclasses.replace(real, expected=lambda: wrong)
    try:
        assert grade(exercise_id, wrong) == real.worth
        with pytest.raises(AssertionError) as raised:
            grade(exercise_id, wrong, fresh=True)
    finally:
        EXERCISES[exercise_id] = real
    assert str(raised.value) == f"{exercise_id}: {check(exercise_id, wrong).message}"
    assert grade(exercise_id, real.expected_answer(), fresh=True) == real.worth


def test_fresh_grading_wants_plain_values():
    class Anything:
        def __eq__(self, other):
            return True

        __hash__ = object.__hash__

    with pytest.raises(AssertionError, match="plain values"):
        grade("01.who_waits_server_first", lambda: "the server", fresh=True)
    with pytest.raises(AssertionError, match="plain values|not right|not one of"):
        grade("01.who_waits_server_first", Anything(), fresh=True)
