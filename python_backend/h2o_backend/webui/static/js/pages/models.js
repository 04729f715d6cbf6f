// Models: every model with its type, response, training and validation error and run time.

import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { dateTime, duration, num } from "../format.js";
import { headlineError, keyName, responseOf } from "../model_util.js";
import { errorNotice, frameLink, modelLink, notice, statusBadge, table } from "../widgets.js";

function errorCell(metrics, category) {
  const e = headlineError(metrics, category);
  return e && !Number.isNaN(e.value) ? h("span", { title: e.label }, num(e.value), h("small.muted", ` ${e.label}`)) : "";
}

export async function render(main, ctx) {
  ctx.title("Models");
  const body = h("div", notice("info", "Loading the models…"));
  replace(main, h("div.title-row", h("h1", "Models"), h("a.button", { href: "#/build" }, "Build a model")), body);
  let answer;
  try {
    answer = await get("/3/Models");
  } catch (err) {
    if (ctx.alive()) replace(body, errorNotice(err, "The model list"));
    return;
  }
  if (!ctx.alive()) return;
  const list = answer.models || [];
  if (list.length === 0) {
    replace(body, notice("info", "No models yet. ", h("a", { href: "#/build" }, "Build one"), "."));
    return;
  }
  const rows = list.map((m) => {
    const out = m.output || {};
    const category = out.model_category;
    return [modelLink(keyName(m.model_id)), m.algo_full_name || m.algo || "", category || "", responseOf(m),
      frameLink(keyName(m.data_frame)),
      errorCell(out.training_metrics, category), errorCell(out.validation_metrics, category),
      duration(out.run_time), dateTime(out.start_time || m.timestamp), out.status ? statusBadge(out.status) : ""];
  });
  replace(body, table([{ label: "Model" }, { label: "Algorithm" }, { label: "Type" }, { label: "Response" },
    { label: "Training frame" }, { label: "Training error", numeric: true }, { label: "Validation error", numeric: true },
    { label: "Run time", numeric: true }, { label: "Created" }, { label: "Status" }], rows,
  { caption: `${list.length} model${list.length === 1 ? "" : "s"}`, className: "models" }));
}
