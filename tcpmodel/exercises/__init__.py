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

Feedback names the learner's actual slip before any hint about TCP:

* **Spelling.** A state can be written in every spelling the course uses
  (RFC 9293's ``FIN-WAIT-1``, tcpmodel's ``FIN_WAIT_1`` or the
  :class:`~tcpmodel.states.State` object itself, the kernel's ``FIN_WAIT1``,
  ss's ``FIN-WAIT-1`` and ``ESTAB``), in any case, with spaces around it
  (:func:`normalise_state`). A name that is no state is reported as a
  spelling problem, never with a hint about the protocol. Choice options
  match regardless of case and surrounding or repeated spaces.
* **Precision.** A :class:`NumberExercise` states the precision it asks for
  (``decimals`` and the phrase ``precision`` that its question uses). It
  accepts the exact value and the value rounded to that many decimals or more
  (as the notebook prints it), and nothing else. An answer rounded too
  coarsely, cut off instead of rounded, given as a fraction instead of a
  percentage (or the reverse), or in the wrong unit (milliseconds, minutes,
  bytes) is told so first.
* **Concept.** Only then come the exercise's own common mistakes and its hint.

:func:`grade` is the grading form of :func:`check`, for nbgrader's tests
cells (``make nbgrader``): it raises ``AssertionError`` with the same
message as ``check`` when the answer is wrong or missing, and returns the
exercise's points when it is right. With ``fresh=True`` it judges the answer
again in a new Python process, against ``tcpmodel`` as installed, so that an
answer cell that changed the registry or a model in the kernel cannot pass.

Points are declared here, beside the exercises: every exercise has
``points`` (``DEFAULT_POINTS`` by kind unless its definition sets
``points=``), and each reflection question is worth :func:`reflection_points`
(a notebook's module may set ``REFLECTION_POINTS``).

Examples
--------
>>> ex = NumberExercise("xx.double", "Twice 21.28, to one decimal place", expected=lambda: 2 * 21.28,
...                     hint="Multiply by two.", decimals=1, precision="to one decimal place")
>>> register(ex)
>>> check("xx.double", 42.6), check("xx.double", 42.56)
(✅ xx.double: correct., ✅ xx.double: correct.)
>>> check("xx.double", 40)
❌ xx.double: 40 is too low. Hint: Multiply by two.
>>> check("xx.double", 43)
❌ xx.double: 43 is rounded to a whole number; the question asks for a value rounded to one decimal place. Hint: keep one decimal place, rounding only at the end.
>>> check("xx.double", 42.5)
❌ xx.double: 42.5 is cut off after 1 decimal place; the question asks for a value rounded to one decimal place. Hint: round to the nearest instead of dropping the digits.
>>> check("xx.double", ...)
✏️ xx.double: not answered yet. Replace ... with your answer and run the cell again.
>>> normalise_state(" fin-wait-1 ").name, normalise_state("FIN_WAIT1").name, normalise_state("ESTAB").name
('FIN_WAIT_1', 'FIN_WAIT_1', 'ESTABLISHED')
"""

from __future__ import annotations

import importlib
import json
import math
import pickle
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "Feedback",
    "Exercise",
    "NumberExercise",
    "ChoiceExercise",
    "SequenceExercise",
    "SpellingError",
    "normalise_state",
    "normalise_flags",
    "STATE_SPELLINGS",
    "precision_phrase",
    "register",
    "check",
    "grade",
    "points",
    "reflection_points",
    "DEFAULT_POINTS",
    "REFLECTION_POINTS",
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


#: Points of an auto-checked exercise by kind, unless its definition sets ``points=``: a number or a
#: path is worked out, a choice is picked. nbgrader's tests cells award them (``make nbgrader``).
DEFAULT_POINTS = {"NumberExercise": 2, "SequenceExercise": 2, "ChoiceExercise": 1}

#: Points of a reflection question (graded by hand in nbgrader), unless the notebook's module sets
#: ``REFLECTION_POINTS``.
REFLECTION_POINTS = 2


@dataclass(frozen=True)
class Exercise:
    """Base class: subclasses implement :meth:`judge`.

    ``points`` (keyword only) is what the exercise is worth when graded; ``None`` means the default of
    its kind, :data:`DEFAULT_POINTS`.
    """

    exercise_id: str
    prompt: str
    points: int | None = field(default=None, kw_only=True)

    @property
    def worth(self) -> int:
        """The points this exercise is worth: its own ``points`` or its kind's default."""
        if self.points is not None:
            return self.points
        for cls in type(self).__mro__:
            if cls.__name__ in DEFAULT_POINTS:
                return DEFAULT_POINTS[cls.__name__]
        return 1

    def judge(self, answer: Any) -> tuple[bool, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def expected_answer(self) -> Any:  # pragma: no cover - abstract
        """The right answer (for tests and instructors; never shown by check)."""
        raise NotImplementedError


# ----------------------------------------------------------------- spelling

class SpellingError(ValueError):
    """An answer item that cannot be read as any accepted spelling (the message says which are)."""


#: How the course's sources spell states, beyond tcpmodel's own names and RFC 9293's
#: (squashed key -> tcpmodel State name). The kernel's enum in include/net/tcp_states.h
#: (TCP_SYN_RECV, TCP_FIN_WAIT1, TCP_CLOSE), which tcpmodel.live uses to name the numbers
#: /proc/net/tcp prints; ss's sstate_name (iproute2 misc/ss.c: ESTAB, SYN-RECV, UNCONN);
#: ss(8)'s state filter (listening).
_STATE_ALIASES = {
    "SYNRECV": "SYN_RECEIVED",
    "CLOSE": "CLOSED",
    "ESTAB": "ESTABLISHED",
    "UNCONN": "CLOSED",
    "LISTENING": "LISTEN",
}

#: The spellings a state may be written in, for messages.
STATE_SPELLINGS = (
    "RFC 9293's (SYN-RECEIVED, FIN-WAIT-1), tcpmodel's (SYN_RECEIVED, FIN_WAIT_1, or the State object itself), "
    "the kernel's as tcpmodel.live shows them (SYN_RECV, FIN_WAIT1) or ss's (SYN-RECV, ESTAB, FIN-WAIT-1); "
    "case, spaces, '-' and '_' do not matter"
)


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.upper())


def _state_keys() -> dict[str, Any]:
    from tcpmodel.states import State

    keys = {_squash(s.name): s for s in State}
    keys.update({alias: State[name] for alias, name in _STATE_ALIASES.items()})
    return keys


def normalise_state(value: Any):
    """The :class:`~tcpmodel.states.State` that ``value`` names, in any spelling the course uses.

    Accepts a ``State``; or a string in RFC 9293's spelling (``"FIN-WAIT-1"``),
    tcpmodel's (``"FIN_WAIT_1"``), the kernel's enum names that
    :mod:`tcpmodel.live` shows (``"FIN_WAIT1"``, ``"SYN_RECV"``, ``"CLOSE"``,
    also with the ``TCP_`` prefix) or ss's (``"FIN-WAIT-1"``, ``"ESTAB"``,
    ``"SYN-RECV"``, ``"UNCONN"``), in any case and with surrounding spaces.

    Raises
    ------
    SpellingError
        If ``value`` names no state; the message lists the accepted spellings.

    Examples
    --------
    >>> from tcpmodel.states import State
    >>> normalise_state(State.TIME_WAIT) is normalise_state("time-wait") is normalise_state("TCP_TIME_WAIT")
    True
    >>> normalise_state("FIN_WAIT_3")
    Traceback (most recent call last):
    ...
    tcpmodel.exercises.SpellingError: 'FIN_WAIT_3' is not a TCP state name. Accepted spellings: RFC 9293's ...
    """
    from tcpmodel.states import State

    if isinstance(value, State):
        return value
    if isinstance(value, str):
        text = value.strip()
        text = re.sub(r"^(?:State\.|TCP_)", "", text, flags=re.I)
        found = _state_keys().get(_squash(text))
        if found is not None:
            return found
        raise SpellingError(f"{value!r} is not a TCP state name. Accepted spellings: {STATE_SPELLINGS}.")
    raise SpellingError(f"expected a state name (a string) or a State; got {_describe(value)}. Accepted spellings: {STATE_SPELLINGS}.")


_FLAG_NAMES = ("SYN", "FIN", "ACK", "RST", "PSH", "URG")


def normalise_flags(value: Any) -> str:
    """A segment's control flags in the simulator's spelling (``"FIN+ACK"``), from any order and separator.

    Examples
    --------
    >>> normalise_flags("ack, fin"), normalise_flags("FIN/ACK"), normalise_flags(" rst ")
    ('FIN+ACK', 'FIN+ACK', 'RST')
    """
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s+,/|&]+", value.strip().upper()) if p]
        if parts and all(p in _FLAG_NAMES for p in parts) and len(set(parts)) == len(parts):
            order = ("SYN", "FIN", "RST", "PSH", "URG", "ACK")
            return "+".join(sorted(parts, key=order.index))
    raise SpellingError(f"{_describe(value)} is not a set of TCP flags. Write the flags of one segment as the traces do, "
                        f"such as 'SYN', 'FIN+ACK' or 'RST' (any order, '+', ',' or '/' between them, any case).")


def _text_key(x: Any) -> Any:
    """Options match regardless of case and of surrounding or repeated spaces."""
    return " ".join(x.split()).casefold() if isinstance(x, str) else x


def _describe(x: Any) -> str:
    if isinstance(x, str):
        return repr(x)
    name = getattr(x, "name", None)
    if isinstance(name, str) and hasattr(type(x), "__members__"):
        return f"{type(x).__name__}.{name} (a {type(x).__name__} object)"
    return f"{x!r} (a {type(x).__name__})"


class _Vocabulary:
    """Maps an answer item to a known item (an option, a step), in any accepted spelling.

    ``states=True``: every item is a TCP state, compared as a State.
    Otherwise items are compared as given, then regardless of case and spaces.
    """

    def __init__(self, items: Iterable[Any], *, states: bool, what: str, normalise: Callable[[Any], Any] | None = None):
        self.items = tuple(items)
        self.normalise = normalise_state if states else normalise
        self.what = what
        if self.normalise is not None:
            self._canon = {self.normalise(i): i for i in self.items}
        else:
            self._canon = {}
            for i in self.items:
                self._canon.setdefault(_text_key(i), i)
            squashed: dict[str, list] = {}
            for key in self._canon:
                if isinstance(key, str):
                    squashed.setdefault(_squash(key), []).append(key)
            self._squashed = {k: v[0] for k, v in squashed.items() if len(v) == 1}

    def canonical(self, item: Any) -> Any:
        """The canonical form of ``item`` (a State, or the option it names); raises SpellingError."""
        if self.normalise is not None:
            return self.normalise(item)
        if item in self.items:
            return _text_key(item)
        key = _text_key(item)
        if key in self._canon:
            return key
        if isinstance(item, str) and _squash(item) in self._squashed:
            return self._squashed[_squash(item)]
        raise SpellingError(self._unknown(item))

    def known(self, canon: Any) -> bool:
        return canon in self._canon

    def _unknown(self, item: Any) -> str:
        listed = ", ".join(repr(o) if isinstance(o, str) else _describe(o) for o in self.items)
        if isinstance(item, str) and item.strip():
            key = _text_key(item)
            near = [o for o in self.items if isinstance(o, str) and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", _text_key(o))]
            if len(near) == 1:
                return f"{_describe(item)} is not one of the {self.what}s; did you mean {near[0]!r}? Copy it exactly."
        if isinstance(item, str) or not all(isinstance(o, str) for o in self.items):
            return f"{_describe(item)} is not one of the {self.what}s. Copy one of them exactly: {listed}."
        return f"expected one of the {self.what}s as a string; got {_describe(item)}. Copy one of them exactly: {listed}."


# ------------------------------------------------------------------ numbers

_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def precision_phrase(decimals: int) -> str:
    """A phrase for a precision, as feedback says it (``"one decimal place"``, ``"a whole number"``)."""
    if decimals == 0:
        return "a whole number"
    word = _WORDS.get(decimals, str(decimals))
    return f"{word} decimal place{'s' if decimals != 1 else ''}"


def _fmt_number(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1e-3:
        return f"{x:,.10g}"
    return f"{x:.4g}"


def _rounded(x: float, decimals: int) -> set[float]:
    """``x`` rounded to ``decimals`` places, every way a reader may round it (as printed, half up, half even)."""
    out = {float(f"{x:.{decimals}f}")}
    try:
        exact = Decimal(repr(x))
        quantum = Decimal(1).scaleb(-decimals)
        for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN):
            out.add(float(exact.quantize(quantum, rounding=mode)))
    except InvalidOperation:  # pragma: no cover - only for huge values
        pass
    return out


def _cut_off(x: float, decimals: int) -> float:
    try:
        return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN))
    except InvalidOperation:  # pragma: no cover
        return x


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


