"""Behaviour of tcpmodel.models: the rate, population, exhaustion and memory models and
LinuxConfig (the SYSTEMS table: tests/test_systems.py).

Expected values are worked out by hand from the sources, not copied from the code:
Linux's default range 32768..60999 holds 60999 - 32768 + 1 = 28232 ports
(ip-sysctl.rst), and TCP_TIMEWAIT_LEN is 60 s (include/net/tcp.h).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcpmodel import models
from tcpmodel.models import (
    LinuxConfig,
    ProcUnavailable,
    ephemeral_port_count,
    max_connection_rate,
    time_to_exhaustion,
    time_wait_memory_bytes,
    time_wait_population,
)

LINUX_PORTS = 28232  # 60999 - 32768 + 1


# ---------------------------------------------------------------- ephemeral_port_count

def test_linux_default_range_counts_28232_ports():
    assert ephemeral_port_count(32768, 60999) == LINUX_PORTS


@pytest.mark.parametrize("low,high,expected", [(1, 1, 1), (1, 65535, 65535), (65535, 65535, 1), (49152, 65535, 16384)])
def test_port_count_edges(low, high, expected):
    assert ephemeral_port_count(low, high) == expected


@pytest.mark.parametrize(
    "low,high,message",
    [
        (0, 10, "low must be an integer in [1, 65535]; got 0"),
        (1, 65536, "high must be an integer in [1, 65535]; got 65536"),
        (60999, 32768, "high must be an integer in [60999, 65535] (at least low); got 32768"),
        (1.5, 10, "low must be an integer in [1, 65535]; got 1.5"),
    ],
)
def test_port_count_rejects_bad_ranges_naming_the_parameter(low, high, message):
    with pytest.raises(ValueError) as err:
        ephemeral_port_count(low, high)
    assert str(err.value) == message


def test_linux_connect_uses_an_even_number_of_ports():
    # __inet_hash_connect(): remaining = high - low + 1, then remaining &= ~1
    assert models.connect_port_count(32768, 60999) == LINUX_PORTS
    assert models.connect_port_count(32768, 60998) == LINUX_PORTS - 2
    assert models.connect_port_count(5000, 5000) == 1


# ---------------------------------------------------------------- max_connection_rate

def test_the_issue_example_470_5_per_second():
    assert f"{max_connection_rate(LINUX_PORTS, 60):.1f}" == "470.5"
    assert max_connection_rate(LINUX_PORTS, 60) == pytest.approx(28232 / 60)


def test_destinations_multiply_the_limit():
    one = max_connection_rate(LINUX_PORTS, 60)
    assert max_connection_rate(LINUX_PORTS, 60, destinations=7) == pytest.approx(7 * one)


def test_shorter_time_wait_raises_the_limit():
    # macOS: 2 x 15 s MSL = 30 s -> twice Linux's rate for the same ports
    assert max_connection_rate(LINUX_PORTS, 30) == pytest.approx(2 * max_connection_rate(LINUX_PORTS, 60))


@given(
    ports=st.integers(1, 65535),
    tw=st.floats(0.5, 600),
    dest=st.integers(1, 1000),
    more_ports=st.integers(0, 1000),
    more_tw=st.floats(0.1, 100),
)
def test_rate_is_monotone(ports, tw, dest, more_ports, more_tw):
    base = max_connection_rate(ports, tw, dest)
    assert max_connection_rate(min(65535, ports + more_ports), tw, dest) >= base
    assert max_connection_rate(ports, tw + more_tw, dest) <= base
    assert max_connection_rate(ports, tw, dest + 1) > base


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"ports": 0, "time_wait_s": 60}, "ports must be an integer in [1, 65535]; got 0"),
        ({"ports": 100, "time_wait_s": 0}, "time_wait_s must be a number in (0, 3600] (seconds); got 0"),
        ({"ports": 100, "time_wait_s": 60, "destinations": 0}, "destinations must be an integer in [1, "),
        ({"ports": 100, "time_wait_s": float("nan")}, "time_wait_s must be a number"),
        ({"ports": 100, "time_wait_s": 60, "config": "linux"}, "config must be a LinuxConfig or None"),
    ],
)
def test_rate_validation_messages(kwargs, fragment):
    with pytest.raises(ValueError, match=None) as err:
        max_connection_rate(**kwargs)
    assert fragment in str(err.value)


class TestTwReuse:
    """tcp_twsk_unique() (net/ipv4/tcp_ipv4.c, Linux 6.18) decides whether reuse applies."""

    def test_default_config_reuses_only_on_loopback(self):
        cfg = LinuxConfig()
        assert cfg.tcp_tw_reuse == 2
        assert max_connection_rate(LINUX_PORTS, 60, config=cfg) == pytest.approx(28232 / 60)
        # loopback: reusable after tcp_tw_reuse_delay = 1000 ms
        assert max_connection_rate(LINUX_PORTS, 60, config=cfg, loopback=True) == pytest.approx(28232 / 1.0)

    def test_reuse_1_uses_the_delay_everywhere(self):
        cfg = LinuxConfig(tcp_tw_reuse=1, tcp_tw_reuse_delay=250)
        assert max_connection_rate(LINUX_PORTS, 60, config=cfg) == pytest.approx(28232 / 0.25)

    def test_reuse_needs_timestamps_on_both_ends(self):
        cfg = LinuxConfig(tcp_tw_reuse=1)
        assert max_connection_rate(100, 60, config=cfg, peer_timestamps=False) == pytest.approx(100 / 60)
        assert max_connection_rate(100, 60, config=cfg.replace(tcp_timestamps=0)) == pytest.approx(100 / 60)

    def test_reuse_off(self):
        assert max_connection_rate(100, 60, config=LinuxConfig(tcp_tw_reuse=0), loopback=True) == pytest.approx(100 / 60)

    def test_delay_never_lengthens_the_wait(self):
        cfg = LinuxConfig(tcp_tw_reuse=1, tcp_tw_reuse_delay=60000)
        assert max_connection_rate(100, 30, config=cfg) == pytest.approx(100 / 30)

    def test_conditions_say_whether_reuse_applies(self):
        text = " ".join(models.rate_conditions(100, 60, config=LinuxConfig()))
        assert "does not apply" in text and "not loopback" in text
        text = " ".join(models.rate_conditions(100, 60, config=LinuxConfig(tcp_tw_reuse=1)))
        assert "1000 ms" in text


# ---------------------------------------------------------------- LinuxConfig

def test_linux_defaults_match_ip_sysctl_rst():
    cfg = LinuxConfig()
    assert cfg.ip_local_port_range == (32768, 60999)
    assert (cfg.tcp_tw_reuse, cfg.tcp_tw_reuse_delay, cfg.tcp_timestamps, cfg.tcp_rfc1337) == (2, 1000, 1, 0)
    # memory dependent: half this machine's ehash size (tcp_sk_init), or None where unknown
    ehash = Path("/proc/sys/net/ipv4/tcp_ehash_entries")
    if ehash.exists():
        assert cfg.tcp_max_tw_buckets == abs(int(ehash.read_text().split()[0])) // 2
    else:
        assert cfg.tcp_max_tw_buckets is None
    assert cfg.ports == LINUX_PORTS


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"tcp_tw_reuse": 3}, "tcp_tw_reuse must be one of 0, 1, 2; got 3"),
        ({"tcp_tw_reuse_delay": 0}, "tcp_tw_reuse_delay must be an integer in [1, 60000] (ms); got 0"),
        ({"tcp_tw_reuse_delay": 60001}, "tcp_tw_reuse_delay must be an integer in [1, 60000]"),
        ({"ip_local_port_range": (61000, 32768)}, "ip_local_port_range high must be"),
        ({"ip_local_port_range": (0, 10)}, "ip_local_port_range low must be an integer in [1, 65535]"),
        ({"tcp_timestamps": 5}, "tcp_timestamps must be one of 0, 1, 2"),
        ({"tcp_max_tw_buckets": -1}, "tcp_max_tw_buckets must be an integer in [0, "),
        ({"tcp_rfc1337": 2}, "tcp_rfc1337 must be one of 0, 1"),
    ],
)
def test_linux_config_validation(kwargs, fragment):
    with pytest.raises(ValueError) as err:
        LinuxConfig(**kwargs)
    assert fragment in str(err.value)


def _fake_proc(tmp_path: Path, **values: str) -> Path:
    for name, text in values.items():
        (tmp_path / name).write_text(text + "\n")
    return tmp_path


def test_from_proc_reads_every_value(tmp_path):
    root = _fake_proc(tmp_path, ip_local_port_range="1024\t65535", tcp_tw_reuse="1", tcp_tw_reuse_delay="50",
                      tcp_timestamps="1", tcp_max_tw_buckets="4096", tcp_rfc1337="1")
    cfg = LinuxConfig.from_proc(root)
    assert cfg == LinuxConfig((1024, 65535), 1, 50, 1, 4096, 1)
    assert cfg.tcp_max_tw_buckets == 4096
    assert str(root) in cfg.source


def test_from_proc_on_an_older_kernel_has_no_fixed_delay(tmp_path):
    # Before 6.14 there is no tcp_tw_reuse_delay: the wait is whole seconds of the last timestamp
    # (tests/test_linux.py checks the rule by version).
    root = _fake_proc(tmp_path, ip_local_port_range="32768 60999", tcp_tw_reuse="2")
    cfg = LinuxConfig.from_proc(root)
    assert cfg.tcp_tw_reuse_delay is None
    assert cfg.reuse_rule.ticks_needed is not None
    assert "tcp_tw_reuse_delay absent" in cfg.source


def test_from_proc_says_clearly_when_it_cannot_read(tmp_path):
    with pytest.raises(ProcUnavailable) as err:
        LinuxConfig.from_proc(tmp_path / "nowhere")
    assert "cannot read" in str(err.value) and "LinuxConfig()" in str(err.value)


@pytest.mark.skipif(not Path("/proc/sys/net/ipv4/ip_local_port_range").exists(), reason="needs Linux /proc")
def test_from_proc_on_this_machine_matches_proc():
    cfg = LinuxConfig.from_proc()
    low, high = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert cfg.ip_local_port_range == (low, high)
    assert cfg.tcp_max_tw_buckets == int(Path("/proc/sys/net/ipv4/tcp_max_tw_buckets").read_text())


def test_default_max_tw_buckets_is_half_the_ehash():
    assert models.default_max_tw_buckets(262144) == 131072
    assert models.default_max_tw_buckets(1024) == 512


# ---------------------------------------------------------------- population, exhaustion, memory

def test_littles_law():
    assert time_wait_population(100, 60) == 6000.0
    assert time_wait_population(0, 60) == 0.0


def test_population_is_capped_by_tw_buckets():
    assert time_wait_population(10_000, 60, max_tw_buckets=131072) == 131072.0
    assert time_wait_population(100, 60, max_tw_buckets=131072) == 6000.0
    assert time_wait_population(100, 60, max_tw_buckets=0) == 0.0


@given(rate=st.floats(0, 1e6), tw=st.floats(0.01, 3600), cap=st.one_of(st.none(), st.integers(0, 10**7)))
def test_population_never_exceeds_cap_and_grows_with_rate(rate, tw, cap):
    n = time_wait_population(rate, tw, cap)
    assert n >= 0
    if cap is not None:
        assert n <= cap
    assert time_wait_population(rate * 2, tw, cap) >= n


def test_population_validation():
    with pytest.raises(ValueError, match=r"rate must be a number in \[0, inf\) \(connections/s\); got -1"):
        time_wait_population(-1, 60)
    with pytest.raises(ValueError, match=r"max_tw_buckets must be an integer"):
        time_wait_population(1, 60, max_tw_buckets=1.5)


def test_sustainable_rates_never_exhaust():
    assert time_to_exhaustion(470, LINUX_PORTS, 60) == math.inf
    assert time_to_exhaustion(28232 / 60, LINUX_PORTS, 60) == math.inf  # exactly at the limit
    assert time_to_exhaustion(0, LINUX_PORTS, 60) == math.inf


def test_exhaustion_time_above_the_limit():
    # 1000/s takes all 28232 ports in 28.232 s, before the first TIME_WAIT (60 s) ends
    assert time_to_exhaustion(1000, LINUX_PORTS, 60) == pytest.approx(28.232)
    assert time_to_exhaustion(1000, LINUX_PORTS, 60, destinations=2) == pytest.approx(56.464)


@given(rate=st.floats(1, 1e6), ports=st.integers(1, 65535), tw=st.floats(0.1, 600))
def test_exhaustion_is_before_the_first_expiry_and_shrinks_with_rate(rate, ports, tw):
    t = time_to_exhaustion(rate, ports, tw)
    if not math.isinf(t):
        assert t < tw
        assert time_to_exhaustion(rate * 2, ports, tw) <= t


def test_memory_default_is_the_tw_sock_slab_object():
    assert models.TW_SOCK_BYTES == 256  # /proc/slabinfo tw_sock_TCP objsize, Linux 6.18.44 x86_64
    assert "tw_sock_TCP" in models.TW_SOCK_SOURCE and "6.18" in models.TW_SOCK_SOURCE
    assert time_wait_memory_bytes(20_000) == 20_000 * 256
    assert time_wait_memory_bytes(10, per_socket_bytes=2368) == 23680
    assert models.TW_SOCK_BYTES < models.FULL_TCP_SOCK_BYTES


@pytest.mark.skipif(not Path("/proc/slabinfo").exists(), reason="needs /proc/slabinfo")
def test_memory_default_matches_this_kernel_when_readable():
    try:
        lines = Path("/proc/slabinfo").read_text().splitlines()
    except OSError:
        pytest.skip("/proc/slabinfo is not readable here")
    row = next((line.split() for line in lines if line.startswith("tw_sock_TCP ")), None)
    if row is None:
        pytest.skip("no tw_sock_TCP slab")
    objsize = int(row[3])
    # The documented default is one kernel's value; others differ, but not by an order of magnitude.
    assert 128 <= objsize <= 512


def test_memory_validation():
    with pytest.raises(ValueError, match=r"per_socket_bytes must be an integer in \[1, "):
        time_wait_memory_bytes(1, per_socket_bytes=0)


# ---------------------------------------------------------------- SYSTEMS: tests/test_systems.py


# ---------------------------------------------------------------- who pays, the incident

def test_who_holds_time_wait():
    assert models.who_holds_time_wait("client")["holder"] == "client"
    assert "memory" in models.who_holds_time_wait("server")["pays_in"]
    with pytest.raises(ValueError, match="first_closer must be one of 'client', 'server'"):
        models.who_holds_time_wait("both")


def test_incident_analysis_hand_computed():
    # 40000..60999 = 21000 ports; 1000 held by open connections -> 20000 free; 20000 / 60 s
    a = models.incident_analysis(20_000, port_range=(40000, 60999), established=1_000, demand_rate=400)
    assert (a["ports"], a["free_ports"], a["capacity"]) == (21_000, 20_000, 20_000)
    assert a["limit_rate"] == pytest.approx(20_000 / 60)
    assert a["implied_rate"] == pytest.approx(20_000 / 60)
    assert a["failing_rate"] == pytest.approx(400 - 20_000 / 60)
    assert a["utilisation"] == pytest.approx(1.0)
    assert a["binding"] == "ports"
    assert a["memory_bytes"] == 20_000 * models.TW_SOCK_BYTES


def test_incident_binding_cases():
    assert models.incident_analysis(5_000)["binding"] == "none"
    assert models.incident_analysis(5_000, max_tw_buckets=5_000)["binding"] == "tcp_max_tw_buckets"
    assert models.incident_analysis(5_000, demand_rate=10)["failing_rate"] == 0.0
    with pytest.raises(ValueError, match="established must be an integer in"):
        models.incident_analysis(10, port_range=(40000, 40009), established=10)


# ---------------------------------------------------------------- calculators and plots

@pytest.fixture(scope="module")
def agg():
    import matplotlib

    matplotlib.use("Agg", force=True)
    yield


def _figure_index():
    import json

    return json.loads((Path(__file__).resolve().parent.parent / "figures" / "index.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("factory,bad,good", [
    ("rate_calculator", {"low": 60999, "high": 32768}, {"low": 32768, "high": 60999}),
    ("exhaustion_calculator", {"rate": -5.0}, {"rate": 1000.0}),
    ("duplicate_explorer", {"msl_s": 120.0, "gap_s": 0.0}, {"gap_s": 30.0}),
])
def test_calculators_show_errors_beside_the_controls(agg, factory, bad, good):
    import tcpmodel.widgets.calculators as calculators

    widget = getattr(calculators, factory)()
    assert widget.static_figure in _figure_index()
    before = widget.redraw_count
    widget.update(**good)
    assert widget.error_text == "" and widget.redraw_count == before + 1
    if factory != "duplicate_explorer":
        widget.update(**bad)
        assert "must be" in widget.error_text and "Traceback" not in widget.error.value


def test_duplicate_explorer_shows_the_clock_driven_isn_as_all_or_nothing(agg):
    # 30 s after the close the 4 µs ISN clock is 7,500,000 ahead: 1 MB sent stays behind the
    # new window (P = 0), 10 MB reaches it (P = the shaded share, 0.75 with a 120 s MSL).
    import tcpmodel.widgets.calculators as calculators

    widget = calculators.duplicate_explorer()
    widget.update(gap_s=30.0, msl_s=120.0, isn_policy="rfc6528", sent_mb=1.0)
    assert widget.error_text == ""
    widget.update(sent_mb=10.0)
    assert widget.error_text == ""
    from tcpmodel.plots import cost
    import matplotlib.pyplot as plt

    for mb, title in [(1.0, "= 0  (clock-driven ISN)"), (10.0, "= 0.75  (clock-driven ISN)")]:
        fig = cost.draw_duplicates(30.0, 120.0, isn_policy="rfc6528", sent_bytes=int(mb * 1_000_000))
        assert fig.axes[0].get_title().endswith(title)
        plt.close(fig)


def test_rate_calculator_title_reports_the_model(agg):
    from tcpmodel.plots import cost

    fig = cost.draw_rate(32768, 60999, 60.0, 1)
    assert fig.axes[0].get_title().startswith("470.5 connections/s")
    import matplotlib.pyplot as plt

    plt.close(fig)
