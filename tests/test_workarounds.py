"""The workaround scenarios of notebook 07: tw_recycle_nat and tw_reuse (issue 7).

The kernel rules are restated here from the Linux source (not imported from
the code under test) so that the simulator is checked against an independent
oracle:

* ``net/ipv4/tcp_metrics.c: tcp_peer_is_proven`` (read in a Linux 4.9 tree;
  inferred for 4.11): drop a SYN when ``now - tcpm_ts_stamp < TCP_PAWS_MSL (60)``
  and ``(s32)(tcpm_ts - tsval) > TCP_PAWS_WINDOW (1)``.
* ``tcp_remember_stamp``: overwrite the per-host stamp when the new TSval is
  not older, or when the saved one is older than 60 s.
* ``net/ipv4/tcp_minisocks.c: tcp_time_wait``: with ``recycle_ok``, TIME_WAIT
  lasts ``rto = (icsk_rto << 2) - (icsk_rto >> 1)`` jiffies.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpmodel.sim.recycle import (
    CLIENT_OFFSETS,
    SPREAD_SEEDS,
    Spread,
    peer_is_proven,
    recycle_nat_spread,
    recycle_time_wait_s,
    remember_stamp,
    simulate_tw_recycle_nat,
)

KERNEL_PAWS_MSL = 60  # include/net/tcp.h: TCP_PAWS_MSL
KERNEL_PAWS_WINDOW = 1  # include/net/tcp.h: TCP_PAWS_WINDOW


def s32(x: int) -> int:
    x %= 2**32
    return x - 2**32 if x >= 2**31 else x


def kernel_drops(now_s: int, tsval: int, stamp_s: int | None, stamp_ts: int | None) -> bool:
    if stamp_s is None:
        return False
    return now_s - stamp_s < KERNEL_PAWS_MSL and s32(stamp_ts - tsval) > KERNEL_PAWS_WINDOW


# --- tw_recycle_nat: the per-host PAWS check ---------------------------------------------


def test_peer_is_proven_matches_the_kernel_condition_at_its_edges():
    # 59 s old and 2 ticks behind: dropped; 60 s old: no longer checked.
    assert not peer_is_proven(159, syn_tsval=1000, stamp_s=100, stamp_ts=1002)
    assert peer_is_proven(160, syn_tsval=1000, stamp_s=100, stamp_ts=1002)
    # exactly TCP_PAWS_WINDOW (1 tick) behind is tolerated, 2 is not
    assert peer_is_proven(110, syn_tsval=1001, stamp_s=100, stamp_ts=1002)
    assert not peer_is_proven(110, syn_tsval=1000, stamp_s=100, stamp_ts=1002)
    # sequence-space wrap: a TSval just past 2**32 is *ahead* of one just below it
    assert peer_is_proven(110, syn_tsval=5, stamp_s=100, stamp_ts=2**32 - 5)
    assert not peer_is_proven(110, syn_tsval=2**32 - 5, stamp_s=100, stamp_ts=5)
    assert peer_is_proven(110, syn_tsval=0, stamp_s=None, stamp_ts=None)


@given(
    now=st.integers(0, 10_000),
    age=st.integers(0, 200),
    stamp_ts=st.integers(0, 2**32 - 1),
    tsval=st.integers(0, 2**32 - 1),
)
def test_peer_is_proven_is_the_kernel_check(now, age, stamp_ts, tsval):
    stamp_s = now - age
    assert peer_is_proven(now, tsval, stamp_s, stamp_ts) is (not kernel_drops(now, tsval, stamp_s, stamp_ts))


def test_remember_stamp_only_moves_forward_until_it_ages():
    assert remember_stamp(100, ts_recent=900, ts_recent_stamp=100, stamp_s=95, stamp_ts=500) == (100, 900)
    assert remember_stamp(100, ts_recent=400, ts_recent_stamp=100, stamp_s=95, stamp_ts=500) == (95, 500)
    assert remember_stamp(156, ts_recent=400, ts_recent_stamp=156, stamp_s=95, stamp_ts=500) == (156, 400)
    assert remember_stamp(10, ts_recent=7, ts_recent_stamp=10, stamp_s=None, stamp_ts=None) == (10, 7)


# --- tw_recycle_nat: the scenario ------------------------------------------------------


def replay(result) -> None:
    """Re-run the kernel's check over the logged SYNs and stamp changes, independently."""
    stamps = list(result.stamp_log)
    stamp_s = stamp_ts = None
    si = 0
    for t, _client, tsval, dropped in result.syn_log:
        while si < len(stamps) and stamps[si][0] <= t:
            stamp_s, stamp_ts = int(stamps[si][0]), stamps[si][1]
            si += 1
        assert dropped == kernel_drops(int(t), tsval, stamp_s, stamp_ts), (t, tsval, stamp_s, stamp_ts)