#: Unit mix-ups, by the unit a question asks for: factor f such that answer == expected * f, and what it means.
_UNIT_SLIPS: dict[str, tuple[tuple[float, str], ...]] = {
    "s": ((1000.0, "milliseconds; the question asks for seconds"),
          (1 / 60, "minutes; the question asks for seconds"),
          (1e6, "microseconds; the question asks for seconds")),
    "ms": ((1 / 1000, "seconds; the question asks for milliseconds"),),
    "MiB": ((2**20, "bytes; the question asks for MiB (2**20 bytes)"),
            (1024.0, "KiB; the question asks for MiB (divide by 1024 once more)"),
            (2**20 / 1e6, "MB (10**6 bytes); the question asks for MiB (2**20 bytes)")),
    "%": ((1 / 100, "a fraction; the question asks for a percentage (multiply by 100)"),
          (100.0, "100 times too large: a percentage multiplied by 100 once too often?")),
    "fraction": ((100.0, "a percentage; the question asks for a fraction between 0 and 1 (divide by 100)"),),
}


@dataclass(frozen=True)
class NumberExercise(Exercise):
    """A numeric answer, given to the precision the question states.

    ``decimals`` is the precision the question asks for, and ``precision`` the
    phrase its question uses to say so ("to one decimal place", "a whole
    number of seconds"); a test checks that the prompt and the notebook's
    question both contain that phrase. The check accepts the exact value and
    the value rounded to ``decimals`` or more places, nothing else.

    ``unit`` is the unit the question asks for (``"s"``, ``"%"``,
    ``"fraction"``, ``"MiB"``...); unit slips of that unit get their own
    message. ``mistakes`` maps a typical wrong answer (a callable computing
    it, so it follows the model) to a specific hint, for example the 61000
    port-range myth.

    ``rel_tol``/``abs_tol`` are kept only for an exercise that does not state
    its precision yet (``decimals=None``); the course's tests require every
    exercise to state it.
    """

    expected: Callable[[], float] = field(default=lambda: math.nan)
    hint: str = ""
    unit: str = ""
    decimals: int | None = None
    precision: str = ""
    mistakes: Mapping[str, tuple[Callable[[], float], str]] = field(default_factory=dict)
    rel_tol: float = 0.01
    abs_tol: float = 0.0

    def expected_answer(self) -> float:
        return float(self.expected())

    def accepts(self, value: float) -> bool:
        """Whether ``value`` is the right answer at the precision the question states."""
        return self._matches(value, self.expected_answer())

    def _matches(self, value: float, target: float) -> bool:
        if self.decimals is None:
            return math.isclose(value, target, rel_tol=self.rel_tol, abs_tol=self.abs_tol)
        if _same(value, target):
            return True
        return any(_same(value, r) for k in range(self.decimals, 16) for r in _rounded(target, k))

    def _precision_slip(self, value: float, expected: float) -> str:
        if self.decimals is None:
            return ""
        wanted = f"to {precision_phrase(self.decimals)}" if self.decimals else "to the nearest whole number"
        for k in range(self.decimals):
            if any(_same(value, r) for r in _rounded(expected, k)):
                given = "a whole number" if k == 0 else precision_phrase(k)
                return (f"{_fmt_number(value)} is rounded to {given}; the question asks for a value rounded {wanted}. "
                        f"Hint: keep {precision_phrase(self.decimals) if self.decimals else 'no decimals'}, rounding only at the end.")
        for k in range(0, self.decimals + 3):
            cut = _cut_off(expected, k)
            if _same(value, cut) and not any(_same(value, r) for r in _rounded(expected, k)):
                where = "to a whole number" if k == 0 else f"after {k} decimal place{'s' if k != 1 else ''}"
                return (f"{_fmt_number(value)} is cut off {where}; the question asks for a value rounded {wanted}. "
                        f"Hint: round to the nearest instead of dropping the digits.")
        if not _same(value, round(value, self.decimals)) and abs(value - expected) < 10.0 ** -self.decimals:
            asked = self.precision or wanted
            return (f"{_fmt_number(value)} has more decimal places than the question asks for ({asked}), and it is not "
                    f"the exact value rounded. Hint: give the answer {asked}; {self.hint}")
        return ""

    def _loosely(self, value: float, target: float) -> bool:
        if target == 0:
            return value == 0
        if self._matches(value, target):
            return True
        return math.isclose(value, target, rel_tol=0.005)

    def _unit_slip(self, value: float, expected: float) -> str:
        for factor, meaning in _UNIT_SLIPS.get(self.unit, ()):
            if expected != 0 and self._loosely(value, expected * factor):
                return f"{_fmt_number(value)} looks like {meaning}. Hint: check the unit before anything else."
        return ""

    def judge(self, answer: Any) -> tuple[bool, str]:
        if isinstance(answer, str):
            text = answer.strip().rstrip("%").strip().replace(",", "")
            try:
                float(text)
            except ValueError:
                return False, f"expected a number{' in ' + self.unit if self.unit else ''}; got the text {answer!r}."
            return False, f"expected a number, not the text {answer!r}: write it without quotes{' or % sign' if '%' in answer else ''}."
        if isinstance(answer, bool) or not isinstance(answer, (int, float)) and not hasattr(answer, "__float__"):
            return False, f"expected a number{' in ' + self.unit if self.unit else ''}; got {_describe(answer)}."
        value = float(answer)
        if math.isnan(value):
            return False, "the answer is NaN; check for a division by zero."
        expected = self.expected_answer()
        if self.accepts(value):
            return True, "correct."
        slip = self._precision_slip(value, expected) or self._unit_slip(value, expected)
        if slip:
            return False, slip
        for make_wrong, why in self.mistakes.values():
            wrong = float(make_wrong())
            if self._matches(value, wrong) or any(_same(value, _cut_off(wrong, k)) or any(_same(value, r) for r in _rounded(wrong, k))
                                                  for k in range(0, 16)):
                return False, f"{_fmt_number(value)} is a common mistake. {why}"
        direction = "too low" if value < expected else "too high"
        return False, f"{_fmt_number(value)} is {direction}. Hint: {self.hint}"


