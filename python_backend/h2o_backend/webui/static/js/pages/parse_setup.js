// The editable parse setup: POST /3/ParseSetup's guess shown as a form, answered as a /3/Parse request.

import { post } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { errorNotice, notice, table } from "../widgets.js";

const SEPARATORS = [[44, "Comma ( , )"], [59, "Semicolon ( ; )"], [9, "Tab"], [124, "Pipe ( | )"], [32, "Space"]];
const HEADERS = [[1, "First line is the header"], [-1, "No header: first line is data"], [0, "Guess"]];
const TYPES = ["Numeric", "Enum", "String", "Time", "UUID"];
const SAMPLE_ROWS = 5;

function select(id, name, options, selected) {
  return h("select", { id, name }, options.map(([value, label]) =>
    h("option", { value: String(value), selected: String(value) === String(selected) }, label)));
}

function field(label, control) {
  return h("div.field", h("label", { for: control.id }, label), control);
}

/** The sample values of column `j` (setup.data is row-major). */
function samples(setup, j) {
  return (setup.data || []).slice(0, SAMPLE_ROWS).map((row) => (Array.isArray(row) ? row[j] : ""))
    .filter((v) => v !== undefined && v !== null).join(", ");
}

function columnsTable(setup) {
  const names = setup.column_names || [];
  const types = setup.column_types || [];
  const n = setup.number_columns || Math.max(names.length, types.length);
  const rows = [];
  for (let j = 0; j < n; j += 1) {
    const nameId = uid("colname");
    const typeId = uid("coltype");
    rows.push([String(j + 1),
      h("span", h("label.visually-hidden", { for: nameId }, `Name of column ${j + 1}`),
        h("input.col-name", { id: nameId, type: "text", value: names[j] ?? `C${j + 1}`, dataset: { col: j } })),
      h("span", h("label.visually-hidden", { for: typeId }, `Type of column ${j + 1}`),
        h("select.col-type", { id: typeId, dataset: { col: j } },
          TYPES.map((t) => h("option", { value: t, selected: t === (types[j] || "Numeric") }, t)))),
      h("span.sample", samples(setup, j))]);
  }
  return table([{ label: "#", numeric: true }, { label: "Name" }, { label: "Type" }, { label: `First ${SAMPLE_ROWS} values` }],
    rows, { caption: `${n} columns`, className: "setup-columns" });
}

/**
 * The parse-setup form for raw keys `sources`. Guesses first; `onParse(request)` gets the
 * POST /3/Parse parameters when the user confirms.
 */
export function setupForm(sources, ctx, onParse) {
  const box = h("div", notice("info", "Guessing how to read the data…"));
  let setup = null;

  async function guess(hints = {}) {
    try {
      const answer = await post("/3/ParseSetup", { source_frames: sources, ...hints });
      if (!ctx.alive()) return;
      setup = answer;
      draw();
    } catch (err) {
      if (ctx.alive()) replace(box, errorNotice(err, "Parse setup"));
    }
  }

  function draw() {
    const destId = uid("dest");
    const sepId = uid("sep");
    const otherId = uid("sep-other");
    const headerId = uid("header");
    const quotesId = uid("quotes");
    const known = SEPARATORS.some(([v]) => v === setup.separator);
    const sepOptions = known ? SEPARATORS : [...SEPARATORS,
      [setup.separator, `Character ${JSON.stringify(String.fromCharCode(setup.separator))} (code ${setup.separator})`]];
    const sep = select(sepId, "separator", [...sepOptions, ["other", "Other…"]], setup.separator);
    const other = h("input", { id: otherId, type: "text", maxlength: 1, size: 2, hidden: true });
    const otherField = h("div.field", { hidden: true }, h("label", { for: otherId }, "Other separator (one character)"), other);
    sep.addEventListener("change", () => {
      otherField.hidden = sep.value !== "other";
      other.hidden = otherField.hidden;
    });
    const form = h("form.setup", { onsubmit: submit },
      h("p", "Sources: ", sources.map((s) => h("code", s)).reduce((acc, el) => (acc.length ? [...acc, ", ", el] : [el]), [])),
      h("div.field-row",
        field("Destination frame", h("input", { id: destId, name: "destination_frame", type: "text", size: 30, value: setup.destination_frame || "" })),
        field("Separator", sep), otherField,
        field("Column header", select(headerId, "check_header", HEADERS, setup.check_header)),
        h("div.field.checkbox", h("input", { id: quotesId, name: "single_quotes", type: "checkbox", checked: Boolean(setup.single_quotes) }),
          h("label", { for: quotesId }, "Single quotes quote fields"))),
      h("p", h("button.secondary", { type: "button", onclick: reguess }, "Guess again with these settings")),
      (setup.warnings || []).length ? notice("warning", "Warnings: ", setup.warnings.join("; ")) : null,
      columnsTable(setup),
      h("p", h("button", { type: "submit", id: "parse-button" }, "Parse")),
      h("div.parse-status", { "aria-live": "polite" }));
    replace(box, form);
  }

  function separatorValue(form) {
    const value = form.querySelector("[name=separator]").value;
    if (value !== "other") return Number(value);
    const ch = form.querySelector("input[maxlength='1']").value;
    return ch ? ch.charCodeAt(0) : setup.separator;
  }

  function reguess() {
    const form = box.querySelector("form");
    guess({ separator: separatorValue(form), check_header: form.querySelector("[name=check_header]").value,
      single_quotes: form.querySelector("[name=single_quotes]").checked });
  }

  function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const names = [...form.querySelectorAll(".col-name")].map((el) => el.value.trim());
    const types = [...form.querySelectorAll(".col-type")].map((el) => el.value);
    const destination = form.querySelector("[name=destination_frame]").value.trim();
    const problem = names.findIndex((n) => !n);
    if (!destination || problem >= 0) {
      replace(form.querySelector(".parse-status"), notice("error",
        !destination ? "Give the destination frame a name." : `Column ${problem + 1} needs a name.`));
      return;
    }
    form.querySelector("#parse-button").disabled = true;
    onParse({
      destination_frame: destination,
      source_frames: sources,
      parse_type: setup.parse_type || "CSV",
      separator: separatorValue(form),
      number_columns: names.length,
      single_quotes: form.querySelector("[name=single_quotes]").checked,
      column_names: names,
      column_types: types,
      check_header: form.querySelector("[name=check_header]").value,
      delete_on_done: true,
      chunk_size: setup.chunk_size,
      blocking: false,
    });
  }

  guess();
  return box;
}
