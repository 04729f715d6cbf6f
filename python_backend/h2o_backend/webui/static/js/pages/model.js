// One model: facts, actions (Java model, saved model, predict, new model), output sections; the
// Java section links the POJO and the MOJO.

import { del, get, path, post } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { count, dateTime, duration, num } from "../format.js";
import { javaId, keyName, responseOf } from "../model_util.js";
import {
  errorNotice, facts, frameLink, modelLink, notice, section, statusBadge, tableColumn, twoDimTable,
} from "../widgets.js";
import {
  confusionSection, hitRatioSection, metricsSection, metricsTable, parametersSection, scoringHistorySection,
  variableImportanceSection,
} from "./model_sections.js";

/**
 * GET /3/Models.java/{id}?preview=true: the class without its packed weights, cheap to make.
 * Answers {ok, text} or {ok: false, message} (a model with unstable weights cannot be exported).
 */
async function pojoPreview(pojo) {
  try {
    const response = await fetch(`${pojo}?preview=true`);
    const text = await response.text();
    if (response.ok) return { ok: true, text };
    let message = `HTTP ${response.status}`;
    try {
      message = JSON.parse(text).msg || message;
    } catch {
      // not JSON: keep the status
    }
    return { ok: false, message };
  } catch (err) {
    return { ok: false, message: `the server cannot be reached (${err.message})` };
  }
}

function javaSection(id, preview) {
  const pojo = path("/3/Models.java/{id}", { id });
  const mojo = path("/3/Models/{id}/mojo", { id });
  const mojoFile = `${id.replace(/[^A-Za-z0-9._-]/g, "_") || "model"}.zip`;
  const cls = javaId(id);
  const box = h("div", notice("info", "Checking the Java model export…"));
  const origin = window.location.origin;
  preview.then((answer) => {
    if (!answer.ok) {
      replace(box, notice("error", "This model cannot be exported as Java: ", answer.message));
      return;
    }
    replace(box,
      h("p", h("a.button", { href: pojo, download: `${cls}.java`, id: "download-pojo" }, "Download the Java model (POJO)")),
      h("p", "One self-contained source file, class ", h("code", cls), ", that needs nothing but the JDK. ",
        "Compile it, then score a CSV file whose header names the predictors:"),
      h("pre.code", `curl -o ${cls}.java "${origin}${pojo}"\njavac -J-Xmx2g ${cls}.java\njava -cp . ${cls} input.csv predictions.csv`),
      h("p", "Or from your own Java code: ", h("code", "row"), " holds the predictors in the order of ",
        h("code", `${cls}.NAMES`), ", a categorical value as the index of its level in ", h("code", `${cls}.DOMAINS`),
        ", ", h("code", "Double.NaN"), " for missing; ", h("code", "preds[0]"), " receives the prediction, ",
        h("code", "preds[1..]"), " the class probabilities:"),
      h("pre.code", `${cls} model = new ${cls}();\ndouble[] preds = model.score0(row, new double[${cls}.PREDS_SIZE]);`),
      h("details", h("summary", "Show the Java code (without the packed weights)"), h("pre.code.java-preview", answer.text)),
      h("p", h("a.button.secondary", { href: mojo, download: mojoFile, id: "download-mojo" }, "Download the MOJO")),
      h("p", "The same model as a MOJO, the zip that H2O's Java runtime (h2o-genmodel, inside H2O-3's ",
        h("code", "h2o.jar"), ") loads with ", h("code", "MojoModel.load"), " or scores from the command line:"),
      h("pre.code", `curl -o ${mojoFile} "${origin}${mojo}"
java -cp h2o-genmodel.jar hex.genmodel.tools.PredictCsv --mojo ${mojoFile} --input input.csv --output predictions.csv --decimal`));
  });
  return section("Java model (POJO)", box);
}

