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
    vendor("xnu-tcp_timer.c", "XNU bsd/netinet/tcp_timer.c", "macOS (XNU): the net.inet.tcp.msl sysctl",
           "int tcp_msl = TCPTV_MSL; SYSCTL_PROC(_net_inet_tcp, OID_AUTO, msl, ... sysctl_msec_to_ticks, \"I\", "
           "\"Maximum segment lifetime\");",
           url="https://github.com/apple-oss-distributions/xnu/blob/main/bsd/netinet/tcp_timer.c",
           version="a stored XNU tcp_timer.c (SYSCTL_SKMEM era)"),
    vendor("xnu-tcp_input.c", "XNU bsd/netinet/tcp_input.c", "macOS (XNU): a socket enters TIME_WAIT for 2 x tcp_msl",
           "add_to_time_wait(tp, 2 * tcp_msl);",
           url="https://github.com/apple-oss-distributions/xnu/blob/main/bsd/netinet/tcp_input.c",
           version="a stored XNU tcp_input.c (an older release, with T/TCP's cc_recv)"),
    vendor("oracle-solaris11.4-tunables", "Oracle Solaris 11.4 Tunables Reference", "_time_wait_interval Parameter",
           "Specifies the time in milliseconds that a TCP connection stays in TIME-WAIT state. ... Default 60,000 "
           "(60 seconds)",
           url="https://docs.oracle.com/en/operating-systems/solaris/oracle-solaris/11.4/tuning/"
               "_time_wait_interval-parameter.html", version="Solaris 11.4"),
    # Systems table (helper for finding 8): other systems' man pages, vendor documents and source files.
    # FreeBSD tcp(4): freebsd/freebsd-src share/man/man4/tcp.4 (.Dd August 6, 2018), read at commit 544d31706a54.
    # Cite it in prose as "FreeBSD tcp(4)"; Linux's page is tcp(7).
    man("tcp(4)", "msl",
        "msl The Maximum Segment Lifetime, in milliseconds, for a packet.",
        version="FreeBSD tcp(4), .Dd August 6, 2018", title="FreeBSD tcp(4): net.inet.tcp.msl",
        url="https://man.freebsd.org/cgi/man.cgi?query=tcp&sektion=4"),
    man("tcp(4)", "nolocaltimewait",
        "nolocaltimewait Suppress creating of compressed TCP TIME_WAIT states for connections in which both "
        "endpoints are local.",
        version="FreeBSD tcp(4), .Dd August 6, 2018", title="FreeBSD tcp(4): net.inet.tcp.nolocaltimewait",
        url="https://man.freebsd.org/cgi/man.cgi?query=tcp&sektion=4"),
    vendor("freebsd-tcp_timer.h", "FreeBSD sys/netinet/tcp_timer.h", "FreeBSD: TCPTV_MSL",
           "#define TCPTV_MSL ( 30*hz) /* max seg lifetime (hah!) */",
           url="https://cgit.freebsd.org/src/tree/sys/netinet/tcp_timer.h",
           version="freebsd/freebsd-src, stored copy at commit 79c906b55063"),
    vendor("freebsd-tcp_timewait.c", "FreeBSD sys/netinet/tcp_timewait.c", "FreeBSD: the TIME_WAIT timer is 2 x tcp_msl",
           "tw->tw_time = ticks + 2 * tcp_msl;",
           url="https://cgit.freebsd.org/src/tree/sys/netinet/tcp_timewait.c",
           version="freebsd/freebsd-src, stored copy at commit 237c0d703115 (compressed-TIME_WAIT era)"),
    vendor("freebsd-in.h", "FreeBSD sys/netinet/in.h", "FreeBSD: the default ephemeral port range",
           "Default local port range, used by IP_PORTRANGE_DEFAULT #define IPPORT_EPHEMERALFIRST 10000 "
           "#define IPPORT_EPHEMERALLAST 65535",
           url="https://cgit.freebsd.org/src/tree/sys/netinet/in.h",
           version="freebsd/freebsd-src, stored copy at commit cfae7e4d476e"),
    vendor("freebsd-in_pcb.c", "FreeBSD sys/netinet/in_pcb.c", "FreeBSD 7 era: default port range 49152-65535",
           "int ipport_firstauto = IPPORT_HIFIRSTAUTO; /* 49152 */ int ipport_lastauto = IPPORT_HILASTAUTO; /* 65535 */",
           version="a stored FreeBSD in_pcb.c with a 2007 copyright (Robert N. M. Watson)", status="inferred",
           how="the copy was read without its repository or release; FreeBSD 7 is inferred from its 2007 "
               "copyright and priv_check_cred() calls"),
    # Apple XNU (apple-oss-distributions/xnu), stored copies.
    vendor("xnu-tcp_var.h", "XNU bsd/netinet/tcp_var.h", "macOS (XNU): TCP_RETRANSHZ, the tick of TCPTV_MSL",
           "#define TCP_RETRANSHZ 1000 /* granularity of TCP timestamps, 1ms */",
           url="https://github.com/apple-oss-distributions/xnu/blob/main/bsd/netinet/tcp_var.h",
           version="apple-oss-distributions/xnu, stored copy at commit 1031c584a5e3"),
    vendor("xnu-tcp_timer.h", "XNU bsd/netinet/tcp_timer.h", "macOS (XNU): TCPTV_MSL",
           "#define TCPTV_MSL ( 15*TCP_RETRANSHZ) /* max seg lifetime */",
           url="https://github.com/apple-oss-distributions/xnu/blob/main/bsd/netinet/tcp_timer.h",
           version="apple-oss-distributions/xnu, stored copy"),
    vendor("xnu-in_pcb.c", "XNU bsd/netinet/in_pcb.c", "macOS (XNU): the default ephemeral port range",
           "int ipport_firstauto = IPPORT_HIFIRSTAUTO; /* 49152 */ int ipport_lastauto = IPPORT_HILASTAUTO; /* 65535 */",
           url="https://github.com/apple-oss-distributions/xnu/blob/main/bsd/netinet/in_pcb.c",
           version="apple-oss-distributions/xnu, stored copy"),
    # Microsoft. KB articles are read at their MicrosoftDocs sources (SupportArticles-docs); TechNet pages at
    # stored copies of technet.microsoft.com.
    vendor("KB314053", "KB 314053", "TCP/IP and NBT configuration parameters for Windows XP: TcpTimedWaitDelay",
           "In Microsoft Windows 2000, the default value is 240 seconds. For Windows XP and Microsoft Windows "
           "Server 2003, the default was changed to 120 seconds",
           url="https://learn.microsoft.com/en-us/troubleshoot/windows-client/networking/"
               "tcpip-and-nbt-configuration-parameters",
           version="MicrosoftDocs/SupportArticles-docs, ms.date 12/03/2020"),
    vendor("KB929851", "KB 929851",
           "The default dynamic port range for TCP/IP has changed since Windows Vista and in Windows Server 2008",
           "The new default start port is 49152, and the new default end port is 65535. ... a default port "
           "range of 1025 through 5000.",
           url="https://learn.microsoft.com/en-us/troubleshoot/windows-server/networking/"
               "default-dynamic-port-range-tcpip-chang",
           version="MicrosoftDocs/SupportArticles-docs, ms.date 12/26/2023"),
    vendor("technet-cc938217", "Microsoft TechNet cc938217", "TcpTimedWaitDelay (Windows 2000 TCP/IP registry reference)",
           "0xF0 ( 240 seconds = 4 minutes ) ... By default, the MSL is defined to be 120 seconds",
           url="https://technet.microsoft.com/library/cc938217", version="Windows 2000"),
    vendor("technet-cc757512", "Microsoft TechNet cc757512", "TcpTimedWaitDelay (Windows Server 2003)",
           "Applies To: Windows Server 2003 ... 0x78 (120 seconds = 2 minutes)",
           url="https://technet.microsoft.com/en-us/library/cc757512.aspx", version="Windows Server 2003"),
    vendor("biztalk-network-settings", "Microsoft BizTalk Server guide",
           "BizTalk Server: Settings that can be Modified to Improve Network Performance",
           "Windows 8.1 and later: 2-300 (decimal) Default value: 0x78 (120 decimal)",
           url="https://learn.microsoft.com/en-us/biztalk/technical-guides/"
               "settings-that-can-be-modified-to-improve-network-performance",
           version="MicrosoftDocs/biztalk-docs, ms.date 06/08/2017"),
    # Oracle Solaris and illumos.
    vendor("oracle-solaris8-tunables", "Solaris Tunable Parameters Reference Manual, collection E19455-01",
           "tcp_time_wait_interval (Solaris 8 manual)", "tcp_time_wait_interval ... Default 4 minutes",
           url="https://docs.oracle.com/cd/E19455-01/816-0607/chapter4-51/index.html", version="Solaris 8",
           status="inferred",
           how="read at docs.oracle.com; that collection E19455-01 is Solaris 8 is inferred from Oracle's collection "
               "numbering, the page does not name its release"),
    vendor("oracle-solaris9-tunables", "Solaris Tunable Parameters Reference Manual, collection E19683-01",
           "tcp_time_wait_interval (Solaris 9 manual)",
           "The time in milliseconds a TCP connection stays in TIME-WAIT state. ... Default 60,000 (60 seconds)",
           url="https://docs.oracle.com/cd/E19683-01/817-1759/chapter4-51/index.html", version="Solaris 9",
           status="inferred",
           how="read at docs.oracle.com; that collection E19683-01 is Solaris 9 is inferred from Oracle's collection "
               "numbering; Solaris 11.2's and 11.4's manuals, which name their release, give the same default"),
    vendor("oracle-solaris11.2-tunables", "Oracle Solaris 11.2 Tunable Parameters Reference Manual",
           "_time_wait_interval, smallest_anon_port, largest_anon_port",
           "_time_wait_interval ... Default 60,000 (60 seconds) ... smallest_anon_port ... Default 32,768",
           url="https://docs.oracle.com/cd/E36784_01/html/E36845/chapter4-51.html", version="Solaris 11.2"),
    vendor("illumos-tcp_tunables.c", "illumos-gate usr/src/uts/common/inet/tcp/tcp_tunables.c", "illumos: TCP tunables",
           "{ \"_time_wait_interval\", MOD_PROTO_TCP, mod_set_uint32, mod_get_uint32, {1*SECONDS, "
           "TCP_TIME_WAIT_MAX, 1*MINUTES}, {1*MINUTES} },",
           url="https://github.com/illumos/illumos-gate/blob/master/usr/src/uts/common/inet/tcp/tcp_tunables.c",
           version="illumos/illumos-gate and a 2016 illumos copy"),
    vendor("freebsd-tcp_twcheck", "FreeBSD tcp_twcheck()",
           "FreeBSD: a SYN in TIME_WAIT is accepted when its sequence number is above RCV.NXT (the BSD heuristic)",
           "new connection request is received while in TIME_WAIT, drop the old connection and start over "
           "if the sequence numbers are above the previous ones.",
           url="https://cgit.freebsd.org/src/tree/sys/netinet/tcp_timewait.c",
           version="sys/netinet/tcp_timewait.c in freebsd/freebsd-src at commit 237c0d703115 (a VIMAGE-era "
                   "release, 8.x or later; the exact release is not named in the file)"),
    # Linux man pages, read in Debian 12's manpages 6.03 (zcat /usr/share/man/...).
    man("bind(2)", "EADDRINUSE", "EADDRINUSE The given address is already in use.",
        version=MP, url=M + "man2/bind.2.html"),
    man("shutdown(2)", "SHUT_WR", "If how is SHUT_WR, further transmissions will be disallowed.",
        version=MP, url=M + "man2/shutdown.2.html"),
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
    man("netstat(8)", "ss", "This program is mostly obsolete. Replacement for netstat is ss.",
        version="net-tools 2.10", url=M + "man8/netstat.8.html"),
    # Notebook 07 audit: how tcp_tw_recycle's SYN drops showed up (sysctl_tw_recycle in net/ipv4/tcp_input.c, 4.9).
    vendor("net-tools-netstat-PAWSPassive", "net-tools 2.10 netstat",
           "netstat -s: the line for the TcpExt counter PAWSPassive",
           "PAWSPassive ... %llu passive connections rejected because of time stamp",
           version="net-tools 2.10 (Debian 12 package 2.10-0.1+deb12u2)", status="inferred",
           how="both strings read in the string table of /bin/netstat, not in its source; that netstat -s prints "
               "this line for the kernel's PAWSPassive counter (LINUX_MIB_PAWSPASSIVEREJECTED) is inferred from the "
               "key name and a third-party port of netstat's table that pairs the two"),
    man("ss(8)", "timer",
        "-o, --options Show timer information. For TCP protocol, the output format is: "
        "timer:(<timer_name>,<expire_time>,<retrans>)",
        version="iproute2 6.1.0", url=M + "man8/ss.8.html"),
    man("ss(8)", "--kill",
        "-K, --kill Attempts to forcibly close sockets. This option displays sockets that are successfully closed",
        version="iproute2 6.1.0", url=M + "man8/ss.8.html"),
    # Notebook 10: capturing your own traffic (tcpdump 4.99.3 and libpcap 1.10.3, Debian 12 packages, man pages read).
    man("tcpdump(8)", "-s snaplen",
        "Snarf snaplen bytes of data from each packet rather than the default of 262144 bytes.",
        version="tcpdump 4.99.3", url="https://www.tcpdump.org/manpages/tcpdump.1.html"),
    man("tcpdump(8)", "-w file",
        "Write the raw packets to file rather than parsing and printing them out. They can later be printed with "
        "the -r option.",
        version="tcpdump 4.99.3", url="https://www.tcpdump.org/manpages/tcpdump.1.html"),
    man("pcap-filter(7)", "tcpflags",
        "The following TCP flags field values are available: tcp-fin, tcp-syn, tcp-rst, tcp-push, tcp-ack, tcp-urg, "
        "tcp-ece, tcp-cwr.",
        version="libpcap 1.10.3", url="https://www.tcpdump.org/manpages/pcap-filter.7.html"),
    man("pcap-filter(7)", "EXAMPLES",
        "To select the start and end packets (the SYN and FIN packets) of each TCP conversation that involves a "
        "non-local host.",
        version="libpcap 1.10.3", url="https://www.tcpdump.org/manpages/pcap-filter.7.html"),
    man("pcap-filter(7)", "proto [ expr : size ]",
        "Note that tcp, udp and other upper-layer protocol types only apply to IPv4, not IPv6 (this will be fixed "
        "in the future).",
        version="libpcap 1.10.3", url="https://www.tcpdump.org/manpages/pcap-filter.7.html"),
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
    # Curriculum (the instructor guide, tools/instructor_guide.py): the task force's page for the NC area.
    vendor("acm-cs2023-nc", "CS2023 Networking and Communication (NC)",
           "ACM/IEEE-CS/AAAI Computer Science Curricula 2023: the Networking and Communication knowledge area",
           "the area at its core provides knowledge on naming, addressing, reliability, error control, flow control, "
           "congestion control",
           url="https://csed.acm.org/?p=385", version="the CS2023 task force's page for NC, SIGCSE 2022 version"),
)
