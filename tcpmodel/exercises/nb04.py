"""Exercises of notebook 04 (old duplicates). Every expected answer is computed by the simulator."""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

PROTECT_OPTIONS = (
    "TIME_WAIT (2·MSL before the 4-tuple is reused)",
    "clock-driven ISNs (RFC 9293 §3.4.1)",
    "timestamps with PAWS (RFC 7323)",
    "a 16 times larger receive window",
)


#: The held SEQ=301's delay (exercises 1 and 2), exercise 2's quiet time, the quiet-time step of exercise 1, exercise 4's MSL.
HELD_S = 20.0
QUIET_S = 5.0
STEP_S = 0.1
MSL_S = 30.0


def _min_quiet(delay: float = HELD_S) -> float:
    """Smallest quiet time (in steps of STEP_S) at which the held SEQ=301 no longer corrupts incarnation 2."""
    from tcpmodel.sim import simulate

    def corrupts(steps: int) -> bool:
        return simulate("old_duplicate", time_wait=False, delay=delay, quiet_time=round(steps * STEP_S, 9)).corrupted

    # A longer quiet time only moves incarnation 2 later, so "corrupted" is true up to a
    # threshold and false after it: bisect over steps (corrupts(0) holds for any delay the
    # exercise uses; a quiet time of delay + 10 s is always safe).
    low, high = 0, round((delay + 10.0) / STEP_S)
    assert corrupts(low) and not corrupts(high)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if corrupts(mid) else (low, mid)
    return round(high * STEP_S, 9)


def _protects() -> set[str]:
    from dataclasses import replace

    from tcpmodel.sim import build, simulate

    base = dict(delay=HELD_S, quiet_time=QUIET_S)
    outcomes = {
        PROTECT_OPTIONS[0]: simulate("old_duplicate", time_wait=True, **base).corrupted,
        PROTECT_OPTIONS[1]: simulate("old_duplicate", time_wait=False, isn="rfc6528", **base).corrupted,
        PROTECT_OPTIONS[2]: simulate("old_duplicate", time_wait=False, timestamps=True, **base).corrupted,
    }
    wide = build("old_duplicate", time_wait=False, **base)
    wide.B = replace(wide.B, rcv_wnd=16 * wide.B.rcv_wnd)
    outcomes[PROTECT_OPTIONS[3]] = simulate(wide).corrupted
    return {option for option, corrupted in outcomes.items() if not corrupted}


#: Steps of the simulator's path that Linux and RFC 9293 do not have: its endpoint B is one TCB, so the passive open
#: that takes the SYN is recorded as CLOSED (the old TCB deleted) and LISTEN. On Linux the TIME_WAIT socket is dropped
#: and the listener, which stays in LISTEN, answers the SYN with a new socket (tcp_v4_rcv, TCP_TW_SYN); RFC 9293
#: §3.6.1 (MAY-2) reopens the connection "directly from TIME-WAIT state". Both give TIME_WAIT, SYN_RECEIVED, ESTABLISHED.
BERKELEY_BOOKKEEPING = ("CLOSED", "LISTEN")


def _berkeley_path() -> list[str]:
    from tcpmodel.sim import simulate

    path = [s.name for s in simulate("reconnect", closer="B").path("B")]
    return path[path.index("TIME_WAIT"):]


def _time_wait_len() -> float:
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    return simulate("normal_close", msl=MSL_S).time_in("A", State.TIME_WAIT)


register(
    NumberExercise(
        "04.min_quiet",
        f"Without TIME_WAIT, SEQ=301 is held {HELD_S:g} s. Trying quiet times in steps of {STEP_S:g} s, what is the shortest one (in s) "
        "that keeps incarnation 2 safe?",
        expected=_min_quiet,
        hint="Incarnation 2 is safe when the old segment arrives before B has a new connection; use the quiet-time demo or loop over simulate('old_duplicate', ...).",
        unit="s",
        decimals=1,
        precision=f"in steps of {STEP_S:g} s",
        mistakes={"last corrupted step": (lambda: _min_quiet() - STEP_S,
                  "At that quiet time the simulator still shows SEQ=301 landing in incarnation 2: run it and read .corrupted.")},
    ),
    ChoiceExercise(
        "04.protects",
        f"Quiet time {QUIET_S:g} s, delay {HELD_S:g} s: which of these keeps SEQ=301 out of incarnation 2? (choose all that do)",
        options=PROTECT_OPTIONS,
        correct=_protects,
        hint="Try each one with simulate('old_duplicate', ...): time_wait=True, isn='rfc6528', timestamps=True.",
        why_wrong={PROTECT_OPTIONS[3]: "a larger window only makes it easier for an old segment to land inside it."},
    ),
    SequenceExercise(
        "04.berkeley_path",
        "The server B holds the 4-tuple in TIME_WAIT, and a socket of B listens on the port, when the client's new SYN "
        "for that 4-tuple arrives, its sequence number after B's RCV.NXT. List the states of this 4-tuple's connection "
        "at B, from TIME_WAIT until the new connection is ESTABLISHED, as names: ['TIME_WAIT', ...]. The simulator's "
        "trace of B also records CLOSED and LISTEN in between (its one TCB per endpoint deletes the old connection and "
        "opens passively again); Linux has no such step, so each may be listed or left out.",
        expected=_berkeley_path,
        states=True,
        optional=BERKELEY_BOOKKEEPING,
        hint="tcp_timewait_state_process returns TCP_TW_SYN and tcp_v4_rcv drops the TIME_WAIT socket and hands the SYN "
             "to the listener, whose new connection takes the passive-open path of notebook 01; "
             "run simulate('reconnect', closer='B').",
        step_name="state",
    ),
    NumberExercise(
        "04.two_msl",
        f"MSL = {MSL_S:g} s. How long, in seconds, must the active closer keep the 4-tuple after its last ACK so that the "
        "segments of the old connection in both directions have died? Give a whole number of seconds.",
        expected=_time_wait_len,
        hint="The peer retransmits its FIN until the last ACK reaches it, which can take up to one MSL; the last of "
             "those FINs can itself live one more MSL.",
        unit="s",
        decimals=0,
        precision="a whole number of seconds",
        mistakes={"one MSL": (lambda: _time_wait_len() / 2,
                              "One MSL lets the last ACK reach the peer (and the closer's own segments die), but the peer's "
                              "FIN, retransmitted until that ACK arrives, can live one MSL more.")},
    ),
)
