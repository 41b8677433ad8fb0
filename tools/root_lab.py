"""Port exhaustion on a real kernel, in a private network namespace (root only; for instructors).

What it does
------------
For each setting of ``tcp_tw_reuse`` (0, 1, 2) and each closer (client
first, server first) it creates a network namespace of its own with
``ip netns add``, brings its loopback up, and inside it only:

* narrows ``net.ipv4.ip_local_port_range`` to 100 ports (20000–20099) and sets
  ``tcp_tw_reuse`` (and ``tcp_timestamps`` for two extra runs);
* opens connections to one server on 127.0.0.1 as fast as it can, closing
  each one from the chosen side, and counts how many succeed before
  ``connect()`` fails, and with which errno (the "burst");
* waits ``tcp_tw_reuse_delay`` + 0.2 s and counts again (the "after delay"
  phase): only ``tcp_tw_reuse`` lets the TIME_WAIT ports be used again;
* also reconnects from an explicitly bound port to the same server, with
  timestamps on and off (the bound-port rule of ``tcp_twsk_unique``);
* ``tcp_max_tw_buckets`` (the "tw_buckets" runs): with the range narrowed to
  20 ports and ``tcp_tw_reuse=0``, a burst of 60 client-closed connections,
  once with the namespace's default cap and once with the cap lowered to 5.
  It counts the TIME_WAIT sockets (``ss`` in the namespace) and the change of
  ``TCPTimeWaitOverflow`` (``/proc/net/netstat`` in the namespace). Then, with
  timestamps off, it reconnects from each of 10 explicitly bound ports and
  shows that a port whose close overflowed the cap has no TIME_WAIT left to
  block its 4-tuple. Finally it sets ``tcp_child_ehash_entries`` in its own
  namespace and reads the default cap of a namespace created from it
  (``unshare -n``), to check ``tcp_set_hashinfo()``;
* a SYN to a 4-tuple the server holds in TIME_WAIT (the "syn_to_time_wait"
  runs), with ``tcp_timestamps=0`` so that only the sequence test of
  ``tcp_timewait_state_process()`` can accept it: after no payload it does;
  after 4 MiB, more than Linux's 64 ns ISN clock advanced meanwhile, the SYN
  gets an ACK, the client's RST ends the TIME_WAIT and the SYN, sent again
  after ``TCP_TIMEOUT_MIN``, connects. With ``tcp_rfc1337=1`` as well the
  RST is ignored and ``connect()`` fails with ``ETIMEDOUT``, bounded by
  ``tcp_syn_retries=1`` and ``tcp_syn_linear_timeouts=0`` set in the
  namespace (``tcp_write_timeout()`` in ``net/ipv4/tcp_timer.c``);
* "restarting networking does not clear TIME_WAIT" (the "restart_networking"
  run): a TIME_WAIT socket is listed with ``ss`` (and its timer read from
  ``/proc/net/tcp``) before and after ``ip link set lo down; ip link set lo
  up`` and ``ip addr flush dev lo`` (127.0.0.1 and ::1 are added back), and
  then after ``ss -K``, which does remove it (``tcp_abort()`` in
  ``net/ipv4/tcp.c``), to show that the check can see a socket go.

These sysctls are per network namespace, so the host's settings are never
touched; the part that writes them refuses to run in the host's namespace,
and every namespace is deleted in ``finally``. The results are compared with
:mod:`tcpmodel.socket_rules` and :mod:`tcpmodel.models`.

Usage
-----
``sudo python tools/root_lab.py [--out tcpmodel/data/root_lab_stored_run.json]``

Without root or without ``ip`` it prints why and exits with status 77
("skipped"). The part that runs inside a namespace
(``--inside``) uses only the standard library.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import platform
import shutil
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
import netns_lab  # noqa: E402  (tools/netns_lab.py: the namespace helpers shared with tools/record_captures.py)

#: Every namespace of this lab is named under this prefix.
PREFIX = "tcpmodel-lab-"
PORT_RANGE = (20000, 20099)
SKIPPED = 77
#: The tcp_max_tw_buckets runs: 20 ports, a burst of three times that, a cap of 5.
TW_PORT_RANGE = (20000, 20019)
TW_BURST = 60
TW_CAP = 5
TW_BOUND_CONNECTIONS = 10
#: tcp_child_ehash_entries set in the lab's namespace before it creates a nested one.
TW_CHILD_EHASH = 1000
#: The SYN-to-TIME_WAIT runs: (payload sent before the server closes, tcp_rfc1337), all with timestamps off.
SYN_TW_RUNS = ((0, 0), (4 * 2**20, 0), (4 * 2**20, 1))
#: tcp_syn_retries in those namespaces: bounds the tcp_rfc1337=1 run's connect() (tcp_syn_linear_timeouts=0 too).
SYN_TW_SYN_RETRIES = 1
#: How long the client's connect() may take before the lab gives up on its own (seconds).
SYN_TW_CONNECT_LIMIT_S = 8.0
#: The pause between the old connection's close and the new connect() (seconds).
SYN_TW_GAP_S = 0.005
SYSCTL = Path("/proc/sys/net/ipv4")


# ---------------------------------------------------------------------------
# Inside the namespace: standard library only.
# ---------------------------------------------------------------------------


#: The host's network namespace (inode of /proc/self/ns/net of the parent), passed to --inside.
_HOST_NETNS: list[int] = []


def _in_private_netns() -> bool:
    """True only when the parent told us its namespace and ours is a different one."""
    return netns_lab.in_private_netns(_HOST_NETNS[0] if _HOST_NETNS else None)


def _set(name: str, value: str) -> None:
    if not _in_private_netns():
        raise SystemExit("refusing to change sysctls: this process is in the host's network namespace")
    (SYSCTL / name).write_text(value + "\n", encoding="ascii")


def _one_connection(server: socket.socket, closer: str) -> str:
    c = socket.socket()
    try:
        c.settimeout(2)
        try:
            c.connect(server.getsockname())
        except OSError as exc:
            return errno.errorcode.get(exc.errno, str(exc.errno))
        s, _ = server.accept()
        with s:
            first, second = (c, s) if closer == "client" else (s, c)
            first.close()
            second.recv(1)
            second.close()
        return "ok"
    finally:
        c.close()


def _count(server: socket.socket, closer: str, limit: int) -> dict:
    succeeded = 0
    for _ in range(limit):
        outcome = _one_connection(server, closer)
        if outcome != "ok":
            return {"succeeded": succeeded, "errno": outcome}
        succeeded += 1
    return {"succeeded": succeeded, "errno": None}


def _time_wait_count() -> dict:
    counts = {"client_side": 0, "server_side": 0}
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        if fields[3] == "06":
            local_port = int(fields[1].split(":")[1], 16)
            key = "client_side" if PORT_RANGE[0] <= local_port <= PORT_RANGE[1] else "server_side"
            counts[key] += 1
    return counts


def inside_exhaustion(tw_reuse: int, closer: str, timestamps: int) -> dict:
    """One configuration, run in a fresh namespace."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))  # kernel-chosen, from the default range: outside PORT_RANGE
    server.listen(128)
    server.settimeout(2)
    _set("tcp_tw_reuse", str(tw_reuse))
    _set("tcp_timestamps", str(timestamps))
    _set("ip_local_port_range", f"{PORT_RANGE[0]} {PORT_RANGE[1]}")
    delay_text = (SYSCTL / "tcp_tw_reuse_delay")
    delay_ms = int(delay_text.read_text().strip()) if delay_text.exists() else None
    ports = PORT_RANGE[1] - PORT_RANGE[0] + 1
    try:
        start = time.monotonic()
        burst = _count(server, closer, 3 * ports)
        burst["seconds"] = round(time.monotonic() - start, 3)
        after = None
        if burst["errno"] is not None:
            time.sleep((delay_ms or 1000) / 1000 + 0.2)
            after = _count(server, closer, ports + 10)
        return {"burst": burst, "after_delay": after, "time_wait": _time_wait_count(), "tcp_tw_reuse_delay": delay_ms}
    finally:
        server.close()