function onnxSection(id, model) {
  const onnx = path("/99/Models.onnx/{id}", { id });
  const file = `${id.replace(/[^A-Za-z0-9._-]/g, "_") || "model"}.onnx`;
  const info = model.output || {};
  const names = (info.names || []).filter((n) => n !== responseOf(model));
  return section("ONNX model",
    h("p", h("a.button", { href: onnx, download: file, id: "download-onnx" }, "Download the ONNX model")),
    h("p", "One ONNX file (opset 17) with the data preparation inside: one input per predictor column, named as the column, ",
      "shape [N, 1], float for numbers (NaN when missing), string for categorical levels (empty when missing). ",
      "Its outputs are the columns of the server's prediction. In Python:"),
    h("pre.code", `import onnxruntime as ort
session = ort.InferenceSession("${file}")
` +
      `outputs = session.run(None, {${names.slice(0, 3).map((n) => `"${n}": ...`).join(", ")}${names.length > 3 ? ", ..." : ""}})`));
}

function savedModelSection(id) {
  const dirId = uid("save-dir");
  const status = h("div", { "aria-live": "polite" });
  const fetchBin = path("/3/Models.fetch.bin/{id}", { id });
  const download = h("a.button", { href: fetchBin, download: id, id: "download-model" }, "Download the saved model");
  async function save(event) {
    event.preventDefault();
    const dir = event.currentTarget.querySelector("input").value.trim();
    if (!dir) {
      replace(status, notice("error", "Enter a file path on the server."));
      return;
    }
    try {
      const answer = await get(path("/99/Models.bin/{id}", { id }), { dir, force: true });
      replace(status, notice("success", "Saved to ", h("code", answer.dir), ". In R: ",
        h("code", `h2o.loadModel(h2o_server, "${answer.dir}")`)));
    } catch (err) {
      replace(status, errorNotice(err, "Save"));
    }
  }
  return section("Saved model",
    h("p", download, " ", h("small.muted", "A versioned ZIP file; upload it to a server with POST /99/Models.upload.bin/.")),
    h("form.inline-form", { onsubmit: save },
      h("div.field", h("label", { for: dirId }, "Save on the server as file"),
        h("input", { id: dirId, type: "text", size: 40, placeholder: `/tmp/models/${id}` })),
      h("button.secondary", { type: "submit" }, "Save model")), status);
}

function predictSection(id) {
  const selectId = uid("predict-frame");
  const select = h("select", { id: selectId }, h("option", { value: "" }, "Loading frames…"));
  const status = h("div", { "aria-live": "polite" });
  get("/3/Frames").then((answer) => {
    const names = (answer.frames || []).map((f) => keyName(f.frame_id)).sort();
    replace(select, h("option", { value: "" }, "Choose a frame"), names.map((n) => h("option", { value: n }, n)));
  }).catch((err) => replace(status, errorNotice(err, "The frame list")));
  async function predict(event) {
    event.preventDefault();
    const frameId = select.value;
    if (!frameId) {
      replace(status, notice("error", "Choose a frame to predict on."));
      select.focus();
      return;
    }
    replace(status, notice("info", `Predicting on ${frameId}…`));
    try {
      const answer = await post(path("/3/Predictions/models/{m}/frames/{f}", { m: id, f: frameId }));
      const dest = keyName(answer.predictions_frame);
      const metrics = (answer.model_metrics || [])[0];
      replace(status, notice("success", "Predictions: ", frameLink(dest), "."),
        metrics ? metricsTable([["Predictions", { ...metrics, frame: { name: frameId } }]], `Metrics on ${frameId}`) : null,
        metrics && metrics.cm && metrics.cm.table ? twoDimTable(metrics.cm.table, { caption: `Confusion matrix on ${frameId}`, highlightDiagonal: true, className: "confusion-matrix" }) : null);
    } catch (err) {
      replace(status, errorNotice(err, "Predict"));
    }
  }
  return section("Predict", h("form.inline-form", { onsubmit: predict },
    h("div.field", h("label", { for: selectId }, "Frame to predict on"), select),
    h("button", { type: "submit", id: "predict-button" }, "Predict")), status);
}

