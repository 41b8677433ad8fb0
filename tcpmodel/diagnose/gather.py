"""``--live``: this machine's socket table, counters and sysctls, read without root.

It runs ``ss -tano`` and ``nstat -asz`` (``-s``: nstat's history file is left
alone) when they are installed, and reads ``/proc/net/sockstat`` and
``/proc/sys/net/ipv4`` (:meth:`tcpmodel.linux.LinuxConfig.from_proc`). When
``ss`` is missing it reads ``/proc/net/tcp`` and ``/proc/net/tcp6``; when
``nstat`` is missing, ``/proc/net/netstat``; the report's notes say so. None
of these needs root.

Examples
--------
>>> import sys
>>> inputs = read_live() if sys.platform == "linux" else None
>>> inputs is None or inputs.sockets is not None
True
"""

from __future__ import annotations

import os
import shutil
import subprocess

from tcpmodel.diagnose.inputs import Inputs, read_texts
from tcpmodel.diagnose.parsers import DiagnoseInputError

__all__ = ["read_live", "LIVE_TIMEOUT_S"]

#: How long ``ss`` or ``nstat`` may run before the live read gives up on it.
LIVE_TIMEOUT_S = 10.0


def _run(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=LIVE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and done.stdout.strip() else None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def read_live(*, proc: str = "/proc", tools: bool = True) -> Inputs:
    """Read this machine's inputs (see the module). ``tools=False`` reads /proc only.

    Raises
    ------
    DiagnoseInputError
        When neither ``ss`` nor ``/proc/net/tcp`` can be read (not Linux, or no /proc).
    """
    from tcpmodel.linux import LinuxConfig, ProcUnavailable

    items: list[tuple[str, str]] = []
    notes = []
    ss = _run(["ss", "-tano"]) if tools else None
    if ss is not None:
        items.append(("ss -tano", ss))
    else:
        found = False
        for name in ("tcp", "tcp6"):
            text = _read(os.path.join(proc, "net", name))
            if text is not None and text.strip():
                items.append((f"{proc}/net/{name}", text))
                found = True
        if not found:
            raise DiagnoseInputError(f"--live: cannot run ss or read {proc}/net/tcp (not Linux, or /proc is not "
                                     "mounted); give the inputs as files instead")
        notes.append(("ss is not installed" if tools and shutil.which("ss") is None else "ss gave no output" if tools
                      else "tools not used") + f": the socket table is read from {proc}/net/tcp and tcp6")
    nstat = _run(["nstat", "-asz"]) if tools else None
    if nstat is not None:
        items.append(("nstat -asz", nstat))
    else:
        text = _read(os.path.join(proc, "net", "netstat"))
        if text is not None:
            items.append((f"{proc}/net/netstat", text))
            notes.append(("nstat is not installed" if tools and shutil.which("nstat") is None else
                           "nstat gave no output" if tools else "tools not used")
                         + f": the counters are read from {proc}/net/netstat")
    sockstat = _read(os.path.join(proc, "net", "sockstat"))
    if sockstat is not None:
        items.append((f"{proc}/net/sockstat", sockstat))
    tcp_mem = _read(os.path.join(proc, "sys", "net", "ipv4", "tcp_mem"))
    if tcp_mem is not None:
        items.append((f"{proc}/sys/net/ipv4/tcp_mem", f"net.ipv4.tcp_mem = {tcp_mem.strip()}"))
    inputs = read_texts(items)
    inputs.notes.extend(notes)
    try:
        inputs.live_config = LinuxConfig.from_proc(os.path.join(proc, "sys", "net", "ipv4"))
        inputs.described.append(f"{proc}/sys/net/ipv4 (LinuxConfig.from_proc)")
    except (ProcUnavailable, ValueError) as exc:
        inputs.notes.append(f"sysctls not readable ({exc}); Linux defaults used")
    return inputs
