"""tcpmodel.capture: reading every link type and format, replaying closes, reuse and anomalies, bad files."""

from __future__ import annotations

import os
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("dpkt", reason="dpkt is pinned in requirements.txt")

from tcpmodel.capture import CaptureError, analyze  # noqa: E402
from tcpmodel.capture.synth import write_synthetic_capture  # noqa: E402
from tcpmodel.capture.write import frame, tcp_packet, write_packets, write_trace_pcap  # noqa: E402
from tcpmodel.sim import simulate  # noqa: E402

T0 = 1_700_000_000.0
C, S = ("10.0.0.1", 40000), ("10.0.0.2", 80)


class Conv:
    """Builds a conversation packet by packet: ``c(...)`` from the client, ``s(...)`` from the server."""

    def __init__(self, client=C, server=S, *, t=0.0, step=0.01):
        self.client, self.server = client, server
        self.t, self.step = t, step
        self.packets: list[tuple[float, bytes]] = []

    def _add(self, src, dst, **kw):
        self.packets.append((T0 + self.t, tcp_packet(src[0], src[1], dst[0], dst[1], **kw)))
        self.t += self.step
        return self

    def c(self, flags, seq, ack=0, **kw):
        return self._add(self.client, self.server, flags=flags, seq=seq, ack=ack, **kw)

    def s(self, flags, seq, ack=0, **kw):
        return self._add(self.server, self.client, flags=flags, seq=seq, ack=ack, **kw)

    def handshake(self, ci=1000, si=5000, ts=None):
        tsa = {} if ts is None else {"tsval": ts}
        tsb = {} if ts is None else {"tsval": ts + 50, "tsecr": ts}
        self.c("SYN", ci, **tsa).s("SYN+ACK", si, ci + 1, **tsb).c("ACK", ci + 1, si + 1, **tsa)
        return self

    def write(self, path, linktype=1, **kw):
        write_packets(path, [(t, frame(p, linktype)) for t, p in self.packets], linktype=linktype, **kw)
        return path


def client_closes(conv, ci=1000, si=5000, ts=None):
    """Handshake, 10 bytes each way, the client closes first."""
    t = {} if ts is None else {"tsval": ts}
    conv.handshake(ci, si, ts)
    conv.c("ACK", ci + 1, si + 1, payload=10, **t).s("ACK", si + 1, ci + 11, payload=10, **t)
    conv.c("FIN+ACK", ci + 11, si + 11, **t).s("ACK", si + 11, ci + 12, **t)
    conv.s("FIN+ACK", si + 11, ci + 12, **t).c("ACK", ci + 12, si + 12, **t)
    return conv


def server_closes(conv, ci=1000, si=5000, ts=None):
    t = {} if ts is None else {"tsval": ts}
    conv.handshake(ci, si, ts)
    conv.s("FIN+ACK", si + 1, ci + 1, **t).c("ACK", ci + 1, si + 2, **t)
    conv.c("FIN+ACK", ci + 1, si + 2, **t).s("ACK", si + 2, ci + 2, **t)
    return conv


@pytest.fixture
def tmp(tmp_path):
    return lambda name: os.fspath(tmp_path / name)


# --------------------------------------------------------------- link types and formats
LINKS = [(1, "EN10MB"), (113, "LINUX_SLL"), (276, "LINUX_SLL2"), (0, "NULL"), (108, "LOOP"), (101, "RAW"),
         (12, "RAW"), (14, "RAW"), (228, "IPV4")]


@pytest.mark.parametrize(("linktype", "name"), LINKS)
def test_every_link_type_replays_the_same_close(tmp, linktype, name):
    report = analyze(client_closes(Conv()).write(tmp("c.pcap"), linktype))
    assert report.summary.link_type.startswith(name)
    (c,) = report.connections
    assert (c.client, c.server) == ("10.0.0.1:40000", "10.0.0.2:80")
    assert (c.first_closer, c.close, sorted(c.time_wait)) == ("client", "fin", ["client"])


@pytest.mark.parametrize(("linktype", "order"), [(1, "<"), (113, ">"), (229, "<"), (0, ">"), (276, "<")])
def test_ipv6_over_link_types(tmp, linktype, order):
    conv = server_closes(Conv(("fd00::1", 50000), ("fd00::2", 443)))
    packets = [(t, frame(p, linktype, byte_order=order)) for t, p in conv.packets]
    write_packets(tmp("v6.pcap"), packets, linktype=linktype, byte_order=order)
    (c,) = analyze(tmp("v6.pcap")).connections
    assert c.client == "[fd00::1]:50000" and c.server == "[fd00::2]:443"
    assert (c.first_closer, sorted(c.time_wait)) == ("server", ["server"])


