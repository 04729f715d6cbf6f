// Reading H2O-3 model JSON: errors, keys, categories.

import { tableRowCount } from "./widgets.js";
import { toNumber } from "./format.js";

export const isClassifier = (category) => category === "Binomial" || category === "Multinomial";

export const keyName = (k) => (k && typeof k === "object" ? k.name : k);

/**
 * A classifier's error as H2O-3's metrics carry it: the confusion matrix's "Error" column at the
 * last (totals) row (the binomial one at the max-F1 threshold); else 1 - the top-1 hit ratio.
 */
export function classificationError(metrics) {
  const t = metrics && metrics.cm && metrics.cm.table;
  const errors = t && t.data && t.data.length > 1 ? t.data[t.data.length - 2] : null;   // classes, Error, Rate
  if (errors) return toNumber(errors[tableRowCount(t) - 1]);
  const hits = metrics && metrics.hit_ratio_table;
  const ratios = hits && hits.data && hits.data.length ? hits.data[hits.data.length - 1] : null;
  return ratios && ratios.length ? 1 - toNumber(ratios[0]) : NaN;
}

/**
 * The headline error of a metrics object: classification error for classifiers (as the
 * legacy model page and R's show() report it), MSE otherwise. {label, value} or null.
 */
export function headlineError(metrics, category) {
  if (!metrics) return null;
  if (isClassifier(category)) {
    let value = classificationError(metrics);
    if (Number.isNaN(value)) value = toNumber(metrics.mean_per_class_error);
    return { label: "classification error", value };
  }
  return { label: "MSE", value: toNumber(metrics.MSE) };
}

export function responseOf(model) {
  return model.response_column_name || "";
}

// Java keywords and literals: a class named after a model key must not be one of these.
const JAVA_KEYWORDS = new Set(`abstract assert boolean break byte case catch char class const continue default do double
else enum extends final finally float for goto if implements import instanceof int interface long native new package
private protected public return short static strictfp super switch synchronized this throw throws transient try void
volatile while true false null var yield record sealed permits _`.split(/\s+/));

/**
 * The POJO's class name, by the server's rule (h2o_backend/export/pojo_java.py java_id): every
 * character outside [A-Za-z0-9_$] becomes "_", a leading digit or an empty key gets a "_" prefix,
 * a Java keyword a "_" suffix.
 */
export function javaId(key) {
  let name = String(key || "").replace(/[^A-Za-z0-9_$]/g, "_");
  if (!name || /^[0-9]/.test(name)) name = "_" + name;
  if (JAVA_KEYWORDS.has(name)) name += "_";
  return name;
}
