"""Exercises of notebook 05 (How long): MSL, 2 MSL, the systems table and the myths.

Every expected answer is computed from :mod:`tcpmodel.models`, never typed in.
"""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register


def _systems():
    from tcpmodel.models import SYSTEMS

    return SYSTEMS


def _rfc793_wait() -> float:
    return _systems()["rfc793"].time_wait_s


def _rfc793_msl() -> float:
    return _systems()["rfc793"].msl_s


def _linux_wait() -> float:
    return _systems()["linux"].time_wait_s


#: Exercise 2: seconds from the close to the new incarnation (none of the gaps the worked examples print).
GAP_S = 100.0


def _late_duplicate() -> float:
    from tcpmodel.models import duplicate_arrival_probability

    return duplicate_arrival_probability(GAP_S, _rfc793_msl(), isn_policy="same")


def _late_duplicate_inverted() -> float:
    return 1.0 - _late_duplicate()


def _order_by_wait() -> list[str]:
    systems = _systems()
    chosen = ("rfc793", "macos", "linux")
    return sorted(chosen, key=lambda k: systems[k].time_wait_s)


FIN_TIMEOUT = "net.ipv4.tcp_fin_timeout"
TW_REUSE = "net.ipv4.tcp_tw_reuse"
TW_BUCKETS = "net.ipv4.tcp_max_tw_buckets"
NONE = "none: it is the compile-time constant TCP_TIMEWAIT_LEN"


def _linux_tw_knob() -> set[str]:
    # The systems table records that Linux has no TIME_WAIT-length knob.
    note = _systems()["linux"].knobs["TIME_WAIT length"]
    return {NONE} if note.startswith("none") else {FIN_TIMEOUT}


register(
    NumberExercise(
        "05.rfc793_wait",
        "How many seconds does RFC 793 keep a connection in TIME-WAIT? Give a whole number of seconds.",
        expected=_rfc793_wait,
        hint="RFC 793 §3.3 fixes the MSL; TIME-WAIT lasts a multiple of it.",
        unit="s",
        decimals=0,
        precision="a whole number of seconds",
        mistakes={
            "one MSL": (_rfc793_msl, "That is one MSL; TIME-WAIT waits twice the MSL."),
            "Linux": (_linux_wait, "That is Linux's TCP_TIMEWAIT_LEN, not the RFC's value."),
        },
    ),
    NumberExercise(
        "05.late_duplicate",
        "RFC 793's MSL, delays uniform on [0, MSL], the new incarnation reuses the old sequence space and opens "
        f"{GAP_S:g} s after the close. What fraction of old duplicates land in it? Give a fraction between 0 and 1, to two decimal places.",
        expected=_late_duplicate,
        hint="Only duplicates delayed by more than the gap arrive after the new connection opens.",
        unit="fraction",
        decimals=2,
        precision="to two decimal places",
        mistakes={
            "gap / MSL": (_late_duplicate_inverted, "That is the fraction that arrives before the new incarnation opens."),
        },
    ),
    SequenceExercise(
        "05.order_by_wait",
        "Order RFC 793, macOS and Linux from the shortest to the longest default TIME_WAIT "
        "(use the keys 'rfc793', 'macos', 'linux').",
        expected=_order_by_wait,
        vocabulary=("rfc793", "macos", "linux"),
        hint="Look up time_wait_s in tcpmodel.models.SYSTEMS.",
        step_name="system",
    ),
    ChoiceExercise(
        "05.linux_knob",
        "Which setting changes how long a Linux socket stays in TIME_WAIT?",
        options=(FIN_TIMEOUT, TW_REUSE, TW_BUCKETS, NONE),
        correct=_linux_tw_knob,
        hint="Look for TCP_TIMEWAIT_LEN in include/net/tcp.h.",
        why_wrong={
            FIN_TIMEOUT: "it is the FIN_WAIT_2 timeout of orphaned sockets (ip-sysctl.rst), a popular myth.",
            TW_REUSE: "it lets connect() reuse a TIME_WAIT 4-tuple early; the socket's own wait does not change.",
            TW_BUCKETS: "it caps how many TIME_WAIT sockets exist; above it new ones are not created at all.",
        },
    ),
)
