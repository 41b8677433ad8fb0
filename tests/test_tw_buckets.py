"""tcp_max_tw_buckets in the cost model, and the incidents that must add up (issue 13, findings 1 and 7).

The kernel's rule is restated here from the Linux source, not imported from
the code under test:

* ``net/ipv4/inet_timewait_sock.c: inet_twsk_alloc`` returns NULL when
  ``tw_refcount - 1 >= sysctl_max_tw_buckets``: a close finds the cap full;
* ``net/ipv4/tcp_minisocks.c: tcp_time_wait`` then counts
  ``TCPTimeWaitOverflow`` and calls ``tcp_done()``, whose
  ``tcp_set_state(TCP_CLOSE)`` releases the port: the 4-tuple is free at once;
* ``net/ipv4/tcp_ipv4.c: tcp_set_hashinfo``: the default is half the
  established hash the namespace uses (its own, ``roundup_pow_of_two`` of the
  creator's ``tcp_child_ehash_entries``, when that is not 0).

The oracle below replays a burst connection by connection with that rule.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpmodel import models
from tcpmodel.linux import LinuxConfig
from tcpmodel.workarounds import decision_row


def kernel_burst(connections: int, ports: int, cap: int | None) -> dict:
    """Replay a burst: each connect() takes a free port, each close takes a TIME_WAIT bucket if one is left."""
    free, time_wait, overflow = ports, 0, 0
    for done in range(connections):
        if free == 0:
            return {"succeeded": done, "errno": "EADDRNOTAVAIL", "time_wait": time_wait, "overflow": overflow}
        free -= 1  # connect() holds the port
        if cap is None or time_wait < cap:  # inet_twsk_alloc() succeeds: the port stays held
            time_wait += 1
        else:  # NULL: TCPTimeWaitOverflow, tcp_done() releases the port
            overflow += 1
            free += 1
    return {"succeeded": connections, "errno": None, "time_wait": time_wait, "overflow": overflow}


@settings(max_examples=200, deadline=None)
@given(connections=st.integers(0, 400), ports=st.integers(1, 120), cap=st.one_of(st.none(), st.integers(0, 200)))
def test_burst_outcome_is_the_kernel_rule_replayed(connections, ports, cap):
    assert models.burst_outcome(connections, ports, max_tw_buckets=cap) == kernel_burst(connections, ports, cap)


def test_a_cap_below_the_ports_frees_them_and_one_above_changes_nothing():
    ports = LinuxConfig().ports
    uncapped = models.max_connection_rate(ports, 60)
    assert models.max_connection_rate(ports, 60, max_tw_buckets=ports) == uncapped  # at the ports: still binds
    assert models.max_connection_rate(ports, 60, max_tw_buckets=10 * ports) == uncapped
    assert models.max_connection_rate(ports, 60, max_tw_buckets=ports - 1) == math.inf
    # per destination: the cap is shared, so it frees 4-tuples only below ports × destinations
    assert models.max_connection_rate(ports, 60, destinations=4, max_tw_buckets=2 * ports) == math.inf
    assert models.max_connection_rate(ports, 60, destinations=4, max_tw_buckets=4 * ports) == 4 * uncapped
    assert models.time_to_exhaustion(10 * uncapped, ports, 60) < 60
    assert models.time_to_exhaustion(10 * uncapped, ports, 60, max_tw_buckets=ports - 1) == math.inf


@given(rate=st.floats(0, 1e5), tw=st.floats(0.5, 240), cap=st.integers(0, 10**6))
def test_overflow_and_population_conserve_the_closes(rate, tw, cap):
    # every close either enters TIME_WAIT (population / T per second in a steady state) or overflows
    entering = models.time_wait_population(rate, tw, max_tw_buckets=cap) / tw
    skipped = models.time_wait_overflow_rate(rate, tw, cap)
    assert skipped >= 0 and entering + skipped == pytest.approx(rate, rel=1e-9, abs=1e-9)
    assert (skipped > 0) == (rate * tw > cap * (1 + 1e-12))


def test_overflow_rate_without_a_cap_is_zero_and_bad_caps_are_refused():
    assert models.time_wait_overflow_rate(10**6, 60, None) == 0.0
    with pytest.raises(ValueError, match="max_tw_buckets must be an integer"):
        models.time_wait_overflow_rate(1, 60, -1)
    with pytest.raises(ValueError, match="max_tw_buckets must be an integer"):
        models.max_connection_rate(100, 60, max_tw_buckets=2.5)


def test_rate_conditions_name_the_cap():
    text = " ".join(models.rate_conditions(28232, 60, max_tw_buckets=10_000))
    assert "skip TIME_WAIT" in text and "protection" in text
    assert "does not bind" in " ".join(models.rate_conditions(28232, 60, max_tw_buckets=131_072))


def test_incident_with_a_low_cap_has_no_port_limit():
    a = models.incident_analysis(10_000, port_range=(40000, 60999), established=1_000, demand_rate=400,
                                 max_tw_buckets=10_000)
    assert a["binding"] == "tcp_max_tw_buckets" and a["limit_rate"] == math.inf and a["failing_rate"] == 0.0


@pytest.mark.parametrize("child, own", [(1, 1), (2, 2), (100, 128), (1000, 1024), (1024, 1024), (1025, 2048)])
def test_default_cap_is_half_the_namespace_ehash(child, own):
    assert models.default_max_tw_buckets(262144) == 262144 // 2
    assert models.default_max_tw_buckets(262144, child_ehash_entries=child) == own // 2
    assert models.default_max_tw_buckets(262144, child_ehash_entries=0) == 262144 // 2


def test_decision_table_row_says_it_frees_ports_and_what_it_costs():
    row = decision_row("max_tw_buckets")
    assert row.helps == "both"
    for words in ("free at once", "TCPTimeWaitOverflow", "RST", "old duplicate", "must_ not lower"):
        assert words in row.risk, words
    for cite in ("net/ipv4/inet_timewait_sock.c", "net/ipv4/tcp_minisocks.c", "net/ipv4/tcp_ipv4.c",
                 "Documentation/networking/ip-sysctl.rst"):
        assert cite in row.source, cite


# --------------------------------------------------------------- the incidents add up

def test_capstone_incident_1_reaches_the_port_budget():
    from tcpmodel.exercises.nb09 import INCIDENT1

    cfg = LinuxConfig()
    ports, tw = cfg.ports, models.TCP_TIMEWAIT_LEN_S
    limit = models.max_connection_rate(ports, tw)
    count, peak = INCIDENT1["time_wait_sockets"], INCIDENT1["peak_rate"]
    # notebook 06's rule: the TIME_WAIT count is the port budget to that one destination...
    a = models.incident_analysis(count, port_range=cfg.ip_local_port_range, demand_rate=peak)
    assert a["binding"] == "ports" and 0.99 <= a["utilisation"] <= 1.0
    # ...so the rate it implies is the limit, and the peak is above it: connect() fails within one TIME_WAIT.
    assert count / tw == pytest.approx(limit, rel=0.01) and count / tw <= limit
    assert peak > limit and models.time_to_exhaustion(peak, ports, tw) < tw
    # and the default cap is far above the ports, so it plays no part
    assert cfg.tcp_max_tw_buckets is None or cfg.tcp_max_tw_buckets > ports


def test_notebook_06_incident_reaches_its_port_budget():
    from tcpmodel.exercises.nb06 import INCIDENT, LOW_CAP

    a = models.incident_analysis(INCIDENT["time_wait_sockets"], port_range=INCIDENT["port_range"],
                                 established=INCIDENT["established"], demand_rate=INCIDENT["demand_rate"])
    assert a["binding"] == "ports" and a["failing_rate"] > 0
    # exercise 6's lowered cap is below the free 4-tuples, so it does stop the errors
    assert LOW_CAP < a["capacity"]
    assert models.max_connection_rate(a["free_ports"], INCIDENT["time_wait_s"], max_tw_buckets=LOW_CAP) == math.inf


@pytest.mark.parametrize("rate, cap", [(400.0, 10_000), (1000.0, 10_000), (50_000.0, 1), (1000.0, 28_232)])
def test_exhaustion_figure_with_a_cap_fits_its_canvas(rate, cap):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tcpmodel.plots import cost
    from tcpmodel.plots.style import course_style
    from tests.test_plots import overflow_inches

    with course_style():
        fig = cost.draw_exhaustion(rate=rate, max_tw_buckets=cap)
        assert overflow_inches(fig) == {}
        held = fig.axes[0].lines[0].get_ydata()
        assert max(held) <= min(cap, models.ephemeral_port_count(32768, 60999))
    plt.close("all")
