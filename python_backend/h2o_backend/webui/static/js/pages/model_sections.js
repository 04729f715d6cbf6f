// The parts of a model page that show the model's output: scoring history, metrics, confusion
// matrices, hit ratios, variable importances, parameters.

import { barChart, lineChart } from "../charts.js";
import { h, replace, uid } from "../dom.js";
import { num, value as fmtValue } from "../format.js";
import { classificationError, isClassifier } from "../model_util.js";
import { notice, section, table, tableColumn, tableRowCount, twoDimTable } from "../widgets.js";

const HISTORY_METRICS = [
  ["classification_error", "Classification error"], ["logloss", "Log loss"], ["rmse", "RMSE"],
  ["auc", "AUC"], ["r2", "R²"], ["deviance", "Deviance"], ["mae", "MAE"],
];

const SCALAR_METRICS = [
  ["classification_error", "Classification error"], ["MSE", "MSE"], ["RMSE", "RMSE"], ["logloss", "Log loss"],
  ["mean_per_class_error", "Mean per-class error"], ["AUC", "AUC"], ["pr_auc", "PR AUC"], ["Gini", "Gini"],
  ["r2", "R²"], ["mae", "MAE"], ["mean_residual_deviance", "Mean residual deviance"], ["nobs", "Observations"],
];

/** Scoring history: an SVG plot of training and validation error against epochs, and the table. */
export function scoringHistorySection(output) {
  const history = output.scoring_history;
  if (!history || tableRowCount(history) === 0) {
    return section("Scoring history", notice("info", "No scoring history was recorded for this model."));
  }
  const available = HISTORY_METRICS.filter(([m]) => tableColumn(history, `training_${m}`) || tableColumn(history, `validation_${m}`));
  const preferred = isClassifier(output.model_category) ? "classification_error" : "rmse";
  let metric = available.some(([m]) => m === preferred) ? preferred : (available[0] || [preferred])[0];
  const chartBox = h("div.chart-box");
  const epochs = tableColumn(history, "epochs") || [];

  function draw() {
    const label = (HISTORY_METRICS.find(([m]) => m === metric) || [metric, metric])[1];
    const series = [["training", "Training", "series-train"], ["validation", "Validation", "series-valid"]]
      .map(([prefix, name, className]) => ({ name, className, values: tableColumn(history, `${prefix}_${metric}`) }))
      .filter((sr) => sr.values)
      .map((sr) => ({ name: sr.name, className: sr.className, points: epochs.map((e, i) => [e, sr.values[i]]) }));
    replace(chartBox, lineChart(series, { title: `${label} against epochs`, xLabel: "Epochs", yLabel: label }));
  }

  const selectId = uid("history-metric");
  const chooser = available.length > 1 ? h("div.field.inline", h("label", { for: selectId }, "Metric "),
    h("select", { id: selectId, onchange: (e) => { metric = e.target.value; draw(); } },
      available.map(([m, label]) => h("option", { value: m, selected: m === metric }, label)))) : null;
  draw();
  return section("Scoring history", chooser, chartBox,
    h("details", h("summary", "Scoring history table"), twoDimTable(history, { caption: "Scoring history" })));
}

/** A table of scalar metrics, one column per [name, metrics] set. */
export function metricsTable(sets, caption = "Metrics") {
  const valueOf = (m, key) => (key === "classification_error" ? classificationError(m) : m[key]);
  const shown = (m, key) => (key === "classification_error" ? !Number.isNaN(valueOf(m, key))
    : m[key] !== undefined && m[key] !== null);
  const rows = SCALAR_METRICS.filter(([key]) => sets.some(([, m]) => shown(m, key)))
    .map(([key, label]) => [label, ...sets.map(([, m]) => num(valueOf(m, key)))]);
  const frames = sets.map(([, m]) => (m.frame && m.frame.name) || "");
  return table([{ label: "Metric" }, ...sets.map(([name], i) => ({
    label: frames[i] ? `${name} (${frames[i]})` : name, numeric: true }))], rows, { caption, rowHeaders: true });
}

