"""The TCP state machine of RFC 9293, as one table.

Theory of operation
-------------------
Every rule lives in :data:`TABLE`: for each of the 11 :class:`State` s and
each :class:`Event` (a user call, an arriving segment or the 2MSL timer) it
holds either a :class:`Transition` (the next state, the segments sent, the
RFC 9293 section that decides it and a short note) or a :class:`Refusal`
(the error string RFC 9293 returns to a user call, such as
``"connection closing"``). :func:`transition` looks a row up; a refusal is
raised as :class:`InvalidTransition`. An arriving segment or a timer never
raises: where RFC 9293 discards a segment or answers it without a change of
state, the row says so.

The module is sans-I/O, in the spirit of h11's ``_state.py``: the
simulator, :mod:`tcpmodel.graph`, the diagram and the widgets all read this
one table, and nothing else holds a copy of a rule.

A few rows depend on how the connection was opened, which a table keyed by
(state, event) alone cannot decide: in SYN-RECEIVED a RST returns a
passively opened connection to LISTEN but closes an actively opened one
(RFC 9293 §3.10.7.4, second check). :data:`TABLE` holds the row for the case
in which the event normally arrives, :data:`OPEN_DEPENDENT` holds the rows
for the other kind of open, and :class:`TcpEndpoint` remembers how it was
opened and picks the right one.

Where RFC 793, RFC 1122, RFC 1337, RFC 6191, FreeBSD or Linux answer a row
differently from RFC 9293 in a way the course teaches, :data:`VARIANTS`
records it as data (who says what, the source and, for Linux, the kernel
versions).

Abstractions. Segments are reduced to the control bits that decide the
state: ``RCV_ACK`` is an acceptable ACK of our outstanding SYN or FIN,
``RCV_FIN`` a FIN that does not acknowledge our FIN, ``RCV_FIN_ACK`` a FIN
whose ACK also acknowledges our FIN, ``RCV_RST`` an acceptable RST (in the window; for a
stack with the blind-reset mitigation of RFC 9293 §3.10.7.4, second check,
exactly at RCV.NXT). Data segments, the RECEIVE and STATUS calls,
the user and retransmission timeouts, security/compartment and urgent data
are not modelled. ``send`` lists control segments only: a SEND call's data
segments are not listed.

Examples
--------
>>> t = transition(State.ESTABLISHED, Event.CLOSE)
>>> t.next, t.send, t.rfc
(<State.FIN_WAIT_1: 'FIN-WAIT-1'>, ('FIN',), 'RFC 9293 §3.10.4')
>>> transition(State.TIME_WAIT, Event.RCV_FIN).restart_2msl
True
>>> transition(State.FIN_WAIT_1, Event.CLOSE)
Traceback (most recent call last):
...
tcpmodel.states.InvalidTransition: CLOSE in FIN_WAIT_1 (FIN-WAIT-1): RFC 9293 §3.10.4 answers "error: connection closing"
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Union

from tcpmodel import linux as _linux

__all__ = [
    "State",
    "Event",
    "Transition",
    "Refusal",
    "InvalidTransition",
    "Variant",
    "transition",
    "valid_events",
    "TcpEndpoint",
    "TABLE",
    "OPEN_DEPENDENT",
    "VARIANTS",
    "SEGMENTS",
    "SYNCHRONIZED",
    "variants_for",
    "EndpointPair",
    "Step",
    "SEGMENT_EVENT",
    "HANDSHAKE_AND_CLOSE",
    "SIMULTANEOUS_OPEN_AND_CLOSE",
]


class State(enum.Enum):
    """The 11 states of RFC 9293 §3.3.2 (Figure 5). The value is the RFC's spelling.

    Examples
    --------
    >>> len(State)
    11
    >>> State("TIME-WAIT") is State.TIME_WAIT
    True
    """

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"

    @property
    def rfc_name(self) -> str:
        """The state's name as RFC 9293 writes it (``"TIME-WAIT"``)."""
        return self.value

    @property
    def synchronized(self) -> bool:
        """Whether RFC 9293 calls the state synchronized (ESTABLISHED … TIME-WAIT)."""
        return self in SYNCHRONIZED


class Event(enum.Enum):
    """What can happen to an endpoint: a user call, an arriving segment, or the 2MSL timer.

    Examples
    --------
    >>> Event.CLOSE.kind, Event.RCV_FIN.kind, Event.TIMEOUT.kind
    ('user', 'segment', 'timer')
    >>> Event.RCV_SYN_ACK.label
    'rcv SYN+ACK'
    """

    PASSIVE_OPEN = "passive OPEN"
    ACTIVE_OPEN = "active OPEN"
    SEND = "SEND"
    CLOSE = "CLOSE"
    ABORT = "ABORT"
    RCV_SYN = "rcv SYN"
    RCV_SYN_ACK = "rcv SYN+ACK"
    RCV_ACK = "rcv ACK"
    RCV_FIN = "rcv FIN"
    RCV_FIN_ACK = "rcv FIN+ACK of our FIN"
    RCV_RST = "rcv RST"
    TIMEOUT = "2MSL timeout"

    @property
    def kind(self) -> str:
        """``"user"`` (a call), ``"segment"`` (an arriving segment) or ``"timer"``."""
        if self.name.startswith("RCV_"):
            return "segment"
        return "timer" if self is Event.TIMEOUT else "user"

    @property
    def label(self) -> str:
        """A short label for diagrams and buttons."""
        return "rcv FIN+ACK" if self is Event.RCV_FIN_ACK else self.value


#: The control segments a transition may send, as strings.
SEGMENTS = ("SYN", "SYN+ACK", "ACK", "FIN", "RST")

#: The synchronized states of RFC 9293 §3.10.7.4 (fourth check, the SYN bit).
SYNCHRONIZED = frozenset(
    {
        State.ESTABLISHED,
        State.FIN_WAIT_1,
        State.FIN_WAIT_2,
        State.CLOSE_WAIT,
        State.CLOSING,
        State.LAST_ACK,
        State.TIME_WAIT,
    }
)


@dataclass(frozen=True)
class Transition:
    """One row of the table: what ``event`` does in ``state``.

    Attributes
    ----------
    state : State
        The state the event happens in.
    event : Event
        The event.
    next : State
        The state afterwards (``state`` itself when nothing changes).
    send : tuple of str
        Control segments sent, each one of :data:`SEGMENTS`.
    rfc : str
        The RFC 9293 section that decides the row, e.g. ``"RFC 9293 §3.10.7.4"``.
    note : str
        A short explanation for learners.
    user_error : str or None
        The error RFC 9293 signals to the application, in its words
        (``"connection reset"``, ``"connection refused"``), or None.
    restart_2msl : bool
        True when the row (re)starts TIME-WAIT's 2MSL timer while already in TIME-WAIT.
    occurs : bool
        False when the event cannot happen in this state (no 2MSL timer is
        running; or a FIN that acknowledges a FIN we never sent). Such rows
        change nothing and are not offered by :func:`valid_events`.
    condition : str or None
        ``"passive open"`` or ``"active open"`` for the rows that depend on
        how the connection was opened (see :data:`OPEN_DEPENDENT`).
    """

    state: State
    event: Event
    next: State
    send: tuple[str, ...]
    rfc: str
    note: str = ""
    user_error: str | None = None
    restart_2msl: bool = False
    occurs: bool = True
    condition: str | None = None

    @property
    def changes_state(self) -> bool:
        """Whether ``next`` differs from ``state``."""
        return self.next is not self.state

    @property
    def starts_2msl(self) -> bool:
        """Whether the 2MSL timer starts or restarts (entering or staying in TIME-WAIT on a FIN)."""
        return self.restart_2msl or (self.next is State.TIME_WAIT and self.state is not State.TIME_WAIT)


