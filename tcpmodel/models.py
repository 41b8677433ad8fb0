"""How long and how much: the arithmetic of TIME_WAIT's cost.

Theory of operation
-------------------
A socket that closes first keeps its 4-tuple (source IP, source port,
destination IP, destination port) in TIME_WAIT for ``time_wait_s``. While it
does, ``connect()`` cannot create the same 4-tuple again (Linux:
``__inet_check_established()`` in ``net/ipv4/inet_hashtables.c``), but it *can*
reuse the same local port towards a different destination. Hence:

* :func:`max_connection_rate` -- ``ports × destinations / hold`` new
  connections per second can be sustained, where ``hold`` is the TIME_WAIT
  length, or ``tcp_tw_reuse_delay`` when Linux's ``tcp_tw_reuse`` applies
  (pass a :class:`~tcpmodel.linux.LinuxConfig`).
* :func:`time_wait_population` -- Little's law ``N = λ·T``, capped by
  ``tcp_max_tw_buckets``.
* :func:`time_to_exhaustion` -- how long until ``connect()`` fails with
  ``EADDRNOTAVAIL`` at a rate above the sustainable one.
* ``tcp_max_tw_buckets`` (``max_tw_buckets=``): at the cap Linux closes a
  connection without TIME_WAIT (``inet_twsk_alloc()`` returns NULL,
  ``tcp_time_wait()`` counts ``TCPTimeWaitOverflow`` and calls ``tcp_done()``),
  so its port and 4-tuple are free at once. A cap below ``ports ×
  destinations`` therefore means the 4-tuples never run out, and the
  connections beyond it lose TIME_WAIT's protection:
  :func:`time_wait_overflow_rate` counts them, :func:`burst_outcome`
  predicts a burst.
* :func:`time_wait_memory_bytes` -- what the population costs in kernel memory.
* :func:`duplicate_arrival_probability` and its Monte Carlo estimator
  :func:`simulate_duplicate_arrivals` -- why the wait exists at all: the chance
  that a delayed duplicate of the old incarnation lands in the new one. With
  the clock-driven ISNs of RFC 9293 §3.4.1 (the default) whether it is
  *accepted* is not a matter of chance: the new incarnation's ISN is the old
  one's plus the clock's advance, so it depends only on the gap, on how long
  the old incarnation lasted and on how much it sent.

The data tables live in :mod:`tcpmodel.systems` (``SYSTEMS``) and
:mod:`tcpmodel.linux` (``LinuxConfig`` and constants); they are re-exported
here so that ``tcpmodel.models.SYSTEMS`` and ``tcpmodel.models.LinuxConfig``
work.

These are steady-state models of one client host. They leave out: ports
excluded by ``ip_local_reserved_ports``, ports held by ``bind()`` without
``IP_BIND_ADDRESS_NO_PORT`` (such a port is taken for every destination), and
connections still open (each holds a port too).

Examples
--------
>>> n = ephemeral_port_count(32768, 60999)
>>> n
28232
>>> round(max_connection_rate(n, 60), 1)
470.5
>>> round(max_connection_rate(n, 60, destinations=4), 1)
1882.1
>>> time_to_exhaustion(400, n, 60)
inf
>>> round(time_to_exhaustion(1000, n, 60), 2)
28.23
"""

from __future__ import annotations

import math

from tcpmodel._validate import require_bool, require_choice, require_int, require_number
from tcpmodel.linux import (
    FULL_TCP_SOCK_BYTES,
    LINUX_SOURCES,
    TCP_FIN_TIMEOUT_S,
    TCP_PAWS_MSL_S,
    TCP_TIMEWAIT_LEN_S,
    ReuseDelayRule,
    TW_SOCK_BYTES,
    TW_SOCK_SOURCE,
    LinuxConfig,
    ProcUnavailable,
    connect_port_count,
    default_max_tw_buckets,
    reuse_delay_rule,
)
from tcpmodel.systems import SYSTEMS, SystemEntry, systems_table

__all__ = [
    "ephemeral_port_count",
    "max_connection_rate",
    "rate_conditions",
    "time_wait_population",
    "time_wait_overflow_rate",
    "burst_outcome",
    "time_to_exhaustion",
    "time_wait_memory_bytes",
    "duplicate_arrival_probability",
    "simulate_duplicate_arrivals",
    "duplicate_in_window",
    "MonteCarloEstimate",
    "who_holds_time_wait",
    "incident_analysis",
    "SYSTEMS",
    "SystemEntry",
    "systems_table",
    "LinuxConfig",
    "ProcUnavailable",
    "connect_port_count",
    "default_max_tw_buckets",
    "TCP_TIMEWAIT_LEN_S",
    "TCP_PAWS_MSL_S",
    "TCP_FIN_TIMEOUT_S",
    "ReuseDelayRule",
    "reuse_delay_rule",
    "TW_SOCK_BYTES",
    "TW_SOCK_SOURCE",
    "FULL_TCP_SOCK_BYTES",
    "LINUX_SOURCES",
    "DELAY_DISTRIBUTIONS",
    "ISN_POLICIES",
    "SEQUENCE_SPACE",
]