def test_vlan_tagged_ethernet(tmp):
    conv = client_closes(Conv())
    write_packets(tmp("v.pcap"), [(t, frame(p, 1, vlan=42)) for t, p in conv.packets])
    assert analyze(tmp("v.pcap")).connections[0].first_closer == "client"


@pytest.mark.parametrize(("fmt", "order", "nano"), [("pcap", "<", False), ("pcap", ">", False), ("pcap", "<", True),
                                                     ("pcap", ">", True), ("pcapng", "<", False)])
def test_formats_byte_orders_and_resolutions_give_the_same_times(tmp, fmt, order, nano):
    conv = client_closes(Conv(step=0.0125))
    report = analyze(conv.write(tmp("f.cap"), 1, fmt=fmt, byte_order=order, nano=nano) if fmt == "pcap"
                     else conv.write(tmp("f.pcapng"), 1, fmt="pcapng"))
    assert report.summary.format.startswith(fmt)
    (c,) = report.connections
    # the client enters TIME-WAIT on the server's FIN, the 8th packet (index 7)
    assert c.time_wait["client"].entered == pytest.approx(7 * 0.0125, abs=2e-6)
    assert c.time_wait["client"].would_leave == pytest.approx(7 * 0.0125 + 60.0, abs=2e-6)


def test_tcp_options_are_read(tmp):
    conv = Conv()
    conv.c("SYN", 1, mss=1460, wscale=7, sack_ok=True, tsval=100)
    conv.s("SYN+ACK", 9, 2, mss=1400, wscale=2, sack_ok=True, tsval=900, tsecr=100)
    conv.c("ACK", 2, 10, tsval=101, tsecr=900)
    report = analyze(conv.write(tmp("o.pcap")), keep_traces=1)
    assert report.connections[0].timestamps
    syn = report.trace(0).segments[0]
    assert (syn.tsval, syn.tsecr) == (100, 0)
    assert report.trace(0).segments[1].tsecr == 100


# --------------------------------------------------------------- scenarios
def test_server_closes_first(tmp):
    (c,) = analyze(server_closes(Conv()).write(tmp("s.pcap"))).connections
    assert (c.first_closer, sorted(c.time_wait)) == ("server", ["server"])
    assert c.paths["client"][-2:] == ["LAST_ACK", "CLOSED"]


def test_msl_sets_the_time_wait_length(tmp):
    path = client_closes(Conv()).write(tmp("m.pcap"))
    tw = analyze(path, msl=2.5).connections[0].time_wait["client"]
    assert tw.would_leave - tw.entered == pytest.approx(5.0)


@pytest.mark.parametrize("flags, seq_offset, restarts", [("ACK", 0, 1), ("ACK", 4000, 1), ("RST", 4000, 0)])
def test_an_ack_restarts_a_linux_time_wait(tmp, flags, seq_offset, restarts):
    """Linux's variant of (TIME-WAIT, rcv ACK) in tcpmodel.states.VARIANTS: any segment with ACK and no RST
    restarts the timer, in the window or not (tcp_timewait_state_process); a RST outside the window does not."""
    conv = client_closes(Conv())
    conv.t += 10.0
    t_ack = conv.t
    conv.s(flags, 5012 + seq_offset, 1012 if flags == "ACK" else 0)
    path = conv.write(tmp("ack.pcap"))
    tw = analyze(path).connections[0].time_wait["client"]
    assert tw.restarts == restarts
    expected_leave = (t_ack if restarts else tw.entered) + 60.0
    assert tw.would_leave == pytest.approx(expected_leave, abs=2e-6)
    # Given an MSL, the replay times TIME-WAIT as RFC 9293 does: only a FIN restarts it.
    rfc = analyze(path, msl=30).connections[0].time_wait["client"]
    assert rfc.restarts == 0 and rfc.would_leave == pytest.approx(rfc.entered + 60.0)