@settings(max_examples=25)
@given(clients=st.integers(1, 40), seed=st.integers(0, 2**32), offsets=st.sampled_from(CLIENT_OFFSETS))
def test_every_drop_is_exactly_the_kernel_rule(clients, seed, offsets):
    result = simulate_tw_recycle_nat(clients=clients, seed=seed, client_offsets=offsets, duration_s=1200)
    replay(result)
    assert 0.0 <= result.drop_fraction <= 1.0
    assert result.connects <= result.syns_sent <= result.connects * (result.params["syn_retries"] + 1)
    assert result.connects_failed + result.connects_delayed <= result.connects
    assert result.clients_failed <= result.clients_affected <= result.clients
    # a host with a failed connect() had every copy of one SYN dropped
    assert (result.clients_failed > 0) == (result.connects_failed > 0)


@settings(max_examples=20)
@given(clients=st.integers(2, 60), seed=st.integers(0, 2**32))
def test_with_uptime_clocks_the_most_advanced_clock_is_never_dropped(clients, seed):
    # Clocks that count uptime (all within 2**31 ticks of each other) are a fixed order: nobody
    # can leave a stamp ahead of the host whose clock leads, so its SYNs always pass.
    result = simulate_tw_recycle_nat(clients=clients, seed=seed, client_offsets="uptime")
    assert result.params["max_uptime_s"] * result.params["ts_hz"] < 2**31
    # (a host booted less than 300 s ago has a "negative" clock: INITIAL_JIFFIES)
    leader = max(range(clients), key=lambda c: s32(result.offsets[c]))
    assert not any(dropped for _t, c, _ts, dropped in result.syn_log if c == leader)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32), interval=st.floats(5, 600), hold=st.floats(0, 120))
def test_one_host_with_one_clock_is_never_dropped(seed, interval, hold):
    # VJ's per-host cache is sound when an address is one host with a monotonic clock.
    result = simulate_tw_recycle_nat(clients=1, seed=seed, mean_interval_s=interval, hold_s=hold, duration_s=1800)
    assert result.syns_dropped == 0


@settings(max_examples=15)
@given(clients=st.integers(2, 60), seed=st.integers(0, 2**32))
def test_without_recycle_or_without_server_time_wait_nothing_is_dropped(clients, seed):
    assert simulate_tw_recycle_nat(clients=clients, seed=seed, tw_recycle=False).syns_dropped == 0
    # Only a socket entering TIME_WAIT on the server saves a stamp (tcp_time_wait → tcp_remember_stamp).
    assert simulate_tw_recycle_nat(clients=clients, seed=seed, server_closes_first=False).syns_dropped == 0


def test_many_hosts_behind_one_address_get_dropped():
    result = simulate_tw_recycle_nat(clients=50, seed=7)
    assert result.syns_dropped > 0
    assert result.clients_affected > 1
    # A dropped connect is retried; most get through late, some not at all.
    assert result.connects_delayed > 0


def test_randomised_offsets_break_recycle_even_for_one_host():
    # Linux 4.10 clients (per-connection random TSval offsets): one host behind one address is enough.
    result = simulate_tw_recycle_nat(clients=1, seed=3, client_offsets="per_connection", mean_interval_s=60)
    assert result.syns_dropped > 0


