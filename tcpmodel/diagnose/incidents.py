"""Inputs for notebook 09's incidents, synthesized from each incident's own parameters and the models.

Theory of operation
-------------------
Nothing here was recorded on a real host. Each function builds the text a
learner would paste (``ss``, ``nstat``, ``sysctl``) from the parameters in
:mod:`tcpmodel.exercises.nb09` and from :mod:`tcpmodel`'s models and
simulators, so that :func:`tcpmodel.diagnose.diagnose_text` on it agrees with
the incident's own analysis (``tests/test_diagnose.py`` checks that):

* ``"inc1"`` (an outgoing pool that cannot connect): the notebook's
  ``ss -tan state time-wait dst 10.1.2.3:8080`` with ``INCIDENT1``'s TIME_WAIT
  count, one socket per local port of Linux's default range, their timers
  spread evenly over ``TCP_TIMEWAIT_LEN`` (a steady state), and the default
  sysctls; the peak rate comes with it as ``rate``.
* ``"inc2"`` (a server that cannot restart): the crashed server's TIME_WAIT
  sockets on its port, no listener, timers at ``TCP_TIMEWAIT_LEN`` minus the
  restart delay; the side in TIME_WAIT comes from the simulator
  (``simulate("normal_close", closer="B")``).
* ``"inc3"`` (failures behind NAT): ``sysctl`` with ``tcp_tw_recycle = 1`` on
  Linux 4.9 and ``nstat`` with ``TcpExtPAWSPassive`` = the SYNs that
  :func:`tcpmodel.sim.recycle.simulate_tw_recycle_nat` dropped in one seed's
  hour.

The addresses, incident 2's port and socket count, and the restart delay are
inputs of the synthesis (:data:`SYNTHESIS`), not results.

Examples
--------
>>> table = incident_socket_table("inc2")
>>> table.splitlines()[0].split()[:2]
['State', 'Recv-Q']
>>> incident_socket_table("inc9")
Traceback (most recent call last):
...
ValueError: incident must be one of 'inc1', 'inc2', 'inc3'; got 'inc9'
"""

from __future__ import annotations

import random

from tcpmodel._validate import require_choice

__all__ = ["INCIDENTS", "SYNTHESIS", "incident_inputs", "incident_socket_table"]

INCIDENTS = ("inc1", "inc2", "inc3")

#: The synthesis's own inputs (not the incidents' answers). inc1's inventory address and port are the notebook's
#: (its ``ss ... dst 10.1.2.3:8080``); the other addresses are private ones picked for the table; incident 2's port
#: and socket count are illustrative; its restart delay is the notebook's "within a second".
SYNTHESIS = {
    "inc1": {"source_ip": "10.1.2.10", "destination": ("10.1.2.3", 8080), "seed": 9},
    "inc2": {"server": ("10.1.5.20", 8443), "clients": ("10.1.6.11", "10.1.6.12", "10.1.6.13"),
             "time_wait_sockets": 40, "restart_after_s": 1.0, "seed": 9},
    "inc3": {"kernel_release": "4.9.0", "seed_index": 0},
}

_SS_HEADER = "State      Recv-Q Send-Q        Local Address:Port         Peer Address:Port Process"
_SS_NO_STATE_HEADER = "Recv-Q Send-Q        Local Address:Port         Peer Address:Port Process"


def _timer(seconds: float) -> str:
    """ss's timer text: ``59sec``, ``250ms`` (whole units, as ss prints them)."""
    return f"timer:(timewait,{int(seconds)}sec,0)" if seconds >= 1 else f"timer:(timewait,{int(seconds * 1000)}ms,0)"


def _sysctl_text(config, extra: dict | None = None) -> str:  # noqa: ANN001 - LinuxConfig
    lines = [f"net.ipv4.ip_local_port_range = {config.ip_local_port_range[0]}\t{config.ip_local_port_range[1]}",
             f"net.ipv4.tcp_tw_reuse = {config.tcp_tw_reuse}", f"net.ipv4.tcp_timestamps = {config.tcp_timestamps}",
             f"net.ipv4.tcp_rfc1337 = {config.tcp_rfc1337}"]
    if config.tcp_tw_reuse_delay is not None:
        lines.insert(2, f"net.ipv4.tcp_tw_reuse_delay = {config.tcp_tw_reuse_delay}")
    lines += [f"{k} = {v}" for k, v in (extra or {}).items()]
    return "\n".join(lines) + "\n"


