"""``python -m tcpmodel``: TIME_WAIT arithmetic for 3 a.m.

Commands
--------
``rate``        sustainable new connections per second, and when that holds
``exhaust``     seconds until connect() fails at a given rate
``population``  sockets in TIME_WAIT at a given rate, and their memory
``systems``     MSL, TIME_WAIT and ephemeral ports of each system, with sources
``capture``     replay a pcap/pcapng capture: who closed, TIME_WAIT, reuse, headroom
``diagnose``    a socket table and counters (ss, /proc/net, nstat, sysctl) read with the models

Bad input prints one line, ``tcpmodel: error: …``, to stderr and exits with
status 2 (argparse's convention); there is never a traceback.

Examples
--------
>>> main(["rate", "--port-range", "32768", "60999", "--time-wait", "60"])
470.5 connections/s
  holds when:
  - the local side closes first, so its 4-tuples sit in TIME_WAIT for 60 s
  - 28,232 ephemeral ports from one source IP to 1 (destination IP, destination port)
  - connect() picks the port (no bind() before connect(), or IP_BIND_ADDRESS_NO_PORT), so a port in TIME_WAIT to one destination is still free for another (4-tuple uniqueness)
  - no tcp_tw_reuse (add --tw-reuse to include it)
  - tcp_max_tw_buckets is at least the 4-tuples TIME_WAIT can hold (add --max-tw-buckets to check)
  - connections close evenly over time; the server side does not close first
0
>>> main(["population", "--rate", "400", "--max-tw-buckets", "10000"])
10,000 sockets in TIME_WAIT
  memory: 2.4 MiB at 256 bytes per socket (tw_sock_TCP slab, Linux 6.18 x86_64; varies by kernel)
  capped by tcp_max_tw_buckets=10,000: 233.3 connections/s close without TIME_WAIT (TCPTimeWaitOverflow): their ports and 4-tuples are free at once, and TIME_WAIT no longer protects them
0
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]

PROG = "tcpmodel"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and never exit from inside parsing."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _port_range_help() -> str:
    return "ephemeral port range, both ends included (Linux default: 32768 60999)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (one subcommand per model)."""
    parser = _Parser(
        prog=PROG,
        description="TIME_WAIT arithmetic: connection rate, exhaustion, population and memory, systems table.",
        epilog="Models and sources: tcpmodel.models; course notebooks 05 and 06.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    rate = sub.add_parser("rate", help="sustainable new connections per second when this host closes first",
                          description="Sustainable new connections per second when this host closes first: "
                          "ports x destinations / TIME_WAIT.")
    _add_ports(rate)
    rate.add_argument("--time-wait", type=float, default=60.0, metavar="S",
                      help="TIME_WAIT in seconds (Linux: 60, TCP_TIMEWAIT_LEN; default 60)")
    rate.add_argument("--destinations", type=int, default=1, metavar="N",
                      help="distinct (source IP, destination IP, destination port) combinations (default 1)")
    rate.add_argument("--tw-reuse", type=int, choices=(0, 1, 2), default=None,
                      help="Linux net.ipv4.tcp_tw_reuse (0 off, 1 on, 2 loopback only); omit to ignore reuse")
    rate.add_argument("--tw-reuse-delay", type=int, default=1000, metavar="MS",
                      help="Linux net.ipv4.tcp_tw_reuse_delay in ms (default 1000)")
    rate.add_argument("--loopback", action="store_true", help="the connections use a loopback address")
    rate.add_argument("--no-timestamps", action="store_true", help="TCP timestamps are off (tcp_tw_reuse then cannot apply)")
    _add_cap(rate)
    rate.add_argument("--from-proc", action="store_true",
                      help="take the port range, tcp_tw_reuse, its delay, tcp_timestamps and tcp_max_tw_buckets from "
                           "this kernel's /proc/sys/net/ipv4 (overrides --port-range, --tw-reuse, --tw-reuse-delay, "
                           "--max-tw-buckets)")

    exhaust = sub.add_parser("exhaust", help="seconds until connect() fails at a given rate",
                             description="Seconds from a cold start until connect() finds no free 4-tuple "
                             "(EADDRNOTAVAIL) at a given rate of new connections.")
    exhaust.add_argument("--rate", type=float, required=True, metavar="R", help="new connections per second")
    _add_ports(exhaust)
    exhaust.add_argument("--time-wait", type=float, default=60.0, metavar="S", help="TIME_WAIT in seconds (default 60)")
    exhaust.add_argument("--destinations", type=int, default=1, metavar="N",
                         help="distinct (source IP, destination IP, destination port) combinations (default 1)")
    _add_cap(exhaust)

    population = sub.add_parser("population", help="sockets in TIME_WAIT at a given rate, and their memory",
                                description="Steady-state TIME_WAIT sockets (Little's law N = rate x TIME_WAIT), "
                                "capped by tcp_max_tw_buckets, and the kernel memory they hold.")
    population.add_argument("--rate", type=float, required=True, metavar="R",
                            help="connections this host closes first, per second")
    population.add_argument("--time-wait", type=float, default=60.0, metavar="S", help="TIME_WAIT in seconds (default 60)")
    _add_cap(population)
    population.add_argument("--per-socket-bytes", type=int, default=None, metavar="B",
                            help="bytes per TIME_WAIT socket (default: tw_sock_TCP slab object, 256 on Linux 6.18 x86_64)")

    sub.add_parser("systems", help="MSL, TIME_WAIT and ephemeral ports of each system, with sources",
                   description="MSL, TIME_WAIT and ephemeral port range of each system, with sources.")
    _add_diagnose(sub)
    _add_capture(sub)
    return parser


