"""Widgets on the static site: every widget drawn ahead of time, on the grid it declares.

Theory of operation
-------------------
A reader of the static site has no kernel, so ``make site`` draws each widget
of the notebooks *with the widget's own* ``draw`` (or ``site_frames``) at every
point of the grid the widget declares beside its controls (``site_grid``, see
:mod:`tcpmodel.widgets.base`), and the site's small script
(``site/_static/widgets.js``) shows the frame for the values the reader picks.
No model logic runs in the browser.

* :func:`check_grid` expands and checks a widget's grid: every control has an
  entry; a drop-down or toggle lists every option, a check box both states; a
  slider's values lie in its range, on its steps, and include both ends; every
  initial value is on the grid. A widget that breaks a rule is refused with a
  one-line message naming the control.
* :func:`manifest_controls` describes the controls as the notebook shows them
  (labels, ranges, steps, options), for the script to build the same controls.
* :func:`render_point` draws the frames of one grid point (one, or one per step
  for a widget with a :class:`~tcpmodel.widgets.base.Steps` control) in the
  course style, and :func:`encode_png` turns each into a small PNG: the Agg
  canvas reduced to an adaptive palette of :data:`PALETTE_COLOURS` colours
  (plots are flat colours; a frame is 4-15 kB instead of 25-50 kB), which
  keeps the whole site within its 30 MB budget. The encoding is deterministic,
  so a frame drawn again now can be compared byte for byte with the site's
  (``tests/browser/test_site_widgets.py``).
* :func:`build_frames` renders every point of every widget not already in the
  cache (``_build/frame-cache``), in a pool of :data:`PROCESSES` processes. A
  point's cache key hashes the values with the widget's inputs
  (:func:`widget_key`: the notebook cell that builds it, the source of every
  ``tcpmodel`` module it can import, the package data those modules name, the versions of Python,
  matplotlib, NumPy, Pillow and ipywidgets, and this encoding), so a warm
  ``make site`` draws nothing, and any change to what a frame depends on
  redraws it.
* Each frame's alt text is generated from its values and what the drawing
  says (:func:`frame_alt`): the widget's title, each control's label and
  value, and the figure's titles and short notes, or the step's description.

A widget whose input is the reader's own file (a capture upload) declares the
shipped examples as the grid of that control, so the site shows its result for
them.
"""

from __future__ import annotations

import ast
import hashlib
import io
import itertools
import json
import math
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "PALETTE_COLOURS",
    "PROCESSES",
    "check_grid",
    "grid_points",
    "manifest_controls",
    "widget_from_source",
    "render_point",
    "encode_png",
    "frame_alt",
    "widget_key",
    "point_key",
    "build_frames",
]

#: Colours in a frame's palette: enough for the course's Okabe-Ito colours and their antialiased edges.
PALETTE_COLOURS = 64
#: Worker processes for a cold build (the course's CI and lab machines have 2 cores).
PROCESSES = 2
#: Bump when the encoding or the frame format changes: every cached frame is then redrawn.
FORMAT = "site-frames/1"
_PACKAGE = Path(__file__).resolve().parents[1]


# -- Grids ----------------------------------------------------------------------------------


def _options(control: Any) -> list[tuple[str, Any]]:
    """(label, value) of each option of a drop-down or toggle."""
    out = []
    for option in control.options:
        if isinstance(option, tuple):
            out.append((str(option[0]), option[1]))
        else:
            out.append((str(option), option))
    return out


def _kind(control: Any) -> str:
    import ipywidgets as w

    if isinstance(control, (w.IntSlider, w.FloatSlider)):
        return "slider"
    if isinstance(control, w.Checkbox):
        return "checkbox"
    if isinstance(control, w.ToggleButtons):
        return "toggle"
    if isinstance(control, (w.Dropdown, w.Select, w.RadioButtons)):
        return "select"
    if isinstance(control, (w.IntText, w.FloatText, w.BoundedIntText, w.BoundedFloatText, w.Text)):
        return "entry"  # typed in the notebook; the site offers the grid's values
    if isinstance(control, w.FileUpload):
        return "upload"  # the reader's file; the site offers the shipped examples
    return type(control).__name__