def inside_bound_reconnect(timestamps: int) -> dict:
    """Bound port, client closes first, bind the port again (SO_REUSEADDR on both) and reconnect."""
    _set("tcp_timestamps", str(timestamps))
    _set("tcp_tw_reuse", "0")
    socks = []
    try:
        server = socket.socket()
        socks.append(server)
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        first = socket.socket()
        socks.append(first)
        first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        first.bind(("127.0.0.1", 0))
        addr = first.getsockname()
        first.connect(server.getsockname())
        s, _ = server.accept()
        socks.append(s)
        first.close()
        s.recv(1)
        s.close()
        time.sleep(0.05)
        again = socket.socket()
        socks.append(again)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(addr)
        try:
            again.connect(server.getsockname())
            return {"outcome": "ok"}
        except OSError as exc:
            return {"outcome": errno.errorcode.get(exc.errno, str(exc.errno))}
    finally:
        for s in socks:
            s.close()


def _tcp_ext(name: str) -> int:
    """A TcpExt counter of this namespace from /proc/net/netstat (what ``nstat`` reads)."""
    lines = Path("/proc/net/netstat").read_text(encoding="ascii").splitlines()
    for header, values in zip(lines[::2], lines[1::2]):
        names, numbers = header.split(), values.split()
        if names[0] == "TcpExt:":
            return int(dict(zip(names[1:], numbers[1:]))[name])
    raise KeyError(name)


