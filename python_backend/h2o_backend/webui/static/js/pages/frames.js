// Data: every frame with rows, columns and size.

import { del, get, path } from "../api.js";
import { h, replace } from "../dom.js";
import { bytes, count } from "../format.js";
import { errorNotice, frameLink, notice, table } from "../widgets.js";

function frameName(f) {
  return f.frame_id && typeof f.frame_id === "object" ? f.frame_id.name : f.frame_id;
}

export async function render(main, ctx) {
  ctx.title("Data");
  const messages = h("div", { "aria-live": "polite" });
  const body = h("div", notice("info", "Loading the frames…"));
  replace(main, h("div.title-row", h("h1", "Data"), h("a.button", { href: "#/import" }, "Import data")),
    messages, body);

  async function refresh() {
    let answer;
    try {
      answer = await get("/3/Frames");
    } catch (err) {
      if (ctx.alive()) replace(body, errorNotice(err, "The frame list"));
      return;
    }
    if (!ctx.alive()) return;
    const list = (answer.frames || []).slice().sort((a, b) => frameName(a).localeCompare(frameName(b)));
    if (list.length === 0) {
      replace(body, notice("info", "No frames yet. ", h("a", { href: "#/import" }, "Import or upload a file"), "."));
      return;
    }
    const rows = list.map((f) => {
      const name = frameName(f);
      const columns = f.columns !== undefined && typeof f.columns === "number" ? f.columns
        : (f.num_columns !== undefined ? f.num_columns : (Array.isArray(f.columns) ? f.columns.length : ""));
      return [frameLink(name), count(f.rows), count(columns), bytes(f.byte_size),
        h("span.actions",
          h("a.button.small", { href: `#/build?training_frame=${encodeURIComponent(name)}`, "aria-label": `Build a model on ${name}` }, "Build model"),
          h("button.small.danger", { type: "button", "aria-label": `Delete ${name}`,
            onclick: () => remove(name) }, "Delete"))];
    });
    replace(body, table([{ label: "Frame" }, { label: "Rows", numeric: true }, { label: "Columns", numeric: true },
      { label: "Size", numeric: true }, { label: "Actions" }], rows,
    { caption: `${list.length} frame${list.length === 1 ? "" : "s"}`, className: "frames" }));
  }

  async function remove(name) {
    if (!window.confirm(`Delete frame ${name}?`)) return;
    try {
      await del(path("/3/Frames/{id}", { id: name }));
      replace(messages, notice("info", `Deleted ${name}.`));
    } catch (err) {
      replace(messages, errorNotice(err, `Delete ${name}`));
    }
    refresh();
  }

  await refresh();
}
