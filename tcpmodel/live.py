"""Live labs: small, safe experiments on this machine's kernel, beside the model.

This is the only module of :mod:`tcpmodel` that opens real sockets. Every
experiment

* uses loopback only (``127.0.0.1`` or ``::1``) and ports the kernel picks;
* has its own time limit (default 2 s) and never waits out a 60 s timer: it
  reads the timer from ``/proc/net/tcp`` instead;
* closes every socket in ``finally``, even when it fails;
* needs no root and changes no sysctl;
* returns a :class:`Result`: the ``outcome`` it observed, the ``prediction``
  of :mod:`tcpmodel.socket_rules` for this kernel's settings (read from
  ``/proc/sys/net/ipv4`` through ``LinuxConfig.from_proc()``), the raw
  ``observed`` values and an ``explanation`` with its source.

Where :func:`available` is ``False`` (not Linux, a browser kernel, sockets or
``/proc`` not allowed) the notebooks show :func:`stored_run` instead, a run
recorded on a real Linux machine and labelled with its kernel and date.

psutil is imported only by :func:`socket_table` when ``with_pid=True``.

Examples
--------
>>> ok, reason = available()
>>> isinstance(ok, bool) and isinstance(reason, str)
True
>>> run = stored_run()
>>> run["kernel"].startswith("6.")
True
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno as _errno
import json
import os
import platform
import socket
import struct
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from tcpmodel import socket_rules as rules
from tcpmodel._validate import require_bool, require_choice, require_int, require_number

__all__ = [
    "available",
    "SocketRow",
    "socket_table",
    "count_states",
    "format_table",
    "ss_text",
    "kernel_settings",
    "Result",
    "who_waits",
    "server_restart",
    "abortive_close",
    "rebind_client_port",
    "time_wait_remaining",
    "reuse_time_wait_port",
    "syn_to_time_wait",
    "run_all",
    "compare",
    "record_run",
    "stored_run",
    "stored_results",
    "describe_run",
    "parse_proc_net_tcp",
    "linux_state_name",
    "stored_root_lab",
    "format_root_lab",
    "format_root_lab_tw_buckets",
    "format_root_lab_syn_to_time_wait",
    "format_root_lab_restart_networking",
]

#: include/net/tcp_states.h: the numbers /proc/net/tcp prints in its "st" column.
TCP_STATES = {
    1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
    6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
    11: "CLOSING", 12: "NEW_SYN_RECV",
}
#: Documentation/networking/proc_net_tcp.rst: the "tr" (timer) column.
TIMERS = {0: None, 1: "retransmit", 2: "keepalive", 3: "timewait", 4: "zero-window-probe"}

_LOOPBACK = {"ipv4": "127.0.0.1", "ipv6": "::1"}
_FAMILY = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}
_PROC_FILES = {"ipv4": "/proc/net/tcp", "ipv6": "/proc/net/tcp6"}
#: include/uapi/linux/in.h: IP_LOCAL_PORT_RANGE (a per-socket ephemeral range).
_IP_LOCAL_PORT_RANGE = 51
DEFAULT_TIME_LIMIT_S = 2.0


# --------------------------------------------------------------------------
# Can we run here?
# --------------------------------------------------------------------------


def available() -> tuple[bool, str]:
    """Whether the live labs can run here, and why not if they cannot.

    Returns
    -------
    (bool, str)
        ``(True, "…")`` on a Linux kernel that lets this process open
        loopback TCP sockets and read ``/proc/net/tcp``; otherwise ``False``
        and a reason a student can act on.

    Examples
    --------
    >>> ok, reason = available()
    >>> reason != ""
    True
    """
    if sys.platform == "emscripten" or "pyodide" in sys.modules:
        return False, "this notebook runs inside your web browser (Pyodide), which cannot open real TCP sockets; the stored run below was recorded on Linux."
    if not sys.platform.startswith("linux"):
        return False, f"the live labs read Linux's /proc/net/tcp and test Linux's rules, and this machine runs {platform.system() or sys.platform}; the stored run below was recorded on Linux."
    try:
        with open(_PROC_FILES["ipv4"], encoding="ascii") as f:
            f.readline()
    except OSError as exc:
        return False, f"this environment does not let Python read /proc/net/tcp ({_errno.errorcode.get(exc.errno, exc.errno)}), so TIME_WAIT sockets cannot be observed; the stored run below was recorded on Linux."
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
    except OSError as exc:
        return False, f"this environment does not allow TCP sockets on loopback ({_errno.errorcode.get(exc.errno, exc.errno)}); the stored run below was recorded on Linux."
    return True, f"Linux {platform.release()}: loopback sockets and /proc/net/tcp are available."


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return os.path.exists(_PROC_FILES["ipv6"])
    except OSError:
        return False


# --------------------------------------------------------------------------
# The socket table
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SocketRow:
    """One TCP socket as the kernel lists it in ``/proc/net/tcp`` or ``tcp6``.

    ``timer_seconds`` is the time left on its pending timer (``None`` when no
    timer runs); for a TIME_WAIT socket that is the time until it disappears.
    """

    family: str
    local: tuple[str, int]
    remote: tuple[str, int]
    state: str
    timer: str | None
    timer_seconds: float | None
    uid: int
    inode: int
    pid: int | None = None

    # psutil-style names (``conn.laddr``, ``conn.raddr``, ``conn.status``) and a plain one for the timer.
    @property
    def laddr(self) -> tuple[str, int]:
        return self.local

    @property
    def raddr(self) -> tuple[str, int]:
        return self.remote

    @property
    def status(self) -> str:
        return self.state

    @property
    def seconds_left(self) -> float | None:
        return self.timer_seconds

    def __getitem__(self, key: str) -> Any:
        """Mapping access, ``row["state"]``, for code that treats rows as dicts."""
        if key in self.__dataclass_fields__ or key in ("laddr", "raddr", "status", "seconds_left"):
            return getattr(self, key)
        raise KeyError(key)


def _decode_address(text: str, family: str) -> tuple[str, int]:
    address, port = text.split(":")
    # The kernel prints each 32-bit word of the address as a host-order integer.
    words = [int(address[i : i + 8], 16) for i in range(0, len(address), 8)]
    raw = b"".join(struct.pack("=I", w) for w in words)
    return socket.inet_ntop(_FAMILY[family], raw), int(port, 16)


def _clock_ticks() -> int:
    # /proc/net/tcp converts timers with jiffies_delta_to_clock_t: USER_HZ ticks.
    return int(os.sysconf("SC_CLK_TCK"))


def _parse_proc(family: str, text: str, ticks: int) -> list[SocketRow]:
    rows = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        timer_code, when = fields[5].split(":")
        timer = TIMERS.get(int(timer_code, 16), f"timer {timer_code}")
        rows.append(
            SocketRow(
                family=family,
                local=_decode_address(fields[1], family),
                remote=_decode_address(fields[2], family),
                state=TCP_STATES.get(int(fields[3], 16), fields[3]),
                timer=timer,
                timer_seconds=None if timer is None else int(when, 16) / ticks,
                uid=int(fields[7]),
                inode=int(fields[9]),
            )
        )
    return rows


def parse_proc_net_tcp(text: str, family: str = "ipv4", ticks_per_s: int = 100) -> list[SocketRow]:
    r"""Parse the text of ``/proc/net/tcp`` (or ``tcp6``) into rows.

    The ``tr`` column is the timer type (3 = TIME_WAIT) and ``tm->when`` the
    time left on it, in hexadecimal clock ticks of ``USER_HZ`` (``sysconf
    (_SC_CLK_TCK)``, 100 on Linux), converted by ``jiffies_delta_to_clock_t``
    in ``net/ipv4/tcp_ipv4.c: get_timewait4_sock``.

    Examples
    --------
    >>> text = "header\n 3: 0100007F:C62E 0100007F:D683 06 00000000:00000000 03:0000176A 00000000 0 0 0 3 0\n"
    >>> row = parse_proc_net_tcp(text)[0]
    >>> row.state, row.timer, row.timer_seconds
    ('TIME_WAIT', 'timewait', 59.94)
    """
    require_choice("family", family, tuple(_FAMILY))
    require_int("ticks_per_s", ticks_per_s, low=1, high=100_000)
    return _parse_proc(family, text, ticks_per_s)


#: RFC 9293 state names → the names Linux prints (include/net/tcp_states.h, ss, /proc).
_RFC_TO_LINUX = {"FIN_WAIT_1": "FIN_WAIT1", "FIN_WAIT_2": "FIN_WAIT2", "SYN_RECEIVED": "SYN_RECV", "CLOSED": "CLOSE"}


def linux_state_name(state: Any) -> str:
    """The name Linux's ``/proc/net/tcp`` decoding uses for an RFC 9293 state.

    Examples
    --------
    >>> from tcpmodel.states import State
    >>> linux_state_name(State.FIN_WAIT_1), linux_state_name(State.TIME_WAIT)
    ('FIN_WAIT1', 'TIME_WAIT')
    """
    name = getattr(state, "name", str(state)).replace("-", "_")
    return _RFC_TO_LINUX.get(name, name)


def socket_table(port: int | None = None, *, family: str | None = None, with_pid: bool = False) -> list[SocketRow]:
    """One row per TCP socket of this network namespace (IPv4 and IPv6).

    psutil's ``net_connections`` gives addresses and states but no timers, so
    the rows come from ``/proc/net/tcp`` and ``/proc/net/tcp6`` directly
    (fields documented in ``Documentation/networking/proc_net_tcp.rst``);
    ``with_pid=True`` adds the owning process from psutil where the kernel
    lets us see it. TIME_WAIT sockets belong to no process. A socket closed
    while its peer has not closed yet is also kept as a timewait mini-socket:
    its row shows state ``FIN_WAIT2`` with timer ``"timewait"``, because
    ``get_timewait4_sock`` prints ``tw_substate`` (``net/ipv4/tcp_ipv4.c``).

    Parameters
    ----------
    port : int, optional
        Keep only sockets whose local or remote port is ``port``.
    family : {"ipv4", "ipv6"}, optional
        Read only that family's table. Each read makes the kernel walk its
        whole connection hash table, so the labs read only the one they use.
    with_pid : bool
        Look up the owning process with psutil (slower).

    Examples
    --------
    >>> rows = socket_table()
    >>> all(isinstance(r.state, str) for r in rows)
    True
    """
    if port is not None:
        port = require_int("port", port, low=1, high=65535)
    families = _PROC_FILES if family is None else (require_choice("family", family, tuple(_PROC_FILES)),)
    ticks = _clock_ticks()
    rows: list[SocketRow] = []
    for name in families:
        try:
            text = _read_proc(_PROC_FILES[name])
        except OSError:
            continue
        rows.extend(_parse_proc(name, text, ticks))
    if port is not None:
        rows = [r for r in rows if port in (r.local[1], r.remote[1])]
    if with_pid:
        rows = _add_pids(rows)
    return rows


def _read_proc(path: str) -> str:
    """The whole text of a /proc file, read with few large reads.

    Each read of ``/proc/net/tcp`` makes the kernel walk its connection hash
    table, which is large (a quarter of a million buckets on a machine with
    a few GB), so a read costs milliseconds however few sockets there are:
    large reads are about twice as fast as Python's default buffered read.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 18):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("ascii")


