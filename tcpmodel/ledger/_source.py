"""The ledger's entry type and the helpers that build entries of each kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = ("rfc", "kernel-source", "kernel-commit", "man-page", "vendor-doc")
STATUSES = ("verified", "inferred", "unverified")
MAX_QUOTE_WORDS = 25


@dataclass(frozen=True)
class Source:
    """One cited source. Build with :func:`rfc`, :func:`kernel_source`, :func:`commit`, :func:`man`, :func:`vendor`."""

    key: str
    kind: str
    cite: str
    title: str
    quote: str
    status: str
    checked: str
    url: str = ""
    how: str = ""
    # locators, by kind
    rfc: int | None = None
    section: str | None = None
    path: str = ""
    symbol: str = ""
    version: str = ""
    commit_id: str = ""
    first_release: str = ""
    page: str = ""
    doc_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"source {self.key}: kind must be one of {KINDS}; got {self.kind!r}")
        if self.status not in STATUSES:
            raise ValueError(f"source {self.key}: status must be one of {STATUSES}; got {self.status!r}")
        if self.status != "verified" and not self.how:
            raise ValueError(f"source {self.key}: an {self.status} entry must say how (the 'how' field)")
        words = len(self.quote.split())
        if not 1 <= words <= MAX_QUOTE_WORDS:
            raise ValueError(f"source {self.key}: quote must have 1 to {MAX_QUOTE_WORDS} words; has {words}")
        date.fromisoformat(self.checked)

    @property
    def label(self) -> str:
        """The citation for prose: with the symbol and version read, and the status where it is not verified.

        >>> kernel_source("net/ipv4/tcp.c", "tcp_close", "void tcp_close(struct sock *sk, long timeout)").label
        'net/ipv4/tcp.c `tcp_close` (Linux 6.18)'
        """
        text = self.cite
        if self.kind == "kernel-source" and self.symbol:
            text = f"{self.cite} `{self.symbol}` (Linux {self.version})"
        elif self.kind == "man-page" and self.symbol:
            text = f"{self.cite} `{self.symbol}` ({self.version})"
        return text if self.status == "verified" else f"{text} ({self.status})"


#: The date this ledger's entries were read at their sources, unless an entry says otherwise.
CHECKED = "2026-12-01"
#: The Linux version whose source the ledger's kernel entries were read at.
LINUX = "6.18"


def rfc(number: int, section: str | None, title: str, quote: str, *, status: str = "verified",
        how: str = "", checked: str = CHECKED) -> Source:
    """An RFC section (``section=None`` for the RFC as a whole; ``"glossary"`` for its glossary; a letter such as
    ``"B.2"`` for an appendix, cited as ``RFC 1323 Appendix B.2``)."""
    appendix = section is not None and section != "glossary" and section[:1].isalpha()
    where = "" if section is None else (" Glossary" if section == "glossary" else
                                        f" Appendix {section}" if appendix else f" §{section}")
    anchor = "" if section is None else ("" if section == "glossary" else
                                         f"#appendix-{section}" if appendix else f"#section-{section}")
    key = f"rfc{number}" + ("" if section is None else f":{section}")
    return Source(key=key, kind="rfc", cite=f"RFC {number}{where}", title=title, quote=quote,
                  status=status, how=how, checked=checked, rfc=number, section=section,
                  url=f"https://www.rfc-editor.org/rfc/rfc{number}{anchor}")


def kernel_source(path: str, symbol: str, quote: str, *, version: str = LINUX, title: str = "",
                  status: str = "verified", how: str = "", checked: str = CHECKED) -> Source:
    """A Linux source or documentation file, and the symbol (or sysctl, or heading) read in it."""
    key = f"linux:{path}" + (f":{symbol}" if symbol else "")
    return Source(key=key, kind="kernel-source", cite=path, title=title or (f"{symbol} in {path}" if symbol else path),
                  quote=quote, status=status, how=how, checked=checked, path=path, symbol=symbol,
                  version=version, url=f"https://elixir.bootlin.com/linux/v{version}/source/{path}")


def commit(commit_id: str, subject: str, first_release: str, quote: str, *, status: str = "verified",
           how: str = "", checked: str = CHECKED) -> Source:
    """A kernel commit (12-hex-digit id) and the first release that contains it."""
    return Source(key=f"commit:{commit_id[:12]}", kind="kernel-commit",
                  cite=f"commit {commit_id[:12]} (Linux {first_release})", title=subject, quote=quote,
                  status=status, how=how, checked=checked, commit_id=commit_id, first_release=first_release,
                  url=f"https://git.kernel.org/linus/{commit_id}")


def man(page: str, topic: str, quote: str, *, version: str, title: str = "", url: str = "",
        status: str = "verified", how: str = "", checked: str = CHECKED) -> Source:
    """A man page such as ``tcp(7)`` and the entry read in it (``topic``: an option, a sysctl, an error).

    ``version`` names the man-pages release (or the system) read.
    """
    key = f"man:{page}" + (f":{topic}" if topic else "")
    return Source(key=key, kind="man-page", cite=page, title=title or f"{topic} in {page}", quote=quote,
                  status=status, how=how, checked=checked, page=page, symbol=topic, version=version, url=url)


def vendor(doc_id: str, cite: str, title: str, quote: str, *, url: str = "", version: str = "",
           status: str = "verified", how: str = "", checked: str = CHECKED) -> Source:
    """A vendor's document (a Microsoft KB article, a FreeBSD or Apple manual...)."""
    return Source(key=f"doc:{doc_id}", kind="vendor-doc", cite=cite, title=title, quote=quote, status=status,
                  how=how, checked=checked, doc_id=doc_id, version=version, url=url)
