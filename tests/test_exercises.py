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
    while any(math.isclose(candidate, m, rel_tol=1e-3) for m in mistakes) or ex.accepts(candidate):
        candidate = candidate * 1.3 + 1.0
    return candidate


def _spelling_checked(ex) -> bool:
    return bool(getattr(ex, "states", False) or getattr(ex, "vocabulary", ()) or getattr(ex, "normalise", None))


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
        assert not feedback.correct
        if _spelling_checked(ex):  # a step that is nothing known is a spelling problem, not a protocol one
            assert "NOT-A-STEP" in feedback.message and "Hint:" not in feedback.message, feedback.message
        else:
            assert "Hint:" in feedback.message
        reordered = list(expected)[::-1]
        if reordered != list(expected):
            feedback = check(exercise_id, reordered)
            assert not feedback.correct and ("Hint:" in feedback.message or "start" in feedback.message), feedback.message
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
        if ex.accepts(value):
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
        assert ex.accepts(value)
    else:
        assert "Hint:" in feedback.message or "common mistake" in feedback.message


# --- precision and spelling (issue 13: checks that teach the wrong lesson) ---------------

_PRECISION_WORDS = {0: ("whole",), 1: ("one decimal place", "0.1"), 2: ("two decimal places", "0.01"), 3: ("three decimal places", "0.001")}


def _question_text(exercise_id: str) -> str:
    """The markdown question a notebook asks before the solution cell checked by ``exercise_id``."""
    path = next(p for p in NOTEBOOKS + [ROOT / "notebooks" / "00_start_here.ipynb"] if p.name[:2] == exercise_id[:2])
    cells = _cells(path)
    pattern = re.compile(rf"""check\(["']{re.escape(exercise_id)}["']""")
    solutions = [i for i, c in enumerate(cells) if "solution" in c.get("metadata", {}).get("tags", [])]
    solution = next(i for i in solutions if any(pattern.search("".join(c["source"])) for c in cells[i + 1 : i + 3]))
    question = next(i for i in range(solution, -1, -1) if cells[i]["cell_type"] == "markdown")
    return "".join(cells[question]["source"])


