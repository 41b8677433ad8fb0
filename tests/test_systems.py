"""The systems table (tcpmodel.systems.SYSTEMS): values by version, each with a source in the ledger."""

from __future__ import annotations

import re

import pytest

from tcpmodel import models
from tcpmodel.ledger import LEDGER, find_citations, resolve_citation
from tcpmodel.linux import TCP_TIMEWAIT_LEN_S, LinuxConfig
from tcpmodel.systems import SYSTEMS, VALUE_FIELDS, SystemEntry, VersionValue, systems_table

REQUIRED = {"rfc793", "rfc1122", "rfc9293", "linux", "freebsd", "macos", "windows", "solaris"}


def _texts(entry: SystemEntry) -> list[str]:
    """Every sentence an entry states about its values (not its display name)."""
    return [*entry.sources.values(), *entry.knobs.values(), entry.msl_note, entry.notes, *entry.unverified,
            *(v.source for values in entry.by_version.values() for v in values),
            *(v.how for values in entry.by_version.values() for v in values)]


def test_systems_has_the_required_keys_and_a_source_for_every_value():
    assert REQUIRED <= set(SYSTEMS)
    for key, entry in SYSTEMS.items():
        for name in (*VALUE_FIELDS, "knobs"):
            assert name in entry, (key, name)
            assert entry.sources.get(name), f"{key}.{name} has no source"
        assert entry["time_wait_s"] == entry.time_wait_s > 0
        assert entry["source"] and "time_wait_s" in entry["source"]
        assert entry.version, f"{key} does not say which release its headline values are for"


def test_every_ledger_key_and_every_citation_in_the_table_resolves():
    for key, entry in SYSTEMS.items():
        assert entry.ledger, f"{key} names no ledger entry"
        missing = [k for k in entry.all_ledger_keys() if k not in LEDGER]
        assert not missing, (key, missing)
        for text in _texts(entry):
            unresolved = [c.text for c in find_citations(text) if not resolve_citation(c)]
            assert not unresolved, (key, unresolved, text)


def test_a_value_backed_only_by_unverified_sources_says_so():
    for key, entry in SYSTEMS.items():
        for name, values in entry.by_version.items():
            for v in values:
                assert v.ledger, (key, name, v.applies)
                statuses = {LEDGER[k].status for k in v.ledger}
                if "verified" not in statuses:
                    assert v.status != "verified", (key, name, v.applies, statuses)
                    assert v.status in v.describe(name, detail=False)


def test_the_rfcs_define_a_two_minute_msl_and_wait_twice_it():
    for key in ("rfc793", "rfc1122", "rfc9293"):
        entry = SYSTEMS[key]
        assert entry.time_wait_s == 2 * entry.msl_s == 2 * 2 * 60
        assert entry.version_dependent == ()


def test_arbitrarily_defined_is_cited_to_the_glossaries_not_to_a_section():
    # The phrase is in the Glossary of RFC 793 and of RFC 9293; RFC 793 §3.3 and RFC 9293 §3.4.2 say
    # "taken to be 2 minutes ... an engineering choice".
    phrase = "arbitrarily defined to be 2 minutes"
    for number in (793, 9293):
        assert phrase in LEDGER[f"rfc{number}:glossary"].quote.lower()
    for key in ("rfc793:3.3", "rfc9293:3.4.2"):
        assert phrase not in LEDGER[key].quote.lower() and "engineering choice" in LEDGER[key].quote
    for key, entry in SYSTEMS.items():
        for text in _texts(entry):
            for m in re.finditer(phrase, text, flags=re.IGNORECASE):
                cited = find_citations(text[:m.start()])
                assert cited and cited[-1].section == "glossary", (key, text)


def test_linux_waits_the_fixed_timewait_len_and_its_msl_is_the_convention():
    linux = SYSTEMS["linux"]
    assert linux.time_wait_s == TCP_TIMEWAIT_LEN_S == models.TCP_TIMEWAIT_LEN_S
    assert linux.msl_s == TCP_TIMEWAIT_LEN_S / 2
    assert "TCP_TIMEWAIT_LEN / 2" in linux.msl_note and "convention" in linux.msl_note
    assert linux.ephemeral_range == LinuxConfig().ip_local_port_range
    assert "TCP_TIMEWAIT_LEN" in linux.sources["time_wait_s"]
    assert "tcp_fin_timeout" in linux.knobs["TIME_WAIT length"]  # the myth, corrected


def test_linux_and_freebsd_vary_by_port_range_not_by_time_wait():
    # The review found "disputed" printed on the TIME_WAIT row of both; what changed is the port range.
    for key in ("linux", "freebsd"):
        assert SYSTEMS[key].version_dependent == ("ephemeral_range",)
    linux_ranges = [v.value for v in SYSTEMS["linux"].by_version["ephemeral_range"]]
    assert linux_ranges[-1] == SYSTEMS["linux"].ephemeral_range and (32768, 61000) in linux_ranges


def test_bsd_systems_wait_two_msl():
    for key in ("freebsd", "macos"):
        assert SYSTEMS[key].time_wait_s == 2 * SYSTEMS[key].msl_s
    assert SYSTEMS["macos"].msl_s < SYSTEMS["freebsd"].msl_s


