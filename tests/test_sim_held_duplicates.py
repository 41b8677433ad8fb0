"""An old duplicate that waits in the reassembly queue and is delivered later is named on its own row.

Notebook 04 asks what B must have when the held SEQ=301 arrives. When incarnation
2's SYN has reached B but the handshake is not over (B in SYN_RECEIVED), the old
segment is queued out of order and delivered once ``new-1`` fills the gap: the
run is corrupted, and the trace must say so where the learner reads it.
"""

from __future__ import annotations

from tcpmodel import State
from tcpmodel.sim import simulate
from tcpmodel.sim.analysis import old_duplicate_summary


def _b_state_before(trace, t):
    """B's state just before time ``t`` (the arriving segment itself may change it)."""
    state = None
    for when, s in trace.states["B"]:
        if when < t:
            state = s
    return state


def test_old_segment_queued_in_syn_received_is_reported_when_delivered():
    # Find a quiet time at which the held segment reaches B while B is in SYN_RECEIVED.
    for tenths in range(170, 181):
        trace = simulate("old_duplicate", time_wait=False, delay=20.0, quiet_time=tenths / 10)
        info = old_duplicate_summary(trace)
        if _b_state_before(trace, info["arrived"]) is State.SYN_RECEIVED:
            break
    else:  # pragma: no cover - the scenario's timing changed
        raise AssertionError("no quiet time in [17.0, 18.0] s puts the old segment's arrival in SYN_RECEIVED")
    assert trace.corrupted
    assert "buffered out of order" in info["outcome"]
    assert "OLD DUPLICATE from incarnation 1 accepted" in info["outcome"]
    assert info["accepted"] is True


def test_segments_delivered_on_arrival_are_not_relabelled():
    trace = simulate("old_duplicate", time_wait=False, delay=20.0, quiet_time=5.0)
    old = [s for s in trace.segments if s.payload == "old-2" and s.duplicate_of is None]
    assert old[0].outcome == "data delivered: OLD DUPLICATE from incarnation 1 accepted"
    assert old[1].outcome == "data delivered"  # incarnation 1's own retransmission
