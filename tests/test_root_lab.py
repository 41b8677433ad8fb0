"""tools/root_lab.py: port exhaustion in private network namespaces (root only).

Runs where root and `ip` are present (as in CI); elsewhere it is skipped with
the lab's own reason. The stored run is checked everywhere.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tcpmodel import models
from tcpmodel import socket_rules as rules

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "root_lab.py"
STORED = ROOT / "tcpmodel" / "data" / "root_lab_stored_run.json"

spec = importlib.util.spec_from_file_location("root_lab", SCRIPT)
root_lab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root_lab)

CAN_RUN, WHY_NOT = root_lab.can_run()
needs_root = pytest.mark.skipif(not CAN_RUN, reason=f"root lab skipped: {WHY_NOT}")


def host_sysctls() -> dict:
    base = Path("/proc/sys/net/ipv4")
    names = ("ip_local_port_range", "tcp_tw_reuse", "tcp_timestamps", "tcp_max_tw_buckets", "tcp_child_ehash_entries")
    return {n: (base / n).read_text() for n in names if (base / n).exists()}


@pytest.fixture(scope="module")
def lab_run():
    before = host_sysctls()
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120)
    return before, done


def check_record(record: dict) -> None:
    ports = models.connect_port_count(*record["port_range"])
    assert ports == 100
    seen = {(r["tcp_tw_reuse"], r["closer"], r["tcp_timestamps"]) for r in record["exhaustion"]}
    assert {(r, c, 1) for r in (0, 1, 2) for c in ("client", "server")} <= seen
    for run in record["exhaustion"]:
        burst = run["observed"]["burst"]
        if run["closer"] == "client":
            # every port of the range is used once, then connect() fails: EADDRNOTAVAIL
            assert burst == {**burst, "succeeded": ports, "errno": "EADDRNOTAVAIL"}
            reused = run["tcp_timestamps"] != 0 and run["tcp_tw_reuse"] in (1, 2)  # loopback, so 2 applies
            assert run["observed"]["after_delay"]["succeeded"] == (ports if reused else 0)
            assert run["observed"]["time_wait"]["client_side"] == ports
        else:
            assert burst["errno"] is None and burst["succeeded"] == 3 * ports
            assert run["observed"]["time_wait"]["client_side"] == 0
            assert 0 < run["observed"]["time_wait"]["server_side"] <= ports
        assert run["agree"], run
    by_ts = {b["tcp_timestamps"]: b for b in record["bound_port_reconnect"]}
    assert by_ts[1]["observed"] == "ok" and by_ts[0]["observed"] == "EADDRNOTAVAIL"
    assert all(b["agree"] for b in record["bound_port_reconnect"])
    check_tw_buckets(record["tw_buckets"])


def check_tw_buckets(tw: dict) -> None:
    """The kernel's tcp_max_tw_buckets behaviour, read from inet_twsk_alloc() and tcp_time_wait().

    Stated here from the source, not from the model: a close takes a TIME_WAIT
    socket while fewer than the cap exist, otherwise it is counted as
    TCPTimeWaitOverflow and the socket is closed at once (port freed).
    """
    ports = models.connect_port_count(*tw["port_range"])
    n, cap = tw["burst_connections"], tw["cap"]
    assert ports == 20 and n > ports > cap
    by_cap = {b["cap"]: b for b in tw["bursts"]}
    default, low = by_cap["default"]["observed"], by_cap[str(cap)]["observed"]
    # The namespace's default cap is half the global ehash (it shares it: tcp_ehash_entries < 0).
    assert default["tcp_ehash_entries"] < 0
    assert default["namespace_default_max_tw_buckets"] == -default["tcp_ehash_entries"] // 2 == tw["namespace_default"]["observed"]
    assert default["tcp_max_tw_buckets"] >= ports  # the default cap is far above 20 ports
    # Default cap: every port ends in TIME_WAIT and the burst stops at the range.
    assert default["burst"] == {"succeeded": ports, "errno": "EADDRNOTAVAIL"}
    assert default["time_wait"] == ports and default["tcp_time_wait_overflow"] == 0
    # Cap 5: only 5 TIME_WAIT sockets; every other close overflowed and freed its port, so nothing fails.
    assert low["tcp_max_tw_buckets"] == cap
    assert low["burst"] == {"succeeded": n, "errno": None}
    assert low["time_wait"] == cap and low["tcp_time_wait_overflow"] == n - cap
    for b in tw["bursts"]:
        o = b["observed"]
        seen = {"succeeded": o["burst"]["succeeded"], "errno": o["burst"]["errno"], "time_wait": o["time_wait"],
                "overflow": o["tcp_time_wait_overflow"]}
        assert seen == models.burst_outcome(n, ports, max_tw_buckets=o["tcp_max_tw_buckets"]) and b["agree"]
    # Bound ports, timestamps off: a 4-tuple still in TIME_WAIT refuses connect(); one that overflowed is free.
    r = tw["bound_reconnect"]["observed"]
    assert r["time_wait"] == cap and r["tcp_time_wait_overflow"] == r["connections"] - cap
    assert r["reconnect"] == {"in_time_wait": {"EADDRNOTAVAIL": cap}, "skipped_time_wait": {"ok": r["connections"] - cap}}
    assert tw["bound_reconnect"]["agree"]
    # tcp_set_hashinfo(): a namespace created with tcp_child_ehash_entries=N owns roundup_pow_of_two(N) entries, cap half.
    c = tw["child_ehash"]["observed"]
    if "skipped" not in c:
        own = 1 << (c["tcp_child_ehash_entries"] - 1).bit_length()
        assert c["child_tcp_ehash_entries"] == own and c["child_tcp_max_tw_buckets"] == own // 2
        assert models.default_max_tw_buckets(tw["host_tcp_ehash_entries"], c["tcp_child_ehash_entries"]) == own // 2
    assert tw["child_ehash"]["agree"] and tw["namespace_default"]["agree"]


def test_stored_run_is_labelled_and_agrees_with_the_model():
    record = json.loads(STORED.read_text(encoding="utf-8"))
    assert record["kernel"] and record["date"][:2] == "20"
    check_record(record)
    for run in record["exhaustion"]:
        if run["closer"] == "client":
            config = models.LinuxConfig(ip_local_port_range=tuple(record["port_range"]), tcp_tw_reuse=run["tcp_tw_reuse"], tcp_timestamps=run["tcp_timestamps"])
            hold = config.effective_hold_s(loopback=True)
            assert run["model"]["max_connection_rate_per_s"] == pytest.approx(models.max_connection_rate(100, hold))


@needs_root
def test_lab_runs_and_agrees_with_the_model(lab_run):
    _, done = lab_run
    assert done.returncode == 0, done.stderr[-2000:]
    check_record(json.loads(done.stdout))


@needs_root
def test_lab_never_touches_the_host_and_deletes_its_namespaces(lab_run):
    before, _ = lab_run
    assert host_sysctls() == before
    assert root_lab.leftover_namespaces() == []


@needs_root
def test_inside_mode_refuses_the_host_namespace():
    for mode in (["--tw-reuse", "0"], ["--tw-buckets-burst", "--cap", "5"], ["--tw-buckets-reuse", "--cap", "5"], ["--child-ehash", "64"]):
        done = subprocess.run([sys.executable, str(SCRIPT), "--inside", *mode], capture_output=True, text=True, timeout=30)
        assert done.returncode == 2 and "private network namespace" in done.stderr, mode


def test_without_root_the_lab_says_why(monkeypatch):
    monkeypatch.setattr(root_lab.os, "geteuid", lambda: 1000)
    ok, reason = root_lab.can_run()
    assert not ok and "root" in reason
    assert root_lab.main([]) == root_lab.SKIPPED


def test_model_predictions_used_by_the_lab():
    s0, s2 = rules.Settings(tcp_tw_reuse=0), rules.Settings(tcp_tw_reuse=2)
    assert rules.exhaustion_prediction(100, "client", s0, burst=False) == {"succeeded": 0, "errno": "EADDRNOTAVAIL"}
    assert rules.exhaustion_prediction(100, "client", s2, burst=False)["errno"] is None
