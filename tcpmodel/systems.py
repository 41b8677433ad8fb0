"""How long each system waits: MSL, TIME_WAIT and ephemeral ports, by version, with sources.

Theory of operation
-------------------
:data:`SYSTEMS` maps a key (``"rfc793"``, ``"linux"``…) to a
:class:`SystemEntry`. Its headline values (``msl_s``, ``time_wait_s``,
``ephemeral_range``) are the defaults of the release named in ``version``;
``sources`` gives the citation of each, and ``ledger`` the keys of the
:mod:`tcpmodel.ledger` entries they were read at.

A default that changed between releases is stated **by version** in
``by_version``: one :class:`VersionValue` per release range, each with its own
source and status. :attr:`SystemEntry.version_dependent` names the values that
changed (for Linux and FreeBSD, the ephemeral port range; for Windows and
Solaris, TIME_WAIT), and :func:`systems_table` says so for exactly those
columns. Nothing here is "disputed": where two vendor documents give different
defaults, they describe different releases, and the entry says which.

What could not be read at a primary source is labelled: a
:class:`VersionValue` whose ``status`` is ``"inferred"`` or ``"unverified"``
says how, and ``unverified`` lists the gaps of the whole entry (for example the
TIME_WAIT default of current Windows releases).

``msl_s`` is the Maximum Segment Lifetime the system assumes. The RFCs,
FreeBSD and macOS define one; Linux, Windows and Solaris set the TIME_WAIT
length directly, and for them ``msl_s`` is the convention MSL = TIME_WAIT / 2,
which ``msl_note`` states.

Entries support both ``entry.time_wait_s`` and ``entry["time_wait_s"]``.

Examples
--------
>>> SYSTEMS["linux"].time_wait_s
60.0
>>> SYSTEMS["rfc793"]["msl_s"]
120.0
>>> SYSTEMS["windows"].version_dependent
('time_wait_s', 'ephemeral_range')
>>> SYSTEMS["linux"].version_dependent
('ephemeral_range',)
>>> print(SYSTEMS["windows"].version_note("time_wait_s", detail=False))
Windows 2000: 240 s; Windows XP and Server 2003 (IPv4): 120 s; Windows XP and Server 2003 (IPv6): 240 s; Windows 8.1 / Server 2012 R2 and later (IPv4): 120 s (inferred)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["VersionValue", "SystemEntry", "SYSTEMS", "systems_table", "value_for", "VALUE_FIELDS"]

#: The values a system entry states, and how each is printed.
VALUE_FIELDS = ("msl_s", "time_wait_s", "ephemeral_range")
_STATUSES = ("verified", "inferred", "unverified")


def _fmt(name: str, value: Any) -> str:
    if value is None:
        return "none"
    if name == "ephemeral_range":
        return f"{value[0]}–{value[1]}"
    return f"{value:g} s"


@dataclass(frozen=True)
class VersionValue:
    """One documented default, for the releases named in ``applies``.

    ``source`` is the citation (in the ledger's citation forms); ``ledger`` the
    keys of the ledger entries it was read at; ``status`` is ``"verified"``
    (read at the source), ``"inferred"`` or ``"unverified"``, with ``how``.
    """

    value: Any
    applies: str
    source: str
    ledger: tuple[str, ...] = ()
    status: str = "verified"
    how: str = ""

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {_STATUSES}; got {self.status!r}")
        if self.status != "verified" and not self.how:
            raise ValueError(f"a {self.status} value must say how (for {self.applies!r})")

    def describe(self, name: str, detail: bool = True) -> str:
        """``"<applies>: <value>"``, with the status (and, with ``detail``, how) where it is not verified."""
        text = f"{self.applies}: {_fmt(name, self.value)}"
        if self.status == "verified":
            return text
        return f"{text} ({self.status}: {self.how})" if detail else f"{text} ({self.status})"


@dataclass(frozen=True)
class SystemEntry(Mapping):
    """One row of the systems table. Every value has a source in ``sources``."""

    name: str
    version: str
    msl_s: float
    time_wait_s: float
    ephemeral_range: tuple[int, int] | None
    knobs: Mapping[str, str]
    sources: Mapping[str, str]
    ledger: tuple[str, ...] = ()
    msl_note: str = ""
    by_version: Mapping[str, tuple[VersionValue, ...]] = field(default_factory=dict)
    unverified: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        for name, values in self.by_version.items():
            if name not in VALUE_FIELDS:
                raise ValueError(f"{self.name}: by_version key must be one of {VALUE_FIELDS}; got {name!r}")
            if getattr(self, name) not in {v.value for v in values}:
                raise ValueError(f"{self.name}: the headline {name} is not one of its by-version values")

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
        return (*(f.name for f in fields(cls)), "source", "ephemeral_ports", "version_dependent")

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

    @property
    def version_dependent(self) -> tuple[str, ...]:
        """The values (in :data:`VALUE_FIELDS` order) whose default differs between releases."""
        return tuple(name for name in VALUE_FIELDS
                     if len({v.value for v in self.by_version.get(name, ())}) > 1)

    def version_note(self, name: str, detail: bool = True) -> str:
        """The defaults of value ``name`` by release, ``"; "``-separated (empty if it never changed).

        Values that are not verified say so; ``detail=False`` drops the explanation of how.
        """
        if name not in self.version_dependent:
            return ""
        return "; ".join(v.describe(name, detail) for v in self.by_version[name])

    def all_ledger_keys(self) -> tuple[str, ...]:
        """Every ledger key this entry leans on: its own and those of its by-version values."""
        keys = list(self.ledger)
        for values in self.by_version.values():
            for v in values:
                keys.extend(k for k in v.ledger if k not in keys)
        return tuple(dict.fromkeys(keys))


_WINDOWS_CURRENT = "Windows 10, 11 and Server 2016 and later"

SYSTEMS: dict[str, SystemEntry] = {
    "rfc793": SystemEntry(
        name="RFC 793 (1981)",
        version="RFC 793 (September 1981)",
        msl_s=120.0,
        time_wait_s=240.0,
        ephemeral_range=None,
        knobs={},
        sources={
            "msl_s": "RFC 793 Glossary: MSL 'Arbitrarily defined to be 2 minutes'; RFC 793 §3.3 (Knowing When "
            "to Keep Quiet): 'For this specification the MSL is taken to be 2 minutes. This is an engineering choice'",
            "time_wait_s": "RFC 793 §3.5 (Figure 13: TIME-WAIT, then '(2 MSL)', then CLOSED) and "
            "RFC 793 §3.9 (TIME-WAIT STATE: 'Restart the 2 MSL time-wait timeout')",
            "ephemeral_range": "none: the specification defines no ephemeral port range",
            "knobs": "none: RFC 793 §3.3 calls the MSL an engineering choice but defines no setting",
        },
        ledger=("rfc793:glossary", "rfc793:3.3", "rfc793:3.5", "rfc793:3.9"),
        notes="The original specification, obsoleted in 2022 by the current one, which keeps the 2-minute MSL "
        "(RFC 9293 §3.4.2 and RFC 9293 Glossary).",
    ),
    "rfc1122": SystemEntry(
        name="RFC 1122 (1989)",
        version="RFC 1122 (October 1989)",
        msl_s=120.0,
        time_wait_s=240.0,
        ephemeral_range=None,
        knobs={},
        sources={
            "msl_s": "RFC 1122 §4.2.2.13 keeps the 2-minute MSL: 'a timeout period of 2xMSL, i.e., 4 minutes'",
            "time_wait_s": "RFC 1122 §4.2.2.13: 'When a connection is closed actively, it MUST linger in TIME-WAIT "
            "state for a time 2xMSL'; it MAY accept a new SYN to reopen the connection directly from TIME-WAIT",
            "ephemeral_range": "none: RFC 1122 §4.2.2.13 and the sections it amends define no port range",
            "knobs": "none: RFC 1122 §4.2.2.13 defines no setting for MSL or TIME-WAIT",
        },
        ledger=("rfc1122:4.2.2.13",),
    ),
    "rfc9293": SystemEntry(
        name="RFC 9293 (2022)",
        version="RFC 9293 (August 2022)",
        msl_s=120.0,
        time_wait_s=240.0,
        ephemeral_range=None,
        knobs={},
        sources={
            "msl_s": "RFC 9293 Glossary: MSL 'Arbitrarily defined to be 2 minutes'; RFC 9293 §3.4.2: 'For this "
            "specification the MSL is taken to be 2 minutes. This is an engineering choice'",
            "time_wait_s": "RFC 9293 §3.6.1: 'When a connection is closed actively, it MUST linger in the "
            "TIME-WAIT state for a time 2xMSL' (MUST-13)",
            "ephemeral_range": "none: the specification defines no ephemeral port range",
            "knobs": "none: RFC 9293 §3.4.2 calls the MSL an engineering choice but defines no setting",
        },
        ledger=("rfc9293:glossary", "rfc9293:3.4.2", "rfc9293:3.6.1"),
        notes="The current TCP specification.",
    ),
    "linux": SystemEntry(
        name="Linux",
        version="Linux 6.18 (source read at 6.12, TIME_WAIT observed on 6.18.44; port range since 4.2, inferred)",
        msl_s=30.0,
        time_wait_s=60.0,
        ephemeral_range=(32768, 60999),
        knobs={
            "net.ipv4.ip_local_port_range": "ephemeral ports for connect() and bind(0)",
            "net.ipv4.tcp_tw_reuse": "0 off, 1 on, 2 loopback only (default 2): reuse a TIME_WAIT 4-tuple for connect()",
            "net.ipv4.tcp_tw_reuse_delay": "ms before a TIME_WAIT socket may be reused (default 1000; Linux 6.14+)",
            "net.ipv4.tcp_max_tw_buckets": "cap on TIME_WAIT sockets (default half the entries of the namespace's "
            "established hash)",
            "net.ipv4.tcp_timestamps": "the TCP timestamps option (default 1); tcp_tw_reuse needs it",
            "net.ipv4.tcp_rfc1337": "ignore RST in TIME_WAIT (default 0)",
            "TIME_WAIT length": "none: TCP_TIMEWAIT_LEN is a compile-time constant; tcp_fin_timeout is FIN_WAIT_2",
        },
        sources={
            "msl_s": "convention, not a kernel value: TCP_TIMEWAIT_LEN / 2 (include/net/tcp.h); the kernel's "
            "only MSL-named constant, TCP_PAWS_MSL, is how long a saved peer timestamp stays valid",
            "time_wait_s": "include/net/tcp.h: #define TCP_TIMEWAIT_LEN (60*HZ); "
            "net/ipv4/tcp_minisocks.c tcp_time_wait(): timeo = TCP_TIMEWAIT_LEN",
            "ephemeral_range": "Documentation/networking/ip-sysctl.rst: ip_local_port_range, "
            "'The default values are 32768 and 60999 respectively.'",
            "knobs": "Documentation/networking/ip-sysctl.rst",
        },
        ledger=("linux:include/net/tcp.h:TCP_TIMEWAIT_LEN", "linux:include/net/tcp.h:TCP_PAWS_MSL",
                "linux:Documentation/networking/ip-sysctl.rst:ip_local_port_range"),
        msl_note="No MSL constant or sysctl sets TIME_WAIT; 30 s is the convention MSL = TCP_TIMEWAIT_LEN / 2.",
        by_version={
            "ephemeral_range": (
                VersionValue((32768, 61000), "before Linux 4.2",
                             "commit 07f4c90062f8 'tcp/dccp: try to not exhaust ip_local_port_range in connect()'",
                             ("commit:07f4c90062f8",), status="inferred",
                             how="the commit's message gives the old range; 4.2 as its first release is inferred "
                             "from the commit's date"),
                VersionValue((32768, 60999), "Linux 4.2 (first release inferred) and later",
                             "commit 07f4c90062f8 (ends of different parity, so connect() can prefer even ports); "
                             "Documentation/networking/ip-sysctl.rst",
                             ("commit:07f4c90062f8", "linux:Documentation/networking/ip-sysctl.rst:ip_local_port_range")),
            ),
        },
        notes="tcp_fin_timeout is often mistaken for the TIME_WAIT length; it is not.",
    ),
    "freebsd": SystemEntry(
        name="FreeBSD",
        version="FreeBSD: tcp(4) of 2018 and the current sys/netinet sources",
        msl_s=30.0,
        time_wait_s=60.0,
        ephemeral_range=(10000, 65535),
        knobs={
            "net.inet.tcp.msl": "MSL in milliseconds; TIME_WAIT is 2 x msl",
            "net.inet.ip.portrange.first / .last": "ephemeral port range",
            "net.inet.tcp.nolocaltimewait": "skip TIME_WAIT when both ends are local",
        },
        sources={
            "msl_s": "FreeBSD sys/netinet/tcp_timer.h: #define TCPTV_MSL ( 30*hz) /* max seg lifetime (hah!) */; "
            "FreeBSD tcp(4): msl, 'The Maximum Segment Lifetime, in milliseconds, for a packet.'",
            "time_wait_s": "FreeBSD sys/netinet/tcp_timewait.c: the 2MSL timer is set to 2 * tcp_msl",
            "ephemeral_range": "FreeBSD sys/netinet/in.h: IPPORT_EPHEMERALFIRST 10000, IPPORT_EPHEMERALLAST 65535 "
            "('Default local port range, used by IP_PORTRANGE_DEFAULT')",
            "knobs": "FreeBSD tcp(4) (msl, nolocaltimewait); sys/netinet/in.h (net.inet.ip.portrange)",
        },
        ledger=("doc:freebsd-tcp_timer.h", "man:tcp(4):msl", "man:tcp(4):nolocaltimewait", "doc:freebsd-tcp_timewait.c",
                "doc:freebsd-in.h"),
        by_version={
            "ephemeral_range": (
                VersionValue((49152, 65535), "FreeBSD 7 era",
                             "FreeBSD sys/netinet/in_pcb.c: ipport_firstauto = IPPORT_HIFIRSTAUTO",
                             ("doc:freebsd-in_pcb.c",),
                             status="inferred",
                             how="the release is inferred from the copy's 2007 copyright and priv(9) calls"),
                VersionValue((10000, 65535), "current FreeBSD",
                             "FreeBSD sys/netinet/in.h: IPPORT_EPHEMERALFIRST, IPPORT_EPHEMERALLAST",
                             ("doc:freebsd-in.h",)),
            ),
        },
        unverified=("the FreeBSD release that moved the default port range from 49152 to 10000",
                    "net.inet.tcp.nolocaltimewait's default: 0 in an older tcp_timewait.c; a newer copy, read "
                    "without its repository, defaults it to true (local connections then skip TIME_WAIT)"),
    ),
    "macos": SystemEntry(
        name="macOS (XNU)",
        version="XNU (apple-oss-distributions/xnu, stored copies)",
        msl_s=15.0,
        time_wait_s=30.0,
        ephemeral_range=(49152, 65535),
        knobs={
            "net.inet.tcp.msl": "MSL in milliseconds; TIME_WAIT is 2 x msl",
            "net.inet.ip.portrange.first / .last": "ephemeral port range",
        },
        sources={
            "msl_s": "XNU bsd/netinet/tcp_timer.h: #define TCPTV_MSL ( 15*TCP_RETRANSHZ) /* max seg lifetime */, "
            "with TCP_RETRANSHZ 1000 ticks per second (XNU bsd/netinet/tcp_var.h)",
            "time_wait_s": "XNU bsd/netinet/tcp_input.c: add_to_time_wait(tp, 2 * tcp_msl), and tcp_msl = TCPTV_MSL "
            "(XNU bsd/netinet/tcp_timer.c)",
            "ephemeral_range": "XNU bsd/netinet/in_pcb.c: ipport_firstauto = IPPORT_HIFIRSTAUTO (49152), "
            "ipport_lastauto = IPPORT_HILASTAUTO (65535)",
            "knobs": "XNU bsd/netinet/tcp_timer.c (net.inet.tcp.msl: 'Maximum segment lifetime'), "
            "bsd/netinet/in_pcb.c",
        },
        ledger=("doc:xnu-tcp_timer.h", "doc:xnu-tcp_var.h", "doc:xnu-tcp_timer.c", "doc:xnu-tcp_input.c",
                "doc:xnu-in_pcb.c"),
        unverified=("which macOS releases the stored XNU copies belong to",),
    ),
    "windows": SystemEntry(
        name="Windows",
        version="Windows XP and Server 2003, IPv4 (TcpTimedWaitDelay default; later releases: inferred or "
        "unverified, see by_version)",
        msl_s=60.0,
        time_wait_s=120.0,
        ephemeral_range=(49152, 65535),
        knobs={
            "TcpTimedWaitDelay": "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters, seconds",
            "netsh int ipv4 set dynamicport tcp": "ephemeral (dynamic) port range (Vista/Server 2008+)",
            "MaxUserPort": "highest ephemeral port before Vista (default 5000)",
        },
        sources={
            "msl_s": "convention: TcpTimedWaitDelay / 2. Windows exposes no MSL setting; KB 314053: the value "
            "'should be two times the maximum segment lifetime'",
            "time_wait_s": "KB 314053 (TCP/IP and NBT configuration parameters for Windows XP): TcpTimedWaitDelay "
            "'Default: 0x78 (120 decimal)'; 'In Microsoft Windows 2000, the default value is 240 seconds'",
            "ephemeral_range": "KB 929851: 'The new default start port is 49152, and the new default end port is "
            "65535' (Windows Vista / Server 2008 and later; earlier versions 1025-5000)",
            "knobs": "KB 314053, KB 929851",
        },
        ledger=("doc:KB314053", "doc:KB929851"),
        msl_note="Windows sets the TIME_WAIT length (TcpTimedWaitDelay), not an MSL; 60 s is TcpTimedWaitDelay / 2. "
        "Windows 2000's reference says 'the MSL is defined to be 120 seconds'.",
        by_version={
            "time_wait_s": (
                VersionValue(240.0, "Windows 2000", "KB 314053 note; Microsoft TechNet cc938217 (Windows 2000 "
                             "registry reference): 0xF0 (240 seconds = 4 minutes)",
                             ("doc:KB314053", "doc:technet-cc938217")),
                VersionValue(120.0, "Windows XP and Server 2003 (IPv4)", "KB 314053; Microsoft TechNet cc757512 "
                             "(Windows Server 2003): 0x78 (120 seconds = 2 minutes)",
                             ("doc:KB314053", "doc:technet-cc757512")),
                VersionValue(240.0, "Windows XP and Server 2003 (IPv6)", "KB 314053: 'The default value for the "
                             "IPv6 stack is 240 seconds'", ("doc:KB314053",)),
                VersionValue(120.0, "Windows 8.1 / Server 2012 R2 and later (IPv4)",
                             "Microsoft BizTalk Server guide, 'Settings that can be Modified to Improve Network "
                             "Performance': Default value 0x78 (120 decimal)", ("doc:biztalk-network-settings",),
                             status="inferred",
                             how="a 2017 BizTalk tuning guide, not a Windows TCP/IP reference, gives this default "
                             "beside ranges for 'Windows 8.1 and later'; unverified for " + _WINDOWS_CURRENT),
            ),
            "ephemeral_range": (
                VersionValue((1025, 5000), "before Windows Vista / Server 2008", "KB 929851", ("doc:KB929851",)),
                VersionValue((49152, 65535), "Windows Vista / Server 2008 and later", "KB 929851",
                             ("doc:KB929851",)),
            ),
        },
        unverified=(f"TcpTimedWaitDelay's default in {_WINDOWS_CURRENT}: no Microsoft document read names them",
                    "the IPv6 default after Windows Server 2003"),
        notes="Windows Server 2003's TechNet page lists the 120 s default but its description still says "
        "'4 minutes', the Windows 2000 value; KB 314053 explains the change.",
    ),
    "solaris": SystemEntry(
        name="Solaris / illumos",
        version="Solaris 11.2 and 11.4 (and Solaris 9, inferred); illumos",
        msl_s=30.0,
        time_wait_s=60.0,
        ephemeral_range=(32768, 65535),
        knobs={
            "tcp_time_wait_interval / _time_wait_interval": "TIME_WAIT in ms (ndd; ipadm on Solaris 11)",
            "smallest_anon_port / largest_anon_port": "ephemeral port range",
        },
        sources={
            "msl_s": "convention: tcp_time_wait_interval / 2; Solaris documents no MSL tunable",
            "time_wait_s": "tcp_time_wait_interval 'Default 60,000 (60 seconds)' in the "
            "Oracle Solaris 11.2 Tunable Parameters Reference Manual, "
            "the Oracle Solaris 11.4 Tunables Reference and the "
            "Solaris Tunable Parameters Reference Manual, collection E19683-01 "
            "(Solaris 9's, by inference); _time_wait_interval default 1*MINUTES in "
            "illumos-gate usr/src/uts/common/inet/tcp/tcp_tunables.c",
            "ephemeral_range": "smallest_anon_port default 32,768, largest_anon_port default 65,535 in the "
            "Oracle Solaris 11.2 Tunable Parameters Reference Manual; 32*1024 and ULP_MAX_PORT in illumos tcp_tunables.c",
            "knobs": "same manuals",
        },
        ledger=("doc:oracle-solaris9-tunables", "doc:oracle-solaris11.2-tunables", "doc:oracle-solaris11.4-tunables",
                "doc:illumos-tcp_tunables.c"),
        msl_note="No MSL tunable; 30 s is tcp_time_wait_interval / 2.",
        by_version={
            "time_wait_s": (
                VersionValue(240.0, "Solaris 8", "tcp_time_wait_interval 'Default 4 minutes' in the "
                             "Solaris Tunable Parameters Reference Manual, collection E19455-01",
                             ("doc:oracle-solaris8-tunables",), status="inferred",
                             how="that collection E19455-01 is the Solaris 8 manual is inferred from Oracle's "
                             "collection numbering; the page does not name its release"),
                VersionValue(60.0, "Solaris 9", "tcp_time_wait_interval 'Default 60,000 (60 seconds)' in the "
                             "Solaris Tunable Parameters Reference Manual, collection E19683-01",
                             ("doc:oracle-solaris9-tunables",), status="inferred",
                             how="that collection E19683-01 is the Solaris 9 manual is inferred from Oracle's "
                             "collection numbering; the page does not name its release"),
                VersionValue(60.0, "Solaris 11.2 and 11.4, and illumos", "Oracle Solaris 11.2 and 11.4 "
                             "Tunable Parameters Reference Manuals; illumos-gate tcp_tunables.c",
                             ("doc:oracle-solaris11.2-tunables", "doc:oracle-solaris11.4-tunables",
                              "doc:illumos-tcp_tunables.c")),
            ),
        },
    ),
}


def value_for(key: str, name: str, applies: str) -> Any:
    """The default of value ``name`` of system ``key`` in the release whose ``applies`` text starts with ``applies``.

    For prose that states a value by version (its number annotation calls this).

    Examples
    --------
    >>> value_for("windows", "time_wait_s", "Windows 2000")
    240.0
    >>> value_for("linux", "ephemeral_range", "before")
    (32768, 61000)
    """
    matches = [v.value for v in SYSTEMS[key].by_version.get(name, ()) if v.applies.startswith(applies)]
    if len(matches) != 1:
        raise KeyError(f"{key}.{name}: {len(matches)} releases start with {applies!r}")
    return matches[0]


def systems_table() -> list[dict[str, Any]]:
    """One plain dict per system, for printing (CLI) or a notebook table.

    ``version_dependent`` names the values whose default changed between
    releases, and ``note`` gives those values by release.

    Examples
    --------
    >>> rows = systems_table()
    >>> [r["key"] for r in rows][:3]
    ['rfc793', 'rfc1122', 'rfc9293']
    >>> [r["version_dependent"] for r in rows if r["key"] in ("linux", "windows")]
    [('ephemeral_range',), ('time_wait_s', 'ephemeral_range')]
    """
    rows = []
    for key, entry in SYSTEMS.items():
        low_high = entry.ephemeral_range
        rows.append({
            "key": key,
            "name": entry.name,
            "version": entry.version,
            "msl_s": entry.msl_s,
            "time_wait_s": entry.time_wait_s,
            "ephemeral_range": "-" if low_high is None else f"{low_high[0]}-{low_high[1]}",
            "ports": entry.ephemeral_ports,
            "version_dependent": entry.version_dependent,
            "note": "; ".join(f"{_LABELS[name]} by version: {entry.version_note(name, detail=False)}"
                              for name in entry.version_dependent),
            "source": entry.sources["time_wait_s"],
        })
    return rows


_LABELS = {"msl_s": "MSL", "time_wait_s": "TIME_WAIT", "ephemeral_range": "ports"}