def check_grid(widget: Any) -> dict[str, Any]:
    """Return the widget's grid, expanded (``EVERY`` → the values), after checking it.

    Raises
    ------
    ValueError
        If a control has no grid entry, an entry names no control, or an entry
        leaves out an option or state, a slider end or the initial value, or
        holds a value outside the control's range or off its steps.

    Examples
    --------
    >>> import ipywidgets as w
    >>> from tcpmodel.widgets.base import CourseWidget, EVERY
    >>> demo = CourseWidget({"n": w.IntSlider(value=2, min=0, max=10), "on": w.Checkbox(value=True)},
    ...                     lambda n, on: None, site_grid={"n": [0, 2, 10], "on": EVERY})
    >>> check_grid(demo)
    {'n': [0, 2, 10], 'on': [False, True]}
    >>> demo.site_grid = {"n": [0, 2, 10]}
    >>> check_grid(demo)
    Traceback (most recent call last):
    ...
    ValueError: site_grid of this widget has no entry for control 'on'; declare the values the site draws beside the controls
    >>> demo.site_grid = {"n": [0, 2, 5], "on": EVERY}
    >>> check_grid(demo)
    Traceback (most recent call last):
    ...
    ValueError: site_grid['n'] must include both ends of the slider (0 and 10); got [0, 2, 5]
    """
    from tcpmodel.widgets.base import EVERY, Steps

    declared = dict(getattr(widget, "site_grid", {}) or {})
    grid: dict[str, Any] = {}
    for name, control in widget.controls.items():
        if name not in declared:
            raise ValueError(f"site_grid of this widget has no entry for control {name!r}; "
                             "declare the values the site draws beside the controls")
        entry, kind = declared[name], _kind(control)
        if isinstance(entry, Steps):
            grid[name] = entry
            continue
        if kind in ("select", "toggle"):
            values = [v for _label, v in _options(control)]
            if entry != EVERY and list(entry) != values:
                raise ValueError(f"site_grid[{name!r}] must be every option of the drop-down ({values}); got {list(entry)}")
            grid[name] = values
            continue
        if kind == "checkbox":
            if entry != EVERY and sorted(entry) != [False, True]:
                raise ValueError(f"site_grid[{name!r}] must be both states of the check box; got {list(entry)}")
            grid[name] = [False, True]
            continue
        if entry == EVERY or not list(entry):
            raise ValueError(f"site_grid[{name!r}] must list the values the site draws; got {entry!r}")
        values = list(entry)
        if kind == "slider":
            low, high, step = control.min, control.max, control.step
            if values[0] != low or values[-1] != high:
                raise ValueError(f"site_grid[{name!r}] must include both ends of the slider ({low} and {high}); got {values}")
            off = [v for v in values if not low <= v <= high or abs(round((v - low) / step) * step + low - v) > 1e-9]
            if off:
                raise ValueError(f"site_grid[{name!r}] values must be on the slider's steps ({low} to {high} by {step}); got {off}")
        if values != sorted(values) or len(set(values)) != len(values):
            raise ValueError(f"site_grid[{name!r}] must be increasing, without repeats; got {values}")
        if kind != "upload" and control.value not in values:
            raise ValueError(f"site_grid[{name!r}] must include the control's initial value {control.value!r}; got {values}")
        grid[name] = values
    extra = sorted(set(declared) - set(widget.controls))
    if extra:
        raise ValueError(f"site_grid names control(s) {extra} that this widget does not have; it has {sorted(widget.controls)}")
    return grid


