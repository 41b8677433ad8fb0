"""Linux's TIME_WAIT constants and the sysctls that change its cost.

Theory of operation
-------------------
Linux has no MSL setting. A socket that closes first stays in TIME_WAIT for
the compile-time constant ``TCP_TIMEWAIT_LEN`` = 60 s (``include/net/tcp.h``;
``tcp_time_wait()`` in ``net/ipv4/tcp_minisocks.c`` sets ``timeo =
TCP_TIMEWAIT_LEN`` when ``state == TCP_TIME_WAIT``). ``tcp_fin_timeout`` is
the FIN_WAIT_2 timeout of orphaned sockets, not the TIME_WAIT duration
(``Documentation/networking/ip-sysctl.rst``).

The knobs that change how many connections per second a host can open are
collected in :class:`LinuxConfig`, with the kernel's defaults. Every default
names the source it was checked against (Linux 6.18 source and
``ip-sysctl.rst``; and a Linux 6.18.44 x86_64 machine's ``/proc``).
:meth:`LinuxConfig.from_proc` reads the running kernel's values.

Examples
--------
>>> cfg = LinuxConfig()
>>> cfg.ip_local_port_range, cfg.tcp_tw_reuse, cfg.tcp_tw_reuse_delay
((32768, 60999), 2, 1000)
>>> cfg.reuse_applies(loopback=False), cfg.reuse_applies(loopback=True)
(False, True)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from tcpmodel._validate import require_bool, require_choice, require_int

__all__ = [
    "TCP_TIMEWAIT_LEN_S",
    "TCP_PAWS_MSL_S",
    "TCP_FIN_TIMEOUT_S",
    "TW_REUSE_FIXED_DELAY_S",
    "TW_SOCK_BYTES",
    "TW_SOCK_SOURCE",
    "FULL_TCP_SOCK_BYTES",
    "LINUX_SOURCES",
    "LinuxConfig",
    "ProcUnavailable",
    "default_max_tw_buckets",
    "connect_port_count",
]

#: ``include/net/tcp.h``: ``#define TCP_TIMEWAIT_LEN (60*HZ)`` (Linux 6.18; unchanged since 2.x).
TCP_TIMEWAIT_LEN_S = 60.0
#: ``include/net/tcp.h``: ``TCP_PAWS_MSL 60``; also the upper bound of ``tcp_tw_reuse_delay``
#: (``net/ipv4/sysctl_net_ipv4.c``: ``tcp_tw_reuse_delay_max = TCP_PAWS_MSL * MSEC_PER_SEC``).
TCP_PAWS_MSL_S = 60.0
#: ``include/net/tcp.h``: ``#define TCP_FIN_TIMEOUT TCP_TIMEWAIT_LEN``: the *FIN_WAIT_2* default.
TCP_FIN_TIMEOUT_S = 60.0
#: Before ``tcp_tw_reuse_delay`` existed, ``tcp_twsk_unique()`` (``net/ipv4/tcp_ipv4.c``)
#: allowed reuse once ``ktime_get_seconds()`` had passed the last timestamp's second: a fixed
#: 1 s with one-second granularity.
TW_REUSE_FIXED_DELAY_S = 1.0

#: Bytes per TIME_WAIT socket: the ``tw_sock_TCP`` slab's object size, read from
#: ``/proc/slabinfo`` on Linux 6.18.44 x86_64 (``objsize`` 256; ``object_size`` 248 in
#: ``/sys/kernel/slab/tw_sock_TCP``). It is ``struct tcp_timewait_sock`` (a minisock, not a
#: full socket) and varies with kernel version, architecture and config.
TW_SOCK_BYTES = 256
TW_SOCK_SOURCE = (
    "/proc/slabinfo tw_sock_TCP objsize on Linux 6.18.44 x86_64 (object_size 248 in "
    "/sys/kernel/slab/tw_sock_TCP); struct tcp_timewait_sock, include/linux/tcp.h; "
    "varies by kernel version, architecture and config"
)
#: A full TCP socket on the same machine (``TCP`` slab objsize), for comparison.
FULL_TCP_SOCK_BYTES = 2368

LINUX_SOURCES = {
    "TCP_TIMEWAIT_LEN": "include/net/tcp.h: #define TCP_TIMEWAIT_LEN (60*HZ) (Linux 6.18)",
    "ip_local_port_range": "Documentation/networking/ip-sysctl.rst: ip_local_port_range, "
    "'The default values are 32768 and 60999 respectively.'",
    "tcp_tw_reuse": "Documentation/networking/ip-sysctl.rst: tcp_tw_reuse 0/1/2, Default: 2; "
    "net/ipv4/tcp_ipv4.c tcp_sk_init(): sysctl_tcp_tw_reuse = 2. Value 2 (loopback only) and "
    "the default 2 came with commit 79e9fed46038 'net-tcp: extend tcp_tw_reuse sysctl to "
    "enable loopback only optimization' (committed to net-next 2018-06-04, the day the 4.18 merge window opened, so first released in Linux 4.18: inferred from the commit date, not checked against a 4.18 tree); "
    "before it the knob was a boolean, default 0",
    "tcp_tw_reuse_delay": "Documentation/networking/ip-sysctl.rst: tcp_tw_reuse_delay, "
    "milliseconds, Default: 1000, range 1..TCP_PAWS_MSL*1000 (net/ipv4/sysctl_net_ipv4.c); "
    "added by Jakub Sitnicki's series 'tcp: Make TIME-WAIT reuse delay deterministic and "
    "configurable' (net-next, December 2024, so first released in Linux 6.14: inferred from the commit date of its companion patch 'tcp: Measure TIME-WAIT reuse delay with millisecond precision', 2024-12-11). Before it the "
    "delay was a fixed 1 s in tcp_twsk_unique()",
    "tcp_timestamps": "Documentation/networking/ip-sysctl.rst: tcp_timestamps 0/1/2, default 1",
    "tcp_max_tw_buckets": "net/ipv4/tcp_ipv4.c tcp_sk_init(): sysctl_max_tw_buckets = "
    "(ehash_mask + 1) / 2, i.e. half the established-hash size, which the kernel sizes from "
    "memory at boot (131072 on a 24 GB Linux 6.18 machine with 262144 ehash entries)",
    "tcp_rfc1337": "Documentation/networking/ip-sysctl.rst: tcp_rfc1337, Default: 0",
    "tcp_fin_timeout": "Documentation/networking/ip-sysctl.rst: tcp_fin_timeout is how long an "
    "orphaned connection stays in FIN_WAIT_2; it is not the TIME_WAIT duration",
    "overflow": "net/ipv4/inet_timewait_sock.c inet_twsk_alloc() returns NULL once "
    "tw_refcount - 1 >= sysctl_max_tw_buckets; net/ipv4/tcp_minisocks.c tcp_time_wait() then "
    "counts LINUX_MIB_TCPTIMEWAITOVERFLOW (TCPTimeWaitOverflow in /proc/net/netstat) and "
    "closes the socket with tcp_done(): no TIME_WAIT. Older kernels also logged "
    "'TCP: time wait bucket table overflow'",
    "reuse_conditions": "net/ipv4/tcp_ipv4.c tcp_twsk_unique() (Linux 6.18): reuse needs "
    "tw_ts_recent_stamp != 0 (the old connection saw the peer's timestamps), tcp_tw_reuse "
    "enabled (2: loopback address or bound to lo) and tcp_clock_ms() after "
    "tw_entry_stamp + tcp_tw_reuse_delay. A connect() from an explicitly bound port calls it "
    "with twp == NULL and takes over the 4-tuple at once whenever tw_ts_recent_stamp != 0, "
    "whatever tcp_tw_reuse says",
    "connect_ports": "net/ipv4/inet_hashtables.c __inet_hash_connect(): remaining = high - low "
    "+ 1, rounded down to an even number; the scan tries ports of low's parity first, then the "
    "other parity; a port already used towards another destination is accepted when "
    "__inet_check_established() finds the 4-tuple unique",
}

_PROC_DIR = "/proc/sys/net/ipv4"


def default_max_tw_buckets(ehash_entries: int) -> int:
    """Linux's default ``tcp_max_tw_buckets`` for an established-hash of ``ehash_entries``.

    ``tcp_sk_init()`` in ``net/ipv4/tcp_ipv4.c`` sets it to half the ehash size, which the
    kernel chooses from the machine's memory at boot (``dmesg``: "TCP established hash table
    entries"). There is no fixed default.

    Examples
    --------
    >>> default_max_tw_buckets(262144)
    131072
    """
    entries = require_int("ehash_entries", ehash_entries, low=1, high=2**31)
    return entries // 2


def connect_port_count(low: int, high: int) -> int:
    """Ports that Linux's ``connect()`` auto-binding can pick from ``[low, high]``.

    ``__inet_hash_connect()`` takes ``high - low + 1`` and rounds it down to an even number
    (it scans two parity halves), so an odd-sized range loses one port. This is why
    ``ip-sysctl.rst`` advises ends of different parity.

    Examples
    --------
    >>> connect_port_count(32768, 60999)
    28232
    >>> connect_port_count(32768, 60998)
    28230
    """
    low = require_int("low", low, low=1, high=65535)
    high = require_int("high", high, low=1, high=65535)
    if high < low:
        raise ValueError(f"high must be an integer in [{low}, 65535] (at least low); got {high}")
    remaining = high - low + 1
    return remaining & ~1 if remaining > 1 else remaining


def _kernel_default_max_tw_buckets() -> int | None:
    """This machine's default ``tcp_max_tw_buckets``: half its TCP ehash size, if readable.

    ``/proc/sys/net/ipv4/tcp_ehash_entries`` (Linux 6.1+) shows the established-hash size; a
    negative value means the namespace shares the initial one's table (ip-sysctl.rst), whose size
    it shows. ``None`` when it cannot be read (another OS, an older kernel, no /proc).
    """
    try:
        entries = abs(int(Path(_PROC_DIR, "tcp_ehash_entries").read_text(encoding="ascii").split()[0]))
    except (OSError, ValueError, IndexError):
        return None
    return entries // 2 if entries > 1 else None


class ProcUnavailable(RuntimeError):
    """``/proc/sys/net/ipv4`` could not be read (not Linux, no /proc, or no permission)."""


@dataclass(frozen=True)
class LinuxConfig:
    """The Linux sysctls that decide what TIME_WAIT costs, with the kernel's defaults.

    Parameters
    ----------
    ip_local_port_range : tuple of int
        ``net.ipv4.ip_local_port_range``; default ``(32768, 60999)`` (ip-sysctl.rst).
    tcp_tw_reuse : {0, 1, 2}
        0 off, 1 on, 2 loopback only (the default since Linux 4.18, inferred from the commit date).
    tcp_tw_reuse_delay : int
        Milliseconds a TIME_WAIT socket must have existed before reuse; default 1000
        (sysctl since Linux 6.14, inferred from the commit date; earlier kernels behave as a fixed 1000).
    tcp_timestamps : {0, 1, 2}
        RFC 7323 timestamps; default 1. Reuse needs them on both ends.
    tcp_max_tw_buckets : int or None
        Cap on TIME_WAIT sockets. Linux's default is half the established-hash size, which the
        kernel sizes from memory at boot, so it has no fixed value: the default here is computed
        from this machine's ``tcp_ehash_entries`` (131072 on the 24 GB Linux 6.18 machine that
        built the course), or ``None`` (unknown: no cap modelled) where that cannot be read.
    tcp_rfc1337 : {0, 1}
        1 ignores RSTs in TIME_WAIT (RFC 1337's fix); default 0.
    source : str
        Where the values came from.

    Examples
    --------
    >>> LinuxConfig(tcp_tw_reuse=3)
    Traceback (most recent call last):
    ...
    ValueError: tcp_tw_reuse must be one of 0, 1, 2; got 3
    >>> LinuxConfig(tcp_tw_reuse=1).effective_hold_s(loopback=False)
    1.0
    >>> LinuxConfig().effective_hold_s(loopback=False)
    60.0
    """

    ip_local_port_range: tuple[int, int] = (32768, 60999)
    tcp_tw_reuse: int = 2
    tcp_tw_reuse_delay: int = 1000
    tcp_timestamps: int = 1
    tcp_max_tw_buckets: int | None = field(default_factory=_kernel_default_max_tw_buckets)
    tcp_rfc1337: int = 0
    source: str = field(default="Linux defaults (ip-sysctl.rst, Linux 6.18); tcp_max_tw_buckets from this "
                        "machine's ehash size", compare=False)

    def __post_init__(self) -> None:
        rng = self.ip_local_port_range
        if not isinstance(rng, (tuple, list)) or len(rng) != 2:
            raise ValueError(f"ip_local_port_range must be a pair (low, high) of integers in [1, 65535]; got {rng!r}")
        low = require_int("ip_local_port_range low", rng[0], low=1, high=65535)
        high = require_int("ip_local_port_range high", rng[1], low=1, high=65535)
        if high < low:
            raise ValueError(f"ip_local_port_range high must be an integer in [{low}, 65535] (at least low); got {high}")
        object.__setattr__(self, "ip_local_port_range", (low, high))
        require_choice("tcp_tw_reuse", self.tcp_tw_reuse, (0, 1, 2))
        require_int("tcp_tw_reuse_delay", self.tcp_tw_reuse_delay, low=1, high=int(TCP_PAWS_MSL_S * 1000), unit="ms")
        require_choice("tcp_timestamps", self.tcp_timestamps, (0, 1, 2))
        if self.tcp_max_tw_buckets is not None:
            require_int("tcp_max_tw_buckets", self.tcp_max_tw_buckets, low=0, high=2**31 - 1)
        require_choice("tcp_rfc1337", self.tcp_rfc1337, (0, 1))

    @property
    def ports(self) -> int:
        """Ports ``connect()`` can auto-bind from ``ip_local_port_range`` (see :func:`connect_port_count`)."""
        return connect_port_count(*self.ip_local_port_range)

    def reuse_applies(self, *, loopback: bool = False, peer_timestamps: bool = True) -> bool:
        """Whether ``connect()`` may reuse a 4-tuple still in TIME_WAIT (``tcp_twsk_unique()``).

        It needs ``tcp_tw_reuse`` 1 (or 2 on loopback), timestamps on this host and seen from
        the peer (``tw_ts_recent_stamp != 0``).
        """
        require_bool("loopback", loopback)
        require_bool("peer_timestamps", peer_timestamps)
        if self.tcp_timestamps == 0 or not peer_timestamps:
            return False
        return self.tcp_tw_reuse == 1 or (self.tcp_tw_reuse == 2 and loopback)

    def effective_hold_s(self, *, time_wait_s: float = TCP_TIMEWAIT_LEN_S, loopback: bool = False,
                         peer_timestamps: bool = True) -> float:
        """Seconds a closed 4-tuple stays unusable for a new ``connect()``.

        ``tcp_tw_reuse_delay`` (ms) when reuse applies, else the whole TIME_WAIT.
        """
        if self.reuse_applies(loopback=loopback, peer_timestamps=peer_timestamps):
            return min(float(time_wait_s), self.tcp_tw_reuse_delay / 1000.0)
        return float(time_wait_s)

    @classmethod
    def from_proc(cls, root: str | Path = _PROC_DIR) -> LinuxConfig:
        """Read the running kernel's values from ``/proc/sys/net/ipv4``.

        A sysctl missing from an older kernel (``tcp_tw_reuse_delay`` before 6.14) takes the
        behaviour that kernel had (a fixed 1000 ms), and ``source`` says so.

        Raises
        ------
        ProcUnavailable
            If the directory or ``ip_local_port_range`` cannot be read (not Linux, /proc not
            mounted, or a sandbox). The message names the path and says to use
            ``LinuxConfig()`` for the defaults instead.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "ip_local_port_range").write_text("1024 65535")
        >>> LinuxConfig.from_proc(d).ip_local_port_range
        (1024, 65535)
        >>> LinuxConfig.from_proc(d / "missing")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        tcpmodel.linux.ProcUnavailable: cannot read .../missing/ip_local_port_range: no such file (not Linux, or /proc is not mounted); use LinuxConfig() for Linux's defaults
        """
        base = Path(root)
        notes = []

        def read(name: str) -> str | None:
            try:
                return (base / name).read_text(encoding="ascii").strip()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise ProcUnavailable(f"cannot read {base / name}: {exc.strerror or exc}; "
                                      "use LinuxConfig() for Linux's defaults") from exc

        try:
            port_range = read("ip_local_port_range")
        except ProcUnavailable:
            raise
        if port_range is None:
            raise ProcUnavailable(
                f"cannot read {base / 'ip_local_port_range'}: no such file (not Linux, or /proc is not "
                "mounted); use LinuxConfig() for Linux's defaults"
            )
        values: dict = {"ip_local_port_range": tuple(int(x) for x in port_range.split())}
        for name in ("tcp_tw_reuse", "tcp_tw_reuse_delay", "tcp_timestamps", "tcp_max_tw_buckets", "tcp_rfc1337"):
            text = read(name)
            if text is None:
                notes.append(f"{name} absent (older kernel): using the default")
                if name == "tcp_max_tw_buckets":
                    values[name] = None  # not this machine's: the directory read is another kernel's
                continue
            values[name] = int(text)
        label = f"read from {base} (running kernel)"
        if notes:
            label += "; " + "; ".join(notes)
        return cls(**values, source=label)

    def replace(self, **changes) -> LinuxConfig:
        """A copy with some values changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)
