"""Section index of the RFCs the course cites: RFC number -> {section number: title}.

The ledger tests use this table to check that every cited RFC section exists
(``RFC 9293 §3.6.1`` must be a key of ``RFC_SECTIONS[9293]``). Keys are section
numbers as strings without a trailing dot (``"3.10.7.4"``), appendix letters
(``"A"``, ``"B.2"``), or ``"glossary"`` (and, for RFC 1185 and RFC 1337, the
unnumbered ``"appendix"``) for unnumbered parts the texts refer to. Titles are
copied from the RFC text as printed (capitals kept; runs of spaces collapsed).

Where the titles were read (stored plain-text copies of the RFCs, read
2026-12-01):

* RFC 9293 -- ``pedrocarlo/iptcp-go: rfc9293.txt`` (commit 903e89dacaec).
  Every section heading of the body was read, including the fourth-level
  ones the table of contents leaves out (3.8.6.x, 3.9.1.x, 3.9.2.x,
  3.10.7.x). Appendix titles are from the table of contents. The Glossary is
  numbered: section 4.
* RFC 793 -- ``gxosty/TunMode: rfc793.txt`` (commit e2e77f38162f), whole text.
  RFC 793 numbers only two levels; "Knowing When to Keep Quiet", "The TCP
  Quiet Time Concept", "Reset Generation" and the like are unnumbered
  subheadings inside 3.3, 3.4, ... and have no key. The GLOSSARY is
  unnumbered (key ``"glossary"``).
* RFC 1122 -- ``jjzhang166/NAT: rfc/rfc1122.txt`` (commit 1a35d7e327a8). Only
  chapter 4.2 (TCP) to full depth, plus the top-level 1, 2, 3, 4, 4.1 and 5.
  Titles are those of the table of contents; in the body the 4.2.2.x headings
  also name the RFC 793 section they amend (e.g. "4.2.2.13  Closing a
  Connection: RFC-793 Section 3.5").
* RFC 791 -- ``jjzhang166/NAT: rfc/rfc791.txt`` (commit 1a35d7e327a8).
* RFC 1185, RFC 1337, RFC 2525 -- ``tass-belgium/picotcp: RFC/rfc1185.txt``,
  ``RFC/rfc1337.txt``, ``RFC/rfc2525.txt`` (commit 17773f2e4e21). For RFC 2525
  only section 2 and its subsections; the body gives each problem under a
  bare number, the titles are from its table of contents.
* RFC 1323 -- ``coverclock/edu-ucar-ncar-scd-libipc: rfc1323.txt``
  (commit 3b7dc44f7154).
* RFC 8200 -- ``OscarMaestre/rfc2pdf: rfc8200.txt`` (commit 910c6127d153),
  from its table of contents (sections 1-3 also read in the body).
* RFC 6298 -- a stored copy of https://www.rfc-editor.org/rfc/rfc6298 that is
  truncated after section 8, so sections 9 (References) and Appendix A are
  missing here. Note that "(2.1)" or "(5.5)" in RFC 6298 are numbered rules
  inside sections 2 and 5, not subsections.

RFC 9293's Glossary is numbered section 4; the key ``"glossary"`` is kept as
well, since the course cites it as ``RFC 9293 Glossary`` like RFC 793's.

Not read at the RFC text (:data:`UNREAD`): RFC 5961, 6056, 6191, 6335, 6528,
7323, and of RFC 1812 all but one section (below). The stored material holds only their first page (title,
authors, abstract: read at mirror pages such as
``mirror-1.truenetwork.ru/pub/rfc/rfcNNNN.html`` and ``potaroo.net/ietf/idref``,
2026-12-01), which attests that each RFC exists under its title, but none of
their section text. Their tables below hold only the sections that another
readable text names, each with where it was named; a title is given only
where that text gives it, and ``""`` otherwise. A ledger entry for one of
these sections cannot be "verified" (``tests/test_ledger.py`` checks this).

* RFC 7323 -- 2.3 "Using the Window Scale Option": Linux 6.12
  ``include/net/request_sock.h`` comment. 4.3 "Which Timestamp to Echo",
  5.2 "The PAWS Mechanism", 5.3 "Basic PAWS Algorithm", 5.5 "Outdated
  Timestamps": a third-party audit of PyTCP against RFC 7323 that quotes the
  RFC section by section (5.5 also in the message of Linux commit
  19ce8cd30465). 5 and 5.4 exist because 5.2, 5.3 and 5.5 do (RFC sections
  are numbered without gaps); their titles were not read.
* RFC 5961 -- 3 "Blind Reset Attack Using the RST Bit", 3.1 "Description of
  the Attack", 3.2 "Mitigation", 4 "Blind Reset Attack Using the SYN Bit",
  4.1 "Description of the Attack", 4.2 "Mitigation": a third-party Markdown
  copy of sections 3 and 4 interleaved with a reader's notes. 5 "Blind Data
  Injection Attack", 5.2 and 7 "ACK Throttling": Linux 6.12
  ``net/ipv4/tcp_input.c`` comments. RFC 9293 section 3.10.7.4 names
  "RFC 5961 [9], Section 3".
* RFC 6528 -- 3: RFC 9293 section 3.4.1 ("please see Section 3 of [42]",
  [42] being RFC 6528).
* RFC 6191 -- 2: RFC 6191's own abstract was read, its body was not; a
  translation of its table of contents (CSDN blog) numbers "2" the improved
  processing of incoming connection requests. Title not read.
* RFC 6056 -- 3.3.4 "Algorithm 4: Double-Hash Port Selection Algorithm":
  Linux 6.12 ``net/ipv4/inet_hashtables.c`` comment.
* RFC 1812 -- 4.2.2.9 "Time to Live: RFC 791 Section 3.2", its text read in
  the per-section rendering of RFC 1812 by "Connected: An Internet
  Encyclopedia" (freesoft.org/CIE/RFC/1812/56.htm), whose navigation gives
  the titles of its parents 4, 4.2 and 4.2.2. So RFC 1812 is not in
  :data:`UNREAD`, but only these four keys are indexed; chapter 5 (and 5.3.1)
  was not found.
* RFC 6335 -- no section attested.

RFC 9112 was read after the others, only in chapter 9 (Connection
Management): its table of contents and sections 9.3, 9.3.1, 9.5 and 9.6 in
stored per-section copies of the RFC text (front matter
``source_url: https://www.rfc-editor.org/rfc/rfc9112``; the TurboHTTP
project's RFC notes, which add "**MUST**:" margin tags; repository path not
identified), 2026-12-01. Titles are those of the table of contents.
"""

