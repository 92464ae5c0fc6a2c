/* Community finder type-ahead (home page). The page works without it: every community is
   a plain link two taps from home. With it, a resident types a few characters of a
   community or subdistrict name, or its pinyin initials (qh for 青禾), and gets links.
   The data (communities/finder.json, see generator/site/pages/finder_data.py) is fetched
   only when the box is first focused, so the home page stays light at city size. */
(function () {
  var LIMIT = 12;
  function start() {
    var box = document.querySelector(".finder-type");
    if (!box || !window.fetch) { return; }
    var input = box.querySelector("input"), status = box.querySelector(".finder-status"),
        list = box.querySelector(".finder-results"), rows = null, loading = null;
    box.hidden = false;

    function load() {
      if (!loading) {
        loading = fetch(box.getAttribute("data-src"), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { rows: [] }; })
          .then(function (d) { rows = flatten(d); render(); })
          .catch(function () { rows = []; });
      }
      return loading;
    }

    // Rows of [name, initials, url, subdistrict name].
    function flatten(d) {
      var out = [], s = d.s || [], c = d.c || [], i;
      for (i = 0; i < s.length; i++) { out.push([s[i][0], s[i][1], s[i][2], ""]); }
      for (i = 0; i < c.length; i++) {
        out.push([c[i][0], c[i][1], "communities/" + c[i][2] + "/", c[i][3] >= 0 ? s[c[i][3]][0] : ""]);
      }
      return out;
    }

    function matches(q) {
      var out = [], lower = q.toLowerCase(), ascii = /^[a-z0-9]+$/.test(lower), i, r;
      for (i = 0; i < rows.length; i++) {
        r = rows[i];
        if (r[0].indexOf(q) >= 0 || (ascii && r[1].indexOf(lower) === 0)) { out.push(r); }
      }
      // Names that start with what was typed first, then shorter names.
      out.sort(function (a, b) {
        var sa = a[0].indexOf(q) === 0 || a[1].indexOf(lower) === 0 ? 0 : 1,
            sb = b[0].indexOf(q) === 0 || b[1].indexOf(lower) === 0 ? 0 : 1;
        return sa - sb || a[0].length - b[0].length;
      });
      return out;
    }

    function render() {
      var q = input.value.replace(/\s+/g, ""), found, i, li, a, sub;
      list.textContent = "";
      if (!q) { status.textContent = ""; return; }
      if (rows === null) { return; }
      found = matches(q);
      for (i = 0; i < found.length && i < LIMIT; i++) {
        li = document.createElement("li");
        a = document.createElement("a");
        a.href = box.getAttribute("data-root") + found[i][2];
        a.textContent = found[i][0];
        li.appendChild(a);
        if (found[i][3]) {
          sub = document.createElement("span");
          sub.className = "finder-in";
          sub.textContent = found[i][3];
          li.appendChild(document.createTextNode(" "));
          li.appendChild(sub);
        }
        list.appendChild(li);
      }
      status.textContent = !found.length ? box.getAttribute("data-none")
        : found.length > LIMIT ? box.getAttribute("data-more").replace("{n}", LIMIT)
        : box.getAttribute("data-count").replace("{n}", found.length);
    }

    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load(); render(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
