"""The generic checks: right answers pass, wrong ones get a hint, never the answer.

Issue 13 ("Exercise checks that teach the wrong lesson"): a state is accepted
in every spelling the course uses, and a name that is no state is reported as
a spelling problem; a number is accepted at exactly the precision its
question states; feedback names the actual slip (rounding, fraction against
percentage, unit, spelling) before any hint about TCP.
"""

import pytest

from tcpmodel.exercises import (
    ChoiceExercise,
    NumberExercise,
    SequenceExercise,
    SpellingError,
    check,
    normalise_state,
    register,
)
from tcpmodel.states import State

register(
    NumberExercise(
        "zz.rate",
        "rate, to two decimal places",
        expected=lambda: 28232 / 60,
        hint="Divide the ports by the wait.",
        mistakes={"61000": (lambda: 28233 / 60, "The range ends at 60999.")},
        decimals=2,
        precision="to two decimal places",
        unit="connections/s",
    ),
    NumberExercise("zz.pct", "percentage, to one decimal place", expected=lambda: 100 * 3 / 141, hint="Count the failures.",
                   decimals=1, precision="to one decimal place", unit="%"),
    NumberExercise("zz.frac", "fraction, to two decimal places", expected=lambda: 0.25, hint="Late ones only.",
                   decimals=2, precision="to two decimal places", unit="fraction"),
    NumberExercise("zz.secs", "seconds, whole", expected=lambda: 240.0, hint="Twice the MSL.", decimals=0,
                   precision="a whole number of seconds", unit="s"),
    NumberExercise("zz.mib", "MiB, one decimal", expected=lambda: 20_000 * 256 / 2**20, hint="Multiply, then divide.",
                   decimals=1, precision="to one decimal place", unit="MiB"),
    NumberExercise("zz.step", "in steps of 0.1 s", expected=lambda: 18.0, hint="Try each step.", decimals=1,
                   precision="in steps of 0.1 s", unit="s"),
    ChoiceExercise(
        "zz.pick",
        "pick",
        options=("a", "b", "c"),
        correct=lambda: {"a", "c"},
        hint="Two are right.",
        why_wrong={"b": "b is the distractor."},
    ),
    ChoiceExercise("zz.long", "long options", options=("Connection reset", "nothing: a clean close"),
                   correct=lambda: {"Connection reset"}, hint="Read the errors."),
    ChoiceExercise("zz.state", "which state", options=("FIN_WAIT_1", "CLOSE_WAIT", "FIN_WAIT_2", "TIME_WAIT"),
                   correct=lambda: {"FIN_WAIT_1"}, hint="RFC 9293 §3.10.4.", states=True,
                   why_wrong={"CLOSE_WAIT": "that is the passive closer's."}),
    ChoiceExercise("zz.states", "which states", options=("FIN-WAIT-1", "FIN-WAIT-2", "CLOSING", "LAST-ACK"),
                   correct=lambda: {"FIN-WAIT-1", "FIN-WAIT-2", "CLOSING"}, hint="Arrows into TIME-WAIT.", states=True),
    SequenceExercise("zz.path", "path", expected=lambda: ("X", "Y", "Z"), hint="Follow the arrows.", step_name="state"),
    SequenceExercise("zz.close", "close path", expected=lambda: ("ESTABLISHED", "FIN-WAIT-1", "CLOSING", "TIME-WAIT", "CLOSED"),
                     hint="What does a FIN do in FIN-WAIT-1?", step_name="state", states=True),
    SequenceExercise("zz.linux", "close path, Linux names", expected=lambda: ("ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"),
                     hint="Follow the active closer.", step_name="state", states=True),
    SequenceExercise("zz.reopen", "close and reopen", expected=lambda: ("FIN_WAIT_1", "TIME_WAIT", "CLOSED", "SYN_SENT"),
                     hint="Follow the closer.", step_name="state", states=True, optional=("CLOSED",)),
    SequenceExercise("zz.order", "order the systems", expected=lambda: ("macos", "linux", "rfc793"), hint="Sort.",
                     step_name="system", vocabulary=("rfc793", "macos", "linux")),
)


# --- numbers: precision --------------------------------------------------------------------

def test_number_accepts_the_exact_value_and_the_value_rounded_as_asked_or_finer():
    for value in (28232 / 60, 470.53, 470.533, 470.5333):
        assert check("zz.rate", value).correct, value
    assert check("zz.pct", 2.1).correct and check("zz.pct", 2.13).correct and check("zz.pct", 100 * 3 / 141).correct
    assert check("zz.secs", 240).correct and check("zz.secs", 240.0).correct


def test_number_rejects_values_outside_the_stated_precision():
    # one unit in the last asked place either side is wrong, however close
    for value in (470.52, 470.54, 470.5):
        assert not check("zz.rate", value).correct, value
    for value in (2.0, 2.2, 2.14):
        assert not check("zz.pct", value).correct, value
    for value in (17.9, 17.95, 18.1):
        assert not check("zz.step", value).correct, value


