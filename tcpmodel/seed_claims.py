"""The claims of the five texts this course answers, each with its verdict and where the course answers it.

Theory of operation
-------------------
The course was written to answer five explanations of TIME_WAIT that
learners and engineers already read: Stevens' *Unix Network Programming*
§2.7 and four popular articles (:data:`TEXTS` says what each one is). The
texts themselves are not part of this repository; this module keeps their
*claims*, paraphrased in neutral words (no sentence of theirs is copied),
one :class:`SeedClaim` each in :data:`SEED_CLAIMS`.

Every claim carries

* ``verdict``: ``"true"``, ``"wrong"``, ``"outdated"`` (true once, no longer)
  or ``"partly-true"`` (true under conditions the text leaves out);
* ``answered_in``: the notebook sections that teach it (where true) or
  correct it (where wrong or outdated), each as ``(notebook file, heading
  line)``, the heading exactly as the notebook's markdown writes it;
* ``sources``: the keys of the :mod:`tcpmodel.ledger` entries that decide
  the verdict;
* ``note``: why the verdict is what it is, in one or two sentences;
* ``keywords``: words that the answering section must contain, so that a
  renamed or rewritten section cannot silently stop answering the claim.

``tests/test_seed_claims.py`` holds the data to the notebooks and the
ledger: every section exists and names the claim's topic, every source is a
ledger entry, and the first section that answers a wrong or outdated claim
says in so many words that it is a correction (:data:`CORRECTION_MARKERS`).
The numbers a verdict rests on (the port range, the 470/s limit, the
lengths of TIME_WAIT by system) are checked there against ``tcpmodel``.

Examples
--------
>>> sorted(TEXTS)
['avoid-tw', 'five-cases', 'incident-20k', 'unp-2.7', 'why-tw']
>>> claim("why-tw/port-range-61000").verdict
'outdated'
>>> claim("why-tw/port-range-61000").answered_in[0]
('05_how_long.ipynb', '## 4. Popular claims that are wrong')
>>> counts()["unp-2.7"] >= 5
True
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

__all__ = ["TEXTS", "VERDICTS", "CORRECTION_MARKERS", "SeedClaim", "SEED_CLAIMS", "claim", "counts"]

#: The five texts, by the short id the claims use: what each one is (not its title).
TEXTS: dict[str, str] = {
    "why-tw": "An article on why TCP needs TIME_WAIT: its two purposes, a delayed-segment example with "
              "SEQ=301, the MSL and quiet time of the original TCP specification, Linux's TCP_TIMEWAIT_LEN, a "
              "port-exhaustion estimate from ip_local_port_range, and the usual workarounds (SO_LINGER, "
              "tcp_tw_reuse, the port range, tcp_tw_recycle).",
    "five-cases": "A blog post that runs five socket experiments (client or server closing first, with and "
                  "without a fixed client port) to show who enters TIME_WAIT, then lists workarounds; the "
                  "same page carries an incident story of users behind NAT failing after tcp_tw_recycle, a "
                  "question-and-answer thread on how a lost final ACK is noticed, and a tutorial on finding "
                  "TIME_WAIT sockets with netstat and ss.",
    "avoid-tw": "An article on when TIME_WAIT occurs, why it is needed, and three ways to avoid it: restarting "
                "the networking service, SO_REUSEADDR and SO_LINGER.",
    "unp-2.7": "Stevens, Unix Network Programming, §2.7 TIME_WAIT State",
    "incident-20k": "A write-up of an incident in which about 20,000 TIME_WAIT sockets on one host were blamed "
                    "for failed connections to a downstream module, followed by the handshake, the close, the "
                    "state machine, the two reasons for TIME_WAIT and what SO_REUSEADDR does.",
}

VERDICTS = ("true", "wrong", "outdated", "partly-true")

#: Words one of which the first section answering a "wrong" or "outdated" claim must contain: the
#: section must say that it corrects something, not only state the right fact.
CORRECTION_MARKERS = ("myth", "wrong", "not true", "no longer", "out of date", "outdated")


@dataclass(frozen=True)
class SeedClaim:
    """One claim of a seed text: what it says, the verdict, where the course answers it, and the sources."""

    text_id: str
    claim: str
    verdict: str
    answered_in: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]
    note: str
    keywords: tuple[str, ...]
    key: str

    def __post_init__(self) -> None:
        if self.text_id not in TEXTS:
            raise ValueError(f"seed claim {self.key}: text_id must be one of {sorted(TEXTS)}; got {self.text_id!r}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"seed claim {self.key}: verdict must be one of {VERDICTS}; got {self.verdict!r}")
        if not self.key.startswith(self.text_id + "/"):
            raise ValueError(f"seed claim {self.key}: key must start with its text_id {self.text_id!r}")
        for name in ("answered_in", "sources", "keywords"):
            if not getattr(self, name):
                raise ValueError(f"seed claim {self.key}: {name} must not be empty")
        for where in self.answered_in:
            if len(where) != 2 or not where[0].endswith(".ipynb") or not where[1].startswith("#"):
                raise ValueError(f"seed claim {self.key}: answered_in entries are (notebook.ipynb, '## heading')")


def _c(key: str, verdict: str, claim: str, note: str, answered_in, sources, keywords) -> SeedClaim:
    return SeedClaim(text_id=key.split("/")[0], claim=claim, verdict=verdict,
                     answered_in=tuple(tuple(w) for w in answered_in), sources=tuple(sources), note=note,
                     keywords=tuple(keywords), key=key)


# Notebook sections, as (file, heading line).
NB01_STATES = ("01_state_machine.ipynb", "## 1. The 11 states")
NB01_HANDSHAKE = ("01_state_machine.ipynb", "## 2. The three-way handshake")
NB01_CLOSE = ("01_state_machine.ipynb", "## 3. The normal four-way close")
NB01_SIMULTANEOUS = ("01_state_machine.ipynb", "## 4. The simultaneous close")
NB01_PATH = ("01_state_machine.ipynb", "## 5. The path into TIME_WAIT, and why only the active closer takes it")
NB02_WHO = ("02_who_waits.ipynb", "## 1. The active closer waits")
NB02_RESTART = ("02_who_waits.ipynb", "## 2. A server that closes first cannot restart at once")
NB02_FIXED_PORT = ("02_who_waits.ipynb", "## 3. A client that binds a fixed local port")
NB02_RECONNECT = ("02_who_waits.ipynb", "## 4. A client that reconnects to a server that closed first")
NB03_LAST_ACK = ("03_reliable_close.ipynb", "## 1. The last ACK is never acknowledged")
NB03_WITH_TW = ("03_reliable_close.ipynb", "## 2. With TIME_WAIT: ACK again and restart the timer")
NB03_WITHOUT_TW = ("03_reliable_close.ipynb", "## 3. Without TIME_WAIT: a RST and an error")
NB04_SEQ301 = ("04_old_duplicates.ipynb", "## 1. Incarnations and the delayed SEQ=301")
NB04_TTL = ("04_old_duplicates.ipynb", "## 2. Routing loops, TTL and the MSL")
NB04_2MSL = ("04_old_duplicates.ipynb", "## 3. Why 2·MSL: one MSL each way")
NB04_BERKELEY = ("04_old_duplicates.ipynb", "## 4. ISNs, timestamps and a SYN in TIME_WAIT")
NB04_ASSASSINATION = ("04_old_duplicates.ipynb", "## 5. The one hole: TIME-WAIT assassination")
NB05_MSL = ("05_how_long.ipynb", "## 1. MSL, 2 MSL, and TTL against MSL")
NB05_TWICE = ("05_how_long.ipynb", "## 2. Why twice the MSL")
NB05_SYSTEMS = ("05_how_long.ipynb", "## 3. The systems table: from a two-minute MSL to Linux's fixed 60 s")
NB05_WRONG = ("05_how_long.ipynb", "## 4. Popular claims that are wrong")
NB06_RATE = ("06_cost_at_scale.ipynb", "## 1. Deriving the 470/s limit")
NB06_TUPLE = ("06_cost_at_scale.ipynb", "## 2. The 4-tuple multiplies the limit, and who closes first decides who pays")
NB06_MEMORY = ("06_cost_at_scale.ipynb",
               "## 3. How many sockets, how much memory, and what happens at `tcp_max_tw_buckets`")
NB06_INCIDENT = ("06_cost_at_scale.ipynb", "## 4. An incident: 20,000 sockets in TIME_WAIT and no way out")
NB07_REUSEADDR = ("07_workarounds.ipynb", "## 1. SO_REUSEADDR: restart a server while TIME_WAIT remains")
NB07_LINGER = ("07_workarounds.ipynb", "## 2. SO_LINGER {on, 0}: close with a reset")
NB07_REUSE = ("07_workarounds.ipynb", "## 3. `tcp_tw_reuse`: reuse a TIME_WAIT 4-tuple for an outgoing connection")
NB07_RECYCLE = ("07_workarounds.ipynb", "## 4. `tcp_tw_recycle`: removed in Linux 4.12, and why")
NB07_RANGE = ("07_workarounds.ipynb", "## 5. Widening `ip_local_port_range`, and more 4-tuples")
NB07_POOL = ("07_workarounds.ipynb", "## 6. Connection pooling and keep-alive")
NB07_CLIENT_CLOSES = ("07_workarounds.ipynb", "## 7. Let the client close first")
NB07_MYTHS = ("07_workarounds.ipynb", "## 8. Five myths, each shown and corrected")
NB08_SS = ("08_lab_your_kernel.ipynb", "## 1. Seeing TIME_WAIT: `ss` and `/proc/net/tcp`")
NB08_WHO = ("08_lab_your_kernel.ipynb", "## 2. Who waits, on a real kernel")
NB08_REUSEADDR = ("08_lab_your_kernel.ipynb", "## 3. Restarting a server: `SO_REUSEADDR` on Linux")
NB08_BOUND = ("08_lab_your_kernel.ipynb",
              "## 4. Connecting again from the same port: `tcp_tw_reuse` and the bound-port rule")
NB08_ABORT = ("08_lab_your_kernel.ipynb", "## 5. Aborting with RST, and reading the timer instead of waiting")
NB08_NETNS = ("08_lab_your_kernel.ipynb",
              "## 6. Port exhaustion, in a namespace of its own (instructors, root only — shown from a stored run)")
NB08_DIFFERS = ("08_lab_your_kernel.ipynb", "## Where Linux differs from the textbook and from popular articles")
NB09_POOL = ("09_capstone.ipynb", "## 1. Incident: an outgoing pool that cannot connect")
NB09_RESTART = ("09_capstone.ipynb", "## 2. Incident: a server that cannot restart")
NB09_NAT = ("09_capstone.ipynb", "## 3. Incident: failures behind NAT")
NB10_TABLE = ("10_your_own_traffic.ipynb", "## 5. Reading a socket table: what binds, and what to do")

# Ledger keys.
R791_TTL = "rfc791:3.1"
R793_QUIET = "rfc793:3.3"
R793_CLOSE = "rfc793:3.5"
R793_MSL = "rfc793:glossary"
R1122_CLOSE = "rfc1122:4.2.2.13"
R1185 = "rfc1185"
R1185_PURPOSES = "rfc1185:3.2"
R9293_STATES = "rfc9293:3.3.2"
R9293_SEQ = "rfc9293:3.4"
R9293_ISN = "rfc9293:3.4.1"
R9293_QUIET = "rfc9293:3.4.2"
R9293_QUIET_TIME = "rfc9293:3.4.3"
R9293_HALF_OPEN = "rfc9293:3.5.1"
R9293_RESET = "rfc9293:3.5.2"
R9293_CLOSING = "rfc9293:3.6"
R9293_TIME_WAIT_RULE = "rfc9293:3.6.1"
R9293_MSS = "rfc9293:3.7.1"
R9293_FAILURES = "rfc9293:3.8.3"
R9293_CLOSE_CALL = "rfc9293:3.10.4"
R9293_ABORT = "rfc9293:3.10.5"
R9293_CLOSED = "rfc9293:3.10.7.1"
R9293_ARRIVES = "rfc9293:3.10.7.4"
R9293_TIMEOUTS = "rfc9293:3.10.8"
TCP_H = "linux:include/net/tcp.h:TCP_TIMEWAIT_LEN"
SYSCTL = "linux:Documentation/networking/ip-sysctl.rst:"
PORT_RANGE = SYSCTL + "ip_local_port_range"
TW_REUSE = SYSCTL + "tcp_tw_reuse"
TW_REUSE_DELAY = SYSCTL + "tcp_tw_reuse_delay"
MAX_TW = SYSCTL + "tcp_max_tw_buckets"
FIN_TIMEOUT = SYSCTL + "tcp_fin_timeout"
TW_PROCESS = "linux:net/ipv4/tcp_minisocks.c:tcp_timewait_state_process"
TW_UNIQUE = "linux:net/ipv4/tcp_ipv4.c:tcp_twsk_unique"
HASH_CONNECT = "linux:net/ipv4/inet_hashtables.c:__inet_hash_connect"
CHECK_ESTABLISHED = "linux:net/ipv4/inet_hashtables.c:__inet_check_established"
BIND_CONFLICT = "linux:net/ipv4/inet_connection_sock.c:inet_bind_conflict"
TW_ALLOC = "linux:net/ipv4/inet_timewait_sock.c:inet_twsk_alloc"
TCP_CLOSE = "linux:net/ipv4/tcp.c:__tcp_close"
TCP_DISCONNECT = "linux:net/ipv4/tcp.c:tcp_disconnect"
RANGE_COMMIT = "commit:07f4c90062f8"  # its first release, 4.2, is inferred (see the ledger entry)
SOCKET7_REUSEADDR = "man:socket(7):SO_REUSEADDR"
SOCKET7_LINGER = "man:socket(7):SO_LINGER"
TCP7_RECYCLE = "man:tcp(7):tcp_tw_recycle"
TCP7_REUSE = "man:tcp(7):tcp_tw_reuse"
TCP7_MAX_TW = "man:tcp(7):tcp_max_tw_buckets"
SS8 = "man:ss(8):time-wait"
SS8_TIMER = "man:ss(8):timer"
IP7_NO_PORT = "man:ip(7):IP_BIND_ADDRESS_NO_PORT"

_WHY = (
    _c("why-tw/eleven-states", "true",
       "TCP's connection state machine has eleven states.",
       "RFC 9293 §3.3.2 lists LISTEN through TIME-WAIT plus the fictional CLOSED: eleven in all.",
       [NB01_STATES], [R9293_STATES], ["11 states"]),

    _c("why-tw/diagram-shows-everything", "wrong",
       "The usual TCP state diagram shows every possible transition, those of abnormal conditions included.",
       "RFC 9293 §3.3.2 calls its diagram a summary that leaves out error conditions and every action that "
       "does not change state; the full rules are the event processing the course's state table encodes.",
       [NB01_STATES], [R9293_STATES], ["summary"]),

    _c("why-tw/both-sides-wait", "wrong",
       "Both ends of a connection go through TIME_WAIT when it is closed.",
       "TIME-WAIT belongs to the end that sends the first FIN; both ends wait only in a "
       "simultaneous close (RFC 9293 §3.6, Figures 12 and 13). The same text contradicts this later.",
       [NB01_PATH, NB01_SIMULTANEOUS], [R9293_CLOSING, R9293_ARRIVES], ["both"]),

    _c("why-tw/close-is-half", "true",
       "Closing tells the peer that this side has no more data to send, while it can still receive.",
       "RFC 9293 §3.6 defines CLOSE as 'no more data to send' and lets the closing user keep receiving; the "
       "peer may keep sending in CLOSE-WAIT.",
       [NB01_CLOSE], [R9293_CLOSING], ["half-close"]),

    _c("why-tw/close-sequence", "true",
       "In a normal close the client sends FIN and enters FIN_WAIT_1; the server ACKs it and enters CLOSE_WAIT; "
       "the ACK takes the client to FIN_WAIT_2; the server then sends a FIN of its own; the client ACKs it and enters "
       "TIME_WAIT; the server closes on that ACK, and the client after 2 MSL.",
       "This is RFC 9293 §3.6, Figure 12, with the client as the side that closes first.",
       [NB01_CLOSE], [R9293_CLOSING, R9293_ARRIVES], ["LAST-ACK", "FIN-WAIT-2"]),

    _c("why-tw/passive-goes-closed", "true",
       "Only the side that closes first waits in TIME_WAIT; the passive closer goes straight to CLOSED.",
       "The passive closer's last segment is its FIN, which is acknowledged, so it can delete the connection "
       "on that ACK (RFC 9293 §3.10.7.4, LAST-ACK).",
       [NB01_PATH, NB02_WHO], [R9293_CLOSING, R9293_ARRIVES], ["passive closer", "never waits"]),

    _c("why-tw/reason-old-duplicates", "true",
       "TIME_WAIT stops late segments of a finished connection from being taken as data of a later "
       "connection that has the same addresses and ports.",
       "RFC 9293 §3.3.2 gives this as half of the definition of TIME-WAIT; §3.4.1 calls the later "
       "connections incarnations.",
       [NB04_SEQ301], [R9293_STATES, R9293_ISN], ["incarnation"]),

    _c("why-tw/reason-last-ack", "true",
       "TIME_WAIT makes sure that the peer received the ACK of its FIN.",
       "RFC 9293 §3.3.2 defines TIME-WAIT as waiting until the peer surely got that acknowledgment; "
       "§3.10.7.4 has the TIME-WAIT side ACK a retransmitted FIN again.",
       [NB03_WITH_TW], [R9293_STATES, R9293_ARRIVES], ["retransmitted FIN", "retransmission of the remote FIN"]),

    _c("why-tw/unique-sequence-numbers", "partly-true",
       "Every TCP segment carries a unique sequence number, apart from wrap-around.",
       "Sequence numbers belong to octets, not segments (RFC 9293 §3.4), and a retransmission carries the "
       "same numbers as the original; that is why a receiver cannot tell an old copy from a new one by its "
       "number alone.",
       [NB04_SEQ301], [R9293_SEQ], ["every octet"]),

    _c("why-tw/quiet-time", "partly-true",
       "The rule that a TCP must stay quiet for one MSL before using sequence numbers after starting up or "
       "after a crash that lost them is the reason for TIME_WAIT.",
       "The rule is real (RFC 793 §3.3; RFC 9293 §3.4.2 and §3.4.3), but it is the quiet time after a reboot, "
       "not the wait after a close, and RFC 9293 §3.4.2 says most current implementations do not need it.",
       [NB05_MSL], [R793_QUIET, R9293_QUIET, R9293_QUIET_TIME], ["quiet time"]),

    _c("why-tw/seq301", "true",
       "A delayed segment (SEQ=301) of a closed connection can reach a new connection that reuses the same "
       "ports and be accepted as its data.",
       "If its sequence number falls in the new receive window, the acceptability test of RFC 9293 §3.10.7.4 "
       "lets it in; notebook 04 simulates exactly this case.",
       [NB04_SEQ301], [R9293_ISN, R9293_ARRIVES], ["SEQ=301"]),

    _c("why-tw/2msl-unexplained", "true",
       "RFC 793 §3.5 asks for 2 MSL in TIME-WAIT without explaining the factor of two.",
       "RFC 793 §3.5 shows the 2 MSL wait in its close figures and the event processing restarts it, but "
       "gives no reason for the two; the course derives it (one MSL for the last ACK to arrive, one for the "
       "peer's last retransmission to die).",
       [NB04_2MSL, NB05_TWICE], [R793_CLOSE, R1185_PURPOSES], ["one MSL"]),

    _c("why-tw/msl-2min-engineering", "true",
       "RFC 793 sets the MSL to two minutes as an engineering choice, not a derived value.",
       "RFC 793 §3.3 and its Glossary; RFC 9293 §3.4.2 keeps the same words.",
       [NB05_MSL], [R793_QUIET, R793_MSL, R9293_QUIET], ["engineering choice"]),

    _c("why-tw/adjust-from-experience", "partly-true",
       "Changing the operating system's TIME_WAIT setting according to experience causes no problem.",
       "The RFC allows the MSL to be changed if experience shows it desirable, and systems did shorten it, "
       "but Linux has no such setting (TIME_WAIT is the compile-time TCP_TIMEWAIT_LEN) and a shorter wait "
       "shrinks the protection against old duplicates.",
       [NB05_SYSTEMS, NB05_WRONG], [R9293_QUIET, TCP_H], ["TCP_TIMEWAIT_LEN"]),

    _c("why-tw/linux-60s-earlier", "partly-true",
       "Earlier Linux versions set TCP_TIMEWAIT_LEN to 60 seconds so that connection resources could be reused "
       "sooner.",
       "The value is right and is still the value today, not only in earlier versions. The motive is in the "
       "kernel's own comment on the timer: Linux, following BSD, waits only 60 s where it should wait 240 s, "
       "because 240 s 'consumes too much of resources'.",
       [NB05_SYSTEMS], [TCP_H, "linux:net/ipv4/inet_timewait_sock.c:__inet_twsk_schedule"], ["TCP_TIMEWAIT_LEN"]),

    _c("why-tw/port-range-61000", "outdated",
       "Linux clients take their local ports from 32768 to 61000, 28,232 ports in all.",
       "That was the default before Linux 4.2 (commit 07f4c90062f8, whose first release is inferred); today's "
       "default ends at 60999, so that the two ends differ in parity, and it is that range which holds 28,232 "
       "ports.",
       [NB05_WRONG, NB07_MYTHS], [PORT_RANGE, RANGE_COMMIT], ["61000"]),

    _c("why-tw/28232-per-minute", "partly-true",
       "Once a host has opened more than 28,232 connections to one port of a remote host within a minute, new "
       "connections fail.",
       "It holds per combination of source address, destination address and port, when the client closes "
       "first and tcp_tw_reuse does not apply; connect() then fails with EADDRNOTAVAIL.",
       [NB06_RATE, NB06_TUPLE], [PORT_RANGE, TCP_H, CHECK_ESTABLISHED], ["destination"]),

    _c("why-tw/470-per-second", "partly-true",
       "Without configuration changes a host can create at most about 470 new connections per second.",
       "The number follows from the default ports and Linux's 60 s TIME_WAIT, but only for one source "
       "address to one destination address and port, with the client closing first; more destinations "
       "multiply it.",
       [NB06_RATE], [PORT_RANGE, TCP_H], ["470"]),

    _c("why-tw/last-ack-syn-rst", "partly-true",
       "If the client opens a new connection before the server got its last ACK, the server, still in "
       "LAST_ACK, answers the new SYN with a RST and the connection attempt fails.",
       "RST is the answer of RFC 793 §3.9 to an in-window SYN; RFC 9293 §3.10.7.4 answers a SYN in a synchronized "
       "state with a challenge ACK, which the client resets, ending LAST-ACK as in RFC 9293 §3.5.1, so the "
       "retried SYN succeeds. It only arises when the same 4-tuple is reused.",
       [NB03_WITHOUT_TW], [R9293_ARRIVES, R9293_HALF_OPEN], ["LAST-ACK"]),

    _c("why-tw/wait-outcomes", "true",
       "While the closer waits, either the peer gets the ACK and closes, or, missing it, sends its FIN again "
       "and expects another ACK.",
       "RFC 9293 §3.6 retransmits every segment up to and including the FIN until it is acknowledged, and "
       "§3.10.7.4 has TIME-WAIT acknowledge the retransmission.",
       [NB03_WITH_TW], [R9293_CLOSING, R9293_ARRIVES], ["retransmi"]),

    _c("why-tw/load-test-piles-up", "true",
       "A load test that opens many short connections from one host leaves that host with many sockets in "
       "TIME_WAIT.",
       "The load generator is the client and usually closes first, so every connection leaves its 4-tuple "
       "in TIME_WAIT there for TCP_TIMEWAIT_LEN.",
       [NB06_RATE], [TCP_H, R9293_CLOSING], ["client closes first"]),

    _c("why-tw/netstat-lists", "true",
       "netstat -tan lists the sockets that are in TIME_WAIT.",
       "It does; on Linux ss(8) shows the same sockets and, with -o, the time left on each timer.",
       [NB08_SS, NB10_TABLE], [SS8, SS8_TIMER], ["netstat"]),

    _c("why-tw/so-linger-zero", "true",
       "With SO_LINGER on and a linger time of zero, close() discards what is left in the buffers and sends "
       "a RST, ending the connection at once.",
       "Linux's __tcp_close() disconnects a zero-linger socket, and tcp_disconnect() sends the RST; the "
       "cost is lost data and no protection for the next connection on the 4-tuple.",
       [NB07_LINGER], [SOCKET7_LINGER, TCP_CLOSE, TCP_DISCONNECT, R9293_ABORT], ["SO_LINGER"]),

    _c("why-tw/tw-reuse-timestamps", "partly-true",
       "tcp_tw_reuse lets the kernel reuse connections in TIME_WAIT, using the TCP timestamp option.",
       "Only for this host's outgoing connect(), only if the old connection used timestamps and "
       "tcp_tw_reuse_delay has passed; the default value 2 allows it on loopback only.",
       [NB07_REUSE, NB08_BOUND], [TW_REUSE, TW_REUSE_DELAY, TW_UNIQUE], ["tcp_tw_reuse"]),

    _c("why-tw/tw-reuse-safety", "partly-true",
       "Timestamps are what keep a reused TIME_WAIT connection relatively safe.",
       "PAWS rejects old segments only once the peer's timestamp clock has ticked since the old connection; "
       "that assumption is why tcp_tw_reuse_delay exists, and the bound-port takeover does not wait for it.",
       [NB07_REUSE], [TW_REUSE_DELAY, TW_UNIQUE], ["PAWS"]),

    _c("why-tw/widen-port-range", "true",
       "Widening ip_local_port_range raises the number of connections that can exist at the same time.",
       "More ports in the range means more 4-tuples per destination, so proportionally more connections per "
       "second when the client closes first.",
       [NB07_RANGE], [PORT_RANGE], ["ip_local_port_range"]),

    _c("why-tw/recycle-removed", "true",
       "Linux 4.12 dropped the tcp_tw_recycle option.",
       "tcp(7) gives the option's life as Linux 2.4 to 4.11.",
       [NB07_RECYCLE], [TCP7_RECYCLE], ["4.12"]),

    _c("why-tw/recycle-why-removed", "true",
       "tcp_tw_recycle was removed because it caused problems.",
       "It dropped SYNs from hosts whose timestamps were not monotonic per address, which is the case behind "
       "NAT and with per-connection timestamp offsets (tcp(7)).",
       [NB07_RECYCLE], [TCP7_RECYCLE], ["NAT"]),

    _c("why-tw/ask-experts", "true",
       "Linux's own documentation advises against changing these settings without expert advice.",
       "ip-sysctl.rst and tcp(7) say tcp_tw_reuse should not be changed without the advice or request of "
       "technical experts.",
       [NB07_REUSE], [TW_REUSE, TCP7_REUSE], ["experts"]),
)

_FIVE = (
    _c("five-cases/2msl-for-last-fin", "partly-true",
       "The specification has the closer stay 2 MSL so that the peer is as sure as possible to receive the "
       "last FIN.",
       "The wait is 2 MSL, but what it protects is the last ACK, the one that acknowledges the peer's FIN; "
       "its other job is to let old duplicates die.",
       [NB03_LAST_ACK, NB03_WITH_TW], [R9293_STATES, R9293_ARRIVES], ["last ACK", "final ACK", "Acknowledge it"]),

    _c("five-cases/tuple-not-reusable", "partly-true",
       "While an end is in TIME_WAIT, the endpoints that define the connection cannot be used again.",
       "The 4-tuple is held, with exceptions: a TIME_WAIT server may accept a new SYN (RFC 1122 §4.2.2.13, "
       "RFC 9293 §3.6.1), and Linux's connect() may take the 4-tuple over (tcp_tw_reuse, or a bound port "
       "with timestamps).",
       [NB02_RECONNECT, NB08_BOUND], [R1122_CLOSE, R9293_TIME_WAIT_RULE, TW_UNIQUE], ["4-tuple"]),

    _c("five-cases/linux-msl-30s", "wrong",
       "On most Linux systems the MSL is 30 seconds, which makes 2 MSL one minute.",
       "Linux has no MSL setting; its constant is the TIME_WAIT length itself, TCP_TIMEWAIT_LEN. An MSL of "
       "half of it is only a convention.",
       [NB05_WRONG, NB07_MYTHS], [TCP_H], ["convention"]),

    _c("five-cases/ttl-not-msl", "partly-true",
       "An IP packet's lifetime is bounded by its TTL, which counts hops, so MSL and TTL are not closely "
       "related.",
       "RFC 791 §3.1 defines the TTL in seconds but has every hop decrement it by at least one, so in "
       "practice it counts hops; RFC 1185 §1 calls IP's enforcement of the MSL loose. The MSL is an "
       "assumption on top of it.",
       [NB05_MSL, NB04_TTL], [R791_TTL, "rfc1185:1"], ["TTL"]),

    _c("five-cases/linux-msl-hardcoded-1min", "wrong",
       "In most Linux kernels the MSL is hard-coded to one minute.",
       "What is hard-coded is the TIME_WAIT length, TCP_TIMEWAIT_LEN; no MSL value sets it.",
       [NB07_MYTHS, NB05_WRONG], [TCP_H], ["convention"]),

    _c("five-cases/other-systems-configurable", "true",
       "Some other operating systems let the administrator configure this value.",
       "FreeBSD has net.inet.tcp.msl and Windows TcpTimedWaitDelay, for example; notebook 05's systems table "
       "lists each with its source.",
       [NB05_SYSTEMS], ["man:tcp(4):msl", "doc:KB314053"], ["net.inet.tcp.msl"]),

    _c("five-cases/fin-sender-waits", "true",
       "Whichever end sends the first FIN enters TIME_WAIT, client or server.",
       "RFC 9293 §3.6: the state machine knows no clients or servers, only who closes first.",
       [NB02_WHO], [R9293_CLOSING], ["first FIN", "closes first"]),

    _c("five-cases/case1-new-port", "true",
       "In the first experiment the client closes first and connects again: the kernel gives the new "
       "connection another ephemeral port, and neither side notices the TIME_WAIT.",
       "A kernel-chosen port avoids a 4-tuple still in TIME_WAIT (__inet_check_established()).",
       [NB02_FIXED_PORT], [CHECK_ESTABLISHED, PORT_RANGE], ["ephemeral"]),

    _c("five-cases/ephemeral-range-configurable", "true",
       "The range of ephemeral ports can be configured on Linux.",
       "It is the per-namespace sysctl ip_local_port_range.",
       [NB07_RANGE], [PORT_RANGE], ["ip_local_port_range"]),

    _c("five-cases/short-connections-exhaust", "partly-true",
       "A client that opens and closes many connections quickly can run out of ports; long-lived "
       "connections, pools or disconnecting with RST avoid it.",
       "The exhaustion and the pooling remedy are right; a RST close removes TIME_WAIT by throwing away "
       "unacknowledged data and TIME_WAIT's protection.",
       [NB07_POOL, NB06_MEMORY, NB07_LINGER], [PORT_RANGE, TCP_H, TCP_CLOSE], ["pool", "run out", "RST"]),

    _c("five-cases/case2-bound-port", "partly-true",
       "In the second experiment a client bound to a fixed local port closes first, and running it again "
       "fails: a connection in TIME_WAIT cannot be created again.",
       "Without SO_REUSEADDR, bind() fails with EADDRINUSE. With SO_REUSEADDR on the old and the new socket, "
       "Linux's connect() takes the TIME_WAIT 4-tuple over at once when the old connection used timestamps.",
       [NB08_BOUND, NB02_FIXED_PORT], [BIND_CONFLICT, HASH_CONNECT, TW_UNIQUE], ["bind"]),

    _c("five-cases/case3-other-server", "partly-true",
       "In the third experiment a client bound to a fixed port that is in TIME_WAIT towards one server "
       "cannot use that port towards a different server either, and has no choice but to wait until TIME_WAIT "
       "ends.",
       "The bind() fails because the sockets lack SO_REUSEADDR; with it on the old and the new socket the "
       "bind succeeds and the connection to the other server, a different 4-tuple, works at once.",
       [NB08_BOUND], [BIND_CONFLICT, TW_ALLOC, SOCKET7_REUSEADDR], ["SO_REUSEADDR"]),

    _c("five-cases/case4-server-restart", "true",
       "In the fourth experiment the server closes first, is killed, and cannot be restarted on its port.",
       "Its connections wait in TIME_WAIT on the server's port, and bind() fails with EADDRINUSE unless both "
       "the old and the new listener set SO_REUSEADDR (on Linux).",
       [NB02_RESTART, NB09_RESTART], [BIND_CONFLICT, TW_ALLOC], ["EADDRINUSE", "Address already in use"]),

    _c("five-cases/server-side-worse", "partly-true",
       "TIME_WAIT on the server side matters much more than on the client side.",
       "A server that closes first pays in memory and in quick restarts, not in ports: its TIME_WAIT "
       "sockets share its listening port. Port exhaustion hits the side that connects.",
       [NB06_TUPLE, NB08_DIFFERS], [TW_PROCESS, MAX_TW], ["memory"]),

    _c("five-cases/server-collects", "true",
       "A server that closes first while serving many clients collects one TIME_WAIT per connection.",
       "Each of its connections ends in TIME-WAIT on the server (RFC 9293 §3.6).",
       [NB06_TUPLE], [R9293_CLOSING], ["server closes first"]),

    _c("five-cases/case5-server-accepts-syn", "true",
       "In the fifth experiment the server closed first and a client bound to the same port connects again: "
       "the server's TIME_WAIT does not stop it.",
       "RFC 1122 §4.2.2.13 (RFC 9293 §3.6.1) lets a TIME-WAIT end accept a new SYN; Linux does in "
       "tcp_timewait_state_process() when the SYN's sequence number or timestamp is newer.",
       [NB02_RECONNECT], [R1122_CLOSE, R9293_TIME_WAIT_RULE, TW_PROCESS], ["tcp_timewait_state_process"]),

    _c("five-cases/no-tw-incarnation", "true",
       "Without TIME_WAIT, late packets of a connection could be picked up by a later connection on the "
       "identical 4-tuple.",
       "RFC 9293 §3.4.1 calls such a connection an incarnation and names TIME-WAIT as the guard.",
       [NB04_SEQ301], [R9293_ISN], ["incarnation"]),

    _c("five-cases/isn-protects", "true",
       "The initial sequence number chosen in the handshake is one of the protections against such packets.",
       "RFC 9293 §3.4.1: clock-driven ISNs place a new incarnation elsewhere in sequence space; TIME-WAIT "
       "covers the connections that outrun the clock.",
       [NB04_BERKELEY], [R9293_ISN], ["ISN"]),

    _c("five-cases/ephemeral-other-tuple", "true",
       "Because the kernel usually assigns an ephemeral port, a reconnection to that host normally ends up "
       "on another 4-tuple.",
       "connect() accepts a port only if the whole 4-tuple is unique (__inet_check_established()).",
       [NB06_TUPLE], [CHECK_ESTABLISHED], ["__inet_check_established"]),

    _c("five-cases/no-wait-rst", "true",
       "If the last ACK is lost and the closer did not wait, it answers the retransmitted FIN with a RST and "
       "the peer sees an error.",
       "A CLOSED endpoint answers every non-RST segment with a RST (RFC 9293 §3.10.7.1).",
       [NB03_WITHOUT_TW], [R9293_CLOSED], ["RST"]),

    _c("five-cases/no-setting-on-ubuntu", "true",
       "Ubuntu (Linux) offers no setting that changes how long TIME_WAIT lasts.",
       "TCP_TIMEWAIT_LEN is a compile-time constant; tcp_fin_timeout, often mistaken for it, is the "
       "FIN_WAIT_2 timeout of orphaned sockets.",
       [NB05_WRONG, NB07_MYTHS], [TCP_H, FIN_TIMEOUT], ["tcp_fin_timeout"]),

    _c("five-cases/reuseaddr-discards-tw", "wrong",
       "Setting SO_REUSEADDR makes the process discard the TIME_WAIT state.",
       "SO_REUSEADDR only relaxes the bind() check; the TIME_WAIT sockets stay and keep guarding their "
       "4-tuples, and on Linux both the old and the new socket need the option.",
       [NB07_REUSEADDR, NB08_REUSEADDR], [SOCKET7_REUSEADDR, BIND_CONFLICT, TW_ALLOC], ["SO_REUSEADDR"]),

    _c("five-cases/client-closes-first", "true",
       "Arranging for the client to close first keeps TIME_WAIT off the server, whose resources are worth "
       "more.",
       "The side that closes first waits (RFC 9293 §3.6); moving the close to the clients spreads the "
       "TIME_WAIT sockets over them.",
       [NB07_CLIENT_CLOSES], [R9293_CLOSING], ["client close first"]),

    _c("five-cases/rst-no-tw", "partly-true",
       "When a connection is ended with a RST, neither side enters TIME_WAIT and its resources are released "
       "at once.",
       "Linux's behaviour, not TCP's rule. On Linux the aborting side goes straight to CLOSED (tcp_disconnect()) "
       "and the peer's socket closes on the RST, so neither waits (observed in notebook 08), at the price of "
       "discarded data and an ECONNRESET at the peer. RFC 9293 §3.10.5 (ABORT) also ends in CLOSED, but RFC 9293 "
       "§3.5.2 and Note 3 under Figure 5 (RFC 9293 §3.3.2) say the side that sends a reset should enter TIME-WAIT.",
       [NB07_LINGER, NB08_ABORT], [TCP_DISCONNECT, R9293_RESET, R9293_STATES, R9293_ABORT], ["RST"]),

    _c("five-cases/nat-users-fail", "true",
       "After tcp_tw_recycle was enabled on a busy web site, 1 to 3 % of its users could not reach it, and "
       "all of them were behind NAT.",
       "tcp(7) warns that the option fails for hosts behind NAT, whose timestamps are not monotonic per "
       "address. The share is this site's own observation: the course's simulator reproduces the pattern "
       "(a host alone behind its address is never dropped, hosts that share one are), not the percentage.",
       [NB07_RECYCLE, NB09_NAT], [TCP7_RECYCLE], ["NAT"]),

    _c("five-cases/tw-confirms-delivery", "partly-true",
       "TIME_WAIT lets the system be sure that the connection has really stopped sending and that no data "
       "was lost.",
       "Data is confirmed by the ACKs before the close (RFC 9293 §3.6); TIME_WAIT only lets the closer ACK a "
       "retransmitted FIN again and lets old duplicates die.",
       [NB03_LAST_ACK], [R9293_CLOSING, R9293_STATES], ["last ACK"]),

    _c("five-cases/sockets-are-finite", "true",
       "The number of sockets a host can hold is finite, and TIME_WAIT spends some of it.",
       "Each TIME_WAIT socket costs kernel memory, and Linux caps their number at tcp_max_tw_buckets.",
       [NB06_MEMORY], [MAX_TW, TCP7_MAX_TW], ["tcp_max_tw_buckets"]),

    _c("five-cases/reuse-off-new-port", "partly-true",
       "With tcp_tw_reuse off, a new outgoing connection gets a new local address and port, and the old ones "
       "become usable only when CLOSED.",
       "True for kernel-chosen ports; a socket that binds the old port explicitly takes the TIME_WAIT 4-tuple "
       "over whenever the old connection used timestamps, whatever tcp_tw_reuse says.",
       [NB08_BOUND], [TW_UNIQUE, HASH_CONNECT], ["tcp_tw_reuse"]),

    _c("five-cases/reuse-when-exhausted", "partly-true",
       "With tcp_tw_reuse set to 1 the system can use ports in TIME_WAIT when free ones run out.",
       "Only for outgoing connections, only if the old connection used timestamps, and only after "
       "tcp_tw_reuse_delay.",
       [NB07_REUSE], [TW_REUSE, TW_REUSE_DELAY, TW_UNIQUE], ["tcp_tw_reuse"]),

    _c("five-cases/tuning-advice", "true",
       "Common tuning advice says to enable tcp_tw_reuse and tcp_tw_recycle, but tcp_tw_recycle is not as "
       "harmless as it looks.",
       "tcp(7) advises against tcp_tw_recycle; it no longer exists.",
       [NB07_RECYCLE], [TCP7_RECYCLE], ["tcp_tw_recycle"]),

    _c("five-cases/peer-resends-fin", "true",
       "The passive closer in LAST_ACK retransmits its FIN on a timeout; an active closer in TIME_WAIT that "
       "receives it again re-sends the ACK.",
       "RFC 9293 §3.6 retransmits the FIN until it is acknowledged; §3.10.7.4 has TIME-WAIT ACK it and "
       "restart the 2 MSL timer.",
       [NB03_WITH_TW], [R9293_CLOSING, R9293_ARRIVES], ["restart"]),

    _c("five-cases/lost-fin-later-tw", "true",
       "If the FIN itself was lost, its retransmission eventually arrives and the active closer enters "
       "TIME_WAIT then.",
       "The FIN sits in its sender's retransmission queue until it is acknowledged (RFC 9293 §3.6).",
       [NB03_LAST_ACK], [R9293_CLOSING], ["retransmission queue"]),

    _c("five-cases/tw-timer-not-retransmission", "true",
       "The TIME_WAIT timer does not drive retransmissions; when it expires, the closer assumes its ACK "
       "arrived because no FIN came back.",
       "The last ACK is never retransmitted; when the time-wait timeout expires the connection is deleted "
       "(RFC 9293 §3.10.8).",
       [NB03_LAST_ACK], [R9293_TIMEOUTS, R9293_CLOSING], ["never retransmitted"]),

    _c("five-cases/fin-until-acked", "partly-true",
       "A lost FIN is retransmitted until it is acknowledged.",
       "Until it is acknowledged or the retransmission limit closes the connection (RFC 9293 §3.6 and "
       "§3.8.3).",
       [NB03_LAST_ACK], [R9293_CLOSING, R9293_FAILURES], ["gives up"]),

    _c("five-cases/tw-is-normal", "true",
       "TIME_WAIT belongs to the ordinary life of a socket; only tens of thousands of them at once are a "
       "concern.",
       "Every connection this host closes first passes through it; what matters is the count against the "
       "4-tuples available.",
       [NB02_WHO, NB06_INCIDENT], [R9293_CLOSING], ["not a leak", "no sign"]),

    _c("five-cases/tw-after-any-fin", "wrong",
       "A socket enters TIME_WAIT as soon as a FIN comes in from its peer.",
       "A FIN that arrives first leads to CLOSE-WAIT; TIME-WAIT follows only a FIN that arrives after this "
       "side sent its own (RFC 9293 §3.10.7.4, eighth step).",
       [NB01_PATH], [R9293_ARRIVES], ["CLOSE-WAIT"]),

    _c("five-cases/closes-itself", "true",
       "After that the socket closes by itself.",
       "When the time-wait timeout expires the TCB is deleted (RFC 9293 §3.10.8).",
       [NB01_PATH], [R9293_TIMEOUTS], ["2MSL timer"]),

    _c("five-cases/rfc9293-section", "true",
       "TIME_WAIT belongs to the connection close that RFC 9293 §3.6 describes.",
       "RFC 9293 §3.6, Figures 12 and 13.",
       [NB01_CLOSE], [R9293_CLOSING], ["§3.6"]),

    _c("five-cases/active-closer-path", "true",
       "The active closer enters TIME_WAIT after receiving the peer's ACK and FIN and acknowledging that FIN.",
       "RFC 9293 §3.10.7.4 (FIN-WAIT-2, or FIN-WAIT-1 when one segment carries both).",
       [NB01_CLOSE, NB01_PATH], [R9293_ARRIVES], ["TIME-WAIT"]),

    _c("five-cases/rfc-2msl-linux-60s", "true",
       "The RFC sets TIME_WAIT to twice the MSL, while Linux hard-codes 60 seconds.",
       "RFC 9293 §3.6.1 (MUST-13) and TCP_TIMEWAIT_LEN.",
       [NB05_SYSTEMS], [R9293_TIME_WAIT_RULE, TCP_H], ["TCP_TIMEWAIT_LEN"]),

    _c("five-cases/leaves-when-delivered", "wrong",
       "A socket leaves TIME_WAIT as soon as everything still in flight has arrived.",
       "Nothing is confirmed: the socket leaves TIME-WAIT when its timer expires (RFC 9293 §3.10.8), or "
       "earlier on a RST or when the 4-tuple is taken over.",
       [NB07_MYTHS, NB03_LAST_ACK], [R9293_TIMEOUTS], ["timer"]),

    _c("five-cases/server-runs-out", "partly-true",
       "A web server can exhaust its sockets when too many of them sit in TIME_WAIT.",
       "A server that closes first spends memory, capped by tcp_max_tw_buckets, not ports: its TIME_WAIT "
       "sockets all use its own listening port. Ports run out on the side that connects.",
       [NB08_DIFFERS, NB06_TUPLE], [MAX_TW, TW_PROCESS], ["memory"]),

    _c("five-cases/recycling-process", "partly-true",
       "Some systems free TIME_WAIT sockets early by recycling them, typically through a background job that "
       "runs at intervals.",
       "Linux's tcp_tw_recycle (Linux 2.4 to 4.11, tcp(7)) did free them early, by shortening each socket's "
       "wait to 3.5 × RTO (read in a 4.9-based tree: inferred); it broke clients behind NAT and no longer exists. "
       "Linux 3.x kernels did expire TIME_WAIT sockets from a periodic timer and a work queue, but that job ran "
       "each socket's own timeout, normal or shortened, and freed nothing early by itself (inet_twdr_hangman(), "
       "read in a tree named for Linux 3.6: inferred); 6.12 gives every TIME_WAIT socket a timer of its own.",
       [NB07_RECYCLE], [TCP7_RECYCLE, "linux:net/ipv4/inet_timewait_sock.c:inet_twdr_hangman",
                        "linux:net/ipv4/tcp_minisocks.c:recycle_ok"], ["tcp_tw_recycle"]),

    _c("five-cases/either-side", "true",
       "TIME_WAIT can appear on the client or on the server, depending on which side ends the connection.",
       "RFC 9293 §3.6.",
       [NB02_WHO], [R9293_CLOSING], ["closes first"]),

    _c("five-cases/no-ports-left", "partly-true",
       "With many sockets in TIME_WAIT, an application that needs new sockets fails because not enough ports "
       "are left.",
       "Only new outgoing connections from the side that closed first, to the same destination, and they "
       "fail in connect() with EADDRNOTAVAIL.",
       [NB06_MEMORY, NB06_TUPLE], [CHECK_ESTABLISHED, PORT_RANGE], ["connect()"]),

    _c("five-cases/timer-fixed", "true",
       "The TIME_WAIT timer cannot be shortened on Linux, although some systems let ports be reused through "
       "kernel parameters.",
       "TCP_TIMEWAIT_LEN is fixed at compile time; reuse (tcp_tw_reuse) is a different matter from the "
       "length.",
       [NB05_WRONG], [TCP_H, TW_REUSE], ["compile"]),

    _c("five-cases/shutdown-makes-tw", "true",
       "Shutting down a server process turned its connections into TIME_WAIT.",
       "The kernel closes the dead process's sockets, which sends FINs: the server closes first.",
       [NB09_RESTART], [TCP_CLOSE], ["file descriptors"]),

    _c("five-cases/tw-means-app-bug", "wrong",
       "Connections in TIME_WAIT mean that something is wrong with the application.",
       "TIME_WAIT is how every connection that this host closes first ends; it says nothing about the "
       "application's health.",
       [NB02_WHO, NB10_TABLE], [R9293_CLOSING], ["broken"]),

    _c("five-cases/ss-shows-timer", "true",
       "ss with -o and the state filter time-wait shows how long each socket has left.",
       "ss(8): -o shows timer information, and timewait is one of the timers.",
       [NB08_SS], [SS8_TIMER, SS8], ["timewait"]),
)

_AVOID = (
    _c("avoid-tw/initiator-waits", "true",
       "The side that starts the termination waits in TIME_WAIT to make sure the peer got the acknowledgment "
       "of its termination request.",
       "RFC 9293 §3.3.2, definition of TIME-WAIT.",
       [NB01_PATH], [R9293_STATES], ["last ACK", "never acknowledged"]),

    _c("avoid-tw/close-sequence", "true",
       "A's FIN takes it to FIN_WAIT_1; B ACKs and enters CLOSE_WAIT; the ACK takes A to FIN_WAIT_2; on B's "
       "FIN, A sends the final ACK and enters TIME_WAIT.",
       "RFC 9293 §3.6, Figure 12.",
       [NB01_CLOSE], [R9293_CLOSING], ["FIN-WAIT-2"]),

    _c("avoid-tw/watch-for-fin", "true",
       "In TIME_WAIT, A waits to see whether B retransmits its FIN, and must then send the final ACK again.",
       "RFC 9293 §3.10.7.4, TIME-WAIT.",
       [NB03_WITH_TW], [R9293_ARRIVES], ["retransmitted FIN"]),

    _c("avoid-tw/2msl", "true",
       "The closer stays in TIME_WAIT for twice the MSL.",
       "RFC 9293 §3.6.1 (MUST-13); Linux waits its own fixed TCP_TIMEWAIT_LEN instead.",
       [NB05_MSL], [R9293_TIME_WAIT_RULE, TCP_H], ["2 MSL"]),

    _c("avoid-tw/msl-is-max-lifetime", "partly-true",
       "The MSL is how long a segment can survive in the network before something drops it.",
       "It is an assumption TCP makes; nothing in the network enforces it, and IP's TTL counts hops, not "
       "seconds.",
       [NB04_TTL, NB05_MSL], [R793_MSL, R791_TTL], ["assumption"]),

    _c("avoid-tw/rfc793-2min", "true",
       "RFC 793 defines the MSL as two minutes.",
       "RFC 793 §3.3 and its Glossary.",
       [NB05_MSL], [R793_QUIET, R793_MSL], ["2 minutes"]),

    _c("avoid-tw/purpose-duplicates", "true",
       "TIME_WAIT keeps late packets of one connection out of a later socket bound to the same addresses "
       "and ports.",
       "RFC 9293 §3.3.2 and §3.4.1.",
       [NB04_SEQ301], [R9293_STATES, R9293_ISN], ["incarnation"]),

    _c("avoid-tw/purpose-close-rst", "partly-true",
       "When the last ACK goes missing, the peer remains in LAST_ACK and, if the closer did not wait, replies "
       "to a new SYN on the same addresses with a RST.",
       "RST is the answer of RFC 793 §3.9 to an in-window SYN; RFC 9293 §3.10.7.4 answers with a challenge ACK, the "
       "client's RST then ends LAST-ACK (RFC 9293 §3.5.1), and the retried SYN succeeds.",
       [NB03_WITHOUT_TW], [R9293_ARRIVES, R9293_HALF_OPEN], ["LAST-ACK"]),

    _c("avoid-tw/why-avoid", "partly-true",
       "People avoid TIME_WAIT to restart a crashed program at once and because each waiting socket keeps "
       "memory and CPU busy until the timeout.",
       "The restart problem is real (without SO_REUSEADDR on both sockets); each TIME_WAIT socket is a small "
       "minisock rather than a full socket, so its memory matters only by the tens of thousands.",
       [NB06_MEMORY, NB02_RESTART], [MAX_TW, TW_ALLOC], ["minisock", "restart"]),

    _c("avoid-tw/restart-networking", "wrong",
       "Restarting the networking service (its init script) clears connections from TIME_WAIT.",
       "A TIME_WAIT socket is a kernel object with its own timer, not a property of an interface; it ends when "
       "the timer expires, on a RST (tcp_rfc1337 = 0), when its 4-tuple is taken over, when SOCK_DESTROY (ss -K) "
       "kills it, or with its network namespace. Notebook 08's root lab takes lo down and up and flushes its "
       "addresses, and the socket's timer keeps counting down.",
       [NB07_MYTHS, NB08_SS, NB08_NETNS],
       [R9293_TIMEOUTS, TCP_H, "linux:net/ipv4/inet_timewait_sock.c:tw_timer_handler", "linux:net/ipv4/tcp.c:tcp_abort",
        "linux:net/ipv4/inet_timewait_sock.c:inet_twsk_purge"],
       ["Restart networking", "restart the service"]),

    _c("avoid-tw/client-gets-new-port", "partly-true",
       "When the client closes first TIME_WAIT causes no real trouble, since a restarted client simply gets "
       "another ephemeral port.",
       "True for occasional reconnects; at a high rate of new connections the client's ports run out.",
       [NB02_FIXED_PORT, NB06_RATE], [CHECK_ESTABLISHED, PORT_RANGE], ["ephemeral"]),

    _c("avoid-tw/server-eaddrinuse", "true",
       "A server that closed first and restarts before TIME_WAIT ends fails in bind() with EADDRINUSE, for "
       "example right after a crash.",
       "On Linux unless both the old and the new listener set SO_REUSEADDR.",
       [NB02_RESTART, NB09_RESTART], [BIND_CONFLICT, TW_ALLOC], ["EADDRINUSE", "Address already in use"]),

    _c("avoid-tw/reuseaddr-before-bind", "partly-true",
       "Setting SO_REUSEADDR before bind() lets a server bind an address that is still in use.",
       "On Linux both the old and the new socket need the option, and an active listener on the address "
       "still blocks it.",
       [NB07_REUSEADDR, NB08_REUSEADDR], [SOCKET7_REUSEADDR, BIND_CONFLICT, TW_ALLOC], ["both", "old one"]),

    _c("avoid-tw/reuseaddr-even-in-use", "partly-true",
       "With SO_REUSEADDR the kernel allows the local address to be reused even if it is in use or in "
       "TIME_WAIT.",
       "Not if another socket is listening on it (socket(7)), and on Linux only if the socket already bound "
       "there set the option too.",
       [NB07_REUSEADDR], [SOCKET7_REUSEADDR, BIND_CONFLICT], ["listening"]),

    _c("avoid-tw/linger-default", "true",
       "By default close() returns at once, and the kernel keeps sending whatever is left in the send buffer.",
       "socket(7), SO_LINGER: without the option the close is done in the background.",
       [NB07_LINGER], [SOCKET7_LINGER, R9293_CLOSE_CALL], ["normal close"]),

    _c("avoid-tw/linger-zero", "true",
       "With l_onoff set and l_linger zero, close() aborts the connection: the send buffer is discarded, a "
       "RST is sent, and TIME_WAIT is avoided.",
       "__tcp_close() and tcp_disconnect() in net/ipv4/tcp.c.",
       [NB07_LINGER, NB08_ABORT], [TCP_CLOSE, TCP_DISCONNECT, SOCKET7_LINGER], ["SO_LINGER"]),
)

_UNP = (
    _c("unp-2.7/active-closer", "true",
       "TIME_WAIT is a state of the active closer.",
       "RFC 9293 §3.6.",
       [NB01_PATH], [R9293_CLOSING], ["active closer"]),

    _c("unp-2.7/2msl", "true",
       "It stays in that state for 2·MSL.",
       "RFC 9293 §3.6.1 (MUST-13).",
       [NB04_2MSL], [R9293_TIME_WAIT_RULE], ["2·MSL"]),

    _c("unp-2.7/every-tcp-chooses-msl", "partly-true",
       "Each TCP implementation has to pick its own MSL.",
       "Linux sets no MSL: it fixes the TIME_WAIT length itself (TCP_TIMEWAIT_LEN).",
       [NB05_SYSTEMS], [TCP_H], ["no MSL"]),

    _c("unp-2.7/rfc1122-2min", "true",
       "RFC 1122 §4.2.2.13 recommends an MSL of two minutes.",
       "RFC 1122 §4.2.2.13 gives the 2xMSL wait as four minutes; the two-minute value itself comes from "
       "RFC 793 §3.3 and its Glossary.",
       [NB05_MSL], [R1122_CLOSE, R793_MSL], ["2 minutes"]),

    _c("unp-2.7/berkeley-30s", "true",
       "Systems descended from BSD have long used 30 seconds as their MSL.",
       "The BSD constant TCPTV_MSL is 30 s; notebook 05's systems table gives FreeBSD's value with its source.",
       [NB05_SYSTEMS], ["doc:freebsd-tcp_timer.h"], ["TCPTV_MSL"]),

    _c("unp-2.7/one-to-four-minutes", "outdated",
       "TIME_WAIT therefore lasts between one and four minutes.",
       "macOS waits less than a minute, Linux's fixed wait sits at the bottom of that range, and Windows "
       "shortened its default from 240 s in Windows 2000 to 120 s from XP and Server 2003 (KB 314053).",
       [NB05_SYSTEMS], ["doc:xnu-tcp_timer.h", TCP_H, R9293_TIME_WAIT_RULE, "doc:KB314053"], ["macOS"]),

    _c("unp-2.7/msl-datagram-lifetime", "partly-true",
       "The MSL bounds how long any IP datagram can survive in the network.",
       "It is an assumption TCP makes about the network, not a limit the network enforces.",
       [NB04_TTL], [R793_MSL, "rfc1185:1"], ["assumption"]),

    _c("unp-2.7/hop-limit-bounds", "partly-true",
       "The bound comes from the IP header's hop limit, eight bits wide, on the assumption that even a "
       "packet starting at the largest hop count cannot outlive the MSL.",
       "The hop limit bounds hops more than seconds: RFC 791 §3.1 specifies the TTL in seconds, but every module "
       "that handles a datagram must lower it by at least one, so it \"has some attributes of a hop-count\" "
       "(RFC 1812 §4.2.2.9), and IPv6 defines it as a hop count (RFC 8200 §3); RFC 1185 §1 calls IP's "
       "enforcement of the MSL \"loosely defined and even more loosely implemented\".",
       [NB04_TTL, NB05_MSL], [R791_TTL, "rfc1812:4.2.2.9", "rfc8200:3", "rfc1185:1"], ["hops"]),

    _c("unp-2.7/wandering-duplicates", "true",
       "A segment caught in a routing loop while routes converge can be retransmitted meanwhile and arrive "
       "later as a lost or wandering duplicate, which TCP must handle.",
       "RFC 9293 §3.4.3 names wandering duplicates and the draining of the network; notebook 04 models the "
       "loop with TTL.",
       [NB04_TTL], [R9293_QUIET_TIME, R791_TTL], ["routing loop"]),

    _c("unp-2.7/two-reasons", "true",
       "TIME_WAIT has two reasons: a reliable full-duplex close, and letting old duplicates expire.",
       "RFC 1185 §3.2 lists the same two purposes.",
       [NB05_TWICE], [R1185_PURPOSES], ["two jobs"]),

    _c("unp-2.7/lost-final-ack", "true",
       "Should the last ACK vanish, the server sends its FIN again; the client keeps the connection's state so "
       "that it can repeat the ACK, since otherwise its reply would be a RST, which the server treats as an "
       "error.",
       "RFC 9293 §3.10.7.4 (TIME-WAIT) and §3.10.7.1 (CLOSED).",
       [NB03_WITHOUT_TW, NB03_WITH_TW], [R9293_ARRIVES, R9293_CLOSED], ["RST", "Acknowledge it"]),

    _c("unp-2.7/why-active-closer", "true",
       "The active closer is the side that waits, because only it might need to send that last ACK again.",
       "RFC 9293 §3.10.7.4.",
       [NB01_PATH], [R9293_ARRIVES], ["last ACK", "never acknowledged"]),

    _c("unp-2.7/incarnation", "true",
       "Reopening the same addresses and ports later gives the old connection another incarnation.",
       "RFC 9293 §3.4.1.",
       [NB04_SEQ301], [R9293_ISN], ["incarnation"]),

    _c("unp-2.7/no-new-incarnation", "partly-true",
       "TCP refuses to reopen a connection whose previous incarnation is still in TIME_WAIT.",
       "Linux does, from a port the application bound, when the old connection used timestamps, and with "
       "tcp_tw_reuse after tcp_tw_reuse_delay (tcp_twsk_unique()).",
       [NB08_BOUND], [TW_UNIQUE, HASH_CONNECT], ["tcp_twsk_unique"]),

    _c("unp-2.7/msl-each-way", "true",
       "Twice the MSL leaves one MSL for a segment in one direction to die and another for the reply.",
       "Notebook 04 simulates the ghost FIN that one MSL would let through.",
       [NB04_2MSL], [R9293_TIME_WAIT_RULE, R1185_PURPOSES], ["one MSL"]),

    _c("unp-2.7/guarantee", "partly-true",
       "With this rule, every old duplicate of earlier incarnations has expired by the time a new connection "
       "is established.",
       "Only if no segment outlives the assumed MSL and nothing cuts TIME_WAIT short: a RST in TIME-WAIT "
       "closes it (RFC 9293 §3.10.7.4), as do tcp_max_tw_buckets and reuse.",
       [NB04_ASSASSINATION], [R9293_ARRIVES, MAX_TW], ["RST"]),

    _c("unp-2.7/berkeley-exception", "true",
       "BSD-derived stacks make an exception: a SYN whose sequence number lies beyond the final one of the old "
       "incarnation may reopen a connection that is still in TIME_WAIT.",
       "RFC 1185 (appendix) and RFC 1122 §4.2.2.13 describe TCPs that accept such a SYN; Linux does it in "
       "tcp_timewait_state_process() with the sequence number or the timestamp.",
       [NB04_BERKELEY], [R1185, R1122_CLOSE, "doc:freebsd-tcp_twcheck", TW_PROCESS], ["Berkeley", "BSD"]),

    _c("unp-2.7/server-closed-first", "true",
       "This only helps when the server was the one that closed first, since the side that gets the new SYN "
       "has to be the one holding TIME_WAIT.",
       "The SYN is judged by the TIME-WAIT end (RFC 9293 §3.6.1, MAY-2).",
       [NB02_RECONNECT], [R9293_TIME_WAIT_RULE, TW_PROCESS], ["closed first"]),

    _c("unp-2.7/rfc1185-pitfalls", "true",
       "RFC 1185 discusses pitfalls of reopening a connection from TIME_WAIT.",
       "Its appendix: choosing the new ISN above the old sequence numbers protects one direction only; old "
       "duplicates from the other side can still land.",
       [NB04_BERKELEY], [R1185], ["RFC 1185"]),
)

_INCIDENT = (
    _c("incident-20k/20k-blocks", "partly-true",
       "About 20,000 TIME_WAIT sockets from one module kept a host from opening new connections to a downstream "
       "module.",
       "With Linux's default port range and 60 s TIME_WAIT, 20,000 sockets to one destination still leave "
       "ports free; exhaustion needs a narrower range, ports held by open connections, or a rate near the "
       "limit, as notebook 06's incident works out.",
       [NB06_INCIDENT], [PORT_RANGE, TCP_H], ["20,000"]),

    _c("incident-20k/four-tuple", "true",
       "A TCP connection is identified by its 4-tuple: local address, local port, remote address, remote "
       "port.",
       "RFC 9293 §3.4.1: a connection is defined by a pair of sockets.",
       [NB06_TUPLE], [R9293_ISN], ["4-tuple"]),

    _c("incident-20k/handshake", "true",
       "The three-way handshake: the client's SYN carries ISN J, the server's SYN carries K and acknowledges "
       "J+1, and the client acknowledges K+1.",
       "RFC 9293 §3.4.1 (the exchange of initial sequence numbers).",
       [NB01_HANDSHAKE], [R9293_ISN], ["SYN+ACK"]),

    _c("incident-20k/syn-options", "true",
       "The SYNs also settle parameters such as the maximum segment size and timestamps.",
       "Options such as the MSS are sent in the SYN (RFC 9293 §3.7.1); the timestamp option is agreed the "
       "same way.",
       [NB01_HANDSHAKE], [R9293_MSS], ["maximum segment size"]),

    _c("incident-20k/four-step-close", "true",
       "Closing takes four steps: the active closer's FIN, the peer's ACK of it, the peer's own FIN once its "
       "application closes, and the final ACK.",
       "RFC 9293 §3.6, Figure 12.",
       [NB01_CLOSE], [R9293_CLOSING], ["four-way close"]),

    _c("incident-20k/buffered-data-first", "true",
       "The promise to send no more data is the application's; TCP still sends the data left in the send "
       "buffer before the FIN.",
       "RFC 9293 §3.10.4 queues the CLOSE until all preceding SENDs are segmentized.",
       [NB01_CLOSE], [R9293_CLOSE_CALL, R9293_CLOSING], ["earlier SENDs"]),

    _c("incident-20k/either-side-closes", "true",
       "Either end can call close() first; it need not be the client.",
       "RFC 9293 §3.6.",
       [NB02_WHO], [R9293_CLOSING], ["closes first"]),

    _c("incident-20k/eleven-states", "true",
       "The TCP state machine has eleven states.",
       "RFC 9293 §3.3.2.",
       [NB01_STATES], [R9293_STATES], ["11 states"]),

    _c("incident-20k/three-paths", "true",
       "Only the side that calls close() first enters TIME_WAIT, along one of three transitions.",
       "From FIN-WAIT-1 (FIN and ACK together), FIN-WAIT-2 or CLOSING (RFC 9293 §3.10.7.4).",
       [NB01_PATH], [R9293_ARRIVES], ["CLOSING"]),

    _c("incident-20k/2msl-to-closed", "true",
       "A connection in TIME_WAIT must wait 2 MSL before it returns to CLOSED.",
       "RFC 9293 §3.6.1 and §3.10.8.",
       [NB01_PATH], [R9293_TIME_WAIT_RULE, R9293_TIMEOUTS], ["2MSL"]),

    _c("incident-20k/one-to-four-minutes", "outdated",
       "RFC 1122 §4.2.2.13 recommends a two-minute MSL and Berkeley systems use 30 seconds, so TIME_WAIT "
       "typically lasts one to four minutes.",
       "The RFC value is right, but systems shortened the wait since: macOS waits less than a minute.",
       [NB05_SYSTEMS], [R1122_CLOSE, "doc:xnu-tcp_timer.h", TCP_H], ["macOS"]),

    _c("incident-20k/rst-instead-of-ack", "true",
       "Without TIME_WAIT, the active closer would answer a retransmitted FIN with a RST, which the peer takes "
       "as an error although the close was normal.",
       "RFC 9293 §3.10.7.1.",
       [NB03_WITHOUT_TW], [R9293_CLOSED], ["RST"]),

    _c("incident-20k/local-port-held", "partly-true",
       "During TIME_WAIT the connection's local IP and port stay reserved and cannot go to another "
       "connection.",
       "Only the 4-tuple is held: the same local port can still connect to any other destination.",
       [NB06_TUPLE], [CHECK_ESTABLISHED], ["another"]),

    _c("incident-20k/old-data-new-connection", "true",
       "Without TIME_WAIT, old data of a closed connection could reach a later connection on an identical "
       "4-tuple and be handed to its application.",
       "RFC 9293 §3.4.1; notebook 04 shows the corruption.",
       [NB04_SEQ301], [R9293_ISN, R9293_ARRIVES], ["incarnation"]),

    _c("incident-20k/both-directions", "true",
       "Because TIME_WAIT lasts 2 MSL, old packets in both directions have expired when it ends.",
       "One MSL for each direction, as notebook 04 shows.",
       [NB04_2MSL], [R9293_TIME_WAIT_RULE, R1185_PURPOSES], ["one MSL"]),

    _c("incident-20k/duplicates-common", "partly-true",
       "Lost duplicates are very common in real networks, caused by router failures and routes that do not "
       "converge.",
       "Old duplicates exist: RFC 1185 §1 describes segments delayed in Internet queues, and RFC 9293 §3.4.3 "
       "speaks of wandering duplicates draining from the network. Neither section names routing loops as their "
       "cause, and how common they are is not measured by any source the course read (unverified).",
       [NB04_TTL], [R9293_QUIET_TIME, "rfc1185:1"], ["routing loop"]),

    _c("incident-20k/ttl-fate", "true",
       "A looping packet either dies when its TTL reaches zero or arrives once routes converge; if TCP already "
       "has the retransmitted copy, the late one is discarded as a duplicate.",
       "RFC 791 §3.1 for the TTL; within the same connection the late copy carries sequence numbers already "
       "acknowledged (RFC 9293 §3.4).",
       [NB04_TTL], [R791_TTL, R9293_SEQ], ["TTL"]),

    _c("incident-20k/seq-collision", "true",
       "A new incarnation that expects sequence number 1000 accepts a lost duplicate with the same sequence "
       "number as its data, corrupting the stream.",
       "The acceptability test of RFC 9293 §3.10.7.4 cannot tell them apart.",
       [NB04_SEQ301], [R9293_ARRIVES], ["window"]),

    _c("incident-20k/reuseaddr-tw-only", "partly-true",
       "SO_REUSEADDR lets a busy port be reused when its connections are in TIME_WAIT; in any other state the "
       "bind still fails with 'address in use'.",
       "On Linux only a listening socket blocks a bind between two sockets that both set the option, whatever "
       "the other sockets' states; and the old socket must have set it too.",
       [NB08_REUSEADDR, NB07_REUSEADDR], [BIND_CONFLICT, SOCKET7_REUSEADDR], ["TCP_LISTEN", "listening"]),

    _c("incident-20k/reuseaddr-restart", "true",
       "SO_REUSEADDR is what lets a service be restarted at once on the same port.",
       "On Linux when both the old and the new listener set it.",
       [NB07_REUSEADDR, NB09_RESTART], [BIND_CONFLICT, TW_ALLOC, SOCKET7_REUSEADDR], ["restart"]),

    _c("incident-20k/reuseaddr-stale-data", "wrong",
       "After a restart with SO_REUSEADDR, stale data still in the network might confuse the service, though "
       "this is unlikely.",
       "SO_REUSEADDR leaves the TIME_WAIT sockets in place, and they keep judging every segment for their "
       "4-tuples, so it adds no risk from old duplicates.",
       [NB07_REUSEADDR], [BIND_CONFLICT, TW_PROCESS], ["stale"]),
)

#: Every claim of the five texts, in the order of the texts.
SEED_CLAIMS: tuple[SeedClaim, ...] = _WHY + _FIVE + _AVOID + _UNP + _INCIDENT

_BY_KEY = {c.key: c for c in SEED_CLAIMS}
if len(_BY_KEY) != len(SEED_CLAIMS):
    raise ValueError("seed claims: duplicate key")


def claim(key: str) -> SeedClaim:
    """The seed claim with this key."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"no seed claim {key!r}") from None


def counts() -> dict[str, int]:
    """How many claims each text makes, by text id."""
    return dict(Counter(c.text_id for c in SEED_CLAIMS))