def _add_capture(sub) -> None:  # noqa: ANN001 - argparse's subparsers action
    from tcpmodel.capture.cli import add_parser

    add_parser(sub)


def _add_diagnose(sub) -> None:  # noqa: ANN001 - argparse's subparsers action
    diagnose = sub.add_parser(
        "diagnose", help="diagnose a socket table and counters (ss, /proc/net, nstat, sysctl)",
        description="Read ss -tan/-tano output, /proc/net/tcp and tcp6, /proc/net/sockstat, nstat -az or "
        "/proc/net/netstat, and sysctl output (each file's format is detected; '-' reads stdin), or this machine "
        "with --live (no root), and report TIME_WAIT by remote endpoint, who closes first, the port budget, the "
        "TIME_WAIT counters, the binding resource and the workarounds of notebook 07's table that fit.")
    diagnose.add_argument("files", nargs="*", metavar="FILE", help="input files ('-' for stdin)")
    diagnose.add_argument("--live", action="store_true", help="read this machine (ss, nstat, /proc) instead of files")
    diagnose.add_argument("--rate", type=float, default=None, metavar="R",
                          help="new connections per second to each destination tuple (default: estimated with "
                               "Little's law from the TIME_WAIT count)")
    diagnose.add_argument("--top", type=int, default=10, metavar="N", help="rows in each top list (default 10)")


def _add_ports(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port-range", type=int, nargs=2, default=(32768, 60999), metavar=("LOW", "HIGH"),
                        help=_port_range_help())


def _add_cap(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-tw-buckets", type=int, default=None, metavar="N",
                        help="Linux net.ipv4.tcp_max_tw_buckets (default: no cap). Connections that close while the "
                             "cap is full get no TIME_WAIT: their 4-tuples are free at once, unprotected")


# rate_conditions() speaks to Python callers; at the command line the same hints name the options.
_CLI_HINTS = {
    "(pass a LinuxConfig to include it)": "(add --tw-reuse to include it)",
    "(pass max_tw_buckets to check)": "(add --max-tw-buckets to check)",
}


def _cli_line(line: str) -> str:
    for api, flag in _CLI_HINTS.items():
        line = line.replace(api, flag)
    return line


def _fmt_seconds(seconds: float) -> str:
    if math.isinf(seconds):
        return "never (the rate is sustainable)"
    return f"{seconds:,.1f} s"


def _fmt_bytes(n: float) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n:,.0f} B"


