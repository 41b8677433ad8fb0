"""Exercises of notebook 10 (your own traffic): the shipped captures replayed, a tcpdump filter, a socket table.

Every expected answer is computed by tcpmodel: the replay of the captures
recorded on Linux (tcpmodel/data/captures), the diagnosis of their socket
tables, and the filter :mod:`tcpmodel.capture.compare` emulates. The helpers
below are also the values the notebook's prose shows (``nb10.…`` in its
number annotations).
"""

from __future__ import annotations

from functools import lru_cache

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

#: The port the filter question captures on (an input of the question, not an answer).
FILTER_PORT = 443

_CLOSERS = {"client": "the client", "server": "the server", "simultaneous": "both at once"}
_ANSWERS = {"accepted": "accepted as a new connection", "acked_and_dropped": "answered with an ACK and dropped",
            "reset": "answered with a RST"}


@lru_cache(maxsize=None)
def report(case: str):  # noqa: ANN201 - a CaptureReport
    """The replay of corpus capture ``case`` (cached: the captures are package data)."""
    from tcpmodel.capture import analyze
    from tcpmodel.capture.compare import corpus_file

    return analyze(corpus_file(f"{case}.pcap"))


def first_closer(case: str) -> str:
    """Who closed connection 0 of ``case`` first, as the question's options say it."""
    return _CLOSERS[report(case).connections[0].first_closer]


def fin_retransmissions(case: str, side: str) -> int:
    """How many times ``side`` ("client" or "server") sent its FIN again in ``case``."""
    return report(case).connections[0].fin_retransmissions[side]


def fin_gap_ms(case: str = "lost_final_ack") -> float:
    """Milliseconds from the server's FIN to its retransmission in ``case``."""
    from tcpmodel.capture.compare import fin_retransmission_gap

    return 1000.0 * fin_retransmission_gap(report(case).trace(0), "B")


def sim_fin_gap_ms() -> float:
    """Milliseconds from the server's FIN to its retransmission in the simulator's lost_final_ack."""
    from tcpmodel.capture.compare import fin_retransmission_gap
    from tcpmodel.sim import simulate

    return 1000.0 * fin_retransmission_gap(simulate("lost_final_ack", time_wait=True), "B")


def syn_answer(case: str = "syn_accepted_into_time_wait") -> str:
    """How the first SYN that met a TIME-WAIT in ``case`` was answered, as the question's options say it."""
    for conn in report(case).connections:
        for reuse in conn.syn_reuse:
            return _ANSWERS.get(reuse["answer"], reuse["answer"])
    raise ValueError(f"case must be a capture with a SYN that met a TIME-WAIT; got {case!r}")


def isn_offset(case: str, endpoint: str) -> int:
    """``endpoint``'s ISN in connection 1 of ``case`` minus its SND.NXT at the end of connection 0."""
    from tcpmodel.capture.compare import isn_offset as offset

    r = report(case)
    return offset(r.trace(0), r.trace(1), endpoint)


def reuse_gap_s(case: str = "tw_reuse_reconnect") -> float:
    """Seconds from the client's entering TIME-WAIT to the SYN that reused its 4-tuple, in ``case``."""
    first, second = report(case).connections[:2]
    return second.start - first.time_wait["client"].entered


