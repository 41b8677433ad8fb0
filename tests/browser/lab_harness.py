"""Drive the course's widgets in JupyterLab in headless Chromium, as a student does.

Used by ``tests/browser/test_jupyterlab_widgets.py`` (the end-to-end test in
``make test``) and by ``benchmarks/bench_browser.py`` (``make bench``'s
``browser:widget_roundtrip``). It knows no particular widget: it finds the
notebooks that have one, and inside the browser every control of every
``CourseWidget`` (``tcpmodel/widgets/base.py``), by the CSS classes that the
base class sets: ``tcpmodel-widget``, ``tcpmodel-controls``, ``tcpmodel-error``
and ``tcpmodel-output``.

Theory of operation
-------------------
* :class:`JupyterLab` copies ``notebooks/`` and ``figures/`` into a temporary
  folder (the stored notebooks are never opened, so their outputs are never
  touched), and starts ``jupyter lab`` from this interpreter's environment on a
  free localhost port with a random token, no browser, and its own runtime,
  config, settings and workspace folders. It exposes the JupyterLab
  application object in the page (``--LabApp.expose_app_in_browser``) so that
  the harness can run all cells and listen to the kernel's messages without
  clicking through menus. Leaving the ``with`` block shuts the kernels and the
  server down; the server runs in its own process group, which is killed if it
  does not stop in time.
* :func:`start_chromium` starts Debian's Chromium headless through Selenium
  with the system ``chromedriver`` (Selenium Manager is never asked to
  download anything).
* :class:`NotebookSession` opens one notebook in its own JupyterLab workspace,
  runs all cells, checks that every widget view rendered, and then moves each
  control with real mouse and keyboard input: to a middle value, then to both
  ends of its range, then back to where it started (so that the next control
  starts from valid values). A drag is a few pointer moves, as a hand makes
  them. For each move it waits until the kernel is idle again and measures,
  inside the page, the time from the last input event to the last redraw of
  the widget's output (new nodes, their images loaded) or to the message in
  its error label. It checks that the old output was replaced (not piled up,
  not left beside an error message), and that no traceback appeared anywhere:
  error outputs, stderr tracebacks, ``error`` messages from the kernel (a
  widget callback's traceback that no Output captured reaches only the
  kernel's message stream), and the base class's "Unexpected error" label.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "_build" / "screenshots" / "jupyterlab"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
INSTALL_HINT = (
    "Chromium is not installed. On Debian/Ubuntu: `sudo apt-get install chromium chromium-driver` "
    "(CI's .ci/run does this); or set COURSE_CHROMIUM and COURSE_CHROMEDRIVER to their paths."
)

#: Seconds a control move may take until its output is redrawn (issue 9).
REDRAW_LIMIT_S = 1.0
#: Longest wait for a widget to settle after a move (slower than the limit is
#: still measured, so that a failure says how slow).
SETTLE_CAP_S = 15.0
#: A slider track shorter than this cannot be dragged with any precision.
MIN_TRACK_PX = 40
#: A mouse drag is this many pointer moves, DRAG_PAUSE_S apart, as a hand makes them.
DRAG_STEPS = 5
DRAG_PAUSE_S = 0.03


# --------------------------------------------------------------------------- discovery


def find_chromium() -> tuple[str, str] | None:
    """Paths of (chromium, chromedriver), or None when either is missing.

    ``$COURSE_CHROMIUM`` and ``$COURSE_CHROMEDRIVER`` override the search, as
    in ``tests/browser/conftest.py``.
    """
    browser = os.environ.get("COURSE_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None
    )
    driver = os.environ.get("COURSE_CHROMEDRIVER") or shutil.which("chromedriver")
    if browser and driver and Path(browser).exists() and Path(driver).exists():
        return browser, driver
    return None


def _unstable_widget_cells() -> set[tuple[str, str]]:
    """(notebook stem, cell id) of the cells whose UNSTABLE_CELLS reason starts with "widget"."""
    import importlib.util

    path = ROOT / "tests" / "test_notebook_structure.py"
    spec = importlib.util.spec_from_file_location("_course_structure_rules", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - stored outputs are then the only evidence
        return set()
    return {key for key, reason in getattr(module, "UNSTABLE_CELLS", {}).items() if str(reason).lower().startswith("widget")}


_unstable_cache: set[tuple[str, str]] | None = None


def _listed_widget_cells() -> set[tuple[str, str]]:
    global _unstable_cache
    if _unstable_cache is None:
        _unstable_cache = _unstable_widget_cells()
    return _unstable_cache


def widget_cells(path: Path) -> list[str]:
    """Ids of the code cells of a notebook that show a widget.

    A cell shows a widget when its stored outputs hold a widget view, or when
    it is on the structure test's allow-list (``UNSTABLE_CELLS``) with a reason
    that starts with "widget".

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("w", id="demo")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", {WIDGET_MIME: {"model_id": "x"}})]
    >>> nb.cells = [nbformat.v4.new_code_cell("1", id="setup"), cell]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "99_x.ipynb"
    >>> nbformat.write(nb, path)
    >>> widget_cells(path)
    ['demo']
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    listed = {cell_id for stem, cell_id in _listed_widget_cells() if stem == path.stem}
    found = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        cell_id = cell.get("id") or f"cell-{i}"
        has_view = any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))
        if has_view or cell_id in listed:
            found.append(cell_id)
    return found


def newest_mtime(inputs: Iterable[str]) -> float:
    """The newest modification time among ``inputs`` (paths under the repository; folders searched whole).

    The site and slide fixtures rebuild their output when it is older than this.
    """
    times = []
    for name in inputs:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        times += [p.stat().st_mtime for p in files]
    return max(times)


