"""Behaviour of the segment-level simulator (issue 4): scenarios, timers, sequence space, API."""

from __future__ import annotations

import pytest

from tcpmodel import State
from tcpmodel.sim import (
    EndpointConfig,
    Network,
    Scenario,
    after,
    build,
    close,
    connect,
    listen,
    scenario_names,
    send,
    simulate,
)
from tcpmodel.sim.sequence import (
    LINUX_ISN_CLOCK_TICK,
    IsnGenerator,
    TimestampClock,
    acceptable,
    isn_advance,
    paws_reject,
    seq_add,
    seq_diff,
    seq_lt,
    time_wait_accepts_syn,
)

S = State


def names(trace, ep):
    return [s.name for s in trace.path(ep)]


def segs(trace, src=None, flags=None):
    return [s for s in trace.segments if (src is None or s.src == src) and (flags is None or s.flags == flags)]


# --------------------------------------------------------------- sequence space
class TestSequence:
    def test_table6_zero_length_zero_window_needs_exact_seq(self):
        assert acceptable(500, 0, 500, 0)
        assert not acceptable(501, 0, 500, 0)

    def test_table6_zero_length_open_window(self):
        assert acceptable(500, 0, 500, 10) and acceptable(509, 0, 500, 10)
        assert not acceptable(510, 0, 500, 10) and not acceptable(499, 0, 500, 10)

    def test_table6_data_into_zero_window_is_never_acceptable(self):
        assert not acceptable(500, 1, 500, 0)

    def test_table6_data_first_or_last_octet_in_window(self):
        assert acceptable(490, 20, 500, 10)  # last octet 509 is in [500, 510)
        assert acceptable(505, 100, 500, 10)  # first octet in the window
        assert not acceptable(400, 100, 500, 10)  # octets 400..499 are all old

    def test_wraparound(self):
        top = 2**32 - 10
        assert acceptable(5, 1, top, 100)
        assert seq_lt(top, 5) and seq_add(top, 15) == 5 and seq_diff(5, top) == 15

    def test_rfc6528_isn_advances_with_a_4_microsecond_clock(self):
        gen = IsnGenerator("rfc6528", seed=3)
        tup = ("10.0.0.1", 40000, "10.0.0.2", 80)
        # RFC 6528 §3: M ticks every 4 µs, so 2 s move the ISN by 2 / 4e-6.
        assert seq_diff(gen.isn(2.0, tup), gen.isn(0.0, tup)) == int(2 / 4e-6)

    def test_isn_advance_is_the_clock_between_incarnations(self):
        # The same 4-tuple: F() is the same, so the gap is the clock alone, at every seed.
        tup = ("10.0.0.1", 40000, "10.0.0.2", 80)
        for seed in range(5):
            gen = IsnGenerator("rfc6528", seed=seed)
            for t1, t2 in [(0.0, 0.001), (1.0, 61.0), (5.0, 5.0)]:
                assert seq_diff(gen.isn(t2, tup), gen.isn(t1, tup)) == isn_advance(t2 - t1)
        # Linux adds ktime_get_real_ns() >> 6: 10**9 / 2**6 per second, wrapping after
        # "274 s" as the comment in seq_scale() (net/core/secure_seq.c) says.
        assert isn_advance(1.0, LINUX_ISN_CLOCK_TICK) == 10**9 // 2**6
        assert int(2**32 * LINUX_ISN_CLOCK_TICK) == 274
        assert isn_advance(2**32 * 4e-6) == 0  # the RFC clock wraps after 2**32 ticks

    def test_linux_accepts_a_time_wait_syn_by_sequence_or_timestamp(self):
        assert time_wait_accepts_syn(1000, 500) == "sequence"
        assert time_wait_accepts_syn(500, 500) is None  # not *after* RCV.NXT
        assert time_wait_accepts_syn(400, 500, tsval=11, ts_recent=10) == "timestamp"
        assert time_wait_accepts_syn(400, 500, tsval=10, ts_recent=10) is None
        assert time_wait_accepts_syn(1000, 500, tsval=9, ts_recent=10) is None  # PAWS first
        assert time_wait_accepts_syn(5, 2**32 - 5) == "sequence"  # modular

    def test_rfc6528_offset_differs_per_4_tuple_and_seed(self):
        a = IsnGenerator("rfc6528", seed=1)
        assert a.isn(0, ("h", 1, "s", 80)) != a.isn(0, ("h", 2, "s", 80))
        assert a.isn(0, ("h", 1, "s", 80)) != IsnGenerator("rfc6528", seed=2).isn(0, ("h", 1, "s", 80))

    def test_paws(self):
        assert paws_reject(10, 20) and not paws_reject(20, 20) and not paws_reject(30, 20)
        assert not paws_reject(10, 20, rst=True)
        assert not paws_reject(None, 20)
        assert paws_reject(2**32 - 5, 3)  # 2**32 - 5 is before 3 on the circle
        assert TimestampClock(offset=7, hz=1000).tsval(0.5) == 507

    def test_bad_isn_policy(self):
        with pytest.raises(ValueError, match="isn must be one of"):
            IsnGenerator("clock")


