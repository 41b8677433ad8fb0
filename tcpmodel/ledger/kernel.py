"""Ledger entries: Linux source files (file and symbol, at a named version) and kernel commits (with their first release).

Keep entries grouped by source and sorted by locator. Every entry's quote is
at most 25 words, copied from the source; status is "inferred" or
"unverified" (with how) when the claim could not be read at the source.
"""

from __future__ import annotations

from tcpmodel.ledger._source import commit, kernel_source, man, rfc, vendor  # noqa: F401

#: How the Linux 4.9 entries below were read (tcp_tw_recycle, issue 13 finding 10).
_TREE_49 = ("read in KudProject/kernel_msm-4.9, an Android kernel tree based on Linux 4.9, not at the upstream v4.9 "
            "tag; that 4.10 and 4.11 kept this code is inferred from commit 4396e46187ca removing tcp_tw_recycle in 4.12")

ENTRIES = (
    commit(
        "07f4c90062f8fc7c8c26f8f95324cbe8fa3145a5", "tcp/dccp: try to not exhaust ip_local_port_range in connect()",
        "4.2",
        "Therefore, default /proc/sys/net/ipv4/ip_local_port_range was changed to 32768 - 60999 (instead of 32768 - 61000)",
        status="inferred",
        how="message read at a git mirror of the commit (dated 2015-05-24); first release 4.2 inferred from that date "
        "(net-next after the 4.1 merge window) and a Q&A answer; no 4.1 or 4.2 tree read",
    ),
    # tcp_max_tw_buckets (issue 13, finding 1). tcp_minisocks.c, tcp_ipv4.c and tcp.c read in a 6.18.y tree
    # (6952350/linux-6.18.y; it has 6.18's AccECN and PSP code); inet_timewait_sock.c in Linux 6.12
    # (Debian's linux-source-6.12 package) and in a post-6.16 gregkh/linux tree (timer_container_of), same test;
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
    # Read in Linux 6.12 (Debian's linux-source-6.12 package); the /proc/net/tcp timer was also observed on
    # Linux 6.18.44 (CONFIG_HZ=250): a fresh TIME_WAIT showed 0x1766 = 5990 ticks, 59.9 s at USER_HZ=100.
    kernel_source(
        "include/net/tcp.h", "TCP_PAWS_MSL",
        "#define TCP_PAWS_MSL 60 /* Per-host timestamps are invalidated after this time. It should be equal "
        "(or greater than) TCP_TIMEWAIT_LEN",
        version="6.12", title="TCP_PAWS_MSL: how long a saved per-host timestamp stays valid (the only MSL-named constant)",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "tcp_time_wait",
        "if (state == TCP_TIME_WAIT) timeo = TCP_TIMEWAIT_LEN;",
        version="6.12", title="tcp_time_wait(): a socket entering TIME_WAIT waits TCP_TIMEWAIT_LEN",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "ip_local_port_range",
        "ip_local_port_range - 2 INTEGERS ... The default values are 32768 and 60999 respectively.",
        version="6.12", title="ip_local_port_range: the default ephemeral range",
    ),
    # Notebook 07 audit (myth "the port range ends at 61000"; tcp_tw_recycle clocks). Read in Linux 6.12
    # (Debian's linux-source-6.12 package, 6.12.117); af_inet.c also in 6.1 (range[0] = 32768; range[1] = 60999).
    kernel_source(
        "net/ipv4/af_inet.c", "inet_init_net",
        "/* * Set defaults for local port range */ net->ipv4.ip_local_ports.range = 60999u << 16 | 32768u;",
        version="6.12", title="inet_init_net(): each network namespace starts with ip_local_port_range 32768-60999 "
                              "(6.1 sets range[0] = 32768 and range[1] = 60999)",
    ),
    kernel_source(
        "include/net/tcp.h", "TCP_TS_HZ",
        "Deliver a 32bit value for TCP timestamp option (RFC 7323) It is no longer tied to jiffies, but to 1 ms "
        "clock. #define TCP_TS_HZ 1000",
        version="6.12", title="TCP_TS_HZ: the TSval clock ticks every millisecond (a Linux 4.9 tree used jiffies)",
    ),
    kernel_source(
        "Documentation/networking/proc_net_tcp.rst", "tm->when",
        "01:00000019 ... number of jiffies until timer expires ... 3 this is a socket in TIME_WAIT state.",
        version="6.12",
        title="/proc/net/tcp format; it says 'jiffies', but the code prints clock ticks (see get_timewait4_sock)",
    ),
    kernel_source(
        "net/ipv4/tcp_ipv4.c", "get_timewait4_sock",
        "long delta = tw->tw_timer.expires - jiffies; ... 3, jiffies_delta_to_clock_t(delta), 0, 0, 0, 0,",
        version="6.12", title="get_timewait4_sock(): a TIME_WAIT row's timer, converted to clock_t (USER_HZ ticks)",
    ),
    kernel_source(
        "include/linux/jiffies.h", "jiffies_delta_to_clock_t",
        "static inline clock_t jiffies_delta_to_clock_t(long delta) { return jiffies_to_clock_t(max(0L, delta));",
        version="6.12", title="jiffies_delta_to_clock_t(): jiffies to clock_t ticks",
    ),
    kernel_source(
        "include/asm-generic/param.h", "USER_HZ",
        "# define HZ CONFIG_HZ /* Internal kernel timer frequency */ # define USER_HZ 100 /* some user interfaces are */",
        version="6.12", title="USER_HZ = 100: the tick of clock_t values shown to user space, whatever CONFIG_HZ is",
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
    # A SYN reaching a TIME_WAIT socket, and ISNs between incarnations (helper: findings 4-6).
    # tcp_minisocks.c read in a 6.18.y tree (6952350/linux-6.18.y, commit 969dea0d031e: it has the 6.18 PSP
    # hooks) and in 6.12 (Debian's linux-source-6.12 package, 6.12.117); tcp_ipv4.c and secure_seq.c in 6.12.
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "tcp_timewait_state_process",
        "RED-PEN: we violate main RFC requirement, if this SYN will appear old duplicate (i.e. we receive RST "
        "in reply to SYN-ACK),",
        version="6.18", title="tcp_timewait_state_process(): accepts a new SYN in TIME_WAIT, and says it does not "
                              "return to TIME_WAIT if the SYN was an old duplicate",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "TCP_TW_SYN",
        "(after(TCP_SKB_CB(skb)->seq, rcv_nxt) || (tmp_opt.saw_tstamp && ... u32 isn = tcptw->tw_snd_nxt + "
        "65535 + 2;",
        version="6.18", title="tcp_timewait_state_process() returns TCP_TW_SYN for a SYN after RCV.NXT or with a "
                              "newer timestamp, and the new ISN is the old SND.NXT + 65535 + 2",
    ),
    kernel_source(
        "net/ipv4/tcp_ipv4.c", "tcp_v4_rcv",
        "case TCP_TW_SYN: { struct sock *sk2 = inet_lookup_listener(net, ... if (sk2) { "
        "inet_twsk_deschedule_put(inet_twsk(sk)); sk = sk2;",
        version="6.12", title="tcp_v4_rcv(): on TCP_TW_SYN the timewait socket is removed and the SYN goes to the "
                              "listener",
    ),
    kernel_source(
        "net/ipv4/tcp_input.c", "tcp_rcv_synsent_state_process",
        "/* Previous FIN/ACK or RST/ACK might be ignored. */ if (icsk->icsk_retransmits == 0) "
        "inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, TCP_TIMEOUT_MIN, TCP_RTO_MAX);",
        version="6.12", title="tcp_rcv_synsent_state_process(): an ACK that does not acknowledge our SYN gets a RST, "
                              "and the SYN is retransmitted after TCP_TIMEOUT_MIN (2 jiffies)",
    ),
    # A SYN refused by TIME_WAIT, and what ends a TIME_WAIT socket (tools/root_lab.py; observed on Linux 6.18.44).
    # Read in Linux 6.12 (Debian's linux-source-6.12 package, 6.12.117).
    kernel_source(
        "net/ipv4/tcp_ipv4.c", "tcp_v4_send_reset",
        "rep.th.rst = 1; if (th->ack) { rep.th.seq = th->ack_seq; } else {",
        version="6.12", title="tcp_v4_send_reset(): a RST answering a segment with ACK carries that ACK number as "
                              "its sequence number",
    ),
    kernel_source(
        "include/net/tcp.h", "TCP_TIMEOUT_MIN",
        "#define TCP_TIMEOUT_MIN (2U) /* Min timeout for TCP timers in jiffies */",
        version="6.12", title="TCP_TIMEOUT_MIN: 2 jiffies",
    ),
    kernel_source(
        "net/ipv4/tcp_timer.c", "tcp_write_timeout",
        "max_retransmits = retry_until; if (sk->sk_state == TCP_SYN_SENT) max_retransmits += "
        "READ_ONCE(net->ipv4.sysctl_tcp_syn_linear_timeouts); expired = icsk->icsk_retransmits >= max_retransmits;",
        version="6.12", title="tcp_write_timeout(): a SYN-SENT socket gives up (ETIMEDOUT) after tcp_syn_retries + "
                              "tcp_syn_linear_timeouts retransmissions",
    ),
    kernel_source(
        "net/ipv4/tcp_timer.c", "tcp_retransmit_timer",
        "} else if (sk->sk_state != TCP_SYN_SENT || tp->total_rto > ... sysctl_tcp_syn_linear_timeouts)) { "
        "icsk->icsk_backoff++; icsk->icsk_rto = min(icsk->icsk_rto << 1, TCP_RTO_MAX);",
        version="6.12", title="tcp_retransmit_timer(): the RTO doubles after each retransmission, past a SYN's "
                              "linear timeouts",
    ),
    kernel_source(
        "net/ipv4/inet_timewait_sock.c", "tw_timer_handler",
        "static void tw_timer_handler(struct timer_list *t) { struct inet_timewait_sock *tw = from_timer(tw, t, "
        "tw_timer); inet_twsk_kill(tw); }",
        version="6.12", title="tw_timer_handler(): the TIME_WAIT timer removes the timewait socket",
    ),
    kernel_source(
        "net/ipv4/inet_timewait_sock.c", "inet_twsk_purge",
        "/* Remove all non full sockets (TIME_WAIT and NEW_SYN_RECV) for dead netns */",
        version="6.12", title="inet_twsk_purge(): a network namespace's TIME_WAIT sockets go with it",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "tcp_abort",
        "if (state == TCP_TIME_WAIT) { struct inet_timewait_sock *tw = inet_twsk(sk); ... inet_twsk_deschedule_put(tw);",
        version="6.12", title="tcp_abort() (SOCK_DESTROY, ss -K, with CONFIG_INET_DIAG_DESTROY): removes a TIME_WAIT "
                              "socket",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_syn_retries",
        "Number of times initial SYNs for an active TCP connection attempt will be retransmitted.",
        version="6.12", title="tcp_syn_retries (default 6), per network namespace",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_syn_linear_timeouts",
        "The number of times for an active TCP connection to retransmit SYNs with a linear backoff timeout before "
        "defaulting to an exponential backoff timeout.",
        version="6.12", title="tcp_syn_linear_timeouts (default 4)",
    ),
    kernel_source(
        "include/net/tcp.h", "before",
        "static inline bool before(__u32 seq1, __u32 seq2) { return (__s32)(seq1-seq2) < 0; } #define after(seq2, seq1) before(seq1, seq2)",
        version="6.12", title="before()/after(): sequence-number order by the sign of the 32-bit difference",
    ),
    kernel_source(
        "include/uapi/linux/tcp.h", "tcp_info",
        "struct tcp_info { __u8 tcpi_state; __u8 tcpi_ca_state; __u8 tcpi_retransmits; __u8 tcpi_probes; "
        "__u8 tcpi_backoff; __u8 tcpi_options;",
        version="6.12", title="struct tcp_info (TCP_INFO): tcpi_options (TCPI_OPT_TIMESTAMPS = 1) and "
                              "tcpi_total_retrans, which live.syn_to_time_wait reads",
    ),
    kernel_source(
        "net/core/secure_seq.c", "seq_scale",
        "Choosing a clock of 64 ns period is OK. (period of 274 s) */ return seq + (ktime_get_real_ns() >> 6);",
        version="6.12", title="seq_scale(): Linux's ISN is a keyed hash of the 4-tuple plus a 64 ns clock "
                              "(called by secure_tcp_seq(), or secure_tcp_seq_and_ts_off() since 2026 patches)",
    ),
    # tcp_tw_reuse, SO_REUSEADDR and bound-port reconnects (issue 13, findings 2, 3, 9). 6.18 files read at the
    # leftymods/linux-6.18.y mirror; 6.12 files in Debian's linux-source-6.12 package (Debian 6.12.117).
    kernel_source(
        "net/ipv4/inet_connection_sock.c", "inet_bind_conflict",
        "if (sk->sk_reuse && sk2->sk_reuse && sk2->sk_state != TCP_LISTEN) {",
        version="6.18", title="inet_bind_conflict(): a bound socket does not conflict only if both sockets set SO_REUSEADDR "
        "and the old one is not listening",
    ),
    kernel_source(
        "net/ipv4/inet_connection_sock.c", "inet_csk_bind_conflict",
        "sk_for_each_bound_bhash(sk2, tb2, tb) { if (!inet_bind_conflict(sk, sk2, uid, relax, reuseport_cb_ok, reuseport_ok)) continue;",
        version="6.18", title="inet_csk_bind_conflict(): walks the sockets bound to the port (called by inet_csk_get_port) "
        "and asks inet_bind_conflict() about each",
    ),
    kernel_source(
        "net/ipv4/inet_hashtables.c", "__inet_hash_connect",
        "int port = inet_sk(sk)->inet_num; ... if (port) { local_bh_disable(); ret = check_established(death_row, sk, port, NULL);",
        version="6.12", title="__inet_hash_connect(): a socket with a bound port checks its 4-tuple with twp == NULL "
        "(same call, with more arguments, in the March 2025 net-next patch 'inet: call inet6_ehashfn() once')",
    ),
    kernel_source(
        "net/ipv4/inet_hashtables.c", "__inet_check_established",
        "if (sk2->sk_state == TCP_TIME_WAIT) { tw = inet_twsk(sk2); if (sk->sk_protocol == IPPROTO_TCP && "
        "tcp_twsk_unique(sk, sk2, twp)) break; } goto not_unique;",
        version="6.12", title="__inet_check_established(): a TIME_WAIT 4-tuple is taken over if tcp_twsk_unique() agrees, "
        "else connect() fails with -EADDRNOTAVAIL",
    ),
    kernel_source(
        "net/ipv4/tcp_ipv4.c", "tcp_twsk_unique",
        "if (ts_recent_stamp && (!twp || (reuse && time_after32(tcp_clock_ms(), reuse_thresh)))) {",
        version="6.18", title="tcp_twsk_unique(): reuse needs the old connection's timestamps; a bound port (twp == NULL) "
        "skips tcp_tw_reuse and the delay (reuse_thresh = tw_entry_stamp + tcp_tw_reuse_delay)",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_tw_reuse_delay",
        "The actual reuse threshold is within [N, N+1] range ... It should not be set to a value lower than "
        "the peer's clock tick",
        version="6.14", title="tcp_tw_reuse_delay: milliseconds, default 1000 (added by commit ca6a6f93867a; "
        "read in that patch and on docs.kernel.org; absent from the 6.12 file)",
    ),
    commit(
        "19ce8cd3046587efbd2c6253947be7c22dfccc18", "tcp: Measure TIME-WAIT reuse delay with millisecond precision", "6.14",
        "due to timestamp rounding, the TW reuse delay will actually be between (0, 1] seconds, and 0.5 seconds on average.",
    ),
    commit(
        "ca6a6f93867a9763bdf8685c788e2e558d10975f", "tcp: Add sysctl to configure TIME-WAIT reuse delay", "6.14",
        "Such immediate connection reuse may result in PAWS failing to detect old duplicate segments, leaving us "
        "with just the sequence number check",
    ),
    commit(
        "cca9bab1b72cd2296097c75f59ef11ef80461279", "tcp: use monotonic timestamps for PAWS", "4.19",
        "a nicer solution is to use a monotonic clocksource with ktime_get_seconds() that simply doesn't overflow",
        status="inferred",
        how="message read at a git mirror; first release inferred: committed to net-next on 2018-07-12, after the "
        "4.18 merge window, and a 4.19 tree has its time_after32(ktime_get_seconds(), ...) test; no 4.18/4.19 release read",
    ),
    kernel_source(
        "net/ipv4/inet_timewait_sock.c", "inet_twsk_alloc",
        "tw->tw_reuse = sk->sk_reuse;",
        version="6.12", title="inet_twsk_alloc(): the TIME_WAIT socket copies SO_REUSEADDR (sk_reuse) from the socket "
        "it replaces (also 2.6-era and 6.x copies read)",
    ),
    # tcp_tw_recycle (issue 13, finding 10). Linux 4.9 files read in KudProject/kernel_msm-4.9, an Android tree
    # based on Linux 4.9 (commits 920d24edbbde, 1400a2d11ad2, 7f42cb46c33a, 8aaf09a76bb7); 6.12 files in
    # Debian's linux-source-6.12 package (Debian 6.12.117).
    kernel_source(
        "include/net/tcp.h", "TCP_PAWS_WINDOW",
        "#define TCP_PAWS_WINDOW 1 /* Replay window for per-host timestamps. It must be less than minimal "
        "timewait lifetime. */",
        version="6.12", title="TCP_PAWS_WINDOW: how many ticks behind the saved per-host timestamp a SYN may be",
    ),
    kernel_source(
        "include/net/tcp.h", "TCP_RTO_MIN",
        "#define TCP_RTO_MIN ((unsigned)(HZ/5))",
        version="6.12", title="TCP_RTO_MIN: the smallest retransmission timeout, 200 ms",
    ),
    kernel_source(
        "include/net/tcp.h", "TCP_TIMEOUT_INIT",
        "#define TCP_TIMEOUT_INIT ((unsigned)(1*HZ)) /* RFC6298 2.1 initial RTO value */",
        version="6.12", title="TCP_TIMEOUT_INIT: the initial retransmission timeout (a SYN's first), 1 s",
    ),
    # Issue 14 review (notebook 10 §2, tcpmodel.diagnose): read in Debian's linux-source-6.12 (6.12.117).
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_rto_min_us",
        "tcp_rto_min_us - INTEGER Minimal TCP retransmission timeout (in microseconds). ... Default: 200000",
        version="6.12", title="tcp_rto_min_us: the smallest RTO, a sysctl in 6.12 (a route's rto_min takes "
                              "precedence); default 200 ms, the value of TCP_RTO_MIN",
    ),
    kernel_source(
        "net/ipv4/tcp_input.c", "tcp_rtt_estimator",
        "tp->rttvar_us = max(tp->mdev_us, tcp_rto_min_us(sk));",
        version="6.12", title="tcp_rtt_estimator(): the variance term is kept at or above the minimum RTO, so "
                              "RTO = SRTT + RTTVAR never falls below it (__tcp_set_rto)",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "tcp_check_req",
        "req->rsk_ops->send_ack(sk, skb, req); if (paws_reject) NET_INC_STATS(sock_net(sk), LINUX_MIB_PAWSESTABREJECTED);",
        version="6.12", title="tcp_check_req(): a segment PAWS rejects on a SYN_RECV request socket counts as PAWSEstab",
    ),
    kernel_source(
        "net/ipv4/tcp_ipv4.c", "tcp_v4_do_rcv",
        "reason = tcp_rcv_state_process(sk, skb); if (reason) { rsk = sk; goto reset; }",
        version="6.12", title="tcp_v4_do_rcv(): a segment tcp_rcv_state_process() refuses (a SYN-ACK PAWSActive "
                              "rejects) is answered with a RST; the socket is not closed",
    ),
    kernel_source(
        "include/net/tcp.h", "tcp_time_stamp",
        "We decided to use only the low 32-bits of jiffies and hide the ugly casts with the following macro. "
        "#define tcp_time_stamp ((__u32)(jiffies))",
        version="4.9", title="tcp_time_stamp: before 4.10 the TSval was the low 32 bits of jiffies (uptime)",
        status="inferred", how=_TREE_49,
    ),
    kernel_source(
        "include/linux/jiffies.h", "INITIAL_JIFFIES",
        "Have the 32-bit jiffies value wrap 5 minutes after boot so jiffies wrap bugs show up earlier. "
        "#define INITIAL_JIFFIES ((unsigned long)(unsigned int) (-300*HZ))",
        version="6.12", title="INITIAL_JIFFIES: jiffies start 300 s below zero at boot",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "recycle_ok",
        "recycle_ok = tcp_remember_stamp(sk); ... const int rto = (icsk->icsk_rto << 2) - (icsk->icsk_rto >> 1); "
        "... if (recycle_ok) { tw->tw_timeout = rto;",
        version="4.9", title="tcp_time_wait() with tcp_tw_recycle: any socket closing first saves the peer's "
        "timestamp and waits 3.5 × RTO instead of TCP_TIMEWAIT_LEN",
        status="inferred", how=_TREE_49,
    ),
    kernel_source(
        "net/ipv4/tcp_input.c", "sysctl_tw_recycle",
        "if (tcp_death_row.sysctl_tw_recycle) { ... if (dst && strict && !tcp_peer_is_proven(req, dst, true, "
        "tmp_opt.saw_tstamp)) { NET_INC_STATS(sock_net(sk), LINUX_MIB_PAWSPASSIVEREJECTED);",
        version="4.9", title="tcp_conn_request() with tcp_tw_recycle: a SYN that fails the per-host check is "
        "dropped and counted",
        status="inferred", how=_TREE_49,
    ),
    kernel_source(
        "net/ipv4/tcp_metrics.c", "tcp_peer_is_proven",
        "(u32)get_seconds() - tm->tcpm_ts_stamp < TCP_PAWS_MSL && ((s32)(tm->tcpm_ts - req->ts_recent) > "
        "TCP_PAWS_WINDOW || !timestamps)) ret = false;",
        version="4.9", title="tcp_peer_is_proven(): the per-host timestamp check of tcp_tw_recycle",
        status="inferred", how=_TREE_49,
    ),
    kernel_source(
        "net/ipv4/tcp_metrics.c", "tcp_remember_stamp",
        "VJ's idea. Save last timestamp seen from this destination and hold it at least for normal timewait "
        "interval to use for duplicate segment detection",
        version="4.9", title="tcp_remember_stamp(): the per-destination timestamp cache, updated on entering TIME_WAIT",
        status="inferred", how=_TREE_49,
    ),
    kernel_source(
        "net/core/secure_seq.c", "secure_tcp_seq_and_ts_off",
        "st.hash64 = siphash_3u32((__force u32)saddr, (__force u32)daddr, ports, &net_secret);",
        version="6.12", title="secure_tcp_seq_and_ts_off(): the ISN and the timestamp offset from one hash of "
        "addresses and ports (commit 165573e41f2f, in Debian's 6.12.117)",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_fin_timeout",
        "The length of time an orphaned ... connection will remain in the FIN_WAIT_2 state before it is aborted at "
        "the local end.",
        version="6.12", title="tcp_fin_timeout: the FIN_WAIT_2 timeout of orphaned sockets, not TIME_WAIT",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_tw_reuse",
        "2 - enable for loopback traffic only ... It should not be changed without advice/request of technical "
        "experts. Default: 2",
        version="6.12", title="tcp_tw_reuse: values 0, 1, 2 (loopback only, the default); ask experts first",
    ),
    kernel_source(
        "net/ipv4/tcp_input.c", "tcp_validate_incoming",
        "/* step 4: Check for a SYN * RFC 5961 4.2 : Send a challenge ack */ if (th->syn) { ... "
        "tcp_send_challenge_ack(sk);",
        version="6.12", title="tcp_validate_incoming(): a SYN on a synchronized connection gets a challenge ACK",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_timestamps",
        "1: Enable timestamps as defined in RFC1323 and use random offset for each connection rather than only "
        "using the current time.",
        version="6.12", title="tcp_timestamps: 1 (the default) adds a random offset",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.txt", "tcp_tw_recycle",
        "tcp_tw_recycle - BOOLEAN Enable fast recycling TIME-WAIT sockets. Default value is 0. It should not be "
        "changed without advice/request of technical experts.",
        version="4.9", title="tcp_tw_recycle, as documented while it existed",
        status="inferred", how=_TREE_49,
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.txt", "tcp_timestamps",
        "tcp_timestamps - BOOLEAN Enable timestamps as defined in RFC1323.",
        version="4.9", title="tcp_timestamps in 4.9: on or off, no random offset",
        status="inferred", how=_TREE_49,
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.txt", "tcp_syn_retries",
        "Default value is 6, which corresponds to 63seconds till the last retransmission with the current "
        "initial RTO of 1second.",
        version="4.9", title="tcp_syn_retries in 4.9: 6 retransmissions, doubling from 1 s",
        status="inferred", how=_TREE_49,
    ),
    commit(
        "95a22caee396cef0bb2ca8fafdd82966a49367bb", "tcp: randomize tcp timestamp offsets for each connection", "4.10",
        "tcp: randomize tcp timestamp offsets for each connection",
        status="inferred",
        how="not read at git.kernel.org: the subject is quoted in commit 4396e46187ca's message (there with the id "
        "8a5bd45f6616), and third-party pages link this id and date it to Linux 4.10; a Linux 4.9 tree's "
        "ip-sysctl.txt still has tcp_timestamps as a plain BOOLEAN",
    ),
    commit(
        "28ee1b746f493b7c62347d714f58fbf4f70df4f0", "secure_seq: downgrade to per-host timestamp offsets", "4.11",
        "secure_seq: downgrade to per-host timestamp offsets",
        status="inferred",
        how="not read at git.kernel.org: subject and effect read in commit 165573e41f2f, which reverts it (its "
        "stable copies remove secure_tcp_ts_off(), a hash of saddr and daddr only); first release 4.11 from "
        "third-party pages",
    ),
    commit(
        "4396e46187ca5070219b81773c4e65088dac50cc", "tcp: remove tcp_tw_recycle", "4.12",
        "The tcp_tw_recycle was already broken for connections behind NAT, since the per-destination timestamp "
        "is not monotonically increasing for multiple machines behind a single destination address.",
        status="inferred",
        how="message read in copies that quote it word for word (cnxct.com, djangocas.dev), not at git.kernel.org; "
        "first release 4.12 from tcp(7) (man-pages 6.03: 'Linux 2.4 to Linux 4.11', source comment 'removed in "
        "Linux 4.12; commit 4396e46187ca')",
    ),
    commit(
        "165573e41f2f66ef98940cf65f838b2cb575d9d1", "tcp: secure_seq: add back ports to TS offset", "7.0",
        "This reverts 28ee1b746f49 (\"secure_seq: downgrade to per-host timestamp offsets\") tcp_tw_recycle went "
        "away in 2017.",
        status="inferred",
        how="message read in its stable-review copies ('[PATCH 6.19 274/311]', 2026-03-10, and a 6.12.y backport, "
        "2026-06-16), not at git.kernel.org; first release 7.0 inferred from those dates; present in Debian's "
        "6.12.117 source (secure_tcp_seq_and_ts_off)",
    ),
    # More sources of tcpmodel.linux, socket_rules and live (helper of findings 2, 3, 9); read in
    # Debian's linux-source-6.12 package (Debian 6.12.117) unless a version says otherwise.
    kernel_source(
        "net/ipv4/tcp_input.c", "tcp_fin",
        "case TCP_FIN_WAIT2: /* Received a FIN -- send ACK and enter TIME_WAIT. */ tcp_send_ack(sk); "
        "tcp_time_wait(sk, TCP_TIME_WAIT, 0);",
        version="6.12", title="tcp_fin(): the side that sent the first FIN enters TIME_WAIT when the peer's FIN arrives",
    ),
    # A socket closed with close() becomes a FIN_WAIT2 timewait socket before the peer's FIN (notebook 08 §1-2;
    # observed on Linux 6.18.44: after close() the row is FIN_WAIT2 with timer type 3, after shutdown() it has no
    # timer). Read in Linux 6.12 (Debian's linux-source-6.12 package, 6.12.117).
    kernel_source(
        "net/ipv4/tcp_input.c", "tcp_rcv_state_process",
        "tmo = tcp_fin_time(sk); if (tmo > TCP_TIMEWAIT_LEN) { ... } else { tcp_time_wait(sk, TCP_FIN_WAIT2, tmo); goto consume;",
        version="6.12", title="tcp_rcv_state_process(), FIN_WAIT1: once its FIN is acknowledged, a socket the application "
                              "has closed (SOCK_DEAD) becomes a timewait socket in substate FIN_WAIT2",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "tw_substate",
        "/* FIN arrived, enter true time-wait state. */ WRITE_ONCE(tw->tw_substate, TCP_TIME_WAIT); ... "
        "inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN);",
        version="6.12", title="tcp_timewait_state_process(): the peer's FIN turns a FIN_WAIT2 timewait socket into "
                              "TIME_WAIT with a fresh TCP_TIMEWAIT_LEN timer",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "tcp_init",
        "alloc_large_system_hash(\"TCP established\", sizeof(struct inet_ehash_bucket), thash_entries, 17, "
        "/* one slot per 128 KB of memory */",
        version="6.12", title="tcp_init(): the global established hash is sized from memory at boot (its half is the "
                              "default tcp_max_tw_buckets)",
    ),
    # Why Linux waits 60 s, in the kernel's own words (seed claim why-tw/linux-60s-earlier). Read in Linux 6.12.
    kernel_source(
        "net/ipv4/inet_timewait_sock.c", "__inet_twsk_schedule",
        "Linux. following BSD, violates this requirement waiting only for 60sec, we should wait at least for 240 secs. "
        "Well, 240 consumes too much of resources",
        version="6.12", title="__inet_twsk_schedule(): the comment on TIME_WAIT's length (60 s, following BSD, where "
                              "the RTO argument asks for 240 s)",
    ),
    # The 3.x "death row": TIME_WAIT sockets expired in batches by a periodic timer and a work queue, and sockets
    # shortened by tcp_tw_recycle on a faster calendar (inet_twdr_twcal_tick) (seed claim five-cases/recycling-process).
    kernel_source(
        "net/ipv4/inet_timewait_sock.c", "inet_twdr_hangman",
        "if (inet_twdr_do_twkill_work(twdr, twdr->slot)) { ... schedule_work(&twdr->twkill_work); ... mod_timer(&twdr->tw_timer, "
        "jiffies + twdr->period);",
        version="3.6", title="inet_twdr_hangman(): Linux 3.x killed TIME_WAIT sockets slot by slot from a periodic timer, "
                             "handing big slots to a work queue",
        status="inferred",
        how="read in New-B/Linux3.6 (commit b5154d3e5bc2), a repository named for Linux 3.6, not at the upstream v3.6 "
            "tag; the release that replaced it by one timer per socket was not read (6.12 has tw_timer_handler())",
    ),
    # A RST ending a connection, and a connection that gives up (notebook 03, the simulator's engine). Read in
    # Debian's linux-source-6.12 package (Debian 6.12.117).
    kernel_source(
        "net/ipv4/tcp_input.c", "tcp_reset",
        "case TCP_SYN_SENT: err = ECONNREFUSED; break; case TCP_CLOSE_WAIT: err = EPIPE; break; "
        "case TCP_CLOSE: return; default: err = ECONNRESET;",
        version="6.12", title="tcp_reset(): a valid RST sets the socket error: ECONNREFUSED in SYN-SENT, EPIPE in "
                              "CLOSE-WAIT, ECONNRESET in every other state (LAST-ACK and CLOSING included)",
    ),
    kernel_source(
        "net/ipv4/tcp_input.c", "tcp_done_with_error",
        "WRITE_ONCE(sk->sk_err, err); ... tcp_write_queue_purge(sk); tcp_done(sk); if (!sock_flag(sk, SOCK_DEAD)) "
        "sk_error_report(sk);",
        version="6.12", title="tcp_done_with_error(): closes the socket with an error, reported only to an "
                              "application that still holds it (not an orphan left by close())",
    ),
    kernel_source(
        "net/ipv4/tcp_timer.c", "tcp_write_err",
        "tcp_done_with_error(sk, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT); "
        "__NET_INC_STATS(sock_net(sk), LINUX_MIB_TCPABORTONTIMEOUT);",
        version="6.12", title="tcp_write_err(): a connection that ran out of retransmissions is closed with "
                              "ETIMEDOUT and no RST is sent",
    ),
    kernel_source(
        "include/net/ip.h", "ip_decrease_ttl",
        "int ip_decrease_ttl(struct iphdr *iph) { u32 check = (__force u32)iph->check; ... return --iph->ttl; }",
        version="6.12", title="ip_decrease_ttl(): a Linux router takes exactly one off the TTL of each packet it "
                              "forwards (ip_forward() in net/ipv4/ip_forward.c), however long it held it",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "tcp_poll",
        "/* This barrier is coupled with smp_wmb() in tcp_done_with_error() */ smp_rmb(); if "
        "(READ_ONCE(sk->sk_err) || ... mask |= EPOLLERR;",
        version="6.12", title="tcp_poll(): a socket error (a reset) shows as EPOLLERR",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "tcp_recvmsg_locked",
        "} else { if (sock_flag(sk, SOCK_DONE)) break; if (sk->sk_err) { copied = sock_error(sk); break; }",
        version="6.12", title="tcp_recvmsg_locked(): after the peer's FIN (SOCK_DONE) read() returns end-of-file "
                              "before it looks at a socket error",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_rfc1337",
        "If set, the TCP stack behaves conforming to RFC1337. If unset, we are not conforming to RFC, but prevent "
        "TCP TIME_WAIT assassination. Default: 0",
        version="6.12", title="tcp_rfc1337: default 0 (the text's 'prevent TCP TIME_WAIT assassination' for the "
                              "unset case is the reverse of what tcp_timewait_state_process() does)",
    ),
    kernel_source(
        "include/net/tcp.h", "tcp_time_stamp_ms",
        "TCP Timestamp included in TS option (RFC 1323) can either use ms or usec resolution. ... "
        "static inline u32 tcp_time_stamp_ms(",
        version="6.12", title="tcp_time_stamp_ms(): the TSval clock ticks in milliseconds (microseconds when the "
                              "socket's usec_ts flag is set)",
    ),
    kernel_source(
        "net/ipv4/sysctl_net_ipv4.c", "tcp_tw_reuse_delay",
        "static unsigned int tcp_tw_reuse_delay_max = TCP_PAWS_MSL * MSEC_PER_SEC; ... .procname = \"tcp_tw_reuse_delay\",",
        version="6.14", title="the tcp_tw_reuse_delay sysctl: 1 to TCP_PAWS_MSL * 1000 ms (read in commit ca6a6f93867a's "
        "patch; the 6.12 file has tcp_tw_reuse but no tcp_tw_reuse_delay)",
    ),
    kernel_source(
        "include/net/tcp_states.h", "TCP_TIME_WAIT",
        "TCP_ESTABLISHED = 1, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_TIME_WAIT, TCP_CLOSE,",
        version="6.12", title="the TCP state numbers /proc/net/tcp prints (TCP_TIME_WAIT = 6)",
    ),
    # Read in Linux 6.12 (Debian's linux-source-6.12 package). Observed on Linux 6.18.44 (CONFIG_HZ=250): a server port
    # held by a TIME_WAIT socket took bind() again 61.2-61.4 s after the close (3 loopback runs), not before 60 s.
    kernel_source(
        "kernel/time/timer.c", "calc_index",
        "The timer wheel has to guarantee that a timer does not fire early. ... Round up with level granularity to prevent this.",
        version="6.12", title="calc_index(): a timer wheel timer never fires early; far-off timers are rounded up to their "
        "level's granularity (the TIME_WAIT timer may fire a little after TCP_TIMEWAIT_LEN)",
    ),
    kernel_source(
        "include/uapi/linux/in.h", "IP_LOCAL_PORT_RANGE",
        "#define IP_LOCAL_PORT_RANGE\t\t51",
        version="6.12", title="IP_LOCAL_PORT_RANGE: the socket option that narrows one socket's ephemeral port range",
    ),
    kernel_source(
        "include/linux/tcp.h", "tcp_timewait_sock",
        "struct tcp_timewait_sock { struct inet_timewait_sock tw_sk; ... u32 tw_ts_recent; ... int tw_ts_recent_stamp;",
        version="6.12", title="struct tcp_timewait_sock: the TIME_WAIT minisock, with the last timestamp and when it arrived",
    ),
    commit(
        "79e9fed460385a3d8ba0b5782e9e74405cb199b1", "net-tcp: extend tcp_tw_reuse sysctl to enable loopback only optimization",
        "4.18",
        "2 enables timewait socket reuse only for sockets that we can prove are loopback connections",
        status="inferred",
        how="message read at a git mirror; first release inferred: committed to net-next on 2018-06-04, the day the 4.18 "
        "merge window opened (4.17 was released on 2018-06-03); no 4.18 tree read",
    ),
    # Simultaneous open in SYN-RECV (tcpmodel.states VARIANTS, notebook 01 §2). The check itself was read in
    # tcp_validate_incoming() of Linux 6.12.117 and 6.1.192 (Debian's linux-source packages); observed on 6.18.44: a socket connecting to its
    # own port (a simultaneous open) completes with no TCPSYNChallenge counted.
    commit(
        "23e89e8ee7be73e21200947885a6d3a109a2c58d", "tcp: Don't drop SYN+ACK for simultaneous connect().", "6.11",
        "Let's accept a bare SYN+ACK for active-open TCP_SYN_RECV sockets to avoid such a situation.",
        status="inferred",
        how="message and diff read in the 6.10-stable review patch of 2024-09-10 ('[ Upstream commit "
        "23e89e8ee7be73e21200947885a6d3a109a2c58d ]'; 6.1 and 6.6 review patches the same day); first release 6.11 "
        "inferred: the patch was applied to net-next in July 2024 (google/packetdrill PR #86, 2024-07-17, links it "
        "in net-next.git) and stable took it as a backport for 6.10, so 6.10 itself lacks it; no 6.11 tree read",
    ),
    commit(
        "0c24604b68fc", "tcp: implement RFC 5961 4.2", "3.6",
        "since commit 0c24604b68fc (\"tcp: implement RFC 5961 4.2\"), such a SYN+ACK is dropped in "
        "tcp_validate_incoming() and responded with Challenge ACK.",
        status="inferred",
        how="the commit's own message was not found in the stored material; its subject and effect are read in commit "
        "23e89e8ee7be's message (quoted here), and its check ('RFC 5961 4.2 : Send a challenge ack') in Linux 6.1 and "
        "6.12 tcp_validate_incoming(); first release 3.6 not read at a source, only consistent with a netdev reply saying that commit "
        "e37158991701 refined this SYN handling after a report in 2012",
    ),
    # The TIME_WAIT counters that tcpmodel.diagnose reports (issue 14): their names in /proc/net/netstat and nstat,
    # and where each is counted. Read in Linux 6.12 (Debian's linux-source-6.12 package).
    kernel_source(
        "net/ipv4/proc.c", "snmp4_net_list",
        'SNMP_MIB_ITEM("TW", LINUX_MIB_TIMEWAITED), SNMP_MIB_ITEM("TWRecycled", LINUX_MIB_TIMEWAITRECYCLED), '
        'SNMP_MIB_ITEM("TWKilled", LINUX_MIB_TIMEWAITKILLED),',
        version="6.12", title="snmp4_net_list: the TcpExt counter names /proc/net/netstat prints (nstat: TcpExtTW...)",
    ),
    kernel_source(
        "net/ipv4/proc.c", "sockstat_seq_show",
        'seq_printf(seq, "TCP: inuse %d orphan %d tw %d alloc %d mem %ld\\n", ... '
        "refcount_read(&net->ipv4.tcp_death_row.tw_refcount) - 1, sockets, proto_memory_allocated(&tcp_prot));",
        version="6.12", title="/proc/net/sockstat's TCP line: tw is the namespace's TIME_WAIT minisock count; mem is "
                              "TCP's buffer memory in pages (TIME_WAIT minisocks come from their own slab)",
    ),
    kernel_source(
        "net/ipv4/inet_timewait_sock.c", "LINUX_MIB_TIMEWAITKILLED",
        "if (!rearm) { bool kill = timeo <= 4*HZ; __NET_INC_STATS(twsk_net(tw), kill ? LINUX_MIB_TIMEWAITKILLED : "
        "LINUX_MIB_TIMEWAITED);",
        version="6.12", title="__inet_twsk_schedule(): TW or TWKilled is counted when the minisock's timer is first armed",
    ),
    kernel_source(
        "net/ipv4/inet_hashtables.c", "LINUX_MIB_TIMEWAITRECYCLED",
        "if (tw) { sk_nulls_del_node_init_rcu((struct sock *)tw); __NET_INC_STATS(net, LINUX_MIB_TIMEWAITRECYCLED); }",
        version="6.12", title="__inet_check_established(): TWRecycled counts a connect() that took over a TIME_WAIT 4-tuple",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "LINUX_MIB_PAWSESTABREJECTED",
        "if (paws_reject) __NET_INC_STATS(twsk_net(tw), LINUX_MIB_PAWSESTABREJECTED);",
        version="6.12", title="tcp_timewait_state_process(): a segment PAWS rejects in TIME_WAIT counts as PAWSEstab",
    ),
    kernel_source(
        "net/ipv4/tcp_minisocks.c", "LINUX_MIB_TCPACKSKIPPEDTIMEWAIT",
        "return tcp_timewait_check_oow_rate_limit( tw, skb, LINUX_MIB_TCPACKSKIPPEDTIMEWAIT);",
        version="6.12", title="tcp_timewait_state_process(): an ACK to an out-of-window segment, skipped by the rate limit",
    ),
    kernel_source(
        "net/ipv4/tcp_input.c", "LINUX_MIB_PAWSACTIVEREJECTED",
        "!between(tp->rx_opt.rcv_tsecr, tp->retrans_stamp, tcp_time_stamp_ts(tp))) { NET_INC_STATS(sock_net(sk), "
        "LINUX_MIB_PAWSACTIVEREJECTED);",
        version="6.12", title="tcp_rcv_synsent_state_process(): a SYN-ACK echoing a timestamp our SYN did not send",
    ),
    kernel_source(
        "net/ipv4/tcp_input.c", "LINUX_MIB_PAWSESTABREJECTED",
        "tcp_paws_discard(sk, skb)) { if (!th->rst) { if (unlikely(th->syn)) goto syn_challenge; NET_INC_STATS(sock_net(sk), "
        "LINUX_MIB_PAWSESTABREJECTED);",
        version="6.12", title="tcp_validate_incoming(): a segment PAWS rejects on a connection counts as PAWSEstab",
    ),
    kernel_source(
        "Documentation/networking/ip-sysctl.rst", "tcp_mem",
        "pressure: when amount of memory allocated by TCP exceeds this number of pages, TCP moderates its memory "
        "consumption and enters memory pressure mode,",
        version="6.12", title="tcp_mem: min, pressure, max, in pages",
    ),
)
