// Draws the dashboard's trend charts from the JSON the page carries (json_script), with the
// vendored Chart.js (static/vendor/chartjs). No inline script: the content security policy
// forbids it. Each canvas gets data-drawn="true" once its chart has rendered.

const COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384"];
const BAR_CHARTS = new Set(["supplies"]);

function readCharts() {
  const element = document.getElementById("dashboard-charts");
  return element ? JSON.parse(element.textContent) : {};
}

function markDrawn(chart) {
  chart.canvas.dataset.drawn = "true";
}

function draw(canvas, chart) {
  const bar = BAR_CHARTS.has(canvas.dataset.chart);
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  return new window.Chart(canvas, {
    type: bar ? "bar" : "line",
    data: {
      labels: chart.labels,
      datasets: chart.datasets.map((dataset, index) => ({
        label: dataset.label,
        data: dataset.data,
        borderColor: COLOURS[index % COLOURS.length],
        backgroundColor: COLOURS[index % COLOURS.length],
        // Straight lines between the points: a curve would suggest activity in empty weeks.
        tension: 0,
        pointRadius: 2,
      })),
    },
    options: {
      // Numbers on the axes and in the tooltips as the page's language writes them (1.234).
      locale: document.documentElement.lang || "en",
      aspectRatio: 1.6,
      animation: reduceMotion ? false : { duration: 300, onComplete: ({ chart: drawn }) => markDrawn(drawn) },
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    },
  });
}

function drawAll() {
  if (!window.Chart) {
    return;
  }
  const charts = readCharts();
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const chart = charts[canvas.dataset.chart];
    if (!chart) {
      continue;
    }
    const drawn = draw(canvas, chart);
    if (drawn.options.animation === false) {
      markDrawn(drawn);
    }
  }
}

drawAll();