#: Largest sensible TIME_WAIT/MSL for the validators: 1 hour.
_MAX_SECONDS = 3600.0
#: Sequence numbers are 32 bits (RFC 9293 §3.4).
SEQUENCE_SPACE = 2**32
DELAY_DISTRIBUTIONS = ("uniform", "exponential")
#: How the new incarnation's ISN relates to the old one's: ``"rfc6528"`` (the clock of
#: RFC 9293 §3.4.1, the default), ``"same"`` (the worst case) and ``"random"`` (a hypothetical).
ISN_POLICIES = ("rfc6528", "same", "random")


def ephemeral_port_count(low: int, high: int) -> int:
    """Number of ports in ``[low, high]``, both ends included.

    Parameters
    ----------
    low, high : int
        The range's ends, each in 1-65535, ``low <= high``.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        On a port outside 1-65535 or a reversed range.

    Notes
    -----
    Linux's ``connect()`` can use one port fewer when the count is odd (see
    :func:`tcpmodel.linux.connect_port_count`); this function counts the range.

    Examples
    --------
    >>> ephemeral_port_count(32768, 60999)
    28232
    >>> ephemeral_port_count(49152, 65535)
    16384
    >>> ephemeral_port_count(60999, 32768)
    Traceback (most recent call last):
    ...
    ValueError: high must be an integer in [60999, 65535] (at least low); got 32768
    """
    low = require_int("low", low, low=1, high=65535)
    high = require_int("high", high, low=1, high=65535)
    if high < low:
        raise ValueError(f"high must be an integer in [{low}, 65535] (at least low); got {high}")
    return high - low + 1


def _check_rate_inputs(ports, time_wait_s, destinations) -> tuple[int, float, int]:
    ports = require_int("ports", ports, low=1, high=65535)
    time_wait_s = require_number("time_wait_s", time_wait_s, low=0, high=_MAX_SECONDS, low_open=True, unit="seconds")
    destinations = require_int("destinations", destinations, low=1, high=2**32)
    return ports, time_wait_s, destinations


def _hold_s(time_wait_s: float, config: LinuxConfig | None, loopback: bool, peer_timestamps: bool) -> float:
    """Seconds a closed 4-tuple stays unusable: TIME_WAIT, or less where tcp_tw_reuse applies."""
    require_bool("loopback", loopback)
    require_bool("peer_timestamps", peer_timestamps)
    if config is None:
        return time_wait_s
    if not isinstance(config, LinuxConfig):
        raise ValueError(f"config must be a LinuxConfig or None; got {type(config).__name__}")
    return config.effective_hold_s(time_wait_s=time_wait_s, loopback=loopback, peer_timestamps=peer_timestamps)


def max_connection_rate(
    ports: int,
    time_wait_s: float,
    destinations: int = 1,
    config: LinuxConfig | None = None,
    *,
    loopback: bool = False,
    peer_timestamps: bool = True,
    max_tw_buckets: int | None = None,
) -> float:
    """Sustainable new connections per second when the local side closes first.

    Each connection leaves its 4-tuple in TIME_WAIT for ``time_wait_s``; a
    local port can carry one connection per destination at a time, so
    ``ports × destinations`` 4-tuples recycle every ``hold`` seconds.

    Parameters
    ----------
    ports : int
        Ephemeral ports available to ``connect()`` (1-65535).
    time_wait_s : float
        TIME_WAIT length in seconds, in (0, 3600]. Linux: 60 (``TCP_TIMEWAIT_LEN``).
    destinations : int
        Distinct (source IP, destination IP, destination port) combinations the
        connections are spread over evenly; default 1.
    config : LinuxConfig, optional
        Linux sysctls. When ``tcp_tw_reuse`` applies (1, or 2 on loopback; with
        timestamps), ``hold`` is ``tcp_tw_reuse_delay`` instead of TIME_WAIT.
    loopback : bool
        The connections use a loopback address (matters for ``tcp_tw_reuse=2``).
    peer_timestamps : bool
        The peer sends TCP timestamps (``tcp_tw_reuse`` needs them).
    max_tw_buckets : int, optional
        Linux's ``tcp_max_tw_buckets`` (default: no cap). Connections that close
        when the cap is full get no TIME_WAIT socket and hold no 4-tuple, so a
        cap below ``ports × destinations`` means TIME_WAIT can never exhaust the
        4-tuples: the result is ``math.inf`` (the limit is then elsewhere, and
        the connections beyond the cap lose TIME_WAIT's protection; see
        :func:`time_wait_overflow_rate`).

    Returns
    -------
    float
        Connections per second (``math.inf`` when the cap keeps the 4-tuples free).

    Examples
    --------
    >>> round(max_connection_rate(28232, 60), 1)
    470.5
    >>> round(max_connection_rate(28232, 60, config=LinuxConfig()), 1)  # reuse=2, not loopback
    470.5
    >>> max_connection_rate(28232, 60, config=LinuxConfig(), loopback=True)  # reuse after 1 s
    28232.0
    >>> round(max_connection_rate(28232, 60, max_tw_buckets=131072), 1)  # cap above the ports: no effect
    470.5
    >>> max_connection_rate(28232, 60, max_tw_buckets=10000)  # connections beyond 10,000 skip TIME_WAIT
    inf
    >>> max_connection_rate(0, 60)
    Traceback (most recent call last):
    ...
    ValueError: ports must be an integer in [1, 65535]; got 0
    """
    ports, time_wait_s, destinations = _check_rate_inputs(ports, time_wait_s, destinations)
    hold = _hold_s(time_wait_s, config, loopback, peer_timestamps)
    if _cap_frees_tuples(max_tw_buckets, ports * destinations):
        return math.inf
    return ports * destinations / hold


