"""tcpmodel.capture.compare: a capture beside the simulator, tcpdump's SYN/FIN/RST filter, joined incarnations."""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest

pytest.importorskip("dpkt")

from tcpmodel.capture import analyze  # noqa: E402
from tcpmodel.capture.compare import (  # noqa: E402
    compare,
    fin_retransmission_gap,
    handshake_time,
    isn_offset,
    joined_trace,
    keep_control_segments,
    one_way_delay,
)
from tcpmodel.capture.write import write_trace_pcap  # noqa: E402
from tcpmodel.sim import simulate  # noqa: E402
from tcpmodel.states import State  # noqa: E402

CORPUS = Path(str(resources.files("tcpmodel") / "data" / "captures"))
PCAPS = sorted(CORPUS.glob("*.pcap"))
FILTER = "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0"  # pcap-filter(7)'s own example, with RST added


def test_the_module_emulates_that_filter():
    from tcpmodel.capture.compare import CONTROL_FILTER

    assert CONTROL_FILTER == FILTER


def _flags_of(path: Path) -> list[int]:
    """The TCP flag bytes of every packet of a capture, read with dpkt (not with the code under test)."""
    import dpkt

    out = []
    with open(path, "rb") as f:
        for _ts, buf in dpkt.pcap.Reader(f):
            eth = dpkt.ethernet.Ethernet(buf)
            ip = eth.data
            out.append(ip.data.flags if isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)) else None)
    return out


@pytest.mark.parametrize("path", PCAPS, ids=[p.name for p in PCAPS])
def test_keep_control_segments_keeps_exactly_syn_fin_rst_of_ipv4(path, tmp_path):
    out = tmp_path / "control.pcap"
    kept, total = keep_control_segments(path, out)
    before = _flags_of(path)
    assert total == len(before)
    v4 = analyze(path).connections[0].client.count(".") == 3
    want = [f for f in before if f is not None and f & 0x07] if v4 else []
    assert kept == len(want)
    assert _flags_of(out) == want


@pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed")
@pytest.mark.parametrize("path", PCAPS, ids=[p.name for p in PCAPS])
def test_keep_control_segments_agrees_with_tcpdump(path, tmp_path):
    out = tmp_path / "tcpdump.pcap"
    subprocess.run(["tcpdump", "-r", str(path), "-w", str(out), FILTER], check=True, capture_output=True)
    kept, _ = keep_control_segments(path, tmp_path / "ours.pcap")
    assert kept == len(_flags_of(out))
    assert _flags_of(tmp_path / "ours.pcap") == _flags_of(out)


def test_keep_control_segments_errors(tmp_path):
    src = tmp_path / "a.pcap"
    write_trace_pcap(simulate("normal_close"), src)
    with pytest.raises(ValueError, match="destination must differ from source"):
        keep_control_segments(src, src)
    with pytest.raises(ValueError, match="does not exist"):
        keep_control_segments(src, tmp_path / "no" / "b.pcap")
    (tmp_path / "text.pcap").write_text("hello")
    with pytest.raises(ValueError, match="not a pcap"):
        keep_control_segments(tmp_path / "text.pcap", tmp_path / "c.pcap")


def test_a_simulated_run_written_as_a_capture_keeps_its_retransmission_gap(tmp_path):
    sim = simulate("lost_final_ack", time_wait=True)
    path = tmp_path / "lost.pcap"
    write_trace_pcap(sim, path)
    captured = analyze(path).trace(0)
    # the capture is written at each segment's arrival; both FINs took the same one-way delay
    assert fin_retransmission_gap(captured, "B") == pytest.approx(fin_retransmission_gap(sim, "B"), abs=1e-6)
    assert fin_retransmission_gap(captured, "A") is None


def test_compare_rows_on_the_real_lost_final_ack():
    captured = analyze(CORPUS / "lost_final_ack.pcap").trace(0)
    sim = simulate("lost_final_ack", time_wait=True)
    c = compare(captured, sim)
    assert c.row("client's close").same and c.row("server's close").same
    assert c.row("client's close").capture.endswith("TIME_WAIT")
    assert c.row("TIME-WAIT held by").capture == "client"
    assert c.row("one-way delay").capture == "0.000 ms"
    assert not c.row("server FIN sent again after").same
    # the kernel's retransmission came sooner than the model's 1 s RTO (Linux's RTO floor is 200 ms)
    assert 0.2 <= fin_retransmission_gap(captured, "B") < fin_retransmission_gap(sim, "B")
    assert "differ" in c.text().splitlines()[0]
    with pytest.raises(ValueError, match="what must be one of"):
        c.row("nonsense")


def test_measurements_of_a_simulated_run():
    sim = simulate("normal_close")
    one_way = one_way_delay(sim)
    assert one_way > 0
    assert handshake_time(sim) == pytest.approx(2 * one_way)
    with pytest.raises(ValueError, match="endpoint must be one of"):
        fin_retransmission_gap(sim, "C")


def test_isn_offset_of_linux_time_wait_acceptance():
    # tcp_timewait_state_process: the new connection's ISN is the old SND.NXT + 65535 + 2
    report = analyze(CORPUS / "syn_accepted_into_time_wait.pcap")
    assert isn_offset(report.trace(0), report.trace(1), "B") == 65535 + 2
    bound = analyze(CORPUS / "bound_port_reconnect.pcap")
    assert isn_offset(bound.trace(0), bound.trace(1), "A") == 65535 + 2
    one = report.trace(0)
    assert isn_offset(one, one, "B") is None


def test_joined_trace_puts_incarnations_on_one_clock():
    report = analyze(CORPUS / "syn_accepted_into_time_wait.pcap")
    joined = joined_trace(report, [0, 1])
    assert len(joined.segments) == len(report.trace(0).segments) + len(report.trace(1).segments)
    times = [s.t_sent for s in joined.segments]
    assert times == sorted(times)
    assert {s.incarnation for s in joined.segments} == {1, 2}
    path = joined.path("B")
    first_tw = path.index(State.TIME_WAIT)
    assert State.SYN_RECEIVED in path[first_tw:]
    assert [t for t, _ in joined.states["B"]] == sorted(t for t, _ in joined.states["B"])
    with pytest.raises(ValueError, match="one 4-tuple"):
        joined_trace(analyze(CORPUS / "port_exhaustion.pcap"), [0, 1])
    with pytest.raises(ValueError, match="at least one"):
        joined_trace(report, [])
