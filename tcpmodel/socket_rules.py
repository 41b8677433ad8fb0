"""Linux's rules for bind(), connect() and TIME_WAIT, as pure functions.

This module is the *model* that :mod:`tcpmodel.live` compares the real kernel
with. It opens no sockets and reads no files: every function takes the
settings it depends on (``tcp_tw_reuse``, ``tcp_tw_reuse_delay``,
``tcp_timestamps``) and returns what Linux does, with the kernel source that
decides it. Where the model and a real kernel disagree, the model is wrong.

The rules, and where they live in Linux (checked against the 6.x sources):

* **Who holds TIME_WAIT.** The side that sends the first FIN (the active
  closer) goes FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT; the passive closer goes
  CLOSE_WAIT → LAST_ACK → CLOSED (RFC 9293 §3.3.2; Linux
  ``net/ipv4/tcp.c: tcp_close_state``, ``net/ipv4/tcp_input.c: tcp_fin``).
* **bind() onto a port with TIME_WAIT sockets**
  (``net/ipv4/inet_connection_sock.c``: ``inet_csk_get_port`` walks the
  sockets bound to the port in ``inet_csk_bind_conflict``, which asks
  ``inet_bind_conflict`` about each, with ``relax = true``; both functions
  exist in Linux 6.18, and the rule is in ``inet_bind_conflict``): an existing socket ``sk2``
  bound to the same address and port does *not* conflict only when the new
  socket has ``SO_REUSEADDR`` **and** ``sk2->sk_reuse`` is set **and**
  ``sk2`` is not listening. A TIME_WAIT socket's ``sk_reuse`` is copied from
  the socket that entered TIME_WAIT (``net/ipv4/inet_timewait_sock.c:
  inet_twsk_alloc``, ``tw->tw_reuse = sk->sk_reuse``), and an accepted socket
  inherits it from its listener. So on Linux *both* the old and the new
  socket need ``SO_REUSEADDR``. (``tb->fastreuse`` is only a cached summary of
  the same rule: it is 1 while every owner set ``SO_REUSEADDR`` and none was
  listening at the time, and ``inet_csk_listen_start`` clears it.)
* **connect() from an explicitly bound port** whose 4-tuple is in TIME_WAIT
  (``net/ipv4/inet_hashtables.c: __inet_hash_connect`` calls
  ``__inet_check_established`` with ``twp == NULL``; then
  ``net/ipv4/tcp_ipv4.c: tcp_twsk_unique``): the TIME_WAIT socket is taken
  over whenever it recorded a peer timestamp (``tw_ts_recent_stamp != 0``),
  **whatever tcp_tw_reuse says and with no delay**; without timestamps the
  connect fails with ``EADDRNOTAVAIL``. Commit ca6a6f93867a warns that such
  immediate reuse "may result in PAWS failing to detect old duplicate
  segments": PAWS guards the new connection only once the peer's timestamp
  clock has ticked (:func:`paws_guaranteed`).
* **connect() with a kernel-chosen port** (``twp != NULL``): a TIME_WAIT
  4-tuple is reused only if ``tcp_tw_reuse`` allows it (1 = always, 2 = only
  when an address is loopback or the socket is bound to ``lo``), the old
  connection used timestamps, the TIME_WAIT socket is not a FIN_WAIT_2
  orphan, and more than ``tcp_tw_reuse_delay`` ms have passed since it
  entered TIME_WAIT (``tw_entry_stamp``). Kernels without the
  ``tcp_tw_reuse_delay`` sysctl (before 6.14) compare whole seconds of the
  last timestamp received instead: ``time_after32(ktime_get_seconds(),
  ts_recent_stamp)`` from 4.19, a wait of (0, 1] s, and ``get_seconds() -
  tw_ts_recent_stamp > 1`` before, (1, 2] s. :func:`tcpmodel.linux.reuse_delay_rule`
  holds the three rules; :attr:`Settings.kernel` picks one.
* **SO_LINGER {on, 0}**: ``close()`` sends RST instead of FIN
  (``net/ipv4/tcp.c: __tcp_close``, ``sock_flag(sk, SOCK_LINGER) &&
  !sk->sk_lingertime`` → ``tcp_disconnect``); the peer's ``recv()`` fails
  with ``ECONNRESET`` and no socket enters TIME_WAIT.
* **How long**: ``TCP_TIMEWAIT_LEN`` is ``60*HZ`` (``include/net/tcp.h``),
  not tunable by sysctl.

Examples
--------
>>> bind_outcome(new_reuseaddr=True, holders=[Holder("TIME_WAIT", reuseaddr=False)])
'EADDRINUSE'
>>> bind_outcome(new_reuseaddr=True, holders=[Holder("TIME_WAIT", reuseaddr=True)])
'ok'
>>> connect_bound_port_outcome(time_wait_on_tuple=True, timestamps=True)
'ok'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tcpmodel._validate import require_bool, require_choice, require_int, require_number
from tcpmodel.linux import TCP_TIMEWAIT_LEN_S  # include/net/tcp.h: TCP_TIMEWAIT_LEN (60*HZ)
from tcpmodel.linux import TW_REUSE_DELAY_SYSCTL_SINCE, ReuseDelayRule, _check_kernel, reuse_delay_rule

__all__ = [
    "TCP_TIMEWAIT_LEN_S",
    "Holder",
    "Settings",
    "who_holds_time_wait",
    "bind_outcome",
    "server_restart_outcome",
    "connect_bound_port_outcome",
    "rebind_client_port_outcome",
    "tw_reuse_allows",
    "ephemeral_reuse_outcome",
    "PAWS_PEER_TICK_S",
    "paws_guaranteed",
    "abortive_close_prediction",
    "syn_to_time_wait_prediction",
    "TIME_WAIT_ENDED_BY",
    "time_wait_survives",
    "exhaustion_prediction",
    "SOURCES",
]


#: Where each rule is decided, for explanations (Linux 6.x).
SOURCES = {
    "who_waits": "RFC 9293 §3.3.2 (active closer: FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT); Linux net/ipv4/tcp_input.c: tcp_fin → tcp_time_wait",
    "bind": "Linux net/ipv4/inet_connection_sock.c: inet_bind_conflict, called through inet_csk_bind_conflict from inet_csk_get_port (both sockets need sk_reuse), and net/ipv4/inet_timewait_sock.c: inet_twsk_alloc (tw->tw_reuse = sk->sk_reuse)",
    "connect_bound": "Linux net/ipv4/inet_hashtables.c: __inet_hash_connect (bound port → __inet_check_established with twp == NULL) and net/ipv4/tcp_ipv4.c: tcp_twsk_unique",
    "paws": "commit ca6a6f93867a: immediate reuse from a bound port 'may result in PAWS failing to detect old duplicate segments'; commit 19ce8cd30465: the reuse delay waits for the peer's timestamp clock to tick; RFC 7323 §5.4 (inferred from RFC 1323 §4.2.2, which it carries over): 1 ms to 1 s per tick",
    "connect_ephemeral": "Linux net/ipv4/tcp_ipv4.c: tcp_twsk_unique (tcp_tw_reuse, loopback test, tw_entry_stamp + tcp_tw_reuse_delay); Documentation/networking/ip-sysctl.rst: tcp_tw_reuse, tcp_tw_reuse_delay",
    "linger": "Linux net/ipv4/tcp.c: __tcp_close (SO_LINGER with zero linger time → tcp_disconnect sends RST); socket(7) SO_LINGER",
    "timewait_len": "Linux include/net/tcp.h: TCP_TIMEWAIT_LEN (60*HZ)",
    "syn_in_time_wait": "Linux net/ipv4/tcp_minisocks.c: tcp_timewait_state_process (TCP_TW_SYN; an in-window RST kills the TIME_WAIT unless tcp_rfc1337=1); net/ipv4/tcp_input.c: tcp_rcv_synsent_state_process (an ACK that does not acknowledge the SYN gets a RST, the SYN is resent after TCP_TIMEOUT_MIN); net/ipv4/tcp_timer.c: tcp_write_timeout (SYN-SENT gives up after tcp_syn_retries + tcp_syn_linear_timeouts retransmissions)",
    "time_wait_ends": "Linux net/ipv4/inet_timewait_sock.c: tw_timer_handler (the timer), inet_twsk_purge (namespace exit); net/ipv4/tcp_minisocks.c: tcp_timewait_state_process (RST, new SYN); net/ipv4/tcp_ipv4.c: tcp_twsk_unique (connect() takeover); net/ipv4/tcp.c: tcp_abort (SOCK_DESTROY, ss -K)",
}


@dataclass(frozen=True)
class Settings:
    """The kernel settings the rules depend on (a subset of ``LinuxConfig``).

    Parameters
    ----------
    tcp_tw_reuse : int
        0, 1 or 2 (``/proc/sys/net/ipv4/tcp_tw_reuse``; default 2).
    tcp_tw_reuse_delay : int or None
        Milliseconds (``/proc/sys/net/ipv4/tcp_tw_reuse_delay``; default 1000).
        ``None`` for kernels that do not have this sysctl: they compare whole
        seconds of ``ktime_get_seconds()`` instead.
    tcp_timestamps : int
        0, 1 or 2 (``/proc/sys/net/ipv4/tcp_timestamps``; default 1).
        Anything but 0 sends the timestamp option, so both ends of a loopback
        connection use timestamps.
    kernel : (int, int) or None
        The kernel version; it picks the whole-second rule when
        ``tcp_tw_reuse_delay`` is ``None`` ((0, 1] s from 4.19, (1, 2] s
        before). ``None``: unknown.

    Examples
    --------
    >>> Settings().tcp_tw_reuse
    2
    >>> Settings.from_config(Settings(tcp_tw_reuse=0)).tcp_tw_reuse
    0
    >>> Settings(tcp_tw_reuse_delay=None, kernel=(4, 14)).reuse_rule.interval
    '(1, 2] s'
    """

    tcp_tw_reuse: int = 2
    tcp_tw_reuse_delay: int | None = 1000
    tcp_timestamps: int = 1
    kernel: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        require_choice("tcp_tw_reuse", self.tcp_tw_reuse, (0, 1, 2))
        require_choice("tcp_timestamps", self.tcp_timestamps, (0, 1, 2))
        object.__setattr__(self, "kernel", _check_kernel(self.kernel))
        if self.tcp_tw_reuse_delay is not None:
            # Documentation/networking/ip-sysctl.rst: 1 .. TCP_PAWS_MSL * 1000 ms.
            require_int("tcp_tw_reuse_delay", self.tcp_tw_reuse_delay, low=1, high=60_000, unit="ms")
        elif self.kernel is not None and self.kernel >= TW_REUSE_DELAY_SYSCTL_SINCE:
            raise ValueError(f"tcp_tw_reuse_delay must be an integer in [1, 60000] (ms) on Linux "
                             f"{self.kernel[0]}.{self.kernel[1]}, which has that sysctl; got None")

    @property
    def reuse_rule(self) -> ReuseDelayRule:
        """The reuse delay rule: milliseconds if ``tcp_tw_reuse_delay`` is set, else the kernel's whole-second rule."""
        if self.tcp_tw_reuse_delay is not None:
            return reuse_delay_rule(None, self.tcp_tw_reuse_delay)
        return reuse_delay_rule(self.kernel, None)

    @classmethod
    def from_config(cls, config: object) -> Settings:
        """Take the four fields from any object that has them (e.g. ``LinuxConfig``)."""
        delay = getattr(config, "tcp_tw_reuse_delay", 1000)
        kernel = getattr(config, "kernel", None)
        return cls(
            tcp_tw_reuse=int(getattr(config, "tcp_tw_reuse", 2)),
            tcp_tw_reuse_delay=None if delay is None else int(delay),
            tcp_timestamps=int(getattr(config, "tcp_timestamps", 1)),
            kernel=None if kernel is None else tuple(kernel),
        )