def _check_cap(max_tw_buckets: int | None) -> int | None:
    if max_tw_buckets is None:
        return None
    return require_int("max_tw_buckets", max_tw_buckets, low=0, high=2**31 - 1)


def _cap_frees_tuples(max_tw_buckets: int | None, capacity: int) -> bool:
    """True when ``tcp_max_tw_buckets`` is below the 4-tuples TIME_WAIT could hold.

    Then at most ``max_tw_buckets`` 4-tuples are ever held, so some stay free
    (``inet_twsk_alloc()`` refuses the rest and ``tcp_time_wait()`` closes them).
    """
    cap = _check_cap(max_tw_buckets)
    return cap is not None and cap < capacity


def rate_conditions(
    ports: int,
    time_wait_s: float,
    destinations: int = 1,
    config: LinuxConfig | None = None,
    *,
    loopback: bool = False,
    peer_timestamps: bool = True,
    max_tw_buckets: int | None = None,
) -> list[str]:
    """The conditions under which :func:`max_connection_rate`'s figure holds, as sentences.

    Examples
    --------
    >>> for line in rate_conditions(28232, 60)[:2]:
    ...     print(line)
    the local side closes first, so its 4-tuples sit in TIME_WAIT for 60 s
    28,232 ephemeral ports from one source IP to 1 (destination IP, destination port)
    """
    ports, time_wait_s, destinations = _check_rate_inputs(ports, time_wait_s, destinations)
    hold = _hold_s(time_wait_s, config, loopback, peer_timestamps)
    lines = [
        f"the local side closes first, so its 4-tuples sit in TIME_WAIT for {time_wait_s:g} s",
        f"{ports:,} ephemeral ports from one source IP to {destinations:,} (destination IP, destination port)",
        "connect() picks the port (no bind() before connect(), or IP_BIND_ADDRESS_NO_PORT), "
        "so a port in TIME_WAIT to one destination is still free for another (4-tuple uniqueness)",
    ]
    if config is None:
        lines.append("no tcp_tw_reuse (pass a LinuxConfig to include it)")
    elif hold < time_wait_s:
        lines.append(
            f"tcp_tw_reuse={config.tcp_tw_reuse} applies (timestamps on both ends"
            f"{', loopback' if config.tcp_tw_reuse == 2 else ''}): a 4-tuple is reusable after "
            f"tcp_tw_reuse_delay = {config.tcp_tw_reuse_delay} ms"
        )
    else:
        why = "it is 0" if config.tcp_tw_reuse == 0 else (
            "timestamps are off" if config.tcp_timestamps == 0 or not peer_timestamps else "the traffic is not loopback")
        lines.append(f"tcp_tw_reuse={config.tcp_tw_reuse} does not apply ({why})")
    cap, capacity = _check_cap(max_tw_buckets), ports * destinations
    if cap is None:
        lines.append("tcp_max_tw_buckets is at least the 4-tuples TIME_WAIT can hold (pass max_tw_buckets to check)")
    elif cap < capacity:
        lines.append(
            f"tcp_max_tw_buckets = {cap:,} is below the {capacity:,} 4-tuples: connections beyond it skip "
            "TIME_WAIT (TCPTimeWaitOverflow), so the 4-tuples never run out, and those connections lose "
            "TIME_WAIT's protection"
        )
    else:
        lines.append(f"tcp_max_tw_buckets = {cap:,} is at least the {capacity:,} 4-tuples, so it does not bind")
    lines.append("connections close evenly over time; the server side does not close first")
    return lines


def who_holds_time_wait(first_closer: str) -> dict[str, str]:
    """Which side keeps TIME_WAIT, and what it costs that side.

    ``first_closer`` is ``"client"`` or ``"server"``. The side that sends the
    first FIN enters TIME_WAIT (RFC 9293 §3.6). A client pays in ephemeral
    ports; a server's TIME_WAIT entries sit on its listening port's 4-tuples,
    so they cost it memory, and block only a client that comes back from the
    *same* source port within the wait (Linux accepts even that SYN when its
    sequence number or timestamp is newer: ``tcp_timewait_state_process()``).

    Examples
    --------
    >>> who_holds_time_wait("server")["holder"]
    'server'
    """
    require_choice("first_closer", first_closer, ("client", "server"))
    if first_closer == "client":
        return {
            "holder": "client",
            "pays_in": "ephemeral ports (each 4-tuple blocked for TIME_WAIT) and a little memory",
            "limit": "ports × destinations / TIME_WAIT new connections per second",
        }
    return {
        "holder": "server",
        "pays_in": "memory (one minisock per connection) and the tcp_max_tw_buckets cap",
        "limit": "only a client reusing the same source port within TIME_WAIT can collide",
    }


