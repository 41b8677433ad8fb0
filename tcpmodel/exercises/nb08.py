"""Exercises of notebook 08 (lab: your kernel). Every expected answer is computed by tcpmodel."""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

#: A TIME_WAIT row captured from /proc/net/tcp on Linux 6.18 (little-endian x86_64).
SAMPLE_ROW = "   3: 0100007F:C62E 0100007F:D683 06 00000000:00000000 03:0000176A 00000000     0        0 0 3 00000000e2a85e97"
#: Exercise 1: the same socket read again 12.15 s later (not the worked example's row, whose decoding notebook 08 prints).
EXERCISE_WHEN = "000012AB"
EXERCISE_ROW = SAMPLE_ROW.replace("03:0000176A", f"03:{EXERCISE_WHEN}")
SAMPLE = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" + EXERCISE_ROW + "\n"
#: include/asm-generic/param.h: ``# define USER_HZ 100``, the tick of the clock_t values the kernel shows user
#: space (sysconf(_SC_CLK_TCK)), whatever CONFIG_HZ is. get_timewait4_sock() (net/ipv4/tcp_ipv4.c) prints the
#: timer with jiffies_delta_to_clock_t() (include/linux/jiffies.h), so tm->when counts these ticks, not jiffies.
USER_HZ = 100
CONFIG_HZ = 250  # the kernel's jiffy rate on the machine the row came from (a distractor in the question)


def _seconds_left() -> float:
    from tcpmodel.live import parse_proc_net_tcp

    return float(parse_proc_net_tcp(SAMPLE, ticks_per_s=USER_HZ)[0].timer_seconds)


def _raw_ticks() -> float:
    return float(int(EXERCISE_WHEN, 16))


def _worked_example_seconds() -> float:
    return int(SAMPLE_ROW.split()[5].split(":")[1], 16) / USER_HZ


def _hex_digits_read_as_decimal() -> float:
    import re

    return float(re.match(r"\d+", EXERCISE_WHEN.lstrip("0")).group(0)) / USER_HZ


def _restart_outcome() -> set[str]:
    from tcpmodel.socket_rules import server_restart_outcome

    return {server_restart_outcome("server", old_reuseaddr=False, new_reuseaddr=True)}


def _bound_reconnect() -> set[str]:
    from tcpmodel.socket_rules import Settings, rebind_client_port_outcome

    return {rebind_client_port_outcome(True, True, True, Settings(tcp_tw_reuse=0, tcp_timestamps=1))}


def _closer_path() -> list[str]:
    from tcpmodel.live import linux_state_name
    from tcpmodel.states import Event, State, transition

    state, path = State.ESTABLISHED, [State.ESTABLISHED]
    for event in (Event.CLOSE, Event.RCV_ACK, Event.RCV_FIN):
        state = transition(state, event).next
        path.append(state)
    return [linux_state_name(s) for s in path]


register(
    NumberExercise(
        "08.timer_seconds",
        f"A /proc/net/tcp row shows `06` in the st column and `03:{EXERCISE_WHEN}` in tr:tm->when, on a machine whose "
        f"kernel runs at CONFIG_HZ={CONFIG_HZ}. The part after the colon is hexadecimal and counts clock ticks of "
        f"USER_HZ = {USER_HZ} per second, whatever CONFIG_HZ is (get_timewait4_sock() in net/ipv4/tcp_ipv4.c "
        "converts the timer with jiffies_delta_to_clock_t(); USER_HZ is in include/asm-generic/param.h). "
        "How many seconds are left on its timer? Give it to two decimal places.",
        expected=_seconds_left,
        hint="Read the whole hexadecimal number after the colon, then divide it by USER_HZ.",
        unit="s",
        decimals=2,
        precision="to two decimal places",
        mistakes={
            "raw ticks": (_raw_ticks, "That is the number of clock ticks; divide by USER_HZ to get seconds."),
            "worked example": (_worked_example_seconds, "That is the worked example's row; this one shows another value."),
            "kernel HZ": (lambda: _raw_ticks() / CONFIG_HZ, "The column is converted to USER_HZ ticks (jiffies_delta_to_clock_t), not the kernel's CONFIG_HZ jiffies."),
            "hex read as decimal": (_hex_digits_read_as_decimal, f"{EXERCISE_WHEN} is hexadecimal: convert all of it, not only "
                                    "its decimal digits."),
        },
    ),
    ChoiceExercise(
        "08.restart_reuseaddr",
        "A server without SO_REUSEADDR closed its connections first and exited. You start a new one that sets SO_REUSEADDR "
        "and binds the same address and port. What does Linux's bind() return?",
        options=("ok", "EADDRINUSE", "EADDRNOTAVAIL"),
        correct=_restart_outcome,
        hint="Whose SO_REUSEADDR flag does a TIME_WAIT socket carry, and does inet_bind_conflict look at it?",
        why_wrong={
            "ok": "on Linux the new socket's flag is not enough: the TIME_WAIT socket kept the old listener's flag (inet_twsk_alloc), and inet_bind_conflict needs both.",
            "EADDRNOTAVAIL": "that errno comes from connect() when no 4-tuple is free; bind() reports a port in use differently.",
        },
    ),
    ChoiceExercise(
        "08.bound_reconnect",
        "tcp_tw_reuse = 0 and timestamps are on. A client that bound port P with SO_REUSEADDR closed first; a new socket sets "
        "SO_REUSEADDR, binds P and connects to the SAME server at once. What does connect() return?",
        options=("ok", "EADDRINUSE", "EADDRNOTAVAIL"),
        correct=_bound_reconnect,
        hint="For a socket bound to a port, __inet_hash_connect calls the established check with twp == NULL; read tcp_twsk_unique with that in mind.",
        why_wrong={
            "EADDRINUSE": "the bind already succeeded (both sockets set SO_REUSEADDR); connect() does not report EADDRINUSE here.",
            "EADDRNOTAVAIL": "that would be right without timestamps, or for a kernel-chosen port; tcp_twsk_unique does not consult tcp_tw_reuse when twp is NULL.",
        },
    ),
    SequenceExercise(
        "08.closer_states",
        "List the states that ss shows for the socket that closes first, from ESTABLISHED to TIME_WAIT, one after the other. "
        "Any spelling is accepted: ss's (ESTAB, TIME-WAIT), the kernel's enum names that socket_table() uses (TIME_WAIT), or the course's.",
        expected=_closer_path,
        states=True,
        hint="The active closer sends FIN, waits for its ACK, then for the peer's FIN (RFC 9293 §3.3.2).",
        step_name="state",
    ),
)
