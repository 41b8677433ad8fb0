"""Parsers for the plain-text outputs a server's socket table and counters come in.

Theory of operation
-------------------
Each parser takes the whole text of one input and returns plain data:

* :func:`parse_ss` -- ``ss -tan``, ``ss -tano`` (its ``timer:(timewait,…)``
  column) and ``ss -tan state time-wait`` (no State column), with or without
  a Netid column: a list of :class:`Socket`.
* :func:`parse_proc_tcp` -- ``/proc/net/tcp`` and ``/proc/net/tcp6``, decoded by
  :func:`tcpmodel.live.parse_proc_net_tcp` (the state numbers of
  ``include/net/tcp_states.h``, where ``TCP_TIME_WAIT`` is 6).
* :func:`parse_sockstat` -- ``/proc/net/sockstat``: the ``TCP:`` line.
* :func:`parse_nstat` -- ``nstat -az`` / ``nstat -a``: counter name, value.
* :func:`parse_netstat` -- ``/proc/net/netstat`` (and ``/proc/net/snmp``):
  header and value lines in pairs, named as nstat names them (``TcpExtTW``).
* :func:`parse_sysctl` -- ``sysctl`` output (``name = value``) or
  ``/proc/sys`` paths with values (``grep . /proc/sys/net/ipv4/tcp_*``).

:func:`detect_format` tells which one a text is. Bad input raises
:class:`DiagnoseInputError`, a ``ValueError`` whose one-line message names the
input and what is wrong.

Socket states are the names of ``include/net/tcp_states.h`` as
:data:`tcpmodel.live.TCP_STATES` spells them (``TIME_WAIT``, ``FIN_WAIT2``,
``SYN_RECV``); ss's names (``TIME-WAIT``, ``ESTAB``, ``FIN-WAIT-2``) map to them.

Examples
--------
>>> text = '''State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
... TIME-WAIT 0      0          10.0.0.5:40312      10.1.2.3:8080  timer:(timewait,42sec,0)'''
>>> detect_format(text)
'ss'
>>> s = parse_ss(text)[0]
>>> s.state, s.local, s.remote, s.timer_seconds
('TIME_WAIT', ('10.0.0.5', 40312), ('10.1.2.3', 8080), 42.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "FORMATS",
    "Socket",
    "DiagnoseInputError",
    "detect_format",
    "parse_ss",
    "parse_proc_tcp",
    "parse_sockstat",
    "parse_nstat",
    "parse_netstat",
    "parse_sysctl",
    "SS_STATES",
]

#: The formats :func:`detect_format` recognises, with what each is, for error messages and help.
FORMATS = {
    "ss": "ss -tan / ss -tano / ss -tan state time-wait",
    "proc_tcp": "/proc/net/tcp or /proc/net/tcp6",
    "sockstat": "/proc/net/sockstat",
    "nstat": "nstat -az or nstat -a",
    "netstat": "/proc/net/netstat (or /proc/net/snmp)",
    "sysctl": "sysctl output (name = value) or /proc/sys/...:value lines",
}

#: ss's state names (``sstate_name`` in iproute2's misc/ss.c, as ``ss -tan`` prints them; ss(8) lists the
#: filter names) mapped to the kernel's (include/net/tcp_states.h, as tcpmodel.live.TCP_STATES spells them).
SS_STATES = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV", "FIN-WAIT-1": "FIN_WAIT1",
    "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT", "UNCONN": "CLOSE", "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING", "NEW-SYN-RECV": "NEW_SYN_RECV",
    "UNKNOWN": "UNKNOWN",
}


class DiagnoseInputError(ValueError):
    """An input that cannot be read as any accepted format (the message names the input and the problem)."""


@dataclass(frozen=True)
class Socket:
    """One TCP socket of a socket table.

    ``local`` and ``remote`` are ``(address, port)``; the address is printed
    without brackets (``::ffff:127.0.0.1``), ``"*"`` for a wildcard, and the port
    is ``None`` for ss's ``*``. ``timer_seconds`` is the time left on the
    socket's timer when the input shows it (``ss -o``, ``/proc/net/tcp``).
    """

    state: str
    local: tuple[str, int | None]
    remote: tuple[str, int | None]
    timer: str | None = None
    timer_seconds: float | None = None


def _lines(text: str) -> list[str]:
    """Non-empty lines, without a pasted shell prompt line (``$ ss -tan``)."""
    return [ln.rstrip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("$ ")]


_SYSCTL_LINE = re.compile(r"^\s*([A-Za-z][^\s=]*)\s*=\s*(.*)$")  # sysctl -a keys hold interface names (veth@if2...)
_PROC_SYS_LINE = re.compile(r"^\s*/proc/sys/([A-Za-z0-9_./\-]+):(.*)$")
_NSTAT_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\s+-?\d+(\s+-?[\d.]+)?$")
_NETSTAT_HEADER = re.compile(r"^([A-Za-z0-9]+):((\s+[A-Za-z0-9_]+)+)\s*$")


def detect_format(text: str, name: str = "input") -> str:
    """The format of ``text``: a key of :data:`FORMATS`.

    Raises
    ------
    DiagnoseInputError
        If the text is empty or no format matches; the message names ``name``
        and lists the formats accepted.

    Examples
    --------
    >>> detect_format("TCP: inuse 5 orphan 0 tw 3 alloc 6 mem 1")
    'sockstat'
    >>> detect_format("net.ipv4.tcp_tw_reuse = 2")
    'sysctl'
    >>> detect_format("hello", "notes.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tcpmodel.diagnose.parsers.DiagnoseInputError: notes.txt: not a recognised input (first line 'hello'); accepted: ss -tan ...
    """
    head = _lines(text[:4096])[:1]
    if head:  # a socket table is told by its header alone (it may have a hundred thousand rows)
        first = head[0].split()
        if first[:2] == ["sl", "local_address"]:
            return "proc_tcp"
        if first[0] in ("State", "Recv-Q", "Netid") and any(w.startswith("Local") for w in first):
            return "ss"
    lines = _lines(text)
    if not lines:
        raise DiagnoseInputError(f"{name}: empty input; accepted: {'; '.join(FORMATS.values())}")
    if lines[0].startswith("sockets:") or any(ln.startswith("TCP: inuse") for ln in lines[:3]):
        return "sockstat"
    if lines[0].startswith("#kernel") or all(_NSTAT_LINE.match(ln) for ln in lines):
        return "nstat"
    if _NETSTAT_HEADER.match(lines[0]) and len(lines) >= 2 and lines[1].split(":")[0] == lines[0].split(":")[0]:
        return "netstat"
    if all(_SYSCTL_LINE.match(ln) or _PROC_SYS_LINE.match(ln) or ln.startswith("sysctl:") for ln in lines):
        return "sysctl"
    shown = lines[0] if len(lines[0]) <= 60 else lines[0][:57] + "..."
    raise DiagnoseInputError(f"{name}: not a recognised input (first line {shown!r}); accepted: "
                             + "; ".join(FORMATS.values()))


def _split_endpoint(text: str, name: str, lineno: int) -> tuple[str, int | None]:
    """``127.0.0.1:80``, ``[::1]:80``, ``*:80``, ``0.0.0.0:*``, ``10.0.0.1%eth0:53`` → (address, port)."""
    address, sep, port = text.rpartition(":")
    if not sep or not address:
        raise DiagnoseInputError(f"{name}: line {lineno}: {text!r} is not an address:port")
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    address = address.split("%", 1)[0]
    if port == "*":
        return address, None
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise DiagnoseInputError(f"{name}: line {lineno}: port {port!r} is not a number in [0, 65535] "
                                 "(use ss -n, numeric ports: ss -tan)")
    return address, int(port)


_TIMER = re.compile(r"timer:\((\w+),([^,)]*)")
_TIMER_PARTS = re.compile(r"([\d.]+)(min|sec|ms)")


def _timer_seconds(text: str) -> float | None:
    """``42sec``, ``1min2sec``, ``200ms``, ``1.5sec`` (ss's print_timer format) → seconds."""
    total, found = 0.0, False
    for value, unit in _TIMER_PARTS.findall(text):
        total += float(value) * {"min": 60.0, "sec": 1.0, "ms": 0.001}[unit]
        found = True
    return total if found else None


def parse_ss(text: str, name: str = "ss", *, state: str | None = None) -> list[Socket]:
    """Sockets from ``ss -tan`` / ``ss -tano`` / ``ss -tan state FILTER`` output.

    ``ss ... state time-wait`` prints no State column: its rows take ``state``,
    and when that is ``None``, the state of a ``timer:(timewait,…)`` column if
    present, else ``TIME_WAIT`` (the filter the course uses; the report says so).

    Examples
    --------
    >>> rows = parse_ss('''Recv-Q Send-Q      Local Address:Port        Peer Address:Port Process
    ... 0      0      [::ffff:127.0.0.1]:60033 [::ffff:127.0.0.1]:34826
    ... 0      0                   [::1]:36370              [::1]:37077''')
    >>> [(r.state, r.local, r.remote) for r in rows]
    [('TIME_WAIT', ('::ffff:127.0.0.1', 60033), ('::ffff:127.0.0.1', 34826)), ('TIME_WAIT', ('::1', 36370), ('::1', 37077))]
    >>> parse_ss("State Recv-Q Send-Q Local Address:Port Peer Address:Port\\nLISTEN 0 128 *:22 *:*")[0].remote
    ('*', None)
    """
    lines = _lines(text)
    if not lines:
        raise DiagnoseInputError(f"{name}: empty input; expected {FORMATS['ss']}")
    header = lines[0].split()
    has_netid = header[0] == "Netid"
    has_state = "State" in header[:2]
    if state is not None:
        from tcpmodel.live import TCP_STATES

        if state not in TCP_STATES.values():
            raise DiagnoseInputError(f"state must be one of {', '.join(TCP_STATES.values())}; got {state!r}")
    rows = []
    # a big table repeats its peers and timer texts: parse each distinct text once
    endpoints: dict[str, tuple[str, int | None]] = {}
    timers: dict[str, tuple[str | None, float | None]] = {}
    for lineno, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if has_netid:
            if fields[0] != "tcp":
                continue
            fields = fields[1:]
        row_state = None
        if has_state:
            if fields[0] not in SS_STATES:
                raise DiagnoseInputError(f"{name}: line {lineno}: unknown ss state {fields[0]!r} "
                                         f"(ss prints {', '.join(SS_STATES)})")
            row_state = SS_STATES[fields[0]]
            fields = fields[1:]
        if len(fields) < 4 or not (fields[0].isdigit() and fields[1].isdigit()):
            raise DiagnoseInputError(f"{name}: line {lineno}: expected Recv-Q Send-Q Local Peer columns; got {line.strip()!r}")
        local = endpoints.get(fields[2])
        if local is None:
            local = endpoints[fields[2]] = _split_endpoint(fields[2], name, lineno)
        remote = endpoints.get(fields[3])
        if remote is None:
            remote = endpoints[fields[3]] = _split_endpoint(fields[3], name, lineno)
        rest = " ".join(fields[4:])
        timer = timers.get(rest)
        if timer is None:
            found = _TIMER.search(rest)
            timer = timers[rest] = (found.group(1), _timer_seconds(found.group(2))) if found else (None, None)
        if row_state is None:
            row_state = state or ("TIME_WAIT" if timer[0] is None or timer[0] == "timewait" else "UNKNOWN")
        rows.append(Socket(row_state, local, remote, timer[0], timer[1]))
    return rows


def parse_proc_tcp(text: str, name: str = "/proc/net/tcp") -> list[Socket]:
    r"""Sockets from ``/proc/net/tcp`` or ``/proc/net/tcp6`` (the family is told by the address width).

    Examples
    --------
    >>> text = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    ...         "   3: 0100007F:C62E 0100007F:1F90 06 00000000:00000000 03:0000176A 00000000     0        0 0 3 0\n")
    >>> s = parse_proc_tcp(text)[0]
    >>> s.state, s.local, s.remote, s.timer_seconds
    ('TIME_WAIT', ('127.0.0.1', 50734), ('127.0.0.1', 8080), 59.94)
    """
    from tcpmodel.live import parse_proc_net_tcp

    lines = _lines(text)
    if not lines or lines[0].split()[:2] != ["sl", "local_address"]:
        raise DiagnoseInputError(f"{name}: expected the header of {FORMATS['proc_tcp']} ('sl local_address ...')")
    by_family: dict[str, list[str]] = {"ipv4": [], "ipv6": []}
    hexa = re.compile(r"^[0-9A-Fa-f]+:[0-9A-Fa-f]{4}$")
    for lineno, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if (len(fields) < 10 or not hexa.match(fields[1]) or not hexa.match(fields[2])
                or not re.fullmatch(r"[0-9A-Fa-f]{2}", fields[3]) or ":" not in fields[5]):
            raise DiagnoseInputError(f"{name}: line {lineno}: not a /proc/net/tcp row: {line.strip()[:60]!r}")
        width = len(fields[1].split(":")[0])
        if width not in (8, 32) or len(fields[2].split(":")[0]) != width:
            raise DiagnoseInputError(f"{name}: line {lineno}: an address must have 8 (IPv4) or 32 (IPv6) hex digits")
        by_family["ipv4" if width == 8 else "ipv6"].append(line)
    rows = []
    for family, family_lines in by_family.items():
        if family_lines:
            rows += parse_proc_net_tcp("header\n" + "\n".join(family_lines), family)
    return [Socket(r.state, r.local, r.remote, r.timer, r.timer_seconds) for r in rows]


def parse_sockstat(text: str, name: str = "/proc/net/sockstat") -> dict[str, int]:
    """The ``TCP:`` line of ``/proc/net/sockstat``: ``inuse``, ``orphan``, ``tw``, ``alloc``, ``mem`` (pages).

    Examples
    --------
    >>> parse_sockstat("sockets: used 46\\nTCP: inuse 21 orphan 0 tw 40 alloc 21 mem 76")
    {'inuse': 21, 'orphan': 0, 'tw': 40, 'alloc': 21, 'mem': 76}
    """
    for line in _lines(text):
        if line.startswith("TCP:"):
            words = line.split()[1:]
            if len(words) % 2 or not all(v.lstrip("-").isdigit() for v in words[1::2]):
                raise DiagnoseInputError(f"{name}: the TCP: line must be name value pairs; got {line!r}")
            return {k: int(v) for k, v in zip(words[::2], words[1::2])}
    raise DiagnoseInputError(f"{name}: no 'TCP: inuse ...' line; expected {FORMATS['sockstat']}")


def parse_nstat(text: str, name: str = "nstat") -> dict[str, int]:
    """Counters from ``nstat -az`` or ``nstat -a``: ``{"TcpExtTW": 14717, ...}``.

    Examples
    --------
    >>> parse_nstat("#kernel\\nTcpExtTW    14717   0.0\\nTcpExtTCPTimeWaitOverflow 0 0.0")
    {'TcpExtTW': 14717, 'TcpExtTCPTimeWaitOverflow': 0}
    """
    counters = {}
    for lineno, line in enumerate(_lines(text), start=1):
        if line.startswith("#"):
            continue
        if not _NSTAT_LINE.match(line):
            raise DiagnoseInputError(f"{name}: line {lineno}: expected 'Counter value [rate]'; got {line.strip()[:60]!r}")
        key, value = line.split()[:2]
        counters[key] = int(value)
    return counters


def parse_netstat(text: str, name: str = "/proc/net/netstat") -> dict[str, int]:
    """Counters from ``/proc/net/netstat`` (or ``/proc/net/snmp``), named as nstat names them.

    Each group is a header line (``TcpExt: TW TWRecycled ...``) followed by a
    value line (``TcpExt: 14717 777 ...``); ``net/ipv4/proc.c`` prints the names
    of ``snmp4_net_list`` in the TcpExt group.

    Examples
    --------
    >>> parse_netstat("TcpExt: TW TWRecycled\\nTcpExt: 14717 777")
    {'TcpExtTW': 14717, 'TcpExtTWRecycled': 777}
    """
    lines = _lines(text)
    if len(lines) % 2:
        raise DiagnoseInputError(f"{name}: header and value lines must come in pairs; got {len(lines)} lines")
    counters = {}
    for i in range(0, len(lines), 2):
        head, _, names = lines[i].partition(":")
        head2, _, values = lines[i + 1].partition(":")
        names_, values_ = names.split(), values.split()
        if head != head2 or len(names_) != len(values_) or not all(v.lstrip("-").isdigit() for v in values_):
            raise DiagnoseInputError(f"{name}: lines {i + 1}-{i + 2}: a '{head}:' header needs a value line "
                                     "with one number per name")
        counters.update({head + n: int(v) for n, v in zip(names_, values_)})
    return counters


def parse_sysctl(text: str, name: str = "sysctl") -> dict[str, str]:
    """``{"net.ipv4.tcp_tw_reuse": "2", "net.ipv4.ip_local_port_range": "32768 60999", ...}``.

    Accepts ``sysctl -a`` / ``sysctl NAME ...`` output (``name = value``) and
    ``/proc/sys`` paths with values (``/proc/sys/net/ipv4/tcp_tw_reuse:2``, as
    ``grep . /proc/sys/net/ipv4/*`` prints them); whitespace inside a value is
    one space. ``sysctl:`` error lines are skipped.

    Examples
    --------
    >>> parse_sysctl("net.ipv4.ip_local_port_range = 32768\\t60999\\n/proc/sys/net/ipv4/tcp_tw_reuse:1")
    {'net.ipv4.ip_local_port_range': '32768 60999', 'net.ipv4.tcp_tw_reuse': '1'}
    """
    values = {}
    for lineno, line in enumerate(_lines(text), start=1):
        if line.startswith("sysctl:"):
            continue
        m = _PROC_SYS_LINE.match(line)
        if m:
            key, value = m.group(1).replace("/", "."), m.group(2)
        else:
            m = _SYSCTL_LINE.match(line)
            if not m:
                raise DiagnoseInputError(f"{name}: line {lineno}: expected 'name = value'; got {line.strip()[:60]!r}")
            key, value = m.group(1).replace("/", "."), m.group(2)
        values[key] = " ".join(value.split())
    return values
