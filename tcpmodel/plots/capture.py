"""Ladder diagrams of captured connections (issue 14), drawn by the simulator's ladder.

A captured connection's :class:`~tcpmodel.sim.trace.Trace` shows each segment
at the one instant the capture saw it, so its arrows are horizontal; the
title names the client, the server and how the connection closed.
"""

from __future__ import annotations

from tcpmodel.figures import figure
from tcpmodel.plots.ladder import draw_ladder

__all__ = ["draw_capture_ladder", "capture_title", "capture_lost_final_ack"]


def capture_title(report, index: int) -> str:  # noqa: ANN001 - a CaptureReport
    """A ladder title for connection ``index``: ``#0 client → server: closed by …``.

    Examples
    --------
    >>> import os, tempfile
    >>> from tcpmodel.capture import analyze
    >>> from tcpmodel.capture.write import write_trace_pcap
    >>> from tcpmodel.sim import simulate
    >>> path = os.path.join(tempfile.mkdtemp(), "abort.pcap")
    >>> _ = write_trace_pcap(simulate("abortive_close", msl=1.0), path)
    >>> capture_title(analyze(path), 0)
    '#0 A = 10.0.0.1:40000 → B = 10.0.0.2:80: reset by the client'
    """
    conn = next((c for c in report.connections if c.index == index), None)
    if conn is None:
        raise ValueError(f"connection must be one of the connections reported (0–{len(report.connections) - 1}); got {index!r}")
    if conn.close == "fin":
        how = "simultaneous close" if conn.first_closer == "simultaneous" else f"closed first by the {conn.first_closer}"
    elif conn.close == "rst":
        how = f"reset by the {conn.rst_by}"
    else:
        how = "not closed in the capture"
    inc = f" (incarnation {conn.incarnation})" if conn.incarnation > 1 else ""
    return f"#{index} A = {conn.client} → B = {conn.server}{inc}: {how}"


def draw_capture_ladder(report, index: int = 0, **kwargs):  # noqa: ANN001, ANN003, ANN201 - a Figure
    """Draw the ladder of captured connection ``index`` (its trace must have been kept).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import os, tempfile
    >>> from tcpmodel.capture import analyze
    >>> from tcpmodel.capture.write import write_trace_pcap
    >>> from tcpmodel.sim import simulate
    >>> path = os.path.join(tempfile.mkdtemp(), "close.pcap")
    >>> _ = write_trace_pcap(simulate("normal_close", msl=1.0), path)
    >>> fig = draw_capture_ladder(analyze(path), 0)
    >>> "closed first by the client" in fig.axes[0].get_title()
    True
    """
    trace = report.trace(index)
    kwargs.setdefault("title", capture_title(report, index))
    return draw_ladder(trace, **kwargs)


@figure(
    "capture_lost_final_ack",
    alt="Ladder diagram of a real capture replayed through the state table: the client closes first and reaches "
        "TIME_WAIT; its final ACK never reaches the server, which stays in LAST_ACK and retransmits its FIN; the "
        "client's TIME_WAIT answers it with an ACK and restarts its timer, and the server goes to CLOSED.",
    caption="A real capture (tcpmodel/data/captures/lost_final_ack.pcap, taken on the server's side) replayed "
            "through the course's state table: a lost final ACK and the FIN retransmission it causes.",
)
def capture_lost_final_ack():
    from tcpmodel.capture import analyze_shipped

    report = analyze_shipped("lost_final_ack")
    return draw_capture_ladder(report, 0, width=8.0)
