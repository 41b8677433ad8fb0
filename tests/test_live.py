"""tcpmodel.live against the running kernel: the observation equals the model's prediction.

On a machine where the live labs cannot run (not Linux, a browser kernel,
sockets or /proc forbidden) the kernel tests are skipped with that reason;
the pure parts (parsing /proc/net/tcp, the stored run) run everywhere.
"""

from __future__ import annotations

import itertools
import os
import socket
import sys
import time

import pytest

from tcpmodel import live

OK, REASON = live.available()
needs_kernel = pytest.mark.skipif(not OK, reason=f"live labs unavailable: {REASON}")
FAMILIES = ["ipv4"] + (["ipv6"] if OK and live._ipv6_available() else [])


def check(result: live.Result) -> None:
    assert result.matches, f"{result.experiment}: {result.mismatches()}; observed {result.observed}"


# --- every experiment, every parameter combination ------------------------------------


@needs_kernel
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("closer", ["client", "server"])
def test_who_waits(closer, family):
    r = live.who_waits(closer, family=family)
    check(r)
    assert r.outcome == r.observed["time_wait_side"] == closer


@needs_kernel
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("first,old,new", list(itertools.product(["server", "client"], [False, True], [False, True])))
def test_server_restart(first, old, new, family):
    r = live.server_restart(first, old, new, family=family)
    check(r)
    assert r.outcome in ("ok", "EADDRINUSE")


@needs_kernel
@pytest.mark.parametrize("family", FAMILIES)
def test_abortive_close(family):
    r = live.abortive_close(family=family)
    check(r)
    assert r.observed["peer_error"] == "ECONNRESET"
    assert r.observed["time_wait_sockets"] == 0


@needs_kernel
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("old,new,same", list(itertools.product([False, True], repeat=3)))
def test_rebind_client_port(old, new, same, family):
    r = live.rebind_client_port(old, new, same, family=family)
    check(r)
    assert (r.observed["bind"] == "ok") == (r.outcome == r.observed["connect"])


@needs_kernel
@pytest.mark.parametrize("family", FAMILIES)
def test_time_wait_remaining_reads_the_timer(family):
    r = live.time_wait_remaining(family=family)
    check(r)
    assert r.observed["timer"] == "timewait"
    assert 58.5 < r.observed["seconds"] <= 60.0


@needs_kernel
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("wait", [False, True])
def test_reuse_time_wait_port(wait, family):
    r = live.reuse_time_wait_port(wait, family=family)
    if r.outcome == "skipped":
        pytest.skip(r.explanation)
    check(r)


@needs_kernel
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("payload", [0, 4 * 2**20])
def test_syn_to_time_wait(payload, family):
    # The server's TIME_WAIT takes the client's new SYN at once. With nothing sent, the client's ISN
    # clock (64 ns ticks) has moved far past the old RCV.NXT: the sequence test accepts it. With 4 MiB
    # sent in a few milliseconds the clock is behind: only a newer timestamp can accept it.
    r = live.syn_to_time_wait(payload, family=family)
    check(r)
    obs = r.observed
    assert (obs["isn_clock_advance"] > payload + 2) == (obs["accepted_by"] == "sequence")
    if r.outcome == "accepted":
        assert obs["syn_retransmissions"] == 0 and "TIME_WAIT" not in obs["server_states_after"]
    # On a slow machine the 4 MiB may take longer than the ISN clock needs to pass it (about 0.27 s);
    # then the sequence test accepts the SYN, as asserted above. Only when the clock is still behind
    # must the timestamp test be the one.
    if payload and obs["tcp_timestamps"] and obs["isn_clock_advance"] <= payload + 2:
        assert obs["accepted_by"] == "timestamp" and obs["timestamps_negotiated"] and r.outcome == "accepted"


@needs_kernel
def test_run_all_covers_every_combination_and_agrees():
    results = live.run_all()
    assert len(results) == 2 + 8 + 1 + 8 + 1 + 2 + len(live.SYN_TO_TIME_WAIT_PAYLOADS)
    assert len({r.experiment for r in results}) == len(results)
    bad = [f"{r.experiment}: {r.mismatches()}" for r in results if not r.matches]
    assert not bad, bad


# --- rules of every experiment -------------------------------------------------------


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