def test_time_wait_expires_within_a_long_capture(tmp):
    conv = client_closes(Conv())
    conv.t += 70.0  # another connection 70 s later keeps the capture going past the 60 s
    other = client_closes(Conv(("10.0.0.9", 41000), S, t=conv.t), 7000, 8000)
    conv.packets += other.packets
    report = analyze(conv.write(tmp("long.pcap")), keep_traces=2)
    assert report.trace(0).final_state("A").name == "CLOSED"
    assert report.connections[0].time_wait["client"].left_at == pytest.approx(60.0 + 7 * 0.01)


def test_lost_final_ack_seen_at_the_capture_point_is_taken_back(tmp):
    """Captured at the client: its final ACK is seen, the server's FIN comes again, so the ACK was lost after."""
    conv = client_closes(Conv())
    conv.t += 0.2
    conv.s("FIN+ACK", 5011, 1012).c("ACK", 1012, 5012)
    report = analyze(conv.write(tmp("l.pcap")), keep_traces=1)
    (c,) = report.connections
    assert c.fin_retransmissions == {"client": 0, "server": 1}
    assert "lost final ACK" in c.fin_inference["server"]
    assert c.time_wait["client"].restarts == 1
    assert c.paths["server"][-2:] == ["LAST_ACK", "CLOSED"]
    assert report.trace(0).final_state("B").name == "CLOSED"


def test_fin_retransmitted_without_an_ack_seen(tmp):
    conv = Conv().handshake()
    conv.c("FIN+ACK", 1001, 5001).c("FIN+ACK", 1001, 5001).s("ACK", 5001, 1002)
    (c,) = analyze(conv.write(tmp("f.pcap"))).connections
    assert c.fin_retransmissions["client"] == 1
    assert "lost FIN or lost ACK" in c.fin_inference["client"]


def test_simultaneous_close_seen_in_either_order(tmp):
    conv = Conv().handshake()
    conv.c("FIN+ACK", 1001, 5001).s("FIN+ACK", 5001, 1001)  # neither FIN acknowledges the other
    conv.c("ACK", 1002, 5002).s("ACK", 5002, 1002)
    (c,) = analyze(conv.write(tmp("sim.pcap"))).connections
    assert c.first_closer == "simultaneous"
    assert sorted(c.time_wait) == ["client", "server"]
    assert "CLOSING" in c.paths["client"] and "CLOSING" in c.paths["server"]


def test_rst_close(tmp):
    conv = Conv().handshake()
    conv.c("RST+ACK", 1001, 5001)
    (c,) = analyze(conv.write(tmp("r.pcap"))).connections
    assert (c.close, c.rst_by, c.first_closer, c.time_wait) == ("rst", "client", "client", {})
    assert c.final_states == {"client": "CLOSED", "server": "CLOSED"}


def test_rst_outside_the_window_is_ignored(tmp):
    conv = Conv().handshake()
    conv.c("RST", 1001 + 10_000_000)
    (c,) = analyze(conv.write(tmp("r.pcap"))).connections
    assert c.rst_ignored == 1 and c.final_states["server"] == "ESTABLISHED"


def _server_time_wait_then(conv, *, syn_seq, syn_ts=None):
    server_closes(conv, 1000, 5000, ts=500)
    conv.t += 0.5
    conv.c("SYN", syn_seq, **({} if syn_ts is None else {"tsval": syn_ts}))
    return conv


def test_syn_accepted_into_a_time_wait(tmp):
    conv = _server_time_wait_then(Conv(), syn_seq=900_000, syn_ts=600)
    conv.s("SYN+ACK", 70_000, 900_001).c("ACK", 900_001, 70_001)
    old, new = analyze(conv.write(tmp("a.pcap"))).connections
    assert (new.incarnation, new.syn_in_time_wait, new.syn_time_wait_host) == (2, "accepted", "server")
    assert old.time_wait["server"].ended_early == "syn"
    (reuse,) = old.syn_reuse
    assert reuse["answer"] == "accepted" and reuse["by_sequence"] and reuse["by_timestamp"]
    assert new.final_states == {"client": "ESTABLISHED", "server": "ESTABLISHED"}


