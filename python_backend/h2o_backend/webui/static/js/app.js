// The single-page app: hash routes (#/jobs, #/frames/{id}, #/models/{id}, ...) -> page modules.

import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { errorNotice } from "./widgets.js";
import * as home from "./pages/home.js";
import * as jobs from "./pages/jobs.js";
import * as frames from "./pages/frames.js";
import * as frame from "./pages/frame.js";
import * as importData from "./pages/import.js";
import * as models from "./pages/models.js";
import * as model from "./pages/model.js";
import * as build from "./pages/build.js";

const ROUTES = [
  { pattern: /^\/?$/, page: home, nav: "" },
  { pattern: /^\/jobs$/, page: jobs, nav: "jobs" },
  { pattern: /^\/frames$/, page: frames, nav: "frames" },
  { pattern: /^\/frames\/(.+)$/, page: frame, nav: "frames", names: ["id"] },
  { pattern: /^\/import$/, page: importData, nav: "import" },
  { pattern: /^\/models$/, page: models, nav: "models" },
  { pattern: /^\/models\/(.+)$/, page: model, nav: "models", names: ["id"] },
  { pattern: /^\/build$/, page: build, nav: "build" },
];

let current = null; // the live page context
let firstRoute = true;

/** A page's context: route parameters, timers cleared when the page is left. */
function makeContext(params, query) {
  const timers = [];
  const ctx = {
    params,
    query,
    live: true,
    alive: () => ctx.live,
    every(ms, fn) {
      timers.push(setInterval(() => { if (ctx.live) fn(); }, ms));
    },
    navigate(hash) {
      window.location.hash = hash;
    },
    title(text) {
      document.title = `${text} · H2O Deep Learning`;
    },
    close() {
      ctx.live = false;
      timers.forEach(clearInterval);
    },
  };
  return ctx;
}

function parseHash() {
  const raw = window.location.hash.replace(/^#/, "");
  const [pathPart, queryPart = ""] = raw.split("?");
  return { path: pathPart || "/", query: Object.fromEntries(new URLSearchParams(queryPart)) };
}

function markNav(nav) {
  document.querySelectorAll("#nav a").forEach((a) => {
    if (a.dataset.nav === nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

async function route() {
  const { path, query } = parseHash();
  const main = document.getElementById("main");
  if (current) current.close();
  const match = ROUTES.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  if (!match) {
    current = makeContext({}, query);
    markNav(null);
    replace(main, h("h1", "Page not found"), h("p", "There is no page at ", h("code", "#" + path), ". ",
      h("a", { href: "#/" }, "Go to the start page"), "."));
    firstRoute = false;
    return;
  }
  const params = {};
  (match.r.names || []).forEach((name, i) => { params[name] = decodeURIComponent(match.m[i + 1]); });
  const ctx = makeContext(params, query);
  current = ctx;
  markNav(match.r.nav);
  replace(main, h("p.notice", { role: "status" }, "Loading…"));
  try {
    await match.r.page.render(main, ctx);
  } catch (err) {
    if (ctx.live) replace(main, h("h1", "Something went wrong"), errorNotice(err));
    console.error(err);
  }
  // After a navigation (not on the first load, where the skip link comes first), focus the heading.
  if (ctx.live && !firstRoute) {
    const heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }
  firstRoute = false;
}

async function refreshCloud() {
  const badge = document.getElementById("cloud-status");
  try {
    const cloud = await get("/3/Cloud");
    badge.className = "cloud-status " + (cloud.cloud_healthy ? "ok" : "bad");
    badge.textContent = `${cloud.cloud_name} · v${cloud.version} · ${cloud.cloud_healthy ? "healthy" : "unhealthy"}`;
  } catch (err) {
    badge.className = "cloud-status bad";
    badge.textContent = "server not reachable";
  }
}

/** Tables wider than the page scroll sideways: make those keyboard-focusable labelled regions. */
function markScrollableTables() {
  document.querySelectorAll("#main .table-wrap").forEach((el) => {
    if (el.scrollWidth > el.clientWidth + 1) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", `${el.dataset.label} (scrolls sideways)`);
    } else if (el.hasAttribute("tabindex")) {
      ["tabindex", "role", "aria-label"].forEach((name) => el.removeAttribute(name));
    }
  });
}

function start() {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      markScrollableTables();
    });
  };
  new MutationObserver(schedule).observe(document.getElementById("main"), { childList: true, subtree: true });
  window.addEventListener("resize", schedule);
  document.getElementById("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
  window.addEventListener("hashchange", route);
  refreshCloud();
  setInterval(refreshCloud, 15000);
  route();
}

start();
