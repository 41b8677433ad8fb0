"""Replaying captured segments through :mod:`tcpmodel.states`, both endpoints at once.

Theory of operation
-------------------
Segments are grouped by 4-tuple. A segment X→Y says two things: X did
something (sending a SYN implies an active OPEN, a new FIN a CLOSE, a RST
from a synchronized state an ABORT), and Y received it (an ``RCV_*`` event).
Both go through :class:`tcpmodel.states.TcpEndpoint`, so every change of
state is a row of :data:`tcpmodel.states.TABLE`; this module holds no rule of
its own beyond mapping a segment onto an event (which ACK acknowledges our
SYN or FIN, whether a RST is in the window).

Capture timing: a segment is seen once, at the capture point. The replay
treats it as sent and received at that instant, an approximation whose
error is the one-way delay between the capture point and each endpoint.

A few things are decided only by what comes next: whether a host that
receives a SYN was listening (its answer is a SYN+ACK) or not (a RST), and
how a host in TIME-WAIT answered a SYN for the same 4-tuple. The receiver
of such a SYN stays *pending* until its answer is seen. Two things are taken
back when later segments prove them wrong: a final ACK that the capture
point saw but the peer evidently lost (its FIN is retransmitted), and a FIN
that was sent before the peer's FIN arrived although the capture saw the
peer's first (a simultaneous close).

Fast path: in ESTABLISHED on both sides a segment without SYN, FIN or RST
changes no state; it costs a dictionary lookup and a sequence comparison.
"""

from __future__ import annotations

from tcpmodel.capture._read import _TS_FIRST, _TS_UNPACK, parse_options
from tcpmodel.sim import sequence as _sq
from tcpmodel.sim.trace import Segment, TimerSpan, Trace, TransitionRecord
from tcpmodel.states import Event, InvalidTransition, State, TcpEndpoint
from tcpmodel.states import variants_for as _variants_for

__all__ = ["Replay", "Side", "Conn"]

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MOD = 1 << 32
#: A FIN resent after the capture point saw it acknowledged: the ACK did not reach the FIN's sender in time.
_LOST_ACK_SEEN = ("lost final ACK, or one that came too late (the capture point saw the ACK; the FIN's sender resent "
                  "its FIN all the same: the ACK was lost beyond the capture point, or delayed past the sender's "
                  "retransmission timeout)")
_HALF = 1 << 31
_EST = State.ESTABLISHED
# tuples, not sets: membership by identity avoids Enum.__hash__, which is Python code
_RST_FROM = (State.SYN_RECEIVED, State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2, State.CLOSE_WAIT)
_FIN_OUTSTANDING = (State.FIN_WAIT_1, State.CLOSING, State.LAST_ACK)
_MAX_TRACE_SEGMENTS = 400


_MEMO: dict = {}
_NO_OPTIONS: dict = {}


class _Endpoint(TcpEndpoint):
    """A :class:`~tcpmodel.states.TcpEndpoint` that remembers the rows it has looked up.

    The rows come from :func:`tcpmodel.states.transition` (the table); the memo
    only saves looking the same row up again for the next connection.
    """

    __slots__ = ()

    def transition_for(self, event):  # noqa: ANN001, ANN201
        key = (id(self.state), id(event), self.opened)  # ids: an Enum's __hash__ is Python code
        row = _MEMO.get(key)
        if row is None:
            row = TcpEndpoint.transition_for(self, event)  # a refusal raises and is not remembered
            _MEMO[key] = row
        return row


# module constants: a global is looked up faster than an Enum class attribute
_S_CLOSED = State.CLOSED
_S_CLOSE_WAIT = State.CLOSE_WAIT
_S_ESTABLISHED = State.ESTABLISHED
_S_LAST_ACK = State.LAST_ACK
_S_LISTEN = State.LISTEN
_S_SYN_RECEIVED = State.SYN_RECEIVED
_S_SYN_SENT = State.SYN_SENT
_S_TIME_WAIT = State.TIME_WAIT
_E_ABORT = Event.ABORT
_E_ACTIVE_OPEN = Event.ACTIVE_OPEN
_E_CLOSE = Event.CLOSE
_E_PASSIVE_OPEN = Event.PASSIVE_OPEN
_E_RCV_ACK = Event.RCV_ACK
_E_RCV_FIN = Event.RCV_FIN
_E_RCV_FIN_ACK = Event.RCV_FIN_ACK
_E_RCV_RST = Event.RCV_RST
_E_RCV_SYN = Event.RCV_SYN
_E_RCV_SYN_ACK = Event.RCV_SYN_ACK
_E_TIMEOUT = Event.TIMEOUT


def _ge(a: int, b: int) -> bool:
    """a >= b in sequence space: ``tcpmodel.sim.sequence.seq_le(b, a)`` in one expression (it runs per packet)."""
    return (a - b) % MOD < _HALF


