/**
 * The page's own script, as source text (the page is one self-contained file). It takes the chart definition
 * (chartOption, inlined by its source) and the global `echarts` of the inlined library; it draws the symbols table
 * (sortable, filterable) and each failing symbol's chart when it scrolls into view. No backticks or template
 * placeholders inside: this is a plain string.
 */
export const PAGE_SCRIPT = `function (chartOption) {
  "use strict";
  var data = JSON.parse(document.getElementById("dq-data").textContent);
  var rows = data.rows;
  var failures = data.failures;
  var esc = function (s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  };
  var anchor = function (symbol) { return "sym-" + encodeURIComponent(symbol); };

  // The table of every symbol.
  var tbody = document.querySelector("#symbols tbody");
  var filter = document.getElementById("filter");
  var statusFilter = document.getElementById("status-filter");
  var shownCount = document.getElementById("shown");
  var sortKey = 1;
  var sortDir = 1;
  var statusRank = { fail: 0, error: 1, pass: 2 };
  function sortValue(row) { return sortKey === 1 ? statusRank[row[1]] : row[sortKey]; }
  function renderTable() {
    var q = filter.value.trim().toLowerCase();
    var st = statusFilter.value;
    var shown = rows.filter(function (r) {
      return (!st || r[1] === st) && (!q || r[0].toLowerCase().indexOf(q) >= 0 || r[3].indexOf(q) >= 0);
    });
    shown.sort(function (a, b) {
      var x = sortValue(a), y = sortValue(b);
      return (x < y ? -1 : x > y ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) * sortDir;
    });
    current = shown;
    drawn = 0;
    tbody.innerHTML = "";
    more();
    shownCount.textContent = shown.length + " of " + rows.length;
  }
  // Rows are added a page at a time as the table scrolls: 10,000 rows at once would hold up the page's opening.
  var current = [];
  var drawn = 0;
  var PAGE = 300;
  function more() {
    var end = Math.min(current.length, drawn + PAGE);
    var html = new Array(end - drawn);
    for (var i = drawn; i < end; i++) {
      var r = current[i];
      var name = r[1] === "fail" ? '<a href="#' + anchor(r[0]) + '">' + esc(r[0]) + "</a>" : esc(r[0]);
      html[i - drawn] = '<tr class="' + r[1] + '"><td>' + name + "</td><td>" + r[1] + "</td><td>" + r[2] + "</td><td>" +
        esc(r[3]) + "</td><td>" + esc(r[4]) + "</td><td>" + r[5] + "</td></tr>";
    }
    tbody.insertAdjacentHTML("beforeend", html.join(""));
    drawn = end;
    tbody.parentNode.setAttribute("data-rows", String(drawn));
  }
  var scroller = document.querySelector(".scroll");
  scroller.addEventListener("scroll", function () {
    if (drawn < current.length && scroller.scrollTop + scroller.clientHeight > scroller.scrollHeight - 400) more();
  });
  var pending = 0;
  filter.addEventListener("input", function () { clearTimeout(pending); pending = setTimeout(renderTable, 80); });
  statusFilter.addEventListener("change", renderTable);
  document.querySelectorAll("#symbols th").forEach(function (th, i) {
    th.addEventListener("click", function () {
      sortDir = sortKey === i ? -sortDir : 1;
      sortKey = i;
      document.querySelectorAll("#symbols th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      renderTable();
    });
  });
  renderTable();

  // A section per failing symbol: its chart beside its issues, drawn when it comes into view.
  var fields = ["close", "open", "high", "low", "volume"];
  var container = document.getElementById("failures");
  var sections = new Array(failures.length);
  for (var i = 0; i < failures.length; i++) {
    var f = failures[i];
    var marks = f.chart.marks.map(function (m) { return m.from === m.to ? m.from : m.from + ".." + m.to; });
    var issues = f.issues.map(function (issue) {
      var when = issue.date || (issue.from ? issue.from + (issue.to && issue.to !== issue.from ? " – " + issue.to : "") : "");
      return '<li class="' + issue.severity + '"><code>' + esc(issue.code) + "</code> " +
        (when ? '<span class="when">' + esc(when) + "</span> " : "") + esc(issue.message) + "</li>";
    });
    sections[i] = '<section class="failure" id="' + anchor(f.symbol) + '"><h3>' + esc(f.symbol) + ' <span class="fields"></span></h3>' +
      '<div class="pair"><div class="chart" data-index="' + i + '" data-marks="' + esc(marks.join(" ")) + '"></div>' +
      '<ul class="issues">' + issues.join("") + "</ul></div></section>";
  }
  container.innerHTML = sections.join("");

  var fieldOptions = fields.map(function (x) { return "<option>" + x + "</option>"; }).join("");
  function draw(el) {
    var f = failures[Number(el.getAttribute("data-index"))];
    var section = el.closest("section");
    var select = section.querySelector("select.field");
    if (!select) {
      section.querySelector(".fields").innerHTML = '<select class="field" aria-label="field">' + fieldOptions + "</select>";
      select = section.querySelector("select.field");
    }
    var field = select.value;
    var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "svg" });
    chart.setOption(chartOption(f.chart, field), true);
    el.setAttribute("data-rendered", field);
  }
  var charts = container.querySelectorAll(".chart");
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { observer.unobserve(e.target); draw(e.target); }
      });
    }, { rootMargin: "600px 0px" });
    charts.forEach(function (el) { observer.observe(el); });
  } else {
    charts.forEach(draw);
  }
  container.addEventListener("change", function (e) {
    if (e.target.matches("select.field")) draw(e.target.closest("section").querySelector(".chart"));
  });
  document.body.setAttribute("data-ready", "true");
}`;
