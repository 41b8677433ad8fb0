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


#: Exercises 6 and 7: tcp_max_tw_buckets lowered below the module's free 4-tuples to the ledger.
LOW_CAP = 10_000
CAP_STOPS = "connect() stops failing, and the connections beyond the cap lose TIME_WAIT's protection"
CAP_MEMORY = "nothing changes for connect(): the cap only limits memory"
CAP_SOONER = "connect() fails sooner, because fewer TIME_WAIT sockets are allowed"


def _cap_effect() -> set[str]:
    from tcpmodel.models import max_connection_rate

    limit = max_connection_rate(_incident()["free_ports"], INCIDENT["time_wait_s"], max_tw_buckets=LOW_CAP)
    return {CAP_STOPS} if limit > INCIDENT["demand_rate"] else {CAP_MEMORY}


def _cap_overflow_rate() -> float:
    from tcpmodel.models import time_wait_overflow_rate

    return time_wait_overflow_rate(INCIDENT["demand_rate"], INCIDENT["time_wait_s"], LOW_CAP)


def _cap_entering_rate() -> float:
    return LOW_CAP / INCIDENT["time_wait_s"]


def _incident_failing_rate() -> float:
    return _incident()["failing_rate"]


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
RAISED_CAP = 262144
BUCKETS = f"raise net.ipv4.tcp_max_tw_buckets to {RAISED_CAP}"
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
        # A cap above the free 4-tuples never fills, so it changes nothing (a cap *below* them would
        # let connections skip TIME_WAIT: exercises 6 and 7).
        BUCKETS: max_connection_rate(free, tw, max_tw_buckets=RAISED_CAP),
        # tcp_fin_timeout is FIN_WAIT_2's timeout; TIME_WAIT stays TCP_TIMEWAIT_LEN.
        FIN: max_connection_rate(free, tw),
    }
    return {fix for fix, limit in limits.items() if limit > demand}


register(
    NumberExercise(
        "06.linux_rate",
        "With Linux's default ip_local_port_range and TIME_WAIT, how many new connections per second can one "
        "client IP sustain to one server IP and port when the client closes first? Give it to one decimal place.",
        expected=_linux_rate,
        hint="Count the ports in the range (both ends included) and divide by TCP_TIMEWAIT_LEN.",
        unit="connections/s",
        decimals=1,
        precision="to one decimal place",
        mistakes={
            "all 65535 ports": (_rate_all_ports, "Only the ephemeral range is used by connect(), not all 65535 ports."),
            "RFC 793's wait": (_rate_rfc_wait, "Linux does not wait 2 × 120 s; TCP_TIMEWAIT_LEN is fixed at 60 s."),
        },
    ),
    NumberExercise(
        "06.incident_rate",
        "The module holds about 20,000 sockets in TIME_WAIT (60 s each). How many connections per second is it "
        "completing to the service? Give it to one decimal place.",
        expected=_incident_rate,
        hint="Little's law: N = λ·T.",
        unit="connections/s",
        decimals=1,
        precision="to one decimal place",
        mistakes={
            "default range": (_incident_rate_default_range,
                              "That is the limit of Linux's default range; Little's law needs the observed count."),
        },
    ),
    NumberExercise(
        "06.incident_memory",
        "How many MiB of kernel memory do those 20,000 TIME_WAIT sockets hold (tw_sock_TCP objects)? Give it to one decimal place.",
        expected=_incident_memory_mib,
        hint="Multiply by the per-socket size in tcpmodel.models.TW_SOCK_BYTES, then divide by 2**20.",
        unit="MiB",
        decimals=1,
        precision="to one decimal place",
        mistakes={
            "full sockets": (_incident_memory_full_sockets_mib,
                             "A TIME_WAIT socket is a minisock, not a full socket (struct tcp_timewait_sock)."),
        },
    ),
    SequenceExercise(
        "06.exhaustion_order",
        "A client starts from no connections at twice the sustainable rate. Put these events in order.",
        expected=_events,
        vocabulary=(CONNECT_OK, ALL_HELD, FAILS, EXPIRES),
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
            BUCKETS: "the TIME_WAIT sockets are already below the cap, so a higher cap never fills and changes nothing "
                     "(only a cap below the free 4-tuples changes the limit, by taking TIME_WAIT away: exercise 6).",
            FIN: "tcp_fin_timeout is the FIN_WAIT_2 timeout of orphaned sockets, not the TIME_WAIT length.",
        },
    ),
    ChoiceExercise(
        "06.cap_effect",
        f"The module's host lowers net.ipv4.tcp_max_tw_buckets to {LOW_CAP:,}, below its free 4-tuples to the ledger. "
        "What happens at the peak demand of 400 connections/s?",
        options=(CAP_STOPS, CAP_MEMORY, CAP_SOONER),
        correct=_cap_effect,
        hint="At the cap, does Linux keep the closing connection in TIME_WAIT, or close it without one?",
        why_wrong={
            CAP_MEMORY: "at the cap tcp_time_wait() gets no TIME_WAIT socket and calls tcp_done(): nothing holds the "
                        "4-tuple, so its port is free at once. The cap changes more than memory.",
            CAP_SOONER: "the cap never refuses a connect(); it refuses a TIME_WAIT socket when a connection closes.",
        },
    ),
    NumberExercise(
        "06.cap_overflow",
        f"With tcp_max_tw_buckets = {LOW_CAP:,} and the peak demand of 400 connections/s, how many connections per "
        "second close without TIME_WAIT (counted as TCPTimeWaitOverflow) once the cap is full? Give it to one decimal place.",
        expected=_cap_overflow_rate,
        hint="A full cap lets only as many closes per second into TIME_WAIT as leave it: cap / TIME_WAIT. The rest skip it.",
        unit="connections/s",
        decimals=1,
        precision="to one decimal place",
        mistakes={
            "failing before": (_incident_failing_rate,
                               "That is how many connect() calls per second failed before the change, not how many skip TIME_WAIT."),
            "cap per second": (_cap_entering_rate,
                               "That is how many closes per second still enter TIME_WAIT; the question asks for the rest."),
        },
    ),
)
