/* The course site's widgets: the notebook widget's controls over frames drawn ahead of time.
 *
 * Written for this site and vendored with it: no framework, no CDN, no model logic.
 * `make site` (tools/build_site.py, tcpmodel/widgets/site.py) draws every widget with its
 * own Python code at every point of the grid it declares, and embeds a manifest after the
 * widget's static figure:
 *
 *   <div class="course-site-widget" data-widget="ID"><script type="application/json">{...}</script></div>
 *
 * {id, title, binder, base, points, count,
 *  controls: [{name, kind: slider|select|entry|upload|checkbox|toggle|steps, label,
 *              values, labels, initial, min, max, step, buttons}],
 *  frames: {"i.j.k": [{f, w, h, alt, html?, error?}, ...]}}   (one entry per step for steppers)
 *
 * This script builds the same controls (labels, ranges, options) with native, labelled,
 * keyboard-operable elements, snaps each slider to the grid, shows the frame for the current
 * values (decoded before it is swapped in, so the image never flashes), says what it shows
 * in an aria-live region, and, once the widget scrolls into view or the reader turns to it, prefetches
 * the frames one move away from the current values (neighbours, ends, every value of a short grid). With
 * JavaScript off none of this runs, and the page shows the static figure and its caption.
 *
 * For tests and benchmarks: window.courseSiteWidgets.widgets[ID].state() and
 * window.courseSiteWidgets.timings (ms from a control's change to the new frame painted).
 */
