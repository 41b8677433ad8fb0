"""Every shipped real capture replays to what the kernel showed when it was recorded.

The ground truth (``tcpmodel/data/captures/<case>.json``, written by
``tools/record_captures.py`` from ``ss``, errno, RetransSegs and TCP_INFO on
the recording kernel) is never computed by the replay; see the README beside
the captures for its schema.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("dpkt", reason="dpkt is pinned in requirements.txt; install it to replay captures")

from tcpmodel.capture import analyze  # noqa: E402

CAPTURES = Path(__file__).resolve().parent.parent / "tcpmodel" / "data" / "captures"
CASES = sorted(p.stem for p in CAPTURES.glob("*.json"))
# /proc/net/tcp's timer is read in jiffies, and the capture sees a FIN a little before the
# TIME-WAIT side does: the TIME-WAIT end the replay infers may differ by a few milliseconds.
TIME_WAIT_END_TOLERANCE_S = 0.05


def _case(name: str) -> tuple[dict, object]:
    truth = json.loads((CAPTURES / f"{name}.json").read_text())
    low, high = (int(x) for x in truth["sysctl"]["client"]["ip_local_port_range"].split())
    return truth, analyze(CAPTURES / f"{name}.pcap", port_range=(low, high))


def test_corpus_is_present():
    assert CASES, f"no ground truth JSON in {CAPTURES}"


@pytest.mark.parametrize("name", CASES)
def test_replay_agrees_with_ground_truth(name):
    truth, report = _case(name)
    expected = truth["expect"]["connections"]
    got = report.connections
    assert len(got) == len(expected), f"{name}: {len(got)} connections replayed, {len(expected)} recorded"
    assert report.summary.truncated is None
    for i, (e, c) in enumerate(zip(expected, got)):
        where = f"{name} connection {i}"
        assert int(c.client.rsplit(":", 1)[1]) == e["client_port"], where
        assert c.first_closer == e["first_closer"], where
        assert c.close == e["close"], where
        assert sorted(c.time_wait) == sorted(e["time_wait"]), where
        for side, end in e["time_wait_ends"].items():
            assert abs(c.time_wait[side].would_leave - end) <= TIME_WAIT_END_TOLERANCE_S, (where, side)
        assert c.fin_retransmissions == e["fin_retransmissions"], where
        assert c.syn_in_time_wait == e["syn_in_time_wait"], where
        host = e["syn_time_wait_host"]
        assert c.syn_time_wait_host == (host[0] if host else None), where
        assert c.syn_retransmissions == e["syn_retransmissions"], where
        assert c.timestamps == e["timestamps"], where
        assert not c.joined_late and c.one_direction is None, where


@pytest.mark.parametrize("name", CASES)
def test_exhaustion_headroom_agrees_with_errno(name):
    """A case that used up its client's port range ran faster than the range sustains, and connect() failed."""
    from tcpmodel import linux

    truth, report = _case(name)
    low, high = report.summary.port_range
    if linux.connect_port_count(low, high) > report.summary.connections:
        pytest.skip(f"{name}: the client's port range ({low}-{high}) is larger than the connections captured")
    assert truth["expect"]["errno"] == "EADDRNOTAVAIL"
    heads = report.summary.headroom
    assert heads and heads[0].headroom < 1.0
    assert heads[0].time_to_exhaustion_s < report.summary.duration_s + 1.0