# ------------------------------------------------------------- named scenarios
class TestNormalClose:
    @pytest.mark.parametrize("closer,other", [("A", "B"), ("B", "A")])
    def test_active_closer_waits_2msl_whoever_it_is(self, closer, other):
        msl = 3.0
        t = simulate("normal_close", closer=closer, msl=msl)
        assert names(t, closer)[-4:] == ["FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED"]
        assert names(t, other)[-3:] == ["CLOSE_WAIT", "LAST_ACK", "CLOSED"]
        assert t.time_in(closer, S.TIME_WAIT) == pytest.approx(2 * msl)
        assert S.TIME_WAIT not in t.path(other)
        assert t.errors == {"A": [], "B": []}

    def test_states_start_with_initial_state_and_record_changes(self):
        t = simulate("normal_close")
        for ep in "AB":
            assert t.states[ep][0] == (0.0, S.CLOSED)
            times = [x for x, _ in t.states[ep]]
            assert times == sorted(times)
            assert all(a != b for (_, a), (_, b) in zip(t.states[ep], t.states[ep][1:]))

    def test_segment_records(self):
        t = simulate("normal_close")
        first = t.segments[0]
        assert (first.src, first.dst, first.flags, first.incarnation) == ("A", "B", "SYN", 1)
        assert first.t_arrived == pytest.approx(first.t_sent + 0.05)
        fins = [s.flags for s in t.segments if "FIN" in s.flags]
        assert fins == ["FIN+ACK", "FIN+ACK"]
        # The SYN+ACK acknowledges the SYN: ack = ISN + 1 (RFC 9293 §3.5).
        assert t.segments[1].ack == seq_add(first.seq, 1)


class TestSimultaneousClose:
    def test_both_pass_closing_and_time_wait(self):
        msl = 2.0
        t = simulate("simultaneous_close", msl=msl)
        for ep in "AB":
            assert names(t, ep)[-4:] == ["FIN_WAIT_1", "CLOSING", "TIME_WAIT", "CLOSED"]
            assert t.time_in(ep, S.TIME_WAIT) == pytest.approx(2 * msl)


class TestLostFinalAck:
    def test_with_time_wait_fin_is_reacked_and_2msl_restarts(self):
        msl = 5.0
        t = simulate("lost_final_ack", time_wait=True, msl=msl)
        lost = t.lost_segments()
        assert len(lost) == 1 and lost[0].src == "A" and lost[0].flags == "ACK"
        b_fins = segs(t, "B", "FIN+ACK")
        assert len(b_fins) == 2 and b_fins[1].retransmission and b_fins[0].seq == b_fins[1].seq
        second_fin_arrival = b_fins[1].t_arrived
        # RFC 9293 §3.10.7.4 TIME-WAIT: ACK it and restart the 2 MSL timeout.
        closed_at = t.states["A"][-1][0]
        assert closed_at == pytest.approx(second_fin_arrival + 2 * msl)
        assert [x.outcome for x in t.timers if x.endpoint == "A" and x.kind == "2MSL"] == ["restarted", "expired"]
        assert t.final_state("A") == t.final_state("B") == S.CLOSED
        assert t.errors == {"A": [], "B": []}
        assert not segs(t, flags="RST")

    def test_without_time_wait_a_answers_rst_and_b_sees_an_error(self):
        t = simulate("lost_final_ack", time_wait=False, msl=5.0)
        rsts = segs(t, "A", "RST")
        assert len(rsts) == 1
        fin2 = segs(t, "B", "FIN+ACK")[1]
        # RFC 9293 §3.10.7.1: the RST takes its SEQ from the ACK field of the segment.
        assert rsts[0].seq == fin2.ack
        assert t.errors["B"] == ["connection reset"] and t.errors["A"] == []
        assert t.final_state("B") == S.CLOSED
        assert S.TIME_WAIT not in t.path("A")  # A goes from FIN_WAIT_2 straight to CLOSED
        a_closed = [x for x, s in t.states["A"] if s == S.CLOSED][-1]
        assert a_closed < fin2.t_arrived  # A was already CLOSED when the FIN came back


