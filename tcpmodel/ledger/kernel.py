"""Ledger entries: Linux source files (file and symbol, at a named version) and kernel commits (with their first release).

Keep entries grouped by source and sorted by locator. Every entry's quote is
at most 25 words, copied from the source; status is "inferred" or
"unverified" (with how) when the claim could not be read at the source.
"""

from __future__ import annotations

from tcpmodel.ledger._source import commit, kernel_source, man, rfc, vendor  # noqa: F401

ENTRIES = (
    # tcp_max_tw_buckets (issue 13, finding 1). tcp_minisocks.c, tcp_ipv4.c and tcp.c read in a 6.18.y tree
    # (6952350/linux-6.18.y; it has 6.18's AccECN and PSP code); inet_timewait_sock.c in Linux 6.12
    # (/usr/src/linux-source-6.12.tar.xz) and in a post-6.16 gregkh/linux tree (timer_container_of), same test;
    # ip-sysctl.rst in codesnas/linux-6.18.y. The behaviour was observed on Linux 6.18.44 (tools/root_lab.py).
    kernel_source(
        "net/ipv4/inet_timewait_sock.c", "sysctl_max_tw_buckets",
        "if (refcount_read(&dr->tw_refcount) - 1 >= READ_ONCE(dr->sysctl_max_tw_buckets)) return NULL;",
        version="6.12",
        title="inet_twsk_alloc(): no TIME_WAIT socket once the namespace's death row holds tcp_max_tw_buckets",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "LINUX_MIB_TCPTIMEWAITOVERFLOW",
        "} else { /* Sorry, if we're out of memory, just CLOSE this socket up. ... */ "
        "NET_INC_STATS(net, LINUX_MIB_TCPTIMEWAITOVERFLOW); } tcp_update_metrics(sk); tcp_done(sk);",
        version="6.18",
        title="tcp_time_wait(): without a TIME_WAIT socket, count TCPTimeWaitOverflow and close at once (tcp_done)",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "tcp_set_state",
        "case TCP_CLOSE: ... sk->sk_prot->unhash(sk); if (inet_csk(sk)->icsk_bind_hash && "
        "!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) inet_put_port(sk);",
        version="6.18",
        title="tcp_set_state(TCP_CLOSE), called by tcp_done(): unhash the socket and release its port",
    ),
    kernel_source(
        "net/ipv4/tcp_ipv4.c", "tcp_set_hashinfo",
        "ehash_entries = roundup_pow_of_two(ehash_entries); ... net->ipv4.tcp_death_row.sysctl_max_tw_buckets = "
        "ehash_entries / 2;",
        version="6.18",
        title="tcp_set_hashinfo(): a namespace's default tcp_max_tw_buckets is half the ehash it uses "
        "(its own when the creator's tcp_child_ehash_entries is set, else the global one)",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_max_tw_buckets",
        "If this number is exceeded time-wait socket is immediately destroyed and warning is printed. ... "
        "you _must_ not lower the limit artificially",
        version="6.18",
        title="tcp_max_tw_buckets (the 6.18 code prints no warning; it counts TCPTimeWaitOverflow)",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_child_ehash_entries",
        "If the value is not 0, the kernel uses a value rounded up to 2^n as the actual hash bucket size.",
        version="6.18",
        title="tcp_child_ehash_entries: a child namespace's own ehash size; the default tcp_max_tw_buckets depends on it",
    ),
    commit(
        "d1e5e6408b305ff78b825d437df8d3f77e82a4be", "tcp: Introduce optional per-netns ehash.", "6.1",
        "Note also that the default values of two sysctl knobs depend on the ehash size ... tcp_max_tw_buckets : "
        "tcp_child_ehash_entries / 2",
        status="inferred",
        how="message read in its v6 posting to netdev (2022-09-08) under the same subject, not in the commit; first "
        "release inferred from that date and from tcp_set_hashinfo() being in the Linux 6.1 source; no 6.0 tree read",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "__tcp_close",
        "} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) { /* Check zero linger _after_ "
        "checking for unread data. */ sk->sk_prot->disconnect(sk, 0);",
        version="6.12", title="__tcp_close(): SO_LINGER with a zero timeout disconnects (tcp_disconnect)",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "tcp_disconnect",
        "if (old_state != TCP_CLOSE) tcp_set_state(sk, TCP_CLOSE); ... } else if (tcp_need_reset(old_state)) { "
        "tcp_send_active_reset(sk, SK_RST_REASON_TCP_STATE);",
        version="6.12", title="tcp_disconnect(): goes to TCP_CLOSE (no TIME_WAIT) and sends a RST from ESTABLISHED, "
        "CLOSE_WAIT, FIN_WAIT1/2, SYN_RECV",
    ),
    kernel_source(
        "include/net/tcp.h", "TCP_TIMEWAIT_LEN",
        "#define TCP_TIMEWAIT_LEN (60*HZ) /* how long to wait to destroy TIME-WAIT state, about 60 seconds */",
        version="6.12", title="TCP_TIMEWAIT_LEN: how long Linux keeps a socket in TIME_WAIT",
    ),
)
