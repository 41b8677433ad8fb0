"""The model of Linux's bind/connect/TIME_WAIT rules (tcpmodel.socket_rules).

Expected values here are written from the kernel conditions they implement
(net/ipv4/inet_connection_sock.c: inet_bind_conflict; net/ipv4/tcp_ipv4.c:
tcp_twsk_unique, in 6.18 and, for the older delay tests, the 3.x and 4.19
sources), not copied from the module. tests/test_live.py checks the
same rules against the running kernel.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcpmodel import socket_rules as rules
from tcpmodel.socket_rules import Holder, Settings

STATES = ["TIME_WAIT", "LISTEN", "ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT2"]
holders = st.lists(st.builds(Holder, st.sampled_from(STATES), st.booleans()), max_size=5)


@pytest.mark.parametrize("old,new", list(itertools.product([False, True], repeat=2)))
def test_time_wait_blocks_bind_unless_both_sockets_set_reuseaddr(old, new):
    # inet_bind_conflict: no conflict only if sk->sk_reuse && sk2->sk_reuse && sk2 not LISTEN
    want = "ok" if (old and new) else "EADDRINUSE"
    assert rules.bind_outcome(new, [Holder("TIME_WAIT", old)]) == want


def test_a_listener_always_blocks_bind():
    for old, new in itertools.product([False, True], repeat=2):
        assert rules.bind_outcome(new, [Holder("LISTEN", old)]) == "EADDRINUSE"


def test_free_port_always_binds():
    assert rules.bind_outcome(False, []) == "ok"
    assert rules.bind_outcome(True, []) == "ok"


@given(holders, st.booleans())
def test_more_holders_never_make_bind_easier(existing, new):
    before = rules.bind_outcome(new, existing)
    after = rules.bind_outcome(new, [*existing, Holder("TIME_WAIT", False)])
    assert after == "EADDRINUSE"
    if before == "EADDRINUSE":
        assert rules.bind_outcome(new, [*existing, Holder("TIME_WAIT", True)]) == "EADDRINUSE"


@given(holders)
def test_without_reuseaddr_any_holder_blocks(existing):
    assert rules.bind_outcome(False, existing) == ("ok" if not existing else "EADDRINUSE")


@pytest.mark.parametrize("first", ["server", "client"])
@pytest.mark.parametrize("old,new", list(itertools.product([False, True], repeat=2)))
def test_server_restart(first, old, new):
    if first == "client":
        want = "ok"  # the TIME_WAIT is on the client's port
    else:
        want = "ok" if (old and new) else "EADDRINUSE"
    assert rules.server_restart_outcome(first, old, new) == want


@pytest.mark.parametrize("old,new,same", list(itertools.product([False, True], repeat=3)))
@pytest.mark.parametrize("timestamps", [0, 1])
@pytest.mark.parametrize("reuse", [0, 1, 2])
def test_rebind_client_port(old, new, same, timestamps, reuse):
    settings = Settings(tcp_tw_reuse=reuse, tcp_timestamps=timestamps)
    if not (old and new):
        want = "EADDRINUSE"
    elif not same:
        want = "ok"
    else:
        # bound port: twp == NULL, so only tw_ts_recent_stamp matters, never tcp_tw_reuse
        want = "ok" if timestamps else "EADDRNOTAVAIL"
    assert rules.rebind_client_port_outcome(old, new, same, settings) == want


@pytest.mark.parametrize("reuse,loopback,expected", [(0, True, False), (0, False, False), (1, True, True), (1, False, True), (2, True, True), (2, False, False)])
def test_tw_reuse_levels_after_the_delay(reuse, loopback, expected):
    assert rules.tw_reuse_allows(Settings(tcp_tw_reuse=reuse), loopback=loopback, elapsed_s=5.0) is expected


@pytest.mark.parametrize("delay_ms", [1, 250, 1000, 60_000])
def test_reuse_delay_is_strictly_after(delay_ms):
    s = Settings(tcp_tw_reuse=1, tcp_tw_reuse_delay=delay_ms)
    assert not rules.tw_reuse_allows(s, loopback=False, elapsed_s=delay_ms / 1000)
    assert rules.tw_reuse_allows(s, loopback=False, elapsed_s=delay_ms / 1000 + 0.001)
    assert not rules.tw_reuse_allows(s, loopback=False, elapsed_s=0.0)


def test_no_timestamps_no_reuse_and_fin_wait2_orphans_never_reused():
    assert not rules.tw_reuse_allows(Settings(tcp_tw_reuse=1, tcp_timestamps=0), loopback=True, elapsed_s=10)
    assert not rules.tw_reuse_allows(Settings(tcp_tw_reuse=1), loopback=True, elapsed_s=10, fin_wait2_orphan=True)


def kernel_reuses(kernel, stamp_t, now_t):
    """tcp_twsk_unique()'s delay test of ``kernel``, on clock readings in seconds (written from the kernel source)."""
    if kernel >= (4, 19):  # time_after32(ktime_get_seconds(), tw_ts_recent_stamp)
        return math.floor(now_t) > math.floor(stamp_t)
    return math.floor(now_t) - math.floor(stamp_t) > 1  # get_seconds() - tw_ts_recent_stamp > 1