class TestOldDuplicate:
    def test_without_time_wait_old_segment_corrupts_incarnation_2(self):
        t = simulate("old_duplicate", time_wait=False, msl=30.0, delay=20.0, quiet_time=5.0)
        assert t.corrupted
        old = [s for s in t.segments if s.payload == "old-2" and not s.retransmission][0]
        assert old.seq == 301 and old.incarnation == 1
        assert old.t_arrived == pytest.approx(old.t_sent + 20.0)
        assert t.delivered["B"][-2:] == ["new-1", "old-2"]

    def test_with_time_wait_incarnation_2_waits_and_nothing_is_corrupted(self):
        msl = 30.0
        t = simulate("old_duplicate", time_wait=True, msl=msl, delay=msl, quiet_time=0.0)
        assert not t.corrupted
        tw_entered = t.entered("A", S.TIME_WAIT)[0]
        syn2 = [s for s in t.segments if s.flags == "SYN" and s.incarnation == 2][0]
        assert syn2.t_sent >= tw_entered + 2 * msl - 1e-9
        assert t.delivered["B"] == ["old-1", "old-2", "new-1", "new-2"]

    def test_quiet_time_longer_than_delay_protects_too(self):
        t = simulate("old_duplicate", time_wait=False, msl=30.0, delay=5.0, quiet_time=10.0)
        assert not t.corrupted

    def test_clock_driven_isn_puts_old_segment_outside_the_new_window(self):
        t = simulate("old_duplicate", time_wait=False, isn="rfc6528")
        assert not t.corrupted
        old = [s for s in t.segments if s.payload == "old-2" and not s.retransmission][0]
        assert "not acceptable" in old.outcome

    def test_paws_rejects_the_old_duplicate(self):
        t = simulate("old_duplicate", time_wait=False, timestamps=True)
        assert not t.corrupted
        old = [s for s in t.segments if s.payload == "old-2" and not s.retransmission][0]
        assert old.outcome.startswith("PAWS")

    def test_delay_longer_than_msl_is_refused(self):
        with pytest.raises(ValueError, match=r"delay must be a number in \[0, 10\]"):
            simulate("old_duplicate", msl=10.0, delay=11.0)


class TestAbortiveClose:
    def test_rst_instead_of_fin_no_time_wait(self):
        t = simulate("abortive_close")
        assert not [s for s in t.segments if "FIN" in s.flags]
        assert len(segs(t, "A", "RST")) == 1
        assert S.TIME_WAIT not in t.path("A") + t.path("B")
        assert t.errors["B"] == ["connection reset"]
        assert t.final_state("A") == t.final_state("B") == S.CLOSED


# --------------------------------------------------------------------- timers
def _handshake_only(**net):
    return Scenario("t", [listen("B", 0), connect("A", 0)], Network(delay=0.05, **net), msl=2.0)


class TestTimers:
    def test_rto_doubles(self):
        t = simulate(_handshake_only(lose=[0, 1, 2]))
        syns = [s.t_sent for s in segs(t, "A", "SYN")]
        assert syns == pytest.approx([0.0, 1.0, 3.0, 7.0])  # RTO 1 s, doubling (RFC 6298 §5.5)
        assert t.final_state("A") == S.ESTABLISHED

    def test_retry_limit_gives_up(self):
        sc = Scenario("t", [listen("B", 0), connect("A", 0)], Network(delay=0.05, lose=lambda s: s.src == "A"), msl=2.0,
                      A=EndpointConfig(addr=("10.0.0.1", 1), max_retries=2))
        t = simulate(sc)
        assert len(segs(t, "A", "SYN")) == 3
        assert t.final_state("A") == S.CLOSED
        assert any("timed out" in e for e in t.errors["A"])

    def test_user_timeout(self):
        sc = Scenario("t", [listen("B", 0), connect("A", 0), send("A", 0.5, "x", 10)],
                      Network(delay=0.05, lose=lambda s: s.payload == "x"), msl=2.0,
                      A=EndpointConfig(addr=("10.0.0.1", 1), user_timeout=2.5, max_retries=10))
        t = simulate(sc)
        assert t.errors["A"] == ["connection aborted due to user timeout"]
        assert [x for x, s in t.states["A"] if s == S.CLOSED][-1] == pytest.approx(3.0)