def time_wait_population(rate: float, time_wait_s: float, max_tw_buckets: int | None = None) -> float:
    """Steady-state number of sockets in TIME_WAIT: Little's law ``N = λ·T``, capped.

    Parameters
    ----------
    rate : float
        Connections closed first by this host per second (λ), ``>= 0``.
    time_wait_s : float
        Time each spends in TIME_WAIT (T), in (0, 3600].
    max_tw_buckets : int, optional
        Linux's ``tcp_max_tw_buckets``. Above it, new TIME_WAIT sockets are not
        created: the connection is closed at once (``TCPTimeWaitOverflow``).

    Examples
    --------
    >>> time_wait_population(470.5, 60)
    28230.0
    >>> time_wait_population(5000, 60, max_tw_buckets=131072)
    131072.0
    """
    rate = require_number("rate", rate, low=0, unit="connections/s")
    time_wait_s = require_number("time_wait_s", time_wait_s, low=0, high=_MAX_SECONDS, low_open=True, unit="seconds")
    population = rate * time_wait_s
    if max_tw_buckets is not None:
        cap = require_int("max_tw_buckets", max_tw_buckets, low=0, high=2**31 - 1)
        population = min(population, float(cap))
    return float(population)


def time_wait_overflow_rate(rate: float, time_wait_s: float, max_tw_buckets: int | None) -> float:
    """Connections per second that close *without* TIME_WAIT because ``tcp_max_tw_buckets`` is full.

    In a steady state the full cap releases ``max_tw_buckets / time_wait_s``
    sockets per second, so that many closes can enter TIME_WAIT; the rest of
    ``rate`` finds the cap full. For each of them ``inet_twsk_alloc()``
    (``net/ipv4/inet_timewait_sock.c``) returns NULL and ``tcp_time_wait()``
    (``net/ipv4/tcp_minisocks.c``) counts ``TCPTimeWaitOverflow`` and calls
    ``tcp_done()``: the socket is closed at once, its port and 4-tuple are free,
    and nothing guards them against a retransmitted FIN or an old duplicate.

    Examples
    --------
    >>> time_wait_overflow_rate(100, 60, 131072)
    0.0
    >>> round(time_wait_overflow_rate(400, 60, 10000), 1)  # 400 - 10,000 / 60
    233.3
    >>> time_wait_overflow_rate(400, 60, None)
    0.0
    """
    rate = require_number("rate", rate, low=0, unit="connections/s")
    time_wait_s = require_number("time_wait_s", time_wait_s, low=0, high=_MAX_SECONDS, low_open=True, unit="seconds")
    cap = _check_cap(max_tw_buckets)
    if cap is None:
        return 0.0
    return float(max(0.0, rate - cap / time_wait_s))


def burst_outcome(connections: int, ports: int, max_tw_buckets: int | None = None, destinations: int = 1) -> dict:
    """What a burst of client-closed connections does, from a cold start, without ``tcp_tw_reuse``.

    The burst is shorter than TIME_WAIT (no TIME_WAIT ends during it) and each
    connection closes before the next opens. Every close takes a TIME_WAIT
    socket while ``tcp_max_tw_buckets`` has room, and holds its 4-tuple; once
    the cap is full, closes skip TIME_WAIT and free their 4-tuple at once.

    * cap at or above ``ports × destinations`` (or none): ``connect()`` fails
      with ``EADDRNOTAVAIL`` once every 4-tuple is held;
    * cap below it: the 4-tuples never run out; ``min(connections, cap)`` end
      in TIME_WAIT and the rest are counted as ``TCPTimeWaitOverflow``.

    Returns
    -------
    dict
        ``succeeded``, ``errno`` (``"EADDRNOTAVAIL"`` or ``None``),
        ``time_wait`` (sockets left in TIME_WAIT), ``overflow`` (closes that
        skipped it).

    Examples
    --------
    >>> burst_outcome(60, 20)
    {'succeeded': 20, 'errno': 'EADDRNOTAVAIL', 'time_wait': 20, 'overflow': 0}
    >>> burst_outcome(60, 20, max_tw_buckets=5)
    {'succeeded': 60, 'errno': None, 'time_wait': 5, 'overflow': 55}
    """
    connections = require_int("connections", connections, low=0, high=10**9)
    ports = require_int("ports", ports, low=1, high=65535)
    destinations = require_int("destinations", destinations, low=1, high=2**32)
    capacity = ports * destinations
    if _cap_frees_tuples(max_tw_buckets, capacity):
        held = min(connections, max_tw_buckets)
        return {"succeeded": connections, "errno": None, "time_wait": held, "overflow": connections - held}
    succeeded = min(connections, capacity)
    return {"succeeded": succeeded, "errno": "EADDRNOTAVAIL" if connections > capacity else None,
            "time_wait": succeeded, "overflow": 0}


