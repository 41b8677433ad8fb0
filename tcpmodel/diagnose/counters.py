"""The kernel counters that tell about TIME_WAIT: their exact names, what each counts, and where.

Theory of operation
-------------------
``nstat`` and ``/proc/net/netstat`` print the TcpExt counters of
``snmp4_net_list`` in ``net/ipv4/proc.c`` (``SNMP_MIB_ITEM("TW",
LINUX_MIB_TIMEWAITED)`` …, read in Linux 6.12); nstat prefixes the group,
so ``TW`` is ``TcpExtTW``. Each entry of :data:`COUNTERS` says where the
kernel increments the counter, read in the same source:

* ``TW`` and ``TWKilled``: ``__inet_twsk_schedule()`` in
  ``net/ipv4/inet_timewait_sock.c`` counts a TIME_WAIT socket (or an orphaned
  FIN_WAIT_2 one, which uses the same minisock) when its timer is first armed:
  ``TWKilled`` if the timeout is at most 4 s, else ``TW``. They count entries,
  not expiries. ``tcp_time_wait()`` gives a TIME_WAIT socket
  ``TCP_TIMEWAIT_LEN``, so in 6.12 only an orphaned FIN_WAIT_2 socket whose
  remaining timeout (from ``tcp_fin_timeout``, at least 3.5 RTO) is at most
  4 s is counted as ``TWKilled``.
* ``TWRecycled``: ``__inet_check_established()`` in
  ``net/ipv4/inet_hashtables.c``: a ``connect()`` took over a TIME_WAIT
  4-tuple (``tcp_twsk_unique()`` agreed: ``tcp_tw_reuse``, or a bound port
  whose old connection used timestamps).
* ``TCPTimeWaitOverflow``: ``tcp_time_wait()`` in ``net/ipv4/tcp_minisocks.c``
  (``LINUX_MIB_TCPTIMEWAITOVERFLOW``) got no TIME_WAIT (or FIN_WAIT_2)
  minisock from ``inet_twsk_alloc()``: at the ``tcp_max_tw_buckets`` cap, or
  out of memory ("Sorry, if we're out of memory, just CLOSE this socket up"),
  and closed the connection at once.
* ``PAWSEstab``: a segment rejected by PAWS on a connection
  (``tcp_validate_incoming()`` in ``net/ipv4/tcp_input.c``), on a request
  socket in SYN_RECV (``tcp_check_req()``) or in TIME_WAIT
  (``tcp_timewait_state_process()``).
* ``PAWSActive``: a SYN-ACK whose echoed timestamp is not one of our SYN's,
  in ``tcp_rcv_synsent_state_process()``; ``tcp_v4_do_rcv()`` answers that
  SYN-ACK with a RST and the socket stays in SYN_SENT, resending its SYN.
* ``TCPACKSkippedTimeWait``: an ACK a TIME_WAIT socket did not send to an
  out-of-window segment, rate-limited (``tcp_timewait_state_process()``).
* ``PAWSPassive``: kernels up to 4.11 only: a SYN dropped by
  ``tcp_tw_recycle``'s per-host timestamp check (``sysctl_tw_recycle`` in
  ``net/ipv4/tcp_input.c``, Linux 4.9; inferred, read in a 4.9-based tree,
  not at the upstream tag; ``netstat -s`` prints it as "passive connections
  rejected because of time stamp", inferred from net-tools 2.10 netstat's
  strings). It is gone from 6.12's list.
* ``PAWSTimewait``: printed by Linux 6.18 (observed in this machine's
  ``/proc/net/netstat``), not in 6.12's list. That it counts the PAWS
  rejections in TIME_WAIT that 6.12 counts in ``PAWSEstab`` is unverified:
  read in a patch posted to netdev, not in a release tree.

Examples
--------
>>> COUNTERS["TcpExtTWRecycled"].kernel_name
'TWRecycled'
>>> sorted(c.kernel_name for c in COUNTERS.values())[:3]
['PAWSActive', 'PAWSEstab', 'PAWSPassive']
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Counter", "COUNTERS", "counter_lines"]


@dataclass(frozen=True)
class Counter:
    """One TcpExt counter: its nstat name, its name in ``snmp4_net_list``, what it counts, and the source."""

    name: str
    kernel_name: str
    mib: str
    meaning: str
    source: str
    status: str = "verified"


_PROC = "net/ipv4/proc.c snmp4_net_list (Linux 6.12)"

COUNTERS: dict[str, Counter] = {c.name: c for c in (
    Counter("TcpExtTW", "TW", "LINUX_MIB_TIMEWAITED",
            "TIME_WAIT (or orphaned FIN_WAIT_2) sockets whose timer was armed for more than 4 s: entries, not expiries",
            f"{_PROC}; net/ipv4/inet_timewait_sock.c __inet_twsk_schedule"),
    Counter("TcpExtTWRecycled", "TWRecycled", "LINUX_MIB_TIMEWAITRECYCLED",
            "connect() calls that took over a 4-tuple still in TIME_WAIT (tcp_twsk_unique agreed: tcp_tw_reuse, or a "
            "bound port whose old connection used timestamps)",
            f"{_PROC}; net/ipv4/inet_hashtables.c __inet_check_established; net/ipv4/tcp_ipv4.c tcp_twsk_unique"),
    Counter("TcpExtTWKilled", "TWKilled", "LINUX_MIB_TIMEWAITKILLED",
            "TIME_WAIT-minisock timers armed for at most 4 s; TIME_WAIT itself always gets TCP_TIMEWAIT_LEN, so on 6.12 "
            "these are orphaned FIN_WAIT_2 sockets with at most 4 s of tcp_fin_timeout left",
            f"{_PROC}; net/ipv4/inet_timewait_sock.c __inet_twsk_schedule; net/ipv4/tcp_minisocks.c tcp_time_wait"),
    Counter("TcpExtTCPTimeWaitOverflow", "TCPTimeWaitOverflow", "LINUX_MIB_TCPTIMEWAITOVERFLOW",
            "closes that got no TIME_WAIT (or orphaned FIN_WAIT_2) minisock because tcp_max_tw_buckets was full, or, "
            "rarely, no memory was left for one: closed at once, port and 4-tuple free, unprotected",
            f"{_PROC}; net/ipv4/tcp_minisocks.c LINUX_MIB_TCPTIMEWAITOVERFLOW; net/ipv4/inet_timewait_sock.c "
            "sysctl_max_tw_buckets"),
    Counter("TcpExtPAWSEstab", "PAWSEstab", "LINUX_MIB_PAWSESTABREJECTED",
            "segments rejected by PAWS (a timestamp older than the last one seen) on a connection, on a half-open "
            "request (SYN_RECV) or, on 6.12, in TIME_WAIT",
            f"{_PROC}; net/ipv4/tcp_input.c tcp_validate_incoming; net/ipv4/tcp_minisocks.c tcp_timewait_state_process; "
            "net/ipv4/tcp_minisocks.c tcp_check_req"),
    Counter("TcpExtPAWSActive", "PAWSActive", "LINUX_MIB_PAWSACTIVEREJECTED",
            "SYN-ACKs whose echoed timestamp was not one of our SYN's: each is answered with a RST and the connect() "
            "stays in SYN_SENT, resending its SYN",
            f"{_PROC}; net/ipv4/tcp_input.c tcp_rcv_synsent_state_process; net/ipv4/tcp_ipv4.c tcp_v4_do_rcv"),
    Counter("TcpExtTCPACKSkippedTimeWait", "TCPACKSkippedTimeWait", "LINUX_MIB_TCPACKSKIPPEDTIMEWAIT",
            "ACKs a TIME_WAIT socket did not send to an out-of-window segment (rate limit)",
            f"{_PROC}; net/ipv4/tcp_minisocks.c tcp_timewait_state_process"),
    Counter("TcpExtPAWSPassive", "PAWSPassive", "LINUX_MIB_PAWSPASSIVEREJECTED",
            "Linux up to 4.11: SYNs dropped by tcp_tw_recycle's per-host timestamp check ('passive connections "
            "rejected because of time stamp' in netstat -s); gone from 6.12",
            "net/ipv4/tcp_input.c sysctl_tw_recycle (Linux 4.9, inferred); net-tools 2.10 netstat (inferred)",
            status="inferred"),
    Counter("TcpExtPAWSTimewait", "PAWSTimewait", "LINUX_MIB_PAWS_TW_REJECTED",
            "printed by Linux 6.18, not 6.12: segments PAWS rejected in TIME_WAIT (unverified: read in a netdev patch, "
            "not a release tree)",
            "observed in Linux 6.18.44's /proc/net/netstat; meaning unverified",
            status="unverified"),
)}


def counter_lines(counters: dict[str, int]) -> list[str]:
    """One line per known counter present in ``counters``: name, value, meaning.

    Examples
    --------
    >>> counter_lines({"TcpExtTCPTimeWaitOverflow": 3})[0][:30]
    'TCPTimeWaitOverflow = 3: close'
    """
    out = []
    for name, c in COUNTERS.items():
        if name in counters:
            label = "" if c.status == "verified" else f" [{c.status}]"
            out.append(f"{c.kernel_name} = {counters[name]:,}: {c.meaning}{label}")
            out.append(f"  source: {c.source}")
    return out
