"""Record the real-capture corpus: TCP closes on this machine's kernel, with the ground truth the kernel showed.

What it does
------------
For each case it creates two private network namespaces, a client and a
server joined by a veth pair (10.200.0.1 and 10.200.0.2, or fd00:200::1 and
fd00:200::2 for the IPv6 case), and inside them only:

* starts ``tcpdump`` on the server's veth (``-U``, snap length
  :data:`SNAPLEN`, filter ``tcp port <the case's server port>``), so each
  capture holds one case and stays a few kilobytes;
* runs a small worker (standard library only) that opens sockets in both
  namespaces (``setns(2)`` moves it between them), connects, exchanges a
  request and a reply, and closes the way the case says;
* polls ``ss -tan`` in both namespaces at key moments and after every close
  until no socket of the 4-tuple is in a transient state (the states in the
  ground truth are the kernel's, not a replay's), and counts each side's
  retransmitted segments (``RetransSegs`` in ``/proc/net/snmp``) over the
  close, and records each ``errno`` a call returned.

It writes ``<case>.pcap`` and ``<case>.json`` (the ground truth; the schema is
in ``tcpmodel/data/captures/README.md``), and for ``port_exhaustion`` and
``server_closes_first`` the full text of ``ss -tano``, ``nstat -az``,
``/proc/net/sockstat`` and ``sysctl`` taken in one namespace at the moment
that matters (``<case>.ss.txt`` and so on).

Sysctls are set per namespace only, by code that refuses to write in the
host's namespace; the namespaces carry the prefix :data:`PREFIX`, are deleted
in ``finally`` and at exit, and stale ones of that prefix (from a killed run)
are deleted at start. The whole recording takes a few seconds: nothing waits
for a TIME_WAIT to end.

Usage
-----
``sudo .venv/bin/python tools/record_captures.py --out tcpmodel/data/captures``
``[--case NAME ...] [--list]``

Exit status: 0 recorded; 1 a case failed (the message says which and why);
2 bad arguments; 77 cannot run here (not root, not Linux, or ``ip``,
``tcpdump`` or ``nft`` missing), with the reason and the command to install.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import json
import os
import platform
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
import netns_lab  # noqa: E402  (tools/netns_lab.py: the namespace helpers shared with tools/root_lab.py)

#: Every namespace this script creates is named under this prefix.
PREFIX = "tcpmodel-cap-"
SKIPPED = 77
SNAPLEN = 128
CLIENT_DEV, SERVER_DEV = "cap-client", "cap-server"
ADDRESSES = {4: ("10.200.0.1", "10.200.0.2", 24), 6: ("fd00:200::1", "fd00:200::2", 64)}
#: The request and the reply of every connection (one data segment each way).
REQUEST, REPLY = b"GET / HTTP/1.0\r\n\r\n", b"HTTP/1.0 204 No Content\r\n\r\n"
#: States ss prints for a socket that has not finished closing.
TRANSIENT = {"SYN-SENT", "SYN-RECV", "ESTAB", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK"}
#: The sysctls each ground truth records, per namespace (net.ipv4.*).
SYSCTLS = ("ip_local_port_range", "tcp_timestamps", "tcp_tw_reuse", "tcp_tw_reuse_delay", "tcp_max_tw_buckets",
           "tcp_fin_timeout", "tcp_rfc1337", "tcp_sack", "tcp_window_scaling")
#: simultaneous_close: a token bucket on each veth holds each FIN back for tens of ms (this kernel has no netem).
#: An emptied bucket holds a 66-byte FIN back about 15 ms: far longer than the microseconds between the two
#: shutdown() calls, far shorter than the 200 ms retransmission timeout.
TBF_RATE_BYTES_S, TBF_BURST_BYTES, TBF_DRAIN_PAYLOAD = 4000, 200, 150
#: lost_final_ack: nft's quota matches while the bytes counted stay within it: one 52- or 72-byte ACK, not two.
DROP_QUOTA_BYTES = 80
#: port_exhaustion: the client's narrowed ephemeral range; tw_reuse_reconnect: its one port.
EXHAUSTION_RANGE = (40100, 40103)
REUSE_PORT = 40200
#: include/uapi/linux/tcp.h: the bit of tcpi_options set when the connection negotiated timestamps.
TCPI_OPT_TIMESTAMPS = 1
#: How long a close may take to settle (a lost ACK waits for one retransmission timeout).
SETTLE_S = 5.0


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    server_port: int
    family: int = 4
    needs_nft: bool = False
    #: the namespace whose ss/nstat/sockstat/sysctl text is stored beside the capture, or None
    snapshot: str | None = None


CASES = {c.name: c for c in (
    Case("client_closes_first", "The client closes first; the client holds TIME_WAIT.", 5001),
    Case("server_closes_first", "The server closes first; the server holds TIME_WAIT.", 5002, snapshot="server"),
    Case("simultaneous_close", "Both sides shut down at once; the FINs cross and both sides hold TIME_WAIT.", 5003),
    Case("lost_final_ack", "The client's final ACK is dropped once; the server retransmits its FIN.", 5004, needs_nft=True),
    Case("so_linger_0", "The client closes with SO_LINGER {1, 0}: a RST, and no TIME_WAIT on either side.", 5005),
    Case("bound_port_reconnect", "A client bound to a fixed port reconnects while that 4-tuple is in its own "
         "TIME_WAIT (timestamps on, tcp_tw_reuse=0).", 5006),
    Case("syn_accepted_into_time_wait", "The server closes first; the client reconnects from the same port and the "
         "server's TIME_WAIT accepts the SYN as a new incarnation.", 5007),
    Case("tw_reuse_reconnect", "tcp_tw_reuse=1 and a one-port range: connect() fails while the TIME_WAIT is younger "
         "than tcp_tw_reuse_delay, then reuses the 4-tuple.", 5008),
    Case("port_exhaustion", "A four-port range, tcp_tw_reuse=0, the client closes first: connect() fails with "
         "EADDRNOTAVAIL once every port is in TIME_WAIT.", 5009, snapshot="client"),
    Case("client_closes_first_ipv6", "The client closes first, over IPv6.", 5010, family=6),
    Case("bound_port_reconnect_no_timestamps", "As bound_port_reconnect, with tcp_timestamps=0 on the client: the "
         "TIME_WAIT cannot be taken over and connect() fails with EADDRNOTAVAIL.", 5011),
)}


class RecordError(Exception):
    """A case could not be recorded, or what the kernel showed is not self-consistent."""


# ---------------------------------------------------------------------------
# The worker: runs in the client's namespace (ip netns exec), standard library only.
# ---------------------------------------------------------------------------


def errno_name(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno else type(exc).__name__


def endpoint(ip: str, port: int) -> str:
    """An address as ``ss`` prints it: ``10.0.0.1:80`` or ``[fd00::1]:80``."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


