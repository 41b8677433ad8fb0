"""The model of Linux's bind/connect/TIME_WAIT rules (tcpmodel.socket_rules).

Expected values here are written from the kernel conditions they implement
(net/ipv4/inet_connection_sock.c: inet_bind_conflict; net/ipv4/tcp_ipv4.c:
tcp_twsk_unique), not copied from the module. tests/test_live.py checks the
same rules against the running kernel.
"""

from __future__ import annotations

import itertools

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


def test_old_kernels_use_whole_seconds():
    s = Settings(tcp_tw_reuse=2, tcp_tw_reuse_delay=None)
    assert rules.tw_reuse_allows(s, loopback=True, elapsed_s=0.2, seconds_ticked=True)
    assert not rules.tw_reuse_allows(s, loopback=True, elapsed_s=0.9, seconds_ticked=False)


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


def test_settings_from_linux_config():
    from tcpmodel.models import LinuxConfig

    s = Settings.from_config(LinuxConfig(tcp_tw_reuse=0, tcp_tw_reuse_delay=250, tcp_timestamps=0))
    assert (s.tcp_tw_reuse, s.tcp_tw_reuse_delay, s.tcp_timestamps) == (0, 250, 0)


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
