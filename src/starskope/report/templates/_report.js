(function () {
  "use strict";
  var holder = document.getElementById("starskope-report-data");
  if (!holder) { return; }
  var doc = JSON.parse(holder.textContent);
  var figures = doc.figures || {};
  var nodes = document.querySelectorAll("[data-figure]");
  if (typeof Plotly === "undefined") {
    nodes.forEach(function (div) {
      div.textContent = "Plotly.js could not be loaded: the figures cannot be drawn.";
      div.classList.add("sk-plot-missing");
    });
    return;
  }
  var config = {displaylogo: false, responsive: true,
                modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d"],
                toImageButtonOptions: {format: "png", scale: 2}};
  nodes.forEach(function (div) {
    var fig = figures[div.getAttribute("data-figure")];
    if (!fig) { return; }
    Plotly.newPlot(div, fig.data, fig.layout, config).then(function () {
      div.classList.add("sk-rendered");
    });
  });
  document.documentElement.setAttribute("data-report-ready", "1");
})();
