"""Notebook 10's figures: real captures (tcpmodel/data/captures) replayed, beside the simulator's runs.

Each figure puts the ladder of a connection recorded on Linux 6.18 (left)
next to the simulator's ladder of the same scenario (right). Both are drawn
by :func:`tcpmodel.plots.ladder.draw_ladder` from a
:class:`~tcpmodel.sim.trace.Trace`; the capture's arrows are horizontal
because a capture sees each segment once, at one point.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from tcpmodel.figures import figure
from tcpmodel.plots.ladder import TimeScale, _key_times, draw_ladder
from tcpmodel.plots.style import fixed_margins

__all__ = ["draw_capture_beside_simulation", "capture_trace"]


def capture_trace(case: str, connections: tuple[int, ...] = (0,), *, to_time_wait_end: bool = True):  # noqa: ANN201
    """The Trace of a corpus capture's connection(s) (several: incarnations of one 4-tuple, joined).

    With ``to_time_wait_end``, the trace ends when its last TIME-WAIT would
    end (the replay's 2MSL timer, Linux's 60 s) rather than at the capture's
    last packet, so that its ladder shows the whole wait, as the simulator's does.

    Examples
    --------
    >>> [s.name for s in capture_trace("client_closes_first").path("A")][-1]
    'TIME_WAIT'
    """
    from tcpmodel.capture import analyze
    from tcpmodel.capture.compare import corpus_file, joined_trace

    report = analyze(corpus_file(f"{case}.pcap"))
    trace = report.trace(connections[0]) if len(connections) == 1 else joined_trace(report, connections)
    if to_time_wait_end:
        running = [span for span in trace.timers if span.kind == "2MSL" and span.end is None]
        for span in running:
            span.end = span.start + 2 * trace.msl
            span.outcome = "expired"
        trace.end_time = max([trace.end_time] + [span.end for span in running])
        for span in trace.timers:
            if span.kind == "2MSL" and span.outcome == "cancelled":
                span.outcome = "ended early"  # a SYN, a RST or this side's own connect() ended it
    return trace


def _height(trace) -> float:  # noqa: ANN001
    scale = TimeScale(_key_times(trace), gap=1.0, break_height=0.45, min_step=0.3)
    return max(scale(trace.end_time), 0.5)


def draw_capture_beside_simulation(captured, simulated, *, left_title: str, right_title: str):  # noqa: ANN001, ANN201
    """Two ladders side by side on one figure: a captured Trace and a simulated one.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from tcpmodel.sim import simulate
    >>> fig = draw_capture_beside_simulation(capture_trace("client_closes_first"), simulate("normal_close"),
    ...                                      left_title="capture", right_title="simulator")
    >>> len(fig.axes)
    2
    """
    total = max(_height(captured), _height(simulated))
    fig, (left, right) = plt.subplots(1, 2, figsize=(15.0, min(1.9 + 0.62 * total, 30.0)))
    draw_ladder(captured, ax=left, title=left_title)
    draw_ladder(simulated, ax=right, title=right_title)
    fixed_margins(fig, left=0.85, right=0.35, top=0.55, bottom=0.1)
    fig.subplots_adjust(wspace=0.28)
    return fig


_REAL = "Linux 6.18 capture"


@figure(
    "capture_vs_sim_client_closes_first",
    alt="Two ladder diagrams side by side. Left, a connection captured on Linux 6.18: the client sends FIN first, passes "
        "FIN_WAIT_1 and FIN_WAIT_2 and enters TIME_WAIT; the server passes CLOSE_WAIT and LAST_ACK to CLOSED; every "
        "arrow is horizontal, and the client's TIME_WAIT is drawn to when it would end, long after the capture's last "
        "packet. Right, the simulator's normal close with the same states and slanted arrows.",
    caption="client_closes_first: the real close (left, replayed through the course's state table) and the "
            "simulator's normal_close with closer A (right) pass through the same states.",
)
def capture_vs_sim_client_closes_first():
    from tcpmodel.sim import simulate

    return draw_capture_beside_simulation(
        capture_trace("client_closes_first"), simulate("normal_close", closer="A"),
        left_title=f"{_REAL}: client_closes_first", right_title="simulator: normal_close (closer = A)")


@figure(
    "capture_vs_sim_lost_final_ack",
    alt="Two ladder diagrams side by side. Left, a capture on Linux 6.18 where the client's final ACK was dropped "
        "before the capture point: the capture shows the server's FIN, no ACK, the same FIN again after the kernel's "
        "retransmission timeout, and the client's ACK from TIME_WAIT, whose timer restarts. Right, the simulator's "
        "lost final ACK: the ACK is drawn lost half-way, and the server resends its FIN after the model's fixed RTO, "
        "a longer wait.",
    caption="lost_final_ack: the kernel resent its FIN after its own retransmission timeout (left), the simulator "
            "after its fixed RTO (right); the capture cannot show the lost ACK, which never reached it.",
)
def capture_vs_sim_lost_final_ack():
    from tcpmodel.sim import simulate

    return draw_capture_beside_simulation(
        capture_trace("lost_final_ack"), simulate("lost_final_ack", time_wait=True),
        left_title=f"{_REAL}: lost_final_ack", right_title="simulator: lost_final_ack (time_wait=True)")


@figure(
    "capture_vs_sim_simultaneous_close",
    alt="Two ladder diagrams side by side. Left, a capture on Linux 6.18 of a simultaneous close: both FINs are seen "
        "at the same moment, both sides pass FIN_WAIT_1 and CLOSING and both enter TIME_WAIT. Right, the simulator's "
        "simultaneous close with the same states on both sides.",
    caption="simultaneous_close: both sides hold TIME_WAIT, in the kernel (left) as in the model (right).",
)
def capture_vs_sim_simultaneous_close():
    from tcpmodel.sim import simulate

    return draw_capture_beside_simulation(
        capture_trace("simultaneous_close"), simulate("simultaneous_close"),
        left_title=f"{_REAL}: simultaneous_close", right_title="simulator: simultaneous_close")


@figure(
    "capture_vs_sim_syn_into_time_wait",
    alt="Two ladder diagrams side by side. Left, a capture on Linux 6.18: the server closes first and enters "
        "TIME_WAIT; a fraction of a second later the client sends a SYN from the same port, the server's TIME_WAIT "
        "ends early and a second incarnation opens and closes the same way. Right, the simulator's reconnect with "
        "the server as closer: the new SYN, sent a few seconds after the close, is accepted into the server's TIME_WAIT.",
    caption="syn_accepted_into_time_wait: a SYN for a 4-tuple in TIME_WAIT, accepted as a new incarnation by the "
            "kernel (left) and by the model (right).",
)
def capture_vs_sim_syn_into_time_wait():
    from tcpmodel.sim import simulate

    return draw_capture_beside_simulation(
        capture_trace("syn_accepted_into_time_wait", (0, 1)), simulate("reconnect", closer="B"),
        left_title=f"{_REAL}: syn_accepted_into_time_wait", right_title="simulator: reconnect (closer = B)")
