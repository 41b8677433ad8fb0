"""Diagnose a server's socket table and counters with the course's models (``python -m tcpmodel diagnose``).

Theory of operation
-------------------
The inputs are the plain-text outputs people already have: ``ss -tan`` /
``ss -tano`` / ``ss -tan state time-wait``, ``/proc/net/tcp`` and ``tcp6``,
``/proc/net/sockstat``, ``nstat -az`` or ``/proc/net/netstat``, and ``sysctl``
output (:mod:`tcpmodel.diagnose.parsers` detects and parses each). They come
from files, from pasted strings (:func:`diagnose_text`, for a notebook) or from
this machine without root (:func:`read_live`).

:func:`diagnose` returns a :class:`~tcpmodel.diagnose.report.Report`: TIME_WAIT
sockets by remote endpoint, who closed first, the port budget of each
(source IP, destination IP, destination port) with the time to exhaustion,
the TIME_WAIT counters with what each counts
(:mod:`tcpmodel.diagnose.counters`), the binding resource, and the rows of
notebook 07's decision table that fit. :mod:`tcpmodel.diagnose.incidents`
synthesizes the inputs of notebook 09's incidents from their own parameters.

Only the standard library and :mod:`tcpmodel` are used.

Examples
--------
>>> ss = '''State     Recv-Q Send-Q Local Address:Port  Peer Address:Port
... LISTEN    0      128          0.0.0.0:443        0.0.0.0:*
... TIME-WAIT 0      0           10.0.0.5:443   192.0.2.7:51000
... TIME-WAIT 0      0           10.0.0.5:443   192.0.2.8:52000'''
>>> report = diagnose_text(ss=ss)
>>> report.closers
{'server': 2, 'client': 0, 'unknown': 0}
>>> [row.key for row, why in report.workarounds]
['so_reuseaddr']
"""

from __future__ import annotations

from tcpmodel.diagnose.inputs import Inputs, read_files, read_texts
from tcpmodel.diagnose.parsers import FORMATS, DiagnoseInputError, Socket, detect_format
from tcpmodel.diagnose.report import Budget, Report, analyse

__all__ = [
    "FORMATS",
    "DiagnoseInputError",
    "Socket",
    "Inputs",
    "Budget",
    "Report",
    "detect_format",
    "diagnose",
    "diagnose_text",
    "diagnose_files",
    "read_texts",
    "read_files",
    "read_live",
    "incident_inputs",
    "incident_socket_table",
]


def diagnose(inputs: Inputs, *, rate: float | None = None, top: int = 10) -> Report:
    """The report of already-read :class:`Inputs` (``rate``: new connections/s to each destination tuple).

    Examples
    --------
    >>> inputs = read_texts([("stat", "TCP: inuse 2 orphan 0 tw 7 alloc 2 mem 1")])
    >>> diagnose(inputs).sockstat_tw
    7
    """
    return analyse(inputs, rate=rate, top=top)


def diagnose_text(*texts: str, ss: str | None = None, proc_tcp: str | None = None, sockstat: str | None = None,
                  nstat: str | None = None, netstat: str | None = None, sysctl: str | None = None,
                  rate: float | None = None, top: int = 10) -> Report:
    """Diagnose pasted text: any inputs as positional strings (the format is detected) or by keyword.

    A keyword names where the text came from in the report and in errors; the
    format is still detected, so a text pasted under the wrong keyword gets an
    error that says what it is not.

    Examples
    --------
    >>> r = diagnose_text(sockstat="TCP: inuse 3 orphan 0 tw 120000 alloc 3 mem 5",
    ...                   sysctl="net.ipv4.tcp_max_tw_buckets = 120000")
    >>> r.binding
    'tcp_max_tw_buckets'
    >>> diagnose_text(nstat="TCP: inuse 1")
    Traceback (most recent call last):
    ...
    tcpmodel.diagnose.parsers.DiagnoseInputError: nstat: pasted as nstat but it is /proc/net/sockstat
    """
    items = [(f"text {i + 1}", t) for i, t in enumerate(texts)]
    for kind, text in (("ss", ss), ("proc_tcp", proc_tcp), ("sockstat", sockstat), ("nstat", nstat),
                       ("netstat", netstat), ("sysctl", sysctl)):
        if text is None:
            continue
        if not isinstance(text, str):
            raise DiagnoseInputError(f"{kind}: must be text (str); got {type(text).__name__}")
        found = detect_format(text, kind)
        if found != kind and not (kind == "nstat" and found == "netstat") and not (kind == "netstat" and found == "nstat"):
            raise DiagnoseInputError(f"{kind}: pasted as {kind} but it is {FORMATS[found]}")
        items.append((kind, text))
    if not items:
        raise DiagnoseInputError("no input: pass at least one text (ss, proc_tcp, sockstat, nstat, netstat or sysctl)")
    return analyse(read_texts(items), rate=rate, top=top)


def diagnose_files(paths: list[str], *, rate: float | None = None, top: int = 10, stdin=None) -> Report:  # noqa: ANN001
    """Diagnose files (``"-"`` reads ``stdin``); errors name the file.

    Examples
    --------
    >>> diagnose_files(["/no/such/ss.txt"])
    Traceback (most recent call last):
    ...
    tcpmodel.diagnose.parsers.DiagnoseInputError: /no/such/ss.txt: no such file
    """
    return analyse(read_files(paths, stdin=stdin), rate=rate, top=top)


def read_live(*, proc: str = "/proc") -> Inputs:
    """This machine's socket table, counters and sysctls, read without root (see :mod:`tcpmodel.diagnose.gather`).

    Examples
    --------
    >>> import sys
    >>> sys.platform != "linux" or diagnose(read_live()).time_wait_total >= 0
    True
    """
    from tcpmodel.diagnose.gather import read_live as _read_live

    return _read_live(proc=proc)


def incident_inputs(key: str) -> dict:
    """Synthesized inputs of notebook 09's incident ``key`` (see :mod:`tcpmodel.diagnose.incidents`)."""
    from tcpmodel.diagnose.incidents import incident_inputs as _incident_inputs

    return _incident_inputs(key)


def incident_socket_table(key: str) -> str:
    """The synthesized ``ss -tan``-style table of notebook 09's incident ``key`` (see :mod:`tcpmodel.diagnose.incidents`)."""
    from tcpmodel.diagnose.incidents import incident_socket_table as _table

    return _table(key)
