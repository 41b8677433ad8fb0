"""A captured connection beside the simulator's run of the same scenario, and a capture cut down as tcpdump would.

Theory of operation
-------------------
A replayed capture and a simulated run are both :class:`~tcpmodel.sim.trace.Trace`
objects, so the same measurements apply to each: the states each side passed
through, the control segments, the time from a SYN to the ACK that completes
the handshake, how long a side waited before it sent its FIN again, and the
one-way delay each segment took. :func:`compare` puts these side by side; the
differences are what a reader of notebook 10 explains (the model's fixed
delays and RTO against a real kernel's measured ones; a capture that sees
each segment once, at one point).

:func:`keep_control_segments` writes the packets of a capture that a
``tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0`` filter keeps
(pcap-filter(7)): TCP over IPv4 with SYN, FIN or RST set. Like that filter it
drops every IPv6 packet, since pcap-filter(7) says that ``tcp[...]`` applies
to IPv4 only. ``tests/test_capture_compare.py`` checks it against tcpdump
itself where tcpdump is installed.

:func:`joined_trace` puts the incarnations of one 4-tuple into one Trace, so
that a SYN that reused a TIME-WAIT 4-tuple is drawn on one ladder.

Examples
--------
>>> import os, tempfile
>>> from tcpmodel.capture import analyze
>>> from tcpmodel.capture.write import write_trace_pcap
>>> from tcpmodel.sim import simulate
>>> sim = simulate("normal_close", closer="A")
>>> path = os.path.join(tempfile.mkdtemp(), "close.pcap")
>>> _ = write_trace_pcap(sim, path)
>>> c = compare(analyze(path).trace(0), sim)
>>> c.row("client's close").capture == c.row("client's close").simulator
True
>>> c.row("one-way delay").capture, c.row("one-way delay").simulator
('0.000 ms', '50.000 ms')
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["CONTROL_FILTER", "corpus_file", "corpus_cases", "Row", "Comparison", "compare", "fin_retransmission_gap", "handshake_time", "one_way_delay",
           "isn_offset", "keep_control_segments", "joined_trace"]


#: The pcap-filter(7) expression :func:`keep_control_segments` emulates: TCP segments with SYN, FIN or RST set.
CONTROL_FILTER = "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0"


def corpus_cases() -> list[str]:
    """The cases of the shipped capture corpus (``tcpmodel/data/captures``, see its README), sorted.

    Examples
    --------
    >>> "client_closes_first" in corpus_cases()
    True
    """
    return sorted(p.name[:-5] for p in _corpus_dir().iterdir() if p.name.endswith(".pcap"))


def corpus_file(name: str):  # noqa: ANN201 - a pathlib.Path
    """The path of a file of the shipped capture corpus: ``"lost_final_ack.pcap"``, ``"port_exhaustion.ss.txt"``…

    Raises
    ------
    ValueError
        If there is no such file; the message lists the files there are.

    Examples
    --------
    >>> corpus_file("lost_final_ack.pcap").name
    'lost_final_ack.pcap'
    >>> corpus_file("nothing.pcap")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: name must be a file of the capture corpus (...); got 'nothing.pcap'
    """
    folder = _corpus_dir()
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith(".") and p.name != "README.md")
    if name not in names:
        raise ValueError(f"name must be a file of the capture corpus ({', '.join(names)}); got {name!r}")
    return folder / name


def _corpus_dir():  # noqa: ANN202
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "data" / "captures"


@dataclass(frozen=True)
class Row:
    """One measurement: what, on the capture, in the simulator, and whether they agree."""

    what: str
    capture: str
    simulator: str

    @property
    def same(self) -> bool:
        return self.capture == self.simulator


@dataclass(frozen=True)
class Comparison:
    """Rows of :func:`compare`; ``text()`` prints them as a table."""

    rows: tuple

    def row(self, what: str) -> Row:
        """The row named ``what``.

        Raises
        ------
        ValueError
            If there is no such row.
        """
        for r in self.rows:
            if r.what == what:
                return r
        raise ValueError(f"what must be one of {', '.join(repr(r.what) for r in self.rows)}; got {what!r}")

    def text(self) -> str:
        """The rows as a fixed-width table with a column that marks the differences."""
        w0 = max(len("measurement"), *(len(r.what) for r in self.rows))
        w1 = max(len("capture"), *(len(r.capture) for r in self.rows))
        w2 = max(len("simulator"), *(len(r.simulator) for r in self.rows))
        lines = [f"{'measurement':<{w0}}  {'capture':<{w1}}  {'simulator':<{w2}}  differ",
                 f"{'-' * w0}  {'-' * w1}  {'-' * w2}  ------"]
        for r in self.rows:
            lines.append(f"{r.what:<{w0}}  {r.capture:<{w1}}  {r.simulator:<{w2}}  {'' if r.same else 'yes'}".rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def _flags(seg) -> list[str]:  # noqa: ANN001
    return seg.flags.split("+")


def handshake_time(trace) -> float | None:  # noqa: ANN001 - a Trace
    """Seconds from the client's first SYN to its ACK of the server's SYN+ACK (None: no complete handshake).

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> round(handshake_time(simulate("normal_close")), 6)
    0.1
    """
    syn = next((s for s in trace.segments if s.src == "A" and _flags(s) == ["SYN"]), None)
    synack = next((s for s in trace.segments if s.src == "B" and "SYN" in _flags(s) and "ACK" in _flags(s)), None)
    if syn is None or synack is None:
        return None
    ack = next((s for s in trace.segments if s.src == "A" and s.t_sent >= synack.t_sent and "SYN" not in _flags(s)
                and "ACK" in _flags(s) and s.ack == (synack.seq + 1) % 2**32), None)
    return None if ack is None else ack.t_sent - syn.t_sent


def fin_retransmission_gap(trace, endpoint: str) -> float | None:  # noqa: ANN001
    """Seconds from ``endpoint``'s first FIN to its first retransmission (None: it was not sent again).

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> fin_retransmission_gap(simulate("lost_final_ack", msl=30.0), "B")
    1.0
    >>> fin_retransmission_gap(simulate("normal_close", msl=30.0), "B") is None
    True
    """
    from tcpmodel._validate import require_choice

    require_choice("endpoint", endpoint, ("A", "B"))
    fins = [s for s in trace.segments if s.src == endpoint and "FIN" in _flags(s) and s.duplicate_of is None]
    if not fins:
        return None
    again = next((s for s in fins[1:] if s.seq == fins[0].seq and s.incarnation == fins[0].incarnation), None)
    return None if again is None else round(again.t_sent - fins[0].t_sent, 9)


def one_way_delay(trace) -> float | None:  # noqa: ANN001
    """The median time from sending to arrival of the segments that arrived (None: none did).

    A captured segment is seen once, at the capture point, so a replayed
    capture gives 0.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> one_way_delay(simulate("normal_close"))
    0.05
    """
    import statistics

    delays = [s.t_arrived - s.t_sent for s in trace.segments if s.t_arrived is not None]
    return round(statistics.median(delays), 9) if delays else None


def isn_offset(old, new, endpoint: str) -> int | None:  # noqa: ANN001 - two Traces (or one, twice)
    """``endpoint``'s ISN in ``new`` minus its SND.NXT at the end of ``old`` (mod 2**32), from the segments.

    SND.NXT is one past the highest sequence number the endpoint sent in
    ``old`` (its FIN counts one, RFC 9293 §3.4). Linux gives a connection it
    accepts into TIME-WAIT the ISN old SND.NXT + 65537 (``tcpmodel.facts``,
    "syn_in_time_wait"). None if either is missing. ``old`` and ``new`` may be
    the same Trace holding two incarnations.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> t = simulate("reconnect", closer="B")
    >>> isn_offset(t, t, "B")
    65537
    """
    from tcpmodel._validate import require_choice

    require_choice("endpoint", endpoint, ("A", "B"))
    old_inc = min((s.incarnation for s in old.segments), default=None)
    new_inc = max((s.incarnation for s in new.segments), default=None)
    if old_inc is None or new_inc is None or (old is new and old_inc == new_inc):
        return None
    sent = [s for s in old.segments if s.src == endpoint and s.incarnation == old_inc]
    syn = next((s for s in new.segments if s.src == endpoint and s.incarnation == new_inc and "SYN" in _flags(s)), None)
    if not sent or syn is None:
        return None
    base = sent[0].seq
    snd_nxt = max(((s.seq - base) % 2**32 + s.seg_len for s in sent))
    return (syn.seq - (base + snd_nxt)) % 2**32


def _path(trace, endpoint: str) -> str:  # noqa: ANN001
    """The states from ESTABLISHED to TIME-WAIT (or to the last state), as names: the close."""
    from tcpmodel.states import State

    names = [s.name for s in trace.path(endpoint)]
    if State.ESTABLISHED.name in names:
        names = names[names.index(State.ESTABLISHED.name):]
    if State.TIME_WAIT.name in names:
        names = names[:names.index(State.TIME_WAIT.name) + 1]
    return " → ".join(names)


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x * 1000:,.3f} ms"


def compare(capture, simulated) -> Comparison:  # noqa: ANN001 - two Traces
    """Measure a captured connection's Trace and a simulated Trace the same way (see the module).

    The rows: each side's states from ESTABLISHED to TIME-WAIT (a capture
    ends long before a TIME-WAIT does, a simulated run does not); which sides entered TIME-WAIT; the segments
    shown, and the data segments a capture's Trace leaves out; segments lost
    (seen as lost); the one-way delay; the handshake's duration; how long each
    side waited before resending its FIN.
    """
    from tcpmodel.states import State

    def tw(trace) -> str:  # noqa: ANN001
        held = [f"{'client' if ep == 'A' else 'server'}" for ep in ("A", "B") if State.TIME_WAIT in trace.path(ep)]
        return " and ".join(held) or "neither"

    def shown(trace) -> str:  # noqa: ANN001
        hidden = trace.params.get("data_segments_not_shown", 0)
        n = len(trace.segments)
        return f"{n}" + (f" (+{hidden} data not shown)" if hidden else "")

    rows = [
        Row("client's close", _path(capture, "A"), _path(simulated, "A")),
        Row("server's close", _path(capture, "B"), _path(simulated, "B")),
        Row("TIME-WAIT held by", tw(capture), tw(simulated)),
        Row("segments in the trace", shown(capture), shown(simulated)),
        Row("segments seen lost", str(len(capture.lost_segments())), str(len(simulated.lost_segments()))),
        Row("one-way delay", _fmt(one_way_delay(capture)), _fmt(one_way_delay(simulated))),
        Row("handshake, SYN to its last ACK", _fmt(handshake_time(capture)), _fmt(handshake_time(simulated))),
        Row("client FIN sent again after", _fmt(fin_retransmission_gap(capture, "A")),
            _fmt(fin_retransmission_gap(simulated, "A"))),
        Row("server FIN sent again after", _fmt(fin_retransmission_gap(capture, "B")),
            _fmt(fin_retransmission_gap(simulated, "B"))),
    ]
    return Comparison(tuple(rows))


def joined_trace(report, indices) -> object:  # noqa: ANN001 - a CaptureReport, connection indices
    """One Trace holding connections ``indices`` of ``report`` (incarnations of one 4-tuple), on one clock.

    Times count from the first connection's first packet; each connection's
    segments keep their incarnation. The states of both sides follow one
    another; the TIME-WAIT timers of the earlier connections are kept.

    Raises
    ------
    ValueError
        If ``indices`` is empty, names a connection whose trace was not kept,
        or connections of different 4-tuples.
    """
    import copy

    from tcpmodel.sim.trace import Trace

    indices = list(indices)
    if not indices:
        raise ValueError("indices must name at least one connection; got []")
    traces = [report.trace(i) for i in indices]
    conns = {c.index: c for c in report.connections}
    tuples = {(conns[i].client, conns[i].server) for i in indices if i in conns}
    if len(tuples) > 1:
        raise ValueError(f"indices must name incarnations of one 4-tuple; got {sorted(tuples)}")
    t0 = traces[0].params["t0"]
    first = traces[0]
    out = Trace(scenario=first.scenario, params=dict(first.params), msl=first.msl)
    out.params["connections"] = indices
    index = 0
    for tr in traces:
        shift = tr.params["t0"] - t0
        for ep in ("A", "B"):
            # what an earlier connection recorded after this one began happened as it began (a SYN ended a TIME-WAIT)
            out.states[ep] = [(min(t, shift), state) for t, state in out.states[ep]]
            for t, state in tr.states[ep]:
                if out.states[ep] and state == out.states[ep][-1][1]:
                    continue
                out.states[ep].append((t + shift, state))
        for seg in tr.segments:
            s = copy.copy(seg)
            s.index = index
            index += 1
            s.t_sent = seg.t_sent + shift
            s.t_arrived = None if seg.t_arrived is None else seg.t_arrived + shift
            out.segments.append(s)
        for span in tr.timers:
            s = copy.copy(span)
            s.start = span.start + shift
            s.end = None if span.end is None else span.end + shift
            out.timers.append(s)
        out.transitions += list(tr.transitions)
        out.end_time = max(out.end_time, tr.end_time + shift)
    return out


def keep_control_segments(source, destination) -> tuple[int, int]:  # noqa: ANN001 - paths
    """Write the packets of capture ``source`` that :data:`CONTROL_FILTER` keeps.

    ``destination`` gets a pcap with the same link type and snap length.
    Returns (packets kept, packets read).

    Raises
    ------
    tcpmodel.capture.CaptureError
        If ``source`` is not a capture this package reads.
    ValueError
        If ``destination`` is ``source`` or its folder does not exist.

    Examples
    --------
    >>> import os, tempfile
    >>> from tcpmodel.capture.write import write_trace_pcap
    >>> from tcpmodel.sim import simulate
    >>> folder = tempfile.mkdtemp()
    >>> src, dst = os.path.join(folder, "all.pcap"), os.path.join(folder, "control.pcap")
    >>> write_trace_pcap(simulate("normal_close", msl=1.0), src)
    7
    >>> keep_control_segments(src, dst)
    (4, 7)
    """
    import dpkt

    from tcpmodel.capture import _read

    if os.path.abspath(os.fspath(source)) == os.path.abspath(os.fspath(destination)):
        raise ValueError(f"destination must differ from source; got {os.fspath(destination)!r} for both")
    parent = os.path.dirname(os.path.abspath(os.fspath(destination)))
    if not os.path.isdir(parent):
        raise ValueError(f"destination: the folder {parent!r} does not exist")
    fr, frames = _read.open_frames(source)
    kept = total = 0
    writer = None
    with open(destination, "wb") as f:
        for ts, buf in frames:
            if writer is None:  # a pcapng file names its link type in a block read with the first frame
                writer = dpkt.pcap.Writer(f, snaplen=262144, linktype=fr.linktype)
            total += 1
            off = _ip_offset(buf, fr.linktype)
            if off is None or len(buf) < off + 20 or buf[off] >> 4 != 4 or buf[off + 9] != 6:
                continue  # IPv4 and TCP only, like tcp[...] in pcap-filter(7)
            if int.from_bytes(buf[off + 6:off + 8], "big") & 0x1FFF:
                continue  # tcp[...] looks at the first fragment only
            tcp = off + (buf[off] & 0x0F) * 4
            if len(buf) > tcp + 13 and buf[tcp + 13] & 0x07:  # FIN 0x01, SYN 0x02, RST 0x04
                writer.writepkt(buf, ts=ts)
                kept += 1
        if writer is None:
            dpkt.pcap.Writer(f, snaplen=262144, linktype=max(fr.linktype, 1))
    return kept, total


def _ip_offset(b: bytes, linktype: int) -> int | None:
    """Where the IP header starts in a frame of ``linktype`` (the link types tcpmodel.capture reads), or None."""
    if linktype == 1:
        if len(b) < 14:
            return None
        off, etype = 14, (b[12] << 8) | b[13]
        while etype in (0x8100, 0x88A8, 0x9100) and len(b) >= off + 4:
            etype, off = (b[off + 2] << 8) | b[off + 3], off + 4
        return off if etype in (0x0800, 0x86DD) else None
    if linktype == 113:
        return 16 if len(b) >= 16 and ((b[14] << 8) | b[15]) in (0x0800, 0x86DD) else None
    if linktype == 276:
        return 20 if len(b) >= 20 and ((b[0] << 8) | b[1]) in (0x0800, 0x86DD) else None
    if linktype in (0, 108):
        return 4 if len(b) >= 4 and (b[0] | b[3]) in (2, 10, 24, 28, 30) else None
    return 0
