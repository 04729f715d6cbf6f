// Build a deep learning model: every parameter of GET /3/ModelBuilders/deeplearning with its
// default and help (common first, expert collapsed), POST to start the job, follow it to the model.

import { followJob, get, path, post } from "../api.js";
import { h, replace } from "../dom.js";
import { keyName } from "../model_util.js";
import { errorNotice, notice, progressBar, statusBadge } from "../widgets.js";
import { cancelButton } from "./jobs.js";
import { columnsChooser, defaultWire, displayValue, parameterField } from "./build_fields.js";

const BUILDER = "/3/ModelBuilders/deeplearning";
const DATA_PARAMS = ["training_frame", "validation_frame", "response_column", "ignored_columns", "model_id"];
const ALWAYS_SENT = new Set(["training_frame", "response_column"]);

function levelOf(p) {
  const level = String(p.level || "").toLowerCase();
  if (level === "critical" || level === "common") return "common";
  if (level === "expert") return "expert";
  return "secondary";
}

async function frameColumns(frameId) {
  if (!frameId) return [];
  const answer = await get(path("/3/Frames/{id}", { id: frameId }), { row_offset: 0, row_count: 1 });
  return (answer.frames[0].columns || []).map((c) => ({ label: c.label, type: c.type }));
}

async function optional(promise, fallback) {
  try {
    return await promise;
  } catch {
    return fallback;
  }
}

export async function render(main, ctx) {
  ctx.title("Build a model");
  const { training_frame: queryFrame, from, checkpoint } = ctx.query;
  replace(main, h("h1", "Build a deep learning model"), notice("info", "Reading the parameter list…"));
  let builder;
  try {
    builder = (await get(BUILDER)).model_builders.deeplearning;
  } catch (err) {
    if (ctx.alive()) replace(main, h("h1", "Build a deep learning model"), errorNotice(err, "The deep learning parameter list"));
    return;
  }
  const [framesAnswer, modelsAnswer, source] = await Promise.all([
    optional(get("/3/Frames"), { frames: [] }), optional(get("/3/Models"), { models: [] }),
    from ? optional(get(path("/3/Models/{id}", { id: from })).then((a) => a.models[0]), null) : null]);
  if (!ctx.alive()) return;
  const choices = {
    frames: (framesAnswer.frames || []).map((f) => keyName(f.frame_id)).sort(),
    models: (modelsAnswer.models || []).map((m) => keyName(m.model_id)).sort(),
  };
  const params = builder.parameters || [];
  const initial = initialValues(params, source, { training_frame: queryFrame, checkpoint });
  new BuildForm(main, ctx, params, initial, choices, source).draw();
}

/** Starting values: the source model's inputs (for "new model from these settings"), else defaults. */
function initialValues(params, source, overrides) {
  const values = {};
  const fromModel = new Map(((source && source.parameters) || []).map((p) => [p.name,
    p.input_value !== undefined && p.input_value !== null ? p.input_value : p.actual_value]));
  for (const p of params) {
    values[p.name] = fromModel.has(p.name) ? fromModel.get(p.name) : p.default_value;
  }
  if (source) values.model_id = null;
  for (const [name, value] of Object.entries(overrides)) if (value) values[name] = value;
  return values;
}

class BuildForm {
  constructor(main, ctx, params, initial, choices, source) {
    Object.assign(this, { main, ctx, params, initial, choices, source });
    this.fields = new Map();
    this.byName = new Map(params.map((p) => [p.name, p]));
    this.dataBox = h("div");
    this.status = h("div.build-status", { "aria-live": "polite" });
  }

