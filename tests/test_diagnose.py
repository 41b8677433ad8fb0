"""tcpmodel.diagnose: parsers on real recorded output, edge cases, the report's figures, and notebook 09's incidents.

The files in tests/data/diagnose were recorded on a Linux 6.18 machine by
tests/data/diagnose/record.py (loopback TIME_WAIT sockets: 20 closed first by
a client towards an IPv4 listener, 12 closed first by a dual-stack IPv6
listener on IPv4-mapped connections, 5 closed first by a client towards ::1;
other sockets of the machine are in the tables too). The expectations below
are read from the files' text with plain regular expressions, not from the
code under test.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest

from tcpmodel import models
from tcpmodel.diagnose import DiagnoseInputError, Socket, detect_format, diagnose_text, read_files, read_texts
from tcpmodel.diagnose.inputs import decode
from tcpmodel.diagnose.parsers import (
    parse_netstat,
    parse_nstat,
    parse_proc_tcp,
    parse_sockstat,
    parse_ss,
    parse_sysctl,
)
from tcpmodel.diagnose.report import classify_closer
from tcpmodel.linux import TCP_TIMEWAIT_LEN_S, LinuxConfig

DATA = Path(__file__).parent / "data" / "diagnose"
CAPTURES = Path(__file__).resolve().parents[1] / "tcpmodel" / "data" / "captures"


def text(name: str) -> str:
    return (DATA / name).read_text()


def ss_rows(name: str) -> list[list[str]]:
    """The data rows of an ss fixture, split on whitespace (the oracle)."""
    return [ln.split() for ln in text(name).splitlines()[1:] if ln.strip()]


HEADER = "State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"


# ----------------------------------------------------------------- format detection
@pytest.mark.parametrize("name, kind", [
    ("ss_tan.txt", "ss"), ("ss_tano.txt", "ss"), ("ss_tan_state_time_wait.txt", "ss"),
    ("proc_net_tcp.txt", "proc_tcp"), ("proc_net_tcp6.txt", "proc_tcp"), ("sockstat.txt", "sockstat"),
    ("nstat_az.txt", "nstat"), ("nstat_a.txt", "nstat"), ("proc_net_netstat.txt", "netstat"),
    ("sysctl.txt", "sysctl"), ("proc_sys.txt", "sysctl"),
])
def test_every_recorded_input_is_detected(name, kind):
    assert detect_format(text(name), name) == kind


@pytest.mark.parametrize("bad, words", [
    ("", ["empty"]), ("   \n\n", ["empty"]), ("hello world\n", ["not a recognised input", "hello world"]),
    ("GET / HTTP/1.1\nHost: x\n", ["not a recognised input"]),
])
def test_unrecognised_text_names_the_input_and_the_formats(bad, words):
    with pytest.raises(DiagnoseInputError) as err:
        detect_format(bad, "pasted.txt")
    message = str(err.value)
    assert message.startswith("pasted.txt: ") and "\n" not in message
    assert all(w in message for w in words)
    assert "ss -tan" in message and "/proc/net/sockstat" in message and "sysctl" in message


def test_binary_and_non_utf8_bytes_are_refused_by_name():
    with pytest.raises(DiagnoseInputError, match=r"^x\.pcap: binary data"):
        decode(b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00" + b"\x00" * 16, "x.pcap")
    with pytest.raises(DiagnoseInputError, match=r"^y\.txt: not UTF-8 text"):
        decode(b"State \xff\xfe", "y.txt")


# ----------------------------------------------------------------- ss
def test_ss_tano_rows_match_the_text():
    rows = ss_rows("ss_tano.txt")
    sockets = parse_ss(text("ss_tano.txt"))
    assert len(sockets) == len(rows)
    states = Counter(s.state for s in sockets)
    assert states["TIME_WAIT"] == sum(r[0] == "TIME-WAIT" for r in rows)
    assert states["LISTEN"] == sum(r[0] == "LISTEN" for r in rows)
    timers = [int(m) for m in re.findall(r"timer:\(timewait,(\d+)sec", text("ss_tano.txt"))]
    got = sorted(s.timer_seconds for s in sockets if s.timer == "timewait")
    assert got == sorted(float(t) for t in timers)
    assert all(0 < t <= TCP_TIMEWAIT_LEN_S for t in got)


def test_ss_tan_and_tano_list_the_recorded_sockets_alike():
    plain = {(s.state, s.local, s.remote) for s in parse_ss(text("ss_tan.txt"))}
    with_timers = {(s.state, s.local, s.remote) for s in parse_ss(text("ss_tano.txt"))}
    ours = {k for k in with_timers if k[1][0] in ("::ffff:127.0.0.1", "::1") and k[0] == "TIME_WAIT"}
    assert len(ours) == 12 + 5  # record.py: 12 on the dual-stack listener, 5 towards ::1
    assert ours <= plain


def test_ss_state_time_wait_has_no_state_column_and_rows_are_time_wait():
    raw = text("ss_tan_state_time_wait.txt")
    assert raw.split()[0] == "Recv-Q"
    sockets = parse_ss(raw)
    assert len(sockets) == len(ss_rows("ss_tan_state_time_wait.txt"))
    assert {s.state for s in sockets} == {"TIME_WAIT"}
    mapped = [s for s in sockets if s.local[0] == "::ffff:127.0.0.1"]
    assert len(mapped) == 12 and len({s.local[1] for s in mapped}) == 1
    inputs = read_texts([("tw.txt", raw)])
    assert any("no State column" in n for n in inputs.notes)


def test_ss_edge_cases():
    sample = HEADER + "\n".join([
        "LISTEN    0      4096         *:60033            *:*",
        "LISTEN    0      64          [::]:22           [::]:*",
        "LISTEN    0      64       0.0.0.0:80        0.0.0.0:*",
        "LISTEN    0      4096   127.0.0.53%lo:53     0.0.0.0:*",
        "ESTAB     12     0      [::ffff:127.0.0.1]:8080 [::ffff:127.0.0.1]:41000",
        "FIN-WAIT-2 0     0      [2001:db8::1]:443 [2001:db8::2]:51000 timer:(timewait,1min2sec,0)",
        "SYN-SENT  0      1      10.0.0.1:40000   10.0.0.2:80 timer:(on,200ms,0)",
    ])
    rows = parse_ss(sample)
    assert rows[0].local == ("*", 60033) and rows[0].remote == ("*", None)
    assert rows[1].local == ("::", 22) and rows[1].remote == ("::", None)
    assert rows[3].local == ("127.0.0.53", 53)
    assert rows[4].state == "ESTABLISHED" and rows[4].local == ("::ffff:127.0.0.1", 8080)
    assert rows[5].state == "FIN_WAIT2" and rows[5].remote == ("2001:db8::2", 51000) and rows[5].timer_seconds == 62.0
    assert rows[6].timer == "on" and rows[6].timer_seconds == pytest.approx(0.2)


def test_ss_header_run_together_as_ss_prints_it_for_a_narrow_terminal():
    # ss run by a non-root user without a terminal printed "Peer Address:PortProcess" on this machine.
    sample = ("State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
              "LISTEN 0      128          0.0.0.0:2024      0.0.0.0:*\n")
    assert detect_format(sample) == "ss"
    assert parse_ss(sample)[0].local == ("0.0.0.0", 2024)


def test_ss_with_netid_column_keeps_tcp_rows_only():
    sample = ("Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
              "udp   UNCONN 0      0         0.0.0.0:68      0.0.0.0:*\n"
              "tcp   TIME-WAIT 0   0        10.0.0.1:40000  10.0.0.2:80\n")
    rows = parse_ss(sample)
    assert [(r.state, r.local) for r in rows] == [("TIME_WAIT", ("10.0.0.1", 40000))]


@pytest.mark.parametrize("row, words", [
    ("TIME-WAIT 0 0 10.0.0.1:http 10.0.0.2:80", ["line 2", "'http'", "ss -tan"]),
    ("TIMEWAIT 0 0 10.0.0.1:1 10.0.0.2:80", ["line 2", "unknown ss state 'TIMEWAIT'"]),
    ("TIME-WAIT 0 0 10.0.0.1", ["line 2", "Recv-Q Send-Q Local Peer"]),
    ("TIME-WAIT 0 0 10.0.0.1:70000 10.0.0.2:80", ["line 2", "[0, 65535]"]),
])
def test_ss_bad_rows_name_the_line(row, words):
    with pytest.raises(DiagnoseInputError) as err:
        parse_ss(HEADER + row, "ss.txt")
    assert str(err.value).startswith("ss.txt: ") and all(w in str(err.value) for w in words)


# ----------------------------------------------------------------- /proc/net/tcp
def test_proc_net_tcp_and_tcp6_agree_with_ss_on_the_recorded_sockets():
    proc = parse_proc_tcp(text("proc_net_tcp.txt")) + parse_proc_tcp(text("proc_net_tcp6.txt"))
    ss = parse_ss(text("ss_tano.txt"))

    def ours(rows):
        return {(s.state, s.local, s.remote) for s in rows
                if s.state == "TIME_WAIT" and s.local[0] in ("::ffff:127.0.0.1", "::1")}

    assert ours(proc) == ours(ss) and len(ours(proc)) == 17
    st_lines = [ln.split()[3] for ln in text("proc_net_tcp.txt").splitlines()[1:] if ln.strip()]
    assert sum(s.state == "TIME_WAIT" for s in parse_proc_tcp(text("proc_net_tcp.txt"))) == st_lines.count("06")
    assert all(s.timer == "timewait" for s in proc if s.state == "TIME_WAIT")


def test_proc_tcp_mixed_families_and_bad_rows():
    head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    v4 = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0\n"
    v6 = ("   1: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:9C40 06 00000000:00000000 "
          "03:00001770 00000000     0        0 0 3 0\n")
    rows = parse_proc_tcp(head + v4 + v6)
    assert [(r.state, r.local) for r in rows] == [("LISTEN", ("127.0.0.1", 8080)), ("TIME_WAIT", ("::1", 8080))]
    assert rows[1].timer_seconds == 60.0  # 0x1770 = 6000 ticks of USER_HZ 100
    with pytest.raises(DiagnoseInputError, match=r"^tcp\.txt: line 2: not a /proc/net/tcp row"):
        parse_proc_tcp(head + "   0: zz:1F90 00000000:0000 0A\n", "tcp.txt")
    with pytest.raises(DiagnoseInputError, match="8 \\(IPv4\\) or 32 \\(IPv6\\)"):
        parse_proc_tcp(head + v4.replace("0100007F:1F90", "0100007F00:1F90"), "tcp.txt")


# ----------------------------------------------------------------- counters, sockstat, sysctl
def test_sockstat_matches_its_text():
    raw = text("sockstat.txt")
    m = re.search(r"TCP: inuse (\d+) orphan (\d+) tw (\d+) alloc (\d+) mem (\d+)", raw)
    assert parse_sockstat(raw) == dict(zip(("inuse", "orphan", "tw", "alloc", "mem"), map(int, m.groups())))
    with pytest.raises(DiagnoseInputError, match="^s: no 'TCP: inuse"):
        parse_sockstat("sockets: used 3\n", "s")


def test_nstat_and_netstat_name_the_counters_alike_and_counters_only_grow():
    nstat = parse_nstat(text("nstat_az.txt"))
    netstat = parse_netstat(text("proc_net_netstat.txt"))  # read after nstat by record.py
    for name in ("TcpExtTW", "TcpExtTWRecycled", "TcpExtTWKilled", "TcpExtPAWSActive", "TcpExtPAWSEstab",
                 "TcpExtTCPTimeWaitOverflow", "TcpExtTCPACKSkippedTimeWait"):
        assert name in nstat and name in netstat
        assert netstat[name] >= nstat[name] >= 0
    without_zeros = parse_nstat(text("nstat_a.txt"))
    assert without_zeros and all(v != 0 for v in without_zeros.values())
    assert set(without_zeros) <= set(nstat)


def test_netstat_header_value_mismatch_is_an_error():
    with pytest.raises(DiagnoseInputError, match="one number per name"):
        parse_netstat("TcpExt: TW TWRecycled\nTcpExt: 1\n", "netstat")
    with pytest.raises(DiagnoseInputError, match="in pairs"):
        parse_netstat("TcpExt: TW\n", "netstat")


def test_sysctl_forms_give_one_config():
    cfg = read_texts([("sysctl.txt", text("sysctl.txt"))]).config()
    raw = text("sysctl.txt")
    low, high = re.search(r"ip_local_port_range = (\d+)\s+(\d+)", raw).groups()
    assert cfg.ip_local_port_range == (int(low), int(high))
    assert cfg.tcp_tw_reuse == int(re.search(r"tcp_tw_reuse = (\d+)", raw).group(1))
    release = re.search(r"kernel.osrelease = (\S+)", raw).group(1)
    assert cfg.kernel == tuple(int(x) for x in release.split(".")[:2])
    proc = parse_sysctl(text("proc_sys.txt"))
    assert proc["net.ipv4.ip_local_port_range"] == f"{low} {high}"
    assert proc["net.ipv4.tcp_tw_reuse"] == str(cfg.tcp_tw_reuse)


def test_sysctl_keys_with_interface_names_and_empty_values():
    values = parse_sysctl("net.ipv6.conf.veth0@if2.forwarding = 0\nkernel.domainname = \nnet.ipv4.tcp_tw_reuse=1")
    assert values == {"net.ipv6.conf.veth0@if2.forwarding": "0", "kernel.domainname": "", "net.ipv4.tcp_tw_reuse": "1"}


def test_sysctl_bad_values_name_the_file():
    with pytest.raises(DiagnoseInputError, match=r"^s\.txt: net\.ipv4\.ip_local_port_range must be two integers"):
        read_texts([("s.txt", "net.ipv4.ip_local_port_range = a b")]).config()
    with pytest.raises(DiagnoseInputError, match=r"^s\.txt: tcp_tw_reuse must be one of 0, 1, 2; got 7"):
        read_texts([("s.txt", "net.ipv4.tcp_tw_reuse = 7")]).config()
    with pytest.raises(DiagnoseInputError, match="tcp_mem must be 3 integers"):
        diagnose_text(sysctl="net.ipv4.tcp_mem = 1 2", sockstat="TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 1")


def test_an_old_kernel_without_the_delay_sysctl_gets_its_whole_second_rule():
    cfg = read_texts([("s", "kernel.osrelease = 5.15.0-91-generic\nnet.ipv4.tcp_tw_reuse = 1")]).config()
    assert cfg.tcp_tw_reuse_delay is None and cfg.reuse_rule.interval == "(0, 1] s"


# ----------------------------------------------------------------- the report
def test_report_on_the_recorded_machine():
    report = read_files([str(DATA / n) for n in ("ss_tano.txt", "sockstat.txt", "nstat_az.txt", "sysctl.txt")])
    from tcpmodel.diagnose import diagnose

    r = diagnose(report, top=3)
    rows = ss_rows("ss_tano.txt")
    tw_rows = [row for row in rows if row[0] == "TIME-WAIT"]
    assert r.time_wait_total == len(tw_rows)
    assert sum(r.closers.values()) == len(tw_rows)
    peers = Counter(row[4] for row in tw_rows).most_common(1)[0]
    assert r.by_remote[0][1] == peers[1] and len(r.by_remote) == 3
    listen_ports = {int(row[3].rpartition(":")[2]) for row in rows if row[0] == "LISTEN"}
    server_side = sum(int(row[3].rpartition(":")[2]) in listen_ports for row in tw_rows)
    assert r.closers["server"] >= server_side >= 12
    assert r.sockstat_tw == parse_sockstat(text("sockstat.txt"))["tw"]
    assert r.counters["TcpExtTW"] == parse_nstat(text("nstat_az.txt"))["TcpExtTW"]
    out = r.render()
    assert "TWRecycled" in out and "net/ipv4/proc.c" in out and "binding resource" in out


def test_classify_closer_on_the_recorded_sockets():
    sockets = parse_ss(text("ss_tano.txt"))
    listening = {s.local[1] for s in sockets if s.state == "LISTEN"}
    cfg = LinuxConfig(tcp_max_tw_buckets=None)
    mapped = [s for s in sockets if s.state == "TIME_WAIT" and s.local[0] == "::ffff:127.0.0.1"]
    assert mapped and all(classify_closer(s, listening, cfg.ip_local_port_range) == "server" for s in mapped)
    v6_clients = [s for s in sockets if s.state == "TIME_WAIT" and s.local[0] == "::1"]
    assert len(v6_clients) == 5
    assert all(classify_closer(s, listening, cfg.ip_local_port_range) == "client" for s in v6_clients)
    # Without the LISTEN rows the dual-stack listener's port (picked by the kernel from the ephemeral range)
    # cannot be told from a client port: the range rule says "unknown", not a wrong side.
    assert {classify_closer(s, set(), cfg.ip_local_port_range) for s in mapped} == {"unknown"}


def _client_table(n: int, dst: str = "10.1.2.3:8080", src: str = "10.0.0.5", start: int = 40000, open_: int = 0) -> str:
    rows = [f"TIME-WAIT 0 0 {src}:{start + i} {dst}" for i in range(n)]
    rows += [f"ESTAB 0 0 {src}:{start + n + i} {dst}" for i in range(open_)]
    return HEADER + "\n".join(rows)


def test_budget_follows_the_models():
    r = diagnose_text(ss=_client_table(1200, open_=30))
    b = r.budgets[0]
    a = models.incident_analysis(1200, established=30)
    assert (b.time_wait, b.other_open, b.ports) == (1200, 30, a["ports"])
    assert b.ports_left == a["free_ports"] - 1200
    assert b.limit_rate == pytest.approx(a["limit_rate"]) and b.rate == pytest.approx(1200 / TCP_TIMEWAIT_LEN_S)
    assert b.rate_is_estimate and math.isinf(b.exhaustion_s) and r.binding == "none"
    assert "Little's law" in r.render() and "steady state" in r.render()
    given = diagnose_text(ss=_client_table(1200), rate=900.0).budgets[0]
    assert not given.rate_is_estimate
    assert given.exhaustion_s == pytest.approx(models.time_to_exhaustion(900.0, a["ports"], TCP_TIMEWAIT_LEN_S))


def test_budgets_are_per_source_destination_tuple():
    ss = _client_table(50, dst="10.1.2.3:8080") + "\n" + _client_table(20, dst="10.1.2.4:8080", start=50000).split("\n", 1)[1]
    r = diagnose_text(ss=ss)
    assert [(b.destination, b.time_wait) for b in r.budgets] == [("10.1.2.3:8080", 50), ("10.1.2.4:8080", 20)]


def test_a_narrow_range_makes_ports_bind():
    ss = _client_table(96, start=61000)
    r = diagnose_text(ss=ss, sysctl="net.ipv4.ip_local_port_range = 61000 61099")
    assert r.binding == "ports" and r.budgets[0].ports == 100
    assert models.incident_analysis(96, port_range=(61000, 61099))["binding"] == "ports"
    keys = [row.key for row, _ in r.workarounds]
    assert {"pooling", "more_tuples", "port_range", "tcp_tw_reuse"} <= set(keys)
    assert "tcp_tw_recycle" not in keys and "max_tw_buckets" not in keys and "tcp_fin_timeout" not in keys


def test_tcp_tw_reuse_is_not_offered_where_it_cannot_help():
    ss = _client_table(96, start=61000)
    on = diagnose_text(ss=ss, sysctl="net.ipv4.ip_local_port_range = 61000 61099\nnet.ipv4.tcp_tw_reuse = 1")
    off = diagnose_text(ss=ss, sysctl="net.ipv4.ip_local_port_range = 61000 61099\nnet.ipv4.tcp_timestamps = 0")
    assert "tcp_tw_reuse" not in [row.key for row, _ in on.workarounds]
    assert "tcp_tw_reuse" not in [row.key for row, _ in off.workarounds]


def test_overflow_counter_and_cap_bind_tcp_max_tw_buckets():
    r = diagnose_text(nstat="#kernel\nTcpExtTCPTimeWaitOverflow 5 0.0\n")
    assert r.binding == "tcp_max_tw_buckets" and "TCPTimeWaitOverflow = 5" in r.bindings[0][1]
    capped = diagnose_text(sockstat="TCP: inuse 1 orphan 0 tw 4096 alloc 1 mem 1",
                           sysctl="net.ipv4.tcp_max_tw_buckets = 4096")
    assert capped.binding == "tcp_max_tw_buckets"
    below = diagnose_text(sockstat="TCP: inuse 1 orphan 0 tw 4095 alloc 1 mem 1",
                          sysctl="net.ipv4.tcp_max_tw_buckets = 4096")
    assert below.binding == "none"


def test_memory_binds_at_tcp_mem_pressure():
    stat = "TCP: inuse 1 orphan 0 tw 10 alloc 1 mem {}"
    mem = "net.ipv4.tcp_mem = 100 200 300"
    assert diagnose_text(sockstat=stat.format(200), sysctl=mem).binding == "memory"
    assert diagnose_text(sockstat=stat.format(199), sysctl=mem).binding == "none"
    r = diagnose_text(sockstat=stat.format(1))
    assert r.memory["time_wait_bytes"] == models.time_wait_memory_bytes(10)


def test_server_side_time_wait_offers_so_reuseaddr():
    ss = HEADER + "LISTEN 0 128 0.0.0.0:443 0.0.0.0:*\n" + "\n".join(
        f"TIME-WAIT 0 0 10.0.0.5:443 10.9.9.{i}:{50000 + i}" for i in range(30))
    r = diagnose_text(ss=ss)
    assert r.closers == {"server": 30, "client": 0, "unknown": 0} and r.server_ports == [(443, 30)]
    assert r.budgets == [] and [row.key for row, _ in r.workarounds] == ["so_reuseaddr"]


def test_workarounds_quote_the_decision_table():
    from tcpmodel.workarounds import DECISION_TABLE

    r = diagnose_text(ss=_client_table(96, start=61000), sysctl="net.ipv4.ip_local_port_range = 61000 61099")
    out = r.render()
    for row, _ in r.workarounds:
        assert row in DECISION_TABLE
        assert row.risk in out and row.source in out


def test_diagnose_text_keywords_are_checked():
    with pytest.raises(DiagnoseInputError, match="^sysctl: pasted as sysctl but it is /proc/net/sockstat"):
        diagnose_text(sysctl="TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 1")
    with pytest.raises(DiagnoseInputError, match="no input"):
        diagnose_text()
    with pytest.raises(DiagnoseInputError, match="must be text"):
        diagnose_text(ss=b"State")
    with pytest.raises(ValueError, match=r"rate must be a number in \(0, 1e\+09\]"):
        diagnose_text(ss=_client_table(2), rate=-1)
    with pytest.raises(ValueError, match=r"top must be an integer in \[1, 10000\]"):
        diagnose_text(ss=_client_table(2), top=0)


def test_positional_texts_are_detected():
    r = diagnose_text(_client_table(3), "TCP: inuse 1 orphan 0 tw 3 alloc 1 mem 1")
    assert r.time_wait_total == 3 and r.sockstat_tw == 3


def test_both_ss_and_proc_tables_count_once():
    proc = text("proc_net_tcp.txt")
    ss = text("ss_tano.txt")
    inputs = read_texts([("ss", ss), ("tcp", proc)])
    assert len(inputs.sockets) == len(parse_ss(ss)) and any("only ss" in n for n in inputs.notes)


# ----------------------------------------------------------------- notebook 09's incidents
def test_incident1_diagnosis_agrees_with_the_incident():
    from tcpmodel.diagnose import incident_inputs, incident_socket_table
    from tcpmodel.exercises import nb09

    table = incident_socket_table("inc1")
    assert "10.1.2.3:8080" in table  # the notebook's own ss filter
    r = diagnose_text(**incident_inputs("inc1"))
    a = models.incident_analysis(nb09.INCIDENT1["time_wait_sockets"], demand_rate=nb09.INCIDENT1["peak_rate"])
    assert r.time_wait_total == nb09.INCIDENT1["time_wait_sockets"] == r.closers["client"]
    assert r.binding == a["binding"] == "ports"
    b = r.budgets[0]
    assert b.limit_rate == pytest.approx(nb09._inc1_limit())
    assert b.failing_rate == pytest.approx(a["failing_rate"])
    assert b.exhaustion_s == pytest.approx(nb09._inc1_exhaust())
    estimate = diagnose_text(ss=table).budgets[0]
    assert estimate.rate == pytest.approx(nb09._inc1_rate()) and estimate.rate_is_estimate
    keys = {row.key for row, _ in r.workarounds}
    fixes = {key for key, label in nb09._INC1_FIX_OPTIONS.items() if label in nb09._inc1_fix()}
    assert fixes <= keys
    wrong = set(nb09._INC1_FIX_OPTIONS) - fixes
    assert not (wrong & keys)


def test_incident2_diagnosis_agrees_with_the_incident():
    from tcpmodel.diagnose import incident_inputs
    from tcpmodel.diagnose.incidents import SYNTHESIS
    from tcpmodel.exercises import nb09
    from tcpmodel.workarounds import decision_row

    r = diagnose_text(**incident_inputs("inc2"))
    n, port = SYNTHESIS["inc2"]["time_wait_sockets"], SYNTHESIS["inc2"]["server"][1]
    assert r.closers["server"] == n and r.server_ports == [(port, n)]
    assert r.workarounds[0][0] is decision_row("so_reuseaddr")
    (fix,) = nb09._inc2_fix()  # "both the old and the new listener"
    assert r.workarounds[0][0].name.endswith(fix.removeprefix("both "))
    sockets = parse_ss(incident_inputs("inc2")["ss"])
    expected = nb09._tw() - SYNTHESIS["inc2"]["restart_after_s"]
    assert {s.timer_seconds for s in sockets} == {float(int(expected))}


def test_incident3_diagnosis_agrees_with_the_incident():
    from tcpmodel.diagnose import incident_inputs, incident_socket_table
    from tcpmodel.exercises import nb09
    from tcpmodel.sim.recycle import SPREAD_SEEDS, simulate_tw_recycle_nat

    inputs = incident_inputs("inc3")
    r = diagnose_text(**inputs)
    row = r.workarounds[0][0]
    assert row.name in nb09._inc3_cause()
    dropped = simulate_tw_recycle_nat(**nb09.INCIDENT3, seed=SPREAD_SEEDS[0]).syns_dropped
    assert r.counters["TcpExtPAWSPassive"] == dropped > 0
    assert r.config.kernel == (4, 9) and r.config.tcp_tw_reuse_delay is None
    assert "kernel: Linux 4.9" in r.render()
    with pytest.raises(ValueError, match="inc3"):
        incident_socket_table("inc3")


# ----------------------------------------------------------------- the captures corpus (tools/record_captures.py)
def _case_files(case: str, kinds=("ss", "nstat", "sockstat", "sysctl")) -> list[str]:
    return [str(CAPTURES / f"{case}.{kind}.txt") for kind in kinds if (CAPTURES / f"{case}.{kind}.txt").exists()]


@pytest.mark.skipif(not (CAPTURES / "port_exhaustion.ss.txt").exists(), reason="port-exhaustion case not recorded")
def test_recorded_port_exhaustion_case_binds_on_ports():
    """Recorded after connect() failed with EADDRNOTAVAIL: every port of the narrowed range in TIME_WAIT."""
    from tcpmodel.diagnose import diagnose

    r = diagnose(read_files(_case_files("port_exhaustion")))
    ss = (CAPTURES / "port_exhaustion.ss.txt").read_text()
    tw = sum(ln.startswith("TIME-WAIT") for ln in ss.splitlines())
    low, high = map(int, re.search(r"ip_local_port_range = (\d+)\s+(\d+)",
                                   (CAPTURES / "port_exhaustion.sysctl.txt").read_text()).groups())
    assert r.time_wait_total == tw == r.closers["client"] == high - low + 1
    b = r.budgets[0]
    assert (b.ports, b.ports_left, b.binding) == (high - low + 1, 0, "ports") and r.binding == "ports"
    assert "tcp_tw_reuse" in [row.key for row, _ in r.workarounds]  # the case ran with tcp_tw_reuse = 0
    # with no port left, the text must not promise that exhaustion never comes
    budget_lines = [ln for ln in str(r).splitlines() if "time to exhaustion" in ln]
    assert budget_lines and all("never" not in ln and "no port is left" in ln for ln in budget_lines)


@pytest.mark.skipif(not (CAPTURES / "server_closes_first.ss.txt").exists(), reason="server-closes-first case not recorded")
def test_recorded_server_closes_first_case():
    from tcpmodel.diagnose import diagnose

    r = diagnose(read_files(_case_files("server_closes_first")))
    rows = [ln.split() for ln in (CAPTURES / "server_closes_first.ss.txt").read_text().splitlines()[1:] if ln.strip()]
    listen = {row[3].rpartition(":")[2] for row in rows if row[0] == "LISTEN"}
    server_tw = sum(row[0] == "TIME-WAIT" and row[3].rpartition(":")[2] in listen for row in rows)
    assert server_tw > 0 and r.closers["server"] == server_tw and r.budgets == []
    assert [row.key for row, _ in r.workarounds] == ["so_reuseaddr"]