def ground_truth(case: str) -> dict:
    """The kernel's ground truth stored beside capture ``case`` (its JSON)."""
    import json

    from tcpmodel.capture.compare import corpus_file

    return json.loads(corpus_file(f"{case}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def diagnosis(case: str = "port_exhaustion"):  # noqa: ANN201 - a tcpmodel.diagnose Report
    """The diagnosis of the socket-table text stored with ``case`` (ss, nstat, sockstat and sysctl)."""
    from tcpmodel.capture.compare import corpus_file
    from tcpmodel.diagnose import diagnose_text

    def text(kind: str) -> str:
        return corpus_file(f"{case}.{kind}.txt").read_text(encoding="utf-8")

    return diagnose_text(ss=text("ss"), nstat=text("nstat"), sockstat=text("sockstat"), sysctl=text("sysctl"))


def close_path(case: str, side: str) -> list[str]:
    """``side``'s states in connection 0 of ``case`` from ESTABLISHED to TIME-WAIT (or to its last state)."""
    names = report(case).connections[0].paths[side]
    names = names[names.index("ESTABLISHED"):]
    return names[:names.index("TIME_WAIT") + 1] if "TIME_WAIT" in names else names


def _filter_options() -> tuple[str, ...]:
    from tcpmodel.capture.compare import CONTROL_FILTER

    port = f"tcp port {FILTER_PORT} and "
    return (port + "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
            port + CONTROL_FILTER,
            port + "tcp[tcpflags] == tcp-syn|tcp-fin|tcp-rst",
            port + "tcp[tcpflags] & tcp-ack != 0")


def _filter_correct() -> set[str]:
    from tcpmodel.capture.compare import CONTROL_FILTER

    return {o for o in _filter_options() if o.endswith(CONTROL_FILTER)}


register(
    SequenceExercise(
        "10.simultaneous_path",
        "Replay simultaneous_close.pcap. List the server's states from ESTABLISHED to TIME_WAIT, as names: "
        "['ESTABLISHED', ...].",
        expected=lambda: close_path("simultaneous_close", "server"),
        states=True,
        hint="Both FINs crossed: each side sent its FIN before it received the other's. Read report.connections[0].paths.",
        step_name="state",
    ),
    ChoiceExercise(
        "10.first_closer",
        "Replay server_closes_first.pcap. Who closed the connection first?",
        options=tuple(_CLOSERS.values()),
        correct=lambda: {first_closer("server_closes_first")},
        hint="The first closer is the side that sent the first FIN: look at the report's 'first closer' line, or at "
             "which side entered FIN_WAIT_1.",
        why_wrong={"both at once": "a simultaneous close shows both sides in CLOSING; this capture does not."},
    ),
    NumberExercise(
        "10.fin_retransmissions",
        "In lost_final_ack.pcap, how many times did the server send its FIN again? Give a whole number.",
        expected=lambda: fin_retransmissions("lost_final_ack", "server"),
        hint="Count the FIN+ACK segments from B with the same sequence number, minus the first; the report says it too.",
        unit="segments",
        decimals=0,
        precision="a whole number",
    ),
    ChoiceExercise(
        "10.syn_answer",
        "In syn_accepted_into_time_wait.pcap, the client's SYN reached the server's TIME-WAIT. How was it answered?",
        options=tuple(_ANSWERS.values()),
        correct=lambda: {syn_answer("syn_accepted_into_time_wait")},
        hint="Look at what the server sent right after the SYN, and at the incarnation that follows.",
        why_wrong={"answered with a RST": "no RST appears in this capture.",
                   "answered with an ACK and dropped": "an ACK-and-drop makes the client send its SYN again; it did not."},
    ),
    NumberExercise(
        "10.isn_offset",
        "In bound_port_reconnect.pcap the client took its own TIME-WAIT 4-tuple over. By how much is its new ISN "
        "ahead of its old SND.NXT (one past its FIN)? Give a whole number.",
        expected=lambda: isn_offset("bound_port_reconnect", "A"),
        hint="isn_offset(old_trace, new_trace, 'A'): the client is endpoint A; the two connections are 0 and 1.",
        unit="",
        decimals=0,
        precision="a whole number",
    ),
    ChoiceExercise(
        "10.binding",
        "Diagnose the port_exhaustion socket table (ss, nstat, sockstat and sysctl text). What is the binding resource?",
        options=("ports", "tcp_max_tw_buckets", "memory", "none"),
        correct=lambda: {diagnosis("port_exhaustion").binding},
        hint="Compare the TIME_WAIT sockets to one destination with the ports of the host's ip_local_port_range.",
        why_wrong={"tcp_max_tw_buckets": "the TIME_WAIT count is far below the cap, and TCPTimeWaitOverflow did not move.",
                   "memory": "a handful of TIME_WAIT sockets holds almost no memory."},
    ),
    ChoiceExercise(
        "10.filter",
        f"Which tcpdump filter keeps the SYN, FIN and RST segments (IPv4) of port {FILTER_PORT}, and nothing else?",
        options=_filter_options(),
        correct=_filter_correct,
        hint="pcap-filter(7): tcp[tcpflags] is the flags byte; '& mask != 0' is true when any flag of the mask is set.",
        why_wrong={_filter_options()[0]: "a connection reset with RST would be missing.",
                   _filter_options()[2]: "'==' asks for exactly one value of the byte, and most FINs carry ACK too.",
                   _filter_options()[3]: "almost every segment carries ACK: that keeps nearly everything."},
    ),
)