def widget_notebooks(folder: Path | None = None) -> list[Path]:
    """Every notebook in ``folder`` (default: the course's, or ``$TCPMODEL_WIDGET_NOTEBOOKS``) that has a widget."""
    folder = Path(folder or os.environ.get("TCPMODEL_WIDGET_NOTEBOOKS") or NOTEBOOKS)
    return [p for p in sorted(folder.glob("*.ipynb")) if widget_cells(p)]


# --------------------------------------------------------------------------- JupyterLab server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: User settings for the test's JupyterLab: no news or update checks (no
#: network, no toasts over the widgets), every cell in the DOM (windowing off,
#: so widgets below the fold render and screenshots show the whole notebook),
#: and no autosave.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


class JupyterLab:
    """A JupyterLab server over temporary copies of the course's notebooks.

    Use it as a context manager; on exit every kernel and the server are shut down.
    """

    def __init__(self, notebooks: Iterable[Path], *, python: str = sys.executable, startup_timeout: float = 90.0) -> None:
        self.notebooks = [Path(p) for p in notebooks]
        self.python = python
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(24)
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.tmp: Path | None = None
        self.root: Path | None = None
        self.log_path: Path | None = None

    # URLs ----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, notebook: Path, workspace: str) -> str:
        """URL that opens ``notebook`` (a copied path) alone, in a fresh workspace."""
        rel = notebook.relative_to(self.root).as_posix()
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{rel}?token={self.token}"

    def copy_of(self, notebook: Path) -> Path:
        """The temporary copy that JupyterLab serves for a stored notebook."""
        return self.root / "notebooks" / Path(notebook).name

    # lifecycle -----------------------------------------------------------
    def __enter__(self) -> JupyterLab:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="tcpmodel-lab-"))
        self.root = self.tmp / "root"
        (self.root / "notebooks").mkdir(parents=True)
        for nb in self.notebooks:
            shutil.copy2(nb, self.root / "notebooks" / nb.name)
        if (ROOT / "figures").is_dir():  # notebooks show ../figures/<name>.svg before each widget
            shutil.copytree(ROOT / "figures", self.root / "figures")
        settings = self.tmp / "settings"
        for rel, values in LAB_SETTINGS.items():
            target = settings / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values), encoding="utf-8")
        env = dict(os.environ)
        env.update(
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
            IPYTHONDIR=str(self.tmp / "ipython"),
            MPLBACKEND="module://matplotlib_inline.backend_inline",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        env.pop("BROWSER", None)
        self.log_path = self.tmp / "jupyterlab.log"
        for attempt in range(3):  # the free port can be taken between probe and bind
            self.port = free_port()
            cmd = [
                self.python, "-m", "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root}",
                "--ServerApp.terminals_enabled=False",
                "--LabApp.expose_app_in_browser=True",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.news_url=",
                # Should this process ever be orphaned (the test runner killed
                # outright), idle kernels are culled and the server stops itself.
                "--MappingKernelManager.cull_idle_timeout=600",
                "--MappingKernelManager.cull_interval=60",
                "--ServerApp.shutdown_no_activity_timeout=900",
            ]  # fmt: skip
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                cmd.append("--allow-root")  # CI runs as root
            log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
            self._log = log
            self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            if self._wait_ready():
                atexit.register(self.stop)  # also on an unexpected interpreter exit
                return
            self.stop(keep_tmp=True)
        raise RuntimeError(f"JupyterLab did not start; last log lines:\n{self.log_tail()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.base_url}/api/status?token={self.token}", timeout=2) as reply:
                    if reply.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        return False

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except (OSError, AttributeError):
            return "(no log)"

    def api(self, method: str, path: str, *, timeout: float = 10.0) -> Any:
        request = urllib.request.Request(f"{self.base_url}{path}", method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut every running kernel down (and its session)."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}")
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except (urllib.error.URLError, OSError, ValueError):
            pass

    def running_kernels(self) -> int:
        return len(self.api("GET", "/api/kernels"))

    def stop(self, *, keep_tmp: bool = False) -> None:
        """Shut kernels and server down; kill the process group if it lingers."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            if self.port:
                self.shutdown_kernels()
            try:
                self.api("POST", "/api/shutdown", timeout=5)
            except (urllib.error.URLError, OSError, ValueError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if proc is not None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    # The server's own group. Kernels run in sessions of their own;
                    # they were shut down above, and an orphan exits with its parent.
                    os.killpg(proc.pid, sig)
                except (ProcessLookupError, PermissionError):
                    break
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    continue
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)  # anything else left in the group
                break
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        if not keep_tmp and self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


# --------------------------------------------------------------------------- Chromium


def start_chromium(paths: tuple[str, str] | None = None, *, width: int = 1280, height: int = 900):
    """A Selenium WebDriver for headless Chromium, with the browser console log kept."""
    os.environ.setdefault("SE_OFFLINE", "true")  # as conftest.py: Selenium Manager never downloads
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = paths or find_chromium()
    if paths is None:
        raise RuntimeError(INSTALL_HINT)
    browser, driver_path = paths
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_script_timeout(180)
    driver.set_page_load_timeout(60)
    return driver


@contextlib.contextmanager
def chromium(paths: tuple[str, str] | None = None) -> Iterator[Any]:
    driver = start_chromium(paths)
    try:
        yield driver
    finally:
        quit_driver(driver)


def quit_driver(driver: Any) -> None:
    try:
        driver.quit()
    except Exception:  # noqa: BLE001 - the driver may already be gone
        service = getattr(driver, "service", None)
        if service is not None:
            service.stop()


# --------------------------------------------------------------------------- in-page JavaScript

# Runs an async function body in the page; Selenium's async callback gets
# {ok: value} or {error: message}.
_ASYNC_WRAPPER = """
const __done = arguments[arguments.length - 1];
const __args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);
(async (...args) => { %s })(...__args).then(v => __done({ok: v === undefined ? null : v}),
                                            e => __done({error: String(e && e.stack || e)}));
