"""The CLI: output, exit codes and stderr, in-process and as `python -m tcpmodel`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tcpmodel.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rate_prints_the_issue_example_and_its_conditions(capsys):
    code, out, err = run(capsys, "rate", "--port-range", "32768", "60999", "--time-wait", "60")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "470.5 connections/s"
    assert "closes first" in out and "28,232" in out and "4-tuple" in out


def test_rate_with_destinations_and_reuse(capsys):
    code, out, _ = run(capsys, "rate", "--destinations", "4")
    assert code == 0 and out.splitlines()[0] == "1,882.1 connections/s"  # 4 x 28232 / 60
    code, out, _ = run(capsys, "rate", "--tw-reuse", "2")
    assert out.splitlines()[0] == "470.5 connections/s" and "does not apply" in out
    code, out, _ = run(capsys, "rate", "--tw-reuse", "2", "--loopback")
    assert out.splitlines()[0] == "28,232.0 connections/s"  # reusable after 1000 ms


def test_exhaust(capsys):
    code, out, _ = run(capsys, "exhaust", "--rate", "1000")
    assert code == 0 and out.splitlines()[0] == "time to exhaustion: 28.2 s"
    code, out, _ = run(capsys, "exhaust", "--rate", "100")
    assert "never" in out.splitlines()[0]


def test_population_and_memory(capsys):
    code, out, _ = run(capsys, "population", "--rate", "333.4", "--time-wait", "60")
    assert code == 0
    assert out.splitlines()[0] == "20,004 sockets in TIME_WAIT"  # 333.4 x 60
    assert "256 bytes" in out
    code, out, _ = run(capsys, "population", "--rate", "5000", "--max-tw-buckets", "65536")
    assert out.splitlines()[0] == "65,536 sockets in TIME_WAIT" and "TCPTimeWaitOverflow" in out


def test_population_reports_the_overflow_as_a_rate_not_a_count(capsys):
    # At the cap, the full table frees cap / TIME_WAIT sockets per second; every other close skips TIME_WAIT.
    rate, cap, tw = 5000, 65536, 60
    code, out, _ = run(capsys, "population", "--rate", str(rate), "--max-tw-buckets", str(cap))
    overflow = out.splitlines()[2]
    assert f"{rate - cap / tw:,.1f} connections/s close without TIME_WAIT" in overflow
    assert f"{rate * tw - cap:,.0f}" not in out  # the old, meaningless count (uncapped population - cap)
    code, out, _ = run(capsys, "population", "--rate", "100", "--max-tw-buckets", str(cap))
    assert "without TIME_WAIT" not in out  # 6,000 sockets: the cap is never reached


def test_a_cap_below_the_four_tuples_means_no_exhaustion(capsys):
    code, out, _ = run(capsys, "rate", "--max-tw-buckets", "10000")  # below 28,232 ports x 1 destination
    assert code == 0 and out.startswith("no limit from TIME_WAIT") and "TCPTimeWaitOverflow" in out
    code, out, _ = run(capsys, "rate", "--max-tw-buckets", "131072")
    assert out.splitlines()[0] == "470.5 connections/s" and "does not bind" in out
    code, out, _ = run(capsys, "exhaust", "--rate", "1000", "--max-tw-buckets", "10000")
    assert "never" in out.splitlines()[0] and f"{1000 - 10000 / 60:,.1f} connections/s close without" in out


def test_rate_conditions_name_cli_options_not_python_arguments(capsys):
    code, out, _ = run(capsys, "rate")
    assert "--tw-reuse" in out and "--max-tw-buckets" in out
    assert "LinuxConfig" not in out and "max_tw_buckets to" not in out


def test_systems_lists_every_required_system(capsys):
    code, out, _ = run(capsys, "systems")
    assert code == 0
    for key in ("rfc793", "rfc1122", "linux", "freebsd", "macos", "windows", "solaris"):
        assert any(line.startswith(key) for line in out.splitlines()), key


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["rate", "--port-range", "60999", "32768"], "high must be an integer"),
        (["rate", "--time-wait", "-1"], "time_wait_s must be a number in (0, 3600]"),
        (["rate", "--destinations", "0"], "destinations must be an integer"),
        (["exhaust", "--rate", "abc"], "invalid float value: 'abc'"),
        (["exhaust"], "required: --rate"),
        (["population", "--rate", "-5"], "rate must be a number in [0, inf)"),
        (["rate", "--tw-reuse", "7"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        (["rate", "--port-range", "0", "10"], "low must be an integer in [1, 65535]"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_status_2(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("tcpmodel: error: ")
    assert fragment in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["--help"], ["rate", "--help"], ["exhaust", "--help"],
                                  ["population", "--help"], ["systems", "--help"]])
def test_help_works_for_every_command(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    assert "usage: tcpmodel" in capsys.readouterr().out


def test_python_dash_m_end_to_end():
    ok = subprocess.run([sys.executable, "-m", "tcpmodel", "rate", "--port-range", "32768", "60999", "--time-wait", "60"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.startswith("470.5 connections/s\n")
    bad = subprocess.run([sys.executable, "-m", "tcpmodel", "exhaust", "--rate", "-1"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr


def test_rate_from_proc_uses_the_running_kernel(capsys, monkeypatch, tmp_path):
    import tcpmodel.linux as linux

    (tmp_path / "ip_local_port_range").write_text("40000 60999\n")
    (tmp_path / "tcp_tw_reuse").write_text("0\n")
    real = linux.LinuxConfig.from_proc.__func__
    monkeypatch.setattr(linux.LinuxConfig, "from_proc", classmethod(lambda cls, root=tmp_path: real(cls, root)))
    code, out, err = run(capsys, "rate", "--from-proc")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "350.0 connections/s"  # 21000 ports / 60 s, tcp_tw_reuse=0
    assert "tcp_tw_reuse=0 does not apply" in out


def test_rate_from_proc_without_proc_is_one_line_status_2(capsys, monkeypatch, tmp_path):
    import tcpmodel.linux as linux

    real = linux.LinuxConfig.from_proc.__func__
    monkeypatch.setattr(linux.LinuxConfig, "from_proc", classmethod(lambda cls, root=tmp_path / "no": real(cls, root)))
    code, out, err = run(capsys, "rate", "--from-proc")
    assert code == 2 and out == "" and err.count("\n") == 1 and "cannot read" in err