def _run(args: argparse.Namespace) -> None:
    from tcpmodel import models

    if args.command == "rate":
        config = None
        if args.from_proc:
            config = models.LinuxConfig.from_proc()
            if args.no_timestamps:
                config = config.replace(tcp_timestamps=0)
            args.port_range = config.ip_local_port_range
            if config.tcp_max_tw_buckets is not None:
                args.max_tw_buckets = config.tcp_max_tw_buckets
        ports = models.ephemeral_port_count(*args.port_range)
        if args.tw_reuse is not None and config is None:
            config = models.LinuxConfig(ip_local_port_range=tuple(args.port_range), tcp_tw_reuse=args.tw_reuse,
                                        tcp_tw_reuse_delay=args.tw_reuse_delay,
                                        tcp_timestamps=0 if args.no_timestamps else 1)
        kwargs = {"loopback": args.loopback, "peer_timestamps": not args.no_timestamps,
                  "max_tw_buckets": args.max_tw_buckets}
        rate = models.max_connection_rate(ports, args.time_wait, args.destinations, config, **kwargs)
        if math.isinf(rate):
            print("no limit from TIME_WAIT: tcp_max_tw_buckets is below the 4-tuples, so connections beyond it "
                  "close without TIME_WAIT")
        else:
            print(f"{rate:,.1f} connections/s")
        print("  holds when:")
        for line in models.rate_conditions(ports, args.time_wait, args.destinations, config, **kwargs):
            print(f"  - {_cli_line(line)}")
        if args.from_proc:
            print(f"  - sysctls {config.source}")
    elif args.command == "exhaust":
        ports = models.ephemeral_port_count(*args.port_range)
        seconds = models.time_to_exhaustion(args.rate, ports, args.time_wait, args.destinations,
                                            max_tw_buckets=args.max_tw_buckets)
        limit = models.max_connection_rate(ports, args.time_wait, args.destinations)
        skipped = models.time_wait_overflow_rate(args.rate, args.time_wait, args.max_tw_buckets)
        print(f"time to exhaustion: {_fmt_seconds(seconds)}")
        noun = "destination" if args.destinations == 1 else "destinations"
        print(f"  sustainable rate: {limit:,.1f} connections/s ({ports:,} ports x {args.destinations:,} "
              f"{noun} / {args.time_wait:g} s)")
        if skipped > 0:
            print(f"  tcp_max_tw_buckets={args.max_tw_buckets:,}: {skipped:,.1f} connections/s close without "
                  "TIME_WAIT (TCPTimeWaitOverflow)")
        if not math.isinf(seconds):
            print(f"  then connect() fails with EADDRNOTAVAIL for {args.rate - limit:,.1f} connections/s "
                  "beyond the sustainable rate")
    elif args.command == "population":
        count = models.time_wait_population(args.rate, args.time_wait, args.max_tw_buckets)
        per = models.TW_SOCK_BYTES if args.per_socket_bytes is None else args.per_socket_bytes
        memory = models.time_wait_memory_bytes(count, per)
        print(f"{count:,.0f} sockets in TIME_WAIT")
        print(f"  memory: {_fmt_bytes(memory)} at {per} bytes per socket"
              + (" (tw_sock_TCP slab, Linux 6.18 x86_64; varies by kernel)" if args.per_socket_bytes is None else ""))
        skipped = models.time_wait_overflow_rate(args.rate, args.time_wait, args.max_tw_buckets)
        if skipped > 0:
            print(f"  capped by tcp_max_tw_buckets={args.max_tw_buckets:,}: {skipped:,.1f} connections/s close "
                  "without TIME_WAIT (TCPTimeWaitOverflow): their ports and 4-tuples are free at once, and "
                  "TIME_WAIT no longer protects them")
    elif args.command == "diagnose":
        _run_diagnose(args)
    elif args.command == "capture":
        from tcpmodel.capture.cli import run as run_capture

        run_capture(args)
    elif args.command == "systems":
        rows = models.systems_table()
        labels = {"msl_s": "MSL", "time_wait_s": "TIME_WAIT", "ephemeral_range": "ports"}
        print(f"{'system':10} {'MSL s':>6} {'TIME_WAIT s':>11} {'ephemeral':>12}  {'by version':15}  source of TIME_WAIT")
        for r in rows:
            varies = ", ".join(labels[name] for name in r["version_dependent"]) or "-"
            print(f"{r['key']:10} {r['msl_s']:>6g} {r['time_wait_s']:>11g} {r['ephemeral_range']:>12}  "
                  f"{varies:15}  {r['source']}")
        for r in rows:
            if r["note"]:
                print(f"{r['key']}: {r['note']}")
        print("Each release's value and source: tcpmodel.models.SYSTEMS[key].by_version; all sources: .sources")


def _run_diagnose(args: argparse.Namespace) -> None:
    from tcpmodel import diagnose

    if args.live and args.files:
        raise _UsageError("diagnose: give FILE arguments or --live, not both")
    if not args.live and not args.files:
        raise _UsageError("diagnose: give at least one FILE ('-' for stdin) or --live")
    if args.rate is not None and not (0 < args.rate <= 1e9):
        raise _UsageError(f"--rate must be a number in (0, 1e+09] (connections/s); got {args.rate:g}")
    if not 1 <= args.top <= 10_000:
        raise _UsageError(f"--top must be an integer in [1, 10000]; got {args.top}")
    inputs = diagnose.read_live() if args.live else diagnose.read_files(args.files)
    print(diagnose.diagnose(inputs, rate=args.rate, top=args.top).render())


def models_errors() -> type[Exception]:
    """``ProcUnavailable``: /proc could not be read (reported like bad input)."""
    from tcpmodel.linux import ProcUnavailable

    return ProcUnavailable


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        _run(args)
    except (_UsageError, ValueError, models_errors()) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as a shell tool does, without a traceback at exit.
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
