// Small reusable pieces: notices, progress bars, tables, status badges, links to keys.

import { h } from "./dom.js";
import { num, percent, toNumber } from "./format.js";

export function notice(kind, ...children) {
  const role = kind === "error" ? "alert" : "status";
  return h(`p.notice.${kind}`, { role }, ...children);
}

/** The message for a failed request; a missing endpoint says clearly that it is not available. */
export function errorNotice(err, what = "") {
  if (err && err.endpointMissing) {
    return notice("unavailable", `${what ? what + ": " : ""}not available on this server yet `,
      h("span.endpoint", `(${err.method} ${err.path} is not implemented).`));
  }
  const message = err && err.message ? err.message : String(err);
  return notice("error", what ? `${what}: ` : "", message);
}

/** A determinate progress bar (0..1) with a visible percentage and message. */
export function progressBar(fraction, label, message = "") {
  const value = Math.max(0, Math.min(1, toNumber(fraction) || 0));
  return h("div.progress", {
    role: "progressbar", "aria-label": label, "aria-valuemin": "0", "aria-valuemax": "100",
    "aria-valuenow": String(Math.round(value * 100)), "aria-valuetext": `${percent(value)} ${message}`.trim(),
  },
  h("div.progress-track", h("div.progress-fill", { style: `width:${(value * 100).toFixed(1)}%` })),
  h("span.progress-text", percent(value), message ? ` — ${message}` : ""));
}

export function statusBadge(status) {
  const s = String(status || "").toUpperCase();
  return h(`span.badge.status-${s.toLowerCase() || "unknown"}`, s || "UNKNOWN");
}

/** A link to a frame's or a model's page. */
export function frameLink(name) {
  return name ? h("a", { href: `#/frames/${encodeURIComponent(name)}` }, name) : "";
}

export function modelLink(name) {
  return name ? h("a", { href: `#/models/${encodeURIComponent(name)}` }, name) : "";
}

/**
 * A table. `columns`: [{label, numeric?}], `rows`: arrays of cells (text or nodes).
 * Options: caption, className, rowClass(row, index).
 */
export function table(columns, rows, options = {}) {
  const head = h("thead", h("tr", columns.map((c) =>
    h("th", { scope: "col", class: c.numeric ? "num" : null, title: c.title || null }, c.label))));
  const body = h("tbody", rows.map((row, i) => h("tr", { class: options.rowClass ? options.rowClass(row, i) : null },
    row.map((cell, j) => (j === 0 && options.rowHeaders
      ? h("th", { scope: "row" }, cell)
      : h("td", { class: columns[j] && columns[j].numeric ? "num" : null }, cell))))));
  const tableEl = h("table", { class: ["data", options.className] },
    options.caption ? h("caption", options.caption) : null, head, body);
  // app.js makes the wrapper focusable (a labelled region) when the table scrolls sideways.
  return h("div.table-wrap", { dataset: { label: options.caption || options.label || "table" } }, tableEl);
}

/** Number of rows of an H2O TwoDimTable (column-major `data`). */
export function tableRowCount(t) {
  if (!t || !Array.isArray(t.data)) return 0;
  return t.rowcount !== undefined ? t.rowcount : (t.data[0] || []).length;
}

/** Read one column of a TwoDimTable by name (undefined when absent). */
export function tableColumn(t, name) {
  if (!t || !Array.isArray(t.columns)) return undefined;
  const index = t.columns.findIndex((c) => c.name === name);
  return index < 0 ? undefined : t.data[index];
}

/** Render an H2O TwoDimTableV3. Options: caption, maxRows, highlightDiagonal, className. */
export function twoDimTable(t, options = {}) {
  const nrows = tableRowCount(t);
  const shown = Math.min(nrows, options.maxRows || nrows);
  const numericTypes = new Set(["double", "float", "int", "long"]);
  const columns = t.columns.map((c) => ({ label: c.name || "", numeric: numericTypes.has(c.type), title: c.description }));
  const rows = [];
  for (let r = 0; r < shown; r += 1) {
    rows.push(t.columns.map((c, j) => {
      const v = t.data[j] ? t.data[j][r] : "";
      return numericTypes.has(c.type) ? num(v) : (v === null || v === undefined ? "" : String(v));
    }));
  }
  const firstIsHeader = t.columns.length > 0 && !numericTypes.has(t.columns[0].type);
  const wrap = table(columns, rows, {
    caption: options.caption === undefined ? t.name : options.caption,
    className: options.className,
    rowHeaders: firstIsHeader,
    label: t.name,
  });
  if (options.highlightDiagonal) markDiagonal(wrap, firstIsHeader ? 1 : 0);
  if (shown < nrows) wrap.append(h("p.muted", `Showing ${shown} of ${nrows} rows.`));
  return wrap;
}

function markDiagonal(wrap, offset) {
  wrap.querySelectorAll("tbody tr").forEach((tr, i) => {
    const cell = tr.children[i + offset];
    if (cell && i + offset < tr.children.length - 2) cell.classList.add("diagonal");
  });
}

/** Two-column definition list of label/value pairs (values may be nodes). */
export function facts(pairs) {
  return h("dl.facts", pairs.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => [h("dt", k), h("dd", v)]));
}

export function section(title, ...children) {
  const id = "sec-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return h("section.card", { "aria-labelledby": id, id: id + "-section" }, h("h2", { id }, title), ...children);
}
