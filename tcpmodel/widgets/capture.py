"""The capture widget: analyse a shipped real capture, or upload your own, and draw one connection's ladder.

Controls: the source (a shipped capture from ``tcpmodel/data/captures``, or
"my upload"), a file upload (.pcap or .pcapng, at most :data:`MAX_UPLOAD_MB`
MB), and the connection to draw. Beside them: a progress bar while a capture
is replayed, and the capture's summary and the connection's report as text.
A bad file shows its one-line :class:`~tcpmodel.capture.CaptureError` in the
error label, never a traceback.
"""

from __future__ import annotations

import os
import tempfile
import ipywidgets as widgets

from tcpmodel.capture import analyze_shipped, shipped_captures
from tcpmodel.widgets.base import EVERY, CourseWidget, Steps

__all__ = ["capture_widget", "shipped_captures", "analyze_shipped", "draw_capture", "STATIC_FIGURE", "MAX_UPLOAD_MB"]

STATIC_FIGURE = "capture_lost_final_ack"
MAX_UPLOAD_MB = 50
UPLOAD = "upload"


def _upload_entry(upload) -> dict | None:  # noqa: ANN001
    """The one uploaded file as ``{"name", "size", "content"}`` (ipywidgets 8 gives a tuple of dicts)."""
    if not upload:
        return None
    entry = upload[0] if isinstance(upload, (tuple, list)) else next(iter(upload.values()))
    return {"name": entry["name"], "size": entry.get("size", len(entry["content"])), "content": entry["content"]}


def draw_capture(report, connection: int = 0):  # noqa: ANN001, ANN201 - a Figure
    """The ladder of one connection of a report (its trace must have been kept).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_capture(analyze_shipped("so_linger_0"), 0)
    >>> "reset by the client" in fig.axes[0].get_title()
    True
    """
    from tcpmodel.plots.capture import draw_capture_ladder

    return draw_capture_ladder(report, connection, width=8.0)