def flags_text(flags: int) -> str:
    """The simulator's spelling of the control bits: ``SYN+ACK``, ``FIN+ACK``, ``RST``…

    Examples
    --------
    >>> flags_text(0x12), flags_text(0x11), flags_text(0x04), flags_text(0x18)
    ('SYN+ACK', 'FIN+ACK', 'RST', 'ACK')
    """
    parts = [name for bit, name in ((SYN, "SYN"), (FIN, "FIN"), (RST, "RST"), (ACK, "ACK")) if flags & bit]
    return "+".join(parts) or "none"


def _addr(ip: bytes, port: int) -> str:
    if len(ip) == 4:
        return f"{ip[0]}.{ip[1]}.{ip[2]}.{ip[3]}:{port}"
    import ipaddress

    return f"[{ipaddress.IPv6Address(ip)}]:{port}"


class Side:
    """What the replay knows of one endpoint of one incarnation."""

    __slots__ = ("ip", "port", "name", "ep", "iss", "irs", "snd_nxt", "rcv_nxt", "wnd", "wscale", "ts", "ts_last",
                 "fin_seq", "fin_sent", "fin_retx", "fin_acked_seen", "fin_inference", "owed_rst", "tw_enter",
                 "tw_leave", "tw_end", "tw_ended_by", "tw_restarts", "seen", "syn_opts", "tw_span", "closed_at")

    def __init__(self, ip: bytes, port: int, name: str) -> None:
        self.ip, self.port, self.name = ip, port, name
        self.ep: TcpEndpoint | None = None  # None: not born yet (its answer to a SYN is pending)
        self.iss = self.irs = self.snd_nxt = self.rcv_nxt = None
        self.wnd = 0
        self.wscale = 0
        self.ts = False
        self.ts_last = None
        self.fin_seq = None
        self.fin_sent = 0
        self.fin_retx = 0
        self.fin_acked_seen = False
        self.fin_inference = None
        self.owed_rst = 0
        self.tw_enter = self.tw_leave = self.tw_end = self.tw_ended_by = None
        self.tw_restarts = 0
        self.seen = 0
        self.syn_opts = None
        self.tw_span = None
        self.closed_at = None

    @property
    def state(self) -> State | None:
        return None if self.ep is None else self.ep.state

    @property
    def address(self) -> str:
        return _addr(self.ip, self.port)


class Conn:
    """One incarnation of a 4-tuple being replayed."""

    __slots__ = ("index", "sides", "incarnation", "t0", "t_last", "fast", "trace", "joined_late", "packets",
                 "pending_syn", "prev", "first_closer", "close", "rst_by", "syn_reuse", "out_of_window",
                 "old_duplicates", "retransmissions", "data_elided", "log", "rst_ignored", "done", "anomalies",
                 "syn_tw", "syn_retx")

    def __init__(self, index: int, a: Side, b: Side, incarnation: int, t0: float, keep_trace: bool, msl: float) -> None:
        self.index = index
        self.sides = (a, b)
        self.incarnation = incarnation
        self.t0 = self.t_last = t0
        self.fast = False
        self.trace = Trace("capture", {"connection": index, "client": a.address, "server": b.address,
                                       "incarnation": incarnation, "t0": t0}, msl) if keep_trace else None
        self.joined_late = False
        self.packets = 0
        self.pending_syn = None  # (t, seq, tsval) of a SYN whose receiver has not answered yet
        self.prev: Conn | None = None
        self.first_closer = None
        self.close = "none"
        self.rst_by = None
        self.syn_reuse: list = []
        self.out_of_window = self.old_duplicates = self.retransmissions = self.data_elided = self.rst_ignored = 0
        self.anomalies = 0
        self.syn_tw = None  # this incarnation's SYN met a TIME-WAIT: the dict shared with the previous one's syn_reuse
        self.syn_retx = 0
        self.log: list = []
        self.done = False

    def role(self, side: Side) -> str:
        return "client" if side is self.sides[0] else "server"

    def peer(self, side: Side) -> Side:
        return self.sides[1] if side is self.sides[0] else self.sides[0]

    def note(self, t: float, side: Side | None, text: str) -> None:
        if len(self.log) < 100:
            self.log.append((t - self.t0, None if side is None else side.name, text))
        if self.trace is not None:
            self.trace.log.append((t - self.t0, None if side is None else side.name, text))