def test_syn_acked_and_dropped_then_rst_ends_the_time_wait(tmp):
    conv = _server_time_wait_then(Conv(), syn_seq=10)  # below the old RCV.NXT, no timestamp
    conv.s("ACK", 5002, 1002)  # the TIME-WAIT's ACK repeats its old numbers
    conv.c("RST", 1002)  # the client answers the unacceptable ACK with a RST
    conv.t += 1.0
    conv.c("SYN", 10).s("SYN+ACK", 80_000, 11).c("ACK", 11, 80_001)
    old, new = analyze(conv.write(tmp("d.pcap"))).connections
    assert (new.syn_in_time_wait, new.syn_retransmissions) == ("acked_and_dropped", 1)
    assert "answered with an ACK and dropped" in old.text() and "acked_and_dropped" not in old.text()
    assert old.time_wait["server"].ended_early == "rst"
    assert old.syn_reuse[0]["by_sequence"] is False
    assert new.final_states["server"] == "ESTABLISHED"


@pytest.mark.parametrize("offset, ends", [(0, True), (1, False), (100, False)])
def test_only_a_rst_at_rcv_nxt_ends_a_time_wait(tmp, offset, ends):
    # Linux's tcp_timewait_state_process kills the TIME_WAIT socket only for SEG.SEQ == RCV.NXT; a RST elsewhere
    # in the window takes its out-of-window branch and leaves the TIME_WAIT in place.
    conv = server_closes(Conv(), 1000, 5000)
    conv.c("RST", 1002 + offset)  # the server's RCV.NXT is one past the client's FIN at 1001
    (c,) = analyze(conv.write(tmp("rst.pcap"))).connections
    assert (c.time_wait["server"].ended_early == "rst") is ends
    assert (c.rst_ignored == 1) is (not ends)


def test_syn_into_a_time_wait_reset(tmp):
    conv = _server_time_wait_then(Conv(), syn_seq=900_000)
    conv.s("RST+ACK", 0, 900_001)
    old, new = analyze(conv.write(tmp("x.pcap"))).connections
    assert new.syn_in_time_wait == "reset"
    assert new.final_states["client"] == "CLOSED"


def test_client_reuses_its_own_time_wait(tmp):
    conv = client_closes(Conv(), ts=100)
    conv.t += 1.2
    client_closes(Conv(t=conv.t), 2_000_000, 9000, ts=2000)
    conv.packets += client_closes(Conv(t=conv.t), 2_000_000, 9000, ts=2000).packets
    old, new = analyze(conv.write(tmp("reuse.pcap"))).connections
    assert old.time_wait["client"].ended_early == "reuse"
    assert (new.syn_in_time_wait, new.syn_time_wait_host) == ("accepted", "client")
    (line,) = [x for x in old.text().splitlines() if "SYN from" in x]
    assert "its own TIME-WAIT" in line and "reused_own" not in line  # words, not the report's internal key


def test_joined_late(tmp):
    conv = Conv(("10.0.0.2", 80), ("10.0.0.1", 50123))  # the server's packet comes first
    conv.c("ACK", 5000, 1000, payload=100)
    conv.s("FIN+ACK", 1000, 5100).c("ACK", 5100, 1001).c("FIN+ACK", 5100, 1001).s("ACK", 1001, 5101)
    (c,) = analyze(conv.write(tmp("late.pcap"))).connections
    assert c.joined_late and c.client == "10.0.0.1:50123"  # the higher, ephemeral port
    assert (c.first_closer, sorted(c.time_wait)) == ("client", ["client"])
    assert any("joined late" in w for w in c.warnings)


def test_one_direction_only(tmp):
    conv = Conv()
    conv.c("SYN", 1).c("ACK", 2, 10).c("FIN+ACK", 2, 10)
    (c,) = analyze(conv.write(tmp("one.pcap"))).connections
    assert c.one_direction == "client→server only"
    assert any("cannot be inferred" in w for w in c.warnings)
    assert analyze(tmp("one.pcap")).summary.one_direction == 1


def test_out_of_window_and_old_duplicates(tmp):
    conv = Conv().handshake()
    conv.s("ACK", 5001, 1001, window=1000)
    conv.c("ACK", 1001, 5001, payload=100).s("ACK", 5001, 1101, window=1000)
    conv.c("ACK", 1001, 5001, payload=100)  # wholly acknowledged already: an old duplicate
    conv.c("ACK", 1101 + 50_000, 5001, payload=100)  # far beyond the 1000-byte window
    (c,) = analyze(conv.write(tmp("w.pcap"))).connections
    assert (c.old_duplicates, c.out_of_window) == (1, 1)