def test_uptime_clocks_start_at_jiffies_of_their_uptime():
    # TSval = (uptime - 300 s) * HZ at t = 0 (INITIAL_JIFFIES is 300 s below zero), so offsets lie in
    # [-300 s, max_uptime_s - 300 s] of ticks, modulo 2**32.
    result = simulate_tw_recycle_nat(clients=200, seed=2, client_offsets="uptime", max_uptime_s=3600, ts_hz=100)
    lo, hi = -300 * 100, (3600 - 300) * 100
    assert all(lo <= (o if o < 2**31 else o - 2**32) <= hi for o in result.offsets)
    assert simulate_tw_recycle_nat(clients=3, seed=2, client_offsets="per_connection").offsets is None


def test_the_sweep_shapes_and_why():
    # Clocks that count uptime: the more hosts, the more connect() calls fail (a fixed order of clocks,
    # and a stamp that stays fresh while any host ahead keeps closing connections).
    up = [recycle_nat_spread(n, client_offsets="uptime") for n in (10, 100, 1000)]
    assert up[0].failed.median < up[1].failed.median < up[2].failed.median
    # Random offsets per host: no host leads, every new stamp re-deals who is behind, so with many hosts
    # the stamp changes far more often, a retried SYN meets a new stamp, and failures fall again.
    ph = [recycle_nat_spread(n, client_offsets="per_host") for n in (100, 1000)]
    assert ph[1].failed.median < ph[0].failed.median
    assert ph[1].stamp_changes.median > 5 * up[2].stamp_changes.median
    # ... towards (1/2)**(syn_retries + 1): each of the 7 copies of a SYN behind a fresh stamp about half the time.
    coin = 0.5 ** (7)
    assert coin / 4 < ph[1].failed.median < coin * 4
    # SYNs are dropped in large numbers in both; one host alone never.
    assert up[2].dropped.median > 0.5 and ph[1].dropped.median > 0.4
    assert recycle_nat_spread(1, client_offsets="uptime").dropped.high == 0.0


def test_spread_is_the_median_and_range_of_the_runs():
    runs = [simulate_tw_recycle_nat(clients=10, seed=s).failed_fraction for s in SPREAD_SEEDS]
    spread = recycle_nat_spread(10)
    assert spread.seeds == SPREAD_SEEDS
    assert (spread.failed.low, spread.failed.high) == (min(runs), max(runs))
    assert sorted(runs)[len(runs) // 2 - 1] <= spread.failed.median <= sorted(runs)[len(runs) // 2]
    assert Spread(0.05, 0.02, 0.2).contains(0.01, 0.03) and not Spread(0.05, 0.04, 0.2).contains(0.01, 0.03)
    with pytest.raises(ValueError, match="^seeds must be"):
        recycle_nat_spread(10, seeds=())


@pytest.mark.parametrize("rto_ms", [200, 202, 1000, 3000, 120_000])
def test_recycled_time_wait_is_the_kernels_three_and_a_half_rto(rto_ms):
    # tcp_time_wait(): rto = (icsk_rto << 2) - (icsk_rto >> 1), in jiffies (HZ = 1000 here: 1 jiffy = 1 ms).
    kernel_jiffies = (rto_ms << 2) - (rto_ms >> 1)
    assert recycle_time_wait_s(rto_ms / 1000) == pytest.approx(kernel_jiffies / 1000)
    with pytest.raises(ValueError, match="^rto_s must be"):
        recycle_time_wait_s(0)


def test_same_seed_same_result_and_seed_matters():
    a = simulate_tw_recycle_nat(clients=30, seed=11)
    b = simulate_tw_recycle_nat(clients=30, seed=11)
    c = simulate_tw_recycle_nat(clients=30, seed=12)
    assert a.syn_log == b.syn_log and a.drop_fraction == b.drop_fraction
    assert a.syn_log != c.syn_log


def test_a_dropped_connect_gives_up_after_syn_retries():
    result = simulate_tw_recycle_nat(clients=100, seed=5, syn_retries=0)
    # With no retransmissions, every dropped SYN is a failed connect().
    assert result.connects_failed == result.syns_dropped
    assert result.syns_sent == result.connects


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"clients": 0}, "clients"),
        ({"clients": 5, "seed": -1}, "seed"),
        ({"clients": 5, "client_offsets": "random"}, "client_offsets"),
        ({"clients": 5, "max_uptime_s": -1}, "max_uptime_s"),
        ({"clients": 5, "mean_interval_s": 0}, "mean_interval_s"),
        ({"clients": 5, "ts_hz": 5000}, "ts_hz"),
        ({"clients": 5, "tw_recycle": 1}, "tw_recycle"),
    ],
)
def test_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        simulate_tw_recycle_nat(**kwargs)


