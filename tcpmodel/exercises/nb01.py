"""Exercises of notebook 01 (the state machine).

Every expected answer is computed from :mod:`tcpmodel.states` (the table, an
:class:`~tcpmodel.states.EndpointPair`) or :mod:`tcpmodel.graph`; none is typed in.
"""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

STATE_NAMES = (
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
)

#: The normal close with the server closing first (the client is the passive closer).
SERVER_CLOSES_FIRST = (
    "server:PASSIVE_OPEN", "client:ACTIVE_OPEN", "deliver:server", "deliver:client", "deliver:server",
    "server:CLOSE", "deliver:client", "deliver:server", "client:CLOSE", "deliver:server", "deliver:client",
)


def _time_wait_predecessors() -> set[str]:
    from tcpmodel.graph import states_leading_to

    return {s.name for s in states_leading_to("TIME_WAIT")}


def _simultaneous_close() -> list[str]:
    from tcpmodel.graph import SIMULTANEOUS_CLOSE

    return [s.name for s in SIMULTANEOUS_CLOSE]


def _close_steps(script: tuple[str, ...]) -> list:
    from tcpmodel.states import HANDSHAKE_AND_CLOSE, EndpointPair

    pair = EndpointPair()
    steps = pair.run(script)
    first_close = next(i for i, a in enumerate(HANDSHAKE_AND_CLOSE) if a.endswith(":CLOSE"))
    return steps[first_close:]


def _segments_in_close() -> float:
    from tcpmodel.states import HANDSHAKE_AND_CLOSE

    return float(sum(len(step.segments) for step in _close_steps(HANDSHAKE_AND_CLOSE)))


def _segments_if_ack_rides_on_fin() -> float:
    # The common miscount: the server's separate ACK merged into its FIN (one segment fewer).
    return _segments_in_close() - 1


def _who_waits_server_first() -> set[str]:
    from tcpmodel.states import EndpointPair, State

    pair = EndpointPair()
    pair.run(SERVER_CLOSES_FIRST)
    waiting = {name for name in pair.names if pair[name].state is State.TIME_WAIT}
    if waiting == {"client", "server"}:
        return {"both"}
    return {f"the {name}" for name in waiting} or {"neither"}


def _rst_in_syn_received() -> set[str]:
    from tcpmodel.states import Event, TcpEndpoint

    server = TcpEndpoint("server")
    for event in (Event.PASSIVE_OPEN, Event.RCV_SYN, Event.RCV_RST):
        server.handle(event)
    return {server.state.name}


register(
    ChoiceExercise(
        "01.time_wait_from",
        "In a close with FINs (no RST sent or received), from which states can a connection enter TIME_WAIT? Leave "
        "out the reset rule of Note 3 under Figure 5 (RFC 9293 §3.3.2) and RFC 9293 §3.5.2, that the side that sends "
        "a RST should enter TIME-WAIT: the table does not model it. Give a set of state names, e.g. {'CLOSED', 'LISTEN'}.",
        options=STATE_NAMES,
        correct=_time_wait_predecessors,
        states=True,
        hint="Look for the arrows into TIME-WAIT in the diagram, including the one RFC 9293 Figure 5 leaves out (its Note 2).",
        why_wrong={
            "LAST_ACK": "the passive closer leaves LAST-ACK for CLOSED when its FIN is ACKed; it never waits.",
            "CLOSE_WAIT": "CLOSE-WAIT is the passive closer's state; a CLOSE there leads to LAST-ACK.",
            "ESTABLISHED": "from ESTABLISHED a FIN leads to CLOSE-WAIT and a CLOSE to FIN-WAIT-1: one more step is needed.",
        },
    ),
    SequenceExercise(
        "01.simultaneous_close",
        "Both sides call CLOSE at the same moment and each FIN arrives before the ACK of its own. "
        "List the states one side passes through, from 'ESTABLISHED' to 'CLOSED'.",
        expected=_simultaneous_close,
        states=True,
        hint="After CLOSE you are in FIN-WAIT-1. What does a FIN that does not yet ACK your own FIN do there "
             "(RFC 9293 §3.10.7.4, eighth step)?",
        step_name="state",
    ),
    NumberExercise(
        "01.close_segments",
        "How many segments does the normal four-way close put on the wire, with no loss "
        "(client closes first, server closes after it has ACKed the client's FIN)? Give a whole number.",
        expected=_segments_in_close,
        hint="Count a FIN and an ACK for each direction.",
        decimals=0,
        precision="a whole number",
        mistakes={
            "ack on the FIN": (_segments_if_ack_rides_on_fin,
                      "That is a close where the server's ACK rides on its FIN; here the server ACKs the client's FIN "
                      "at once and sends its own FIN later, so each FIN gets its own ACK."),
        },
    ),
    ChoiceExercise(
        "01.who_waits_server_first",
        "This time the server closes first and the client closes after the server's FIN arrived. Which side ends "
        "in TIME_WAIT?",
        options=("the client", "the server", "both", "neither"),
        correct=_who_waits_server_first,
        hint="TIME-WAIT belongs to the side that sends the first FIN, whatever its role.",
        why_wrong={
            "the client": "the client is the passive closer here: CLOSE-WAIT, LAST-ACK, CLOSED.",
            "both": "both wait only in a simultaneous close, where each FIN crosses the other.",
            "neither": "the side that closes first always passes through TIME-WAIT on the way to CLOSED.",
        },
    ),
    ChoiceExercise(
        "01.rst_in_syn_received",
        "A server that opened passively is in SYN-RECEIVED and receives an acceptable RST. Which state is it in next?",
        options=STATE_NAMES,
        correct=_rst_in_syn_received,
        states=True,
        hint="RFC 9293 §3.10.7.4 (second check) depends on how the connection was opened (Figure 5, Note 1).",
        why_wrong={
            "CLOSED": "that is the answer for an actively opened connection (simultaneous open): 'connection refused'.",
            "SYN_RECEIVED": "an acceptable RST always ends this attempt.",
        },
    ),
)
