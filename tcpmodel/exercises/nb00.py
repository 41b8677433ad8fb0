"""Warm-up exercises of notebook 00: how the checks work, and a first guess."""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, register


def _state_count() -> float:
    from tcpmodel.states import State

    return float(len(State))


def _closing_side() -> set[str]:
    # Derived from the table, not stated: which role's close path reaches
    # TIME_WAIT? The active closer sends FIN from ESTABLISHED.
    from tcpmodel.states import Event, State, transition

    after_close = transition(State.ESTABLISHED, Event.CLOSE).next
    return {"the side that closes first"} if after_close is State.FIN_WAIT_1 else set()


register(
    NumberExercise(
        "00.state_count",
        "How many states does the TCP state machine of RFC 9293 have? Give a whole number.",
        expected=_state_count,
        hint="Count the states RFC 9293 §3.3.2 lists (Figure 5 draws CLOSED twice), the fictional CLOSED included.",
        decimals=0,
        precision="a whole number",
    ),
    ChoiceExercise(
        "00.current_rfc",
        "Which RFC is the current specification of TCP?",
        options=("RFC 793", "RFC 1122", "RFC 9293"),
        correct=lambda: {"RFC 9293"},
        hint="The 1981 specification was obsoleted in 2022.",
        why_wrong={
            "RFC 793": "it was the specification from 1981 to 2022; a newer RFC obsoletes it.",
            "RFC 1122": "it adds host requirements to TCP but is not its specification.",
        },
    ),
    ChoiceExercise(
        "00.who_waits_guess",
        "Which side of a connection enters TIME_WAIT?",
        options=("the client", "the server", "the side that closes first", "both sides, always"),
        correct=_closing_side,
        hint="Roles (client, server) do not appear in the state machine; the order of the FINs does.",
        why_wrong={
            "the client": "only when the client happens to close first; a server that closes first waits too.",
            "the server": "only when the server closes first, as HTTP/1.0 servers did (RFC 1945 §1.3).",
            "both sides, always": "both wait only in a simultaneous close; normally one side does.",
        },
    ),
)
