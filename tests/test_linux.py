"""tcpmodel.linux: the tcp_tw_reuse delay by kernel version, and LinuxConfig's kernel field.

The expected rules are written from the kernel sources and commits they come
from (net/ipv4/tcp_ipv4.c: tcp_twsk_unique in 3.x, 4.19 and 6.18 sources;
commits cca9bab1b72c, 19ce8cd30465, ca6a6f93867a), not copied from the module.
"""

from __future__ import annotations

import pytest

from tcpmodel import linux
from tcpmodel.linux import LinuxConfig, reuse_delay_rule


@pytest.mark.parametrize(
    "kernel,clock,interval",
    [
        ((3, 10), "get_seconds", (1.0, 2.0)),  # get_seconds() - tw_ts_recent_stamp > 1
        ((4, 18), "get_seconds", (1.0, 2.0)),
        ((4, 19), "ktime_get_seconds", (0.0, 1.0)),  # time_after32(ktime_get_seconds(), ts_recent_stamp)
        ((6, 13), "ktime_get_seconds", (0.0, 1.0)),
        ((6, 14), "tcp_clock_ms", (1.0, 1.001)),  # tw_entry_stamp + tcp_tw_reuse_delay, within [N, N+1] ms
        ((6, 18), "tcp_clock_ms", (1.0, 1.001)),
    ],
)
def test_the_rule_changes_with_the_kernel_version(kernel, clock, interval):
    rule = reuse_delay_rule(kernel)
    assert rule.clock == clock
    assert (rule.shortest_s, rule.longest_s) == pytest.approx(interval)


def test_whole_second_means_are_half_a_second_inside_their_interval():
    # commit 19ce8cd30465: "between (0, 1] seconds, and 0.5 seconds on average"
    assert reuse_delay_rule((5, 15)).mean_s == 0.5
    assert reuse_delay_rule((4, 14)).mean_s == 1.5


def test_millisecond_rule_follows_the_sysctl():
    rule = reuse_delay_rule((6, 18), delay_ms=250)
    assert rule.hold_s == 0.25 and rule.delay_ms == 250
    assert rule.allows(0.25) is False and rule.allows(0.2501) is True  # strictly after
    with pytest.raises(ValueError, match="^delay_ms must be"):
        reuse_delay_rule((6, 14), delay_ms=None)
    with pytest.raises(ValueError, match="^delay_ms must be"):
        reuse_delay_rule((6, 14), delay_ms=60_001)  # TCP_PAWS_MSL * 1000 is the sysctl's maximum


def test_unknown_version_without_the_sysctl_spans_both_old_rules():
    rule = reuse_delay_rule(None, None)
    assert (rule.shortest_s, rule.longest_s) == (0.0, 2.0)
    assert rule.allows(0.5) is None and rule.allows(2.0) is True and rule.allows(0.0) is False
    assert rule.inferred  # it says it cannot tell


def test_version_boundaries_name_their_sources_and_what_is_inferred():
    assert "commit:cca9bab1b72c" in reuse_delay_rule((5, 15)).sources
    assert "inferred" in reuse_delay_rule((5, 15)).inferred
    assert not reuse_delay_rule((6, 14)).inferred
    assert {"commit:19ce8cd30465", "commit:ca6a6f93867a"} <= set(reuse_delay_rule((6, 14)).sources)
    assert linux.TW_REUSE_DELAY_SYSCTL_SINCE == (6, 14) and linux.TW_REUSE_MONOTONIC_SINCE == (4, 19)


def test_linux_config_uses_the_kernels_rule():
    assert LinuxConfig().reuse_rule.clock == "tcp_clock_ms"
    old = LinuxConfig(tcp_tw_reuse=1, tcp_tw_reuse_delay=None, kernel=(5, 15))
    assert old.reuse_rule.clock == "ktime_get_seconds"
    assert old.effective_hold_s(loopback=False) == 1.0  # the longest whole-second wait
    older = LinuxConfig(tcp_tw_reuse=1, tcp_tw_reuse_delay=None, kernel=(4, 14))
    assert older.effective_hold_s(loopback=False) == 2.0
    with pytest.raises(ValueError, match="^tcp_tw_reuse_delay must be"):
        LinuxConfig(tcp_tw_reuse_delay=None, kernel=(6, 18))
    with pytest.raises(ValueError, match="^kernel must be"):
        LinuxConfig(kernel=(6,))


def _proc(tmp_path, release, **sysctls):
    ipv4 = tmp_path / "sys" / "net" / "ipv4"
    ipv4.mkdir(parents=True)
    (ipv4 / "ip_local_port_range").write_text("32768\t60999\n")
    for name, value in sysctls.items():
        (ipv4 / name).write_text(f"{value}\n")
    if release is not None:
        (tmp_path / "sys" / "kernel").mkdir()
        (tmp_path / "sys" / "kernel" / "osrelease").write_text(release + "\n")
    return ipv4


@pytest.mark.parametrize(
    "release,interval",
    [("5.15.0-91-generic", (0.0, 1.0)), ("4.14.336", (1.0, 2.0)), (None, (0.0, 2.0))],
)
def test_from_proc_without_the_delay_sysctl_falls_back_to_the_version_rule(tmp_path, release, interval):
    cfg = LinuxConfig.from_proc(_proc(tmp_path, release, tcp_tw_reuse=2))
    assert cfg.tcp_tw_reuse_delay is None
    assert (cfg.reuse_rule.shortest_s, cfg.reuse_rule.longest_s) == interval
    assert "tcp_tw_reuse_delay absent" in cfg.source


def test_from_proc_with_the_sysctl_reads_it_and_the_version(tmp_path):
    cfg = LinuxConfig.from_proc(_proc(tmp_path, "6.18.44-fc-v669", tcp_tw_reuse=1, tcp_tw_reuse_delay=250))
    assert cfg.kernel == (6, 18) and cfg.tcp_tw_reuse_delay == 250
    assert cfg.effective_hold_s(loopback=False) == 0.25


@pytest.mark.parametrize("release,want", [("6.18.44-fc-v669", (6, 18)), ("5.4.0", (5, 4)), ("6.1-rc3", (6, 1)), ("", None), ("Darwin", None)])
def test_parse_kernel_version(release, want):
    assert linux.parse_kernel_version(release) == want