def _time_wait_ports() -> tuple[list[int], str]:
    """Local ports of this namespace's TIME_WAIT sockets, from ``ss`` (or /proc/net/tcp without it)."""
    if shutil.which("ss"):
        done = subprocess.run(["ss", "-Htan4", "state", "time-wait"], capture_output=True, text=True, check=True, timeout=10)
        ports = []
        for line in done.stdout.splitlines():
            local = next(tok for tok in line.split() if ":" in tok)
            ports.append(int(local.rsplit(":", 1)[1]))
        return sorted(ports), "ss -Htan4 state time-wait"
    ports = [int(line.split()[1].split(":")[1], 16) for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]
             if line.split()[3] == "06"]
    return sorted(ports), "/proc/net/tcp st 06"


def _read_sysctl(name: str) -> int:
    return int((SYSCTL / name).read_text(encoding="ascii").split()[0])


def inside_tw_buckets_burst(cap: int | None) -> dict:
    """A burst of client-closed connections over 20 ports, with ``tcp_max_tw_buckets`` at ``cap`` (None: default)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))  # kernel-chosen, from the default range: outside TW_PORT_RANGE
    server.listen(128)
    server.settimeout(2)
    try:
        namespace_default = _read_sysctl("tcp_max_tw_buckets")
        ehash = _read_sysctl("tcp_ehash_entries")
        _set("tcp_tw_reuse", "0")
        _set("ip_local_port_range", f"{TW_PORT_RANGE[0]} {TW_PORT_RANGE[1]}")
        if cap is not None:
            _set("tcp_max_tw_buckets", str(cap))
        before = _tcp_ext("TCPTimeWaitOverflow")
        burst = _count(server, "client", TW_BURST)
        ports, counted_with = _time_wait_ports()
        return {
            "namespace_default_max_tw_buckets": namespace_default,
            "tcp_ehash_entries": ehash,
            "tcp_max_tw_buckets": _read_sysctl("tcp_max_tw_buckets"),
            "burst": burst,
            "time_wait": sum(TW_PORT_RANGE[0] <= p <= TW_PORT_RANGE[1] for p in ports),
            "time_wait_counted_with": counted_with,
            "tcp_time_wait_overflow": _tcp_ext("TCPTimeWaitOverflow") - before,
        }
    finally:
        server.close()


def inside_tw_buckets_reuse(cap: int) -> dict:
    """Bound ports, client closes first, cap ``cap``; then reconnect each port to the same server.

    Timestamps are off so that a TIME_WAIT 4-tuple refuses the bound-port
    connect() (``tcp_twsk_unique`` takes it over only when it saw timestamps).
    """
    _set("tcp_timestamps", "0")
    _set("tcp_tw_reuse", "0")
    _set("tcp_max_tw_buckets", str(cap))
    socks = []
    try:
        server = socket.socket()
        socks.append(server)
        server.bind(("127.0.0.1", 0))
        server.listen(TW_BOUND_CONNECTIONS + 4)
        server.settimeout(2)
        before = _tcp_ext("TCPTimeWaitOverflow")
        used = []
        for _ in range(TW_BOUND_CONNECTIONS):
            c = socket.socket()
            c.settimeout(2)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            c.bind(("127.0.0.1", 0))
            c.connect(server.getsockname())
            used.append(c.getsockname()[1])
            s, _ = server.accept()
            c.close()
            s.recv(1)
            s.close()
        overflow = _tcp_ext("TCPTimeWaitOverflow") - before
        tw_ports, counted_with = _time_wait_ports()
        held = [p for p in used if p in tw_ports]
        outcomes: dict[str, dict[str, int]] = {"in_time_wait": {}, "skipped_time_wait": {}}
        for port in used:
            again = socket.socket()
            socks.append(again)
            again.settimeout(2)
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            again.bind(("127.0.0.1", port))
            try:
                again.connect(server.getsockname())
                outcome = "ok"
                server.accept()[0].close()
            except OSError as exc:
                outcome = errno.errorcode.get(exc.errno, str(exc.errno))
            group = outcomes["in_time_wait" if port in held else "skipped_time_wait"]
            group[outcome] = group.get(outcome, 0) + 1
        return {"connections": len(used), "time_wait": len(held), "time_wait_counted_with": counted_with,
                "tcp_time_wait_overflow": overflow, "reconnect": outcomes}
    finally:
        for s in socks:
            s.close()


def inside_child_ehash(child_entries: int) -> dict:
    """Set this namespace's ``tcp_child_ehash_entries``, create a nested namespace, read its defaults."""
    _set("tcp_child_ehash_entries", str(child_entries))
    if shutil.which("unshare") is None:
        return {"skipped": "no unshare command (util-linux)"}
    files = [str(SYSCTL / "tcp_max_tw_buckets"), str(SYSCTL / "tcp_ehash_entries")]
    done = subprocess.run(["unshare", "-n", "cat", *files], capture_output=True, text=True, check=True, timeout=10)
    cap, ehash = (int(x) for x in done.stdout.split())
    return {"tcp_child_ehash_entries": child_entries, "child_tcp_max_tw_buckets": cap, "child_tcp_ehash_entries": ehash}


