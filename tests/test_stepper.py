"""The stepper offers only valid events, plays the scenarios, shows what was sent, and redraws fast."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from tcpmodel.states import EndpointPair, Event, State, TcpEndpoint, transition, valid_events  # noqa: E402
from tcpmodel.widgets.stepper import MODES, SCENARIOS, StateStepper, action_label, state_stepper  # noqa: E402

S = State


def offered(widget):
    return [value for _label, value in widget.controls["action"].options if value not in ("", "next", "undo", "reset")]


def test_menu_offers_exactly_the_valid_actions():
    w = StateStepper()
    assert offered(w) == EndpointPair().actions()
    for _ in range(3):
        w.update(action="next")
    assert offered(w) == w.model.actions()
    # The client is SYN-SENT: CLOSE is offered, a second OPEN is not (RFC 9293 §3.10.1).
    assert "client:CLOSE" in offered(w) and "client:ACTIVE_OPEN" not in offered(w)


def test_one_endpoint_mode_offers_valid_events_only():
    w = StateStepper(mode="one endpoint")
    assert offered(w) == [e.name for e in valid_events(S.CLOSED)]
    w.update(action="ACTIVE_OPEN")
    w.update(action="RCV_SYN_ACK")
    w.update(action="CLOSE")
    assert offered(w) == [e.name for e in valid_events(S.FIN_WAIT_1)]
    assert "SEND" not in offered(w) and "TIMEOUT" not in offered(w)


def test_next_plays_handshake_and_four_way_close():
    w = StateStepper()
    script = SCENARIOS["handshake and four-way close"]
    for _ in script:
        w.update(action="next")
    wire = [(s.actor, seg) for s in w.model.steps for seg, _ in s.segments]
    assert wire == [("client", "SYN"), ("server", "SYN+ACK"), ("client", "ACK"),
                    ("client", "FIN"), ("server", "ACK"), ("server", "FIN"), ("client", "ACK")]
    assert S.TIME_WAIT in w.model["client"].path and S.TIME_WAIT not in w.model["server"].path
    assert "RFC 9293 §3.10.7.4" in w.last_html and "TIME-WAIT" in w.last_html
    w.update(action="next")  # after the end, "next" starts again
    assert len(w.history) == 1


def test_simultaneous_scenario_both_sides_wait():
    w = StateStepper(scenario="simultaneous open and close")
    for _ in SCENARIOS["simultaneous open and close"]:
        w.update(action="next")
    for name in ("client", "server"):
        assert S.CLOSING in w.model[name].path and S.TIME_WAIT in w.model[name].path


def test_undo_and_reset_and_mode_switch():
    w = StateStepper()
    w.update(action="next")
    w.update(action="next")
    w.update(action="undo")
    assert w.history == ["server:PASSIVE_OPEN"]
    w.update(action="reset")
    assert w.history == [] and w.model["client"].state is S.CLOSED
    w.update(mode="one endpoint")
    assert isinstance(w.model, TcpEndpoint)


def test_action_not_offered_is_a_value_error():
    w = StateStepper()
    with pytest.raises(ValueError, match="action must be one of"):
        w.update(action="client:CLOSE")
    with pytest.raises(ValueError, match="mode must be one of"):
        state_stepper(mode="three endpoints")


def test_labels_say_what_will_be_sent():
    pair = EndpointPair()
    pair.run(["server:PASSIVE_OPEN", "client:ACTIVE_OPEN"])
    assert action_label("deliver:server", pair) == "deliver SYN to server (sends SYN+ACK)"
    assert action_label("RCV_FIN", TcpEndpoint("e", S.TIME_WAIT)) == "rcv FIN (sends ACK)"


def test_each_step_redraws_a_png_and_static_figure_exists():
    import json
    from pathlib import Path

    w = StateStepper()
    w.update(action="next")
    assert w.last_png.startswith(b"\x89PNG")
    index = json.loads((Path(__file__).resolve().parent.parent / "figures" / "index.json").read_text())
    assert StateStepper.static_figure in index
    assert set(MODES) == {"client and server", "one endpoint"}


def test_segment_events_follow_the_table():
    # Each delivered segment causes the table's row in the receiver's state.
    w = StateStepper()
    for _ in SCENARIOS["handshake and four-way close"]:
        w.update(action="next")
    for step in w.model.steps:
        t = step.transition
        assert (t.next, t.send) == (transition(t.state, t.event).next, transition(t.state, t.event).send)
    assert {s.transition.event for s in w.model.steps if s.actor == "client"} >= {Event.RCV_SYN_ACK, Event.RCV_FIN}
