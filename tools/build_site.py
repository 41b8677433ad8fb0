"""Build the course's static site from the notebooks as stored (`make site`).

Nothing is executed: the site shows exactly the outputs that nbval checked.

Theory of operation
-------------------
1. **Stage** (``_build/site-src/``). The landing page ``site/index.md`` is
   filled in (course map from :func:`tcpmodel.course.course_map_markdown`,
   the table of contents, the citation from ``CITATION.cff``), the
   instructor guide is written (``instructors.md``, from
   ``tools/instructor_guide.py``, with its numbers computed), the figures
   are copied, and each ``notebooks/NN_*.ipynb`` is copied with these
   changes, made to the copy only:

   * widget outputs (``application/vnd.jupyter.widget-view+json``) are
     dropped, and the static figure that the notebook shows just before the
     widget cell (``![alt](../figures/NAME.svg)``) becomes a figure with the
     caption from ``figures/index.json`` and a note that the live version
     runs on Binder or locally. A static page cannot run a widget, so it
     shows no "Loading widget..." placeholder;
   * the notebook's saved widget state is dropped, so myst-nb never loads
     the ipywidgets embedder from a CDN;
   * plot outputs get alt text: the cell's own ``mystnb.image.alt`` if set,
     else the index entry of the registered figure the cell draws, else a
     description from the plotting function it calls (the plot's ``title=``
     or the function's summary) and the section it belongs to;
   * solution cells are folded (``hide-input``) so a reader can try first;
   * images from other hosts (badges) become links, so the site stays offline;
   * relative links to repository files outside the site (``../tcpmodel/...``)
     point at the file on GitHub; links to notebooks that do not exist yet
     become plain text, so the site has no dead links.
   Before staging, every widget cell gets its **site version**
   (:mod:`tcpmodel.widgets.site`): the widget is built from the cell, drawn
   with its own code at every point of the grid it declares (frames cached in
   ``_build/frame-cache/`` across builds), and its manifest (controls, frames,
   alt text) is embedded after the static figure. ``site/_static/widgets.js``
   turns it into the same controls as the notebook's; without JavaScript the
   page shows the static figure and caption.
2. **Build** with Sphinx, myst-nb and Furo (``site/conf.py``).
3. **Finish**: copy each notebook as stored next to its page (the "Download
   notebook" link) and the widgets' frames to ``_static/widget-frames/``,
   then check that no page loads anything from another host
   (scripts, styles, fonts, images, frames): the site must work offline.

Usage: python tools/build_site.py [--out _build/site] [--notebooks notebooks]
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
REPO_BLOB = "https://github.com/time-wait-course/tcp-time-wait/blob/HEAD"
BINDER = "https://mybinder.org/v2/gh/time-wait-course/tcp-time-wait/HEAD?urlpath=lab/tree/{path}"
FIGURE_IMAGE = re.compile(r"!\[(?P<alt>(?:\\.|\[[^\]]*\]|[^\]\\\[])*)\]\(\.\./figures/(?P<name>[A-Za-z0-9_\-]+)\.svg\)")
REMOTE_IMAGE = re.compile(
    r"(?P<open>\[)?!\[(?P<alt>[^\]]*)\]\((?P<url>https?://[^)\s]+)\)(?(open)\]\((?P<target>[^)\s]+)\))"
)
MD_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")
FENCE = re.compile(r"(^```.*?^```[ \t]*$|^~~~.*?^~~~[ \t]*$)", re.M | re.S)


@dataclass
class StageReport:
    """What staging changed, for the build log (and the tests)."""

    widgets: list[str] = field(default_factory=list)
    widgets_without_figure: list[str] = field(default_factory=list)
    fallback_alt: list[str] = field(default_factory=list)
    dropped_links: list[str] = field(default_factory=list)
    remote_images: list[str] = field(default_factory=list)
    site_widgets: list[str] = field(default_factory=list)


# -- Notebook transformation --------------------------------------------------


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _outside_fences(text: str, fn) -> str:
    """Apply ``fn`` to the parts of Markdown ``text`` outside code fences."""
    parts = FENCE.split(text)
    return "".join(part if i % 2 else fn(part) for i, part in enumerate(parts))


def figure_markup(name: str, alt: str, caption: str, binder_url: str) -> str:
    """MyST markup for a widget's static figure, with the 'live version' caption."""
    live = (
        f"*Static figure of an interactive demo.* The live version runs on "
        f"[Binder]({binder_url}) or locally (`make lab`)."
    )
    text = f"{caption.strip()} {live}" if caption.strip() else live
    options = json.dumps(alt)  # JSON is YAML: safe quoting for any alt text
    return (
        f"\n```{{figure}} ../figures/{name}.svg\n---\nalt: {options}\nfigclass: course-widget-fallback\n"
        f"name: fig-{name.replace('_', '-')}\n---\n{text}\n```\n"
    )


