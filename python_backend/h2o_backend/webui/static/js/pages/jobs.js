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

const COLUMNS = [
  { label: "Job" }, { label: "Destination" }, { label: "Status" }, { label: "Progress" },
  { label: "Started" }, { label: "Run time", numeric: true }, { label: "Action" },
];
const PROGRESS_CELL = 3;
const RUN_TIME_CELL = 5;

function progressCell(job) {
  return progressBar(job.progress, `Progress of ${job.description || job.key.name}`, job.progress_msg || "");
}

function jobCells(job, refresh, showError) {
  return [
    h("span", job.description || job.key.name, h("br"), h("small.muted", job.key.name)),
    destination(job),
    statusBadge(job.status),
    h("div", h("div.progress-slot", progressCell(job)),
      failure(job),
      (job.warnings || []).length ? h("div.job-warning", "Warnings: ", job.warnings.join("; ")) : null),
    dateTime(job.start_time),
    duration(job.msec),
    cancelButton(job, refresh, showError),
  ];
}

/** What changes a row's structure; progress and run time alone are updated in place. */
const signature = (job) => JSON.stringify([job.status, job.exception, job.warnings, job.dest, job.description]);

/**
 * The jobs table, updated in place: a running job's row keeps its elements (so its Cancel button
 * keeps focus and stays clickable) and only its progress bar and run time change.
 */
class JobsTable {
  constructor(refresh, showError) {
    Object.assign(this, { refresh, showError });
    this.rows = new Map(); // job key -> {tr, sig}
    this.wrap = table(COLUMNS, [], { caption: "Jobs", className: "jobs" });
    this.tbody = this.wrap.querySelector("tbody");
    this.caption = this.wrap.querySelector("caption");
  }

  buildRow(job) {
    const tr = h("tr", jobCells(job, this.refresh, this.showError).map((cell, j) =>
      h("td", { class: COLUMNS[j].numeric ? "num" : null }, cell)));
    return { tr, sig: signature(job) };
  }

  update(list) {
    const seen = new Set();
    list.forEach((job, index) => {
      const key = job.key.name;
      seen.add(key);
      let row = this.rows.get(key);
      if (!row || row.sig !== signature(job)) {
        const fresh = this.buildRow(job);
        if (row) keepFocus(() => row.tr.replaceWith(fresh.tr));
        row = fresh;
        this.rows.set(key, row);
      } else {
        replace(row.tr.children[PROGRESS_CELL].querySelector(".progress-slot"), progressCell(job));
        row.tr.children[RUN_TIME_CELL].textContent = duration(job.msec);
      }
      if (this.tbody.children[index] !== row.tr) this.tbody.insertBefore(row.tr, this.tbody.children[index] || null);
    });
    for (const [key, row] of this.rows) {
      if (!seen.has(key)) {
        row.tr.remove();
        this.rows.delete(key);
      }
    }
    this.caption.textContent = `${list.length} job${list.length === 1 ? "" : "s"}`;
  }
}

export async function render(main, ctx) {
  ctx.title("Jobs");
  const messages = h("div", { "aria-live": "polite" });
  const body = h("div");
  replace(main, h("h1", "Jobs"), h("p.lead", "Parses, model builds, grids and predictions, newest first. The list refreshes every second."),
    messages, body);
  const showError = (err) => replace(messages, errorNotice(err, "Cancel"));

  let busy = false;
  let jobsTable = null;
  async function refresh() {
    if (busy) return;
    busy = true;
    let answer;
    try {
      answer = await get("/3/Jobs");
    } catch (err) {
      if (ctx.alive()) replace(body, errorNotice(err, "The job list"));
      jobsTable = null;
      return;
    } finally {
      busy = false;
    }
    if (!ctx.alive()) return;
    const list = (answer.jobs || []).slice().sort((a, b) => (b.start_time || 0) - (a.start_time || 0));
    if (list.length === 0) {
      replace(body, notice("info", "No jobs yet. ", h("a", { href: "#/import" }, "Import data"), " to start one."));
      jobsTable = null;
      return;
    }
    if (!jobsTable) {
      jobsTable = new JobsTable(refresh, showError);
      replace(body, jobsTable.wrap);
    }
    jobsTable.update(list);
  }

  await refresh();
  ctx.every(POLL_MS, refresh);
}
