/* 查询我的诉求: find a demand by its receipt number in the small JSON shard of its range.
   lookupKey and rangeKey must equal generator/site/lookup.py's (tests/test_lookup.py
   runs both on the same numbers). Without this script the form leads to the index of
   ranges, a page per range of numbers. */
(function () {
  "use strict";
  var NUMBERED = /^[a-z0-9-]*[0-9]{3}$/;

  function lookupKey(text) {
    return String(text).normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }
  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), h = 0x811c9dc5, i;
    for (i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  function rangeKey(key, buckets) {
    if (NUMBERED.test(key)) { return key.slice(0, -2); }
    var hex = (fnv1a(key) % buckets).toString(16);
    while (hex.length < 3) { hex = "0" + hex; }
    return "x" + hex;
  }
  window.gongshiLookup = { lookupKey: lookupKey, rangeKey: rangeKey };

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }
  function dateCn(iso) {
    if (!iso) { return ""; }
    var p = iso.split("-");
    return p[0] + "年" + Number(p[1]) + "月" + Number(p[2]) + "日";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".lookup-form");
    if (!form) { return; }
    var input = form.querySelector("input[name=id]");
    var status = document.querySelector(".lookup-status");
    var result = document.querySelector(".lookup-result");
    var nojs = document.querySelector(".lookup-nojs");
    var root = form.getAttribute("data-root");
    var shards = form.getAttribute("data-shards");
    var buckets = Number(form.getAttribute("data-buckets"));
    var cache = {};
    if (nojs) { nojs.hidden = true; }

    function field(name) { return result.querySelector("[data-field=" + name + "]"); }
    function show(message) {
      result.hidden = true;
      status.textContent = message;
    }
    function setText(name, text) {
      var el = field(name);
      el.textContent = text || el.getAttribute("data-empty") || "—";
    }
    function toggle(cls, on) {
      var els = result.querySelectorAll("." + cls), i;
      for (i = 0; i < els.length; i++) { els[i].hidden = !on; }
    }
    function render(d, p) {
      setText("id", d.id);
      setText("received", dateCn(d.received));
      setText("community", d.community);
      setText("stage", d.stage);
      setText("decline", d.decline);
      toggle("if-decline", !!d.decline);
      toggle("if-project", !!p);
      var cell = field("project");
      cell.textContent = "";
      if (p) {
        var a = document.createElement("a");
        a.href = root + p.url;
        a.textContent = p.title;
        cell.appendChild(a);
        setText("status", p.status + (p.light_label ? "（" + p.light_label + "）" : ""));
        setText("deadline", dateCn(p.deadline));
        var done = p.completed ? dateCn(p.completed) + (p.outcome ? "：" + p.outcome : "") : "";
        setText("result", done);
      } else {
        cell.textContent = cell.getAttribute("data-empty");
      }
      field("permalink").href = root + "demands/" + rangeKey(lookupKey(d.id), buckets) + "/#d-" + lookupKey(d.id);
      status.textContent = "";
      result.hidden = false;
      result.querySelector("h2").focus();
    }
    function load(rkey) {
      if (cache[rkey]) { return cache[rkey]; }
      cache[rkey] = fetch(root + shards + rkey + ".json").then(function (r) {
        if (r.status === 404) { return { demands: {}, projects: {} }; }
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      });
      cache[rkey].catch(function () { delete cache[rkey]; });
      return cache[rkey];
    }
    function lookup(typed) {
      var key = lookupKey(typed);
      if (!key) { show(form.getAttribute("data-t-empty")); return; }
      show(form.getAttribute("data-t-loading"));
      load(rangeKey(key, buckets)).then(function (shard) {
        var d = shard.demands[key];
        if (!d) {
          show(fill(form.getAttribute("data-t-not-found"), { id: typed.trim(), contact: form.getAttribute("data-contact") }));
          return;
        }
        render(d, d.project ? shard.projects[d.project] : null);
      }, function () {
        show(form.getAttribute("data-t-failed"));
      });
    }
    result.querySelector("h2").tabIndex = -1;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = new URL(window.location.href);
      url.searchParams.set("id", input.value);
      window.history.replaceState(null, "", url.toString());
      lookup(input.value);
    });
    var given = new URLSearchParams(window.location.search).get("id");
    if (given) {
      input.value = given;
      lookup(given);
    }
  });
})();