FRAMES_DIR = "_static/widget-frames"


def site_widget_markup(manifest: dict) -> str:
    """MyST markup that embeds a widget's site version (``widgets.js`` builds its controls).

    The manifest travels inside the page, so the widget works from ``file://``
    too; without JavaScript nothing of it shows and the static figure stays.

    Examples
    --------
    >>> print(site_widget_markup({"id": "01_x--demo", "title": "</script>"}))
    <BLANKLINE>
    ```{raw} html
    <div class="course-site-widget" id="site-widget-01_x--demo" data-widget="01_x--demo"><script type="application/json">{"id":"01_x--demo","title":"<\\/script>"}</script></div>
    ```
    <BLANKLINE>
    """
    data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    ident = manifest["id"]
    return (f'\n```{{raw}} html\n<div class="course-site-widget" id="site-widget-{ident}" data-widget="{ident}">'
            f'<script type="application/json">{data}</script></div>\n```\n')


def widget_cells(nb: dict) -> list[dict]:
    """The code cells of a notebook whose stored outputs show a widget."""
    return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"
            and any(WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))]


def site_widget_specs(notebooks: list[Path]) -> list[dict]:
    """One spec per widget cell: ``{"id", "notebook", "cell", "source", "binder"}``.

    A cell may use a name an earlier cell imported (``state_stepper`` in
    notebook 01's second stepper), so the source is the cell's own code after
    the import statements of the notebook's earlier code cells (imports only:
    nothing else of the notebook runs).
    """
    import ast

    specs = []
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        imports: list[str] = []
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            source = _source(cell)
            if any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
                needed = "\n".join(imports + [source]) if imports else source
                specs.append({"id": f"{path.stem}--{cell.get('id', '')}", "notebook": path.name, "cell": cell.get("id", ""),
                              "source": needed, "binder": BINDER.format(path=f"notebooks/{path.name}")})
            try:
                tree = ast.parse(source)
            except SyntaxError:  # IPython magics: no imports to take from this cell
                continue
            imports += [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return specs


def rewrite_links(text: str, *, notebook_names: set[str], where: str, report: StageReport) -> str:
    """Point repository-relative links at GitHub; unlink notebooks that do not exist."""

    def replace(match: re.Match) -> str:
        link_text, target = match.group("text"), match.group("target")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:", target) or target.startswith(("#", "<", "/")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        if path.endswith(".ipynb") and "/" not in path:
            if path in notebook_names:
                return match.group(0)
            report.dropped_links.append(f"{where}: {target}")
            return link_text
        if path.startswith("../figures/") or not path:
            return match.group(0)
        parts: list[str] = ["notebooks"]
        for piece in path.split("/"):
            if piece == "..":
                if not parts:
                    return match.group(0)
                parts.pop()
            elif piece not in ("", "."):
                parts.append(piece)
        url = f"{REPO_BLOB}/{'/'.join(parts)}" + (f"#{anchor}" if anchor else "")
        return f"[{link_text}]({url})"

    return _outside_fences(text, lambda part: MD_LINK.sub(replace, part))


def _heading_before(cells: list[dict], index: int) -> str:
    for cell in reversed(cells[:index]):
        if cell["cell_type"] == "markdown":
            headings = re.findall(r"^#{1,6}\s+(.+)$", _source(cell), re.M)
            if headings:
                return headings[-1].strip()
    return ""


def transform_notebook(
    nb: dict,
    *,
    filename: str,
    figures: dict[str, dict[str, str]],
    draw_names: dict[str, str] | None = None,
    plot_docs: dict[str, str] | None = None,
    notebook_names: set[str] | None = None,
    report: StageReport | None = None,
    site_widgets: dict[str, str] | None = None,
) -> dict:
    """Return a copy of notebook ``nb`` made ready for the static site.

    Parameters
    ----------
    nb : dict
        The notebook as stored (nbformat 4 JSON).
    filename : str
        Its file name, e.g. ``"03_reliable_close.ipynb"``.
    figures : dict
        ``figures/index.json``: name → {file, alt, caption}.
    draw_names : dict, optional
        Name of a registered figure's drawing function → figure name, to give
        plot outputs the figure's alt text.
    plot_docs : dict, optional
        Name of a plotting function in :mod:`tcpmodel.plots` → its one-line
        summary, to describe plots that the cell draws with arguments.
    notebook_names : set of str, optional
        The notebooks that exist (links to others become plain text).
    report : StageReport, optional
        Collects what was changed.
    site_widgets : dict, optional
        Widget cell id → the markup of its site version (:func:`site_widget_markup`),
        placed just after the widget's static figure.

    Examples
    --------
    >>> nb = {"metadata": {"widgets": {}}, "nbformat": 4, "nbformat_minor": 5, "cells": [
    ...     {"cell_type": "markdown", "id": "d", "metadata": {}, "source": "![A plot](../figures/f.svg)"},
    ...     {"cell_type": "code", "id": "w", "metadata": {}, "source": "demo()", "execution_count": 1,
    ...      "outputs": [{"output_type": "display_data", "metadata": {},
    ...                   "data": {"application/vnd.jupyter.widget-view+json": {}, "text/plain": "VBox()"}}]}]}
    >>> out = transform_notebook(nb, filename="01_x.ipynb", figures={"f": {"alt": "A plot", "caption": "C."}})
    >>> out["cells"][1]["outputs"], "widgets" in out["metadata"]
    ([], False)
    >>> "runs on [Binder]" in out["cells"][0]["source"]
    True
    """
    report = report if report is not None else StageReport()
    draw_names = draw_names or {}
    notebook_names = notebook_names if notebook_names is not None else {filename}
    binder_url = BINDER.format(path=f"notebooks/{filename}")
    out = copy.deepcopy(nb)
    out.get("metadata", {}).pop("widgets", None)
    cells = out["cells"]
    for i, cell in enumerate(cells):
        where = f"{filename}#{cell.get('id', i)}"
        if cell["cell_type"] == "markdown":
            text = rewrite_links(_source(cell), notebook_names=notebook_names, where=where, report=report)
            text = _outside_fences(text, lambda part: REMOTE_IMAGE.sub(lambda m: _unfetch(m, where, report), part))
            cell["source"] = FIGURE_IMAGE.sub(lambda m: _index_alt(m, figures), text)
            continue
        if cell["cell_type"] != "code":
            continue
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if "solution" in tags and "hide-input" not in tags:
            tags.append("hide-input")
            prompts = cell["metadata"].setdefault("mystnb", {})
            prompts.setdefault("code_prompt_show", "Show the solution")
            prompts.setdefault("code_prompt_hide", "Hide the solution")
        outputs = cell.get("outputs", [])
        for output in outputs:  # e.g. the course map, a Markdown output
            data = output.get("data", {})
            if "text/markdown" in data:
                md = data["text/markdown"]
                md = "".join(md) if isinstance(md, list) else md
                data["text/markdown"] = rewrite_links(md, notebook_names=notebook_names, where=where, report=report)
        kept = [o for o in outputs if WIDGET_MIME not in o.get("data", {})]
        if len(kept) != len(outputs):
            cell["outputs"] = kept
            report.widgets.append(where)
            extra = (site_widgets or {}).get(cell.get("id", ""), "")
            if extra:
                report.site_widgets.append(where)
            if not _caption_widget_figure(cells, i, figures, binder_url, extra):
                report.widgets_without_figure.append(where)
                note = {
                    "cell_type": "markdown",
                    "id": f"{cell.get('id', i)}-site-note",
                    "metadata": {},
                    "source": f"*An interactive demo runs here on [Binder]({binder_url}) or locally (`make lab`).*" + extra,
                }
                cells.insert(i + 1, note)
        if any(mime in o.get("data", {}) for o in kept for mime in IMAGE_MIMES):
            _give_alt(cell, cells, i, figures, draw_names, plot_docs or {}, where, report)
    return out


def _unfetch(match: re.Match, where: str, report: StageReport) -> str:
    """A remote image (a badge, say) becomes a link: the site fetches nothing remote."""
    report.remote_images.append(f"{where}: {match.group('url')}")
    return f"[{match.group('alt') or match.group('url')}]({match.group('target') or match.group('url')})"


def _index_alt(match: re.Match, figures: dict) -> str:
    """A figure image with the alt text of ``figures/index.json``."""
    alt = figures.get(match.group("name"), {}).get("alt") or match.group("alt")
    alt = alt.replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}](../figures/{match.group('name')}.svg)"


