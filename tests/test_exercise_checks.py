"""The generic checks: right answers pass, wrong ones get a hint, never the answer."""

import pytest

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, check, register

register(
    NumberExercise(
        "zz.rate",
        "rate",
        expected=lambda: 470.53,
        hint="Divide the ports by the wait.",
        mistakes={"61000": (lambda: 470.55, "The range ends at 60999.")},
        rel_tol=1e-5,
    ),
    ChoiceExercise(
        "zz.pick",
        "pick",
        options=("a", "b", "c"),
        correct=lambda: {"a", "c"},
        hint="Two are right.",
        why_wrong={"b": "b is the distractor."},
    ),
    SequenceExercise("zz.path", "path", expected=lambda: ("X", "Y", "Z"), hint="Follow the arrows.", step_name="state"),
)


def test_number_right_and_wrong():
    assert check("zz.rate", 470.53).correct
    low = check("zz.rate", 400)
    assert not low.correct and "too low" in repr(low) and "470.53" not in repr(low)
    assert "too high" in repr(check("zz.rate", 500))


def test_number_common_mistake_gets_its_own_hint():
    feedback = check("zz.rate", 470.55)
    assert not feedback and "range ends at 60999" in feedback.message


def test_number_rejects_non_numbers_without_crashing():
    assert "expected a number" in check("zz.rate", "470").message
    assert not check("zz.rate", True)


def test_choice_multiple_answers():
    assert check("zz.pick", {"a", "c"}).correct
    partial = check("zz.pick", "a")
    assert not partial and "1 more option" in partial.message
    assert "distractor" in check("zz.pick", ["a", "b"]).message
    assert "not one of the options" in check("zz.pick", "d").message


def test_sequence_names_first_wrong_step():
    assert check("zz.path", ["X", "Y", "Z"]).correct
    wrong = check("zz.path", ["X", "Q", "Z"])
    assert "state 2" in wrong.message and "'Z'" not in wrong.message.split("Hint")[0].replace("'Q'", "")
    assert "longer" in check("zz.path", ["X"]).message
    assert "stop there" in check("zz.path", ["X", "Y", "Z", "W"]).message
    assert "expected a list" in check("zz.path", "XYZ").message


def test_unanswered_is_not_wrong():
    feedback = check("zz.rate", ...)
    assert not feedback.answered and repr(feedback).startswith("✏️")


def test_unknown_exercise_names_the_parameter():
    with pytest.raises(ValueError, match="exercise_id must be a known exercise"):
        check("zz.nope", 1)


def test_notebook_zero_exercises_load_lazily():
    assert check("00.state_count", 11).correct
    assert not check("00.current_rfc", "RFC 793").correct