@dataclass(frozen=True)
class Holder:
    """A socket already bound to the address and port that a new bind() asks for.

    ``state`` is its TCP state name (``"TIME_WAIT"``, ``"LISTEN"``,
    ``"ESTABLISHED"``…); ``reuseaddr`` is ``SO_REUSEADDR`` of that socket — for
    a TIME_WAIT socket, of the socket that entered TIME_WAIT (an accepted
    socket inherits it from its listener).
    """

    state: str
    reuseaddr: bool


def who_holds_time_wait(closer: str) -> str:
    """The side that holds the TIME_WAIT socket: the one that closed first.

    Parameters
    ----------
    closer : {"client", "server", "both"}
        Who calls ``close()`` first; ``"both"`` is a simultaneous close, in
        which both ends pass through CLOSING into TIME_WAIT (RFC 9293 §3.6).

    Examples
    --------
    >>> who_holds_time_wait("server")
    'server'
    >>> who_holds_time_wait("both")
    'both'
    """
    require_choice("closer", closer, ("client", "server", "both"))
    if closer == "both":
        return "both"
    from tcpmodel.models import who_holds_time_wait as model  # one copy of the rule

    return model(closer)["holder"]


def bind_outcome(new_reuseaddr: bool, holders: Iterable[Holder]) -> str:
    """Result of an explicit ``bind()`` to an address and port that ``holders`` use.

    Implements ``inet_bind_conflict`` for sockets without ``SO_REUSEPORT``:
    each holder conflicts unless the new socket and the holder both set
    ``SO_REUSEADDR`` and the holder is not listening.

    Returns
    -------
    str
        ``"ok"`` or ``"EADDRINUSE"``.

    Examples
    --------
    >>> bind_outcome(False, [])
    'ok'
    >>> bind_outcome(True, [Holder("LISTEN", reuseaddr=True)])
    'EADDRINUSE'
    >>> bind_outcome(False, [Holder("TIME_WAIT", reuseaddr=True)])
    'EADDRINUSE'
    """
    require_bool("new_reuseaddr", new_reuseaddr)
    for holder in holders:
        if not (new_reuseaddr and holder.reuseaddr and holder.state != "LISTEN"):
            return "EADDRINUSE"
    return "ok"


