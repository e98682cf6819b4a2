/* The player of companion.animation's animations (div.conv-anim) and the shape playground
   (div.conv-playground) of section 05. Offline, no libraries. The frames come from the
   companion as JSON inside each animation; without this script the first frame stays. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function el(name, attrs) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function Player(root) {
    var data = JSON.parse(root.querySelector("script.conv-anim-data").textContent);
    var S = data.cell, frames = data.frames, n = frames.length;
    var svgs = root.querySelectorAll("svg.ca-svg");
    var texts = root.querySelectorAll("svg.ca-svg text[data-m]");
    var line = root.querySelector(".ca-text");
    var controls = root.querySelector(".conv-anim-controls");
    var play = controls.querySelector(".ca-play");
    var count = controls.querySelector(".ca-count");
    var speed = controls.querySelector("select");
    var offsets = {}, cells = {};  // matrix -> x offset in its panel's svg; "m,r,c" -> text node
    texts.forEach(function (t) {
      var m = +t.dataset.m;
      cells[m + "," + t.dataset.r + "," + t.dataset.c] = t;
      if (+t.dataset.r === 0 && +t.dataset.c === 0) offsets[m] = +t.getAttribute("x") - S / 2;
    });
    var k = 0, timer = null;

    function show(f) {
      k = (f + n) % n;
      data.matrices.forEach(function (M, m) {
        M.values.forEach(function (row, r) {
          row.forEach(function (v, c) { cells[m + "," + r + "," + c].textContent = v; });
        });
      });
      for (var i = 0; i <= k; i++) {
        frames[i].set.forEach(function (s) { cells[s[0] + "," + s[1] + "," + s[2]].textContent = s[3]; });
      }
      svgs.forEach(function (svg) { svg.querySelector(".ca-overlay").replaceChildren(); });
      frames[k].box.forEach(function (b) {
        svgs[data.panel_of[b[0]]].querySelector(".ca-overlay").appendChild(el("rect", {
          "class": "ca-box", x: offsets[b[0]] + b[2] * S, y: b[1] * S, width: b[4] * S,
          height: b[3] * S, fill: "none", stroke: data.accent, "stroke-width": 3}));
      });
      frames[k].mark.forEach(function (b) {
        svgs[data.panel_of[b[0]]].querySelector(".ca-overlay").appendChild(el("rect", {
          "class": "ca-mark", x: offsets[b[0]] + b[2] * S, y: b[1] * S, width: S, height: S,
          fill: data.accent, "fill-opacity": 0.25}));
      });
      line.textContent = frames[k].text;
      count.textContent = data.words.frame + " " + (k + 1) + " / " + n;
    }
    function delay() { return 1200 / +speed.value; }
    function tick() { show(k + 1); timer = setTimeout(tick, k === n - 1 ? 2 * delay() : delay()); }
    function stop() {
      clearTimeout(timer); timer = null;
      play.textContent = data.words.play; play.setAttribute("aria-pressed", "false");
    }
    function start() {
      if (timer) return;
      play.textContent = data.words.pause; play.setAttribute("aria-pressed", "true");
      line.setAttribute("aria-live", "off");
      timer = setTimeout(tick, delay());
    }
    function step(d) { stop(); line.setAttribute("aria-live", "polite"); show(k + d); }
    play.addEventListener("click", function () { if (timer) stop(); else start(); });
    controls.querySelector(".ca-back").addEventListener("click", function () { step(-1); });
    controls.querySelector(".ca-forward").addEventListener("click", function () { step(1); });
    speed.addEventListener("change", function () { if (timer) { stop(); start(); } });
    root.addEventListener("keydown", function (e) {
      if (e.target.tagName === "SELECT") return;
      if (e.key === "ArrowLeft") { step(-1); e.preventDefault(); }
      if (e.key === "ArrowRight") { step(1); e.preventDefault(); }
    });
    window.addEventListener("beforeprint", function () { stop(); show(0); });  // print: frame 1
    if (window.matchMedia) {
      window.matchMedia("print").addEventListener("change", function (e) { if (e.matches) { stop(); show(0); } });
    }
    controls.hidden = false;
    show(0);
    if (!reduced && "IntersectionObserver" in window) {  // play while on screen
      var auto = true;
      play.addEventListener("click", function () { auto = false; });
      new IntersectionObserver(function (es) {
        es.forEach(function (e) { if (!auto) return; if (e.isIntersecting) start(); else stop(); });
      }).observe(root);
    }
    root.convAnim = {show: show, frame: function () { return k; }, playing: function () { return !!timer; }};
  }

  /* --- the shape playground ------------------------------------------------------------ */
  function intOf(input) {
    var v = input.value.trim();
    return /^-?\d+$/.test(v) ? parseInt(v, 10) : NaN;
  }
  function tuple(a) { return "(" + a + ", " + a + ")"; }

  // The answer of companion.animation.playground_output_size, its error messages included.
  function outputSize(n, k, p, s, d) {
    var checks = [["input_size", n, 1], ["kernel_size", k, 1], ["padding", p, 0],
                  ["stride", s, 1], ["dilation", d, 1]];
    for (var i = 0; i < checks.length; i++) {
      var c = checks[i];
      if (isNaN(c[1])) return {error: c[0] + " must be an int, got " + "str"};
      if (c[1] < c[2]) return {error: c[0] + " must be >= " + c[2] + ", got " + c[1]};
    }
    var span = d * (k - 1) + 1, padded = n + 2 * p;
    if (span > padded) {
      return {error: "kernel_size " + tuple(span) + " must not exceed the padded input " +
              "(input_size + 2 * padding) = " + tuple(padded)};
    }
    return {size: Math.floor((n + 2 * p - span) / s) + 1, span: span};
  }
  window.convPlaygroundSize = outputSize;

  function Playground(root) {
    var words = JSON.parse(root.querySelector("script.conv-playground-data").textContent);
    var inputs = {};
    root.querySelectorAll("input").forEach(function (i) { inputs[i.name] = i; });
    var out = root.querySelector(".out-size"), formula = root.querySelector(".cp-formula");
    var box = root.querySelector(".cp-grid"), timer = null;

    function update() {
      var n = intOf(inputs.size), k = intOf(inputs.kernel), p = intOf(inputs.padding),
          s = intOf(inputs.stride), d = intOf(inputs.dilation);
      var r = outputSize(n, k, p, s, d);
      clearInterval(timer); box.replaceChildren();
      if (r.error) {
        out.textContent = r.error; formula.textContent = ""; root.classList.add("cp-impossible");
        return;
      }
      root.classList.remove("cp-impossible");
      out.textContent = String(r.size);
      var inner = n + 2 * p - d * (k - 1) - 1;
      formula.textContent = "⌊(" + n + " + 2·" + p + " − " + d + "·(" + k + " − 1) − 1) / " + s +
        "⌋ + 1 = ⌊" + inner + " / " + s + "⌋ + 1 = " + Math.floor(inner / s) + " + 1 = " + r.size +
        (d > 1 ? "   (" + words.dilated + " = " + r.span + ")" : "");
      var side = n + 2 * p;
      if (side > 40) { box.textContent = words.no_draw; return; }
      var S = 16, gap = 24, W = (side + r.size) * S + gap;
      var svg = el("svg", {viewBox: "-2 -2 " + (W + 4) + " " + (side * S + 4), width: W + 4,
                           height: side * S + 4, "aria-hidden": "true"});
      for (var y = 0; y < side; y++) for (var x = 0; x < side; x++) {
        var pad = y < p || x < p || y >= p + n || x >= p + n;
        svg.appendChild(el("rect", {x: x * S, y: y * S, width: S, height: S, stroke: "currentColor",
          "stroke-opacity": 0.4, fill: "currentColor", "fill-opacity": pad ? 0.14 : 0}));
      }
      var ox = side * S + gap, outCells = [];
      for (y = 0; y < r.size; y++) for (x = 0; x < r.size; x++) {
        outCells.push(svg.appendChild(el("rect", {x: ox + x * S, y: y * S, width: S, height: S,
          stroke: "currentColor", "stroke-opacity": 0.4, fill: "none"})));
      }
      var overlay = svg.appendChild(el("g", {"class": "ca-overlay"}));
      box.appendChild(svg);
      var t = 0, total = r.size * r.size;
      function frame() {
        overlay.replaceChildren();
        var i = Math.floor(t / r.size), j = t % r.size;
        overlay.appendChild(el("rect", {"class": "ca-box", x: j * s * S, y: i * s * S, width: r.span * S,
          height: r.span * S, fill: "none", stroke: "#d1495b", "stroke-width": 2.5}));
        for (var a = 0; a < k; a++) for (var b = 0; b < k; b++) {
          overlay.appendChild(el("rect", {"class": "ca-mark", x: (j * s + b * d) * S, y: (i * s + a * d) * S,
            width: S, height: S, fill: "#d1495b", "fill-opacity": 0.3}));
        }
        overlay.appendChild(el("rect", {"class": "ca-mark", x: ox + j * S, y: i * S, width: S, height: S,
          fill: "#d1495b", "fill-opacity": 0.5}));
        t = (t + 1) % total;
      }
      frame();
      if (!reduced && total > 1) timer = setInterval(frame, 700);
    }
    Object.keys(inputs).forEach(function (name) { inputs[name].addEventListener("input", update); });
    update();
  }

  function init() {
    document.querySelectorAll("div.conv-anim").forEach(function (root) {
      if (!root.convAnim) Player(root);
    });
    document.querySelectorAll("div.conv-playground").forEach(function (root) {
      if (!root.convPlayground) { Playground(root); root.convPlayground = true; }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
