/* cyberdiag: the territorial dashboard. Sorts a table when a column header is clicked, and
   filters the tables of municipalities and gaps by group, level, domain and gap. Inline in the
   HTML file; it fetches nothing and works offline. Rows carry their values in data-*
   attributes (data-group, data-level, data-domains, data-gaps); a cell may carry its sort key
   in data-v. */
(function () {
  "use strict";

  function key(cell) {
    var raw = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    var text = raw.trim();
    var n = Number(text);
    return text !== "" && !isNaN(n) ? { num: true, v: n } : { num: false, v: text.toLowerCase() };
  }

  function compare(a, b) {
    if (a.num && b.num) { return a.v - b.v; }
    if (a.num !== b.num) { return a.num ? -1 : 1; }
    return a.v.localeCompare(b.v, document.documentElement.lang || "fr");
  }

  function sortBy(table, th) {
    var col = th.cellIndex;
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c1 = r1.cells[col], c2 = r2.cells[col];
      if (!c1 || !c2) { return 0; }
      var d = compare(key(c1), key(c2));
      return asc ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  /* Tables with one header row: each header sorts its column. */
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || table.tHead.rows.length !== 1) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.classList.add("sort");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(table, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th); }
      });
    });
  });

  var selects = document.querySelectorAll("[data-filter]");
  var shown = document.getElementById("shown");

  function has(list, value) {
    return (" " + (list || "") + " ").indexOf(" " + value + " ") >= 0;
  }

  function apply() {
    var f = {};
    selects.forEach(function (s) { if (s.value) { f[s.getAttribute("data-filter")] = s.value; } });
    document.querySelectorAll("table.filterable tbody tr").forEach(function (tr) {
      var d = tr.dataset;
      var ok = !(f.group && d.group !== undefined && d.group !== f.group) &&
        !(f.level && d.level !== undefined && d.level !== f.level) &&
        !(f.domain && d.domains !== undefined && !has(d.domains, f.domain)) &&
        !(f.gap && d.gaps !== undefined && !has(d.gaps, f.gap));
      tr.hidden = !ok;
    });
    if (shown) {
      var table = document.getElementById("communes");
      var all = table ? table.tBodies[0].rows.length : 0;
      var n = table ? table.querySelectorAll("tbody tr:not([hidden])").length : 0;
      var min = Number(shown.getAttribute("data-min")) || 0;
      var count = n > 0 && n < min ? shown.getAttribute("data-few") + " " + min : String(n);
      shown.textContent = count + " " + shown.getAttribute("data-of") + " " + all;
    }
  }

  selects.forEach(function (s) { s.addEventListener("change", apply); });
  var reset = document.getElementById("reset");
  if (reset) {
    reset.addEventListener("click", function () {
      selects.forEach(function (s) { s.value = ""; });
      apply();
    });
  }
  apply();
})();