class Worker:
    """Sockets, sysctls and ``ss`` in the client's and the server's namespace."""

    def __init__(self, case: Case, server_ns: str, host_inode: int):
        self.case = case
        self.host_inode = host_inode
        self.client_ip, self.server_ip, _ = ADDRESSES[case.family]
        self.af = socket.AF_INET if case.family == 4 else socket.AF_INET6
        refuse = ("record_captures: error: the worker must run in a private network namespace (ip netns exec), "
                  "with the server in another one")
        if not netns_lab.in_private_netns(host_inode) or not Path("/run/netns", server_ns).is_file():
            raise SystemExit(refuse)
        self.fds = {"client": os.open("/proc/thread-self/ns/net", os.O_RDONLY),
                    "server": os.open(f"/run/netns/{server_ns}", os.O_RDONLY)}
        inodes = {h: os.fstat(fd).st_ino for h, fd in self.fds.items()}
        if host_inode in inodes.values() or inodes["client"] == inodes["server"]:
            raise SystemExit(refuse)
        self.here = "client"
        self.steps: list[str] = []
        self.ss: list[dict] = []
        self.errnos: list[dict] = []
        self.connections: list[dict] = []
        self.snapshots: dict[str, str] = {}
        self.extra: dict = {}
        self._last_ss: dict[str, tuple] = {}
        self.listener: socket.socket | None = None
        self.open_sockets: list[socket.socket] = []

    # -- namespaces, sysctls, counters ---------------------------------------------------------------

    @contextlib.contextmanager
    def on(self, host: str):
        """Run the block in ``host``'s namespace (sockets created there belong to it)."""
        before = self.here
        self._go(host)
        try:
            yield
        finally:
            self._go(before)

    def _go(self, host: str) -> None:
        if host != self.here:
            netns_lab.setns(self.fds[host])
            self.here = host
        if not netns_lab.in_private_netns(self.host_inode):
            raise SystemExit("refusing to go on: this thread is in the host's network namespace")

    def step(self, text: str) -> None:
        self.steps.append(text)

    def set_sysctl(self, host: str, name: str, value: str) -> None:
        with self.on(host):
            if not netns_lab.in_private_netns(self.host_inode):
                raise SystemExit("refusing to change sysctls: this thread is in the host's network namespace")
            Path("/proc/sys/net/ipv4", name).write_text(value + "\n", encoding="ascii")
        self.step(f"{host}: sysctl net.ipv4.{name}={value} (in its namespace)")

    def sysctl(self, host: str, name: str) -> int | str | None:
        with self.on(host):
            path = Path("/proc/sys/net/ipv4", name)
            if not path.exists():
                return None
            text = " ".join(path.read_text(encoding="ascii").split())
        return int(text) if re.fullmatch(r"-?\d+", text) else text

    def sysctls(self) -> dict:
        return {h: {n: v for n in SYSCTLS if (v := self.sysctl(h, n)) is not None} for h in ("client", "server")}

    def retrans(self, host: str) -> int:
        """``Tcp: RetransSegs`` of ``host``'s namespace."""
        with self.on(host):
            lines = Path("/proc/thread-self/net/snmp").read_text(encoding="ascii").splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            if names.startswith("Tcp:"):
                return int(dict(zip(names.split(), values.split()))["RetransSegs"])
        raise RecordError("no Tcp line in /proc/net/snmp")

    def run(self, host: str, argv: list[str], env: dict | None = None, stdin: str | None = None) -> str:
        with self.on(host):
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10, env=env, input=stdin)
        if done.returncode != 0:
            raise RecordError(f"{' '.join(argv)} failed in the {host} namespace: {done.stderr.strip()}")
        return done.stdout

    # -- ss ---------------------------------------------------------------------------------------------

    def ss_now(self, host: str) -> list[dict]:
        rows = []
        for line in self.run(host, ["ss", "-Htan"]).splitlines():
            f = line.split()
            if len(f) >= 5 and f[0] != "LISTEN":
                rows.append({"host": host, "state": f[0], "local": f[3], "peer": f[4]})
        return rows

    def ss_poll(self, moment: str, force: bool = False) -> list[dict]:
        """Both namespaces' sockets; stored (with the time) when forced or when they changed."""
        now = []
        for host in ("client", "server"):
            t = time.time()
            rows = self.ss_now(host)
            key = tuple(sorted((r["state"], r["local"], r["peer"]) for r in rows))
            if force or self._last_ss.get(host) != key:
                self.ss.extend({"t": t, **r, "moment": moment} for r in rows)
                self._last_ss[host] = key
            now.extend(rows)
        return now

    def tuple_rows(self, rows: list[dict], client_port: int) -> list[dict]:
        c, s = endpoint(self.client_ip, client_port), endpoint(self.server_ip, self.case.server_port)
        return [r for r in rows if {r["local"], r["peer"]} == {c, s}]

    def settle(self, client_port: int, moment: str) -> list[str]:
        """Poll ss until no socket of the 4-tuple is in a transient state; the hosts that show TIME-WAIT."""
        deadline = time.monotonic() + SETTLE_S
        while True:
            rows = self.tuple_rows(self.ss_poll(moment), client_port)
            if not any(r["state"] in TRANSIENT for r in rows):
                self.ss_poll(moment + ", settled", force=True)
                return sorted(r["host"] for r in rows if r["state"] == "TIME-WAIT")
            if time.monotonic() > deadline:
                raise RecordError(f"{self.case.name}: the close did not settle in {SETTLE_S:g} s: {rows}")
            time.sleep(0.005)

    def time_wait_end(self, host: str, client_port: int) -> float | None:
        """When ``host``'s TIME_WAIT of the 4-tuple will end (Unix time): its timer in /proc/net/tcp{,6}."""
        ports = {client_port, self.case.server_port}
        with self.on(host):
            now = time.time()
            for name in ("tcp", "tcp6"):
                for line in Path(f"/proc/thread-self/net/{name}").read_text(encoding="ascii").splitlines()[1:]:
                    f = line.split()
                    local, remote = (int(a.rsplit(":", 1)[1], 16) for a in f[1:3])
                    if f[3] == "06" and {local, remote} == ports:  # st 06: TCP_TIME_WAIT
                        return now + int(f[5].split(":")[1], 16) / os.sysconf("SC_CLK_TCK")  # tm->when, clock ticks
        return None

    def wait_states(self, client_port: int, want: dict[str, str], moment: str) -> None:
        deadline = time.monotonic() + SETTLE_S
        while True:
            rows = self.tuple_rows(self.ss_poll(moment), client_port)
            if all(any(r["host"] == h and r["state"] == s for r in rows) for h, s in want.items()):
                return
            if time.monotonic() > deadline:
                raise RecordError(f"{self.case.name}: expected {want} in ss, saw {rows}")
            time.sleep(0.002)

    # -- connections --------------------------------------------------------------------------------------

    def listen(self) -> None:
        with self.on("server"):
            s = socket.socket(self.af, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((self.server_ip, self.case.server_port))
            s.listen(16)
            s.settimeout(5)
        self.listener = s
        self.open_sockets.append(s)
        self.step(f"server: listen() on {endpoint(self.server_ip, self.case.server_port)}")

    def connect(self, bind_port: int | None = None, note: str = "") -> dict | None:
        """connect() (and accept()); the connection's record, or None when connect() failed (errno recorded)."""
        before = self.ss_poll("before connect", force=True)
        with self.on("client"):
            c = socket.socket(self.af, socket.SOCK_STREAM)
            self.open_sockets.append(c)
            c.settimeout(5)
            how = "a kernel-chosen port"
            if bind_port is not None:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                c.bind((self.client_ip, bind_port))
                how = f"port {bind_port}, bound with SO_REUSEADDR"
        r0 = self.retrans("client")
        t = time.time()
        try:
            with self.on("client"):
                c.connect((self.server_ip, self.case.server_port))
        except OSError as exc:
            self.errnos.append({"t": t, "host": "client", "call": "connect", "errno": errno_name(exc),
                                **({"note": note} if note else {})})
            self.step(f"client: connect() from {how} failed with {errno_name(exc)}" + (f" ({note})" if note else ""))
            c.close()
            return None
        syn_retrans = self.retrans("client") - r0
        with self.on("server"):
            s, _ = self.listener.accept()
            self.open_sockets.append(s)
            s.settimeout(5)
        port = c.getsockname()[1]
        held = sorted(r["host"] for r in self.tuple_rows(before, port) if r["state"] == "TIME-WAIT")
        if held:
            self.step(f"ss showed the 4-tuple of the next connect() in TIME-WAIT on the {' and '.join(held)}")
        self.step(f"client: connect() from {how} -> {endpoint(self.client_ip, port)}; server: accept()"
                  + (f" (the SYN was retransmitted {syn_retrans} time(s))" if syn_retrans else ""))
        # struct tcp_info (include/uapi/linux/tcp.h): tcpi_options is byte 5, TCPI_OPT_TIMESTAMPS its bit 0.
        options = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[5]
        c.sendall(REQUEST)
        s.recv(len(REQUEST), socket.MSG_WAITALL)
        s.sendall(REPLY)
        c.recv(len(REPLY), socket.MSG_WAITALL)
        self.step(f"client sends {len(REQUEST)} bytes, server reads them and replies {len(REPLY)} bytes, client reads them")
        self.wait_states(port, {"client": "ESTAB", "server": "ESTAB"}, "established")
        conn = {
            "client_port": port,
            "syn_in_time_wait": None if not held else ("accepted" if syn_retrans == 0 else "acked_and_dropped"),
            "syn_time_wait_host": held or None,
            "syn_retransmissions": syn_retrans,
            "timestamps": bool(options & TCPI_OPT_TIMESTAMPS),
            "_sockets": (c, s),
        }
        self.connections.append(conn)
        return conn

    def _close_counts(self) -> tuple[int, int]:
        return self.retrans("client"), self.retrans("server")

    def _finish(self, conn: dict, first: str, close: str, r0: tuple[int, int], moment: str) -> None:
        held = self.settle(conn["client_port"], moment)
        r1 = self._close_counts()
        ends = {h: self.time_wait_end(h, conn["client_port"]) for h in held}
        conn.update({"first_closer": first, "close": close, "time_wait": held, "time_wait_ends": ends,
                     "fin_retransmissions": {"client": r1[0] - r0[0], "server": r1[1] - r0[1]}})
        self.step(f"ss after the close: TIME-WAIT on {', '.join(held) if held else 'neither side'}")

    def close_fin(self, conn: dict, first: str, before_second=None) -> None:
        """``first`` closes; the other reads end of file, then closes."""
        c, s = conn["_sockets"]
        a, b = (c, s) if first == "client" else (s, c)
        second = "server" if first == "client" else "client"
        r0 = self._close_counts()
        a.close()
        if b.recv(1) != b"":
            raise RecordError(f"{self.case.name}: the {second} read data, not end of file")
        self.step(f"{first}: close(); {second}: recv() returns end of file")
        self.wait_states(conn["client_port"], {first: "FIN-WAIT-2", second: "CLOSE-WAIT"}, f"{first} closed")
        if before_second is not None:
            before_second()
        b.close()
        self.step(f"{second}: close()")
        self._finish(conn, first, "fin", r0, f"{second} closed")

    def close_rst(self, conn: dict) -> None:
        c, s = conn["_sockets"]
        r0 = self._close_counts()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
        self.step("client: setsockopt(SO_LINGER, {l_onoff=1, l_linger=0}); close()")
        t = time.time()
        try:
            got = s.recv(1)
            raise RecordError(f"{self.case.name}: the server's recv() returned {got!r}, not ECONNRESET")
        except ConnectionResetError as exc:
            self.errnos.append({"t": t, "host": "server", "call": "recv", "errno": errno_name(exc)})
            self.step(f"server: recv() fails with {errno_name(exc)}")
        s.close()
        self.step("server: close()")
        self._finish(conn, "client", "rst", r0, "client reset")

    def close_simultaneous(self, conn: dict) -> None:
        """Both shut down within microseconds; a token bucket on each veth holds each FIN back."""
        c, s = conn["_sockets"]
        udp = {}
        for host, dev, ip in (("client", CLIENT_DEV, self.client_ip), ("server", SERVER_DEV, self.server_ip)):
            self.run(host, ["tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", f"{TBF_RATE_BYTES_S * 8}bit",
                            "burst", str(TBF_BURST_BYTES), "latency", "2s"])
            with self.on(host):
                u = socket.socket(self.af, socket.SOCK_DGRAM)  # a sink for the peer's datagram, and our sender
                u.bind((ip, 9))
                udp[host] = u
        r0 = self._close_counts()
        udp["client"].sendto(b"x" * TBF_DRAIN_PAYLOAD, (self.server_ip, 9))
        udp["server"].sendto(b"x" * TBF_DRAIN_PAYLOAD, (self.client_ip, 9))
        c.shutdown(socket.SHUT_WR)
        s.shutdown(socket.SHUT_WR)
        self.step(f"both: a token-bucket qdisc (tc tbf rate {TBF_RATE_BYTES_S * 8}bit burst {TBF_BURST_BYTES}) on "
                  f"each veth, emptied by one {TBF_DRAIN_PAYLOAD}-byte UDP datagram each way, so that the next "
                  "segment each side sends waits about 15 ms")
        self.step("client: shutdown(SHUT_WR); server: shutdown(SHUT_WR) right after (microseconds apart)")
        self.ss_poll("both shut down", force=True)
        if c.recv(1) != b"" or s.recv(1) != b"":
            raise RecordError(f"{self.case.name}: expected end of file on both sides")
        c.close()
        s.close()
        self.step("both: recv() returns end of file; both close()")
        self._finish(conn, "simultaneous", "fin", r0, "both closed")
        for u in udp.values():
            u.close()

    def drop_next_ack(self) -> None:
        """An nft rule in the client's namespace that drops its next pure ACK to the server, once."""
        family = "ip" if self.case.family == 4 else "ip6"
        rule = (f"{family} daddr {self.server_ip} tcp dport {self.case.server_port} tcp flags == ack "
                f"quota until {DROP_QUOTA_BYTES} bytes counter drop")
        ruleset = ("table inet tcpmodel_capture {\n chain out {\n  type filter hook output priority 0; policy accept;\n"
                   f"  {rule}\n }}\n}}\n")
        self.run("client", ["nft", "-f", "-"], stdin=ruleset)
        self.extra["drop_rule"] = f"nft (client namespace, output hook): {rule}"
        self.step(f"client: an nft rule in its own namespace drops its next pure ACK to the server, once ({rule})")

    def dropped(self) -> int:
        text = self.run("client", ["nft", "list", "table", "inet", "tcpmodel_capture"])
        found = re.search(r"counter packets (\d+)", text)
        self.run("client", ["nft", "delete", "table", "inet", "tcpmodel_capture"])
        return int(found.group(1)) if found else -1

    def snapshot(self, host: str, moment: str) -> None:
        """The full text of ss -tano, nstat -az, /proc/net/sockstat and sysctl in ``host``'s namespace."""
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "NSTAT_HISTORY": str(Path(tmp) / "nstat.history")}
            self.snapshots = {
                "ss": self.run(host, ["ss", "-tano"]),
                "nstat": self.run(host, ["nstat", "-az"], env=env),
                "sockstat": self.run(host, ["cat", "/proc/net/sockstat"]),
                "sysctl": self.run(host, ["sysctl", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse",
                                          "net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_timestamps"]),
            }
        self.extra["snapshot"] = {"host": host, "t": time.time(), "moment": moment,
                                  "commands": {"ss": "ss -tano", "nstat": "nstat -az", "sockstat": "cat /proc/net/sockstat",
                                               "sysctl": "sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse "
                                                         "net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_timestamps"}}
        self.step(f"{host}: ss -tano, nstat -az, /proc/net/sockstat and sysctl saved ({moment})")

    def close_all(self) -> None:
        for s in self.open_sockets:
            s.close()


