"""Exam questions with worked answers, one variant per student (the instructor guide's exam).

:func:`exam_variant` draws a variant's inputs from a seed (a port range, an
MSL, a connection rate, which side closes first) and computes every answer
with :mod:`tcpmodel.models`, so that no answer is typed in and every student
can get a different paper with its own answer key. The same seed always
gives the same variant.

Usage::

    python -m tcpmodel.exam --seed 7            # the paper with worked answers
    python -m tcpmodel.exam --seed 7 --student  # the paper without answers

Examples
--------
>>> paper = exam_variant(7)
>>> [q.number for q in paper.questions]
[1, 2, 3, 4, 5]
>>> exam_variant(7) == paper, exam_variant(8) == paper
(True, False)
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass, field
from typing import Any

from tcpmodel import models
from tcpmodel._validate import require_int

__all__ = ["ExamQuestion", "ExamVariant", "exam_variant", "exam_markdown", "exam_variant_count", "PORT_RANGES", "MSLS_S", "DEMAND_MULTIPLES"]

#: Ephemeral port ranges a variant may use (low, high): Linux's default, IANA's dynamic range
#: (RFC 6335's 49152-65535, as notebook 05 shows) and widened or narrowed ranges.
PORT_RANGES = ((32768, 60999), (49152, 65535), (10240, 65535), (40000, 60999), (20000, 30000), (1024, 65535))
#: MSLs a variant may assume, in seconds; TIME-WAIT lasts twice the MSL (RFC 9293 §3.6.1).
MSLS_S = (15, 30, 60, 120)
#: Destinations that the connections of question 4 are spread over.
DESTINATIONS = (2, 3, 4, 5)
#: The demand of questions 2-4, in limits of question 1: above 1 so that the ports run out, and at least 0.2 from
#: a whole number so that question 4(b) (how many destinations) is not decided by rounding.
DEMAND_MULTIPLES = (1.5, 1.8, 2.3, 2.7)


@dataclass(frozen=True)
class ExamQuestion:
    """One question: its text, the answer computed by tcpmodel, and the worked answer."""

    number: int
    text: str
    answer: Any
    unit: str
    worked: str
    parameters: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ExamVariant:
    """A student's paper: the seed, the inputs drawn from it, and the questions."""

    seed: int
    inputs: dict
    questions: tuple[ExamQuestion, ...]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExamVariant) and (self.inputs, self.questions) == (other.inputs, other.questions)

    __hash__ = None  # type: ignore[assignment]


def _fmt(x: float, decimals: int = 1) -> str:
    return f"{x:,.{decimals}f}"


