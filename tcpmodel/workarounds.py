"""The TIME_WAIT workarounds and myths of notebook 07, as data with sources.

Theory of operation
-------------------
:data:`DECISION_TABLE` lists each workaround with whom it helps (the side
that opens connections, ``"client"``, or the side that accepts them,
``"server"``), the risk it takes, whether it needs root, and from which
Linux version it applies; every row names its source. The Linux facts that
:mod:`tcpmodel.linux` already holds (``tcp_tw_reuse`` values, their versions,
``tcp_max_tw_buckets`` overflow) are quoted from
:data:`tcpmodel.linux.LINUX_SOURCES`, not restated.

:data:`MYTHS` lists the popular claims the course corrects, each with the
correction and its source. Notebook 07 shows each one with a computation.

:func:`reuse_exposure_s` gives the one number of notebook 07's ``tw_reuse``
demo that is not an input: how long the network must hold the old duplicate
for it to reach the new incarnation.

Examples
--------
>>> [w.key for w in DECISION_TABLE if w.helps == "client"]
['tcp_tw_reuse', 'port_range', 'more_tuples']
>>> decision_row("tcp_tw_recycle").linux
'2.4 to 4.11 (removed in 4.12)'
>>> [w.key for w in DECISION_TABLE if w.removed_in]
['tcp_tw_recycle']
>>> len(MYTHS)
5
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpmodel._validate import require_choice
from tcpmodel.linux import LINUX_SOURCES, TCP_PAWS_MSL_S, TCP_TIMEWAIT_LEN_S

__all__ = ["Workaround", "DECISION_TABLE", "decision_row", "decision_table_rows", "Myth", "MYTHS", "myth", "reuse_exposure_s"]

HELPS = ("client", "server", "both", "neither")


@dataclass(frozen=True)
class Workaround:
    """One row of the decision table."""

    key: str
    name: str
    helps: str
    risk: str
    needs_root: bool
    linux: str
    source: str
    #: The Linux version that removed it ("" while it exists).
    removed_in: str = ""

    def __post_init__(self) -> None:
        require_choice("helps", self.helps, HELPS)


DECISION_TABLE: tuple[Workaround, ...] = (
    Workaround(
        "so_reuseaddr",
        "SO_REUSEADDR on the old and the new listener",
        "server",
        "none to TCP: TIME_WAIT sockets stay; a second listener on the port is still refused",
        False,
        "all",
        "socket(7) SO_REUSEADDR; net/ipv4/inet_connection_sock.c: inet_bind_conflict (both sockets need sk_reuse)",
    ),
    Workaround(
        "so_linger_zero",
        "SO_LINGER {on, 0}: close with RST",
        "both",
        "unsent data is discarded, the peer sees ECONNRESET, and nothing guards the 4-tuple against old duplicates",
        False,
        "all",
        "socket(7) SO_LINGER; net/ipv4/tcp.c: __tcp_close (zero linger time → tcp_disconnect sends RST)",
    ),
    Workaround(
        "tcp_tw_reuse",
        "net.ipv4.tcp_tw_reuse = 1",
        "client",
        "low with timestamps on both ends and a wait no shorter than the peer's timestamp tick: PAWS rejects old "
        "duplicates only once that clock has ticked (RFC 7323 §5.4, inferred). Linux 6.14+ waits tcp_tw_reuse_delay "
        "(default 1000 ms); from 4.19 (inferred) to 6.13 it waited anywhere in (0, 1] s, so a slow peer clock could let "
        "a duplicate through. It does not apply without timestamps",
        True,
        "2.4.19/2.6 (value 2, loopback only: 4.18, inferred from the commit date; tcp_tw_reuse_delay: 6.14)",
        "tcp(7) tcp_tw_reuse; " + LINUX_SOURCES["tcp_tw_reuse"] + "; " + LINUX_SOURCES["reuse_conditions"],
    ),
    Workaround(
        "tcp_tw_recycle",
        "net.ipv4.tcp_tw_recycle = 1",
        "both",
        "whichever host closed first, client or server, kept TIME_WAIT for only 3.5 × RTO and lost its protection; a host "
        "that accepts connections silently dropped SYNs from hosts sharing one address (NAT) whose timestamp clock was "
        "behind the last one it saved, and from any client with per-connection timestamp offsets (Linux 4.10)",
        True,
        "2.4 to 4.11 (removed in 4.12)",
        "tcp(7) tcp_tw_recycle ('Linux 2.4 to Linux 4.11'); read in a Linux 4.9 tree, inferred for 4.11: "
        "net/ipv4/tcp_minisocks.c: tcp_time_wait (recycle_ok: TIME_WAIT of 3.5 × RTO), net/ipv4/tcp_input.c: "
        "tcp_conn_request (sysctl_tw_recycle), net/ipv4/tcp_metrics.c: tcp_peer_is_proven and tcp_remember_stamp; "
        "first releases inferred: commit 95a22caee396 (4.10), commit 28ee1b746f49 (4.11), commit 4396e46187ca (4.12)",
        removed_in="4.12",
    ),
    Workaround(
        "port_range",
        "widen net.ipv4.ip_local_port_range",
        "client",
        "connect() can take a port a service wants to bind later (reserve it in ip_local_reserved_ports)",
        True,
        "all",
        "Documentation/networking/ip-sysctl.rst: ip_local_port_range, ip_local_reserved_ports",
    ),
    Workaround(
        "more_tuples",
        "more destination addresses/ports or source addresses",
        "client",
        "none to TCP; more addresses to run (a port in TIME_WAIT to one destination is free for another)",
        False,
        "all",
        "RFC 793 §2.7: a connection is fully specified by the pair of sockets at its ends; " + LINUX_SOURCES["connect_ports"],
    ),
    Workaround(
        "pooling",
        "connection pooling and keep-alive",
        "both",
        "either side may close an idle pooled connection at any time: detect the close and retry automatically only "
        "requests that are safe to repeat",
        False,
        "all",
        "RFC 9112 §9.3 (persistence); RFC 9112 §9.3.1 and RFC 9112 §9.5 (connections can be closed at any time)",
    ),
    Workaround(
        "client_closes_first",
        "let the client close first",
        "server",
        "needs the protocol's cooperation; the TIME_WAIT moves to the clients, spread over many hosts",
        False,
        "all",
        "RFC 9293 §3.6: the side that closes first (sends the first FIN) enters TIME-WAIT",
    ),
    Workaround(
        "max_tw_buckets",
        "lower net.ipv4.tcp_max_tw_buckets",
        "both",
        "it works by removing TIME_WAIT: beyond the cap a closing socket gets none (TCPTimeWaitOverflow), so its "
        "port and 4-tuple are free at once (the side that closes first: a client's ports, a server's memory), but if the final "
        "ACK is lost the peer's retransmitted FIN gets a RST, and an old duplicate can reach the next incarnation; ip-sysctl.rst: "
        "\"you _must_ not lower the limit artificially\"",
        True,
        "all (per network namespace in 6.18)",
        "net/ipv4/inet_timewait_sock.c: inet_twsk_alloc (NULL at the cap); net/ipv4/tcp_minisocks.c: tcp_time_wait "
        "(TCPTimeWaitOverflow, tcp_done); net/ipv4/tcp.c: tcp_set_state (inet_put_port); net/ipv4/tcp_ipv4.c: "
        "tcp_set_hashinfo; Documentation/networking/ip-sysctl.rst: tcp_max_tw_buckets; observed on Linux 6.18 in "
        "tools/root_lab.py (tw_buckets)",
    ),
    Workaround(
        "tcp_fin_timeout",
        "lower net.ipv4.tcp_fin_timeout",
        "neither",
        "it shortens orphaned FIN_WAIT_2, not TIME_WAIT",
        True,
        "all",
        LINUX_SOURCES["tcp_fin_timeout"] + "; include/net/tcp.h: TCP_TIMEWAIT_LEN",
    ),
)


def decision_row(key: str) -> Workaround:
    """The decision-table row with this ``key``.

    Examples
    --------
    >>> decision_row("so_linger_zero").helps
    'both'
    """
    keys = [w.key for w in DECISION_TABLE]
    require_choice("key", key, keys)
    return DECISION_TABLE[keys.index(key)]


def decision_table_rows() -> list[dict[str, str]]:
    """The decision table as printable rows (for a notebook table or the figure).

    Examples
    --------
    >>> decision_table_rows()[0]["needs root"]
    'no'
    """
    return [
        {
            "workaround": w.name,
            "helps": w.helps,
            "risk": w.risk,
            "needs root": "yes" if w.needs_root else "no",
            "Linux": w.linux,
        }
        for w in DECISION_TABLE
    ]


@dataclass(frozen=True)
class Myth:
    """A popular claim, what is true instead, and the source that decides it."""

    key: str
    claim: str
    truth: str
    source: str


MYTHS: tuple[Myth, ...] = (
    Myth(
        "restart_networking",
        "Restarting networking clears TIME_WAIT.",
        "A TIME_WAIT socket lives in TCP's connection hash, with its own timer, not in an interface. It ends only when "
        f"its {TCP_TIMEWAIT_LEN_S:g} s timer fires; a new connection takes its 4-tuple over (an outgoing "
        "connect() that tcp_twsk_unique allows, or an incoming SYN that Linux's own test accepts: sequence number after "
        "RCV.NXT or a newer timestamp); a RST at RCV.NXT kills it (unless tcp_rfc1337=1); a privileged process destroys "
        "it with SOCK_DESTROY (ss -K, which reaches tcp_abort, in kernels built with CONFIG_INET_DIAG_DESTROY); or its "
        "network namespace is destroyed (inet_twsk_purge). Taking an interface down and up or flushing its addresses is "
        "none of them (observed on Linux 6.18.44 in notebook 08's root lab).",
        "net/ipv4/inet_timewait_sock.c: inet_twsk_hashdance_schedule (inet_twsk_hashdance and inet_twsk_schedule in "
        "older kernels), tw_timer_handler, inet_twsk_purge (called through tcp_twsk_purge when a namespace exits); "
        "net/ipv4/tcp_minisocks.c: tcp_timewait_state_process (TCP_TW_SYN; the RST branch, tcp_rfc1337); "
        "net/ipv4/tcp_ipv4.c: tcp_twsk_unique; net/ipv4/tcp.c: tcp_abort (the TIME_WAIT branch, "
        "inet_twsk_deschedule_put; SOCK_DESTROY needs CONFIG_INET_DIAG_DESTROY, net/ipv4/Kconfig)",
    ),
    Myth(
        "fin_timeout",
        "tcp_fin_timeout shortens TIME_WAIT.",
        "tcp_fin_timeout is how long an orphaned connection may stay in FIN_WAIT_2. TIME_WAIT lasts TCP_TIMEWAIT_LEN, "
        f"a compile-time constant of {TCP_TIMEWAIT_LEN_S:g} s.",
        LINUX_SOURCES["tcp_fin_timeout"] + "; " + LINUX_SOURCES["TCP_TIMEWAIT_LEN"]
        + "; net/ipv4/tcp_minisocks.c: tcp_time_wait (timeo = TCP_TIMEWAIT_LEN in TIME_WAIT)",
    ),
    Myth(
        "tw_reuse_server",
        "tcp_tw_reuse helps a server's incoming connections.",
        "tcp_tw_reuse is consulted only when this host calls connect() (tcp_twsk_unique). A SYN arriving at a server's "
        "TIME_WAIT 4-tuple is judged by tcp_timewait_state_process (Linux's own test: sequence number after RCV.NXT or "
        "a newer timestamp), whatever tcp_tw_reuse says.",
        "net/ipv4/tcp_ipv4.c: tcp_twsk_unique (called from __inet_check_established in the connect() path); "
        "net/ipv4/tcp_minisocks.c: tcp_timewait_state_process; Documentation/networking/ip-sysctl.rst: tcp_tw_reuse",
    ),
    Myth(
        "msl_one_minute",
        "The Linux MSL is hard-coded to 1 minute.",
        "No MSL sets Linux's TIME_WAIT: what is hard-coded is the TIME_WAIT length itself, "
        f"TCP_TIMEWAIT_LEN = {TCP_TIMEWAIT_LEN_S:g} s, and no sysctl changes it. Linux has no MSL setting; its only "
        f"constant named after the MSL, TCP_PAWS_MSL ({TCP_PAWS_MSL_S:g} s), is how long a saved peer timestamp stays "
        "valid, not a segment lifetime. Read as 2·MSL, as this course does, TIME_WAIT gives the convention "
        f"MSL = TCP_TIMEWAIT_LEN / 2 = {TCP_TIMEWAIT_LEN_S / 2:g} s (RFC 793 assumed an MSL of 2 minutes).",
        LINUX_SOURCES["TCP_TIMEWAIT_LEN"] + "; include/net/tcp.h: TCP_PAWS_MSL; RFC 793 §3.3 (MSL = 2 minutes)",
    ),
    Myth(
        "port_range_61000",
        "The ephemeral port range ends at 61000.",
        "Linux's default ip_local_port_range is 32768–60999, which gives connect() an even number of ports; articles "
        "quoting 61000 describe kernels before 4.2 (commit 07f4c90062f8, 2015, changed it; that 4.2 was its first "
        "release is inferred from its date).",
        LINUX_SOURCES["ip_local_port_range"] + "; net/ipv4/af_inet.c: inet_init_net (60999u << 16 | 32768u in Linux "
        "6.12; range[1] = 60999 in 6.1)",
    ),
)


def myth(key: str) -> Myth:
    """The myth with this ``key``.

    Examples
    --------
    >>> myth("fin_timeout").claim
    'tcp_fin_timeout shortens TIME_WAIT.'
    """
    keys = [m.key for m in MYTHS]
    require_choice("key", key, keys)
    return MYTHS[keys.index(key)]


def reuse_exposure_s(**params) -> float:
    """How long the network must hold the old duplicate of ``tw_reuse`` for it to reach the new incarnation.

    The time from when incarnation 1 sent ``old-2`` to when B's incarnation 2
    begins (A's new SYN reaches B): the rest of incarnation 1, its close, the
    reuse delay and a one-way trip. A duplicate held for less arrives while no
    connection of that 4-tuple can take it; held longer, it reaches the new
    incarnation, where only PAWS (timestamps) keeps it out. ``params`` are
    those of ``simulate("tw_reuse", ...)`` except ``delay`` and ``timestamps``.

    Examples
    --------
    >>> 2 < reuse_exposure_s() < 4
    True
    >>> reuse_exposure_s(tcp_tw_reuse=0) > 60
    True
    """
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    trace = simulate("tw_reuse", timestamps=False, **params)
    sent = min(s.t_sent for s in trace.segments if s.payload == "old-2" and s.incarnation == 1)
    starts = trace.entered("B", State.SYN_RECEIVED)
    return round(starts[1] - sent, 9)