# -- the cases (each runs in a fresh pair of namespaces) -----------------------------------------------------


def case_client_closes_first(w: Worker) -> None:
    w.close_fin(w.connect(), "client")


def case_client_closes_first_ipv6(w: Worker) -> None:
    case_client_closes_first(w)


def case_server_closes_first(w: Worker) -> None:
    w.close_fin(w.connect(), "server")
    w.snapshot("server", "the server holds the TIME_WAIT")


def case_simultaneous_close(w: Worker) -> None:
    w.close_simultaneous(w.connect())


def case_lost_final_ack(w: Worker) -> None:
    conn = w.connect()
    w.close_fin(conn, "client", before_second=w.drop_next_ack)
    n = w.dropped()
    w.extra["dropped_packets"] = n
    w.step(f"the nft rule's counter: {n} packet dropped; the rule is deleted")
    if n != 1:
        raise RecordError(f"lost_final_ack: the nft rule dropped {n} packets, not 1")


def case_so_linger_0(w: Worker) -> None:
    w.close_rst(w.connect())


def _reconnect_bound(w: Worker, port: int, closer: str, note: str) -> None:
    """Connect from a bound port, ``closer`` closes first, then the same again from the same port."""
    w.close_fin(w.connect(bind_port=port), closer)
    again = w.connect(bind_port=port, note=note)
    if again is not None:
        w.close_fin(again, closer)