"""

JS_HELPERS = r"""
window.__tcp = window.__tcp || {};
const T = window.__tcp;
T.sleep = ms => new Promise(r => setTimeout(r, ms));
T.panel = () => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return w && w.sessionContext && w.content && w.content.widgets ? w : null;
};
T.text = el => (el ? (el.innerText || el.textContent || '') : '');
T.widgetRoots = () => Array.from(document.querySelectorAll('.jp-Notebook .tcpmodel-widget'))
  .filter(el => !el.parentElement.closest('.tcpmodel-widget'));
// Top-level widget views in cell outputs (not those inside another widget).
T.widgetViews = () => Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output > .jupyter-widgets'))
  .filter(v => !v.parentElement.closest('.jupyter-widgets'));
T.outputItems = root => Array.from(root.querySelectorAll(':scope > .tcpmodel-output .jp-OutputArea-child, :scope .tcpmodel-output .jp-OutputArea-child'))
  .filter(el => el.closest('.tcpmodel-widget') === root);
T.output = root => Array.from(root.querySelectorAll('.tcpmodel-output')).find(el => el.closest('.tcpmodel-widget') === root);
T.errorLabel = root => Array.from(root.querySelectorAll('.tcpmodel-error')).find(el => el.closest('.tcpmodel-widget') === root);
T.problems = () => {
  // Tracebacks and broken widget views visible anywhere in the notebook.
  const found = [];
  document.querySelectorAll('.jp-Notebook .jp-Cell').forEach((cell, i) => {
    const tags = (cell.__tcpTags || []);
    const raises = tags.includes('raises-exception');
    cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]').forEach(el => {
      if (!raises) found.push(`cell ${i}: error output: ${T.text(el).slice(0, 600)}`);
    });
    cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]').forEach(el => {
      const t = T.text(el);
      if (/Traceback|Error:/.test(t)) found.push(`cell ${i}: stderr: ${t.slice(0, 600)}`);
    });
    const txt = T.text(cell.querySelector('.jp-Cell-outputWrapper'));
    for (const bad of ['Error displaying widget', 'model not found', 'Failed to load model class', 'Error rendering output']) {
      if (txt.includes(bad)) found.push(`cell ${i}: "${bad}": ${txt.slice(0, 300)}`);
    }
  });
  document.querySelectorAll('.jp-Notebook .tcpmodel-error').forEach(el => {
    const t = T.text(el);
    if (t.includes('Unexpected error')) found.push(`widget error label reports a bug: ${t}`);
  });
  for (const m of (T.kernelErrors || [])) found.push(m);
  return found;
};
"""

JS_OPEN = r"""
const [path, timeoutMs] = args;
const t0 = performance.now();
while (!window.jupyterapp) { if (performance.now() - t0 > timeoutMs) throw new Error('JupyterLab app did not appear'); await T.sleep(50); }
const app = window.jupyterapp;
await app.started; await app.restored;
let panel = null;
while (!(panel = T.panel()) || !panel.context.path.endsWith(path)) {
  if (performance.now() - t0 > timeoutMs) throw new Error('notebook ' + path + ' did not open');
  await T.sleep(50);
}
await panel.context.ready;
await panel.sessionContext.ready;
let kernel = null;
while (!(kernel = panel.sessionContext.session && panel.sessionContext.session.kernel)) {
  if (performance.now() - t0 > timeoutMs) throw new Error('no kernel started for ' + path);
  await T.sleep(50);
}
await kernel.info;
// Listen to every message the kernel sends: a traceback from a widget callback
// that no Output captured never reaches the notebook's DOM.
T.kernelErrors = [];
T.iopubCount = 0;
panel.sessionContext.iopubMessage.connect((_, msg) => {
  T.iopubCount += 1;
  const type = msg.header.msg_type, c = msg.content || {};
  if (type === 'error') T.kernelErrors.push(`kernel error message: ${c.ename}: ${c.evalue}`);
  if (type === 'stream' && c.name === 'stderr' && /Traceback/.test(c.text)) T.kernelErrors.push(`kernel stderr traceback: ${c.text.slice(0, 600)}`);
});
return {ms: performance.now() - t0, kernel: kernel.name};
"""

JS_RUN_ALL = r"""
const [timeoutMs] = args;
const panel = T.panel();
const app = window.jupyterapp;
const t0 = performance.now();
// Cell tags, so that cells tagged raises-exception may show an error.
panel.content.widgets.forEach(cell => { cell.node.__tcpTags = (cell.model.getMetadata && cell.model.getMetadata('tags')) || []; });
const ran = await Promise.race([
  app.commands.execute('notebook:run-all-cells'),
  T.sleep(timeoutMs).then(() => { throw new Error(`run all cells did not finish in ${timeoutMs} ms`); }),
]);
// Wait until the kernel is idle and no prompt shows [*].
while (true) {
  const busy = panel.sessionContext.session.kernel.status !== 'idle'
    || Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt')).some(p => p.textContent.includes('*'));
  if (!busy) break;
  if (performance.now() - t0 > timeoutMs) throw new Error('kernel still busy after run all');
  await T.sleep(50);
}
const counts = panel.content.widgets.filter(c => c.model.type === 'code').map(c => c.model.executionCount);
return {ms: performance.now() - t0, ran, counts};
"""

JS_WAIT_VIEWS = r"""
const [expectedCells, timeoutMs] = args;
const panel = T.panel();
const t0 = performance.now();
let state = null;
while (true) {
  const cells = panel.content.widgets;
  state = {missing: [], roots: 0, views: 0, problems: T.problems()};
  for (const id of expectedCells) {
    const cell = cells.find(c => c.model.id === id);
    if (!cell) { state.missing.push(`${id}: no such cell`); continue; }
    const roots = cell.node.querySelectorAll('.tcpmodel-widget');
    const rendered = Array.from(roots).every(r => T.outputItems(r).length > 0 || T.text(T.errorLabel(r)).trim());
    if (!roots.length || !rendered) state.missing.push(`${id}: ${roots.length} tcpmodel-widget view(s), output ${rendered ? '' : 'not yet '}drawn`);
  }
  state.roots = T.widgetRoots().length;
  state.views = T.widgetViews().length;
  if ((!state.missing.length && state.roots) || state.problems.length || performance.now() - t0 > timeoutMs) break;
  await T.sleep(50);
}
// Every widget view in the notebook must be a CourseWidget (CONTRIBUTING: Widgets).
state.foreign = T.widgetViews().filter(v => !v.classList.contains('tcpmodel-widget')).map(v => `${Array.from(v.classList).join(' ')}: ${T.text(v).slice(0, 200)}`);
state.ms = performance.now() - t0;
return state;
"""

#: The shipped capture the harness uploads into a FileUpload control.
UPLOAD_SAMPLE = "port_exhaustion.pcap"  # several connections, so the connection menu has choices

# Give a FileUpload's hidden file input one file and fire its change event.
JS_UPLOAD = r"""
const [button, name, b64] = args;
const proto = HTMLInputElement.prototype, click = proto.click;
let input = null;
proto.click = function () { if (this.type === 'file') { input = this; } else { click.call(this); } };
try { button.click(); } finally { proto.click = click; }
if (!input) { throw new Error('the upload button did not reach a file input'); }
const bytes = Uint8Array.from(atob(b64), ch => ch.charCodeAt(0));
const data = new DataTransfer();
data.items.add(new File([bytes], name, {type: 'application/vnd.tcpdump.pcap'}));
input.files = data.files;
input.dispatchEvent(new Event('change'));
return true;
"""

# Describe the controls of widget number `index`. Elements come back as
# WebElements; geometry is in CSS pixels of the viewport.
JS_CONTROLS = r"""
const [index] = args;
const root = T.widgetRoots()[index];
root.scrollIntoView({block: 'center'});
await T.sleep(50);
const box = Array.from(root.querySelectorAll('.tcpmodel-controls')).find(el => el.closest('.tcpmodel-widget') === root);
const controls = [];
const leaves = [];
const walk = el => {
  for (const child of el.children) {
    if (child.classList.contains('widget-box') || child.classList.contains('widget-hbox') || child.classList.contains('widget-vbox')) walk(child);
    else leaves.push(child);
  }
};
walk(box);
for (const el of leaves) {
  const cls = el.classList;
  const clean = t => (t || '').replace(/[\u200b\s]+/g, ' ').trim();
  const label = clean(T.text(el.querySelector('.widget-label'))) || clean(T.text(el)).slice(0, 40) || clean(el.getAttribute('title'));
  const disabled = !!el.querySelector(':disabled, [disabled]') || cls.contains('mod-disabled') || el.disabled;
  let c = {label, disabled, element: el};
  if (el.querySelector('.noUi-handle')) {
    c.kind = 'slider';
    c.vertical = !!el.querySelector('.noUi-vertical') || cls.contains('widget-vslider');
    c.handles = Array.from(el.querySelectorAll('.noUi-handle'));
    c.base = el.querySelector('.noUi-base');
    c.track_px = c.base ? (c.vertical ? c.base.getBoundingClientRect().height : c.base.getBoundingClientRect().width) : 0;
    const readout = el.querySelector('.widget-readout');
    if (readout && readout.isContentEditable) { c.readout = readout; c.readout_text = T.text(readout).trim(); }
  } else if (el.querySelector('select')) {
    const sel = el.querySelector('select');
    c.kind = sel.multiple ? 'select-multiple' : 'select';
    c.select = sel;
    c.n = sel.options.length;
  } else if (cls.contains('widget-upload')) {
    c.kind = 'upload'; c.button = el;
  } else if (cls.contains('widget-toggle-buttons')) {
    c.kind = 'toggle-buttons';
    c.buttons = Array.from(el.querySelectorAll('button'));
  } else if (cls.contains('widget-toggle-button')) {
    c.kind = 'toggle'; c.button = el;
  } else if (el.querySelector('input[type=checkbox]')) {
    c.kind = 'checkbox'; c.input = el.querySelector('input[type=checkbox]');
  } else if (el.querySelector('input[type=radio]')) {
    c.kind = 'radio'; c.buttons = Array.from(el.querySelectorAll('input[type=radio]'));
  } else if (el.querySelector('input[type=number], input[type=text], textarea')) {
    const input = el.querySelector('input[type=number], input[type=text], textarea');
    c.kind = input.type === 'number' ? 'number' : 'text';
    c.input = input;
    c.min = input.getAttribute('min'); c.max = input.getAttribute('max'); c.step = input.getAttribute('step');
  } else if (cls.contains('widget-label') || cls.contains('widget-html') || cls.contains('widget-htmlmath')) {
    continue;  // text, not a control
  } else {
    c.kind = 'unknown';
    c.classes = Array.from(cls).join(' ');
  }
  controls.push(c);
}
return {count: controls.length, controls};
"""

JS_ARM = r"""
// Before a move: mark the output's current nodes, remember the error label,
// and start recording input events, fresh output nodes (each redraw inserts
// new ones), image loads and changes of the error label.
const [index] = args;
const root = T.widgetRoots()[index];
const output = T.output(root), label = T.errorLabel(root);
T.outputItems(root).forEach(el => { el.dataset.tcpOld = '1'; });
const arm = {input: [], firstAt: null, lastAt: null, labelAt: null, images: [],
             labelBefore: label ? label.innerHTML : '', oldCount: T.outputItems(root).length};