def time_to_exhaustion(rate: float, ports: int, time_wait_s: float, destinations: int = 1,
                       max_tw_buckets: int | None = None) -> float:
    """Seconds from a cold start until ``connect()`` finds no free 4-tuple.

    At a rate above :func:`max_connection_rate`, 4-tuples are taken faster than
    TIME_WAIT releases them; starting with every port free, the last is taken
    after ``ports × destinations / rate`` seconds (before any has expired).
    A ``max_tw_buckets`` below ``ports × destinations`` keeps 4-tuples free
    (connections beyond the cap skip TIME_WAIT), so they never run out.

    Returns
    -------
    float
        Seconds, or ``math.inf`` when the rate can be sustained.

    Examples
    --------
    >>> time_to_exhaustion(470, 28232, 60)
    inf
    >>> round(time_to_exhaustion(2000, 28232, 60), 3)
    14.116
    >>> time_to_exhaustion(2000, 28232, 60, max_tw_buckets=10000)
    inf
    """
    rate = require_number("rate", rate, low=0, unit="connections/s")
    ports, time_wait_s, destinations = _check_rate_inputs(ports, time_wait_s, destinations)
    if _cap_frees_tuples(max_tw_buckets, ports * destinations) or rate <= ports * destinations / time_wait_s:
        return math.inf
    return ports * destinations / rate


def time_wait_memory_bytes(count: float, per_socket_bytes: int = TW_SOCK_BYTES) -> float:
    """Kernel memory held by ``count`` TIME_WAIT sockets.

    The default ``per_socket_bytes`` is the ``tw_sock_TCP`` slab object size,
    256 bytes on Linux 6.18.44 x86_64 (``/proc/slabinfo``; ``struct
    tcp_timewait_sock``); it varies by kernel version and config. A full TCP
    socket is about ten times larger (2368 bytes, ``TCP`` slab, same machine).

    Examples
    --------
    >>> time_wait_memory_bytes(20000)
    5120000.0
    >>> time_wait_memory_bytes(-1)
    Traceback (most recent call last):
    ...
    ValueError: count must be a number in [0, inf) (sockets); got -1
    """
    count = require_number("count", count, low=0, unit="sockets")
    per = require_int("per_socket_bytes", per_socket_bytes, low=1, high=1 << 20, unit="bytes")
    return float(count * per)


def incident_analysis(
    time_wait_sockets: float,
    *,
    port_range: tuple[int, int] = (32768, 60999),
    established: int = 0,
    time_wait_s: float = TCP_TIMEWAIT_LEN_S,
    destinations: int = 1,
    demand_rate: float | None = None,
    max_tw_buckets: int | None = None,
) -> dict[str, float | str]:
    """Explain a host that holds ``time_wait_sockets`` and cannot connect() to one service.

    Ports held by open connections (``established``) are not free for new
    ones, so the 4-tuples that can cycle are ``(ports - established) ×
    destinations``. Little's law turns the TIME_WAIT count into the rate of
    connections that did succeed (``N / T``).

    Returns
    -------
    dict
        ``ports``, ``free_ports``, ``limit_rate`` (sustainable connections/s),
        ``implied_rate`` (``N / T``), ``utilisation`` (TIME_WAIT / capacity),
        ``memory_bytes``, ``failing_rate`` (demand above the limit, if
        ``demand_rate`` is given), ``binding`` (what limits: ``"ports"`` or
        ``"tcp_max_tw_buckets"`` or ``"none"``). ``"tcp_max_tw_buckets"``
        means the count is at the cap: further connections close without
        TIME_WAIT and free their ports at once, and when the cap is below the
        free 4-tuples ``limit_rate`` is ``math.inf`` (see
        :func:`max_connection_rate`).

    Examples
    --------
    >>> a = incident_analysis(20_000, port_range=(40000, 60999), established=1_000, demand_rate=400)
    >>> a["free_ports"], round(a["limit_rate"], 1), round(a["implied_rate"], 1), a["binding"]
    (20000, 333.3, 333.3, 'ports')
    >>> round(a["failing_rate"], 1)
    66.7
    """
    count = require_number("time_wait_sockets", time_wait_sockets, low=0, unit="sockets")
    ports = ephemeral_port_count(*port_range)
    established = require_int("established", established, low=0, high=ports - 1)
    free = ports - established
    limit = max_connection_rate(free, time_wait_s, destinations, max_tw_buckets=max_tw_buckets)
    capacity = free * destinations
    implied = count / time_wait_s
    failing = None
    if demand_rate is not None:
        demand = require_number("demand_rate", demand_rate, low=0, unit="connections/s")
        failing = max(0.0, demand - limit)
    if max_tw_buckets is not None and count >= require_int("max_tw_buckets", max_tw_buckets, low=0, high=2**31 - 1):
        binding = "tcp_max_tw_buckets"
    elif count >= 0.95 * capacity:
        binding = "ports"
    else:
        binding = "none"
    return {
        "ports": ports,
        "free_ports": free,
        "capacity": capacity,
        "limit_rate": limit,
        "implied_rate": implied,
        "utilisation": count / capacity,
        "memory_bytes": time_wait_memory_bytes(count),
        "failing_rate": failing,
        "binding": binding,
    }


