"""Give every notebook cell its slide type (``metadata.slideshow.slide_type``), from the notebook's structure.

A deck is a lecture: the title, the learning objectives, each concept with
its worked example and figure, the "Think!" questions and the summary.
Setup, exercises (with the reflection), live cells, widgets and long outputs
stay out. The rules, in order, read only the stored notebook, so the result
is deterministic and ``tests/test_slide_metadata.py`` checks that the stored
notebooks carry exactly what this tool writes:

* ``# Title`` → ``slide``; the text before the objectives → ``subslide``;
* ``## Learning objectives``, each concept section ``## …``, ``## Summary``
  and ``## Further reading`` → ``slide``; ``## Setup`` and ``## Exercises``
  start parts that are ``skip``ped up to the next ``##`` heading that is
  neither;
* inside a section, each markdown cell → ``subslide`` (one idea per
  slide: a figure, an explanation, an interactive demo's text, a
  **Think!** question);
* a code cell → ``-`` (on the slide of the text before it), or
  ``subslide`` when it draws a plot; ``skip`` when it is a solution or a
  ``check(...)``, shows a widget, touches this machine (live cells, marked
  ``nbval-ignore-output``), or would not fit one slide (:func:`code_height`
  over :data:`SLIDE_BUDGET_PX`: a long output); empty cells are ``skip``.

Usage::

    python tools/slide_metadata.py notebooks/*.ipynb          # write (the lead runs this)
    python tools/slide_metadata.py --check notebooks/*.ipynb  # exit 1 if any notebook is out of date
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

#: Logical pixels of a slide (reveal.js's 960 x 700) that its contents may fill, leaving a margin.
SLIDE_BUDGET_PX = 600
#: Estimated size of a slide's contents (tools/slides_template/.../course_slides.css: 20 px text on 26 px
#: lines, 14 px code on 18 px lines, output plots at most 400 px high, figures 480 px): characters and
#: pixels per line, and the gaps around blocks. tools/make_slides.py cuts slides with the same numbers.
TEXT_CHARS, TEXT_LINE_PX, BLOCK_GAP_PX, HEADING_PX = 68, 27, 32, 66
CODE_CHARS, CODE_LINE_PX, CODE_GAP_PX = 90, 18, 34
IMAGE_PX, OUTPUT_IMAGE_PX, RICH_ROW_PX = 530, 420, 60
SKIPPED_SECTIONS = ("setup", "exercises")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def code_height(cell: dict) -> int:
    """A conservative estimate of a code cell's height on a slide (input and outputs), in logical pixels.

    Examples
    --------
    >>> code_height({"source": "print(1)", "outputs": [{"output_type": "stream", "text": "1\\n"}]})
    104
    """
    height = CODE_GAP_PX + CODE_LINE_PX * len(_source(cell).splitlines())
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if any(m in data for m in IMAGE_MIMES):
            height += OUTPUT_IMAGE_PX
        elif "text/markdown" in data or "text/html" in data:
            rich = _source({"source": data.get("text/markdown", data.get("text/html", ""))})
            height += CODE_GAP_PX + RICH_ROW_PX * len(rich.splitlines())
        elif "text" in out or "text/plain" in data:
            text = _source({"source": out.get("text", data.get("text/plain", ""))})
            height += CODE_GAP_PX + CODE_LINE_PX * sum(1 + len(line) // CODE_CHARS for line in text.rstrip("\n").splitlines())
    return height


def _has(cell: dict, mimes: tuple[str, ...]) -> bool:
    return any(m in out.get("data", {}) for out in cell.get("outputs", []) for m in mimes)


def code_slide_type(cell: dict) -> str:
    """The slide type of one code cell (see the module's rules).

    Examples
    --------
    >>> code_slide_type({"cell_type": "code", "metadata": {}, "source": "print(1)", "outputs": [{"output_type": "stream", "text": "1\\n"}]})
    '-'
    >>> code_slide_type({"cell_type": "code", "metadata": {"tags": ["nbval-ignore-output"]}, "source": "live()", "outputs": []})
    'skip'
    """
    text = _source(cell)
    tags = cell.get("metadata", {}).get("tags", [])
    if not text.strip() or "nbval-ignore-output" in tags or "nbval-skip" in tags or _has(cell, (WIDGET_MIME,)):
        return "skip"
    if text.lstrip().startswith("# live") or "solution" in tags or re.match(r"\s*check\(", text):
        return "skip"
    if code_height(cell) > SLIDE_BUDGET_PX:
        return "skip"  # a long output: it would not fit one slide
    if _has(cell, IMAGE_MIMES):
        return "subslide"
    return "-"


def slide_types(nb: dict) -> list[str]:
    """The slide type of every cell of ``nb``, in order.

    Examples
    --------
    >>> md = lambda s: {"cell_type": "markdown", "metadata": {}, "source": s}
    >>> slide_types({"cells": [md("# 01 · T"), md("Intro"), md("## Learning objectives\\n1. a"), md("## Setup"),
    ...     {"cell_type": "code", "metadata": {}, "source": "import x", "outputs": []}, md("## 1. Idea"), md("**Think!** Why?"),
    ...     md("## Exercises"), md("**Exercise 1.**"), md("## Summary")]})
    ['slide', 'subslide', 'slide', 'skip', 'skip', 'slide', 'subslide', 'skip', 'skip', 'slide']
    """
    types = []
    section = "title"
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            types.append("skip" if section in SKIPPED_SECTIONS or cell["cell_type"] != "code" else code_slide_type(cell))
            continue
        text = _source(cell).lstrip()
        heading = re.match(r"^(#{1,2})\s+(.+)", text)
        if heading and heading.group(1) == "#":
            section = "title"
            types.append("slide")
        elif heading:
            name = heading.group(2).strip().lower()
            section = next((s for s in SKIPPED_SECTIONS if name.startswith(s)), "section")
            types.append("skip" if section in SKIPPED_SECTIONS else "slide")
        elif section in SKIPPED_SECTIONS or not text:
            types.append("skip")
        else:
            types.append("subslide")
    return types


def apply(nb: dict) -> dict:
    """A copy of ``nb`` whose cells carry ``metadata.slideshow.slide_type`` from :func:`slide_types`."""
    out = copy.deepcopy(nb)
    for cell, kind in zip(out["cells"], slide_types(nb)):
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
    return out


def stale(nb: dict) -> list[str]:
    """Ids of the cells whose stored slide type differs from :func:`slide_types` (empty when current)."""
    return [cell.get("id", str(i)) for i, (cell, kind) in enumerate(zip(nb["cells"], slide_types(nb)))
            if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") != kind]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only report notebooks whose slide metadata is out of date")
    args = parser.parse_args(argv)
    import nbformat

    status = 0
    for path in args.notebooks:
        if not path.is_file():
            print(f"slide_metadata: error: notebook {path} does not exist", file=sys.stderr)
            return 2
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = stale(nb)
        if args.check:
            if cells:
                print(f"{path}: slide metadata out of date in {len(cells)} cells (first: {cells[0]}); "
                      f"run: python tools/slide_metadata.py {path}")
                status = 1
            continue
        if cells:
            nbformat.write(nbformat.from_dict(apply(nb)), str(path))
            print(f"{path}: slide metadata written ({len(cells)} cells changed)")
    return status


if __name__ == "__main__":
    sys.exit(main())