const types = ['pointerdown', 'pointermove', 'pointerup', 'mousedown', 'mouseup', 'keydown', 'keyup', 'click', 'input', 'change'];
const onInput = ev => { arm.input.push([ev.type, performance.now()]); };
types.forEach(t => window.addEventListener(t, onInput, true));
arm.stopInput = () => types.forEach(t => window.removeEventListener(t, onInput, true));
const check = () => {
  const now = performance.now();
  for (const item of T.outputItems(root)) {
    if (item.dataset.tcpOld || item.__tcpSeen) continue;
    item.__tcpSeen = true;
    if (arm.firstAt === null) arm.firstAt = now;
    arm.lastAt = now;
    // A figure is seen once its image has loaded, not when its <img> is inserted.
    item.querySelectorAll('img').forEach(img => {
      const entry = {at: img.complete ? now : null};
      arm.images.push(entry);
      if (entry.at === null) {
        const done = () => { entry.at = performance.now(); };
        img.addEventListener('load', done, {once: true});
        img.addEventListener('error', done, {once: true});
      }
    });
  }
  if (label && label.innerHTML !== arm.labelBefore) { arm.labelAt = now; arm.labelBefore = label.innerHTML; }
};
arm.observer = new MutationObserver(check);
arm.observer.observe(output, {childList: true, subtree: true, characterData: true, attributes: true});
if (label) arm.observer.observe(label, {childList: true, subtree: true, characterData: true});
T.arm = arm;
return arm.oldCount;
"""

JS_SETTLE = r"""
// After a move: wait until the widget has settled: something was redrawn (a
// fresh node in the output area, or a message in the error label) or nothing
// came for timeoutMs after the last input, and the kernel has been idle for a
// while (so a queue of redraws from a drag has drained). The round trip is
// from the last input event to the last redraw (its images loaded).
const [index, timeoutMs, expectRedraw, capMs] = args;
const arm = T.arm;
const root = T.widgetRoots()[index];
const label = T.errorLabel(root);
const kernel = T.panel().sessionContext.session.kernel;
const start = performance.now();
const lastInput = () => arm.input.length ? arm.input[arm.input.length - 1][1] : start;
const errorShown = () => arm.labelAt !== null && T.text(label).trim() !== '';
const seen = () => arm.lastAt !== null || errorShown();
const imagesIn = () => arm.images.every(e => e.at !== null);
let idleFor = 0;
while (performance.now() - start < capMs) {
  await T.sleep(20);
  idleFor = kernel.status === 'idle' ? idleFor + 1 : 0;
  const waited = performance.now() - lastInput();
  if (idleFor >= 4 && imagesIn() && (seen() || waited > (expectRedraw ? timeoutMs : 250))) break;
}
arm.stopInput(); arm.observer.disconnect();
let at = null;
if (arm.lastAt !== null) at = Math.max(arm.lastAt, ...arm.images.map(e => e.at || arm.lastAt));
else if (errorShown()) at = arm.labelAt;
const items = T.outputItems(root);
const before = arm.input.filter(([, t]) => at === null || t <= at);
const t0 = before.length ? before[before.length - 1][1] : null;
return {
  redrawn: at !== null,
  roundtrip_ms: at !== null && t0 !== null ? at - t0 : null,
  redraws: items.filter(el => el.__tcpSeen).length,
  events: arm.input.map(([t]) => t).filter((t, i, a) => a.indexOf(t) === i),
  old_left: items.filter(el => el.dataset.tcpOld).length,
  new_items: items.filter(el => !el.dataset.tcpOld).length,
  old_count: arm.oldCount,
  error_label: T.text(label).trim(),
  problems: T.problems(),
};
"""

JS_SLIDER_STATE = r"""
const [handle] = args;
const num = v => v === null ? null : parseFloat(v);
return {now: num(handle.getAttribute('aria-valuenow')), min: num(handle.getAttribute('aria-valuemin')), max: num(handle.getAttribute('aria-valuemax')),
        text: handle.getAttribute('aria-valuetext')};