def test_number_too_coarse_is_a_precision_slip_not_a_concept_hint():
    feedback = check("zz.rate", 471)
    assert not feedback and "rounded to a whole number" in feedback.message and "two decimal places" in feedback.message
    assert "Divide the ports" not in feedback.message
    assert "rounded to one decimal place" in check("zz.rate", 470.5).message


def test_number_cut_off_is_named():
    for exercise_id, value in (("zz.pct", 2.12), ("zz.mib", 4.8)):
        feedback = check(exercise_id, value)
        assert not feedback and "cut off" in feedback.message and "round to the nearest" in feedback.message, value


def test_number_between_steps_is_told_the_precision():
    feedback = check("zz.step", 17.95)
    assert not feedback and "more decimal places" in feedback.message and "steps of 0.1 s" in feedback.message


def test_number_fraction_against_percentage():
    fraction = check("zz.pct", 0.021)
    assert not fraction and "fraction" in fraction.message and "percentage" in fraction.message
    assert "Count the failures" not in fraction.message
    percentage = check("zz.frac", 25)
    assert not percentage and "percentage" in percentage.message and "fraction" in percentage.message


def test_number_unit_slips():
    assert "milliseconds" in check("zz.secs", 240_000).message
    assert "minutes" in check("zz.secs", 4).message
    assert "MB" in check("zz.mib", 20_000 * 256 / 1e6).message
    assert "bytes" in check("zz.mib", 20_000 * 256).message


def test_number_common_mistake_gets_its_own_hint_even_rounded():
    for value in (28233 / 60, 470.55):
        feedback = check("zz.rate", value)
        assert not feedback and "range ends at 60999" in feedback.message


def test_number_right_and_wrong_direction_without_the_answer():
    low = check("zz.rate", 400)
    assert not low.correct and "too low" in repr(low) and "470.5" not in repr(low)
    assert "too high" in repr(check("zz.rate", 500))


def test_number_text_is_a_spelling_problem():
    feedback = check("zz.pct", "2.1%")
    assert not feedback and "without quotes" in feedback.message and "% sign" in feedback.message
    assert "expected a number" in check("zz.rate", "many").message
    assert not check("zz.rate", True)


# --- states: every spelling ----------------------------------------------------------------

@pytest.mark.parametrize("spelling", [
    "FIN-WAIT-1", "FIN_WAIT_1", "FIN_WAIT1", "fin-wait-1", "Fin_Wait_1", "  FIN-WAIT-1 ", "TCP_FIN_WAIT1", "finwait1",
    State.FIN_WAIT_1,
])
def test_every_spelling_of_a_state_is_the_same_state(spelling):
    assert normalise_state(spelling) is State.FIN_WAIT_1


@pytest.mark.parametrize("spelling, state", [
    ("ESTAB", State.ESTABLISHED), ("SYN-RECV", State.SYN_RECEIVED), ("SYN_RECV", State.SYN_RECEIVED),
    ("UNCONN", State.CLOSED), ("CLOSE", State.CLOSED), ("TIME-WAIT", State.TIME_WAIT), ("time_wait", State.TIME_WAIT),
    ("LAST-ACK", State.LAST_ACK), ("close-wait", State.CLOSE_WAIT),
])
def test_linux_and_ss_names_map_to_states(spelling, state):
    assert normalise_state(spelling) is state


@pytest.mark.parametrize("bad", ["FIN_WAIT_3", "WAIT", "", 4, None])
def test_a_name_that_is_no_state_is_a_spelling_error(bad):
    with pytest.raises(SpellingError) as info:
        normalise_state(bad)
    assert "SYN_RECV" in str(info.value) and "FIN-WAIT-1" in str(info.value)