# ------------------------------------------------------------------ choices

@dataclass(frozen=True)
class ChoiceExercise(Exercise):
    """Pick the right option(s). ``correct`` holds one or more options.

    ``why_wrong`` maps a wrong option to a hint about that option.
    ``states=True`` when the options are TCP states: any spelling of a state
    (:func:`normalise_state`) then picks its option.
    """

    options: Sequence[Any] = ()
    correct: Callable[[], Iterable[Any]] = field(default=lambda: ())
    hint: str = ""
    why_wrong: Mapping[Any, str] = field(default_factory=dict)
    states: bool = False

    def expected_answer(self) -> frozenset:
        return frozenset(self.correct())

    def judge(self, answer: Any) -> tuple[bool, str]:
        vocab = _Vocabulary(self.options, states=self.states, what="option")
        expected = {vocab.canonical(e): e for e in self.expected_answer()}
        multiple = len(expected) > 1
        items = list(answer) if isinstance(answer, (set, frozenset, list, tuple)) else [answer]
        given: dict[Any, Any] = {}
        for item in items:
            try:
                canon = vocab.canonical(item)
            except SpellingError as exc:
                return False, str(exc)
            if not vocab.known(canon):
                listed = ", ".join(repr(o) for o in self.options)
                return False, f"{_describe(item)} is a state, but not one of the options ({listed})."
            given[canon] = item
        if set(given) == set(expected):
            return True, "correct."
        by_canon = {vocab.canonical(o): o for o in self.options}
        wrong = sorted((c for c in given if c not in expected), key=lambda c: str(by_canon[c]))
        for canon in wrong:
            option = by_canon[canon]
            if option in self.why_wrong:
                return False, f"{_describe(given[canon])} is not right: {self.why_wrong[option]}"
        if wrong:
            return False, f"{_describe(given[wrong[0]])} is not right. Hint: {self.hint}"
        missing = len(set(expected) - set(given))
        noun = "option" if missing == 1 else "options"
        if multiple:
            return False, f"right so far, but {missing} more {noun} belong{'s' if missing == 1 else ''} in the answer. Hint: {self.hint}"
        return False, f"not quite. Hint: {self.hint}"  # pragma: no cover - an empty answer