/** Scalar metrics side by side for training, validation and cross-validation. */
export function metricsSection(output) {
  const sets = [["Training", output.training_metrics], ["Validation", output.validation_metrics],
    ["Cross-validation", output.cross_validation_metrics]].filter(([, m]) => m);
  if (sets.length === 0) return section("Metrics", notice("info", "This model has no metrics."));
  return section("Metrics", metricsTable(sets),
    output.model_category === "Binomial" ? h("p.muted", "Binomial classification error and confusion matrix are taken at the threshold that maximises F1.") : null);
}

function perDataset(output, pick) {
  return [["Training data", output.training_metrics], ["Validation data", output.validation_metrics],
    ["Cross-validation", output.cross_validation_metrics]]
    .map(([name, m]) => [name, m ? pick(m) : null]).filter(([, t]) => t && tableRowCount(t) > 0);
}

export function confusionSection(output) {
  if (!isClassifier(output.model_category)) return null;
  const tables = perDataset(output, (m) => m.cm && m.cm.table);
  if (tables.length === 0) {
    return section("Confusion matrix", notice("info", "No confusion matrix (too many classes, or not computed)."));
  }
  return section("Confusion matrix", h("p.muted", "Rows: actual class; columns: predicted class."),
    h("div.side-by-side", tables.map(([name, t]) =>
      h("div.confusion", twoDimTable(t, { caption: `${name}: ${t.name || "confusion matrix"}`, highlightDiagonal: true, className: "confusion-matrix" })))));
}

export function hitRatioSection(output) {
  if (output.model_category !== "Multinomial") return null;
  const tables = perDataset(output, (m) => m.hit_ratio_table);
  if (tables.length === 0) return null;
  return section("Hit ratios", h("p.muted", "The share of rows whose actual class is among the k most probable predicted classes."),
    h("div.side-by-side", tables.map(([name, t]) => h("div", twoDimTable(t, { caption: `${name}: top-k hit ratios` })))));
}

const VARIMP_BARS = 25;

export function variableImportanceSection(output) {
  const t = output.variable_importances;
  if (!t || tableRowCount(t) === 0) {
    return section("Variable importances", notice("info",
      "Variable importances were not computed. Build with variable_importances = true (in R: variable_importances = TRUE)."));
  }
  const names = tableColumn(t, "variable") || [];
  const scaled = tableColumn(t, "scaled_importance") || tableColumn(t, "relative_importance") || [];
  const items = names.map((label, i) => ({ label, value: scaled[i] })).slice(0, VARIMP_BARS);
  return section("Variable importances",
    h("p.muted", `Scaled importance (largest = 1)${names.length > VARIMP_BARS ? `, top ${VARIMP_BARS} of ${names.length}` : ""}.`),
    h("div.chart-box", barChart(items, { title: "Variable importances (scaled)" })),
    h("details", h("summary", "Variable importances table"), twoDimTable(t, { caption: "Variable importances" })));
}

/** Key references ({name}) and column specifiers ({column_name}) compare and show as their names. */
function normalised(v) {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    if (v.name !== undefined) return v.name;
    if (v.column_name !== undefined) return v.column_name;
  }
  return v;
}

export function isDefault(p) {
  return JSON.stringify(normalised(p.actual_value)) === JSON.stringify(normalised(p.default_value));
}

/** Parameters: the ones that differ from their default first, then the rest collapsed. */
export function parametersSection(parameters) {
  if (!Array.isArray(parameters) || parameters.length === 0) return null;
  const row = (p) => [p.label || p.name, h("code", fmtValue(normalised(p.actual_value))),
    h("code", fmtValue(normalised(p.default_value))), p.help || ""];
  const columns = [{ label: "Parameter" }, { label: "Value" }, { label: "Default" }, { label: "Description" }];
  const changed = parameters.filter((p) => !isDefault(p));
  const others = parameters.filter(isDefault);
  return section("Parameters",
    changed.length ? table(columns, changed.map(row), { caption: `Set differently from the default (${changed.length})`, rowHeaders: true, className: "params" })
      : notice("info", "Every parameter is at its default."),
    others.length ? h("details", h("summary", `Parameters at their default (${others.length})`),
      table(columns, others.map(row), { caption: "At the default", rowHeaders: true, className: "params" })) : null);
}
