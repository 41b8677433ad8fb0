"""The capture widget: shipped captures, uploads, errors in the label, progress, and figures inside their canvas."""

from __future__ import annotations

import datetime

import pytest

pytest.importorskip("dpkt", reason="dpkt is pinned in requirements.txt")
pytest.importorskip("ipywidgets")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tcpmodel.capture.write import write_trace_pcap  # noqa: E402
from tcpmodel.sim import simulate  # noqa: E402
from tcpmodel.widgets.capture import capture_widget, shipped_captures  # noqa: E402


def _upload(widget, name: str, content: bytes) -> None:
    entry = {"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)}
    widget.controls["upload"].value = (entry,)


def _inside(fig) -> bool:
    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    width, height = fig.get_size_inches()
    return box.x0 > -0.005 and box.y0 > -0.005 and box.x1 < width + 0.005 and box.y1 < height + 0.005


@pytest.mark.parametrize("name", shipped_captures())
def test_every_shipped_capture_draws_inside_its_canvas(name):
    w = capture_widget()
    w.update(source=name)
    assert w.error_text == ""
    for _label, index in w.controls["connection"].options:
        fig = w.draw(source=name, upload=(), connection=index)
        assert _inside(fig), (name, index)
        plt.close(fig)


def test_upload_is_analysed(tmp_path):
    path = tmp_path / "mine.pcap"
    write_trace_pcap(simulate("normal_close", closer="B", msl=1.0), path)
    w = capture_widget()
    _upload(w, "mine.pcap", path.read_bytes())
    w.update(source="upload")
    assert w.error_text == ""
    assert w.report_html.value.startswith("<pre") and "mine.pcap: pcap" in w.report_html.value
    assert "first closer: the server" in w.report_html.value
    assert w.progress.layout.visibility == "hidden"


def test_bad_upload_shows_one_line_error_not_a_traceback():
    w = capture_widget()
    _upload(w, "notes.pcap", b"hello, this is text")
    w.update(source="upload")
    assert w.error_text.startswith("notes.pcap: not a pcap or pcapng capture")
    assert "Traceback" not in w.error.value and "⚠" in w.error.value


def test_upload_size_limit(tmp_path):
    path = tmp_path / "big.pcap"
    write_trace_pcap(simulate("normal_close", msl=1.0), path)
    w = capture_widget(max_upload_mb=0.0001)
    _upload(w, "big.pcap", path.read_bytes())
    w.update(source="upload")
    assert "the notebook takes at most 0.0001 MB" in w.error_text
