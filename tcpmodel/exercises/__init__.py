"""Auto-checked exercises: feedback that teaches without giving the answer away.

Theory of operation
-------------------
An exercise is data: an id (``"NN.slug"``), a kind (a number, a choice, a
path through the state machine) and the expected answer, which the exercise
computes from ``tcpmodel`` itself so that the course never states a number it
did not compute. The definitions for notebook ``NN`` live in
``tcpmodel/exercises/nbNN.py`` and register themselves on import;
:func:`check` imports the right module on first use.

:func:`check` returns a :class:`Feedback`, whose text says whether the answer
is right and, if not, what is wrong and a hint; it never prints the expected
answer. An answer left as ``...`` (the student stub) is "not answered yet",
not wrong.

Examples
--------
>>> ex = NumberExercise("xx.double", "Twice 21", expected=lambda: 42.0,
...                     hint="Multiply by two.", unit="")
>>> register(ex)
>>> check("xx.double", 42)
✅ xx.double: correct.
>>> check("xx.double", 40)
❌ xx.double: 40 is too low. Hint: Multiply by two.
>>> check("xx.double", ...)
✏️ xx.double: not answered yet. Replace ... with your answer and run the cell again.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Feedback",
    "Exercise",
    "NumberExercise",
    "ChoiceExercise",
    "SequenceExercise",
    "register",
    "check",
    "exercises_for",
    "EXERCISES",
]


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check: right or not, and a message for the learner."""

    exercise_id: str
    correct: bool
    message: str
    answered: bool = True

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        if not self.answered:
            mark = "✏️"
        else:
            mark = "✅" if self.correct else "❌"
        return f"{mark} {self.exercise_id}: {self.message}"


@dataclass(frozen=True)
class Exercise:
    """Base class: subclasses implement :meth:`judge`."""

    exercise_id: str
    prompt: str

    def judge(self, answer: Any) -> tuple[bool, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def expected_answer(self) -> Any:  # pragma: no cover - abstract
        """The right answer (for tests and instructors; never shown by check)."""
        raise NotImplementedError


def _fmt_number(x: float) -> str:
    return f"{x:,.6g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.3g}"


@dataclass(frozen=True)
class NumberExercise(Exercise):
    """A numeric answer, right within a relative tolerance.

    ``mistakes`` maps a typical wrong answer (a callable computing it, so it
    follows the model) to a specific hint, for example the 61000 port-range
    myth.
    """

    expected: Callable[[], float] = field(default=lambda: math.nan)
    hint: str = ""
    unit: str = ""
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    mistakes: Mapping[str, tuple[Callable[[], float], str]] = field(default_factory=dict)

    def expected_answer(self) -> float:
        return float(self.expected())

    def _close(self, a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=self.abs_tol)

    def judge(self, answer: Any) -> tuple[bool, str]:
        if isinstance(answer, bool) or not isinstance(answer, (int, float)) and not hasattr(answer, "__float__"):
            return False, f"expected a number{' in ' + self.unit if self.unit else ''}; got {answer!r}."
        value = float(answer)
        if math.isnan(value):
            return False, "the answer is NaN; check for a division by zero."
        expected = self.expected_answer()
        if self._close(value, expected):
            return True, "correct."
        for make_wrong, why in self.mistakes.values():
            if self._close(value, float(make_wrong())):
                return False, f"{_fmt_number(value)} is a common mistake. {why}"
        direction = "too low" if value < expected else "too high"
        return False, f"{_fmt_number(value)} is {direction}. Hint: {self.hint}"


@dataclass(frozen=True)
class ChoiceExercise(Exercise):
    """Pick the right option(s). ``correct`` holds one or more options.

    ``why_wrong`` maps a wrong option to a hint about that option.
    """

    options: Sequence[Any] = ()
    correct: Callable[[], Iterable[Any]] = field(default=lambda: ())
    hint: str = ""
    why_wrong: Mapping[Any, str] = field(default_factory=dict)

    def expected_answer(self) -> frozenset:
        return frozenset(self.correct())

    def judge(self, answer: Any) -> tuple[bool, str]:
        expected = self.expected_answer()
        multiple = len(expected) > 1
        given = frozenset(answer) if isinstance(answer, (set, frozenset, list, tuple)) else frozenset([answer])
        unknown = [a for a in given if a not in self.options]
        if unknown:
            listed = ", ".join(_show(o) for o in self.options)
            return False, f"{_show(unknown[0])} is not one of the options ({listed})."
        if given == expected:
            return True, "correct."
        wrong = sorted(given - expected, key=_show)
        for option in wrong:
            if option in self.why_wrong:
                return False, f"{_show(option)} is not right: {self.why_wrong[option]}"
        if wrong:
            return False, f"{_show(wrong[0])} is not right. Hint: {self.hint}"
        missing = len(expected - given)
        noun = "option" if missing == 1 else "options"
        return False, f"right so far, but {missing} more {noun} belong{'s' if missing == 1 else ''} in the answer. Hint: {self.hint}" if multiple else f"not quite. Hint: {self.hint}"


@dataclass(frozen=True)
class SequenceExercise(Exercise):
    """An ordered answer, such as a path of states; feedback names the first step that differs."""

    expected: Callable[[], Sequence[Any]] = field(default=lambda: ())
    hint: str = ""
    step_name: str = "step"

    def expected_answer(self) -> tuple:
        return tuple(self.expected())

    def judge(self, answer: Any) -> tuple[bool, str]:
        if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
            return False, f"expected a list of {self.step_name}s; got {answer!r}."
        given = tuple(answer)
        expected = self.expected_answer()
        if given == expected:
            return True, "correct."
        for i, (g, e) in enumerate(zip(given, expected), start=1):
            if g != e:
                return False, f"{self.step_name} {i} ({_show(g)}) is not right; the steps before it are. Hint: {self.hint}"
        if len(given) < len(expected):
            return False, f"the {len(given)} {self.step_name}s you gave are right, but the answer is longer. Hint: {self.hint}"
        return False, f"the first {len(expected)} {self.step_name}s are right, but the answer should stop there."


def _show(x: Any) -> str:
    name = getattr(x, "name", None)
    return name if isinstance(name, str) and hasattr(type(x), "__members__") else repr(x)


EXERCISES: dict[str, Exercise] = {}


def register(*exercises: Exercise) -> None:
    """Add exercises to the registry (each ``nbNN`` module calls this)."""
    for ex in exercises:
        EXERCISES[ex.exercise_id] = ex


def _load_notebook_module(exercise_id: str) -> None:
    prefix = exercise_id.split(".", 1)[0]
    if prefix.isdigit():
        try:
            importlib.import_module(f"tcpmodel.exercises.nb{prefix}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tcpmodel.exercises.nb{prefix}":
                raise


def exercises_for(notebook: str) -> dict[str, Exercise]:
    """Every exercise of notebook ``"NN"``, by id."""
    _load_notebook_module(f"{notebook}.")
    return {k: v for k, v in EXERCISES.items() if k.startswith(f"{notebook}.")}


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check a learner's answer and return feedback (never the answer itself).

    Raises
    ------
    ValueError
        If ``exercise_id`` is not a known exercise.
    """
    if exercise_id not in EXERCISES:
        _load_notebook_module(exercise_id)
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES)) or "none loaded"
        raise ValueError(f"exercise_id must be a known exercise such as {known}; got {exercise_id!r}")
    if answer is ...:
        return Feedback(exercise_id, False, "not answered yet. Replace ... with your answer and run the cell again.", answered=False)
    correct, message = EXERCISES[exercise_id].judge(answer)
    return Feedback(exercise_id, correct, message)