(function () {
  "use strict";

  var registry = (window.courseSiteWidgets = window.courseSiteWidgets || { widgets: {}, timings: [], errors: [] });
  var images = new Map(); // url -> Promise of a decoded Image (kept, so the bitmap stays warm)

  function load(url) {
    if (!images.has(url)) {
      var image = new Image();
      image.src = url;
      var ready = (image.decode ? image.decode() : Promise.resolve()).then(function () { return image; });
      ready.catch(function () { images.delete(url); });
      images.set(url, ready);
    }
    return images.get(url);
  }

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function Widget(container, data) {
    var self = this;
    var uid = "csw-" + data.id.replace(/[^A-Za-z0-9_-]/g, "-");
    var axes = data.controls.filter(function (c) { return c.kind !== "steps"; });
    var stepper = data.controls.filter(function (c) { return c.kind === "steps"; })[0] || null;
    var index = axes.map(function (c) { return c.initial; });
    var step = 0;
    var seq = 0;
    var shown = { key: null, step: 0, src: "", alt: "", error: "" };
    var inputs = [];

    function key() { return index.join("."); }
    function frames() { return data.frames[key()]; }
    function url(frame) { return data.base + frame.f + ".png"; }

    var root = make("section", { className: "csw", "aria-labelledby": uid + "-title", "data-widget": data.id });
    root.appendChild(make("p", { className: "csw-title", id: uid + "-title" }, data.title));
    var box = make("div", { className: "csw-controls" });
    root.appendChild(box);

    axes.forEach(function (c, i) {
      var id = uid + "-" + c.name;
      var wrap = make("div", { className: "csw-control csw-" + c.kind });
      if (c.kind === "slider") {
        var input = make("input", { type: "range", id: id, name: c.name, min: c.min, max: c.max, step: c.step,
                                    list: id + "-grid", "aria-valuetext": c.labels[c.initial] });
        input.value = c.values[c.initial];
        var ticks = make("datalist", { id: id + "-grid" });
        c.values.forEach(function (v) { ticks.appendChild(make("option", { value: v })); });
        var out = make("output", { "for": id, id: id + "-value" }, c.labels[c.initial]);
        var nearest = function (v) {
          var best = 0;
          c.values.forEach(function (g, j) { if (Math.abs(g - v) < Math.abs(c.values[best] - v)) best = j; });
          return best;
        };
        input.addEventListener("input", function (event) { set(i, nearest(parseFloat(input.value)), event.timeStamp); });
        input.addEventListener("keydown", function (event) {
          var n = c.values.length, j = index[i], moves = {
            ArrowRight: j + 1, ArrowUp: j + 1, ArrowLeft: j - 1, ArrowDown: j - 1,
            PageUp: j + Math.max(1, Math.round(n / 4)), PageDown: j - Math.max(1, Math.round(n / 4)), Home: 0, End: n - 1 };
          if (!(event.key in moves)) return;
          event.preventDefault(); // one key press moves one grid point, not one slider step
          set(i, Math.min(n - 1, Math.max(0, moves[event.key])), event.timeStamp);
        });
        wrap.appendChild(make("label", { "for": id }, c.label));
        wrap.appendChild(input);
        wrap.appendChild(ticks);
        wrap.appendChild(out);
        inputs[i] = { kind: c.kind, node: input, show: function (j) {
          input.value = c.values[j];
          input.setAttribute("aria-valuetext", c.labels[j]);
          out.textContent = c.labels[j];
        } };
      } else if (c.kind === "checkbox") {
        var box2 = make("input", { type: "checkbox", id: id, name: c.name });
        box2.checked = c.values[c.initial] === true;
        box2.addEventListener("change", function (event) { set(i, c.values.indexOf(box2.checked), event.timeStamp); });
        wrap.appendChild(box2);
        wrap.appendChild(make("label", { "for": id }, c.label));
        inputs[i] = { kind: c.kind, node: box2, show: function (j) { box2.checked = c.values[j] === true; } };
      } else if (c.kind === "toggle") {
        var group = make("div", { role: "group", "aria-labelledby": id + "-label", className: "csw-toggle-group" });
        wrap.appendChild(make("span", { id: id + "-label", className: "csw-label" }, c.label));
        var buttons = c.labels.map(function (text, j) {
          var b = make("button", { type: "button", "aria-pressed": String(j === c.initial), "data-index": j }, text);
          b.addEventListener("click", function (event) { set(i, j, event.timeStamp); });
          group.appendChild(b);
          return b;
        });
        wrap.appendChild(group);
        inputs[i] = { kind: c.kind, node: group, show: function (j) {
          buttons.forEach(function (b, k) { b.setAttribute("aria-pressed", String(k === j)); });
        } };
      } else if (c.kind === "upload") { // the reader's own file needs the live widget
        var file = make("input", { type: "file", id: id, name: c.name, disabled: "" });
        wrap.appendChild(make("label", { "for": id }, c.label));
        wrap.appendChild(file);
        wrap.appendChild(make("span", { className: "csw-label" }, "(your own file: on Binder or locally)"));
        inputs[i] = { kind: c.kind, node: file, show: function () {} };
      } else { // select, and typed entries, which offer the grid's values
        var select = make("select", { id: id, name: c.name });
        c.labels.forEach(function (text, j) { select.appendChild(make("option", { value: j }, text)); });
        select.value = String(c.initial);
        select.addEventListener("change", function (event) { set(i, parseInt(select.value, 10), event.timeStamp); });
        wrap.appendChild(make("label", { "for": id }, c.label));
        wrap.appendChild(select);
        inputs[i] = { kind: c.kind, node: select, show: function (j) { select.value = String(j); } };
      }
      box.appendChild(wrap);
    });

    var stepText = null, menu = null;
    function fillMenu() {
      menu.textContent = "";
      frames().forEach(function (frame, j) { menu.appendChild(make("option", { value: j }, frame.label || (frame.error ? "none" : String(j + 1)))); });
      menu.value = String(step);
    }
    if (stepper && stepper.menu) { // a drop-down whose options depend on the other controls
      var menuWrap = make("div", { className: "csw-control csw-select" });
      var menuId = uid + "-" + stepper.name;
      menu = make("select", { id: menuId, name: stepper.name });
      menu.addEventListener("change", function (event) {
        step = parseInt(menu.value, 10);
        render(event.timeStamp);
      });
      menuWrap.appendChild(make("label", { "for": menuId }, stepper.label));
      menuWrap.appendChild(menu);
      box.appendChild(menuWrap);
    } else if (stepper) {
      var bar = make("div", { className: "csw-control csw-steps", role: "group", "aria-label": stepper.label.replace(/:$/, "") });
      [["next", 1], ["back", -1], ["reset", 0]].forEach(function (pair) {
        var b = make("button", { type: "button", "data-step": pair[0] }, stepper.buttons[pair[0]]);
        b.addEventListener("click", function (event) { go(pair[0], event.timeStamp); });
        bar.appendChild(b);
      });
      stepText = make("span", { className: "csw-step-count" });
      bar.appendChild(stepText);
      box.appendChild(bar);
    }

    var error = make("p", { className: "csw-error", role: "alert", hidden: "" });
    var figure = make("figure", { className: "csw-frame" });
    // Put in the page with its first frame: an image without one would count as a broken image.
    var img = make("img", { className: "csw-image" });
    var table = make("div", { className: "csw-html", tabindex: "0", role: "region", "aria-label": stepper && !stepper.menu ? "Table of steps" : "Details", hidden: "" });
    var live = make("p", { className: "csw-live", "aria-live": "polite" });
    var note = make("p", { className: "csw-note" });
    note.appendChild(document.createTextNode(
      "Interactive: every frame was drawn ahead of time by the course's own Python code, for " +
      data.points + (data.points === 1 ? " setting" : " settings") + " of the controls" +
      (stepper ? " and every step" : "") + ". For any other value, run the live widget on "));
    note.appendChild(make("a", { href: data.binder }, "Binder"));
    note.appendChild(document.createTextNode(" or locally (make lab)."));
    root.appendChild(error);
    root.appendChild(figure);
    root.appendChild(table);
    root.appendChild(live);
    root.appendChild(note);

    // `started` is the input event's time stamp (the clock of performance.now()).
    function set(i, j, started) {
      if (j < 0 || j === index[i]) { inputs[i].show(index[i]); return; }
      index[i] = j;
      inputs[i].show(j);
      if (stepper) step = 0; // a new scenario or mode starts from its beginning
      render(started);
    }

    function go(what, started) {
      var n = frames().length;
      var next = what === "next" ? Math.min(n - 1, step + 1) : what === "back" ? Math.max(0, step - 1) : 0;
      if (next === step) { live.textContent = what === "next" ? "The scenario has ended." : "This is the start."; return; }
      step = next;
      render(started);
    }

    function render(started) {
      var list = frames();
      var frame = list[Math.min(step, list.length - 1)];
      var token = ++seq;
      var done = function () {
        if (token !== seq) return;
        shown = { key: key(), step: step, src: frame.f ? img.src : "", alt: frame.alt, error: frame.error || "" };
        if (menu) fillMenu();
        else if (stepper) stepText.textContent = "Step " + step + " of " + (list.length - 1);
        live.textContent = frame.alt;
        if (started !== undefined) {
          // Painted: the image element has decoded its new source, and one animation frame has been drawn since.
          var painted = function () {
            requestAnimationFrame(function () {
              setTimeout(function () {
                if (token === seq) registry.timings.push({ widget: data.id, ms: performance.now() - started });
              }, 0);
            });
          };
          if (frame.error || !img.decode) painted(); else img.decode().then(painted, painted);
        }
      };
      if (frame.error) {
        error.textContent = "⚠ " + frame.error;
        error.hidden = false;
        img.hidden = true;
        done();
        return;
      }
      var src = url(frame);
      load(src).then(function () {
        if (token !== seq) return;
        error.hidden = true;
        img.hidden = false;
        img.width = frame.w;
        img.height = frame.h;
        img.alt = frame.alt;
        img.src = src;
        if (!img.parentNode) figure.appendChild(img);
        if (frame.html) { table.innerHTML = frame.html; table.hidden = false; } else { table.hidden = true; }
        done();
        prefetch();
      }, function () {
        if (token !== seq) return;
        registry.errors.push("frame did not load: " + src);
        error.textContent = "⚠ This frame did not load. Reload the page, or run the widget on Binder.";
        error.hidden = false;
      });
    }

    var warmed = false;
    function prefetch() {
      if (!warmed) return;
      var around = [];
      // Every frame one move away: each control's neighbours and ends (a step, a key press, Home/End), and every
      // value of a control with a short grid (a menu, a click on a slider): a few dozen small frames at most,
      // fetched after the reader turns to the widget.
      axes.forEach(function (c, i) {
        var n = c.values.length, reach = [index[i] - 1, index[i] + 1, 0, n - 1];
        if (n <= 16) for (var k = 0; k < n; k++) reach.push(k);
        reach.forEach(function (j) {
          if (j < 0 || j >= n || j === index[i]) return;
          var other = index.slice();
          other[i] = j;
          around.push(data.frames[other.join(".")][0]);
        });
      });
      var list = frames();
      if (step + 1 < list.length) around.push(list[step + 1]);
      around.forEach(function (frame) { if (frame && frame.f) load(url(frame)); });
    }
    function warm() { if (!warmed) { warmed = true; prefetch(); } }
    root.addEventListener("focusin", warm);
    root.addEventListener("pointerenter", warm);
    if ("IntersectionObserver" in window) { // or as soon as the widget scrolls into view
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); warm(); }
      });
      seen.observe(root);
    }

    // The first frame is in the page from the start (the static figure steps aside for it).
    var first = frames()[0];
    if (first.error) {
      render();
    } else {
      img.src = url(first);
      figure.appendChild(img);
      img.width = first.w;
      img.height = first.h;
      img.alt = first.alt;
      if (first.html) { table.innerHTML = first.html; table.hidden = false; }
      shown = { key: key(), step: 0, src: img.src, alt: first.alt, error: "" };
      if (menu) fillMenu();
      else if (stepper) stepText.textContent = "Step 0 of " + (frames().length - 1);
    }

    container.appendChild(root);
    var fallback = container.previousElementSibling;
    if (fallback && fallback.matches("figure.course-widget-fallback")) fallback.hidden = true;
    container.classList.add("csw-ready");

    self.state = function () {
      return { key: shown.key, step: shown.step, src: shown.src, alt: shown.alt, error: shown.error,
               index: index.slice(), pending: seq, loaded: img.complete && img.naturalWidth > 0 && img.src === shown.src,
               imageSrc: img.src, imageAlt: img.alt };
    };
  }

  function start() {
    document.querySelectorAll(".course-site-widget").forEach(function (container) {
      if (container.classList.contains("csw-ready")) return;
      try {
        var data = JSON.parse(container.querySelector('script[type="application/json"]').textContent);
        registry.widgets[data.id] = new Widget(container, data);
      } catch (err) {
        registry.errors.push(String(err));
        throw err;
      }
    });
    registry.ready = true;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
