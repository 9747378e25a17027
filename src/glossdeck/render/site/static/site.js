/* glossdeck site: search (index page), previews of linked terms, and the cited passage a link points to. */
(function () {
  "use strict";
  var terms = window.GLOSSDECK_TERMS || [];
  var byId = {};
  terms.forEach(function (t) { byId[t.id] = t; });

  /* Search: MiniSearch over an index built here from the embedded terms (no fetch, so it works from disk). */
  function setUpSearch() {
    var input = document.getElementById("search-input");
    if (!input || !window.MiniSearch) { return; }
    var engine = new window.MiniSearch({
      fields: ["term", "aliases", "gloss", "definition"],
      storeFields: ["term", "aliases", "gloss", "url"],
      searchOptions: { boost: { term: 4, aliases: 3, gloss: 1.5 }, prefix: true, fuzzy: 0.25, combineWith: "AND" }
    });
    engine.addAll(terms);
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    function show() {
      var query = input.value.trim();
      list.textContent = "";
      if (!query) { status.textContent = ""; return; }
      var hits = engine.search(query);
      if (!hits.length) { hits = engine.search(query, { combineWith: "OR" }); }
      hits = hits.slice(0, 20);
      status.textContent = hits.length ? hits.length + (hits.length === 1 ? " term found" : " terms found") : "No term found";
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = hit.url;
        link.textContent = hit.term;
        link.className = "result";  /* no preview: the gloss is shown beside it */
        item.appendChild(link);
        var name = hit.term.toLowerCase();
        var viaName = hit.terms.every(function (w) { return name.indexOf(w) >= 0; });
        var matchedAlias = null, best = 0;  /* the other name that matched the most words */
        if (!viaName) {
          hit.aliases.split(" · ").forEach(function (a) {
            var count = hit.terms.filter(function (w) { return a && a.toLowerCase().indexOf(w) >= 0; }).length;
            if (count > best) { best = count; matchedAlias = a; }
          });
        }
        if (matchedAlias) {
          var via = document.createElement("span");
          via.className = "via";
          via.textContent = " (also called " + matchedAlias + ")";
          item.appendChild(via);
        }
        item.appendChild(document.createTextNode(" — " + hit.gloss));
        list.appendChild(item);
      });
    }
    input.addEventListener("input", show);
    input.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) { first.focus(); }
    });
    if (input.value) { show(); }
  }

  /* Previews (WCAG 1.4.13): shown on hover, focus or tap; hoverable; stay until pointer or focus leaves; Escape closes. */
  var preview = null, owner = null, hideTimer = null, lastPointer = "mouse";
  function termOf(link) { return byId[link.getAttribute("data-term")]; }
  function build() {
    preview = document.createElement("div");
    preview.id = "term-preview";
    preview.className = "preview";
    preview.setAttribute("role", "tooltip");
    preview.hidden = true;
    preview.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    preview.addEventListener("mouseleave", function () { scheduleHide(); });
    document.body.appendChild(preview);
  }
  function open(link) {
    var term = termOf(link);
    if (!term || link.closest(".preview")) { return; }
    clearTimeout(hideTimer);
    if (owner && owner !== link) { owner.removeAttribute("aria-describedby"); }
    owner = link;
    preview.textContent = "";
    var name = document.createElement("strong");
    name.textContent = term.term;
    preview.appendChild(name);
    preview.appendChild(document.createTextNode(term.gloss));
    if (lastPointer === "touch") {
      var hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = "Tap the link again to open its page.";
      preview.appendChild(hint);
    }
    preview.hidden = false;
    link.setAttribute("aria-describedby", "term-preview");
    var box = link.getBoundingClientRect();
    var width = preview.offsetWidth;
    var left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    preview.style.left = left + "px";
    preview.style.top = (box.bottom + window.scrollY + 6) + "px";
  }
  function close() {
    clearTimeout(hideTimer);
    if (preview) { preview.hidden = true; }
    if (owner) { owner.removeAttribute("aria-describedby"); }
    owner = null;
  }
  function scheduleHide() { clearTimeout(hideTimer); hideTimer = setTimeout(close, 300); }
  function linkFrom(event) {
    var link = event.target.closest ? event.target.closest("a[data-term]") : null;
    return link && !link.closest(".preview") ? link : null;
  }
  function setUpPreviews() {
    build();
    document.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || "mouse"; }, true);
    document.addEventListener("mouseover", function (event) { var link = linkFrom(event); if (link && lastPointer !== "touch") { open(link); } });
    document.addEventListener("mouseout", function (event) { if (linkFrom(event) === owner && owner) { scheduleHide(); } });
    document.addEventListener("focusin", function (event) { var link = linkFrom(event); if (link) { open(link); } });
    document.addEventListener("focusout", function (event) { if (linkFrom(event) === owner) { close(); } });
    document.addEventListener("click", function (event) {
      var link = linkFrom(event);
      if (link && lastPointer === "touch" && owner !== link) { event.preventDefault(); open(link); return; }
      if (!link && owner && !preview.contains(event.target)) { close(); }
    });
    document.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && owner && !preview.hidden) { close(); }
    });
  }

  /* Source pages: the passage named in the address is highlighted and brought into view. */
  function showPassage() {
    document.querySelectorAll("mark.current").forEach(function (m) { m.classList.remove("current"); });
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id || !document.getElementById(id)) { return; }
    var marks = document.querySelectorAll('mark[data-q~="' + id.replace(/"/g, "") + '"]');
    marks.forEach(function (m) { m.classList.add("current"); });
    if (marks.length) {
      marks[0].scrollIntoView({ block: "center" });
    }
  }

  setUpSearch();
  setUpPreviews();
  if (document.body.classList.contains("source-page")) {
    window.addEventListener("hashchange", showPassage);
    showPassage();
  }
}());