# --------------------------------------------------------------------------- duplicates

def _delay_cdf(t: float, max_delay_s: float, distribution: str, mean_delay_s: float) -> float:
    """P(D <= t) for the delay of a duplicate, D in [0, max_delay_s]."""
    if t <= 0:
        return 0.0
    if t >= max_delay_s:
        return 1.0
    if distribution == "uniform":
        return t / max_delay_s
    # Exponential with mean ``mean_delay_s``, truncated at the MSL (no segment lives longer).
    return -math.expm1(-t / mean_delay_s) / -math.expm1(-max_delay_s / mean_delay_s)


def _check_duplicate_inputs(gap_s, msl_s, lifetime_s, delay, mean_delay_s, window_bytes, isn_policy,
                            sent_bytes, old_duration_s, isn_tick_s):
    gap_s = require_number("gap_s", gap_s, low=0, high=_MAX_SECONDS, unit="seconds")
    msl_s = require_number("msl_s", msl_s, low=0.001, high=_MAX_SECONDS, unit="seconds")
    lifetime_s = require_number("lifetime_s", lifetime_s, low=0, low_open=True, unit="seconds", allow_inf=True)
    require_choice("delay", delay, DELAY_DISTRIBUTIONS)
    if mean_delay_s is None:
        mean_delay_s = msl_s / 4
    mean_delay_s = require_number("mean_delay_s", mean_delay_s, low=0.0001, high=_MAX_SECONDS, unit="seconds")
    window_bytes = require_int("window_bytes", window_bytes, low=1, high=2**30, unit="bytes")
    require_choice("isn_policy", isn_policy, ISN_POLICIES)
    require_int("sent_bytes", sent_bytes, low=0, high=2**62, unit="bytes")
    require_number("old_duration_s", old_duration_s, low=0, high=10**9, unit="seconds")
    if isn_tick_s is not None:
        require_number("isn_tick_s", isn_tick_s, low=1e-12, high=1.0, unit="seconds")
    return gap_s, msl_s, lifetime_s, mean_delay_s, window_bytes


def duplicate_in_window(gap_s: float, *, sent_bytes: int = 0, old_duration_s: float = 0.0,
                        window_bytes: int = 65535, isn_tick_s: float | None = None) -> bool:
    """With clock-driven ISNs, can a segment of the old incarnation fall in the new window?

    RFC 9293 §3.4.1: ``ISN = M + F(4-tuple, secret)``,
    with ``M`` a clock (4 µs ticks) and ``F`` the same for every incarnation of
    one 4-tuple. The old incarnation opened at ISN ``I1``, sent ``sent_bytes``
    octets in ``old_duration_s`` seconds and closed: it used sequence numbers
    ``I1`` (SYN) to ``I1 + sent_bytes + 1`` (FIN). The new incarnation opens
    ``gap_s`` seconds after the close with ``I2 = I1 + ticks``, where
    ``ticks = isn_advance(old_duration_s + gap_s)``, and accepts sequence
    numbers ``I2 + 1`` to ``I2 + window_bytes``. A delayed copy of an old
    segment is acceptable only if the two ranges overlap (the worst case:
    that segment is the one the network delayed). Without wrap-around that
    is ``sent_bytes >= ticks``: the old incarnation sent more octets than the
    ISN clock advanced (RFC 1337's "fast" connections). No chance is
    involved: the answer is the same every time for the same inputs.

    Parameters
    ----------
    gap_s : float
        Seconds from the old incarnation's close to the new one's SYN.
    sent_bytes : int
        Octets the old incarnation sent.
    old_duration_s : float
        Seconds from the old incarnation's SYN to its close.
    window_bytes : int
        The new incarnation's receive window (before it has received data).
    isn_tick_s : float, optional
        The ISN clock's tick: 4 µs by default (RFC 9293); Linux uses 64 ns
        (``tcpmodel.sim.sequence.LINUX_ISN_CLOCK_TICK``).

    Examples
    --------
    >>> duplicate_in_window(5, sent_bytes=300)                 # the clock moved 1,250,000 ahead
    False
    >>> duplicate_in_window(30, sent_bytes=10_000_000)         # 10 MB sent: more than 7,500,000 ticks
    True
    >>> duplicate_in_window(0, sent_bytes=0)                   # no time, no data: the same start
    True
    """
    from tcpmodel.sim.sequence import ISN_CLOCK_TICK, isn_advance

    _check_duplicate_inputs(gap_s, 1.0, math.inf, "uniform", None, window_bytes, "rfc6528",
                            sent_bytes, old_duration_s, isn_tick_s)
    ticks = isn_advance(old_duration_s + gap_s, ISN_CLOCK_TICK if isn_tick_s is None else isn_tick_s)
    used = sent_bytes + 2  # SYN, the data, FIN: I1 .. I1 + sent_bytes + 1
    if used >= SEQUENCE_SPACE:
        return True
    first = (-ticks - 1) % SEQUENCE_SPACE  # I1 - (I2 + 1), the old range's start relative to the window
    return first < window_bytes or first + used > SEQUENCE_SPACE