# ------------------------------------------------------- general API & Berkeley rule
class TestGeneralApi:
    def test_server_restart_while_in_time_wait_fails(self):
        sc = Scenario("restart", [listen("B", 0), connect("A", 0), close("B", 1.0),
                                  close("A", after("A", S.CLOSE_WAIT, 0.1)), listen("B", 5.0)], msl=30.0)
        t = simulate(sc)
        assert t.errors["B"] and "address already in use" in t.errors["B"][0]
        # Linux's bind() conflict (inet_bind_conflict) is on the local address and port, not on the 4-tuple.
        assert "holds the port" in t.errors["B"][0] and "4-tuple" not in t.errors["B"][0]

    def test_new_syn_with_higher_seq_accepted_in_time_wait(self):
        # B (server) closes first and sits in TIME_WAIT; A reconnects from the same port
        # 2 s later with a clock-driven ISN, whose sequence number is after B's RCV.NXT:
        # Linux accepts it (the sequence branch of its own test in tcp_timewait_state_process) and
        # gives the new connection its own ISN
        # above the old one's (RFC 9293 §3.6.1, MAY-2 condition 1).
        sc = Scenario("berkeley", [listen("B", 0), connect("A", 0), close("B", 1.0),
                                   close("A", after("A", S.CLOSE_WAIT, 0.1)), connect("A", 3.0)], msl=30.0)
        t = simulate(sc)
        b = names(t, "B")
        i = b.index("TIME_WAIT")
        assert b[i:i + 4] == ["TIME_WAIT", "CLOSED", "LISTEN", "SYN_RECEIVED"]
        assert b[-1] == "ESTABLISHED" and t.time_in("B", S.TIME_WAIT) < 2.5
        synack2 = [s for s in t.segments if s.flags == "SYN+ACK" and s.src == "B"][-1]
        fin_b = [s for s in t.segments if s.flags == "FIN+ACK" and s.src == "B"][0]
        # Linux tcp_timewait_state_process: ISN = old SND.NXT + 65535 + 2.
        assert synack2.seq == seq_add(fin_b.seq + 1, 65537)
        syn2 = [s for s in t.segments if s.flags == "SYN" and s.incarnation == 2][0]
        assert "sequence test" in syn2.outcome and "MAY-2" in syn2.outcome

    def test_a_listen_waiting_for_time_wait_to_end_takes_the_syn_accepted_there(self):
        # Notebook 07's myth-3 scenario: the server closes first and calls listen() again as soon as it is
        # in TIME_WAIT (retried until the 4-tuple is free). A SYN accepted in TIME_WAIT is handed to that
        # listener (Linux tcp_v4_rcv, TCP_TW_SYN): the waiting listen() must not run again afterwards and fail
        # against the new connection with "connection already exists".
        sc = Scenario("server_closes_first", [listen("B", 0), connect("A", 0), close("B", 1.0),
                                              close("A", after("A", S.CLOSE_WAIT, 0.1)),
                                              listen("B", after("B", S.TIME_WAIT, 0.0), retry=True), connect("A", 5.0)],
                      msl=30.0)
        t = simulate(sc)
        assert t.errors == {"A": [], "B": []}
        b = names(t, "B")
        i = b.index("TIME_WAIT")
        assert b[i:] == ["TIME_WAIT", "CLOSED", "LISTEN", "SYN_RECEIVED", "ESTABLISHED"]
        assert any("waiting listen() takes the SYN" in line for _, who, line in t.log if who == "B")
        # The log names Linux's own test, not the BSD heuristic (facts "syn_in_time_wait").
        accepted = [line for _, _, line in t.log if "accepted in TIME_WAIT" in line]
        assert accepted and "Linux's own test" in accepted[0] and "BSD" not in accepted[0]

    def test_a_listen_still_waits_when_no_syn_comes(self):
        # Without a new SYN the parked listen() runs when TIME_WAIT ends, once, and succeeds.
        sc = Scenario("server_restarts", [listen("B", 0), connect("A", 0), close("B", 1.0),
                                          close("A", after("A", S.CLOSE_WAIT, 0.1)),
                                          listen("B", after("B", S.TIME_WAIT, 0.0), retry=True)], msl=30.0)
        t = simulate(sc)
        assert t.errors == {"A": [], "B": []}
        assert names(t, "B")[-3:] == ["TIME_WAIT", "CLOSED", "LISTEN"]
        assert t.entered("B", S.LISTEN)[-1] == pytest.approx(t.entered("B", S.TIME_WAIT)[0] + 60.0)

    def test_syn_with_same_isn_but_newer_timestamp_is_accepted_in_time_wait(self):
        # Same ISN (the sequence test fails), but both ends use timestamps and 2 s passed:
        # the SYN's TSval is newer than TS.Recent, which Linux also accepts (RFC 6191's idea).
        eps = dict(A=EndpointConfig(addr=("10.0.0.1", 40000), isn="fixed", timestamps=True),
                   B=EndpointConfig(addr=("10.0.0.2", 80), isn="fixed", timestamps=True))
        sc = Scenario("berkeley_ts", [listen("B", 0), connect("A", 0), close("B", 1.0),
                                      close("A", after("A", S.CLOSE_WAIT, 0.1)), connect("A", 3.0)], msl=30.0, **eps)
        t = simulate(sc)
        syn2 = [s for s in t.segments if s.flags == "SYN" and s.incarnation == 2][0]
        assert "timestamp test" in syn2.outcome
        assert names(t, "B")[-1] == "ESTABLISHED" and t.time_in("B", S.TIME_WAIT) < 2.5

    def test_syn_with_same_isn_is_not_accepted_in_time_wait(self):
        eps = dict(A=EndpointConfig(addr=("10.0.0.1", 40000), isn="fixed"), B=EndpointConfig(addr=("10.0.0.2", 80), isn="fixed"))
        sc = Scenario("berkeley_no", [listen("B", 0), connect("A", 0), close("B", 1.0),
                                      close("A", after("A", S.CLOSE_WAIT, 0.1)), connect("A", 3.0)], msl=30.0, until=4.0, **eps)
        t = simulate(sc)
        syn2 = [s for s in t.segments if s.flags == "SYN" and s.incarnation == 2][0]
        # Same ISN as before: SEG.SEQ < RCV.NXT fails Table 6, so B answers with an ACK, no SYN+ACK.
        assert syn2.event is None and syn2.outcome.startswith("not acceptable")
        answer = [s for s in t.segments if s.src == "B" and s.t_sent == syn2.t_arrived][0]
        assert answer.flags == "ACK"
        assert t.path("B")[-1] != S.SYN_RECEIVED and t.path("B")[-2:] != [S.LISTEN, S.SYN_RECEIVED]
        assert [s for x, s in t.states["B"] if x == syn2.t_arrived] == []

    def test_rfc1337_ignores_rst_in_time_wait(self):
        rst_in_tw = dict(A=EndpointConfig(addr=("10.0.0.1", 40000), rfc1337=True))
        calls = [listen("B", 0), connect("A", 0), close("A", 1.0), close("B", after("B", S.CLOSE_WAIT, 0.1))]
        sc = Scenario("x", calls, msl=5.0, **rst_in_tw)
        assert simulate(sc).time_in("A", S.TIME_WAIT) == pytest.approx(10.0)

    def test_duplicated_and_reordered_segments(self):
        calls = [listen("B", 0), connect("A", 0), send("A", 0.2, "one", 10), send("A", 0.21, "two", 10),
                 close("A", 1.0), close("B", after("B", S.CLOSE_WAIT, 0.1))]
        sc = Scenario("x", calls, Network(delay=0.05, hold={3: 0.5}, duplicate=[4]), msl=2.0)
        t = simulate(sc)
        assert t.delivered["B"] == ["one", "two"]  # in order although "two" arrived first, and once
        assert len([s for s in t.segments if s.payload == "two"]) == 2

    def test_determinism(self):
        a = simulate("normal_close", loss_rate=0.3, seed=7)
        b = simulate("normal_close", loss_rate=0.3, seed=7)
        key = lambda t: [(s.t_sent, s.t_arrived, s.flags, s.seq, s.ack) for s in t.segments]  # noqa: E731
        assert key(a) == key(b) and a.states == b.states

    def test_scenario_object_reruns_identically(self):
        sc = build("lost_final_ack")
        assert [s.t_arrived for s in simulate(sc).segments] == [s.t_arrived for s in simulate(sc).segments]