#: include/uapi/linux/tcp.h, struct tcp_info: tcpi_total_retrans is the u32 at byte 100.
_TCPI_TOTAL_RETRANS_OFFSET = 100


def _proc_tcp_rows() -> list[dict]:
    """This namespace's IPv4 TCP sockets from /proc/net/tcp: addresses, state number, timer left (USER_HZ ticks)."""
    rows = []
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        f = line.split()
        local, remote = (int(a.split(":")[1], 16) for a in f[1:3])
        timer, when = f[5].split(":")
        rows.append({"local_port": local, "remote_port": remote, "st": f[3], "timer": int(timer, 16), "ticks": int(when, 16)})
    return rows


def _time_wait_timer(local_port: int, remote_port: int) -> float | None:
    """Seconds left on the TIME_WAIT timer of local_port->remote_port, or None when there is no such socket."""
    for r in _proc_tcp_rows():
        if (r["local_port"], r["remote_port"], r["st"]) == (local_port, remote_port, "06"):
            return r["ticks"] / os.sysconf("SC_CLK_TCK")
    return None


def _ss_time_wait(local_port: int, remote_port: int) -> str:
    """The ``ss -tano`` line of that TIME_WAIT socket ("" when ss lists none)."""
    done = subprocess.run(["ss", "-Htano", "state", "time-wait", f"( sport = :{local_port} and dport = :{remote_port} )"],
                          capture_output=True, text=True, check=True, timeout=10)
    return " ".join(done.stdout.split())


def _wait_for_time_wait(local_port: int, remote_port: int) -> float:
    for _ in range(500):
        left = _time_wait_timer(local_port, remote_port)
        if left is not None:
            return left
        time.sleep(0.002)
    raise TimeoutError(f"no TIME_WAIT on {local_port}->{remote_port}")


def inside_syn_to_time_wait(payload: int, rfc1337: int) -> dict:
    """The server closes first after ``payload`` bytes; the client reconnects from the same port (timestamps off)."""
    import threading

    _set("tcp_timestamps", "0")
    _set("tcp_rfc1337", str(rfc1337))
    _set("tcp_syn_retries", str(SYN_TW_SYN_RETRIES))
    linear = SYSCTL / "tcp_syn_linear_timeouts"
    if linear.exists():
        _set("tcp_syn_linear_timeouts", "0")
    socks: list[socket.socket] = []
    try:
        server = socket.socket()
        socks.append(server)
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        server.settimeout(5)
        first = socket.socket()
        socks.append(first)
        first.settimeout(5)
        first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        first.bind(("127.0.0.1", 0))
        client_addr, server_addr = first.getsockname(), server.getsockname()
        t_first = time.monotonic()
        first.connect(server_addr)
        served, _ = server.accept()
        socks.append(served)
        served.settimeout(5)
        got = [0]

        def drain() -> None:
            while got[0] < payload:
                chunk = served.recv(1 << 20)
                if not chunk:
                    break
                got[0] += len(chunk)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        first.sendall(b"x" * payload)
        reader.join(5)
        if got[0] != payload:
            raise TimeoutError("the payload did not arrive")
        served.close()  # the server closes first: the TIME_WAIT is on its side
        first.recv(1)
        first.close()
        time_wait_before = _wait_for_time_wait(server_addr[1], client_addr[1])
        ss_before = _ss_time_wait(server_addr[1], client_addr[1])
        time.sleep(SYN_TW_GAP_S)
        again = socket.socket()
        socks.append(again)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(client_addr)
        again.settimeout(SYN_TW_CONNECT_LIMIT_S)
        t_second = time.monotonic()
        try:
            again.connect(server_addr)
            outcome = "ok"
        except OSError as exc:
            outcome = errno.errorcode.get(exc.errno, type(exc).__name__) if exc.errno else type(exc).__name__
        took = time.monotonic() - t_second
        info = again.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCPI_TOTAL_RETRANS_OFFSET + 4)
        (retrans,) = struct.unpack_from("I", info, _TCPI_TOTAL_RETRANS_OFFSET)
        if outcome == "ok":
            socks.append(server.accept()[0])
        return {
            "payload_bytes": payload, "tcp_rfc1337": rfc1337, "tcp_timestamps": 0, "gap_s": SYN_TW_GAP_S,
            "tcp_syn_retries": _read_sysctl("tcp_syn_retries"),
            "tcp_syn_linear_timeouts": _read_sysctl("tcp_syn_linear_timeouts") if linear.exists() else None,
            "isn_clock_elapsed_s": round(t_second - t_first, 6),
            "server_time_wait_before": {"seconds_left": time_wait_before, "ss": ss_before},
            "connect": outcome, "connect_s": round(took, 3), "syn_retransmissions": retrans,
            "server_time_wait_after": _time_wait_timer(server_addr[1], client_addr[1]) is not None,
        }
    finally:
        for s in socks:
            s.close()


