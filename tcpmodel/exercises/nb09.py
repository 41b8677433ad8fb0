"""Exercises of notebook 09 (capstone): three incidents and a final quiz over the course.

Every expected answer is computed by tcpmodel: the models, the simulator, the
state table, the socket rules and the decision table.
"""

from __future__ import annotations

from tcpmodel.exercises import ChoiceExercise, NumberExercise, SequenceExercise, register

#: Incident 1: what the dashboards show (inputs of the exercises, not answers). Default sysctls, one
#: destination: at the peak every usable port but a few in use sits in TIME_WAIT (notebook 06's rule:
#: the count reaches the port budget), and the peak rate is above the limit. A test checks both.
INCIDENT1 = {"time_wait_sockets": 28_200, "peak_rate": 600.0}
#: Incident 1, question 1.4: both hosts run Linux with default sysctls, so TCP timestamps are on at both ends
#: (tcp_timestamps = 1), which tcp_tw_reuse needs (tcp_twsk_unique: the old connection must have seen the peer's).
INCIDENT1_PEER_TIMESTAMPS = True
#: Kernels whose tcp_tw_reuse delay rule question 1.4 is judged under (one of each rule; facts "tw_reuse_delay_by_version").
INCIDENT1_KERNELS = ((4, 14), (5, 15), (6, 18))
#: Incident 3: the NAT the failing users sit behind (a small office of ten hosts); every outcome is a
#: spread over the course's seeds (tcpmodel.sim.recycle.SPREAD_SEEDS), not one run.
INCIDENT3 = {"clients": 10}
#: Incident 3: the share of page loads that hang, as the support team estimated it (an input, not an answer).
INCIDENT3_REPORTED = (0.01, 0.03)


def _tw() -> float:
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S

    return TCP_TIMEWAIT_LEN_S


# ---------------------------------------------------------------- incident 1
def _inc1_rate() -> float:
    # Little's law backwards: N = λ·T, so λ = N / T.
    return INCIDENT1["time_wait_sockets"] / _tw()


def _inc1_limit() -> float:
    from tcpmodel.linux import LinuxConfig
    from tcpmodel.models import max_connection_rate

    return max_connection_rate(LinuxConfig().ports, _tw())


def _inc1_limit_65535() -> float:
    from tcpmodel.models import max_connection_rate

    return max_connection_rate(65535, _tw())


def _inc1_exhaust() -> float:
    from tcpmodel.linux import LinuxConfig
    from tcpmodel.models import time_to_exhaustion

    return time_to_exhaustion(INCIDENT1["peak_rate"], LinuxConfig().ports, _tw())


_INC1_FIX_OPTIONS = {
    "pooling": "connection pooling and keep-alive",
    "tcp_tw_reuse": "net.ipv4.tcp_tw_reuse = 1",
    "tcp_fin_timeout": "lower net.ipv4.tcp_fin_timeout",
    "tcp_tw_recycle": "net.ipv4.tcp_tw_recycle = 1",
}


def _inc1_reuse_raises_limit() -> bool:
    """Whether tcp_tw_reuse = 1 raises this service's limit on every kernel's delay rule, with the incident's timestamps."""
    from tcpmodel.linux import LinuxConfig
    from tcpmodel.models import max_connection_rate

    base = _inc1_limit()
    configs = [LinuxConfig(tcp_tw_reuse=1, tcp_tw_reuse_delay=None if k < (6, 14) else 1000, kernel=k) for k in INCIDENT1_KERNELS]
    return all(max_connection_rate(c.ports, _tw(), config=c, peer_timestamps=INCIDENT1_PEER_TIMESTAMPS) > base for c in configs)


def _inc1_fix() -> set[str]:
    from tcpmodel.workarounds import decision_row

    # The service *connects*: the fixes are those that help the client side and still exist; tcp_tw_reuse
    # only if it applies here (timestamps at both ends) whatever the kernel's delay rule.
    fixes = {label for key, label in _INC1_FIX_OPTIONS.items()
             if decision_row(key).helps in ("client", "both") and not decision_row(key).removed_in}
    if not _inc1_reuse_raises_limit():
        fixes.discard(_INC1_FIX_OPTIONS["tcp_tw_reuse"])
    return fixes


# ---------------------------------------------------------------- incident 2
def _inc2_path() -> list[str]:
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    path = [s.name for s in simulate("normal_close", closer="B").path("B")]
    return path[path.index(State.ESTABLISHED.name):]