@pytest.mark.parametrize("exercise_id", NUMBER_IDS)
def test_number_question_states_its_precision(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.decimals is not None and ex.precision, f"{exercise_id}: give decimals= and precision= (the phrase its question uses)"
    words = _PRECISION_WORDS[ex.decimals]
    assert any(w in ex.precision for w in words), f"{exercise_id}: precision {ex.precision!r} does not say {words} for decimals={ex.decimals}"
    assert ex.precision in ex.prompt, f"{exercise_id}: the prompt does not state the precision {ex.precision!r}"
    question = " ".join(re.sub(r"<!--.*?-->", "", _question_text(exercise_id), flags=re.S).split())  # annotations hidden
    assert ex.precision in question, f"{exercise_id}: the notebook's question does not state the precision {ex.precision!r}:\n{question}"


@pytest.mark.parametrize("exercise_id", NUMBER_IDS)
def test_number_accepts_exactly_the_stated_precision(exercise_id):
    ex = EXERCISES[exercise_id]
    expected, d = ex.expected_answer(), ex.decimals
    printed = float(f"{expected:.{d}f}")
    assert check(exercise_id, printed).correct, f"{exercise_id}: {printed} (the value as printed to {d} places) is rejected"
    assert check(exercise_id, expected).correct
    step = 10.0 ** -d
    for neighbour in (printed - step, printed + step):
        feedback = check(exercise_id, round(neighbour, d))
        assert not feedback.correct, f"{exercise_id}: {round(neighbour, d)} is accepted, one unit off at the stated precision"
    if d >= 1 and not float(f"{expected:.{d - 1}f}") == printed:
        coarse = check(exercise_id, float(f"{expected:.{d - 1}f}"))
        assert not coarse.correct and "rounded to" in coarse.message and "Hint:" in coarse.message


@pytest.mark.parametrize("exercise_id", [k for k in NUMBER_IDS if EXERCISES[k].unit == "%"])
def test_percentage_given_as_fraction_is_named(exercise_id):
    ex = EXERCISES[exercise_id]
    feedback = check(exercise_id, ex.expected_answer() / 100)
    assert not feedback.correct and "fraction" in feedback.message and "percentage" in feedback.message


def _is_state(x) -> bool:
    from tcpmodel.exercises import SpellingError, normalise_state

    try:
        normalise_state(x)
    except SpellingError:
        return False
    return True


STATE_IDS = [k for k in COURSE_IDS if isinstance(EXERCISES[k], SequenceExercise) and all(_is_state(s) for s in EXERCISES[k].expected_answer())
             or isinstance(EXERCISES[k], ChoiceExercise) and all(_is_state(o) for o in EXERCISES[k].options)]


def test_state_exercises_are_found():
    assert len(STATE_IDS) >= 8, STATE_IDS


@pytest.mark.parametrize("exercise_id", STATE_IDS)
def test_state_answers_accept_every_spelling_the_course_uses(exercise_id):
    from tcpmodel.live import linux_state_name
    from tcpmodel.states import State

    ex = EXERCISES[exercise_id]
    assert ex.states, f"{exercise_id}: its answers are states; set states=True so every spelling is accepted"
    ss = {State.ESTABLISHED: "ESTAB", State.SYN_RECEIVED: "SYN-RECV", State.CLOSED: "UNCONN"}  # iproute2 misc/ss.c sstate_name
    spellings = {
        "State object": lambda s: s,
        "RFC 9293": lambda s: s.value,
        "tcpmodel": lambda s: s.name,
        "kernel enum": lambda s: linux_state_name(s),
        "ss": lambda s: ss.get(s, s.value),
        "lower case": lambda s: s.name.lower(),
        "padded": lambda s: f"  {s.value.lower()} ",
    }
    from tcpmodel.exercises import normalise_state

    right = [normalise_state(s) for s in ex.expected_answer()]
    for label, spell in spellings.items():
        answer = [spell(s) for s in right]
        if isinstance(ex, ChoiceExercise):
            answer = answer[0] if len(answer) == 1 else set(answer)
        feedback = check(exercise_id, answer)
        assert feedback.correct, f"{exercise_id}: the {label} spelling {answer!r} is rejected: {feedback.message}"


@pytest.mark.parametrize("exercise_id", STATE_IDS)
def test_a_misspelt_state_gets_a_spelling_message_not_a_protocol_hint(exercise_id):
    ex = EXERCISES[exercise_id]
    right = list(ex.expected_answer())
    answer = right[:-1] + ["FIN_WAIT_3"] if isinstance(ex, SequenceExercise) else "FIN_WAIT_3"
    feedback = check(exercise_id, answer)
    assert not feedback.correct and "not a TCP state name" in feedback.message and "Hint:" not in feedback.message


# --- answerable, but not read off the page (auditors' findings on 03, 05, 07, 09) -------------------------


def _shown_before(exercise_id: str) -> str:
    """The markdown (annotations hidden) and stored outputs of the cells before ``exercise_id``'s question."""
    path = next(p for p in NOTEBOOKS if p.name[:2] == exercise_id[:2])
    cells = _cells(path)
    question = _question_text(exercise_id)
    end = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "".join(c["source"]) == question)
    parts = []
    for cell in cells[:end]:
        if cell["cell_type"] == "markdown":
            parts.append(re.sub(r"<!--.*?-->", "", "".join(cell["source"]), flags=re.S))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


@pytest.mark.parametrize("exercise_id", ["03.closed_at", "05.late_duplicate", "07.wide_range", "08.timer_seconds"])
def test_a_worked_example_does_not_print_the_answer(exercise_id):
    ex = EXERCISES[exercise_id]
    # Any number shown above the question that the check would accept (the value, or it rounded to the asked
    # precision or finer, as a print of it would be) gives the answer away.
    leaked = [x for x in _numbers_in(_shown_before(exercise_id)) if ex.accepts(x)]
    assert not leaked, f"{exercise_id}: {leaked} printed above the question would be accepted as the answer"


def test_optional_steps_are_accepted_either_way_and_the_question_says_so():
    optional = [k for k in COURSE_IDS if isinstance(EXERCISES[k], SequenceExercise) and EXERCISES[k].optional]
    assert "07.reuse_path" in optional
    for exercise_id in optional:
        ex = EXERCISES[exercise_id]
        full = list(ex.expected_answer())
        for step in ex.optional:
            assert step in full, f"{exercise_id}: optional step {step!r} is not in the path"
            assert check(exercise_id, [s for s in full if s != step]).correct
            question = _question_text(exercise_id)
            assert step in question and "left out" in question, f"{exercise_id}: the question does not say {step!r} may be left out"
        assert check(exercise_id, full).correct


def test_reuse_question_keys_the_paws_condition_and_no_false_premise():
    ex = EXERCISES["09.q10_reuse_safety"]
    (right,) = ex.expected_answer()
    assert "PAWS" in right and "clock" in right and "ticked" in right  # facts "paws_needs": the clock must have ticked
    assert not any("random" in o.lower() for o in ex.options)  # ISNs are clock-driven (facts "isn_between_incarnations")


