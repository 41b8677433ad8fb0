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

How long ``tcp_tw_reuse`` makes ``connect()`` wait before it takes over a
TIME_WAIT 4-tuple depends on the kernel version, not on one constant:
:func:`reuse_delay_rule` returns the rule of a version (the ``tcp_tw_reuse_delay``
milliseconds since 6.14; whole seconds of the last timestamp before, (0, 1] s
from 4.19 and (1, 2] s earlier), and :attr:`LinuxConfig.reuse_rule` the rule of a
configuration.

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

from tcpmodel._validate import require_bool, require_choice, require_int, require_number

__all__ = [
    "TCP_TIMEWAIT_LEN_S",
    "TCP_PAWS_MSL_S",
    "TCP_FIN_TIMEOUT_S",
    "TW_REUSE_DELAY_SYSCTL_SINCE",
    "TW_REUSE_MONOTONIC_SINCE",
    "ReuseDelayRule",
    "reuse_delay_rule",
    "parse_kernel_version",
    "kernel_version_text",
    "TW_REUSE_WHOLE_SECONDS_UNTIL",
    "TW_SOCK_BYTES",
    "TW_SOCK_SOURCE",
    "FULL_TCP_SOCK_BYTES",
    "LINUX_SOURCES",
    "LinuxConfig",
    "ProcUnavailable",
    "default_max_tw_buckets",
    "connect_port_count",
]