def _ip(*args: str) -> int:
    """Run ``ip`` in this (private) namespace; the host's interfaces are never touched."""
    if not _in_private_netns():
        raise SystemExit("refusing to run ip: this process is in the host's network namespace")
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=True, timeout=10).returncode


def inside_restart_networking() -> dict:
    """A TIME_WAIT socket before and after lo goes down and up, and after its addresses are flushed; then ss -K."""
    socks: list[socket.socket] = []
    try:
        server = socket.socket()
        socks.append(server)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(5)
        client = socket.create_connection(server.getsockname(), timeout=5)
        socks.append(client)
        served, _ = server.accept()
        socks.append(served)
        ports = (client.getsockname()[1], server.getsockname()[1])  # the client closes first: its TIME_WAIT
        client.close()
        served.recv(1)
        served.close()
        _wait_for_time_wait(*ports)
        ipv6 = "::1" in subprocess.run(["ip", "-6", "addr", "show", "dev", "lo"], capture_output=True, text=True,
                                       check=False, timeout=10).stdout

        def look(step: str, commands: list[list[str]]) -> dict:
            if not _in_private_netns():
                raise SystemExit("refusing to change interfaces or sockets: this process is in the host's network namespace")
            for cmd in commands:
                if cmd[0] == "ss":
                    subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=10)
                else:
                    _ip(*cmd)
            line = _ss_time_wait(*ports)
            shown = [" ".join(c if c[0] == "ss" else ["ip", *c]) for c in commands]
            return {"step": step, "commands": shown, "ss": line,
                    "seconds_left": _time_wait_timer(*ports), "listed": bool(line)}

        steps = [look("before", [])]
        steps.append(look("link down and up", [["link", "set", "lo", "down"], ["link", "set", "lo", "up"]]))
        readd = [["addr", "add", "127.0.0.1/8", "dev", "lo"]] + ([["-6", "addr", "add", "::1/128", "dev", "lo"]] if ipv6 else [])
        steps.append(look("addresses flushed and added back", [["addr", "flush", "dev", "lo"], *readd]))
        steps.append(look("ss -K", [["ss", "-HtanK", "state", "time-wait", f"( sport = :{ports[0]} and dport = :{ports[1]} )"]]))
        return {"client_port": ports[0], "server_port": ports[1], "steps": steps}
    finally:
        for s in socks:
            s.close()


def inside_main(args: argparse.Namespace) -> int:
    if args.host_netns:
        _HOST_NETNS.append(args.host_netns)
    if not _in_private_netns():
        print("--inside must run in a private network namespace (ip netns exec)", file=sys.stderr)
        return 2
    if args.bound_reconnect:
        out = inside_bound_reconnect(args.timestamps)
    elif args.tw_buckets_burst:
        out = inside_tw_buckets_burst(None if args.cap == "default" else int(args.cap))
    elif args.tw_buckets_reuse:
        out = inside_tw_buckets_reuse(int(args.cap))
    elif args.child_ehash:
        out = inside_child_ehash(args.child_ehash)
    elif args.syn_to_time_wait:
        out = inside_syn_to_time_wait(args.payload, args.rfc1337)
    elif args.restart_networking:
        out = inside_restart_networking()
    else:
        out = inside_exhaustion(args.tw_reuse, args.closer, args.timestamps)
    print(json.dumps(out))
    return 0


