"""How long each system waits: MSL, TIME_WAIT and ephemeral ports, with sources.

Theory of operation
-------------------
:data:`SYSTEMS` maps a key (``"rfc793"``, ``"linux"``…) to a
:class:`SystemEntry`. Every value carries the source it was checked against in
``sources``; values that changed between versions or that sources disagree on
are described in ``disputed``; values that could not be checked at a primary
source are listed in ``unverified`` rather than guessed silently.

``msl_s`` is the Maximum Segment Lifetime the system assumes. Only the RFCs,
FreeBSD, macOS and Windows' documentation *define* one; for Linux and Solaris
``msl_s`` is implied as half of the fixed TIME_WAIT, and ``msl_note`` says so.

Entries support both ``entry.time_wait_s`` and ``entry["time_wait_s"]``.

Examples
--------
>>> SYSTEMS["linux"].time_wait_s
60.0
>>> SYSTEMS["rfc793"]["msl_s"]
120.0
>>> sorted(k for k, e in SYSTEMS.items() if e.disputed)
['freebsd', 'linux', 'solaris', 'windows']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["SystemEntry", "SYSTEMS", "systems_table"]


@dataclass(frozen=True)
class SystemEntry(Mapping):
    """One row of the systems table. Every value has a source in ``sources``."""

    name: str
    msl_s: float
    time_wait_s: float
    ephemeral_range: tuple[int, int] | None
    knobs: Mapping[str, str]
    sources: Mapping[str, str]
    msl_note: str = ""
    disputed: str = ""
    disputed_values: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    notes: str = ""

    # Mapping interface, so that SYSTEMS["linux"]["time_wait_s"] works too.
    def __getitem__(self, key: str) -> Any:
        if key in self._keys():
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    @classmethod
    def _keys(cls) -> tuple[str, ...]:
        return (*(f.name for f in fields(cls)), "source", "ephemeral_ports")

    @property
    def source(self) -> str:
        """All sources in one string (``; ``-separated)."""
        return "; ".join(f"{k}: {v}" for k, v in self.sources.items())

    @property
    def ephemeral_ports(self) -> int | None:
        """Number of ports in ``ephemeral_range`` (both ends included), or None."""
        if self.ephemeral_range is None:
            return None
        low, high = self.ephemeral_range
        return high - low + 1


SYSTEMS: dict[str, SystemEntry] = {
    "rfc793": SystemEntry(
        name="RFC 793 (1981)",
        msl_s=120.0,
        time_wait_s=240.0,
        ephemeral_range=None,
        knobs={},
        sources={
            "msl_s": "RFC 793 §3.3: 'the Maximum Segment Lifetime (MSL) ... arbitrarily defined to be 2 minutes'; "
            "'an engineering choice, and may be changed if experience indicates it is desirable to do so'",
            "time_wait_s": "RFC 793 §3.5 and §3.9 (TIME-WAIT state waits 2 MSL)",
            "ephemeral_range": "RFC 793 specifies no ephemeral port range",
            "knobs": "RFC 793 §3.3 calls the MSL an engineering choice but defines no setting",
        },
        notes="The original specification; obsoleted by RFC 9293 (2022), which keeps the 2-minute MSL (§3.4.2).",
    ),
    "rfc1122": SystemEntry(
        name="RFC 1122 (1989)",
        msl_s=120.0,
        time_wait_s=240.0,
        ephemeral_range=None,
        knobs={},
        sources={
            "msl_s": "RFC 1122 keeps RFC 793's MSL (RFC 793 §3.3)",
            "time_wait_s": "RFC 1122 §4.2.2.13: an active close MUST linger in TIME-WAIT for 2xMSL; "
            "it MAY accept a new SYN to reopen the connection directly from TIME-WAIT",
            "ephemeral_range": "RFC 1122 specifies no ephemeral port range",
            "knobs": "RFC 1122 defines no setting for MSL or TIME-WAIT",
        },
    ),
    "rfc9293": SystemEntry(
        name="RFC 9293 (2022)",
        msl_s=120.0,
        time_wait_s=240.0,
        ephemeral_range=None,
        knobs={},
        sources={
            "msl_s": "RFC 9293 §3.4.2: MSL 'arbitrarily defined to be 2 minutes'",
            "time_wait_s": "RFC 9293 §3.6 (Closing a Connection): TIME-WAIT lasts 2 MSL",
            "ephemeral_range": "RFC 9293 specifies none; RFC 6335 §6 names 49152-65535 the dynamic range",
            "knobs": "RFC 9293 defines no setting for MSL or TIME-WAIT",
        },
        notes="The current TCP specification.",
    ),
    "linux": SystemEntry(
        name="Linux",
        msl_s=30.0,
        time_wait_s=60.0,
        ephemeral_range=(32768, 60999),
        knobs={
            "net.ipv4.ip_local_port_range": "ephemeral ports for connect() and bind(0)",
            "net.ipv4.tcp_tw_reuse": "0 off, 1 on, 2 loopback only (default 2): reuse a TIME_WAIT 4-tuple for connect()",
            "net.ipv4.tcp_tw_reuse_delay": "ms before a TIME_WAIT socket may be reused (default 1000; Linux 6.14+)",
            "net.ipv4.tcp_max_tw_buckets": "cap on TIME_WAIT sockets (default half the ehash size)",
            "net.ipv4.tcp_timestamps": "RFC 7323 timestamps; needed by tcp_tw_reuse",
            "net.ipv4.tcp_rfc1337": "ignore RST in TIME_WAIT (default 0)",
            "TIME_WAIT length": "none: TCP_TIMEWAIT_LEN is a compile-time constant; tcp_fin_timeout is FIN_WAIT_2",
        },
        sources={
            "msl_s": "implied: Linux defines no MSL; TCP_TIMEWAIT_LEN (60 s) read as 2 MSL",
            "time_wait_s": "include/net/tcp.h: #define TCP_TIMEWAIT_LEN (60*HZ) (Linux 6.18); "
            "net/ipv4/tcp_minisocks.c tcp_time_wait(): timeo = TCP_TIMEWAIT_LEN",
            "ephemeral_range": "Documentation/networking/ip-sysctl.rst: ip_local_port_range, "
            "'The default values are 32768 and 60999 respectively.' (Linux 6.18; read on 6.18.44)",
            "knobs": "Documentation/networking/ip-sysctl.rst (Linux 6.18)",
        },
        msl_note="No MSL constant or sysctl exists; 30 s is TCP_TIMEWAIT_LEN / 2.",
        disputed="Kernels before 4.2 used 32768-61000 (and shrank the range on small-memory machines); "
        "commit 07f4c90062f8 'tcp/dccp: try to not exhaust ip_local_port_range in connect()' (May 2015, "
        "first released in Linux 4.2) changed the default to 32768-60999 so that the ends have different "
        "parity and connect() can prefer even ports. tcp_fin_timeout is often mistaken for the TIME_WAIT "
        "length; it is not.",
        unverified=(),
        disputed_values=('ephemeral_range',),
    ),
    "freebsd": SystemEntry(
        name="FreeBSD",
        msl_s=30.0,
        time_wait_s=60.0,
        ephemeral_range=(10000, 65535),
        knobs={
            "net.inet.tcp.msl": "MSL in milliseconds; TIME_WAIT is 2 x msl",
            "net.inet.ip.portrange.first / .last": "ephemeral port range",
            "net.inet.tcp.nolocaltimewait": "skip TIME_WAIT when both ends are local",
        },
        sources={
            "msl_s": "sys/netinet/tcp_timer.h: #define TCPTV_MSL (30*hz) /* max seg lifetime (hah!) */",
            "time_wait_s": "2 x TCPTV_MSL (TCPT_2MSL timer, sys/netinet/tcp_timer.h)",
            "ephemeral_range": "sys/netinet/in.h: IPPORT_EPHEMERALFIRST 10000, IPPORT_EPHEMERALLAST 65535",
            "knobs": "tcp(4), ip(4)",
        },
        disputed="Older FreeBSD releases used 49152-65535 (IP_PORTRANGE_HIGH today); the release that moved "
        "the default to 10000 is not verified here.",
        unverified=("knobs: net.inet.tcp.nolocaltimewait (tcp(4) not read at source)", "release of the 10000 change"),
        disputed_values=('ephemeral_range',),
    ),
    "macos": SystemEntry(
        name="macOS (XNU)",
        msl_s=15.0,
        time_wait_s=30.0,
        ephemeral_range=(49152, 65535),
        knobs={
            "net.inet.tcp.msl": "MSL in milliseconds; TIME_WAIT is 2 x msl",
            "net.inet.ip.portrange.first / .last": "ephemeral port range",
        },
        sources={
            "msl_s": "apple-oss-distributions/xnu bsd/netinet/tcp_timer.h: #define TCPTV_MSL (15*TCP_RETRANSHZ)",
            "time_wait_s": "2 x TCPTV_MSL (TCPT_2MSL timer, bsd/netinet/tcp_timer.h)",
            "ephemeral_range": "xnu bsd/netinet/in_pcb.c: ipport_firstauto = IPPORT_HIFIRSTAUTO (49152), "
            "ipport_lastauto = IPPORT_HILASTAUTO (65535); bsd/netinet/in.h",
            "knobs": "xnu bsd/netinet/tcp_timer.c (tcp_msl sysctl), bsd/netinet/in_pcb.c",
        },
    ),
    "windows": SystemEntry(
        name="Windows",
        msl_s=120.0,
        time_wait_s=240.0,
        ephemeral_range=(49152, 65535),
        knobs={
            "TcpTimedWaitDelay": "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters, seconds",
            "netsh int ipv4 set dynamicport tcp": "ephemeral (dynamic) port range (Vista/Server 2008+)",
            "MaxUserPort": "highest ephemeral port before Vista (default 5000)",
        },
        sources={
            "msl_s": "Microsoft TechNet, Windows 2000 TCP/IP registry reference, TcpTimedWaitDelay: "
            "'By default, the MSL is defined to be 120 seconds'",
            "time_wait_s": "Microsoft TechNet cc938217 (Windows 2000): TcpTimedWaitDelay default 0xF0 "
            "(240 seconds = 4 minutes), range 30-300",
            "ephemeral_range": "Microsoft Learn, BizTalk 'Settings that can be modified to improve network "
            "performance': 'The new default start port is 49152, and the default end port is 65535' "
            "(Windows Vista / Server 2008 and later); KB 929851",
            "knobs": "same Microsoft pages",
        },
        disputed="Microsoft's documents disagree: the Windows Server 2003 reference (TechNet cc757512) lists "
        "TcpTimedWaitDelay default 0x78 (120 s), range 0-300, while its own text still says 4 minutes; the "
        "Windows 2000 reference says 240 s. Before Vista the ephemeral range was 1025-5000.",
        unverified=("default TIME_WAIT of current Windows 10/11 and Server 2016+ releases",),
        disputed_values=('msl_s', 'time_wait_s', 'ephemeral_range'),
    ),
    "solaris": SystemEntry(
        name="Solaris / illumos",
        msl_s=30.0,
        time_wait_s=60.0,
        ephemeral_range=(32768, 65535),
        knobs={
            "tcp_time_wait_interval / _time_wait_interval": "TIME_WAIT in ms (ndd; ipadm on Solaris 11)",
            "smallest_anon_port / largest_anon_port": "ephemeral port range",
        },
        sources={
            "msl_s": "implied: Solaris documents no MSL tunable; half of tcp_time_wait_interval",
            "time_wait_s": "Oracle Solaris Tunable Parameters Reference Manual (Solaris 9, 10, 11.2, 11.4): "
            "tcp_time_wait_interval default 60,000 ms",
            "ephemeral_range": "Oracle Solaris 11.2 Tunable Parameters Reference Manual: smallest_anon_port "
            "default 32,768; largest_anon_port default 65,535",
            "knobs": "same manual",
        },
        msl_note="No MSL tunable; 30 s is tcp_time_wait_interval / 2.",
        disputed="The Solaris 8 Tunable Parameters manual gives tcp_time_wait_interval a default of 4 minutes; "
        "Solaris 9 and later give 60 seconds.",
        disputed_values=('time_wait_s',),
    ),
}


def systems_table() -> list[dict[str, Any]]:
    """One plain dict per system, for printing (CLI) or a notebook table.

    Examples
    --------
    >>> rows = systems_table()
    >>> [r["key"] for r in rows][:3]
    ['rfc793', 'rfc1122', 'rfc9293']
    """
    rows = []
    for key, entry in SYSTEMS.items():
        low_high = entry.ephemeral_range
        rows.append({
            "key": key,
            "name": entry.name,
            "msl_s": entry.msl_s,
            "time_wait_s": entry.time_wait_s,
            "ephemeral_range": "-" if low_high is None else f"{low_high[0]}-{low_high[1]}",
            "ports": entry.ephemeral_ports,
            "disputed": bool(entry.disputed),
            "source": entry.sources["time_wait_s"],
        })
    return rows