def _add_pids(rows: list[SocketRow]) -> list[SocketRow]:
    import psutil  # lazily: `import tcpmodel` must not load it

    owners = {}
    with contextlib.suppress(psutil.Error, OSError):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.pid is not None:
                owners[(tuple(conn.laddr), tuple(conn.raddr) if conn.raddr else None)] = conn.pid
    out = []
    for r in rows:
        remote = None if r.remote[1] == 0 else r.remote
        out.append(SocketRow(**{**asdict(r), "pid": owners.get((r.local, remote))}))
    return out


def count_states(port: int | None = None) -> Counter[str]:
    """How many TCP sockets are in each state (optionally only on ``port``).

    A :class:`collections.Counter`: a state with no socket counts 0.

    Examples
    --------
    >>> counts = count_states()
    >>> all(isinstance(n, int) and n > 0 for n in counts.values())
    True
    """
    return Counter(dict(sorted(Counter(r.state for r in socket_table(port)).items())))


def format_table(rows: list[SocketRow]) -> str:
    """A plain-text table of socket rows, like ``ss -tano``.

    Examples
    --------
    >>> row = SocketRow("ipv4", ("127.0.0.1", 40000), ("127.0.0.1", 8080), "TIME_WAIT", "timewait", 59.5, 0, 0)
    >>> print(format_table([row]))
    state        local                  remote                 timer
    TIME_WAIT    127.0.0.1:40000        127.0.0.1:8080         timewait 59.5 s
    """

    def addr(a: tuple[str, int]) -> str:
        return f"[{a[0]}]:{a[1]}" if ":" in a[0] else f"{a[0]}:{a[1]}"

    lines = [f"{'state':12} {'local':22} {'remote':22} timer"]
    for r in rows:
        timer = "" if r.timer is None else f"{r.timer} {r.timer_seconds:.1f} s"
        lines.append(f"{r.state:12} {addr(r.local):22} {addr(r.remote):22} {timer}".rstrip())
    return "\n".join(lines)


