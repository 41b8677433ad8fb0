"""``python -m tcpmodel capture FILE``: the capture summary and each connection's close.

:func:`add_parser` adds the subcommand to :mod:`tcpmodel.cli`'s parser and
:func:`run` carries it out. Errors are ``ValueError`` s (a
:class:`~tcpmodel.capture.CaptureError` names the file), which the CLI prints
as one line, ``tcpmodel: error: …``, with exit status 2.

Examples
--------
>>> import os, tempfile
>>> from tcpmodel.cli import main
>>> from tcpmodel.sim import simulate
>>> from tcpmodel.capture.write import write_trace_pcap
>>> path = os.path.join(tempfile.mkdtemp(), "close.pcap")
>>> _ = write_trace_pcap(simulate("normal_close", closer="B", msl=1.0), path)
>>> main(["capture", path])  # doctest: +ELLIPSIS
close.pcap: pcap, EN10MB ...
#0 10.0.0.1:40000 → 10.0.0.2:80 ... closed with FINs; first closer: the server; TIME-WAIT: server
0
"""

from __future__ import annotations

import argparse
import os
import sys
import time

__all__ = ["add_parser", "run"]

_LIST_LIMIT = 50


def add_parser(sub) -> None:  # noqa: ANN001 - argparse's subparsers action
    """Add the ``capture`` subcommand."""
    p = sub.add_parser(
        "capture", help="replay a pcap/pcapng capture through the state table: who closed, TIME_WAIT, reuse",
        description="Replay a pcap or pcapng capture through the course's state table. Prints the capture summary "
                    "(connections per destination, TIME_WAIT population and Little's law, port reuse, exhaustion "
                    "headroom) and each connection's close.")
    p.add_argument("file", metavar="FILE", help="a .pcap or .pcapng file")
    p.add_argument("--msl", type=float, default=None, metavar="S",
                   help="MSL in seconds: TIME_WAIT lasts 2*MSL (default: Linux's fixed 60 s TIME_WAIT)")
    p.add_argument("--connection", type=int, default=None, metavar="N",
                   help="show connection N (from 0) in full: its report, segments and states")
    p.add_argument("--ladder", default=None, metavar="OUT",
                   help="write a ladder diagram of connection N (default 0) to OUT (.png or .svg)")
    from tcpmodel.linux import LinuxConfig  # light; tcpmodel.capture itself is imported only to run

    low, high = default = LinuxConfig().ip_local_port_range
    p.add_argument("--port-range", type=int, nargs=2, default=default, metavar=("LOW", "HIGH"),
                   help="the capturing host's ephemeral port range, for the exhaustion headroom "
                        f"(Linux default: {low} {high})")


class _Progress:
    """Progress on stderr, shown only once a replay has taken more than a second."""

    def __init__(self, stream=sys.stderr, after_s: float = 1.0) -> None:  # noqa: ANN001
        self.stream = stream
        self.after_s = after_s
        self.start = time.perf_counter()
        self.shown = False

    def __call__(self, fraction: float, packets: int) -> None:
        if time.perf_counter() - self.start < self.after_s:
            return
        self.shown = True
        self.stream.write(f"\rtcpmodel: capture: {fraction:4.0%} read, {packets:,} packets")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _one_line(c) -> str:  # noqa: ANN001 - a ConnectionReport
    if c.close == "fin":
        how = "simultaneous close" if c.first_closer == "simultaneous" else f"first closer: the {c.first_closer}"
        how = "closed with FINs; " + how
    elif c.close == "rst":
        how = f"reset by the {c.rst_by}"
    else:
        how = "not closed in the capture"
    extra = []
    if c.time_wait:
        extra.append("TIME-WAIT: " + ", ".join(c.time_wait))
    if c.syn_reuse:
        from tcpmodel.capture.report import _SYN_ANSWER_TEXT

        extra.append("SYN during TIME-WAIT: " + ", ".join(
            "own TIME-WAIT taken over by its new connect()" if r["answer"] == "reused_own_time_wait"
            else _SYN_ANSWER_TEXT.get(r["answer"], r["answer"]) for r in c.syn_reuse))
    if any(c.fin_retransmissions.values()):
        extra.append("FIN retransmitted")
    if c.joined_late:
        extra.append("joined late")
    if c.one_direction:
        extra.append(c.one_direction)
    inc = f" (incarnation {c.incarnation})" if c.incarnation > 1 else ""
    return f"#{c.index} {c.client} → {c.server}{inc} {c.start:.3f} s: {how}" + ("; " + "; ".join(extra) if extra else "")


def run(args: argparse.Namespace, out=None) -> None:  # noqa: ANN001
    """Carry out ``capture`` with parsed arguments (raises ValueError on bad input)."""
    from tcpmodel.capture import analyze

    out = out or sys.stdout
    if args.ladder is not None:
        ext = os.path.splitext(args.ladder)[1].lower()
        if ext not in (".png", ".svg"):
            raise ValueError(f"--ladder must name a .png or .svg file; got {args.ladder!r}")
        parent = os.path.dirname(os.path.abspath(args.ladder))
        if not os.path.isdir(parent):
            raise ValueError(f"--ladder: the folder {parent!r} does not exist")
    if args.connection is not None and args.connection < 0:
        raise ValueError(f"connection must be an integer of at least 0; got {args.connection}")
    wanted = args.connection if args.connection is not None else 0
    progress = _Progress()
    try:
        report = analyze(args.file, msl=args.msl, port_range=tuple(args.port_range), progress=progress,
                         keep_traces=lambda i: i == wanted, max_connections=10_000_000 if args.connection is not None else 2_000)
    finally:
        progress.close()
    total = report.summary.connections
    if (args.connection is not None or args.ladder is not None) and wanted >= total:
        raise ValueError(f"connection must be an integer in [0, {total - 1}] (the capture has {total} connections); "
                         f"got {wanted}" if total else f"{report.summary.file}: the capture has no TCP connection")
    print(report.summary.text(), file=out)
    print(file=out)
    if args.connection is not None:
        conn = next(c for c in report.connections if c.index == wanted)
        print(conn.text(), file=out)
        trace = report.trace(wanted)
        print(file=out)
        print(trace.table(), file=out)
        shown = trace.params.get("data_segments_not_shown", 0)
        if shown:
            print(f"({shown:,} data segments that changed no state are not listed)", file=out)
        print(file=out)
        print(trace.story(), file=out)
    else:
        for c in report.connections[:_LIST_LIMIT]:
            print(_one_line(c), file=out)
        if total > _LIST_LIMIT:
            print(f"… {total - _LIST_LIMIT:,} more connections (--connection N shows one)", file=out)
    if args.ladder is not None:
        _write_ladder(report, wanted, args.ladder)
        print(f"ladder of connection #{wanted} written to {args.ladder}", file=out)


def _write_ladder(report, index: int, path: str) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from tcpmodel.plots.capture import draw_capture_ladder

    fig = draw_capture_ladder(report, index)
    fig.savefig(path)
    plt.close(fig)