def _caption_widget_figure(cells: list[dict], index: int, figures: dict, binder_url: str, extra: str = "") -> bool:
    """Caption the static figure shown just before the widget cell at ``index`` (and put ``extra`` after it)."""
    for cell in reversed(cells[:index]):
        if cell["cell_type"] == "code":
            return False  # the figure must come after the previous code cell
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell)
        matches = list(FIGURE_IMAGE.finditer(text))
        if not matches:
            continue
        m = matches[-1]
        entry = figures.get(m.group("name"), {})
        alt = entry.get("alt") or m.group("alt")
        markup = figure_markup(m.group("name"), alt, entry.get("caption", ""), binder_url) + extra
        cell["source"] = text[: m.start()] + markup + text[m.end() :]
        return True
    return False


TITLE_KW = re.compile(r"""\btitle\s*=\s*(?P<f>[fF]?)(?P<q>["'])(?P<title>.+?)(?P=q)""")


def plot_alt(source: str, heading: str, plot_docs: dict[str, str]) -> tuple[str, bool]:
    """Alt text for a plot drawn by code ``source``; and whether it says what is drawn.

    It names the kind of plot (from the plotting function the cell calls),
    what it shows (the plot's ``title=`` or the function's one-line summary)
    and the section it belongs to.

    Examples
    --------
    >>> plot_alt('show_ladder(t, title="the client closes first")', "1. Who waits",
    ...          {"show_ladder": "Draw ``trace``."})
    ('Ladder diagram of the simulated connection: the client closes first. In section “1. Who waits”.', True)
    >>> plot_alt("show_figure(draw_ttl(64))", "2. TTL", {"show_figure": "Show ``fig``.", "draw_ttl": "TTL against MSL."})
    ('Plot: TTL against MSL. In section “2. TTL”.', True)
    >>> plot_alt('show(title=f"rate {r}")', "", {})[1]
    False
    >>> plot_alt("plt.plot(x)", "", {})
    ('Plot drawn by the code above; the text around it says what it shows.', False)
    """
    kind, what = "Plot", ""
    called = [f for f in re.findall(r"\b([A-Za-z_]\w*)\s*\(", source) if f in plot_docs]
    if called and "ladder" in called[0]:
        kind = "Ladder diagram of the simulated connection"
    for func in called:  # the first plotting function whose summary reads as prose
        summary = plot_docs[func].strip().rstrip(".")
        if not ("``" in summary or ":func:" in summary or ":class:" in summary):
            what = summary
            break
    title = TITLE_KW.search(source)
    if title and not (title.group("f") and "{" in title.group("title")):  # an f-string's title is not known here
        what = title.group("title").strip().rstrip(".")
    where = f" In section “{heading}”." if heading else ""
    if what:
        return f"{kind}: {what}.{where}", True
    if heading:
        return f"{kind} drawn by the code above, in section “{heading}”; the text around it says what it shows.", False
    return f"{kind} drawn by the code above; the text around it says what it shows.", False