def server_restart_outcome(first_closer: str, old_reuseaddr: bool, new_reuseaddr: bool) -> str:
    """Bind+listen of a restarted server on the port its predecessor used.

    The predecessor served one connection and was stopped after that
    connection closed completely. If the server closed first, its accepted
    socket is in TIME_WAIT on the server's port, carrying the listener's
    ``SO_REUSEADDR``; if the client closed first, the server's socket went
    LAST_ACK → CLOSED and nothing holds the port (the client's TIME_WAIT is
    on the client's own port).

    Examples
    --------
    >>> server_restart_outcome("server", old_reuseaddr=False, new_reuseaddr=True)
    'EADDRINUSE'
    >>> server_restart_outcome("server", old_reuseaddr=True, new_reuseaddr=True)
    'ok'
    >>> server_restart_outcome("client", old_reuseaddr=False, new_reuseaddr=False)
    'ok'
    """
    require_choice("first_closer", first_closer, ("server", "client"))
    require_bool("old_reuseaddr", old_reuseaddr)
    require_bool("new_reuseaddr", new_reuseaddr)
    holders = [Holder("TIME_WAIT", old_reuseaddr)] if first_closer == "server" else []
    return bind_outcome(new_reuseaddr, holders)


def connect_bound_port_outcome(time_wait_on_tuple: bool, timestamps: bool) -> str:
    """connect() from an explicitly bound port: ``"ok"`` or ``"EADDRNOTAVAIL"``.

    With a bound port, ``__inet_hash_connect`` passes ``twp == NULL`` to
    ``__inet_check_established``, and ``tcp_twsk_unique`` then takes over a
    TIME_WAIT socket on the same 4-tuple whenever it holds a peer timestamp —
    ``tcp_tw_reuse`` and ``tcp_tw_reuse_delay`` are not consulted at all.
    Such immediate reuse leaves the new connection to PAWS only once the
    peer's timestamp clock has ticked (:func:`paws_guaranteed`; commit
    ca6a6f93867a).

    Examples
    --------
    >>> connect_bound_port_outcome(time_wait_on_tuple=False, timestamps=False)
    'ok'
    >>> connect_bound_port_outcome(time_wait_on_tuple=True, timestamps=False)
    'EADDRNOTAVAIL'
    """
    require_bool("time_wait_on_tuple", time_wait_on_tuple)
    require_bool("timestamps", timestamps)
    if not time_wait_on_tuple:
        return "ok"
    return "ok" if timestamps else "EADDRNOTAVAIL"


