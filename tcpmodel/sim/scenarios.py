"""Scenarios: the general API for writing a run, and the course's named scenarios.

A :class:`Scenario` is two endpoint configurations (:class:`EndpointConfig`),
a list of user calls (:func:`listen`, :func:`connect`, :func:`send`,
:func:`close`, :func:`abort`) at given times or :func:`after` a state is
entered, a :class:`~tcpmodel.sim.network.Network` and an MSL. A second
``connect``/``listen`` on an endpoint that is CLOSED again starts a new
incarnation of the same 4-tuple. An instructor writes a new case in a few
lines:

>>> from tcpmodel import State
>>> from tcpmodel.sim import Scenario, Network, simulate, listen, connect, close, after
>>> mine = Scenario("server_closes_first", msl=2.0, network=Network(delay=0.05), calls=[
...     listen("B", 0), connect("A", 0),
...     close("B", 1.0), close("A", after("A", State.CLOSE_WAIT, 0.1))])
>>> trace = simulate(mine)
>>> trace.time_in("B", State.TIME_WAIT)   # the active closer waits 2·MSL
4.0

Named scenarios are registered with :func:`scenario` and built by
``simulate(name, **params)``. Modules ``tcpmodel/sim/scenarios_*.py`` are
imported on demand, so later work adds scenarios (``"tw_reuse"``,
``"tw_recycle_nat"``) in a module of its own with the same decorator.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from tcpmodel._validate import require_bool, require_choice, require_int, require_number
from tcpmodel.sim.network import Network
from tcpmodel.sim.sequence import ISN_POLICIES
from tcpmodel.states import State

__all__ = [
    "EndpointConfig",
    "Call",
    "After",
    "Scenario",
    "First",
    "after",
    "listen",
    "connect",
    "send",
    "close",
    "abort",
    "scenario",
    "scenario_names",
    "build",
    "DEFAULT_MSL",
    "DEFAULT_ONE_WAY",
]

#: Default MSL in seconds: the course's convention MSL = TCP_TIMEWAIT_LEN / 2. Linux waits
#: TCP_TIMEWAIT_LEN = 60 s in TIME_WAIT (include/net/tcp.h) and has no MSL setting of its own
#: (tcpmodel.facts, "linux_time_wait_length"); RFC 9293 §3.4.2 takes the MSL to be 2 minutes.
DEFAULT_MSL = 30.0
#: Default one-way network delay in seconds.
DEFAULT_ONE_WAY = 0.05
_ACTIONS = ("connect", "listen", "send", "close", "abort")
_ADDR = {"A": ("10.0.0.1", 40000), "B": ("10.0.0.2", 80)}
__all__ += ["server_restart", "reconnect", "two_msl"]


@dataclass(frozen=True)
class EndpointConfig:
    """How one endpoint behaves.

    Parameters
    ----------
    addr : (str, int)
        Local address and port; the 4-tuple is this plus the peer's.
    time_wait : bool
        False models a stack without TIME_WAIT: the connection goes straight to
        CLOSED where the table says TIME_WAIT, as Linux does when it cannot make a
        timewait socket (net/ipv4/tcp_minisocks.c tcp_time_wait()).
    time_wait_len : float, optional
        TIME_WAIT length in seconds; default ``2 * msl`` (RFC 9293 §3.6.1).
    timestamps : bool
        Offer the timestamp option; PAWS runs when both ends use it (RFC 7323).
    ts_offset, ts_hz : int, float
        The timestamp clock: ``TSval = ts_offset + t·ts_hz`` (RFC 7323 §5.4, inferred;
        RFC 1323 §4.2.2 gives the same 1 ms to 1 s range).
    isn, isn_fixed : str, int
        ISN policy, see :class:`~tcpmodel.sim.sequence.IsnGenerator`.
    rcv_wnd : int
        Receive window in octets.
    rto, rto_max, max_retries : float, float, int
        Initial retransmission timeout (RFC 6298 §2, rule (2.1): 1 s), its cap, and how
        many retransmissions before giving up.
    user_timeout : float, optional
        RFC 9293 §3.10.8 user timeout: abort if data stays unacknowledged this long.
    fin_wait_2_timeout : float, optional
        Delete a connection that sits in FIN_WAIT_2 this long (Linux
        ``tcp_fin_timeout``, 60 s by default, ip-sysctl.rst); None: wait forever.
    accept_syn_in_time_wait : bool
        Accept a new SYN in TIME_WAIT with Linux's test
        (``tcp_timewait_state_process``): when its sequence number is after
        RCV.NXT or its timestamp is newer, the new connection starts at the
        old SND.NXT + 65537, the ISN condition of RFC 9293 §3.6.1 (MAY-2).
        The simulator accepts it even when no ``listen()`` is pending, as
        MAY-2's reopening "directly from TIME-WAIT state" does; Linux accepts
        it only if a socket listens on the port (``tcp_v4_rcv``) and otherwise
        answers with an ACK (``TCP_TW_ACK``).
    tw_reuse : bool
        After Linux ``tcp_tw_reuse`` (``tcp_twsk_unique``), simplified: an outgoing
        connect may take over a TIME_WAIT 4-tuple when timestamps are on and at
        least 1 s passed since the peer's last timestamp. The kernel's delay
        depends on its version (``tcpmodel.facts``, "tw_reuse_delay_by_version");
        the ``"tw_reuse"`` scenario of notebook 07 follows that rule instead.
    rfc1337 : bool
        Ignore RST in TIME_WAIT (RFC 1337 §3; Linux ``tcp_rfc1337``).
    linger_zero : bool
        ``SO_LINGER {on, 0}``: ``close()`` aborts with a RST, as Linux does in
        ``__tcp_close()`` → ``tcp_disconnect()`` (``net/ipv4/tcp.c``); socket(7)
        SO_LINGER describes the linger timeout but says nothing of a RST.
    accept_syn : callable, optional
        ``accept_syn(segment, t) -> bool``: a filter on SYNs reaching LISTEN.
    invalid_ratelimit : float
        At most one ACK per this many seconds for out-of-window segments
        (Linux ``tcp_invalid_ratelimit``, 0.5 s, ip-sysctl.rst).
    rfc5961 : bool
        Accept a RST only at exactly RCV.NXT and answer other in-window RSTs
        with a challenge ACK: the optional mitigation RFC 9293 §3.10.7.4 cites
        from RFC 5961 §3.2 (section inferred), which Linux implements (``tcp_validate_incoming``).
        Off by default: RFC 9293's base rule accepts any in-window RST.
    """

    addr: tuple = ("10.0.0.1", 40000)
    time_wait: bool = True
    time_wait_len: float | None = None
    timestamps: bool = False
    ts_offset: int = 0
    ts_hz: float = 1000.0
    isn: str = "rfc6528"
    isn_fixed: int = 100
    rcv_wnd: int = 65535
    rto: float = 1.0
    rto_max: float = 120.0
    max_retries: int = 5
    user_timeout: float | None = None
    fin_wait_2_timeout: float | None = 60.0
    accept_syn_in_time_wait: bool = True
    tw_reuse: bool = False
    rfc1337: bool = False
    linger_zero: bool = False
    accept_syn: Callable[[Any, float], bool] | None = None
    invalid_ratelimit: float = 0.5
    rfc5961: bool = False

    def __post_init__(self) -> None:
        require_bool("time_wait", self.time_wait)
        if self.time_wait_len is not None:
            require_number("time_wait_len", self.time_wait_len, low=0, high=7200, unit="seconds")
        require_bool("timestamps", self.timestamps)
        require_int("ts_offset", self.ts_offset, low=0, high=2**32 - 1)
        require_number("ts_hz", self.ts_hz, low=1, high=1e9)
        require_choice("isn", self.isn, ISN_POLICIES)
        require_int("isn_fixed", self.isn_fixed, low=0, high=2**32 - 1)
        require_int("rcv_wnd", self.rcv_wnd, low=0, high=2**30)
        require_number("rto", self.rto, low=1e-6, high=600, unit="seconds")
        require_number("rto_max", self.rto_max, low=self.rto, high=3600, unit="seconds")
        require_int("max_retries", self.max_retries, low=0, high=50)
        if self.user_timeout is not None:
            require_number("user_timeout", self.user_timeout, low=0.001, high=86400, unit="seconds")
        if self.fin_wait_2_timeout is not None:
            require_number("fin_wait_2_timeout", self.fin_wait_2_timeout, low=0.001, high=86400, unit="seconds")
        require_number("invalid_ratelimit", self.invalid_ratelimit, low=0, high=60, unit="seconds")
        for name in ("accept_syn_in_time_wait", "tw_reuse", "rfc1337", "linger_zero", "rfc5961"):
            require_bool(name, getattr(self, name))


@dataclass(frozen=True)
class After:
    """A trigger: ``delay`` seconds after ``endpoint`` enters ``state`` for the ``nth`` time."""

    endpoint: str
    state: State
    delay: float = 0.0
    nth: int = 1


def after(endpoint: str, state: State | str, delay: float = 0.0, nth: int = 1) -> After:
    """When ``endpoint`` enters ``state`` (the ``nth`` time), plus ``delay`` seconds.

    Examples
    --------
    >>> after("B", "CLOSE_WAIT", 0.1)
    After(endpoint='B', state=<State.CLOSE_WAIT: ...>, delay=0.1, nth=1)
    """
    require_choice("endpoint", endpoint, ("A", "B"))
    if isinstance(state, str):
        require_choice("state", state, [s.name for s in State])
        state = State[state]
    require_choice("state", state, list(State))
    return After(endpoint, state, require_number("delay", delay, low=0, high=86400, unit="seconds"), require_int("nth", nth, low=1, high=1000))


@dataclass(frozen=True)
class Call:
    """A user call: ``action`` on ``endpoint`` at time ``at`` (seconds or :class:`After`)."""

    endpoint: str
    action: str
    at: float | After = 0.0
    payload: str | None = None
    length: int = 0
    retry: bool = False
    if_closed: bool = False
    if_open: bool = False

    def __post_init__(self) -> None:
        require_choice("endpoint", self.endpoint, ("A", "B"))
        require_choice("action", self.action, _ACTIONS)
        if not isinstance(self.at, After):
            require_number("at", self.at, low=0, high=1e6, unit="seconds")


def listen(endpoint: str, at: float | After = 0.0, *, retry: bool = False, if_closed: bool = False) -> Call:
    """A passive open (``listen()``).

    ``retry``: if the 4-tuple is in TIME_WAIT, try again when it ends.
    ``if_closed``: do nothing if the endpoint is not CLOSED then (a server's
    listener that is already handling a new connection).
    """
    return Call(endpoint, "listen", at, retry=retry, if_closed=if_closed)


def connect(endpoint: str, at: float | After = 0.0, *, retry: bool = False) -> Call:
    """An active open (``connect()``) to the other endpoint, from the same local port each time."""
    return Call(endpoint, "connect", at, retry=retry)


def send(endpoint: str, at: float | After, payload: str, length: int | None = None) -> Call:
    """Send ``payload`` (a label) of ``length`` octets (default ``len(payload)``).

    Examples
    --------
    >>> send("A", 0.2, "old-2", 100).length
    100
    """
    size = len(payload) if length is None else require_int("length", length, low=1, high=2**20)
    return Call(endpoint, "send", at, payload=str(payload), length=size)


def close(endpoint: str, at: float | After = 0.0, *, if_open: bool = False) -> Call:
    """``close()``: a FIN (or a RST with ``linger_zero``).

    ``if_open``: only if the application has not closed yet (the endpoint is
    in LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED or CLOSE_WAIT), like an
    application's idle timeout; otherwise the call is skipped.
    """
    return Call(endpoint, "close", at, if_open=if_open)


def abort(endpoint: str, at: float | After = 0.0) -> Call:
    """ABORT (RFC 9293 §3.10.5): a RST from SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2 or CLOSE-WAIT; none from CLOSING, LAST-ACK, TIME-WAIT."""
    return Call(endpoint, "abort", at)


class First:
    """A selector for :class:`Network` that matches only the first segment ``predicate`` accepts.

    It remembers what it matched until the network is reset, which the
    engine does at the start of every run.

    Examples
    --------
    >>> sel = First(lambda seg: seg.flags == "ACK")
    >>> from tcpmodel.sim.trace import Segment
    >>> mk = lambda i: Segment(index=i, t_sent=0.0, src="A", dst="B", flags="ACK", seq=1, ack=1)
    >>> sel(mk(4)), sel(mk(5)), sel(mk(4))
    (True, False, True)
    """

    def __init__(self, predicate: Callable[[Any], bool]) -> None:
        self.predicate = predicate
        self.matched: int | None = None

    def reset(self) -> None:
        self.matched = None

    def __call__(self, seg: Any) -> bool:
        if self.matched is None and self.predicate(seg):
            self.matched = seg.index
        return seg.index == self.matched


@dataclass
class Scenario:
    """Everything one run needs. See the module docstring for an example.

    Parameters
    ----------
    name : str
        Shown in the trace and in figures.
    calls : list of Call
        User calls, in the order they are scheduled (ties keep this order).
    network : Network
        Delay, loss, duplication and reordering.
    msl : float
        Maximum segment lifetime in seconds; TIME_WAIT lasts ``2 * msl``.
    A, B : EndpointConfig
        The two endpoints (A defaults to 10.0.0.1:40000, B to 10.0.0.2:80).
    until : float, optional
        Stop the run at this time (default: when nothing is left to happen).
    seed : int
        Seeds the ISN secrets.
    params : dict
        The parameters a named scenario was built with (for the record).
    """

    name: str
    calls: list
    network: Network = field(default_factory=Network)
    msl: float = DEFAULT_MSL
    A: EndpointConfig = field(default_factory=lambda: EndpointConfig(addr=_ADDR["A"]))
    B: EndpointConfig = field(default_factory=lambda: EndpointConfig(addr=_ADDR["B"]))
    until: float | None = None
    seed: int = 0
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_number("msl", self.msl, low=0.001, high=3600, unit="seconds")
        require_int("seed", self.seed, low=0, high=2**63 - 1)
        if self.until is not None:
            require_number("until", self.until, low=0, high=1e7, unit="seconds")
        if not isinstance(self.network, Network):
            raise ValueError(f"network must be a tcpmodel.sim.Network; got {type(self.network).__name__}")
        for call in self.calls:
            if not isinstance(call, Call):
                raise ValueError(f"calls must hold Call objects (listen, connect, send, close, abort); got {call!r}")
        if self.A.addr == self.B.addr:
            raise ValueError(f"A and B must have different addresses; both are {self.A.addr}")

    @property
    def endpoints(self) -> dict:
        """``{"A": EndpointConfig, "B": EndpointConfig}``."""
        return {"A": self.A, "B": self.B}


# ---------------------------------------------------------------- registry
_SCENARIOS: dict[str, Callable[..., Scenario]] = {}


def scenario(name: str) -> Callable[[Callable[..., Scenario]], Callable[..., Scenario]]:
    """Register a builder ``f(**params) -> Scenario`` under ``name`` (every parameter has a default)."""

    def register(builder: Callable[..., Scenario]) -> Callable[..., Scenario]:
        _SCENARIOS[name] = builder
        return builder

    return register


def _load_extra_modules() -> None:
    import tcpmodel.sim as sim

    for info in pkgutil.iter_modules(sim.__path__):
        if info.name.startswith("scenarios_"):
            importlib.import_module(f"tcpmodel.sim.{info.name}")


def scenario_names() -> list[str]:
    """The names ``simulate`` knows, sorted.

    Examples
    --------
    >>> {"normal_close", "lost_final_ack", "old_duplicate"} <= set(scenario_names())
    True
    """
    _load_extra_modules()
    return sorted(_SCENARIOS)


def build(name: str, **params: Any) -> Scenario:
    """Build the named scenario with ``params`` (ValueError for unknown names or parameters)."""
    if name not in _SCENARIOS:
        _load_extra_modules()
    require_choice("scenario", name, sorted(_SCENARIOS))
    builder = _SCENARIOS[name]
    accepted = inspect.signature(builder).parameters
    for key in params:
        if key not in accepted:
            raise ValueError(f"{key} is not a parameter of scenario {name!r}; it takes {', '.join(accepted)}")
    sc = builder(**params)
    bound = {k: v.default for k, v in accepted.items()}
    bound.update(params)
    sc.params = bound
    return sc


def with_params(sc: Scenario, **params: Any) -> Scenario:
    """A copy of a :class:`Scenario` with some fields replaced (``simulate(sc, msl=5)``)."""
    names = {f.name for f in fields(Scenario)}
    for key in params:
        if key not in names:
            raise ValueError(f"{key} is not a field of Scenario; fields are {', '.join(sorted(names))}")
    return replace(sc, **params)


# ------------------------------------------------------ named scenarios
def _k(msl: float) -> float:
    """Time scale of a named scenario's script: 1 at the default MSL, smaller for shorter MSLs.

    The scripts (close at 1 s, RTO 1 s, one-way delay 50 ms) are written for
    MSL = 30 s; with a shorter MSL they shrink in proportion, so that the
    2MSL timer stays much longer than an RTO, as RFC 9293 assumes.
    """
    return min(1.0, require_number("msl", msl, low=0.001, high=3600, unit="seconds") / DEFAULT_MSL)


def _common(msl: float, one_way: float | None, lose: Any, loss_rate: float, seed: int) -> Network:
    require_number("msl", msl, low=0.001, high=3600, unit="seconds")
    if one_way is None:
        one_way = DEFAULT_ONE_WAY * _k(msl)
    require_number("one_way", one_way, low=0, high=msl, unit="seconds, at most the MSL")
    if not callable(lose):
        lose = tuple(require_int("lose", i, low=0, high=10_000) for i in lose)
    return Network(delay=one_way, lose=lose, loss_rate=loss_rate, seed=seed)


#: When an application that is still open gives up and closes (an idle timeout), at the default MSL.
IDLE_TIMEOUT = 100.0


def _idle_timeouts(k: float) -> list:
    """Both applications close at ``IDLE_TIMEOUT·k`` if they have not closed yet.

    Without it, heavy random loss could leave a half-open connection (B never
    hears A's FIN after A gave up) that waits forever; a lossless run has
    closed long before, and the calls are skipped.
    """
    return [close("A", IDLE_TIMEOUT * k, if_open=True), close("B", IDLE_TIMEOUT * k, if_open=True)]


def _endpoints(time_wait: bool = True, **kw: Any) -> dict:
    return {
        "A": EndpointConfig(addr=_ADDR["A"], time_wait=time_wait, **kw),
        "B": EndpointConfig(addr=_ADDR["B"], time_wait=time_wait, **kw),
    }


@scenario("normal_close")
def normal_close(
    closer: str = "A",
    msl: float = DEFAULT_MSL,
    one_way: float | None = None,
    lose: Any = (),
    loss_rate: float = 0.0,
    seed: int = 0,
    time_wait: bool = True,
) -> Scenario:
    """A (client) connects to B (server); ``closer`` closes first, the other 0.1 s after it sees the FIN.

    ``lose`` picks segments to lose by index (the order of sending, from 0);
    ``time_wait=False`` skips TIME_WAIT on both sides: they go straight to CLOSED.

    The active closer passes FIN_WAIT_1, FIN_WAIT_2 and TIME_WAIT (RFC 9293
    §3.6, Figure 12) and is CLOSED 2·MSL later.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> t = simulate("normal_close", closer="B", msl=1.0)
    >>> t.final_state("A").name, t.time_in("B", State.TIME_WAIT)
    ('CLOSED', 2.0)
    """
    require_choice("closer", closer, ("A", "B"))
    other = "B" if closer == "A" else "A"
    net = _common(msl, one_way, lose, loss_rate, seed)
    require_bool("time_wait", time_wait)
    # close at 2 s: late enough that a lost SYN (RTO 1 s) is recovered first
    k = _k(msl)
    calls = [listen("B", 0.0), connect("A", 0.0), close(closer, 2.0 * k), close(other, after(other, State.CLOSE_WAIT, 0.1 * k)),
             *_idle_timeouts(k)]
    return Scenario("normal_close", calls, net, msl, seed=seed, **_endpoints(time_wait, rto=1.0 * k))


@scenario("simultaneous_close")
def simultaneous_close(msl: float = DEFAULT_MSL, one_way: float | None = None, lose: Any = (), loss_rate: float = 0.0, seed: int = 0) -> Scenario:
    """Both ends call ``close()`` at t = 1 s; the FINs cross (RFC 9293 §3.6, Figure 13).

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> t = simulate("simultaneous_close", msl=1.0)
    >>> [s.name for s in t.path("A")][-3:]
    ['CLOSING', 'TIME_WAIT', 'CLOSED']
    """
    net = _common(msl, one_way, lose, loss_rate, seed)
    k = _k(msl)
    calls = [listen("B", 0.0), connect("A", 0.0), close("A", 1.0 * k), close("B", 1.0 * k), *_idle_timeouts(k)]
    return Scenario("simultaneous_close", calls, net, msl, seed=seed, **_endpoints(rto=1.0 * k))


def _final_ack_of_a(seg: Any) -> bool:
    # A's ACK of B's FIN leaves as A enters TIME_WAIT, or, with time_wait=False,
    # as A's TCB is deleted (CLOSED itself never sends a bare ACK).
    return seg.src == "A" and seg.flags == "ACK" and seg.sender_state in (State.TIME_WAIT, State.CLOSED)


@scenario("lost_final_ack")
def lost_final_ack(time_wait: bool = True, msl: float = DEFAULT_MSL, one_way: float | None = None, seed: int = 0, max_retries: int = 5,
                   rto: float | None = None) -> Scenario:
    """A closes first; the network loses A's ACK of B's FIN (the final ACK).

    With TIME_WAIT, B's retransmitted FIN reaches A in TIME_WAIT, which ACKs
    it again and restarts the 2MSL timer (RFC 9293 §3.10.7.4, TIME-WAIT
    STATE); both close cleanly. Without it A is CLOSED and answers with a RST
    (RFC 9293 §3.10.7.1), and B's connection ends in "connection reset".

    ``rto`` (seconds): by default (None) the whole script shrinks with an MSL
    below 30 s (the RTO of 1 s, the 50 ms one-way delay and the close at 1 s
    are all scaled by ``msl / 30``), so 2·MSL stays 60 RTOs long. Give an RTO
    to keep it and the rest of the script at their 30 s-MSL values (the
    one-way delay at 50 ms, or the MSL if that is shorter): then ``msl``
    changes only how long A's TIME_WAIT lasts, and a 2·MSL shorter than the
    RTO shows what TIME_WAIT is for.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> simulate("lost_final_ack", time_wait=True, msl=1.0).errors
    {'A': [], 'B': []}
    >>> simulate("lost_final_ack", time_wait=False, msl=1.0).errors["B"]
    ['connection reset']
    >>> simulate("lost_final_ack", time_wait=True, msl=0.4, rto=1.0).errors["B"]  # 2·MSL = 0.8 s < RTO
    ['connection reset']
    """
    require_bool("time_wait", time_wait)
    if rto is not None:
        require_number("rto", rto, low=1e-6, high=600, unit="seconds")
        require_number("msl", msl, low=0.001, high=3600, unit="seconds")
        if one_way is None:
            one_way = min(DEFAULT_ONE_WAY, msl)
    net = _common(msl, one_way, (), 0.0, seed)
    net.lose = First(_final_ack_of_a)
    k = _k(msl) if rto is None else 1.0
    rto = 1.0 * k if rto is None else rto
    calls = [listen("B", 0.0), connect("A", 0.0), close("A", 1.0 * k), close("B", after("B", State.CLOSE_WAIT, 0.1 * k))]
    return Scenario("lost_final_ack", calls, net, msl, seed=seed, **_endpoints(time_wait, max_retries=max_retries, rto=rto))


@scenario("old_duplicate")
def old_duplicate(
    time_wait: bool = False,
    msl: float = DEFAULT_MSL,
    delay: float = 20.0,
    quiet_time: float = 5.0,
    isn: str = "fixed",
    timestamps: bool = False,
    one_way: float | None = None,
    tw_reuse: bool = False,
    seed: int = 0,
    rfc1337: bool = False,
) -> Scenario:
    """An old duplicate from incarnation 1 meets incarnation 2 of the same 4-tuple.

    Incarnation 1: A sends ``old-1`` (octets 101–300 with ``isn="fixed"``)
    and ``old-2`` (SEQ=301, 100 octets). The network holds the first copy of
    ``old-2`` for ``delay`` seconds; A retransmits it, and the connection
    closes with A as active closer. A reconnects ``quiet_time`` seconds after
    it entered TIME_WAIT, retrying until the 4-tuple is free, so with
    TIME_WAIT incarnation 2 starts no earlier than 2·MSL after the close.
    Incarnation 2 sends ``new-1`` at once and ``new-2`` (also SEQ=301) one
    MSL later. If the held ``old-2`` lands in B's new window first, B
    delivers it as if it were ``new-2``: ``trace.corrupted``. At the default
    MSL of 30 s incarnation 1 closes at about 2 s; with a shorter MSL its
    times (and the RTO and the one-way delay) shrink in proportion.

    Parameters
    ----------
    delay : float
        How long the network holds the old segment, at most ``msl``.
    quiet_time : float
        Seconds from A's close to its reconnect attempt.
    isn : {"fixed", "rfc6528", "random"}
        ``"fixed"`` (ISN 100 each time, the textbook case; and what a fast
        connection looks like, RFC 1337 §1), the clock-driven ISN of RFC 9293
        §3.4.1 (``"rfc6528"``: incarnation 2 starts ``isn_advance`` of the gap
        above incarnation 1), or ``"random"``, a hypothetical policy.
    rfc1337 : bool
        Ignore a RST that arrives in TIME_WAIT (RFC 1337 §3; Linux
        ``net.ipv4.tcp_rfc1337=1``, default 0). Without it, a RST can end
        TIME_WAIT early ("TIME-WAIT assassination", RFC 1337 §1), and then
        TIME_WAIT no longer protects incarnation 2 from old duplicate data
        (hazard H1, RFC 1337 §2.2).

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> simulate("old_duplicate", time_wait=False, delay=20.0, quiet_time=5.0).corrupted
    True
    >>> simulate("old_duplicate", time_wait=True, delay=20.0, quiet_time=5.0).corrupted
    False
    """
    require_bool("time_wait", time_wait)
    require_number("msl", msl, low=0.001, high=3600, unit="seconds")
    require_number("delay", delay, low=0, high=msl, unit="seconds, at most the MSL")
    require_number("quiet_time", quiet_time, low=0, high=3600, unit="seconds")
    # The timeline of incarnation 1 is scaled with the MSL (k = 1 at the default
    # MSL of 30 s), so that a held segment can outlive the close for any MSL.
    k = min(1.0, msl / DEFAULT_MSL)
    if one_way is None:
        one_way = DEFAULT_ONE_WAY * k
    net = _common(msl, one_way, (), 0.0, seed)
    net.hold = _HoldFirst(lambda seg: seg.src == "A" and seg.payload == "old-2", delay)
    inc2 = after("A", State.ESTABLISHED, 0.05 * k, nth=2)
    calls = [
        listen("B", 0.0),
        connect("A", 0.0),
        send("A", 0.2 * k, "old-1", 200),
        send("A", 0.2 * k, "old-2", 100),
        close("A", 2.0 * k),
        close("B", after("B", State.CLOSE_WAIT, 0.1 * k)),
        # incarnation 2 of the same 4-tuple
        listen("B", after("B", State.CLOSED, 0.0, nth=1), retry=True),
        # quiet_time counts from A's close: entering TIME_WAIT, or, without it, CLOSED
        connect("A", after("A", State.TIME_WAIT if time_wait else State.CLOSED, quiet_time), retry=True),
        send("A", inc2, "new-1", 200),
        send("A", after("A", State.ESTABLISHED, msl, nth=2), "new-2", 100),
        close("A", after("A", State.ESTABLISHED, msl + 1.0 * k, nth=2)),
        close("B", after("B", State.CLOSE_WAIT, 0.1 * k, nth=2)),
    ]
    require_bool("rfc1337", rfc1337)
    eps = _endpoints(time_wait, isn=isn, timestamps=timestamps, tw_reuse=tw_reuse, rto=1.0 * k, rfc1337=rfc1337)
    return Scenario("old_duplicate", calls, net, msl, seed=seed, **eps)


class _HoldFirst:
    """Hold the first segment matching ``predicate`` for ``delay`` seconds."""

    def __init__(self, predicate: Callable[[Any], bool], delay: float) -> None:
        self.first = First(predicate)
        self.delay = delay

    def reset(self) -> None:
        self.first.reset()

    def __call__(self, seg: Any) -> float | None:
        return self.delay if self.first(seg) else None


@scenario("abortive_close")
def abortive_close(closer: str = "A", msl: float = DEFAULT_MSL, one_way: float | None = None, seed: int = 0) -> Scenario:
    """``closer`` has ``SO_LINGER {on, 0}``: ``close()`` sends a RST instead of a FIN.

    Neither side enters TIME_WAIT. The closer follows Linux: ``__tcp_close()``
    calls ``tcp_disconnect()`` (``net/ipv4/tcp.c``), which sends the RST and
    moves the socket straight to CLOSE, as RFC 9293 §3.10.5 ABORT does ("enter
    CLOSED state"). RFC 9293 §3.5.2 and Note 3 of §3.3.2 would instead have the
    side that issues a reset enter TIME-WAIT; neither Linux nor this simulator
    does. The peer leaves for CLOSED and its application sees "connection
    reset" (RFC 9293 §3.10.7.4 "second, check the RST bit").

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> t = simulate("abortive_close")
    >>> t.errors["B"], State.TIME_WAIT in t.path("A") + t.path("B")
    (['connection reset'], False)
    """
    require_choice("closer", closer, ("A", "B"))
    net = _common(msl, one_way, (), 0.0, seed)
    k = _k(msl)
    eps = _endpoints(rto=1.0 * k)
    eps[closer] = replace(eps[closer], linger_zero=True)
    calls = [listen("B", 0.0), connect("A", 0.0), send("A", 0.2 * k, "request", 100), send("B", 0.4 * k, "response", 100),
             close(closer, 1.0 * k)]
    return Scenario("abortive_close", calls, net, msl, seed=seed, **eps)


@scenario("server_restart")
def server_restart(msl: float = DEFAULT_MSL, restart_after: float = 5.0, one_way: float = DEFAULT_ONE_WAY, seed: int = 0) -> Scenario:
    """The server B closes first, then its application restarts and calls ``listen()`` again.

    B is the active closer, so B holds TIME_WAIT on port 80; a ``listen()``
    ``restart_after`` seconds after B entered TIME_WAIT fails with
    EADDRINUSE while the TIME_WAIT lasts (Linux ``inet_csk_bind_conflict``
    in ``net/ipv4/inet_connection_sock.c`` counts TIME_WAIT sockets; bind(2):
    EADDRINUSE), and succeeds after it. Neither socket sets SO_REUSEADDR here:
    with it on both, Linux lets the new listener bind at once
    (``tcpmodel.facts``, "so_reuseaddr_rebind").

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> simulate("server_restart", restart_after=5.0).errors["B"][0][:22]
    'address already in use'
    >>> simulate("server_restart", restart_after=61.0).errors["B"]
    []
    """
    require_number("restart_after", restart_after, low=0, high=3600, unit="seconds")
    net = _common(msl, one_way, (), 0.0, seed)
    calls = [listen("B", 0.0), connect("A", 0.0), close("B", 1.0), close("A", after("A", State.CLOSE_WAIT, 0.1)),
             listen("B", after("B", State.TIME_WAIT, restart_after))]
    return Scenario("server_restart", calls, net, msl, seed=seed, **_endpoints())


@scenario("reconnect")
def reconnect(
    closer: str = "A",
    reconnect_after: float = 5.0,
    retry: bool = False,
    isn: str = "rfc6528",
    msl: float = DEFAULT_MSL,
    one_way: float = DEFAULT_ONE_WAY,
    accept_syn_in_time_wait: bool = True,
    seed: int = 0,
) -> Scenario:
    """A client with a fixed local port reconnects to the same server: the same 4-tuple again.

    ``closer`` closes the first connection. ``reconnect_after`` seconds after
    the closer entered TIME_WAIT, A calls ``connect()`` from port 40000 again.

    * ``closer="A"``: A's own TIME_WAIT holds the 4-tuple, so reusing port
      40000 fails with EADDRINUSE (``retry=False``) or waits until 2·MSL is
      over: on Linux, the ``bind()`` of a socket without SO_REUSEADDR. With
      SO_REUSEADDR on both sockets and timestamps on, Linux would instead take
      the TIME_WAIT 4-tuple over at once (``tcpmodel.facts``,
      "bound_port_reconnect"), which this scenario does not model.
    * ``closer="B"``: B holds the TIME_WAIT. A's new SYN reaches it; with
      A's clock-driven ISN its sequence number is after B's RCV.NXT, and B
      accepts it at once through the sequence branch of Linux's own test in
      ``tcp_timewait_state_process`` (``tcpmodel.facts``,
      "syn_in_time_wait"), giving the new connection its own ISN = old
      SND.NXT + 65537, condition (1) of RFC 9293 §3.6.1 (MAY-2). B's
      ``listen()`` has not run yet when the SYN comes: the simulator takes
      the SYN anyway, where Linux would need a socket listening on the port
      (a server's listener normally is). With ``isn="fixed"`` (and no
      timestamps) the SYN is not accepted and only gets an ACK.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> t = simulate("reconnect", closer="B")
    >>> [s.name for s in t.path("B")][-4:]
    ['CLOSED', 'LISTEN', 'SYN_RECEIVED', 'ESTABLISHED']
    """
    require_choice("closer", closer, ("A", "B"))
    require_number("reconnect_after", reconnect_after, low=0, high=3600, unit="seconds")
    require_bool("retry", retry)
    require_bool("accept_syn_in_time_wait", accept_syn_in_time_wait)
    other = "B" if closer == "A" else "A"
    net = _common(msl, one_way, (), 0.0, seed)
    calls = [
        listen("B", 0.0),
        connect("A", 0.0),
        close(closer, 1.0),
        close(other, after(other, State.CLOSE_WAIT, 0.1)),
        # the server's listener takes the next connection once B's TCB is gone
        listen("B", after("B", State.CLOSED, 0.0), if_closed=True),
        connect("A", after(closer, State.TIME_WAIT, reconnect_after), retry=retry),
    ]
    eps = _endpoints(isn=isn, accept_syn_in_time_wait=accept_syn_in_time_wait)
    return Scenario("reconnect", calls, net, msl, seed=seed, **eps)


def _ack_of_first_fin(seg: Any) -> bool:
    return seg.src == "A" and seg.flags == "ACK" and seg.sender_state == State.TIME_WAIT


@scenario("time_wait_assassination")
def time_wait_assassination(rfc1337: bool = False, msl: float = DEFAULT_MSL, delay: float = 20.0, seed: int = 0) -> Scenario:
    """TIME-WAIT assassination (RFC 1337 §1): a RST ends TIME_WAIT early, and an old duplicate gets through (hazard H1, §2.2).

    ``old_duplicate`` with TIME_WAIT and a reconnect as soon as the 4-tuple is
    free, plus one network duplicate: a copy of B's FIN arrives after B has
    closed and gone back to LISTEN. A, in TIME_WAIT, ACKs it (RFC 9293
    §3.10.7.4); B's listener answers that ACK with a RST (§3.10.7.2). RFC 9293
    (and Linux with the default ``net.ipv4.tcp_rfc1337=0``,
    ``tcp_timewait_state_process`` in ``net/ipv4/tcp_minisocks.c``) lets the
    RST close TIME_WAIT at once, so incarnation 2 starts while the held
    segment of incarnation 1 is still in the network. With ``rfc1337=True``
    the RST is ignored (RFC 1337 §3) and TIME_WAIT protects incarnation 2.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> simulate("time_wait_assassination").corrupted
    True
    >>> simulate("time_wait_assassination", rfc1337=True).corrupted
    False
    """
    require_bool("rfc1337", rfc1337)
    sc = old_duplicate(time_wait=True, msl=msl, delay=delay, quiet_time=0.0, seed=seed, rfc1337=rfc1337)
    sc.network.duplicate = First(lambda seg: seg.src == "B" and "FIN" in seg.flags.split("+"))
    sc.network.duplicate_lag = 0.2 * min(1.0, msl / DEFAULT_MSL)
    sc.name = "time_wait_assassination"
    return sc


@scenario("two_msl")
def two_msl(wait_msls: float = 2.0, msl: float = DEFAULT_MSL, rto: float = 5.0, one_way: float = DEFAULT_ONE_WAY, seed: int = 0) -> Scenario:
    """Why TIME_WAIT lasts two MSLs: a ghost FIN from the peer, one MSL each way.

    A closes first. The network holds A's final ACK for almost one MSL, so B,
    still in LAST_ACK, keeps retransmitting its FIN every ``rto`` seconds (no
    backoff); the last retransmission before the ACK arrives is held for one
    MSL too, and the others are lost. It reaches A up to 2·MSL after A's
    final ACK; the smaller ``rto``, the closer to 2·MSL. A waits ``wait_msls``·MSL in TIME_WAIT and
    then reconnects from the same port and sends 100 octets (both sides use
    ISN 100, like a fast connection whose sequence numbers outran the ISN
    clock). With one MSL, the ghost FIN of incarnation 1 reaches incarnation
    2 inside its window and closes it (A ends up in CLOSE_WAIT with an "end
    of data" B never sent); with two MSLs it reaches A while A still waits
    (A ignores RST in TIME_WAIT here, RFC 1337 §3, so one cause shows at a time).

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> State.CLOSE_WAIT in simulate("two_msl", wait_msls=1.0).path("A")[6:]
    True
    >>> State.CLOSE_WAIT in simulate("two_msl", wait_msls=2.0).path("A")[6:]
    False
    """
    require_number("wait_msls", wait_msls, low=0, high=2, unit="MSLs")
    net = _common(msl, one_way, (), 0.0, seed)
    require_number("rto", rto, low=0.1, high=msl / 2, unit="seconds")
    late = msl - 2 * one_way
    hold_ack = _FirstAt(_ack_of_first_fin)
    # B retransmits its FIN every rto seconds (no backoff) until the late ACK arrives;
    # the network keeps the last retransmission before that moment for a whole MSL.
    hold_fin = First(lambda seg: seg.src == "B" and "FIN" in seg.flags and seg.retransmission
                     and hold_ack.t_sent is not None and seg.t_sent > hold_ack.t_sent + late - rto)
    net.hold = _HoldRules([(hold_ack, late), (hold_fin, msl)])
    net.lose = lambda seg: seg.src == "B" and "FIN" in seg.flags and seg.retransmission and not hold_fin(seg)
    calls = [
        listen("B", 0.0),
        connect("A", 0.0),
        close("A", 1.0),
        close("B", after("B", State.CLOSE_WAIT, 0.1)),
        listen("B", after("B", State.CLOSED, 0.0), if_closed=True),
        connect("A", after("A", State.TIME_WAIT, 0.0), retry=True),
        send("A", after("A", State.ESTABLISHED, 0.05, nth=2), "new-1", 100),
    ]
    eps = {
        # rfc1337: B's RST (answering A's re-ACK from LISTEN) must not cut A's wait short, so the story stays one cause
        "A": EndpointConfig(addr=_ADDR["A"], isn="fixed", time_wait_len=wait_msls * msl, rfc1337=True),
        "B": EndpointConfig(addr=_ADDR["B"], isn="fixed", rto=rto, rto_max=rto, max_retries=50),
    }
    return Scenario("two_msl", calls, net, msl, seed=seed, **eps)


class _FirstAt(First):
    """:class:`First`, remembering when the matched segment was sent."""

    def reset(self) -> None:
        super().reset()
        self.t_sent = None

    def __call__(self, seg: Any) -> bool:
        hit = super().__call__(seg)
        if hit:
            self.t_sent = seg.t_sent
        return hit


class _HoldRules:
    """Several hold rules: the first that matches gives the delay."""

    def __init__(self, rules: list) -> None:
        self.rules = rules

    def reset(self) -> None:
        for selector, _ in self.rules:
            selector.reset()

    def __call__(self, seg: Any) -> float | None:
        for selector, delay in self.rules:
            if selector(seg):
                return delay
        return None