"""

JS_SCROLLER = r"""
// Height of the notebook's content, and where it starts in the viewport.
const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');
cells[0].scrollIntoView({block: 'start'});
await T.sleep(50);
const first = cells[0].getBoundingClientRect(), last = cells[cells.length - 1].getBoundingClientRect();
return {height: last.bottom - first.top, top: first.top};
"""


# --------------------------------------------------------------------------- driving one notebook


@dataclass
class Move:
    """One control move and what the page saw."""

    widget: int
    control: str
    kind: str
    target: str
    changed: bool
    reached: bool
    redrawn: bool
    roundtrip_s: float | None
    old_left: int
    new_items: int
    error_label: str
    problems: list[str] = field(default_factory=list)
    value: Any = None

    @property
    def piled_up(self) -> bool:
        """The new output arrived but the old one is still there."""
        return self.new_items > 0 and self.old_left > 0

    @property
    def stale_beside_error(self) -> bool:
        """An error message shows, but beside the output of the previous values."""
        return bool(self.error_label) and self.new_items == 0 and self.old_left > 0

    def describe(self) -> str:
        rt = "—" if self.roundtrip_s is None else f"{self.roundtrip_s * 1000:.0f} ms"
        return f"widget {self.widget + 1} · {self.kind} {self.control!r} → {self.target} (now {self.value!r}): redrawn in {rt}"


@dataclass
class Step:
    """One planned move: read the control's state, act on it, and what the state should then be."""

    target: str
    state: Any
    act: Any
    expected: Any = None
    #: A menu may act on a choice and then reset itself (the state stepper's
    #: "Next:" menu does): then a redraw is proof enough that the choice arrived.
    menu: bool = False


