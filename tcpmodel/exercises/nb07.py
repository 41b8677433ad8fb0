"""Exercises of notebook 07 (workarounds and their risks). Every answer is computed by tcpmodel."""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

#: Exercise 4: the widened ephemeral range and the number of server addresses (not the worked example's values).
WIDE_RANGE = (10240, 65535)
WIDE_DESTINATIONS = 3


def _reuse_path() -> list[str]:
    # A's states from its first close to the new connection, in the tw_reuse run.
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    path = [s.name for s in simulate("tw_reuse", timestamps=True).path("A")]
    start = path.index(State.FIN_WAIT_1.name)
    end = path.index(State.ESTABLISHED.name, start)
    return path[start : end + 1]


def _reuse_helps() -> set[str]:
    from tcpmodel.workarounds import decision_row

    side = decision_row("tcp_tw_reuse").helps
    return {"outgoing connect() calls of this host"} if side == "client" else {"incoming connections to a listening server"}


def _pooled_population() -> float:
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S
    from tcpmodel.models import time_wait_population

    return time_wait_population(600.0 / 20, TCP_TIMEWAIT_LEN_S)


def _unpooled_population() -> float:
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S
    from tcpmodel.models import time_wait_population

    return time_wait_population(600.0, TCP_TIMEWAIT_LEN_S)


def _wide_range_rate() -> float:
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S, connect_port_count
    from tcpmodel.models import max_connection_rate

    return max_connection_rate(connect_port_count(*WIDE_RANGE), TCP_TIMEWAIT_LEN_S, destinations=WIDE_DESTINATIONS)


def _wide_range_one_destination() -> float:
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S, connect_port_count
    from tcpmodel.models import max_connection_rate

    return max_connection_rate(connect_port_count(*WIDE_RANGE), TCP_TIMEWAIT_LEN_S)


def _recycle_drop_percent() -> float:
    from tcpmodel.sim import simulate

    return 100.0 * simulate("tw_recycle_nat", clients=10, seed=7).drop_fraction


def _time_wait_knob() -> set[str]:
    from tcpmodel.workarounds import decision_row

    # tcp_fin_timeout helps "neither": no sysctl shortens TIME_WAIT on Linux.
    return {"none: TIME_WAIT is the constant TCP_TIMEWAIT_LEN"} if decision_row("tcp_fin_timeout").helps == "neither" else {"tcp_fin_timeout"}


register(
    SequenceExercise(
        "07.reuse_path",
        "In the tw_reuse run (timestamps on), list the states client A passes through from its close() to its new "
        "connection's ESTABLISHED, as names: ['FIN_WAIT_1', ...]. CLOSED between the two connections may be listed or "
        "left out: the trace records it when the old connection's TCB is deleted, a state RFC 9293 §3.3.2 calls fictional.",
        expected=_reuse_path,
        states=True,
        optional=("CLOSED",),
        hint="Follow trace.path('A') from FIN_WAIT_1: the active closer waits, then the new connect() takes the 4-tuple over.",
        step_name="state",
    ),
    ChoiceExercise(
        "07.reuse_side",
        "Which connections can net.ipv4.tcp_tw_reuse speed up?",
        options=("outgoing connect() calls of this host", "incoming connections to a listening server", "both"),
        correct=_reuse_helps,
        hint="Look at which function consults the sysctl: tcp_twsk_unique, in the connect() path.",
        why_wrong={
            "incoming connections to a listening server": "a SYN reaching a TIME_WAIT 4-tuple is judged by tcp_timewait_state_process, whatever tcp_tw_reuse says.",
            "both": "only one of the two paths reads the sysctl.",
        },
    ),
    NumberExercise(
        "07.pooling",
        "A client sends 600 requests/s to one server and closes first. With a pool that reuses each connection for 20 "
        "requests, how many sockets sit in TIME_WAIT on Linux (steady state)? Give a whole number of sockets.",
        expected=_pooled_population,
        hint="Little's law: TIME_WAIT population = (new connections per second) × (TIME_WAIT seconds).",
        unit="sockets",
        decimals=0,
        precision="a whole number of sockets",
        mistakes={"no pooling": (_unpooled_population, "That is without pooling: divide the request rate by the requests per connection first.")},
    ),
    NumberExercise(
        "07.wide_range",
        f"A client widens ip_local_port_range to {WIDE_RANGE[0]}–{WIDE_RANGE[1]} and spreads its connections over "
        f"{WIDE_DESTINATIONS} server addresses (same port). How many new connections per second can it sustain when it "
        "closes first, on Linux? Give it to one decimal place.",
        expected=_wide_range_rate,
        hint="ports × destinations / TIME_WAIT, with the ports connect() can really use (tcpmodel.linux.connect_port_count).",
        unit="connections/s",
        decimals=1,
        precision="to one decimal place",
        mistakes={"one destination": (_wide_range_one_destination, "Each extra (destination IP, port) multiplies the 4-tuples: count every address.")},
    ),
    NumberExercise(
        "07.recycle_drop",
        "Run simulate('tw_recycle_nat', clients=10, seed=7). What percentage of the SYNs does the server drop? Give it in %, to one decimal place.",
        expected=_recycle_drop_percent,
        hint="The result's drop_fraction is a fraction; the question asks for a percentage.",
        unit="%",
        decimals=1,
        precision="in %, to one decimal place",
    ),
    ChoiceExercise(
        "07.time_wait_knob",
        "A socket has entered TIME_WAIT on Linux, and nothing ends it early (no new connection takes its 4-tuple over, "
        "no RST arrives). Which sysctl sets how long it stays there?",
        options=("tcp_fin_timeout", "tcp_max_tw_buckets", "none: TIME_WAIT is the constant TCP_TIMEWAIT_LEN", "tcp_tw_reuse"),
        correct=_time_wait_knob,
        hint="Read Documentation/networking/ip-sysctl.rst for each one, and include/net/tcp.h.",
        why_wrong={
            "tcp_fin_timeout": "it is the FIN_WAIT_2 timeout of orphaned sockets.",
            "tcp_max_tw_buckets": "it decides whether a closing socket gets a TIME_WAIT at all (above the cap it gets none); "
            "a socket that has entered TIME_WAIT waits the full time.",
            "tcp_tw_reuse": "it lets a new connect() take a TIME_WAIT 4-tuple over, which ends that one socket's TIME_WAIT; "
            "it does not set how long a TIME_WAIT lasts when nothing takes it over.",
        },
    ),
)
