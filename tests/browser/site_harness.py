"""Drive the static site's widgets (``site/_static/widgets.js``) in Chromium, as a reader does.

Shared by ``tests/browser/test_site_widgets.py`` and the benchmark
``site:widget_response_p95`` (``benchmarks/bench_browser.py``).

For every widget on a page, :func:`exercise` moves each control with the mouse
or the keyboard (a slider to its middle with a click, and to both ends with
Home and End; every option of a drop-down; both states of a check box; every
toggle; a stepper's buttons through every step), and after each move checks
that the frame shown is the manifest's frame for the values the controls show
(read from the controls themselves), that it has loaded, and that its alt
text is the manifest's. :func:`keyboard_walk` does the same with the keyboard
alone, tabbing through one widget. The page's script records, for each move,
the time from the input event to the new frame being painted
(``window.courseSiteWidgets.timings``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

MANIFESTS_JS = """
return Array.from(document.querySelectorAll('.course-site-widget')).map(
  d => JSON.parse(d.querySelector('script[type="application/json"]').textContent));
"""

# What the controls show, read from the page's elements (not from the script's own state).
SHOWN_JS = """
const [id] = arguments;
const root = document.querySelector(`section.csw[data-widget="${CSS.escape(id)}"]`);
const data = JSON.parse(root.parentElement.querySelector('script[type="application/json"]').textContent);
const index = [];
for (const c of data.controls) {
  if (c.kind === 'steps') continue;
  const el = root.querySelector(`[name="${CSS.escape(c.name)}"]`);
  if (c.kind === 'slider') index.push(c.values.indexOf(parseFloat(el.value)));
  else if (c.kind === 'checkbox') index.push(c.values.indexOf(el.checked));
  else if (c.kind === 'toggle') index.push(Array.from(root.querySelectorAll(`[aria-labelledby$="-${c.name}-label"] button`))
                                           .findIndex(b => b.getAttribute('aria-pressed') === 'true'));
  else if (c.kind === 'upload') index.push(0);
  else index.push(parseInt(el.value, 10));
}
const steps = data.controls.find(c => c.kind === 'steps');
let step = 0;
if (steps && steps.menu) step = parseInt(root.querySelector(`select[name="${CSS.escape(steps.name)}"]`).value, 10);
else if (steps) step = parseInt((root.querySelector('.csw-step-count').textContent.match(/Step (\\d+)/) || [0, 0])[1], 10);
const img = root.querySelector('img.csw-image');
const error = root.querySelector('.csw-error');
const inPage = img && img.isConnected && !img.hidden;
return {key: index.join('.'), step, src: inPage ? img.src : '', alt: img ? img.alt : '', loaded: inPage && img.complete && img.naturalWidth > 0,
        error: error.hidden ? '' : error.textContent, timings: window.courseSiteWidgets.timings.length};