  draw() {
    const groups = { common: [], secondary: [], expert: [] };
    for (const p of this.params) {
      if (DATA_PARAMS.includes(p.name)) continue;
      const field = parameterField(p, this.initial[p.name], this.choices);
      this.fields.set(p.name, field);
      groups[levelOf(p)].push(field.element);
    }
    this.submitButton = h("button", { type: "submit", id: "build-button" }, "Build model");
    const form = h("form.build", { onsubmit: (e) => { e.preventDefault(); this.submit(); }, novalidate: true },
      h("fieldset", h("legend", "Data"), this.dataBox),
      h("fieldset", h("legend", "Common parameters"), h("div.param-grid", groups.common)),
      groups.secondary.length ? h("fieldset", h("legend", "More parameters"), h("div.param-grid", groups.secondary)) : null,
      groups.expert.length ? h("details.expert", h("summary", `Expert parameters (${groups.expert.length})`),
        h("div.param-grid", groups.expert)) : null,
      h("div.form-actions", this.submitButton,
        h("button.secondary", { type: "button", onclick: () => this.validate() }, "Check parameters")),
      this.status);
    replace(this.main, h("h1", "Build a deep learning model"),
      this.source ? h("p.lead", "Settings copied from model ", h("a", { href: `#/models/${encodeURIComponent(keyName(this.source.model_id))}` }, keyName(this.source.model_id)), ".")
        : h("p.lead", "Defaults are filled in; change what you need. Help for each parameter is under its field."),
      form);
    this.drawData(displayValue(this.initial.training_frame));
  }

  /** The data fieldset: frames, response and ignored columns (which depend on the training frame). */
  async drawData(frameId) {
    const keep = (name) => (this.fields.has(name) ? this.fields.get(name).read() : this.initial[name]);
    const picks = { validation_frame: keep("validation_frame"), model_id: keep("model_id") };
    let columns = [];
    let columnsError = null;
    try {
      columns = await frameColumns(frameId);
    } catch (err) {
      columnsError = err;
    }
    if (!this.ctx.alive()) return;
    const elements = [];
    for (const name of ["model_id", "training_frame", "validation_frame"]) {
      const p = this.byName.get(name);
      if (!p) continue;
      const value = name === "training_frame" ? frameId : (picks[name] !== undefined ? picks[name] : this.initial[name]);
      const field = parameterField(p, value, this.choices);
      if (name === "training_frame") field.control.addEventListener("change", () => this.drawData(field.control.value));
      this.fields.set(name, field);
      elements.push(field.element);
    }
    elements.push(...this.columnFields(columns, frameId, columnsError));
    replace(this.dataBox, h("div.param-grid", elements));
  }

  columnFields(columns, frameId, columnsError) {
    const responseParam = this.byName.get("response_column");
    const ignoredParam = this.byName.get("ignored_columns");
    if (!frameId) return [notice("info", "Choose a training frame to pick the response column.")];
    if (columnsError) return [errorNotice(columnsError, `The columns of ${frameId}`)];
    const out = [];
    const wanted = displayValue(this.initial.response_column);
    const response = columns.some((c) => c.label === wanted) ? wanted : columns[columns.length - 1]?.label;
    if (responseParam) {
      const field = parameterField({ ...responseParam, values: columns.map((c) => c.label), type: "enum" }, response, this.choices);
      field.control.replaceChildren(...columns.map((c) => h("option", { value: c.label, selected: c.label === response }, `${c.label} (${c.type})`)));
      // The response cannot also be ignored: the chooser updates in place (no new request).
      field.control.addEventListener("change", () => {
        this.initial.response_column = field.control.value;
        this.fields.get("ignored_columns")?.setResponse(field.control.value);
      });
      this.fields.set("response_column", field);
      out.push(field.element);
    }
    if (ignoredParam) {
      const field = columnsChooser(ignoredParam, columns, this.initial.ignored_columns, response);
      this.fields.set("ignored_columns", field);
      out.push(field.element);
    }
    return out;
  }

  /** The POST parameters: every value that differs from its default, plus frame and response. */
  request() {
    const body = {};
    for (const [name, field] of this.fields) {
      const p = this.byName.get(name);
      const wire = field.read();
      if (wire === undefined) continue;
      if (ALWAYS_SENT.has(name) || wire !== defaultWire(p)) body[name] = wire;
    }
    return body;
  }