from __future__ import annotations

__all__ = ["RFC_SECTIONS", "UNREAD"]

#: RFC number -> {section number: title}, read from the RFC texts (checked 2026-12-01).
RFC_SECTIONS: dict[int, dict[str, str]] = {
    791: {
        "1": "INTRODUCTION",
        "1.1": "Motivation",
        "1.2": "Scope",
        "1.3": "Interfaces",
        "1.4": "Operation",
        "2": "OVERVIEW",
        "2.1": "Relation to Other Protocols",
        "2.2": "Model of Operation",
        "2.3": "Function Description",
        "2.4": "Gateways",
        "3": "SPECIFICATION",
        "3.1": "Internet Header Format",
        "3.2": "Discussion",
        "3.3": "Interfaces",
        "A": "Examples & Scenarios",
        "B": "Data Transmission Order",
        "glossary": "GLOSSARY",
    },
    793: {
        "1": "INTRODUCTION",
        "1.1": "Motivation",
        "1.2": "Scope",
        "1.3": "About this Document",
        "1.4": "Interfaces",
        "1.5": "Operation",
        "2": "PHILOSOPHY",
        "2.1": "Elements of the Internetwork System",
        "2.2": "Model of Operation",
        "2.3": "The Host Environment",
        "2.4": "Interfaces",
        "2.5": "Relation to Other Protocols",
        "2.6": "Reliable Communication",
        "2.7": "Connection Establishment and Clearing",
        "2.8": "Data Communication",
        "2.9": "Precedence and Security",
        "2.10": "Robustness Principle",
        "3": "FUNCTIONAL SPECIFICATION",
        "3.1": "Header Format",
        "3.2": "Terminology",
        "3.3": "Sequence Numbers",
        "3.4": "Establishing a connection",
        "3.5": "Closing a Connection",
        "3.6": "Precedence and Security",
        "3.7": "Data Communication",
        "3.8": "Interfaces",
        "3.9": "Event Processing",
        "glossary": "GLOSSARY",
    },
    1122: {
        "1": "INTRODUCTION",
        "2": "LINK LAYER",
        "3": "INTERNET LAYER PROTOCOLS",
        "4": "TRANSPORT PROTOCOLS",
        "4.1": "USER DATAGRAM PROTOCOL -- UDP",
        "4.2": "TRANSMISSION CONTROL PROTOCOL -- TCP",
        "4.2.1": "INTRODUCTION",
        "4.2.2": "PROTOCOL WALK-THROUGH",
        "4.2.2.1": "Well-Known Ports",
        "4.2.2.2": "Use of Push",
        "4.2.2.3": "Window Size",
        "4.2.2.4": "Urgent Pointer",
        "4.2.2.5": "TCP Options",
        "4.2.2.6": "Maximum Segment Size Option",
        "4.2.2.7": "TCP Checksum",
        "4.2.2.8": "TCP Connection State Diagram",
        "4.2.2.9": "Initial Sequence Number Selection",
        "4.2.2.10": "Simultaneous Open Attempts",
        "4.2.2.11": "Recovery from Old Duplicate SYN",
        "4.2.2.12": "RST Segment",
        "4.2.2.13": "Closing a Connection",
        "4.2.2.14": "Data Communication",
        "4.2.2.15": "Retransmission Timeout",
        "4.2.2.16": "Managing the Window",
        "4.2.2.17": "Probing Zero Windows",
        "4.2.2.18": "Passive OPEN Calls",
        "4.2.2.19": "Time to Live",
        "4.2.2.20": "Event Processing",
        "4.2.2.21": "Acknowledging Queued Segments",
        "4.2.3": "SPECIFIC ISSUES",
        "4.2.3.1": "Retransmission Timeout Calculation",
        "4.2.3.2": "When to Send an ACK Segment",
        "4.2.3.3": "When to Send a Window Update",
        "4.2.3.4": "When to Send Data",
        "4.2.3.5": "TCP Connection Failures",
        "4.2.3.6": "TCP Keep-Alives",
        "4.2.3.7": "TCP Multihoming",
        "4.2.3.8": "IP Options",
        "4.2.3.9": "ICMP Messages",
        "4.2.3.10": "Remote Address Validation",
        "4.2.3.11": "TCP Traffic Patterns",
        "4.2.3.12": "Efficiency",
        "4.2.4": "TCP/APPLICATION LAYER INTERFACE",
        "4.2.4.1": "Asynchronous Reports",
        "4.2.4.2": "Type-of-Service",
        "4.2.4.3": "Flush Call",
        "4.2.4.4": "Multihoming",
        "4.2.5": "TCP REQUIREMENT SUMMARY",
        "5": "REFERENCES",
    },
    1185: {
        "1": "INTRODUCTION",
        "2": "SEQUENCE NUMBER WRAP-AROUND",
        "2.1": "Background",
        "2.2": "TCP Timestamps",
        "2.3": "Avoiding Old Duplicate Segments",
        "2.3.1": "Basic Algorithm",
        "2.3.2": "Header Prediction",
        "2.3.3": "Timestamp Frequency",
        "3": "DUPLICATES FROM EARLIER INCARNATIONS OF CONNECTION",
        "3.1": "System Crash with Loss of State",
        "3.2": "Closing and Reopening a Connection",
        "4": "CONCLUSIONS",
        "appendix": "APPENDIX -- Protection against Old Duplicates in TCP",
    },
    1323: {
        "1": "INTRODUCTION",
        "1.1": "TCP Performance",
        "1.2": "TCP Reliability",
        "1.3": "Using TCP options",
        "2": "TCP WINDOW SCALE OPTION",
        "2.1": "Introduction",
        "2.2": "Window Scale Option",
        "2.3": "Using the Window Scale Option",
        "3": "RTTM: ROUND-TRIP TIME MEASUREMENT",
        "3.1": "Introduction",
        "3.2": "TCP Timestamps Option",
        "3.3": "The RTTM Mechanism",
        "3.4": "Which Timestamp to Echo",
        "4": "PAWS: PROTECT AGAINST WRAPPED SEQUENCE NUMBERS",
        "4.1": "Introduction",
        "4.2": "The PAWS Mechanism",
        "4.2.1": "Basic PAWS Algorithm",
        "4.2.2": "Timestamp Clock",
        "4.2.3": "Outdated Timestamps",
        "4.2.4": "Header Prediction",
        "4.3": "Duplicates from Earlier Incarnations of Connection",
        "5": "CONCLUSIONS AND ACKNOWLEDGMENTS",
        "6": "REFERENCES",
        "A": "IMPLEMENTATION SUGGESTIONS",
        "B": "DUPLICATES FROM EARLIER CONNECTION INCARNATIONS",
        "B.1": "System Crash with Loss of State",
        "B.2": "Closing and Reopening a Connection",
        "C": "CHANGES FROM RFC-1072, RFC-1185",
        "D": "SUMMARY OF NOTATION",
        "E": "EVENT PROCESSING",
    },
    1337: {
        "1": "INTRODUCTION",
        "2": "The TWA Hazards",
        "2.1": "Introduction",
        "2.2": "HAZARD H1: Acceptance of erroneous old duplicate data.",
        "2.3": "HAZARD H2: De-synchronized Connection",
        "2.4": "HAZARD H3: Connection Failure",
        "3": "Fixes for TWA Hazards",
        "4": "Conclusions",
        "appendix": "APPENDIX: Using 64-bit Sequence Numbers",
    },
    2525: {
        "2": "Known implementation problems",
        "2.1": "No initial slow start",
        "2.2": "No slow start after retransmission timeout",
        "2.3": "Uninitialized CWND",
        "2.4": "Inconsistent retransmission",
        "2.5": "Failure to retain above-sequence data",
        "2.6": "Extra additive constant in congestion avoidance",
        "2.7": "Initial RTO too low",
        "2.8": "Failure of window deflation after loss recovery",
        "2.9": "Excessively short keepalive connection timeout",
        "2.10": "Failure to back off retransmission timeout",
        "2.11": "Insufficient interval between keepalives",
        "2.12": "Window probe deadlock",
        "2.13": "Stretch ACK violation",
        "2.14": "Retransmission sends multiple packets",
        "2.15": "Failure to send FIN notification promptly",
        "2.16": "Failure to send a RST after Half Duplex Close",
        "2.17": "Failure to RST on close with data pending",
        "2.18": "Options missing from TCP MSS calculation",
    },
    6298: {
        "1": "Introduction",
        "2": "The Basic Algorithm",
        "3": "Taking RTT Samples",
        "4": "Clock Granularity",
        "5": "Managing the RTO Timer",
        "6": "Security Considerations",
        "7": "Changes from RFC 2988",
        "8": "Acknowledgments",
    },
    8200: {
        "1": "Introduction",
        "2": "Terminology",
        "3": "IPv6 Header Format",
        "4": "IPv6 Extension Headers",
        "4.1": "Extension Header Order",
        "4.2": "Options",
        "4.3": "Hop-by-Hop Options Header",
        "4.4": "Routing Header",
        "4.5": "Fragment Header",
        "4.6": "Destination Options Header",
        "4.7": "No Next Header",
        "4.8": "Defining New Extension Headers and Options",
        "5": "Packet Size Issues",
        "6": "Flow Labels",
        "7": "Traffic Classes",
        "8": "Upper-Layer Protocol Issues",
        "8.1": "Upper-Layer Checksums",
        "8.2": "Maximum Packet Lifetime",
        "8.3": "Maximum Upper-Layer Payload Size",
        "8.4": "Responding to Packets Carrying Routing Headers",
        "9": "IANA Considerations",
        "10": "Security Considerations",
        "11": "References",
        "11.1": "Normative References",
        "11.2": "Informative References",
        "A": "Formatting Guidelines for Options",
        "B": "Changes Since RFC 2460",
    },
    9293: {
        "1": "Purpose and Scope",
        "2": "Introduction",
        "2.1": "Requirements Language",
        "2.2": "Key TCP Concepts",
        "3": "Functional Specification",
        "3.1": "Header Format",
        "3.2": "Specific Option Definitions",
        "3.2.1": "Other Common Options",
        "3.2.2": "Experimental TCP Options",
        "3.3": "TCP Terminology Overview",
        "3.3.1": "Key Connection State Variables",
        "3.3.2": "State Machine Overview",
        "3.4": "Sequence Numbers",
        "3.4.1": "Initial Sequence Number Selection",
        "3.4.2": "Knowing When to Keep Quiet",
        "3.4.3": "The TCP Quiet Time Concept",
        "3.5": "Establishing a Connection",
        "3.5.1": "Half-Open Connections and Other Anomalies",
        "3.5.2": "Reset Generation",
        "3.5.3": "Reset Processing",
        "3.6": "Closing a Connection",
        "3.6.1": "Half-Closed Connections",
        "3.7": "Segmentation",
        "3.7.1": "Maximum Segment Size Option",
        "3.7.2": "Path MTU Discovery",
        "3.7.3": "Interfaces with Variable MTU Values",
        "3.7.4": "Nagle Algorithm",
        "3.7.5": "IPv6 Jumbograms",
        "3.8": "Data Communication",
        "3.8.1": "Retransmission Timeout",
        "3.8.2": "TCP Congestion Control",
        "3.8.3": "TCP Connection Failures",
        "3.8.4": "TCP Keep-Alives",
        "3.8.5": "The Communication of Urgent Information",
        "3.8.6": "Managing the Window",
        "3.8.6.1": "Zero-Window Probing",
        "3.8.6.2": "Silly Window Syndrome Avoidance",
        "3.8.6.2.1": "Sender's Algorithm -- When to Send Data",
        "3.8.6.2.2": "Receiver's Algorithm -- When to Send a Window Update",
        "3.8.6.3": "Delayed Acknowledgments -- When to Send an ACK Segment",
        "3.9": "Interfaces",
        "3.9.1": "User/TCP Interface",
        "3.9.1.1": "Open",
        "3.9.1.2": "Send",
        "3.9.1.3": "Receive",
        "3.9.1.4": "Close",
        "3.9.1.5": "Status",
        "3.9.1.6": "Abort",
        "3.9.1.7": "Flush",
        "3.9.1.8": "Asynchronous Reports",
        "3.9.1.9": "Set Differentiated Services Field (IPv4 TOS or IPv6 Traffic Class)",
        "3.9.2": "TCP/Lower-Level Interface",
        "3.9.2.1": "Source Routing",
        "3.9.2.2": "ICMP Messages",
        "3.9.2.3": "Source Address Validation",
        "3.10": "Event Processing",
        "3.10.1": "OPEN Call",
        "3.10.2": "SEND Call",
        "3.10.3": "RECEIVE Call",
        "3.10.4": "CLOSE Call",
        "3.10.5": "ABORT Call",
        "3.10.6": "STATUS Call",
        "3.10.7": "SEGMENT ARRIVES",
        "3.10.7.1": "CLOSED STATE",
        "3.10.7.2": "LISTEN STATE",
        "3.10.7.3": "SYN-SENT STATE",
        "3.10.7.4": "Other States",
        "3.10.8": "Timeouts",
        "4": "Glossary",
        "5": "Changes from RFC 793",
        "6": "IANA Considerations",
        "7": "Security and Privacy Considerations",
        "8": "References",
        "8.1": "Normative References",
        "8.2": "Informative References",
        "A": "Other Implementation Notes",
        "A.1": "IP Security Compartment and Precedence",
        "A.1.1": "Precedence",
        "A.1.2": "MLS Systems",
        "A.2": "Sequence Number Validation",
        "A.3": "Nagle Modification",
        "A.4": "Low Watermark Settings",
        "B": "TCP Requirement Summary",
        "glossary": "Glossary",
    },
    # RFC 1945: its table of contents and section 1.3, read in a stored copy of the RFC text (2026-12-01).
    1945: {
        "1": "Introduction",
        "1.1": "Purpose",
        "1.2": "Terminology",
        "1.3": "Overall Operation",
        "1.4": "HTTP and MIME",
    },
    # The RFCs below were not read past their first page (RFC 1812: one section): see UNREAD and the docstring.
    1812: {
        "4": "INTERNET LAYER - PROTOCOLS",
        "4.2": "INTERNET PROTOCOL - IP",
        "4.2.2": "PROTOCOL WALK-THROUGH",
        "4.2.2.9": "Time to Live: RFC 791 Section 3.2",
    },
    5961: {
        "3": "Blind Reset Attack Using the RST Bit",
        "3.1": "Description of the Attack",
        "3.2": "Mitigation",
        "4": "Blind Reset Attack Using the SYN Bit",
        "4.1": "Description of the Attack",
        "4.2": "Mitigation",
        "5": "Blind Data Injection Attack",
        "5.2": "",
        "7": "ACK Throttling",
    },
    6056: {
        "3.3.4": "Algorithm 4: Double-Hash Port Selection Algorithm",
    },
    6191: {
        "2": "",
    },
    6335: {},
    6528: {
        "3": "",
    },
    7323: {
        "2.3": "Using the Window Scale Option",
        "4.3": "Which Timestamp to Echo",
        "5": "",
        "5.2": "The PAWS Mechanism",
        "5.3": "Basic PAWS Algorithm",
        "5.4": "",
        "5.5": "Outdated Timestamps",
    },
    9112: {
        "9": "Connection Management",
        "9.1": "Establishment",
        "9.2": "Associating a Response to a Request",
        "9.3": "Persistence",
        "9.3.1": "Retrying Requests",
        "9.3.2": "Pipelining",
        "9.4": "Concurrency",
        "9.5": "Failures and Timeouts",
        "9.6": "Tear-down",
        "9.7": "TLS Connection Initiation",
        "9.8": "TLS Connection Closure",
    },
}

#: RFCs whose text was not read past the first page: their section keys above are
#: attested only by other texts (module docstring), so no entry citing one of their
#: sections may be "verified".
UNREAD: frozenset[int] = frozenset({5961, 6056, 6191, 6335, 6528, 7323})