def _inc2_fix() -> set[str]:
    from tcpmodel.socket_rules import server_restart_outcome

    labels = {
        (False, True): "only the new listener",
        (True, False): "only the old listener",
        (True, True): "both the old and the new listener",
    }
    return {label for (old, new), label in labels.items() if server_restart_outcome("server", old, new) == "ok"}


# ---------------------------------------------------------------- incident 3
_INC3_CAUSE_OPTIONS = {
    "tcp_tw_recycle": "net.ipv4.tcp_tw_recycle = 1",
    "tcp_tw_reuse": "net.ipv4.tcp_tw_reuse = 1",
    "tcp_fin_timeout": "lower net.ipv4.tcp_fin_timeout",
    "port_range": "widen net.ipv4.ip_local_port_range",
}


def _inc3_cause() -> set[str]:
    from tcpmodel.workarounds import decision_row

    return {label for key, label in _INC3_CAUSE_OPTIONS.items() if "NAT" in decision_row(key).risk}


def _inc3_failed_percent() -> float:
    from tcpmodel.sim.recycle import recycle_nat_spread

    return 100.0 * recycle_nat_spread(**INCIDENT3).failed.median


def _inc3_syn_percent() -> float:
    from tcpmodel.sim.recycle import recycle_nat_spread

    return 100.0 * recycle_nat_spread(**INCIDENT3).dropped.median


def _inc3_one_seed_percent() -> float:
    from tcpmodel.sim.recycle import SPREAD_SEEDS, simulate_tw_recycle_nat

    return 100.0 * simulate_tw_recycle_nat(**INCIDENT3, seed=SPREAD_SEEDS[0]).failed_fraction


def _inc3_version() -> set[str]:
    import re

    from tcpmodel.workarounds import decision_row

    return {re.search(r"removed in (\d+\.\d+)", decision_row("tcp_tw_recycle").linux).group(1)}


# ---------------------------------------------------------------- final quiz
#: Q5: the reconnect's quiet time and the duplicate's delay (s); Q8: the client's connection rate (/s).
Q05 = {"quiet_time": 5.0, "delay": 20.0}
Q08_RATE = 1000.0


def _q_after_close() -> set[str]:
    from tcpmodel.states import Event, State, transition

    return {transition(State.ESTABLISHED, Event.CLOSE).next.name}


def _q_active_path() -> list[str]:
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    path = [s.name for s in simulate("normal_close", closer="A").path("A")]
    return path[path.index(State.ESTABLISHED.name):]


def _q_who_waits() -> set[str]:
    from tcpmodel.sim import simulate
    from tcpmodel.states import State

    t = simulate("normal_close", closer="B")
    return {"the server"} if State.TIME_WAIT in t.path("B") and State.TIME_WAIT not in t.path("A") else {"the client"}


def _q_lost_ack_error() -> set[str]:
    from tcpmodel.sim import simulate

    return set(simulate("lost_final_ack", time_wait=False).errors["B"])


def _q_old_dup() -> set[str]:
    from tcpmodel.sim import simulate

    return {"yes" if simulate("old_duplicate", time_wait=False, **Q05).corrupted else "no"}


def _q_linux_tw() -> float:
    from tcpmodel.models import SYSTEMS

    return float(SYSTEMS["linux"]["time_wait_s"])


def _q_rfc793_tw() -> float:
    from tcpmodel.models import SYSTEMS

    return float(SYSTEMS["rfc793"]["time_wait_s"])


def _q_rfc793_msl() -> float:
    from tcpmodel.models import SYSTEMS

    return float(SYSTEMS["rfc793"]["msl_s"])


def _q_population() -> float:
    from tcpmodel.models import time_wait_population

    return time_wait_population(Q08_RATE, _tw())


#: Q10's options: the right one carries PAWS's condition (facts "paws_needs"); no distractor rests on a false
#: premise (ISNs between incarnations are clock-driven, facts "isn_between_incarnations", not random).
Q10_PAWS = "PAWS, once the sender's timestamp clock has ticked since the duplicate was sent"
Q10_SEQUENCE = "the sequence number check"


