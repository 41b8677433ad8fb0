"""The diagnosis of a socket table and counters: who closes first, the port budget, what binds, what to do.

Theory of operation
-------------------
Every figure comes from :mod:`tcpmodel`'s models and tables:

* **Who closes first.** The side that sends the first FIN enters TIME_WAIT
  (RFC 9293 §3.6), so each TIME_WAIT socket names this host's role in its
  connection. Its local port is a listening port (a LISTEN socket in the
  table): this host accepted the connection and closed first, the *server*.
  Its peer's port is a listening port here, or its local port lies in the
  ephemeral range and the peer's does not: this host connected and closed
  first, the *client*. The range is the sysctl input's, else Linux's
  default (:class:`tcpmodel.linux.LinuxConfig`). Anything else is "unknown".
* **The port budget** of each (source IP, destination IP, destination port)
  is :func:`tcpmodel.models.incident_analysis` of its TIME_WAIT count, with
  the other connections to it as ``established``: the ports of the range,
  the sustainable rate, the utilisation, and ``binding == "ports"`` at 95%.
  The rate is ``rate=`` when given, else Little's law ``N / T`` with
  ``T`` = ``TCP_TIMEWAIT_LEN`` (an estimate that assumes a steady state), and
  the time to exhaustion is :func:`tcpmodel.models.time_to_exhaustion` of it.
* **What binds:** ports (a budget at 95% or more); ``tcp_max_tw_buckets``
  (the TIME_WAIT count at the cap, or ``TCPTimeWaitOverflow`` above 0); memory
  (sockstat's ``mem`` at or above ``tcp_mem``'s pressure value, both in
  pages: Documentation/networking/ip-sysctl.rst ``tcp_mem``); or none.
* **What to do:** rows of notebook 07's decision table
  (:data:`tcpmodel.workarounds.DECISION_TABLE`) shown with their own risk
  and source.

Examples
--------
>>> from tcpmodel.diagnose import diagnose_text
>>> ss = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\\n" + "\\n".join(
...     f"TIME-WAIT 0 0 10.0.0.5:{p} 10.1.2.3:8080" for p in range(40000, 40100))
>>> r = diagnose_text(ss=ss)
>>> r.time_wait_total, r.closers["client"], r.binding
(100, 100, 'none')
>>> b = r.budgets[0]
>>> (b.source_ip, b.destination, b.ports_left, round(b.rate, 3), b.rate_is_estimate)
('10.0.0.5', '10.1.2.3:8080', 28132, 1.667, True)
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from tcpmodel.diagnose.counters import COUNTERS, counter_lines  # noqa: F401
from tcpmodel.diagnose.inputs import Inputs
from tcpmodel.diagnose.parsers import Socket

__all__ = ["Budget", "Report", "analyse", "classify_closer", "HOLDS_PORT"]

#: States in which a socket holds its local port and 4-tuple (everything but LISTEN and CLOSE).
HOLDS_PORT = ("ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE_WAIT",
              "LAST_ACK", "CLOSING")
#: incident_analysis's rule for "ports" (a budget this full binds).
_PORTS_BIND_AT = 0.95


@dataclass(frozen=True)
class Budget:
    """The port budget of one (source IP, destination IP, destination port) this host connects to and closes first."""

    source_ip: str
    destination: str
    time_wait: int
    other_open: int
    ports: int
    ports_left: int
    utilisation: float
    limit_rate: float
    rate: float
    rate_is_estimate: bool
    exhaustion_s: float
    failing_rate: float | None
    binding: str


@dataclass
class Report:
    """A diagnosis. ``str(report)`` (:meth:`render`) is the text the CLI prints.

    Attributes
    ----------
    inputs, notes : list of str
        What was read, and what was assumed.
    time_wait_total : int or None
        TIME_WAIT sockets in the socket table (``None``: no table given).
    sockstat_tw : int or None
        sockstat's ``tw``: the namespace's TIME_WAIT minisocks, which include
        orphaned FIN_WAIT_2 sockets (``tw_refcount - 1``, net/ipv4/proc.c
        ``sockstat_seq_show``).
    by_remote : list of (str, int)
        TIME_WAIT sockets by remote endpoint (address and port), the most first (top N).
    by_remote_host : list of (str, int)
        The same by remote address alone (a server's peers each use many ports).
    closers : dict
        TIME_WAIT sockets where this host was the ``"server"``, the ``"client"``, or ``"unknown"``.
    server_ports : list of (int, int)
        Local (listening) ports holding server-side TIME_WAIT, with counts.
    budgets : list of Budget
        The busiest (source IP, destination) tuples first.
    counters : dict
        The TIME_WAIT counters found (:data:`tcpmodel.diagnose.counters.COUNTERS`).
    binding : str
        ``"ports"``, ``"tcp_max_tw_buckets"``, ``"memory"`` or ``"none"``; ``bindings`` lists all that bind.
    workarounds : list of (Workaround, str)
        Decision-table rows that fit, with why.
    """

    inputs: list[str]
    notes: list[str]
    config: object
    time_wait_s: float
    time_wait_total: int | None
    sockstat_tw: int | None
    by_remote: list[tuple[str, int]]
    by_remote_host: list[tuple[str, int]]
    closers: dict[str, int]
    closer_basis: str
    server_ports: list[tuple[int, int]]
    budgets: list[Budget]
    counters: dict[str, int]
    memory: dict
    binding: str
    bindings: list[tuple[str, str]]
    workarounds: list[tuple[object, str]] = field(default_factory=list)
    top: int = 10

    def render(self) -> str:
        """The report as text."""
        return _render(self)

    def __str__(self) -> str:
        return self.render()


def _endpoint(addr: tuple[str, int | None]) -> str:
    host, port = addr
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{'*' if port is None else port}"


def classify_closer(sock: Socket, listening: set[int], port_range: tuple[int, int]) -> str:
    """``"server"``, ``"client"`` or ``"unknown"``: this host's role in the connection of a TIME_WAIT socket.

    Examples
    --------
    >>> s = Socket("TIME_WAIT", ("10.0.0.5", 443), ("192.0.2.9", 51000))
    >>> classify_closer(s, {443}, (32768, 60999)), classify_closer(s, set(), (32768, 60999))
    ('server', 'server')
    >>> classify_closer(Socket("TIME_WAIT", ("10.0.0.5", 40000), ("10.1.2.3", 8080)), set(), (32768, 60999))
    'client'
    >>> classify_closer(Socket("TIME_WAIT", ("127.0.0.1", 40000), ("127.0.0.1", 50000)), set(), (32768, 60999))
    'unknown'
    """
    local, remote = sock.local[1], sock.remote[1]
    if local in listening:
        return "server"
    if remote in listening:
        return "client"
    low, high = port_range
    local_eph = local is not None and low <= local <= high
    remote_eph = remote is not None and low <= remote <= high
    if local_eph and not remote_eph:
        return "client"
    if remote_eph and not local_eph:
        return "server"
    return "unknown"


def analyse(inputs: Inputs, *, rate: float | None = None, top: int = 10) -> Report:
    """The :class:`Report` of ``inputs`` (see the module's theory of operation)."""
    from tcpmodel._validate import require_int, require_number
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S
    from tcpmodel.models import ephemeral_port_count, incident_analysis, time_to_exhaustion, time_wait_memory_bytes

    top = require_int("top", top, low=1, high=10_000)
    if rate is not None:
        rate = require_number("rate", rate, low=0, low_open=True, high=1e9, unit="connections/s")
    config = inputs.config()
    tw_len = TCP_TIMEWAIT_LEN_S
    notes = list(inputs.notes)
    sockets = inputs.sockets
    tw = [s for s in sockets or [] if s.state == "TIME_WAIT"]
    listening = {s.local[1] for s in sockets or [] if s.state == "LISTEN" and s.local[1] is not None}
    if sockets is None:
        basis = "no socket table given"
    elif listening:
        basis = (f"LISTEN sockets in the table (ports {_ports_text(sorted(listening))}), then the ephemeral range "
                 f"{config.ip_local_port_range[0]}-{config.ip_local_port_range[1]}")
    else:
        basis = (f"no LISTEN sockets in the table: the ephemeral range {config.ip_local_port_range[0]}-"
                 f"{config.ip_local_port_range[1]} ({_range_source(inputs)})")
    roles = [classify_closer(s, listening, config.ip_local_port_range) for s in tw]
    closers = Counter({"server": 0, "client": 0, "unknown": 0})
    closers.update(roles)
    server_ports = Counter(s.local[1] for s, role in zip(tw, roles) if role == "server").most_common(top)
    by_remote = [(_endpoint(r), n) for r, n in Counter(s.remote for s in tw).most_common(top)]  # _endpoint is one-to-one
    by_remote_host = Counter(s.remote[0] for s in tw).most_common(top)
    if closers["unknown"] and "net.ipv4.ip_local_port_range" not in inputs.sysctl and inputs.live_config is None:
        notes.append(f"{closers['unknown']:,} TIME_WAIT socket(s) could not be placed with Linux's default port range: "
                     "give the host's sysctl net.ipv4.ip_local_port_range (and ss -tan with its LISTEN rows)")

    # Port budgets of the tuples this host connects to (client side), busiest first.
    low, high = config.ip_local_port_range
    groups: dict[tuple, Counter] = {}
    for s in [s for s, role in zip(tw, roles) if role == "client"] + [s for s in sockets or [] if s.state != "TIME_WAIT"]:
        if s.state not in HOLDS_PORT or s.local[1] is None or s.remote[1] is None:
            continue
        if s.state != "TIME_WAIT" and not (low <= s.local[1] <= high and s.remote[1] not in listening
                                           and s.local[1] not in listening):
            continue
        key = (s.local[0], s.remote)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Counter()
        group["tw" if s.state == "TIME_WAIT" else "open"] += 1
    groups = {(src, _endpoint(remote)): c for (src, remote), c in groups.items()}  # one-to-one: no two merge
    budgets = []
    ports = ephemeral_port_count(low, high)
    for (src, dst), c in sorted(groups.items(), key=lambda kv: (-kv[1]["tw"], kv[0]))[:top]:
        if not c["tw"]:
            continue
        other = min(c["open"], ports - 1)
        a = incident_analysis(c["tw"], port_range=(low, high), established=other, time_wait_s=tw_len,
                              demand_rate=rate)
        r = rate if rate is not None else a["implied_rate"]
        budgets.append(Budget(
            source_ip=src, destination=dst, time_wait=c["tw"], other_open=other, ports=a["ports"],
            ports_left=max(0, a["free_ports"] - c["tw"]), utilisation=a["utilisation"], limit_rate=a["limit_rate"],
            rate=r, rate_is_estimate=rate is None,
            exhaustion_s=time_to_exhaustion(r, a["free_ports"], tw_len) if r > 0 else math.inf,
            failing_rate=a["failing_rate"], binding=a["binding"],
        ))

    counters = {k: v for k, v in inputs.counters.items() if k in COUNTERS}
    sockstat_tw = inputs.sockstat.get("tw") if inputs.sockstat else None
    tw_count = sockstat_tw if sockstat_tw is not None else (len(tw) if sockets is not None else None)
    tcp_mem = inputs.tcp_mem()
    memory = {
        "time_wait_bytes": time_wait_memory_bytes(tw_count) if tw_count is not None else None,
        "sockstat_mem_pages": inputs.sockstat.get("mem") if inputs.sockstat else None,
        "tcp_mem_pages": tcp_mem,
    }

    bindings: list[tuple[str, str]] = []
    full = [b for b in budgets if b.binding == "ports"]
    if full:
        b = full[0]
        bindings.append(("ports", f"{len(full)} destination tuple(s) at {_PORTS_BIND_AT:.0%} or more of their port "
                                  f"budget (the fullest: {b.source_ip} -> {b.destination}, {b.utilisation:.1%})"))
    cap = config.tcp_max_tw_buckets
    overflow = counters.get("TcpExtTCPTimeWaitOverflow", 0)
    if cap is not None and tw_count is not None and tw_count >= cap:
        bindings.append(("tcp_max_tw_buckets", f"{tw_count:,} TIME_WAIT sockets at the cap tcp_max_tw_buckets = {cap:,}"))
    elif overflow > 0:
        bindings.append(("tcp_max_tw_buckets", f"TCPTimeWaitOverflow = {overflow:,}: closes found the cap full at some "
                                               "time since the counters started (a counter, not the present)"))
    if tcp_mem and memory["sockstat_mem_pages"] is not None and memory["sockstat_mem_pages"] >= tcp_mem[1]:
        bindings.append(("memory", f"sockstat mem {memory['sockstat_mem_pages']:,} pages is at or above tcp_mem's "
                                   f"pressure value {tcp_mem[1]:,} pages"))
    binding = bindings[0][0] if bindings else "none"

    report = Report(
        inputs=list(inputs.described), notes=notes, config=config, time_wait_s=tw_len,
        time_wait_total=len(tw) if sockets is not None else None, sockstat_tw=sockstat_tw, by_remote=by_remote,
        by_remote_host=by_remote_host,
        closers=dict(closers), closer_basis=basis, server_ports=server_ports, budgets=budgets, counters=counters,
        memory=memory, binding=binding, bindings=bindings, top=top,
    )
    report.workarounds = _workarounds(report, inputs)
    return report


def _range_source(inputs: Inputs) -> str:
    if inputs.live_config is not None:
        return "this machine's /proc/sys"
    return "sysctl input" if "net.ipv4.ip_local_port_range" in inputs.sysctl else "Linux default"


def _ports_text(ports: list[int]) -> str:
    shown = ", ".join(str(p) for p in ports[:8])
    return shown + (f" and {len(ports) - 8} more" if len(ports) > 8 else "")


def _workarounds(report: Report, inputs: Inputs) -> list[tuple[object, str]]:
    """The decision-table rows that fit the diagnosis, each with why."""
    from tcpmodel.workarounds import decision_row

    rows: list[tuple[object, str]] = []
    recycle = inputs.sysctl.get("net.ipv4.tcp_tw_recycle")
    passive = report.counters.get("TcpExtPAWSPassive", 0)
    if recycle not in (None, "0") or passive > 0:
        seen = [f"net.ipv4.tcp_tw_recycle = {recycle}" if recycle not in (None, "0") else "",
                f"PAWSPassive = {passive:,} SYNs dropped" if passive > 0 else ""]
        rows.append((decision_row("tcp_tw_recycle"), "this host runs it (" + "; ".join(filter(None, seen)) +
                     "): it is the cause to undo, not a fix; set it to 0"))
    side = "client" if report.closers.get("client", 0) >= report.closers.get("server", 0) else "server"
    config = report.config
    kinds = {k for k, _ in report.bindings}
    if "ports" in kinds:
        if config.tcp_tw_reuse != 1 and config.tcp_timestamps != 0:
            rows.append((decision_row("tcp_tw_reuse"), f"this host connects and closes first, tcp_tw_reuse = "
                         f"{config.tcp_tw_reuse} and timestamps are on here (the peer must send them too)"))
        rows.append((decision_row("pooling"), "fewer new connections per request: fewer TIME_WAIT 4-tuples"))
        rows.append((decision_row("more_tuples"), "each more destination address or port, or source address, "
                     "brings a whole port range of 4-tuples"))
        rows.append((decision_row("port_range"), f"the range has {report.budgets[0].ports:,} ports"))
    if kinds & {"tcp_max_tw_buckets", "memory"}:
        if side == "server":
            rows.append((decision_row("client_closes_first"), "this host closes first as a server: its TIME_WAIT "
                         "would move to the clients"))
        rows.append((decision_row("pooling"), "fewer connections closed per second: a smaller TIME_WAIT population"))
    if not kinds and report.closers.get("server", 0):
        ports = ", ".join(str(p) for p, _ in report.server_ports[:5])
        rows.append((decision_row("so_reuseaddr"), f"server-side TIME_WAIT sits on listening port(s) {ports}: "
                     "a restarted server's bind() there fails with EADDRINUSE unless both listeners set it"))
    seen_keys: set[str] = set()
    unique = []
    for row, why in rows:
        if row.key not in seen_keys:
            seen_keys.add(row.key)
            unique.append((row, why))
    return unique


def _fmt_bytes(n: float) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n:,.0f} B"


def _fmt_s(seconds: float) -> str:
    return "never at this rate (it is sustainable)" if math.isinf(seconds) else f"{seconds:,.1f} s from a cold start"


def _render(r: Report) -> str:
    from tcpmodel.models import who_holds_time_wait

    out = ["TIME_WAIT diagnosis", "inputs: " + ("; ".join(r.inputs) or "none")]
    out += [f"note: {n}" for n in r.notes]
    out.append(f"sysctls: {r.config.source}")
    if r.config.kernel is not None:
        from tcpmodel.linux import kernel_version_text

        out.append(f"kernel: Linux {kernel_version_text(r.config.kernel)}")
    out.append("")
    if r.time_wait_total is None:
        out.append("TIME_WAIT sockets: no socket table given (ss -tan or /proc/net/tcp)")
    else:
        out.append(f"TIME_WAIT sockets: {r.time_wait_total:,} in the socket table")
    if r.sockstat_tw is not None:
        out.append(f"  sockstat tw: {r.sockstat_tw:,} (TIME_WAIT minisocks of the namespace, orphaned FIN_WAIT_2 included)")
    if r.by_remote:
        out.append(f"  by remote endpoint (top {r.top}):")
        out += [f"    {count:>8,}  {ep}" for ep, count in r.by_remote]
        if len(r.by_remote_host) < len(r.by_remote) or r.by_remote_host[0][1] > r.by_remote[0][1]:
            out.append(f"  by remote address (top {r.top}):")
            out += [f"    {count:>8,}  {host}" for host, count in r.by_remote_host]
    if r.time_wait_total:
        c = r.closers
        out.append(f"who closed first ({r.closer_basis}):")
        out.append(f"  this host as the server: {c['server']:,}; as the client: {c['client']:,}; unknown: {c['unknown']:,}")
        if r.server_ports:
            out.append("  server-side TIME_WAIT on local port(s): "
                       + ", ".join(f"{p} ({n:,})" for p, n in r.server_ports))
        for side in ("client", "server"):
            if c[side]:
                out.append(f"  as the {side} it pays in {who_holds_time_wait(side)['pays_in']}")
    out.append("")
    if r.budgets:
        out.append(f"port budget per (source IP, destination IP, destination port), TIME_WAIT {r.time_wait_s:g} s "
                   f"(TCP_TIMEWAIT_LEN), range {r.config.ip_local_port_range[0]}-{r.config.ip_local_port_range[1]}:")
        for b in r.budgets:
            label = (f"estimated with Little's law, {b.time_wait:,} / {r.time_wait_s:g} s; assumes a steady state"
                     if b.rate_is_estimate else "given")
            out.append(f"  {b.source_ip} -> {b.destination}: {b.time_wait:,} TIME_WAIT + {b.other_open:,} open of "
                       f"{b.ports:,} ports, {b.ports_left:,} left ({b.utilisation:.1%} used)")
            tte = "none: no port is left now" if b.ports_left == 0 else _fmt_s(b.exhaustion_s)
            out.append(f"    rate {b.rate:,.1f}/s ({label}); sustainable {b.limit_rate:,.1f}/s; "
                       f"time to exhaustion: {tte}")
            if b.failing_rate:
                out.append(f"    at {b.rate:,.1f}/s, {b.failing_rate:,.1f} connect() calls per second fail (EADDRNOTAVAIL)")
            if b.rate_is_estimate and b.binding == "ports":
                out.append("    a full budget caps the estimate at the limit itself: the demand may be higher (give the "
                           "rate, --rate / rate=)")
    elif r.time_wait_total:
        out.append("port budget: no TIME_WAIT socket of this host as a client, so no connect() port budget is spent")
    if r.counters:
        out.append("counters (net/ipv4/proc.c snmp4_net_list names; what each counts, and where):")
        out += [f"  {line}" for line in counter_lines(r.counters)]
    mem = r.memory
    if mem["time_wait_bytes"] is not None:
        from tcpmodel.linux import TW_SOCK_BYTES

        out.append(f"memory: TIME_WAIT sockets hold about {_fmt_bytes(mem['time_wait_bytes'])} at {TW_SOCK_BYTES} "
                   "bytes each (tw_sock_TCP slab, Linux 6.18 x86_64; varies by kernel)")
    if mem["sockstat_mem_pages"] is not None:
        # sockstat's mem is proto_memory_allocated(&tcp_prot) (net/ipv4/proc.c sockstat_seq_show); a TIME_WAIT
        # minisock comes from its own slab, uncharged (net/ipv4/inet_timewait_sock.c inet_twsk_alloc)
        tcp_mem = mem["tcp_mem_pages"]
        out.append(f"  sockstat mem: {mem['sockstat_mem_pages']:,} pages" + (
            f" (tcp_mem min/pressure/max: {tcp_mem[0]:,} / {tcp_mem[1]:,} / {tcp_mem[2]:,} pages)" if tcp_mem
            else " (give sysctl net.ipv4.tcp_mem to compare)")
            + "; socket buffers, not TIME_WAIT sockets, which come from their own slab and are not counted in it")
    out.append("")
    out.append(f"binding resource: {r.binding}")
    out += [f"  - {kind}: {why}" for kind, why in r.bindings]
    if r.workarounds:
        out.append("workarounds that fit (notebook 07's decision table, tcpmodel.workarounds):")
        for row, why in r.workarounds:
            out.append(f"  * {row.name} (helps {row.helps}; needs root: {'yes' if row.needs_root else 'no'}; "
                       f"Linux {row.linux})")
            out.append(f"    why here: {why}")
            out.append(f"    risk: {row.risk}")
            out.append(f"    source: {row.source}")
    elif r.binding == "none":
        out.append("workarounds: none needed; nothing binds")
    return "\n".join(out)
