"""Keep notebook prose true to the package: facts stated once, numbers computed.

Theory of operation
-------------------
Two hidden annotations tie markdown to ``tcpmodel``; JupyterLab and the static
site render neither.

* A fact block, ``<!-- fact:KEY -->`` … ``<!-- /fact -->``, holds the text
  of :func:`tcpmodel.facts.render` for ``KEY``. :func:`sync_markdown` rewrites
  the body; :func:`stale_facts` lists blocks whose body differs.
* A number annotation, ``28,232<!--= f"{linux.LinuxConfig().ports:,}" -->``,
  follows a number. The expression is evaluated with ``tcpmodel``'s submodules
  (and ``tcpmodel.exercises.nbNN`` as ``nbNN``) in scope; its value must be
  exactly the text before the comment. :func:`sync_markdown` rewrites the
  number; :func:`wrong_numbers` lists the ones that differ.

:func:`unannotated_numbers` finds numbers with a unit (``s``, ``%``,
``ports``…) that carry no annotation, so that a number typed from memory
cannot slip into prose. :func:`template_leftovers` finds text that was meant
to be substituted and was not (``{fig("x")}``, ``{{ value }}``, a constant's
name where a value belongs).

Examples
--------
>>> md = "Linux waits 60<!--= f'{linux.TCP_TIMEWAIT_LEN_S:.0f}' --> s."
>>> wrong_numbers(md)
[]
>>> wrong_numbers("Linux waits 61<!--= f'{linux.TCP_TIMEWAIT_LEN_S:.0f}' --> s.")
[('61', '60', "f'{linux.TCP_TIMEWAIT_LEN_S:.0f}'")]
>>> unannotated_numbers("It holds 28,232 ports for 60 s (RFC 9293 §3.6.1).")
['28,232 ports', '60 s']
>>> unannotated_numbers("![Ports held for 60 s](../figures/x.svg)")
[]
>>> template_leftovers('See {fig("cost")} and `models.TW_SOCK_BYTES` bytes.')
['{fig(', '`models.TW_SOCK_BYTES` bytes']
>>> template_leftovers("60<!--= f'{linux.TCP_TIMEWAIT_LEN_S:.0f}' --> s")
[]
"""

from __future__ import annotations

import importlib
import re

__all__ = [
    "sync_markdown",
    "stale_facts",
    "wrong_numbers",
    "unannotated_numbers",
    "template_leftovers",
    "evaluate",
]

FACT_BLOCK = re.compile(r"(<!-- fact:([a-z0-9_]+) -->)(.*?)(<!-- /fact -->)", re.S)
NUMBER_NOTE = re.compile(r"([-+−]?\d[\d,]*(?:\.\d+)?%?)<!--=\s*(.+?)\s*-->", re.S)

_UNIT = (r"(?:\s?(?:%|s\b|ms\b|µs|seconds?\b|minutes?\b|min\b|ports?\b|connections?\b|/s\b|per second\b|bytes?\b"
         r"|B\b|KiB\b|MiB\b|GiB\b|KB\b|MB\b|GB\b|hosts?\b|sockets?\b|entries\b|segments?\b|packets?\b|×))")
_UNITED_NUMBER = re.compile(r"(?<![\w.§/-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)(" + _UNIT + ")")
_LEFTOVERS = re.compile(
    r"\{\{|\}\}|\{[A-Za-z_][\w.]*\(|\{[a-z_][\w.]*(?::[^}]*)?\}(?!\()"
    r"|`[\w.]*[A-Z][A-Z0-9_]{2,}`\s+(?:bytes|seconds|s|ports|each|connections|ms)\b"
)


class _Scope(dict):
    """Names for annotation expressions: tcpmodel's submodules, imported on first use."""

    def __missing__(self, name: str):
        for module in (f"tcpmodel.{name}", f"tcpmodel.exercises.{name}"):
            try:
                value = importlib.import_module(module)
            except ModuleNotFoundError:
                continue
            self[name] = value
            return value
        raise NameError(f"annotation uses {name!r}, which is not a tcpmodel submodule")


_SCOPE = _Scope()


def evaluate(expression: str) -> str:
    """The text an annotation expression stands for."""
    import tcpmodel

    _SCOPE.setdefault("tcpmodel", tcpmodel)
    return str(eval(expression, {"__builtins__": __builtins__}, _SCOPE))  # noqa: S307 - our own notebooks


def _strip_code(md: str) -> str:
    md = re.sub(r"```.*?```", "", md, flags=re.S)
    # An image's alt text is figures/index.json's, which the figure code computes.
    md = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", md)
    md = re.sub(r"`[^`\n]*`", "", md)
    md = re.sub(r"<!--.*?-->", "", md, flags=re.S)
    return re.sub(r"\]\([^)]*\)", "]", md)


def stale_facts(md: str) -> list[str]:
    """The keys of fact blocks in ``md`` whose body is not the fact's current text."""
    from tcpmodel.facts import render

    return [m.group(2) for m in FACT_BLOCK.finditer(md) if m.group(3).strip() != render(m.group(2))]


def wrong_numbers(md: str) -> list[tuple[str, str, str]]:
    """``(shown, computed, expression)`` for each annotated number that differs from its value."""
    out = []
    for m in NUMBER_NOTE.finditer(md):
        value = evaluate(m.group(2))
        if m.group(1) != value:
            out.append((m.group(1), value, m.group(2)))
    return out


def sync_markdown(md: str) -> str:
    """``md`` with every fact block and annotated number rewritten from ``tcpmodel``."""
    from tcpmodel.facts import render

    md = FACT_BLOCK.sub(lambda m: f"{m.group(1)}\n{render(m.group(2))}\n{m.group(4)}", md)
    return NUMBER_NOTE.sub(lambda m: f"{evaluate(m.group(2))}<!--= {m.group(2)} -->", md)


def unannotated_numbers(md: str) -> list[str]:
    """Numbers with a unit in ``md`` that no annotation computes (code, links and fact blocks aside)."""
    md = FACT_BLOCK.sub("", md)
    md = NUMBER_NOTE.sub("", md)
    return [m.group(0).strip() for m in _UNITED_NUMBER.finditer(_strip_code(md))]


def template_leftovers(text: str) -> list[str]:
    """Pieces of ``text`` that look like unsubstituted template syntax or a constant's name as a value."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", "", text, flags=re.S)  # LaTeX maths uses braces
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # annotations are hidden, and are code
    return [m.group(0) for m in _LEFTOVERS.finditer(text)]
