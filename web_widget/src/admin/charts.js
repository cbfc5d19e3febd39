// Bar charts for the Analytics page, drawn by Chart.js (only its bar chart, its two scales,
// tooltips and the legend are bundled). Every chart is a canvas named for screen readers
// (role img, a one-line summary) beside a table of the same numbers; animation is off.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = "#1d2330";
Chart.defaults.borderColor = "#e3e7ee";
Chart.defaults.animation = false;

// Each at least 3:1 against white (WCAG 1.4.11), and told apart by more than hue: the legend
// and the table name each series.
export const COLORS = {
  blue: "#2f5bea",
  violet: "#7c3aed",
  orange: "#c2410c",
  green: "#0f7b45",
  slate: "#4f5665",
};

// `canvas` must be in the page. `opts`: labels, datasets [{label, data, color}], horizontal,
// stacked, percent (values are 0–100, the axis says %), tooltip(datasetIndex, index) → text.
export function barChart(canvas, { labels, datasets, horizontal = false, stacked = false, percent = false, legend, tooltip, lang }) {
  const value = horizontal ? "x" : "y";
  const category = horizontal ? "y" : "x";
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const scales = {
    [value]: {
      beginAtZero: true,
      stacked,
      ...(percent ? { max: 100 } : {}),
      ticks: {
        precision: percent ? undefined : 0,
        callback: (v) => (percent ? `${number.format(v)} %` : number.format(v)),
      },
    },
    [category]: { stacked, grid: { display: false }, ticks: { autoSkip: false } },
  };
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: datasets.map((d) => ({
        label: d.label,
        data: d.data,
        backgroundColor: d.color,
        borderColor: d.color,
        borderWidth: 0,
        borderRadius: 3,
        maxBarThickness: 26,
      })),
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales,
      plugins: {
        legend: { display: legend ?? datasets.length > 1, position: "bottom", labels: { boxWidth: 12, boxHeight: 12 } },
        tooltip: {
          callbacks: tooltip
            ? { label: (item) => tooltip(item.datasetIndex, item.dataIndex) }
            : percent ? { label: (item) => `${item.dataset.label}: ${number.format(item.raw)} %` } : {},
        },
      },
    },
  });
}