# --- tw_reuse: an early takeover of a TIME_WAIT 4-tuple meets an old duplicate ------------

from tcpmodel.sim import simulate  # noqa: E402
from tcpmodel.states import State  # noqa: E402


def old_copy_of(trace):
    """The held first copy of incarnation 1's old-2 (the old duplicate)."""
    copies = [s for s in trace.segments if s.payload == "old-2" and s.incarnation == 1]
    return max(copies, key=lambda s: s.t_arrived or 0.0)


def second_incarnation_start(trace):
    return trace.entered("A", State.SYN_SENT)[1]


def test_with_timestamps_paws_rejects_the_old_duplicate():
    trace = simulate("tw_reuse", timestamps=True)
    dup = old_copy_of(trace)
    assert dup.t_arrived > second_incarnation_start(trace)  # it reached the new incarnation…
    assert "PAWS" in dup.outcome  # …and RFC 7323 §5.3 threw it away
    assert not trace.corrupted
    assert trace.delivered["B"][-2:] == ["new-1", "new-2"]


def test_without_timestamps_the_old_duplicate_corrupts_the_new_incarnation():
    trace = simulate("tw_reuse", timestamps=False)
    assert trace.corrupted
    assert "new-2" not in trace.delivered["B"]  # the old bytes took its place in the stream


@pytest.mark.parametrize(("reuse", "loopback", "early"), [(0, False, False), (0, True, False), (1, False, True), (1, True, True), (2, False, False), (2, True, True)])
def test_tcp_tw_reuse_values_decide_when_the_tuple_is_taken(reuse, loopback, early):
    # ip-sysctl.rst: 0 disable, 1 global enable, 2 loopback only; delay in ms (default 1000).
    msl = 30.0
    trace = simulate("tw_reuse", timestamps=True, tcp_tw_reuse=reuse, loopback=loopback, tcp_tw_reuse_delay=2500, msl=msl)
    waited = second_incarnation_start(trace) - trace.entered("A", State.TIME_WAIT)[0]
    if early:
        assert waited == pytest.approx(2.5)
    else:
        assert waited == pytest.approx(2 * msl)
        assert not trace.corrupted  # a full TIME_WAIT protects even without PAWS…
        assert not simulate("tw_reuse", timestamps=False, tcp_tw_reuse=reuse, loopback=loopback, msl=msl).corrupted


@settings(max_examples=30)
@given(
    msl=st.floats(5.0, 60.0),
    frac=st.floats(0.0, 1.0),
    reuse_delay_ms=st.integers(1, 4000),
    one_way=st.floats(0.001, 0.2),
    seed=st.integers(0, 2**32),
)
def test_with_timestamps_no_old_duplicate_is_ever_accepted(msl, frac, reuse_delay_ms, one_way, seed):
    trace = simulate("tw_reuse", timestamps=True, msl=msl, delay=frac * msl, tcp_tw_reuse_delay=reuse_delay_ms, one_way=one_way, seed=seed)
    assert not trace.corrupted
    assert all(d.from_incarnation == d.incarnation for d in trace.deliveries)


