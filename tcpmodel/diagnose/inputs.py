"""Reading the inputs of a diagnosis: texts of any accepted format, combined into one :class:`Inputs`.

Examples
--------
>>> inp = read_texts([("ss.txt", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\\n"
...                              "TIME-WAIT 0 0 10.0.0.5:40312 10.1.2.3:8080"),
...                   ("sysctl.txt", "net.ipv4.ip_local_port_range = 40000 60999")])
>>> len(inp.sockets), inp.config().ip_local_port_range
(1, (40000, 60999))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tcpmodel.diagnose.parsers import (
    FORMATS,
    DiagnoseInputError,
    Socket,
    detect_format,
    parse_netstat,
    parse_nstat,
    parse_proc_tcp,
    parse_sockstat,
    parse_ss,
    parse_sysctl,
)

__all__ = ["Inputs", "read_texts", "read_files", "decode"]

#: sysctl names → LinuxConfig fields (ints).
_CONFIG_KEYS = {
    "net.ipv4.tcp_tw_reuse": "tcp_tw_reuse",
    "net.ipv4.tcp_tw_reuse_delay": "tcp_tw_reuse_delay",
    "net.ipv4.tcp_timestamps": "tcp_timestamps",
    "net.ipv4.tcp_max_tw_buckets": "tcp_max_tw_buckets",
    "net.ipv4.tcp_rfc1337": "tcp_rfc1337",
}


@dataclass
class Inputs:
    """What the inputs said, combined: a socket table, counters, sockstat and sysctls.

    ``sockets`` is ``None`` when no socket table was given. ``described`` lists
    each input with its format; ``notes`` what was assumed or left out.
    """

    sockets: list[Socket] | None = None
    counters: dict[str, int] = field(default_factory=dict)
    sockstat: dict[str, int] | None = None
    sysctl: dict[str, str] = field(default_factory=dict)
    described: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sysctl_source: str = ""
    live_config: object = None

    def config(self):  # noqa: ANN201 - LinuxConfig, imported lazily
        """The :class:`~tcpmodel.linux.LinuxConfig` the sysctls give (Linux's defaults for what they leave out).

        ``tcp_max_tw_buckets`` has no fixed default (half the ehash, sized at boot), so it is ``None``
        (no cap modelled) unless an input gives it. Bad values raise :class:`DiagnoseInputError`.
        """
        from tcpmodel.linux import TW_REUSE_DELAY_SYSCTL_SINCE, LinuxConfig, parse_kernel_version

        if self.live_config is not None:
            return self.live_config
        values: dict = {"tcp_max_tw_buckets": None}
        where = self.sysctl_source or "sysctl"
        text = self.sysctl.get("net.ipv4.ip_local_port_range")
        if text is not None:
            parts = text.split()
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise DiagnoseInputError(f"{where}: net.ipv4.ip_local_port_range must be two integers (low high); "
                                         f"got {text!r}")
            values["ip_local_port_range"] = (int(parts[0]), int(parts[1]))
        for key, name in _CONFIG_KEYS.items():
            if key in self.sysctl:
                if not self.sysctl[key].lstrip("-").isdigit():
                    raise DiagnoseInputError(f"{where}: {key} must be an integer; got {self.sysctl[key]!r}")
                values[name] = int(self.sysctl[key])
        kernel = parse_kernel_version(self.sysctl.get("kernel.osrelease", ""))
        values["kernel"] = kernel
        if "tcp_tw_reuse_delay" not in values and kernel is not None and kernel < TW_REUSE_DELAY_SYSCTL_SINCE:
            values["tcp_tw_reuse_delay"] = None  # no such sysctl before 6.14: that kernel's whole-second rule
        source = f"sysctls from {where}; Linux defaults for the rest" if self.sysctl else \
            "Linux defaults (no sysctl input); tcp_max_tw_buckets unknown"
        try:
            return LinuxConfig(**values, source=source)
        except ValueError as exc:
            raise DiagnoseInputError(f"{where}: {exc}") from None

    def tcp_mem(self) -> tuple[int, int, int] | None:
        """``net.ipv4.tcp_mem`` (min, pressure, max pages), if given."""
        text = self.sysctl.get("net.ipv4.tcp_mem")
        if text is None:
            return None
        parts = text.split()
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise DiagnoseInputError(f"{self.sysctl_source or 'sysctl'}: net.ipv4.tcp_mem must be 3 integers "
                                     f"(min pressure max, pages); got {text!r}")
        return (int(parts[0]), int(parts[1]), int(parts[2]))


def decode(data: bytes, name: str) -> str:
    """``data`` as text, or a :class:`DiagnoseInputError` naming ``name`` for binary or non-UTF-8 bytes.

    Examples
    --------
    >>> decode(b"\\x00\\x01pcap", "dump.pcap")
    Traceback (most recent call last):
    ...
    tcpmodel.diagnose.parsers.DiagnoseInputError: dump.pcap: binary data, not text (a capture? use python -m tcpmodel capture)
    """
    if b"\x00" in data[:65536]:
        raise DiagnoseInputError(f"{name}: binary data, not text (a capture? use python -m tcpmodel capture)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DiagnoseInputError(f"{name}: not UTF-8 text (byte {exc.start}); expected the text output of "
                                 "ss, nstat, sysctl or a /proc/net file") from None


def read_texts(items: Iterable[tuple[str, str]]) -> Inputs:
    """Parse ``(name, text)`` pairs, each in the format :func:`detect_format` finds, into one :class:`Inputs`.

    Socket tables from several inputs of one kind are joined (``/proc/net/tcp``
    and ``tcp6``); when both ``ss`` and ``/proc/net/tcp`` tables are given, which
    list the same sockets, only ss's are used, and a note says so.
    """
    inputs = Inputs()
    tables: dict[str, list[Socket]] = {}
    for name, text in items:
        if not isinstance(text, str):
            raise DiagnoseInputError(f"{name}: must be text (str); got {type(text).__name__}")
        kind = detect_format(text, name)
        inputs.described.append(f"{name} ({FORMATS[kind]})")
        if kind == "ss":
            rows = parse_ss(text, name)
            if _lines_header(text)[:1] != ["State"] and _lines_header(text)[:1] != ["Netid"]:
                inputs.notes.append(f"{name} has no State column (ss ... state FILTER): its rows are taken as "
                                    "TIME_WAIT, unless a timer:(...) column says otherwise")
            tables.setdefault("ss", []).extend(rows)
        elif kind == "proc_tcp":
            tables.setdefault("proc_tcp", []).extend(parse_proc_tcp(text, name))
        elif kind == "sockstat":
            inputs.sockstat = parse_sockstat(text, name)
        elif kind == "nstat":
            inputs.counters.update(parse_nstat(text, name))
        elif kind == "netstat":
            inputs.counters.update(parse_netstat(text, name))
        elif kind == "sysctl":
            inputs.sysctl.update(parse_sysctl(text, name))
            inputs.sysctl_source = ", ".join(filter(None, (inputs.sysctl_source, name)))
    if "ss" in tables:
        inputs.sockets = tables["ss"]
        if "proc_tcp" in tables:
            inputs.notes.append("both ss and /proc/net/tcp tables were given; they list the same sockets, so only "
                                "ss's rows are counted")
    elif "proc_tcp" in tables:
        inputs.sockets = tables["proc_tcp"]
    return inputs


def _lines_header(text: str) -> list[str]:
    for line in text[:4096].splitlines():
        if line.strip() and not line.lstrip().startswith("$ "):
            return line.split()
    return []


def read_files(paths: Iterable[str], stdin=None) -> Inputs:  # noqa: ANN001 - a binary or text stream
    """Read and parse files (``"-"`` is ``stdin``); errors name the file.

    Raises
    ------
    DiagnoseInputError
        A missing, unreadable, binary, empty or unrecognised file.
    """
    import sys

    items = []
    for path in paths:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin
            raw = getattr(stream, "buffer", stream).read()
            text = decode(raw, "stdin") if isinstance(raw, bytes) else raw
            items.append(("stdin", text))
            continue
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise DiagnoseInputError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise DiagnoseInputError(f"{path}: is a directory, not a file") from None
        except OSError as exc:
            raise DiagnoseInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        items.append((path, decode(data, path)))
    return read_texts(items)