def case_bound_port_reconnect(w: Worker) -> None:
    w.set_sysctl("client", "tcp_tw_reuse", "0")
    _reconnect_bound(w, 40001, "client", "a bound port whose 4-tuple is in TIME_WAIT")


def case_bound_port_reconnect_no_timestamps(w: Worker) -> None:
    w.set_sysctl("client", "tcp_tw_reuse", "0")
    w.set_sysctl("client", "tcp_timestamps", "0")
    _reconnect_bound(w, 40003, "client", "a bound port whose 4-tuple is in TIME_WAIT, without timestamps")


def case_syn_accepted_into_time_wait(w: Worker) -> None:
    _reconnect_bound(w, 40002, "server", "the server holds this 4-tuple in TIME_WAIT")


def case_tw_reuse_reconnect(w: Worker) -> None:
    w.set_sysctl("client", "tcp_tw_reuse", "1")
    w.set_sysctl("client", "ip_local_port_range", f"{REUSE_PORT} {REUSE_PORT}")
    delay_ms = w.sysctl("client", "tcp_tw_reuse_delay")
    first = w.connect()
    w.close_fin(first, "client")
    closed = time.monotonic()
    early = w.connect(note="the only port is in TIME_WAIT, younger than tcp_tw_reuse_delay")
    if early is not None:
        w.close_fin(early, "client")
        return
    wait = (delay_ms if isinstance(delay_ms, int) else 2000) / 1000 + 0.2
    time.sleep(max(0.0, closed + wait - time.monotonic()))
    w.step(f"client: waits until {wait:g} s after its close (tcp_tw_reuse_delay = {delay_ms} ms)")
    again = w.connect(note="after tcp_tw_reuse_delay")
    if again is not None:
        w.close_fin(again, "client")


