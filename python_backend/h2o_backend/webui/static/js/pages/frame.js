// One frame: the column summary (types, min/max/mean/sigma, missing, cardinality) and the first rows.

import { del, get, path } from "../api.js";
import { h, replace } from "../dom.js";
import { bytes, count, dataTime, num, toNumber } from "../format.js";
import { errorNotice, facts, notice, section, table } from "../widgets.js";

const PREVIEW_ROWS = 10;
const PREVIEW_COLUMNS = 60;

const first = (v) => (Array.isArray(v) ? v[0] : v);

function cardinality(col) {
  if (Array.isArray(col.domain)) return col.domain.length;
  return col.domain_cardinality > 0 ? col.domain_cardinality : "";
}

function summaryTable(columns) {
  const rows = columns.map((c, i) => {
    const numeric = ["real", "int", "time"].includes(c.type);
    const stat = (v) => (numeric ? (c.type === "time" ? dataTime(first(v)) : num(first(v))) : "");
    return [String(i + 1), c.label, c.type, stat(c.mins), stat(c.maxs),
      numeric && c.type !== "time" ? num(c.mean) : "", numeric && c.type !== "time" ? num(c.sigma) : "",
      num(c.missing_count), numeric ? num(c.zero_count) : "", num(cardinality(c))];
  });
  return table([{ label: "#", numeric: true }, { label: "Column" }, { label: "Type" }, { label: "Min", numeric: true },
    { label: "Max", numeric: true }, { label: "Mean", numeric: true }, { label: "Sigma", numeric: true },
    { label: "Missing", numeric: true }, { label: "Zeros", numeric: true }, { label: "Cardinality", numeric: true }],
  rows, { caption: `Column summary (${columns.length} columns)`, className: "summary" });
}

/** One cell of the preview: enum codes become levels, times dates, numbers formatted. */
function cell(col, r) {
  if (col.type === "string" || col.type === "uuid") {
    const v = (col.string_data || col.data || [])[r];
    return v === null || v === undefined ? "" : String(v);
  }
  const v = (col.data || [])[r];
  const n = toNumber(v);
  if (v === null || v === undefined || Number.isNaN(n)) return h("span.missing", "NA");
  if (col.type === "enum") return Array.isArray(col.domain) && col.domain[n] !== undefined ? col.domain[n] : String(v);
  if (col.type === "time") return dataTime(n);
  return num(n, 6);
}

function previewTable(frame) {
  const columns = (frame.columns || []).slice(0, PREVIEW_COLUMNS);
  const nrows = Math.min(PREVIEW_ROWS, Math.max(0, ...columns.map((c) => (c.data || c.string_data || []).length)));
  const rows = [];
  for (let r = 0; r < nrows; r += 1) rows.push([String(r + 1), ...columns.map((c) => cell(c, r))]);
  const numeric = (c) => ["real", "int"].includes(c.type);
  const wrap = table([{ label: "Row", numeric: true }, ...columns.map((c) => ({ label: c.label, numeric: numeric(c) }))],
    rows, { caption: `First ${nrows} rows`, className: "preview" });
  if ((frame.columns || []).length > PREVIEW_COLUMNS) {
    wrap.append(h("p.muted", `Showing the first ${PREVIEW_COLUMNS} of ${frame.columns.length} columns.`));
  }
  return wrap;
}

async function loadSummary(id) {
  try {
    return (await get(path("/3/Frames/{id}/summary", { id }))).frames[0];
  } catch (err) {
    if (!err.endpointMissing) throw err;
    return (await get(path("/3/Frames/{id}", { id }), { row_count: 0 })).frames[0];
  }
}

export async function render(main, ctx) {
  const id = ctx.params.id;
  ctx.title(`Frame ${id}`);
  const messages = h("div", { "aria-live": "polite" });
  const header = h("div");
  const summary = h("div", notice("info", "Computing the column summary…"));
  const preview = h("div", notice("info", "Reading the first rows…"));
  const actions = h("div.actions",
    h("a.button", { href: `#/build?training_frame=${encodeURIComponent(id)}` }, "Build a model"),
    h("a.button.secondary", { href: `/3/DownloadDataset?frame_id=${encodeURIComponent(id)}`, download: `${id}.csv` }, "Download CSV"),
    h("button.danger", { type: "button", onclick: remove }, "Delete frame"));
  replace(main, h("p.crumbs", h("a", { href: "#/frames" }, "Data"), " / ", id),
    h("div.title-row", h("h1", "Frame ", h("code", id)), actions), messages, header,
    section("Columns", summary), section("Data", preview));

  async function remove() {
    if (!window.confirm(`Delete frame ${id}?`)) return;
    try {
      await del(path("/3/Frames/{id}", { id }));
      ctx.navigate("#/frames");
    } catch (err) {
      replace(messages, errorNotice(err, "Delete"));
    }
  }

  const previewPromise = get(path("/3/Frames/{id}", { id }), { row_offset: 0, row_count: PREVIEW_ROWS });
  try {
    const frame = await loadSummary(id);
    if (!ctx.alive()) return;
    replace(header, facts([["Rows", count(frame.rows)], ["Columns", count(frame.num_columns ?? (frame.columns || []).length)],
      ["Size", frame.byte_size !== undefined ? bytes(frame.byte_size) : ""]]));
    replace(summary, summaryTable(frame.columns || []));
  } catch (err) {
    if (ctx.alive()) replace(summary, errorNotice(err, "The column summary"));
  }
  try {
    const frame = (await previewPromise).frames[0];
    if (ctx.alive()) replace(preview, previewTable(frame));
  } catch (err) {
    if (ctx.alive()) replace(preview, errorNotice(err, "The first rows"));
  }
}
