"""What a replayed capture says: one report per connection, and one for the whole capture.

Every report is a dataclass of plain fields (str, int, float, bool, None,
lists and dicts of them) with a ``text()`` rendering. Times in a
:class:`ConnectionReport` are seconds from the capture's first packet; the
connection's :class:`~tcpmodel.sim.trace.Trace` counts from the
connection's own first packet (its ``params["t0"]`` is that packet's time from
the start of the capture).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field

__all__ = ["TimeWait", "ConnectionReport", "Destination", "PortReuse", "Headroom", "CaptureSummary", "CaptureReport"]


@dataclass
class TimeWait:
    """One side's TIME-WAIT.

    ``entered`` and ``would_leave`` are seconds from the capture's start;
    ``would_leave`` counts from the last (re)start of the timer (a
    retransmitted FIN restarts it, ``restarts`` times). ``ended_early`` is
    ``"rst"`` (a RST ended it: TIME-WAIT assassination), ``"syn"`` (a new SYN
    took the 4-tuple over), ``"reuse"`` (this side's own new connect() reused
    the 4-tuple) or None. ``left_at`` is when it ended, if the capture shows
    it (early, or the timer ran out before the capture ended).
    """

    entered: float
    would_leave: float
    ended_early: str | None = None
    left_at: float | None = None
    restarts: int = 0


@dataclass
class ConnectionReport:
    """How one incarnation of a 4-tuple opened and closed, as the replay infers it.

    Attributes
    ----------
    index : int
        Its number in the capture, from 0, in order of first packet.
    client, server : str
        ``"ip:port"``; the client sent the first SYN (endpoint ``"A"`` of the
        trace). If the capture joined late, the client is the side with the
        higher (ephemeral) port.
    incarnation : int
        1 for the first connection of its 4-tuple in the capture, 2 for the next…
    start, end : float
        Seconds from the capture's first packet to this connection's first and last packet.
    packets : int
        Packets of this incarnation.
    first_closer : {"client", "server", "simultaneous", None}
        Who sent the first FIN (None: nobody did).
    close : {"fin", "rst", "none"}
        How it ended; ``rst_by`` names the side that sent the aborting RST.
    time_wait : dict
        ``"client"`` / ``"server"`` → :class:`TimeWait`, for each side that entered TIME-WAIT.
    fin_retransmissions : dict
        ``"client"`` / ``"server"`` → count; ``fin_inference`` says what each means.
    syn_reuse : list of dict
        Each SYN that reused this 4-tuple while a side was in TIME-WAIT: ``t``
        (seconds from this connection's start), ``by`` (who sent it), ``answer``
        (``"accepted"``, ``"acked_and_dropped"``, ``"reset"``, ``"reused_own_time_wait"``,
        ``"pending"``: no answer captured) and ``by_sequence`` / ``by_timestamp``
        (what could have made the TIME-WAIT accept it: ISN after the old
        RCV.NXT, a TSval newer than the last one it saw).
    timestamps : bool
        Both SYNs carried the timestamp option, so PAWS and ``tcp_tw_reuse`` can apply.
    out_of_window, old_duplicates, retransmissions, rst_ignored : int
        Segments beyond the receiver's window, wholly below what it had
        already acknowledged, resent, and RSTs outside the window.
    syn_in_time_wait : {None, "accepted", "acked_and_dropped", "reset", "unanswered"}
        This incarnation's first SYN found its 4-tuple in TIME-WAIT, and how it
        was answered (a side's own TIME-WAIT taken over by its new connect()
        counts as accepted); ``syn_time_wait_host`` says which side
        (``"client"`` or ``"server"``) held the TIME-WAIT.
    syn_retransmissions : int
        SYNs the client sent again.
    joined_late : bool
        The capture missed the connection's start.
    one_direction : str or None
        Which direction alone was captured, if only one was.
    paths : dict
        ``"client"`` / ``"server"`` → the states each side passed through (names).
    warnings : list of str
        What the replay could not infer.
    """

    index: int
    client: str
    server: str
    incarnation: int
    start: float
    end: float
    packets: int
    first_closer: str | None
    close: str
    rst_by: str | None
    time_wait: dict
    fin_retransmissions: dict
    fin_inference: dict
    syn_reuse: list
    timestamps: bool
    out_of_window: int
    old_duplicates: int
    retransmissions: int
    rst_ignored: int
    syn_in_time_wait: str | None
    syn_time_wait_host: str | None
    syn_retransmissions: int
    joined_late: bool
    one_direction: str | None
    paths: dict
    final_states: dict
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def as_dict(self) -> dict:
        """The report as plain data (for JSON)."""
        return asdict(self)

    def text(self) -> str:
        """A few lines: who, who closed and how, TIME-WAIT, reuse and anomalies.

        Examples
        --------
        >>> from tcpmodel.capture import analyze_shipped
        >>> print(analyze_shipped("so_linger_0").connections[0].text())  # doctest: +ELLIPSIS
        #0 10.200.0.1:... → 10.200.0.2:...  0.000–0.0... s, ... packets
          closed by a RST from the client (an abort: SO_LINGER 0, close() with unread data, or another; the capture ...
          timestamps: yes (PAWS and tcp_tw_reuse can apply)
        """
        head = f"#{self.index} {self.client} → {self.server}"
        if self.incarnation > 1:
            head += f" (incarnation {self.incarnation})"
        head += f"  {self.start:.3f}–{self.end:.3f} s, {self.packets} packets"
        lines = [head]
        if self.close == "fin":
            closer = "both at once (simultaneous close)" if self.first_closer == "simultaneous" else f"the {self.first_closer}"
            lines.append(f"  closed with FINs; first closer: {closer}")
        elif self.close == "rst":
            # Linux's close() aborts with a RST when unread data is left or SO_LINGER has a zero timeout
            # (net/ipv4/tcp.c: __tcp_close, which checks for unread data before zero linger)
            lines.append(f"  closed by a RST from the {self.rst_by} (an abort: SO_LINGER 0, close() with unread data, "
                         "or another; the capture cannot tell which)")
        else:
            lines.append("  not closed in the capture")
        for role, tw in self.time_wait.items():
            line = f"  {role} TIME-WAIT from {tw.entered:.3f} s, would leave at {tw.would_leave:.3f} s"
            if tw.restarts:
                line += f" (timer restarted {tw.restarts}×)"
            if tw.ended_early:
                why = {"rst": "a RST ended it (TIME-WAIT assassination; not on a Linux host with tcp_rfc1337 = 1)", "syn": "a new SYN took the 4-tuple over",
                       "reuse": "its own new connect() reused the 4-tuple"}[tw.ended_early]
                line += f"; ended early at {tw.left_at:.3f} s: {why}"
            lines.append(line)
        for role, n in self.fin_retransmissions.items():
            if n:
                lines.append(f"  {role} retransmitted its FIN {n}×: {self.fin_inference.get(role)}")
        for r in self.syn_reuse:
            how = [w for w, ok in (("sequence number", r.get("by_sequence")), ("timestamp", r.get("by_timestamp"))) if ok]
            extra = f" (acceptable by {' and '.join(how)})" if how else ""
            if r["answer"] == "reused_own_time_wait":
                lines.append(f"  SYN from the {r['by']} reused the 4-tuple during its own TIME-WAIT: its new connect() "
                             "took the TIME-WAIT over before sending it (tcp_tw_reuse, or a bound port; both need "
                             "timestamps)")
            else:
                lines.append(f"  SYN from the {r['by']} reused the 4-tuple during the {_other(r['by'])}'s TIME-WAIT: "
                             f"{_SYN_ANSWER_TEXT.get(r['answer'], r['answer'])}{extra}")
        lines.append(f"  timestamps: {'yes (PAWS and tcp_tw_reuse can apply)' if self.timestamps else 'no (PAWS and tcp_tw_reuse cannot apply)'}")
        odd = [f"{n} {what}" for n, what in ((self.out_of_window, "outside the window"),
                                            (self.old_duplicates, "old duplicates"),
                                            (self.rst_ignored, "RSTs ignored")) if n]
        if odd:
            lines.append("  segments: " + ", ".join(odd))
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class Destination:
    """New connections towards one server ``ip:port``, and who closed them."""

    server: str
    connections: int
    per_second: float
    closed_by_client: float
    closed_by_server: float
    simultaneous: float
    reset: float
    not_closed: float


@dataclass
class PortReuse:
    """How soon the client ports of one client address were used again (seconds from a connection's last packet to the next SYN from the same port)."""

    client_ip: str
    reuses: int
    min_gap_s: float | None
    median_gap_s: float | None
    within_time_wait: int


@dataclass
class Headroom:
    """Port-exhaustion headroom of one client address towards one destination (tcpmodel.models)."""

    client_ip: str
    server: str
    rate: float
    max_rate: float
    ports: int
    time_wait_s: float
    time_to_exhaustion_s: float

    @property
    def headroom(self) -> float:
        """``max_rate / rate`` (above 1: sustainable)."""
        return math.inf if self.rate == 0 else self.max_rate / self.rate


@dataclass
class CaptureSummary:
    """The whole capture."""

    file: str
    format: str
    link_type: str
    packets: int
    tcp_packets: int
    non_tcp_skipped: int
    malformed: int
    truncated: str | None
    duration_s: float
    connections: int
    four_tuples: int
    joined_late: int
    one_direction: int
    time_wait_s: float
    time_wait_rule: str
    destinations: list
    time_wait_samples: list
    time_wait_peak: int
    time_wait_mean: float | None
    close_rate: float
    littles_law: float
    port_reuse: list
    headroom: list
    port_range: tuple
    details_kept: int
    warnings: list = field(default_factory=list)

    @property
    def littles_law_ratio(self) -> float | None:
        """Observed mean TIME-WAIT population (steady part) over Little's law's ``close_rate × time_wait_s``.

        Near 1 when the capture is long enough and closes arrive evenly; None
        when the capture is shorter than one TIME-WAIT or nothing entered it.
        """
        if self.time_wait_mean is None or not self.littles_law:
            return None
        return self.time_wait_mean / self.littles_law

    def text(self) -> str:
        """The summary as a few paragraphs of text."""
        lines = [f"{self.file}: {self.format}, {self.link_type}",
                 f"  {self.packets:,} packets in {self.duration_s:,.3f} s: {self.tcp_packets:,} TCP, "
                 f"{self.non_tcp_skipped:,} non-TCP skipped" + (f", {self.malformed:,} malformed" if self.malformed else ""),
                 f"  {_count(self.connections, 'connection')} over {_count(self.four_tuples, '4-tuple')}"
                 + (f"; {self.joined_late:,} joined late" if self.joined_late else "")
                 + (f"; {self.one_direction:,} seen in one direction only" if self.one_direction else "")]
        if self.truncated:
            lines.append(f"  warning: truncated: {self.truncated}; the packets before it were analysed")
        lines += [f"  warning: {w}" for w in self.warnings]
        lines.append(f"  TIME-WAIT length: {self.time_wait_s:g} s ({self.time_wait_rule})")
        for d in self.destinations[:10]:
            lines.append(f"  → {d.server}: {_count(d.connections, 'connection')}, {d.per_second:,.2f}/s; closed first by "
                         f"client {d.closed_by_client:.0%}, server {d.closed_by_server:.0%}, both {d.simultaneous:.0%}, "
                         f"RST {d.reset:.0%}, not closed {d.not_closed:.0%}")
        if len(self.destinations) > 10:
            lines.append(f"  … and {len(self.destinations) - 10:,} more destinations")
        if self.time_wait_mean is None:
            # Little's law holds for a steady state: a capture shorter than one TIME-WAIT never reaches it.
            lines.append(f"  TIME-WAIT population: peak {self.time_wait_peak:,}; Little's law needs a capture longer "
                         f"than the TIME-WAIT length ({self.time_wait_s:g} s), and this one lasts {self.duration_s:,.3f} s")
        else:
            lines.append(f"  TIME-WAIT population: peak {self.time_wait_peak:,}, mean {self.time_wait_mean:,.1f} in the "
                         f"steady part; Little's law: {self.close_rate:,.2f} closes/s × {self.time_wait_s:g} s = "
                         f"{self.littles_law:,.1f}")
        for p in self.port_reuse[:5]:
            if p.reuses:
                lines.append(f"  ports of {p.client_ip}: {p.reuses:,} reused, soonest after {p.min_gap_s:,.3f} s "
                             f"(median {p.median_gap_s:,.3f} s); {p.within_time_wait:,} within the TIME-WAIT length")
        if self.headroom and tuple(self.port_range) == tuple(_default_port_range()):
            lines.append(f"  port range {self.port_range[0]}–{self.port_range[1]} for the headroom: Linux's default, not "
                         "read from the capturing host (give its own: --port-range LOW HIGH, or port_range=)")
        for h in self.headroom[:5]:
            tte = "never (sustainable)" if math.isinf(h.time_to_exhaustion_s) else f"{h.time_to_exhaustion_s:,.1f} s"
            factor = f"{h.headroom:,.1f}" if h.headroom >= 1 else f"{h.headroom:.2f}"
            limit = f"{h.max_rate:,.1f}" if h.max_rate >= 1 else f"{h.max_rate:.2f}"
            lines.append(f"  headroom {h.client_ip} → {h.server}: {h.rate:,.2f} new connections/s of at most "
                         f"{limit}/s ({h.ports:,} ports, {h.time_wait_s:g} s TIME-WAIT): "
                         f"×{factor}; exhaustion: {tte}")
        return "\n".join(lines)


def _default_port_range() -> tuple[int, int]:
    """Linux's default ``ip_local_port_range`` (:class:`tcpmodel.linux.LinuxConfig`)."""
    from tcpmodel.linux import LinuxConfig

    return LinuxConfig().ip_local_port_range


def _count(n: int, noun: str) -> str:
    """``1 connection``, ``2 connections``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class CaptureReport:
    """:class:`CaptureSummary`, the connections' reports and the traces kept.

    ``traces`` maps a connection's index to its :class:`~tcpmodel.sim.trace.Trace`
    (only for the connections whose trace was kept: see ``analyze(keep_traces=…)``).
    """

    summary: CaptureSummary
    connections: list
    traces: dict

    def trace(self, index: int):  # noqa: ANN201 - a Trace
        """The :class:`~tcpmodel.sim.trace.Trace` of connection ``index``.

        Examples
        --------
        >>> from tcpmodel.capture import analyze_shipped
        >>> trace = analyze_shipped("client_closes_first").trace(0)
        >>> [s.name for s in trace.path("A")]
        ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']

        Raises
        ------
        ValueError
            If ``index`` is not a connection whose trace was kept.
        """
        if index not in self.traces:
            kept = sorted(self.traces)
            shown = f"{kept[0]}–{kept[-1]}" if kept else "none"
            raise ValueError(f"connection must be one of the {len(kept)} connections whose trace was kept "
                             f"({shown}); got {index!r}")
        return self.traces[index]

    def text(self, connections: int = 20) -> str:
        """The summary and the first ``connections`` connections."""
        parts = [self.summary.text()]
        parts += [c.text() for c in self.connections[:connections]]
        if len(self.connections) > connections:
            parts.append(f"… and {len(self.connections) - connections:,} more connections")
        return "\n\n".join(parts)


#: How a SYN that met the peer's TIME-WAIT was answered, in words (the keys are ``syn_reuse``'s ``answer``).
_SYN_ANSWER_TEXT = {"accepted": "accepted as a new connection", "acked_and_dropped": "answered with an ACK and dropped",
                    "reset": "answered with a RST", "pending": "no answer in the capture"}


def _other(role: str) -> str:
    """The other side: ``"client"`` ↔ ``"server"``."""
    return {"client": "server", "server": "client"}.get(role, "other side")


_SYN_ANSWER = {"accepted": "accepted", "reused_own_time_wait": "accepted", "acked_and_dropped": "acked_and_dropped",
               "reset": "reset", "pending": "unanswered"}


def _path(ep) -> list:  # noqa: ANN001
    """The states an endpoint passed through, without repeats (a restarted TIME-WAIT is one visit)."""
    if ep is None:
        return []
    # ``_name_`` rather than ``name``: Enum.name is a Python-level descriptor, and this runs per connection
    out = [ep.initial_state._name_]
    for t in ep.history:
        name = t.next._name_
        if name != out[-1]:
            out.append(name)
    if ep.state._name_ != out[-1]:  # a change the table has no row for (a TIME-WAIT taken over)
        out.append(ep.state._name_)
    return out


def connection_report(conn, *, t_first: float) -> ConnectionReport:  # noqa: ANN001
    """Build the report of a finished :class:`~tcpmodel.capture._replay.Conn`."""
    a, b = conn.sides
    tw = {}
    for side in (a, b):
        if side.tw_enter is not None:
            left = side.tw_end if side.tw_end is not None else None
            tw[conn.role(side)] = TimeWait(side.tw_enter - t_first, side.tw_leave - t_first,
                                           side.tw_ended_by if side.tw_ended_by in ("rst", "syn", "reuse") else None,
                                           None if left is None else left - t_first, side.tw_restarts)
    warnings = []
    one = None
    if a.seen and not b.seen:
        one = "client→server only"
    elif b.seen and not a.seen:
        one = "server→client only"
    if one:
        warnings.append(f"only {one} was captured: the other side's segments, and so its state and what "
                        "it received, cannot be inferred")
    if conn.joined_late:
        warnings.append("joined late: the capture missed the handshake, so states before the first captured "
                        "segment, the ISNs and the window scale are unknown")
    if conn.anomalies:
        warnings.append(f"{conn.anomalies} segment(s) fitted no row of the state table (see notes)")
    syn_reuse = [{k: v for k, v in r.items() if k != "host"} for r in conn.syn_reuse]
    tw_answer = None if conn.syn_tw is None else _SYN_ANSWER[conn.syn_tw["answer"]]
    first_closer = conn.first_closer
    if first_closer is None and conn.close == "rst":
        first_closer = conn.rst_by  # the side that aborted closed first
    return ConnectionReport(
        index=conn.index, client=a.address, server=b.address, incarnation=conn.incarnation,
        start=conn.t0 - t_first, end=conn.t_last - t_first, packets=conn.packets,
        first_closer=first_closer, close=conn.close,
        rst_by=conn.rst_by, time_wait=tw,
        fin_retransmissions={"client": a.fin_retx, "server": b.fin_retx},
        fin_inference={conn.role(s): s.fin_inference for s in (a, b) if s.fin_inference},
        syn_reuse=syn_reuse, timestamps=bool(a.ts and b.ts),
        out_of_window=conn.out_of_window, old_duplicates=conn.old_duplicates, retransmissions=conn.retransmissions,
        rst_ignored=conn.rst_ignored, syn_in_time_wait=tw_answer,
        syn_time_wait_host=None if conn.syn_tw is None else conn.syn_tw["host"], syn_retransmissions=conn.syn_retx,
        joined_late=conn.joined_late, one_direction=one,
        paths={conn.role(s): _path(s.ep) for s in (a, b)},
        final_states={conn.role(s): s.ep.state._name_ if s.ep is not None else None for s in (a, b)},
        warnings=warnings, notes=[f"t={t:.3f} {ep or ''} {text}".replace("  ", " ") for t, ep, text in conn.log[:20]],
    )


class Aggregates:
    """Whole-capture figures, accumulated as connections finish, in bounded memory.

    Each table (destinations, client ports, client/destination pairs) stops
    taking new keys at :attr:`MAX_KEYS` (``untracked`` counts the connections
    left out of the port and pair figures); the TIME-WAIT population is kept
    in time bins that grow coarser (×10) whenever there are more than
    :attr:`MAX_BINS` of them.
    """

    MAX_KEYS = 500_000
    MAX_BINS = 100_000
    MAX_GAP_SAMPLES = 200_000

    def __init__(self, time_wait_s: float, port_range: tuple[int, int]) -> None:
        self.tw = time_wait_s
        self.port_range = port_range
        self.dest: dict = {}
        self.tw_delta: dict = {}
        self.tw_entries = 0
        self.last_use: dict = {}
        self.gaps: dict = {}
        self.pair_counts: dict = {}
        self.four_tuples = 0
        self.joined_late = self.one_direction = 0
        self.count = 0
        self.untracked = 0
        self.gap_samples = 0
        self._BIN = 0.1

    def add(self, conn, t_first: float) -> None:  # noqa: ANN001
        """Count one finished connection (times relative to ``t_first``, the capture's first packet)."""
        a, b = conn.sides
        self.count += 1
        self.joined_late += conn.joined_late
        self.one_direction += bool((a.seen == 0) != (b.seen == 0))
        self.four_tuples += conn.incarnation == 1
        d = self.dest.get((b.ip, b.port))
        if d is None:
            d = [0, 0, 0, 0, 0, 0, math.inf, -math.inf]
            if len(self.dest) < self.MAX_KEYS:
                self.dest[(b.ip, b.port)] = d
        d[0] += 1
        which = {"client": 1, "server": 2, "simultaneous": 3}.get(conn.first_closer or "", 0)
        if conn.close == "rst" and not conn.first_closer:
            which = 4
        d[which if which else 5] += 1
        d[6] = min(d[6], conn.t0)
        d[7] = max(d[7], conn.t0)
        for side in (a, b):
            if side.tw_enter is not None:
                end = side.tw_end if side.tw_end is not None else side.tw_leave
                self.tw_entries += 1
                i, j = int((side.tw_enter - t_first) / self._BIN), int((end - t_first) / self._BIN)
                self.tw_delta[i] = self.tw_delta.get(i, 0) + 1
                self.tw_delta[j] = self.tw_delta.get(j, 0) - 1
        if len(self.tw_delta) > self.MAX_BINS:
            coarse: dict = {}
            for k, v in self.tw_delta.items():
                coarse[k // 10] = coarse.get(k // 10, 0) + v
            self.tw_delta = coarse
            self._BIN *= 10
        if not conn.joined_late and (len(self.last_use) >= self.MAX_KEYS or len(self.pair_counts) >= self.MAX_KEYS):
            self.untracked += 1
        elif not conn.joined_late:
            pk = (a.ip, a.port)
            prev_end = self.last_use.get(pk)
            if prev_end is not None and conn.t0 >= prev_end:
                g = self.gaps.get(a.ip)
                if g is None:
                    g = self.gaps[a.ip] = [0, math.inf, [], 0]
                gap = conn.t0 - prev_end
                g[0] += 1
                g[1] = min(g[1], gap)
                if self.gap_samples < self.MAX_GAP_SAMPLES:
                    g[2].append(gap)
                    self.gap_samples += 1
                g[3] += gap < self.tw
            self.last_use[pk] = conn.t_last
            pc = self.pair_counts.setdefault((a.ip, b.ip, b.port), [0, math.inf, -math.inf])
            pc[0] += 1
            pc[1] = min(pc[1], conn.t0)
            pc[2] = max(pc[2], conn.t0)

    def summary(self, *, t_first: float, t_last: float, addr) -> dict:  # noqa: ANN001
        from tcpmodel import linux, models

        duration = max(t_last - t_first, 0.0)
        span = max(duration, 1e-9)
        dests = []
        for (ip, port), d in sorted(self.dest.items(), key=lambda kv: -kv[1][0]):
            n = d[0]
            dests.append(dict(server=addr(ip, port), connections=n, per_second=n / span if duration else 0.0,
                              closed_by_client=d[1] / n, closed_by_server=d[2] / n, simultaneous=d[3] / n,
                              reset=d[4] / n, not_closed=d[5] / n))
        # TIME-WAIT population, sampled
        samples = []
        peak = 0
        if self.tw_delta:
            level = 0
            last_bin = int(duration / self._BIN) + 1
            step = max(1, last_bin // 200)
            running = []
            for i in range(0, last_bin + 1):
                level += self.tw_delta.get(i, 0)
                running.append(level)
            peak = max(running)
            samples = [(round(i * self._BIN, 6), running[i]) for i in range(0, len(running), step)]
            steady = running[int(self.tw / self._BIN):] if duration > self.tw else []
            mean = statistics.fmean(steady) if steady else None
        else:
            mean = None if duration <= self.tw else 0.0
        close_rate = self.tw_entries / span if duration else 0.0
        little = models.time_wait_population(close_rate, self.tw) if close_rate else 0.0
        reuse = []
        for ip, g in sorted(self.gaps.items(), key=lambda kv: -kv[1][0]):
            reuse.append(dict(client_ip=addr(ip, None), reuses=g[0], min_gap_s=g[1] if g[0] else None,
                              median_gap_s=statistics.median(g[2]) if g[2] else None, within_time_wait=g[3]))
        low, high = self.port_range
        ports = linux.connect_port_count(low, high)
        head = []
        for (cip, sip, sport), (n, first, last) in sorted(self.pair_counts.items(), key=lambda kv: -kv[1][0])[:20]:
            rate = n / span if duration else 0.0
            max_rate = models.max_connection_rate(ports, self.tw)
            tte = models.time_to_exhaustion(rate, ports, self.tw) if rate else math.inf
            head.append(dict(client_ip=addr(cip, None), server=addr(sip, sport), rate=rate, max_rate=max_rate,
                             ports=ports, time_wait_s=self.tw, time_to_exhaustion_s=tte))
        return dict(destinations=dests, time_wait_samples=samples, time_wait_peak=peak, time_wait_mean=mean,
                    close_rate=close_rate, littles_law=little, port_reuse=reuse, headroom=head,
                    four_tuples=self.four_tuples, joined_late=self.joined_late, one_direction=self.one_direction,
                    duration_s=duration)