class TestValidation:
    def test_negative_msl(self):
        with pytest.raises(ValueError, match=r"msl must be a number in \[0.001, 3600\]"):
            simulate("normal_close", msl=-1)

    def test_unknown_scenario(self):
        with pytest.raises(ValueError, match="scenario must be one of"):
            simulate("nope")

    def test_unknown_parameter(self):
        with pytest.raises(ValueError, match="colour is not a parameter"):
            simulate("normal_close", colour="red")

    def test_bad_closer_and_time_wait(self):
        with pytest.raises(ValueError, match="closer must be one of 'A', 'B'"):
            simulate("normal_close", closer="C")
        with pytest.raises(ValueError, match="time_wait must be True or False"):
            simulate("lost_final_ack", time_wait="yes")

    def test_named_scenarios_listed(self):
        assert {"normal_close", "simultaneous_close", "lost_final_ack", "old_duplicate", "abortive_close"} <= set(scenario_names())


def test_rst_not_at_rcv_nxt_gets_a_challenge_ack():
    # A's data is held in the network when A aborts, so A's RST (SEQ=SND.NXT) is in B's
    # window but past RCV.NXT: RFC 5961 §3.2 answers with a challenge ACK; A, now CLOSED,
    # answers that ACK with a RST at exactly RCV.NXT (RFC 9293 §3.10.7.1), which resets B.
    calls = [listen("B", 0), connect("A", 0), send("A", 0.5, "late", 10), close("A", 0.6)]
    sc = Scenario("x", calls, Network(delay=0.05, hold={3: 1.0}), msl=5.0,
                  A=EndpointConfig(addr=("10.0.0.1", 1), linger_zero=True), B=EndpointConfig(addr=("10.0.0.2", 80), rfc5961=True))
    t = simulate(sc)
    rsts = [s for s in t.segments if "RST" in s.flags]
    assert "challenge ACK" in rsts[0].outcome
    assert rsts[1].seq != rsts[0].seq and rsts[1].outcome.startswith("RST accepted")
    assert t.errors["B"] == ["connection reset"] and t.final_state("B") == S.CLOSED