# ---------------------------------------------------------------------------
# On the host: namespaces, and the comparison with tcpmodel.
# ---------------------------------------------------------------------------


def can_run() -> tuple[bool, str]:
    """Whether this lab can run here (root, Linux, ``ip``), and why not."""
    return netns_lab.can_run("the root lab", hint=", or read the stored run")


def _in_namespace(argv: list[str]) -> dict:
    name = netns_lab.unique_name(PREFIX)
    try:
        netns_lab.add_namespace(name)
        done = subprocess.run(
            ["ip", "netns", "exec", name, sys.executable, str(Path(__file__).resolve()), "--inside",
             "--host-netns", str(netns_lab.netns_inode()), *argv],
            check=True, capture_output=True, text=True, timeout=60,
        )
        return json.loads(done.stdout)
    finally:
        netns_lab.delete_namespace(name)


def run_lab() -> dict:
    """Run every configuration, each in its own namespace, and compare with the model."""
    sys.path.insert(0, str(ROOT))
    from tcpmodel import models
    from tcpmodel import socket_rules as rules

    ports = models.connect_port_count(*PORT_RANGE)
    runs = []
    configs = [(r, c, 1) for r in (0, 1, 2) for c in ("client", "server")] + [(1, "client", 0)]
    for tw_reuse, closer, timestamps in configs:
        observed = _in_namespace(["--tw-reuse", str(tw_reuse), "--closer", closer, "--timestamps", str(timestamps)])
        settings = rules.Settings(tcp_tw_reuse=tw_reuse, tcp_timestamps=timestamps, tcp_tw_reuse_delay=observed["tcp_tw_reuse_delay"])
        config = models.LinuxConfig(ip_local_port_range=PORT_RANGE, tcp_tw_reuse=tw_reuse, tcp_timestamps=timestamps)
        hold = config.effective_hold_s(loopback=True)
        predicted_burst = rules.exhaustion_prediction(ports, closer, settings, loopback=True, burst=True)
        predicted_after = None
        if predicted_burst["errno"] is not None:
            predicted_after = rules.exhaustion_prediction(ports, closer, settings, loopback=True, burst=False)
            if predicted_after["succeeded"] is None:  # reuse allowed: the ports come back, all of them
                predicted_after = {"succeeded": ports, "errno": "EADDRNOTAVAIL"}
        burst = {k: observed["burst"][k] for k in ("succeeded", "errno")}
        if predicted_burst["succeeded"] is None:
            predicted_burst = {"succeeded": 3 * ports, "errno": None}  # every attempt of the run
        runs.append({
            "tcp_tw_reuse": tw_reuse,
            "closer": closer,
            "tcp_timestamps": timestamps,
            "observed": observed,
            "predicted": {"burst": predicted_burst, "after_delay": predicted_after},
            "agree": burst == predicted_burst and observed["after_delay"] == predicted_after,
            "model": {
                "ports": ports,
                "hold_s": hold,
                "max_connection_rate_per_s": models.max_connection_rate(ports, hold) if closer == "client" else None,
            },
        })
    bound = []
    for timestamps in (1, 0):
        observed = _in_namespace(["--bound-reconnect", "--timestamps", str(timestamps)])
        predicted = rules.rebind_client_port_outcome(True, True, True, rules.Settings(tcp_tw_reuse=0, tcp_timestamps=timestamps))
        bound.append({"tcp_timestamps": timestamps, "tcp_tw_reuse": 0, "observed": observed["outcome"], "predicted": predicted, "agree": observed["outcome"] == predicted})
    return {
        "description": "tools/root_lab.py: port exhaustion in private network namespaces (ip_local_port_range narrowed to 100 ports inside each namespace only).",
        "kernel": platform.release(),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "port_range": list(PORT_RANGE),
        "exhaustion": runs,
        "bound_port_reconnect": bound,
        "tw_buckets": run_tw_buckets(),
        "syn_to_time_wait": run_syn_to_time_wait(),
        "restart_networking": run_restart_networking(),
    }


def _host_sysctl(name: str) -> int:
    return int((SYSCTL / name).read_text(encoding="ascii").split()[0])


