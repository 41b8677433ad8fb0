"""`python -m tcpmodel diagnose`: output, combined inputs, stdin, --live, and one-line errors naming the file."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tcpmodel.cli import main

DATA = Path(__file__).parent / "data" / "diagnose"
ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err, *words):
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tcpmodel: error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_files_of_different_kinds_combine_into_one_report(capsys):
    files = [str(DATA / n) for n in ("ss_tano.txt", "sockstat.txt", "nstat_az.txt", "sysctl.txt")]
    code, out, err = run(capsys, "diagnose", *files, "--top", "2")
    assert code == 0 and err == ""
    for name in files:
        assert name in out
    tw_lines = sum(ln.startswith("TIME-WAIT") for ln in (DATA / "ss_tano.txt").read_text().splitlines())
    assert f"TIME_WAIT sockets: {tw_lines:,} in the socket table" in out
    assert "by remote endpoint (top 2):" in out
    assert "TCPTimeWaitOverflow = " in out and "binding resource: " in out
    tw = re.search(r"tw (\d+)", (DATA / "sockstat.txt").read_text()).group(1)
    assert f"sockstat tw: {int(tw):,}" in out


def test_rate_is_used_and_labelled(capsys):
    ss = DATA / "ss_tano.txt"
    _, estimated, _ = run(capsys, "diagnose", str(ss))
    _, given, _ = run(capsys, "diagnose", str(ss), "--rate", "1000")
    assert "estimated with Little's law" in estimated and "steady state" in estimated
    assert "rate 1,000.0/s (given)" in given


def test_stdin_is_read_with_a_dash():
    text = (DATA / "sysctl.txt").read_text()
    done = subprocess.run([sys.executable, "-m", "tcpmodel", "diagnose", "-"], input=text, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "inputs: stdin (sysctl" in done.stdout
    empty = subprocess.run([sys.executable, "-m", "tcpmodel", "diagnose", "-"], input="", capture_output=True,
                           text=True, cwd=ROOT, timeout=60)
    assert empty.returncode == 2 and empty.stderr.startswith("tcpmodel: error: stdin: empty input")
    assert "Traceback" not in empty.stderr and len(empty.stderr.splitlines()) == 1


def test_missing_directory_binary_empty_and_unrecognised_files(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "diagnose", str(tmp_path / "nope.txt")), "nope.txt", "no such file")
    assert_one_line_error(*run(capsys, "diagnose", str(tmp_path)), str(tmp_path), "directory")
    binary = tmp_path / "cap.pcap"
    binary.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00" + bytes(24))
    assert_one_line_error(*run(capsys, "diagnose", str(binary)), "cap.pcap", "binary data")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert_one_line_error(*run(capsys, "diagnose", str(empty)), "empty.txt", "empty input", "ss -tan")
    prose = tmp_path / "notes.txt"
    prose.write_text("the server was slow today\n")
    assert_one_line_error(*run(capsys, "diagnose", str(prose)), "notes.txt", "not a recognised input", "nstat")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("State caf\xe9\n".encode("latin-1"))
    assert_one_line_error(*run(capsys, "diagnose", str(latin)), "latin1.txt", "not UTF-8")


def test_a_bad_row_names_the_file_and_line(capsys, tmp_path):
    bad = tmp_path / "ss.txt"
    bad.write_text("State Recv-Q Send-Q Local Address:Port Peer Address:Port\nTIME-WAIT 0 0 1.2.3.4:https 5.6.7.8:1\n")
    assert_one_line_error(*run(capsys, "diagnose", str(bad)), "ss.txt", "line 2", "ss -tan")


def test_an_unreadable_file_is_named(capsys, tmp_path, monkeypatch):
    target = tmp_path / "secret.txt"
    target.write_text("TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 1\n")
    real_open = open

    def refuse(path, *args, **kwargs):
        if str(path) == str(target):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    assert_one_line_error(*run(capsys, "diagnose", str(target)), "secret.txt", "cannot read", "Permission denied")


@pytest.mark.parametrize("argv, words", [
    (["diagnose"], ["at least one FILE", "--live"]),
    (["diagnose", "--live", "x.txt"], ["not both"]),
    (["diagnose", "x.txt", "--rate", "0"], ["--rate", "(0, 1e+09]"]),
    (["diagnose", "x.txt", "--top", "0"], ["--top", "[1, 10000]"]),
    (["diagnose", "x.txt", "--rate", "fast"], ["invalid float value"]),
])
def test_bad_arguments(capsys, argv, words):
    assert_one_line_error(*run(capsys, *argv), *words)


def _non_root_python() -> list[str] | None:
    """A command prefix that runs this repository's tcpmodel as user nobody, or None."""
    if os.geteuid() != 0 or not shutil.which("runuser"):
        return None
    python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    if python is None:
        return None
    prefix = ["runuser", "-u", "nobody", "--", "env", f"PYTHONPATH={ROOT}", "PYTHONDONTWRITEBYTECODE=1", python]
    # nobody must be able to run that Python and read this checkout; otherwise the test runs as the current user.
    probe = subprocess.run(prefix + ["-c", "import sys, tcpmodel.diagnose; print(sys.version_info >= (3, 10))"],
                           capture_output=True, text=True, timeout=30, cwd="/tmp")
    return prefix if probe.stdout.strip() == "True" else None


