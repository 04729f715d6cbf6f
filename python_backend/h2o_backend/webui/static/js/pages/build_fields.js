// Form controls for model-builder parameters (ModelParameterSchemaV3: name, label, help, type,
// default_value, values, level), and reading them back as H2O-3 wire values.

import { h, replace, uid } from "../dom.js";
import { h2oList } from "../api.js";

export const isArrayType = (type) => /\[\]$/.test(type || "");
const isNumericType = (type) => /^(int|long|double|float|number)/i.test(type || "");
const isBooleanType = (type) => /^bool/i.test(type || "");
// One frame key (a select); Key<Frame>[] (initial_weights / initial_biases) is a text list.
export const isFrameParam = (p) => /^Key<Frame>$/.test(p.type || "") || ["training_frame", "validation_frame"].includes(p.name);
export const isModelParam = (p) => p.name !== "model_id" && (/Key<Model>/.test(p.type || "") || p.name === "checkpoint");

/** A parameter value as the text shown in an input. */
export function displayValue(v) {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) {   // [] stays visible (hidden = [] is no hidden layer); a null entry reads "null"
    return v.length ? v.map((x) => (x === null ? "null" : displayValue(x))).join(", ") : "[]";
  }
  if (typeof v === "object") {
    if (v.name !== undefined) return String(v.name);
    if (v.column_name !== undefined) return String(v.column_name);
    return JSON.stringify(v);
  }
  return String(v);
}

/** The label of a field: the parameter's label, and its wire name when that differs. */
export function fieldLabel(p, fallback) {
  const label = p.label || fallback || p.name;
  return label === p.name ? [h("code.param-label", p.name)] : [label, " ", h("code.param-name", p.name)];
}

/** Text typed in an array field as H2O list syntax: [200,200] or ["a","b"]. */
export function arrayWire(text, type) {
  const inner = /^\[.*\]$/.test(text) ? text.slice(1, -1) : text;
  const items = inner.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (/^(int|long|double|float)/i.test(type)) {
    return "[" + items.join(",") + "]";
  }
  return h2oList(items);
}

function helpText(p, id) {
  const parts = [];
  if (p.help) parts.push(p.help);
  parts.push(`Default: ${displayValue(p.default_value) || "none"}.`);
  return h("small.help", { id }, parts.join(" "));
}

/**
 * One labelled control for parameter `p` with initial value `initial`.
 * `choices.frames` / `choices.models` fill key selects. Answers {element, control, read()} where
 * read() answers the wire value (string) or undefined for "not set".
 */
export function parameterField(p, initial, choices) {
  const id = uid(`param-${p.name}`);
  const helpId = uid("help");
  const errorId = uid("err");
  const labelEl = h("label", { for: id }, fieldLabel(p));
  const described = `${helpId} ${errorId}`;
  let control;
  let read;
  if (isFrameParam(p) || isModelParam(p)) {
    const names = isFrameParam(p) ? choices.frames : choices.models;
    const current = displayValue(initial);
    const all = current && !names.includes(current) ? [current, ...names] : names;
    control = h("select", { id, name: p.name, "aria-describedby": described },
      h("option", { value: "" }, "(none)"), all.map((n) => h("option", { value: n, selected: n === current }, n)));
    read = () => control.value || undefined;
  } else if (isBooleanType(p.type) && (p.default_value === null || p.default_value === undefined)) {
    // A three-state flag (e.g. classification): "not set" lets the server decide.
    const current = initial === true || initial === "true" ? "true" : (initial === false || initial === "false" ? "false" : "");
    control = h("select", { id, name: p.name, "aria-describedby": described },
      [["", "(not set: the server decides)"], ["true", "true"], ["false", "false"]].map(([v, text]) =>
        h("option", { value: v, selected: v === current }, text)));
    read = () => control.value || undefined;
  } else if (isBooleanType(p.type)) {
    control = h("input", { id, name: p.name, type: "checkbox", checked: initial === true || initial === "true", "aria-describedby": described });
    read = () => (control.checked ? "true" : "false");
    const element = h("div.field.checkbox", { dataset: { param: p.name } }, control, labelEl, helpText(p, helpId), h("span.field-error", { id: errorId }));
    return { element, control, read, errorEl: element.querySelector(".field-error") };
  } else if (Array.isArray(p.values) && p.values.length > 0 && !isArrayType(p.type)) {
    const current = displayValue(initial);
    control = h("select", { id, name: p.name, "aria-describedby": described },
      p.values.map((v) => h("option", { value: String(v), selected: String(v) === current }, String(v))));
    read = () => control.value;
  } else {
    control = h("input", { id, name: p.name, type: "text", value: displayValue(initial), "aria-describedby": described,
      inputmode: isNumericType(p.type) && !isArrayType(p.type) ? "decimal" : null, autocomplete: "off", spellcheck: "false",
      placeholder: isArrayType(p.type) ? "comma-separated list" : null });
    read = () => {
      const text = control.value.trim();
      if (text === "") return undefined;
      return isArrayType(p.type) ? arrayWire(text, p.type) : text;
    };
  }
  const element = h("div.field", { dataset: { param: p.name } }, labelEl, control, helpText(p, helpId),
    h("span.field-error", { id: errorId }));
  return { element, control, read, errorEl: element.querySelector(".field-error") };
}

/** The wire value of a parameter's default, to tell set values from defaults. */
export function defaultWire(p) {
  const v = p.default_value;
  if (v === null || v === undefined || v === "") return undefined;
  if (Array.isArray(v)) return v.length ? arrayWire(v.map(displayValue).join(","), p.type) : undefined;
  if (typeof v === "boolean") return v ? "true" : "false";
  return displayValue(v);
}

/** Column chooser for ignored_columns: a checkbox per column, filtered by a search box. */
export function columnsChooser(p, columns, initial, responseName) {
  const id = uid("ignored");
  const filterId = uid("filter");
  const chosen = new Set(Array.isArray(initial) ? initial.map(displayValue) : []);
  let response = responseName;
  const list = h("div.checklist", { role: "group", "aria-labelledby": id });
  const filter = h("input", { id: filterId, type: "search", placeholder: "filter columns", autocomplete: "off" });
  function draw() {
    const needle = filter.value.trim().toLowerCase();
    replace(list, columns.filter((c) => !needle || c.label.toLowerCase().includes(needle)).map((c) => {
      const boxId = uid("col");
      const box = h("input", { type: "checkbox", id: boxId, value: c.label, checked: chosen.has(c.label),
        disabled: c.label === response });
      box.addEventListener("change", () => (box.checked ? chosen.add(c.label) : chosen.delete(c.label)));
      return h("div.check", box, h("label", { for: boxId }, c.label, h("small.muted", ` ${c.type}`)));
    }));
  }
  filter.addEventListener("input", draw);
  draw();
  const element = h("div.field", { dataset: { param: p.name } },
    h("span.label", { id }, fieldLabel(p, "Ignored columns")),
    h("label.visually-hidden", { for: filterId }, "Filter the columns"), filter, list,
    h("small.help", p.help || "Columns not used as predictors."), h("span.field-error"));
  return {
    element,
    control: filter,
    names: () => [...chosen].filter((n) => n !== response),
    setResponse(name) {
      response = name;
      draw();
    },
    read: () => {
      const names = [...chosen].filter((n) => n !== response);
      return names.length ? h2oList(names) : undefined;
    },
    errorEl: element.querySelector(".field-error"),
  };
}
