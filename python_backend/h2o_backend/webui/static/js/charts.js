// Two small SVG charts written for this interface: a line chart and a horizontal bar chart.

import { s } from "./dom.js";
import { num, toNumber } from "./format.js";

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const rough = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((st) => st >= rough);
  const ticks = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  if (ticks.length && ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function scale(domainLo, domainHi, rangeLo, rangeHi) {
  const span = domainHi - domainLo || 1;
  return (v) => rangeLo + ((v - domainLo) / span) * (rangeHi - rangeLo);
}

/**
 * A line chart. `series`: [{name, points: [[x, y], ...], className}] (non-finite points skipped).
 * Options: title, xLabel, yLabel, width, height. Answers an <svg role="img">.
 */
export function lineChart(series, options = {}) {
  const width = options.width || 640;
  const height = options.height || 320;
  const margin = { top: 20, right: 20, bottom: 50, left: 70 };
  const clean = series.map((sr) => ({ ...sr, points: sr.points
    .map(([x, y]) => [toNumber(x), toNumber(y)])
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }))
    .filter((sr) => sr.points.length > 0);
  const all = clean.flatMap((sr) => sr.points);
  const svg = s("svg", { class: "chart line-chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": options.title || "line chart", preserveAspectRatio: "xMidYMid meet" },
  s("title", {}, options.title || "line chart"));
  if (all.length === 0) {
    svg.append(s("text", { x: width / 2, y: height / 2, class: "chart-empty", "text-anchor": "middle" }, "No data to plot"));
    return svg;
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xTicks = niceTicks(Math.min(0, ...xs), Math.max(...xs));
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const x = scale(xTicks[0], xTicks[xTicks.length - 1], margin.left, width - margin.right);
  const y = scale(yTicks[0], yTicks[yTicks.length - 1], height - margin.bottom, margin.top);
  svg.append(axes(xTicks, yTicks, x, y, { width, height, margin, ...options }));
  clean.forEach((sr, index) => {
    const cls = sr.className || `series-${index}`;
    const d = sr.points.map(([px, py], i) => `${i ? "L" : "M"}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(" ");
    const group = s("g", { class: `series ${cls}` }, s("path", { d, class: "line" }));
    sr.points.forEach(([px, py]) => group.append(s("circle", { cx: x(px).toFixed(1), cy: y(py).toFixed(1), r: index === 0 ? 3 : 5, class: "dot" },
      s("title", {}, `${sr.name}: ${num(py)} at ${options.xLabel || "x"} ${num(px)}`))));
    svg.append(group);
  });
  svg.append(legend(clean, width - margin.right, margin.top));
  return svg;
}

function axes(xTicks, yTicks, x, y, o) {
  const g = s("g", { class: "axes" });
  const bottom = o.height - o.margin.bottom;
  for (const t of yTicks) {
    g.append(s("line", { x1: o.margin.left, x2: o.width - o.margin.right, y1: y(t), y2: y(t), class: "grid" }));
    g.append(s("text", { x: o.margin.left - 6, y: y(t) + 4, "text-anchor": "end", class: "tick" }, num(t, 3)));
  }
  for (const t of xTicks) {
    g.append(s("line", { x1: x(t), x2: x(t), y1: bottom, y2: bottom + 5, class: "tick-mark" }));
    g.append(s("text", { x: x(t), y: bottom + 18, "text-anchor": "middle", class: "tick" }, num(t, 3)));
  }
  g.append(s("line", { x1: o.margin.left, x2: o.width - o.margin.right, y1: bottom, y2: bottom, class: "axis" }));
  g.append(s("line", { x1: o.margin.left, x2: o.margin.left, y1: o.margin.top, y2: bottom, class: "axis" }));
  if (o.xLabel) g.append(s("text", { x: (o.margin.left + o.width - o.margin.right) / 2, y: o.height - 10, "text-anchor": "middle", class: "axis-label" }, o.xLabel));
  if (o.yLabel) {
    const cy = (o.margin.top + bottom) / 2;
    g.append(s("text", { x: 16, y: cy, transform: `rotate(-90 16 ${cy})`, "text-anchor": "middle", class: "axis-label" }, o.yLabel));
  }
  return g;
}

function legend(series, right, top) {
  const g = s("g", { class: "legend" });
  series.forEach((sr, i) => {
    const cls = sr.className || `series-${i}`;
    const yy = top + 4 + i * 18;
    g.append(s("g", { class: `series ${cls}` },
      s("line", { x1: right - 150, x2: right - 130, y1: yy, y2: yy, class: "line" }),
      s("text", { x: right - 124, y: yy + 4, class: "legend-text" }, sr.name)));
  });
  return g;
}

/**
 * A horizontal bar chart of `items` [{label, value}] (values >= 0), largest first as given.
 * Options: title, width, valueFormat.
 */
export function barChart(items, options = {}) {
  const width = options.width || 640;
  const barHeight = 18;
  const gap = 6;
  const labelWidth = Math.min(220, 12 + 7 * Math.max(4, ...items.map((it) => String(it.label).length)));
  const height = items.length * (barHeight + gap) + 10;
  const max = Math.max(...items.map((it) => toNumber(it.value)).filter(Number.isFinite), 0) || 1;
  const x = scale(0, max, labelWidth, width - 70);
  const svg = s("svg", { class: "chart bar-chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": options.title || "bar chart" }, s("title", {}, options.title || "bar chart"));
  const format = options.valueFormat || ((v) => num(v, 3));
  items.forEach((it, i) => {
    const yy = 5 + i * (barHeight + gap);
    const v = Math.max(0, toNumber(it.value) || 0);
    svg.append(s("g", { class: "bar-row" },
      s("text", { x: labelWidth - 8, y: yy + barHeight - 5, "text-anchor": "end", class: "bar-label" }, it.label),
      s("rect", { x: labelWidth, y: yy, width: Math.max(1, x(v) - labelWidth).toFixed(1), height: barHeight, class: "bar" },
        s("title", {}, `${it.label}: ${format(v)}`)),
      s("text", { x: x(v) + 6, y: yy + barHeight - 5, class: "bar-value" }, format(v))));
  });
  return svg;
}