def _give_alt(
    cell: dict, cells: list[dict], index: int, figures: dict, draw_names: dict, plot_docs: dict, where: str, report: StageReport
) -> None:
    options = cell["metadata"].setdefault("mystnb", {}).setdefault("image", {})
    if options.get("alt"):
        return
    source = _source(cell)
    for func, name in sorted(draw_names.items()):
        if re.search(rf"\b{re.escape(func)}\s*\(\s*\)", source) and name in figures:
            options["alt"] = figures[name]["alt"]  # a registered figure, drawn as registered
            return
    options["alt"], specific = plot_alt(source, _heading_before(cells, index), plot_docs)
    if not specific:
        report.fallback_alt.append(where)


# -- Landing page -------------------------------------------------------------


def _citation(root: Path) -> str:
    import yaml

    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    authors = " and ".join(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}" for a in cff["authors"])
    year = str(cff.get("date-released", ""))[:4]
    plain = f"{authors} ({year}). *{cff['title']}* (version {cff['version']}). {cff.get('url', REPO_BLOB.rsplit('/blob', 1)[0])}"
    bibtex = (
        "```bibtex\n@software{time_wait_course,\n"
        f"  author  = {{{{{authors}}}}},\n  title   = {{{cff['title']}}},\n"
        f"  version = {{{cff['version']}}},\n  year    = {{{year}}},\n"
        f"  url     = {{{cff.get('url', REPO_BLOB.rsplit('/blob', 1)[0])}}}\n}}\n```"
    )
    return f"{plain}\n\n{bibtex}"