def test_windows_time_wait_is_stated_by_version():
    windows = SYSTEMS["windows"]
    by = {v.applies: v.value for v in windows.by_version["time_wait_s"]}
    assert by["Windows 2000"] == 240
    assert by["Windows XP and Server 2003 (IPv4)"] == 120 == windows.time_wait_s
    assert by["Windows XP and Server 2003 (IPv6)"] == 240
    assert "time_wait_s" in windows.version_dependent
    assert windows.msl_s == windows.time_wait_s / 2
    assert any("Windows 10, 11" in gap for gap in windows.unverified)  # current releases: not read anywhere
    assert all("doc:KB314053" in v.ledger for v in windows.by_version["time_wait_s"][:3])


def test_solaris_time_wait_changed_after_solaris_8():
    solaris = SYSTEMS["solaris"]
    values = {v.value for v in solaris.by_version["time_wait_s"]}
    assert values == {solaris.time_wait_s, 4 * 60}
    assert solaris.version_dependent == ("time_wait_s",)


def test_a_release_named_only_by_an_inferred_source_is_labelled_where_it_is_shown():
    # The Solaris 8 and 9 manuals do not name their release: it is inferred from Oracle's collection
    # numbering, so "Solaris 9" may not hide inside a verified value ("Solaris 9 and later"); nor may
    # "Linux 4.2", a first release inferred from a commit's date.
    for key, entry in SYSTEMS.items():
        for name, values in entry.by_version.items():
            for v in values:
                inferred = [k for k in v.ledger if LEDGER[k].status != "verified"]
                if v.status == "verified" and inferred:
                    assert "inferred" in v.applies or "unverified" in v.applies, (key, v.applies, inferred)
                elif v.status != "verified":
                    assert f"({v.status})" in entry.version_note(name, detail=False) or len(
                        {x.value for x in values}) == 1, (key, v.applies)
    note = SYSTEMS["solaris"].version_note("time_wait_s", detail=False)
    assert "Solaris 8: 240 s (inferred)" in note and "Solaris 9: 60 s (inferred)" in note


def test_version_dependent_is_computed_from_the_values():
    source = ("rfc9293:3.6.1",)
    same = (VersionValue(60.0, "old", "RFC 9293 §3.6.1", source), VersionValue(60.0, "new", "RFC 9293 §3.6.1", source))
    differ = (VersionValue(240.0, "old", "RFC 9293 §3.6.1", source), VersionValue(60.0, "new", "RFC 9293 §3.6.1", source))
    common = dict(name="x", version="x", msl_s=30.0, time_wait_s=60.0, ephemeral_range=None, knobs={}, sources={})
    assert SystemEntry(**common, by_version={"time_wait_s": same}).version_dependent == ()
    varied = SystemEntry(**common, by_version={"time_wait_s": differ})
    assert varied.version_dependent == ("time_wait_s",)
    assert varied.version_note("time_wait_s") == "old: 240 s; new: 60 s"
    with pytest.raises(ValueError, match="headline time_wait_s"):
        SystemEntry(**{**common, "time_wait_s": 30.0}, by_version={"time_wait_s": differ})
    with pytest.raises(ValueError, match="must say how"):
        VersionValue(1.0, "x", "y", status="inferred")


def test_the_table_names_what_varies_and_never_says_disputed():
    rows = {r["key"]: r for r in systems_table()}
    assert rows["windows"]["version_dependent"] == ("time_wait_s", "ephemeral_range")
    assert rows["linux"]["note"].startswith("ports by version:") and "TIME_WAIT" not in rows["linux"]["note"]
    assert "(inferred)" in rows["solaris"]["note"]
    assert all("disputed" not in str(r).lower() for r in rows.values())
    assert all(not r["note"] for k, r in rows.items() if k.startswith("rfc"))


def test_contract_names_are_reexported_from_models():
    import tcpmodel.systems

    assert models.SYSTEMS is tcpmodel.systems.SYSTEMS
    assert models.systems_table is tcpmodel.systems.systems_table


def test_linux_msl_is_stated_the_same_way_in_the_fact_the_table_and_the_myth():
    # Notebooks 02, 05 and 07 all say it through these three: one convention, MSL = TCP_TIMEWAIT_LEN / 2,
    # and no kernel MSL behind TIME_WAIT (TCP_PAWS_MSL is a timestamp lifetime).
    from tcpmodel.facts import FACTS
    from tcpmodel.workarounds import myth

    msl = f"{TCP_TIMEWAIT_LEN_S / 2:g} s"
    fact = FACTS["linux_time_wait_length"].statement
    truth = myth("msl_one_minute").truth
    for text in (fact, truth, SYSTEMS["linux"].msl_note):
        assert "convention" in text and re.search(r"MSL = `?TCP_TIMEWAIT_LEN`? / 2", text), text
    for text in (fact, truth):
        assert f"MSL is {msl}" in text or f"/ 2 = {msl}" in text, text
        assert "TCP_PAWS_MSL" in text and "timestamp" in text
    assert SYSTEMS["linux"].msl_s == TCP_TIMEWAIT_LEN_S / 2


def test_the_simulators_default_msl_is_the_linux_convention():
    # Notebook 02 says the simulator's 2 x DEFAULT_MSL lasts exactly as long as TCP_TIMEWAIT_LEN.
    from tcpmodel.sim import DEFAULT_MSL

    assert 2 * DEFAULT_MSL == SYSTEMS["linux"].time_wait_s == TCP_TIMEWAIT_LEN_S