@dataclass(frozen=True)
class Refusal:
    """A user call that RFC 9293 answers with an error; the state does not change."""

    state: State
    event: Event
    answer: str
    rfc: str
    note: str = ""


class InvalidTransition(ValueError):
    """A user call that RFC 9293 refuses in this state ("error: connection closing", …).

    Attributes
    ----------
    state, event : State, Event
        Where it was refused.
    answer : str
        The RFC's error string without the ``"error: "`` prefix.
    rfc : str
        The section that says so.
    """

    def __init__(self, state: State, event: Event, answer: str, rfc: str) -> None:
        self.state = state
        self.event = event
        self.answer = answer
        self.rfc = rfc
        super().__init__(f'{event.name} in {state.name} ({state.rfc_name}): {rfc} answers "error: {answer}"')


Row = Union[Transition, Refusal]


@dataclass(frozen=True)
class Variant:
    """Where another source answers a row of :data:`TABLE` differently.

    Attributes
    ----------
    state, event : State, Event
        The row.
    source : str
        Who says it: ``"RFC 793"``, ``"RFC 1337"``, ``"Linux"``…
    behaviour : str
        What that source does, in one sentence.
    next : State or None
        The state it leads to (None where it does not map onto one row).
    send : tuple of str
        The control segments it sends.
    reference : str
        Where to read it: an RFC section, or a Linux file and symbol.
    kernels : str or None
        For Linux, the kernel versions the behaviour holds for. Every Linux
        row was read in the Linux 6.12 source (several also in 6.18: the
        ledger names the version of each file read); the bounds 3.6 and 6.11
        come from the commits named in ``reference``, whose first releases
        are inferred (see their ledger entries); "2.0" and "2.6" mark
        behaviour already present in code of that era, not checked release
        by release.
    user_error : str or None
        The error the application sees, where it differs.
    """

    state: State
    event: Event
    source: str
    behaviour: str
    next: State | None
    send: tuple[str, ...]
    reference: str
    kernels: str | None = None
    user_error: str | None = None

    def describe(self) -> str:
        """One line: who, what they do, and where to read it.

        Examples
        --------
        >>> print(variants_for(State.TIME_WAIT, Event.RCV_RST)[0].describe())  # doctest: +ELLIPSIS
        RFC 1337: Ignore a RST in TIME-WAIT ... [RFC 1337 §3, fix (F1) ...]
        """
        where = self.reference + (f"; Linux {self.kernels}" if self.kernels else "")
        return f"{self.source}: {self.behaviour} [{where}]"


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

S, E = State, Event
_OPEN = "RFC 9293 §3.10.1"
_SEND = "RFC 9293 §3.10.2"
_CLOSE = "RFC 9293 §3.10.4"
_ABORT = "RFC 9293 §3.10.5"
_CLOSED_SEG = "RFC 9293 §3.10.7.1"
_LISTEN_SEG = "RFC 9293 §3.10.7.2"
_SYNSENT_SEG = "RFC 9293 §3.10.7.3"
_OTHER_SEG = "RFC 9293 §3.10.7.4"
_TIMEOUTS = "RFC 9293 §3.10.8"

_rows: dict[tuple[State, Event], Row] = {}


def _t(state: State, event: Event, next_: State, send: Iterable[str] = (), rfc: str = "", note: str = "", **kw: object) -> None:
    _rows[(state, event)] = Transition(state, event, next_, tuple(send), rfc, note, **kw)  # type: ignore[arg-type]


def _r(state: State, event: Event, answer: str, rfc: str, note: str = "") -> None:
    _rows[(state, event)] = Refusal(state, event, answer, rfc, note)


_AFTER_OUR_FIN = (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)

# --- OPEN (§3.10.1) --------------------------------------------------------
_t(S.CLOSED, E.PASSIVE_OPEN, S.LISTEN, (), _OPEN, "Passive OPEN: create the TCB and wait for a SYN.")
_t(S.CLOSED, E.ACTIVE_OPEN, S.SYN_SENT, ("SYN",), _OPEN, "Active OPEN: choose an ISS and send <SEQ=ISS><CTL=SYN>.")
_t(S.LISTEN, E.ACTIVE_OPEN, S.SYN_SENT, ("SYN",), _OPEN,
   "An active OPEN with the remote socket specified turns the listening TCB active and sends a SYN.")
_r(S.LISTEN, E.PASSIVE_OPEN, "connection already exists", "RFC 9293 §3.9.1.1",
   "Inferred: §3.10.1 answers only an active OPEN in LISTEN. §3.9.1.1: every passive OPEN 'either creates a new "
   "connection record in LISTEN state, or it returns an error'; the course uses the error §3.10.1 gives OPEN in "
   "the other states.")
for _s in (S.SYN_SENT, S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT):
    for _e in (E.PASSIVE_OPEN, E.ACTIVE_OPEN):
        _r(_s, _e, "connection already exists", _OPEN, "OPEN is only for a connection that does not exist yet.")

# --- SEND (§3.10.2) --------------------------------------------------------
_r(S.CLOSED, E.SEND, "connection does not exist", _SEND, "There is no TCB to send on.")
_t(S.LISTEN, E.SEND, S.SYN_SENT, ("SYN",), _SEND,
   "With the remote socket specified, SEND turns the listening TCB active and sends a SYN; the data goes "
   "with the SYN or is queued until ESTABLISHED.")
_t(S.SYN_SENT, E.SEND, S.SYN_SENT, (), _SEND, "The data is queued for transmission after entering ESTABLISHED.")
_t(S.SYN_RECEIVED, E.SEND, S.SYN_RECEIVED, (), _SEND, "The data is queued for transmission after entering ESTABLISHED.")
_t(S.ESTABLISHED, E.SEND, S.ESTABLISHED, (), _SEND,
   "The data is segmentized and sent with a piggybacked ACK; no control segment, no change of state.")
_t(S.CLOSE_WAIT, E.SEND, S.CLOSE_WAIT, (), _SEND,
   "Half-close: the peer has sent its FIN, but we may still send data until we CLOSE.")