def run_tw_buckets() -> dict:
    """tcp_max_tw_buckets in private namespaces: what the kernel does at the cap, beside the model."""
    from tcpmodel import models
    from tcpmodel import socket_rules as rules

    ports = models.connect_port_count(*TW_PORT_RANGE)
    # The namespaces are created by `ip` from the host's namespace: tcp_set_hashinfo() reads the
    # creator's tcp_child_ehash_entries (read-only here) and the global ehash size.
    host_ehash, host_child = abs(_host_sysctl("tcp_ehash_entries")), _host_sysctl("tcp_child_ehash_entries")
    bursts = []
    for cap in ("default", str(TW_CAP)):
        observed = _in_namespace(["--tw-buckets-burst", "--cap", cap])
        predicted = models.burst_outcome(TW_BURST, ports, max_tw_buckets=observed["tcp_max_tw_buckets"])
        seen = {"succeeded": observed["burst"]["succeeded"], "errno": observed["burst"]["errno"],
                "time_wait": observed["time_wait"], "overflow": observed["tcp_time_wait_overflow"]}
        bursts.append({"cap": cap, "observed": observed, "predicted": predicted, "agree": seen == predicted})
    default = models.default_max_tw_buckets(host_ehash, child_ehash_entries=host_child)
    observed_reuse = _in_namespace(["--tw-buckets-reuse", "--cap", str(TW_CAP)])
    held = models.burst_outcome(TW_BOUND_CONNECTIONS, 65535, max_tw_buckets=TW_CAP)
    blocked = rules.rebind_client_port_outcome(True, True, True, rules.Settings(tcp_tw_reuse=0, tcp_timestamps=0))
    predicted_reuse = {
        "time_wait": held["time_wait"],
        "tcp_time_wait_overflow": held["overflow"],
        "reconnect": {"in_time_wait": {blocked: held["time_wait"]}, "skipped_time_wait": {"ok": held["overflow"]}},
    }
    child = _in_namespace(["--child-ehash", str(TW_CHILD_EHASH)])
    predicted_child = models.default_max_tw_buckets(host_ehash, child_ehash_entries=TW_CHILD_EHASH)
    return {
        "description": (f"ip_local_port_range {TW_PORT_RANGE[0]}-{TW_PORT_RANGE[1]} and tcp_tw_reuse=0 inside each "
                        f"namespace; a burst of {TW_BURST} client-closed connections with the namespace's default "
                        f"tcp_max_tw_buckets and with {TW_CAP}; then {TW_BOUND_CONNECTIONS} connections from bound "
                        f"ports (timestamps off) reconnected to the same server; then a namespace created with "
                        f"tcp_child_ehash_entries={TW_CHILD_EHASH}"),
        "port_range": list(TW_PORT_RANGE),
        "burst_connections": TW_BURST,
        "cap": TW_CAP,
        "host_tcp_ehash_entries": host_ehash,
        "host_tcp_child_ehash_entries": host_child,
        "namespace_default": {"observed": bursts[0]["observed"]["namespace_default_max_tw_buckets"], "predicted": default,
                              "agree": bursts[0]["observed"]["namespace_default_max_tw_buckets"] == default},
        "bursts": bursts,
        "bound_reconnect": {
            "observed": observed_reuse,
            "predicted": predicted_reuse,
            "agree": all(observed_reuse[k] == predicted_reuse[k] for k in predicted_reuse),
        },
        "child_ehash": {
            "observed": child,
            "predicted": {"child_tcp_max_tw_buckets": predicted_child, "child_tcp_ehash_entries": 2 * predicted_child},
            "agree": "skipped" in child or (child["child_tcp_max_tw_buckets"] == predicted_child
                                            and child["child_tcp_ehash_entries"] == 2 * predicted_child),
        },
    }


