// Formatting numbers, sizes, durations and times for display.

/** A number as H2O returns it (numbers, or "NaN"/"Infinity" strings) -> a JS number or NaN. */
export function toNumber(value) {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  if (value === null || value === undefined || value === "") return NaN;
  const n = Number(value);
  return Number.isNaN(n) ? NaN : n;
}

/** Numbers with about `digits` significant digits; text passes through. */
export function num(value, digits = 5) {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "string" && !/^[-+]?(\d|\.\d|Infinity|NaN)/.test(value)) return value;
  const n = toNumber(value);
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Inf" : "-Inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return n.toExponential(digits - 1);
  return String(Number(n.toPrecision(digits)));
}

/** A count with thousands separators (rows, columns, observations). */
export function count(value) {
  const n = toNumber(value);
  return Number.isFinite(n) ? n.toLocaleString("en-US") : "";
}

export function bytes(value) {
  const n = toNumber(value);
  if (!Number.isFinite(n)) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = n;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? size : size.toFixed(1)} ${units[unit]}`;
}

/** Milliseconds as "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min". */
export function duration(ms) {
  const n = toNumber(ms);
  if (!Number.isFinite(n)) return "";
  if (n < 1000) return `${Math.round(n)} ms`;
  const secs = n / 1000;
  if (secs < 60) return `${secs.toFixed(1)} s`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return `${mins} min ${Math.round(secs - mins * 60)} s`;
  return `${Math.floor(mins / 60)} h ${mins % 60} min`;
}

/** A time given in milliseconds (or seconds) since the epoch, as local date and time. */
export function dateTime(value) {
  let n = toNumber(value);
  if (!Number.isFinite(n) || n <= 0) return "";
  if (n < 1e11) n *= 1000; // seconds
  return new Date(n).toLocaleString();
}

/** A value of a time column (milliseconds since the epoch, UTC as parsed): date, or date and time. */
export function dataTime(value) {
  const n = toNumber(value);
  if (!Number.isFinite(n)) return "";
  const iso = new Date(n).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.replace("T", " ").replace(/\.000Z$|Z$/, "");
}

export function percent(fraction) {
  const n = toNumber(fraction);
  return Number.isFinite(n) ? `${Math.round(n * 100)}%` : "";
}

/** A parameter value (numbers, lists, booleans, keys) as short text. */
export function value(v) {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(value).join(", ");
  if (typeof v === "object") {
    if (v.name !== undefined) return String(v.name);
    if (v.column_name !== undefined) return String(v.column_name);
    return JSON.stringify(v);
  }
  if (typeof v === "number") return num(v, 6);
  return String(v);
}
