"""``tcp_tw_recycle`` behind NAT: who was dropped, and how often.

Theory of operation
-------------------
Linux 2.4 to 4.11 had a sysctl ``net.ipv4.tcp_tw_recycle`` (tcp(7) tcp_tw_recycle:
"Linux 2.4 to Linux 4.11"; removed by commit 4396e46187ca, Linux 4.12,
inferred from tcp(7)). It did two things:

* **On any host that closed first** (client or server; as read in a Linux 4.9
  tree, inferred for 4.10 and 4.11), ``tcp_time_wait()``
  set ``recycle_ok`` when the connection had seen timestamps and saved the
  peer's last TSval in a per-peer-address cache (``tcp_remember_stamp`` in
  ``net/ipv4/tcp_metrics.c``), and then gave the TIME_WAIT socket a lifetime
  of ``rto = (icsk_rto << 2) - (icsk_rto >> 1)``, 3.5 × RTO, instead of
  ``TCP_TIMEWAIT_LEN`` (``net/ipv4/tcp_minisocks.c``, ``recycle_ok``):
  :func:`recycle_time_wait_s`.
* **On any host that accepted a SYN**, ``tcp_conn_request()`` checked the SYN
  against that cache when ``sysctl_tw_recycle`` was on
  (``net/ipv4/tcp_input.c``) and dropped it silently when
  (``tcp_peer_is_proven(req, dst, true, …)``)::

    now - tcpm_ts_stamp < TCP_PAWS_MSL          (60 s, include/net/tcp.h)
    and (s32)(tcpm_ts - syn.tsval) > TCP_PAWS_WINDOW   (1 tick)

  counting it in ``LINUX_MIB_PAWSPASSIVEREJECTED`` ("passive connections
  rejected because of time stamp" in ``netstat -s``). The saved value only
  moves forward: ``tcp_remember_stamp`` overwrites it when the new TSval is
  not older, or when the saved one is older than ``TCP_PAWS_MSL``.

That is "VJ's idea" (the kernel's comment on ``tcp_remember_stamp``, a cache
of the last timestamp per peer address): sound while one IP address is one
host with one monotonic clock.
Behind NAT one address carries many hosts, each with its own clock, so a host
whose clock is *behind* the last one saved has its SYNs dropped for up to
60 s. The damage falls on the host that **accepts** the connections (the
server whose clients share an address), whichever host enjoyed the short
TIME_WAIT.

How the clients' clocks relate decides who is dropped (``client_offsets``):

``"uptime"`` (the default)
    Before Linux 4.10 the TSval was the low 32 bits of ``jiffies``
    (``include/net/tcp.h``: ``tcp_time_stamp``, inferred), which starts 300 s
    below zero at boot (``include/linux/jiffies.h``: ``INITIAL_JIFFIES``,
    inferred): a clock that counts uptime. While every host's clock is within
    2**31 ticks of the others (``max_uptime_s`` × ``ts_hz`` < 2**31), "behind"
    is a fixed order: the host with the most advanced clock (the longest
    uptime) is never behind, the others are behind whenever it, or any host
    ahead of them, left a fresh stamp. Only the order of the clocks matters,
    not the uptimes themselves.
``"per_host"``
    Each host has its own uniformly random 32-bit offset, as Linux clients from
    4.11 had (one offset per source and destination address pair, commit
    28ee1b746f49, inferred) until commit 165573e41f2f (2026, first release
    inferred) put the ports back. Compared in 32-bit sequence space, random offsets
    have no "most advanced" host: every host is ahead of about half the others
    and behind the other half, so each new stamp re-deals who is dropped.
``"per_connection"``
    A new random offset for every connection: Linux 4.10 clients (commit
    95a22caee396, inferred), and kernels with commit 165573e41f2f (inferred),
    which brought per-connection offsets back. Then even one host behind one
    address is dropped.

The model
~~~~~~~~~
``clients`` hosts sit behind one NAT address. Each has a timestamp clock
``TSval(t) = offset + floor(t · ts_hz) mod 2**32`` whose offset is drawn as
above from the seed. Each host opens new connections to the server as a
Poisson process with mean gap ``mean_interval_s``, so the NAT's traffic grows
with the number of hosts. An accepted connection is closed first by the
server ``hold_s`` seconds later, which puts the server's socket in TIME_WAIT
and runs ``tcp_remember_stamp`` with the client's latest TSval. A dropped SYN
is retransmitted after ``initial_rto_s``, doubling, ``syn_retries`` times; if
every copy is dropped, ``connect()`` fails.

Nothing in the model is fitted to an outcome: each input is documented with
its source in :data:`PARAMETERS`, and one run is one draw. A single hour from
a small NAT holds a few dozen connections, so its percentages move a lot from
seed to seed: :func:`recycle_nat_spread` reports the median and the range over
the course's fixed seeds (:data:`SPREAD_SEEDS`), and :func:`recycle_nat_sweep`
does so for several NAT sizes.

Examples
--------
>>> r = simulate_tw_recycle_nat(clients=1, seed=1)
>>> r.syns_dropped            # one host, one monotonic clock: never dropped
0
>>> r = simulate_tw_recycle_nat(clients=20, seed=1)
>>> 0 < r.drop_fraction < 1
True
>>> simulate_tw_recycle_nat(clients=20, seed=1, tw_recycle=False).syns_dropped
0
>>> recycle_time_wait_s(0.2)  # TCP_RTO_MIN: TIME_WAIT of 0.7 s instead of 60 s
0.7
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from tcpmodel._validate import require_bool, require_choice, require_int, require_number
from tcpmodel.linux import TCP_PAWS_MSL_S

__all__ = [
    "PARAMETERS",
    "CLIENT_OFFSETS",
    "SPREAD_SEEDS",
    "RecycleNatResult",
    "Spread",
    "RecycleNatSpread",
    "simulate_tw_recycle_nat",
    "recycle_nat_spread",
    "recycle_nat_sweep",
    "SWEEP_CLIENTS",
    "SWEEP_CLOCKS",
    "stored_recycle_nat_sweeps",
    "write_recycle_nat_sweeps",
    "recycle_time_wait_s",
    "TCP_RTO_MIN_S",
    "INITIAL_JIFFIES_S",
    "peer_is_proven",
    "remember_stamp",
]

_MOD = 2**32
_HALF = 2**31

#: How the hosts' timestamp clocks are set (see the module docstring).
CLIENT_OFFSETS = ("uptime", "per_host", "per_connection")

#: ``include/net/tcp.h``: ``TCP_RTO_MIN ((unsigned)(HZ/5))``, the smallest retransmission timeout, in seconds.
TCP_RTO_MIN_S = 0.2

#: ``include/linux/jiffies.h``: ``INITIAL_JIFFIES`` is ``-300*HZ``: jiffies start this many seconds below zero at boot.
INITIAL_JIFFIES_S = 300.0

#: The seeds every spread in the course is computed over (notebooks 07 and 09).
SPREAD_SEEDS: tuple[int, ...] = tuple(range(10))


def _s32(x: int) -> int:
    """``(s32)x``: the signed 32-bit value of ``x`` (as the kernel's cast)."""
    x %= _MOD
    return x - _MOD if x >= _HALF else x


#: Every input of the model, with its default and where the default comes from.
PARAMETERS: dict[str, dict] = {
    "paws_msl_s": {
        "value": int(TCP_PAWS_MSL_S),
        "unit": "s",
        "source": "include/net/tcp.h: TCP_PAWS_MSL (60), 'Per-host timestamps are invalidated after this time'",
    },
    "paws_window": {
        "value": 1,
        "unit": "TSval ticks",
        "source": "include/net/tcp.h: TCP_PAWS_WINDOW (1), 'Replay window for per-host timestamps'",
    },
    "syn_retries": {
        "value": 6,
        "unit": "retransmissions",
        "source": "Documentation/networking/ip-sysctl.txt: tcp_syn_retries, default 6, from an initial RTO of 1 s (Linux 4.9, inferred)",
    },
    "initial_rto_s": {
        "value": 1.0,
        "unit": "s",
        "source": "include/net/tcp.h: TCP_TIMEOUT_INIT ((unsigned)(1*HZ)), doubling with each retransmission",
    },
    "ts_hz": {
        "value": 1000,
        "unit": "ticks/s",
        "source": "RFC 7323 §5.4 allows 1 ms to 1 s per tick (inferred); a Linux 4.9 tree counted the TSval in "
        "jiffies, HZ ticks per second (include/net/tcp.h: tcp_time_stamp, inferred), Linux 6.12 in milliseconds "
        "(include/net/tcp.h: TCP_TS_HZ); when it changed is not sourced here",
    },
    "max_uptime_s": {
        "value": 7 * 86400,
        "unit": "s",
        "source": "assumption (client_offsets='uptime'): each host booted at a uniformly random time in the past week; only the "
        "order of the clocks matters while max_uptime_s × ts_hz < 2**31",
    },
    "hold_s": {
        "value": 75.0,
        "unit": "s",
        "source": "assumption: the server closes an idle keep-alive connection first after 75 s (nginx keepalive_timeout default)",
    },
    "mean_interval_s": {
        "value": 600.0,
        "unit": "s",
        "source": "assumption: each user behind the NAT opens a new TCP connection to this site every 10 min on average (Poisson); "
        "browsers reuse keep-alive connections in between",
    },
    "duration_s": {
        "value": 3600.0,
        "unit": "s",
        "source": "simulated time: one hour",
    },
}


def _default(name: str) -> float:
    return PARAMETERS[name]["value"]


def recycle_time_wait_s(rto_s: float) -> float:
    """How long a TIME_WAIT socket lived with ``tcp_tw_recycle`` on: 3.5 × RTO.

    ``tcp_time_wait()`` computed ``rto = (icsk_rto << 2) - (icsk_rto >> 1)``
    and, when ``recycle_ok``, used it as the TIME_WAIT lifetime instead of
    ``TCP_TIMEWAIT_LEN`` (``net/ipv4/tcp_minisocks.c``, read in a Linux 4.9
    tree, inferred for 4.11). It did so for *any* socket that closed first,
    on a client as well as on a server. The shifts work on jiffies; this
    returns 3.5 × RTO, rounded to the nanosecond.

    Parameters
    ----------
    rto_s : float
        The connection's retransmission timeout, in [0.001, 120] seconds
        (``TCP_RTO_MIN`` is 0.2 s, ``TCP_RTO_MAX`` 120 s).

    Examples
    --------
    >>> recycle_time_wait_s(1.0)
    3.5
    >>> recycle_time_wait_s(TCP_RTO_MIN_S)
    0.7
    """
    rto = require_number("rto_s", rto_s, low=0.001, high=120, unit="s")
    return round(4 * rto - rto / 2, 9)


def peer_is_proven(now_s: int, syn_tsval: int, stamp_s: int | None, stamp_ts: int | None) -> bool:
    """The PAWS check ``tcp_peer_is_proven(req, dst, paws_check=true, timestamps=true)``.

    Returns False (the SYN is dropped) when the per-host stamp is younger than
    ``TCP_PAWS_MSL`` and the SYN's TSval is more than ``TCP_PAWS_WINDOW``
    ticks behind it (``net/ipv4/tcp_metrics.c``, read in a Linux 4.9 tree,
    inferred for 4.11).

    Parameters
    ----------
    now_s : int
        The server's clock in whole seconds (``get_seconds()``).
    syn_tsval : int
        TSval of the arriving SYN.
    stamp_s, stamp_ts : int or None
        The saved ``tcpm_ts_stamp`` and ``tcpm_ts`` for the SYN's source
        address; None when nothing is saved.

    Examples
    --------
    >>> peer_is_proven(100, syn_tsval=5_000, stamp_s=90, stamp_ts=9_000)
    False
    >>> peer_is_proven(100, syn_tsval=9_001, stamp_s=90, stamp_ts=9_000)
    True
    >>> peer_is_proven(160, syn_tsval=5_000, stamp_s=90, stamp_ts=9_000)  # stamp too old
    True
    """
    if stamp_s is None or stamp_ts is None:
        return True
    fresh = now_s - stamp_s < PARAMETERS["paws_msl_s"]["value"]
    behind = _s32(stamp_ts - syn_tsval) > PARAMETERS["paws_window"]["value"]
    return not (fresh and behind)


def remember_stamp(now_s: int, ts_recent: int, ts_recent_stamp: int, stamp_s: int | None, stamp_ts: int | None) -> tuple[int, int]:
    """``tcp_remember_stamp``: the per-host stamp after a socket enters TIME_WAIT.

    The saved value moves only forward in timestamp space, unless it has aged
    past ``TCP_PAWS_MSL`` (``net/ipv4/tcp_metrics.c``, read in a Linux 4.9
    tree, inferred for 4.11).

    Returns
    -------
    (stamp_s, stamp_ts) : tuple of int
        The new ``tcpm_ts_stamp`` and ``tcpm_ts``.

    Examples
    --------
    >>> remember_stamp(100, ts_recent=500, ts_recent_stamp=100, stamp_s=95, stamp_ts=900)
    (95, 900)
    >>> remember_stamp(200, ts_recent=500, ts_recent_stamp=200, stamp_s=95, stamp_ts=900)
    (200, 500)
    """
    if stamp_s is None or stamp_ts is None:
        return ts_recent_stamp, ts_recent
    newer = _s32(stamp_ts - ts_recent) <= 0
    aged = now_s - stamp_s > PARAMETERS["paws_msl_s"]["value"] and stamp_s <= ts_recent_stamp
    if newer or aged:
        return ts_recent_stamp, ts_recent
    return stamp_s, stamp_ts


@dataclass
class RecycleNatResult:
    """What the server saw from one NAT address with ``tcp_tw_recycle`` on.

    Attributes
    ----------
    syns_sent, syns_dropped : int
        SYNs that reached the server (first copies and retransmissions) and
        how many of them ``tcp_peer_is_proven`` dropped. ``syns_dropped`` is
        what ``netstat -s`` reports as "passive connections rejected because
        of time stamp".
    connects, connects_failed, connects_delayed : int
        ``connect()`` calls; those that failed after ``syn_retries``
        retransmissions; those that succeeded only after a retransmission.
    clients_affected : int
        Hosts that had at least one SYN dropped.
    clients_failed : int
        Hosts that had at least one ``connect()`` fail: users who saw a page
        that would not load.
    offsets : list of int or None
        Each host's clock offset (its TSval at t = 0); None with
        ``client_offsets="per_connection"``.
    syn_log : list of tuple
        ``(t, client, tsval, dropped)`` for every SYN, in time order.
    stamp_log : list of tuple
        ``(t, stamp_ts, client)`` each time the saved per-host stamp changed.
    """

    clients: int
    seed: int
    params: dict
    syns_sent: int = 0
    syns_dropped: int = 0
    connects: int = 0
    connects_failed: int = 0
    connects_delayed: int = 0
    clients_affected: int = 0
    clients_failed: int = 0
    offsets: list | None = field(default=None, repr=False)
    syn_log: list = field(default_factory=list, repr=False)
    stamp_log: list = field(default_factory=list, repr=False)

    @property
    def drop_fraction(self) -> float:
        """Fraction of connection attempts (SYNs) the server dropped."""
        return self.syns_dropped / self.syns_sent if self.syns_sent else 0.0

    #: Aliases of :attr:`drop_fraction` (SYNs are the connection attempts).
    fraction_dropped = drop_fraction
    dropped_fraction = drop_fraction

    @property
    def failed_fraction(self) -> float:
        """Fraction of ``connect()`` calls that failed after every retransmission."""
        return self.connects_failed / self.connects if self.connects else 0.0

    @property
    def affected_fraction(self) -> float:
        """Fraction of the hosts behind the NAT that had a SYN dropped."""
        return self.clients_affected / self.clients

    @property
    def failed_clients_fraction(self) -> float:
        """Fraction of the hosts behind the NAT that had a ``connect()`` fail."""
        return self.clients_failed / self.clients

    @property
    def stamp_changes(self) -> int:
        """How many times the saved per-host stamp changed (a new host's clock decides who is behind)."""
        return len(self.stamp_log)

    def summary(self) -> str:
        """One line per figure, formatted for a notebook."""
        return "\n".join(
            [
                f"hosts behind one NAT address: {self.clients} (timestamp clocks: {self.params['client_offsets']})",
                f"SYNs received: {self.syns_sent:,}; dropped by tcp_peer_is_proven: {self.syns_dropped:,} ({self.drop_fraction:.1%})",
                f"connect() calls: {self.connects:,}; delayed by a drop: {self.connects_delayed:,}; failed: {self.connects_failed:,} ({self.failed_fraction:.1%})",
                f"hosts with a dropped SYN: {self.clients_affected} of {self.clients}; with a failed connect(): {self.clients_failed} of {self.clients}",
            ]
        )


_CONNECT, _RETRY, _CLOSE = 0, 1, 2


def simulate_tw_recycle_nat(
    clients: int = 20,
    seed: int = 0,
    *,
    tw_recycle: bool = True,
    server_closes_first: bool = True,
    client_offsets: str = "uptime",
    mean_interval_s: float | None = None,
    hold_s: float | None = None,
    duration_s: float | None = None,
    ts_hz: float | None = None,
    max_uptime_s: float | None = None,
    syn_retries: int | None = None,
    initial_rto_s: float | None = None,
) -> RecycleNatResult:
    """Simulate ``clients`` hosts behind one NAT address talking to a server with ``tcp_tw_recycle=1``.

    Parameters
    ----------
    clients : int
        Hosts behind the NAT address, in [1, 100000].
    seed : int
        Seeds the clocks and the connection times; same seed, same result.
    tw_recycle : bool
        The server's ``net.ipv4.tcp_tw_recycle`` (False: nothing is dropped).
    server_closes_first : bool
        Whether the server closes first and so holds TIME_WAIT (only then is a
        stamp saved).
    client_offsets : {"uptime", "per_host", "per_connection"}
        How the hosts' timestamp clocks are set: counting uptime (Linux before
        4.10), a random offset per host (Linux 4.11 until the 2026 change, per
        address pair), or a random offset per connection (Linux 4.10, and again
        after 2026). See the module docstring.
    mean_interval_s, hold_s, duration_s, ts_hz, max_uptime_s, syn_retries, initial_rto_s
        See :data:`PARAMETERS` for defaults and sources.

    Returns
    -------
    RecycleNatResult

    Raises
    ------
    ValueError
        If a parameter is outside its range; the message names it.

    Examples
    --------
    >>> r = simulate_tw_recycle_nat(clients=5, seed=3)
    >>> r.syns_sent >= r.connects > 0
    True
    >>> simulate_tw_recycle_nat(clients=5, seed=3, server_closes_first=False).syns_dropped
    0
    """
    n = require_int("clients", clients, low=1, high=100_000)
    seed = require_int("seed", seed, low=0, high=2**63 - 1)
    require_bool("tw_recycle", tw_recycle)
    require_bool("server_closes_first", server_closes_first)
    require_choice("client_offsets", client_offsets, CLIENT_OFFSETS)
    interval = require_number("mean_interval_s", _default("mean_interval_s") if mean_interval_s is None else mean_interval_s, low=0.01, high=1e6, unit="s")
    hold = require_number("hold_s", _default("hold_s") if hold_s is None else hold_s, low=0, high=1e5, unit="s")
    duration = require_number("duration_s", _default("duration_s") if duration_s is None else duration_s, low=1, high=1e6, unit="s")
    hz = require_number("ts_hz", _default("ts_hz") if ts_hz is None else ts_hz, low=1, high=1000, unit="ticks/s")
    max_up = require_number("max_uptime_s", _default("max_uptime_s") if max_uptime_s is None else max_uptime_s, low=0, high=1e9, unit="s")
    retries = require_int("syn_retries", _default("syn_retries") if syn_retries is None else syn_retries, low=0, high=20)
    rto0 = require_number("initial_rto_s", _default("initial_rto_s") if initial_rto_s is None else initial_rto_s, low=0.001, high=60, unit="s")

    import numpy as np

    rng = np.random.default_rng(seed)
    if client_offsets == "uptime":
        # jiffies since boot, starting 300 s below zero (INITIAL_JIFFIES), as a 32-bit TSval.
        uptimes = rng.uniform(0.0, max_up, size=n)
        offsets = [int(math.floor((u - INITIAL_JIFFIES_S) * hz)) % _MOD for u in uptimes.tolist()]
    else:
        offsets = [int(x) for x in rng.integers(0, _MOD, size=n, dtype=np.uint64)]
    # Poisson arrivals per client: draw more gaps than needed, keep those inside the run.
    expected = duration / interval
    k = int(expected + 6 * math.sqrt(expected) + 8)
    gaps = rng.exponential(interval, size=(n, k))
    starts = np.cumsum(gaps, axis=1)
    cl, idx = np.nonzero(starts < duration)
    times = starts[cl, idx]
    order = np.argsort(times, kind="stable")
    arrivals = list(zip(times[order].tolist(), cl[order].tolist()))
    conn_offsets = rng.integers(0, _MOD, size=len(arrivals), dtype=np.uint64).tolist() if client_offsets == "per_connection" else None

    result = RecycleNatResult(
        clients=n,
        seed=seed,
        params={
            "tw_recycle": tw_recycle,
            "server_closes_first": server_closes_first,
            "client_offsets": client_offsets,
            "mean_interval_s": interval,
            "hold_s": hold,
            "duration_s": duration,
            "ts_hz": hz,
            "max_uptime_s": max_up,
            "syn_retries": retries,
            "initial_rto_s": rto0,
        },
        offsets=None if client_offsets == "per_connection" else offsets,
    )
    affected = bytearray(n)
    failed = bytearray(n)
    stamp_s: int | None = None
    stamp_ts: int | None = None
    paws_msl = PARAMETERS["paws_msl_s"]["value"]
    paws_window = PARAMETERS["paws_window"]["value"]
    syn_log = result.syn_log
    stamp_log = result.stamp_log
    heap: list = []  # (time, kind, seq, client, conn_offset, attempt)
    seq = 0
    ai = 0
    n_arrivals = len(arrivals)
    sent = dropped_total = 0

    while ai < n_arrivals or heap:
        if heap and (ai >= n_arrivals or heap[0][0] <= arrivals[ai][0]):
            t, kind, _, c, off, attempt = heapq.heappop(heap)
        else:
            t, c = arrivals[ai]
            off = offsets[c] if conn_offsets is None else int(conn_offsets[ai])
            kind, attempt = _CONNECT, 0
            ai += 1
        tsval = (off + int(t * hz)) % _MOD
        now_s = int(t)
        if kind == _CLOSE:
            # The server closes first: TIME_WAIT, tcp_remember_stamp with the client's latest TSval.
            new_stamp = remember_stamp(now_s, tsval, now_s, stamp_s, stamp_ts)
            if new_stamp != (stamp_s, stamp_ts):
                stamp_s, stamp_ts = new_stamp
                stamp_log.append((t, tsval, c))
            continue
        sent += 1
        # tcp_peer_is_proven, inlined (peer_is_proven is the same rule, tested against it).
        dropped = tw_recycle and stamp_s is not None and now_s - stamp_s < paws_msl and _s32(stamp_ts - tsval) > paws_window
        syn_log.append((t, c, tsval, dropped))
        if dropped:
            dropped_total += 1
            affected[c] = 1
            if attempt < retries:
                seq += 1
                heapq.heappush(heap, (t + rto0 * 2**attempt, _RETRY, seq, c, off, attempt + 1))
            else:
                result.connects_failed += 1
                failed[c] = 1
            continue
        if attempt > 0:
            result.connects_delayed += 1
        if server_closes_first and tw_recycle:
            seq += 1
            heapq.heappush(heap, (t + hold, _CLOSE, seq, c, off, 0))
    result.connects = n_arrivals
    result.syns_sent = sent
    result.syns_dropped = dropped_total
    result.clients_affected = sum(affected)
    result.clients_failed = sum(failed)
    return result


@dataclass(frozen=True)
class Spread:
    """The median and the range of one fraction over several seeds.

    Examples
    --------
    >>> str(Spread(0.05, 0.0, 0.125))
    '5.0% (range 0.0%–12.5%)'
    """

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:.1%} (range {self.low:.1%}–{self.high:.1%})"

    @classmethod
    def of(cls, values) -> "Spread":
        """The spread of a non-empty sequence of values."""
        import statistics

        values = [float(v) for v in values]
        return cls(float(statistics.median(values)), min(values), max(values))

    def contains(self, low: float, high: float) -> bool:
        """Whether the interval [low, high] overlaps the range [self.low, self.high]."""
        return low <= self.high and self.low <= high


