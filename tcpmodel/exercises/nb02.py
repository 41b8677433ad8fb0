"""Exercises of notebook 02 (who waits). Every expected answer is computed by the simulator."""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

WHO_OPTIONS = ("the client", "the server", "whichever side calls close() first", "both sides, always")
#: Exercise 4: seconds after the server entered TIME_WAIT at which it restarts.
RESTART_AFTER_S = 5.0
RESTART_OPTIONS = ("it succeeds", "EADDRINUSE (address already in use)", "EADDRNOTAVAIL (cannot assign requested address)",
                   "ECONNRESET (connection reset)")


def _server_path() -> list[str]:
    from tcpmodel.sim import simulate

    path = [s.name for s in simulate("normal_close", closer="B").path("B")]
    return path[path.index("ESTABLISHED"):]


def _time_wait_seconds() -> float:
    from tcpmodel.sim import DEFAULT_MSL, simulate
    from tcpmodel.states import State

    return simulate("normal_close", closer="A", msl=DEFAULT_MSL).time_in("A", State.TIME_WAIT)


def _who_waits() -> set[str]:
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    waits = {closer: [ep for ep in "AB" if State.TIME_WAIT in simulate("normal_close", closer=closer).path(ep)] for closer in "AB"}
    if waits == {"A": ["A"], "B": ["B"]}:
        return {"whichever side calls close() first"}
    return {"both sides, always"} if all(v == ["A", "B"] for v in waits.values()) else {"the client"}


def _restart() -> set[str]:
    from tcpmodel.sim import simulate

    errors = simulate("server_restart", restart_after=RESTART_AFTER_S).errors["B"]
    if not errors:
        return {"it succeeds"}
    for option in RESTART_OPTIONS[1:]:
        errno = option.split()[0]
        if errno in errors[0]:
            return {option}
    raise AssertionError(f"server_restart reported an unexpected error: {errors[0]}")


register(
    SequenceExercise(
        "02.server_path",
        "List the server's states, from ESTABLISHED to CLOSED, when the server closes first.",
        expected=_server_path,
        states=True,
        hint="The side that sends the first FIN takes the active-close path of RFC 9293 Figure 5; run simulate('normal_close', closer='B').",
        step_name="state",
    ),
    NumberExercise(
        "02.time_wait_seconds",
        "With the course's default MSL, how many seconds does the active closer spend in TIME_WAIT? Give a whole number of seconds.",
        expected=_time_wait_seconds,
        hint="TIME_WAIT lasts 2·MSL (RFC 9293 §3.6.1); tcpmodel.sim.DEFAULT_MSL holds the MSL.",
        unit="s",
        decimals=0,
        precision="a whole number of seconds",
        mistakes={"one MSL": (lambda: _time_wait_seconds() / 2, "That is one MSL; the wait is twice that.")},
    ),
    ChoiceExercise(
        "02.who_waits",
        "Who enters TIME_WAIT?",
        options=WHO_OPTIONS,
        correct=_who_waits,
        hint="Compare simulate('normal_close', closer='A') with closer='B'.",
        why_wrong={
            "the client": "only when the client closes first; let the server close first and see.",
            "the server": "only when the server closes first.",
            "both sides, always": "the passive closer goes CLOSE_WAIT → LAST_ACK → CLOSED without waiting (only a simultaneous close makes both wait).",
        },
    ),
    ChoiceExercise(
        "02.restart",
        f"A server closed its connections first and crashed. It restarts {RESTART_AFTER_S:g} s later: its new listening "
        "socket bind()s the same port before it can listen(), and neither the old nor the new listening socket sets "
        "SO_REUSEADDR. What does bind() do?",
        options=RESTART_OPTIONS,
        correct=_restart,
        hint="Who holds the server's port in TIME_WAIT? Run simulate('server_restart'): its listen() stands for the "
             "new server's bind() and listen().",
        why_wrong={
            "it succeeds": "not while a TIME_WAIT socket still holds the port and the two sockets do not both set SO_REUSEADDR.",
            "EADDRNOTAVAIL (cannot assign requested address)": "bind(2) returns that when the address asked for is "
            "not local (no interface of this host has it); the server binds its own address.",
            "ECONNRESET (connection reset)": "bind() sends nothing and talks to no peer, so nothing can reset it.",
        },
    ),
)