@pytest.mark.skipif(sys.platform != "linux", reason="--live reads Linux's ss and /proc")
def test_live_finds_loopback_time_wait_sockets_without_root():
    """Five connections on loopback, closed first by the client, then `diagnose --live` (as nobody when run as root)."""
    count = 5
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    clients = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(count)
        port = listener.getsockname()[1]
        deadline = time.monotonic() + 10
        for _ in range(count):
            c = socket.create_connection(("127.0.0.1", port), timeout=2)
            clients.append(c)
            accepted, _ = listener.accept()
            c.close()  # the client closes first: its socket goes to TIME_WAIT
            time.sleep(0.01)
            accepted.close()
            assert time.monotonic() < deadline
        time.sleep(0.05)
        prefix = _non_root_python()
        cmd = (prefix or [sys.executable]) + ["-m", "tcpmodel", "diagnose", "--live", "--top", "10000"]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd="/tmp" if prefix else ROOT, timeout=60,
                              env=None if prefix else {**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        for c in clients:
            c.close()
        listener.close()
    assert done.returncode == 0, done.stderr
    found = re.search(rf"^\s+([\d,]+)\s+127\.0\.0\.1:{port}$", done.stdout, re.M)
    assert found and int(found.group(1).replace(",", "")) == count, done.stdout[:2000]
    assert "as the client" in done.stdout
    assert "inputs: ss -tano" in done.stdout or "/proc/net/tcp" in done.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="--live reads Linux's /proc")
def test_live_falls_back_to_proc_when_ss_and_nstat_are_missing(monkeypatch):
    import tcpmodel.diagnose.gather as gather

    real_which = shutil.which
    monkeypatch.setattr(gather.shutil, "which", lambda name, *a, **k: None if name in ("ss", "nstat") else real_which(name, *a, **k))
    inputs = gather.read_live()
    assert inputs.sockets is not None
    assert any("ss is not installed" in n and "/proc/net/tcp" in n for n in inputs.notes)
    assert any("nstat is not installed" in n and "/proc/net/netstat" in n for n in inputs.notes)
    assert "TcpExtTW" in inputs.counters
    assert any(d.startswith("/proc/net/tcp") for d in inputs.described)


def test_live_without_proc_is_a_clear_error(tmp_path):
    import tcpmodel.diagnose.gather as gather
    from tcpmodel.diagnose import DiagnoseInputError

    with pytest.raises(DiagnoseInputError, match="cannot run ss or read .*/net/tcp"):
        gather.read_live(proc=str(tmp_path), tools=False)


def test_a_reader_that_goes_away_gets_no_traceback():
    """`python -m tcpmodel diagnose big.txt | head -1`: the pipe closes early; no traceback on stderr."""
    rows = "\n".join(f"TIME-WAIT 0 0 10.0.0.5:{40000 + i} 10.1.{i % 200}.3:8080" for i in range(3000))
    big = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n" + rows + "\n"
    cmd = [sys.executable, "-m", "tcpmodel", "diagnose", "-", "--top", "3000"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdin.write(big.encode())
    proc.stdin.close()
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away before the report is written out
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and proc.returncode in (0, 1)
