"""Exercises of notebook 06 (Cost at scale): the 470/s limit, the incident, the fixes.

Every expected answer is computed from :mod:`tcpmodel.models`, never typed in.
"""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

#: The incident of notebook 06 (section 4): what the on-call engineer saw.
INCIDENT = {
    "time_wait_sockets": 20_000,
    "port_range": (40000, 60999),
    "established": 1_000,
    "demand_rate": 400.0,
    "time_wait_s": 60.0,
}


def _linux_rate() -> float:
    from tcpmodel.models import LinuxConfig, TCP_TIMEWAIT_LEN_S, ephemeral_port_count, max_connection_rate

    return max_connection_rate(ephemeral_port_count(*LinuxConfig().ip_local_port_range), TCP_TIMEWAIT_LEN_S)


def _rate_all_ports() -> float:
    from tcpmodel.models import TCP_TIMEWAIT_LEN_S, max_connection_rate

    return max_connection_rate(65535, TCP_TIMEWAIT_LEN_S)


def _rate_rfc_wait() -> float:
    from tcpmodel.models import SYSTEMS, LinuxConfig, ephemeral_port_count, max_connection_rate

    return max_connection_rate(ephemeral_port_count(*LinuxConfig().ip_local_port_range), SYSTEMS["rfc793"].time_wait_s)


def _incident():
    from tcpmodel.models import incident_analysis

    i = INCIDENT
    return incident_analysis(i["time_wait_sockets"], port_range=i["port_range"], established=i["established"],
                             time_wait_s=i["time_wait_s"], demand_rate=i["demand_rate"])


def _incident_rate() -> float:
    return _incident()["implied_rate"]


def _incident_rate_default_range() -> float:
    from tcpmodel.models import LinuxConfig, ephemeral_port_count

    return ephemeral_port_count(*LinuxConfig().ip_local_port_range) / INCIDENT["time_wait_s"]


def _incident_memory_mib() -> float:
    return _incident()["memory_bytes"] / 2**20


def _incident_memory_full_sockets_mib() -> float:
    from tcpmodel.models import FULL_TCP_SOCK_BYTES, time_wait_memory_bytes

    return time_wait_memory_bytes(INCIDENT["time_wait_sockets"], FULL_TCP_SOCK_BYTES) / 2**20


CONNECT_OK = "connect() succeeds and the port enters TIME_WAIT on close"
ALL_HELD = "every 4-tuple to the service is in TIME_WAIT"
FAILS = "connect() fails with EADDRNOTAVAIL"
EXPIRES = "the oldest TIME_WAIT ends and one connect() succeeds again"


def _events() -> list[str]:
    # Ordered by the times the model gives, from a cold start at twice the sustainable rate.
    from tcpmodel.models import LinuxConfig, TCP_TIMEWAIT_LEN_S, ephemeral_port_count, max_connection_rate, time_to_exhaustion

    ports = ephemeral_port_count(*LinuxConfig().ip_local_port_range)
    rate = 2 * max_connection_rate(ports, TCP_TIMEWAIT_LEN_S)
    t_full = time_to_exhaustion(rate, ports, TCP_TIMEWAIT_LEN_S)
    timeline = [(0.0, CONNECT_OK), (t_full, ALL_HELD), (t_full + 1 / rate, FAILS), (TCP_TIMEWAIT_LEN_S, EXPIRES)]
    return [label for _, label in sorted(timeline)]


SPREAD = "spread the connections over 4 addresses of the service"
REUSE = "set net.ipv4.tcp_tw_reuse=1 (timestamps are on at both ends)"
BUCKETS = "raise net.ipv4.tcp_max_tw_buckets to 262144"
FIN = "lower net.ipv4.tcp_fin_timeout to 10"


def _fixes_that_work() -> set[str]:
    from tcpmodel.models import LinuxConfig, max_connection_rate

    i = INCIDENT
    free = _incident()["free_ports"]
    demand = i["demand_rate"]
    tw = i["time_wait_s"]
    limits = {
        SPREAD: max_connection_rate(free, tw, destinations=4),
        REUSE: max_connection_rate(free, tw, config=LinuxConfig(tcp_tw_reuse=1)),
        # The cap limits how many TIME_WAIT sockets exist, not how long a 4-tuple is held: same limit.
        BUCKETS: max_connection_rate(free, tw),
        # tcp_fin_timeout is FIN_WAIT_2's timeout; TIME_WAIT stays TCP_TIMEWAIT_LEN.
        FIN: max_connection_rate(free, tw),
    }
    return {fix for fix, limit in limits.items() if limit > demand}


register(
    NumberExercise(
        "06.linux_rate",
        "With Linux's default ip_local_port_range and TIME_WAIT, how many new connections per second can one "
        "client IP sustain to one server IP and port when the client closes first?",
        expected=_linux_rate,
        hint="Count the ports in the range (both ends included) and divide by TCP_TIMEWAIT_LEN.",
        unit="connections/s",
        rel_tol=0.001,
        mistakes={
            "all 65535 ports": (_rate_all_ports, "Only the ephemeral range is used by connect(), not all 65535 ports."),
            "RFC 793's wait": (_rate_rfc_wait, "Linux does not wait 2 × 120 s; TCP_TIMEWAIT_LEN is fixed at 60 s."),
        },
    ),
    NumberExercise(
        "06.incident_rate",
        "The module holds about 20,000 sockets in TIME_WAIT (60 s each). How many connections per second is it "
        "completing to the service?",
        expected=_incident_rate,
        hint="Little's law: N = λ·T.",
        unit="connections/s",
        rel_tol=0.01,
        mistakes={
            "default range": (_incident_rate_default_range,
                              "That is the limit of Linux's default range; Little's law needs the observed count."),
        },
    ),
    NumberExercise(
        "06.incident_memory",
        "How many MiB of kernel memory do those 20,000 TIME_WAIT sockets hold (tw_sock_TCP objects)?",
        expected=_incident_memory_mib,
        hint="Multiply by the per-socket size in tcpmodel.models.TW_SOCK_BYTES, then divide by 2**20.",
        unit="MiB",
        rel_tol=0.02,
        mistakes={
            "full sockets": (_incident_memory_full_sockets_mib,
                             "A TIME_WAIT socket is a minisock, not a full socket (struct tcp_timewait_sock)."),
        },
    ),
    SequenceExercise(
        "06.exhaustion_order",
        "A client starts from no connections at twice the sustainable rate. Put these events in order.",
        expected=_events,
        hint="time_to_exhaustion() gives when the last 4-tuple is taken; the first TIME_WAIT ends after 60 s.",
        step_name="event",
    ),
    ChoiceExercise(
        "06.fixes",
        "Which changes raise the module's sustainable rate above its demand of 400 connections/s? "
        "(Choose all that apply.)",
        options=(SPREAD, REUSE, BUCKETS, FIN),
        correct=_fixes_that_work,
        hint="Ask of each change: does it add 4-tuples, or shorten how long one is held?",
        why_wrong={
            BUCKETS: "the sockets are far below the cap; the cap limits how many exist, not how long a 4-tuple is held.",
            FIN: "tcp_fin_timeout is the FIN_WAIT_2 timeout of orphaned sockets, not the TIME_WAIT length.",
        },
    ),
)