def test_sequence_of_states_in_any_spelling():
    right = ["ESTABLISHED", "FIN_WAIT_1", "CLOSING", "TIME_WAIT", "CLOSED"]
    assert check("zz.close", right).correct
    assert check("zz.close", [s.lower() for s in right]).correct
    assert check("zz.close", [State[s] for s in right]).correct
    assert check("zz.close", ["ESTAB", "FIN-WAIT-1", "closing", " TIME-WAIT ", "CLOSE"]).correct
    assert check("zz.linux", ["ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"]).correct
    assert check("zz.linux", ["ESTAB", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"]).correct


def test_sequence_misspelt_state_is_reported_as_spelling_without_a_protocol_hint():
    feedback = check("zz.close", ["ESTABLISHED", "FIN_WAIT_ONE", "CLOSING", "TIME_WAIT", "CLOSED"])
    assert not feedback and "state 2" in feedback.message and "not a TCP state name" in feedback.message
    assert "Hint:" not in feedback.message and "FIN-WAIT-1?" not in feedback.message


def test_sequence_wrong_state_gets_the_protocol_hint():
    feedback = check("zz.close", ["ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED"])
    assert not feedback and "state 3" in feedback.message and "Hint: What does a FIN do" in feedback.message


def test_choice_of_states_in_any_spelling_and_as_state_objects():
    for answer in ("FIN_WAIT_1", "FIN-WAIT-1", "fin_wait1", State.FIN_WAIT_1, {"FIN-WAIT-1"}):
        assert check("zz.state", answer).correct, answer
    assert check("zz.states", {State.FIN_WAIT_1, "fin_wait_2", "Closing"}).correct
    assert "passive closer" in check("zz.state", "close-wait").message


def test_choice_never_contradicts_itself():
    # A state spelled differently from the options is accepted, not reported "not one of the options (… it …)".
    feedback = check("zz.state", State.FIN_WAIT_2)
    assert not feedback and "not one of the options" not in feedback.message
    other = check("zz.state", "CLOSING")
    assert not other and "not one of the options" in other.message and "'CLOSING'" not in other.message.split("(", 1)[1]
    assert "not a TCP state name" in check("zz.state", "FIN_WAIT_3").message


def test_choice_options_match_regardless_of_case_and_spaces():
    assert check("zz.long", "connection reset").correct
    assert check("zz.long", "  Connection   reset ").correct
    unknown = check("zz.long", "refused")
    assert not unknown and "not one of the options" in unknown.message and "Copy one of them exactly" in unknown.message
    assert "did you mean 'Connection reset'" in check("zz.long", "reset").message


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
    assert "no order" in check("zz.path", {"X", "Y", "Z"}).message


def test_sequence_off_by_one_at_the_start_is_named():
    assert "leaves out the first state" in check("zz.close", ["FIN_WAIT_1", "CLOSING", "TIME_WAIT", "CLOSED"]).message
    assert "too many at the start" in check("zz.linux", ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"]).message


def test_sequence_optional_step_may_be_listed_or_left_out_and_is_never_the_reported_error():
    assert check("zz.reopen", ["FIN-WAIT-1", "TIME-WAIT", "CLOSED", "SYN-SENT"]).correct
    assert check("zz.reopen", ["fin_wait_1", "time_wait", "syn_sent"]).correct
    # A short answer without the optional step is "longer", not "CLOSED is missing".
    short = check("zz.reopen", ["FIN_WAIT_1", "TIME_WAIT"])
    assert not short and "longer" in short.message and "CLOSED" not in short.message
    # A wrong step after a left-out optional one is named at its own position.
    wrong = check("zz.reopen", ["FIN_WAIT_1", "TIME_WAIT", "SYN_RECEIVED"])
    assert not wrong and "state 3 ('SYN_RECEIVED')" in wrong.message
    assert "leaves out the first state" in check("zz.reopen", ["TIME_WAIT", "SYN_SENT"]).message
    # Only the optional step may go: leaving out another one is wrong.
    assert not check("zz.reopen", ["FIN_WAIT_1", "CLOSED", "SYN_SENT"])


def test_sequence_vocabulary_accepts_spellings_and_names_unknown_steps():
    assert check("zz.order", ["macOS", "Linux", "RFC793"]).correct and check("zz.order", ["mac os", "linux", "RFC 793"]).correct
    unknown = check("zz.order", ["macos", "windows", "rfc793"])
    assert not unknown and "system 2" in unknown.message and "not one of the systems" in unknown.message


def test_unanswered_is_not_wrong():
    feedback = check("zz.rate", ...)
    assert not feedback.answered and repr(feedback).startswith("✏️")


def test_unknown_exercise_names_the_parameter():
    with pytest.raises(ValueError, match="exercise_id must be a known exercise"):
        check("zz.nope", 1)


def test_notebook_zero_exercises_load_lazily():
    assert check("00.state_count", 11).correct
    assert not check("00.current_rfc", "RFC 793").correct


register(SequenceExercise("zz.flags", "segments", expected=lambda: ("FIN+ACK", "RST"), hint="What answers a FIN in CLOSED?",
                          step_name="segment", normalise=__import__("tcpmodel.exercises", fromlist=["normalise_flags"]).normalise_flags))


def test_segment_flags_in_any_order_and_separator():
    for answer in (["FIN+ACK", "RST"], ["ack+fin", "rst"], ["FIN, ACK", " RST"], ["FIN/ACK", "RST"]):
        assert check("zz.flags", answer).correct, answer
    misspelt = check("zz.flags", ["FIN+ACK", "RESET"])
    assert not misspelt and "segment 2" in misspelt.message and "not a set of TCP flags" in misspelt.message
    assert "Hint:" not in misspelt.message
    assert "Hint: What answers" in check("zz.flags", ["FIN+ACK", "ACK"]).message


register(ChoiceExercise("zz.errno", "restart", options=("it succeeds", "EADDRINUSE (address already in use)", "ETIMEDOUT"),
                        correct=lambda: {"EADDRINUSE (address already in use)"}, hint="Who holds the port?"))


def test_choice_names_the_option_a_partial_answer_means_without_judging_it():
    feedback = check("zz.errno", "EADDRINUSE")
    assert not feedback and "did you mean 'EADDRINUSE (address already in use)'" in feedback.message
    assert "Hint:" not in feedback.message
    assert "did you mean 'it succeeds'" in check("zz.errno", "it").message
    assert "is not right" in check("zz.errno", "etimedout ").message  # an option in another case is that option