def run_syn_to_time_wait() -> dict:
    """A SYN to a TIME_WAIT 4-tuple with timestamps off, beside tcpmodel's prediction for the same timing."""
    from tcpmodel import socket_rules as rules
    from tcpmodel.sim.sequence import LINUX_ISN_CLOCK_TICK, isn_advance, seq_add, time_wait_accepts_syn

    runs = []
    for payload, rfc1337 in SYN_TW_RUNS:
        observed = _in_namespace(["--syn-to-time-wait", "--payload", str(payload), "--rfc1337", str(rfc1337)])
        # The old connection used ISN .. ISN + payload + 1 (SYN, data, FIN): the server's RCV.NXT is ISN + payload + 2.
        # The new SYN carries ISN + the clock's advance (same 4-tuple, same secret): only the sequence test can
        # accept it, since timestamps are off.
        advance = isn_advance(observed["isn_clock_elapsed_s"], LINUX_ISN_CLOCK_TICK)
        accepted_by = time_wait_accepts_syn(advance, seq_add(payload, 2))
        rule = rules.syn_to_time_wait_prediction(accepted_by, rfc1337)
        # "refused": every SYN gets an ACK; with tcp_syn_retries=1 and no linear timeouts connect() gives up after
        # one retransmission and one doubled initial RTO, long before the TIME_WAIT's 60 s end.
        predicted = {
            "connect": "ETIMEDOUT" if rule["outcome"] == "refused" else "ok",
            "syn_retransmissions": {"accepted": 0, "after retransmit": 1, "refused": SYN_TW_SYN_RETRIES}[rule["outcome"]],
            "server_time_wait_after": rule["time_wait_after"],
        }
        seen = {key: observed[key] for key in predicted}
        runs.append({"payload_bytes": payload, "tcp_rfc1337": rfc1337, "isn_clock_advance": advance,
                     "accepted_by": accepted_by, "outcome": rule["outcome"], "observed": observed,
                     "predicted": predicted, "agree": seen == predicted})
    return {
        "description": ("tcp_timestamps=0, tcp_syn_retries=1 and tcp_syn_linear_timeouts=0 inside each namespace; the "
                        "client binds a port (SO_REUSEADDR), sends the payload, the server closes first, and "
                        f"{SYN_TW_GAP_S * 1000:g} ms later a new socket binds the same port and connects to the same server"),
        "runs": runs,
    }


def run_restart_networking() -> dict:
    """A TIME_WAIT socket through `ip link set lo down/up`, `ip addr flush dev lo`, then `ss -K`."""
    from tcpmodel import socket_rules as rules

    observed = _in_namespace(["--restart-networking"])
    events = {"before": None, "link down and up": "link_down_up", "addresses flushed and added back": "addr_flush",
              "ss -K": "sock_destroy"}
    steps = []
    for s in observed["steps"]:
        event = events[s["step"]]
        listed = event is None or rules.time_wait_survives(event)
        steps.append({**s, "predicted_listed": listed, "agree": s["listed"] == listed})
    timers = [s["seconds_left"] for s in observed["steps"] if s["seconds_left"] is not None]
    return {
        "description": ("in a private namespace, a client-closed connection's TIME_WAIT socket, listed with "
                        "`ss -tano state time-wait` after each step; its timer from /proc/net/tcp"),
        "client_port": observed["client_port"],
        "server_port": observed["server_port"],
        "steps": steps,
        "timer_never_restarted": all(a >= b for a, b in zip(timers, timers[1:])),
    }


def syn_and_restart_agree(record: dict) -> bool:
    """Whether the SYN-to-TIME_WAIT and restart-networking runs agree with the model."""
    r = record["restart_networking"]
    return (all(run["agree"] for run in record["syn_to_time_wait"]["runs"])
            and all(s["agree"] for s in r["steps"]) and r["timer_never_restarted"])


def tw_buckets_agree(record: dict) -> bool:
    """Whether every tcp_max_tw_buckets run agrees with the model."""
    tw = record["tw_buckets"]
    return (tw["namespace_default"]["agree"] and all(b["agree"] for b in tw["bursts"])
            and tw["bound_reconnect"]["agree"] and tw["child_ehash"]["agree"])


def leftover_namespaces() -> list[str]:
    return netns_lab.leftover_namespaces(PREFIX)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the JSON record here")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--host-netns", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--bound-reconnect", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tw-buckets-burst", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tw-buckets-reuse", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-ehash", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--cap", default="default", help=argparse.SUPPRESS)
    parser.add_argument("--syn-to-time-wait", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--payload", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--rfc1337", type=int, choices=(0, 1), default=0, help=argparse.SUPPRESS)
    parser.add_argument("--restart-networking", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tw-reuse", type=int, choices=(0, 1, 2), default=2, help=argparse.SUPPRESS)
    parser.add_argument("--closer", choices=("client", "server"), default="client", help=argparse.SUPPRESS)
    parser.add_argument("--timestamps", type=int, choices=(0, 1, 2), default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside:
        return inside_main(args)
    ok, reason = can_run()
    if not ok:
        print(f"skipped: {reason}", file=sys.stderr)
        return SKIPPED
    record = run_lab()
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text, end="")
    agree = all(r["agree"] for r in record["exhaustion"] + record["bound_port_reconnect"])
    return 0 if agree and tw_buckets_agree(record) and syn_and_restart_agree(record) else 1


if __name__ == "__main__":
    sys.exit(main())
