"""Ledger entries: RFC sections the course cites. Add one rfc(...) per section cited; quotes are read at the RFC text.

Keep entries grouped by source and sorted by locator. Every entry's quote is
at most 25 words, copied from the source; status is "inferred" or
"unverified" (with how) when the claim could not be read at the source.
"""

from __future__ import annotations

from tcpmodel.ledger._source import commit, kernel_source, man, rfc, vendor  # noqa: F401

ENTRIES = (
    # RFC 793, read in gxosty/TunMode rfc793.txt; RFC 9293 in pedrocarlo/iptcp-go rfc9293.txt;
    # RFC 1122 in jjzhang166/NAT rfc/rfc1122.txt (helper: systems table and MSL citations).
    rfc(793, "glossary", "Glossary: MSL",
        "MSL Maximum Segment Lifetime, the time a TCP segment can exist in the internetwork system. "
        "Arbitrarily defined to be 2 minutes."),
    rfc(793, "3.3", "Sequence Numbers (Knowing When to Keep Quiet)",
        "For this specification the MSL is taken to be 2 minutes. This is an engineering choice"),
    rfc(793, "3.5", "Closing a Connection (Figure 13, Normal Close Sequence)",
        "TIME-WAIT --> <SEQ=101><ACK=301><CTL=ACK> --> CLOSED 6. (2 MSL) CLOSED"),
    rfc(793, "3.9", "Event Processing: SEGMENT ARRIVES, TIME-WAIT STATE",
        "TIME-WAIT STATE Remain in the TIME-WAIT state. Restart the 2 MSL time-wait timeout."),
    rfc(1122, "4.2.2.13", "Closing a Connection: RFC-793 Section 3.5",
        "When a connection is closed actively, it MUST linger in TIME-WAIT state for a time 2xMSL "
        "(Maximum Segment Lifetime)."),
    rfc(9293, "glossary", "Glossary (section 4): MSL",
        "MSL Maximum Segment Lifetime, the time a TCP segment can exist in the internetwork system. "
        "Arbitrarily defined to be 2 minutes."),
    rfc(9293, "3.4.2", "Knowing When to Keep Quiet",
        "For this specification the MSL is taken to be 2 minutes. This is an engineering choice"),
    rfc(9293, "3.6.1", "Half-Closed Connections",
        "When a connection is closed actively, it MUST linger in the TIME-WAIT state for a time 2xMSL "
        "(Maximum Segment Lifetime) (MUST-13)."),
    # SYN in TIME-WAIT and ISNs between incarnations (helper: findings 4-6). RFC 9293 and RFC 1122 in the
    # copies named above; RFC 791 in egithinji/pingu rfc791.txt (commit ab9cdc2b1136), TTL under 3.1;
    # RFC 1337 in tass-belgium/picotcp RFC/rfc1337.txt (commit 17773f2e4e21);
    # RFC 6191's abstract on its RFC Editor page (rfc-editor.org/info/rfc6191). Its §2 was seen only as
    # quoted in a netdev review, so the course states that rule through RFC 9293 §3.10.7.4.
    rfc(791, "3.1", "Internet Header Format: Time to Live",
        "The time is measured in units of seconds, but since every module that processes a datagram must "
        "decrease the TTL by at least one"),
    rfc(1337, "1", "INTRODUCTION (the mechanisms against old duplicates)",
        "TIME-WAIT state removes the hazard of old duplicates for \"fast\" or \"long\" connections, in which "
        "clock-driven ISN selection is unable to prevent overlap"),
    rfc(1122, "4.2.2.9", "Initial Sequence Number Selection: RFC-793 Section 3.3",
        "A TCP MUST use the specified clock-driven selection of initial sequence numbers."),
    rfc(9293, "3.4.1", "Initial Sequence Number Selection",
        "ISN = M + F(localip, localport, remoteip, remoteport, secretkey) where M is the 4 microsecond timer"),
    rfc(9293, "3.10.7.4", "Other States (SEGMENT ARRIVES, fourth check: the SYN bit)",
        "For the TIME-WAIT state, new connections can be accepted if the Timestamp Option is used and meets "
        "expectations (per [40])."),
    rfc(9293, "5", "Changes from RFC 793",
        "The more secure initial sequence number generation algorithm from RFC 6528 was incorporated."),
    rfc(6191, None, "Reducing the TIME-WAIT State Using TCP Timestamps (BCP 159)",
        "This document only modifies processing of SYN segments received for connections in the TIME-WAIT "
        "state; processing in all other states is unchanged."),
    rfc(6528, None, "Defending against Sequence Number Attacks",
        "ISN = M + F(localip, localport, remoteip, remoteport, secretkey)", status="inferred",
        how="RFC 6528's own text was not found in the stored material; RFC 9293 §5 says its ISN algorithm was "
            "incorporated, and §3.4.1 gives this formula with M the 4 microsecond timer"),
    # PAWS needs the peer's timestamp clock to tick (issue 13, finding 9).
    rfc(1323, "4.2.2", "Timestamp Clock",
        "Based upon these considerations, we choose a timestamp clock frequency in the range 1 ms to 1 sec per tick."),
    rfc(7323, "5.4", "the timestamp clock's frequency (section title not read; RFC 1323 §4.2.2 'Timestamp Clock')",
        "we choose a timestamp clock frequency in the range 1 ms to 1 sec per tick",
        status="inferred",
        how="RFC 7323's text was not read here: the sentence is read in RFC 1323 §4.2.2, which RFC 7323 obsoletes; "
        "commit ca6a6f93867a cites 'RFC 7323, section 5.4' for a peer clock 'as low as 1 Hz', and Linux commit "
        "614e8316aa4c quotes this sentence as RFC 7323's"),
    rfc(1323, "4.2.1", "Basic PAWS Algorithm",
        "If there is a Timestamps option in the arriving segment and SEG.TSval < TS.Recent ... then treat the "
        "arriving segment as not acceptable"),
    # RFC index and citation audit (helper 13-rfc). RFC 9293 re-read in pedrocarlo/iptcp-go rfc9293.txt
    # (commit 903e89dacaec): 3.3.2 (Figure 5 and its notes), 3.4.1-3.4.3, 3.5.1-3.5.3, 3.6, 3.6.1,
    # 3.7.x, 3.8.1, 3.8.3, 3.10, 3.10.1-3.10.5, 3.10.7.1-3.10.7.2, 3.10.8, section 4. Other quotes are
    # those of the RFC audit of 2026-12-01, read in the copies named in rfc_sections.py.
    rfc(791, None, "Internet Protocol",
        "The time is measured in units of seconds (i.e. the value 1 means one second). Thus, the maximum time "
        "to live is 255 seconds"),
    rfc(793, None, "Transmission Control Protocol (1981)",
        "A connection is fully specified by the pair of sockets at the ends."),
    rfc(793, "2.7", "Connection Establishment and Clearing",
        "A connection is fully specified by the pair of sockets at the ends."),
    rfc(1122, None, "Requirements for Internet Hosts -- Communication Layers",
        "When a connection is closed actively, it MUST linger in TIME-WAIT state for a time 2xMSL "
        "(Maximum Segment Lifetime)."),
    rfc(1122, "4.2.2.20", "Event Processing",
        "(a) CLOSE Call, CLOSE-WAIT state, p. 61: enter LAST-ACK state, not CLOSING."),
    # RFC 1945 read in a stored copy of its text (table of contents and section 1.3).
    rfc(1945, "1.3", "Overall Operation (HTTP/1.0: who closes the connection)",
        "current practice requires that the connection be established by the client prior to each request and "
        "closed by the server after sending the response."),
    rfc(1185, None, "TCP Extension for High-Speed Paths",
        "This memo describes a small extension to TCP to support reliable operation over very high-speed paths"),
    rfc(1185, "1", "INTRODUCTION",
        "In contrast, the IP mechanism for MSL enforcement is loosely defined and even more loosely implemented "
        "in the Internet."),
    rfc(1185, "3.2", "Closing and Reopening a Connection",
        "This delay serves two different purposes: (a) Implement the full-duplex reliable close handshake of TCP."),
    rfc(1337, None, "TIME-WAIT Assassination Hazards in TCP",
        'We refer to this as "TIME-WAIT Assassination" (TWA).'),
    rfc(1337, "2.2", "HAZARD H1: Acceptance of erroneous old duplicate data.",
        "Without the protection of the TIME-WAIT delay, it is possible for erroneous old duplicate data from the "
        "earlier incarnation to be accepted."),
    rfc(1337, "3", "Fixes for TWA Hazards", "(F1) Ignore RST segments in TIME-WAIT state."),
    rfc(1812, None, "Requirements for IP Version 4 Routers",
        "since each router is required to reduce the TTL field by at least one."),
    rfc(1812, "4.2.2.9", "Time to Live: RFC 791 Section 3.2",
        "Although TTL is a time in seconds, it also has some attributes of a hop-count, since each router is "
        "required to reduce the TTL"),
    rfc(2525, "2.17", "Failure to RST on close with data pending",
        "the TCP SHOULD, per section 4.2.2.13 of RFC 1122, send a RST if there is any unread received data"),
    rfc(5961, None, "Improving TCP's Robustness to Blind In-Window Attacks",
        "Instead of using the RST bit, an attacker can use the SYN bit with the exact same semantics to tear "
        "down a connection.",
        status="inferred",
        how="RFC 5961's own text is not in the stored material; its sections 3 and 4 were read in a third-party "
            "Markdown copy interleaved with a reader's notes (title also in RFC 9293's references, [9])"),
    rfc(5961, "3.2", "Mitigation (blind reset attack using the RST bit)",
        "the sequence number does not exactly match the next expected sequence value, "
        "yet is within the current receive window",
        status="inferred",
        how="read in a third-party Markdown copy of RFC 5961 sections 3-4, not in the RFC; Linux 6.12 "
            "net/ipv4/tcp_input.c cites 'RFC 5961 3.2' at the same check"),
    rfc(5961, "4", "Blind Reset Attack Using the SYN Bit",
        "If the SYN bit is set, irrespective of the sequence number, TCP MUST send an ACK (also referred to as "
        "challenge ACK)",
        status="inferred",
        how="read (in its subsection 4.2) in a third-party Markdown copy of RFC 5961 sections 3-4, not in the RFC; "
            "Linux 6.12 net/ipv4/tcp_input.c cites 'RFC 5961 4.2 : Send a challenge ack'"),
    rfc(6298, None, "Computing TCP's Retransmission Timer",
        '(5.5) The host MUST set RTO <- RTO * 2 ("back off the timer").'),
    rfc(6298, "2", "The Basic Algorithm (rule 2.1)",
        "(2.1) ... the sender SHOULD set RTO <- 1 second"),
    rfc(6298, "5", "Managing the RTO Timer (rule 5.5)",
        '(5.5) The host MUST set RTO <- RTO * 2 ("back off the timer").'),
    rfc(6335, None, "IANA Procedures for the Management of the Service Name and Transport Protocol Port Number "
        "Registry",
        "This document defines the procedures that the Internet Assigned Numbers Authority (IANA) uses when "
        "handling assignment and other requests"),
    rfc(7323, None, "TCP Extensions for High Performance",
        "It defines the TCP Window Scale (WS) option and the TCP Timestamps (TS) option and their semantics."),
    rfc(7323, "4.3", "Which Timestamp to Echo",
        "TS.Recent holds a timestamp to be echoed in TSecr whenever a segment is sent",
        status="inferred",
        how="RFC 7323's body is not in the stored material; the sentence is RFC 1323 §3.4's, which an "
            "implementation (lemonrock/tcp-engine) quotes as RFC 7323 Section 4.3"),
    rfc(7323, "5", "(title not read): PAWS",
        "TCP Timestamp Options and Protection Against Wrapped Sequences (PAWS) [47] provide the needed "
        "capability to detect and discard old duplicates.",
        status="inferred",
        how="RFC 7323's body is not in the stored material; the quote is RFC 9293 §3.4.3, whose [47] is RFC "
            "7323; that PAWS is RFC 7323's section 5 rests on third-party citations of its 5.2, 5.3 and 5.5"),
    rfc(7323, "5.3", "Basic PAWS Algorithm",
        "If there is a Timestamps option in the arriving segment, SEG.TSval < TS.Recent, TS.Recent is valid, "
        "and if the RST bit is not set",
        status="inferred",
        how="RFC 7323's body is not in the stored material; rule R1 as quoted in a third-party audit of PyTCP "
            "against RFC 7323; RFC 1323 §4.2.1 has the same rule without the RST clause"),
    rfc(1323, "3.4", "Which Timestamp to Echo",
        "TS.Recent holds a timestamp to be echoed in TSecr whenever a segment is sent"),
    # RFC 1323 Appendix B.2, read in coverclock/edu-ucar-ncar-scd-libipc rfc1323.txt (commit 3b7dc44f7154):
    # PAWS could keep an earlier incarnation's duplicates out only once the timestamp clock has ticked.
    rfc(1323, "B.2", "Closing and Reopening a Connection",
        "reject old duplicate segments from earlier incarnations ... if the timestamp clock can be guaranteed to "
        "have ticked at least once"),
    rfc(8200, "3", "IPv6 Header Format",
        "Hop Limit 8-bit unsigned integer. Decremented by 1 by each node that forwards the packet."),
    rfc(9112, None, "HTTP/1.1",
        "This document specifies the HTTP/1.1 message syntax, message parsing, connection management, and "
        "related security concerns."),
    rfc(9293, None, "Transmission Control Protocol (TCP)",
        "This document obsoletes RFC 793 as well as RFCs 6093 and 6528, which updated 793."),
    rfc(9293, "3.3.1", "Key Connection State Variables",
        "We conceive of these variables being stored in a connection record called a Transmission Control "
        "Block or TCB."),
    rfc(9293, "3.3.2", "State Machine Overview (Figure 5 and its notes)",
        "Note 3: A RST can be sent from any state with a corresponding transition to TIME-WAIT (see [70] for "
        "rationale)."),
    rfc(9293, "3.4", "Sequence Numbers",
        "Since the space is finite, all arithmetic dealing with sequence numbers must be performed modulo 2^32."),
    rfc(9293, "3.4.3", "The TCP Quiet Time Concept",
        "TCP Timestamp Options and Protection Against Wrapped Sequences (PAWS) [47] provide the needed "
        "capability to detect and discard old duplicates."),
    rfc(9293, "3.5", "Establishing a Connection",
        "Simultaneous initiation is only slightly more complex, as is shown in Figure 7."),
    rfc(9293, "3.5.1", "Half-Open Connections and Other Anomalies",
        "is unacceptable because no such connection exists, so TCP Peer A sends a RST."),
    rfc(9293, "3.5.2", "Reset Generation",
        "The side of a connection issuing a reset should enter the TIME-WAIT state, as this generally helps to "
        "reduce the load on busy servers"),
    rfc(9293, "3.5.3", "Reset Processing",
        "If the receiver was in any other state, it aborts the connection and advises the user and goes to the "
        "CLOSED state."),
    rfc(9293, "3.6", "Closing a Connection",
        "All segments preceding and including FIN will be retransmitted until acknowledged."),
    rfc(9293, "3.8.1", "Retransmission Timeout",
        "The RTO MUST be computed according to the algorithm in [10], including Karn's algorithm for taking RTT "
        "samples (MUST-18)."),
    rfc(9293, "3.7.1", "Maximum Segment Size Option",
        "TCP implementations SHOULD send an MSS Option in every SYN segment when its receive MSS differs from the "
        "default 536 for IPv4"),
    rfc(9293, "3.8.3", "TCP Connection Failures",
        "When the number of transmissions of the same segment reaches a threshold R2 greater than R1, close the "
        "connection."),
    rfc(9293, "3.9.1.1", "Open",
        "Every passive OPEN call either creates a new connection record in LISTEN state, or it returns an error"),
    rfc(9293, "3.10", "Event Processing",
        "The events that occur can be cast into three categories: user calls, arriving segments, and timeouts."),
    rfc(9293, "3.10.1", "OPEN Call",
        'If passive, enter the LISTEN state and return. ... Return "error: connection already exists".'),
    rfc(9293, "3.10.2", "SEND Call",
        'Return "error: connection closing" and do not service request.'),
    rfc(9293, "3.10.4", "CLOSE Call",
        "Queue this until all preceding SENDs have been segmentized, then form a FIN segment and send it. In any "
        "case, enter FIN-WAIT-1 state."),
    rfc(9293, "3.10.5", "ABORT Call",
        "Send a reset segment: <SEQ=SND.NXT><CTL=RST> ... Delete the TCB, enter CLOSED state, and return."),
    rfc(9293, "3.10.7.1", "CLOSED STATE (SEGMENT ARRIVES)",
        "An incoming segment not containing a RST causes a RST to be sent in response."),
    rfc(9293, "3.10.7.2", "LISTEN STATE (SEGMENT ARRIVES)",
        "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state."),
    rfc(9293, "3.10.7.3", "SYN-SENT STATE (SEGMENT ARRIVES)",
        "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED, form an ACK "
        "segment"),
    rfc(9293, "3.10.8", "Timeouts",
        "If the time-wait timeout expires on a connection, delete the TCB, enter the CLOSED state, and return."),
    # RFC 9112 sections 9.3, 9.3.1, 9.5 and 9.6, read (2026-12-01) in stored per-section copies of the RFC text
    # (front matter "source_url: https://www.rfc-editor.org/rfc/rfc9112", with "**MUST**:"-style margin tags added;
    # the TurboHTTP project's RFC notes, repository path not identified) and its table of contents in the same set.
    rfc(9112, "9.3", "Persistence",
        "HTTP/1.1 defaults to the use of \"persistent connections\", allowing multiple requests and responses to be "
        "carried over a single connection."),
    rfc(9112, "9.3.1", "Retrying Requests",
        "Connections can be closed at any time, with or without intention. Implementations ought to anticipate the "
        "need to recover from asynchronous close events."),
    rfc(9112, "9.5", "Failures and Timeouts",
        "A client, server, or proxy MAY close the transport connection at any time. ... the server has decided to "
        "close the \"idle\" connection."),
    rfc(9112, "9.6", "Tear-down",
        "A server that receives a \"close\" connection option MUST initiate closure of the connection (see below) "
        "after it sends the final response"),
)
