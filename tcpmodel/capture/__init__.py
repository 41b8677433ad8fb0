"""Replay a packet capture (pcap or pcapng) through the course's state table.

:func:`analyze` reads a capture as a stream, groups its TCP segments by
4-tuple and splits each 4-tuple into incarnations, replays both endpoints of
each through :mod:`tcpmodel.states` (module ``_replay`` says how), and
returns a :class:`~tcpmodel.capture.report.CaptureReport`: a summary of the
whole capture, one :class:`~tcpmodel.capture.report.ConnectionReport` per
connection, and the simulator's own :class:`~tcpmodel.sim.trace.Trace` for
the connections it keeps, so that :func:`tcpmodel.plots.ladder.show_ladder`,
``Trace.table()`` and ``Trace.story()`` work on captured connections as on
simulated ones.

Capture timing: a segment is seen once, at the capture point; the replay
takes it as sent and received at that instant (an approximation: the error
is the one-way delay from the capture point to each endpoint). Captured
traces therefore show horizontal arrows. A trace's times count from its
connection's first packet (``trace.params["t0"]`` is that packet's time from
the capture's start); the reports' times count from the capture's first packet.

Reading needs dpkt (``pip install dpkt``; pinned in requirements.txt).
``import tcpmodel`` does not import this subpackage.

Examples
--------
>>> import os, tempfile
>>> from tcpmodel.sim import simulate
>>> from tcpmodel.capture.write import write_trace_pcap
>>> path = os.path.join(tempfile.mkdtemp(), "close.pcap")
>>> write_trace_pcap(simulate("normal_close", closer="A", msl=1.0), path)
7
>>> report = analyze(path)
>>> c = report.connections[0]
>>> c.first_closer, c.close, sorted(c.time_wait)
('client', 'fin', ['client'])
>>> [s.name for s in report.trace(0).path("B")]
['CLOSED', 'LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from importlib import resources

from tcpmodel import linux as _linux
from tcpmodel.capture._read import CaptureError, LINK_TYPES, link_type_name
from tcpmodel.capture.report import (
    CaptureReport,
    CaptureSummary,
    ConnectionReport,
    Destination,
    Headroom,
    PortReuse,
    TimeWait,
)

__all__ = ["analyze", "CaptureError", "CaptureReport", "CaptureSummary", "ConnectionReport", "TimeWait",
           "LINK_TYPES", "DEFAULT_PORT_RANGE", "time_wait_length", "shipped_captures", "analyze_shipped"]

#: Linux's default ``net.ipv4.ip_local_port_range``, as :class:`tcpmodel.linux.LinuxConfig` states it.
DEFAULT_PORT_RANGE = _linux.LinuxConfig().ip_local_port_range
_EXPIRE_EVERY = 1 << 16


def time_wait_length(msl: float | None = None) -> tuple[float, str]:
    """TIME-WAIT's length and where it comes from: Linux's fixed 60 s, or 2·MSL for a given MSL.

    Examples
    --------
    >>> time_wait_length()
    (60.0, "Linux's TCP_TIMEWAIT_LEN")
    >>> time_wait_length(30)
    (60.0, '2 × MSL of 30 s')
    """
    from tcpmodel import linux
    from tcpmodel._validate import require_number

    if msl is None:
        return linux.TCP_TIMEWAIT_LEN_S, "Linux's TCP_TIMEWAIT_LEN"
    msl = require_number("msl", msl, low=0.001, high=3600, unit="seconds")
    return 2.0 * msl, f"2 × MSL of {msl:g} s"


def analyze(
    path,  # noqa: ANN001 - str or os.PathLike
    *,
    msl: float | None = None,
    port_range: tuple[int, int] = DEFAULT_PORT_RANGE,
    progress: Callable[[float, int], None] | None = None,
    keep_traces: int | Callable[[int], bool] = 1000,
    max_connections: int = 2_000,
) -> CaptureReport:
    """Replay a capture file and report on each connection and on the whole capture.

    Parameters
    ----------
    path : str or path-like
        A pcap (either byte order, µs or ns timestamps) or pcapng file.
    msl : float, optional
        The MSL in seconds, in [0.001, 3600]: TIME-WAIT lasts 2·MSL. Default: Linux's fixed 60 s.
    port_range : (int, int)
        The capturing host's ephemeral port range, for the exhaustion headroom (Linux default 32768–60999).
    progress : callable, optional
        ``progress(fraction_of_file_read, packets_so_far)``, called about every 65,536 packets and at the end.
    keep_traces : int or callable
        Build a Trace for the first ``keep_traces`` connections, or for each index ``keep_traces(index)`` is true of.
    max_connections : int
        Keep a report for at most this many connections (the summary counts them all).

    Returns
    -------
    CaptureReport

    Raises
    ------
    CaptureError
        If the file is missing, empty, not a capture, or of an unsupported link
        type. A truncated file is not an error: the packets before the cut are
        analysed and the summary says where it was cut.
    ValueError
        If ``msl`` or ``port_range`` is out of range.

    Examples
    --------
    >>> report = analyze_shipped("syn_accepted_into_time_wait")  # analyze() on a shipped capture
    >>> [(c.incarnation, c.first_closer, sorted(c.time_wait), c.syn_in_time_wait) for c in report.connections]
    [(1, 'server', ['server'], None), (2, 'server', ['server'], 'accepted')]
    >>> report.connections[0].time_wait["server"].ended_early
    'syn'
    >>> print(report.summary.text().splitlines()[0])
    syn_accepted_into_time_wait.pcap: pcap, EN10MB (Ethernet; 802.1Q/802.1ad VLAN tags are read)
    """
    from tcpmodel import linux
    from tcpmodel._validate import require_int
    from tcpmodel.capture import _read
    from tcpmodel.capture._replay import Replay, _addr
    from tcpmodel.capture.report import Aggregates, connection_report

    tw, rule = time_wait_length(msl)
    try:
        low, high = port_range
    except (TypeError, ValueError):
        raise ValueError(f"port_range must be two integers (low, high) in [1, 65535]; got {port_range!r}") from None
    linux.connect_port_count(low, high)  # validates
    max_connections = require_int("max_connections", max_connections, low=0, high=10_000_000)
    if callable(keep_traces):
        keep = keep_traces
    else:
        limit = require_int("keep_traces", keep_traces, low=0, high=10_000_000)

        def keep(index: int) -> bool:
            return index < limit

    fr, frames = _read.open_batches(path)
    counts: dict = {}
    reports: list = []
    traces: dict = {}
    agg = Aggregates(tw, (low, high))

    def done(conn) -> None:  # noqa: ANN001
        t_first = replay.t_first
        agg.add(conn, t_first)
        if len(reports) < max_connections:
            reports.append(connection_report(conn, t_first=t_first))
        if conn.trace is not None:
            tr = conn.trace
            tr.end_time = conn.t_last - conn.t0
            tr.params["data_segments_not_shown"] = conn.packets - len(tr.segments)
            for ep in ("A", "B"):
                if not tr.states[ep]:
                    tr.states[ep].append((0.0, _closed()))
            traces[conn.index] = tr

    replay = Replay(tw, done, keep, msl if msl is not None else tw / 2, linux_restart=msl is None)
    size = max(fr.size, 1)
    started = time.perf_counter()
    last_expire = [None]

    def on_chunk() -> None:
        now = fr.last_ts if fr.last_ts is not None else replay.now
        if last_expire[0] is None:
            last_expire[0] = now
        elif now - last_expire[0] >= tw / 2:
            replay.expire(now, idle_s=max(4 * tw, 300.0))
            last_expire[0] = now
        if progress is not None:
            progress(min(fr.position / size, 1.0), fr.frames_read)

    fr.on_chunk = on_chunk
    _read.decode(fr, frames, replay.segment, counts, table=replay.table)
    if fr.last_ts is not None:
        replay.now = max(replay.now, fr.last_ts)
    replay.finish()
    if progress is not None:
        progress(1.0, fr.frames_read)
    non_tcp = counts.get("non_tcp", 0)
    malformed = counts.get("malformed", 0)
    packets = fr.frames_read
    n_tcp = packets - non_tcp - malformed
    t_last = replay.now if n_tcp else None
    if packets == 0 and not fr.truncated:
        raise CaptureError(f"{fr.name}: the capture holds no packets ({fr.format}, {link_type_name(fr.linktype)})")
    t_first = replay.t_first if replay.t_first is not None else 0.0
    reports.sort(key=lambda r: r.index)
    figures = agg.summary(t_first=t_first, t_last=t_last if t_last is not None else t_first, addr=_format_addr(_addr))
    warnings = []
    if n_tcp == 0:
        warnings.append("no TCP segment in the capture: nothing to replay")
    if agg.untracked:
        warnings.append(f"port reuse and headroom leave out {agg.untracked:,} connections: more client ports or "
                        f"client/destination pairs than the {agg.MAX_KEYS:,} tracked")
    if agg.count > len(reports):
        warnings.append(f"reports kept for the first {len(reports):,} of {agg.count:,} connections (max_connections)")
    summary = CaptureSummary(
        file=fr.name, format=fr.format, link_type=link_type_name(fr.linktype), packets=packets, tcp_packets=n_tcp,
        non_tcp_skipped=non_tcp, malformed=malformed, truncated=fr.truncated, connections=agg.count,
        time_wait_s=tw, time_wait_rule=rule, port_range=(low, high), details_kept=len(reports), warnings=warnings,
        destinations=[Destination(**d) for d in figures.pop("destinations")],
        port_reuse=[PortReuse(**p) for p in figures.pop("port_reuse")],
        headroom=[Headroom(**h) for h in figures.pop("headroom")],
        **figures,
    )
    summary_elapsed = time.perf_counter() - started
    report = CaptureReport(summary, reports, traces)
    report.elapsed_s = summary_elapsed  # type: ignore[attr-defined]
    return report


def _captures_dir():  # noqa: ANN202 - a Traversable
    return resources.files("tcpmodel") / "data" / "captures"


def shipped_captures() -> list[str]:
    """The names of the real captures shipped with the course (``tcpmodel/data/captures/<name>.pcap``).

    Examples
    --------
    >>> "lost_final_ack" in shipped_captures()
    True
    """
    folder = _captures_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".pcap"))


def analyze_shipped(name: str, **kwargs):  # noqa: ANN003, ANN201 - a CaptureReport
    """Replay a shipped capture by name (see :func:`shipped_captures`); keyword arguments go to ``analyze``.

    Examples
    --------
    >>> report = analyze_shipped("lost_final_ack")
    >>> report.connections[0].fin_retransmissions["server"]
    1
    """
    names = shipped_captures()
    if name not in names:
        raise ValueError(f"name must be one of {', '.join(names)}; got {name!r}")
    with resources.as_file(_captures_dir() / f"{name}.pcap") as path:
        return analyze(path, **kwargs)


def _closed():  # noqa: ANN202
    from tcpmodel.states import State

    return State.CLOSED


def _format_addr(addr):  # noqa: ANN001, ANN202
    def fmt(ip: bytes, port: int | None) -> str:
        text = addr(ip, 0)
        return text.rsplit(":", 1)[0].strip("[]") if port is None else addr(ip, port)

    return fmt


def file_size(path) -> int:  # noqa: ANN001
    """Size of ``path`` in bytes (0 if it cannot be read)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