"""


@dataclass
class Move:
    """One move of one control, and what the page showed after it."""

    widget: str
    control: str
    how: str
    key: str = ""
    step: int = 0
    ok: bool = False
    problem: str = ""


@dataclass
class WidgetRun:
    widget: str
    moves: list[Move] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"{m.widget} {m.control} ({m.how}): {m.problem}" for m in self.moves if not m.ok]


def manifests(driver: Any) -> list[dict]:
    return driver.execute_script(MANIFESTS_JS)


def check_shown(driver: Any, manifest: dict, move: Move, timeout: float = 5.0) -> Move:
    """Wait until the frame for the values the controls show is shown and loaded; record what was wrong if not."""
    deadline = time.monotonic() + timeout
    while True:
        shown = driver.execute_script(SHOWN_JS, manifest["id"])
        move.key, move.step = shown["key"], shown["step"]
        frames = manifest["frames"].get(shown["key"])
        problem = ""
        if frames is None:
            problem = f"no frame for grid point {shown['key']}"
        else:
            frame = frames[min(shown["step"], len(frames) - 1)]
            if frame.get("error"):
                if frame["error"] not in shown["error"]:
                    problem = f"error {frame['error']!r} not shown (shows {shown['error']!r})"
            elif not shown["src"].endswith(manifest["base"].lstrip("./") + frame["f"] + ".png"):
                problem = f"shows {shown['src']!r}, not frame {frame['f']} of {shown['key']}/{shown['step']}"
            elif not shown["loaded"]:
                problem = f"frame {frame['f']} has not loaded"
            elif shown["alt"] != frame["alt"]:
                problem = f"alt text {shown['alt']!r} is not the manifest's {frame['alt']!r}"
        if not problem or time.monotonic() > deadline:
            move.ok, move.problem = not problem, problem
            return move
        time.sleep(0.02)


def _root(driver: Any, widget_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'section.csw[data-widget="{widget_id}"]')


def exercise(driver: Any, manifest: dict) -> WidgetRun:
    """Move every control of one widget with the mouse and keys; check every frame shown."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    run = WidgetRun(manifest["id"])
    root = _root(driver, manifest["id"])
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", root)

    def done(name: str, how: str) -> None:
        run.moves.append(check_shown(driver, manifest, Move(manifest["id"], name, how)))

    for c in manifest["controls"]:
        name = c["name"]
        if c["kind"] == "slider":
            el = root.find_element(By.NAME, name)
            ActionChains(driver).move_to_element(el).click().perform()  # the middle of the track
            done(name, "click middle")
            el.send_keys(Keys.END)
            done(name, "End")
            el.send_keys(Keys.HOME)
            done(name, "Home")
            el.send_keys(Keys.ARROW_RIGHT)
            done(name, "Right")
        elif c["kind"] in ("select", "entry"):
            select = Select(root.find_element(By.NAME, name))
            for i in [*range(1, len(c["labels"])), 0]:
                select.select_by_index(i)
                done(name, f"option {c['labels'][i]}")
        elif c["kind"] == "checkbox":
            el = root.find_element(By.NAME, name)
            for _ in range(2):
                el.click()
                done(name, "click")
        elif c["kind"] == "toggle":
            buttons = root.find_elements(By.CSS_SELECTOR, f'[aria-labelledby$="-{name}-label"] button')
            for b in [*buttons[1:], buttons[0]]:
                b.click()
                done(name, f"toggle {b.text}")
        elif c["kind"] == "steps" and c.get("menu"):
            select = Select(root.find_element(By.NAME, name))
            for i in range(len(select.options)):
                select.select_by_index(i)
                done(name, f"option {i}")
        elif c["kind"] == "steps":
            button = {k: root.find_element(By.CSS_SELECTOR, f'button[data-step="{k}"]') for k in ("next", "back", "reset")}
            key = driver.execute_script(SHOWN_JS, manifest["id"])["key"]
            for _ in range(len(manifest["frames"][key]) - 1):
                button["next"].click()
                done(name, "next")
            button["back"].click()
            done(name, "back")
            button["reset"].click()
            done(name, "reset")
    return run


def keyboard_walk(driver: Any, manifest: dict) -> WidgetRun:
    """Tab through one widget with the keyboard alone and operate each control; check every frame shown."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    run = WidgetRun(manifest["id"])
    root = _root(driver, manifest["id"])
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", root)
    # Start on the element just before the widget's first control, then use keys only.
    driver.execute_script(
        "const first = arguments[0].querySelector('input:not([disabled]), select, button');"
        "const before = document.createElement('span'); before.tabIndex = 0; before.id = 'csw-before';"
        "first.closest('.csw-controls').before(before); before.focus();", root)
    keys = ActionChains(driver)
    keys.send_keys(Keys.TAB).perform()
    visited = 0
    while visited < 40:
        active = driver.execute_script(
            "const a = document.activeElement; const r = arguments[0];"
            "return r.contains(a) && a.closest('.csw-controls') ? [a.tagName, a.type || '', a.name || a.textContent] : null", root)
        if active is None:
            break
        visited += 1
        tag, kind, label = active
        presses = {"INPUT": {"range": [Keys.END, Keys.HOME, Keys.ARROW_RIGHT], "checkbox": [Keys.SPACE, Keys.SPACE]},
                   "SELECT": {"": [Keys.ARROW_DOWN, Keys.ARROW_UP]}, "BUTTON": {"": [Keys.ENTER]}}
        for key in presses.get(tag, {}).get(kind if tag == "INPUT" else "", []):
            ActionChains(driver).send_keys(key).perform()
            run.moves.append(check_shown(driver, manifest, Move(manifest["id"], str(label), f"keyboard {tag.lower()}")))
        ActionChains(driver).send_keys(Keys.TAB).perform()
    driver.execute_script("const b = document.getElementById('csw-before'); if (b) b.remove();")
    if visited == 0:
        run.moves.append(Move(manifest["id"], "-", "Tab", problem="Tab did not reach the widget's controls"))
    return run


def timings(driver: Any) -> list[dict]:
    return driver.execute_script("return window.courseSiteWidgets.timings")


def wait_for_timings(driver: Any, count: int, timeout: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = timings(driver)
        if len(found) >= count:
            return found
        time.sleep(0.02)
    return timings(driver)
