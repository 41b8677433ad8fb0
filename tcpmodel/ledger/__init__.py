"""The sources ledger: every source the course cites, once, with its status.

Theory of operation
-------------------
A claim in the course is only as good as its source. This package keeps one
:class:`Source` per thing the course cites: an RFC section, a Linux source file
(and symbol) at a named version, a kernel commit with its first release, a man
page, or a vendor document. Each entry has

* ``kind``: one of :data:`KINDS`;
* an exact locator (RFC number and section; file, symbol and version read;
  commit id and first release; page and version; document id);
* ``quote``: a short supporting quote (at most 25 words) read at the source;
* ``status``: ``"verified"`` (read at the primary source), ``"inferred"``
  (``how`` says from what) or ``"unverified"`` (``how`` says why not);
* ``checked``: the date it was read.

Text cites an entry by its :attr:`Source.cite` form: ``RFC 9293 §3.6.1``,
``net/ipv4/tcp_minisocks.c``, ``commit 07f4c90062f8``, ``tcp(7)``,
``KB 314053``. :func:`find_citations` finds those forms in any text and
:func:`resolve` maps each to its entry, so the tests can hold every notebook,
data table and figure caption to the ledger: every citation resolves, no
entry goes unused, every RFC section exists (:data:`RFC_SECTIONS`), and text
that leans on an inferred or unverified entry says so.

Entries live by kind in :mod:`tcpmodel.ledger.rfc`,
:mod:`tcpmodel.ledger.kernel` and :mod:`tcpmodel.ledger.documents`.

Examples
--------
>>> source = LEDGER["linux:include/net/tcp.h:TCP_TIMEWAIT_LEN"]
>>> source.cite, source.version, source.status
('include/net/tcp.h', '6.12', 'verified')
>>> "linux:include/net/tcp.h:TCP_TIMEWAIT_LEN" in [s.key for s in resolve("Linux waits 60 s (`include/net/tcp.h`).")]
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "KINDS",
    "STATUSES",
    "Source",
    "Citation",
    "LEDGER",
    "RFC_SECTIONS",
    "cite",
    "find_citations",
    "resolve",
    "UnknownCitation",
]

from tcpmodel.ledger._source import KINDS, MAX_QUOTE_WORDS, STATUSES, Source
from tcpmodel.ledger import documents, kernel, rfc
from tcpmodel.ledger.rfc_sections import RFC_SECTIONS

LEDGER: dict[str, Source] = {}
for _module in (rfc, kernel, documents):
    for _source in _module.ENTRIES:
        if _source.key in LEDGER:
            raise ValueError(f"ledger: duplicate key {_source.key!r}")
        LEDGER[_source.key] = _source


def cite(key: str) -> str:
    """The citation of ledger entry ``key``, labelled when inferred or unverified.

    >>> cite("linux:include/net/tcp.h:TCP_TIMEWAIT_LEN")
    'include/net/tcp.h `TCP_TIMEWAIT_LEN` (Linux 6.12)'
    """
    try:
        return LEDGER[key].label
    except KeyError:
        raise UnknownCitation(f"no ledger entry {key!r}; see tcpmodel/ledger/") from None


class UnknownCitation(LookupError):
    """A citation that no ledger entry matches."""


# How each kind is cited in text. A man page is ``name(section)``; only the
# pages a networking course cites are looked for, since code is full of calls
# like ``group(1)`` that have the same shape.
MAN_PAGE_NAMES = (
    "tcp", "udp", "ip", "ipv6", "socket", "bind", "connect", "listen", "accept", "close", "shutdown",
    "setsockopt", "getsockopt", "ss", "netstat", "nstat", "sysctl", "proc", "ip-netns", "netns",
    "tcpdump", "pcap-filter", "pcap", "inet", "unix", "inet_timewait", "ip-sysctl", "sysctl.conf", "ndd", "netsh",
)
_RFC = re.compile(r"\bRFC ?(\d{3,4})(?:(?: ?§ ?| [Ss]ection )(\d+(?:\.\d+)*)| (Glossary)| Appendix ([A-Z](?:\.\d+)*))?")
_PATH = re.compile(r"(?<![\w/.-])((?:net|include|Documentation|kernel)/[\w/.+-]+\.(?:c|h|rst|txt))")
# A commit is cited by its id: 12 to 40 hex digits after the word "commit", or
# a bare 12-digit id (the kernel's abbreviation; longer bare hex is data, such
# as a socket address in a /proc/net/tcp row).
_COMMIT = re.compile(
    r"(?:(?<=\bcommit )|(?<=\bcommits ))(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])([0-9a-f]{12,40})\b"
    r"|(?<![\w/.:-])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])([0-9a-f]{12})(?![\w/:-])"
)
_MAN = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(n) for n in MAN_PAGE_NAMES) + r")\(([1-8][a-zA-Z]?)\)")
_KB = re.compile(r"\b(KB ?\d{5,7})\b")


@dataclass(frozen=True)
class Citation:
    """One citation found in a text: its kind and locator, and where it starts."""

    kind: str
    text: str
    start: int
    rfc: int | None = None
    section: str | None = None
    path: str = ""
    commit_id: str = ""
    page: str = ""
    doc_id: str = ""


def find_citations(text: str) -> list[Citation]:
    """Every citation-shaped string in ``text``, in order.

    >>> [c.text for c in find_citations("RFC 793 Glossary; tcp(7); net/ipv4/tcp.c; commit 07f4c90062f8")]
    ['RFC 793 Glossary', 'tcp(7)', 'net/ipv4/tcp.c', 'commit 07f4c90062f8']
    """
    found: list[Citation] = []
    for m in _RFC.finditer(text):
        section = m.group(2) or ("glossary" if m.group(3) else None) or m.group(4)
        found.append(Citation("rfc", m.group(0), m.start(), rfc=int(m.group(1)), section=section))
    for m in _PATH.finditer(text):
        found.append(Citation("kernel-source", m.group(1), m.start(), path=m.group(1)))
    for m in _COMMIT.finditer(text):
        commit_id = m.group(1) or m.group(2)
        found.append(Citation("kernel-commit", f"commit {commit_id}", m.start(), commit_id=commit_id))
    for m in _MAN.finditer(text):
        found.append(Citation("man-page", m.group(0), m.start(), page=m.group(0)))
    for m in _KB.finditer(text):
        found.append(Citation("vendor-doc", m.group(1), m.start(), doc_id=m.group(1).replace(" ", "")))
    # Other vendor documents (a FreeBSD source file, an Oracle manual...) are cited by their exact cite text.
    for source in LEDGER.values():
        if source.kind == "vendor-doc" and not _KB.fullmatch(source.cite):
            for m in re.finditer(re.escape(source.cite), text):
                found.append(Citation("vendor-doc", source.cite, m.start(), doc_id=source.doc_id))
    return sorted(found, key=lambda c: c.start)


def _matches(source: Source, c: Citation) -> bool:
    if source.kind != c.kind:
        return False
    if c.kind == "rfc":
        return source.rfc == c.rfc and source.section == c.section
    if c.kind == "kernel-source":
        return source.path == c.path
    if c.kind == "kernel-commit":
        return source.commit_id.startswith(c.commit_id) or c.commit_id.startswith(source.commit_id)
    if c.kind == "man-page":
        return source.page == c.page
    return source.doc_id == c.doc_id


def resolve_citation(c: Citation) -> list[Source]:
    """The ledger entries a citation names (a file may have several, one per symbol)."""
    return [s for s in LEDGER.values() if _matches(s, c)]


def resolve(text: str) -> list[Source]:
    """The ledger entries cited in ``text``, in order, each once.

    Raises :class:`UnknownCitation` naming the first citation with no entry.
    """
    out: dict[str, Source] = {}
    for c in find_citations(text):
        hits = resolve_citation(c)
        if not hits:
            raise UnknownCitation(f"{c.text!r} has no ledger entry (add one to tcpmodel/ledger/)")
        for s in hits:
            out.setdefault(s.key, s)
    return list(out.values())