@dataclass(frozen=True)
class RecycleNatSpread:
    """:func:`simulate_tw_recycle_nat` over several seeds: median and range of each outcome.

    Attributes
    ----------
    failed : Spread
        ``connect()`` calls that failed (:attr:`RecycleNatResult.failed_fraction`).
    dropped : Spread
        SYNs dropped (:attr:`RecycleNatResult.drop_fraction`).
    failed_clients : Spread
        Hosts with at least one failed ``connect()``.
    connects : Spread
        ``connect()`` calls per run (a count, not a fraction): how big each sample is.
    stamp_changes : Spread
        How many times per run the saved stamp changed hands (a count).
    """

    clients: int
    seeds: tuple
    params: dict
    failed: Spread
    dropped: Spread
    failed_clients: Spread
    connects: Spread
    stamp_changes: Spread

    def line(self) -> str:
        """One line for a notebook table."""
        hosts = "host: " if self.clients == 1 else "hosts:"
        return (f"{self.clients:5d} {hosts} connect() failed {self.failed}; SYNs dropped {self.dropped.median:.1%}; "
                f"hosts with a failure {self.failed_clients.median:.0%}; {self.connects.median:,.0f} connect() calls per run")


def recycle_nat_spread(clients: int, seeds=SPREAD_SEEDS, **params) -> RecycleNatSpread:
    """Run :func:`simulate_tw_recycle_nat` once per seed and report the median and the range.

    Parameters
    ----------
    clients : int
        Hosts behind the NAT address.
    seeds : sequence of int
        The seeds (default :data:`SPREAD_SEEDS`).
    **params
        Any other parameter of :func:`simulate_tw_recycle_nat`.

    Examples
    --------
    >>> s = recycle_nat_spread(10, seeds=(0, 1, 2))
    >>> s.failed.low <= s.failed.median <= s.failed.high
    True
    >>> recycle_nat_spread(1).failed.high
    0.0
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must be a non-empty sequence of seeds; got ()")
    runs = [simulate_tw_recycle_nat(clients=clients, seed=s, **params) for s in seeds]
    return RecycleNatSpread(
        clients=runs[0].clients,
        seeds=seeds,
        params=runs[0].params,
        failed=Spread.of(r.failed_fraction for r in runs),
        dropped=Spread.of(r.drop_fraction for r in runs),
        failed_clients=Spread.of(r.failed_clients_fraction for r in runs),
        connects=Spread.of(r.connects for r in runs),
        stamp_changes=Spread.of(r.stamp_changes for r in runs),
    )


def recycle_nat_sweep(clients=(1, 3, 10, 100, 1000), seeds=SPREAD_SEEDS, **params) -> list[RecycleNatSpread]:
    """:func:`recycle_nat_spread` for each NAT size in ``clients``.

    Examples
    --------
    >>> [s.clients for s in recycle_nat_sweep(clients=(1, 5), seeds=(0,))]
    [1, 5]
    """
    return [recycle_nat_spread(int(n), seeds=seeds, **params) for n in clients]


# -- The course's sweep, stored ---------------------------------------------------------------
# Notebook 07 shows recycle_nat_sweep for two clock models over every seed: about 100 runs and
# a second of a learner's kernel time. Like the figures, the result is computed by `make figures`
# and stored; tests/test_workarounds.py recomputes it and fails when the stored copy is stale.

#: The NAT sizes of the course's sweep (notebook 07).
SWEEP_CLIENTS: tuple[int, ...] = (1, 3, 10, 100, 1000)
#: The clock models the course's sweep compares.
SWEEP_CLOCKS: tuple[str, ...] = ("uptime", "per_host")


def _sweep_path():  # noqa: ANN202 - package data, found as live.py finds its stored runs
    from importlib import resources

    return resources.files("tcpmodel").joinpath("data/recycle_nat_sweep.json")


def _sweeps_as_data(sweeps: dict[str, list[RecycleNatSpread]]) -> dict:
    from dataclasses import asdict

    return {clocks: [asdict(s) | {"seeds": list(s.seeds)} for s in spreads] for clocks, spreads in sweeps.items()}


def compute_recycle_nat_sweeps() -> dict[str, list[RecycleNatSpread]]:
    """:func:`recycle_nat_sweep` over :data:`SWEEP_CLIENTS` for each clock model in :data:`SWEEP_CLOCKS`."""
    return {clocks: recycle_nat_sweep(clients=SWEEP_CLIENTS, client_offsets=clocks) for clocks in SWEEP_CLOCKS}


def write_recycle_nat_sweeps(path=None) -> None:
    """Compute the course's sweep and store it as JSON (``make figures`` calls this)."""
    import json

    target = _sweep_path() if path is None else path
    target.write_text(json.dumps(_sweeps_as_data(compute_recycle_nat_sweeps()), indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")


def stored_recycle_nat_sweeps() -> dict[str, list[RecycleNatSpread]]:
    """The course's sweep as :func:`compute_recycle_nat_sweeps` computed it, read from the stored copy.

    Examples
    --------
    >>> sweeps = stored_recycle_nat_sweeps()
    >>> [s.clients for s in sweeps["uptime"]] == list(SWEEP_CLIENTS)
    True
    """
    import json

    data = json.loads(_sweep_path().read_text(encoding="utf-8"))
    spread_fields = ("failed", "dropped", "failed_clients", "connects", "stamp_changes")
    return {
        clocks: [RecycleNatSpread(clients=row["clients"], seeds=tuple(row["seeds"]), params=row["params"],
                                  **{f: Spread(**row[f]) for f in spread_fields}) for row in rows]
        for clocks, rows in data.items()
    }
