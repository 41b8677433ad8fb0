"""Facts the course teaches in more than one place, each stated once, with its sources.

Theory of operation
-------------------
A fact that several notebooks teach (the SO_REUSEADDR rule, what a SYN does to
a TIME_WAIT socket, the ``tcp_tw_reuse`` delay by kernel version...) is a
:class:`Fact` here: one statement in markdown, the ledger keys of its sources,
and the kernel versions or systems it applies to. Numbers in a statement are
formatted from the models' constants, never typed in.

Notebooks show a fact between two markers in a markdown cell::

    <!-- fact:so_reuseaddr_rebind -->
    ...the text that :func:`render` returns...
    <!-- /fact -->

``tools/sync_prose.py`` writes :func:`render`'s text between the markers, and
a test fails when a notebook's copy differs, so a notebook cannot state the
fact in other words and drift.

Examples
--------
>>> fact = FACTS["linux_time_wait_length"]
>>> fact.sources[0]
'linux:include/net/tcp.h:TCP_TIMEWAIT_LEN'
>>> "60 s" in render("linux_time_wait_length")
True
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpmodel.linux import TCP_TIMEWAIT_LEN_S

__all__ = ["Fact", "FACTS", "render", "show"]


@dataclass(frozen=True)
class Fact:
    """One fact: ``statement`` (markdown), the ledger keys of its ``sources``, and where it ``applies``."""

    key: str
    statement: str
    sources: tuple[str, ...]
    applies: str = ""

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError(f"fact {self.key}: a fact needs at least one source")


def _facts(*facts: Fact) -> dict[str, Fact]:
    return {f.key: f for f in facts}


FACTS: dict[str, Fact] = _facts(
    Fact(
        "linux_time_wait_length",
        f"Linux keeps a socket in TIME_WAIT for {TCP_TIMEWAIT_LEN_S:.0f} s, the compile-time constant "
        "`TCP_TIMEWAIT_LEN`; no sysctl changes it (`tcp_fin_timeout` is the FIN_WAIT_2 timeout of orphaned "
        "sockets). Linux defines no MSL: when this course says Linux's MSL is "
        f"{TCP_TIMEWAIT_LEN_S / 2:.0f} s, that is the convention MSL = `TCP_TIMEWAIT_LEN` / 2, not a kernel value.",
        ("linux:include/net/tcp.h:TCP_TIMEWAIT_LEN",),
        applies="every Linux version since 2.x",
    ),
)


def render(key: str) -> str:
    """The markdown a notebook shows for fact ``key``: the statement, then its sources.

    Sources that are inferred or unverified say so.
    """
    from tcpmodel.ledger import LEDGER, UnknownCitation

    try:
        fact = FACTS[key]
    except KeyError:
        raise KeyError(f"no fact {key!r}; the facts are {sorted(FACTS)}") from None
    cites = []
    for k in fact.sources:
        if k not in LEDGER:
            raise UnknownCitation(f"fact {key}: source {k!r} is not in the ledger")
        cites.append(LEDGER[k].label)
    applies = f" Applies to: {fact.applies}." if fact.applies else ""
    return f"{fact.statement}{applies} *Sources: {'; '.join(cites)}.*"


def show(key: str):  # noqa: ANN201 - IPython Markdown, imported lazily
    """Display fact ``key`` as markdown in a notebook (plain text elsewhere)."""
    try:
        from IPython.display import Markdown
    except ImportError:  # pragma: no cover - outside Jupyter
        return render(key)
    return Markdown(render(key))