def case_port_exhaustion(w: Worker) -> None:
    lo, hi = EXHAUSTION_RANGE
    w.set_sysctl("client", "ip_local_port_range", f"{lo} {hi}")
    w.set_sysctl("client", "tcp_tw_reuse", "0")
    for _ in range(hi - lo + 3):
        conn = w.connect(note="every port of the range is in TIME_WAIT")
        if conn is None:
            w.snapshot("client", "connect() just failed with " + w.errnos[-1]["errno"])
            return
        w.close_fin(conn, "client")
    raise RecordError("port_exhaustion: connect() never failed")


def worker_main(case_name: str, server_ns: str, host_inode: int) -> int:
    case = CASES[case_name]
    w = Worker(case, server_ns, host_inode)
    try:
        w.listen()
        globals()["case_" + case.name](w)
        w.ss_poll("end", force=True)
        out = {"steps": w.steps, "ss": w.ss, "errnos": w.errnos, "sysctl": w.sysctls(), "extra": w.extra,
               "snapshots": w.snapshots,
               "connections": [{k: v for k, v in c.items() if not k.startswith("_")} for c in w.connections]}
    except RecordError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        w.close_all()
    print(json.dumps(out))
    return 0


# ---------------------------------------------------------------------------
# On the host: namespaces, tcpdump, the ground truth.
# ---------------------------------------------------------------------------