def test_without_rfc5961_any_in_window_rst_resets():
    calls = [listen("B", 0), connect("A", 0), send("A", 0.5, "late", 10), close("A", 0.6)]
    sc = Scenario("x", calls, Network(delay=0.05, hold={3: 1.0}), msl=5.0,
                  A=EndpointConfig(addr=("10.0.0.1", 1), linger_zero=True))
    t = simulate(sc)
    rsts = [s for s in t.segments if "RST" in s.flags and s.src == "A"]
    assert len(rsts) == 1 and rsts[0].outcome.startswith("RST accepted")
    assert t.errors["B"] == ["connection reset"]


class TestTimeWaitAssassination:
    """RFC 1337 hazard H1: TIME_WAIT protects incarnation 2 only if nothing cuts it short."""

    def test_rst_ends_time_wait_and_the_old_duplicate_gets_through(self):
        t = simulate("time_wait_assassination", msl=30.0, delay=20.0)
        rst = [s for s in t.segments if s.flags == "RST" and s.dst == "A"]
        assert rst and "TIME_WAIT" in rst[0].outcome
        tw_start = t.entered("A", S.TIME_WAIT)[0]
        tw_end = next(x for x, s in t.states["A"] if x >= tw_start and s == S.CLOSED)
        assert tw_end - tw_start < 2 * 30.0  # cut short, not the 2·MSL wait
        assert t.corrupted

    def test_rfc1337_keeps_the_guarantee(self):
        t = simulate("time_wait_assassination", rfc1337=True, msl=30.0, delay=20.0)
        assert not t.corrupted
        assert t.time_in("A", S.TIME_WAIT) >= 2 * 30.0

    def test_bad_parameters_name_themselves(self):
        with pytest.raises(ValueError, match="rfc1337 must be True or False"):
            simulate("time_wait_assassination", rfc1337="yes")
        with pytest.raises(ValueError, match="delay must be a number"):
            simulate("time_wait_assassination", msl=10.0, delay=11.0)