QUICK = [
    lambda: live.who_waits("client"),
    lambda: live.who_waits("server"),
    lambda: live.server_restart("server", False, True),
    lambda: live.server_restart("client", True, True),
    lambda: live.abortive_close(),
    lambda: live.rebind_client_port(True, True, True),
    lambda: live.rebind_client_port(False, True, False),
    lambda: live.time_wait_remaining(),
    lambda: live.reuse_time_wait_port(False),
    lambda: live.syn_to_time_wait(0),
    lambda: live.syn_to_time_wait(4 * 2**20),
]


@needs_kernel
def test_twenty_repetitions_leak_no_file_descriptors():
    for run in QUICK:  # warm up lazy imports and caches
        run()
    before = open_fds()
    for _ in range(20):
        for run in QUICK:
            run()
    assert open_fds() == before


@needs_kernel
def test_failing_experiments_close_their_sockets_too(monkeypatch):
    monkeypatch.setattr(live, "_both_ways", lambda *a, **k: ([], []))  # TIME_WAIT never "appears"
    before = open_fds()
    for _ in range(20):
        r = live.time_wait_remaining(time_limit=0.1)
        assert r.outcome == "TIMEOUT"
        assert not r.matches
    assert open_fds() == before


@needs_kernel
def test_each_experiment_is_bounded_in_time():
    for run in [*QUICK, lambda: live.reuse_time_wait_port(True)]:
        start = time.monotonic()
        run()
        assert time.monotonic() - start < 2.0


@needs_kernel
def test_loopback_only():
    r = live.rebind_client_port(True, True, False)
    port = r.observed["client_port"]
    assert 1 <= port <= 65535
    for closer in ("client", "server"):
        w = live.who_waits(closer)
        rows = [r for r in live.socket_table(w.observed["server_port"]) if {r.local[1], r.remote[1]} == {w.observed["server_port"], w.observed["client_port"]}]
        assert rows and all(row.local[0] in ("127.0.0.1", "::1") and row.remote[0] in ("127.0.0.1", "::1") for row in rows)


def test_experiments_validate_their_parameters():
    with pytest.raises(ValueError, match="^closer must be one of"):
        live.who_waits("nobody")
    with pytest.raises(ValueError, match="^first_closer must be one of"):
        live.server_restart("both", True, True)
    with pytest.raises(ValueError, match="^old_reuseaddr must be True or False"):
        live.rebind_client_port("yes", True, True)
    with pytest.raises(ValueError, match="^family must be one of"):
        live.abortive_close(family="ipx")
    with pytest.raises(ValueError, match="^port must be an integer"):
        live.socket_table(70000)
    with pytest.raises(ValueError, match="^payload_bytes must be an integer"):
        live.syn_to_time_wait(-1)


# --- the socket table ----------------------------------------------------------------


@needs_kernel
def test_socket_table_shows_a_time_wait_socket_and_its_timer():
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        port = ls.getsockname()[1]
        c = socket.create_connection(("127.0.0.1", port))
        s, _ = ls.accept()
        cport = c.getsockname()[1]
        c.close()
        s.recv(1)
        s.close()
        for _ in range(200):
            rows = [r for r in live.socket_table(port) if r.state == "TIME_WAIT" and r.local[1] == cport]
            if rows:
                break
            time.sleep(0.005)
    (row,) = rows
    assert row.local == ("127.0.0.1", cport) and row.remote == ("127.0.0.1", port)
    assert row.timer == "timewait" and 58.0 < row.timer_seconds <= 60.0
    # Other sockets (older connections from the same ephemeral port, other processes) may share the port,
    # and the machine changes between two reads: so compare loosely here, exactly on the 4-tuple above.
    counts = live.count_states(port)
    assert counts["TIME_WAIT"] >= 1
    assert set(counts) <= set(live.TCP_STATES.values())
    assert "TIME_WAIT" in live.format_table(rows)


@needs_kernel
@needs_kernel
def test_socket_table_reads_one_family_when_asked():
    with socket.socket(socket.AF_INET) as v4:
        v4.bind(("127.0.0.1", 0))
        v4.listen(1)
        port = v4.getsockname()[1]
        assert [r.family for r in live.socket_table(port, family="ipv4") if r.state == "LISTEN"] == ["ipv4"]
        assert [r for r in live.socket_table(port, family="ipv6") if r.local[1] == port] == []
        assert [r.family for r in live.socket_table(port) if r.state == "LISTEN"] == ["ipv4"]
    with pytest.raises(ValueError, match="family must be one of 'ipv4', 'ipv6'; got 'ipx'"):
        live.socket_table(family="ipx")