def test_non_tcp_packets_are_skipped_and_counted(tmp):
    conv = client_closes(Conv())
    arp = bytes.fromhex("ffffffffffff020000000001" "0806") + bytes(28)
    udp = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes(4), bytes(4)) + bytes(8)
    frames = [(t, frame(p)) for t, p in conv.packets] + [(T0 + 5, arp), (T0 + 6, frame(udp))]
    write_packets(tmp("mix.pcap"), frames)
    s = analyze(tmp("mix.pcap")).summary
    assert (s.packets, s.tcp_packets, s.non_tcp_skipped) == (len(frames), len(conv.packets), 2)


# --------------------------------------------------------------- whole-capture figures
def test_summary_rates_share_littles_law_and_headroom(tmp):
    conv = Conv()
    for i in range(20):  # 20 connections from one client, one every 0.5 s, ports 40000…40019
        c = client_closes(Conv(("10.0.0.1", 40000 + i), S, t=i * 0.5), 1000 * i + 1, 77 + i)
        conv.packets += c.packets
    s = analyze(conv.write(tmp("many.pcap")), port_range=(40000, 40009)).summary
    (d,) = s.destinations
    assert d.connections == 20 and d.closed_by_client == 1.0
    assert d.per_second == pytest.approx(20 / s.duration_s)
    assert s.time_wait_peak == 20
    (h,) = s.headroom
    assert h.ports == 10 and h.headroom < 1 and h.time_to_exhaustion_s == pytest.approx(10 / h.rate)


def test_port_reuse_gap(tmp):
    conv = client_closes(Conv())
    conv.packets += client_closes(Conv(t=3.0), 50_000, 60_000).packets
    (p,) = analyze(conv.write(tmp("p.pcap"))).summary.port_reuse
    assert p.reuses == 1 and p.min_gap_s == pytest.approx(3.0 - 8 * 0.01)
    assert p.within_time_wait == 1


def test_synthetic_capture_is_consistent(tmp):
    n = write_synthetic_capture(tmp("synth.pcap"), packets=6000, concurrency=50, seed=3)
    report = analyze(tmp("synth.pcap"))
    assert n == report.summary.tcp_packets == 6000
    # connections whose close completed before the capture ended: the first closer alone holds TIME-WAIT
    closed = [c for c in report.connections if set(c.final_states.values()) <= {"CLOSED", "TIME_WAIT"}]
    assert len(closed) > 20
    assert all(c.close == "fin" and list(c.time_wait) == [c.first_closer] for c in closed)
    assert all(not c.joined_late and c.old_duplicates == 0 and c.out_of_window == 0 for c in report.connections)


def test_progress_is_reported(tmp):
    write_synthetic_capture(tmp("synth.pcap"), packets=2000, seed=1)
    seen = []
    analyze(tmp("synth.pcap"), progress=lambda f, n: seen.append((f, n)))
    assert seen[-1] == (1.0, 2000)
    assert all(0 <= f <= 1 for f, _ in seen)


# --------------------------------------------------------------- simulated runs replay to the same states
def _dedupe(states):
    out = []
    for s in states:
        if not out or out[-1] != s.name:
            out.append(s.name)
    return out


RUNS = [("normal_close", {"closer": "A"}), ("normal_close", {"closer": "B"}), ("simultaneous_close", {}),
        ("abortive_close", {"closer": "A"}), ("abortive_close", {"closer": "B"}), ("lost_final_ack", {})]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(run=st.sampled_from(RUNS), msl=st.sampled_from([0.5, 1.0, 5.0]), lose=st.sampled_from([None, 2, 3, 4, 5, 6]),
       linktype=st.sampled_from([1, 113, 101]))
def test_a_simulated_run_written_as_a_capture_replays_to_the_same_states(tmp, run, msl, lose, linktype):
    """The capture is taken at each receiver; the replay must find the simulator's state path on both sides."""
    name, params = run
    if lose is not None and name == "normal_close":
        params = {**params, "lose": [lose]}
    trace = simulate(name, msl=msl, **params)
    write_trace_pcap(trace, tmp("sim.pcap"), linktype=linktype)
    (c,) = analyze(tmp("sim.pcap"), msl=msl).connections
    for ep, role in (("A", "client"), ("B", "server")):
        expected = _dedupe(trace.path(ep))
        got = c.paths[role]
        if got[-1] == "TIME_WAIT" and expected[-2:] == ["TIME_WAIT", "CLOSED"]:
            expected = expected[:-1]  # the capture ends before the 2MSL timer does
        assert got == expected, (name, params, ep)


