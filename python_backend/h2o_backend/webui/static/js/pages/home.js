// Start page: the server (cluster) status and where to go next.

import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { bytes, duration } from "../format.js";
import { errorNotice, facts, section, table } from "../widgets.js";

export async function render(main, ctx) {
  ctx.title("Start");
  const status = h("div", h("p.notice", "Reading the server status…"));
  const host = window.location.hostname;
  const port = window.location.port || (window.location.protocol === "https:" ? "443" : "80");
  replace(main,
    h("h1", "H2O Deep Learning"),
    h("p.lead", "Import data, train deep learning models and inspect them — the same server your R session talks to."),
    h("ul.cards",
      h("li", h("a.big-link", { href: "#/import" }, "Import data"), h("p", "Upload a file from this computer or import one from the server's disk.")),
      h("li", h("a.big-link", { href: "#/frames" }, "Data"), h("p", "Every frame with its column summary and first rows.")),
      h("li", h("a.big-link", { href: "#/build" }, "Build a model"), h("p", "A deep learning model with every parameter, defaults filled in.")),
      h("li", h("a.big-link", { href: "#/models" }, "Models"), h("p", "Scoring history, confusion matrix, variable importances, the Java model.")),
      h("li", h("a.big-link", { href: "#/jobs" }, "Jobs"), h("p", "Running and finished work, with progress and cancel."))),
    section("Connect from R",
      h("pre.code", `library(h2o)\nh2o_server = h2o.init(ip = "${host}", port = ${port})`)),
    section("Server", status));
  try {
    const cloud = await get("/3/Cloud");
    if (!ctx.alive()) return;
    const nodes = cloud.nodes || [];
    const sum = (key) => nodes.reduce((acc, n) => acc + (Number(n[key]) || 0), 0);
    const node = nodes.length > 1 ? { num_cpus: sum("num_cpus"), free_mem: sum("free_mem"), max_mem: sum("max_mem") }
      : nodes[0] || {};
    const summary = facts([
      ["Cloud name", cloud.cloud_name],
      ["Version", cloud.version],
      ["Healthy", cloud.cloud_healthy ? "yes" : "no"],
      ["Nodes", String(cloud.cloud_size)],
      ["Uptime", duration(cloud.cloud_uptime_millis)],
      ["Node", nodes.length > 1 ? `${nodes.length} Dask workers (below)` : node.h2o],
      ["CPUs", node.num_cpus !== undefined ? String(node.num_cpus) : ""],
      ["Memory (free / total)", node.max_mem ? `${bytes(node.free_mem)} / ${bytes(node.max_mem)}` : ""],
    ]);
    // Training on a Dask cluster: one node per worker.
    replace(status, summary, nodes.length > 1 ? table(
      [{ label: "Worker" }, { label: "Threads", numeric: true }, { label: "Memory (free / total)" }, { label: "Healthy" }],
      nodes.map((n) => [n.ip_port || n.h2o, String(n.nthreads ?? n.num_cpus ?? ""),
        n.max_mem ? `${bytes(n.free_mem)} / ${bytes(n.max_mem)}` : "", n.healthy ? "yes" : "no"]),
      { caption: "Dask workers", className: "cluster-nodes" }) : null);
  } catch (err) {
    if (ctx.alive()) replace(status, errorNotice(err, "Server status"));
  }
}
