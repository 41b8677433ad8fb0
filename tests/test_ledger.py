"""The sources ledger holds every citation in the course to a checked source.

Every citation in the notebooks, the package's data and docstrings, the tools
and the figure index must resolve to a ledger entry; every entry must be
cited; every RFC section must exist; and text that leans on an inferred or
unverified entry must say so.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from tcpmodel.ledger import LEDGER, RFC_SECTIONS, STATUSES, find_citations, resolve_citation
from tcpmodel.ledger._source import MAX_QUOTE_WORDS

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def corpus() -> tuple[tuple[str, str], ...]:
    """(where, paragraph) for every paragraph of course text that may cite a source."""
    chunks: list[tuple[str, str]] = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            for i, para in enumerate(re.split(r"\n\s*\n", text)):
                chunks.append((f"{nb.name}:{cell.get('id')}:{i}", para))
    files = [p for p in (ROOT / "tcpmodel").rglob("*.py") if "ledger" not in p.parts]
    files += sorted((ROOT / "tools").glob("*.py")) + [ROOT / "figures" / "index.json", ROOT / "README.md"]
    for path in sorted(files):
        text = path.read_text(encoding="utf-8")
        for i, para in enumerate(re.split(r"\n\s*\n", text)):
            chunks.append((f"{path.relative_to(ROOT)}:{i}", para))
    return tuple(chunks)


def _entries_meant(cite, paragraph: str):
    """The entries a citation means: for a kernel file or man page, those whose symbol or topic the paragraph names."""
    hits = resolve_citation(cite)
    if cite.kind in ("kernel-source", "man-page"):
        named = [s for s in hits if s.symbol and s.symbol in paragraph]
        return named or hits
    return hits


def test_entries_are_well_formed():
    assert LEDGER, "the ledger is empty"
    for key, source in LEDGER.items():
        assert source.key == key
        assert source.status in STATUSES
        assert 1 <= len(source.quote.split()) <= MAX_QUOTE_WORDS, key
        if source.kind == "rfc":
            assert source.rfc in RFC_SECTIONS, f"{key}: RFC {source.rfc} has no section index"
        if source.kind == "kernel-source":
            assert source.version, f"{key}: a kernel file needs the version it was read at"
        if source.kind == "kernel-commit":
            assert re.fullmatch(r"[0-9a-f]{12,40}", source.commit_id), key
            assert source.first_release, f"{key}: a commit needs its first release"


def test_every_rfc_section_cited_exists():
    for source in LEDGER.values():
        if source.kind == "rfc" and source.section is not None:
            sections = RFC_SECTIONS[source.rfc]
            assert source.section in sections, f"{source.cite}: RFC {source.rfc} has no section {source.section}"


def test_sections_of_unread_rfcs_are_not_verified():
    """An RFC whose text was not read (rfc_sections.UNREAD) cannot support a verified section entry."""
    from tcpmodel.ledger.rfc_sections import UNREAD

    claimed = sorted(key for key, s in LEDGER.items()
                     if s.kind == "rfc" and s.rfc in UNREAD and s.section is not None and s.status == "verified")
    assert not claimed, f"sections of RFCs not read at their text, marked verified: {claimed}"


def test_every_citation_resolves():
    missing = sorted({f"{c.text} ({where})" for where, para in corpus() for c in find_citations(para)
                      if not resolve_citation(c)})
    assert not missing, "citations with no ledger entry:\n" + "\n".join(missing)


def test_no_entry_goes_unused():
    used: set[str] = set()
    for _, para in corpus():
        for c in find_citations(para):
            used.update(s.key for s in _entries_meant(c, para))
    unused = sorted(set(LEDGER) - used)
    assert not unused, f"ledger entries nothing cites (cite them or remove them): {unused}"


def test_text_says_when_a_source_is_not_verified():
    silent = []
    for where, para in corpus():
        for c in find_citations(para):
            for s in _entries_meant(c, para):
                if s.status != "verified" and not re.search(r"\b(inferred|unverified)\b", para, re.I):
                    silent.append(f"{where}: cites {s.cite} ({s.status}) without saying so")
    assert not silent, "\n".join(sorted(set(silent)))


@pytest.mark.parametrize("text, expected", [
    ("RFC 9293 §3.6.1 and RFC 793 Glossary", [("rfc", 9293, "3.6.1"), ("rfc", 793, "glossary")]),
    ("see RFC 6191.", [("rfc", 6191, None)]),
    ("RFC 1323 Appendix B.2 and RFC 1323 Appendix B", [("rfc", 1323, "B.2"), ("rfc", 1323, "B")]),
])
def test_find_citations_reads_rfc_forms(text, expected):
    assert [(c.kind, c.rfc, c.section) for c in find_citations(text)] == expected


def test_find_citations_reads_kernel_commit_and_man_forms():
    found = find_citations("`net/ipv4/tcp_minisocks.c` `tcp_time_wait()`, commit 07f4c90062f8, socket(7)")
    assert [(c.kind, c.text) for c in found] == [
        ("kernel-source", "net/ipv4/tcp_minisocks.c"),
        ("kernel-commit", "commit 07f4c90062f8"),
        ("man-page", "socket(7)"),
    ]