for _s in _AFTER_OUR_FIN:
    _r(_s, E.SEND, "connection closing", _SEND, "We have sent our FIN: no more data may follow it.")

# --- CLOSE (§3.10.4) -------------------------------------------------------
_r(S.CLOSED, E.CLOSE, "connection does not exist", _CLOSE, "There is no TCB to close.")
_t(S.LISTEN, E.CLOSE, S.CLOSED, (), _CLOSE,
   'Delete the TCB; outstanding RECEIVEs are returned with "error: closing".')
_t(S.SYN_SENT, E.CLOSE, S.CLOSED, (), _CLOSE,
   'Delete the TCB; queued SENDs and RECEIVEs get "error: closing". No segment is sent.')
_t(S.SYN_RECEIVED, E.CLOSE, S.FIN_WAIT_1, ("FIN",), _CLOSE,
   "With nothing left to send, form a FIN, send it and enter FIN-WAIT-1 (otherwise the CLOSE waits for ESTABLISHED).")
_t(S.ESTABLISHED, E.CLOSE, S.FIN_WAIT_1, ("FIN",), _CLOSE,
   "Active close: after the queued data, send a FIN and enter FIN-WAIT-1.")
_t(S.CLOSE_WAIT, E.CLOSE, S.LAST_ACK, ("FIN",), _CLOSE,
   "Passive close: the peer's FIN has arrived; send ours and wait for its ACK in LAST-ACK.")
for _s in (S.FIN_WAIT_1, S.FIN_WAIT_2):
    _r(_s, E.CLOSE, "connection closing", _CLOSE,
       'Strictly an error; §3.10.4 also allows "ok" as long as no second FIN is sent.')
for _s in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT):
    _r(_s, E.CLOSE, "connection closing", _CLOSE, "Our FIN has already been sent.")

# --- ABORT (§3.10.5) -------------------------------------------------------
_r(S.CLOSED, E.ABORT, "connection does not exist", _ABORT, "There is no TCB to abort.")
_t(S.LISTEN, E.ABORT, S.CLOSED, (), _ABORT,
   'Delete the TCB silently; outstanding RECEIVEs get "error: connection reset".')
_t(S.SYN_SENT, E.ABORT, S.CLOSED, (), _ABORT,
   'Delete the TCB silently; queued SENDs and RECEIVEs get "connection reset".')
for _s in (S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT):
    _t(_s, E.ABORT, S.CLOSED, ("RST",), _ABORT,
       'Send <SEQ=SND.NXT><CTL=RST>, flush the queues, give queued calls "connection reset", delete the TCB.')
for _s in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT):
    _t(_s, E.ABORT, S.CLOSED, (), _ABORT,
       'Respond "ok" and delete the TCB: both FINs are sent, so no RST is needed.')

# --- Segments in CLOSED (§3.10.7.1) -----------------------------------------
for _e in (E.RCV_SYN, E.RCV_SYN_ACK, E.RCV_ACK, E.RCV_FIN, E.RCV_FIN_ACK):
    _t(S.CLOSED, _e, S.CLOSED, ("RST",), _CLOSED_SEG,
       "No connection: any segment without RST is answered with a RST whose numbers the sender will accept.")
_t(S.CLOSED, E.RCV_RST, S.CLOSED, (), _CLOSED_SEG, "A RST arriving for no connection is discarded.")

# --- Segments in LISTEN (§3.10.7.2) -----------------------------------------
_t(S.LISTEN, E.RCV_RST, S.LISTEN, (), _LISTEN_SEG,
   "A RST cannot belong to this incarnation: ignore it.")
_t(S.LISTEN, E.RCV_SYN, S.SYN_RECEIVED, ("SYN+ACK",), _LISTEN_SEG,
   "Passive open: record IRS, choose ISS, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.")
for _e, _what in ((E.RCV_SYN_ACK, "A SYN+ACK"), (E.RCV_ACK, "An ACK"), (E.RCV_FIN, "A FIN (it carries an ACK)"),
                  (E.RCV_FIN_ACK, "A FIN+ACK")):
    _t(S.LISTEN, _e, S.LISTEN, ("RST",), _LISTEN_SEG,
       f"{_what} bears an ACK, which is bad in LISTEN: answer <SEQ=SEG.ACK><CTL=RST>. A FIN is never processed here.")

# --- Segments in SYN-SENT (§3.10.7.3) ---------------------------------------
_t(S.SYN_SENT, E.RCV_SYN_ACK, S.ESTABLISHED, ("ACK",), _SYNSENT_SEG,
   "Our SYN is ACKed and theirs arrives: send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and enter ESTABLISHED.")
_t(S.SYN_SENT, E.RCV_SYN, S.SYN_RECEIVED, ("SYN+ACK",), _SYNSENT_SEG,
   "Simultaneous open (RFC 9293 Figure 7): a SYN without ACK; enter SYN-RECEIVED and send "
   "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, re-sending our SYN with an ACK of theirs.")
_t(S.SYN_SENT, E.RCV_RST, S.CLOSED, (), _SYNSENT_SEG,
   'A RST with an acceptable ACK: signal "error: connection reset", delete the TCB.', user_error="connection reset")
_t(S.SYN_SENT, E.RCV_ACK, S.SYN_SENT, (), _SYNSENT_SEG,
   "An acceptable ACK without SYN or RST: neither bit is set, so drop the segment (fifth step).")
_t(S.SYN_SENT, E.RCV_FIN, S.SYN_SENT, (), _SYNSENT_SEG,
   "Neither SYN nor RST: drop it. A FIN is not processed in SYN-SENT because SEG.SEQ cannot be validated.")
_t(S.SYN_SENT, E.RCV_FIN_ACK, S.SYN_SENT, ("RST",), _SYNSENT_SEG,
   "Its ACK would acknowledge a FIN we never sent (SEG.ACK > SND.NXT): send <SEQ=SEG.ACK><CTL=RST>, discard.",
   occurs=False)

# --- Segments in SYN-RECEIVED (§3.10.7.4) -----------------------------------
_t(S.SYN_RECEIVED, E.RCV_ACK, S.ESTABLISHED, (), _OTHER_SEG,
   "Fifth check: SND.UNA < SEG.ACK =< SND.NXT acknowledges our SYN; enter ESTABLISHED. Nothing is sent.")
_t(S.SYN_RECEIVED, E.RCV_SYN_ACK, S.ESTABLISHED, (), "RFC 9293 §3.5",
   "Simultaneous open, RFC 9293 Figure 7 lines 6-7: the peer's SYN,ACK acknowledges our SYN; enter ESTABLISHED "
   "and send nothing more. Only an actively opened endpoint can receive it (a passive one returns to LISTEN). "
   "The figure decides this row: read literally, the event processing of §3.10.7.4 finds the SYN's sequence "
   "number (the IRS) below RCV.NXT and answers the segment with an ACK instead.",
   condition="active open")
_t(S.SYN_RECEIVED, E.RCV_RST, S.LISTEN, (), _OTHER_SEG,
   "Second check: a passively opened connection returns to LISTEN; the user need not be informed.",
   condition="passive open")
