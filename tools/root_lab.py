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
  timestamps on and off (the bound-port rule of ``tcp_twsk_unique``).

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
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT_RANGE = (20000, 20099)
SKIPPED = 77
SYSCTL = Path("/proc/sys/net/ipv4")


# ---------------------------------------------------------------------------
# Inside the namespace: standard library only.
# ---------------------------------------------------------------------------


#: The host's network namespace (inode of /proc/self/ns/net of the parent), passed to --inside.
_HOST_NETNS: list[int] = []


def _netns_inode() -> int:
    return os.stat("/proc/self/ns/net").st_ino


def _in_private_netns() -> bool:
    """True only when the parent told us its namespace and ours is a different one."""
    try:
        return bool(_HOST_NETNS) and _netns_inode() != _HOST_NETNS[0]
    except OSError:
        return False


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


def inside_main(args: argparse.Namespace) -> int:
    if args.host_netns:
        _HOST_NETNS.append(args.host_netns)
    if not _in_private_netns():
        print("--inside must run in a private network namespace (ip netns exec)", file=sys.stderr)
        return 2
    if args.bound_reconnect:
        out = inside_bound_reconnect(args.timestamps)
    else:
        out = inside_exhaustion(args.tw_reuse, args.closer, args.timestamps)
    print(json.dumps(out))
    return 0


# ---------------------------------------------------------------------------
# On the host: namespaces, and the comparison with tcpmodel.
# ---------------------------------------------------------------------------


def can_run() -> tuple[bool, str]:
    """Whether this lab can run here (root, Linux, ``ip``), and why not."""
    if not sys.platform.startswith("linux"):
        return False, "the root lab needs Linux network namespaces"
    if os.geteuid() != 0:
        return False, "the root lab needs root (it creates a network namespace); run it with sudo, or read the stored run"
    if shutil.which("ip") is None:
        return False, "the root lab needs the `ip` command (iproute2)"
    return True, "root and ip are available"


def _in_namespace(argv: list[str]) -> dict:
    name = f"tcpmodel-lab-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True, capture_output=True)
        done = subprocess.run(
            ["ip", "netns", "exec", name, sys.executable, str(Path(__file__).resolve()), "--inside", "--host-netns", str(_netns_inode()), *argv],
            check=True, capture_output=True, text=True, timeout=60,
        )
        return json.loads(done.stdout)
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False, capture_output=True)


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
    }


def leftover_namespaces() -> list[str]:
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    return [line.split()[0] for line in done.stdout.splitlines() if line.startswith("tcpmodel-lab-")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the JSON record here")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--host-netns", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--bound-reconnect", action="store_true", help=argparse.SUPPRESS)
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
    return 0 if all(r["agree"] for r in record["exhaustion"] + record["bound_port_reconnect"]) else 1


if __name__ == "__main__":
    sys.exit(main())
