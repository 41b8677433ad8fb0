"""The state table against RFC 9293 §3.10, row by row, and its properties.

The expected rows below are written from the RFC text (section named on each
row), not read from tcpmodel.states.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcpmodel.states import (
    OPEN_DEPENDENT,
    SEGMENTS,
    TABLE,
    VARIANTS,
    Event,
    InvalidTransition,
    Refusal,
    State,
    TcpEndpoint,
    Transition,
    transition,
    valid_events,
    variants_for,
)

S, E = State, Event
ALL_STATES = list(State)
SYNC = [S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT]

# (state, event) -> (next, send, section)  -- RFC 9293 §3.10
EXPECTED: dict[tuple[State, Event], tuple[State, tuple[str, ...], str]] = {
    # OPEN §3.10.1
    (S.CLOSED, E.PASSIVE_OPEN): (S.LISTEN, (), "3.10.1"),
    (S.CLOSED, E.ACTIVE_OPEN): (S.SYN_SENT, ("SYN",), "3.10.1"),
    (S.LISTEN, E.ACTIVE_OPEN): (S.SYN_SENT, ("SYN",), "3.10.1"),
    # SEND §3.10.2
    (S.LISTEN, E.SEND): (S.SYN_SENT, ("SYN",), "3.10.2"),
    (S.SYN_SENT, E.SEND): (S.SYN_SENT, (), "3.10.2"),
    (S.SYN_RECEIVED, E.SEND): (S.SYN_RECEIVED, (), "3.10.2"),
    (S.ESTABLISHED, E.SEND): (S.ESTABLISHED, (), "3.10.2"),
    (S.CLOSE_WAIT, E.SEND): (S.CLOSE_WAIT, (), "3.10.2"),
    # CLOSE §3.10.4
    (S.LISTEN, E.CLOSE): (S.CLOSED, (), "3.10.4"),
    (S.SYN_SENT, E.CLOSE): (S.CLOSED, (), "3.10.4"),
    (S.SYN_RECEIVED, E.CLOSE): (S.FIN_WAIT_1, ("FIN",), "3.10.4"),
    (S.ESTABLISHED, E.CLOSE): (S.FIN_WAIT_1, ("FIN",), "3.10.4"),
    (S.CLOSE_WAIT, E.CLOSE): (S.LAST_ACK, ("FIN",), "3.10.4"),
    # ABORT §3.10.5
    (S.LISTEN, E.ABORT): (S.CLOSED, (), "3.10.5"),
    (S.SYN_SENT, E.ABORT): (S.CLOSED, (), "3.10.5"),
    (S.SYN_RECEIVED, E.ABORT): (S.CLOSED, ("RST",), "3.10.5"),
    (S.ESTABLISHED, E.ABORT): (S.CLOSED, ("RST",), "3.10.5"),
    (S.FIN_WAIT_1, E.ABORT): (S.CLOSED, ("RST",), "3.10.5"),
    (S.FIN_WAIT_2, E.ABORT): (S.CLOSED, ("RST",), "3.10.5"),
    (S.CLOSE_WAIT, E.ABORT): (S.CLOSED, ("RST",), "3.10.5"),
    (S.CLOSING, E.ABORT): (S.CLOSED, (), "3.10.5"),
    (S.LAST_ACK, E.ABORT): (S.CLOSED, (), "3.10.5"),
    (S.TIME_WAIT, E.ABORT): (S.CLOSED, (), "3.10.5"),
    # CLOSED §3.10.7.1: anything but RST gets a RST
    (S.CLOSED, E.RCV_SYN): (S.CLOSED, ("RST",), "3.10.7.1"),
    (S.CLOSED, E.RCV_SYN_ACK): (S.CLOSED, ("RST",), "3.10.7.1"),
    (S.CLOSED, E.RCV_ACK): (S.CLOSED, ("RST",), "3.10.7.1"),
    (S.CLOSED, E.RCV_FIN): (S.CLOSED, ("RST",), "3.10.7.1"),
    (S.CLOSED, E.RCV_FIN_ACK): (S.CLOSED, ("RST",), "3.10.7.1"),
    (S.CLOSED, E.RCV_RST): (S.CLOSED, (), "3.10.7.1"),
    # LISTEN §3.10.7.2
    (S.LISTEN, E.RCV_RST): (S.LISTEN, (), "3.10.7.2"),
    (S.LISTEN, E.RCV_ACK): (S.LISTEN, ("RST",), "3.10.7.2"),
    (S.LISTEN, E.RCV_SYN_ACK): (S.LISTEN, ("RST",), "3.10.7.2"),
    (S.LISTEN, E.RCV_FIN): (S.LISTEN, ("RST",), "3.10.7.2"),
    (S.LISTEN, E.RCV_FIN_ACK): (S.LISTEN, ("RST",), "3.10.7.2"),
    (S.LISTEN, E.RCV_SYN): (S.SYN_RECEIVED, ("SYN+ACK",), "3.10.7.2"),
    # SYN-SENT §3.10.7.3
    (S.SYN_SENT, E.RCV_SYN_ACK): (S.ESTABLISHED, ("ACK",), "3.10.7.3"),
    (S.SYN_SENT, E.RCV_SYN): (S.SYN_RECEIVED, ("SYN+ACK",), "3.10.7.3"),
    (S.SYN_SENT, E.RCV_RST): (S.CLOSED, (), "3.10.7.3"),
    (S.SYN_SENT, E.RCV_ACK): (S.SYN_SENT, (), "3.10.7.3"),
    (S.SYN_SENT, E.RCV_FIN): (S.SYN_SENT, (), "3.10.7.3"),
    # SYN-RECEIVED §3.10.7.4 (usual case: passive open; SYN+ACK only in simultaneous open)
    (S.SYN_RECEIVED, E.RCV_ACK): (S.ESTABLISHED, (), "3.10.7.4"),
    # Simultaneous open: Figure 7 of §3.5 decides; §3.10.7.4 read literally would ACK and drop this SYN+ACK,
    # whose sequence number (the IRS) is below RCV.NXT.
    (S.SYN_RECEIVED, E.RCV_SYN_ACK): (S.ESTABLISHED, (), "3.5"),
    (S.SYN_RECEIVED, E.RCV_RST): (S.LISTEN, (), "3.10.7.4"),
    (S.SYN_RECEIVED, E.RCV_SYN): (S.LISTEN, (), "3.10.7.4"),
    (S.SYN_RECEIVED, E.RCV_FIN): (S.CLOSE_WAIT, ("ACK",), "3.10.7.4"),
    # RST second check
    (S.ESTABLISHED, E.RCV_RST): (S.CLOSED, (), "3.10.7.4"),
    (S.FIN_WAIT_1, E.RCV_RST): (S.CLOSED, (), "3.10.7.4"),
    (S.FIN_WAIT_2, E.RCV_RST): (S.CLOSED, (), "3.10.7.4"),
    (S.CLOSE_WAIT, E.RCV_RST): (S.CLOSED, (), "3.10.7.4"),
    (S.CLOSING, E.RCV_RST): (S.CLOSED, (), "3.10.7.4"),
    (S.LAST_ACK, E.RCV_RST): (S.CLOSED, (), "3.10.7.4"),
    (S.TIME_WAIT, E.RCV_RST): (S.CLOSED, (), "3.10.7.4"),
    # ACK fifth check
    (S.ESTABLISHED, E.RCV_ACK): (S.ESTABLISHED, (), "3.10.7.4"),
    (S.FIN_WAIT_1, E.RCV_ACK): (S.FIN_WAIT_2, (), "3.10.7.4"),
    (S.FIN_WAIT_2, E.RCV_ACK): (S.FIN_WAIT_2, (), "3.10.7.4"),
    (S.CLOSE_WAIT, E.RCV_ACK): (S.CLOSE_WAIT, (), "3.10.7.4"),
    (S.CLOSING, E.RCV_ACK): (S.TIME_WAIT, (), "3.10.7.4"),
    (S.LAST_ACK, E.RCV_ACK): (S.CLOSED, (), "3.10.7.4"),
    (S.TIME_WAIT, E.RCV_ACK): (S.TIME_WAIT, (), "3.10.7.4"),
    # FIN eighth check
    (S.ESTABLISHED, E.RCV_FIN): (S.CLOSE_WAIT, ("ACK",), "3.10.7.4"),
    (S.FIN_WAIT_1, E.RCV_FIN): (S.CLOSING, ("ACK",), "3.10.7.4"),
    (S.FIN_WAIT_1, E.RCV_FIN_ACK): (S.TIME_WAIT, ("ACK",), "3.10.7.4"),
    (S.FIN_WAIT_2, E.RCV_FIN): (S.TIME_WAIT, ("ACK",), "3.10.7.4"),
    (S.FIN_WAIT_2, E.RCV_FIN_ACK): (S.TIME_WAIT, ("ACK",), "3.10.7.4"),
    (S.CLOSE_WAIT, E.RCV_FIN): (S.CLOSE_WAIT, ("ACK",), "3.10.7.4"),
    (S.CLOSING, E.RCV_FIN): (S.CLOSING, ("ACK",), "3.10.7.4"),
    (S.CLOSING, E.RCV_FIN_ACK): (S.TIME_WAIT, ("ACK",), "3.10.7.4"),
    (S.LAST_ACK, E.RCV_FIN): (S.LAST_ACK, ("ACK",), "3.10.7.4"),
    (S.LAST_ACK, E.RCV_FIN_ACK): (S.CLOSED, (), "3.10.7.4"),
    (S.TIME_WAIT, E.RCV_FIN): (S.TIME_WAIT, ("ACK",), "3.10.7.4"),
    (S.TIME_WAIT, E.RCV_FIN_ACK): (S.TIME_WAIT, ("ACK",), "3.10.7.4"),
    # Timeouts §3.10.8
    (S.TIME_WAIT, E.TIMEOUT): (S.CLOSED, (), "3.10.8"),
}
# SYN or SYN+ACK in a synchronized state: challenge ACK (RFC 9293 §3.10.7.4 fourth check)
for _s in SYNC:
    EXPECTED[(_s, E.RCV_SYN)] = (_s, ("ACK",), "3.10.7.4")
    EXPECTED[(_s, E.RCV_SYN_ACK)] = (_s, ("ACK",), "3.10.7.4")
# The 2MSL timer runs only in TIME-WAIT: elsewhere nothing happens.
for _s in ALL_STATES:
    if _s is not S.TIME_WAIT:
        EXPECTED[(_s, E.TIMEOUT)] = (_s, (), "3.10.8")

# (state, event) -> RFC 9293 error answer
REFUSED: dict[tuple[State, Event], tuple[str, str]] = {
    (S.CLOSED, E.SEND): ("connection does not exist", "3.10.2"),
    (S.CLOSED, E.CLOSE): ("connection does not exist", "3.10.4"),
    (S.CLOSED, E.ABORT): ("connection does not exist", "3.10.5"),
    (S.LISTEN, E.PASSIVE_OPEN): ("connection already exists", "3.9.1.1"),  # inferred: §3.10.1 has no answer
}
for _s in ALL_STATES[2:]:
    REFUSED[(_s, E.PASSIVE_OPEN)] = ("connection already exists", "3.10.1")
    REFUSED[(_s, E.ACTIVE_OPEN)] = ("connection already exists", "3.10.1")
for _s in (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.LAST_ACK, S.TIME_WAIT):
    REFUSED[(_s, E.SEND)] = ("connection closing", "3.10.2")
    REFUSED[(_s, E.CLOSE)] = ("connection closing", "3.10.4")


def _ids(keys):
    return [f"{s.name}-{e.name}" for s, e in keys]


@pytest.mark.parametrize("key", list(EXPECTED), ids=_ids(EXPECTED))
def test_row_matches_rfc9293(key):
    state, event = key
    next_state, send, section = EXPECTED[key]
    t = transition(state, event)
    assert (t.next, t.send) == (next_state, send)
    assert t.rfc == f"RFC 9293 §{section}"
    assert t.state is state and t.event is event
    assert t.note, "every row explains itself"


@pytest.mark.parametrize("key", list(REFUSED), ids=_ids(REFUSED))
def test_refused_user_calls_raise_with_rfc_answer(key):
    state, event = key
    answer, section = REFUSED[key]
    with pytest.raises(InvalidTransition) as info:
        transition(state, event)
    message = str(info.value)
    assert state.rfc_name in message and state.name in message and event.name in message and answer in message
    assert info.value.answer == answer and info.value.rfc == f"RFC 9293 §{section}"
    assert isinstance(info.value, ValueError)


def test_every_pair_is_covered_by_the_tests():
    covered = set(EXPECTED) | set(REFUSED)
    # The remaining rows are segments that cannot occur (a FIN acknowledging a FIN we never sent).
    rest = {k for k in TABLE if k not in covered}
    assert rest == {(S.SYN_SENT, E.RCV_FIN_ACK), (S.SYN_RECEIVED, E.RCV_FIN_ACK),
                    (S.ESTABLISHED, E.RCV_FIN_ACK), (S.CLOSE_WAIT, E.RCV_FIN_ACK)}
    for key in rest:
        t = transition(*key)
        assert t.next is key[0] and not t.occurs


def test_table_has_every_pair_and_only_user_calls_are_refused():
    assert len(TABLE) == len(State) * len(Event) == 11 * 12
    for (state, event), row in TABLE.items():
        if isinstance(row, Refusal):
            assert event.kind == "user"
        else:
            assert set(row.send) <= set(SEGMENTS)


def test_state_and_event_members_are_exactly_the_spec():
    assert [s.name for s in State] == ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
                                       "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"]
    assert {e.name for e in Event} == {"PASSIVE_OPEN", "ACTIVE_OPEN", "SEND", "CLOSE", "ABORT", "RCV_SYN",
                                       "RCV_SYN_ACK", "RCV_ACK", "RCV_FIN", "RCV_FIN_ACK", "RCV_RST", "TIMEOUT"}


@pytest.mark.parametrize("event", [e for e in Event if e.kind != "user"], ids=lambda e: e.name)
@pytest.mark.parametrize("state", ALL_STATES, ids=lambda s: s.name)
def test_segments_and_timers_never_raise(state, event):
    assert isinstance(transition(state, event), Transition)


def test_user_errors_as_rfc_words_them():
    assert transition(S.SYN_SENT, E.RCV_RST).user_error == "connection reset"
    for s in (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT):
        assert transition(s, E.RCV_RST).user_error == "connection reset"
    for s in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT):
        assert transition(s, E.RCV_RST).user_error is None
    assert transition(S.SYN_RECEIVED, E.RCV_RST).user_error is None  # passive: "need not be informed"
    assert transition(S.SYN_RECEIVED, E.RCV_RST, opened="active open").user_error == "connection refused"


def test_only_retransmitted_fin_in_time_wait_restarts_2msl():
    restarting = {k for k, r in TABLE.items() if isinstance(r, Transition) and r.restart_2msl}
    assert restarting == {(S.TIME_WAIT, E.RCV_FIN), (S.TIME_WAIT, E.RCV_FIN_ACK)}


def test_open_dependent_rows():
    a = transition(S.SYN_RECEIVED, E.RCV_RST, opened="active open")
    assert a.next is S.CLOSED and a.send == ()
    assert transition(S.SYN_RECEIVED, E.RCV_RST, opened="passive open").next is S.LISTEN
    assert transition(S.SYN_RECEIVED, E.RCV_SYN, opened="active open").send == ("ACK",)
    assert transition(S.SYN_RECEIVED, E.RCV_SYN_ACK, opened="passive open").next is S.LISTEN
    assert transition(S.SYN_RECEIVED, E.RCV_SYN_ACK, opened="active open").next is S.ESTABLISHED
    for (state, event, kind), row in OPEN_DEPENDENT.items():
        assert row.condition == kind and row.state is state and row.event is event


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="state must be one of CLOSED"):
        transition("NOPE", E.CLOSE)
    with pytest.raises(ValueError, match="event must be one of PASSIVE_OPEN"):
        transition(S.CLOSED, 3)
    with pytest.raises(ValueError, match="opened must be one of"):
        transition(S.SYN_RECEIVED, E.RCV_RST, opened="sideways")
    assert transition("time-wait", "rcv_fin").restart_2msl


def test_valid_events_match_the_table():
    assert E.TIMEOUT in valid_events(S.TIME_WAIT)
    assert E.SEND in valid_events(S.CLOSE_WAIT) and E.SEND not in valid_events(S.FIN_WAIT_2)
    assert valid_events(S.CLOSED)[:2] == (E.PASSIVE_OPEN, E.ACTIVE_OPEN)
    for s in ALL_STATES:
        for e in valid_events(s):
            assert transition(s, e).occurs
        if s is not S.TIME_WAIT:
            assert E.TIMEOUT not in valid_events(s)


def test_syn_in_time_wait_variants_agree_with_the_simulator():
    # The ISN Linux gives a connection reopened from TIME_WAIT is the simulator's constant, and
    # the MAY-2 row is about the host's own ISN, not a test on the incoming SYN.
    from tcpmodel.sim.sequence import LINUX_TW_ISN_OFFSET

    rows = {v.source: v for v in variants_for(S.TIME_WAIT, E.RCV_SYN)}
    assert f"ISN = old SND.NXT + {LINUX_TW_ISN_OFFSET}" in rows["Linux"].behaviour
    assert "MAY-2" in rows["RFC 1122"].reference and "OWN initial sequence number" in rows["RFC 1122"].behaviour
    assert "RCV.NXT" not in rows["RFC 1122"].behaviour and "RCV.NXT" in rows["FreeBSD"].behaviour


def test_variants_are_recorded_as_data():
    sources = {(v.state, v.event): set() for v in VARIANTS}
    for v in VARIANTS:
        sources[(v.state, v.event)].add(v.source)
        assert v.reference and v.behaviour
        assert (v.source == "Linux") == (v.kernels is not None)
        assert set(v.send) <= set(SEGMENTS)
        # a variant differs from RFC 9293's row
        row = TABLE[(v.state, v.event)]
        assert isinstance(row, Transition)
        assert (v.next, v.send) != (row.next, row.send) or v.source == "Linux"
    assert {"RFC 1337", "Linux"} <= sources[(S.TIME_WAIT, E.RCV_RST)]
    assert {"RFC 1122", "RFC 6191", "FreeBSD", "Linux"} <= sources[(S.TIME_WAIT, E.RCV_SYN)]
    assert "Linux" in sources[(S.FIN_WAIT_2, E.TIMEOUT)]
    assert [v.next for v in variants_for(S.TIME_WAIT, E.RCV_RST)] == [S.TIME_WAIT, S.CLOSED]


# --- Walks through whole connections ------------------------------------------------------


def run(endpoint, events):
    return [endpoint.handle(e) for e in events]


def test_three_way_handshake_and_four_way_close():
    client, server = TcpEndpoint("client"), TcpEndpoint("server")
    server.handle(E.PASSIVE_OPEN)
    assert client.handle(E.ACTIVE_OPEN).send == ("SYN",)
    assert server.handle(E.RCV_SYN).send == ("SYN+ACK",)
    assert client.handle(E.RCV_SYN_ACK).send == ("ACK",)
    assert server.handle(E.RCV_ACK).next is S.ESTABLISHED
    assert client.handle(E.CLOSE).send == ("FIN",)
    assert server.handle(E.RCV_FIN).send == ("ACK",)
    assert client.handle(E.RCV_ACK).next is S.FIN_WAIT_2
    assert server.handle(E.CLOSE).send == ("FIN",)
    assert client.handle(E.RCV_FIN).next is S.TIME_WAIT
    assert server.handle(E.RCV_ACK).next is S.CLOSED
    assert client.handle(E.TIMEOUT).next is S.CLOSED
    assert S.TIME_WAIT in client.path and S.TIME_WAIT not in server.path
    assert server.path == [S.CLOSED, S.LISTEN, S.SYN_RECEIVED, S.ESTABLISHED, S.CLOSE_WAIT, S.LAST_ACK, S.CLOSED]


def test_simultaneous_open_follows_figure_7():
    a, b = TcpEndpoint("a"), TcpEndpoint("b")
    for ep in (a, b):
        assert ep.handle(E.ACTIVE_OPEN).send == ("SYN",)
    for ep in (a, b):
        assert ep.handle(E.RCV_SYN).send == ("SYN+ACK",)
    for ep in (a, b):
        t = ep.handle(E.RCV_SYN_ACK)
        assert t.next is S.ESTABLISHED and t.send == ()


def test_simultaneous_close_both_sides_wait():
    for ep in (TcpEndpoint("a", S.ESTABLISHED), TcpEndpoint("b", S.ESTABLISHED)):
        run(ep, [E.CLOSE, E.RCV_FIN, E.RCV_ACK])
        assert ep.path == [S.ESTABLISHED, S.FIN_WAIT_1, S.CLOSING, S.TIME_WAIT]


def test_rst_in_syn_received_depends_on_how_it_was_opened():
    server = TcpEndpoint("server")
    run(server, [E.PASSIVE_OPEN, E.RCV_SYN])
    assert server.handle(E.RCV_RST).next is S.LISTEN
    peer = TcpEndpoint("peer")
    run(peer, [E.ACTIVE_OPEN, E.RCV_SYN])
    t = peer.handle(E.RCV_RST)
    assert t.next is S.CLOSED and t.user_error == "connection refused"
    # A listener turned active by SEND counts as actively opened.
    turned = TcpEndpoint("turned")
    run(turned, [E.PASSIVE_OPEN, E.SEND, E.RCV_SYN])
    assert turned.opened == "active open" and turned.handle(E.RCV_RST).next is S.CLOSED


def test_refused_call_leaves_endpoint_unchanged():
    ep = TcpEndpoint("x", S.TIME_WAIT)
    with pytest.raises(InvalidTransition, match="connection closing"):
        ep.handle(E.CLOSE)
    assert ep.state is S.TIME_WAIT and ep.history == []
    ep.handle(E.RCV_FIN)
    assert ep.sent == ["ACK"]
    ep.reset()
    assert ep.path == [S.TIME_WAIT]


# --- Properties ---------------------------------------------------------------------------

events = st.sampled_from(list(Event))


@given(st.sampled_from(ALL_STATES), st.lists(events, max_size=40))
def test_random_event_sequences_never_leave_the_11_states(start, seq):
    ep = TcpEndpoint("p", start)
    for e in seq:
        try:
            t = ep.handle(e)
        except InvalidTransition:
            assert e.kind == "user"
            continue
        assert t.next in State
        assert ep.state in State


def _reachable(start):
    seen, todo = {start}, [start]
    while todo:
        s = todo.pop()
        for e in Event:
            for opened in (None, "passive open", "active open"):
                try:
                    n = transition(s, e, opened=opened).next
                except InvalidTransition:
                    continue
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
    return seen


def test_every_state_reachable_from_closed_can_reach_closed_again():
    reachable = _reachable(S.CLOSED)
    assert reachable == set(State)
    for s in reachable:
        assert S.CLOSED in _reachable(s), f"{s.name} cannot get back to CLOSED"


@given(st.sampled_from(ALL_STATES), st.lists(events, max_size=40))
def test_time_wait_is_entered_only_from_fin_wait_or_closing(start, seq):
    ep = TcpEndpoint("p", start)
    for e in seq:
        try:
            t = ep.handle(e)
        except InvalidTransition:
            continue
        if t.next is S.TIME_WAIT and t.state is not S.TIME_WAIT:
            assert t.state in (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING)


def test_time_wait_predecessors_in_the_whole_table():
    into = {k[0] for k, r in TABLE.items() if isinstance(r, Transition) and r.next is S.TIME_WAIT and k[0] is not S.TIME_WAIT}
    into |= {k[0] for k, r in OPEN_DEPENDENT.items() if r.next is S.TIME_WAIT}
    assert into == {S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING}


@given(st.sampled_from(ALL_STATES), st.lists(events, max_size=30))
def test_endpoint_agrees_with_table(start, seq):
    ep = TcpEndpoint("p", start)
    for e in seq:
        before, opened = ep.state, ep.opened
        try:
            expected = transition(before, e, opened=opened)
        except InvalidTransition:
            with pytest.raises(InvalidTransition):
                ep.handle(e)
            continue
        assert ep.handle(e) == expected


# --- Two endpoints ------------------------------------------------------------------------

from tcpmodel.states import HANDSHAKE_AND_CLOSE, SIMULTANEOUS_OPEN_AND_CLOSE, EndpointPair  # noqa: E402


def test_pair_plays_handshake_and_four_way_close():
    pair = EndpointPair()
    steps = pair.run(HANDSHAKE_AND_CLOSE)
    wire = [(s.actor, seg) for s in steps for seg, _ in s.segments]
    # RFC 9293 Figure 6 (three-way handshake) and Figure 12 (normal close): who sends what, in order.
    assert wire == [("client", "SYN"), ("server", "SYN+ACK"), ("client", "ACK"),
                    ("client", "FIN"), ("server", "ACK"), ("server", "FIN"), ("client", "ACK")]
    assert pair["client"].path[-3:] == [S.FIN_WAIT_2, S.TIME_WAIT, S.CLOSED]
    assert S.TIME_WAIT not in pair["server"].path
    assert pair.in_flight == {"client": [], "server": []} and pair.actions() == [
        "client:PASSIVE_OPEN", "client:ACTIVE_OPEN", "server:PASSIVE_OPEN", "server:ACTIVE_OPEN"]


def test_pair_simultaneous_open_and_close_both_wait():
    pair = EndpointPair(("a", "b"))
    script = [a.replace("client", "a").replace("server", "b") for a in SIMULTANEOUS_OPEN_AND_CLOSE]
    pair.run(script)
    for name in ("a", "b"):
        assert pair[name].path == [S.CLOSED, S.SYN_SENT, S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1,
                                   S.CLOSING, S.TIME_WAIT, S.CLOSED]


def test_pair_offers_only_valid_actions_and_refuses_others():
    pair = EndpointPair()
    assert "deliver:server" not in pair.actions()
    with pytest.raises(ValueError, match="action must be one of"):
        pair.apply("client:CLOSE")
    pair.apply("client:ACTIVE_OPEN")
    assert "deliver:server" in pair.actions()
    # The server is CLOSED: it answers the SYN with a RST, and the client sees "connection reset".
    assert pair.apply("deliver:server").segments == (("RST", E.RCV_RST),)
    t = pair.apply("deliver:client").transition
    assert t.next is S.CLOSED and t.user_error == "connection reset"
    with pytest.raises(ValueError, match="names must be"):
        EndpointPair(("x", "x"))


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=40))
def test_pair_random_valid_actions_stay_in_states(choices):
    pair = EndpointPair()
    for c in choices:
        acts = pair.actions()
        step = pair.apply(acts[c % len(acts)])
        assert step.transition.next in State
        if step.transition.next is S.TIME_WAIT and step.transition.state is not S.TIME_WAIT:
            assert step.transition.state in (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING)


def test_endpoint_constructor_and_aliases():
    ep = TcpEndpoint(S.LISTEN)
    assert ep.state is S.LISTEN and ep.opened == "passive open" and ep.name == "endpoint"
    assert ep.process(E.RCV_SYN).next is S.SYN_RECEIVED
    assert ep.apply(E.RCV_RST).next is S.LISTEN
    with pytest.raises(ValueError, match="name must be a string"):
        TcpEndpoint(3)


_GRAPH = []


def _graph():
    from tcpmodel.graph import state_graph

    if not _GRAPH:
        _GRAPH.append(state_graph())
    return _GRAPH[0]


@given(st.lists(events, max_size=25))
def test_every_state_reached_from_closed_can_get_back(seq):
    import networkx as nx

    g = _graph()
    ep = TcpEndpoint("p")
    for e in seq:
        try:
            ep.handle(e)
        except InvalidTransition:
            continue
        assert ep.state is S.CLOSED or nx.has_path(g, ep.state, S.CLOSED)


@given(st.sampled_from(ALL_STATES), events)
def test_graph_and_table_agree_for_any_row(state, event):
    g = _graph()
    row = TABLE[(state, event)]
    if isinstance(row, Transition):
        data = g.edges[state, row.next, event.name]
        assert (data["event"], data["send"], data["rfc"]) == (event, row.send, row.rfc)
    else:
        assert all(k != event.name for _, _, k in g.out_edges(state, keys=True))


def test_linux_fin_wait_2_variant_states_the_modelled_default():
    """The variant gives the default as a number computed from tcpmodel.linux, not a constant's name."""
    from tcpmodel.linux import TCP_FIN_TIMEOUT_S

    (variant,) = variants_for(S.FIN_WAIT_2, E.TIMEOUT)
    assert f"default {TCP_FIN_TIMEOUT_S:g} s" in variant.behaviour and variant.next is S.CLOSED
    assert "TCP_FIN_TIMEOUT_S" not in variant.behaviour