def test_captured_trace_works_with_the_simulators_tools(tmp):
    import matplotlib

    matplotlib.use("Agg")
    from tcpmodel.plots.ladder import draw_ladder
    from tcpmodel.sim.analysis import segment_choices

    write_trace_pcap(simulate("normal_close", msl=1.0), tmp("n.pcap"))
    trace = analyze(tmp("n.pcap"), msl=1.0).trace(0)
    assert "A->B" in trace.table() and "TIME_WAIT" in trace.story()
    assert segment_choices(trace)[0] == ("#0 A→B SYN", 0)
    assert len(draw_ladder(trace).axes) == 1


# --------------------------------------------------------------- bad files
def test_truncated_last_record_is_a_warning(tmp):
    path = client_closes(Conv()).write(tmp("t.pcap"))
    with open(path, "rb+") as f:
        f.truncate(os.path.getsize(path) - 10)
    s = analyze(path).summary
    assert s.packets == 8 and "cut short" in s.truncated and "packet 8" in s.truncated


def test_truncated_pcapng_is_a_warning(tmp):
    path = client_closes(Conv()).write(tmp("t.pcapng"), fmt="pcapng")
    with open(path, "rb+") as f:
        f.truncate(os.path.getsize(path) - 10)
    s = analyze(path).summary
    assert s.packets == 8 and s.truncated


def test_not_a_capture(tmp):
    with open(tmp("r.bin"), "wb") as f:
        f.write(bytes(range(7, 200)))
    with pytest.raises(CaptureError, match=r"r\.bin: not a pcap or pcapng capture \(its first 4 bytes are 0708090a"):
        analyze(tmp("r.bin"))


def test_unsupported_link_type(tmp):
    write_packets(tmp("wifi.pcap"), [(T0, b"\0" * 40)], linktype=105)
    with pytest.raises(CaptureError, match=r"wifi\.pcap: unsupported link type 105 \(IEEE802_11.*supported: .*1 EN10MB.*113 LINUX_SLL"):
        analyze(tmp("wifi.pcap"))


def test_empty_and_header_only_files(tmp):
    open(tmp("e.pcap"), "wb").close()
    with pytest.raises(CaptureError, match=r"e\.pcap: the file is empty"):
        analyze(tmp("e.pcap"))
    write_packets(tmp("h.pcap"), [])
    with pytest.raises(CaptureError, match=r"h\.pcap: the capture holds no packets"):
        analyze(tmp("h.pcap"))
    with open(tmp("short.pcap"), "wb") as f:
        f.write(bytes.fromhex("d4c3b2a1") + bytes(6))
    with pytest.raises(CaptureError, match="truncated pcap file header"):
        analyze(tmp("short.pcap"))


def test_missing_file_and_bad_parameters(tmp):
    with pytest.raises(CaptureError, match="nope.pcap: cannot be opened"):
        analyze(tmp("nope.pcap"))
    path = client_closes(Conv()).write(tmp("ok.pcap"))
    with pytest.raises(ValueError, match=r"msl must be a number in \[0.001, 3600\]"):
        analyze(path, msl=0)
    with pytest.raises(ValueError, match="high must be an integer"):
        analyze(path, port_range=(60000, 1000))
    with pytest.raises(ValueError, match="connection must be one of"):
        analyze(path, keep_traces=0).trace(0)


def test_import_tcpmodel_capture_does_not_import_dpkt():
    import subprocess
    import sys

    code = "import sys, tcpmodel.capture, tcpmodel.cli; print('dpkt' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_short_and_optioned_ipv4_headers(tmp):
    """An IPv4 header with options, and a frame cut right after the TCP header, decode like any other."""
    conv = client_closes(Conv())
    packets = []
    for t, p in conv.packets:
        ip = bytearray(p[:20]) + b"\x01\x01\x01\x00" + p[20:]  # 4 bytes of IP options (NOP NOP NOP EOL)
        ip[0] = 0x46
        ip[2:4] = (len(ip)).to_bytes(2, "big")
        packets.append((t, frame(bytes(ip))))
    write_packets(tmp("opt.pcap"), packets)
    assert analyze(tmp("opt.pcap")).connections[0].first_closer == "client"
    snapped = [(t, frame(p)[:14 + 20 + 20 + (12 if len(p) > 40 else 0)]) for t, p in conv.packets]
    write_packets(tmp("snap.pcap"), snapped)
    s = analyze(tmp("snap.pcap"))
    assert s.summary.malformed == 0 and s.connections[0].first_closer == "client"