# ---------------------------------------------------------------- sequences

@dataclass(frozen=True)
class SequenceExercise(Exercise):
    """An ordered answer, such as a path of states; feedback names the first step that differs.

    ``states=True`` when the steps are TCP states (any spelling,
    :func:`normalise_state`); ``normalise`` for another kind of step with
    several spellings (:func:`normalise_flags` for segments' flags);
    ``vocabulary`` lists the possible steps when they are strings the question
    offers (event labels, system keys), so that a step that is none of them is
    reported as a spelling problem. ``optional`` lists steps that the answer may
    leave out wherever the expected path has them (for example RFC 9293's
    fictional CLOSED between two incarnations); the question says so.

    Examples
    --------
    >>> ex = SequenceExercise("xx.reopen", "states", expected=lambda: ("TIME_WAIT", "CLOSED", "SYN_SENT"),
    ...                       states=True, optional=("CLOSED",), step_name="state")
    >>> register(ex)
    >>> check("xx.reopen", ["TIME-WAIT", "CLOSED", "SYN-SENT"]), check("xx.reopen", ["TIME_WAIT", "SYN_SENT"])
    (✅ xx.reopen: correct., ✅ xx.reopen: correct.)
    """

    expected: Callable[[], Sequence[Any]] = field(default=lambda: ())
    hint: str = ""
    step_name: str = "step"
    states: bool = False
    vocabulary: Sequence[Any] = ()
    normalise: Callable[[Any], Any] | None = None
    optional: Sequence[Any] = ()

    def expected_answer(self) -> tuple:
        return tuple(self.expected())

    def _variants(self, want: tuple, canonical: Callable[[Any], Any]) -> list[tuple]:
        """``want`` and each form of it without some of its optional steps (the full path first)."""
        if not self.optional:
            return [want]
        skippable = {canonical(o) for o in self.optional}
        where = [i for i, step in enumerate(want) if step in skippable]
        out = []
        for mask in range(2 ** len(where)):
            drop = {where[b] for b in range(len(where)) if mask >> b & 1}
            out.append(tuple(step for i, step in enumerate(want) if i not in drop))
        return out

    def judge(self, answer: Any) -> tuple[bool, str]:
        if isinstance(answer, (set, frozenset, dict)):
            return False, f"expected a list of {self.step_name}s in order; a {type(answer).__name__} has no order. Use [...]."
        if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
            return False, f"expected a list of {self.step_name}s; got {_describe(answer)}."
        raw = tuple(answer)
        expected = self.expected_answer()
        vocab = None
        if self.states or self.vocabulary or self.normalise:
            vocab = _Vocabulary(self.vocabulary or expected, states=self.states, what=self.step_name, normalise=self.normalise)
            given = []
            for i, item in enumerate(raw, start=1):
                try:
                    given.append(vocab.canonical(item))
                except SpellingError as exc:
                    return False, f"{self.step_name} {i}: {exc}"
            given = tuple(given)
            want = tuple(vocab.canonical(e) for e in expected)
            variants = self._variants(want, vocab.canonical)
        else:
            given, want = raw, expected
            variants = self._variants(want, lambda x: x)
        if given in variants:
            return True, "correct."
        # Judge against the accepted form that agrees longest with the answer (the same length first), so that a
        # left-out optional step is never reported as the error.
        def agreement(v: tuple) -> tuple[int, bool]:
            common = next((i for i, (g, e) in enumerate(zip(given, v)) if g != e), min(len(given), len(v)))
            return common, len(v) == len(given)

        want = max(variants, key=agreement)
        if any(len(v) > 1 and given == v[1:] for v in variants):
            return False, f"your list leaves out the first {self.step_name}: start where the question says the list starts."
        if len(given) > 1 and given[1:] in variants:
            return False, f"your list has one {self.step_name} too many at the start: start where the question says the list starts."
        for i, (g, e) in enumerate(zip(given, want), start=1):
            if g != e:
                return False, f"{self.step_name} {i} ({_describe(raw[i - 1])}) is not right; the {self.step_name}s before it are. Hint: {self.hint}"
        if len(given) < len(want):
            return False, f"the {len(given)} {self.step_name}s you gave are right, but the answer is longer. Hint: {self.hint}"
        return False, f"the first {len(want)} {self.step_name}s are right, but the answer should stop there."


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


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        _load_notebook_module(exercise_id)
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES)) or "none loaded"
        raise ValueError(f"exercise_id must be a known exercise such as {known}; got {exercise_id!r}")
    return EXERCISES[exercise_id]