_t(S.SYN_RECEIVED, E.RCV_SYN, S.LISTEN, (), _OTHER_SEG,
   "Fourth check: a SYN in SYN-RECEIVED returns a passively opened connection to LISTEN. (An exact "
   "retransmission of the first SYN fails the sequence check first and is answered with an ACK.)",
   condition="passive open")
_t(S.SYN_RECEIVED, E.RCV_FIN, S.CLOSE_WAIT, ("ACK",), _OTHER_SEG,
   "Its ACK completes the handshake (fifth check), then the FIN is ACKed and the connection enters CLOSE-WAIT (eighth check).")
_t(S.SYN_RECEIVED, E.RCV_FIN_ACK, S.SYN_RECEIVED, ("RST",), _OTHER_SEG,
   "Its ACK would acknowledge a FIN we never sent: not acceptable, answer <SEQ=SEG.ACK><CTL=RST>.", occurs=False)
_t(S.SYN_RECEIVED, E.TIMEOUT, S.SYN_RECEIVED, (), _TIMEOUTS, "No 2MSL timer runs outside TIME-WAIT.", occurs=False)

# --- Segments in the synchronized states (§3.10.7.4) -------------------------
_CHALLENGE = ("Fourth check: a SYN in a synchronized state gets a challenge ACK "
              "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and is dropped; the connection is kept (the blind-reset "
              "mitigation RFC 9293 §3.10.7.4 describes; without it, RFC 793's rule applies: see VARIANTS).")
for _s in sorted(SYNCHRONIZED, key=lambda s: list(State).index(s)):
    _t(_s, E.RCV_SYN, _s, ("ACK",), _OTHER_SEG,
       _CHALLENGE + (" RFC 9293 also allows accepting a new connection here: MAY-2 of §3.6.1, and when the "
                     "Timestamp Option meets expectations (RFC 6191); see VARIANTS." if _s is S.TIME_WAIT else ""))
    _t(_s, E.RCV_SYN_ACK, _s, ("ACK",), _OTHER_SEG,
       "A SYN+ACK here is a retransmission (our ACK of it was lost) or stale: " + _CHALLENGE)

for _s in (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT):
    _t(_s, E.RCV_RST, S.CLOSED, (), _OTHER_SEG,
       'Second check: outstanding calls get "reset", queues are flushed, the user is signalled "connection reset"; '
       "delete the TCB.", user_error="connection reset")
for _s in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT):
    _t(_s, E.RCV_RST, S.CLOSED, (), _OTHER_SEG,
       "Second check: enter CLOSED and delete the TCB." + (
           " This is TIME-WAIT assassination (RFC 1337); see VARIANTS." if _s is S.TIME_WAIT else ""))

# ACK processing (fifth check)
_t(S.ESTABLISHED, E.RCV_ACK, S.ESTABLISHED, (), _OTHER_SEG,
   "No SYN or FIN of ours is outstanding: the ACK only advances SND.UNA.")
_t(S.CLOSE_WAIT, E.RCV_ACK, S.CLOSE_WAIT, (), _OTHER_SEG,
   "Same processing as ESTABLISHED: the ACK only advances SND.UNA.")
_t(S.FIN_WAIT_1, E.RCV_ACK, S.FIN_WAIT_2, (), _OTHER_SEG,
   "Our FIN is acknowledged: enter FIN-WAIT-2 and wait for the peer's FIN.")
_t(S.FIN_WAIT_2, E.RCV_ACK, S.FIN_WAIT_2, (), _OTHER_SEG,
   'Our FIN is already acknowledged; the user\'s CLOSE can be answered "ok", but the TCB stays.')
_t(S.CLOSING, E.RCV_ACK, S.TIME_WAIT, (), _OTHER_SEG,
   "Simultaneous close: the ACK of our FIN arrives; enter TIME-WAIT and start the 2MSL timer.")
_t(S.LAST_ACK, E.RCV_ACK, S.CLOSED, (), _OTHER_SEG,
   "The ACK of our FIN: delete the TCB and enter CLOSED. The passive closer never waits in TIME-WAIT.")
_t(S.TIME_WAIT, E.RCV_ACK, S.TIME_WAIT, (), _OTHER_SEG,
   "Nothing of ours is outstanding; a duplicate ACK changes nothing (only a retransmitted FIN is expected here).")

# FIN processing (eighth check)
_t(S.ESTABLISHED, E.RCV_FIN, S.CLOSE_WAIT, ("ACK",), _OTHER_SEG,
   'Passive close begins: ACK the FIN, signal "connection closing" to the user, enter CLOSE-WAIT.')
_t(S.FIN_WAIT_1, E.RCV_FIN, S.CLOSING, ("ACK",), _OTHER_SEG,
   "Simultaneous close: the peer's FIN arrives before the ACK of ours; ACK it and enter CLOSING.")
_t(S.FIN_WAIT_1, E.RCV_FIN_ACK, S.TIME_WAIT, ("ACK",), _OTHER_SEG,
   "The FIN also ACKs our FIN (our FIN has been ACKed 'perhaps in this segment'): ACK it, enter TIME-WAIT, start the 2MSL timer.")
_t(S.FIN_WAIT_2, E.RCV_FIN, S.TIME_WAIT, ("ACK",), _OTHER_SEG,
   "The peer's FIN: ACK it, enter TIME-WAIT, start the 2MSL timer. The active closer waits here.")
_t(S.FIN_WAIT_2, E.RCV_FIN_ACK, S.TIME_WAIT, ("ACK",), _OTHER_SEG,
   "The peer's FIN (its ACK repeats the ACK of our FIN): ACK it, enter TIME-WAIT, start the 2MSL timer.")
_t(S.CLOSE_WAIT, E.RCV_FIN, S.CLOSE_WAIT, ("ACK",), _OTHER_SEG,
   "A retransmitted FIN (our ACK was lost): ACK it again and remain in CLOSE-WAIT.")
_t(S.CLOSING, E.RCV_FIN, S.CLOSING, ("ACK",), _OTHER_SEG,
   "A retransmitted FIN: ACK it again and remain in CLOSING.")
_t(S.CLOSING, E.RCV_FIN_ACK, S.TIME_WAIT, ("ACK",), _OTHER_SEG,
   "A retransmitted FIN whose ACK now covers our FIN: the ACK moves CLOSING to TIME-WAIT (fifth check), "
   "then the FIN is ACKed (eighth check).")
_t(S.LAST_ACK, E.RCV_FIN, S.LAST_ACK, ("ACK",), _OTHER_SEG,
   "A retransmitted FIN (our ACK was lost): ACK it again and remain in LAST-ACK.")
_t(S.LAST_ACK, E.RCV_FIN_ACK, S.CLOSED, (), _OTHER_SEG,
   "Its ACK acknowledges our FIN: the fifth check deletes the TCB and returns before the FIN is looked at.")