def _pre(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<pre style="font-size:11px; line-height:1.3; white-space:pre-wrap">{text}</pre>'


def capture_widget(max_upload_mb: float = MAX_UPLOAD_MB, source: str | None = None) -> CourseWidget:
    """Build the widget.

    ``source`` is what it shows first: a shipped capture's name, or ``"upload"``
    (the upload prompt, no ladder: the widget then costs no matplotlib import
    until something is drawn). Default: ``lost_final_ack``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> w = capture_widget()
    >>> w.update(source="simultaneous_close")
    >>> w.error_text, "simultaneous" in w.report_html.value
    ('', True)
    >>> w.update(source="upload")
    >>> w.error_text
    'upload a .pcap or .pcapng file first (at most 50 MB), or choose a shipped capture'
    >>> w.update(source="bound_port_reconnect")  # two incarnations of one 4-tuple
    >>> [v for _, v in w.controls["connection"].options]
    [0, 1]
    >>> w.update(connection=1)
    >>> w.error_text, "incarnation 2" in w.report_html.value
    ('', True)
    >>> capture_widget(source="upload").error_text.startswith("upload a .pcap")
    True
    >>> capture_widget(source="nothing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: source must be one of 'upload', ...; got 'nothing'
    """
    names = shipped_captures()
    cache: dict = {}
    holder: list[CourseWidget] = []
    progress = widgets.FloatProgress(value=0.0, min=0.0, max=1.0, description="replay",
                                     layout=widgets.Layout(visibility="hidden", width="300px"))
    report_html = widgets.HTML(value="")

    def analysed(key, path_or_name, from_file: bool):  # noqa: ANN001, ANN202
        if key in cache:
            return cache[key]
        from tcpmodel.capture import analyze

        progress.layout.visibility = "visible"
        progress.value = 0.0

        def tick(fraction: float, _packets: int) -> None:
            progress.value = fraction

        try:
            kwargs = {"progress": tick, "keep_traces": 200, "max_connections": 2_000}
            report = analyze(path_or_name, **kwargs) if from_file else analyze_shipped(path_or_name, **kwargs)
        finally:
            progress.layout.visibility = "hidden"
        cache.clear()  # keep one capture in memory
        cache[key] = report
        return report

    def set_connections(report, connection: int) -> int:  # noqa: ANN001
        w = holder[0] if holder else None
        dropdown = controls["connection"]
        options = [(f"#{c.index} {c.client} → {c.server}" + (f" (inc. {c.incarnation})" if c.incarnation > 1 else ""),
                    c.index) for c in report.connections if c.index in report.traces]
        if w is not None:
            dropdown.unobserve(w._on_change, names="value")
        try:
            if [v for _, v in dropdown.options] != [v for _, v in options]:
                dropdown.options = options or [("none", 0)]
            if connection in [v for _, v in options]:
                dropdown.value = connection
        finally:
            if w is not None:
                dropdown.observe(w._on_change, names="value")
        return connection

    def draw(source: str, upload, connection: int):  # noqa: ANN001, ANN202
        report_html.value = ""
        if source == UPLOAD:
            entry = _upload_entry(upload)
            if entry is None:
                raise ValueError(f"upload a .pcap or .pcapng file first (at most {max_upload_mb:g} MB), or choose a "
                                 "shipped capture")
            if entry["size"] > max_upload_mb * 2**20:
                raise ValueError(f"{entry['name']}: the file is {entry['size'] / 2**20:,.1f} MB; the notebook takes at "
                                 f"most {max_upload_mb:g} MB. Keep captures small (a snap length and a filter on "
                                 "SYN/FIN/RST), or run `python -m tcpmodel capture FILE` in a terminal")
            key = ("upload", entry["name"], entry["size"])
            if key not in cache:
                # written under the uploaded file's own name, so that errors name it
                folder = tempfile.mkdtemp(prefix="tcpmodel-upload-")
                path = os.path.join(folder, os.path.basename(entry["name"]) or "upload.pcap")
                try:
                    with open(path, "wb") as f:
                        f.write(bytes(entry["content"]))
                    analysed(key, path, True)
                finally:
                    os.unlink(path)
                    os.rmdir(folder)
            report = cache[key]
        else:
            report = analysed(("shipped", source), source, False)
        set_connections(report, connection)
        if connection not in report.traces:
            kept = sorted(report.traces)
            span = f"{kept[0]}–{kept[-1]}" if kept else "none"
            raise ValueError(f"connection must be one of the connections of this capture ({span}); got {connection}")
        conn = next(c for c in report.connections if c.index == connection)
        report_html.value = _pre(report.summary.text() + "\n\n" + conn.text())
        return draw_capture(report, connection)

    default = "lost_final_ack" if "lost_final_ack" in names else (names[0] if names else UPLOAD)
    if source is not None:
        from tcpmodel._validate import require_choice

        default = require_choice("source", source, (UPLOAD, *names))
    controls = {
        "source": widgets.Dropdown(options=[("my upload", UPLOAD)] + [(n.replace("_", " "), n) for n in names],
                                   value=default, description="capture"),
        "upload": widgets.FileUpload(accept=".pcap,.pcapng", multiple=False, description="upload"),
        "connection": widgets.Dropdown(options=[("#0", 0)], value=0, description="connection"),
    }
    # The static site cannot take the reader's file: it draws every shipped capture, each connection the
    # "connection" menu offers for it (Steps(menu=True)), and "my upload" as the widget shows it with no file.
    site_grid = {"source": EVERY, "upload": [()], "connection": Steps(menu=True)}
    w = CourseWidget(controls, draw, title="Your own traffic: a capture replayed through the state table",
                     static_figure=STATIC_FIGURE, site_grid=site_grid)
    w.site_html = lambda: report_html.value  # type: ignore[attr-defined]  # the report beside the ladder, on the site
    holder.append(w)
    w.progress = progress  # type: ignore[attr-defined]
    w.report_html = report_html  # type: ignore[attr-defined]
    w.children = (*w.children[:-1], progress, w.children[-1], report_html)
    if default == UPLOAD:
        _warm_up_plotting()
    return w


def _warm_up_plotting() -> None:
    """Import the plotting modules in the background while the reader picks a file.

    Opened on the upload prompt the widget has drawn nothing, so its first ladder would also pay
    for importing pyplot (most of a second on a small hub); a daemon thread pays it while the
    reader is still choosing. A failure here only leaves the import to the first drawing.
    """
    import threading

    def load() -> None:
        try:
            import tcpmodel.plots.capture  # noqa: F401  (brings matplotlib.pyplot)
        except Exception:  # noqa: BLE001 - the first drawing imports it again and reports any error
            pass

    threading.Thread(target=load, name="tcpmodel-plot-warm-up", daemon=True).start()
