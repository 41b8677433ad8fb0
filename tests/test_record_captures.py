"""tools/record_captures.py and the real-capture corpus it recorded (tcpmodel/data/captures).

Everywhere: every committed ground truth is well formed, names a small capture
that exists, and agrees with the packets in it (read here with a small parser
of this test's own, not with tcpmodel.capture), and the kernel's behaviour it
recorded agrees with the course's rules (tcpmodel.socket_rules, tcpmodel.models).

As root with ip, tcpdump and nft (CI installs them): the script records every
case afresh into a temporary directory, the same checks pass on that recording,
the host's sysctls are untouched and no namespace of the script is left, also
when a case fails or the script is killed. Elsewhere those tests skip and say
what is missing and how to install it.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tcpmodel import models
from tcpmodel import socket_rules as rules
from tcpmodel.linux import TCP_TIMEWAIT_LEN_S
from tcpmodel.sim.sequence import LINUX_TW_ISN_OFFSET, seq_add
from tcpmodel.states import Event, State, transition

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "record_captures.py"
CORPUS = ROOT / "tcpmodel" / "data" / "captures"
REQUIRED_CASES = {"client_closes_first", "server_closes_first", "simultaneous_close", "lost_final_ack", "so_linger_0",
                  "bound_port_reconnect", "syn_accepted_into_time_wait", "tw_reuse_reconnect", "port_exhaustion",
                  "bound_port_reconnect_no_timestamps"}
SNAPSHOT_KINDS = ("ss", "nstat", "sockstat", "sysctl")
MAX_PCAP_BYTES = 20_000

spec = importlib.util.spec_from_file_location("record_captures", SCRIPT)
recorder = importlib.util.module_from_spec(spec)
sys.modules["record_captures"] = recorder  # dataclasses look the module up
spec.loader.exec_module(recorder)

CAN_RUN, WHY_NOT = recorder.can_run()
needs_root = pytest.mark.skipif(
    not CAN_RUN, reason=f"capture recording skipped: {WHY_NOT} (as root: apt-get install iproute2 tcpdump nftables procps)")

FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


# ---------------------------------------------------------------------------
# A pcap reader of this test's own: Ethernet, IPv4/IPv6, TCP.
# ---------------------------------------------------------------------------


def read_packets(path: Path) -> list[dict]:
    data = path.read_bytes()
    magic = data[:4]
    assert magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"), f"{path.name}: not a little-endian classic pcap"
    frac = 1e-6 if magic == b"\xd4\xc3\xb2\xa1" else 1e-9
    snaplen, linktype = struct.unpack_from("<II", data, 16)
    assert linktype == 1, f"{path.name}: link type {linktype}, not Ethernet"
    out, off = [], 24
    while off < len(data):
        sec, sub, incl, _ = struct.unpack_from("<IIII", data, off)
        pkt = data[off + 16: off + 16 + incl]
        off += 16 + incl
        assert incl <= snaplen
        ethertype = struct.unpack_from("!H", pkt, 12)[0]
        if ethertype == 0x0800:
            ihl = (pkt[14] & 0x0F) * 4
            assert pkt[23] == 6, "not TCP"
            src, dst, tcp = ipaddress.ip_address(pkt[26:30]), ipaddress.ip_address(pkt[30:34]), pkt[14 + ihl:]
        elif ethertype == 0x86DD:
            assert pkt[20] == 6, "not TCP (or an extension header)"
            src, dst, tcp = ipaddress.ip_address(pkt[22:38]), ipaddress.ip_address(pkt[38:54]), pkt[54:]
        else:
            raise AssertionError(f"{path.name}: ethertype {ethertype:#x}")
        sport, dport, seq, ack = struct.unpack_from("!HHII", tcp)
        options = tcp[20:(tcp[12] >> 4) * 4]
        kinds, i = [], 0
        while i < len(options) and options[i] != 0:
            kinds.append(options[i])
            i += 1 if options[i] == 1 else max(2, options[i + 1])
        out.append({"t": sec + sub * frac, "src": str(src), "dst": str(dst), "sport": sport, "dport": dport,
                    "seq": seq, "ack": ack, "flags": tcp[13], "options": kinds})
    return out


# ---------------------------------------------------------------------------
# The ground truth's schema, and its agreement with the capture.
# ---------------------------------------------------------------------------

HOSTS = ("client", "server")


def check_schema(record: dict, folder: Path) -> None:
    name = record["case"]
    for key, kind in (("case", str), ("title", str), ("what", str), ("kernel", str), ("recorded", str), ("tool", str),
                      ("client", str), ("server", str), ("server_port", int), ("sysctl", dict), ("ss", list),
                      ("errnos", list), ("expect", dict), ("capture", dict)):
        assert isinstance(record.get(key), kind), f"{name}: {key} missing or not {kind.__name__}"
    assert record["tool"] == "tools/record_captures.py"
    assert time.strptime(record["recorded"], "%Y-%m-%d")
    assert record["what"].startswith("(1) ")
    ipaddress.ip_address(record["client"])
    ipaddress.ip_address(record["server"])
    assert 1 <= record["server_port"] <= 65535
    assert set(record["sysctl"]) == set(HOSTS)
    for host in HOSTS:
        assert {"tcp_timestamps", "tcp_tw_reuse", "ip_local_port_range"} <= set(record["sysctl"][host])
    for row in record["ss"]:
        assert row["host"] in HOSTS and isinstance(row["t"], float)
        assert row["state"] in {"SYN-SENT", "SYN-RECV", "ESTAB", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",
                                "LAST-ACK", "TIME-WAIT"}, row
        assert row["local"].rsplit(":", 1)[1].isdigit() and row["peer"].rsplit(":", 1)[1].isdigit()
    for e in record["errnos"]:
        assert e["host"] in HOSTS and e["call"] in ("connect", "recv") and e["errno"].startswith("E")
    expect = record["expect"]
    assert set(expect) == {"connections", "errno"}
    assert expect["errno"] in (None, "EADDRNOTAVAIL")
    assert expect["connections"], f"{name}: no connection"
    for c in expect["connections"]:
        assert 1 <= c["client_port"] <= 65535
        assert c["first_closer"] in ("client", "server", "simultaneous")
        assert c["close"] in ("fin", "rst")
        assert c["time_wait"] in ([], ["client"], ["server"], ["client", "server"])
        assert set(c["time_wait_ends"]) == set(c["time_wait"]) and all(isinstance(t, float) for t in c["time_wait_ends"].values())
        assert set(c["fin_retransmissions"]) == set(HOSTS) and all(n >= 0 for n in c["fin_retransmissions"].values())
        assert c["syn_in_time_wait"] in (None, "accepted", "acked_and_dropped", "reset")
        assert (c["syn_in_time_wait"] is None) == (c["syn_time_wait_host"] is None)
        assert isinstance(c["timestamps"], bool)
    assert (folder / f"{name}.pcap").is_file(), f"{name}: no capture"
    assert 0 < (folder / f"{name}.pcap").stat().st_size < MAX_PCAP_BYTES
    if "snapshot" in record:
        for kind in SNAPSHOT_KINDS:
            assert (folder / record["snapshot"]["files"][kind]).is_file()


def endpoint(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def check_self_consistent(record: dict) -> None:
    """What ss showed agrees with "expect", and "expect" with what the script did."""
    server = endpoint(record["server"], record["server_port"])
    errnos = [e["errno"] for e in record["errnos"] if e["call"] == "connect"]
    assert record["expect"]["errno"] == (errnos[0] if errnos else None)
    for c in record["expect"]["connections"]:
        client = endpoint(record["client"], c["client_port"])
        tw_rows = {r["host"] for r in record["ss"] if r["state"] == "TIME-WAIT" and {r["local"], r["peer"]} == {client, server}}
        # every side the ground truth names was seen in TIME-WAIT for that 4-tuple
        assert set(c["time_wait"]) <= tw_rows, (record["case"], c)
        want = {"client": ["client"], "server": ["server"], "simultaneous": ["client", "server"]}[c["first_closer"]]
        assert c["time_wait"] == ([] if c["close"] == "rst" else want), (record["case"], c)
        if c["close"] == "fin" and c["first_closer"] != "simultaneous":
            assert c["time_wait"] == [rules.who_holds_time_wait(c["first_closer"])]


def split_connections(record: dict, packets: list[dict]) -> list[list[dict]]:
    """The packets of each incarnation, cut at each SYN the client sent."""
    starts = [i for i, p in enumerate(packets) if p["flags"] & SYN and not p["flags"] & ACK]
    return [packets[a:b] for a, b in zip(starts, starts[1:] + [len(packets)])]


def check_capture_agrees(record: dict, packets: list[dict]) -> None:
    """The ground truth agrees with the packets of the capture (taken on the server's side)."""
    name, client, server, port = record["case"], record["client"], record["server"], record["server_port"]
    assert packets, name
    assert all({p["src"], p["dst"]} == {client, server} and port in (p["sport"], p["dport"]) for p in packets), name
    conns = record["expect"]["connections"]
    pieces = split_connections(record, packets)
    assert [p[0]["sport"] for p in pieces] == [c["client_port"] for c in conns], name
    t0 = record["capture"]["t0"]
    assert abs(packets[0]["t"] - t0) < 1e-5
    for row in record["ss"] + record["errnos"]:
        assert -2.0 < row["t"] < packets[-1]["t"] - t0 + 5.0
    for c, pkts in zip(conns, pieces):
        from_client = [p for p in pkts if p["src"] == client]
        from_server = [p for p in pkts if p["src"] == server]
        assert (8 in pkts[0]["options"]) == c["timestamps"], (name, "timestamps")  # TCP option 8: timestamps
        if c["close"] == "rst":
            closer = from_client if c["first_closer"] == "client" else from_server
            assert any(p["flags"] & RST for p in closer), name
            assert not any(p["flags"] & FIN for p in pkts), name
            continue
        # each TIME_WAIT timer, read from /proc/net/tcp, ends TIME_WAIT's length after the incarnation's last packet
        # (the ACK that entered TIME_WAIT, or the one that answered a retransmitted FIN and restarted the timer)
        for host, ends in c["time_wait_ends"].items():
            assert abs(ends - (pkts[-1]["t"] - t0) - TCP_TIMEWAIT_LEN_S) < 0.05, (name, host, ends)
        fins = [p for p in pkts if p["flags"] & FIN]
        c_fins = [p for p in fins if p["src"] == client]
        s_fins = [p for p in fins if p["src"] == server]
        # every FIN the capture shows beyond the first of each side is a retransmission
        assert len(c_fins) == 1 + c["fin_retransmissions"]["client"], name
        assert len(s_fins) == 1 + c["fin_retransmissions"]["server"], name
        first, second = fins[0], next(p for p in fins if p["src"] != fins[0]["src"])
        if c["first_closer"] == "simultaneous":
            # the FINs crossed: the second one does not acknowledge the first
            assert second["ack"] == first["seq"], name
        else:
            assert first["src"] == (client if c["first_closer"] == "client" else server), name
            assert second["ack"] == seq_add(first["seq"], 1), name


def check_case(record: dict, folder: Path) -> None:
    check_schema(record, folder)
    check_self_consistent(record)
    check_capture_agrees(record, read_packets(folder / f"{record['case']}.pcap"))


def load(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


# ---------------------------------------------------------------------------
# What the kernel did, beside the course's rules.
# ---------------------------------------------------------------------------


def final_ack_time(record: dict, pkts: list[dict]) -> float:
    """When the client's ACK of the server's (last) FIN reached the server: the client's TIME_WAIT began about then."""
    server_fin = [p for p in pkts if p["src"] == record["server"] and p["flags"] & FIN][-1]
    return next(p["t"] for p in pkts if p["src"] == record["client"] and p["t"] > server_fin["t"]
                and p["ack"] == seq_add(server_fin["seq"], 1))


def check_kernel_against_course(records: dict[str, dict], folder: Path) -> None:
    packets = {name: read_packets(folder / f"{name}.pcap") for name in records}

    # so_linger_0: a RST, the peer's ECONNRESET, no TIME_WAIT (socket_rules.abortive_close_prediction)
    r = records["so_linger_0"]
    predicted = rules.abortive_close_prediction()
    assert [e["errno"] for e in r["errnos"] if e["host"] == "server"] == [predicted["peer_error"]]
    assert sum(len(c["time_wait"]) for c in r["expect"]["connections"]) == predicted["time_wait_sockets"]

    # bound_port_reconnect (fact bound_port_reconnect): the bound port's TIME_WAIT is taken over at once
    r = records["bound_port_reconnect"]
    s = r["sysctl"]["client"]
    predicted = rules.rebind_client_port_outcome(True, True, True, rules.Settings(
        tcp_tw_reuse=s["tcp_tw_reuse"], tcp_timestamps=s["tcp_timestamps"]))
    first, again = r["expect"]["connections"]
    assert first["client_port"] == again["client_port"] and first["timestamps"]
    observed = r["errnos"][0]["errno"] if r["errnos"] else "ok"
    assert observed == predicted == "ok", "the kernel disagrees with fact bound_port_reconnect"
    assert again["syn_in_time_wait"] == "accepted" and again["syn_time_wait_host"] == ["client"]
    # ... and without timestamps it cannot be: EADDRNOTAVAIL
    r = records["bound_port_reconnect_no_timestamps"]
    s = r["sysctl"]["client"]
    predicted = rules.rebind_client_port_outcome(True, True, True, rules.Settings(
        tcp_tw_reuse=s["tcp_tw_reuse"], tcp_timestamps=s["tcp_timestamps"]))
    (only,) = r["expect"]["connections"]
    assert not only["timestamps"] and only["time_wait"] == ["client"]
    assert [e["errno"] for e in r["errnos"]] == [predicted] == ["EADDRNOTAVAIL"], "the kernel disagrees with fact bound_port_reconnect"

    # syn_accepted_into_time_wait (fact syn_in_time_wait): accepted; the new ISN is tw_snd_nxt + 65535 + 2
    r = records["syn_accepted_into_time_wait"]
    first, again = r["expect"]["connections"]
    assert first["time_wait"] == ["server"] and again["syn_in_time_wait"] == "accepted"
    assert again["syn_time_wait_host"] == ["server"]
    old, new = split_connections(r, packets["syn_accepted_into_time_wait"])
    old_fin = next(p for p in old if p["src"] == r["server"] and p["flags"] & FIN)
    syn_ack = next(p for p in new if p["src"] == r["server"] and p["flags"] & SYN)
    assert syn_ack["seq"] == seq_add(seq_add(old_fin["seq"], 1), LINUX_TW_ISN_OFFSET)

    # tw_reuse_reconnect (fact tw_reuse_delay_by_version): EADDRNOTAVAIL before tcp_tw_reuse_delay, ok after
    r = records["tw_reuse_reconnect"]
    s = r["sysctl"]["client"]
    settings = rules.Settings(tcp_tw_reuse=s["tcp_tw_reuse"], tcp_timestamps=s["tcp_timestamps"],
                              tcp_tw_reuse_delay=s.get("tcp_tw_reuse_delay"))
    lo, hi = (int(x) for x in s["ip_local_port_range"].split())
    assert lo == hi
    old, new = split_connections(r, packets["tw_reuse_reconnect"])
    entered = final_ack_time(r, old) - r["capture"]["t0"]
    (early,) = r["errnos"]
    assert early["errno"] == rules.ephemeral_reuse_outcome(settings, loopback=False, elapsed_s=early["t"] - entered)
    assert rules.ephemeral_reuse_outcome(settings, loopback=False, elapsed_s=new[0]["t"] - r["capture"]["t0"] - entered) == "ok"
    assert [c["client_port"] for c in r["expect"]["connections"]] == [lo, lo]
    assert r["expect"]["connections"][1]["syn_in_time_wait"] == "accepted"

    # port_exhaustion: every port of the range once, then EADDRNOTAVAIL (models / socket_rules)
    r = records["port_exhaustion"]
    s = r["sysctl"]["client"]
    lo, hi = (int(x) for x in s["ip_local_port_range"].split())
    ports = models.connect_port_count(lo, hi)
    predicted = rules.exhaustion_prediction(ports, "client", rules.Settings(tcp_tw_reuse=s["tcp_tw_reuse"]), loopback=False)
    conns = r["expect"]["connections"]
    assert {"succeeded": len(conns), "errno": r["expect"]["errno"]} == predicted
    assert sorted(c["client_port"] for c in conns) == list(range(lo, hi + 1))
    ss_text = (folder / "port_exhaustion.ss.txt").read_text(encoding="utf-8")
    assert ss_text.count("TIME-WAIT") == ports
    assert f"tw {ports}" in (folder / "port_exhaustion.sockstat.txt").read_text(encoding="utf-8")
    assert f"net.ipv4.ip_local_port_range = {lo}\t{hi}" in (folder / "port_exhaustion.sysctl.txt").read_text(encoding="utf-8")

    # lost_final_ack: the server's FIN was sent again, and no ACK of it arrived in between
    r = records["lost_final_ack"]
    (c,) = r["expect"]["connections"]
    assert c["fin_retransmissions"]["server"] >= 1 and r["dropped_packets"] == 1
    pkts = packets["lost_final_ack"]
    s_fins = [p for p in pkts if p["src"] == r["server"] and p["flags"] & FIN]
    between = [p for p in pkts if s_fins[0]["t"] < p["t"] < s_fins[1]["t"]]
    assert not any(p["ack"] == seq_add(s_fins[0]["seq"], 1) for p in between)
    # the retransmitted FIN restarted the client's TIME_WAIT timer (the course's table: TIME_WAIT + FIN restarts 2 MSL)
    assert transition(State.TIME_WAIT, Event.RCV_FIN).restart_2msl
    ends = c["time_wait_ends"]["client"] + r["capture"]["t0"]
    assert abs(ends - s_fins[-1]["t"] - TCP_TIMEWAIT_LEN_S) < 0.05
    assert ends - s_fins[0]["t"] > TCP_TIMEWAIT_LEN_S + 0.1


# ---------------------------------------------------------------------------
# The committed corpus: always.
# ---------------------------------------------------------------------------


def test_corpus_has_every_case_with_its_ground_truth():
    records = load(CORPUS)
    assert REQUIRED_CASES <= set(records)
    assert set(records) == {p.stem for p in CORPUS.glob("*.pcap")}
    assert (CORPUS / "README.md").is_file()
    for name in sorted(records):
        assert records[name]["case"] == name
        check_case(records[name], CORPUS)
    for name in ("port_exhaustion", "server_closes_first"):
        for kind in SNAPSHOT_KINDS:
            assert (CORPUS / f"{name}.{kind}.txt").stat().st_size > 0


def test_corpus_kernel_agrees_with_the_course():
    check_kernel_against_course(load(CORPUS), CORPUS)


def test_the_checks_can_fail():
    """A ground truth that names the wrong side, or a capture of another case, is caught."""
    record = load(CORPUS)["client_closes_first"]
    wrong = json.loads(json.dumps(record))
    wrong["expect"]["connections"][0]["time_wait"] = ["server"]
    with pytest.raises(AssertionError):
        check_self_consistent(wrong)
    wrong = json.loads(json.dumps(record))
    wrong["expect"]["connections"][0]["first_closer"] = "server"
    wrong["expect"]["connections"][0]["time_wait"] = ["server"]
    with pytest.raises(AssertionError):
        check_capture_agrees(wrong, read_packets(CORPUS / "client_closes_first.pcap"))
    with pytest.raises(AssertionError):
        check_capture_agrees(record, read_packets(CORPUS / "lost_final_ack.pcap"))


def test_script_lists_its_cases_and_rejects_bad_ones():
    done = subprocess.run([sys.executable, str(SCRIPT), "--list"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert REQUIRED_CASES <= {line.split(":")[0] for line in done.stdout.splitlines()}
    done = subprocess.run([sys.executable, str(SCRIPT), "--case", "no_such_case"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.startswith("record_captures: error: --case 'no_such_case'") and "Traceback" not in done.stderr


def test_without_root_the_script_says_why(monkeypatch, capsys):
    monkeypatch.setattr(recorder.os, "geteuid", lambda: 1000)
    ok, reason = recorder.can_run()
    assert not ok and "root" in reason
    assert recorder.main(["--case", "client_closes_first"]) == recorder.SKIPPED
    assert "needs root" in capsys.readouterr().err


def test_a_missing_command_is_named_with_its_package(monkeypatch):
    monkeypatch.setattr(recorder.os, "geteuid", lambda: 0)
    real = recorder.netns_lab.shutil.which
    monkeypatch.setattr(recorder.netns_lab.shutil, "which", lambda c: None if c == "tcpdump" else real(c) or f"/bin/{c}")
    ok, reason = recorder.can_run()
    assert not ok and "`tcpdump`" in reason and "apt-get install tcpdump" in reason


# ---------------------------------------------------------------------------
# A fresh recording: root, ip, tcpdump and nft.
# ---------------------------------------------------------------------------


def host_sysctls() -> dict:
    base = Path("/proc/sys/net/ipv4")
    return {n: (base / n).read_text() for n in recorder.SYSCTLS if (base / n).exists()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("captures")
    before = host_sysctls()
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return out, done, before, time.monotonic() - start, proc.pid


def leftovers(pid: int) -> list[str]:
    """Namespaces that the run of process ``pid`` left behind."""
    return [n for n in recorder.netns_lab.leftover_namespaces(recorder.PREFIX) if n.startswith(f"{recorder.PREFIX}{pid}-")]


@needs_root
def test_fresh_recording_of_every_case(fresh):
    out, done, _, seconds, _ = fresh
    assert done.returncode == 0, done.stderr[-3000:]
    assert seconds < 60
    records = load(out)
    assert set(records) == set(recorder.CASES)
    for name in sorted(records):
        check_case(records[name], out)
    check_kernel_against_course(records, out)


@needs_root
def test_fresh_recording_leaves_the_host_alone(fresh):
    _, done, before, _, pid = fresh
    assert host_sysctls() == before
    assert leftovers(pid) == [], done.stderr[-2000:]


@needs_root
def test_namespaces_are_deleted_when_a_case_fails(tmp_path, monkeypatch, capsys):
    made = []
    real_setup = recorder._setup

    def setup_then_fail(case, client_ns, server_ns):
        real_setup(case, client_ns, server_ns)
        made.extend([client_ns, server_ns])
        assert set(made) <= set(recorder.netns_lab.leftover_namespaces(recorder.PREFIX))
        raise recorder.RecordError("forced failure after the namespaces were made")

    monkeypatch.setattr(recorder, "_setup", setup_then_fail)
    assert recorder.main(["--out", str(tmp_path), "--case", "client_closes_first"]) == 1
    assert "forced failure" in capsys.readouterr().err
    assert made and leftovers(os.getpid()) == []
    assert not list(tmp_path.iterdir())
    monkeypatch.setattr(recorder, "_setup", real_setup)

    # a subprocess that fails leaves nothing behind either: tcpdump (an invalid snap length) ...
    monkeypatch.setattr(recorder, "SNAPLEN", -5)
    assert recorder.main(["--out", str(tmp_path), "--case", "so_linger_0"]) == 1
    assert "tcpdump did not start" in capsys.readouterr().err
    assert leftovers(os.getpid()) == []
    # ... or the worker
    monkeypatch.setattr(recorder, "SNAPLEN", 128)
    monkeypatch.setattr(recorder.sys, "executable", "/bin/false")
    assert recorder.main(["--out", str(tmp_path), "--case", "so_linger_0"]) == 1
    assert "the worker failed" in capsys.readouterr().err
    assert leftovers(os.getpid()) == []
    assert not list(tmp_path.iterdir())


@needs_root
def test_stale_namespaces_are_deleted_and_a_killed_run_cleans_up(tmp_path):
    stale = f"{recorder.PREFIX}999999999-1-client"  # no process has this pid
    recorder.netns_lab.add_namespace(stale)
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--case", "tw_reuse_reconnect"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # wait until the run has made its own namespaces
            mine = leftovers(proc.pid)
            if len(mine) == 2:
                break
            time.sleep(0.02)
        assert len(mine) == 2, "the run made no namespaces"
        time.sleep(0.3)  # inside the case (it waits tcp_tw_reuse_delay)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        recorder.netns_lab.delete_namespace(stale)
    assert f"deleted a stale namespace {stale}" in err
    assert proc.returncode != 0
    assert leftovers(proc.pid) == [] and stale not in recorder.netns_lab.leftover_namespaces(recorder.PREFIX)
