/* Gulf Watch static reader site: selection, evidence panel, filters, search, links and embed.
 *
 * The map itself (layers, styles, labels, legend, selection outline) is the app's, drawn by
 * the folium script above; this file only drives it.  Data: window.GW_SITE (site-data.js).
 * Only the evidence panel HTML (made and escaped in Python at publish time) is inserted with
 * innerHTML; everything else from the data or the URL goes in as text.
 */
(function () {
  "use strict";
  var D = window.GW_SITE, map = window.gwMap;
  if (!D || !map) { return; }
  var FEATURES = D.features, ALL_LAYERS = D.layers.map(function (l) { return l.id; });
  var $ = function (id) { return document.getElementById(id); };
  var embedded = document.documentElement.classList.contains("gw-embed");

  function todayIso() {
    var d = new Date(), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }
  var TODAY = todayIso();
  var state = {feature: null, layers: ALL_LAYERS.slice(), from: D.dates.start, to: TODAY,
               basemap: D.defaultBasemap, view: null};

  /* ---------------------------------------------------------------- the URL (same keys as the app) */
  function readParams() {
    var out = {}, q = new URLSearchParams(location.search), h = new URLSearchParams(location.hash.slice(1));
    [q, h].forEach(function (p) { p.forEach(function (v, k) { out[k] = String(v).slice(0, 2000); }); });
    return out;
  }
  var notices = [];
  function short(s) { s = String(s).replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, "?");
    return s.length <= 40 ? s : s.slice(0, 39) + "…"; }
  function isDate(s) { return /^\d{4}-\d{2}-\d{2}$/.test(s) && !isNaN(Date.parse(s + "T00:00:00Z")); }
  function fromParams(p) {
    if (p.feature) {
      if (Object.prototype.hasOwnProperty.call(FEATURES, p.feature)) { state.feature = p.feature; }
      else { notices.push("No feature '" + short(p.feature) + "' on this map; showing the default view."); }
    }
    if (p.layers !== undefined) {
      var raw = p.layers.trim().toLowerCase() === "none" ? [] : p.layers.split(",").map(function (x) { return x.trim(); });
      var known = ALL_LAYERS.filter(function (l) { return raw.indexOf(l) >= 0; });
      var unknown = raw.filter(function (x) { return x && ALL_LAYERS.indexOf(x) < 0; });
      if (unknown.length) { notices.push("Ignored unknown layers in the link: " + unknown.slice(0, 5).map(short).join(", ") + "."); }
      if (known.length || !unknown.length) { state.layers = known; }
    }
    if (p.basemap !== undefined) {
      if (D.basemaps[p.basemap]) { state.basemap = p.basemap; }
      else { notices.push("Unknown basemap '" + short(p.basemap) + "'; using " + D.basemaps[D.defaultBasemap].name + "."); }
    }
    ["from", "to"].forEach(function (k) {
      if (p[k] === undefined) { return; }
      if (isDate(p[k])) { state[k] = p[k] < D.dates.min ? D.dates.min : (p[k] > TODAY ? TODAY : p[k]); }
      else { notices.push("Ignored the " + (k === "from" ? "start" : "end") + " date in the link ('" + short(p[k]) + "' is not YYYY-MM-DD)."); }
    });
    if (state.from > state.to) {
      notices.push("The link's date window ends before it starts; showing the default window.");
      state.from = D.dates.start; state.to = TODAY;
    }
    if (p.sides !== undefined) {  // the app's "Evidence from" filter: the site shows every side
      notices.push("This page shows the evidence of every side; narrowing it by side ('sides' in the link) is in the app.");
    }
    if (p.view) {
      var v = p.view.split(","), lat = +v[0], lon = +v[1], z = parseInt(v[2], 10);
      if (v.length === 3 && isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && z >= 3 && z <= 18) {
        state.view = [lat, lon, z];
      } else { notices.push("Ignored the map view in the link ('" + short(p.view) + "' is not lat,lon,zoom)."); }
    }
  }
  function query(includeView) {
    var q = new URLSearchParams();
    if (state.feature) { q.set("feature", state.feature); }
    if (state.layers.join(",") !== ALL_LAYERS.join(",")) { q.set("layers", state.layers.length ? state.layers.join(",") : "none"); }
    if (state.basemap !== D.defaultBasemap) { q.set("basemap", state.basemap); }
    if (state.from !== D.dates.start) { q.set("from", state.from); }
    if (state.to !== TODAY) { q.set("to", state.to); }
    if (includeView) {
      var c = map.getCenter();
      q.set("view", c.lat.toFixed(5) + "," + c.lng.toFixed(5) + "," + map.getZoom());
    }
    if (embedded) { q.set("embed", "true"); }
    return q.toString();
  }
  function pageUrl() { return location.href.split("#")[0].split("?")[0]; }
  function writeUrl() {
    var q = query(false), url = pageUrl() + (q ? "?" + q : "");
    // the hash, when the page was opened with one (#feature=…), would override the query: drop it
    try { history.replaceState(null, "", url); }
    catch (e) {  // no history for this URL: keep the view in the hash (an empty feature= clears one)
      try { location.hash = q + (state.feature ? "" : (q ? "&" : "") + "feature="); } catch (e2) { /* the view still works */ }
    }
    updateShare();
  }
  function updateShare() {
    var link = pageUrl() + "?" + query(true).replace(/(^|&)embed=true/, "");
    $("gw-link").value = link;
    var src = pageUrl() + "?" + query(true).replace(/(^|&)embed=true/, "") + "&embed=true";
    var frame = document.createElement("iframe");  // built as an element: attributes are escaped
    frame.setAttribute("src", src.replace("?&", "?"));
    frame.setAttribute("title", "Gulf Watch: sourced map of the Gulf of Thailand");
    frame.setAttribute("width", "100%"); frame.setAttribute("height", "600");
    frame.setAttribute("style", "border:0"); frame.setAttribute("loading", "lazy");
    frame.setAttribute("allow", "fullscreen");
    $("gw-embed-code").value = frame.outerHTML;
    $("gw-full").href = link.replace("?&", "?");
  }

  /* ---------------------------------------------------------------- selection and the panel */
  var panel = $("gw-evidence");
  function intro() {
    panel.innerHTML = "";
    var div = document.createElement("div"); div.className = "gw-panel gw-intro";
    var h = document.createElement("h3"); h.textContent = "Evidence";
    var p = document.createElement("p");
    p.textContent = "Click a site on the map (or search for one) to see what each side says: verbatim " +
      "quotes and our summaries, each with who said it, the publication, the date and a link.";
    div.appendChild(h); div.appendChild(p);
    if (D.start && FEATURES[D.start]) {
      var b = document.createElement("button"); b.type = "button"; b.className = "gw-go gw-start";
      b.setAttribute("data-go", D.start); b.textContent = "Start with " + FEATURES[D.start].name;
      div.appendChild(b);
    }
    // every feature as a list too: for keyboards and screen readers, and a quick way in on a phone
    var all = document.createElement("details"); all.className = "gw-all";
    var sum = document.createElement("summary"); sum.textContent = "All " + D.counts + ", by layer";
    all.appendChild(sum);
    D.layers.forEach(function (l) {
      var h4 = document.createElement("h4"); h4.textContent = l.title; all.appendChild(h4);
      var ul = document.createElement("ul");
      D.order.forEach(function (id) {
        if (FEATURES[id].layer !== l.id) { return; }
        var li = document.createElement("li"), bt = document.createElement("button");
        bt.type = "button"; bt.className = "gw-go gw-link"; bt.setAttribute("data-go", id);
        bt.textContent = FEATURES[id].name; li.appendChild(bt); ul.appendChild(li);
      });
      all.appendChild(ul);
    });
    div.appendChild(all);
    panel.appendChild(div);
  }
  function showPanel() {
    var f = state.feature && FEATURES[state.feature];
    if (!f) { intro(); return; }
    panel.innerHTML = f.panel + f.parts;  // HTML made and escaped in Python (layers/panel.py)
    var clear = document.createElement("button"); clear.type = "button"; clear.className = "gw-clear";
    clear.textContent = "Clear selection"; clear.addEventListener("click", function () { select(null, false); });
    panel.appendChild(clear);
    $("gw-panel").scrollTop = 0;
  }
  function select(id, pan) {
    state.feature = id && FEATURES[id] ? id : null;
    showPanel(); writeUrl();
    if (pan && state.feature) {
      var v = FEATURES[state.feature].view;
      map.setView([v[0], v[1]], v[2]);
      if (window.matchMedia("(max-width: 700px)").matches || embedded) {
        map.getContainer().scrollIntoView({block: "start"});
      }
    }
  }
  panel.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-go]");
    if (b) { select(b.getAttribute("data-go"), true); }
  });
  function idOf(layer) {
    var c = layer.options && layer.options.className;
    if (!layer.feature || typeof c !== "string") { return null; }
    var m = /^gw-[fs]-(\S+)/.exec(c);
    return m ? m[1] : null;
  }
  function hook(layer) {
    var id = idOf(layer);
    if (id && !layer._gwSite) { layer._gwSite = true; layer.on("click", function () { select(id, false); }); }
  }
  map.eachLayer(hook);
  map.on("layeradd", function (e) { hook(e.layer); });

  /* ---------------------------------------------------------------- filters */
  var hideStyle = document.createElement("style"); document.head.appendChild(hideStyle);
  function inWindow(f) {
    if (!f.start && !f.end) { return true; }
    return (f.start || "0000-01-01") <= state.to && (f.end || "9999-12-31") >= state.from;
  }
  function applyFilters() {
    var rules = [], shown = 0, byDate = [];
    D.order.forEach(function (id) {
      var f = FEATURES[id], layerOn = state.layers.indexOf(f.layer) >= 0, dated = inWindow(f);
      if (layerOn && dated) { shown += 1; return; }
      if (layerOn && !dated) { byDate.push(f.name); }
      var e = CSS.escape(id);
      rules.push(".gw-f-" + e + ",.gw-u-" + e + ",.gw-s-" + e + ",.gw-label span[data-feature=\"" + e + "\"]");
    });
    hideStyle.textContent = rules.length ? rules.join(",\n") + " { display: none !important; }" : "";
    var st = $("gw-status"); st.textContent = "";
    st.appendChild(document.createTextNode("Showing " + shown + " of " + D.counts + ". "));
    if (byDate.length) {
      st.appendChild(document.createTextNode("The date window hides " + byDate.length + " feature" +
        (byDate.length === 1 ? "" : "s") + ": " + byDate.join("; ") + ". "));
      var b = document.createElement("button"); b.type = "button"; b.id = "gw-all-dates"; b.textContent = "Show all dates";
      b.addEventListener("click", function () { state.from = D.dates.min; state.to = TODAY; syncControls(); applyFilters(); writeUrl(); });
      st.appendChild(b);
    }
  }
  var tiles = null;
  function applyBasemap() {
    if (tiles) { map.removeLayer(tiles); tiles = null; }
    var b = D.basemaps[state.basemap];
    if (b && b.url) {  // online tiles only when the reader picks them
      tiles = L.tileLayer(b.url, {attribution: b.attribution, maxZoom: b.maxZoom, subdomains: b.subdomains});
      tiles.addTo(map);
    }
  }
  function syncControls() {
    D.layers.forEach(function (l) { $("gw-lay-" + l.id).checked = state.layers.indexOf(l.id) >= 0; });
    $("gw-from").value = state.from; $("gw-to").value = state.to; $("gw-basemap").value = state.basemap;
  }
  function buildControls() {
    var box = $("gw-layer-boxes");
    D.layers.forEach(function (l) {
      var lab = document.createElement("label"), cb = document.createElement("input");
      cb.type = "checkbox"; cb.id = "gw-lay-" + l.id; cb.value = l.id;
      lab.title = l.description; lab.appendChild(cb);
      lab.appendChild(document.createTextNode(" " + l.title + " (" + l.count + ")"));
      cb.addEventListener("change", function () {
        state.layers = ALL_LAYERS.filter(function (id) { return $("gw-lay-" + id).checked; });
        applyFilters(); writeUrl();
      });
      box.appendChild(lab);
    });
    ["gw-from", "gw-to"].forEach(function (id) {
      var el = $(id); el.min = D.dates.min; el.max = TODAY;
      el.addEventListener("change", function () {
        var v = el.value, k = id === "gw-from" ? "from" : "to";
        if (!isDate(v)) { return; }
        state[k] = v;
        if (state.from > state.to) { if (k === "from") { state.to = v; } else { state.from = v; } }
        syncControls(); applyFilters(); writeUrl();
      });
    });
    var sel = $("gw-basemap");
    Object.keys(D.basemaps).forEach(function (slug) {
      var o = document.createElement("option"); o.value = slug; o.textContent = D.basemaps[slug].name; sel.appendChild(o);
    });
    sel.addEventListener("change", function () { state.basemap = sel.value; applyBasemap(); writeUrl(); });
    // the map's coastline note ("Show satellite imagery") presses this button (layers/overlays_coast.py)
    $("gw-imagery").addEventListener("click", function () { state.basemap = "esri"; syncControls(); applyBasemap(); writeUrl(); });
    if (window.matchMedia("(max-width: 700px)").matches) { $("gw-bar").open = false; }
  }

  /* ---------------------------------------------------------------- search (as layers/search.py) */
  var CHARS = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "`": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u2010": "-",
    "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "};
  function foldChar(c) {
    c = CHARS[c] || c;
    var out = c.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return /^\s+$/.test(out) ? " " : out;
  }
  function foldMap(text) {
    var chars = [], index = [], i = 0;
    for (var ch of text) { var f = foldChar(ch); chars.push(f); for (var k = 0; k < f.length; k++) { index.push(i); } i += ch.length; }
    return [chars.join(""), index];
  }
  function fold(t) { return foldMap(t)[0]; }
  function match(text, q) {
    var fm = foldMap(text), folded = fm[0], index = fm[1], pos = folded.indexOf(q.phrase), end, quality;
    if (pos >= 0) {
      end = pos + q.phrase.length;
      quality = folded.trim() === q.phrase ? 0 : pos === 0 ? 1 : !/[\p{L}\p{N}]/u.test(folded[pos - 1]) ? 2 : 3;
    } else if (q.words.length > 1 && q.words.every(function (w) { return folded.indexOf(w) >= 0; })) {
      pos = folded.indexOf(q.words[0]); end = pos + q.words[0].length; quality = 4;
    } else { return null; }
    return [quality, index[pos], index[end - 1] + 1];
  }
  function snippet(text, s, e) {
    var width = 120;
    if (text.length <= width) { return text.split(/\s+/).join(" ").trim(); }
    var room = Math.max(width - (e - s), 0), left = Math.max(s - Math.floor(room / 2), 0);
    var right = Math.min(left + Math.max(width, e - s), text.length);
    left = Math.max(Math.min(left, right - width), 0);
    return (left > 0 ? "…" : "") + text.slice(left, right).split(/\s+/).join(" ").trim() + (right < text.length ? "…" : "");
  }
  function search(raw) {
    var phrase = fold(String(raw).slice(0, 200)).split(/\s+/).filter(Boolean).join(" ");
    if (!phrase) { return []; }
    var q = {phrase: phrase, words: Array.from(new Set(phrase.split(" ")))}, hits = [];
    D.search.forEach(function (doc) {
      var best = null;
      doc.fields.forEach(function (fld) {
        var m = match(fld[1], q);
        if (!m) { return; }
        var key = fld[0] * 10 + m[0];
        if (best === null || key < best.key) { best = {key: key, detail: snippet(fld[1], m[1], m[2])}; }
      });
      if (best) { hits.push({key: best.key, sort: doc.sort, doc: doc, detail: best.detail}); }
    });
    hits.sort(function (a, b) { return a.key - b.key || (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0); });
    return hits.slice(0, 12);
  }
  function showHits() {
    var ul = $("gw-hits"), hits = search($("gw-q").value);
    ul.textContent = "";
    if (!$("gw-q").value.trim()) { ul.hidden = true; return; }
    if (!hits.length) { var li0 = document.createElement("li"); li0.className = "gw-nohit"; li0.textContent = "No match."; ul.appendChild(li0); }
    hits.forEach(function (h) {
      var li = document.createElement("li"), b = document.createElement("button");
      b.type = "button"; b.className = "gw-hit"; b.setAttribute("data-kind", h.doc.kind);
      var t = document.createElement("b"); t.textContent = h.doc.label;
      var d = document.createElement("span"); d.textContent = h.detail;
      b.appendChild(t); b.appendChild(d);
      b.addEventListener("click", function () { ul.hidden = true; select(h.doc.feature, true); });
      li.appendChild(b); ul.appendChild(li);
    });
    ul.hidden = false;
  }
  $("gw-q").addEventListener("input", showHits);
  $("gw-q").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { var first = document.querySelector("#gw-hits .gw-hit"); if (first) { first.click(); } }
    if (e.key === "Escape") { $("gw-hits").hidden = true; }
  });
  window.gwSearch = search;  // for the tests: the same ranking as layers/search.py

  /* ---------------------------------------------------------------- start */
  fromParams(readParams());
  buildControls(); syncControls(); applyFilters(); applyBasemap();
  if (state.view) { map.setView([state.view[0], state.view[1]], state.view[2]); }
  else if (state.feature) { var v = FEATURES[state.feature].view; map.setView([v[0], v[1]], v[2]); }
  showPanel();
  if (notices.length) {
    var n = document.createElement("div"); n.className = "gw-notice"; n.setAttribute("role", "status");
    n.textContent = notices.join(" ");
    panel.parentNode.insertBefore(n, panel);
  }
  $("gw-published").textContent = "Published " + D.published + ".";
  if (D.appUrl && /^https?:\/\//i.test(D.appUrl)) {
    $("gw-app").href = D.appUrl; $("gw-app").hidden = false;
  }
  writeUrl();
  map.on("moveend", updateShare);
  window.gwSite = {state: state, select: select};
})();