@pytest.mark.parametrize("kernel", [(3, 10), (4, 18), (4, 19), (5, 15), (6, 13)])
@given(stamp_t=st.floats(0, 10_000, allow_nan=False), elapsed=st.floats(0, 3, allow_nan=False))
def test_old_kernels_count_whole_seconds_of_the_last_timestamp(kernel, stamp_t, elapsed):
    s = Settings(tcp_tw_reuse=2, tcp_tw_reuse_delay=None, kernel=kernel)
    now_t = stamp_t + elapsed
    ticked = math.floor(now_t) - math.floor(stamp_t)
    want = kernel_reuses(kernel, stamp_t, now_t)
    assert rules.tw_reuse_allows(s, loopback=True, elapsed_s=elapsed, seconds_ticked=ticked) is want
    rule = s.reuse_rule
    # The rule's interval holds whatever the phase: never at or below shortest_s, always from longest_s.
    if elapsed <= rule.shortest_s:
        assert not want
    if elapsed >= rule.longest_s:
        assert want


@pytest.mark.parametrize("kernel,shortest,longest", [((4, 18), 1.0, 2.0), ((4, 19), 0.0, 1.0), ((6, 13), 0.0, 1.0)])
def test_old_kernel_intervals_are_reached_at_both_ends(kernel, shortest, longest):
    # A timestamp just before a second begins: the shortest wait; just after: the longest.
    early = [e / 1000 for e in range(0, 3001) if kernel_reuses(kernel, 0.999, 0.999 + e / 1000)][0]
    late = [e / 1000 for e in range(0, 3001) if kernel_reuses(kernel, 0.0, e / 1000)][0]
    assert early == pytest.approx(shortest + 0.001) and late == pytest.approx(longest)
    rule = Settings(tcp_tw_reuse_delay=None, kernel=kernel).reuse_rule
    assert (rule.shortest_s, rule.longest_s) == (shortest, longest)


def test_old_kernels_need_the_clock_inside_the_interval():
    s = Settings(tcp_tw_reuse=2, tcp_tw_reuse_delay=None, kernel=(5, 15))
    with pytest.raises(ValueError, match="^seconds_ticked must be an integer"):
        rules.tw_reuse_allows(s, loopback=True, elapsed_s=0.5)
    assert rules.tw_reuse_allows(s, loopback=True, elapsed_s=1.0) is True
    assert rules.tw_reuse_allows(s, loopback=True, elapsed_s=0.0) is False
    unknown = Settings(tcp_tw_reuse=2, tcp_tw_reuse_delay=None)  # before 6.14, version unknown
    assert rules.tw_reuse_allows(unknown, loopback=True, elapsed_s=0.1, seconds_ticked=2) is True
    with pytest.raises(ValueError, match="^seconds_ticked must be"):
        rules.tw_reuse_allows(unknown, loopback=True, elapsed_s=0.1, seconds_ticked=1)


def test_settings_refuse_a_new_kernel_without_the_delay_sysctl():
    with pytest.raises(ValueError, match="^tcp_tw_reuse_delay must be"):
        Settings(tcp_tw_reuse_delay=None, kernel=(6, 14))
    with pytest.raises(ValueError, match="^kernel must be"):
        Settings(kernel="6.18")