#: Namespaces this process created and has not deleted yet (atexit deletes them).
_LIVE: set[str] = set()


def _delete_live() -> None:
    for name in sorted(_LIVE):
        netns_lab.delete_namespace(name)
        _LIVE.discard(name)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale() -> list[str]:
    """Delete namespaces of this script's prefix whose recording process is gone."""
    removed = []
    for name in netns_lab.leftover_namespaces(PREFIX):
        found = re.match(re.escape(PREFIX) + r"(\d+)-", name)
        if found is None or not _pid_alive(int(found.group(1))) or int(found.group(1)) == os.getpid():
            netns_lab.delete_namespace(name)
            removed.append(name)
    return removed


def can_run(cases: list[Case] | None = None) -> tuple[bool, str]:
    """Whether the recording can run here (Linux, root, ip, tcpdump, and nft where a case needs it), and why not."""
    commands = [("ip", "iproute2"), ("ss", "iproute2"), ("tc", "iproute2"), ("nstat", "iproute2"),
                ("tcpdump", "tcpdump"), ("sysctl", "procps")]
    if any(c.needs_nft for c in (cases if cases is not None else CASES.values())):
        commands.append(("nft", "nftables"))
    return netns_lab.can_run("recording captures", tuple(commands))


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise RecordError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def _setup(case: Case, client_ns: str, server_ns: str) -> None:
    """Two namespaces joined by a veth pair created inside them (the host's namespace never sees it)."""
    client_ip, server_ip, bits = ADDRESSES[case.family]
    for name in (client_ns, server_ns):
        _LIVE.add(name)
        netns_lab.add_namespace(name)
    _ip("-n", client_ns, "link", "add", CLIENT_DEV, "type", "veth", "peer", "name", SERVER_DEV, "netns", server_ns)
    for ns, dev, ip in ((client_ns, CLIENT_DEV, client_ip), (server_ns, SERVER_DEV, server_ip)):
        extra = ["nodad"] if case.family == 6 else []
        _ip("-n", ns, "addr", "add", f"{ip}/{bits}", "dev", dev, *extra)
        _ip("-n", ns, "link", "set", dev, "up")