_t(S.TIME_WAIT, E.RCV_FIN, S.TIME_WAIT, ("ACK",), _OTHER_SEG,
   "A retransmission of the peer's FIN (our last ACK was lost): ACK it and restart the 2MSL timer.",
   restart_2msl=True)
_t(S.TIME_WAIT, E.RCV_FIN_ACK, S.TIME_WAIT, ("ACK",), _OTHER_SEG,
   "A retransmission of the peer's FIN: ACK it and restart the 2MSL timer.", restart_2msl=True)
for _s in (S.ESTABLISHED, S.CLOSE_WAIT):
    _t(_s, E.RCV_FIN_ACK, _s, ("ACK",), _OTHER_SEG,
       "Its ACK acknowledges a FIN we never sent (SEG.ACK > SND.NXT): send an ACK and drop the segment.",
       occurs=False)

# --- TIME-WAIT timeout (§3.10.8) ---------------------------------------------
_t(S.TIME_WAIT, E.TIMEOUT, S.CLOSED, (), _TIMEOUTS,
   "The time-wait timeout (2MSL) expires: delete the TCB and enter CLOSED.")
for _s in State:
    if (_s, E.TIMEOUT) not in _rows:
        _t(_s, E.TIMEOUT, _s, (), _TIMEOUTS, "No 2MSL timer runs outside TIME-WAIT: nothing happens.", occurs=False)

#: Every (state, event) pair: a Transition, or a Refusal of a user call.
TABLE: Mapping[tuple[State, Event], Row] = MappingProxyType(dict(_rows))

#: Rows that differ when the connection was opened the other way (keyed by
#: (state, event, "passive open" | "active open")). TABLE holds the other case.
OPEN_DEPENDENT: Mapping[tuple[State, Event, str], Transition] = MappingProxyType(
    {
        (S.SYN_RECEIVED, E.RCV_RST, "active open"): Transition(
            S.SYN_RECEIVED, E.RCV_RST, S.CLOSED, (), _OTHER_SEG,
            'Second check: an actively opened connection (simultaneous open) was refused: signal "connection refused", '
            "delete the TCB.", user_error="connection refused", condition="active open"),
        (S.SYN_RECEIVED, E.RCV_SYN, "active open"): Transition(
            S.SYN_RECEIVED, E.RCV_SYN, S.SYN_RECEIVED, ("ACK",), _OTHER_SEG,
            "Fourth check: an actively opened connection handles the SYN as a synchronized state does: "
            "challenge ACK, segment dropped.", condition="active open"),
        (S.SYN_RECEIVED, E.RCV_SYN_ACK, "passive open"): Transition(
            S.SYN_RECEIVED, E.RCV_SYN_ACK, S.LISTEN, (), _OTHER_SEG,
            "Fourth check: a segment with SYN returns a passively opened connection to LISTEN (a SYN+ACK cannot "
            "be part of a handshake we answered).", occurs=False, condition="passive open"),
    }
)

