// Jobs: every job with status, a live progress bar, run time, cancel; failures show their error.

import { get, isRunning, path, post } from "../api.js";
import { h, keepFocus, replace } from "../dom.js";
import { dateTime, duration } from "../format.js";
import { errorNotice, frameLink, modelLink, notice, progressBar, statusBadge, table } from "../widgets.js";

const POLL_MS = 1000;

function destination(job) {
  const dest = job.dest || {};
  if (!dest.name) return "";
  if (job.status !== "DONE" && job.status !== "CANCELLED") return dest.name;
  if (/Model/.test(dest.type || "")) return modelLink(dest.name);
  if (/Frame/.test(dest.type || "")) return frameLink(dest.name);
  return dest.name;
}

const openTraces = new Set(); // stack traces the user opened stay open across refreshes

function failure(job) {
  if (!job.exception) return "";
  const trace = Array.isArray(job.stacktrace) ? job.stacktrace.join("\n") : String(job.stacktrace || "");
  const key = job.key.name;
  const details = trace ? h("details", { open: openTraces.has(key) },
    h("summary", { dataset: { focusKey: `trace-${key}` } }, "Stack trace"), h("pre.code", trace)) : null;
  if (details) {
    details.addEventListener("toggle", () => (details.open ? openTraces.add(key) : openTraces.delete(key)));
  }
  return h("div.job-error", h("strong", "Error: "), String(job.exception), details);
}

/** The cancel button (or nothing) for one job. `onDone` refreshes the list. */
export function cancelButton(job, onDone, onError) {
  if (!isRunning(job)) return "";
  return h("button.danger", {
    type: "button",
    dataset: { focusKey: `cancel-${job.key.name}` },
    "aria-label": `Cancel job ${job.description || job.key.name}`,
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await post(path("/3/Jobs/{id}/cancel", { id: job.key.name }));
      } catch (err) {
        onError(err);
      }
      onDone();
    },
  }, "Cancel");
}

function jobRows(list, refresh, showError) {
  return list.map((job) => [
    h("span", job.description || job.key.name, h("br"), h("small.muted", job.key.name)),
    destination(job),
    statusBadge(job.status),
    h("div", progressBar(job.progress, `Progress of ${job.description || job.key.name}`, job.progress_msg || ""),
      failure(job),
      (job.warnings || []).length ? h("div.job-warning", "Warnings: ", job.warnings.join("; ")) : null),
    dateTime(job.start_time),
    duration(job.msec),
    cancelButton(job, refresh, showError),
  ]);
}

export async function render(main, ctx) {
  ctx.title("Jobs");
  const messages = h("div", { "aria-live": "polite" });
  const body = h("div");
  replace(main, h("h1", "Jobs"), h("p.lead", "Parses, model builds and predictions, newest first. The list refreshes every second."),
    messages, body);
  const showError = (err) => replace(messages, errorNotice(err, "Cancel"));

  let busy = false;
  async function refresh() {
    if (busy) return;
    busy = true;
    let answer;
    try {
      answer = await get("/3/Jobs");
    } catch (err) {
      if (ctx.alive()) replace(body, errorNotice(err, "The job list"));
      return;
    } finally {
      busy = false;
    }
    if (!ctx.alive()) return;
    const list = (answer.jobs || []).slice().sort((a, b) => (b.start_time || 0) - (a.start_time || 0));
    keepFocus(() => {
      if (list.length === 0) {
        replace(body, notice("info", "No jobs yet. ", h("a", { href: "#/import" }, "Import data"), " to start one."));
        return;
      }
      replace(body, table([
        { label: "Job" }, { label: "Destination" }, { label: "Status" }, { label: "Progress" },
        { label: "Started" }, { label: "Run time", numeric: true }, { label: "Action" },
      ], jobRows(list, refresh, showError), { caption: `${list.length} job${list.length === 1 ? "" : "s"}`, className: "jobs" }));
    });
  }

  await refresh();
  ctx.every(POLL_MS, refresh);
}