def ss_text(port: int) -> str:
    """The output of ``ss -tano`` for sockets on ``port``, or why it is missing.

    Examples
    --------
    >>> isinstance(ss_text(9), str)
    True
    """
    port = require_int("port", port, low=1, high=65535)
    try:
        done = subprocess.run(
            ["ss", "-tano", "state", "all", f"( sport = :{port} or dport = :{port} )"],
            capture_output=True, text=True, timeout=2, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"ss is not available here ({type(exc).__name__}); socket_table() reads the same data from /proc/net/tcp."
    return done.stdout.rstrip() or done.stderr.rstrip()


# --------------------------------------------------------------------------
# This kernel's settings
# --------------------------------------------------------------------------


def _read_sysctl(name: str) -> str | None:
    try:
        with open(f"/proc/sys/net/ipv4/{name}", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return None


def kernel_settings() -> dict[str, Any]:
    """The running kernel's settings that the predictions depend on.

    Uses ``tcpmodel.models.LinuxConfig.from_proc()`` when it is available,
    and reads ``/proc/sys/net/ipv4`` directly otherwise. A sysctl that this
    kernel does not have is ``None`` (``tcp_tw_reuse_delay`` appeared in
    Linux 6.14; older kernels use a whole-second rule instead, which
    ``"kernel"``, the running kernel's ``(major, minor)``, picks:
    :func:`tcpmodel.linux.reuse_delay_rule`).

    Examples
    --------
    >>> settings = kernel_settings()
    >>> settings["tcp_tw_reuse"] in (0, 1, 2, None)
    True
    """
    values: dict[str, Any] = {}
    try:
        from tcpmodel.models import LinuxConfig  # issue 5

        config = LinuxConfig.from_proc()
        for key in ("tcp_tw_reuse", "tcp_tw_reuse_delay", "tcp_timestamps", "ip_local_port_range", "tcp_max_tw_buckets", "tcp_rfc1337", "kernel"):
            value = getattr(config, key, None)
            values[key] = list(value) if isinstance(value, tuple) else value
        values["source"] = "tcpmodel.models.LinuxConfig.from_proc()"
    except (ImportError, AttributeError, OSError, ValueError, RuntimeError):  # ProcUnavailable is a RuntimeError
        for key in ("tcp_tw_reuse", "tcp_tw_reuse_delay", "tcp_timestamps", "tcp_max_tw_buckets", "tcp_rfc1337"):
            raw = _read_sysctl(key)
            values[key] = None if raw is None else int(raw)
        raw = _read_sysctl("ip_local_port_range")
        values["ip_local_port_range"] = None if raw is None else [int(x) for x in raw.split()]
        values["source"] = "/proc/sys/net/ipv4"
    # LinuxConfig fills in defaults; whether the delay sysctl exists decides the rule.
    if _read_sysctl("tcp_tw_reuse_delay") is None and os.path.exists("/proc/sys/net/ipv4/tcp_tw_reuse"):
        values["tcp_tw_reuse_delay"] = None
    if values.get("kernel") is None:
        from tcpmodel.linux import parse_kernel_version

        version = parse_kernel_version(platform.release())
        values["kernel"] = None if version is None else list(version)
    return values


def _rule_settings(settings: dict[str, Any] | None = None, kernel: str | None = None) -> rules.Settings:
    """The model's settings from a :func:`kernel_settings` dict (``kernel``: a release string, if the dict has none)."""
    from tcpmodel.linux import TW_REUSE_DELAY_SYSCTL_SINCE, parse_kernel_version

    s = settings if settings is not None else kernel_settings()
    version = s.get("kernel")
    version = tuple(version) if version else (parse_kernel_version(kernel) if kernel else None)
    delay = s.get("tcp_tw_reuse_delay")
    if delay is None and version is not None and version >= TW_REUSE_DELAY_SYSCTL_SINCE:
        version = None  # a 6.14+ kernel without the sysctl (not seen): trust the sysctl, not the number
    return rules.Settings(
        tcp_tw_reuse=2 if s.get("tcp_tw_reuse") is None else int(s["tcp_tw_reuse"]),
        tcp_tw_reuse_delay=delay,
        tcp_timestamps=1 if s.get("tcp_timestamps") is None else int(s["tcp_timestamps"]),
        kernel=version,
    )


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass
class Result:
    """What one experiment observed, beside what the model predicted.

    Attributes
    ----------
    experiment : str
        Its name and parameters, e.g. ``"server_restart(first_closer='server', …)"``.
    outcome : str
        ``"ok"``, an errno name such as ``"EADDRINUSE"``, or (for
        :func:`who_waits`) the side holding TIME_WAIT.
    prediction : str
        The model's outcome for this kernel's settings.
    observed : dict
        What was measured.
    explanation : str
        Why, with the kernel source that decides it.
    expected : dict
        The model's values for some ``observed`` keys.
    tolerance : dict
        Allowed absolute difference for numeric ``expected`` values.
    """

    experiment: str
    outcome: str
    prediction: str
    observed: dict[str, Any]
    explanation: str
    expected: dict[str, Any] = field(default_factory=dict)
    tolerance: dict[str, float] = field(default_factory=dict)

    def mismatches(self) -> list[str]:
        """Every way in which the observation differs from the prediction."""
        problems = []
        if self.outcome != self.prediction:
            problems.append(f"outcome {self.outcome!r} != predicted {self.prediction!r}")
        for key, want in self.expected.items():
            got = self.observed.get(key)
            if key in self.tolerance and isinstance(got, (int, float)) and isinstance(want, (int, float)):
                if abs(got - want) > self.tolerance[key]:
                    problems.append(f"{key} {got} is not within {self.tolerance[key]} of {want}")
            elif got != want:
                problems.append(f"{key} {got!r} != predicted {want!r}")
        return problems

    @property
    def matches(self) -> bool:
        """True when the kernel did what the model predicted."""
        return not self.mismatches()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(**data)


def compare(results: list[Result]) -> str:
    """Prediction and observation side by side, one line per experiment.

    Examples
    --------
    >>> r = Result("demo()", "ok", "ok", {}, "because.")
    >>> print(compare([r]))
    experiment                                                       predicted      observed       agree
    demo()                                                           ok             ok             yes
    """
    lines = [f"{'experiment':64} {'predicted':14} {'observed':14} agree"]
    for r in results:
        lines.append(f"{r.experiment:64} {r.prediction:14} {r.outcome:14} {'yes' if r.matches else 'NO'}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Experiment plumbing
# --------------------------------------------------------------------------


class _Lab:
    """Sockets and a deadline for one experiment; everything is closed on exit."""

    def __init__(self, family: str, time_limit: float) -> None:
        self.family = require_choice("family", family, tuple(_FAMILY))
        self.host = _LOOPBACK[family]
        self.deadline = time.monotonic() + require_number("time_limit", time_limit, low=0.1, high=10, unit="seconds")
        self.sockets: list[socket.socket] = []

    def __enter__(self) -> _Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_all()

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the experiment ran past its time limit")
        return left

    def socket(self, reuseaddr: bool = False) -> socket.socket:
        s = socket.socket(_FAMILY[self.family], socket.SOCK_STREAM)
        self.sockets.append(s)
        if reuseaddr:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(self.remaining())
        return s

    def bound_to_unused_port(self, reuseaddr: bool = False) -> socket.socket:
        """A socket bound to a kernel-chosen port that holds no socket of an earlier experiment.

        bind(0) may pick a port that still holds TIME_WAIT sockets: with
        SO_REUSEADDR, or when they were made by connect(). They would change
        what we observe, so such ports are passed over (up to 20 tries).
        """
        s = self.socket(reuseaddr)
        s.bind((self.host, 0))
        for _ in range(20):
            chosen = s.getsockname()[1]
            if not any(r.local[1] == chosen for r in socket_table(chosen, family=self.family)):
                break
            self.sockets.remove(s)
            s.close()
            s = self.socket(reuseaddr)
            s.bind((self.host, 0))
        return s

    def listener(self, reuseaddr: bool = False, port: int = 0) -> socket.socket:
        if port == 0 and reuseaddr:
            s = self.bound_to_unused_port(reuseaddr)
        else:
            s = self.socket(reuseaddr)
            s.bind((self.host, port))
        s.listen(8)
        return s

    def connected_pair(self, listener: socket.socket, client: socket.socket | None = None) -> tuple[socket.socket, socket.socket]:
        c = client if client is not None else self.socket()
        c.settimeout(self.remaining())
        c.connect(listener.getsockname()[:2])
        listener.settimeout(self.remaining())
        s, _ = listener.accept()
        self.sockets.append(s)
        s.settimeout(self.remaining())
        return c, s

    def close_in_order(self, first: socket.socket, second: socket.socket) -> None:
        """Close ``first``; let ``second`` read the FIN (EOF), then close it."""
        first.close()
        second.settimeout(self.remaining())
        second.recv(1)  # b"": the peer's FIN has arrived
        second.close()

    def wait_for(self, predicate: Callable[[], Any], what: str) -> Any:
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= self.deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            time.sleep(0.002)

    def close_all(self) -> None:
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.close()
        self.sockets.clear()


def _errno_name(exc: OSError) -> str:
    return _errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno else type(exc).__name__


def _both_ways(lab: _Lab, a: tuple, b: tuple, state: str | None = None) -> tuple[list[SocketRow], list[SocketRow]]:
    """The rows of a→b and of b→a, from one read of the socket table."""
    rows = [r for r in socket_table(a[1], family=lab.family) if state is None or r.state == state]
    return ([r for r in rows if r.local == (a[0], a[1]) and r.remote == (b[0], b[1])],
            [r for r in rows if r.local == (b[0], b[1]) and r.remote == (a[0], a[1])])


def _time_wait_on(lab: _Lab, local: tuple, remote: tuple) -> SocketRow:
    rows = lab.wait_for(lambda: _both_ways(lab, local, remote, "TIME_WAIT")[0], f"TIME_WAIT on {local[1]}->{remote[1]}")
    return rows[0]


def _port_settled(lab: _Lab, port: int) -> bool:
    """No socket with local port ``port`` in a state that is still closing."""
    return all(r.state == "TIME_WAIT" for r in socket_table(port, family=lab.family) if r.local[1] == port)


def _timed_out(name: str, prediction: str, exc: Exception) -> Result:
    return Result(name, "TIMEOUT", prediction, {"error": str(exc)}, "The experiment hit its time limit before it could observe anything; run it again.")


def _call(name: str, **params: Any) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items() if not (k == "family" and v == "ipv4"))
    return f"{name}({shown})"


# --------------------------------------------------------------------------
# The experiments
# --------------------------------------------------------------------------


def who_waits(closer: str = "client", *, family: str = "ipv4", time_limit: float = DEFAULT_TIME_LIMIT_S) -> Result:
    """Close a loopback connection from one side first; see which side holds TIME_WAIT.

    Parameters
    ----------
    closer : {"client", "server"}
        The side that calls ``close()`` first.
    family : {"ipv4", "ipv6"}
    time_limit : float
        Seconds before the experiment gives up.

    Returns
    -------
    Result
        ``outcome`` and ``observed["time_wait_side"]`` name the side whose
        socket is in TIME_WAIT.

    Examples
    --------
    >>> r = who_waits("server")  # doctest: +SKIP
    >>> r.outcome, r.prediction  # doctest: +SKIP
    ('server', 'server')
    """
    require_choice("closer", closer, ("client", "server"))
    name = _call("who_waits", closer=closer, family=family)
    prediction = rules.who_holds_time_wait(closer)
    with _Lab(family, time_limit) as lab:
        try:
            listener = lab.listener()
            client, served = lab.connected_pair(listener)
            client_addr, server_addr = client.getsockname()[:2], served.getsockname()[:2]
            if closer == "client":
                lab.close_in_order(client, served)
            else:
                lab.close_in_order(served, client)
            lab.wait_for(lambda: any(_both_ways(lab, client_addr, server_addr, "TIME_WAIT")), "a TIME_WAIT socket")
            closing = ("LAST_ACK", "CLOSING", "FIN_WAIT1", "FIN_WAIT2")
            lab.wait_for(lambda: not any(r.state in closing for rows in _both_ways(lab, client_addr, server_addr) for r in rows), "the close to finish")
            client_rows, server_rows = ([r.state for r in rows] for rows in _both_ways(lab, client_addr, server_addr))
        except (OSError, TimeoutError) as exc:
            return _timed_out(name, prediction, exc)
    holders = [side for side, states in (("client", client_rows), ("server", server_rows)) if "TIME_WAIT" in states]
    side = holders[0] if len(holders) == 1 else ("both" if holders else "neither")
    observed = {"time_wait_side": side, "client_states": client_rows, "server_states": server_rows, "client_port": client_addr[1], "server_port": server_addr[1]}
    explanation = (
        f"The {closer} sent the first FIN, so its socket went FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT while the other side went "
        f"CLOSE_WAIT → LAST_ACK → CLOSED. Roles do not matter, the order of the FINs does ({rules.SOURCES['who_waits']}). "
        "This lab closes with close(), so once its FIN was acknowledged the closer's socket was already a FIN_WAIT2 timewait "
        "socket (tcp_rcv_state_process in net/ipv4/tcp_input.c), which the peer's FIN turned into TIME_WAIT "
        "(tcp_timewait_state_process in net/ipv4/tcp_minisocks.c)."
    )
    return Result(name, side, prediction, observed, explanation, expected={"time_wait_side": prediction})


def server_restart(first_closer: str = "server", old_reuseaddr: bool = False, new_reuseaddr: bool = False, *, family: str = "ipv4", time_limit: float = DEFAULT_TIME_LIMIT_S) -> Result:
    """Stop a server that served one connection and start it again on the same port.

    Parameters
    ----------
    first_closer : {"server", "client"}
        Who closed the served connection first.
    old_reuseaddr, new_reuseaddr : bool
        ``SO_REUSEADDR`` on the old and on the new listening socket (the
        accepted socket inherits the old listener's).

    Returns
    -------
    Result
        ``outcome`` is the new ``bind()``/``listen()``'s result: ``"ok"`` or
        an errno name such as ``"EADDRINUSE"``.

    Examples
    --------
    >>> server_restart("server", True, True).outcome  # doctest: +SKIP
    'ok'
    """
    require_choice("first_closer", first_closer, ("server", "client"))
    require_bool("old_reuseaddr", old_reuseaddr)
    require_bool("new_reuseaddr", new_reuseaddr)
    name = _call("server_restart", first_closer=first_closer, old_reuseaddr=old_reuseaddr, new_reuseaddr=new_reuseaddr, family=family)
    prediction = rules.server_restart_outcome(first_closer, old_reuseaddr, new_reuseaddr)
    with _Lab(family, time_limit) as lab:
        try:
            listener = lab.listener(reuseaddr=old_reuseaddr)
            port = listener.getsockname()[1]
            client, served = lab.connected_pair(listener)
            client_port = client.getsockname()[1]
            if first_closer == "server":
                lab.close_in_order(served, client)
            else:
                lab.close_in_order(client, served)
            listener.close()
            lab.wait_for(lambda: _port_settled(lab, port), "the old connection to finish closing")
            # only this experiment's connection: another run may have left sockets on the port
            holders = sorted(r.state for r in socket_table(port, family=lab.family) if r.local[1] == port and r.remote[1] == client_port)
            fresh = lab.socket(reuseaddr=new_reuseaddr)
            try:
                fresh.bind((lab.host, port))
                fresh.listen(8)
                outcome = "ok"
            except OSError as exc:
                outcome = _errno_name(exc)
        except (OSError, TimeoutError) as exc:
            return _timed_out(name, prediction, exc)
    observed = {"port_holders": holders, "bind": outcome}
    if first_closer == "server":
        why = (
            f"The old server closed first, so its accepted socket is in TIME_WAIT on port {port}, and it kept the SO_REUSEADDR "
            f"flag it inherited from the old listener ({'set' if old_reuseaddr else 'not set'}). Linux lets the new socket bind only if "
            f"BOTH the new socket and the TIME_WAIT socket have SO_REUSEADDR ({rules.SOURCES['bind']})."
        )
    else:
        why = (
            "The client closed first, so the TIME_WAIT socket is the client's, on the client's own port; the server's socket went "
            f"LAST_ACK → CLOSED and nothing holds port {port} ({rules.SOURCES['who_waits']})."
        )
    return Result(name, outcome, prediction, observed, why, expected={"port_holders": ["TIME_WAIT"] if first_closer == "server" else []})


def abortive_close(*, family: str = "ipv4", time_limit: float = DEFAULT_TIME_LIMIT_S) -> Result:
    """Close with SO_LINGER {on, 0}: the kernel sends RST and nobody waits.

    Returns
    -------
    Result
        ``outcome`` and ``observed["peer_error"]`` are the errno name the
        peer's ``recv()`` raised; ``observed["time_wait_sockets"]`` counts
        TIME_WAIT sockets left on the 4-tuple.

    Examples
    --------
    >>> abortive_close().observed["time_wait_sockets"]  # doctest: +SKIP
    0
    """
    name = _call("abortive_close", family=family)
    predicted = rules.abortive_close_prediction()
    with _Lab(family, time_limit) as lab:
        try:
            listener = lab.listener()
            client, served = lab.connected_pair(listener)
            client_addr, server_addr = client.getsockname()[:2], served.getsockname()[:2]
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            try:
                data = served.recv(1)
                peer_error = "ok" if data else "EOF"
            except OSError as exc:
                peer_error = _errno_name(exc)
            time_wait = sum(len(rows) for rows in _both_ways(lab, client_addr, server_addr, "TIME_WAIT"))
        except (OSError, TimeoutError) as exc:
            return _timed_out(name, str(predicted["peer_error"]), exc)
    observed = {"peer_error": peer_error, "time_wait_sockets": time_wait}
    why = (
        "close() with SO_LINGER {on, 0} aborts the connection: Linux sends RST instead of FIN, the peer's recv() fails with "
        f"ECONNRESET, and on Linux neither side enters TIME_WAIT: tcp_disconnect() goes straight to TCP_CLOSE "
        f"({rules.SOURCES['linger']}). RFC 9293 §3.10.5 ABORT also ends in CLOSED, though RFC 9293 §3.5.2 says the side "
        "that issues a reset should enter TIME-WAIT."
    )
    return Result(name, peer_error, str(predicted["peer_error"]), observed, why, expected=dict(predicted))


def rebind_client_port(old_reuseaddr: bool = False, new_reuseaddr: bool = False, same_destination: bool = True, *, family: str = "ipv4", time_limit: float = DEFAULT_TIME_LIMIT_S) -> Result:
    """A client bound a fixed port, closed first, then binds that port again and connects.

    The first client binds port 0 (the kernel picks a port) and connects to
    server A; it closes first, so its 4-tuple is in TIME_WAIT. A new socket
    then binds that same port and connects to A again
    (``same_destination=True``) or to a second server B.

    Returns
    -------
    Result
        ``outcome`` is the bind's errno name if the bind fails, otherwise
        the connect's result.

    Examples
    --------
    >>> rebind_client_port(True, True, same_destination=False).outcome  # doctest: +SKIP
    'ok'
    """
    require_bool("old_reuseaddr", old_reuseaddr)
    require_bool("new_reuseaddr", new_reuseaddr)
    require_bool("same_destination", same_destination)
    name = _call("rebind_client_port", old_reuseaddr=old_reuseaddr, new_reuseaddr=new_reuseaddr, same_destination=same_destination, family=family)
    settings = kernel_settings()
    prediction = rules.rebind_client_port_outcome(old_reuseaddr, new_reuseaddr, same_destination, _rule_settings(settings))
    connect_result: str | None = None
    with _Lab(family, time_limit) as lab:
        try:
            server_a = lab.listener()
            server_b = lab.listener()
            first = lab.socket(reuseaddr=old_reuseaddr)
            first.bind((lab.host, 0))
            client_addr = first.getsockname()[:2]
            _, served = lab.connected_pair(server_a, first)
            lab.close_in_order(first, served)
            _time_wait_on(lab, client_addr, server_a.getsockname()[:2])
            again = lab.socket(reuseaddr=new_reuseaddr)
            try:
                again.bind(client_addr)
                target = server_a if same_destination else server_b
                try:
                    again.settimeout(lab.remaining())
                    again.connect(target.getsockname()[:2])
                    connect_result = "ok"
                except OSError as exc:
                    connect_result = _errno_name(exc)
                outcome, bind_result = connect_result, "ok"
            except OSError as exc:
                outcome = bind_result = _errno_name(exc)
        except (OSError, TimeoutError) as exc:
            return _timed_out(name, prediction, exc)
    timestamps = (settings.get("tcp_timestamps") or 0) != 0
    observed = {"client_port": client_addr[1], "bind": bind_result, "connect": connect_result, "tcp_timestamps": settings.get("tcp_timestamps"), "tcp_tw_reuse": settings.get("tcp_tw_reuse")}
    if bind_result != "ok" or prediction == "EADDRINUSE":
        why = (
            f"The old client's TIME_WAIT socket still owns port {client_addr[1]} and carries the old socket's SO_REUSEADDR "
            f"({'set' if old_reuseaddr else 'not set'}); bind() succeeds only if both it and the new socket set SO_REUSEADDR ({rules.SOURCES['bind']})."
        )
    elif same_destination:
        why = (
            "The bind succeeded, and the 4-tuple (same port, same server) is still in TIME_WAIT. For a socket bound to a port, "
            "Linux checks that 4-tuple with twp == NULL, so tcp_twsk_unique takes the TIME_WAIT socket over whenever it saw peer timestamps "
            f"(tcp_timestamps={settings.get('tcp_timestamps')}: {'yes' if timestamps else 'no'}) — tcp_tw_reuse and its delay are not consulted "
            f"({rules.SOURCES['connect_bound']}). Taken over at once, the new connection is guarded by PAWS only after the peer's timestamp "
            f"clock has ticked, and by the sequence number check alone before ({rules.SOURCES['paws']})."
        )
    else:
        why = f"The bind succeeded and the new 4-tuple (same port, different server) is not in use, so connect() succeeds ({rules.SOURCES['connect_bound']})."
    return Result(name, outcome, prediction, observed, why)


def time_wait_remaining(*, family: str = "ipv4", time_limit: float = DEFAULT_TIME_LIMIT_S) -> Result:
    """Read the timer of a fresh TIME_WAIT socket instead of waiting it out.

    Returns
    -------
    Result
        ``observed["seconds"]`` is the time left on the TIME_WAIT timer, read
        from ``/proc/net/tcp`` (clock ticks of ``USER_HZ``) just after the
        socket entered TIME_WAIT; the model expects ``TCP_TIMEWAIT_LEN``, 60 s.

    Examples
    --------
    >>> 59 < time_wait_remaining().observed["seconds"] <= 60  # doctest: +SKIP
    True
    """
    name = _call("time_wait_remaining", family=family)
    with _Lab(family, time_limit) as lab:
        try:
            listener = lab.listener()
            client, served = lab.connected_pair(listener)
            client_addr, server_addr = client.getsockname()[:2], served.getsockname()[:2]
            lab.close_in_order(client, served)
            entered = time.monotonic()
            row = _time_wait_on(lab, client_addr, server_addr)
            read_after = time.monotonic() - entered
        except (OSError, TimeoutError) as exc:
            return _timed_out(name, "ok", exc)
    outcome = "ok" if row.timer == "timewait" and row.timer_seconds is not None else "no timer"
    observed = {"seconds": row.timer_seconds, "timer": row.timer, "read_after_s": round(read_after, 3), "clock_ticks_per_s": _clock_ticks()}
    why = (
        f"Linux keeps a TIME_WAIT socket for TCP_TIMEWAIT_LEN = {rules.TCP_TIMEWAIT_LEN_S:.0f} s ({rules.SOURCES['timewait_len']}); "
        "/proc/net/tcp shows timer type 3 (timewait) and the time left in USER_HZ clock ticks (Documentation/networking/proc_net_tcp.rst). "
        "tcp_fin_timeout does not change it: that sysctl is the FIN_WAIT_2 timeout."
    )
    return Result(name, outcome, "ok", observed, why, expected={"seconds": rules.TCP_TIMEWAIT_LEN_S}, tolerance={"seconds": 0.5})


def reuse_time_wait_port(wait_past_delay: bool = False, *, family: str = "ipv4", time_limit: float = DEFAULT_TIME_LIMIT_S) -> Result:
    """connect() from a kernel-chosen port whose only choice is in TIME_WAIT: tcp_tw_reuse at work.

    Both connections limit their ephemeral range to one port with the
    ``IP_LOCAL_PORT_RANGE`` socket option (no root, no sysctl). The first
    closes first, leaving that port's 4-tuple in TIME_WAIT; the second
    connects to the same server at once (``wait_past_delay=False``) or after
    the longest wait of this kernel's reuse delay rule
    (:func:`tcpmodel.linux.reuse_delay_rule`: ``tcp_tw_reuse_delay`` on 6.14
    and later) plus 0.05 s (0.15 s on kernels before 6.14, which count it in
    whole seconds of the last timestamp).

    Returns
    -------
    Result
        ``outcome`` is the second connect's result; ``"skipped"`` where the
        kernel lacks ``IP_LOCAL_PORT_RANGE`` or the delay does not fit the
        time limit.

    Examples
    --------
    >>> reuse_time_wait_port(False).outcome  # doctest: +SKIP
    'EADDRNOTAVAIL'
    """
    require_bool("wait_past_delay", wait_past_delay)
    name = _call("reuse_time_wait_port", wait_past_delay=wait_past_delay, family=family)
    settings = kernel_settings()
    rs = _rule_settings(settings)
    rule = rs.reuse_rule
    # Kernels with tcp_tw_reuse_delay count it in ms from tw_entry_stamp, set when the
    # timewait socket is created, before we stamp ``entered`` below (commit 19ce8cd30465,
    # Linux 6.14): a small margin is enough. Older kernels compare whole seconds of the
    # last timestamp, so the wait must also see the clock tick.
    margin = 0.05 if rule.ticks_needed is None else 0.15
    wait = rule.hold_s + margin if wait_past_delay else 0.0
    if wait > time_limit - 0.4:
        return Result(name, "skipped", "skipped", {"wait_s": wait}, f"the reuse delay is up to {rule.longest_s:g} s here "
                      f"(Linux {rule.kernels}), too long for this experiment's {time_limit:.1f} s limit.")
    clock = time.time if rule.clock == "get_seconds" else time.monotonic  # get_seconds() is the wall clock
    level = socket.IPPROTO_IP  # IPv6 sockets take this IPv4-level option too (do_ip_setsockopt)
    with _Lab(family, time_limit) as lab:
        try:
            if rule.ticks_needed is not None and not wait_past_delay and clock() % 1.0 > 0.6:
                # Old kernels compare whole seconds: start early in a second so "at once" stays in it.
                time.sleep(1.0 - clock() % 1.0 + 0.01)
            server = lab.listener()
            # A port with an old TIME_WAIT on it can be refused to the one-port connect()
            # below (seen about once in 300 runs as EADDRNOTAVAIL): take an unused one.
            probe = lab.bound_to_unused_port()
            port = probe.getsockname()[1]
            probe.close()
            one_port = struct.pack("I", port | (port << 16))
            first = lab.socket()
            try:
                first.setsockopt(level, _IP_LOCAL_PORT_RANGE, one_port)
            except OSError as exc:
                return Result(name, "skipped", "skipped", {"error": _errno_name(exc)}, "This kernel has no IP_LOCAL_PORT_RANGE socket option, which the experiment needs to confine connect() to one port without root.")
            client, served = lab.connected_pair(server, first)
            client_addr = client.getsockname()[:2]
            lab.close_in_order(client, served)
            entered, entered_clock = time.monotonic(), clock()
            _time_wait_on(lab, client_addr, server.getsockname()[:2])
            if wait:
                time.sleep(max(0.0, entered + wait - time.monotonic()))
            second = lab.socket()
            second.setsockopt(level, _IP_LOCAL_PORT_RANGE, one_port)
            attempted, attempted_clock = time.monotonic(), clock()
            try:
                second.connect(server.getsockname()[:2])
                outcome = "ok" if second.getsockname()[1] == port else "other port"
            except OSError as exc:
                outcome = _errno_name(exc)
        except (OSError, TimeoutError) as exc:
            return _timed_out(name, "?", exc)
    elapsed = attempted - entered
    ticked = int(attempted_clock) - int(entered_clock)  # new seconds of the rule's clock since the last timestamp
    prediction = rules.ephemeral_reuse_outcome(rs, loopback=True, elapsed_s=elapsed, seconds_ticked=ticked)
    observed = {"port": port, "elapsed_s": round(elapsed, 3), "tcp_tw_reuse": rs.tcp_tw_reuse, "tcp_tw_reuse_delay": rs.tcp_tw_reuse_delay}
    rule_text = (
        f"more than tcp_tw_reuse_delay = {rs.tcp_tw_reuse_delay} ms after it entered TIME_WAIT"
        if rule.ticks_needed is None else
        f"once {rule.clock}() has begun {rule.ticks_needed or 'one or two'} new second(s) since its last timestamp "
        f"(Linux {rule.kernels}: a wait anywhere in {rule.interval})"
    )
    why = (
        f"The only port connect() may use has its 4-tuple in TIME_WAIT, {elapsed:.2f} s old. With a kernel-chosen port, "
        f"tcp_twsk_unique reuses it only if tcp_tw_reuse allows (here {rs.tcp_tw_reuse}: "
        f"{ {0: 'never', 1: 'always', 2: 'loopback only — this is loopback'}[rs.tcp_tw_reuse] }), the old connection used timestamps, "
        f"and {rule_text}; otherwise EADDRNOTAVAIL ({rules.SOURCES['connect_ephemeral']})."
    )
    return Result(name, outcome, prediction, observed, why)


#: include/uapi/linux/tcp.h, struct tcp_info: tcpi_options is its sixth byte (u8), tcpi_total_retrans the u32
#: at byte 100 (after 8 u8 fields and 23 u32 fields).
_TCPI_OPTIONS_OFFSET = 5
_TCPI_OPT_TIMESTAMPS = 1
_TCPI_TOTAL_RETRANS_OFFSET = 100
#: The payloads :func:`run_all` sends before the server closes: none (the sequence test accepts the new SYN), and
#: 4 MiB, more octets than Linux's 64 ns ISN clock advances in the few milliseconds the transfer takes (only the
#: timestamp test can accept it).
SYN_TO_TIME_WAIT_PAYLOADS = (0, 4 * 2**20)


def syn_to_time_wait(payload_bytes: int = 0, *, family: str = "ipv4", time_limit: float = DEFAULT_TIME_LIMIT_S) -> Result:
    """A client reconnects from the same port to a server whose side of that 4-tuple is in TIME_WAIT.

    The client binds a kernel-chosen port with ``SO_REUSEADDR``, connects,
    sends ``payload_bytes`` octets, and the *server* closes first, so the
    server holds the 4-tuple in TIME_WAIT. 5 ms later a new client socket
    binds the same port and connects to the same server: its SYN reaches the
    TIME_WAIT socket. Linux (``tcp_timewait_state_process``,
    ``net/ipv4/tcp_minisocks.c``) accepts it at once when its sequence number
    is after the old RCV.NXT or its timestamp is newer
    (:func:`tcpmodel.sim.sequence.time_wait_accepts_syn`). Otherwise it
    answers with an ACK; the client, in SYN-SENT, answers that with a RST,
    which ends the TIME_WAIT (``tcp_rfc1337=0``, the default), and
    retransmits its SYN after ``TCP_TIMEOUT_MIN`` (2 jiffies) instead of the
    usual second (``tcp_rcv_synsent_state_process`` in
    ``net/ipv4/tcp_input.c``): the retransmission connects. With
    ``tcp_rfc1337=1`` the RST is ignored and the SYN is refused until the
    TIME_WAIT ends, past this experiment's time limit.

    The client's new ISN is its old one plus Linux's 64 ns ISN clock over the
    time between the two ``connect()`` calls (``seq_scale`` in
    ``net/core/secure_seq.c``). With ``payload_bytes=0`` that is far more than
    the 2 sequence numbers the old connection used, so the sequence test
    passes. With a payload larger than the clock's advance (a few MB) the
    sequence test fails and only the timestamp test can accept the SYN.

    Returns
    -------
    Result
        ``outcome`` is ``"accepted"`` (the first SYN was accepted: the new
        connection counts no retransmission, ``tcpi_total_retrans`` of
        ``TCP_INFO``), ``"after retransmit"`` (it took a retransmitted SYN),
        or the error of ``connect()`` (``"TimeoutError"`` at the time limit).
        ``observed`` holds the time to connect, the ISN clock's predicted
        advance, the test the model expects to accept the SYN, and whether
        the connection negotiated timestamps.

    Examples
    --------
    >>> syn_to_time_wait().outcome  # doctest: +SKIP
    'accepted'
    """
    import threading

    from tcpmodel.sim.sequence import LINUX_ISN_CLOCK_TICK, isn_advance, seq_add, time_wait_accepts_syn

    payload_bytes = require_int("payload_bytes", payload_bytes, low=0, high=64 * 2**20, unit="bytes")
    name = _call("syn_to_time_wait", payload_bytes=payload_bytes, family=family)
    settings = kernel_settings()
    timestamps = (settings.get("tcp_timestamps") if settings.get("tcp_timestamps") is not None else 1) != 0
    with _Lab(family, time_limit) as lab:
        try:
            server = lab.listener()
            server_addr = server.getsockname()[:2]
            # The listener has no SO_REUSEADDR, so bind() gave it a port that holds no TIME_WAIT socket
            # (inet_bind_conflict): the 4-tuple is new whatever port the client gets.
            first = lab.socket(reuseaddr=True)
            first.bind((lab.host, 0))
            client_addr = first.getsockname()[:2]
            t_first = time.monotonic()
            client, served = lab.connected_pair(server, first)
            if payload_bytes:
                received = []

                def drain() -> None:
                    got = 0
                    with contextlib.suppress(OSError):
                        while got < payload_bytes:
                            chunk = served.recv(1 << 20)
                            if not chunk:
                                break
                            got += len(chunk)
                    received.append(got)

                reader = threading.Thread(target=drain, daemon=True)
                reader.start()
                client.sendall(b"x" * payload_bytes)
                reader.join(lab.remaining())
                if reader.is_alive() or received != [payload_bytes]:
                    raise TimeoutError("the payload did not arrive in time")
            lab.close_in_order(served, client)  # the server closes first: TIME_WAIT is on its side
            # One read of the socket table per poll: the server's side is in TIME_WAIT and the client's old socket is gone.
            lab.wait_for(lambda: (lambda rows: any(r.state == "TIME_WAIT" for r in rows[0]) and not rows[1])(
                _both_ways(lab, server_addr, client_addr)), "TIME_WAIT on the server's side and the client's socket closed")
            time.sleep(0.005)  # let the millisecond timestamp clock tick past the old connection's last segment
            again = lab.socket(reuseaddr=True)
            again.bind(client_addr)
            again.settimeout(lab.remaining())
            t_second = time.monotonic()
            try:
                again.connect(server_addr)
                took = time.monotonic() - t_second
                server.settimeout(lab.remaining())
                accepted, peer = server.accept()
                lab.sockets.append(accepted)
                info = again.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCPI_TOTAL_RETRANS_OFFSET + 4)
                ts_used = bool(info[_TCPI_OPTIONS_OFFSET] & _TCPI_OPT_TIMESTAMPS)
                (retrans,) = struct.unpack_from("I", info, _TCPI_TOTAL_RETRANS_OFFSET)
                states = sorted({r.state for r in _both_ways(lab, server_addr, client_addr)[0]})
                if tuple(peer[:2]) != tuple(client_addr):
                    outcome = "other peer"
                else:
                    outcome = "accepted" if retrans == 0 else "after retransmit"
            except OSError as exc:
                outcome, took, ts_used, states, retrans = _errno_name(exc), None, None, [], None
        except (OSError, TimeoutError) as exc:
            return _timed_out(name, "accepted", exc)
    # The model: the old connection used ISN .. ISN + payload + 1 (SYN, data, FIN), so the server's
    # RCV.NXT is ISN + payload + 2; the new SYN carries ISN + the clock's advance.
    advance = isn_advance(t_second - t_first, LINUX_ISN_CLOCK_TICK)
    test = time_wait_accepts_syn(advance, seq_add(payload_bytes, 2),
                                 tsval=1 if timestamps else None, ts_recent=0 if timestamps else None)
    predicted = rules.syn_to_time_wait_prediction(test, 1 if settings.get("tcp_rfc1337") else 0)["outcome"]
    # "refused": every SYN gets an ACK until the TIME_WAIT ends, which is past this experiment's time limit.
    prediction = "TimeoutError" if predicted == "refused" else predicted
    observed = {
        "client_port": client_addr[1], "server_port": server_addr[1], "payload_bytes": payload_bytes,
        "connect_s": None if took is None else round(took, 3), "syn_retransmissions": retrans,
        "server_states_after": states, "tcp_rfc1337": settings.get("tcp_rfc1337"),
        "timestamps_negotiated": ts_used, "tcp_timestamps": settings.get("tcp_timestamps"),
        "isn_clock_advance": advance, "accepted_by": test,
    }
    why = (
        f"The server closed first, so its side of {client_addr[1]}→{server_addr[1]} was in TIME_WAIT when the new SYN came. "
        f"Between the two connect() calls Linux's 64 ns ISN clock moved {advance:,}, against {payload_bytes + 2:,} sequence "
        f"numbers used by the old connection, so the SYN's sequence number was {'after' if test == 'sequence' else 'not after'} "
        "the old RCV.NXT" + ("" if test == "sequence" else "; only the timestamp test could accept it")
        + ". tcp_timewait_state_process accepts a SYN whose sequence number is after RCV.NXT or whose timestamp is newer "
        "(net/ipv4/tcp_minisocks.c, TCP_TW_SYN); the listener then answers it with ISN = old SND.NXT + 65537. "
        "A SYN that passes neither test gets an ACK; the client's RST ends the TIME_WAIT (unless tcp_rfc1337=1) and "
        "its SYN, retransmitted after TCP_TIMEOUT_MIN (tcp_rcv_synsent_state_process in net/ipv4/tcp_input.c), connects."
    )
    return Result(name, outcome, prediction, observed, why)


# --------------------------------------------------------------------------
# All of them, and the stored run
# --------------------------------------------------------------------------


def _all_calls() -> Iterator[tuple[Callable[..., Result], dict[str, Any]]]:
    for closer in ("client", "server"):
        yield who_waits, {"closer": closer}
    for first in ("server", "client"):
        for old in (False, True):
            for new in (False, True):
                yield server_restart, {"first_closer": first, "old_reuseaddr": old, "new_reuseaddr": new}
    yield abortive_close, {}
    for old in (False, True):
        for new in (False, True):
            for same in (True, False):
                yield rebind_client_port, {"old_reuseaddr": old, "new_reuseaddr": new, "same_destination": same}
    yield time_wait_remaining, {}
    for wait in (False, True):
        yield reuse_time_wait_port, {"wait_past_delay": wait}
    for payload in SYN_TO_TIME_WAIT_PAYLOADS:
        yield syn_to_time_wait, {"payload_bytes": payload}


def run_all(*, family: str = "ipv4") -> list[Result]:
    """Run every experiment once, for every parameter combination.

    Examples
    --------
    >>> results = run_all()  # doctest: +SKIP
    >>> all(r.matches for r in results)  # doctest: +SKIP
    True
    """
    require_choice("family", family, tuple(_FAMILY))
    return [func(**params, family=family) for func, params in _all_calls()]


def record_run(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Run everything and write a labelled JSON record (kernel, date, settings, results)."""
    ok, reason = available()
    if not ok:
        raise RuntimeError(f"cannot record a live run here: {reason}")
    results = run_all()
    record = {
        "description": "A run of tcpmodel.live.run_all() on a real Linux kernel, shown where the live labs cannot run.",
        "kernel": platform.release(),
        "machine": platform.machine(),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "settings": kernel_settings(),
        "ipv6": _ipv6_available(),
        "results": [r.to_dict() for r in results],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")
    return record


def stored_run() -> dict[str, Any]:
    """The committed run from a real Linux machine (``tcpmodel/data/live_stored_run.json``).

    Examples
    --------
    >>> sorted(k for k in stored_run() if k in ("kernel", "date", "results"))
    ['date', 'kernel', 'results']
    """
    text = resources.files("tcpmodel").joinpath("data/live_stored_run.json").read_text(encoding="utf-8")
    return json.loads(text)


def describe_run(run: dict[str, Any]) -> str:
    """One line that labels a recorded run with its kernel, date and settings.

    Examples
    --------
    >>> describe_run({"kernel": "6.1.0", "date": "2025-01-01", "settings": {"tcp_tw_reuse": 2, "tcp_tw_reuse_delay": 1000, "tcp_timestamps": 1}})
    'Linux 6.1.0, recorded 2025-01-01: tcp_tw_reuse=2, tcp_tw_reuse_delay=1000 ms, tcp_timestamps=1'
    """
    s = run.get("settings", {})
    return (
        f"Linux {run['kernel']}, recorded {run['date']}: tcp_tw_reuse={s.get('tcp_tw_reuse')}, "
        f"tcp_tw_reuse_delay={s.get('tcp_tw_reuse_delay')} ms, tcp_timestamps={s.get('tcp_timestamps')}"
    )


def stored_root_lab() -> dict[str, Any]:
    """The committed run of ``tools/root_lab.py`` (port exhaustion in a private namespace).

    Examples
    --------
    >>> stored_root_lab()["port_range"]
    [20000, 20099]
    """
    text = resources.files("tcpmodel").joinpath("data/root_lab_stored_run.json").read_text(encoding="utf-8")
    return json.loads(text)


def format_root_lab(record: dict[str, Any]) -> str:
    """The root lab's results as a table: observed beside predicted, per configuration."""

    def show(phase: dict[str, Any] | None) -> str:
        if phase is None:
            return "-"
        return f"{phase['succeeded']} then {phase['errno']}" if phase["errno"] else f"all {phase['succeeded']} ok"

    lines = [
        f"Linux {record['kernel']}, recorded {record['date']}; ports {record['port_range'][0]}-{record['port_range'][1]} inside a private namespace",
        f"{'tw_reuse':>8} {'ts':>2} {'closer':7} {'burst: observed':22} {'predicted':22} {'after delay: observed':22} {'predicted':22} agree",
    ]
    for r in record["exhaustion"]:
        lines.append(
            f"{r['tcp_tw_reuse']:>8} {r['tcp_timestamps']:>2} {r['closer']:7} {show(r['observed']['burst']):22} {show(r['predicted']['burst']):22} "
            f"{show(r['observed']['after_delay']):22} {show(r['predicted']['after_delay']):22} {'yes' if r['agree'] else 'NO'}"
        )
    return "\n".join(lines)


def format_root_lab_tw_buckets(record: dict[str, Any]) -> str:
    """The root lab's ``tcp_max_tw_buckets`` runs as a table: observed beside the model's prediction.

    Examples
    --------
    >>> print(format_root_lab_tw_buckets(stored_root_lab()).splitlines()[0])  # doctest: +ELLIPSIS
    Linux ..., recorded ...; ports 20000-20019, tcp_tw_reuse=0, inside a private namespace
    """
    tw = record["tw_buckets"]
    low, high = tw["port_range"]

    def burst(d: dict[str, Any]) -> str:
        ok = f"{d['succeeded']} then {d['errno']}" if d["errno"] else f"all {d['succeeded']} ok"
        return f"{ok}; {d['time_wait']} in TIME_WAIT; {d['overflow']} overflow"

    lines = [
        f"Linux {record['kernel']}, recorded {record['date']}; ports {low}-{high}, tcp_tw_reuse=0, inside a private namespace",
        f"{tw['burst_connections']} client-closed connections in a burst:",
        f"  {'tcp_max_tw_buckets':24} {'observed':50} {'model':50} agree",
    ]
    for b in tw["bursts"]:
        o = b["observed"]
        seen = {"succeeded": o["burst"]["succeeded"], "errno": o["burst"]["errno"], "time_wait": o["time_wait"],
                "overflow": o["tcp_time_wait_overflow"]}
        label = f"{o['tcp_max_tw_buckets']:,}" + (" (default)" if b["cap"] == "default" else "")
        lines.append(f"  {label:24} {burst(seen):50} {burst(b['predicted']):50} {'yes' if b['agree'] else 'NO'}")
    r, p = tw["bound_reconnect"]["observed"], tw["bound_reconnect"]["predicted"]
    lines += [
        f"{r['connections']} connections from bound ports, timestamps off, tcp_max_tw_buckets={tw['cap']}; "
        "connect() again from each port to the same server:",
        f"  observed: {r['time_wait']} in TIME_WAIT, {r['tcp_time_wait_overflow']} overflow; reconnect from a port "
        f"in TIME_WAIT {r['reconnect']['in_time_wait']}, from a port whose close overflowed {r['reconnect']['skipped_time_wait']}",
        f"  model:    {p['time_wait']} in TIME_WAIT, {p['tcp_time_wait_overflow']} overflow; reconnect from a port "
        f"in TIME_WAIT {p['reconnect']['in_time_wait']}, from a port whose close overflowed {p['reconnect']['skipped_time_wait']}",
        f"  agree: {'yes' if tw['bound_reconnect']['agree'] else 'NO'}",
        f"default tcp_max_tw_buckets in a new namespace: {tw['namespace_default']['observed']:,} observed, "
        f"{tw['namespace_default']['predicted']:,} model (half of {tw['host_tcp_ehash_entries']:,} ehash entries)",
    ]
    c = tw["child_ehash"]
    if "skipped" not in c["observed"]:
        lines.append(
            f"namespace created with tcp_child_ehash_entries={c['observed']['tcp_child_ehash_entries']}: "
            f"{c['observed']['child_tcp_ehash_entries']:,} ehash entries and tcp_max_tw_buckets="
            f"{c['observed']['child_tcp_max_tw_buckets']:,} observed, {c['predicted']['child_tcp_ehash_entries']:,} and "
            f"{c['predicted']['child_tcp_max_tw_buckets']:,} model"
        )
    return "\n".join(lines)


def format_root_lab_syn_to_time_wait(record: dict[str, Any]) -> str:
    """The root lab's SYN-to-TIME_WAIT runs (timestamps off) as a table: the model's outcome beside the kernel's.

    Examples
    --------
    >>> print(format_root_lab_syn_to_time_wait(stored_root_lab()).splitlines()[0])  # doctest: +ELLIPSIS
    Linux ..., recorded ...; tcp_timestamps=0, tcp_syn_retries=1, tcp_syn_linear_timeouts=0, inside a private namespace
    """
    runs = record["syn_to_time_wait"]["runs"]
    o0 = runs[0]["observed"]

    def show(d: dict[str, Any]) -> str:
        return f"{d['connect']}, {d['syn_retransmissions']} retx, TW {'kept' if d['server_time_wait_after'] else 'gone'}"

    lines = [
        f"Linux {record['kernel']}, recorded {record['date']}; tcp_timestamps={o0['tcp_timestamps']}, "
        f"tcp_syn_retries={o0['tcp_syn_retries']}, tcp_syn_linear_timeouts={o0['tcp_syn_linear_timeouts']}, inside a private namespace",
        f"the server closes first after the payload; {o0['gap_s'] * 1000:g} ms later the client connects again from the same port",
        "(retx: the client's SYN retransmissions; TW: the server's TIME_WAIT socket afterwards)",
        f"  {'payload (B)':>11} {'rfc1337':>7} {'ISN clock moved':>15} {'model test':11} {'model':26} {'observed':26} {'took':>7} agree",
    ]
    for r in runs:
        o = r["observed"]
        lines.append(
            f"  {r['payload_bytes']:>11,} {r['tcp_rfc1337']:>7} {r['isn_clock_advance']:>15,} {r['accepted_by'] or 'neither':11} "
            f"{show(r['predicted']):26} {show(o):26} {o['connect_s']:>5.3f} s {'yes' if r['agree'] else 'NO'}"
        )
    return "\n".join(lines)


def format_root_lab_restart_networking(record: dict[str, Any]) -> str:
    """The root lab's "restart networking" run: is the TIME_WAIT socket still listed after each step (and the model)?

    Examples
    --------
    >>> print(format_root_lab_restart_networking(stored_root_lab()).splitlines()[0])  # doctest: +ELLIPSIS
    Linux ..., recorded ...; one TIME_WAIT socket, 127.0.0.1:... -> 127.0.0.1:..., inside a private namespace
    """
    r = record["restart_networking"]
    steps = ["; ".join(s["commands"]) or "(nothing yet)" for s in r["steps"]]
    width = max(len(s) for s in steps)
    lines = [
        f"Linux {record['kernel']}, recorded {record['date']}; one TIME_WAIT socket, 127.0.0.1:{r['client_port']} -> "
        f"127.0.0.1:{r['server_port']}, inside a private namespace",
        f"  {'after':{width}} {'ss lists it':11} {'model':5} {'timer left':10} agree",
    ]
    for step, s in zip(steps, r["steps"]):
        left = "-" if s["seconds_left"] is None else f"{s['seconds_left']:.2f} s"
        lines.append(f"  {step:{width}} {'yes' if s['listed'] else 'no':11} {'yes' if s['predicted_listed'] else 'no':5} {left:10} "
                     f"{'yes' if s['agree'] else 'NO'}")
    lines.append(f"  the timer kept counting down, never restarted: {'yes' if r['timer_never_restarted'] else 'NO'}")
    return "\n".join(lines)


def stored_results() -> list[Result]:
    """The stored run's results as :class:`Result` objects.

    Examples
    --------
    >>> all(r.matches for r in stored_results())
    True
    """
    return [Result.from_dict(d) for d in stored_run()["results"]]