def rebind_client_port_outcome(old_reuseaddr: bool, new_reuseaddr: bool, same_destination: bool, settings: Settings | None = None) -> str:
    """A client bound a fixed port, closed first, then binds it again and connects.

    Returns the bind's errno name if the bind fails, else the connect's
    result. The old socket's TIME_WAIT is on (client port, old destination).

    Examples
    --------
    >>> rebind_client_port_outcome(False, True, same_destination=False)
    'EADDRINUSE'
    >>> rebind_client_port_outcome(True, True, same_destination=True)
    'ok'
    >>> rebind_client_port_outcome(True, True, True, Settings(tcp_timestamps=0))
    'EADDRNOTAVAIL'
    """
    require_bool("same_destination", same_destination)
    settings = settings or Settings()
    bound = bind_outcome(new_reuseaddr, [Holder("TIME_WAIT", require_bool("old_reuseaddr", old_reuseaddr))])
    if bound != "ok":
        return bound
    return connect_bound_port_outcome(time_wait_on_tuple=same_destination, timestamps=settings.tcp_timestamps != 0)


def tw_reuse_allows(settings: Settings, *, loopback: bool, elapsed_s: float, fin_wait2_orphan: bool = False, seconds_ticked: int | None = None) -> bool:
    """Whether ``tcp_twsk_unique`` lets a kernel-chosen-port connect() reuse a TIME_WAIT 4-tuple.

    Parameters
    ----------
    settings : Settings
        ``tcp_tw_reuse``, ``tcp_tw_reuse_delay``, ``tcp_timestamps`` and, for
        kernels without ``tcp_tw_reuse_delay``, ``kernel``.
    loopback : bool
        Whether the TIME_WAIT socket's local or remote address is loopback
        (or it is bound to ``lo``): what ``tcp_tw_reuse = 2`` asks.
    elapsed_s : float
        Seconds since the event the delay counts from
        (:attr:`tcpmodel.linux.ReuseDelayRule.measured_from`): entry into
        TIME_WAIT on 6.14 and later, the last timestamp received before.
    fin_wait2_orphan : bool
        A FIN_WAIT_2 socket that was closed is kept as a timewait socket with
        substate FIN_WAIT2; it is never reused.
    seconds_ticked : int, optional
        Only for kernels without ``tcp_tw_reuse_delay``: how many new seconds
        of the rule's clock have begun since the last timestamp arrived
        (``floor(now) - floor(stamp)``). Needed when ``elapsed_s`` lies inside
        the rule's interval, where the answer depends on it.

    Raises
    ------
    ValueError
        For a whole-second kernel, when ``elapsed_s`` lies inside the rule's
        interval and ``seconds_ticked`` is not given.

    Examples
    --------
    >>> tw_reuse_allows(Settings(), loopback=True, elapsed_s=1.2)
    True
    >>> tw_reuse_allows(Settings(), loopback=True, elapsed_s=0.5)
    False
    >>> tw_reuse_allows(Settings(), loopback=False, elapsed_s=5.0)
    False
    >>> tw_reuse_allows(Settings(tcp_tw_reuse=1), loopback=False, elapsed_s=5.0)
    True
    >>> old = Settings(tcp_tw_reuse_delay=None, kernel=(5, 15))
    >>> tw_reuse_allows(old, loopback=True, elapsed_s=0.3, seconds_ticked=1)
    True
    """
    elapsed_s = require_number("elapsed_s", elapsed_s, low=0, unit="seconds")
    reuse = settings.tcp_tw_reuse
    if fin_wait2_orphan:
        reuse = 0
    if reuse == 2 and not loopback:
        reuse = 0
    if not reuse or settings.tcp_timestamps == 0:
        return False
    rule = settings.reuse_rule
    allowed = rule.allows(elapsed_s, seconds_ticked)
    if allowed is None:
        raise ValueError(
            f"seconds_ticked must be an integer (new seconds of the kernel's clock since the last timestamp) for "
            f"Linux {rule.kernels}, whose reuse delay is anywhere in {rule.interval}; got None at elapsed_s={elapsed_s:g}"
        )
    return allowed


