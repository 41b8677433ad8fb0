"""Record the diagnose fixtures in this directory from this machine's kernel (run as any user).

It makes TIME_WAIT sockets on loopback (a client that closes first towards an IPv4 listener, a dual-stack
IPv6 listener that closes first on IPv4-mapped connections, a client closing first towards ::1), keeps the
listeners and one established connection each open, and saves what ss, nstat, sysctl and /proc show.
Nothing is edited afterwards: the files are the tools' own output (other sockets of the machine included).

    python tests/data/diagnose/record.py
"""

import pathlib
import socket
import subprocess
import time

HERE = pathlib.Path(__file__).resolve().parent


def listener(family, host):
    s = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6 and host == "::":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((host, 0))
    s.listen(64)
    return s


def pairs(server, family, host, n, closer):
    port = server.getsockname()[1]
    for _ in range(n):
        c = socket.create_connection((host, port), timeout=2)
        a, _ = server.accept()
        first, second = (c, a) if closer == "client" else (a, c)
        first.close()
        time.sleep(0.005)
        second.close()


def main():
    v4 = listener(socket.AF_INET, "127.0.0.1")
    dual = listener(socket.AF_INET6, "::")
    v6 = listener(socket.AF_INET6, "::1")
    pairs(v4, socket.AF_INET, "127.0.0.1", 20, "client")
    pairs(dual, socket.AF_INET, "127.0.0.1", 12, "server")
    pairs(v6, socket.AF_INET6, "::1", 5, "client")
    keep = [socket.create_connection(("127.0.0.1", v4.getsockname()[1])), v4.accept()[0]]
    time.sleep(0.2)
    commands = {
        "ss_tan.txt": ["ss", "-tan"],
        "ss_tano.txt": ["ss", "-tano"],
        "ss_tan_state_time_wait.txt": ["ss", "-tan", "state", "time-wait"],
        "nstat_az.txt": ["nstat", "-asz"],
        "nstat_a.txt": ["nstat", "-as"],
        "sysctl.txt": ["sysctl", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_tw_reuse_delay",
                       "net.ipv4.tcp_timestamps", "net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_rfc1337",
                       "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_mem", "kernel.osrelease"],
    }
    for name, cmd in commands.items():
        (HERE / name).write_text(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    for name, path in {"proc_net_tcp.txt": "/proc/net/tcp", "proc_net_tcp6.txt": "/proc/net/tcp6",
                       "sockstat.txt": "/proc/net/sockstat", "proc_net_netstat.txt": "/proc/net/netstat"}.items():
        (HERE / name).write_text(pathlib.Path(path).read_text())
    lines = [f"{p}:{p.read_text().strip()}" for p in sorted(pathlib.Path("/proc/sys/net/ipv4").glob("tcp_tw_*"))]
    lines.append(f"/proc/sys/net/ipv4/ip_local_port_range:{pathlib.Path('/proc/sys/net/ipv4/ip_local_port_range').read_text().strip()}")
    (HERE / "proc_sys.txt").write_text("\n".join(lines) + "\n")
    for s in keep + [v4, dual, v6]:
        s.close()
    print("recorded in", HERE)


if __name__ == "__main__":
    main()
