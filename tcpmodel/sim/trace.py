"""What a simulation leaves behind: segments, state changes, timers, errors, deliveries.

:class:`Trace` is the contract other code relies on (issue 4): ``states``,
``segments``, ``errors``, ``delivered`` and ``corrupted``. It also keeps the
transitions taken (with the RFC section the state table names), the timers
(for the brackets of a ladder diagram) and a short log, so that a notebook can
show *why* something happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Segment", "Trace", "TimerSpan", "TransitionRecord", "Delivery"]


@dataclass
class Segment:
    """One segment put on the wire (a duplicate made by the network is its own record).

    Attributes
    ----------
    index : int
        Order of sending, from 0. A network duplicate keeps its original's index.
    t_sent, t_arrived : float, float or None
        Seconds; ``t_arrived`` is None when the network lost the segment.
    src, dst : str
        ``"A"`` or ``"B"``.
    flags : str
        ``"SYN"``, ``"SYN+ACK"``, ``"ACK"``, ``"FIN+ACK"``, ``"RST"``, ``"RST+ACK"``.
    seq, ack : int
        Sequence and acknowledgment numbers (``ack`` is 0 without the ACK flag).
    payload : str or None
        The application data's label; ``length`` is its size in octets.
    incarnation : int
        Which incarnation of the 4-tuple the sender was in.
    """

    index: int
    t_sent: float
    src: str
    dst: str
    flags: str
    seq: int
    ack: int
    payload: str | None = None
    length: int = 0
    incarnation: int = 1
    tsval: int | None = None
    tsecr: int | None = None
    retransmission: bool = False
    sender_state: Any = None
    t_arrived: float | None = None
    duplicate_of: int | None = None
    outcome: str = ""
    event: Any = None

    @property
    def lost(self) -> bool:
        """True if the network dropped the segment."""
        return self.t_arrived is None

    @property
    def seg_len(self) -> int:
        """SEG.LEN: payload octets plus one for SYN and one for FIN (RFC 9293 §3.4)."""
        parts = self.flags.split("+")
        return self.length + ("SYN" in parts) + ("FIN" in parts)

    def label(self) -> str:
        """A short label for a ladder diagram: flags, seq, ack and payload."""
        text = f"{self.flags} seq={self.seq}"
        if "ACK" in self.flags.split("+"):
            text += f" ack={self.ack}"
        if self.payload is not None:
            text += f" [{self.payload}]"
        if self.tsval is not None:
            text += f" TS={self.tsval}"
        return text


@dataclass(frozen=True)
class TransitionRecord:
    """One transition taken from the state table."""

    time: float
    endpoint: str
    state: Any
    event: Any
    next: Any
    send: tuple
    rfc: str


@dataclass
class TimerSpan:
    """A timer as it ran: for the brackets in a ladder diagram."""

    endpoint: str
    kind: str  # "2MSL", "RTO", "user timeout"
    start: float
    end: float | None = None
    outcome: str = ""  # "expired", "cancelled", "restarted"


@dataclass(frozen=True)
class Delivery:
    """A payload handed to an application."""

    time: float
    endpoint: str
    payload: str
    incarnation: int  # of the receiver
    from_incarnation: int  # of the segment that carried it


@dataclass
class Trace:
    """The record of one simulation run.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> trace = simulate("normal_close", closer="A", msl=1.0)
    >>> [s.name for s in trace.path("A")][-3:]
    ['FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']
    >>> trace.errors, trace.corrupted
    ({'A': [], 'B': []}, False)
    """

    scenario: str
    params: dict
    msl: float
    states: dict = field(default_factory=lambda: {"A": [], "B": []})
    segments: list = field(default_factory=list)
    errors: dict = field(default_factory=lambda: {"A": [], "B": []})
    delivered: dict = field(default_factory=lambda: {"A": [], "B": []})
    deliveries: list = field(default_factory=list)
    transitions: list = field(default_factory=list)
    timers: list = field(default_factory=list)
    log: list = field(default_factory=list)
    end_time: float = 0.0

    @property
    def corrupted(self) -> bool:
        """True if an application received a payload from an earlier incarnation."""
        return any(d.from_incarnation < d.incarnation for d in self.deliveries)

    def path(self, endpoint: str) -> list:
        """The states ``endpoint`` passed through, in order, without times."""
        return [s for _, s in self.states[endpoint]]

    def final_state(self, endpoint: str) -> Any:
        """The state ``endpoint`` ended in."""
        return self.states[endpoint][-1][1]

    def time_in(self, endpoint: str, state: Any) -> float:
        """Total seconds ``endpoint`` spent in ``state`` (until the end of the run)."""
        total = 0.0
        changes = self.states[endpoint]
        for (t, s), (t_next, _) in zip(changes, changes[1:] + [(self.end_time, None)]):
            if s == state:
                total += t_next - t
        return total

    def entered(self, endpoint: str, state: Any) -> list[float]:
        """Times at which ``endpoint`` entered ``state``."""
        return [t for t, s in self.states[endpoint] if s == state]

    def lost_segments(self) -> list[Segment]:
        """Segments the network dropped."""
        return [s for s in self.segments if s.lost]

    def table(self) -> str:
        """The segments as a fixed-width text table, one line each (for notebooks)."""
        lines = [f"{'#':>3} {'sent':>8} {'arrived':>8}  dir     {'flags':8} {'seq':>10} {'ack':>10}  inc  payload / outcome"]
        for s in self.segments:
            arrived = "lost" if s.t_arrived is None else f"{s.t_arrived:8.3f}"
            payload = f"[{s.payload}] " if s.payload is not None else ""
            lines.append(
                f"{s.index:>3} {s.t_sent:8.3f} {arrived:>8}  {s.src}->{s.dst}    {s.flags:8} {s.seq:>10} {s.ack:>10}  {s.incarnation:>3}  {payload}{s.outcome}"
            )
        return "\n".join(lines)

    def story(self, endpoint: str | None = None) -> str:
        """State changes as text: ``t=0.150 A ESTABLISHED``, one per line."""
        rows = []
        for ep in ("A", "B"):
            if endpoint not in (None, ep):
                continue
            for t, s in self.states[ep]:
                rows.append((t, ep, s.name))
        rows.sort(key=lambda r: (r[0], r[1]))
        return "\n".join(f"t={t:8.3f}  {ep}  {name}" for t, ep, name in rows)

    def __repr__(self) -> str:
        finals = ", ".join(f"{ep}: {self.final_state(ep).name}" for ep in ("A", "B") if self.states[ep])
        return (
            f"Trace({self.scenario!r}, {len(self.segments)} segments, {sum(s.lost for s in self.segments)} lost, "
            f"final {finals}, errors A={self.errors['A']} B={self.errors['B']}, corrupted={self.corrupted})"
        )