def grid_points(grid: Mapping[str, Any]) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    """Every point of the grid: (index of each value, values by name); step controls are left out.

    Examples
    --------
    >>> [key for key, _ in grid_points({"a": [1, 2], "b": [False, True]})]
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    """
    from tcpmodel.widgets.base import Steps

    axes = [(name, values) for name, values in grid.items() if not isinstance(values, Steps)]
    points = []
    for index in itertools.product(*(range(len(values)) for _name, values in axes)):
        points.append((index, {name: values[i] for (name, values), i in zip(axes, index)}))
    return points


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def manifest_controls(widget: Any, grid: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The controls as the notebook shows them, with the grid's values, for ``widgets.js``."""
    from tcpmodel.widgets.base import Steps

    out = []
    for name, control in widget.controls.items():
        entry = grid[name]
        kind = _kind(control)
        label = (getattr(control, "description", "") or name).strip()
        if isinstance(entry, Steps):
            out.append({"name": name, "kind": "steps", "label": label, "buttons": entry.labels, "menu": entry.menu})
            continue
        spec: dict[str, Any] = {"name": name, "kind": kind, "label": label, "values": [_json_value(v) for v in entry]}
        if kind in ("select", "toggle"):
            labels = dict((_key(v), lab) for lab, v in _options(control))
            spec["labels"] = [labels[_key(v)] for v in entry]
        elif kind == "upload":
            spec["labels"] = ["nothing uploaded" if not v else _label(v) for v in entry]
        else:
            spec["labels"] = [_label(v) for v in entry]
        if kind == "slider":
            spec.update(min=_json_value(control.min), max=_json_value(control.max), step=_json_value(control.step))
        spec["initial"] = 0 if kind == "upload" else [_key(v) for v in entry].index(_key(control.value))
        out.append(spec)
    return out


def _key(value: Any) -> str:
    return json.dumps(_json_value(value))


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return value  # json keeps 60.0 as 60.0
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# -- Drawing -----------------------------------------------------------------------------------


def widget_from_source(source: str) -> Any:
    """Build the widget that a notebook cell's ``source`` shows (its last expression).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> widget_from_source("from tcpmodel.widgets.loss_picker import loss_picker\\n\\nloss_picker()").static_figure
    'ladder_lost_final_ack'
    """
    tree = ast.parse(source)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ValueError("a widget cell must end with the expression that builds the widget")
    namespace: dict[str, Any] = {}
    last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<widget cell>", "exec"), namespace)  # noqa: S102 - the course's own notebook cell
    return eval(compile(last, "<widget cell>", "eval"), namespace)  # noqa: S307


def encode_png(image: Any) -> tuple[bytes, int, int]:
    """A frame (a matplotlib Figure, or PNG bytes) as a palette PNG; (bytes, width, height).

    Deterministic: the same drawing always gives the same bytes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(figsize=(2, 1), dpi=100)
    >>> data, width, height = encode_png(fig)
    >>> data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", (width, height), encode_png(fig)[0] == data
    (True, (200, 100), True)
    >>> plt.close(fig)
    """
    from PIL import Image

    if isinstance(image, (bytes, bytearray)):
        rgb = Image.open(io.BytesIO(bytes(image))).convert("RGB")
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(image)
        canvas.draw()
        width, height = canvas.get_width_height()
        rgb = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    # Fast octree: a sixth of median cut's time, smaller files, and the same look on flat plot colours.
    small = rgb.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue(), rgb.width, rgb.height


def _figure_text(fig: Any) -> str:
    """What a figure says in words: its titles, and the short notes of axes with few of them."""
    parts = [t.get_text() for t in fig.texts]
    if getattr(fig, "_suptitle", None) is not None:
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        parts += [ax.get_title(loc) for loc in ("left", "center", "right")]
        notes = [t.get_text() for t in ax.texts]
        if len(notes) <= 4:
            parts += notes
    seen, words = set(), []
    for part in (" ".join(p.split()) for p in parts):
        if part and part not in seen:
            seen.add(part)
            words.append(part.rstrip("."))
    return ". ".join(words)


def render_point(widget: Any, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Draw the frames of one grid point in the course style: each ``{"png", "width", "height", "text", "html", "error"}``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from tcpmodel.widgets.loss_picker import loss_picker
    >>> [frame] = render_point(loss_picker(), {"lose": -1, "time_wait": True})
    >>> frame["text"].startswith("no segment lost, TIME_WAIT on"), frame["width"] > 0
    (True, True)
    """
    import matplotlib.pyplot as plt

    from tcpmodel.plots.style import course_style

    out = []
    with course_style():
        for frame in widget.site_frames(dict(values)):
            done: dict[str, Any] = {"png": None, "width": 0, "height": 0, "text": frame.get("text", ""),
                                    "html": frame.get("html", ""), "error": frame.get("error", ""),
                                    "label": frame.get("label", "")}
            if frame.get("figure") is not None:
                fig = frame["figure"]
                done["text"] = done["text"] or _figure_text(fig)
                done["png"], done["width"], done["height"] = encode_png(fig)
                plt.close(fig)
            elif frame.get("png"):
                done["png"], done["width"], done["height"] = encode_png(frame["png"])
            out.append(done)
    plt.close("all")
    return out


def frame_alt(title: str, controls: list[dict[str, Any]], index: Iterable[int], text: str, error: str = "") -> str:
    """Alt text of a frame, generated from its values and what it shows.

    Examples
    --------
    >>> frame_alt("Rate", [{"kind": "slider", "label": "TIME_WAIT s", "labels": ["1", "60"]},
    ...                    {"kind": "checkbox", "label": "loopback", "labels": ["off", "on"]}], (1, 0), "470.5 connections/s")
    'Rate — TIME_WAIT s 60, loopback off. Shows: 470.5 connections/s.'
    >>> frame_alt("Why?", [], (), "", error="x must be a number in [0, 10]; got -1")
    'Why? Shows the error: x must be a number in [0, 10]; got -1.'
    """
    axes = [c for c in controls if c["kind"] != "steps"]  # the grid's axes, in the order of ``index``
    settings = ", ".join(f"{c['label'].rstrip(':')} {c['labels'][i]}" for c, i in zip(axes, index) if c["kind"] != "upload")
    head = title.rstrip(".") + (f" — {settings}." if settings else "")
    what = f"Shows the error: {error}" if error else f"Shows: {text}" if text else ""
    return f"{head} {what.rstrip('.')}." if what else head


# -- Cache keys ----------------------------------------------------------------------------------


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != "tcpmodel":
        return None
    base = _PACKAGE.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    """Every tcpmodel module that ``path`` imports anywhere (also inside functions)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}  # a submodule imported by name
    return {n for n in found if n.split(".")[0] == "tcpmodel"}


def _closure(modules: Iterable[str]) -> list[Path]:
    todo, seen, files = list(modules), set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages run first
        path = _module_file(name)
        if path is None:
            continue
        files.add(path)
        todo += sorted(_imports(path, name))
    return sorted(files)


def _versions() -> str:
    names = ("matplotlib", "numpy", "Pillow", "ipywidgets")
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=none")
    return f"python={sys.version_info[:3]} " + " ".join(found)


def widget_key(source: str) -> str:
    """Hash of everything a widget cell's frames depend on (see the module docstring).

    Examples
    --------
    >>> a = widget_key("from tcpmodel.widgets.loss_picker import loss_picker\\nloss_picker()")
    >>> a == widget_key("from tcpmodel.widgets.loss_picker import loss_picker\\nloss_picker(msl=60)")
    False
    """
    digest = hashlib.sha256()
    modules = {"tcpmodel.widgets.site", "tcpmodel.widgets.base", "tcpmodel.plots.style"}
    modules |= _imports_of_source(source)
    texts = []
    for path in _closure(modules):
        texts.append(path.read_text(encoding="utf-8"))
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    # Package data that those modules name (a file, or a folder of them), such as the stored quiet-time maps.
    code = "\n".join(texts) + source
    data = _PACKAGE / "data"
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        named = [path.name, *(part for part in path.relative_to(data).parts[:-1])]
        if path.is_file() and any(name in code for name in named):
            digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"{FORMAT}\0{PALETTE_COLOURS}\0{_versions()}\0{source}".encode())
    return digest.hexdigest()