#: ``include/net/tcp.h``: ``#define TCP_TIMEWAIT_LEN (60*HZ)`` (read in Linux 6.12 and 6.1; unchanged since 2.x,
#: as facts "linux_time_wait_length" says).
TCP_TIMEWAIT_LEN_S = 60.0
#: ``include/net/tcp.h``: ``TCP_PAWS_MSL 60``; also the upper bound of ``tcp_tw_reuse_delay``
#: (``net/ipv4/sysctl_net_ipv4.c``: ``tcp_tw_reuse_delay_max = TCP_PAWS_MSL * MSEC_PER_SEC``).
TCP_PAWS_MSL_S = 60.0
#: ``include/net/tcp.h``: ``#define TCP_FIN_TIMEOUT TCP_TIMEWAIT_LEN``: the *FIN_WAIT_2* default.
TCP_FIN_TIMEOUT_S = 60.0
#: First release with the ``tcp_tw_reuse_delay`` sysctl and its millisecond rule: commits
#: 19ce8cd30465 and ca6a6f93867a, listed in the "Networking for v6.14" pull request (tag
#: net-next-6.14). See :func:`reuse_delay_rule`.
TW_REUSE_DELAY_SYSCTL_SINCE = (6, 14)
#: First release of the ``time_after32(ktime_get_seconds(), tw_ts_recent_stamp)`` rule: commit
#: cca9bab1b72c "tcp: use monotonic timestamps for PAWS", committed to net-next on 2018-07-12,
#: after 4.18's merge window closed, so 4.19: *inferred* from the commit date (a 4.19 tree has
#: the new test); the release itself was not read.
TW_REUSE_MONOTONIC_SINCE = (4, 19)

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
    "TCP_TIMEWAIT_LEN": "include/net/tcp.h: #define TCP_TIMEWAIT_LEN (60*HZ) (read in Linux 6.12; 6.1 has the same line)",
    "ip_local_port_range": "Documentation/networking/ip-sysctl.rst: ip_local_port_range, "
    "'The default values are 32768 and 60999 respectively.'",
    "tcp_tw_reuse": "Documentation/networking/ip-sysctl.rst: tcp_tw_reuse 0/1/2, Default: 2; "
    "net/ipv4/tcp_ipv4.c tcp_sk_init(): sysctl_tcp_tw_reuse = 2 (6.12 and 6.18 sources). Value 2 "
    "(loopback only) came with commit 79e9fed46038 'net-tcp: extend tcp_tw_reuse sysctl to "
    "enable loopback only optimization' (committed to net-next 2018-06-04, the day the 4.18 merge "
    "window opened, so first released in Linux 4.18: inferred from the commit date, not checked "
    "against a 4.18 tree; that the default became 2 in the same commit is inferred too, from its "
    "message); before it the knob was a boolean, default 0",
    "tcp_tw_reuse_delay": "Documentation/networking/ip-sysctl.rst: tcp_tw_reuse_delay, "
    "milliseconds, Default: 1000, 'The actual reuse threshold is within [N, N+1] range'; range "
    "1..TCP_PAWS_MSL*1000 (net/ipv4/sysctl_net_ipv4.c). Added by commit ca6a6f93867a 'tcp: Add "
    "sysctl to configure TIME-WAIT reuse delay' after commit 19ce8cd30465 'tcp: Measure TIME-WAIT "
    "reuse delay with millisecond precision'; both are in the 'Networking for v6.14' pull request, "
    "so first released in Linux 6.14. Before them the wait was counted in whole seconds of the last "
    "timestamp received, so it was not a fixed 1 s: see reuse_delay_rule()",
    "tcp_timestamps": "Documentation/networking/ip-sysctl.rst: tcp_timestamps 0/1/2, default 1",
    "tcp_max_tw_buckets": "net/ipv4/tcp_ipv4.c tcp_set_hashinfo() (Linux 6.18; added by commit "
    "d1e5e6408b30 'tcp: Introduce optional per-netns ehash.', first released in 6.1: inferred from its "
    "date and from the 6.1 source; before it tcp_sk_init() set the same half of the global table): "
    "sysctl_max_tw_buckets = ehash_entries / 2, per network namespace. ehash_entries is the global "
    "established-hash size, which the kernel sizes from memory at boot (262144 on the course's "
    "Linux 6.18 machine, so 131072), unless the namespace was created while its creator's "
    "tcp_child_ehash_entries was non-zero: then it gets a table of its own, that value rounded up "
    "to a power of two, and half of that (Documentation/networking/ip-sysctl.rst: "
    "tcp_child_ehash_entries)",
    "tcp_rfc1337": "Documentation/networking/ip-sysctl.rst: tcp_rfc1337, Default: 0",
    "tcp_fin_timeout": "Documentation/networking/ip-sysctl.rst: tcp_fin_timeout is how long an "
    "orphaned connection stays in FIN_WAIT_2; it is not the TIME_WAIT duration",
    "overflow": "net/ipv4/inet_timewait_sock.c inet_twsk_alloc() returns NULL once "
    "tw_refcount - 1 >= sysctl_max_tw_buckets (the namespace's own count); "
    "net/ipv4/tcp_minisocks.c tcp_time_wait() then counts LINUX_MIB_TCPTIMEWAITOVERFLOW "
    "(TCPTimeWaitOverflow in /proc/net/netstat) and calls tcp_done(): no TIME_WAIT socket, and "
    "tcp_set_state(TCP_CLOSE) (net/ipv4/tcp.c) unhashes the socket and releases its port "
    "(inet_put_port), so the port and the 4-tuple are free at once. ip-sysctl.rst still says a "
    "warning is printed; the Linux 6.18 code prints none",
    "reuse_conditions": "net/ipv4/tcp_ipv4.c tcp_twsk_unique() (Linux 6.18): reuse needs "
    "tw_ts_recent_stamp != 0 (the old connection saw the peer's timestamps), tcp_tw_reuse "
    "enabled (2: loopback address or bound to lo) and tcp_clock_ms() after "
    "tw_entry_stamp + tcp_tw_reuse_delay. A connect() from an explicitly bound port calls it "
    "with twp == NULL and takes over the 4-tuple at once whenever tw_ts_recent_stamp != 0, "
    "whatever tcp_tw_reuse says; commit ca6a6f93867a warns that such immediate reuse 'may result "
    "in PAWS failing to detect old duplicate segments'",
    "connect_ports": "net/ipv4/inet_hashtables.c __inet_hash_connect(): remaining = high - low "
    "+ 1, rounded down to an even number (unless the socket set its own IP_LOCAL_PORT_RANGE); one "
    "connect() scans that many ports, those of low's parity from an even offset first, then the "
    "other parity, wrapping around, so with an odd-sized range it skips one port, which one "
    "depending on where the scan starts; a port already used towards another destination is "
    "accepted when __inet_check_established() finds the 4-tuple unique",
}

_PROC_DIR = "/proc/sys/net/ipv4"


