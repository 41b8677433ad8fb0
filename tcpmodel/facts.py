"""Facts the course teaches in more than one place, each stated once, with its sources.

Theory of operation
-------------------
A fact that several notebooks teach (the SO_REUSEADDR rule, what a SYN does to
a TIME_WAIT socket, the ``tcp_tw_reuse`` delay by kernel version...) is a
:class:`Fact` here: one statement in markdown, the ledger keys of its sources,
and the kernel versions or systems it applies to. Numbers in a statement are
formatted from the models' constants, never typed in.

Notebooks show a fact between two markers in a markdown cell::

    <!-- fact:so_reuseaddr_rebind -->
    ...the text that :func:`render` returns...
    <!-- /fact -->

``tools/sync_prose.py`` writes :func:`render`'s text between the markers, and
a test fails when a notebook's copy differs, so a notebook cannot state the
fact in other words and drift.

Examples
--------
>>> fact = FACTS["linux_time_wait_length"]
>>> fact.sources[0]
'linux:include/net/tcp.h:TCP_TIMEWAIT_LEN'
>>> "60 s" in render("linux_time_wait_length")
True
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpmodel.linux import TCP_TIMEWAIT_LEN_S
from tcpmodel import linux as _linux, socket_rules as _rules
from tcpmodel.sim.sequence import ISN_CLOCK_TICK, LINUX_ISN_CLOCK_TICK, LINUX_TW_ISN_OFFSET, isn_advance

__all__ = ["Fact", "FACTS", "render", "show"]


@dataclass(frozen=True)
class Fact:
    """One fact: ``statement`` (markdown), the ledger keys of its ``sources``, and where it ``applies``."""

    key: str
    statement: str
    sources: tuple[str, ...]
    applies: str = ""

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError(f"fact {self.key}: a fact needs at least one source")


def _facts(*facts: Fact) -> dict[str, Fact]:
    return {f.key: f for f in facts}


def _bind_text(errno: str) -> str:
    return "`bind()` succeeds" if errno == "ok" else f"`bind()` fails with `{errno}`"


def _so_reuseaddr_rebind() -> str:
    new_only = _rules.server_restart_outcome("server", old_reuseaddr=False, new_reuseaddr=True)
    both = _rules.server_restart_outcome("server", old_reuseaddr=True, new_reuseaddr=True)
    return (
        "On Linux a socket may `bind()` the address and port of a TIME_WAIT socket only if **both** sockets set "
        "`SO_REUSEADDR`: the new one, and the one that entered TIME_WAIT, which keeps the flag of the socket it "
        "replaced (`inet_twsk_alloc()` copies `sk_reuse`; an accepted socket has its listener's flag). The test is "
        "`inet_bind_conflict()`, which `inet_csk_get_port()` reaches through `inet_csk_bind_conflict()`. So when a "
        f"server that closed its connections first restarts, {_bind_text(new_only)} if only the new listener sets "
        f"the option, and {_bind_text(both)} if the old and the new listener both set it. `SO_REUSEADDR` does not "
        "end the TIME_WAIT, and a socket still listening on the port makes `bind()` fail whatever the flags "
        "(unless both use `SO_REUSEPORT`, a different option)."
    )


def _bound_port_reconnect() -> str:
    defaults = _linux.LinuxConfig()
    no_reuse = _rules.rebind_client_port_outcome(True, True, True, _rules.Settings(tcp_tw_reuse=0))
    no_ts = _rules.rebind_client_port_outcome(True, True, True, _rules.Settings(tcp_timestamps=0))
    return (
        "A socket that `bind()`s a fixed local port (both sockets with `SO_REUSEADDR`) and `connect()`s to the "
        "same destination while that 4-tuple is in TIME_WAIT does not wait for `tcp_tw_reuse` or "
        "`tcp_tw_reuse_delay`: `__inet_hash_connect()` checks the 4-tuple with `twp == NULL`, and "
        "`tcp_twsk_unique()` then takes the TIME_WAIT socket over at once if the old connection saw the peer's "
        f"timestamps. With Linux's default `tcp_timestamps` = {defaults.tcp_timestamps} the `connect()` "
        f"{'succeeds' if no_reuse == 'ok' else 'fails with `' + no_reuse + '`'}, even with `tcp_tw_reuse` = 0; "
        f"without timestamps `__inet_check_established()` makes it fail with `{no_ts}`. Nothing delays this "
        "takeover, so PAWS may not guard the new connection: the commit that added `tcp_tw_reuse_delay` warns "
        "that such immediate reuse \"may result in PAWS failing to detect old duplicate segments\"."
    )


def _tw_reuse_delay_by_version() -> str:
    new = _linux.reuse_delay_rule(_linux.TW_REUSE_DELAY_SYSCTL_SINCE)
    mid = _linux.reuse_delay_rule(_linux.TW_REUSE_MONOTONIC_SINCE)
    old = _linux.reuse_delay_rule((_linux.TW_REUSE_MONOTONIC_SINCE[0], _linux.TW_REUSE_MONOTONIC_SINCE[1] - 1))
    last_mid = _linux.TW_REUSE_WHOLE_SECONDS_UNTIL
    _v = _linux.kernel_version_text
    return (
        "When `tcp_tw_reuse` allows it and the old connection used timestamps, a `connect()` whose kernel-chosen "
        "port is held in TIME_WAIT takes the 4-tuple over only after a delay, and how that delay is counted depends "
        f"on the kernel. **Linux {_v(_linux.TW_REUSE_DELAY_SYSCTL_SINCE)} and later:** strictly more than "
        f"`tcp_tw_reuse_delay` ms (default {new.delay_ms}) after the socket entered TIME_WAIT, counted in "
        f"milliseconds. **Linux {_v(_linux.TW_REUSE_MONOTONIC_SINCE)} to {_v(last_mid)}:** once the whole-second "
        "clock `ktime_get_seconds()` has moved past the second in which the last timestamp from the peer arrived, "
        f"so anywhere in {mid.interval}, {mid.mean_s:g} s on average: not a fixed second. **Before "
        f"{_v(_linux.TW_REUSE_MONOTONIC_SINCE)}:** `get_seconds() - tw_ts_recent_stamp > 1`, so {old.interval}. The "
        f"{_v(_linux.TW_REUSE_MONOTONIC_SINCE)} boundary is inferred from the date of the commit that changed the "
        "test. A socket that `bind()`s its port does not wait at all."
    )


def _paws_needs() -> str:
    fastest, slowest = _rules.PAWS_PEER_TICK_S
    delay = _linux.LinuxConfig().tcp_tw_reuse_delay
    return (
        "PAWS drops a segment whose timestamp is *older* than the last one the connection has seen "
        "(`SEG.TSval < TS.Recent`). An old duplicate of an earlier connection on the same 4-tuple carries a "
        "timestamp no newer than the peer's last one, so PAWS is sure to reject it only once the peer's timestamp "
        f"clock has ticked since then, and a clock may tick anywhere from every {fastest * 1000:g} ms to every "
        f"{slowest:g} s (RFC 7323 §5.4, inferred from RFC 1323 §4.2.2, which it carries over). That is why "
        f"`tcp_tw_reuse` waits `tcp_tw_reuse_delay` ({delay} ms by default; ip-sysctl.rst: it \"should not be set "
        "to a value lower than the peer's clock tick\"), and why a bound-port reconnect, which waits for nothing, "
        "\"may result in PAWS failing to detect old duplicate segments\" (commit ca6a6f93867a). So reusing a "
        "TIME_WAIT 4-tuple is safe from old duplicates only with timestamps on both ends **and** after the peer's "
        "clock has ticked; before that, only the sequence number check is left."
    )


FACTS: dict[str, Fact] = _facts(
    Fact(
        "linux_time_wait_length",
        f"Linux keeps a socket in TIME_WAIT for {TCP_TIMEWAIT_LEN_S:.0f} s, the compile-time constant "
        "`TCP_TIMEWAIT_LEN` that `tcp_time_wait()` sets; no sysctl changes it (`tcp_fin_timeout` is the "
        "FIN_WAIT_2 timeout of orphaned sockets). No MSL sets this wait: Linux has no MSL setting, and its only "
        "constant named after the MSL, `TCP_PAWS_MSL`, is how long a saved peer timestamp stays valid. When this "
        f"course says Linux's MSL is {TCP_TIMEWAIT_LEN_S / 2:.0f} s, that is the convention "
        "MSL = `TCP_TIMEWAIT_LEN` / 2, not a kernel value.",
        ("linux:include/net/tcp.h:TCP_TIMEWAIT_LEN", "linux:net/ipv4/tcp_minisocks.c:tcp_time_wait",
         "linux:include/net/tcp.h:TCP_PAWS_MSL", "man:tcp(7):tcp_fin_timeout"),
        applies="every Linux version since 2.x",
    ),
    Fact(
        "syn_in_time_wait",
        "A SYN for a 4-tuple that is in TIME-WAIT need not wait out the 2·MSL. RFC 9293 §3.6.1 lets the host in "
        "TIME-WAIT reopen the connection (MAY-2, first stated in RFC 1122 §4.2.2.13) if it **(1)** gives the new "
        "connection an initial sequence number *of its own* larger than the largest sequence number it used in the "
        "old incarnation, and **(2)** returns to TIME-WAIT if the SYN turns out to be an old duplicate. It adds "
        "that a host SHOULD use timestamps to do this (SHLD-4, RFC 6191), and its fourth check for the SYN bit "
        "(RFC 9293 §3.10.7.4) says new connections can be accepted in TIME-WAIT when the Timestamp Option meets "
        "expectations. Neither rule is a test on the incoming SYN's sequence number: accepting a SYN *because* its "
        "sequence number is above the old RCV.NXT is the BSD heuristic (FreeBSD `tcp_twcheck()`). Linux "
        "(`tcp_timewait_state_process()` in `net/ipv4/tcp_minisocks.c`) accepts a SYN without ACK that PAWS does "
        "not reject when its sequence number is after RCV.NXT *or* its timestamp is newer than the last one seen "
        "(`TCP_TW_SYN`), and starts the new connection at ISN = old SND.NXT + "
        f"{LINUX_TW_ISN_OFFSET} (`tw_snd_nxt + 65535 + 2` in the source): condition (1) holds. Condition (2) does "
        "not: the function's own comment says \"we violate main RFC requirement\" if the SYN was an old duplicate. "
        "The SYN is taken only if a socket is listening on the port (`tcp_v4_rcv()` hands it to the listener and "
        "drops the TIME_WAIT socket); with no listener the TIME_WAIT socket answers it with an ACK (`TCP_TW_ACK`).",
        ("rfc9293:3.6.1", "rfc1122:4.2.2.13", "rfc6191", "rfc9293:3.10.7.4", "doc:freebsd-tcp_twcheck",
         "linux:net/ipv4/tcp_minisocks.c:tcp_timewait_state_process", "linux:net/ipv4/tcp_ipv4.c:tcp_v4_rcv"),
        applies="the RFCs named; Linux 6.12 and 6.18 (sources read; a 4.x-era copy read has the same test and ISN)",
    ),
    Fact(
        "isn_between_incarnations",
        "RFC 9293 §3.4.1 says a TCP SHOULD choose ISN = M + F(localip, localport, remoteip, remoteport, "
        f"secretkey), where M is a clock that ticks every {ISN_CLOCK_TICK * 1e6:g} µs and F a keyed pseudorandom "
        "function: the algorithm of RFC 6528, which RFC 9293 §5 says it incorporated (RFC 6528's own text was not "
        "read: inferred from RFC 9293). RFC 1122 §4.2.2.9 had already made clock-driven ISNs a MUST. F is the same for every incarnation of one 4-tuple, so the ISNs of two "
        "incarnations are unpredictable to an outsider but not random with respect to each other: the new ISN is "
        f"the old one plus the clock's advance, {isn_advance(1.0):,} per second between the two SYNs. An old "
        "duplicate can fall in the new window only if the old incarnation sent more octets than the clock "
        "advanced (the \"fast\" or \"long\" connections of RFC 1337 §1), and then it does so every time: the outcome is decided, not "
        "drawn. Linux's F is SipHash of the 4-tuple with a random secret, and its clock is "
        f"`ktime_get_real_ns() >> 6`: {LINUX_ISN_CLOCK_TICK * 1e9:g} ns ticks, "
        f"{isn_advance(1.0, LINUX_ISN_CLOCK_TICK):,} per second, wrapping every {2**32 * LINUX_ISN_CLOCK_TICK:.1f} s "
        "(`seq_scale()` in `net/core/secure_seq.c`).",
        ("rfc9293:3.4.1", "rfc6528", "rfc9293:5", "rfc1122:4.2.2.9", "rfc1337:1", "linux:net/core/secure_seq.c:seq_scale"),
        applies="the RFCs named; Linux 6.12 (source read; the 3.x, 4.x and 6.19 copies seen have the same 64 ns "
                "clock)",
    ),
    Fact(
        "so_reuseaddr_rebind",
        _so_reuseaddr_rebind(),
        ("linux:net/ipv4/inet_connection_sock.c:inet_bind_conflict",
         "linux:net/ipv4/inet_connection_sock.c:inet_csk_bind_conflict",
         "linux:net/ipv4/inet_timewait_sock.c:inet_twsk_alloc"),
        applies="Linux (read in 2.6-era, 6.12 and 6.18 sources; observed on 6.18 in notebook 08)",
    ),
    Fact(
        "bound_port_reconnect",
        _bound_port_reconnect(),
        ("linux:net/ipv4/inet_hashtables.c:__inet_hash_connect",
         "linux:net/ipv4/inet_hashtables.c:__inet_check_established",
         "linux:net/ipv4/tcp_ipv4.c:tcp_twsk_unique", "commit:ca6a6f93867a"),
        applies="Linux (read in 3.x, 6.12 and 6.18 sources; observed on 6.18 in notebook 08)",
    ),
    Fact(
        "tw_reuse_delay_by_version",
        _tw_reuse_delay_by_version(),
        ("linux:net/ipv4/tcp_ipv4.c:tcp_twsk_unique",
         "linux:Documentation/networking/ip-sysctl.rst:tcp_tw_reuse_delay",
         "commit:19ce8cd30465", "commit:ca6a6f93867a", "commit:cca9bab1b72c"),
        applies="Linux, by version as stated (the millisecond rule observed on 6.18 in notebook 08)",
    ),
    Fact(
        "paws_needs",
        _paws_needs(),
        ("rfc1323:4.2.1", "rfc1323:4.2.2", "rfc7323:5.4",
         "linux:Documentation/networking/ip-sysctl.rst:tcp_tw_reuse_delay",
         "commit:19ce8cd30465", "commit:ca6a6f93867a"),
        applies="any TCP with timestamps; the Linux delays as stated",
    ),
    Fact(
        "tcp_max_tw_buckets_overflow",
        "Linux caps the TIME_WAIT sockets of each network namespace at `tcp_max_tw_buckets`. At the cap a closing "
        "connection gets no TIME_WAIT socket: `inet_twsk_alloc()` returns none, and `tcp_time_wait()` counts "
        "`TCPTimeWaitOverflow` and closes the socket at once (`tcp_done()`, whose `tcp_set_state()` releases the "
        "port). Its port and 4-tuple are free at once, which is why people lower the cap, and it loses TIME_WAIT's "
        "protection: a retransmitted FIN finds no socket and gets a RST, and an old duplicate can reach the next "
        "incarnation, which is why `ip-sysctl.rst` says \"you _must_ not lower the limit artificially\". The "
        "default is half the established hash (ehash) the namespace uses (`tcp_set_hashinfo()`), so it depends on "
        "the machine's memory, or on `tcp_child_ehash_entries` for a namespace that has a table of its own.",
        ("linux:net/ipv4/inet_timewait_sock.c:sysctl_max_tw_buckets",
         "linux:net/ipv4/tcp_minisocks.c:LINUX_MIB_TCPTIMEWAITOVERFLOW", "linux:net/ipv4/tcp.c:tcp_set_state",
         "linux:net/ipv4/tcp_ipv4.c:tcp_set_hashinfo",
         "linux:Documentation/networking/ip-sysctl.rst:tcp_max_tw_buckets", "commit:d1e5e6408b30"),
        applies="Linux 6.18 (source read; observed on 6.18.44 in notebook 08's root lab); the default through "
                "`tcp_set_hashinfo()` since Linux 6.1, the release inferred from the commit's date",
    ),
)


def render(key: str) -> str:
    """The markdown a notebook shows for fact ``key``: the statement, then its sources.

    Sources that are inferred or unverified say so.
    """
    from tcpmodel.ledger import LEDGER, UnknownCitation

    try:
        fact = FACTS[key]
    except KeyError:
        raise KeyError(f"no fact {key!r}; the facts are {sorted(FACTS)}") from None
    cites = []
    for k in fact.sources:
        if k not in LEDGER:
            raise UnknownCitation(f"fact {key}: source {k!r} is not in the ledger")
        cites.append(LEDGER[k].label)
    applies = f" Applies to: {fact.applies}." if fact.applies else ""
    return f"{fact.statement}{applies} *Sources: {'; '.join(dict.fromkeys(cites))}.*"


def show(key: str):  # noqa: ANN201 - IPython Markdown, imported lazily
    """Display fact ``key`` as markdown in a notebook (plain text elsewhere)."""
    try:
        from IPython.display import Markdown
    except ImportError:  # pragma: no cover - outside Jupyter
        return render(key)
    return Markdown(render(key))