def ephemeral_reuse_outcome(settings: Settings, *, loopback: bool, elapsed_s: float, seconds_ticked: int | None = None) -> str:
    """connect() whose only allowed local port has a TIME_WAIT on the same 4-tuple.

    ``"ok"`` when :func:`tw_reuse_allows`, else ``"EADDRNOTAVAIL"`` (no other
    port is left to try).

    Examples
    --------
    >>> ephemeral_reuse_outcome(Settings(), loopback=True, elapsed_s=0.0)
    'EADDRNOTAVAIL'
    >>> ephemeral_reuse_outcome(Settings(), loopback=True, elapsed_s=1.2)
    'ok'
    """
    allowed = tw_reuse_allows(settings, loopback=loopback, elapsed_s=elapsed_s, seconds_ticked=seconds_ticked)
    return "ok" if allowed else "EADDRNOTAVAIL"


#: RFC 7323 §5.4 (inferred: the sentence is read in RFC 1323 §4.2.2, which RFC 7323 carries over):
#: "a timestamp clock frequency in the range 1 ms to 1 sec per tick": the fastest and the slowest
#: tick a peer may use, in seconds.
PAWS_PEER_TICK_S = (0.001, 1.0)


def paws_guaranteed(elapsed_s: float, peer_tick_s: float = PAWS_PEER_TICK_S[1]) -> bool:
    """Whether PAWS surely rejects the old connection's duplicates on a 4-tuple reused ``elapsed_s`` later.

    PAWS (RFC 1323 §4.2.1; RFC 7323 §5, inferred) drops a segment whose timestamp is *older* than the
    last one the connection holds. An old duplicate carries a timestamp no
    newer than the peer's last one in the old connection, so it is rejected
    for sure only once the peer's timestamp clock has ticked since then: after
    ``peer_tick_s``, which RFC 7323 §5.4 (inferred) lets be anything from 1 ms to 1 s
    (:data:`PAWS_PEER_TICK_S`). Before that, a duplicate with the same
    timestamp passes PAWS and only the sequence number check is left (commit
    ca6a6f93867a). ``tcp_tw_reuse_delay``'s default, 1000 ms, covers the
    slowest clock; a bound-port reconnect waits for nothing.

    Examples
    --------
    >>> paws_guaranteed(0.0), paws_guaranteed(1.0), paws_guaranteed(0.002, peer_tick_s=0.001)
    (False, True, True)
    """
    elapsed_s = require_number("elapsed_s", elapsed_s, low=0, unit="seconds")
    peer_tick_s = require_number("peer_tick_s", peer_tick_s, low=PAWS_PEER_TICK_S[0], high=PAWS_PEER_TICK_S[1], unit="seconds")
    return elapsed_s >= peer_tick_s


