/* Site search: Pagefind's index (pagefind/, built with every build) queried in the page.
   Results are built with textContent only; Pagefind's excerpt marks become <mark>
   elements. Without this script the page lists where to look instead. */
(function () {
  "use strict";
  var PAGE = 10;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }
  // Pagefind's excerpt is HTML-escaped text with <mark> around the hits.
  function excerpt(html) {
    var p = document.createElement("p"), parts = String(html).split(/(<mark>|<\/mark>)/), marked = false, i;
    var decode = new DOMParser();
    p.className = "search-excerpt";
    for (i = 0; i < parts.length; i++) {
      if (parts[i] === "<mark>") { marked = true; continue; }
      if (parts[i] === "</mark>") { marked = false; continue; }
      var text = decode.parseFromString("<!doctype html><body>" + parts[i], "text/html").body.textContent;
      if (marked) {
        var m = document.createElement("mark");
        m.textContent = text;
        p.appendChild(m);
      } else {
        p.appendChild(document.createTextNode(text));
      }
    }
    return p;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".search-page");
    if (!form) { return; }
    var root = form.getAttribute("data-root");
    var input = form.querySelector("input[name=q]");
    var fieldset = form.querySelector(".search-filters-box");
    var selects = form.querySelectorAll("select[data-filter]");
    var status = document.querySelector(".search-status");
    var list = document.querySelector(".search-results");
    var nojs = document.querySelector(".search-nojs");
    var t = function (name) { return form.getAttribute("data-t-" + name); };
    var pagefind = null, current = 0, more = null;
    if (nojs) { nojs.hidden = true; }

    function filters() {
      var out = {}, i;
      for (i = 0; i < selects.length; i++) {
        if (selects[i].value) { out[selects[i].getAttribute("data-filter")] = selects[i].value; }
      }
      return out;
    }
    function addResults(results, from) {
      var slice = results.slice(from, from + PAGE);
      return Promise.all(slice.map(function (r) { return r.data(); })).then(function (items) {
        items.forEach(function (data) {
          var li = document.createElement("li"), a = document.createElement("a"), kind;
          li.className = "search-result";
          a.href = root + String(data.url).replace(/^\/+/, "");
          a.textContent = (data.meta && data.meta.title) || data.url;
          kind = data.filters && data.filters.kind && data.filters.kind[0];
          if (kind) {
            var k = document.createElement("span");
            k.className = "search-kind";
            k.textContent = kind;
            li.appendChild(k);
          }
          li.appendChild(a);
          li.appendChild(excerpt(data.excerpt || ""));
          list.appendChild(li);
        });
        if (more) { more.remove(); more = null; }
        if (from + PAGE < results.length) {
          more = document.createElement("button");
          more.type = "button";
          more.className = "search-more";
          more.textContent = t("more");
          more.addEventListener("click", function () { addResults(results, from + PAGE); });
          list.parentNode.insertBefore(more, list.nextSibling);
        }
      });
    }
    function run() {
      var q = input.value.trim(), f = filters(), token = ++current;
      list.textContent = "";
      if (more) { more.remove(); more = null; }
      if (!q && !Object.keys(f).length) { status.textContent = ""; return; }
      status.textContent = t("loading");
      pagefind.search(q || null, { filters: f }).then(function (search) {
        if (token !== current) { return; }
        var n = search.results.length;
        status.textContent = n ? fill(t("count"), { n: n }) : t("none");
        return addResults(search.results, 0);
      }).catch(function () { status.textContent = t("failed"); if (nojs) { nojs.hidden = false; } });
    }
    function fromUrl() {
      var params = new URLSearchParams(window.location.search), i;
      input.value = params.get("q") || "";
      for (i = 0; i < selects.length; i++) {
        selects[i].value = params.get(selects[i].getAttribute("data-filter")) || "";
      }
    }
    function toUrl() {
      var url = new URL(window.location.href), f = filters(), i;
      url.search = "";
      if (input.value.trim()) { url.searchParams.set("q", input.value.trim()); }
      for (i = 0; i < selects.length; i++) {
        var key = selects[i].getAttribute("data-filter");
        if (f[key]) { url.searchParams.set(key, f[key]); }
      }
      window.history.replaceState(null, "", url.toString());
    }
    var bundle = new URL(root + form.getAttribute("data-bundle"), window.location.href).href;
    var merged = (form.getAttribute("data-merged") || "").split(" ").filter(Boolean).map(function (path) {
      return new URL(root + path, window.location.href).href;
    });
    import(bundle + "pagefind.js").then(function (pf) {
      pagefind = pf;
      return pf.options({ basePath: bundle, baseUrl: "/", excerptLength: 40 });
    }).then(function () {
      // The demands' summaries are a bundle of their own (see generator/site/search.py).
      return Promise.all(merged.map(function (path) { return pagefind.mergeIndex(path, { baseUrl: "/" }); }));
    }).then(function () {
      return pagefind.filters();
    }).then(function (available) {
      Array.prototype.forEach.call(selects, function (select) {
        var values = available[select.getAttribute("data-filter")] || {};
        var keys = Object.keys(values).sort(function (a, b) { return a.localeCompare(b, "zh-CN"); });
        if (!keys.length) { select.parentNode.hidden = true; return; }
        keys.forEach(function (value) {
          var o = document.createElement("option");
          o.value = value;
          o.textContent = value + "（" + values[value] + "）";
          select.appendChild(o);
        });
        select.addEventListener("change", function () { toUrl(); run(); });
      });
      fieldset.hidden = false;
      fromUrl();
      fieldset.open = Object.keys(filters()).length > 0;
      form.addEventListener("submit", function (event) { event.preventDefault(); toUrl(); run(); });
      run();
    }).catch(function () {
      status.textContent = t("failed");
      if (nojs) { nojs.hidden = false; }
    });
  });
})();
