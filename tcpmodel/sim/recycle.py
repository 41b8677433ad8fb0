"""``tcp_tw_recycle`` behind NAT: why 1–3 % of users could not reach a site.

Theory of operation
-------------------
Linux 2.4 to 4.11 had a sysctl ``net.ipv4.tcp_tw_recycle`` (tcp(7):
"Linux 2.4 to 4.11"; removed by commit 4396e46187ca "tcp: remove
tcp_tw_recycle", Linux 4.12). With it on, a server that *closes first* saves
the last timestamp (TSval) its peer sent when the socket enters TIME_WAIT,
in a cache keyed by the peer's **IP address**, not by the 4-tuple
(``net/ipv4/tcp_minisocks.c: tcp_time_wait`` → ``tcp_remember_stamp`` in
``net/ipv4/tcp_metrics.c``, Linux 3.6–4.11; older kernels kept it in the
``inet_peer`` table). A later SYN from that address is dropped silently when
(``tcp_conn_request`` → ``tcp_peer_is_proven(req, dst, true, …)``)::

    now - tcpm_ts_stamp < TCP_PAWS_MSL          (60 s, include/net/tcp.h)
    and (s32)(tcpm_ts - syn.tsval) > TCP_PAWS_WINDOW   (1 tick)

and the kernel counts it in ``LINUX_MIB_PAWSPASSIVEREJECTED`` ("passive
connections rejected because of time stamp" in ``netstat -s``). The saved
value only moves forward: ``tcp_remember_stamp`` overwrites it when the new
TSval is not older, or when the saved one is older than ``TCP_PAWS_MSL``.

That is "VJ's idea" (RFC 1323 Appendix B.2 / RFC 7323 Appendix B.2, a
per-host cache of the last timestamp): sound while one IP address is one
host with one monotonic clock. Behind NAT, one address carries many hosts,
and each host's timestamp clock has its own offset (before Linux 4.10 the
TSval was the sender's uptime in jiffies; since Linux 4.10 it carries a
random offset, commit 95a22caee396 "tcp: randomize tcp timestamp offsets for
each connection"). A client whose clock happens to be *behind* the host that
last left a TIME_WAIT stamp has its SYNs dropped for up to 60 s; its
retransmitted SYNs carry the same late clock and are dropped too.

The model
~~~~~~~~~
``clients`` hosts sit behind one NAT address. Each has a timestamp clock
``TSval(t) = offset + floor(t · ts_hz) mod 2**32`` with a seeded, uniformly
random 32-bit ``offset`` (``client_offsets="per_host"``; with
``"per_connection"`` every connection draws a new offset, as Linux 4.10
clients did). Each client opens new connections to the server as a Poisson
process with mean gap ``mean_interval_s``. An accepted connection is closed
first by the server ``hold_s`` seconds later (for example an HTTP server's
keep-alive timeout), which puts the server's socket in TIME_WAIT and runs
``tcp_remember_stamp`` with the client's latest TSval. A dropped SYN is
retransmitted after ``initial_rto_s``, doubling, ``syn_retries`` times;
if every copy is dropped, ``connect()`` fails.

Nothing in the model is fitted to an outcome: the drop fraction follows from
these parameters, each documented with its source in :data:`PARAMETERS`.

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
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from tcpmodel._validate import require_bool, require_choice, require_int, require_number
from tcpmodel.linux import TCP_PAWS_MSL_S

__all__ = ["PARAMETERS", "RecycleNatResult", "simulate_tw_recycle_nat", "peer_is_proven", "remember_stamp"]

_MOD = 2**32
_HALF = 2**31


def _s32(x: int) -> int:
    """``(s32)x``: the signed 32-bit value of ``x`` (as the kernel's cast)."""
    x %= _MOD
    return x - _MOD if x >= _HALF else x


#: Every input of the model, with its default and where the default comes from.
PARAMETERS: dict[str, dict] = {
    "paws_msl_s": {
        "value": int(TCP_PAWS_MSL_S),
        "unit": "s",
        "source": "include/net/tcp.h: TCP_PAWS_MSL (60), used by tcp_peer_is_proven and tcp_remember_stamp (Linux 3.6–4.11)",
    },
    "paws_window": {
        "value": 1,
        "unit": "TSval ticks",
        "source": "include/net/tcp.h: TCP_PAWS_WINDOW (1), 'replay window for per-host timestamps'",
    },
    "syn_retries": {
        "value": 6,
        "unit": "retransmissions",
        "source": "Documentation/networking/ip-sysctl.rst: tcp_syn_retries, default 6; with exponential backoff, as in the Linux versions that had tcp_tw_recycle",
    },
    "initial_rto_s": {
        "value": 1.0,
        "unit": "s",
        "source": "RFC 6298 §2.1 initial RTO of 1 s; include/net/tcp.h: TCP_TIMEOUT_INIT (1 s since Linux 3.1), doubling per retry",
    },
    "ts_hz": {
        "value": 1000,
        "unit": "ticks/s",
        "source": "RFC 7323 §5.4 allows 1 ms to 1 s per tick; Linux uses 1 ms since 4.13 (jiffies, HZ=100–1000, before)",
    },
    "hold_s": {
        "value": 75.0,
        "unit": "s",
        "source": "assumption: the server closes an idle keep-alive connection first after 75 s (nginx keepalive_timeout default, ngx_http_core_module)",
    },
    "mean_interval_s": {
        "value": 600.0,
        "unit": "s",
        "source": "assumption: each user behind the NAT opens a new TCP connection to this site every 10 min on average (Poisson); browsers reuse keep-alive connections in between",
    },
    "duration_s": {
        "value": 3600.0,
        "unit": "s",
        "source": "simulated time: one hour",
    },
}


def _default(name: str) -> float:
    return PARAMETERS[name]["value"]


def peer_is_proven(now_s: int, syn_tsval: int, stamp_s: int | None, stamp_ts: int | None) -> bool:
    """The PAWS check ``tcp_peer_is_proven(req, dst, paws_check=true, timestamps=true)``.

    Returns False (the SYN is dropped) when the per-host stamp is younger than
    ``TCP_PAWS_MSL`` and the SYN's TSval is more than ``TCP_PAWS_WINDOW``
    ticks behind it (``net/ipv4/tcp_metrics.c``, Linux 3.6–4.11).

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
    past ``TCP_PAWS_MSL`` (``net/ipv4/tcp_metrics.c``, Linux 3.6–4.11).

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
        how many of them ``tcp_peer_is_proven`` dropped. Each SYN is one
        connection attempt; ``syns_dropped`` is what ``netstat -s`` reports as
        "passive connections rejected because of time stamp".
    connects, connects_failed, connects_delayed : int
        ``connect()`` calls; those that failed after ``syn_retries``
        retransmissions; those that succeeded only after a retransmission.
    clients_affected : int
        Clients that had at least one SYN dropped.
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
        """Fraction of the clients behind the NAT that had a SYN dropped."""
        return self.clients_affected / self.clients

    def summary(self) -> str:
        """One line per figure, formatted for a notebook."""
        return "\n".join(
            [
                f"clients behind one NAT address: {self.clients}",
                f"SYNs received: {self.syns_sent:,}; dropped by tcp_peer_is_proven: {self.syns_dropped:,} ({self.drop_fraction:.1%})",
                f"connect() calls: {self.connects:,}; delayed by a drop: {self.connects_delayed:,}; failed: {self.connects_failed:,} ({self.failed_fraction:.1%})",
                f"clients with at least one dropped SYN: {self.clients_affected} of {self.clients} ({self.affected_fraction:.0%})",
            ]
        )


_CONNECT, _RETRY, _CLOSE = 0, 1, 2


def simulate_tw_recycle_nat(
    clients: int = 20,
    seed: int = 0,
    *,
    tw_recycle: bool = True,
    server_closes_first: bool = True,
    client_offsets: str = "per_host",
    mean_interval_s: float | None = None,
    hold_s: float | None = None,
    duration_s: float | None = None,
    ts_hz: float | None = None,
    syn_retries: int | None = None,
    initial_rto_s: float | None = None,
) -> RecycleNatResult:
    """Simulate ``clients`` hosts behind one NAT address talking to a server with ``tcp_tw_recycle=1``.

    Parameters
    ----------
    clients : int
        Hosts behind the NAT address, in [1, 100000].
    seed : int
        Seeds the clock offsets and the connection times; same seed, same result.
    tw_recycle : bool
        The server's ``net.ipv4.tcp_tw_recycle`` (False: nothing is dropped).
    server_closes_first : bool
        Whether the server closes first and so holds TIME_WAIT (only then is a
        stamp saved).
    client_offsets : {"per_host", "per_connection"}
        One timestamp offset per client (pre-4.10 Linux, most other systems),
        or a new random offset per connection (Linux 4.10–4.11 clients).
    mean_interval_s, hold_s, duration_s, ts_hz, syn_retries, initial_rto_s
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
    require_choice("client_offsets", client_offsets, ("per_host", "per_connection"))
    interval = require_number("mean_interval_s", _default("mean_interval_s") if mean_interval_s is None else mean_interval_s, low=0.01, high=1e6, unit="s")
    hold = require_number("hold_s", _default("hold_s") if hold_s is None else hold_s, low=0, high=1e5, unit="s")
    duration = require_number("duration_s", _default("duration_s") if duration_s is None else duration_s, low=1, high=1e6, unit="s")
    hz = require_number("ts_hz", _default("ts_hz") if ts_hz is None else ts_hz, low=1, high=1000, unit="ticks/s")
    retries = require_int("syn_retries", _default("syn_retries") if syn_retries is None else syn_retries, low=0, high=20)
    rto0 = require_number("initial_rto_s", _default("initial_rto_s") if initial_rto_s is None else initial_rto_s, low=0.001, high=60, unit="s")

    import numpy as np

    rng = np.random.default_rng(seed)
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
            "syn_retries": retries,
            "initial_rto_s": rto0,
        },
    )
    affected = bytearray(n)
    stamp_s: int | None = None
    stamp_ts: int | None = None
    syn_log = result.syn_log
    stamp_log = result.stamp_log
    heap: list = []  # (time, kind, seq, client, conn_offset, attempt, first_time)
    seq = 0
    ai = 0
    n_arrivals = len(arrivals)

    while ai < n_arrivals or heap:
        if heap and (ai >= n_arrivals or heap[0][0] <= arrivals[ai][0]):
            t, kind, _, c, off, attempt, t_first = heapq.heappop(heap)
        else:
            t, c = arrivals[ai]
            off = offsets[c] if conn_offsets is None else int(conn_offsets[ai])
            kind, attempt, t_first = _CONNECT, 0, t
            ai += 1
            result.connects += 1
        tsval = (off + int(t * hz)) % _MOD
        now_s = int(t)
        if kind == _CLOSE:
            # The server closes first: TIME_WAIT, tcp_remember_stamp with the client's latest TSval.
            new_stamp = remember_stamp(now_s, tsval, now_s, stamp_s, stamp_ts)
            if new_stamp != (stamp_s, stamp_ts):
                stamp_s, stamp_ts = new_stamp
                stamp_log.append((t, tsval, c))
            continue
        result.syns_sent += 1
        dropped = tw_recycle and not peer_is_proven(now_s, tsval, stamp_s, stamp_ts)
        syn_log.append((t, c, tsval, dropped))
        if dropped:
            result.syns_dropped += 1
            affected[c] = 1
            if attempt < retries:
                seq += 1
                heapq.heappush(heap, (t + rto0 * 2**attempt, _RETRY, seq, c, off, attempt + 1, t_first))
            else:
                result.connects_failed += 1
            continue
        if attempt > 0:
            result.connects_delayed += 1
        if server_closes_first and tw_recycle:
            seq += 1
            heapq.heappush(heap, (t + hold, _CLOSE, seq, c, off, 0, t_first))
    result.clients_affected = sum(affected)
    return result
