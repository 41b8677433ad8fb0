"""Sphinx extension for the course site.

Theory of operation
-------------------
* **Launch bar.** On ``html-page-context`` every page gets three URLs that
  ``_templates/page.html`` shows above the text: "Launch on Binder" (the
  README's Binder pattern, opening that very notebook in JupyterLab), the
  notebook's source on GitHub, and a local download of the notebook as stored
  (``tools/build_site.py`` copies it next to the page). The landing page
  launches ``00_start_here.ipynb`` and links to its own source,
  ``site/index.md``.
* **Maths without a CDN.** Maths (``$...$`` in the notebooks) is converted to
  MathML at build time with ``latex2mathml``. Every current browser renders
  MathML Core natively and screen readers read it, so the site needs no
  MathJax and fetches nothing at view time. A formula that cannot be
  converted is shown as its LaTeX source in ``<code>`` and reported as a
  build warning, never dropped.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Pages whose source is not a notebook: docname → path in the repository.
NON_NOTEBOOK_SOURCES = {"index": "site/index.md", "instructors": "tools/instructor_guide.py"}
START_NOTEBOOK = "notebooks/00_start_here.ipynb"


MTEXT = re.compile(r"(<mtext[^>]*>)(.*?)(</mtext>)", re.S)
TEXT_ESCAPE = re.compile(r"\\([_%&#$])")


def latex_to_mathml(latex: str, *, display: bool) -> str | None:
    r"""Return MathML for ``latex``, or None if it cannot be converted.

    Examples
    --------
    >>> latex_to_mathml(r"\text{TIME\_WAIT}", display=False)
    '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mtext>TIME_WAIT</mtext></mrow></math>'
    """
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any parser failure falls back to source
        return None
    # latex2mathml keeps escapes such as \_ verbatim inside \text{...}.
    return MTEXT.sub(lambda m: m.group(1) + TEXT_ESCAPE.sub(r"\1", m.group(2)) + m.group(3), mathml)


def _fallback(self: Any, node: nodes.Element, latex: str, display: bool) -> None:
    logger.warning("maths not converted to MathML, shown as LaTeX: %s", latex, location=node)
    tag = "pre" if display else "code"
    self.body.append(f'<{tag} class="math-source">{html.escape(latex)}</{tag}>')


def visit_math_html(self: Any, node: nodes.Element) -> None:
    latex = node.astext()
    mathml = latex_to_mathml(latex, display=False)
    if mathml is None:
        _fallback(self, node, latex, display=False)
    else:
        self.body.append(f'<span class="math">{mathml}</span>')
    raise nodes.SkipNode


def visit_math_block_html(self: Any, node: nodes.Element) -> None:
    latex = node.astext()
    if node.get("label"):
        self.body.append(f'<span id="{html.escape(node["ids"][0])}"></span>' if node.get("ids") else "")
    self.body.append('<div class="math-block" tabindex="0">')
    mathml = latex_to_mathml(latex, display=True)
    if mathml is None:
        _fallback(self, node, latex, display=True)
    else:
        self.body.append(mathml)
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    self.body.append("</div>")
    raise nodes.SkipNode


def page_links(app: Sphinx, pagename: str) -> dict[str, str]:
    """The launch-bar URLs for one page (empty for generated pages)."""
    cfg = app.config
    blob = f"{cfg.course_repository.rstrip('/')}/blob/{cfg.course_branch}"
    if pagename in NON_NOTEBOOK_SOURCES:
        return {
            "course_binder_url": cfg.course_binder.format(path=START_NOTEBOOK),
            "course_binder_label": "Launch the course on Binder",
            "course_source_url": f"{blob}/{NON_NOTEBOOK_SOURCES[pagename]}",
            "course_download_url": "",
        }
    if pagename.startswith("notebooks/") and app.env.doc2path(pagename).suffix == ".ipynb":
        repo_path = f"{pagename}.ipynb"
        return {
            "course_binder_url": cfg.course_binder.format(path=repo_path),
            "course_binder_label": "Launch on Binder",
            "course_source_url": f"{blob}/{repo_path}",
            "course_download_url": f"{pagename.rsplit('/', 1)[-1]}.ipynb",
        }
    return {}


def accessible_html(fragment: str) -> str:
    """Small accessibility repairs to HTML that Sphinx and Furo generate.

    * ``<pre>`` blocks and Furo's table wrappers scroll sideways when they
      are wide: make them focusable so that keyboard users can scroll them
      (WCAG 2.1.1).
    * The toctree caption is ``role="heading"`` without a level: give it one.

    Examples
    --------
    >>> accessible_html('<pre>x</pre><div class="table-wrapper x"><p class="caption" role="heading">')
    '<pre tabindex="0">x</pre><div tabindex="0" class="table-wrapper x"><p class="caption" role="heading" aria-level="2">'
    """
    fragment = fragment.replace("<pre>", '<pre tabindex="0">')
    fragment = fragment.replace('<div class="table-wrapper', '<div tabindex="0" class="table-wrapper')
    return fragment.replace('role="heading">', 'role="heading" aria-level="2">')


def on_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    for key in ("body", "furo_navigation_tree"):
        if isinstance(context.get(key), str):
            context[key] = accessible_html(context[key])
    if doctree is None:  # search, genindex: no launch bar
        return
    context.update(page_links(app, pagename))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("course_repository", "", "html")
    app.add_config_value("course_branch", "HEAD", "html")
    app.add_config_value("course_binder", "", "html")
    app.add_html_math_renderer(
        "mathml",
        inline_renderers=(visit_math_html, None),
        block_renderers=(visit_math_block_html, None),
    )
    app.connect("html-page-context", on_page_context, priority=900)  # after Furo's
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