#: Where other sources differ from RFC 9293, as data (see :class:`Variant`).
VARIANTS: tuple[Variant, ...] = (
    Variant(S.TIME_WAIT, E.RCV_RST, "RFC 1337",
            "Ignore a RST in TIME-WAIT (remedy for TIME-WAIT assassination hazards); stay until 2MSL expires.",
            S.TIME_WAIT, (), "RFC 1337 §3, fix (F1) 'Ignore RST segments in TIME-WAIT state'"),
    Variant(S.TIME_WAIT, E.RCV_RST, "Linux",
            "An in-window RST with SEG.SEQ == RCV.NXT kills the timewait socket at once (assassination), "
            "unless net.ipv4.tcp_rfc1337=1, which ignores it and keeps TIME-WAIT; the default is 0.",
            S.CLOSED, (), "net/ipv4/tcp_minisocks.c: tcp_timewait_state_process (sysctl_tcp_rfc1337); "
            "Documentation/networking/ip-sysctl.rst: tcp_rfc1337", kernels="2.6 – 6.18"),
    Variant(S.TIME_WAIT, E.RCV_SYN, "RFC 1122",
            "MAY accept a new SYN and reopen the connection directly from TIME-WAIT (MAY-2) if the host (1) gives "
            "the new connection its OWN initial sequence number larger than the largest sequence number it used "
            "on the old incarnation, and (2) returns to TIME-WAIT if the SYN turns out to be an old duplicate. "
            "The rule is about the ISN this host chooses; it sets no test on the incoming SYN's sequence number.",
            S.SYN_RECEIVED, ("SYN+ACK",), "RFC 9293 §3.6.1 (MAY-2), first stated in RFC 1122 §4.2.2.13"),
    Variant(S.TIME_WAIT, E.RCV_SYN, "RFC 6191",
            "With the Timestamp Option, accept the SYN as a new incarnation if its timestamp is greater than the "
            "last one seen on the old incarnation (that exact test is inferred: RFC 6191's section 2 was read only "
            "as quoted in a netdev review). "
            "RFC 9293 calls this a Best Current Practice that SHOULD be "
            "implemented (SHLD-4), and its fourth check says new connections can be accepted in TIME-WAIT when "
            "the Timestamp Option meets expectations.",
            S.SYN_RECEIVED, ("SYN+ACK",), "RFC 6191; RFC 9293 §3.6.1 (SHLD-4) and §3.10.7.4 (fourth check)"),
    Variant(S.TIME_WAIT, E.RCV_SYN, "FreeBSD",
            "The BSD heuristic: a SYN whose sequence number is above the previous connection's RCV.NXT closes the "
            "TIME-WAIT and is handed to the listener; other SYNs get an ACK.",
            S.SYN_RECEIVED, ("SYN+ACK",), "FreeBSD sys/netinet/tcp_timewait.c: tcp_twcheck ('start over if the "
            "sequence numbers are above the previous ones')"),
    Variant(S.TIME_WAIT, E.RCV_SYN, "Linux",
            "Linux's own test: a SYN (no ACK, no RST) that PAWS does not reject, with SEG.SEQ after RCV.NXT or "
            "a newer timestamp (the test attributed to RFC 6191 above), returns TCP_TW_SYN. Its sequence branch "
            "makes the comparison of the FreeBSD row; the PAWS check before it and the timestamp branch are "
            "Linux's. If a socket listens on the port, the timewait socket is removed and the listener answers "
            "SYN+ACK with ISN = old SND.NXT + "
            "65537, meeting MAY-2's condition (1); with no listener the SYN gets an ACK. Condition (2) is not met: "
            "the source's own comment says 'we violate main RFC requirement' if the SYN was an old duplicate. "
            "Other SYNs get an ACK (rate-limited); the timer is restarted only for a SYN that PAWS rejected.",
            S.SYN_RECEIVED, ("SYN+ACK",), "net/ipv4/tcp_minisocks.c: tcp_timewait_state_process (TCP_TW_SYN, "
            "'RED-PEN' comment); net/ipv4/tcp_ipv4.c: tcp_v4_rcv (case TCP_TW_SYN)", kernels="2.6 – 6.18"),
    Variant(S.TIME_WAIT, E.RCV_ACK, "Linux",
            "Any segment with ACK and without RST restarts the TIME-WAIT timer (TCP_TIMEWAIT_LEN): an in-window "
            "bare ACK (SEG.SEQ == RCV.NXT) silently, any other with an ACK in reply (rate-limited).",
            S.TIME_WAIT, (), "net/ipv4/tcp_minisocks.c: tcp_timewait_state_process (inet_twsk_reschedule)",
            kernels="2.6 – 6.18"),
    Variant(S.FIN_WAIT_2, E.TIMEOUT, "Linux",
            "An orphaned FIN-WAIT-2 socket (the application has closed it) is not kept forever: after "
            f"net.ipv4.tcp_fin_timeout (default {_linux.TCP_FIN_TIMEOUT_S:g} s, TCP_FIN_TIMEOUT) it is deleted "
            "without a TIME-WAIT, unless the peer's FIN arrives first, which moves it to TIME-WAIT. "
            "RFC 9293 has no such timer.",
            S.CLOSED, (), "net/ipv4/tcp.c: __tcp_close (tcp_fin_time); include/net/tcp.h: TCP_FIN_TIMEOUT; "
            "Documentation/networking/ip-sysctl.rst: tcp_fin_timeout", kernels="2.6 – 6.18"),
    Variant(S.SYN_SENT, E.RCV_RST, "Linux",
            "The application sees ECONNREFUSED (\"connection refused\"), where RFC 9293 signals \"connection reset\".",
            S.CLOSED, (), "net/ipv4/tcp_input.c: tcp_reset (case TCP_SYN_SENT: ECONNREFUSED)",
            kernels="2.0 – 6.18", user_error="connection refused"),
    Variant(S.CLOSE_WAIT, E.RCV_RST, "Linux",
            "The application sees EPIPE (\"broken pipe\"), where RFC 9293 signals \"connection reset\".",
            S.CLOSED, (), "net/ipv4/tcp_input.c: tcp_reset (case TCP_CLOSE_WAIT: EPIPE)",
            kernels="2.0 – 6.18", user_error="broken pipe"),
    Variant(S.SYN_RECEIVED, E.RCV_SYN, "Linux",
            "A passively opened connection is a request socket: a retransmission of the first SYN makes it "
            "retransmit the SYN+ACK; any other in-window SYN is answered with a RST and the request is dropped "
            "(the listener stays in LISTEN).",
            S.LISTEN, ("RST",), "net/ipv4/tcp_minisocks.c: tcp_check_req (embryonic_reset)",
            kernels="2.6 – 6.18"),
    Variant(S.CLOSE_WAIT, E.CLOSE, "RFC 793",
            "RFC 793 §3.9 says CLOSE in CLOSE-WAIT enters CLOSING; RFC 1122 §4.2.2.20 (a) corrects it to LAST-ACK, "
            "as RFC 9293 has it.", S.CLOSING, ("FIN",), "RFC 793 §3.9 (CLOSE Call, p. 61); RFC 1122 §4.2.2.20 (a)"),
    Variant(S.ESTABLISHED, E.RCV_SYN, "RFC 793",
            "RFC 793's rule, which RFC 9293 keeps for stacks without the challenge-ACK mitigation: an in-window "
            "SYN in a synchronized state is an error: send a RST, signal \"connection reset\", enter CLOSED.",
            S.CLOSED, ("RST",),
            "RFC 793 §3.9 (fourth, check the SYN bit); RFC 9293 §3.10.7.4"),
    Variant(S.SYN_RECEIVED, E.RCV_SYN_ACK, "Linux",
            "Simultaneous open: an actively opened socket in SYN-RECV accepts the peer's SYN+ACK when it "
            "acknowledges our SYN and repeats their SYN (seq + 1 == RCV.NXT), and enters ESTABLISHED, as RFC 9293 "
            "Figure 7 shows; other SYNs get a challenge ACK. (Observed on 6.18.44: a socket that connects to its "
            "own port, a simultaneous open, counts no TCPSYNChallenge.)", S.ESTABLISHED, (),
            "net/ipv4/tcp_input.c: tcp_validate_incoming; commit 23e89e8ee7be "
            "'tcp: Don't drop SYN+ACK for simultaneous connect().'",
            kernels="6.11 – 6.18 (6.11 inferred: a net-next commit of July 2024 that 6.10.y took as a backport), and "
                    "the 6.1.y, 6.6.y and 6.10.y stable series from their backports of September 2024"),
    Variant(S.SYN_RECEIVED, E.RCV_SYN_ACK, "Linux",
            "Before commit 23e89e8ee7be, the SYN+ACK of a simultaneous open was dropped with the challenge ACK of "
            "RFC 9293 §3.10.7.4 (fourth check); the connection reached ESTABLISHED on the peer's ACK instead.",
            S.SYN_RECEIVED, ("ACK",),
            "net/ipv4/tcp_input.c: tcp_validate_incoming; commit 0c24604b68fc 'tcp: implement RFC 5961 4.2', as "
            "commit 23e89e8ee7be's message describes it",
            kernels="3.6 – 6.10 (3.6 inferred: commit 0c24604b68fc's own message and first release were not read), "
                    "and 6.1.y, 6.6.y and 6.10.y before their September 2024 backports"),
)


def variants_for(state: State, event: Event) -> tuple[Variant, ...]:
    """The recorded differences from RFC 9293 for one row.

    Examples
    --------
    >>> [v.source for v in variants_for(State.TIME_WAIT, Event.RCV_RST)]
    ['RFC 1337', 'Linux']
    """
    return tuple(v for v in VARIANTS if v.state is state and v.event is event)


# ---------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------

_OPEN_KINDS = ("passive open", "active open")