def default_max_tw_buckets(ehash_entries: int, child_ehash_entries: int = 0) -> int:
    """Linux's default ``tcp_max_tw_buckets`` in a network namespace.

    ``tcp_set_hashinfo()`` in ``net/ipv4/tcp_ipv4.c`` (Linux 6.1 and later) sets it to half the
    size of the established hash (ehash) that the namespace uses:

    * ``ehash_entries``: the global table, which the kernel sizes from the machine's memory at
      boot (``dmesg``: "TCP established hash table entries"; ``tcp_ehash_entries``). The initial
      namespace always uses it, and so does every namespace created while its creator's
      ``tcp_child_ehash_entries`` was 0 (the default).
    * ``child_ehash_entries``: the creator's ``tcp_child_ehash_entries`` when the namespace was
      created. If it is not 0 the namespace gets a table of its own, that value rounded up to a
      power of two (``roundup_pow_of_two()``), and the default is half of that.

    There is no fixed default. (If the kernel cannot allocate the namespace's own table it falls
    back to the global one; this function does not model that.)

    Examples
    --------
    >>> default_max_tw_buckets(262144)
    131072
    >>> default_max_tw_buckets(262144, child_ehash_entries=1000)  # own table of 1024 entries
    512
    """
    entries = require_int("ehash_entries", ehash_entries, low=1, high=2**31)
    child = require_int("child_ehash_entries", child_ehash_entries, low=0, high=16 * 1024 * 1024)
    if child:
        entries = 1 << (child - 1).bit_length()  # roundup_pow_of_two()
    return entries // 2


