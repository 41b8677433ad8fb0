"""The discrete-event engine: two endpoints, a network, timers, and the state table.

Theory of operation
-------------------
Events (user calls, segment arrivals, timer expiries) sit in one priority
queue ordered by time and then by the order they were scheduled, so a run is
deterministic. For each arriving segment the engine does what RFC 9293
§3.10.7 assigns to the receiving TCP *around* the state machine:

1. PAWS (rule R1 of RFC 7323 §5.3, inferred: RFC 7323's text was not read, and
   RFC 1323 §4.2.1 has the same rule) and the acceptability test of RFC 9293 Table 6. A
   segment that fails gets an ACK and is dropped (§3.10.7.4 "first, check
   sequence number"); it never reaches the state table.
2. ACK processing (SND.UNA, the retransmission queue and its timer),
   in-order delivery of payloads through a reassembly buffer, TS.Recent.
3. Classification of what is left into an :class:`~tcpmodel.states.Event`
   (``RCV_SYN``, ``RCV_SYN_ACK``, ``RCV_ACK`` when our SYN or FIN is newly
   acknowledged, ``RCV_FIN``, ``RCV_FIN_ACK``, ``RCV_RST``).

The next state and the control segments to send come **only** from
:func:`tcpmodel.states.transition`; the engine fills in their sequence and
acknowledgment numbers. The engine owns the timers: retransmission with a
doubling RTO (RFC 6298 §5, rule (5.5)) and a retry limit (the threshold R2
of RFC 9293 §3.8.3), the 2MSL timer of TIME_WAIT
(restarted when the table says a retransmitted FIN restarts it), and an
optional user timeout (RFC 9293 §3.10.8).

Two Linux behaviours beyond RFC 9293's state table are options of an
endpoint: accepting a new SYN in TIME_WAIT (``tcp_timewait_state_process`` in
``net/ipv4/tcp_minisocks.c``: the SYN's sequence number is after RCV.NXT, or
its timestamp is newer, see
:func:`~tcpmodel.sim.sequence.time_wait_accepts_syn`) and ``tcp_tw_reuse``
(``tcp_twsk_unique`` in ``net/ipv4/tcp_ipv4.c``). Both end the TIME_WAIT early
through the table's own ``TIMEOUT`` edge and open a new incarnation whose ISN
is the old SND.NXT plus ``LINUX_TW_ISN_OFFSET`` (65535 + 2), as Linux does:
above every sequence number of the old incarnation, condition (1) of RFC 9293
§3.6.1 (MAY-2). Like Linux, the engine does not do condition (2), returning to
TIME_WAIT if the SYN was an old duplicate.

The engine takes such a SYN whether or not a ``listen()`` is pending: an
endpoint is one TCB, which cannot listen while it holds the TIME_WAIT, so it
reopens the connection "directly from TIME-WAIT state" as MAY-2 words it.
Linux takes the SYN only if a socket listens on the port: ``tcp_v4_rcv()``
(``net/ipv4/tcp_ipv4.c``) looks the listener up on ``TCP_TW_SYN`` and, when
there is none, falls through to ``TCP_TW_ACK`` and only ACKs the SYN. A
``listen()`` parked until the TIME_WAIT ends stands for that listener and is
consumed by the SYN.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from tcpmodel.sim.sequence import (
    LINUX_TW_ISN_OFFSET,
    IsnGenerator,
    TimestampClock,
    acceptable,
    paws_reject,
    seq_add,
    seq_le,
    seq_lt,
    time_wait_accepts_syn,
)
from tcpmodel.sim.trace import Delivery, Segment, TimerSpan, Trace, TransitionRecord
from tcpmodel.states import Event, InvalidTransition, State, transition, valid_events

__all__ = ["Engine", "MAX_EVENTS"]

#: A run that needs more events than this is a bug (a retransmission loop without a limit).
MAX_EVENTS = 200_000

# The states where the table accepts a CLOSE call (RFC 9293 §3.10.4), asked of the table itself.
_OPEN_FOR_CLOSE = frozenset(s for s in State if Event.CLOSE in valid_events(s))
_RECEIVES_DATA = {State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2}
_CAN_TRANSMIT = {State.ESTABLISHED, State.CLOSE_WAIT}

# RFC 9293 §3.10.7.4 signals "connection reset" on a RST in ESTABLISHED,
# FIN_WAIT_1/2 and CLOSE_WAIT (the table's ``user_error``) but names no signal in
# CLOSING and LAST_ACK; RFC 9293 §3.5.3 says only that the receiver of a valid RST there
# "aborts the connection and advises the user". Linux tcp_reset() (net/ipv4/tcp_input.c) sets sk_err = ECONNRESET
# there too (every state but SYN_SENT, CLOSE_WAIT and CLOSE), so the
# application learns its close did not complete cleanly.
_LINUX_RESET_ERROR = {State.CLOSING: "connection reset", State.LAST_ACK: "connection reset"}


@dataclass
class _Tcb:
    """One endpoint's transmission control block (RFC 9293 §3.3.1)."""

    name: str
    peer: str
    cfg: Any
    state: State = State.CLOSED
    incarnation: int = 0
    passive: bool = False
    iss: int = 0
    irs: int = 0
    snd_una: int = 0
    snd_nxt: int = 0
    rcv_nxt: int = 0
    fin_seq: int | None = None
    peer_fin: int | None = None
    rtx: list = field(default_factory=list)
    rto: float = 1.0
    retries: int = 0
    rtx_gen: int = 0
    rtx_span: TimerSpan | None = None
    tw_gen: int = 0
    tw_span: TimerSpan | None = None
    ut_gen: int = 0
    ts_on: bool = False
    ts_recent: int | None = None
    ts_recent_time: float = 0.0
    ooo: dict = field(default_factory=dict)
    pending: list = field(default_factory=list)
    next_iss: int | None = None
    last_oow_ack: float = -1e9

    @property
    def local(self) -> tuple:
        return self.cfg.addr

    def four_tuple(self, peer_addr: tuple) -> tuple:
        return (*self.cfg.addr, *peer_addr)


