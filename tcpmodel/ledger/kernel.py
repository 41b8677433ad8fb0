"""Ledger entries: Linux source files (file and symbol, at a named version) and kernel commits (with their first release).

Keep entries grouped by source and sorted by locator. Every entry's quote is
at most 25 words, copied from the source; status is "inferred" or
"unverified" (with how) when the claim could not be read at the source.
"""

from __future__ import annotations

from tcpmodel.ledger._source import commit, kernel_source, man, rfc, vendor  # noqa: F401

ENTRIES = (
    kernel_source(
        "net/ipv4/tcp.c", "__tcp_close",
        "} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) { /* Check zero linger _after_ "
        "checking for unread data. */ sk->sk_prot->disconnect(sk, 0);",
        version="6.12", title="__tcp_close(): SO_LINGER with a zero timeout disconnects (tcp_disconnect)",
    ),
    kernel_source(
        "net/ipv4/tcp.c", "tcp_disconnect",
        "} else if (tcp_need_reset(old_state)) { tcp_send_active_reset(sk, SK_RST_REASON_TCP_STATE);",
        version="6.12", title="tcp_disconnect(): sends a RST from ESTABLISHED, CLOSE_WAIT, FIN_WAIT1/2, SYN_RECV",
    ),
    kernel_source(
        "include/net/tcp.h", "TCP_TIMEWAIT_LEN",
        "#define TCP_TIMEWAIT_LEN (60*HZ) /* how long to wait to destroy TIME-WAIT state, about 60 seconds */",
        version="6.12", title="TCP_TIMEWAIT_LEN: how long Linux keeps a socket in TIME_WAIT",
    ),
)
