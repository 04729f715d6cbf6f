// Talking to the server's H2O-3 REST API (/3/...): one request function, one error type.

export class ApiError extends Error {
  constructor(method, path, status, body) {
    const msg = (body && (body.msg || body.exception_msg)) || `HTTP ${status}`;
    super(msg);
    this.method = method;
    this.path = path;
    this.status = status;
    this.body = body || {};
  }

  /** True when the server has no such endpoint (not when a key is unknown). */
  get endpointMissing() {
    const type = this.body.exception_type;
    return (this.status === 404 && (type === "NotFound" || !type)) || this.status === 405 ||
      this.status === 501;
  }

  /** Per-field validation messages of a model builder error (H2OModelBuilderErrorV3). */
  get messages() {
    return Array.isArray(this.body.messages) ? this.body.messages : [];
  }
}

/** The path of an endpoint with `{name}` placeholders filled and escaped. */
export function path(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(values[name]));
}

/** H2O's list syntax for form parameters: ["a","b"] for strings, [1,2] for numbers. */
export function h2oList(items) {
  return "[" + items.map((v) => (typeof v === "number" ? String(v) : JSON.stringify(String(v))))
    .join(",") + "]";
}

function encode(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null) continue;
    search.append(key, Array.isArray(value) ? h2oList(value) : String(value));
  }
  return search;
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { msg: text.slice(0, 300) };
  }
}

/**
 * One request. GET/DELETE send `params` in the query string, POST form-encoded.
 * Answers the parsed JSON; throws ApiError for non-2xx answers and network failures.
 */
export async function request(method, endpoint, params) {
  const body = method === "POST" ? encode(params) : undefined;
  let url = endpoint;
  if (method !== "POST" && params) {
    const query = encode(params).toString();
    if (query) url += (url.includes("?") ? "&" : "?") + query;
  }
  let response;
  try {
    response = await fetch(url, { method, body, headers: { Accept: "application/json" } });
  } catch (err) {
    throw new ApiError(method, endpoint, 0, { msg: `The server cannot be reached (${err.message})` });
  }
  const json = await readBody(response);
  if (!response.ok) throw new ApiError(method, endpoint, response.status, json);
  return json;
}

export const get = (endpoint, params) => request("GET", endpoint, params);
export const post = (endpoint, params) => request("POST", endpoint, params);
export const del = (endpoint, params) => request("DELETE", endpoint, params);

/** Whether an endpoint answers at all (HEAD; for downloads such as the POJO). */
export async function available(endpoint) {
  try {
    const response = await fetch(endpoint, { method: "HEAD" });
    if (response.ok) return { ok: true };
    const err = new ApiError("HEAD", endpoint, response.status, {});
    return { ok: false, missing: err.endpointMissing || response.status === 404, status: response.status };
  } catch (err) {
    return { ok: false, missing: false, status: 0 };
  }
}

/**
 * Upload a browser file as a multipart POST (field `file`), reporting progress 0..1.
 * Answers the parsed JSON.
 */
export function upload(endpoint, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", endpoint);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let json = {};
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : {};
      } catch {
        json = { msg: xhr.responseText.slice(0, 300) };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json);
      else reject(new ApiError("POST", endpoint, xhr.status, json));
    };
    xhr.onerror = () => reject(new ApiError("POST", endpoint, 0, { msg: "The upload failed: the server cannot be reached" }));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

const RUNNING = new Set(["CREATED", "RUNNING"]);

export const isRunning = (job) => RUNNING.has(job.status);

/**
 * Poll GET /3/Jobs/{id} until the job ends. `onUpdate(job)` is called after every poll;
 * `alive()` false stops polling (the page was left). Answers the last job seen.
 */
export async function followJob(jobKey, onUpdate, alive = () => true, intervalMs = 400) {
  for (;;) {
    const answer = await get(path("/3/Jobs/{id}", { id: jobKey }));
    const job = answer.jobs[0];
    if (alive()) onUpdate(job);
    if (!isRunning(job) || !alive()) return job;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