def _total_minutes(times: list[str]) -> int | None:
    total = 0
    for t in times:
        m = re.fullmatch(r"~?\s*(\d+)\s*min(?:utes)?", t.strip())
        if not m:
            return None
        total += int(m.group(1))
    return total


def landing_page(notebooks: list[Path], root: Path = ROOT) -> str:
    """The landing page's MyST source: ``site/index.md`` with the course filled in."""
    from tcpmodel.course import course_map_markdown, read_notebook_info

    folder = notebooks[0].parent if notebooks else root / "notebooks"
    course_map = course_map_markdown(folder) if any(not p.name.startswith("00_") for p in notebooks) else ""
    # Link the titles to the pages, and number them as the sidebar does.
    course_map = re.sub(r"\| \[([^\]]+)\]\(((\d\d)_[^)]+\.ipynb)\)", r"| [\3 · \1](notebooks/\2)", course_map)
    infos = [read_notebook_info(p) for p in notebooks]
    start = next((i for i in infos if i.filename.startswith("00_")), None)
    start_line = f"Begin with [{start.title}](notebooks/{start.filename}) ({start.time})." if start else ""
    total = _total_minutes([i.time for i in infos])
    total_line = f"In all, about {total // 60} h {total % 60:02d} min of reading, running and exercises." if total else ""
    toc = "\n".join(f"notebooks/{p.stem}" for p in notebooks)
    text = (SITE / "index.md").read_text(encoding="utf-8")
    replacements = {
        "@@START@@": start_line,
        "@@COURSE_MAP@@": course_map or "| Notebook |\n|---|\n| *The notebooks are being written.* |",
        "@@TOTAL_TIME@@": total_line,
        "@@CITATION@@": _citation(root),
        "@@TOCTREE@@": toc,
    }
    for key, value in replacements.items():
        text = text.replace(key, value)
    return text


# -- Offline check ------------------------------------------------------------


class _AssetParser(HTMLParser):
    """Collect every URL a browser would fetch by itself (not hyperlinks)."""

    FETCHING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src", "embed": "src", "object": "data"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("href") and (a.get("rel") or "").lower() not in ("canonical", "alternate", "author", "license", "help"):
            self.urls.append(a["href"] or "")
        elif tag in self.FETCHING and a.get(self.FETCHING[tag]):
            self.urls.append(a[self.FETCHING[tag]] or "")
        if tag == "img" and a.get("srcset"):
            self.urls.extend(s.strip().split(" ")[0] for s in (a["srcset"] or "").split(","))