def _acceptance_probability(gap_s: float, window_bytes: int, isn_policy: str, sent_bytes: int,
                            old_duration_s: float, isn_tick_s: float | None) -> float:
    if isn_policy == "same":
        return 1.0
    if isn_policy == "random":
        return min(1.0, window_bytes / SEQUENCE_SPACE)
    return float(duplicate_in_window(gap_s, sent_bytes=sent_bytes, old_duration_s=old_duration_s,
                                     window_bytes=window_bytes, isn_tick_s=isn_tick_s))


def duplicate_arrival_probability(
    gap_s: float,
    msl_s: float,
    *,
    lifetime_s: float = math.inf,
    delay: str = "uniform",
    mean_delay_s: float | None = None,
    window_bytes: int = 65535,
    isn_policy: str = "rfc6528",
    sent_bytes: int = 0,
    old_duration_s: float = 0.0,
    isn_tick_s: float | None = None,
) -> float:
    """Probability that one old duplicate lands in the next incarnation and is accepted.

    Model: the old incarnation sends a segment at the moment it closes (the
    worst case: a segment sent earlier must also arrive earlier), and the
    network delivers a duplicate of it after a delay ``D``, which no segment
    outlives: ``0 <= D <= msl_s``. The next incarnation of the same 4-tuple
    opens ``gap_s`` later and lasts ``lifetime_s``. The duplicate is *accepted*
    if its sequence number falls in the new receive window.

    ``P = P(gap_s < D < gap_s + lifetime_s) × P(accept)``. The first factor is
    exactly 0 when ``gap_s >= msl_s``: that is why TIME_WAIT waits (at least)
    one MSL after the last segment could have been sent. The second depends
    on how the new ISN relates to the old one (``isn_policy``).

    Parameters
    ----------
    gap_s : float
        Seconds between the old incarnation's close and the new one's start.
    msl_s : float
        Maximum segment lifetime: the longest possible delay.
    lifetime_s : float
        How long the new incarnation lasts; default ``inf``.
    delay : {"uniform", "exponential"}
        Delay distribution: uniform on ``[0, msl_s]`` (default) or exponential
        with ``mean_delay_s`` (default ``msl_s / 4``) truncated at ``msl_s``.
    window_bytes : int
        Receive window of the new incarnation; default 65535.
    isn_policy : {"rfc6528", "same", "random"}
        ``"rfc6528"`` (default, what RFC 9293 §3.4.1 and Linux do): the new
        ISN is the old one plus the ISN clock's advance, so acceptance is 0
        or 1, decided by :func:`duplicate_in_window` from ``gap_s``,
        ``sent_bytes``, ``old_duration_s`` and ``isn_tick_s``. ``"same"``: the
        worst case, the new sequence space starts where the old one did and
        every in-time duplicate is accepted. ``"random"``: a *hypothetical*
        ISN drawn independently for each incarnation, which no RFC or kernel
        uses; a duplicate is then accepted with probability
        ``window_bytes / 2**32``.
    sent_bytes, old_duration_s, isn_tick_s
        The old incarnation, for ``"rfc6528"``: see :func:`duplicate_in_window`.

    Examples
    --------
    >>> duplicate_arrival_probability(30, 120, isn_policy="same")
    0.75
    >>> duplicate_arrival_probability(120, 120, isn_policy="same")
    0.0
    >>> duplicate_arrival_probability(30, 120)                          # clock-driven ISN, nothing sent
    0.0
    >>> duplicate_arrival_probability(30, 120, sent_bytes=10_000_000)   # a fast old connection
    0.75
    >>> duplicate_arrival_probability(0, 120, isn_policy="random") == 65535 / 2**32  # hypothetical
    True
    """
    gap_s, msl_s, lifetime_s, mean_delay_s, window_bytes = _check_duplicate_inputs(
        gap_s, msl_s, lifetime_s, delay, mean_delay_s, window_bytes, isn_policy, sent_bytes, old_duration_s, isn_tick_s)
    if gap_s >= msl_s:
        return 0.0
    upper = gap_s + lifetime_s
    arrive = _delay_cdf(upper, msl_s, delay, mean_delay_s) - _delay_cdf(gap_s, msl_s, delay, mean_delay_s)
    accept = _acceptance_probability(gap_s, window_bytes, isn_policy, sent_bytes, old_duration_s, isn_tick_s)
    return float(max(0.0, arrive) * accept)