class Replay:
    """Feed segments (:meth:`segment`), then :meth:`finish`; finished connections go to ``on_done``.

    Parameters
    ----------
    time_wait_s : float
        How long a side stays in TIME-WAIT (Linux: 60 s; 2·MSL for a given MSL).
    on_done : callable
        ``on_done(conn)`` for each incarnation once it can change no more.
    keep_trace : callable
        ``keep_trace(index)``: whether to build a :class:`~tcpmodel.sim.trace.Trace` for connection ``index``.
    """

    def __init__(self, time_wait_s: float, on_done, keep_trace, msl: float, *, linux_restart: bool = False) -> None:  # noqa: ANN001
        self.tw = time_wait_s
        self.msl = msl
        #: Apply the Linux variant of (TIME-WAIT, rcv ACK) from tcpmodel.states.VARIANTS: any segment with
        #: ACK and without RST restarts the timer. Only when timing TIME-WAIT as Linux does (no MSL given).
        self.linux_restart = linux_restart
        self.on_done = on_done
        self.keep_trace = keep_trace
        self.table: dict = {}
        self.count = 0
        self.now = 0.0
        self.t_first = None

    # ------------------------------------------------------------------ entry
    def segment(self, ts: float, src: bytes, sport: int, dst: bytes, dport: int, seq: int, ack: int, flags: int,
                win: int, paylen: int, opts: bytes) -> None:
        """Replay one captured segment."""
        self.now = ts
        entry = self.table.get((src, sport, dst, dport))
        if entry is not None:
            conn, i = entry
            if conn.fast and not flags & 7:
                s = conn.sides[i]
                conn.packets += 1
                conn.t_last = ts
                s.seen += 1
                if seq == s.snd_nxt:
                    s.snd_nxt = (seq + paylen) % MOD
                else:
                    self._seq_check(conn, s, conn.sides[1 - i], seq, paylen, flags)
                if flags & ACK:
                    s.rcv_nxt = ack
                    s.wnd = win << s.wscale
                return
        self._slow(entry, ts, src, sport, dst, dport, seq, ack, flags, win, paylen, opts)

    # ------------------------------------------------------------ sequence checks
    def _seq_check(self, conn: Conn, s: Side, r: Side, seq: int, paylen: int, flags: int) -> str:
        """Classify a segment that is not next in order: '' (new data after a gap, a bare ACK, a keep-alive),
        ``"retransmission"``, ``"old duplicate"`` or ``"outside the window"``."""
        seg_len = paylen + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)
        end = (seq + seg_len) % MOD
        if s.snd_nxt is None:
            s.snd_nxt = end
            return ""
        if seg_len and not _ge(s.snd_nxt, end):  # beyond anything sent so far: a gap in the capture, or new data
            s.snd_nxt = end
            verdict = ""
        elif seg_len == 0 or (seg_len <= 1 and (seq + 1) % MOD == s.snd_nxt and not flags & FIN):
            return ""  # a bare ACK or a keep-alive
        else:
            verdict = "retransmission"
        if flags & FIN and s.fin_seq is not None and (seq + paylen) % MOD == s.fin_seq:
            conn.retransmissions += 1
            return "retransmission"  # a retransmitted FIN is processed (TIME-WAIT restarts its timer on it)
        if r.rcv_nxt is not None and r.ep is not None:
            wnd = max(r.wnd, 1)
            if not _sq.acceptable(seq, seg_len, r.rcv_nxt, wnd):
                if _ge(seq, (r.rcv_nxt + wnd) % MOD):
                    conn.out_of_window += 1
                    return "outside the window"
                conn.old_duplicates += 1
                return "old duplicate"
        if verdict:
            conn.retransmissions += 1
        return verdict

    # ---------------------------------------------------------------- slow path
    def _slow(self, entry, ts, src, sport, dst, dport, seq, ack, flags, win, paylen, opts) -> None:  # noqa: ANN001, C901
        if not opts:
            o, tsval = _NO_OPTIONS, None
        elif len(opts) == 12 and opts[:4] == _TS_FIRST:  # NOP NOP TS, the usual layout after the handshake
            tsval, tsecr = _TS_UNPACK(opts, 4)
            o = {"tsval": tsval, "tsecr": tsecr}
        else:
            o = parse_options(opts)
            tsval = o.get("tsval")
        if entry is None:
            conn, i = self._new_conn(ts, src, sport, dst, dport, flags, seq, ack, None)
        else:
            conn, i = entry
            s = conn.sides[i]
            # A new SYN from a side that has closed (or sits in TIME-WAIT) starts a new incarnation.
            if flags & SYN and not flags & ACK and s.ep is not None and s.ep.state in (_S_CLOSED, _S_TIME_WAIT) \
                    and seq != s.iss:
                conn, i = self._new_conn(ts, src, sport, dst, dport, flags, seq, ack, conn)
        s, r = conn.sides[i], conn.sides[1 - i]
        conn.packets += 1
        conn.t_last = ts
        s.seen += 1
        if tsval is not None:
            if flags & SYN:
                s.ts = True
            s.ts_last = tsval
        if flags & SYN:
            s.syn_opts = o
            if flags & ACK:
                if s.iss is None or s.iss != seq:
                    s.iss = seq
            elif s.iss is None or s.ep is None or s.ep.state in (_S_CLOSED, _S_LISTEN):
                s.iss = seq
            if "wscale" in o:
                s.wscale = o["wscale"]
        verdict = ""
        if not flags & SYN:
            if seq == s.snd_nxt:
                s.snd_nxt = (seq + paylen + (1 if flags & FIN else 0)) % MOD
            else:
                verdict = self._seq_check(conn, s, r, seq, paylen, flags)
        else:
            s.snd_nxt = (seq + 1 + paylen + (1 if flags & FIN else 0)) % MOD
        # window scaling applies only when both SYNs carried the option
        if flags & SYN and flags & ACK and not ("wscale" in o and r.syn_opts and "wscale" in r.syn_opts):
            s.wscale = r.wscale = 0
        s_ep, r_ep = s.ep, r.ep
        before_s = None if s_ep is None else s_ep.state
        before_r = None if r_ep is None else r_ep.state
        outcome = self._sender(conn, s, r, ts, seq, ack, flags, paylen, tsval)
        if flags & ACK:
            if s.rcv_nxt is None or flags & SYN or _ge(ack, s.rcv_nxt):
                s.rcv_nxt = ack
            s.wnd = win << (0 if flags & SYN else s.wscale)
        elif flags & SYN:
            s.wnd = win
        if verdict and not flags & RST and (verdict == "old duplicate" or verdict == "outside the window"):
            outcome = (outcome + "; " if outcome else "") + verdict.upper()
        else:
            outcome2 = self._receiver(conn, s, r, ts, seq, ack, flags, paylen, tsval)
            if outcome2:
                outcome = (outcome + "; " if outcome else "") + outcome2
        a_ep, b_ep = conn.sides[0].ep, conn.sides[1].ep
        conn.fast = (a_ep is not None and b_ep is not None and a_ep.state is _EST and b_ep.state is _EST
                     and conn.pending_syn is None and conn.prev is None)
        if conn.trace is None:
            return
        record = bool(flags & (SYN | FIN | RST)) or bool(verdict and verdict != "retransmission")
        if r.ep is not None and r.ep.state is not before_r:
            record = True
            change = f"{r.name}: {before_r.name if before_r else 'CLOSED'} → {r.ep.state.name}"
            outcome = change + ("; " + outcome if outcome else "")
        elif s.ep is not None and s.ep.state is not before_s:
            record = True
        if record and len(conn.trace.segments) < _MAX_TRACE_SEGMENTS:
            self._record(conn, s, r, ts, seq, ack, flags, paylen, o, outcome, before_s, verdict)
        else:
            conn.data_elided += 1

    def _record(self, conn, s, r, ts, seq, ack, flags, paylen, o, outcome, before_s, verdict) -> None:  # noqa: ANN001
        tr = conn.trace
        tr.segments.append(Segment(
            index=len(tr.segments), t_sent=ts - conn.t0, src=s.name, dst=r.name, flags=flags_text(flags), seq=seq,
            ack=ack if flags & ACK else 0, payload=f"{paylen} B" if paylen else None, length=paylen,
            incarnation=conn.incarnation, tsval=o.get("tsval"), tsecr=o.get("tsecr"),
            retransmission=verdict == "retransmission" or outcome.startswith("retransmitted"),
            sender_state=before_s, t_arrived=ts - conn.t0, outcome=outcome))

    # ------------------------------------------------------------ incarnations
    def _new_conn(self, ts, src, sport, dst, dport, flags, seq, ack, old):  # noqa: ANN001, ANN202
        x = Side(src, sport, "A")
        y = Side(dst, dport, "B")
        first_syn = flags & SYN and not flags & ACK
        joined_late = not first_syn
        if joined_late and not (flags & SYN) and (sport < dport or (sport == dport and src > dst)):
            x, y = Side(dst, dport, "A"), Side(src, sport, "B")  # the higher (ephemeral) port is the client
        elif joined_late and flags & SYN:  # a SYN+ACK: its receiver sent the SYN we did not see
            x, y = Side(dst, dport, "A"), Side(src, sport, "B")
        incarnation = 1 if old is None else old.incarnation + 1
        conn = Conn(self.count, x, y, incarnation, ts, self.keep_trace(self.count), self.msl)
        self.count += 1
        if self.t_first is None:
            self.t_first = ts
        conn.joined_late = bool(joined_late)
        if joined_late:
            if flags & SYN:  # SYN+ACK seen first
                x.ep = _Endpoint("A", _S_SYN_SENT)
                x.ep.opened = "active open"
                x.iss, x.snd_nxt = (ack - 1) % MOD, ack  # the unseen SYN's number, from the ACK of it
                y.ep = _Endpoint("B", _S_SYN_RECEIVED)
                y.ep.opened = "passive open"
            else:
                x.ep = _Endpoint("A", _S_ESTABLISHED)
                y.ep = _Endpoint("B", _S_ESTABLISHED)
                # sequence numbers start where the capture joined
            conn.note(ts, None, "the capture joined late: the connection's start was not captured")
        else:
            x.ep = _Endpoint("A")  # y is born when it answers the SYN
        if conn.trace is not None:
            for side in (x, y):
                if side.ep is not None:
                    conn.trace.states[side.name].append((0.0, side.ep.state))
        if old is not None:
            self._takeover(conn, old, x, y, ts, seq)
        self.table[(x.ip, x.port, y.ip, y.port)] = (conn, 0)
        self.table[(y.ip, y.port, x.ip, x.port)] = (conn, 1)
        if old is None or conn.prev is None:
            if old is not None:
                self._finish(old, ts)
        i = 0 if (x.ip, x.port) == (src, sport) else 1
        return conn, i

    def _takeover(self, conn: Conn, old: Conn, x: Side, y: Side, ts: float, seq: int) -> None:
        """A new SYN on a 4-tuple whose previous incarnation has a side in TIME-WAIT (or just closed)."""
        ox = next(s for s in old.sides if (s.ip, s.port) == (x.ip, x.port))
        oy = old.peer(ox)
        if ox.state is _S_TIME_WAIT:  # the connecting side reuses its own TIME-WAIT 4-tuple (tcp_tw_reuse)
            ox.tw_end, ox.tw_ended_by = ts, "reuse"
            self._set_state(old, ox, _S_CLOSED, ts, "TIME-WAIT taken over by a new connect() on the same 4-tuple "
                            "(tcp_tw_reuse, or a bind() with SO_REUSEADDR)")
            conn.syn_tw = {"t": ts - old.t0, "by": old.role(ox), "answer": "reused_own_time_wait",
                           "by_sequence": None, "by_timestamp": None, "host": "client"}
            old.syn_reuse.append(conn.syn_tw)
        if oy.state is _S_TIME_WAIT:
            conn.prev = old
            conn.note(ts, x, f"SYN for a 4-tuple in TIME-WAIT at {y.name} (incarnation {old.incarnation})")
            conn.syn_tw = {"t": ts - old.t0, "by": old.role(ox), "answer": "pending",
                           "by_sequence": bool(oy.rcv_nxt is not None and (seq - oy.rcv_nxt) % MOD
                                               and _ge(seq, oy.rcv_nxt)),
                           "by_timestamp": None, "host": "server"}
            old.syn_reuse.append(conn.syn_tw)

    def _finish(self, conn: Conn, now: float) -> None:
        if conn.done:
            return
        conn.done = True
        for side in conn.sides:
            if side.state is _S_TIME_WAIT and side.tw_leave is not None and side.tw_leave <= now:
                ev = side.ep.handle(_E_TIMEOUT)
                self._after(conn, side, ev, side.tw_leave, event=_E_TIMEOUT)
        self.on_done(conn)

    # --------------------------------------------------------------- helpers
    def _handle(self, conn: Conn, side: Side, event: Event, ts: float):  # noqa: ANN202
        try:
            t = side.ep.handle(event)
        except InvalidTransition as exc:
            conn.anomalies += 1
            conn.note(ts, side, f"{event.name} refused in {side.ep.state.name}: {exc.answer} (inferred call skipped)")
            return None
        self._after(conn, side, t, ts, event=event)
        return t

    def _after(self, conn: Conn, side: Side, t, ts: float, event: Event) -> None:  # noqa: ANN001
        if "RST" in t.send:
            side.owed_rst += 1
        changes = t.next is not t.state  # Transition.changes_state, inlined: this runs for every event
        if conn.trace is not None and (changes or t.send or t.restart_2msl):
            conn.trace.transitions.append(TransitionRecord(ts - conn.t0, side.name, t.state, event, t.next,
                                                           tuple(t.send), t.rfc))
        if t.restart_2msl or (t.next is _S_TIME_WAIT and changes):  # Transition.starts_2msl
            if t.state is not _S_TIME_WAIT:
                side.tw_enter = ts
            else:
                side.tw_restarts += 1
            side.tw_leave = ts + self.tw
            if conn.trace is not None:
                if side.tw_span is not None:
                    side.tw_span.end, side.tw_span.outcome = ts - conn.t0, "restarted"
                side.tw_span = TimerSpan(side.name, "2MSL", ts - conn.t0)
                conn.trace.timers.append(side.tw_span)
        if changes:
            if t.state is _S_TIME_WAIT and side.tw_end is None:
                side.tw_end = ts
                side.tw_ended_by = {_E_TIMEOUT: "timeout", _E_RCV_RST: "rst"}.get(event, event.name.lower())
                if side.tw_span is not None:
                    side.tw_span.end = ts - conn.t0
                    side.tw_span.outcome = "expired" if event is _E_TIMEOUT else "cancelled"
            if t.next is _S_CLOSED:
                side.closed_at = ts
            if conn.trace is not None:
                conn.trace.states[side.name].append((ts - conn.t0, t.next))

    def _set_state(self, conn: Conn, side: Side, state: State, ts: float, why: str) -> None:
        """A change the table has no row for (a Linux variant), recorded with its reason."""
        if side.state is _S_TIME_WAIT and side.tw_span is not None:
            side.tw_span.end, side.tw_span.outcome = ts - conn.t0, "cancelled"
        side.ep.state = state
        if state is _S_CLOSED:
            side.ep.opened = None
            side.closed_at = ts
        conn.note(ts, side, why)
        if conn.trace is not None:
            conn.trace.states[side.name].append((ts - conn.t0, state))

    def _undo_last(self, conn: Conn, side: Side) -> None:
        """Take back ``side``'s last transition (later segments proved it did not happen then)."""
        t = side.ep.history.pop()
        side.ep.state = t.state
        if t.state is not _S_CLOSED and side.ep.opened is None:
            side.ep.opened = "passive open" if conn.sides[1] is side else "active open"
        side.closed_at = None
        if conn.trace is not None:
            if t.changes_state and conn.trace.states[side.name] and conn.trace.states[side.name][-1][1] is t.next:
                conn.trace.states[side.name].pop()
            if conn.trace.transitions and conn.trace.transitions[-1].endpoint == side.name:
                conn.trace.transitions.pop()

    def _born(self, conn: Conn, side: Side, state: State, ts: float) -> None:
        """``side`` shows itself by answering a SYN: it was listening (a passive OPEN before the capture's
        view of it, recorded at the connection's start) or closed."""
        side.ep = _Endpoint(side.name)
        if conn.trace is not None:
            conn.trace.states[side.name].append((0.0, _S_CLOSED))
        if state is _S_LISTEN:
            self._handle(conn, side, _E_PASSIVE_OPEN, conn.t0)

    # ---------------------------------------------------------------- sender
    def _sender(self, conn: Conn, s: Side, r: Side, ts: float, seq: int, ack: int, flags: int, paylen: int,
                tsval) -> str:  # noqa: ANN001, C901
        if s.ep is None:  # its answer to a pending SYN decides what it was
            self._resolve_pending(conn, s, r, ts, seq, ack, flags, tsval)
            if s.ep is None:
                return ""
        st = s.ep.state
        if flags & RST:
            if s.owed_rst:
                s.owed_rst -= 1
                return "answer"
            if st in _RST_FROM:
                self._handle(conn, s, _E_ABORT, ts)
                if conn.close != "fin" or conn.rst_by is None:
                    conn.close, conn.rst_by = "rst", conn.role(s)
                return "abort"
            if st is _S_SYN_SENT:
                return "answers an unacceptable ACK"
            return f"RST from {st.name}"
        if flags & SYN:
            if not flags & ACK:
                if st in (_S_CLOSED, _S_LISTEN):
                    self._handle(conn, s, _E_ACTIVE_OPEN, ts)
                elif st is _S_SYN_SENT and seq == s.iss:
                    conn.syn_retx += 1
                    return "retransmitted SYN"
            elif st is _S_SYN_RECEIVED and s.seen > 1 and s.iss == seq:
                return "retransmitted SYN+ACK"
            return ""
        if flags & FIN:
            fin_seq = (seq + paylen) % MOD
            if s.fin_seq is not None and fin_seq == s.fin_seq:
                s.fin_retx += 1
                if st is _S_CLOSED and s.ep.history and s.ep.history[-1].state is _S_LAST_ACK:
                    self._undo_last(conn, s)  # the final ACK we saw never reached it
                    s.fin_inference = _LOST_ACK_SEEN
                    conn.note(ts, s, "FIN retransmitted after the final ACK was seen: that ACK was lost beyond the "
                                     "capture point")
                elif s.fin_acked_seen:
                    s.fin_inference = _LOST_ACK_SEEN
                elif s.fin_inference is None:
                    s.fin_inference = ("lost FIN or lost ACK (no ACK of it was seen; where it was lost depends on "
                                       "the capture point; had the FIN been lost, the peer entered TIME-WAIT only "
                                       "at the resent one, and leaves at the same time)")
                return "retransmitted FIN"
            s.fin_seq = fin_seq
            s.fin_sent += 1
            if st is _S_CLOSE_WAIT and r.fin_seq is not None and not (flags & ACK and _ge(ack, (r.fin_seq + 1) % MOD)):
                # it sent its FIN before the peer's FIN reached it: a simultaneous close
                if s.ep.history and s.ep.history[-1].event in (_E_RCV_FIN, _E_RCV_FIN_ACK):
                    self._undo_last(conn, s)
                    self._handle(conn, s, _E_CLOSE, ts)
                    self._handle(conn, s, _E_RCV_FIN, ts)
                    conn.first_closer = "simultaneous"
                    if conn.close == "none":
                        conn.close = "fin"
                    return "simultaneous close"
            if st in (_S_ESTABLISHED, _S_CLOSE_WAIT, _S_SYN_RECEIVED):
                if conn.first_closer is None:
                    conn.first_closer = conn.role(s)
                if conn.close == "none":
                    conn.close = "fin"
                self._handle(conn, s, _E_CLOSE, ts)
                return ""
            conn.anomalies += 1
            conn.note(ts, s, f"FIN sent in {st.name}: no CLOSE applies (inferred call skipped)")
            return ""
        return ""

    def _resolve_pending(self, conn: Conn, s: Side, r: Side, ts: float, seq: int, ack: int, flags: int, tsval) -> None:  # noqa: ANN001
        """``s`` answers a SYN it received: its answer says whether it was listening, and how a TIME-WAIT answered."""
        pend = conn.pending_syn
        prev = conn.prev
        old_s = None
        if prev is not None:
            old_s = next(x for x in prev.sides if (x.ip, x.port) == (s.ip, s.port))
        if flags & SYN and flags & ACK:
            if old_s is not None and old_s.state is _S_TIME_WAIT:
                info = prev.syn_reuse[-1]
                info["answer"] = "accepted"
                old_peer = prev.peer(old_s)
                syn_ts = pend[2] if pend else None
                info["by_timestamp"] = bool(syn_ts is not None and old_s.ts and old_peer.ts_last is not None
                                            and syn_ts != old_peer.ts_last and _ge(syn_ts, old_peer.ts_last))
                old_s.tw_end, old_s.tw_ended_by = ts, "syn"
                self._set_state(prev, old_s, _S_CLOSED, ts,
                                "TIME-WAIT ended by a new SYN for the 4-tuple, answered SYN+ACK by the listener "
                                "(Linux: net/ipv4/tcp_minisocks.c tcp_timewait_state_process, TCP_TW_SYN)")
                self._drop_prev(conn, ts)
            self._born(conn, s, _S_LISTEN, ts)
            if pend is not None:
                self._handle(conn, s, _E_RCV_SYN, pend[0])  # it received the SYN when the capture saw it
                s.irs = pend[1]
                conn.pending_syn = None
            return
        if flags & RST:
            if old_s is not None and old_s.state is _S_TIME_WAIT:
                prev.syn_reuse[-1]["answer"] = "reset"
            self._born(conn, s, _S_CLOSED, ts)
            if pend is not None:
                self._handle(conn, s, _E_RCV_SYN, ts)
                conn.pending_syn = None
            return
        if flags & SYN:  # simultaneous open: it sent its own SYN
            self._born(conn, s, _S_CLOSED, ts)
            self._handle(conn, s, _E_ACTIVE_OPEN, ts)
            if pend is not None:
                self._handle(conn, s, _E_RCV_SYN, ts)
                conn.pending_syn = None
            return
        # a bare ACK: from the TIME-WAIT of the previous incarnation, which keeps it
        if old_s is not None and old_s.state is _S_TIME_WAIT and pend is not None:
            info = prev.syn_reuse[-1]
            if info["answer"] == "pending":
                info["answer"] = "acked_and_dropped"
            self._handle(prev, old_s, _E_RCV_SYN, ts)
            prev.note(ts, old_s, "TIME-WAIT answered the new SYN with an ACK and kept the 4-tuple")

    def _drop_prev(self, conn: Conn, ts: float) -> None:
        prev, conn.prev = conn.prev, None
        if prev is not None:
            self._finish(prev, ts)

    # -------------------------------------------------------------- receiver
    def _receiver(self, conn: Conn, s: Side, r: Side, ts: float, seq: int, ack: int, flags: int, paylen: int,
                  tsval) -> str:  # noqa: ANN001, C901
        if r.ep is None or (conn.prev is not None and not flags & SYN):
            # r has not answered the SYN yet: what reaches it goes to its previous incarnation (TIME-WAIT)
            if flags & SYN and not flags & ACK:
                conn.pending_syn = (ts, seq, tsval)
                return ""
            prev = conn.prev
            if prev is not None:
                old_r = next(x for x in prev.sides if (x.ip, x.port) == (r.ip, r.port))
                if old_r.state is _S_TIME_WAIT and flags & RST and old_r.rcv_nxt is not None:
                    old_r_expected = old_r.rcv_nxt
                    # Linux ends TIME-WAIT on a RST only at SEG.SEQ == RCV.NXT (net/ipv4/tcp_minisocks.c
                    # tcp_timewait_state_process, Linux 6.12; any other RST falls to its out-of-window branch)
                    if seq == old_r_expected:
                        self._handle(prev, old_r, _E_RCV_RST, ts)
                        prev.note(ts, old_r, "a RST ended TIME-WAIT (TIME-WAIT assassination, RFC 1337; a Linux "
                                             "host with tcp_rfc1337 = 1 ignores it)")
                        self._drop_prev(conn, ts)
                        return "ends TIME-WAIT"
            if r.ep is None:
                return ""
        st = r.ep.state
        if flags & RST:
            if st is _S_SYN_SENT:
                ok = bool(flags & ACK) and r.iss is not None and ack == (r.iss + 1) % MOD
            elif st in (_S_LISTEN, _S_CLOSED):
                ok = True  # the table discards it
            elif r.rcv_nxt is None:
                ok = True
            elif st is _S_TIME_WAIT:
                ok = seq == r.rcv_nxt  # as above: only an exact RST ends TIME-WAIT
            else:
                ok = seq == r.rcv_nxt or _sq.acceptable(seq, 0, r.rcv_nxt, max(r.wnd, 1))
            if not ok:
                conn.rst_ignored += 1
                return "RST outside the window: ignored"
            t = self._handle(conn, r, _E_RCV_RST, ts)
            if t is not None and st is _S_TIME_WAIT:
                return "ends TIME-WAIT"
            return ""
        if flags & SYN:
            if flags & ACK:
                if st in (_S_SYN_SENT, _S_SYN_RECEIVED) and r.iss is not None and ack == (r.iss + 1) % MOD:
                    if st is _S_SYN_RECEIVED and r.ep.opened != "active open":
                        return ""
                    r.irs = seq
                    self._handle(conn, r, _E_RCV_SYN_ACK, ts)
                return ""
            if st is _S_SYN_RECEIVED and r.irs == seq:
                return "retransmitted SYN"
            if st in (_S_CLOSED, _S_LISTEN, _S_SYN_SENT) or st is not _S_TIME_WAIT:
                r.irs = seq
                self._handle(conn, r, _E_RCV_SYN, ts)
            return ""
        acks_fin = bool(flags & ACK) and r.fin_seq is not None and _ge(ack, (r.fin_seq + 1) % MOD)
        if acks_fin:
            r.fin_acked_seen = True
        if flags & FIN:
            if st in _FIN_OUTSTANDING and acks_fin:
                self._handle(conn, r, _E_RCV_FIN_ACK, ts)
            else:
                self._handle(conn, r, _E_RCV_FIN, ts)
            return ""
        if flags & ACK:
            if st is _S_SYN_RECEIVED and r.iss is not None and ack == (r.iss + 1) % MOD:
                self._handle(conn, r, _E_RCV_ACK, ts)
            elif st in _FIN_OUTSTANDING and acks_fin:
                self._handle(conn, r, _E_RCV_ACK, ts)
            elif st is _S_CLOSED and not conn.done:
                self._handle(conn, r, _E_RCV_ACK, ts)
            elif st is _S_TIME_WAIT and self.linux_restart:
                self._restart_time_wait(conn, r, ts)
                return "TIME-WAIT timer restarted (Linux)"
        return ""

    def _restart_time_wait(self, conn: Conn, side: Side, ts: float) -> None:
        """The Linux row of tcpmodel.states.VARIANTS for (TIME-WAIT, rcv ACK): the timer starts again."""
        variant = next(v for v in _variants_for(_S_TIME_WAIT, _E_RCV_ACK) if v.source == "Linux")
        side.tw_restarts += 1
        side.tw_leave = ts + self.tw
        conn.note(ts, side, f"an ACK restarted TIME-WAIT ({variant.reference})")
        if conn.trace is not None:
            if side.tw_span is not None:
                side.tw_span.end, side.tw_span.outcome = ts - conn.t0, "restarted"
            side.tw_span = TimerSpan(side.name, "2MSL", ts - conn.t0)
            conn.trace.timers.append(side.tw_span)

    # ---------------------------------------------------------------- end
    def expire(self, now: float, idle_s: float) -> None:
        """Finish incarnations that can change no more: both sides closed, or idle longer than ``idle_s``."""
        stale = []
        seen = set()
        for key, (conn, _i) in self.table.items():
            if id(conn) in seen:
                continue
            seen.add(id(conn))
            a, b = conn.sides
            closed = all(x.ep is None or x.state is _S_CLOSED or (x.state is _S_TIME_WAIT and x.tw_leave is not None
                                                                      and x.tw_leave < now) for x in (a, b))
            if (closed and conn.prev is None and now - conn.t_last > self.tw) or now - conn.t_last > idle_s:
                stale.append(conn)
        for conn in stale:
            a, b = conn.sides
            for key in ((a.ip, a.port, b.ip, b.port), (b.ip, b.port, a.ip, a.port)):
                if self.table.get(key, (None,))[0] is conn:
                    del self.table[key]
            if conn.prev is not None:
                self._finish(conn.prev, now)
            self._finish(conn, now)

    def finish(self) -> None:
        """End of the capture: finish every incarnation still open."""
        seen = set()
        conns = []
        for conn, _i in self.table.values():
            if id(conn) not in seen:
                seen.add(id(conn))
                conns.append(conn)
        for conn in sorted(conns, key=lambda c: c.index):
            if conn.prev is not None:
                self._finish(conn.prev, self.now)
            if conn.pending_syn is not None and conn.sides[1].ep is None:
                conn.note(self.now, conn.sides[1], "its answer to the SYN was not captured")
            self._finish(conn, self.now)
        self.table.clear()