def _q_reuse_safety() -> set[str]:
    from tcpmodel.sim import simulate

    def old_duplicate_and_new_syn(timestamps: bool):
        t = simulate("tw_reuse", timestamps=timestamps)
        dup = max((s for s in t.segments if s.payload == "old-2" and s.incarnation == 1), key=lambda s: s.t_arrived)
        syn = next(s for s in t.segments if s.src == "A" and s.flags == "SYN" and s.incarnation == 2)
        return dup, syn

    dup, syn = old_duplicate_and_new_syn(True)
    bare, _ = old_duplicate_and_new_syn(False)
    # Without timestamps the duplicate is accepted: its sequence number is inside the new window, so the
    # sequence check cannot be what keeps it out. With them, PAWS drops it because its TSval is older than
    # the new connection's TS.Recent (the TSval of the new SYN): the sender's clock ticked in between.
    if "accepted" in bare.outcome and dup.outcome.startswith("PAWS") and dup.tsval < syn.tsval:
        return {Q10_PAWS}
    return {Q10_SEQUENCE}


def _q_linger_errno() -> set[str]:
    from tcpmodel.socket_rules import abortive_close_prediction

    return {abortive_close_prediction()["peer_error"]}


def _q_rebind() -> set[str]:
    from tcpmodel.socket_rules import rebind_client_port_outcome

    return {rebind_client_port_outcome(old_reuseaddr=False, new_reuseaddr=True, same_destination=False)}


def _q_ten_destinations() -> float:
    from tcpmodel.linux import LinuxConfig
    from tcpmodel.models import max_connection_rate

    return max_connection_rate(LinuxConfig().ports, _tw(), destinations=10)