def test_socket_table_with_pid_uses_psutil_for_owners():
    pytest.importorskip("psutil")
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        rows = [r for r in live.socket_table(ls.getsockname()[1], with_pid=True) if r.state == "LISTEN"]
    assert rows and rows[0].pid == os.getpid()


@pytest.mark.skipif(sys.byteorder != "little", reason="the sample lines were captured on a little-endian machine")
def test_proc_net_tcp_parsing_and_timer_units():
    text = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   3: 0100007F:C62E 0100007F:D683 06 00000000:00000000 03:0000176A 00000000     0        0 0 3 00000000e2a85e97\n"
        "   1: 0100007F:D683 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 15682 1 000000004d4410d9 100 0 0 10 0\n"
    )
    tw, listen = live._parse_proc("ipv4", text, ticks=100)
    assert tw.state == "TIME_WAIT" and tw.timer == "timewait"
    assert tw.local == ("127.0.0.1", 0xC62E) and tw.remote == ("127.0.0.1", 0xD683)
    assert tw.timer_seconds == pytest.approx(0x176A / 100)  # USER_HZ clock ticks
    assert listen.state == "LISTEN" and listen.timer is None and listen.timer_seconds is None and listen.uid == 1000
    six = live._parse_proc("ipv6", text.splitlines()[0] + "\n   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n", ticks=100)
    assert six[0].local == ("::1", 80)


# --- availability and the stored run ---------------------------------------------------


def test_available_says_why_not_in_a_browser(monkeypatch):
    monkeypatch.setattr(sys, "platform", "emscripten")
    ok, reason = live.available()
    assert not ok and "browser" in reason