def _imports_of_source(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in found if n.split(".")[0] == "tcpmodel"}


def point_key(widget_hash: str, values: Mapping[str, Any]) -> str:
    """Cache key of one grid point of a widget."""
    text = json.dumps({k: _json_value(v) for k, v in values.items()}, sort_keys=True)
    return hashlib.sha256(f"{widget_hash}\0{text}".encode()).hexdigest()[:32]


# -- The build -------------------------------------------------------------------------------------

_WORKER_WIDGETS: dict[str, Any] = {}


def _worker_init() -> None:
    import matplotlib

    matplotlib.use("Agg")


def _render_task(task: tuple[str, list[tuple[str, dict[str, Any]]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    source, points = task
    if source not in _WORKER_WIDGETS:
        _WORKER_WIDGETS[source] = widget_from_source(source)
    widget = _WORKER_WIDGETS[source]
    return [(key, render_point(widget, values)) for key, values in points]


def _store(cache: Path, key: str, frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries = []
    for frame in frames:
        entry = {k: frame[k] for k in ("width", "height", "text", "html", "error", "label")}
        if frame["png"] is not None:
            blob = hashlib.sha256(frame["png"]).hexdigest()[:20]
            path = cache / "blobs" / f"{blob}.png"
            if not path.exists():
                path.write_bytes(frame["png"])
            entry["blob"] = blob
        entries.append(entry)
    (cache / "points" / f"{key}.json").write_text(json.dumps(entries), encoding="utf-8")
    return entries


def build_frames(specs: list[dict[str, Any]], cache: Path, *, processes: int = PROCESSES,
                 log: Any = None) -> dict[str, dict[str, Any]]:
    """Render (or take from ``cache``) every frame of every widget in ``specs``.

    Parameters
    ----------
    specs : list of dict
        Each ``{"id", "source", "binder"}``: an id for the site, the notebook
        cell's source that builds the widget, and where it runs live.
    cache : Path
        The frame cache (``points/`` and ``blobs/``), kept across builds.

    Returns
    -------
    dict
        id → ``{"manifest": ..., "blobs": set of blob ids, "drawn": frames drawn now, "frames": frames}``,
        or ``{"error": message}`` for a widget that could not be built.
    """
    import matplotlib

    matplotlib.use("Agg")
    (cache / "points").mkdir(parents=True, exist_ok=True)
    (cache / "blobs").mkdir(parents=True, exist_ok=True)
    say = log or (lambda _msg: None)
    plans, todo = {}, []
    for spec in specs:
        try:
            widget = widget_from_source(spec["source"])
            grid = check_grid(widget)
        except Exception as exc:  # noqa: BLE001 - reported; the page keeps its static figure
            plans[spec["id"]] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        whash = widget_key(spec["source"])
        points = [(index, values, point_key(whash, values)) for index, values in grid_points(grid)]
        missing = [(key, values) for _index, values, key in points if not (cache / "points" / f"{key}.json").exists()]
        plans[spec["id"]] = {"widget": widget, "grid": grid, "points": points, "spec": spec, "drawn": len(missing)}
        chunk = 1 if any(not isinstance(v, list) for v in grid.values()) else 12
        todo += [(spec["source"], missing[i:i + chunk]) for i in range(0, len(missing), chunk)]
    drawn = sum(len(points) for _source, points in todo)
    if drawn:
        say(f"site widgets: drawing {drawn} grid points ({processes} processes)")
    if drawn and processes > 1 and drawn > 8:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(processes, initializer=_worker_init) as pool:
            for results in pool.imap_unordered(_render_task, todo):
                for key, frames in results:
                    _store(cache, key, frames)
    else:
        for task in todo:
            for key, frames in _render_task(task):
                _store(cache, key, frames)
    out: dict[str, dict[str, Any]] = {}
    for spec_id, plan in plans.items():
        if "error" in plan:
            out[spec_id] = plan
            continue
        out[spec_id] = _manifest(plan, cache)
    return out


def _manifest(plan: dict[str, Any], cache: Path) -> dict[str, Any]:
    widget, grid, spec = plan["widget"], plan["grid"], plan["spec"]
    controls = manifest_controls(widget, grid)
    title = widget.title or spec["id"]
    menu = next((c["label"] for c in controls if c["kind"] == "steps" and c.get("menu")), "")
    frames, blobs, count = {}, set(), 0
    for index, _values, key in plan["points"]:
        entries = json.loads((cache / "points" / f"{key}.json").read_text(encoding="utf-8"))
        shown = []
        for entry in entries:
            text = f"{menu} {entry['label']}. {entry['text']}" if entry.get("label") and menu else entry["text"]
            item: dict[str, Any] = {"alt": frame_alt(title, controls, index, text, entry["error"])}
            if entry.get("blob"):
                item.update(f=entry["blob"], w=entry["width"], h=entry["height"])
                blobs.add(entry["blob"])
            if entry["error"]:
                item["error"] = entry["error"]
            if entry["html"]:
                item["html"] = entry["html"]
            if entry.get("label"):
                item["label"] = entry["label"]
            shown.append(item)
            count += 1
        frames[".".join(map(str, index))] = shown
    _start_on_a_drawing(controls, frames)
    manifest = {"id": spec["id"], "title": title, "controls": controls, "frames": frames,
                "binder": spec.get("binder", ""), "points": len(plan["points"]), "count": count}
    return {"manifest": manifest, "blobs": blobs, "drawn": plan["drawn"], "frames": count}


def _start_on_a_drawing(controls: list[dict[str, Any]], frames: dict[str, list[dict[str, Any]]]) -> None:
    """Start the site's widget at the grid point nearest the notebook's initial values that draws something.

    A widget whose initial values show only a message (a capture widget that
    waits for the reader's file) starts, on the site, at the nearest point
    with a drawing: the fewest controls changed, earliest values first.

    Examples
    --------
    >>> controls = [{"kind": "select", "initial": 0}, {"kind": "checkbox", "initial": 1}]
    >>> frames = {"0.0": [{"error": "no"}], "0.1": [{"error": "no"}], "1.0": [{"f": "a"}], "1.1": [{"f": "b"}]}
    >>> _start_on_a_drawing(controls, frames)
    >>> [c["initial"] for c in controls]
    [1, 1]
    """
    axes = [c for c in controls if c["kind"] != "steps"]
    initial = tuple(c["initial"] for c in axes)
    if "f" in frames[".".join(map(str, initial))][0]:
        return
    keys = [tuple(map(int, k.split("."))) if k else () for k in frames]
    drawn = [k for k in keys if "f" in frames[".".join(map(str, k))][0]]
    if not drawn:
        return
    best = min(drawn, key=lambda k: (sum(a != b for a, b in zip(k, initial)), k))
    for control, i in zip(axes, best):
        control["initial"] = i


def grid_size(grid: Mapping[str, Any]) -> int:
    """Number of grid points (steps not counted)."""
    from tcpmodel.widgets.base import Steps

    return math.prod(len(v) for v in grid.values() if not isinstance(v, Steps))
