"""Exercises of notebook 03 (reliable close). Every expected answer is computed by the simulator."""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, normalise_flags, register

RST_OPTIONS = (
    "A, because it has no connection left for the FIN (CLOSED)",
    "B, because its FIN was never ACKed",
    "A, because TIME_WAIT refuses FINs",
    "nobody: B's retransmitted FIN is silently ignored",
)


def _after_loss(time_wait: bool) -> list[str]:
    from tcpmodel.sim import simulate

    t = simulate("lost_final_ack", time_wait=time_wait)
    lost = t.lost_segments()[0]
    return [s.flags for s in t.segments if s.index > lost.index]


#: Exercise 2: the MSL and B's RTO (seconds), neither the worked example's nor the demo's, so that the time A is
#: CLOSED is computed (the retransmitted FIN's arrival + 2·MSL), not read off a printed line. ``rto=`` keeps the rest
#: of the script at its default timing (notebook 03 §2 demo).
CLOSED_AT = {"msl": 20.0, "rto": 2.0}


def _closed_at() -> float:
    from tcpmodel.sim import simulate

    return simulate("lost_final_ack", time_wait=True, **CLOSED_AT).states["A"][-1][0]


def _rto_gap(**params: float) -> float:
    from tcpmodel.sim import simulate

    fins = [s for s in simulate("lost_final_ack", time_wait=True, **params).segments if s.src == "B" and "FIN" in s.flags]
    return fins[1].t_sent - fins[0].t_sent


def _closed_at_default() -> float:
    from tcpmodel.sim import simulate

    return simulate("lost_final_ack", time_wait=True).states["A"][-1][0]


def _closed_at_default_rto() -> float:
    from tcpmodel.sim import EndpointConfig, simulate

    params = dict(CLOSED_AT, rto=EndpointConfig().rto)
    return simulate("lost_final_ack", time_wait=True, **params).states["A"][-1][0]


def _rst_sender() -> set[str]:
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    t = simulate("lost_final_ack", time_wait=False)
    rst = next(s for s in t.segments if "RST" in s.flags)
    if rst.src == "A" and rst.sender_state == State.CLOSED:
        return {RST_OPTIONS[0]}
    return {RST_OPTIONS[1]}


register(
    SequenceExercise(
        "03.after_loss",
        "Without TIME_WAIT: which segments (flags) cross the network after the final ACK is lost?",
        expected=lambda: _after_loss(False),
        hint="B retransmits what was not acknowledged; what does a CLOSED endpoint answer (RFC 9293 §3.10.7.1)?",
        step_name="segment",
        normalise=normalise_flags,
    ),
    NumberExercise(
        "03.closed_at",
        f"With TIME_WAIT, an MSL of {CLOSED_AT['msl']:g} s and B's RTO at {CLOSED_AT['rto']:g} s (the rest of the script "
        "at its default timing): at what time, in seconds to one decimal place, is A finally CLOSED?",
        expected=_closed_at,
        hint="The retransmitted FIN restarts the 2MSL timer (RFC 9293 §3.10.7.4, TIME-WAIT): count 2·MSL from its arrival, not from the first FIN.",
        unit="s",
        decimals=1,
        precision="to one decimal place",
        mistakes={"from the first FIN": (lambda: _closed_at() - _rto_gap(**CLOSED_AT),
                                         "That counts 2·MSL from the first FIN; the retransmitted FIN restarts the timer."),
                  "worked example": (_closed_at_default,
                                     "That is the worked example's time, at the default MSL and RTO; the question sets both."),
                  "default RTO": (_closed_at_default_rto,
                                  "That keeps B's default RTO; the question sets another, which moves the retransmitted FIN.")},
    ),
    NumberExercise(
        "03.rto",
        "How many seconds after its first FIN does B retransmit it? Give it to one decimal place.",
        expected=_rto_gap,
        hint="The retransmission timer starts at the initial RTO of RFC 6298 §2, rule (2.1).",
        unit="s",
        decimals=1,
        precision="to one decimal place",
    ),
    ChoiceExercise(
        "03.rst",
        "Without TIME_WAIT, who sends the RST, and why?",
        options=RST_OPTIONS,
        correct=_rst_sender,
        hint="Look at the RST's src and at the state of its sender in the trace.",
        why_wrong={
            RST_OPTIONS[2]: "TIME_WAIT ACKs a retransmitted FIN and restarts its timer; that is its job.",
            RST_OPTIONS[3]: "a segment for no connection is answered with a RST (RFC 9293 §3.10.7.1).",
        },
    ),
)