def test_available_says_why_not_on_other_systems(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    ok, reason = live.available()
    assert not ok and "Linux" in reason


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks the Linux path")
def test_available_says_why_not_without_proc_or_sockets(monkeypatch):
    import builtins

    real_open = builtins.open

    def no_proc(path, *a, **k):
        if str(path).startswith("/proc/net"):
            raise PermissionError(13, "denied")
        return real_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", no_proc)
    ok, reason = live.available()
    assert not ok and "/proc/net/tcp" in reason
    monkeypatch.setattr(builtins, "open", real_open)

    class NoSockets:
        def __init__(self, *a, **k):
            raise PermissionError(1, "not permitted")

    monkeypatch.setattr(live.socket, "socket", NoSockets)
    ok, reason = live.available()
    assert not ok and "sockets" in reason


def test_stored_run_is_labelled_and_agrees():
    run = live.stored_run()
    assert run["kernel"] and run["date"][:2] == "20"
    results = live.stored_results()
    assert len(results) == 24
    assert all(r.matches for r in results)
    assert {r.experiment.split("(")[0] for r in results} == {
        "who_waits", "server_restart", "abortive_close", "rebind_client_port", "time_wait_remaining", "reuse_time_wait_port",
        "syn_to_time_wait",
    }


def test_stored_run_predictions_follow_the_model_for_its_settings():
    from tcpmodel import socket_rules as rules

    run = live.stored_run()
    settings = live._rule_settings(run["settings"])
    for r in live.stored_results():
        if r.experiment.startswith("rebind_client_port"):
            args = eval("dict" + r.experiment[len("rebind_client_port"):])  # noqa: S307 - our own record
            assert r.prediction == rules.rebind_client_port_outcome(args["old_reuseaddr"], args["new_reuseaddr"], args["same_destination"], settings)


def test_rule_settings_pick_the_kernels_reuse_rule():
    from tcpmodel.linux import parse_kernel_version

    # A kernel without tcp_tw_reuse_delay: its version picks the whole-second rule.
    old = live._rule_settings({"tcp_tw_reuse": 2, "tcp_tw_reuse_delay": None, "tcp_timestamps": 1}, kernel="5.15.0-91-generic")
    assert old.kernel == (5, 15) and old.reuse_rule.clock == "ktime_get_seconds"
    older = live._rule_settings({"tcp_tw_reuse_delay": None, "kernel": [4, 14]})
    assert older.reuse_rule.clock == "get_seconds"
    # With the sysctl, milliseconds, whatever the version says.
    assert live._rule_settings({"tcp_tw_reuse_delay": 1000, "kernel": [6, 18]}).reuse_rule.clock == "tcp_clock_ms"
    if sys.platform.startswith("linux"):
        assert live.kernel_settings()["kernel"] == list(parse_kernel_version(__import__("platform").release()))


def test_stored_syn_to_time_wait_follows_the_model():
    # Both stored runs: the server's TIME_WAIT took the new SYN at once (no retransmission), with nothing sent by the
    # sequence test (the ISN clock moved past the 2 numbers SYN and FIN used), after 4 MiB only by the timestamp test.
    from tcpmodel.sim.sequence import seq_add, time_wait_accepts_syn

    run = live.stored_run()
    syn = {r.observed["payload_bytes"]: r for r in live.stored_results() if r.experiment.startswith("syn_to_time_wait")}
    assert sorted(syn) == sorted(live.SYN_TO_TIME_WAIT_PAYLOADS) == [0, 4 * 2**20]
    assert run["settings"]["tcp_timestamps"] == 1 and run["settings"]["tcp_rfc1337"] == 0
    for payload, r in syn.items():
        obs = r.observed
        test = time_wait_accepts_syn(obs["isn_clock_advance"], seq_add(payload, 2), tsval=1, ts_recent=0)
        assert obs["accepted_by"] == test
        assert r.prediction == ("accepted" if test else "after retransmit") == r.outcome
        assert obs["syn_retransmissions"] == 0 and obs["timestamps_negotiated"]
        assert obs["server_states_after"] == ["ESTABLISHED"]  # the TIME_WAIT socket is gone: a new connection
    assert syn[0].observed["accepted_by"] == "sequence" and syn[0].observed["isn_clock_advance"] > 2
    assert syn[4 * 2**20].observed["accepted_by"] == "timestamp"
    assert syn[4 * 2**20].observed["isn_clock_advance"] < 4 * 2**20 + 2


def test_stored_reuse_lab_agrees_with_the_rule_of_its_kernel():
    from tcpmodel import socket_rules as rules

    run = live.stored_run()
    settings = live._rule_settings(run["settings"], kernel=run["kernel"])
    for r in live.stored_results():
        if r.experiment.startswith("reuse_time_wait_port"):
            elapsed = r.observed["elapsed_s"]
            if settings.reuse_rule.ticks_needed is None:  # milliseconds: the elapsed time decides
                assert r.prediction == rules.ephemeral_reuse_outcome(settings, loopback=True, elapsed_s=elapsed)
            assert r.outcome == r.prediction


def test_import_tcpmodel_live_does_not_load_psutil():
    import subprocess

    code = "import sys, tcpmodel.live; print('psutil' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_rows_read_like_psutil_and_like_dicts():
    row = live.SocketRow("ipv4", ("127.0.0.1", 40000), ("127.0.0.1", 80), "TIME_WAIT", "timewait", 59.5, 0, 0)
    assert (row.laddr, row.raddr, row.status, row.seconds_left) == (row.local, row.remote, "TIME_WAIT", 59.5)
    assert row["state"] == "TIME_WAIT" and row["timer_seconds"] == 59.5
    with pytest.raises(KeyError):
        row["nope"]


@needs_kernel
def test_count_states_counts_zero_for_absent_states():
    assert live.count_states()["NO_SUCH_STATE"] == 0


@needs_kernel
def test_predictions_follow_linux_config_from_proc(monkeypatch):
    from tcpmodel import models

    no_timestamps = models.LinuxConfig(tcp_timestamps=0)
    monkeypatch.setattr(models.LinuxConfig, "from_proc", classmethod(lambda cls, *a, **k: no_timestamps))
    assert live.kernel_settings()["tcp_timestamps"] == 0
    r = live.rebind_client_port(True, True, True)
    assert r.prediction == "EADDRNOTAVAIL"  # what this kernel would do without timestamps
    assert r.observed["tcp_timestamps"] == 0


def test_kernel_settings_fall_back_when_linux_config_cannot_read_proc(monkeypatch):
    from tcpmodel import models

    def unavailable(cls, *a, **k):
        raise models.ProcUnavailable("no /proc here")

    monkeypatch.setattr(models.LinuxConfig, "from_proc", classmethod(unavailable))
    settings = live.kernel_settings()
    assert settings["source"] == "/proc/sys/net/ipv4"
