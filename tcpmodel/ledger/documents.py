"""Ledger entries: Man pages and vendor documents (Microsoft, FreeBSD, Apple, Oracle...).

Keep entries grouped by source and sorted by locator. Every entry's quote is
at most 25 words, copied from the source; status is "inferred" or
"unverified" (with how) when the claim could not be read at the source.
"""

from __future__ import annotations

from tcpmodel.ledger._source import commit, kernel_source, man, rfc, vendor  # noqa: F401

MP = "man-pages 6.03"
M = "https://man7.org/linux/man-pages/"

ENTRIES = (
    # Linux man pages, read in Debian 12's manpages 6.03 (zcat /usr/share/man/...).
    man("bind(2)", "EADDRINUSE", "EADDRINUSE The given address is already in use.",
        version=MP, url=M + "man2/bind.2.html"),
    man("ip(7)", "IP_BIND_ADDRESS_NO_PORT",
        "Inform the kernel to not reserve an ephemeral port when using bind(2) with a port number of 0.",
        version=MP, url=M + "man7/ip.7.html"),
    man("ip(7)", "ip_local_port_range",
        "two integers that define the default local port range allocated to sockets that are not explicitly "
        "bound to a port number",
        version=MP, url=M + "man7/ip.7.html"),
    man("ip-netns(8)", "ip netns add", "ip netns add NAME - create a new named network namespace",
        version="iproute2 6.1.0", url=M + "man8/ip-netns.8.html"),
    man("socket(7)", "SO_LINGER",
        "When enabled, a close(2) or shutdown(2) will not return until all queued messages ... have been "
        "successfully sent or the linger timeout has been reached.",
        version=MP, url=M + "man7/socket.7.html"),
    man("socket(7)", "SO_REUSEADDR",
        "For AF_INET sockets this means that a socket may bind, except when there is an active listening "
        "socket bound to the address.",
        version=MP, url=M + "man7/socket.7.html"),
    man("ss(8)", "time-wait",
        "All standard TCP states: established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, "
        "close-wait, last-ack, listening and closing.",
        version="iproute2 6.1.0", url=M + "man8/ss.8.html"),
    man("tcp(7)", "tcp_fin_timeout",
        "This specifies how many seconds to wait for a final FIN packet before the socket is forcibly closed.",
        version=MP, url=M + "man7/tcp.7.html"),
    man("tcp(7)", "tcp_max_tw_buckets",
        "The maximum number of sockets in TIME_WAIT state allowed in the system. ... If this number is "
        "exceeded, the socket is closed",
        version=MP, url=M + "man7/tcp.7.html"),
    man("tcp(7)", "tcp_rfc1337",
        "When disabled, if a RST is received in TIME_WAIT state, we close the socket immediately without "
        "waiting for the end of the TIME_WAIT period.",
        version=MP, url=M + "man7/tcp.7.html"),
    man("tcp(7)", "tcp_tw_recycle",
        "tcp_tw_recycle (Boolean; default: disabled; Linux 2.4 to Linux 4.11) Enable fast recycling of "
        "TIME_WAIT sockets.",
        version=MP, url=M + "man7/tcp.7.html"),
    man("tcp(7)", "tcp_tw_reuse",
        "Allow to reuse TIME_WAIT sockets for new connections when it is safe from protocol viewpoint.",
        version=MP, url=M + "man7/tcp.7.html"),
)