def _coerce(name: str, value: object, enum_type: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        for member in enum_type:  # accept "TIME_WAIT", "TIME-WAIT" and "time_wait"
            if value.upper() in (member.name, str(member.value).upper()):
                return member
    listed = ", ".join(m.name for m in enum_type)
    raise ValueError(f"{name} must be one of {listed}; got {value!r}")


def _lookup(state: State, event: Event, opened: str | None) -> Row:
    if opened is not None:
        override = OPEN_DEPENDENT.get((state, event, opened))
        if override is not None:
            return override
    return TABLE[(state, event)]


def transition(state: State | str, event: Event | str, *, opened: str | None = None) -> Transition:
    """What ``event`` does to a connection in ``state``, per RFC 9293 §3.10.

    Parameters
    ----------
    state : State or str
        The current state (a :class:`State`, or its name such as ``"SYN_SENT"``).
    event : Event or str
        The event (an :class:`Event`, or its name such as ``"RCV_FIN"``).
    opened : {None, "passive open", "active open"}
        How the connection was opened. Only a few SYN-RECEIVED rows depend on
        it (:data:`OPEN_DEPENDENT`); None gives the row for the usual case.

    Returns
    -------
    Transition
        The next state, the control segments sent, the deciding RFC section.

    Raises
    ------
    InvalidTransition
        If RFC 9293 answers this user call with an error in this state.
    ValueError
        If ``state``, ``event`` or ``opened`` is not one of the valid values.

    Examples
    --------
    >>> transition(State.LISTEN, Event.RCV_SYN).send
    ('SYN+ACK',)
    >>> transition("FIN_WAIT_1", "RCV_FIN_ACK").next
    <State.TIME_WAIT: 'TIME-WAIT'>
    >>> transition(State.SYN_RECEIVED, Event.RCV_RST).next
    <State.LISTEN: 'LISTEN'>
    >>> transition(State.SYN_RECEIVED, Event.RCV_RST, opened="active open").user_error
    'connection refused'
    >>> transition(State.CLOSED, Event.SEND)
    Traceback (most recent call last):
    ...
    tcpmodel.states.InvalidTransition: SEND in CLOSED (CLOSED): RFC 9293 §3.10.2 answers "error: connection does not exist"
    """
    st = _coerce("state", state, State)
    ev = _coerce("event", event, Event)
    if opened is not None and opened not in _OPEN_KINDS:
        raise ValueError(f"opened must be one of None, 'passive open', 'active open'; got {opened!r}")
    row = _lookup(st, ev, opened)  # type: ignore[arg-type]
    if isinstance(row, Refusal):
        raise InvalidTransition(row.state, row.event, row.answer, row.rfc)
    return row


def valid_events(state: State | str, *, opened: str | None = None) -> tuple[Event, ...]:
    """The events that can happen now: user calls RFC 9293 accepts, and segments or timers that can occur.

    Refused user calls are left out, and so are rows with ``occurs=False``
    (the 2MSL timeout outside TIME-WAIT, a FIN acknowledging a FIN we never sent).

    Examples
    --------
    >>> [e.name for e in valid_events(State.FIN_WAIT_2)]
    ['ABORT', 'RCV_SYN', 'RCV_SYN_ACK', 'RCV_ACK', 'RCV_FIN', 'RCV_FIN_ACK', 'RCV_RST']
    >>> Event.TIMEOUT in valid_events(State.TIME_WAIT)
    True
    """
    st = _coerce("state", state, State)
    events = []
    for ev in Event:
        row = _lookup(st, ev, opened)  # type: ignore[arg-type]
        if isinstance(row, Transition) and row.occurs:
            events.append(ev)
    return tuple(events)


# ---------------------------------------------------------------------------
# One endpoint with memory
# ---------------------------------------------------------------------------


class TcpEndpoint:
    """One TCP endpoint: its state, how it was opened, and its history.

    It answers the rows the table alone cannot decide (a RST in SYN-RECEIVED
    returns to LISTEN only after a passive open) by remembering how the
    connection was opened.

    Parameters
    ----------
    name : str
        A label for traces (``"client"``, ``"server"``). A :class:`State`
        given first is taken as ``state``.
    state : State
        The starting state (default CLOSED). Starting in LISTEN counts as a
        passive open.

    Examples
    --------
    >>> server = TcpEndpoint("server")
    >>> for event in (Event.PASSIVE_OPEN, Event.RCV_SYN, Event.RCV_RST):
    ...     _ = server.handle(event)
    >>> server.state, server.opened
    (<State.LISTEN: 'LISTEN'>, 'passive open')
    >>> client = TcpEndpoint("client")
    >>> [client.handle(e).send for e in (Event.ACTIVE_OPEN, Event.RCV_SYN_ACK, Event.CLOSE)]
    [('SYN',), ('ACK',), ('FIN',)]
    >>> [s.name for s in client.path]
    ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1']
    >>> client.handle(Event.SEND)
    Traceback (most recent call last):
    ...
    tcpmodel.states.InvalidTransition: SEND in FIN_WAIT_1 (FIN-WAIT-1): RFC 9293 §3.10.2 answers "error: connection closing"
    """

    def __init__(self, name: str | State = "endpoint", state: State | str = State.CLOSED) -> None:
        if isinstance(name, State):  # TcpEndpoint(State.LISTEN) reads naturally too
            name, state = "endpoint", name
        if not isinstance(name, str):
            raise ValueError(f"name must be a string; got {name!r}")
        self.name = name
        self.initial_state: State = _coerce("state", state, State)  # type: ignore[assignment]
        self.state: State = self.initial_state
        self.opened: str | None = "passive open" if self.state is State.LISTEN else None
        self.history: list[Transition] = []

    def __repr__(self) -> str:
        return f"TcpEndpoint({self.name!r}, state={self.state.name})"

    def transition_for(self, event: Event | str) -> Transition:
        """What ``event`` would do now, without doing it (raises like :func:`transition`)."""
        return transition(self.state, event, opened=self.opened)

    def handle(self, event: Event | str) -> Transition:
        """Apply ``event``; return the transition taken.

        Raises
        ------
        InvalidTransition
            If RFC 9293 refuses this user call now; the endpoint is unchanged.
        """
        ev = _coerce("event", event, Event)
        row = self.transition_for(ev)
        self.history.append(row)
        self.state = row.next
        if row.next is State.CLOSED:
            self.opened = None
        elif row.next is State.LISTEN:
            self.opened = "passive open"
        elif row.state in (State.CLOSED, State.LISTEN) and row.next is State.SYN_SENT:
            self.opened = "active open"
        return row

    #: Aliases of :meth:`handle`.
    process = handle
    apply = handle

    def valid_events(self) -> tuple[Event, ...]:
        """The events that can happen in the current state (see :func:`valid_events`)."""
        return valid_events(self.state, opened=self.opened)

    @property
    def path(self) -> list[State]:
        """The states visited, from the initial state to the current one."""
        return [self.initial_state] + [t.next for t in self.history]

    @property
    def sent(self) -> list[str]:
        """Every control segment sent so far, in order."""
        return [segment for t in self.history for segment in t.send]

    def reset(self) -> None:
        """Forget the history and return to the initial state."""
        self.state = self.initial_state
        self.opened = "passive open" if self.state is State.LISTEN else None
        self.history.clear()


#: The event a control segment causes at the receiver (a FIN is refined by :meth:`EndpointPair.apply`).
SEGMENT_EVENT: Mapping[str, Event] = MappingProxyType(
    {"SYN": Event.RCV_SYN, "SYN+ACK": Event.RCV_SYN_ACK, "ACK": Event.RCV_ACK, "FIN": Event.RCV_FIN, "RST": Event.RCV_RST}
)


@dataclass(frozen=True)
class Step:
    """One step of an :class:`EndpointPair`: who acted, what happened, what was sent.

    ``action`` is the action id (``"client:CLOSE"``, ``"deliver:server"``);
    ``segments`` are the control segments the step put on the wire, each as
    ``(segment, event it will cause at the peer)``.
    """

    index: int
    actor: str
    action: str
    transition: Transition
    segments: tuple[tuple[str, Event], ...]

    def describe(self) -> str:
        """One line for a trace: who, what, the change of state, what was sent, and the deciding section.

        Examples
        --------
        >>> EndpointPair().apply("client:ACTIVE_OPEN").describe()
        'client  active OPEN         CLOSED → SYN-SENT          sends SYN      RFC 9293 §3.10.1'
        """
        t = self.transition
        change = f"{t.state.rfc_name} → {t.next.rfc_name}" if t.changes_state else f"stays {t.state.rfc_name}"
        sent = ", ".join(t.send) or "—"
        return f"{self.actor:<7} {t.event.label:<19} {change:<26} sends {sent:<8} {t.rfc}"


class EndpointPair:
    """Two endpoints joined by a lossless, in-order network: the handshake and the close, step by step.

    Actions are strings: ``"<name>:<EVENT>"`` for a user call or the 2MSL
    timer at endpoint ``name``, and ``"deliver:<name>"`` to deliver the
    oldest segment in flight towards ``name``. :meth:`actions` lists only the
    actions valid now. A FIN sent from CLOSE-WAIT acknowledges the peer's
    FIN, so it arrives as ``RCV_FIN_ACK`` while the peer's FIN is still
    unacknowledged there (see :meth:`delivery_event`); any other FIN as
    ``RCV_FIN``.

    Parameters
    ----------
    names : tuple of two str
        The endpoints' names (default ``("client", "server")``).

    Examples
    --------
    >>> pair = EndpointPair()
    >>> for a in ("server:PASSIVE_OPEN", "client:ACTIVE_OPEN", "deliver:server", "deliver:client", "deliver:server"):
    ...     _ = pair.apply(a)
    >>> pair["client"].state.name, pair["server"].state.name
    ('ESTABLISHED', 'ESTABLISHED')
    >>> pair.actions()
    ['client:SEND', 'client:CLOSE', 'client:ABORT', 'server:SEND', 'server:CLOSE', 'server:ABORT']
    """

    def __init__(self, names: tuple[str, str] = ("client", "server")) -> None:
        if len(names) != 2 or names[0] == names[1] or "deliver" in names:
            raise ValueError(f"names must be two different names other than 'deliver'; got {names!r}")
        self.names = tuple(names)
        self.endpoints = {n: TcpEndpoint(n) for n in names}
        self.in_flight: dict[str, list[tuple[str, Event]]] = {n: [] for n in names}
        self.steps: list[Step] = []

    def __getitem__(self, name: str) -> TcpEndpoint:
        return self.endpoints[name]

    def peer(self, name: str) -> str:
        """The other endpoint's name."""
        return self.names[1] if name == self.names[0] else self.names[0]

    def actions(self) -> list[str]:
        """The actions valid now, in a stable order."""
        out = []
        for name in self.names:
            ep = self.endpoints[name]
            out += [f"{name}:{e.name}" for e in ep.valid_events() if e.kind != "segment"]
        out += [f"deliver:{name}" for name in self.names if self.in_flight[name]]
        return out

    def delivery_event(self, name: str) -> Event:
        """The event the oldest segment in flight towards ``name`` causes if delivered now.

        A FIN that acknowledges ``name``'s FIN is ``RCV_FIN_ACK`` only while that
        FIN is still outstanding (FIN-WAIT-1, CLOSING, LAST-ACK); in FIN-WAIT-2
        it is the plain ``RCV_FIN`` of Figure 5.

        Raises
        ------
        ValueError
            If nothing is in flight towards ``name``.
        """
        if not self.in_flight.get(name):
            raise ValueError(f"name must be an endpoint with a segment in flight towards it; got {name!r}")
        _segment, event = self.in_flight[name][0]
        if event is Event.RCV_FIN_ACK and self.endpoints[name].state not in (
            State.FIN_WAIT_1, State.CLOSING, State.LAST_ACK
        ):
            return Event.RCV_FIN
        return event

    def apply(self, action: str) -> Step:
        """Apply one action; return the step taken.

        Raises
        ------
        ValueError
            If ``action`` is not valid now (the message lists the valid ones).
        """
        if action not in self.actions():
            raise ValueError(f"action must be one of {', '.join(self.actions()) or 'none'}; got {action!r}")
        actor, what = action.split(":", 1)
        if actor == "deliver":
            actor = what
            event = self.delivery_event(actor)
            self.in_flight[actor].pop(0)
        else:
            event = Event[what]
        t = self.endpoints[actor].handle(event)
        sent = []
        for segment in t.send:
            event_at_peer = SEGMENT_EVENT[segment]
            if segment == "FIN" and t.state is State.CLOSE_WAIT:
                event_at_peer = Event.RCV_FIN_ACK
            sent.append((segment, event_at_peer))
            self.in_flight[self.peer(actor)].append((segment, event_at_peer))
        step = Step(len(self.steps), actor, action, t, tuple(sent))
        self.steps.append(step)
        return step

    def run(self, actions: Iterable[str]) -> list[Step]:
        """Apply several actions in order."""
        return [self.apply(a) for a in actions]

    def reset(self) -> None:
        """Back to both endpoints CLOSED, nothing in flight."""
        self.__init__(self.names)  # type: ignore[misc]


#: Scripts for :class:`EndpointPair`: three-way handshake, then the normal four-way close.
HANDSHAKE_AND_CLOSE: tuple[str, ...] = (
    "server:PASSIVE_OPEN", "client:ACTIVE_OPEN", "deliver:server", "deliver:client", "deliver:server",
    "client:CLOSE", "deliver:server", "deliver:client", "server:CLOSE", "deliver:client", "deliver:server",
    "client:TIMEOUT",
)
#: Simultaneous open (RFC 9293 Figure 7) and simultaneous close (Figure 13).
SIMULTANEOUS_OPEN_AND_CLOSE: tuple[str, ...] = (
    "client:ACTIVE_OPEN", "server:ACTIVE_OPEN", "deliver:server", "deliver:client", "deliver:server",
    "deliver:client", "client:CLOSE", "server:CLOSE", "deliver:server", "deliver:client", "deliver:server",
    "deliver:client", "client:TIMEOUT", "server:TIMEOUT",
)


def _check_table() -> None:
    # Import-time sanity: the table is complete and well-formed.
    for st in State:
        for ev in Event:
            row = TABLE.get((st, ev))
            if row is None:  # pragma: no cover - a gap is a bug in this file
                raise AssertionError(f"TABLE lacks ({st.name}, {ev.name})")
            if isinstance(row, Refusal) and ev.kind != "user":  # pragma: no cover
                raise AssertionError(f"only user calls may be refused: ({st.name}, {ev.name})")
            if isinstance(row, Transition) and not set(row.send) <= set(SEGMENTS):  # pragma: no cover
                raise AssertionError(f"bad segment in ({st.name}, {ev.name}): {row.send}")


_check_table()
del _s, _e, _what