REMOTE = re.compile(r"^(https?:)?//", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""", re.I)


def remote_assets(site: Path) -> list[str]:
    """Every asset in ``site`` that a browser would fetch from another host."""
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = _AssetParser()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site)}: {u}" for u in parser.urls if REMOTE.match(u)]
    for sheet in sorted(site.rglob("*.css")):
        found += [f"{sheet.relative_to(site)}: {u}" for u in CSS_URL.findall(sheet.read_text(encoding="utf-8"))]
    for script in sorted(site.rglob("*.js")):
        text = script.read_text(encoding="utf-8", errors="replace")
        found += [f"{script.relative_to(site)}: {u}" for u in re.findall(r"""(?:src|href)\s*=\s*['"]((?:https?:)?//[^'"]+)""", text)]
    return found


# -- Main ---------------------------------------------------------------------


def course_notebook_paths(folder: Path) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def _plot_registry() -> tuple[dict[str, str], dict[str, str]]:
    """(registered drawing function → figure name, plotting function → summary)."""
    try:
        import inspect

        from tcpmodel.figures import registered_figures

        draw_names = {spec.draw.__name__: name for name, spec in registered_figures().items()}
        plot_docs = {}
        for module_name, module in sorted(sys.modules.items()):
            if module_name.startswith("tcpmodel.plots."):
                for name, func in inspect.getmembers(module, inspect.isfunction):
                    if func.__module__ == module_name and not name.startswith("_") and func.__doc__:
                        plot_docs[name] = func.__doc__.strip().splitlines()[0]
        return draw_names, plot_docs
    except Exception as exc:  # noqa: BLE001 - a broken plot module must not stop the site
        print(f"warning: figure registry unavailable ({exc}); plot outputs get generic alt text", file=sys.stderr)
        return {}, {}


def build_site_widgets(notebooks: list[Path], cache: Path, *, processes: int | None = None) -> dict[str, dict]:
    """Each widget cell's site version (spec id → build_frames' result, with the spec), frames in ``cache``."""
    from tcpmodel.widgets import site as site_widgets

    specs = site_widget_specs(notebooks)
    built = site_widgets.build_frames(specs, cache, processes=processes or site_widgets.PROCESSES,
                                      log=lambda msg: print(msg, file=sys.stderr))
    for spec in specs:
        built[spec["id"]]["spec"] = spec
        if "manifest" in built[spec["id"]]:
            built[spec["id"]]["manifest"]["base"] = f"../{FRAMES_DIR}/"  # pages live in notebooks/
    return built


def stage(notebooks_dir: Path, figures_dir: Path, stage_dir: Path, site_widgets: dict[str, dict] | None = None) -> tuple[list[Path], StageReport]:
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    (stage_dir / "notebooks").mkdir(parents=True)
    (stage_dir / "figures").mkdir()
    for figure_file in sorted(figures_dir.glob("*")) if figures_dir.exists() else []:
        if figure_file.suffix.lower() in (".svg", ".png", ".jpg", ".jpeg", ".gif"):  # images only, no README page
            shutil.copy2(figure_file, stage_dir / "figures" / figure_file.name)
    index_file = figures_dir / "index.json"
    figures = json.loads(index_file.read_text(encoding="utf-8")) if index_file.exists() else {}
    notebooks = course_notebook_paths(notebooks_dir)
    names = {p.name for p in notebooks}
    draw_names, plot_docs = _plot_registry()
    report = StageReport()
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        markup = {w["spec"]["cell"]: site_widget_markup(w["manifest"]) for w in (site_widgets or {}).values()
                  if w["spec"]["notebook"] == path.name and "manifest" in w}
        staged = transform_notebook(
            nb, filename=path.name, figures=figures, draw_names=draw_names, plot_docs=plot_docs, notebook_names=names, report=report,
            site_widgets=markup,
        )
        (stage_dir / "notebooks" / path.name).write_text(json.dumps(staged, indent=1, ensure_ascii=False), encoding="utf-8")
    (stage_dir / "index.md").write_text(landing_page(notebooks), encoding="utf-8")
    (stage_dir / "instructors.md").write_text(instructor_page(notebooks_dir), encoding="utf-8")
    return notebooks, report


