// Import data: upload a file (PostFile.bin) or import a server-side file (ImportFiles), confirm the
// parse setup (ParseSetup: separator, header, column names and types, all editable), then Parse.

import { followJob, get, post, upload } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { bytes } from "../format.js";
import { errorNotice, frameLink, notice, progressBar, section } from "../widgets.js";
import { setupForm } from "./parse_setup.js";

export async function render(main, ctx) {
  ctx.title("Import data");
  const step2 = h("div");
  const fileId = uid("file");
  const pathId = uid("path");
  const uploadStatus = h("div", { "aria-live": "polite" });
  const importStatus = h("div", { "aria-live": "polite" });
  const fileInput = h("input", { type: "file", id: fileId, name: "file" });
  const pathInput = h("input", { type: "text", id: pathId, name: "path", size: 50, placeholder: "/data/weather.csv",
    autocomplete: "off", spellcheck: "false" });

  async function doUpload(event) {
    event.preventDefault();
    const file = fileInput.files[0];
    if (!file) {
      replace(uploadStatus, notice("error", "Choose a file first."));
      fileInput.focus();
      return;
    }
    replace(uploadStatus, progressBar(0, "Upload progress", `uploading ${file.name} (${bytes(file.size)})`));
    try {
      const endpoint = `/3/PostFile.bin?destination_frame=${encodeURIComponent(file.name)}`;
      const answer = await upload(endpoint, file, (fraction) => {
        if (ctx.alive()) replace(uploadStatus, progressBar(fraction, "Upload progress", `uploading ${file.name}`));
      });
      if (!ctx.alive()) return;
      replace(uploadStatus, notice("info", `Uploaded ${file.name} (${bytes(answer.total_bytes ?? file.size)}) as `,
        h("code", answer.destination_frame), "."));
      startSetup([answer.destination_frame]);
    } catch (err) {
      if (ctx.alive()) replace(uploadStatus, errorNotice(err, "Upload"));
    }
  }

  async function doImport(event) {
    event.preventDefault();
    const serverPath = pathInput.value.trim();
    if (!serverPath) {
      replace(importStatus, notice("error", "Enter a path on the server."));
      pathInput.focus();
      return;
    }
    replace(importStatus, notice("info", `Importing ${serverPath}…`));
    try {
      const answer = await get("/3/ImportFiles", { path: serverPath });
      if (!ctx.alive()) return;
      const keys = answer.destination_frames || [];
      const fails = answer.fails || [];
      if (keys.length === 0) {
        replace(importStatus, notice("error", `Nothing imported from ${serverPath}`, fails.length ? `: ${fails.join(", ")}` : "."));
        return;
      }
      replace(importStatus, notice("info", `Imported ${keys.length} file${keys.length === 1 ? "" : "s"}: `,
        keys.join(", "), fails.length ? ` (failed: ${fails.join(", ")})` : ""));
      startSetup(keys);
    } catch (err) {
      if (ctx.alive()) replace(importStatus, errorNotice(err, "Import"));
    }
  }

  function startSetup(sourceKeys) {
    replace(step2, section("Parse setup", setupForm(sourceKeys, ctx, (request) => parse(request))));
    const heading = step2.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  async function parse(request) {
    const status = step2.querySelector(".parse-status");
    replace(status, progressBar(0, "Parse progress", "starting"));
    try {
      const answer = await post("/3/Parse", request);
      const dest = (answer.destination_frame && answer.destination_frame.name) || answer.destination_frame || request.destination_frame;
      const job = await followJob(answer.job.key.name, (j) => {
        replace(status, progressBar(j.progress, "Parse progress", j.progress_msg || j.status.toLowerCase()));
      }, ctx.alive);
      if (!ctx.alive()) return;
      if (job.status === "DONE") {
        replace(status, progressBar(1, "Parse progress", "done"),
          notice("success", "Parsed into ", frameLink(dest), ". ",
            h("a", { href: `#/frames/${encodeURIComponent(dest)}`, class: "button", id: "view-parsed-frame" }, "View frame"), " ",
            h("a", { href: `#/build?training_frame=${encodeURIComponent(dest)}`, class: "button secondary" }, "Build a model")));
        status.querySelector("#view-parsed-frame").focus();
      } else {
        replace(status, notice("error", `The parse ${job.status.toLowerCase()}`, job.exception ? `: ${job.exception}` : "."));
        enableParse();
      }
    } catch (err) {
      if (ctx.alive()) replace(status, errorNotice(err, "Parse"));
      enableParse();
    }
  }

  function enableParse() {
    const button = step2.querySelector("#parse-button");
    if (button) button.disabled = false;
  }

  replace(main,
    h("h1", "Import data"),
    h("p.lead", "Bring a CSV file into the server, check how it will be read, then parse it into a frame."),
    h("div.two-col",
      section("Upload a file from this computer",
        h("form", { onsubmit: doUpload },
          h("div.field", h("label", { for: fileId }, "File"), fileInput),
          h("button", { type: "submit", id: "upload-button" }, "Upload")),
        uploadStatus),
      section("Import a file on the server",
        h("form", { onsubmit: doImport },
          h("div.field", h("label", { for: pathId }, "Path on the server (file, folder or pattern)"), pathInput),
          h("button", { type: "submit", id: "import-button" }, "Import")),
        importStatus)),
    step2);
}