  clearErrors() {
    for (const field of this.fields.values()) {
      field.errorEl.textContent = "";
      field.control.removeAttribute("aria-invalid");
    }
  }

  /** Show builder messages (ERRR/WARN/INFO) next to their fields and as a list. */
  showMessages(messages, title) {
    this.clearErrors();
    const items = messages.map((m) => {
      const field = this.fields.get(m.field_name);
      if (field && m.message_type === "ERRR") {
        field.errorEl.textContent = m.message;
        field.control.setAttribute("aria-invalid", "true");
      }
      const jump = field ? h("button.link", { type: "button", onclick: () => this.reveal(field) }, m.field_name) : h("code", m.field_name || "");
      return h("li", h("span.badge", m.message_type), " ", jump, ": ", m.message);
    });
    const errors = messages.filter((m) => m.message_type === "ERRR").length;
    return h(`div.notice.${errors ? "error" : "warning"}`, { role: errors ? "alert" : "status" }, h("strong", title), h("ul", items));
  }

  reveal(field) {
    const details = field.element.closest("details");
    if (details) details.open = true;
    field.control.focus();
  }

  async validate() {
    try {
      const answer = await post(`${BUILDER}/parameters`, this.request());
      const messages = (answer.messages || []).filter((m) => m.message_type !== "INFO");
      replace(this.status, messages.length ? this.showMessages(messages, `${answer.error_count || 0} error(s)`)
        : notice("success", "No problems found."));
    } catch (err) {
      replace(this.status, err.messages.length ? this.showMessages(err.messages, err.message) : errorNotice(err, "Check"));
    }
  }

  async submit() {
    this.clearErrors();
    this.submitButton.disabled = true;
    replace(this.status, notice("info", "Starting the build…"));
    let answer;
    try {
      answer = await post(BUILDER, this.request());
    } catch (err) {
      this.submitButton.disabled = false;
      replace(this.status, err.messages.length ? this.showMessages(err.messages, "The model was not started:") : errorNotice(err, "Build"));
      const firstBad = [...this.fields.values()].find((f) => f.control.getAttribute("aria-invalid"));
      if (firstBad) this.reveal(firstBad);
      return;
    }
    this.follow(answer.job, (answer.messages || []).filter((m) => m.message_type === "WARN"));
    this.status.scrollIntoView({ block: "nearest" });
  }

  async follow(job, warnings) {
    const modelId = keyName(job.dest);
    const bar = h("div");
    const draw = (j) => replace(bar, h("p", "Job ", statusBadge(j.status), " building ", h("code", modelId)),
      progressBar(j.progress, "Training progress", j.progress_msg || ""),
      cancelButton(j, () => {}, (err) => replace(bar, errorNotice(err, "Cancel"))));
    replace(this.status, warnings.length ? this.showMessages(warnings, "Warnings:") : null, bar);
    draw(job);
    let last;
    try {
      last = await followJob(job.key.name, draw, this.ctx.alive);
    } catch (err) {
      replace(this.status, errorNotice(err, "Following the job"));
      this.submitButton.disabled = false;
      return;
    }
    if (!this.ctx.alive()) return;
    if (last.status === "DONE") {
      this.ctx.navigate(`#/models/${encodeURIComponent(modelId)}`);
      return;
    }
    this.submitButton.disabled = false;
    const exists = await optional(get(path("/3/Models/{id}", { id: modelId })).then(() => true), false);
    replace(this.status, notice(last.status === "FAILED" ? "error" : "warning", `The build ${last.status.toLowerCase()}`,
      last.exception ? `: ${last.exception}` : ".", exists ? [" The model so far: ", h("a", { href: `#/models/${encodeURIComponent(modelId)}` }, modelId), "."] : ""));
  }
}