def instructor_page(notebooks_dir: Path) -> str:
    """The instructor guide's page (tools/instructor_guide.py), its numbers computed now."""
    import importlib

    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))  # instructor_guide imports make_nbgrader beside it
    return importlib.import_module("instructor_guide").guide_markdown(notebooks_dir)


def build(notebooks_dir: Path, figures_dir: Path, out: Path, stage_dir: Path, quiet: bool = True,
          frame_cache: Path | None = None) -> dict:
    """Stage, build with Sphinx, finish. Returns a summary (pages, seconds, bytes, widgets)."""
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    cache = frame_cache or ROOT / "_build" / "frame-cache"
    widgets = build_site_widgets(course_notebook_paths(notebooks_dir), cache)
    widget_seconds = time.perf_counter() - start
    notebooks, report = stage(notebooks_dir, figures_dir, stage_dir, widgets)
    if out.exists():
        shutil.rmtree(out)
    warnings_file = stage_dir / "sphinx-warnings.txt"
    args = ["-b", "html", "-c", str(SITE), "-d", str(stage_dir / ".doctrees"), "-n", "-w", str(warnings_file)]
    args += ["-q"] if quiet else []
    status = build_main([*args, str(stage_dir), str(out)])
    if status:
        raise SystemExit(f"sphinx-build failed with status {status}")
    for path in notebooks:  # the "Download notebook" link: the notebook as stored
        shutil.copy2(path, out / "notebooks" / path.name)
    frames_out = out / FRAMES_DIR
    frames_out.mkdir(parents=True, exist_ok=True)
    for blob in sorted({b for w in widgets.values() for b in w.get("blobs", ())}):
        shutil.copyfile(cache / "blobs" / f"{blob}.png", frames_out / f"{blob}.png")
    (out / ".nojekyll").touch()
    remote = remote_assets(out)
    if remote:
        raise SystemExit("the site must work offline, but these assets come from another host:\n  " + "\n  ".join(remote))
    seconds = time.perf_counter() - start
    pages = sorted(p for p in out.rglob("*.html"))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    warnings = [w for w in warnings_file.read_text(encoding="utf-8").splitlines() if w.strip()] if warnings_file.exists() else []
    return {"pages": len(pages), "notebooks": len(notebooks), "seconds": seconds, "bytes": size, "report": report, "warnings": warnings,
            "widgets": widgets, "widget_seconds": widget_seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--figures", type=Path, default=ROOT / "figures")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "site")
    parser.add_argument("--stage", type=Path, default=ROOT / "_build" / "site-src")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    summary = build(args.notebooks.resolve(), args.figures.resolve(), args.out.resolve(), args.stage.resolve(), quiet=not args.verbose)
    report: StageReport = summary["report"]
    for where in report.widgets_without_figure:
        print(f"warning: widget in {where} has no static figure just before it", file=sys.stderr)
    for where in report.fallback_alt:
        print(f"note: plot output in {where} has generic alt text (set cell metadata mystnb.image.alt)", file=sys.stderr)
    for where in report.remote_images:
        print(f"note: remote image {where} is shown as a link (the site fetches nothing from other hosts)", file=sys.stderr)
    for where in report.dropped_links:
        print(f"note: link {where} points to a notebook that does not exist yet; shown as text", file=sys.stderr)
    for spec_id, widget in summary["widgets"].items():
        if "error" in widget:
            print(f"warning: widget {spec_id} has no site version ({widget['error']}); the page shows its static figure", file=sys.stderr)
        else:
            print(f"site widget {spec_id}: {widget['manifest']['points']} grid points, {widget['frames']} frames "
                  f"({widget['drawn']} points drawn now)")
    if summary["warnings"]:
        print(f"warning: Sphinx reported {len(summary['warnings'])} warnings (listed above)", file=sys.stderr)
    print(
        f"site: {summary['pages']} pages ({summary['notebooks']} notebooks, {len(report.widgets)} widgets, "
        f"{len(report.site_widgets)} of them interactive), {summary['bytes'] / 1e6:.1f} MB, built in {summary['seconds']:.1f} s "
        f"(widget frames {summary['widget_seconds']:.1f} s) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