def exam_variant(seed: int) -> ExamVariant:
    """The exam paper for ``seed``: five questions whose answers tcpmodel computes.

    Parameters
    ----------
    seed : int
        Any integer in [0, 2**32 - 1]; give each student their own (e.g. a student number).

    Returns
    -------
    ExamVariant

    Raises
    ------
    ValueError
        If ``seed`` is not an integer in that range.

    Examples
    --------
    >>> q = exam_variant(1).questions[0]
    >>> low, high = q.parameters["port_range"]
    >>> q.answer == round(models.max_connection_rate(models.ephemeral_port_count(low, high), 2 * q.parameters["msl_s"]), 1)
    True
    >>> exam_variant(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an integer in [0, 4294967295]; got -1
    """
    seed = require_int("seed", seed, low=0, high=2**32 - 1)
    rng = random.Random(seed)
    low, high = rng.choice(PORT_RANGES)
    msl = rng.choice(MSLS_S)
    destinations = rng.choice(DESTINATIONS)
    closer = rng.choice(("client", "server"))
    time_wait = 2 * msl
    ports = models.ephemeral_port_count(low, high)
    limit = models.max_connection_rate(ports, time_wait)
    # A demand between 1.5 and 2.7 times the limit (whole connections per second), so that the ports run out.
    # No multiple is within 0.2 of a whole number: with 2.0 or 3.0, rounding up to a whole connection put the
    # demand a fraction of a connection above 2 or 3 limits, and question 4(b)'s answer on that knife edge.
    demand = int(math.ceil(limit * rng.choice(DEMAND_MULTIPLES)))
    inputs = {"port_range": (low, high), "msl_s": msl, "time_wait_s": time_wait, "demand": demand,
              "destinations": destinations, "first_closer": closer}
    questions = []

    questions.append(ExamQuestion(
        1,
        f"A client host uses the ephemeral port range {low}–{high} (both ends included) and keeps each 4-tuple it closed first in "
        f"TIME-WAIT for twice the MSL, with MSL = {msl} s. How many new connections per second can it open to one "
        f"server (one destination address and port) without running out of ports? Give one decimal place.",
        round(limit, 1), "connections/s",
        f"The range holds {high} − {low} + 1 = {ports:,} ports, and TIME-WAIT lasts 2 × {msl} = {time_wait} s. Each "
        f"port carries one connection per {time_wait} s, so the limit is {ports:,} / {time_wait} = "
        f"{_fmt(limit)} connections per second (`models.max_connection_rate({ports}, {time_wait})`).",
        {"port_range": (low, high), "msl_s": msl},
    ))

    population = int(round(models.time_wait_population(demand, time_wait)))
    usable = min(population, ports)
    memory_mib = models.time_wait_memory_bytes(usable) / 2**20
    questions.append(ExamQuestion(
        2,
        f"The same client closes {demand:,} connections per second to that server. (a) In a steady state without any "
        f"port limit, how many sockets would be in TIME-WAIT? (b) Only as many as there are ports can be: how many MiB "
        f"(2²⁰ bytes) of kernel memory do they take at {models.TW_SOCK_BYTES} bytes each? Give one decimal place.",
        (population, round(memory_mib, 1)), "sockets, MiB",
        f"(a) Little's law: N = λ × T = {demand:,} × {time_wait} = {population:,} "
        f"(`models.time_wait_population({demand}, {time_wait})`). (b) At most {ports:,} of them can exist (one per "
        f"port and destination), so {usable:,.0f} × {models.TW_SOCK_BYTES} bytes = {memory_mib:.1f} MiB "
        f"(`models.time_wait_memory_bytes({usable:.0f}) / 2**20`): memory is not the problem, ports are.",
        {"demand": demand, "time_wait_s": time_wait, "ports": ports},
    ))

    exhaustion = models.time_to_exhaustion(demand, ports, time_wait)
    questions.append(ExamQuestion(
        3,
        f"Starting with no connections, the client opens {demand:,} connections per second and closes each at once. "
        f"After how many seconds does `connect()` first fail with EADDRNOTAVAIL? Give one decimal place.",
        round(exhaustion, 1), "s",
        f"The demand is above the limit of question 1 ({_fmt(limit)}/s), and no TIME-WAIT ends before {time_wait} s. "
        f"The {ports:,} ports are used up after {ports:,} / {demand:,} = {exhaustion:.1f} s "
        f"(`models.time_to_exhaustion({demand}, {ports}, {time_wait})`), which is before the first TIME-WAIT ends.",
        {"demand": demand, "ports": ports, "time_wait_s": time_wait},
    ))

    needed = next(d for d in range(1, 10**6) if models.max_connection_rate(ports, time_wait, d) >= demand)
    spread = models.max_connection_rate(ports, time_wait, destinations)
    enough = spread >= demand
    questions.append(ExamQuestion(
        4,
        f"The service is put behind {destinations} destination addresses, and the client spreads its connections evenly "
        f"over them. (a) What is the new sustainable rate, to one decimal place? (b) What is the smallest number of "
        f"destinations that sustains {demand:,} connections per second?",
        (round(spread, 1), needed), "connections/s, destinations",
        f"(a) A port can be in TIME-WAIT towards each destination at once: the 4-tuple, not the port, is held. "
        f"{ports:,} × {destinations} / {time_wait} = {_fmt(spread)} connections per second "
        f"(`models.max_connection_rate({ports}, {time_wait}, {destinations})`), which is "
        f"{'enough' if enough else 'not enough'} for {demand:,}. (b) The smallest d with {ports:,} × d / {time_wait} ≥ "
        f"{demand:,} is d = {needed}.",
        {"ports": ports, "time_wait_s": time_wait, "destinations": destinations, "demand": demand},
    ))

    holder = models.who_holds_time_wait(closer)
    other = "server" if closer == "client" else "client"
    questions.append(ExamQuestion(
        5,
        f"In a normal close, the {closer} sends the first FIN and the {other} closes after it. Which side holds the "
        f"TIME-WAIT state, and what does that side pay for it?",
        holder["holder"], "side",
        f"The side that closes first (the active closer) goes FIN-WAIT-1, FIN-WAIT-2 and TIME-WAIT; the passive "
        f"closer goes CLOSE-WAIT, LAST-ACK and CLOSED. Here that is the {holder['holder']}, which pays in "
        f"{holder['pays_in']} (`models.who_holds_time_wait({closer!r})`).",
        {"first_closer": closer},
    ))
    return ExamVariant(seed, inputs, tuple(questions))


def exam_variant_count() -> int:
    """How many different combinations of inputs the seeds draw from.

    Examples
    --------
    >>> exam_variant_count()
    768
    """
    return len(PORT_RANGES) * len(MSLS_S) * len(DESTINATIONS) * 2 * len(DEMAND_MULTIPLES)


def exam_markdown(seed: int, *, answers: bool = True, heading: str = "###") -> str:
    """The paper for ``seed`` as Markdown, with worked answers (instructors) or without (students).

    Examples
    --------
    >>> "Worked answer" in exam_markdown(3), "Worked answer" in exam_markdown(3, answers=False)
    (True, False)
    """
    paper = exam_variant(seed)
    lines = [f"{heading} Exam paper, variant {paper.seed}", ""]
    for q in paper.questions:
        lines += [f"**Question {q.number}.** {q.text}", ""]
        if answers:
            shown = ", ".join(f"{a:,}" if isinstance(a, (int, float)) else str(a) for a in (q.answer if isinstance(q.answer, tuple) else (q.answer,)))
            lines += [f"*Worked answer.* {q.worked} **Answer: {shown}** ({q.unit}).", ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tcpmodel.exam", description="Print an exam paper variant.")
    parser.add_argument("--seed", required=True, help="the variant, an integer in [0, 4294967295] (e.g. a student number)")
    parser.add_argument("--student", action="store_true", help="leave the worked answers out")
    args = parser.parse_args(argv)
    try:
        seed = int(args.seed)
        text = exam_markdown(seed, answers=not args.student, heading="#")
    except ValueError as exc:
        message = str(exc) if "seed must be" in str(exc) else f"seed must be an integer in [0, 4294967295]; got {args.seed!r}"
        print(f"tcpmodel.exam: error: {message}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
