"""`python -m tcpmodel capture`: summary, one connection, ladder images, progress, and one-line errors."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

pytest.importorskip("dpkt", reason="dpkt is pinned in requirements.txt")

from tcpmodel.capture.cli import _Progress  # noqa: E402
from tcpmodel.capture.write import write_packets, write_trace_pcap  # noqa: E402
from tcpmodel.cli import main  # noqa: E402
from tcpmodel.sim import simulate  # noqa: E402


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def capture(tmp_path):
    path = tmp_path / "close.pcap"
    write_trace_pcap(simulate("normal_close", closer="B", msl=1.0), path)
    return path


def test_summary_and_each_close(capsys, capture):
    code, out, err = run(capsys, "capture", capture)
    assert code == 0 and err == ""
    assert out.startswith("close.pcap: pcap, EN10MB")
    assert "7 packets" in out and "1 connection over 1 4-tuple" in out
    assert "#0 10.0.0.1:40000 → 10.0.0.2:80" in out and "first closer: the server" in out
    assert "TIME-WAIT: server" in out


def test_one_connection_in_full(capsys, capture):
    code, out, _ = run(capsys, "capture", capture, "--connection", 0, "--msl", 2)
    assert code == 0
    assert "server TIME-WAIT from" in out and "would leave at" in out
    assert "A->B" in out and "B  TIME_WAIT" in out
    assert "TIME-WAIT length: 4 s (2 × MSL of 2 s)" in out


@pytest.mark.parametrize("ext", [".png", ".svg"])
def test_ladder_image(capsys, capture, tmp_path, ext):
    out_path = tmp_path / f"ladder{ext}"
    code, out, _ = run(capsys, "capture", capture, "--ladder", out_path)
    assert code == 0 and out_path.stat().st_size > 1000
    assert f"ladder of connection #0 written to {out_path}" in out
    head = out_path.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if ext == ".png" else b"<svg" in head or b"<?xml" in head


def test_port_range_sets_the_headroom(capsys, capture):
    code, out, _ = run(capsys, "capture", capture, "--port-range", 40000, 40003)
    assert code == 0 and "(4 ports, 60 s TIME-WAIT)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--connection", "5"], "connection must be an integer in [0, 0] (the capture has 1 connections); got 5"),
        (["--connection", "-1"], "connection must be an integer of at least 0; got -1"),
        (["--ladder", "x.jpg"], "--ladder must name a .png or .svg file; got 'x.jpg'"),
        (["--msl", "0"], "msl must be a number in [0.001, 3600] (seconds); got 0"),
        (["--port-range", "5", "1"], "high must be an integer in [5, 65535]"),
    ],
)
def test_bad_options_are_one_line_errors(capsys, capture, args, message):
    code, out, err = run(capsys, "capture", capture, *args)
    assert code == 2 and out == ""
    assert err.startswith("tcpmodel: error: ") and message in err and err.count("\n") == 1


def test_bad_files_are_one_line_errors(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "empty.pcap").write_bytes(b"")
    write_packets(tmp_path / "wifi.pcap", [(1.0, bytes(40))], linktype=105)
    for name, message in (("notes.txt", "notes.txt: not a pcap or pcapng capture"), ("empty.pcap", "empty.pcap: the file is empty"),
                          ("wifi.pcap", "wifi.pcap: unsupported link type 105"), ("missing.pcap", "missing.pcap: cannot be opened")):
        code, out, err = run(capsys, "capture", tmp_path / name)
        assert code == 2 and err.startswith(f"tcpmodel: error: {message}") and err.count("\n") == 1


def test_truncated_file_warns_and_reports_what_was_read(capsys, capture):
    size = os.path.getsize(capture)
    with open(capture, "rb+") as f:
        f.truncate(size - 5)
    code, out, _ = run(capsys, "capture", capture)
    assert code == 0 and "warning: truncated: the last record is cut short" in out and "6 packets" in out


def test_no_traceback_as_a_module(tmp_path):
    (tmp_path / "junk.pcap").write_bytes(os.urandom(64) + b"x")
    proc = subprocess.run([sys.executable, "-m", "tcpmodel", "capture", str(tmp_path / "junk.pcap")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("tcpmodel: error: junk.pcap: not a pcap or pcapng capture")


def test_progress_shows_only_after_a_second():
    quick, slow = io.StringIO(), io.StringIO()
    p = _Progress(quick, after_s=10.0)
    p(0.5, 100)
    p.close()
    assert quick.getvalue() == ""
    p = _Progress(slow, after_s=0.0)
    p(0.5, 1234)
    p.close()
    assert slow.getvalue() == "\rtcpmodel: capture:  50% read, 1,234 packets\n"