@given(mss=st.integers(0, 65535), tsval=st.integers(0, 2**32 - 1), tsecr=st.integers(0, 2**32 - 1),
       wscale=st.integers(0, 255))
def test_linux_syn_option_shortcut_agrees_with_dpkt(mss, tsval, tsecr, wscale):
    """The shortcut for Linux's SYN layout reads what dpkt's general option parser reads."""
    from tcpmodel.capture._read import parse_options

    raw = struct.pack("!BBHBBBBIIBBBB", 2, 4, mss, 4, 2, 8, 10, tsval, tsecr, 1, 3, 3, wscale)
    assert parse_options(raw) == parse_options(raw + b"\0\0\0\0")  # EOL padding: the general path


def test_whole_capture_figures_stay_bounded(tmp, monkeypatch):
    """Past its limits, the summary coarsens its TIME-WAIT bins and stops tracking new ports, and says so."""
    from tcpmodel.capture.report import Aggregates

    conv = Conv()
    for i in range(30):
        conv.packets += client_closes(Conv(("10.0.0.1", 40000 + i), S, t=i * 0.3), 100 * i + 1, 7).packets
    path = conv.write(tmp("b.pcap"))
    full = analyze(path).summary
    monkeypatch.setattr(Aggregates, "MAX_BINS", 10)
    monkeypatch.setattr(Aggregates, "MAX_KEYS", 5)
    capped = analyze(path).summary
    assert capped.time_wait_peak == full.time_wait_peak == 30
    assert len(capped.time_wait_samples) < len(full.time_wait_samples)
    assert any("leave out 25 connections" in w for w in capped.warnings)
    assert capped.headroom[0].rate < full.headroom[0].rate


def test_expiring_finished_connections_changes_no_result(tmp, monkeypatch):
    """Connections are dropped from the replay's table as the capture goes on; the reports must not change."""
    from tcpmodel.capture._replay import Replay

    write_synthetic_capture(tmp("big.pcap"), packets=60_000, concurrency=40, seed=5)  # about 7 MB: two chunks
    calls = []
    original = Replay.expire

    def counting(self, now, idle_s):
        calls.append(len(self.table))
        original(self, now, idle_s)

    monkeypatch.setattr(Replay, "expire", counting)
    expired = analyze(tmp("big.pcap"), msl=0.01, max_connections=100_000)
    monkeypatch.setattr(Replay, "expire", lambda self, now, idle_s: None)
    kept = analyze(tmp("big.pcap"), msl=0.01, max_connections=100_000)
    assert calls, "the capture should span more than one chunk"

    def key(c):
        return (c.index, c.client, c.first_closer, c.close, sorted(c.time_wait), c.paths, c.syn_in_time_wait)

    assert [key(c) for c in expired.connections] == [key(c) for c in kept.connections]
    assert expired.summary.time_wait_peak == kept.summary.time_wait_peak


def test_joined_late_at_the_syn_ack(tmp):
    """The capture missed the SYN: the SYN+ACK's receiver is the client, and the handshake still completes."""
    conv = Conv()
    conv.s("SYN+ACK", 5000, 1001).c("ACK", 1001, 5001)
    conv.c("FIN+ACK", 1001, 5001).s("ACK", 5001, 1002).s("FIN+ACK", 5001, 1002).c("ACK", 1002, 5002)
    (c,) = analyze(conv.write(tmp("sa.pcap"))).connections
    assert c.joined_late and c.client == "10.0.0.1:40000"
    assert c.paths["client"][:2] == ["SYN_SENT", "ESTABLISHED"] and c.paths["server"][:2] == ["SYN_RECEIVED", "ESTABLISHED"]
    assert (c.first_closer, sorted(c.time_wait)) == ("client", ["client"])


def test_littles_law_holds_on_a_steady_synthetic_capture(tmp):
    """Closes at a steady rate for longer than one TIME-WAIT: the population is close to rate × TIME-WAIT."""
    write_synthetic_capture(tmp("steady.pcap"), packets=40_000, concurrency=20, rate=2_000.0, seed=2)
    s = analyze(tmp("steady.pcap"), msl=2.0).summary  # 4 s TIME-WAIT, a 20 s capture
    assert s.littles_law_ratio == pytest.approx(1.0, abs=0.1)