def _inc1_table() -> str:
    from tcpmodel.exercises.nb09 import INCIDENT1
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S, LinuxConfig

    p = SYNTHESIS["inc1"]
    low, high = LinuxConfig().ip_local_port_range
    count = int(INCIDENT1["time_wait_sockets"])
    ports = random.Random(p["seed"]).sample(range(low, high + 1), count)
    dst, dport = p["destination"]
    rows = [_SS_NO_STATE_HEADER]
    for i, port in enumerate(ports):
        left = TCP_TIMEWAIT_LEN_S * (i + 0.5) / count  # a steady state: ages spread evenly over the wait
        rows.append(f"0      0      {p['source_ip'] + ':' + str(port):>21} {dst + ':' + str(dport):>21} {_timer(left)}")
    return "\n".join(rows) + "\n"


def _inc2_table() -> str:
    from tcpmodel.linux import LinuxConfig
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    p = SYNTHESIS["inc2"]
    trace = simulate("normal_close", closer="B")  # B, the server, closes first
    if State.TIME_WAIT not in trace.path("B"):
        raise RuntimeError("the simulator no longer puts the server in TIME_WAIT when it closes first")
    left = trace.time_in("B", State.TIME_WAIT) - p["restart_after_s"]
    low, high = LinuxConfig().ip_local_port_range
    rng = random.Random(p["seed"])
    host, port = p["server"]
    rows = [_SS_HEADER]
    for i in range(p["time_wait_sockets"]):
        client = p["clients"][i % len(p["clients"])]
        rows.append(f"TIME-WAIT  0      0      {host + ':' + str(port):>21} "
                    f"{client + ':' + str(rng.randint(low, high)):>21} {_timer(left)}")
    return "\n".join(rows) + "\n"


def incident_socket_table(key: str) -> str:
    """The ``ss``-style socket table of notebook 09's incident ``key`` (``"inc1"`` or ``"inc2"``).

    Synthesized from the incident's parameters and the models, not recorded
    (see the module). Incident 3 is diagnosed from counters and sysctls:
    :func:`incident_inputs`.

    Examples
    --------
    >>> lines = incident_socket_table("inc1").splitlines()
    >>> lines[0].split()[0], len(lines) - 1
    ('Recv-Q', 28200)
    """
    require_choice("incident", key, INCIDENTS)
    if key == "inc1":
        return _inc1_table()
    if key == "inc2":
        return _inc2_table()
    raise ValueError("incident 'inc3' has no socket table to diagnose (its signature is in the counters and "
                     "sysctls): use incident_inputs('inc3')")


def incident_inputs(key: str) -> dict:
    """Keyword arguments for :func:`tcpmodel.diagnose.diagnose_text` that describe incident ``key``.

    Synthesized from the incident's parameters and the models, not recorded.

    Examples
    --------
    >>> from tcpmodel.diagnose import diagnose_text
    >>> report = diagnose_text(**incident_inputs("inc1"))
    >>> report.binding, report.closers["client"]
    ('ports', 28200)
    """
    require_choice("incident", key, INCIDENTS)
    from tcpmodel.linux import LinuxConfig

    if key == "inc1":
        from tcpmodel.exercises.nb09 import INCIDENT1

        return {"ss": _inc1_table(), "sysctl": _sysctl_text(LinuxConfig()), "rate": float(INCIDENT1["peak_rate"])}
    if key == "inc2":
        return {"ss": _inc2_table(), "sysctl": _sysctl_text(LinuxConfig())}
    from tcpmodel.exercises.nb09 import INCIDENT3
    from tcpmodel.sim.recycle import SPREAD_SEEDS, simulate_tw_recycle_nat

    p = SYNTHESIS["inc3"]
    run = simulate_tw_recycle_nat(**INCIDENT3, seed=SPREAD_SEEDS[p["seed_index"]])
    config = LinuxConfig(tcp_tw_reuse=0, tcp_tw_reuse_delay=None, kernel=(4, 9), tcp_max_tw_buckets=None)
    sysctl = _sysctl_text(config, {"net.ipv4.tcp_tw_recycle": 1, "kernel.osrelease": p["kernel_release"]})
    nstat = f"#kernel\nTcpExtPAWSPassive               {run.syns_dropped:<18} 0.0\n"
    return {"sysctl": sysctl, "nstat": nstat}
