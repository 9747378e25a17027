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

  /* Search (the search page only). The build cut MiniSearch's index by the first letters of its words
     (render/site/search.py); a query loads the parts its words need, as scripts (a page opened from disk may not
     fetch files), searches each word in its part and combines the results as MiniSearch itself does (AND, or failing
     that OR, with the whole query typed without spaces as a further alternative). */
  var META = window.GLOSSDECK_SEARCH_META;
  var FIRST = "glossdeck:first-result";
  var SPACE_OR_PUNCTUATION = /[\n\r\p{Z}\p{P}]+/u;  /* MiniSearch's own */
  var BOOST = { term: 4, joined: 4, aliases: 3, spellings: 2, gloss: 1.5 };
  var arrived = {}, waiting = {}, engines = {};
  window.GLOSSDECK_SEARCH_PART = function (key, payload) {
    arrived[key] = payload;
    (waiting[key] || []).forEach(function (done) { done(); });
    delete waiting[key];
  };
  function joinedForm(text) { return text.toLowerCase().replace(/[\s\-\u2010\u2011\u2013_]+/g, ""); }
  function keep(term) {  /* MiniSearch's processTerm, as the build used it */
    var lower = term.toLowerCase();
    return lower.length < 2 || META.stop.indexOf(lower) >= 0 ? null : lower;
  }
  function load(key, file) {
    return new Promise(function (resolve, reject) {
      if (key in arrived) { resolve(); return; }
      if (!waiting[key]) {
        waiting[key] = [];
        var script = document.createElement("script");
        script.src = "assets/search/" + file;
        script.onerror = reject;
        document.head.appendChild(script);
      }
      waiting[key].push(resolve);
    });
  }
  /* The parts a word is looked for in: the one of the longest key it starts with, and for a word shorter than
     the keys, the parts of every key it starts (a prefix search for "sh" needs "sha" and "she" too). */
  function partsOf(word) {
    var found = [], best = null;
    META.parts.forEach(function (key) {
      if (word.indexOf(key) === 0 && (best === null || key.length > best.length)) { best = key; }
      if (key.indexOf(word) === 0 && key.length > word.length) { found.push(key); }
    });
    return best === null ? found : [best].concat(found);
  }
  function partFile(key) {
    return "i-" + Array.from(key).map(function (c) { return c.codePointAt(0).toString(16); }).join("-") + ".js";
  }
  function engine(key) {
    if (!engines[key]) {
      var data = JSON.parse(arrived[key]), ids = {}, lengths = {}, fieldIds = {};
      data.docs.forEach(function (doc, i) { ids[doc] = doc; lengths[doc] = data.lengths[i]; });
      META.fields.forEach(function (field, i) { fieldIds[field] = i; });
      engines[key] = window.MiniSearch.loadJS({
        documentCount: META.count, nextId: META.count, documentIds: ids, fieldIds: fieldIds, fieldLength: lengths,
        averageFieldLength: META.average, storedFields: {}, dirtCount: 0, index: data.index, serializationVersion: 2
      }, { fields: META.fields, processTerm: keep });
    }
    return engines[key];
  }
  /* One word's matches, as MiniSearch keeps them before combining: document → score, query words, matches. */
  function matchesOf(word, options) {
    return partsOf(word).reduce(function (found, key) {  /* a word's matches in several parts add up */
      var here = new Map();
      engine(key).search(word, options).forEach(function (hit) {
        here.set(hit.id, { score: hit.score / (hit.queryTerms.length || 1), terms: hit.queryTerms.slice(), match: hit.match });
      });
      return combine(found, here, "OR");
    }, new Map());
  }
  function combine(a, b, how) {  /* MiniSearch's AND and OR combinators */
    var out = how === "AND" ? new Map() : a;
    b.forEach(function (hit, doc) {
      var old = a.get(doc);
      if (!old) { if (how === "OR") { out.set(doc, hit); } return; }
      hit.terms.forEach(function (t) { if (old.terms.indexOf(t) < 0) { old.terms.push(t); } });
      out.set(doc, { score: old.score + hit.score, terms: old.terms, match: Object.assign(old.match, hit.match) });
    });
    return out;
  }
  function wordsOf(text) {
    return text.split(SPACE_OR_PUNCTUATION).map(keep).filter(function (w) { return !!w; });
  }
  /* The parts a query needs, loaded; then its results, best first (each: id, score, terms, queryTerms). */
  function search(text, how, fuzzy) {
    fuzzy = fuzzy === undefined ? 0.25 : fuzzy;  /* a typo in a word's first letters is not forgiven: see render/site/search.py */
    var words = wordsOf(text), whole = wordsOf(joinedForm(text));
    var keys = [];
    words.concat(whole).forEach(function (w) { partsOf(w).forEach(function (k) { if (keys.indexOf(k) < 0) { keys.push(k); } }); });
    return Promise.all(keys.map(function (k) { return load(k, partFile(k)); })).then(function () {
      var all = null;
      words.forEach(function (word) {
        var here = matchesOf(word, { prefix: true, fuzzy: fuzzy, boost: BOOST });
        all = all === null ? here : combine(all, here, how);
      });
      all = all || new Map();
      whole.forEach(function (word) {  /* the query typed without its spaces and hyphens, as one more way in */
        all = combine(all, matchesOf(word, { prefix: true, fuzzy: fuzzy, fields: ["joined"], boost: { joined: 12 } }), "OR");
      });
      var results = [];
      all.forEach(function (hit, doc) {
        results.push({ id: doc, score: hit.score * (hit.terms.length || 1), terms: Object.keys(hit.match), queryTerms: hit.terms });
      });
      return results.sort(function (x, y) { return y.score - x.score; });
    });
  }
  /* What the results show (name, other names, gloss, address), from the display parts they are in. */
  function shown(hits) {
    var chunks = [];
    hits.forEach(function (hit) { var c = Math.floor(hit.id / META.chunk); if (chunks.indexOf(c) < 0) { chunks.push(c); } });
    return Promise.all(chunks.map(function (c) { return load("d" + c, "d-" + c + ".js"); })).then(function () {
      return hits.map(function (hit) {
        var row = JSON.parse(arrived["d" + Math.floor(hit.id / META.chunk)])[hit.id % META.chunk];
        return { term: row[0], aliases: row[1], gloss: row[2], url: row[3], terms: hit.terms };
      });
    });
  }
  function setUpSearch() {
    var input = document.getElementById("search-input");
    if (!input || !window.MiniSearch || !META) { return; }
    window.glossdeckSearch = search;  /* for the tests, which compare it with one MiniSearch over the whole index */
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    function matches(name, words) {
      var lower = name.toLowerCase(), joined = joinedForm(name);
      return words.filter(function (w) {  /* "mesaoptimizers" is the name "mesa-optimizer" too */
        return lower.indexOf(w) >= 0 || joined.indexOf(w) >= 0 || (joined.length > 3 && w.indexOf(joined) === 0);
      }).length;
    }
    function render(results, count) {
      list.textContent = "";
      status.textContent = count ? count + (count === 1 ? " term found" : " terms found") : "No term found";
      results.forEach(function (hit) {
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
      if (results.length && window.performance && !performance.getEntriesByName(FIRST).length) {
        performance.mark(FIRST);  /* when the first result showed, for bench/site.py */
      }
    }
    function show() {
      var text = input.value.trim();
      if (!text) { list.textContent = ""; status.textContent = ""; return; }
      search(text, "AND").then(function (hits) {
        return hits.length ? hits : search(text, "OR");
      }).then(function (hits) {
        return shown(hits.slice(0, 20)).then(function (results) {
          if (input.value.trim() === text) { render(results, Math.min(hits.length, 20)); }  /* not if typed on */
        });
      }).catch(function () { status.textContent = "The search index could not be read."; });
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