def _start_tcpdump(case: Case, server_ns: str, pcap: Path) -> tuple[subprocess.Popen, object]:
    out = open(pcap, "wb")
    proc = subprocess.Popen(
        ["ip", "netns", "exec", server_ns, "tcpdump", "-i", SERVER_DEV, "-n", "-U", "--immediate-mode",
         "-s", str(SNAPLEN), "-w", "-", f"tcp port {case.server_port}"],
        stdout=out, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()  # "tcpdump: listening on ...": the capture is armed
    if "listening on" not in line:
        proc.kill()
        proc.wait()
        out.close()
        raise RecordError(f"tcpdump did not start: {line.strip() or proc.stderr.read().strip()}")
    return proc, out


def _stop_tcpdump(proc: subprocess.Popen, out) -> str:
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    out.close()
    return err


def pcap_times(path: Path) -> list[float]:
    """The timestamps of a classic pcap file's packets (microsecond or nanosecond magic)."""
    data = path.read_bytes()
    if len(data) < 24:
        raise RecordError(f"{path}: no pcap header")
    magic = data[:4]
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if order is None:
        raise RecordError(f"{path}: not a pcap file")
    scale = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
    times, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from(order + "IIII", data, off)
        times.append(sec + frac * scale)
        off += 16 + incl
    return times


def record_case(case: Case, out_dir: Path) -> dict:
    """Record one case into ``out_dir``; the ground truth written beside the pcap."""
    base = netns_lab.unique_name(PREFIX)
    client_ns, server_ns = base + "-client", base + "-server"
    pcap = out_dir / f"{case.name}.pcap"
    partial = out_dir / f".{case.name}.pcap.partial"
    proc = out = None
    try:
        _setup(case, client_ns, server_ns)
        proc, out = _start_tcpdump(case, server_ns, partial)
        done = subprocess.run(
            ["ip", "netns", "exec", client_ns, sys.executable, str(Path(__file__).resolve()), "--worker", case.name,
             "--server-ns", server_ns, "--host-netns", str(netns_lab.netns_inode())],
            capture_output=True, text=True, timeout=60)
        err = _stop_tcpdump(proc, out)
        proc = None
        if done.returncode != 0:
            raise RecordError(f"{case.name}: the worker failed: {done.stderr.strip()[-1500:]}")
        dropped = re.search(r"(\d+) packets? dropped by kernel", err)
        if dropped is None or int(dropped.group(1)) != 0:
            raise RecordError(f"{case.name}: tcpdump lost packets or did not report: {err.strip()}")
        seen = json.loads(done.stdout)
        times = pcap_times(partial)
        if not times:
            raise RecordError(f"{case.name}: the capture is empty")
        truth = ground_truth(case, seen, times[0])
        check_consistent(truth)
        partial.replace(pcap)
        (out_dir / f"{case.name}.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
        for kind, text in seen["snapshots"].items():
            (out_dir / f"{case.name}.{kind}.txt").write_text(text, encoding="utf-8")
        return truth
    finally:
        if proc is not None:
            _stop_tcpdump(proc, out)
        partial.unlink(missing_ok=True)
        for name in (client_ns, server_ns):
            netns_lab.delete_namespace(name)
            _LIVE.discard(name)


def ground_truth(case: Case, seen: dict, t0: float) -> dict:
    client_ip, server_ip, _ = ADDRESSES[case.family]

    def rel(t: float) -> float:
        return round(t - t0, 6)

    steps = seen["steps"]
    connections = []
    for c in seen["connections"]:
        connections.append({
            "client_port": c["client_port"], "first_closer": c["first_closer"], "close": c["close"],
            "time_wait": c["time_wait"],
            "time_wait_ends": {h: rel(t) for h, t in c["time_wait_ends"].items() if t is not None},
            "fin_retransmissions": c["fin_retransmissions"],
            "syn_in_time_wait": c["syn_in_time_wait"], "syn_time_wait_host": c["syn_time_wait_host"],
            "syn_retransmissions": c["syn_retransmissions"], "timestamps": c["timestamps"],
        })
    connect_errnos = [e["errno"] for e in seen["errnos"] if e["call"] == "connect"]
    truth = {
        "case": case.name,
        "title": case.title,
        "what": " ".join(f"({i}) {s}." if not s.endswith(".") else f"({i}) {s}" for i, s in enumerate(steps, 1)),
        "kernel": platform.release(),
        "recorded": time.strftime("%Y-%m-%d", time.gmtime()),
        "tool": "tools/record_captures.py",
        "family": case.family,
        "client": client_ip,
        "server": server_ip,
        "server_port": case.server_port,
        "capture": {"host": "server", "interface": SERVER_DEV, "snaplen": SNAPLEN,
                    "filter": f"tcp port {case.server_port}", "t0": round(t0, 6),
                    "note": "t values are seconds since the capture's first packet (t0, Unix time); TCP checksums "
                            "of veth packets are left to offload, so they are not valid in the capture"},
        "sysctl": seen["sysctl"],
        "ss": [{**r, "t": rel(r["t"])} for r in seen["ss"]],
        "errnos": [{**e, "t": rel(e["t"])} for e in seen["errnos"]],
        "expect": {"connections": connections, "errno": connect_errnos[0] if connect_errnos else None},
    }
    extra = dict(seen["extra"])
    if "snapshot" in extra:
        snap = extra.pop("snapshot")
        truth["snapshot"] = {**snap, "t": rel(snap["t"]),
                             "files": {k: f"{case.name}.{k}.txt" for k in seen["snapshots"]}}
    truth.update(extra)
    return truth


def check_consistent(truth: dict) -> None:
    """What the script did must agree with what ss showed; otherwise the recording is not ground truth."""
    for c in truth["expect"]["connections"]:
        tw, first = c["time_wait"], c["first_closer"]
        want = {"client": ["client"], "server": ["server"], "simultaneous": ["client", "server"]}[first]
        if c["close"] == "rst":
            want = []
        if tw != want:
            raise RecordError(f"{truth['case']}: port {c['client_port']}: first closer {first}, close {c['close']}, "
                              f"but ss showed TIME-WAIT on {tw or 'neither side'}")
    if truth["case"] == "lost_final_ack" and truth["expect"]["connections"][0]["fin_retransmissions"]["server"] < 1:
        raise RecordError("lost_final_ack: the server retransmitted nothing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="record_captures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="directory for <case>.pcap and <case>.json (default: a new temporary directory)")
    parser.add_argument("--case", action="append", dest="cases", metavar="NAME", help="record this case (repeatable; default all)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--server-ns", help=argparse.SUPPRESS)
    parser.add_argument("--host-netns", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if args.worker not in CASES or not args.server_ns or not args.host_netns:
            print("record_captures: error: --worker needs a case, --server-ns and --host-netns", file=sys.stderr)
            return 2
        return worker_main(args.worker, args.server_ns, args.host_netns)
    if args.list:
        for c in CASES.values():
            print(f"{c.name}: {c.title}")
        return 0
    unknown = [n for n in args.cases or [] if n not in CASES]
    if unknown:
        print(f"record_captures: error: --case {unknown[0]!r} is not a case; valid: {', '.join(CASES)}", file=sys.stderr)
        return 2
    cases = [CASES[n] for n in dict.fromkeys(args.cases or CASES)]
    ok, reason = can_run(cases)
    if not ok:
        print(f"record_captures: skipped: {reason}", file=sys.stderr)
        return SKIPPED
    out_dir = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="tcpmodel-captures-"))
    if out_dir.exists() and not out_dir.is_dir():
        print(f"record_captures: error: --out {out_dir} is not a directory", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    atexit.register(_delete_live)
    # SIGTERM unwinds like an error, so that every finally (tcpdump, the worker, the namespaces) runs.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        for name in clean_stale():
            print(f"record_captures: deleted a stale namespace {name}", file=sys.stderr)
        start = time.monotonic()
        failed = 0
        for case in cases:
            try:
                truth = record_case(case, out_dir)
            except (RecordError, subprocess.SubprocessError, OSError, ValueError) as exc:
                print(f"record_captures: {case.name}: failed: {exc}", file=sys.stderr)
                failed += 1
                continue
            size = (out_dir / f"{case.name}.pcap").stat().st_size
            tw = [c["time_wait"] for c in truth["expect"]["connections"]]
            print(f"{case.name}: {size} bytes, {len(truth['expect']['connections'])} connection(s), TIME-WAIT {tw}, "
                  f"errno {truth['expect']['errno']}")
    finally:
        signal.signal(signal.SIGTERM, previous)
        _delete_live()
    print(f"recorded {len(cases) - failed} of {len(cases)} case(s) into {out_dir} in {time.monotonic() - start:.1f} s "
          f"(kernel {platform.release()})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