class MonteCarloEstimate(float):
    """A float (the estimate) that also carries ``standard_error``, ``n`` and ``hits``."""

    standard_error: float
    n: int
    hits: int

    def __new__(cls, hits: int, n: int) -> MonteCarloEstimate:
        p = hits / n
        obj = super().__new__(cls, p)
        obj.hits = int(hits)
        obj.n = int(n)
        obj.standard_error = math.sqrt(p * (1 - p) / n)
        return obj

    def __repr__(self) -> str:
        return float.__repr__(self)


_CHUNK = 1 << 20


def simulate_duplicate_arrivals(
    gap_s: float,
    msl_s: float,
    n: int = 100_000,
    seed: int | None = 0,
    *,
    lifetime_s: float = math.inf,
    delay: str = "uniform",
    mean_delay_s: float | None = None,
    window_bytes: int = 65535,
    isn_policy: str = "rfc6528",
    sent_bytes: int = 0,
    old_duration_s: float = 0.0,
    isn_tick_s: float | None = None,
) -> MonteCarloEstimate:
    """Monte Carlo estimate of :func:`duplicate_arrival_probability` (numpy, vectorised).

    Draws ``n`` duplicate delays and, per duplicate, the two incarnations'
    ISNs: for ``"rfc6528"`` a random secret offset ``F`` (a 32-bit number)
    shared by both incarnations, ``I1 = F`` and ``I2 = F + isn_advance(...)``;
    for the hypothetical ``"random"`` two independent 32-bit ISNs; for
    ``"same"`` ``I2 = I1``. It counts the duplicates that arrive in time and
    whose incarnation's sequence numbers ``I1 .. I1 + sent_bytes + 1``
    overlap the new window ``I2 + 1 .. I2 + window_bytes``. Deterministic for
    a given ``seed``.

    Parameters
    ----------
    gap_s, msl_s, lifetime_s, delay, mean_delay_s, window_bytes, isn_policy, sent_bytes, old_duration_s, isn_tick_s
        As in :func:`duplicate_arrival_probability`. For ``"random"`` the
        old incarnation is taken to have sent one segment (``sent_bytes``
        is ignored), as in the analytic ``window_bytes / 2**32``.
    n : int
        Number of simulated duplicates (chunked in blocks of 2**20 to bound memory).
    seed : int or None
        Seed of ``numpy.random.default_rng``; ``None`` for fresh entropy.

    Returns
    -------
    MonteCarloEstimate
        A float; ``.standard_error`` is ``sqrt(p(1-p)/n)`` of the estimate.

    Examples
    --------
    >>> est = simulate_duplicate_arrivals(30, 120, isn_policy="same", n=200_000, seed=1)
    >>> abs(est - 0.75) < 3 * est.standard_error
    True
    >>> float(simulate_duplicate_arrivals(120, 120, isn_policy="same", n=1000, seed=1))
    0.0
    """
    import numpy as np

    from tcpmodel.sim.sequence import ISN_CLOCK_TICK, isn_advance

    gap_s, msl_s, lifetime_s, mean_delay_s, window_bytes = _check_duplicate_inputs(
        gap_s, msl_s, lifetime_s, delay, mean_delay_s, window_bytes, isn_policy, sent_bytes, old_duration_s, isn_tick_s)
    n = require_int("n", n, low=1, high=10**10)
    ticks = isn_advance(old_duration_s + gap_s, ISN_CLOCK_TICK if isn_tick_s is None else isn_tick_s)
    if seed is not None:
        seed = require_int("seed", seed, low=0, high=2**63 - 1)
    rng = np.random.default_rng(seed)
    upper = gap_s + lifetime_s
    # Inverse-CDF constants of the truncated exponential.
    norm = -math.expm1(-msl_s / mean_delay_s)
    hits = 0
    remaining = n
    while remaining:
        size = min(remaining, _CHUNK)
        u = rng.random(size)
        if delay == "uniform":
            d = u * msl_s
        else:
            d = -mean_delay_s * np.log1p(-u * norm)
        arrived = (d > gap_s) & (d < upper)
        old_isn = rng.integers(0, SEQUENCE_SPACE, size=size, dtype=np.uint64)
        if isn_policy == "random":  # hypothetical: an independent ISN, one octet to hit
            new_isn, used = rng.integers(0, SEQUENCE_SPACE, size=size, dtype=np.uint64), 1
        else:
            new_isn = (old_isn + np.uint64(ticks if isn_policy == "rfc6528" else 0)) % SEQUENCE_SPACE
            used = min(sent_bytes + 2, SEQUENCE_SPACE)
        start = (new_isn + np.uint64(1)) % SEQUENCE_SPACE  # the new window: start .. start + window - 1
        overlap = (((start + SEQUENCE_SPACE - old_isn) % SEQUENCE_SPACE) < used) | (
            ((old_isn + SEQUENCE_SPACE - start) % SEQUENCE_SPACE) < window_bytes)
        arrived &= overlap
        hits += int(np.count_nonzero(arrived))
        remaining -= size
    return MonteCarloEstimate(hits, n)
