"""Write reveal.js lecture slides of every notebook into ``_build/slides/`` (``make slides``).

Theory of operation
-------------------
1. **reveal.js, offline.** The pinned release (:data:`REVEAL_VERSION`) is
   fetched once from the npm registry with ``npm pack`` into
   ``_build/vendor/``, checked against its pinned sha512 integrity
   (:data:`REVEAL_INTEGRITY`, what ``npm view reveal.js@VERSION
   dist.integrity`` prints), and unpacked into ``_build/slides/reveal/``.
   The decks load it from there (``--SlidesExporter.reveal_url_prefix``), so
   they work without a network.
2. **Stage** (``_build/slides-src/``): each stored notebook is copied with
   the slide types of ``tools/slide_metadata.py`` applied (the same the
   stored notebooks carry), its saved widget state dropped, figure links
   pointed at ``figures/`` (copied beside the decks) and maths converted to
   MathML with ``latex2mathml``, so that no MathJax is needed.
3. **Convert** with ``jupyter nbconvert --to slides`` and the course's
   template (``tools/slides_template/course_reveal``: nbconvert's reveal
   template without jQuery, RequireJS, Mermaid, MathJax or the widget
   manager, all of which come from CDNs, and with CSS that fits slides to the
   viewport).
4. **Check** that no deck fetches anything from another host.

Usage: python tools/make_slides.py [--notebooks notebooks] [--out _build/slides]
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import slide_metadata  # noqa: E402
from build_site import remote_assets  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = Path(__file__).resolve().parent / "slides_template"
TEMPLATE = "course_reveal"
REVEAL_VERSION = "5.2.1"
#: ``npm view reveal.js@5.2.1 dist.integrity`` (the npm registry's checksum of the tarball).
REVEAL_INTEGRITY = "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ=="
REVEAL_PREFIX = "reveal"
FIGURE_LINK = re.compile(r"\]\(\.\./figures/([A-Za-z0-9_\-]+\.(?:svg|png))\)")
CODE_SPAN = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\\w$])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\w$])")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class SlidesError(Exception):
    """A step of ``make slides`` failed; the message says which and what to do."""


def integrity(data: bytes) -> str:
    """npm's ``dist.integrity`` of a tarball: ``sha512-`` and the base64 digest.

    Examples
    --------
    >>> integrity(b"")
    'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=='
    """
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch_reveal(vendor: Path) -> Path:
    """The pinned reveal.js tarball in ``vendor``, fetched with ``npm pack`` when missing; checksum checked."""
    tarball = vendor / f"reveal.js-{REVEAL_VERSION}.tgz"
    if not tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SlidesError("make slides needs npm to fetch reveal.js from the npm registry once: sudo apt-get install npm")
        vendor.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "pack", f"reveal.js@{REVEAL_VERSION}", "--pack-destination", str(vendor), "--silent"],
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or not tarball.exists():
            raise SlidesError(f"npm pack reveal.js@{REVEAL_VERSION} failed: {done.stderr.strip()[-500:]}")
    got = integrity(tarball.read_bytes())
    if got != REVEAL_INTEGRITY:
        tarball.unlink()
        raise SlidesError(f"{tarball.name} has checksum {got}, not the pinned {REVEAL_INTEGRITY}; deleted, run again")
    return tarball


#: What the decks use of reveal.js: the core, the "white" theme with its own fonts (the other themes
#: load fonts from Google), the speaker-notes plugin, and the licence.
REVEAL_FILES = ("package/dist/reveal.css", "package/dist/reveal.js", "package/dist/theme/white.css",
                "package/dist/theme/fonts/source-sans-pro/", "package/plugin/notes/", "package/LICENSE")


def unpack_reveal(tarball: Path, target: Path) -> None:
    """Unpack the parts of reveal.js that the decks use (:data:`REVEAL_FILES`) into ``target``."""
    if target.exists():
        shutil.rmtree(target)
    with tarfile.open(tarball) as archive:
        members = [m for m in archive.getmembers() if m.isfile() and m.name.startswith(REVEAL_FILES)]
        for member in members:
            member.name = member.name.removeprefix("package/")
        archive.extractall(target, members=members, filter="data")


def _mathml(latex: str, display: bool) -> str | None:
    try:
        from latex2mathml.converter import convert
    except ImportError:
        return None
    try:
        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - a formula that cannot be converted stays as its source
        return None
    return re.sub(r"(<mtext[^>]*>)(.*?)(</mtext>)", lambda m: m.group(1) + re.sub(r"\\([_%&#$])", r"\1", m.group(2)) + m.group(3), mathml)


def maths_to_mathml(text: str) -> str:
    r"""Markdown with ``$$…$$`` and ``$…$`` (outside code) replaced by MathML.

    Examples
    --------
    >>> out = maths_to_mathml("Little's law: $N = \\lambda T$, not `$HOME`.")
    >>> out.startswith("Little's law: <math xmlns="), out.endswith(", not `$HOME`.")
    (True, True)
    """
    parts = CODE_SPAN.split(text)
    for i in range(0, len(parts), 2):
        part = DISPLAY_MATH.sub(lambda m: _mathml(m.group(1), True) or m.group(0), parts[i])
        parts[i] = INLINE_MATH.sub(lambda m: _mathml(m.group(1), False) or m.group(0), part)
    return "".join(parts)


from slide_metadata import (  # noqa: E402  (the sizes the slide types were chosen with)
    BLOCK_GAP_PX, CODE_GAP_PX, CODE_LINE_PX, HEADING_PX, IMAGE_PX, SLIDE_BUDGET_PX, TEXT_CHARS, TEXT_LINE_PX, code_height,
)

TABLE_ROW = re.compile(r"^\s*\|")


def markdown_blocks(text: str) -> list[str]:
    """``text`` cut at blank lines, keeping code fences and tables whole.

    Examples
    --------
    >>> markdown_blocks("## A\\n\\nOne.\\n\\n```\\nx\\n\\ny\\n```\\n\\nTwo.")
    ['## A', 'One.', '```\\nx\\n\\ny\\n```', 'Two.']
    """
    blocks: list[str] = []
    current: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.strip().startswith(("```", "~~~")):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def block_height(block: str) -> int:
    """A conservative estimate of a markdown block's height on a slide, in logical pixels."""
    if "![" in block or "<img" in block:
        return IMAGE_PX
    if block.startswith("#"):
        return HEADING_PX + sum(TEXT_LINE_PX * (1 + len(line) // TEXT_CHARS) for line in block.splitlines()[1:])
    if TABLE_ROW.match(block):
        lines = block.splitlines()
        return BLOCK_GAP_PX + sum(table_row_height(line) for line in lines[:1] + lines[2:])
    if block.startswith(("```", "~~~")):
        return CODE_GAP_PX + CODE_LINE_PX * len(block.splitlines())
    lines = sum(1 + len(re.sub(r"\]\([^)]*\)|<[^>]+>|[*`]", "", line)) // TEXT_CHARS for line in block.splitlines())
    return BLOCK_GAP_PX + TEXT_LINE_PX * lines


def table_row_height(row: str) -> int:
    """Estimated height of one markdown table row (14 px text, cells wrap)."""
    return 14 + 20 * (1 + len(row) // 90)


def split_table(block: str) -> list[str]:
    """A markdown table too tall for one slide, cut into tables that fit, each with the header row."""
    lines = block.splitlines()
    if len(lines) < 3 or not all(TABLE_ROW.match(line) for line in lines):
        return [block]
    header, rows = lines[:2], lines[2:]
    head_px = BLOCK_GAP_PX + table_row_height(header[0])
    parts, current, used = [], [], head_px
    for row in rows:
        if current and used + table_row_height(row) > SLIDE_BUDGET_PX:
            parts.append("\n".join(header + current))
            current, used = [], head_px
        current.append(row)
        used += table_row_height(row)
    parts.append("\n".join(header + current))
    return parts


def _paginate(cells: list[dict]) -> list[dict]:
    """Cut long markdown cells into blocks and start a new vertical slide whenever the current one is full."""
    out: list[dict] = []
    used = 0
    for cell in cells:
        kind = cell["metadata"]["slideshow"]["slide_type"]
        if kind in ("skip", "notes"):
            out.append(cell)
            continue
        if cell["cell_type"] != "markdown":
            height = code_height(cell)
            if kind in ("slide", "subslide") or used + height > SLIDE_BUDGET_PX:
                kind = kind if kind in ("slide", "subslide") else "subslide"
                used = 0
            cell["metadata"]["slideshow"] = {"slide_type": kind}
            used += height
            out.append(cell)
            continue
        blocks = [part for block in markdown_blocks(slide_metadata._source(cell)) for part in split_table(block)]
        for j, block in enumerate(blocks):
            height = block_height(block)
            first = j == 0
            part_kind = kind if first else "-"
            if (first and kind in ("slide", "subslide")) or used + height > SLIDE_BUDGET_PX:
                part_kind = kind if first and kind in ("slide", "subslide") else "subslide"
                used = 0
            part = copy.deepcopy(cell)
            part["id"] = f"{cell.get('id', 'cell')}-{j}"[:64] if len(blocks) > 1 else cell.get("id")
            part["source"] = block
            part["metadata"]["slideshow"] = {"slide_type": part_kind}
            used += height
            out.append(part)
    return out


def stage_notebook(nb: dict) -> tuple[dict, set[str]]:
    """The notebook as the deck shows it, and the figure files it links.

    The cells carry :mod:`slide_metadata`'s slide types; a slide that would not
    fit the viewport continues on a new vertical slide (long markdown cells are
    cut between paragraphs).
    """
    out = slide_metadata.apply(nb)
    out.get("metadata", {}).pop("widgets", None)
    figures: set[str] = set()
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            text = slide_metadata._source(cell)
            figures |= set(FIGURE_LINK.findall(text))
            cell["source"] = FIGURE_LINK.sub(r"](figures/\1)", text)
        elif cell["cell_type"] == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if WIDGET_MIME not in o.get("data", {})]
    out["cells"] = _paginate(out["cells"])
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = maths_to_mathml(cell["source"])
    return out, figures


def build(notebooks: Path, out: Path, *, vendor: Path | None = None, stage: Path | None = None) -> list[Path]:
    """Write every deck into ``out``; return their paths."""
    vendor = vendor or ROOT / "_build" / "vendor"
    stage = stage or out.parent / "slides-src"
    paths = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise SlidesError(f"--notebooks must be a folder of NN_topic.ipynb notebooks; {notebooks} has none")
    tarball = fetch_reveal(vendor)
    for folder in (out, stage):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    unpack_reveal(tarball, out / REVEAL_PREFIX)
    figures: set[str] = set()
    for path in paths:
        staged, used = stage_notebook(json.loads(path.read_text(encoding="utf-8")))
        figures |= used
        (stage / path.name).write_text(json.dumps(staged, indent=1, ensure_ascii=False), encoding="utf-8")
    shutil.copy2(ROOT / "site" / "_static" / "favicon.svg", out / "favicon.svg")
    (out / "figures").mkdir()
    for name in sorted(figures):
        shutil.copy2(ROOT / "figures" / name, out / "figures" / name)
    command = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "slides",
        f"--TemplateExporter.extra_template_basedirs={TEMPLATE_DIR}", f"--template={TEMPLATE}",
        f"--SlidesExporter.reveal_url_prefix={REVEAL_PREFIX}", "--SlidesExporter.reveal_transition=none",
        "--SlidesExporter.reveal_theme=white",
        "--output-dir", str(out), *[str(stage / p.name) for p in paths],
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise SlidesError(f"jupyter nbconvert --to slides failed:\n{done.stderr.strip()[-2000:]}")
    decks = sorted(out.glob("*.slides.html"))
    remote = remote_assets(out)
    if remote:
        raise SlidesError("the slides must work offline, but these assets come from another host:\n  " + "\n  ".join(remote))
    return decks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "slides")
    args = parser.parse_args(argv)
    try:
        decks = build(args.notebooks.resolve(), args.out.resolve())
    except SlidesError as exc:
        print(f"make_slides: error: {exc}", file=sys.stderr)
        return 2
    print(f"slides: {len(decks)} decks (reveal.js {REVEAL_VERSION}, served locally) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