/** The last value of a scoring-history column ("" when absent). */
function lastScored(out, column) {
  const values = tableColumn(out.scoring_history, column);
  return values && values.length ? values[values.length - 1] : "";
}

function parameterValue(model, name) {
  const p = (model.parameters || []).find((x) => x.name === name);
  return p ? keyName(p.actual_value) : null;
}

function header(model) {
  const out = model.output || {};
  const cvModels = (out.cross_validation_models || []).map(keyName).filter(Boolean);
  return facts([
    ["Algorithm", model.algo_full_name || model.algo],
    ["Model type", out.model_category],
    ["Response column", responseOf(model)],
    ["Training frame", frameLink(keyName(model.data_frame))],
    ["Validation frame", frameLink(parameterValue(model, "validation_frame"))],
    ["Cross-validation models", cvModels.length ? cvModels.flatMap((k, i) => [i ? ", " : "", modelLink(k)]) : ""],
    ["Samples trained on", lastScored(out, "samples") !== "" ? count(lastScored(out, "samples")) : ""],
    ["Training speed", lastScored(out, "training_speed")],
    ["Status", out.status ? statusBadge(out.status) : ""],
    ["Run time", duration(out.run_time)],
    ["Epochs", lastScored(out, "epochs") !== "" ? num(lastScored(out, "epochs")) : ""],
    ["Created", dateTime(out.start_time || model.timestamp)],
  ]);
}

export async function render(main, ctx) {
  const id = ctx.params.id;
  ctx.title(`Model ${id}`);
  let model;
  try {
    model = (await get(path("/3/Models/{id}", { id }))).models[0];
  } catch (err) {
    if (ctx.alive()) replace(main, h("p.crumbs", h("a", { href: "#/models" }, "Models"), " / ", id), h("h1", "Model ", h("code", id)), errorNotice(err, "The model"));
    return;
  }
  if (!ctx.alive()) return;
  const out = model.output || {};
  const messages = h("div", { "aria-live": "polite" });
  async function remove() {
    if (!window.confirm(`Delete model ${id}?`)) return;
    try {
      await del(path("/3/Models/{id}", { id }));
      ctx.navigate("#/models");
    } catch (err) {
      replace(messages, errorNotice(err, "Delete"));
    }
  }
  const pojo = path("/3/Models.java/{id}", { id });
  const preview = pojoPreview(pojo);
  const javaButton = h("span", h("button.secondary", { type: "button", disabled: true }, "Java model"));
  preview.then((answer) => {
    replace(javaButton, answer.ok ? h("a.button", { href: pojo, download: `${javaId(id)}.java`, id: "java-model-button" }, "Java model")
      : h("button.secondary", { type: "button", disabled: true, title: answer.message }, "Java model (not available)"));
  });
  const actions = h("div.actions", javaButton,
    h("a.button.secondary", { href: `#/build?from=${encodeURIComponent(id)}` }, "New model from these settings"),
    h("a.button.secondary", { href: `#/build?from=${encodeURIComponent(id)}&checkpoint=${encodeURIComponent(id)}` }, "Continue training"),
    h("button.danger", { type: "button", onclick: remove }, "Delete model"));
  replace(main,
    h("p.crumbs", h("a", { href: "#/models" }, "Models"), " / ", id),
    h("div.title-row", h("h1", "Model ", h("code", id)), actions),
    messages,
    h("p.r-hint", "Fetch this model from R with ", h("code", `h2o.getModel(h2o_server, "${id}")`), "."),
    header(model),
    out.model_summary ? section("Status of neuron layers", twoDimTable(out.model_summary, { caption: out.model_summary.name || "Model summary" })) : null,
    scoringHistorySection(out),
    metricsSection(out),
    confusionSection(out),
    hitRatioSection(out),
    variableImportanceSection(out),
    predictSection(id),
    javaSection(id, preview),
    onnxSection(id, model),
    savedModelSection(id),
    parametersSection(model.parameters));
}