def abortive_close_prediction() -> dict[str, object]:
    """What SO_LINGER {on, 0} then close() does: RST, peer ECONNRESET, no TIME_WAIT.

    Examples
    --------
    >>> abortive_close_prediction()
    {'peer_error': 'ECONNRESET', 'time_wait_sockets': 0}
    """
    return {"peer_error": "ECONNRESET", "time_wait_sockets": 0}


def syn_to_time_wait_prediction(accepted_by: str | None, tcp_rfc1337: int = 0) -> dict[str, object]:
    """What a client's SYN to a 4-tuple that the server holds in TIME_WAIT leads to, on Linux.

    ``accepted_by`` is :func:`tcpmodel.sim.sequence.time_wait_accepts_syn`'s
    answer for that SYN. If it is ``"sequence"`` or ``"timestamp"``,
    ``tcp_timewait_state_process()`` returns ``TCP_TW_SYN`` and the listener
    takes the SYN at once: no retransmission, and the TIME_WAIT socket is gone.
    Otherwise the TIME_WAIT socket answers with an ACK. The client, in
    SYN-SENT, answers an ACK that does not acknowledge its SYN with a RST
    whose sequence number is that ACK's acknowledgment number, which is
    exactly the TIME_WAIT's RCV.NXT, and retransmits its SYN after
    ``TCP_TIMEOUT_MIN`` (``tcp_rcv_synsent_state_process()``). With
    ``tcp_rfc1337=0`` that RST kills the TIME_WAIT socket and the
    retransmitted SYN reaches the listener (one retransmission). With
    ``tcp_rfc1337=1`` the RST is ignored: every SYN gets an ACK until the
    TIME_WAIT ends, so ``connect()`` is ``"refused"`` (it fails with
    ``ETIMEDOUT`` if its SYN retries run out first, ``tcp_write_timeout()``),
    and the TIME_WAIT socket stays.

    Returns
    -------
    dict
        ``{"outcome": "accepted" | "after retransmit" | "refused",
        "time_wait_after": bool}``.

    Examples
    --------
    >>> syn_to_time_wait_prediction("timestamp")
    {'outcome': 'accepted', 'time_wait_after': False}
    >>> syn_to_time_wait_prediction(None)
    {'outcome': 'after retransmit', 'time_wait_after': False}
    >>> syn_to_time_wait_prediction(None, tcp_rfc1337=1)
    {'outcome': 'refused', 'time_wait_after': True}
    """
    require_choice("accepted_by", accepted_by, ("sequence", "timestamp", None))
    require_choice("tcp_rfc1337", tcp_rfc1337, (0, 1))
    if accepted_by is not None:
        return {"outcome": "accepted", "time_wait_after": False}
    if tcp_rfc1337:
        return {"outcome": "refused", "time_wait_after": True}
    return {"outcome": "after retransmit", "time_wait_after": False}