@settings(max_examples=20)
@given(msl=st.floats(10.0, 60.0), frac=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_without_timestamps_a_duplicate_landing_in_the_new_incarnation_corrupts(msl, frac, seed):
    trace = simulate("tw_reuse", timestamps=False, msl=msl, delay=frac * msl, seed=seed)
    dup = old_copy_of(trace)
    established = trace.entered("A", State.ESTABLISHED)[1]
    new2_sent = min(s.t_sent for s in trace.segments if s.payload == "new-2")
    lands_in_open_window = dup.t_arrived is not None and established + 2 * one_way_default() < dup.t_arrived < new2_sent
    if lands_in_open_window:
        assert trace.corrupted
    if dup.t_arrived is not None and dup.t_arrived < second_incarnation_start(trace):
        assert not trace.corrupted


@settings(max_examples=15, deadline=None)
@given(msl=st.floats(10.0, 60.0), one_way=st.floats(0.005, 0.2), reuse_delay_ms=st.integers(1, 4000))
def test_reuse_exposure_is_where_the_old_duplicate_starts_to_corrupt(msl, one_way, reuse_delay_ms):
    from tcpmodel.workarounds import reuse_exposure_s

    params = dict(msl=msl, one_way=one_way, tcp_tw_reuse_delay=reuse_delay_ms)
    exposure = reuse_exposure_s(**params)
    # the old duplicate is older than the new incarnation's start by exactly the exposure (notebook 07 §3's Think!)
    trace = simulate("tw_reuse", timestamps=False, delay=min(msl, exposure / 2), **params)
    assert second_incarnation_start(trace) < old_copy_of(trace).t_sent + exposure
    # Held just past the exposure, the duplicate meets B's incarnation 2 in SYN_RECEIVED, which resets on its
    # unacceptable ACK; once B's handshake is done (two more one-way trips) it is taken as data.
    established = exposure + 2 * one_way
    if established + 0.01 < msl:
        assert not simulate("tw_reuse", timestamps=False, delay=exposure - 0.01, **params).corrupted
        early = simulate("tw_reuse", timestamps=False, delay=exposure + 0.01, **params)
        assert early.corrupted or "connection reset" in early.errors["B"]
        assert simulate("tw_reuse", timestamps=False, delay=established + 0.01, **params).corrupted
        assert not simulate("tw_reuse", timestamps=True, delay=established + 0.01, **params).corrupted


def one_way_default() -> float:
    from tcpmodel.sim import scenarios

    return scenarios.DEFAULT_ONE_WAY


@pytest.mark.parametrize(("kwargs", "name"), [({"tcp_tw_reuse": 3}, "tcp_tw_reuse"), ({"timestamps": "yes"}, "timestamps"), ({"tcp_tw_reuse_delay": 0}, "tcp_tw_reuse_delay"), ({"msl": 10.0, "delay": 11.0}, "delay")])
def test_tw_reuse_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        simulate("tw_reuse", **kwargs)


def test_recycle_scenario_is_registered_with_simulate():
    result = simulate("tw_recycle_nat", clients=25, seed=4)
    direct = simulate_tw_recycle_nat(clients=25, seed=4)
    assert result.syn_log == direct.syn_log
    with pytest.raises(ValueError, match="^clients must be"):
        simulate("tw_recycle_nat", clients=0)


# --- decision table, myths and widgets ----------------------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from tcpmodel.workarounds import DECISION_TABLE, MYTHS, decision_row, decision_table_rows, myth  # noqa: E402


def test_decision_table_rows_have_sources_and_valid_fields():
    assert {w.key for w in DECISION_TABLE} >= {"so_reuseaddr", "so_linger_zero", "tcp_tw_reuse", "tcp_tw_recycle", "port_range", "pooling", "client_closes_first"}
    for w in DECISION_TABLE:
        assert w.source.strip() and w.risk.strip() and w.linux.strip()
    assert len(decision_table_rows()) == len(DECISION_TABLE)


def test_decision_table_agrees_with_the_models():
    from tcpmodel.linux import LinuxConfig
    from tcpmodel.socket_rules import server_restart_outcome

    # tcp_tw_reuse only ever shortens the hold of an outgoing connect(): it helps the client.
    assert decision_row("tcp_tw_reuse").helps == "client"
    assert LinuxConfig(tcp_tw_reuse=1).effective_hold_s(loopback=False) < LinuxConfig(tcp_tw_reuse=0).effective_hold_s(loopback=False)
    # SO_REUSEADDR is what lets a server that closed first restart at once.
    assert decision_row("so_reuseaddr").helps == "server" and server_restart_outcome("server", True, True) == "ok"
    # The sysctls need root; socket options and design changes do not.
    assert decision_row("tcp_tw_reuse").needs_root and not decision_row("so_linger_zero").needs_root
    assert "4.12" in decision_row("tcp_tw_recycle").linux


def test_recycle_row_says_whom_it_helped_and_whom_it_hurt():
    row = decision_row("tcp_tw_recycle")
    # tcp_time_wait() shortened TIME_WAIT for any socket that closed first: clients too.
    assert row.helps == "both"
    # the damage: SYNs dropped at the host that accepts them, for clients sharing one address
    assert "NAT" in row.risk and "3.5 × RTO" in row.risk
    assert row.removed_in == "4.12" and f"removed in {row.removed_in}" in row.linux
    for cited in ("tcp(7)", "net/ipv4/tcp_minisocks.c", "net/ipv4/tcp_metrics.c", "commit 4396e46187ca",
                  "commit 95a22caee396", "commit 28ee1b746f49", "inferred"):
        assert cited in row.source, cited
    assert [w.key for w in DECISION_TABLE if w.removed_in] == ["tcp_tw_recycle"]


def test_every_myth_has_a_correction_and_a_source():
    from tcpmodel.linux import TCP_TIMEWAIT_LEN_S

    assert len(MYTHS) == 5
    for m in MYTHS:
        assert m.claim and m.truth and m.source and m.truth != m.claim
    assert f"{TCP_TIMEWAIT_LEN_S:g} s" in myth("fin_timeout").truth
    assert f"{TCP_TIMEWAIT_LEN_S / 2:g} s" in myth("msl_one_minute").truth
    with pytest.raises(ValueError, match="^key must be one of"):
        myth("nope")


def test_restart_networking_myth_names_every_way_a_time_wait_ends():
    # socket_rules.TIME_WAIT_ENDED_BY is what the root lab's model column predicts from; the myth must name
    # each of them, with the kernel function that does it in its source.
    from tcpmodel.socket_rules import TIME_WAIT_ENDED_BY

    named = {"timer": ("timer fires", "tw_timer_handler"), "takeover": ("takes its 4-tuple over", "tcp_twsk_unique"),
             "rst": ("RST", "tcp_timewait_state_process"), "sock_destroy": ("SOCK_DESTROY", "tcp_abort"),
             "netns_exit": ("network namespace is destroyed", "inet_twsk_purge")}
    assert set(named) == set(TIME_WAIT_ENDED_BY)
    m = myth("restart_networking")
    for way, (words, symbol) in named.items():
        assert words in m.truth, way
        assert symbol in m.source, way


def test_widgets_draw_and_name_an_existing_static_figure():
    import matplotlib

    matplotlib.use("Agg")
    from tcpmodel.widgets.workarounds import recycle_nat_explorer, tw_reuse_explorer

    index = json.loads((Path(__file__).resolve().parent.parent / "figures" / "index.json").read_text(encoding="utf-8"))
    for make, change in ((tw_reuse_explorer, {"timestamps": False, "tcp_tw_reuse": 2, "loopback": True}), (recycle_nat_explorer, {"clients": 3, "client_offsets": "per_connection"})):
        widget = make()
        widget.update(**change)
        assert widget.error_text == ""
        assert widget.static_figure in index


def test_stored_recycle_sweep_is_current():
    """Notebook 07 reads the sweep `make figures` stored; it must be what the model computes now."""
    from tcpmodel.sim.recycle import compute_recycle_nat_sweeps, stored_recycle_nat_sweeps

    assert stored_recycle_nat_sweeps() == compute_recycle_nat_sweeps(), "run `make figures` to refresh the stored sweep"