class NotebookSession:
    """One notebook opened in JupyterLab in the given WebDriver."""

    def __init__(self, driver: Any, lab: JupyterLab, notebook: Path) -> None:
        self.driver = driver
        self.lab = lab
        self.notebook = Path(notebook)
        self.copy = lab.copy_of(self.notebook)
        self.moves: list[Move] = []
        self.console: list[dict] = []

    # plumbing ------------------------------------------------------------
    def js(self, body: str, *args: Any) -> Any:
        """Run an async JavaScript function body in the page; raise on a JS error."""
        reply = self.driver.execute_async_script(_ASYNC_WRAPPER % (JS_HELPERS + body), *args)
        if reply is None:
            raise RuntimeError("page script returned nothing (navigated away?)")
        if "error" in reply:
            raise RuntimeError(f"page script failed: {reply['error']}")
        return reply["ok"]

    def console_errors(self) -> list[str]:
        """New SEVERE browser-console entries since the last call."""
        entries = self.driver.get_log("browser")
        self.console.extend(entries)
        return [e["message"] for e in entries if e.get("level") == "SEVERE"]

    # steps ---------------------------------------------------------------
    def open(self, timeout_s: float = 90.0) -> dict:
        workspace = "tcpmodel-" + re.sub(r"[^a-z0-9]+", "-", self.notebook.stem.lower()) + "-" + secrets.token_hex(3)
        self.driver.get(self.lab.notebook_url(self.copy, workspace))
        return self.js(JS_OPEN, self.copy.name, int(timeout_s * 1000))

    def run_all(self, timeout_s: float = 240.0) -> dict:
        return self.js(JS_RUN_ALL, int(timeout_s * 1000))

    def wait_for_views(self, cells: list[str], timeout_s: float = 30.0) -> dict:
        return self.js(JS_WAIT_VIEWS, cells, int(timeout_s * 1000))

    def widget_count(self) -> int:
        return self.js("return T.widgetRoots().length;")

    def problems(self) -> list[str]:
        return self.js("return T.problems();")

    def controls(self, index: int) -> list[dict]:
        return self.js(JS_CONTROLS, index)["controls"]

    def exercise_all(self, *, limit_s: float = REDRAW_LIMIT_S) -> list[Move]:
        """Move every control of every widget to a middle value, then to both ends."""
        for index in range(self.widget_count()):
            for control in self.controls(index):
                if control["disabled"]:
                    continue
                self.exercise(index, control, limit_s=limit_s)
        return self.moves

    def exercise(self, index: int, control: dict, *, limit_s: float = REDRAW_LIMIT_S) -> list[Move]:
        """Make each move of one control's plan; record what the page saw."""
        kind = control["kind"]
        plan = getattr(self, f"_plan_{kind.replace('-', '_')}", None)
        if plan is None:
            raise AssertionError(
                f"{self.notebook.name}: widget {index + 1} has a control the harness cannot move yet "
                f"({kind}: {control.get('classes', '')!r}, label {control['label']!r}); teach tests/browser/lab_harness.py about it"
            )
        done = []
        for step in plan(control):
            was = step.state()
            wanted = None if step.expected is None else step.expected()
            self.js(JS_ARM, index)
            step.act()
            now = step.state()
            changed = was != now if wanted is None or not step.menu else was != wanted
            seen = self.js(JS_SETTLE, index, int(limit_s * 1000), changed, int(SETTLE_CAP_S * 1000))
            now = step.state()
            rt = seen["roundtrip_ms"]
            move = Move(
                widget=index,
                control=control["label"] or kind,
                kind=kind,
                target=step.target,
                changed=changed,
                reached=wanted is None or now == wanted or (step.menu and seen["redrawn"]),
                redrawn=seen["redrawn"],
                roundtrip_s=None if rt is None else rt / 1000.0,
                old_left=seen["old_left"],
                new_items=seen["new_items"],
                error_label=seen["error_label"],
                problems=seen["problems"],
                value=now,
            )
            self.moves.append(move)
            done.append(move)
        return done

    # plans: one Step per move ------------------------------------------------
    def _actions(self):
        from selenium.webdriver.common.action_chains import ActionChains

        return ActionChains(self.driver, duration=0)  # one pointer move, not an interpolated glide

    def _drag(self, handle: Any, dx: float, dy: float) -> None:
        """Press on ``handle``, move by (dx, dy) in DRAG_STEPS moves, release."""
        chain = self._actions().move_to_element(handle).click_and_hold()
        done_x = done_y = 0
        for k in range(1, DRAG_STEPS + 1):
            x, y = round(dx * k / DRAG_STEPS), round(dy * k / DRAG_STEPS)
            chain.move_by_offset(x - done_x, y - done_y).pause(DRAG_PAUSE_S)
            done_x, done_y = x, y
        chain.release().perform()

    def _center(self, element: Any) -> None:
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)

    def _drag_to(self, handle: Any, base: Any, vertical: bool, fraction: float) -> None:
        """Drag a slider handle to ``fraction`` of its track (past the end for 0 and 1)."""
        self._center(base)
        geo = self.driver.execute_script(
            "const b = arguments[0].getBoundingClientRect(), h = arguments[1].getBoundingClientRect();"
            "return {bl: b.left, bt: b.top, bw: b.width, bh: b.height, hx: h.left + h.width / 2, hy: h.top + h.height / 2};",
            base, handle,
        )  # fmt: skip
        overshoot = 0 if 0 < fraction < 1 else (-15 if fraction == 0 else 15)
        if vertical:  # a vertical slider has its minimum at the bottom
            dx, dy = 0, geo["bt"] + geo["bh"] * (1 - fraction) - overshoot - geo["hy"]
        else:
            dx, dy = geo["bl"] + geo["bw"] * fraction + overshoot - geo["hx"], 0
        self._drag(handle, dx, dy)

    def _plan_slider(self, control: dict) -> list[Step]:
        """Drag each handle with the mouse to the middle of the track, then past both ends; then type the start value back."""
        from selenium.webdriver.common.keys import Keys

        base, vertical, handles, readout = control["base"], control["vertical"], control["handles"], control.get("readout")
        steps = []
        for h, handle in enumerate(handles):
            suffix = f" (handle {h + 1})" if len(handles) > 1 else ""

            def read(handle=handle) -> dict:
                return self.js(JS_SLIDER_STATE, handle)

            def state(read=read) -> float:
                return read()["now"]

            for target, fraction in (("middle", 0.5), ("min", 0.0), ("max", 1.0)):

                def act(handle=handle, fraction=fraction) -> None:
                    self._drag_to(handle, base, vertical, fraction)

                expected = None
                if len(handles) == 1 and fraction in (0.0, 1.0):  # a range slider's handles block each other

                    def expected(read=read, key="min" if fraction == 0 else "max") -> float:
                        return read()[key]

                steps.append(Step(target + suffix, state, act, expected))
        start = read()
        if len(handles) == 1:  # back to where it started, so the next control starts from a valid state
            if readout is not None:

                def restore() -> None:
                    self._center(readout)
                    self._actions().move_to_element(readout).click().perform()
                    readout.send_keys(Keys.CONTROL, "a")
                    readout.send_keys(control["readout_text"], Keys.ENTER)
                    self.driver.execute_script("document.activeElement && document.activeElement.blur();")

            else:
                span = (start["max"] - start["min"]) or 1

                def restore() -> None:
                    self._drag_to(handles[0], base, vertical, (start["now"] - start["min"]) / span)

            steps.append(Step("start value", state, restore, lambda: start["now"]))
        return steps

    def _plan_select(self, control: dict) -> list[Step]:
        """Pick the middle option, then the first and the last, then the one it started with."""
        from selenium.webdriver.support.select import Select

        select = control["select"]
        # read now, not when the controls were listed: a menu may fill in after an earlier control moved
        n = self.driver.execute_script("return arguments[0].options.length;", select)

        def state() -> int:
            return self.driver.execute_script("return arguments[0].selectedIndex;", select)

        steps = []
        start = state()
        for target, i in (("middle", n // 2), ("first", 0), ("last", n - 1), ("start", start)):
            if i < 0:  # nothing was selected: no way back to that with the mouse
                continue

            def act(i=i) -> None:
                self._center(select)
                Select(select).select_by_index(i)

            steps.append(Step(f"{target} option", state, act, lambda i=i: i, menu=True))
        return steps

    def _plan_upload(self, control: dict) -> list[Step]:
        """Upload a shipped capture through the FileUpload's own change handler, as a reader's file would arrive.

        ipywidgets' FileUpload keeps its ``<input type=file>`` out of the page and clicks it from its button;
        the click is caught (no file dialog opens in a headless browser) and the input is given the file
        with a DataTransfer before its ``change`` event, so the widget's JavaScript reads it as it reads any file.
        """
        import base64

        button = control["button"]
        sample = ROOT / "tcpmodel" / "data" / "captures" / UPLOAD_SAMPLE
        payload = base64.b64encode(sample.read_bytes()).decode("ascii")

        def state() -> str:
            return self.driver.execute_script("return arguments[0].textContent.trim();", button)

        def act() -> None:
            self._center(button)
            self.js(JS_UPLOAD, button, sample.name, payload)

        return [Step(f"upload {sample.name}", state, act, None)]

    def _plan_select_multiple(self, control: dict) -> list[Step]:
        return self._plan_select(control)

    def _click_plan(self, buttons: list, state_js: str) -> list[Step]:
        n = len(buttons)

        def state() -> int:
            return self.driver.execute_script(state_js, buttons)

        steps = []
        start = state()
        for target, i in (("middle", n // 2), ("first", 0), ("last", n - 1), ("start", start)):
            if i < 0:
                continue

            def act(i=i) -> None:
                self._center(buttons[i])
                self._actions().move_to_element(buttons[i]).click().perform()

            steps.append(Step(f"{target} choice", state, act, lambda i=i: i, menu=True))
        return steps

    def _plan_toggle_buttons(self, control: dict) -> list[Step]:
        return self._click_plan(control["buttons"], "return arguments[0].findIndex(b => b.classList.contains('mod-active'));")

    def _plan_radio(self, control: dict) -> list[Step]:
        return self._click_plan(control["buttons"], "return arguments[0].findIndex(b => b.checked);")

    def _flip_plan(self, element: Any, state_js: str) -> list[Step]:
        """A two-valued control: to the other value and back."""

        def state() -> bool:
            return self.driver.execute_script(state_js, element)

        def act() -> None:
            self._center(element)
            self._actions().move_to_element(element).click().perform()

        start = state()
        return [Step("toggled", state, act, lambda: not start), Step("toggled back", state, act, lambda: start)]

    def _plan_toggle(self, control: dict) -> list[Step]:
        return self._flip_plan(control["button"], "return arguments[0].classList.contains('mod-active');")

    def _plan_checkbox(self, control: dict) -> list[Step]:
        return self._flip_plan(control["input"], "return arguments[0].checked;")

    def _typing_plan(self, control: dict, values: list[tuple[str, str]]) -> list[Step]:
        from selenium.webdriver.common.keys import Keys

        box = control["input"]

        def state() -> str:
            return self.driver.execute_script("return arguments[0].value;", box)

        steps = []
        for target, text in [*values, ("start value", state())]:

            def act(text=text, target=target) -> None:
                self._center(box)
                box.click()
                box.send_keys(Keys.CONTROL, "a")
                box.send_keys(Keys.DELETE)
                box.send_keys(text, Keys.ENTER)
                if target == "start value":
                    self.driver.execute_script("document.activeElement && document.activeElement.blur();")

            steps.append(Step(target, state, act, None))
        return steps

    def _plan_number(self, control: dict) -> list[Step]:
        """Type the middle of the range, then both ends; unbounded: another value, 0 and -1."""
        value = float(self.driver.execute_script("return arguments[0].value;", control["input"]) or 0)
        step = control.get("step")
        integral = step not in (None, "", "any") and float(step) == int(float(step)) and value == int(value)

        def fmt(x: float) -> str:
            return str(int(round(x))) if integral else repr(round(x, 6))

        lo, hi = control.get("min"), control.get("max")
        if lo not in (None, "") and hi not in (None, ""):
            lo, hi = float(lo), float(hi)
            values = [("middle", fmt((lo + hi) / 2)), ("min", fmt(lo)), ("max", fmt(hi))]
        else:  # no range: a different value, zero and a negative one (bad input must show as a message)
            values = [("other", fmt(value * 2 if value else 1)), ("zero", fmt(0)), ("negative", fmt(-1))]
        return self._typing_plan(control, values)

    def _plan_text(self, control: dict) -> list[Step]:
        return self._typing_plan(control, [("other text", "abc"), ("empty", "")])

    # evidence -------------------------------------------------------------
    def screenshot(self, folder: Path = SCREENSHOTS, *, tile_height: int = 8000) -> list[Path]:
        """Save the whole notebook, and each widget on its own, as PNGs; return the paths.

        The viewport is made as tall as the notebook (Chrome DevTools'
        device-metrics override), so one image shows every cell as a learner
        scrolling through it sees them; a notebook taller than ``tile_height``
        pixels is saved in parts (``NN_topic.png``, ``NN_topic--part2.png``, …).
        """
        folder.mkdir(parents=True, exist_ok=True)
        stem = self.notebook.stem
        for old in [*folder.glob(f"{stem}.png"), *folder.glob(f"{stem}--*.png")]:
            old.unlink()
        saved = []
        size = self.driver.execute_script("return {w: window.innerWidth, h: window.innerHeight};")
        self.js("window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); await T.sleep(100); return null;")
        geo = self.js(JS_SCROLLER)
        content = geo["height"] + geo["top"] + 60
        parts = max(1, -(-int(content) // tile_height))
        height = int(max(size["h"], min(content, tile_height)))
        try:
            self.driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride", {"width": size["w"], "height": height, "deviceScaleFactor": 1, "mobile": False}
            )
            time.sleep(0.5)
            for part in range(parts):
                # Scroll so that the first cell starting at or after this part's offset is on top.
                self.js(
                    "const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'));"
                    "cells[0].scrollIntoView({block: 'start'}); await T.sleep(30);"
                    "const top0 = cells[0].getBoundingClientRect().top;"
                    "const cell = cells.find(c => c.getBoundingClientRect().top - top0 >= args[0]) || cells[cells.length - 1];"
                    "if (args[0] > 0) cell.scrollIntoView({block: 'start'}); await T.sleep(200); return null;",
                    max(0, part * (height - geo["top"] - 60) - 40),
                )
                path = folder / (f"{stem}.png" if part == 0 else f"{stem}--part{part + 1}.png")
                self.driver.save_screenshot(str(path))
                saved.append(path)
            for index in range(self.widget_count()):
                element = self.js("const r = T.widgetRoots()[args[0]]; r.scrollIntoView({block: 'nearest'}); return r.closest('.jp-OutputArea-child') || r;", index)
                path = folder / f"{stem}--widget{index + 1}.png"
                element.screenshot(str(path))
                saved.append(path)
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return saved

    def shutdown_kernel(self) -> None:
        """Shut this notebook's kernel down from the page; the server's API is the fallback."""
        try:
            self.js("const p = T.panel(); if (p) await p.sessionContext.shutdown(); return null;")
        except Exception:  # noqa: BLE001 - the page may be gone; the API call below still works
            pass
        self.lab.shutdown_kernels()

