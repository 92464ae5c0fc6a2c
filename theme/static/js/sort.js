/* Sortable tables (class "sortable"): a button in each header whose column has data-sort
   values; a second click reverses. The table reads fully without it, in its default order. */
(function () {
  function value(cell) {
    var v = cell ? cell.getAttribute("data-sort") : null;
    if (v === null || v === "") { return null; }
    var n = Number(v);
    return isNaN(n) ? v : n;
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var down = th.getAttribute("aria-sort") !== "descending";
    rows.sort(function (a, b) {
      var x = value(a.cells[col]), y = value(b.cells[col]);
      if (x === y) { return 0; }
      if (x === null) { return 1; }
      if (y === null) { return -1; }
      return (x < y ? -1 : 1) * (down ? -1 : 1);
    });
    for (var i = 0; i < rows.length; i++) { body.appendChild(rows[i]); }
    var heads = table.tHead.rows[0].cells;
    for (var j = 0; j < heads.length; j++) { heads[j].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", down ? "descending" : "ascending");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var tables = document.querySelectorAll("table.sortable");
    for (var t = 0; t < tables.length; t++) {
      var heads = tables[t].tHead.rows[0].cells;
      for (var c = 0; c < heads.length; c++) {
        if (!heads[c].hasAttribute("data-sortable")) { continue; }
        var b = document.createElement("button");
        b.type = "button";
        while (heads[c].firstChild) { b.appendChild(heads[c].firstChild); }
        heads[c].appendChild(b);
        b.addEventListener("click", (function (table, col, th) {
          return function () { sortBy(table, col, th); };
        })(tables[t], c, heads[c]));
      }
    }
  });
})();