def test_paws_is_guaranteed_only_after_the_peers_tick():
    lo, hi = rules.PAWS_PEER_TICK_S
    assert (lo, hi) == (0.001, 1.0)  # RFC 7323 §5.4: 1 ms to 1 sec per tick
    assert not rules.paws_guaranteed(0.0)  # a bound-port reconnect waits for nothing
    assert not rules.paws_guaranteed(hi / 2)
    assert rules.paws_guaranteed(hi)
    assert rules.paws_guaranteed(lo, peer_tick_s=lo)
    # tcp_tw_reuse_delay's default covers the slowest clock the RFC allows.
    assert rules.paws_guaranteed(Settings().reuse_rule.shortest_s)
    with pytest.raises(ValueError, match="^peer_tick_s must be"):
        rules.paws_guaranteed(1.0, peer_tick_s=2.0)


def test_ephemeral_reuse_outcome():
    assert rules.ephemeral_reuse_outcome(Settings(), loopback=True, elapsed_s=0.01) == "EADDRNOTAVAIL"
    assert rules.ephemeral_reuse_outcome(Settings(), loopback=True, elapsed_s=1.5) == "ok"
    assert rules.ephemeral_reuse_outcome(Settings(tcp_tw_reuse=0), loopback=True, elapsed_s=1.5) == "EADDRNOTAVAIL"


def test_who_holds_time_wait_is_the_first_closer():
    assert rules.who_holds_time_wait("client") == "client"
    assert rules.who_holds_time_wait("server") == "server"
    assert rules.who_holds_time_wait("both") == "both"


def test_abortive_close_and_timewait_length():
    assert rules.abortive_close_prediction() == {"peer_error": "ECONNRESET", "time_wait_sockets": 0}
    assert rules.TCP_TIMEWAIT_LEN_S == 60.0  # include/net/tcp.h: TCP_TIMEWAIT_LEN (60*HZ)


@pytest.mark.parametrize("ports", [1, 100, 28232])
def test_exhaustion_prediction(ports):
    assert rules.exhaustion_prediction(ports, "client", Settings(tcp_tw_reuse=0)) == {"succeeded": ports, "errno": "EADDRNOTAVAIL"}
    assert rules.exhaustion_prediction(ports, "client", Settings(tcp_tw_reuse=2), burst=False) == {"succeeded": None, "errno": None}
    assert rules.exhaustion_prediction(ports, "client", Settings(tcp_tw_reuse=2), loopback=False, burst=False) == {"succeeded": 0, "errno": "EADDRNOTAVAIL"}
    assert rules.exhaustion_prediction(ports, "server", Settings(tcp_tw_reuse=0))["errno"] is None
    old = Settings(tcp_tw_reuse=2, tcp_tw_reuse_delay=None, kernel=(4, 14))  # waits up to 2 s
    assert rules.exhaustion_prediction(ports, "client", old, burst=False) == {"succeeded": None, "errno": None}


def test_settings_from_linux_config():
    from tcpmodel.models import LinuxConfig

    s = Settings.from_config(LinuxConfig(tcp_tw_reuse=0, tcp_tw_reuse_delay=250, tcp_timestamps=0))
    assert (s.tcp_tw_reuse, s.tcp_tw_reuse_delay, s.tcp_timestamps) == (0, 250, 0)
    old = Settings.from_config(LinuxConfig(tcp_tw_reuse_delay=None, kernel=(5, 4)))
    assert (old.tcp_tw_reuse_delay, old.kernel, old.reuse_rule.clock) == (None, (5, 4), "ktime_get_seconds")


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: Settings(tcp_tw_reuse=3), "tcp_tw_reuse"),
        (lambda: Settings(tcp_tw_reuse_delay=0), "tcp_tw_reuse_delay"),
        (lambda: Settings(tcp_timestamps=5), "tcp_timestamps"),
        (lambda: rules.who_holds_time_wait("nobody"), "closer"),
        (lambda: rules.server_restart_outcome("both", True, True), "first_closer"),
        (lambda: rules.bind_outcome("yes", []), "new_reuseaddr"),
        (lambda: rules.tw_reuse_allows(Settings(), loopback=True, elapsed_s=-1), "elapsed_s"),
        (lambda: rules.exhaustion_prediction(0, "client", Settings()), "ports"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        call()