def connect_port_count(low: int, high: int) -> int:
    """Ports that one Linux ``connect()`` scans when it picks its port from ``[low, high]``.

    ``__inet_hash_connect()`` takes ``high - low + 1`` and rounds it down to an even number
    (it scans two parity halves), so one ``connect()`` looks at one port fewer of an odd-sized
    range. Which port it skips depends on where its scan starts, so over many connections every
    port can still be used; the course's models take this count, which is exact for the default
    (even-sized) range and at most one port low otherwise. ``ip-sysctl.rst`` advises ends of
    different parity. (A socket with its own ``IP_LOCAL_PORT_RANGE`` is scanned port by port,
    without the rounding; this function does not model that.)

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


def parse_kernel_version(release: str) -> tuple[int, int] | None:
    """``(major, minor)`` from a kernel release string such as ``uname -r`` prints, or ``None``.

    Examples
    --------
    >>> parse_kernel_version("6.18.44-fc-v669")
    (6, 18)
    >>> parse_kernel_version("4.18.0-553.el8_10.x86_64")
    (4, 18)
    >>> parse_kernel_version("Darwin") is None
    True
    """
    parts = str(release).strip().split(".")
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    minor = "".join(ch for ch in parts[1].split("-")[0] if ch.isdigit())
    return (int(parts[0]), int(minor)) if minor else None


def _check_kernel(kernel: object) -> tuple[int, int] | None:
    if kernel is None:
        return None
    if (not isinstance(kernel, (tuple, list)) or len(kernel) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in kernel)
            or not (2 <= kernel[0] <= 99 and 0 <= kernel[1] <= 999)):
        raise ValueError(f"kernel must be a pair (major, minor) of integers such as (6, 14), or None; got {kernel!r}")
    return (kernel[0], kernel[1])


def kernel_version_text(kernel: tuple[int, int]) -> str:
    """``"6.14"`` for ``(6, 14)``.

    >>> kernel_version_text(TW_REUSE_DELAY_SYSCTL_SINCE)
    '6.14'
    """
    return f"{kernel[0]}.{kernel[1]}"


#: The last release that counts the reuse delay in whole seconds: the one before the sysctl.
TW_REUSE_WHOLE_SECONDS_UNTIL = (TW_REUSE_DELAY_SYSCTL_SINCE[0], TW_REUSE_DELAY_SYSCTL_SINCE[1] - 1)


@dataclass(frozen=True)
class ReuseDelayRule:
    """How long ``tcp_tw_reuse`` makes a kernel-chosen-port ``connect()`` wait, on a range of kernels.

    ``tcp_twsk_unique()`` (``net/ipv4/tcp_ipv4.c``) takes over a TIME_WAIT 4-tuple for such a
    ``connect()`` only after a delay. The delay has been counted three ways; build a rule with
    :func:`reuse_delay_rule`, which picks the one of a kernel version.

    Attributes
    ----------
    kernels : str
        The kernels the rule applies to, in words.
    test : str
        The condition in ``tcp_twsk_unique()``.
    clock : str
        The kernel clock the test reads: ``"tcp_clock_ms"`` (milliseconds), ``"ktime_get_seconds"``
        (CLOCK_MONOTONIC, whole seconds), ``"get_seconds"`` (wall clock, whole seconds), or
        ``"whole seconds"`` when the version, and so the clock, is unknown.
    measured_from : str
        The event the wait is counted from.
    shortest_s, longest_s : float
        The wait lies in ``(shortest_s, longest_s]`` seconds. For the whole-second rules it depends
        on where in a second of the clock the last timestamp arrived.
    mean_s : float
        The average wait, for a last timestamp at a uniformly random point of a second (the
        whole-second rules), or the middle of ``(shortest_s, longest_s]`` (the millisecond rule).
    ticks_needed : int or None
        Whole-second rules: how many new seconds of the clock must begin after the one in which the
        last timestamp arrived (``floor(now) - floor(stamp)``). ``None`` for the millisecond rule;
        ``0`` when it is unknown (version unknown).
    delay_ms : int or None
        ``tcp_tw_reuse_delay`` for the millisecond rule.
    sources : tuple of str
        Ledger keys (:mod:`tcpmodel.ledger`) of the sources that decide the rule.
    inferred : str
        How the rule's first release was inferred; empty when it was read at a source.
    """

    kernels: str
    test: str
    clock: str
    measured_from: str
    shortest_s: float
    longest_s: float
    mean_s: float
    ticks_needed: int | None
    delay_ms: int | None
    sources: tuple[str, ...]
    inferred: str = ""

    @property
    def hold_s(self) -> float:
        """The wait a rate model should use: ``tcp_tw_reuse_delay`` for the millisecond rule, else the longest wait."""
        return self.delay_ms / 1000.0 if self.delay_ms is not None else self.longest_s

    @property
    def interval(self) -> str:
        """The wait as an interval in seconds, e.g. ``"(0, 1] s"``."""
        return f"({self.shortest_s:g}, {self.longest_s:g}] s"

    def allows(self, elapsed_s: float, seconds_ticked: int | None = None) -> bool | None:
        """Whether the delay has passed ``elapsed_s`` seconds after the event it counts from.

        ``seconds_ticked`` (whole-second rules only) is ``floor(now) - floor(stamp)`` on the
        rule's clock. Without it the answer is ``None`` when ``elapsed_s`` lies inside the
        interval, where it depends on where in a second the last timestamp arrived.

        Examples
        --------
        >>> r = reuse_delay_rule((5, 15))
        >>> r.allows(0.0), r.allows(1.0), r.allows(0.4), r.allows(0.4, seconds_ticked=1)
        (False, True, None, True)
        """
        elapsed_s = require_number("elapsed_s", elapsed_s, low=0, unit="seconds")
        if self.ticks_needed is None:  # time_after32(tcp_clock_ms(), tw_entry_stamp + delay): strictly after
            return elapsed_s * 1000.0 > self.delay_ms
        if seconds_ticked is not None:
            ticks = require_int("seconds_ticked", int(seconds_ticked), low=0)
            if self.ticks_needed:
                return ticks >= self.ticks_needed
            return True if ticks >= 2 else (False if ticks == 0 else None)
        if elapsed_s >= self.longest_s:
            return True
        if elapsed_s <= self.shortest_s:
            return False
        return None


_TW_UNIQUE = "linux:net/ipv4/tcp_ipv4.c:tcp_twsk_unique"
_SECONDS_FROM = ("the last segment carrying a timestamp received from the peer (tw_ts_recent_stamp, "
                 "in whole seconds); for the side that closed first, normally the peer's FIN")


def reuse_delay_rule(kernel: tuple[int, int] | None = TW_REUSE_DELAY_SYSCTL_SINCE, delay_ms: int | None = 1000) -> ReuseDelayRule:
    """The ``tcp_tw_reuse`` delay rule of Linux ``kernel`` (``(major, minor)``).

    * **6.14 and later**: ``time_after32(tcp_clock_ms(), tw_entry_stamp + tcp_tw_reuse_delay)``:
      strictly more than ``delay_ms`` after the socket entered TIME_WAIT; ip-sysctl.rst: "The
      actual reuse threshold is within [N, N+1] range" (commits 19ce8cd30465 and ca6a6f93867a).
    * **4.19 to 6.13**: ``time_after32(ktime_get_seconds(), tw_ts_recent_stamp)``: once the
      monotonic clock's whole second has moved past the second of the last timestamp received, so
      anywhere in (0, 1] s, 0.5 s on average (commit 19ce8cd30465's message). The 4.19 boundary
      (commit cca9bab1b72c) is inferred from the commit date.
    * **before 4.19**: ``get_seconds() - tw_ts_recent_stamp > 1`` (the form read in 3.x sources):
      two wall-clock seconds must begin, so (1, 2] s.

    ``kernel=None`` means "version unknown": with ``delay_ms`` the sysctl exists (6.14 and later,
    or a kernel it was backported to), so the millisecond rule; with ``delay_ms=None`` a kernel
    before 6.14 of unknown version, whose wait is somewhere in (0, 2] s. ``delay_ms`` is ignored
    before 6.14, which has no such sysctl.

    Examples
    --------
    >>> reuse_delay_rule((6, 18)).interval, reuse_delay_rule((6, 18)).hold_s
    ('(1, 1.001] s', 1.0)
    >>> r = reuse_delay_rule((5, 15))
    >>> r.interval, r.mean_s, r.clock
    ('(0, 1] s', 0.5, 'ktime_get_seconds')
    >>> reuse_delay_rule((4, 14)).interval
    '(1, 2] s'
    >>> reuse_delay_rule(None, None).interval
    '(0, 2] s'
    >>> reuse_delay_rule((6, 14), None)
    Traceback (most recent call last):
    ...
    ValueError: delay_ms must be an integer in [1, 60000] (ms) on Linux 6.14 and later, which have tcp_tw_reuse_delay; got None
    """
    kernel = _check_kernel(kernel)
    if kernel is None or kernel >= TW_REUSE_DELAY_SYSCTL_SINCE:
        if delay_ms is None and kernel is not None:
            raise ValueError("delay_ms must be an integer in [1, 60000] (ms) on Linux 6.14 and later, "
                             "which have tcp_tw_reuse_delay; got None")
        if delay_ms is not None:
            delay_ms = require_int("delay_ms", delay_ms, low=1, high=int(TCP_PAWS_MSL_S * 1000), unit="ms")
            return ReuseDelayRule(
                kernels=f"{kernel_version_text(TW_REUSE_DELAY_SYSCTL_SINCE)} and later (the tcp_tw_reuse_delay sysctl)",
                test="time_after32(tcp_clock_ms(), tw_entry_stamp + tcp_tw_reuse_delay)",
                clock="tcp_clock_ms",
                measured_from="the socket's entry into TIME_WAIT (tw_entry_stamp, in ms)",
                shortest_s=delay_ms / 1000.0, longest_s=(delay_ms + 1) / 1000.0, mean_s=(delay_ms + 0.5) / 1000.0,
                ticks_needed=None, delay_ms=delay_ms,
                sources=(_TW_UNIQUE, "linux:Documentation/networking/ip-sysctl.rst:tcp_tw_reuse_delay",
                         "commit:19ce8cd30465", "commit:ca6a6f93867a"),
            )
        return ReuseDelayRule(
            kernels=f"before {kernel_version_text(TW_REUSE_DELAY_SYSCTL_SINCE)}, version unknown",
            test="time_after32(ktime_get_seconds(), tw_ts_recent_stamp) from 4.19, get_seconds() - tw_ts_recent_stamp > 1 before",
            clock="whole seconds", measured_from=_SECONDS_FROM,
            shortest_s=0.0, longest_s=2.0, mean_s=1.0, ticks_needed=0, delay_ms=None,
            sources=(_TW_UNIQUE, "commit:19ce8cd30465", "commit:cca9bab1b72c"),
            inferred="the version decides between (0, 1] s and (1, 2] s",
        )
    if kernel >= TW_REUSE_MONOTONIC_SINCE:
        return ReuseDelayRule(
            kernels=f"{kernel_version_text(TW_REUSE_MONOTONIC_SINCE)} to {kernel_version_text(TW_REUSE_WHOLE_SECONDS_UNTIL)}",
            test="time_after32(ktime_get_seconds(), tw_ts_recent_stamp)",
            clock="ktime_get_seconds", measured_from=_SECONDS_FROM,
            shortest_s=0.0, longest_s=1.0, mean_s=0.5, ticks_needed=1, delay_ms=None,
            sources=(_TW_UNIQUE, "commit:19ce8cd30465", "commit:cca9bab1b72c"),
            inferred="first release 4.19 inferred from commit cca9bab1b72c's date (2018-07-12, net-next)",
        )
    return ReuseDelayRule(
        kernels=f"before {kernel_version_text(TW_REUSE_MONOTONIC_SINCE)}",
        test="get_seconds() - tw_ts_recent_stamp > 1",
        clock="get_seconds", measured_from=_SECONDS_FROM,
        shortest_s=1.0, longest_s=2.0, mean_s=1.5, ticks_needed=2, delay_ms=None,
        sources=(_TW_UNIQUE, "commit:cca9bab1b72c"),
        inferred="last release 4.18 inferred from commit cca9bab1b72c's date (2018-07-12, net-next)",
    )


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
    tcp_tw_reuse_delay : int or None
        Milliseconds a TIME_WAIT socket must have existed before reuse; default 1000. The sysctl
        exists since Linux 6.14 (commits 19ce8cd30465 and ca6a6f93867a). ``None`` for a kernel
        without it, which counts the wait in whole seconds of the last timestamp received instead,
        (0, 1] s from 4.19 and (1, 2] s before: :attr:`reuse_rule` and :func:`reuse_delay_rule`.
    tcp_timestamps : {0, 1, 2}
        RFC 7323 timestamps; default 1. Reuse needs them on both ends.
    tcp_max_tw_buckets : int or None
        Cap on TIME_WAIT sockets. Linux's default is half the established-hash size, which the
        kernel sizes from memory at boot, so it has no fixed value: the default here is computed
        from this machine's ``tcp_ehash_entries`` (131072 on the 24 GB Linux 6.18 machine that
        built the course), or ``None`` (unknown: no cap modelled) where that cannot be read.
    tcp_rfc1337 : {0, 1}
        1 ignores RSTs in TIME_WAIT (RFC 1337's fix); default 0.
    kernel : (int, int) or None
        The kernel version ``(major, minor)``; ``None`` if unknown. It decides the reuse delay
        rule only when ``tcp_tw_reuse_delay`` is ``None`` (a kernel before 6.14).
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
    >>> old = LinuxConfig(tcp_tw_reuse=1, tcp_tw_reuse_delay=None, kernel=(5, 15))
    >>> old.reuse_rule.interval, old.effective_hold_s(loopback=False)
    ('(0, 1] s', 1.0)
    """

    ip_local_port_range: tuple[int, int] = (32768, 60999)
    tcp_tw_reuse: int = 2
    tcp_tw_reuse_delay: int = 1000
    tcp_timestamps: int = 1
    tcp_max_tw_buckets: int | None = field(default_factory=_kernel_default_max_tw_buckets)
    tcp_rfc1337: int = 0
    kernel: tuple[int, int] | None = None
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
        object.__setattr__(self, "kernel", _check_kernel(self.kernel))
        if self.tcp_tw_reuse_delay is not None:
            require_int("tcp_tw_reuse_delay", self.tcp_tw_reuse_delay, low=1, high=int(TCP_PAWS_MSL_S * 1000), unit="ms")
        elif self.kernel is not None and self.kernel >= TW_REUSE_DELAY_SYSCTL_SINCE:
            raise ValueError(f"tcp_tw_reuse_delay must be an integer in [1, 60000] (ms) on Linux "
                             f"{kernel_version_text(self.kernel)}, which has that sysctl; got None")
        require_choice("tcp_timestamps", self.tcp_timestamps, (0, 1, 2))
        if self.tcp_max_tw_buckets is not None:
            require_int("tcp_max_tw_buckets", self.tcp_max_tw_buckets, low=0, high=2**31 - 1)
        require_choice("tcp_rfc1337", self.tcp_rfc1337, (0, 1))

    @property
    def ports(self) -> int:
        """Ports one ``connect()`` scans in ``ip_local_port_range`` (see :func:`connect_port_count`)."""
        return connect_port_count(*self.ip_local_port_range)

    @property
    def reuse_rule(self) -> ReuseDelayRule:
        """The ``tcp_tw_reuse`` delay rule these settings imply (:func:`reuse_delay_rule`).

        With ``tcp_tw_reuse_delay`` set, the millisecond rule (the sysctl exists); without it, the
        whole-second rule of :attr:`kernel`.
        """
        if self.tcp_tw_reuse_delay is not None:
            return reuse_delay_rule(None, self.tcp_tw_reuse_delay)
        return reuse_delay_rule(self.kernel, None)

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
        """Seconds a closed 4-tuple stays unusable for a new kernel-chosen-port ``connect()``.

        When reuse applies, the reuse delay (:attr:`ReuseDelayRule.hold_s`: ``tcp_tw_reuse_delay``
        on 6.14 and later, the longest whole-second wait before); else the whole TIME_WAIT.
        """
        if self.reuse_applies(loopback=loopback, peer_timestamps=peer_timestamps):
            return min(float(time_wait_s), self.reuse_rule.hold_s)
        return float(time_wait_s)

    @classmethod
    def from_proc(cls, root: str | Path = _PROC_DIR) -> LinuxConfig:
        """Read the running kernel's values from ``/proc/sys/net/ipv4``.

        ``kernel`` is read from ``kernel/osrelease`` beside ``net/ipv4`` (``/proc/sys/kernel/osrelease``),
        ``None`` if absent. A kernel without ``tcp_tw_reuse_delay`` (before 6.14) gets
        ``tcp_tw_reuse_delay=None``, so that :attr:`reuse_rule` is that kernel's whole-second rule
        (:func:`reuse_delay_rule`), and ``source`` says so. Another missing sysctl takes Linux's default.

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
        >>> cfg = LinuxConfig.from_proc(d)
        >>> cfg.ip_local_port_range, cfg.tcp_tw_reuse_delay, cfg.reuse_rule.interval
        ((1024, 65535), None, '(0, 2] s')
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
        try:
            release = (base.parent.parent / "kernel" / "osrelease").read_text(encoding="ascii")
        except OSError:
            release = ""
        values["kernel"] = parse_kernel_version(release)
        for name in ("tcp_tw_reuse", "tcp_tw_reuse_delay", "tcp_timestamps", "tcp_max_tw_buckets", "tcp_rfc1337"):
            text = read(name)
            if text is None:
                if name == "tcp_tw_reuse_delay":
                    values[name] = None  # the kernel has no such sysctl: its whole-second rule applies
                    rule = reuse_delay_rule(values["kernel"], None) if (values["kernel"] or (0, 0)) < TW_REUSE_DELAY_SYSCTL_SINCE else None
                    notes.append("tcp_tw_reuse_delay absent (a kernel before 6.14): reuse waits "
                                 + (f"{rule.interval} ({rule.kernels})" if rule else "by its version's rule"))
                    continue
                notes.append(f"{name} absent (older kernel): using the default")
                if name == "tcp_max_tw_buckets":
                    values[name] = None  # not this machine's: the directory read is another kernel's
                continue
            values[name] = int(text)
        if values["tcp_tw_reuse_delay"] is None and values["kernel"] and values["kernel"] >= TW_REUSE_DELAY_SYSCTL_SINCE:
            values["kernel"] = None  # a 6.14+ release without the sysctl: trust the sysctl, not the number
        label = f"read from {base} (running kernel)"
        if notes:
            label += "; " + "; ".join(notes)
        return cls(**values, source=label)

    def replace(self, **changes) -> LinuxConfig:
        """A copy with some values changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)