class Engine:
    """Run one :class:`~tcpmodel.sim.scenarios.Scenario` and return its :class:`Trace`.

    Use :func:`tcpmodel.sim.simulate` rather than this class directly.
    """

    def __init__(self, scenario: Any) -> None:
        self.sc = scenario
        self.msl = float(scenario.msl)
        self.t = 0.0
        self._queue: list = []
        self._order = itertools.count()
        self._seg_index = 0
        self.trace = Trace(scenario=scenario.name, params=dict(scenario.params), msl=self.msl)
        self.tcb = {
            "A": _Tcb("A", "B", scenario.endpoints["A"]),
            "B": _Tcb("B", "A", scenario.endpoints["B"]),
        }
        for name, tcb in self.tcb.items():
            tcb.rto = tcb.cfg.rto
            self.trace.states[name].append((0.0, tcb.state))
        self._isn = {name: IsnGenerator(tcb.cfg.isn, seed=scenario.seed + (0 if name == "A" else 1), fixed=tcb.cfg.isn_fixed) for name, tcb in self.tcb.items()}
        self._waiting: list = []  # calls waiting for a state entry: [call, remaining, endpoint, state, delay]
        self._parked: list = []  # refused opens to retry once the endpoint is CLOSED
        self._last_effective = 0.0  # time of the last event that changed something
        scenario.network.reset()

    # ------------------------------------------------------------------ queue
    def _push(self, t: float, kind: str, *data: Any) -> None:
        # Round to a nanosecond so that sums like 1.1 + 0.05 print as they read.
        heapq.heappush(self._queue, (round(t, 9), next(self._order), kind, data))

    def run(self) -> Trace:
        """Process every event until none is left (or ``until`` is reached)."""
        for call in self.sc.calls:
            at = call.at
            if isinstance(at, (int, float)):
                self._push(float(at), "call", call)
            else:
                self._waiting.append([call, at.nth, at.endpoint, at.state, at.delay])
        until = self.sc.until
        processed = 0
        while self._queue:
            t, _, kind, data = heapq.heappop(self._queue)
            if until is not None and t > until:
                break
            self.t = t
            processed += 1
            if processed > MAX_EVENTS:
                raise RuntimeError(f"simulation did not settle after {MAX_EVENTS} events; check retry limits and calls")
            getattr(self, f"_on_{kind}")(*data)
        self.trace.end_time = self._last_effective
        for seg in self.trace.segments:
            if not seg.outcome:
                seg.outcome = "lost" if seg.lost else "still in flight when the run ended"
        for span in self.trace.timers:
            if span.end is None:
                span.end = self.t
                span.outcome = span.outcome or "running when the run ended"
        return self.trace

    # ------------------------------------------------------------- the table
    def _apply(self, tcb: _Tcb, event: Event, cause: Segment | None = None, *, note: str = "") -> Any:
        """Take the table's transition for ``event`` and send what it says."""
        before = tcb.state
        tr = transition(before, event, opened="passive open" if tcb.passive else "active open")
        next_state = tr.next
        skip_time_wait = tr.starts_2msl and before != State.TIME_WAIT and not tcb.cfg.time_wait
        if skip_time_wait:
            # time_wait=False is the counterfactual the course studies: the TCB is
            # deleted at once instead of entering TIME_WAIT. Linux does exactly this
            # when it cannot make a timewait socket (tcp_max_tw_buckets reached):
            # net/ipv4/tcp_minisocks.c tcp_time_wait() falls back to tcp_done().
            next_state = State.CLOSED
        self.trace.transitions.append(
            TransitionRecord(self.t, tcb.name, before, event, next_state, tuple(tr.send), getattr(tr, "rfc", ""))
        )
        if cause is not None and cause.event is None:
            cause.event = event
        self._set_state(tcb, next_state)
        if skip_time_wait:
            self.trace.log.append((self.t, tcb.name, "time_wait=False: TIME_WAIT skipped, connection deleted at once"))
        elif tr.starts_2msl:
            self._start_2msl(tcb, restarted=before == State.TIME_WAIT)
        if event == Event.RCV_RST and before != State.TIME_WAIT:
            message = tr.user_error or _LINUX_RESET_ERROR.get(before)
            if message and tr.next != before:
                self._error(tcb, message)
        for what in tr.send:
            if event == Event.SEND and what == "ACK":
                continue  # the data segment itself carries the ACK
            self._emit(tcb, what, cause)
        if note:
            self.trace.log.append((self.t, tcb.name, note))
        return tr

    def _set_state(self, tcb: _Tcb, new: State) -> None:
        if new == tcb.state:
            return
        self._last_effective = self.t
        tcb.state = new
        self.trace.states[tcb.name].append((self.t, new))
        if new == State.CLOSED or (new == State.LISTEN and tcb.incarnation and self.trace.states[tcb.name][-2][1] != State.CLOSED):
            # CLOSED deletes the TCB; a passive connection sent back to LISTEN
            # (RFC 9293 §3.10.7.4, RST in SYN_RECEIVED) flushes its queues and timers.
            self._delete_tcb(tcb)
        if new == State.FIN_WAIT_2 and tcb.cfg.fin_wait_2_timeout is not None:
            tcb.ut_gen += 1
            self._push(self.t + tcb.cfg.fin_wait_2_timeout, "fin_wait_2", tcb.name, tcb.ut_gen)
        for entry in self._waiting:
            call, remaining, ep, state, delay = entry
            if remaining > 0 and ep == tcb.name and state == new:
                entry[1] -= 1
                if entry[1] == 0:
                    if delay == 0:
                        # "as soon as it enters the state": before anything else due at this instant
                        heapq.heappush(self._queue, (round(self.t, 9), -next(self._order), "call", (call,)))
                    else:
                        self._push(self.t + delay, "call", call)
        if new == State.CLOSED:
            parked, self._parked = [p for p in self._parked if p.endpoint == tcb.name], [p for p in self._parked if p.endpoint != tcb.name]
            for call in parked:
                self._push(self.t, "call", call)

    def _delete_tcb(self, tcb: _Tcb) -> None:
        """CLOSED: the TCB is deleted, with its timers and queues."""
        self._stop_rtx(tcb, "cancelled")
        tcb.ut_gen += 1
        if tcb.tw_span is not None:
            tcb.tw_gen += 1
            if tcb.tw_span.end is None:
                tcb.tw_span.end = self.t
                tcb.tw_span.outcome = tcb.tw_span.outcome or "ended early"
            tcb.tw_span = None
        tcb.rtx.clear()
        tcb.ooo.clear()
        tcb.pending.clear()

    # ----------------------------------------------------------- user calls
    def _error(self, tcb: _Tcb, message: str) -> None:
        self.trace.errors[tcb.name].append(message)
        self.trace.log.append((self.t, tcb.name, f"error: {message}"))

    def _on_call(self, call: Any) -> None:
        tcb = self.tcb[call.endpoint]
        action = call.action
        if call.if_closed and tcb.state != State.CLOSED:
            self.trace.log.append((self.t, tcb.name, f"{action} skipped: the endpoint is {tcb.state.name}"))
            return
        if call.if_open and tcb.state not in _OPEN_FOR_CLOSE:
            self.trace.log.append((self.t, tcb.name, f"{action} skipped: the application has closed ({tcb.state.name})"))
            return
        if action in ("connect", "listen"):
            self._open(tcb, call)
        elif action == "send":
            self._send_call(tcb, call)
        elif action == "close":
            if tcb.cfg.linger_zero:
                self._abort(tcb, note="close() with SO_LINGER {on, 0}: abort, send RST (Linux __tcp_close -> tcp_disconnect)")
            else:
                self._user(tcb, Event.CLOSE)
        elif action == "abort":
            self._abort(tcb)
        else:  # pragma: no cover - Call validates its action
            raise ValueError(f"unknown action {action!r}")

    def _user(self, tcb: _Tcb, event: Event, **kw: Any) -> Any:
        try:
            return self._apply(tcb, event, **kw)
        except InvalidTransition as exc:
            self._error(tcb, _rfc_answer(exc))
            return None

    def _abort(self, tcb: _Tcb, note: str = "") -> None:
        if tcb.state == State.CLOSED:
            self._user(tcb, Event.ABORT)
            return
        self._user(tcb, Event.ABORT, note=note)

    def _open(self, tcb: _Tcb, call: Any) -> None:
        active = call.action == "connect"
        next_iss = None
        if tcb.state == State.TIME_WAIT and active and tcb.cfg.tw_reuse and tcb.ts_on and self.t - tcb.ts_recent_time >= 1.0:
            # After Linux tcp_twsk_unique(), simplified: reuse the TIME_WAIT 4-tuple for an
            # outgoing connection when timestamps are on and >= 1 s passed since the last
            # one. The kernel's delay depends on its version (tcpmodel.facts
            # "tw_reuse_delay_by_version", socket_rules.tw_reuse_allows); the named
            # "tw_reuse" scenario uses that rule, not this flag.
            next_iss = seq_add(tcb.snd_nxt, LINUX_TW_ISN_OFFSET)
            self.trace.log.append((self.t, tcb.name, "tcp_tw_reuse: TIME_WAIT 4-tuple reused for a new outgoing connection"))
            if tcb.tw_span is not None:
                tcb.tw_span.outcome = "ended early by tcp_tw_reuse"
            self._apply(tcb, Event.TIMEOUT)
        if tcb.state == State.TIME_WAIT:
            # The open stands for the application's bind() and listen()/connect(). On Linux it is bind() that
            # fails, and its conflict is on the local address and port, not the 4-tuple: inet_bind_conflict()
            # (net/ipv4/inet_connection_sock.c) finds the TIME_WAIT socket bound to that port (tcpmodel.facts
            # "so_reuseaddr_rebind"; neither socket sets SO_REUSEADDR here).
            if call.retry:
                self.trace.log.append((self.t, tcb.name, f"{call.action}: address in use (a TIME_WAIT socket holds the local "
                                                         "address and port); retrying when it ends"))
                self._parked.append(call)
            else:
                self._error(tcb, "address already in use (EADDRINUSE): TIME_WAIT holds the port")
            return
        if tcb.state != State.CLOSED:
            self._user(tcb, Event.ACTIVE_OPEN if active else Event.PASSIVE_OPEN)  # the table's error answer
            return
        self._new_incarnation(tcb, passive=not active, iss=next_iss)
        if active:
            self._apply(tcb, Event.ACTIVE_OPEN)
        else:
            self._apply(tcb, Event.PASSIVE_OPEN)

    def _new_incarnation(self, tcb: _Tcb, *, passive: bool, iss: int | None = None) -> None:
        tcb.incarnation += 1
        tcb.passive = passive
        tcb.fin_seq = tcb.peer_fin = None
        tcb.rto = tcb.cfg.rto
        tcb.retries = 0
        tcb.ts_on = False
        tcb.ts_recent = None
        tcb.next_iss = iss
        if not passive:
            self._choose_iss(tcb)

    def _choose_iss(self, tcb: _Tcb) -> None:
        if tcb.next_iss is not None:
            tcb.iss = tcb.next_iss
        else:
            peer = self.tcb[tcb.peer].cfg.addr
            tcb.iss = self._isn[tcb.name].isn(self.t, tcb.four_tuple(peer), draw=tcb.incarnation)
        tcb.snd_una = tcb.snd_nxt = tcb.iss

    def _send_call(self, tcb: _Tcb, call: Any) -> None:
        tr = self._user(tcb, Event.SEND)
        if tr is None:
            return
        item = (call.payload, call.length)
        if tcb.state in _CAN_TRANSMIT:
            self._send_data(tcb, *item)
        else:
            tcb.pending.append(item)

    def _flush_pending(self, tcb: _Tcb) -> None:
        while tcb.pending and tcb.state in _CAN_TRANSMIT:
            self._send_data(tcb, *tcb.pending.pop(0))

    # ------------------------------------------------------------- sending
    def _tsopts(self, tcb: _Tcb, syn: bool) -> tuple:
        if not tcb.cfg.timestamps or not (tcb.ts_on or syn):
            return None, None
        clock = TimestampClock(offset=tcb.cfg.ts_offset, hz=tcb.cfg.ts_hz)
        return clock.tsval(self.t), (tcb.ts_recent or 0)

    def _transmit(self, tcb: _Tcb, flags: str, seq: int, ack: int, payload: str | None = None, length: int = 0, *, rtx: bool = False) -> Segment:
        tsval, tsecr = self._tsopts(tcb, syn="SYN" in flags.split("+"))
        seg = Segment(
            index=self._seg_index,
            t_sent=self.t,
            src=tcb.name,
            dst=tcb.peer,
            flags=flags,
            seq=seq,
            ack=ack,
            payload=payload,
            length=length,
            incarnation=max(tcb.incarnation, 1),
            tsval=tsval,
            tsecr=tsecr,
            retransmission=rtx,
            sender_state=tcb.state,
        )
        self._seg_index += 1
        self._last_effective = self.t
        arrivals = self.sc.network.fate(seg, msl=self.msl)
        self.trace.segments.append(seg)
        for i, delay in enumerate(arrivals):
            copy = seg if i == 0 else replace(seg, duplicate_of=seg.index)
            copy.t_arrived = round(self.t + delay, 9)
            if i:
                self.trace.segments.append(copy)
            self._push(copy.t_arrived, "arrive", copy)
        return seg

    def _queue_for_rtx(self, tcb: _Tcb, flags: str, seq: int, payload: str | None, length: int) -> None:
        tcb.rtx.append({"flags": flags, "seq": seq, "payload": payload, "length": length})
        if tcb.rtx_span is None:
            self._arm_rtx(tcb)
        if tcb.cfg.user_timeout is not None and len(tcb.rtx) == 1:
            tcb.ut_gen += 1
            self._push(self.t + tcb.cfg.user_timeout, "user_timeout", tcb.name, tcb.ut_gen)

    def _send_data(self, tcb: _Tcb, payload: str, length: int) -> None:
        seq = tcb.snd_nxt
        tcb.snd_nxt = seq_add(seq, length)
        self._transmit(tcb, "ACK", seq, tcb.rcv_nxt, payload, length)
        self._queue_for_rtx(tcb, "ACK", seq, payload, length)

    def _emit(self, tcb: _Tcb, what: str, cause: Segment | None) -> None:
        """Turn one entry of ``Transition.send`` into a segment with real numbers."""
        parts = set(what.split("+"))
        if "RST" in parts:
            self._emit_rst(tcb, cause)
        elif "SYN" in parts:
            # SYN_RECEIVED answers with SYN+ACK; an active open sends a bare SYN.
            flags = "SYN+ACK" if ("ACK" in parts or tcb.state == State.SYN_RECEIVED) else "SYN"
            seq = tcb.iss
            tcb.snd_nxt = seq_add(seq, 1)
            self._transmit(tcb, flags, seq, tcb.rcv_nxt if flags == "SYN+ACK" else 0)
            tcb.rtx = [e for e in tcb.rtx if "SYN" not in e["flags"]]
            self._queue_for_rtx(tcb, flags, seq, None, 0)
        elif "FIN" in parts:
            seq = tcb.snd_nxt
            tcb.fin_seq = seq
            tcb.snd_nxt = seq_add(seq, 1)
            self._transmit(tcb, "FIN+ACK", seq, tcb.rcv_nxt)
            self._queue_for_rtx(tcb, "FIN+ACK", seq, None, 0)
        elif "ACK" in parts:
            self._transmit(tcb, "ACK", tcb.snd_nxt, tcb.rcv_nxt)
        else:  # pragma: no cover - the table only sends the five kinds
            raise ValueError(f"the state table asked to send {what!r}, which the engine does not know")

    def _emit_rst(self, tcb: _Tcb, cause: Segment | None) -> None:
        if cause is not None:
            # RFC 9293 §3.10.7.1/§3.10.7.2: answer a segment with a RST built from it.
            if "ACK" in cause.flags.split("+"):
                self._transmit(tcb, "RST", cause.ack, 0)
            else:
                self._transmit(tcb, "RST+ACK", 0, seq_add(cause.seq, cause.seg_len))
            return
        # ABORT (RFC 9293 §3.10.5): <SEQ=SND.NXT><CTL=RST>.
        self._transmit(tcb, "RST", tcb.snd_nxt, 0)

    def _send_ack(self, tcb: _Tcb) -> None:
        self._transmit(tcb, "ACK", tcb.snd_nxt, tcb.rcv_nxt)

    def _send_oow_ack(self, tcb: _Tcb, seg: Segment) -> None:
        """ACK an out-of-window segment, at most once per ``invalid_ratelimit`` seconds.

        Linux rate-limits these ACKs (``tcp_oow_rate_limited``, sysctl
        ``tcp_invalid_ratelimit``, 500 ms by default, ip-sysctl.rst) so that two
        endpoints that disagree about the sequence space cannot start an ACK storm.
        """
        if self.t - tcb.last_oow_ack < tcb.cfg.invalid_ratelimit:
            seg.outcome += " (ACK rate-limited)"
            return
        tcb.last_oow_ack = self.t
        self._send_ack(tcb)

    # --------------------------------------------------------------- timers
    def _arm_rtx(self, tcb: _Tcb) -> None:
        tcb.rtx_gen += 1
        tcb.rtx_span = TimerSpan(tcb.name, "RTO", self.t)
        self.trace.timers.append(tcb.rtx_span)
        self._push(self.t + tcb.rto, "rtx", tcb.name, tcb.rtx_gen)

    def _stop_rtx(self, tcb: _Tcb, outcome: str) -> None:
        tcb.rtx_gen += 1
        if tcb.rtx_span is not None:
            tcb.rtx_span.end = self.t
            tcb.rtx_span.outcome = outcome
            tcb.rtx_span = None

    def _on_rtx(self, name: str, gen: int) -> None:
        tcb = self.tcb[name]
        if gen != tcb.rtx_gen or not tcb.rtx:
            return
        tcb.rtx_span.end = self.t
        tcb.rtx_span.outcome = "expired"
        tcb.rtx_span = None
        if tcb.retries >= tcb.cfg.max_retries:
            self._give_up(tcb, "connection timed out (ETIMEDOUT): retransmission limit reached")
            return
        tcb.retries += 1
        tcb.rto = min(tcb.rto * 2, tcb.cfg.rto_max)  # RFC 6298 §5, rule (5.5): back off the timer
        entry = tcb.rtx[0]
        ack = tcb.rcv_nxt if "ACK" in entry["flags"].split("+") else 0
        self._transmit(tcb, entry["flags"], entry["seq"], ack, entry["payload"], entry["length"], rtx=True)
        self._arm_rtx(tcb)

    def _on_user_timeout(self, name: str, gen: int) -> None:
        tcb = self.tcb[name]
        if gen != tcb.ut_gen or not tcb.rtx or tcb.state == State.CLOSED:
            return
        self._give_up(tcb, "connection aborted due to user timeout")

    def _on_fin_wait_2(self, name: str, gen: int) -> None:
        tcb = self.tcb[name]
        if gen != tcb.ut_gen or tcb.state != State.FIN_WAIT_2:
            return
        # Linux tcp_fin_timeout: an orphaned FIN_WAIT_2 connection is deleted, no RST.
        self._give_up(tcb, "", note="FIN_WAIT_2 timeout (Linux tcp_fin_timeout): connection deleted")

    def _give_up(self, tcb: _Tcb, message: str, note: str = "") -> None:
        """RFC 9293 §3.8.3 (R2) and §3.10.8: tell the user and delete the TCB.

        The table's ABORT edge gives the next state; no RST is sent, as Linux
        ``tcp_write_err()`` sends none (``net/ipv4/tcp_timer.c``).
        """
        if message:
            self._error(tcb, message)
        if note:
            self.trace.log.append((self.t, tcb.name, note))
        before = tcb.state
        tr = transition(before, Event.ABORT)
        self.trace.transitions.append(TransitionRecord(self.t, tcb.name, before, Event.ABORT, tr.next, (), getattr(tr, "rfc", "")))
        self._set_state(tcb, tr.next)

    def _start_2msl(self, tcb: _Tcb, *, restarted: bool) -> None:
        length = tcb.cfg.time_wait_len if tcb.cfg.time_wait_len is not None else 2 * self.msl
        if tcb.tw_span is not None:
            tcb.tw_span.end = self.t
            tcb.tw_span.outcome = "restarted"
        tcb.tw_gen += 1
        tcb.tw_span = TimerSpan(tcb.name, "2MSL", self.t)
        self.trace.timers.append(tcb.tw_span)
        self._push(self.t + length, "tw", tcb.name, tcb.tw_gen)

    def _on_tw(self, name: str, gen: int) -> None:
        tcb = self.tcb[name]
        if gen != tcb.tw_gen or tcb.state != State.TIME_WAIT:
            return
        tcb.tw_span.end = self.t
        tcb.tw_span.outcome = "expired"
        tcb.tw_span = None
        self._apply(tcb, Event.TIMEOUT)

    # ------------------------------------------------------------ receiving
    def _on_arrive(self, seg: Segment) -> None:
        self._last_effective = self.t
        tcb = self.tcb[seg.dst]
        flags = set(seg.flags.split("+"))
        state = tcb.state
        if state == State.CLOSED:
            self._arrive_closed(tcb, seg, flags)
        elif state == State.LISTEN:
            self._arrive_listen(tcb, seg, flags)
        elif state == State.SYN_SENT:
            self._arrive_syn_sent(tcb, seg, flags)
        else:
            self._arrive_other(tcb, seg, flags)

    @staticmethod
    def _event_for(flags: set) -> Event:
        if "RST" in flags:
            return Event.RCV_RST
        if "SYN" in flags:
            return Event.RCV_SYN_ACK if "ACK" in flags else Event.RCV_SYN
        if "FIN" in flags:
            return Event.RCV_FIN
        return Event.RCV_ACK

    def _arrive_closed(self, tcb: _Tcb, seg: Segment, flags: set) -> None:
        # RFC 9293 §3.10.7.1: no TCB. The table says what to answer.
        tr = self._apply(tcb, self._event_for(flags), seg)
        seg.outcome = "no connection (CLOSED): " + ("answered with RST" if tr.send else "discarded")

    def _arrive_listen(self, tcb: _Tcb, seg: Segment, flags: set) -> None:
        # RFC 9293 §3.10.7.2: RST first, then any ACK is bad, then SYN.
        if "RST" in flags:
            self._apply(tcb, Event.RCV_RST, seg)
            seg.outcome = "RST in LISTEN: ignored"
        elif "ACK" in flags:
            tr = self._apply(tcb, Event.RCV_ACK, seg)
            seg.outcome = "ACK in LISTEN: " + ("answered with RST" if tr.send else "discarded")
        elif "SYN" in flags:
            hook = tcb.cfg.accept_syn
            if hook is not None and not hook(seg, self.t):
                seg.outcome = "SYN dropped by the listener's filter"
                return
            self._take_syn(tcb, seg)
            self._apply(tcb, Event.RCV_SYN, seg)
            seg.outcome = "SYN accepted: new connection"
        else:
            seg.outcome = "discarded in LISTEN (no SYN, no ACK)"

    def _take_syn(self, tcb: _Tcb, seg: Segment) -> None:
        tcb.irs = seg.seq
        tcb.rcv_nxt = seq_add(seg.seq, 1)
        if tcb.cfg.timestamps and seg.tsval is not None:
            tcb.ts_on = True
            tcb.ts_recent = seg.tsval
            tcb.ts_recent_time = self.t
        if tcb.state in (State.LISTEN, State.CLOSED):
            self._choose_iss(tcb)

    def _arrive_syn_sent(self, tcb: _Tcb, seg: Segment, flags: set) -> None:
        # RFC 9293 §3.10.7.3.
        ack_ok = None
        if "ACK" in flags:
            ack_ok = seq_lt(tcb.iss, seg.ack) and seq_le(seg.ack, tcb.snd_nxt)
            if not ack_ok:
                if "RST" not in flags:
                    self._transmit(tcb, "RST", seg.ack, 0)
                    seg.outcome = "unacceptable ACK in SYN_SENT: answered with RST"
                else:
                    seg.outcome = "RST with unacceptable ACK: discarded"
                return
        if "RST" in flags:
            if ack_ok:
                self._apply(tcb, Event.RCV_RST, seg)
                seg.outcome = "RST: connection refused"
            else:
                seg.outcome = "RST without ACK in SYN_SENT: discarded"
            return
        if "SYN" not in flags:
            seg.outcome = "discarded in SYN_SENT (no SYN)"
            return
        self._take_syn(tcb, seg)
        if ack_ok:
            self._ack_advance(tcb, seg.ack)
            self._apply(tcb, Event.RCV_SYN_ACK, seg)
            self._flush_pending(tcb)
            seg.outcome = "SYN+ACK: connection established"
        else:
            self._apply(tcb, Event.RCV_SYN, seg)
            seg.outcome = "SYN in SYN_SENT: simultaneous open"

    def _ack_advance(self, tcb: _Tcb, ack: int) -> bool:
        """Move SND.UNA to ``ack``; prune the retransmission queue. True if anything new was ACKed."""
        if not seq_lt(tcb.snd_una, ack):
            return False
        tcb.snd_una = ack

        def end(e: dict) -> int:
            extra = sum(1 for f in ("SYN", "FIN") if f in e["flags"].split("+"))
            return seq_add(e["seq"], e["length"] + extra)

        tcb.rtx = [e for e in tcb.rtx if not seq_le(end(e), ack)]
        tcb.retries = 0
        tcb.rto = tcb.cfg.rto
        self._stop_rtx(tcb, "cancelled: ACKed")
        if tcb.rtx:
            self._arm_rtx(tcb)
        else:
            tcb.ut_gen += 1
        return True

    def _arrive_other(self, tcb: _Tcb, seg: Segment, flags: set) -> None:
        state = tcb.state
        rst, syn, fin, has_ack = "RST" in flags, "SYN" in flags, "FIN" in flags, "ACK" in flags
        paws = tcb.ts_on and paws_reject(seg.tsval, tcb.ts_recent, rst=rst)

        # Linux tcp_timewait_state_process(): a new SYN in TIME_WAIT (TCP_TW_SYN).
        if state == State.TIME_WAIT and syn and not rst and not has_ack and tcb.cfg.accept_syn_in_time_wait:
            why = time_wait_accepts_syn(seg.seq, tcb.rcv_nxt, tsval=seg.tsval if tcb.ts_on else None,
                                        ts_recent=tcb.ts_recent if tcb.ts_on else None)
            if why is not None:
                test = ("its sequence number is after RCV.NXT (the sequence branch of Linux's own test)" if why == "sequence"
                        else "its timestamp is newer than the last one seen (the Timestamp Option 'meets "
                             "expectations', RFC 9293 §3.10.7.4, after RFC 6191)")
                iss = seq_add(tcb.snd_nxt, LINUX_TW_ISN_OFFSET)
                # Linux hands the SYN to the listening socket (tcp_v4_rcv, TCP_TW_SYN). A listen() parked until
                # this 4-tuple leaves TIME_WAIT stands for that listener: the SYN's passive open below is its
                # work, so it must not run again afterwards against the new connection.
                waiting = [c for c in self._parked if c.endpoint == tcb.name and c.action == "listen"]
                if waiting:
                    self._parked = [c for c in self._parked if not any(c is w for w in waiting)]
                    self.trace.log.append((self.t, tcb.name, "the waiting listen() takes the SYN (Linux tcp_v4_rcv hands "
                                                             "a TCP_TW_SYN to the listener); it is not retried"))
                if tcb.tw_span is not None:
                    tcb.tw_span.outcome = "ended early: new SYN accepted"
                self._apply(tcb, Event.TIMEOUT, note=f"new SYN accepted in TIME_WAIT because {test}; Linux tcp_timewait_state_process")
                self._new_incarnation(tcb, passive=True, iss=iss)
                self._apply(tcb, Event.PASSIVE_OPEN)
                self._take_syn(tcb, seg)
                tcb.snd_una = tcb.snd_nxt = tcb.iss = iss
                seg.event = None
                self._apply(tcb, Event.RCV_SYN, seg)
                seg.outcome = (f"SYN accepted in TIME_WAIT ({why} test): new incarnation, own ISN = old SND.NXT + "
                               f"{LINUX_TW_ISN_OFFSET} (RFC 9293 §3.6.1 MAY-2 condition 1)")
                return

        if paws:
            seg.outcome = "PAWS: timestamp older than TS.Recent; ACKed and dropped (RFC 7323 §5.3, inferred)"
            self._send_oow_ack(tcb, seg)
            return

        dup_fin = fin and not rst and tcb.peer_fin is not None and seq_add(seg.seq, seg.length) == tcb.peer_fin
        if not dup_fin and not acceptable(seg.seq, seg.seg_len, tcb.rcv_nxt, tcb.cfg.rcv_wnd):
            if rst:
                seg.outcome = "RST outside the window: discarded (RFC 9293 §3.10.7.4)"
            else:
                seg.outcome = "not acceptable (RFC 9293 Table 6): ACKed and dropped"
                self._send_oow_ack(tcb, seg)
            return

        if rst:
            if tcb.cfg.rfc5961 and seg.seq != tcb.rcv_nxt:
                # RFC 9293 §3.10.7.4 second check with the optional RFC 5961 §3.2 mitigation (section inferred)
                # (Linux tcp_validate_incoming): an in-window RST that is not exactly at
                # RCV.NXT only earns a challenge ACK.
                seg.outcome = "RST in window but not at RCV.NXT: challenge ACK (RFC 5961 §3.2, inferred)"
                self._send_oow_ack(tcb, seg)
                return
            if state == State.TIME_WAIT and tcb.cfg.rfc1337:
                seg.outcome = "RST in TIME_WAIT ignored (RFC 1337 §3, Linux tcp_rfc1337=1)"
                return
            self._apply(tcb, Event.RCV_RST, seg)
            seg.outcome = f"RST accepted in {state.name}"
            return

        if syn:
            tr = self._apply(tcb, Event.RCV_SYN, seg)
            seg.outcome = f"SYN in {state.name}: " + ("challenge ACK (RFC 9293 §3.10.7.4; RFC 5961 §4, inferred)" if tr.send else "discarded")
            return

        if not has_ack:
            seg.outcome = "no ACK bit: discarded (RFC 9293 §3.10.7.4)"
            return

        # ---- ACK processing (RFC 9293 §3.10.7.4 "fifth, check the ACK field")
        fin_in_order = fin and tcb.peer_fin is None and seg.seq == tcb.rcv_nxt
        if state == State.SYN_RECEIVED:
            if seq_lt(tcb.snd_una, seg.ack) and seq_le(seg.ack, tcb.snd_nxt):
                self._ack_advance(tcb, seg.ack)
                self._apply(tcb, Event.RCV_ACK, seg)
                self._flush_pending(tcb)
            else:
                self._transmit(tcb, "RST", seg.ack, 0)
                seg.outcome = "unacceptable ACK in SYN_RECEIVED: answered with RST"
                return
        else:
            if seq_lt(tcb.snd_nxt, seg.ack):
                seg.outcome = "ACKs data never sent: ACKed and dropped"
                self._send_oow_ack(tcb, seg)
                return
            fin_outstanding = tcb.fin_seq is not None and seq_le(tcb.snd_una, tcb.fin_seq)
            self._ack_advance(tcb, seg.ack)
            fin_acked = fin_outstanding and seq_lt(tcb.fin_seq, seg.ack)
            if fin_acked and not (fin_in_order or dup_fin):
                self._apply(tcb, Event.RCV_ACK, seg)
                if tcb.state == State.CLOSED:
                    seg.outcome = "ACK of our FIN: connection closed"
                    return
            # else: a FIN that ACKs our FIN is one RCV_FIN_ACK event, below
        if tcb.ts_on and seg.tsval is not None and seq_le(seg.seq, tcb.rcv_nxt):
            tcb.ts_recent = seg.tsval  # RFC 7323 §4.3 (inferred; RFC 1323 §3.4's rule)
            tcb.ts_recent_time = self.t

        # ---- data (RFC 9293 §3.10.7.4 "seventh, process the segment text")
        delivered_any = False
        if seg.length and tcb.state in _RECEIVES_DATA:
            if seq_le(tcb.rcv_nxt, seg.seq) and seg.seq not in tcb.ooo:
                tcb.ooo[seg.seq] = (seg.length, seg.payload, seg.incarnation, seg)
            while tcb.rcv_nxt in tcb.ooo:
                length, payload, inc, held = tcb.ooo.pop(tcb.rcv_nxt)
                tcb.rcv_nxt = seq_add(tcb.rcv_nxt, length)
                self.trace.delivered[tcb.name].append(payload)
                self.trace.deliveries.append(Delivery(self.t, tcb.name, payload, tcb.incarnation, inc))
                delivered_any = True
                if held is not seg and inc < tcb.incarnation:
                    # an old segment that waited in the reassembly queue is delivered now: say so on its own row
                    held.outcome += f"; delivered at {self.t:.2f} s: OLD DUPLICATE from incarnation {inc} accepted"
            seg.outcome = "data delivered" if delivered_any else "data buffered out of order" if seg.seq != tcb.rcv_nxt else "duplicate data"
            if seg.incarnation < tcb.incarnation and delivered_any:
                seg.outcome += f": OLD DUPLICATE from incarnation {seg.incarnation} accepted"
        elif seg.length:
            seg.outcome = f"data after FIN in {tcb.state.name}: ignored"

        # ---- FIN (RFC 9293 §3.10.7.4 "eighth, check the FIN bit")
        fin_acks_ours = tcb.fin_seq is not None and seq_lt(tcb.fin_seq, seg.ack)
        fin_event = Event.RCV_FIN_ACK if fin_acks_ours else Event.RCV_FIN
        if dup_fin:
            tr = self._apply(tcb, fin_event, seg)
            seg.outcome = "retransmitted FIN: " + ("ACKed" if tr.send else "") + (", 2MSL restarted" if tr.restart_2msl else "")
            return
        if fin and tcb.peer_fin is None and seq_add(seg.seq, seg.length) == tcb.rcv_nxt:
            tcb.peer_fin = tcb.rcv_nxt
            tcb.rcv_nxt = seq_add(tcb.rcv_nxt, 1)
            self._apply(tcb, fin_event, seg)
            seg.outcome = (seg.outcome + "; " if seg.outcome else "") + "FIN accepted"
            return
        if seg.length:
            self._send_ack(tcb)
        elif not seg.outcome:
            seg.outcome = "ACK" + (" (FIN out of order, dropped)" if fin else "")


def _rfc_answer(exc: Exception) -> str:
    for attr in ("answer", "rfc_answer", "error"):
        value = getattr(exc, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(exc)
