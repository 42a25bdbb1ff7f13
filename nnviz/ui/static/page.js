// nnviz page helpers, run once the document is ready (nnviz/ui/app.py adds them to every page).
// 1. Accessible names: Panel and Bokeh draw their widgets inside shadow roots, and some controls
//    (slider handles, spinner arrows, selects without a visible label) come without a name. Each is
//    named from its own title or label; a host may say its name with a class "nnviz-label--Words_here".
// 2. Landmarks: the element with class nnviz-main becomes the page's main landmark.
// 3. Focus: a visible ring on whatever the keyboard reaches, inside shadow roots too (page CSS stops
//    at a shadow root, so the same rule is adopted by every root).
// 4. Keys: "p" toggles presentation mode (the button with class nnviz-present-toggle), when no text
//    field has the focus. In presentation mode a presenter's clicker (PageDown / PageUp, and the arrow
//    keys) opens the next / previous view in lesson order, unless a slider or field has the focus.
(function () {
  if (window.__nnvizPage) return;
  window.__nnvizPage = true;
  if (!document.querySelector('meta[name="viewport"]')) {     // phones: lay out at the device's width
    var meta = document.createElement("meta");
    meta.name = "viewport";
    meta.content = "width=device-width, initial-scale=1";
    document.head.appendChild(meta);
  }

  function walk(root, fn) {
    fn(root);
    root.querySelectorAll("*").forEach(function (el) { if (el.shadowRoot) walk(el.shadowRoot, fn); });
  }

  function hostLabel(root) {
    var host = root.host;
    while (host) {
      var cls = Array.prototype.find.call(host.classList || [], function (c) { return c.indexOf("nnviz-label--") === 0; });
      if (cls) return cls.slice("nnviz-label--".length).replace(/_/g, " ");
      var r = host.getRootNode && host.getRootNode();
      host = r && r.host;
    }
    return null;
  }

  var FOCUS_CSS = ":focus-visible { outline: 3px solid #0b57d0 !important; outline-offset: 2px !important; " +
                  "box-shadow: 0 0 0 2px #ffffff !important; }";
  var focusSheet = null;
  try { focusSheet = new CSSStyleSheet(); focusSheet.replaceSync(FOCUS_CSS); } catch (e) { focusSheet = null; }

  function ringFocus(root) {
    if (!focusSheet || !root.host || root.adoptedStyleSheets.indexOf(focusSheet) >= 0) return;
    root.adoptedStyleSheets = root.adoptedStyleSheets.concat([focusSheet]);
  }

  function textOf(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }

  function rootText(root) {          // the visible text beside a control in its own shadow root
    return Array.prototype.filter.call(root.children || [], function (c) {
      return c.tagName !== "STYLE" && c.tagName !== "LINK" && c.tagName !== "INPUT";
    }).map(textOf).join(" ").trim();
  }

  function fix() {
    walk(document, function (root) {
      if (!root.querySelectorAll) return;
      ringFocus(root);
      var named = hostLabel(root);
      root.querySelectorAll('[role="slider"]:not([aria-label])').forEach(function (h) {
        var title = textOf(root.querySelector(".bk-slider-title")).split(":")[0];
        h.setAttribute("aria-label", named || title || "value");
      });
      root.querySelectorAll("button.bk-spin-btn-up:not([aria-label])").forEach(function (b) {
        b.setAttribute("aria-label", "increase"); b.setAttribute("tabindex", "-1");
      });
      root.querySelectorAll("button.bk-spin-btn-down:not([aria-label])").forEach(function (b) {
        b.setAttribute("aria-label", "decrease"); b.setAttribute("tabindex", "-1");
      });
      root.querySelectorAll("select, input, textarea").forEach(function (el) {
        if (el.getAttribute("aria-label") || el.type === "hidden") return;
        var label = el.id && root.querySelector('label[for="' + el.id + '"]');
        var wrap = el.closest && el.closest("label");
        var text = named || textOf(label) || textOf(wrap) || textOf(root.querySelector("label")) ||
                   (el.type === "checkbox" || el.type === "radio" ? rootText(root) : "");
        if (!text && el.type === "file") text = "choose a file";
        if (text) el.setAttribute("aria-label", text);
      });
      root.querySelectorAll("button:not([aria-label])").forEach(function (b) {
        if (!named) return;
        b.setAttribute("aria-label", named);                   // a host's class names its button,
        if (textOf(b)) b.setAttribute("title", named);         // and says it on hover where it has a text
      });
      root.querySelectorAll(".nnviz-main:not([role])").forEach(function (m) { m.setAttribute("role", "main"); });
      if (root.host && root.host.classList && root.host.classList.contains("nnviz-main") && !root.host.getAttribute("role")) {
        root.host.setAttribute("role", "main");
      }
    });
  }

  function presentToggle() {
    var found = null;
    walk(document, function (root) {
      if (found || !root.querySelectorAll) return;
      var b = root.querySelector(".nnviz-present-toggle button, button.nnviz-present-toggle");
      if (!b && root.host && root.host.classList && root.host.classList.contains("nnviz-present-toggle")) {
        b = root.querySelector("button");
      }
      if (b) found = b;
    });
    return found;
  }

  function viewTabs() {            // the headers of the views' tabs (the Tabs with class nnviz-views)
    var found = [];
    walk(document, function (root) {
      if (found.length || !root.host || !root.host.classList || !root.host.classList.contains("nnviz-views")) return;
      found = Array.prototype.slice.call(root.querySelectorAll(".bk-tab"));
    });
    return found;
  }

  var STEP = {PageDown: 1, ArrowRight: 1, ArrowDown: 1, PageUp: -1, ArrowLeft: -1, ArrowUp: -1};

  function clicker(e, t) {
    var step = STEP[e.key];
    var b = presentToggle();
    if (!step || !b || !b.classList.contains("bk-active")) return;
    if (t && (t.getAttribute && t.getAttribute("role") === "slider" || t.classList && t.classList.contains("noUi-handle"))) return;
    var tabs = viewTabs();
    var now = tabs.findIndex(function (tab) { return tab.classList.contains("bk-active"); });
    var next = Math.max(0, Math.min(tabs.length - 1, now + step));
    if (now >= 0 && next !== now) { tabs[next].click(); e.preventDefault(); }
  }

  document.addEventListener("keydown", function (e) {
    var t = e.composedPath ? e.composedPath()[0] : e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "p" || e.key === "P") {
      var b = presentToggle();
      if (b) { b.click(); e.preventDefault(); }
      return;
    }
    clicker(e, t);
  });

  // 5. The viewport's size, for presentation mode, and whether the page is visible, so the server
  // pauses training while the page is hidden (the source named "viewport").
  var timer = null;
  function reportViewport() {
    var doc = window.Bokeh && Bokeh.documents[0];
    var src = doc && doc.get_model_by_name("viewport");
    if (src) src.data = {w: [window.innerWidth], h: [window.innerHeight],
                         visible: [document.visibilityState === "hidden" ? 0 : 1]};
  }
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(reportViewport, 250); });
  document.addEventListener("visibilitychange", reportViewport);
  reportViewport();

  // 6. Copy link: the button with class nnviz-copy-link copies the address bar, without a teacher's key
  //    (whoever opens the copy sees the same page, but does not run the teacher's class).
  document.addEventListener("click", function (e) {
    var path = e.composedPath ? e.composedPath() : [];
    var hit = path.some(function (el) { return el.classList && el.classList.contains("nnviz-copy-link"); });
    if (!hit || !navigator.clipboard) return;
    var url = new URL(window.location.href);
    url.searchParams.delete("teach");
    navigator.clipboard.writeText(url.toString()).catch(function () {});
  }, true);

  fix();
  setInterval(fix, 600);
})();
