"""The claims of the five seed texts are answered in the course, with sources (tcpmodel.seed_claims).

Every claim names notebook sections that must exist and talk about the claim's topic; every source
must be a ledger entry; a wrong or outdated claim must be corrected in so many words; and the numbers
the verdicts rest on are checked against tcpmodel. The seed texts themselves are not read: they are not
part of the repository.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from tcpmodel import models, seed_claims
from tcpmodel.ledger import LEDGER
from tcpmodel.linux import TCP_TIMEWAIT_LEN_S, LinuxConfig
from tcpmodel.seed_claims import CORRECTION_MARKERS, SEED_CLAIMS, TEXTS, VERDICTS, SeedClaim, claim

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
HEADING = re.compile(r"^(#{1,6})\s+\S")
# Hidden annotations (a number's <!--= expression -->, fact markers) are not part of what a reader sees.
COMMENT = re.compile(r"<!--.*?-->", re.S)
ANSWERS = sorted({where for c in SEED_CLAIMS for where in c.answered_in})


@lru_cache(maxsize=None)
def markdown_lines(notebook: str) -> tuple[str, ...]:
    """The visible lines of a notebook's markdown cells, in order (HTML comments removed); lines inside code
    fences are marked as not headings."""
    cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    lines: list[str] = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in COMMENT.sub("", "".join(cell["source"])).splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            lines.append(("\0" if fenced else "") + line)
    return tuple(lines)


def heading_level(line: str) -> int:
    m = HEADING.match(line)
    return len(m.group(1)) if m else 0


@lru_cache(maxsize=None)
def section_text(notebook: str, heading: str) -> str:
    """The markdown from ``heading`` to the next heading of the same or a higher level (the heading included).

    ``heading`` is the heading line as a reader sees it: hidden annotations do not count.
    """
    lines = markdown_lines(notebook)
    starts = [i for i, line in enumerate(lines) if line.rstrip() == heading]
    if len(starts) != 1:
        raise LookupError(f"{notebook}: heading {heading!r} found {len(starts)} times (expected once)")
    level = heading_level(heading)
    body = [lines[starts[0]]]
    for line in lines[starts[0] + 1:]:
        if 0 < heading_level(line) <= level:
            break
        body.append(line.lstrip("\0"))
    return "\n".join(body)


def test_section_text_stops_at_the_next_heading_of_the_same_level():
    text = section_text("01_state_machine.ipynb", "## 1. The 11 states")
    assert "### Interactive demo" in text
    assert "## 2. The three-way handshake" not in text


def test_every_claim_has_a_known_text_and_verdict():
    for c in SEED_CLAIMS:
        assert c.text_id in TEXTS, c.key
        assert c.verdict in VERDICTS, c.key


def test_claim_validation_names_the_field():
    with pytest.raises(ValueError, match="verdict must be one of"):
        SeedClaim("unp-2.7", "x", "maybe", (("01_state_machine.ipynb", "## 1. The 11 states"),),
                  ("rfc9293:3.6.1",), "n", ("k",), "unp-2.7/x")
    with pytest.raises(ValueError, match="text_id must be one of"):
        SeedClaim("rfc", "x", "true", (("01_state_machine.ipynb", "## 1. The 11 states"),),
                  ("rfc9293:3.6.1",), "n", ("k",), "rfc/x")


def test_keys_are_unique_and_found():
    keys = [c.key for c in SEED_CLAIMS]
    assert len(keys) == len(set(keys))
    assert claim(keys[0]) is SEED_CLAIMS[0]
    with pytest.raises(KeyError):
        claim("no-such/claim")


@pytest.mark.parametrize("text_id", sorted(TEXTS))
def test_every_text_has_at_least_five_claims(text_id):
    assert seed_claims.counts().get(text_id, 0) >= 5


@pytest.mark.parametrize("where", ANSWERS, ids=lambda w: f"{w[0][:2]}:{w[1][:40]}")
def test_every_answering_section_exists_once(where):
    assert (NOTEBOOKS / where[0]).exists(), f"no notebook {where[0]}"
    section_text(*where)


@pytest.mark.parametrize("c", SEED_CLAIMS, ids=lambda c: c.key)
def test_answering_sections_name_the_claims_topic(c):
    for where in c.answered_in:
        text = section_text(*where).lower()
        assert any(k.lower() in text for k in c.keywords), (
            f"{c.key}: {where[0]} '{where[1]}' contains none of {c.keywords}")


@pytest.mark.parametrize("c", [c for c in SEED_CLAIMS if c.verdict in ("wrong", "outdated")], ids=lambda c: c.key)
def test_wrong_and_outdated_claims_are_corrected_in_so_many_words(c):
    where = c.answered_in[0]
    text = section_text(*where).lower()
    assert any(m in text for m in CORRECTION_MARKERS), (
        f"{c.key} is {c.verdict}, but {where[0]} '{where[1]}' says none of {CORRECTION_MARKERS}")


@pytest.mark.parametrize("c", SEED_CLAIMS, ids=lambda c: c.key)
def test_every_source_is_a_ledger_entry(c):
    missing = [s for s in c.sources if s not in LEDGER]
    assert not missing, f"{c.key}: sources not in tcpmodel.ledger: {missing}"


def test_verdicts_that_rest_on_numbers_agree_with_tcpmodel():
    default = LinuxConfig()
    # The 61000 range is outdated: today's default ends elsewhere, and the 28,232 ports the text counts are
    # those of today's range, not of its own.
    old = claim("why-tw/port-range-61000")
    assert default.ip_local_port_range[1] != 61000 and "61000" in old.claim
    assert f"{default.ports:,}" in old.claim
    assert models.ephemeral_port_count(32768, 61000) != default.ports
    # About 470 connections/s: true only for one destination with the defaults.
    rate = models.max_connection_rate(default.ports, TCP_TIMEWAIT_LEN_S)
    assert int(rate) == 470 and "470" in claim("why-tw/470-per-second").claim
    assert models.max_connection_rate(default.ports, TCP_TIMEWAIT_LEN_S, destinations=2) > rate
    # One to four minutes is outdated: some system in the table waits less than a minute.
    waits = {k: e.time_wait_s for k, e in models.SYSTEMS.items()}
    assert min(waits.values()) < 60 and waits["macos"] < 60
    assert waits["rfc793"] == 4 * 60 and models.SYSTEMS["rfc793"].msl_s == 2 * 60
    # Linux's constant is the TIME_WAIT length (one minute), not an MSL.
    assert TCP_TIMEWAIT_LEN_S == 60
    # 20,000 TIME_WAIT sockets to one destination do not exhaust the default range by themselves.
    assert default.ports > 20_000 and "20,000" in claim("incident-20k/20k-blocks").claim