#: What ends a TIME_WAIT socket on Linux (SOURCES["time_wait_ends"]): its timer, ``TCP_TIMEWAIT_LEN`` after it
#: began; a new connection that takes its 4-tuple over (a SYN it accepts, or connect() through tcp_twsk_unique);
#: an in-window RST (unless tcp_rfc1337=1); SOCK_DESTROY (``ss -K``, in kernels built with
#: CONFIG_INET_DIAG_DESTROY); and the end of its network namespace. An interface going down, or losing its
#: addresses, is not among them: a TIME_WAIT socket is in TCP's connection hash, not in a device.
TIME_WAIT_ENDED_BY = ("timer", "takeover", "rst", "sock_destroy", "netns_exit")


def time_wait_survives(event: str) -> bool:
    """Whether a Linux TIME_WAIT socket outlives ``event`` (anything not in :data:`TIME_WAIT_ENDED_BY`).

    Examples
    --------
    >>> time_wait_survives("ip link set lo down"), time_wait_survives("sock_destroy")
    (True, False)
    """
    if not isinstance(event, str) or not event:
        raise ValueError(f"event must be a non-empty string; got {event!r}")
    return event not in TIME_WAIT_ENDED_BY


def exhaustion_prediction(ports: int, closer: str, settings: Settings, *, loopback: bool = True, burst: bool = True) -> dict[str, object]:
    """Connections to ONE destination before connect() fails, with a port range of ``ports``.

    A burst (all attempts well inside ``tcp_tw_reuse_delay``) with the client
    closing first leaves a TIME_WAIT on every port: ``ports`` connections
    succeed and the next fails with ``EADDRNOTAVAIL`` whatever
    ``tcp_tw_reuse`` says. After the longest delay of the kernel's rule
    (``burst=False``; :attr:`Settings.reuse_rule`), ports are
    reusable again only if :func:`tw_reuse_allows`. When the server closes
    first, the client's ports are free as soon as each connection ends and
    the server's TIME_WAIT accepts a new SYN on the same 4-tuple
    (``net/ipv4/tcp_minisocks.c: tcp_timewait_state_process``, TCP_TW_SYN), so
    nothing fails.

    Returns
    -------
    dict
        ``{"succeeded": int or None, "errno": str or None}``; ``None`` means
        "no failure expected" (the attempts run out first).

    Examples
    --------
    >>> exhaustion_prediction(100, "client", Settings())
    {'succeeded': 100, 'errno': 'EADDRNOTAVAIL'}
    >>> exhaustion_prediction(100, "server", Settings(tcp_tw_reuse=0))
    {'succeeded': None, 'errno': None}
    """
    ports = require_int("ports", ports, low=1, high=65535)
    require_choice("closer", closer, ("client", "server"))
    if closer == "server":
        return {"succeeded": None, "errno": None}
    if burst:
        return {"succeeded": ports, "errno": "EADDRNOTAVAIL"}
    if tw_reuse_allows(settings, loopback=loopback, elapsed_s=settings.reuse_rule.longest_s + 0.2):
        return {"succeeded": None, "errno": None}
    return {"succeeded": 0, "errno": "EADDRNOTAVAIL"}