def test_tcp_tw_reuse_fixes_incident_one_only_with_timestamps_at_both_ends(monkeypatch):
    from tcpmodel.exercises import nb09

    reuse = "net.ipv4.tcp_tw_reuse = 1"
    assert nb09.INCIDENT1_PEER_TIMESTAMPS and reuse in EXERCISES["09.inc1_fix"].expected_answer()
    assert "timestamps are on at both ends" in _question_text("09.inc1_fix")
    monkeypatch.setattr(nb09, "INCIDENT1_PEER_TIMESTAMPS", False)
    assert reuse not in EXERCISES["09.inc1_fix"].expected_answer()


def test_timer_question_shows_the_row_its_check_decodes():
    from tcpmodel.exercises import nb08

    assert f"03:{nb08.EXERCISE_WHEN}" in _question_text("08.timer_seconds") and nb08.EXERCISE_WHEN in nb08.EXERCISE_ROW


def test_reopen_from_time_wait_accepts_the_linux_and_rfc_path_and_the_simulators_bookkeeping():
    # Linux: tcp_v4_rcv drops the TIME_WAIT socket on TCP_TW_SYN and the listener, which stays in LISTEN, answers
    # the SYN with a new connection; RFC 9293 §3.6.1 (MAY-2) reopens "directly from TIME-WAIT state". Both give
    # TIME_WAIT, SYN_RECEIVED, ESTABLISHED. The simulator's one-TCB endpoint records CLOSED and LISTEN in between.
    ex = EXERCISES["04.berkeley_path"]
    full = list(ex.expected_answer())
    linux = [s for s in full if s not in ex.optional]
    assert linux == ["TIME_WAIT", "SYN_RECEIVED", "ESTABLISHED"]
    assert full != linux and set(full) - set(linux) == {"CLOSED", "LISTEN"}
    assert check("04.berkeley_path", linux).correct and check("04.berkeley_path", full).correct
    assert check("04.berkeley_path", ["TIME-WAIT", "SYN-RECV", "ESTAB"]).correct  # as ss prints the new connection
    assert not check("04.berkeley_path", ["TIME_WAIT", "ESTABLISHED"])
    assert not check("04.berkeley_path", ["TIME_WAIT", "CLOSED", "LISTEN", "ESTABLISHED"])
    # The premise Linux needs for TCP_TW_SYN to open a connection: a socket listening on the port.
    for text in (ex.prompt, _question_text("04.berkeley_path")):
        assert "listens on the port" in text and "4-tuple" in text


def test_two_msl_hint_gives_notebook_04s_reasoning():
    # Notebook 04 §3: the peer retransmits its FIN until the last ACK reaches it (up to one MSL), and the last such
    # FIN can live one more MSL. The hint and the one-MSL mistake say that, not "a segment and the answer to it".
    ex = EXERCISES["04.two_msl"]
    section = next("".join(c["source"]) for c in _cells(ROOT / "notebooks" / "04_old_duplicates.ipynb") if c["id"] == "s3-concept")
    assert "retransmitting its FIN" in section and "one more MSL" in section
    assert "retransmits its FIN" in ex.hint and "one more MSL" in ex.hint and "come back" not in ex.hint
    (_, one_msl_text), = ex.mistakes.values()
    assert "FIN" in one_msl_text and "one direction only" not in one_msl_text


def test_time_wait_from_asks_about_a_close_with_fins_which_is_what_the_table_models():
    # RFC 9293 §3.5.2 and Note 3 under Figure 5: the side that sends a RST should enter TIME-WAIT. The table does not
    # model that: no row that sends or receives a RST leads into TIME_WAIT, so the question must leave it out.
    from tcpmodel.states import TABLE, Event, State, Transition

    into = [(s, e, row) for (s, e), row in TABLE.items()
            if isinstance(row, Transition) and row.next is State.TIME_WAIT and s is not State.TIME_WAIT]
    assert into and not [x for x in into if x[1] in (Event.RCV_RST, Event.ABORT) or "RST" in x[2].send]
    for text in (EXERCISES["01.time_wait_from"].prompt, _question_text("01.time_wait_from")):
        assert "close with FINs" in text and "Note 3" in text and "§3.5.2" in text


def test_restart_question_asks_what_bind_does():
    # Notebook 02 §2 (facts "so_reuseaddr_rebind"): bind() is the call that fails with EADDRINUSE, bind(2).
    ex = EXERCISES["02.restart"]
    for text in (ex.prompt, _question_text("02.restart").replace("`", "")):
        assert "What does bind() do?" in text and "calls listen() on its port" not in text
        assert "neither the old nor the new listening socket sets SO_REUSEADDR" in text
    assert ex.expected_answer() == {"EADDRINUSE (address already in use)"}
