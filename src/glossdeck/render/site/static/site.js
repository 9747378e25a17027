/* glossdeck site: search (index page), previews of linked terms, and the cited passage a link points to. */
(function () {
  "use strict";
  /* Each page carries the name and gloss of the terms it links (so its weight never grows with the glossary). */
  var byId = {};
  var data = document.getElementById("term-previews");
  if (data) {
    var parsed = JSON.parse(data.textContent);
    Object.keys(parsed).forEach(function (id) { byId[id] = { id: id, term: parsed[id][0], gloss: parsed[id][1] }; });
  }

  /* Search (the search page only): MiniSearch loads the index the build made (a script, not a fetch, so it
     works opened from disk). The fields and tokenizing must be those the build used (render/site/search.py). */
  var SEARCH = {
    fields: ["term", "aliases", "joined", "spellings", "gloss", "definition"],
    storeFields: ["term", "aliases", "gloss", "url"],
    searchOptions: { boost: { term: 4, joined: 4, aliases: 3, spellings: 2, gloss: 1.5 }, prefix: true, fuzzy: 0.25 }
  };
  function joinedForm(text) { return text.toLowerCase().replace(/[\s\-\u2010\u2011\u2013_]+/g, ""); }
  /* The words as typed (all of them, or failing that any), or the whole query typed without its spaces and
     hyphens: "mesaoptimizer", "orthogonality-thesis" and "super intelligence" all find their term. */
  function query(text, combineWith) {
    return { combineWith: "OR", queries: [{ queries: [text], combineWith: combineWith },
                                          { queries: [joinedForm(text)], fields: ["joined"], boost: { joined: 12 } }] };
  }
  function setUpSearch() {
    var input = document.getElementById("search-input");
    if (!input || !window.MiniSearch || !window.GLOSSDECK_SEARCH) { return; }
    var engine = window.MiniSearch.loadJSON(window.GLOSSDECK_SEARCH, SEARCH);
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    function matches(name, words) {
      var lower = name.toLowerCase(), joined = joinedForm(name);
      return words.filter(function (w) {  /* "mesaoptimizers" is the name "mesa-optimizer" too */
        return lower.indexOf(w) >= 0 || joined.indexOf(w) >= 0 || (joined.length > 3 && w.indexOf(joined) === 0);
      }).length;
    }
    function show() {
      var text = input.value.trim();
      list.textContent = "";
      if (!text) { status.textContent = ""; return; }
      var hits = engine.search(query(text, "AND"));
      if (!hits.length) { hits = engine.search(query(text, "OR")); }
      hits = hits.slice(0, 20);
      status.textContent = hits.length ? hits.length + (hits.length === 1 ? " term found" : " terms found") : "No term found";
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = hit.url;
        link.textContent = hit.term;
        link.className = "result";  /* no preview: the gloss is shown beside it */
        item.appendChild(link);
        var matchedAlias = null, best = matches(hit.term, hit.terms);  /* another name that matched more words */
        hit.aliases.split(" · ").forEach(function (a) {
          var count = a ? matches(a, hit.terms) : 0;
          if (count > best) { best = count; matchedAlias = a; }
        });
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
    var asked = new URLSearchParams(location.search).get("q");
    if (asked && !input.value) { input.value = asked; }
    if (input.value) { show(); }
  }

  /* Previews (WCAG 1.4.13): shown on hover, focus or tap; hoverable; stay until pointer or focus leaves; Escape closes.
     On a touch screen the first tap on a term shows its gloss and the second follows the link: a tap also focuses
     the link (which opens the preview) before its click, so what counts is whether the preview was already
     showing when the finger came down. */
  var preview = null, owner = null, hideTimer = null, lastPointer = "mouse", armed = null;
  function termOf(link) { return byId[link.getAttribute("data-term")]; }
  function build() {
    preview = document.createElement("div");
    preview.id = "term-preview";
    preview.className = "preview";
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
    if (lastPointer === "touch") {  /* a finger cannot hover: the preview offers its own way on */
      preview.removeAttribute("role");
      var follow = document.createElement("a");
      follow.className = "preview-open";
      follow.href = link.href;
      follow.textContent = "Open “" + term.term + "” →";
      preview.appendChild(follow);
      var hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = "Or tap the term again.";
      preview.appendChild(hint);
    } else {
      preview.setAttribute("role", "tooltip");
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
  function showing(link) { return link !== null && owner === link && !preview.hidden; }
  function setUpPreviews() {
    build();
    document.addEventListener("pointerdown", function (event) {
      lastPointer = event.pointerType || "mouse";
      var link = linkFrom(event);
      armed = showing(link) ? link : null;
    }, true);
    document.addEventListener("mouseover", function (event) { var link = linkFrom(event); if (link && lastPointer !== "touch") { open(link); } });
    document.addEventListener("mouseout", function (event) { if (linkFrom(event) === owner && owner) { scheduleHide(); } });
    document.addEventListener("focusin", function (event) { var link = linkFrom(event); if (link) { open(link); } });
    document.addEventListener("focusout", function (event) {
      var into = event.relatedTarget;
      if (linkFrom(event) === owner && !(into && preview.contains(into))) { close(); }
    });
    document.addEventListener("click", function (event) {
      var link = linkFrom(event);
      if (link && lastPointer === "touch" && armed !== link) { event.preventDefault(); open(link); return; }
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