def points(exercise_id: str) -> int:
    """The points exercise ``exercise_id`` is worth (see :data:`DEFAULT_POINTS`).

    Examples
    --------
    >>> points("01.close_segments"), points("01.who_waits_server_first")
    (2, 1)
    """
    return _exercise(exercise_id).worth


def reflection_points(notebook: str) -> int:
    """The points of each reflection question of notebook ``"NN"`` (graded by hand).

    Examples
    --------
    >>> reflection_points("01") == REFLECTION_POINTS
    True
    """
    _load_notebook_module(f"{notebook}.")
    module = sys.modules.get(f"tcpmodel.exercises.nb{notebook}")
    return int(getattr(module, "REFLECTION_POINTS", REFLECTION_POINTS))


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check a learner's answer and return feedback (never the answer itself).

    Raises
    ------
    ValueError
        If ``exercise_id`` is not a known exercise.
    """
    _exercise(exercise_id)
    if answer is ...:
        return Feedback(exercise_id, False, "not answered yet. Replace ... with your answer and run the cell again.", answered=False)
    correct, message = EXERCISES[exercise_id].judge(answer)
    return Feedback(exercise_id, correct, message)


#: Seconds a fresh judging process may take (it imports tcpmodel and one notebook's exercises).
FRESH_TIMEOUT_S = 120


def grade(exercise_id: str, answer: Any, *, fresh: bool = False) -> int:
    """Grade an answer for nbgrader: the exercise's points if right, else ``AssertionError``.

    The error's message is the feedback :func:`check` gives (what is wrong and
    a hint, never the answer), so an autograded notebook shows the student the
    same hint. An answer left as ``...`` fails as "not answered yet".

    Parameters
    ----------
    exercise_id : str
        ``"NN.slug"``.
    answer : object
        The learner's answer.
    fresh : bool
        Judge again in a new Python process (nbgrader's hidden tests use this):
        the answer is pickled there and judged against ``tcpmodel`` as
        installed, so an answer cell that replaced an exercise, ``check`` or a
        model function in the kernel cannot pass. The answer must then be plain
        values (numbers, strings, lists, sets, tuples, ``State``).

    Returns
    -------
    int
        The exercise's points (:func:`points`).

    Raises
    ------
    AssertionError
        If the answer is wrong, missing or (``fresh``) not plain values.
    ValueError
        If ``exercise_id`` is not a known exercise.

    Examples
    --------
    >>> register(NumberExercise("xx.triple", "Three times 2.5, to one decimal place", expected=lambda: 7.5,
    ...                         hint="Multiply by three.", decimals=1, precision="to one decimal place", points=3))
    >>> grade("xx.triple", 7.5)
    3
    >>> grade("xx.triple", 6.5)
    Traceback (most recent call last):
    ...
    AssertionError: xx.triple: 6.5 is too low. Hint: Multiply by three.
    >>> grade("xx.triple", ...)
    Traceback (most recent call last):
    ...
    AssertionError: xx.triple: not answered yet. Replace ... with your answer and run the cell again.
    """
    exercise = _exercise(exercise_id)
    if answer is ...:
        raise AssertionError(f"{exercise_id}: not answered yet. Replace ... with your answer and run the cell again.")
    if fresh:
        correct, message = _judge_fresh(exercise_id, answer)
    else:
        correct, message = exercise.judge(answer)
    if not correct:
        raise AssertionError(f"{exercise_id}: {message}")
    return exercise.worth


def _judge_fresh(exercise_id: str, answer: Any) -> tuple[bool, str]:
    try:
        payload = pickle.dumps((exercise_id, answer))
    except Exception as exc:  # noqa: BLE001 - anything that cannot be pickled is not plain values
        return False, f"the answer must be plain values (numbers, strings, lists, sets, states); this one cannot be copied: {exc}"
    code = "from tcpmodel.exercises import _judge_stdin; _judge_stdin()"
    try:
        done = subprocess.run([sys.executable, "-c", code], input=payload, capture_output=True, timeout=FRESH_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return False, f"judging the answer in a fresh process took more than {FRESH_TIMEOUT_S} s."
    try:
        result = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return False, f"the answer could not be judged in a fresh process ({tail[0]})."
    return bool(result["correct"]), str(result["message"])


def _judge_stdin() -> None:
    """Judge one pickled ``(exercise_id, answer)`` from stdin; print ``{"correct", "message"}`` as JSON."""
    try:
        exercise_id, answer = pickle.loads(sys.stdin.buffer.read())
    except Exception as exc:  # noqa: BLE001 - e.g. a class defined in the notebook
        result = {"correct": False, "message": f"the answer must be plain values (numbers, strings, lists, sets, states); "
                                                f"this one is not ({type(exc).__name__}: {exc})."}
    else:
        correct, message = _exercise(exercise_id).judge(answer)
        result = {"correct": correct, "message": message}
    print(json.dumps(result))