register(
    # incident 1
    NumberExercise(
        "09.inc1_rate", f"About {INCIDENT1['time_wait_sockets']:,} sockets sit in TIME_WAIT towards the downstream service. How many new connections per second does that imply (Linux)? Give it to one decimal place.",
        expected=_inc1_rate, hint="Little's law: population = rate × TIME_WAIT; solve for the rate.", unit="connections/s",
        decimals=1, precision="to one decimal place",
    ),
    NumberExercise(
        "09.inc1_limit", "What is the highest rate of new connections per second to that one address and port that the client can sustain with Linux's default port range? Give it to one decimal place.",
        expected=_inc1_limit, hint="usable ephemeral ports / TIME_WAIT seconds (tcpmodel.linux.LinuxConfig().ports).", unit="connections/s",
        decimals=1, precision="to one decimal place",
        mistakes={
            "65535": (_inc1_limit_65535, "Only the ephemeral range is available to connect(), not all 65,535 ports."),
        },
    ),
    NumberExercise(
        "09.inc1_exhaust", f"At the peak, the service opens {INCIDENT1['peak_rate']:,.0f} connections per second. How many seconds after the peak starts (from no TIME_WAIT) does connect() start failing? Give it to one decimal place.",
        expected=_inc1_exhaust, hint="No 4-tuple comes back before its TIME_WAIT ends, so the ports run out after ports / rate seconds when that is shorter than TIME_WAIT (tcpmodel.models.time_to_exhaustion).", unit="s",
        decimals=1, precision="to one decimal place",
    ),
    ChoiceExercise(
        "09.inc1_fix", "Both hosts run Linux with default sysctls, so TCP timestamps are on at both ends. Which fixes raise "
        "the limit for this service, whatever the kernel version? Pick all that apply.",
        options=tuple(_INC1_FIX_OPTIONS.values()), correct=_inc1_fix,
        hint="The service is the side that connects: check whom each workaround helps in the decision table.",
        why_wrong={
            "lower net.ipv4.tcp_fin_timeout": "it is the FIN_WAIT_2 timeout; TIME_WAIT does not change.",
            "net.ipv4.tcp_tw_recycle = 1": "it does not exist since Linux 4.12; before that it shortened the TIME_WAIT of whichever "
            "host closed first, and made servers drop SYNs from clients behind NAT.",
        },
    ),
    # incident 2
    SequenceExercise(
        "09.inc2_path", "The server crashed: the kernel closed its accepted sockets, server first. List the states of one accepted socket from ESTABLISHED on, as names.",
        expected=_inc2_path, states=True, hint="The side that sends the first FIN is the active closer (simulate('normal_close', closer='B').path('B')).", step_name="state",
    ),
    NumberExercise(
        "09.inc2_wait", "Without SO_REUSEADDR, bind() fails while a TIME_WAIT socket holds the port. For how many seconds does "
        "each TIME_WAIT socket on Linux hold it when nothing ends its TIME_WAIT early? Give a whole number of seconds.",
        expected=_tw, hint="The port is free when the last TIME_WAIT socket on it expires: TCP_TIMEWAIT_LEN.", unit="s",
        decimals=0, precision="a whole number of seconds",
        mistakes={"rfc793": (_q_rfc793_tw, "That is RFC 793's 2·MSL; Linux waits TCP_TIMEWAIT_LEN."),
                  "first success": (lambda: _tw() + 1, "That is the first whole-second restart in notebook 02's demo that succeeds; the "
                                    "question asks how long the TIME_WAIT socket holds the port.")},
    ),
    ChoiceExercise(
        "09.inc2_fix", "On Linux, which sockets must carry SO_REUSEADDR so that the restarted server can bind at once?",
        options=("only the new listener", "only the old listener", "both the old and the new listener"), correct=_inc2_fix,
        hint="The TIME_WAIT socket keeps the flag it inherited from the old listener; inet_bind_conflict looks at both.",
        why_wrong={
            "only the new listener": "the TIME_WAIT sockets inherited the old listener's flag, and Linux checks it too.",
            "only the old listener": "the new socket asks to bind; it has to allow reuse as well.",
        },
    ),
    # incident 3
    ChoiceExercise(
        "09.inc3_cause", "Which kernel tuning change makes some users behind NAT unable to connect?",
        options=tuple(_INC3_CAUSE_OPTIONS.values()), correct=_inc3_cause,
        hint="Which knob compares timestamps per peer address, so that hosts sharing one address disturb each other?",
        why_wrong={
            "net.ipv4.tcp_tw_reuse = 1": "it only affects this host's outgoing connect(); the users connect in.",
            "lower net.ipv4.tcp_fin_timeout": "it shortens orphaned FIN_WAIT_2 on the server; it does not drop SYNs.",
            "widen net.ipv4.ip_local_port_range": "it changes the server's own outgoing ports, not who can connect in.",
        },
    ),
    NumberExercise(
        "09.inc3_failed", "Run recycle_nat_spread(clients=10). Over the course's seeds, what is the median percentage of the "
        "connect() calls that fail outright? Give it in %, to one decimal place.",
        expected=_inc3_failed_percent, hint="Use the spread's failed (connect() calls), not dropped (SYNs), and its median.", unit="%",
        decimals=1, precision="in %, to one decimal place",
        mistakes={"syns": (_inc3_syn_percent, "That is the median share of dropped SYNs; most of them are retried and get through late."),
                  "one seed": (_inc3_one_seed_percent, "That is one seed's hour; the question asks for the median over the course's seeds.")},
    ),
    ChoiceExercise(
        "09.inc3_version", "From which Linux version on does tcp_tw_recycle no longer exist?",
        options=("4.10", "4.11", "4.12", "5.0"), correct=_inc3_version,
        hint="Commit 4396e46187ca, 'tcp: remove tcp_tw_recycle' (its first release inferred from tcp(7)); tcp(7) gives the "
        "range of versions that had it.",
        why_wrong={"4.10": "4.10 randomised timestamp offsets, which broke the option; it was still there."},
    ),
    # final quiz (notebooks 01–08)
    ChoiceExercise(
        "09.q01_after_close", "Notebook 01: which state does an endpoint enter when its application calls close() in ESTABLISHED?",
        options=("FIN_WAIT_1", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT"), correct=_q_after_close, states=True,
        hint="RFC 9293 §3.10.4: the active close sends a FIN first.",
        why_wrong={"CLOSE_WAIT": "that is where the side that *receives* the first FIN goes.", "TIME_WAIT": "it comes later, after both FINs."},
    ),
    SequenceExercise(
        "09.q02_active_path", "Notebook 01/02: list the states of the active closer from ESTABLISHED to the end, as names.",
        expected=_q_active_path, states=True, hint="Two FIN-WAIT states, then the wait, then the end.", step_name="state",
    ),
    ChoiceExercise(
        "09.q03_who_waits", "Notebook 02: an HTTP/1.0 server closes each connection after its response (RFC 1945 §1.3). Who holds TIME_WAIT?",
        options=("the client", "the server"), correct=_q_who_waits, hint="The side that sends the first FIN waits.",
    ),
    ChoiceExercise(
        "09.q04_lost_ack", "Notebook 03: the final ACK is lost and the active closer has no TIME_WAIT. The passive closer's "
        "application ended its side with shutdown(SHUT_WR) and still holds the socket, waiting in poll(). On Linux, what "
        "does that socket report when its close ends?",
        options=("connection reset", "connection refused", "timeout", "nothing: a clean close"), correct=_q_lost_ack_error,
        hint="The retransmitted FIN reaches a CLOSED endpoint (RFC 9293 §3.10.7.1); which error does Linux's tcp_reset() "
        "set in LAST-ACK, and who hears it?",
        why_wrong={
            "nothing: a clean close": "that is what an application that called close() hears, because it no longer holds the "
            "socket; this one still does, and its connection ended with a RST, not with the ACK of its FIN.",
            "connection refused": "Linux reports that for a RST in SYN-SENT, to a connect() that nobody accepted.",
        },
    ),
    ChoiceExercise(
        "09.q05_old_dup", f"Notebook 04: without TIME_WAIT, a reconnect {Q05['quiet_time']:g} s after the close, and a duplicate held {Q05['delay']:g} s: is the new incarnation corrupted?",
        options=("yes", "no"), correct=_q_old_dup, hint="Does the held segment arrive while the new incarnation's window covers its sequence number?",
    ),
    NumberExercise(
        "09.q06_linux_tw", "Notebook 05: how many seconds does Linux keep a socket in TIME_WAIT? Give a whole number of seconds.",
        expected=_q_linux_tw, hint="include/net/tcp.h: TCP_TIMEWAIT_LEN.", unit="s", decimals=0, precision="a whole number of seconds",
        mistakes={"rfc793": (_q_rfc793_tw, "That is RFC 793's 2·MSL of 2 minutes each; Linux uses a constant of its own.")},
    ),
    NumberExercise(
        "09.q07_rfc793_msl", "Notebook 05: what MSL did RFC 793 assume? Give a whole number of seconds.",
        expected=_q_rfc793_msl, hint="RFC 793 §3.3 ('Knowing When to Keep Quiet') gives the MSL in minutes; convert it to seconds.", unit="s",
        decimals=0, precision="a whole number of seconds",
        mistakes={"linux": (_q_linux_tw, "That is Linux's TIME_WAIT, not RFC 793's MSL.")},
    ),
    NumberExercise(
        "09.q08_population", f"Notebook 06: a Linux client opens {Q08_RATE:,.0f} connections per second and closes first. How many sockets are in TIME_WAIT (no cap)? Give a whole number of sockets.",
        expected=_q_population, hint="Little's law: rate × TIME_WAIT.", unit="sockets",
        decimals=0, precision="a whole number of sockets",
    ),
    NumberExercise(
        "09.q09_destinations", "Notebook 06: with Linux's default port range, how many connections per second can a client sustain to 10 different (IP, port) destinations? Give it to one decimal place.",
        expected=_q_ten_destinations, hint="Each destination has its own set of 4-tuples: multiply the one-destination rate.", unit="connections/s",
        decimals=1, precision="to one decimal place",
        mistakes={"one": (_inc1_limit, "That is for one destination; the 4-tuple includes the destination.")},
    ),
    ChoiceExercise(
        "09.q10_reuse_safety", "Notebook 07: tcp_tw_reuse has taken a 4-tuple over, and an old duplicate of the previous "
        "connection arrives whose sequence number falls inside the new connection's window (the tw_reuse run). "
        "What keeps it out?",
        options=(Q10_PAWS, Q10_SEQUENCE, "the 2·MSL timer", "SO_REUSEADDR"), correct=_q_reuse_safety,
        hint="Run simulate('tw_reuse', timestamps=True) and read the old duplicate's outcome; then read what PAWS needs "
        "in notebook 07 §3.",
        why_wrong={
            Q10_SEQUENCE: "the duplicate's sequence number is inside the new window, so the sequence check accepts it: "
            "that is the corrupted run without timestamps in notebook 07 §3.",
            "the 2·MSL timer": "reuse ends the wait early; the timer is exactly what is skipped.",
            "SO_REUSEADDR": "it only decides whether bind() may take a port; it inspects no arriving segment.",
        },
    ),
    ChoiceExercise(
        "09.q11_linger_errno", "Notebook 08: with SO_LINGER {on, 0}, which errno does the peer's recv() raise?",
        options=("ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT"), correct=_q_linger_errno,
        hint="close() sends a RST instead of a FIN; what does a RST in ESTABLISHED report?",
    ),
    ChoiceExercise(
        "09.q12_rebind", "Notebook 08: a client bound a fixed local port without SO_REUSEADDR and closed first. A new socket with SO_REUSEADDR binds that port to reach another server. Outcome?",
        options=("ok", "EADDRINUSE", "EADDRNOTAVAIL"), correct=_q_rebind,
        hint="bind() checks the TIME_WAIT socket's own SO_REUSEADDR flag too, whatever the destination.",
    ),
)
