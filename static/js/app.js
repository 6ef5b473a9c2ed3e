// The app shell: who is signed in, the sidebar built from the page registry by permission, and a
// hash router (#/people/…) that renders one page module at a time into <main>.
import { api, ApiError, loadMe, signOut } from "./api.js";
import { clear, h, initials } from "./components/dom.js";
import { statePage } from "./components/empty.js";
import { icon } from "./components/icons.js";
import { toast, toastError, toastSuccess } from "./components/toast.js";
import { pages } from "./pages/index.js";

const content = document.getElementById("content");
const nav = document.getElementById("sidebar");

/** A page is visible when it asks for no permission, or the person holds at least one of them. */
export function allowed(page, me) {
  const wanted = page.permissions || [];
  return wanted.length === 0 || wanted.some((p) => me.permissions.includes(p));
}

function compile(path) {
  const names = [];
  const pattern = path.replace(/:[a-zA-Z_]+/g, (m) => { names.push(m.slice(1)); return "([^/]+)"; });
  return { regex: new RegExp(`^${pattern}/?$`), names };
}

const routes = pages.map((page) => ({ page, ...compile(page.path) }));

function parseHash() {
  const raw = window.location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

function match(path) {
  for (const route of routes) {
    const found = route.regex.exec(path);
    if (found) {
      const params = {};
      route.names.forEach((name, i) => { params[name] = decodeURIComponent(found[i + 1]); });
      return { page: route.page, params };
    }
  }
  return null;
}

export function navigate(path) {
  window.location.hash = `#${path}`;
}

function buildNav(me, currentPath) {
  clear(nav);
  const sections = new Map();
  for (const page of pages) {
    if (page.nav === false || page.path.includes(":") || !allowed(page, me)) continue;
    if (!sections.has(page.section)) sections.set(page.section, []);
    sections.get(page.section).push(page);
  }
  for (const [section, items] of sections) {
    nav.append(h("div", { class: "nav-section" },
      h("div", { class: "nav-section-title", id: `nav-${section.replace(/\W+/g, "-").toLowerCase()}` }, section),
      h("ul", { role: "list", class: "nav-list", "aria-labelledby": `nav-${section.replace(/\W+/g, "-").toLowerCase()}` },
        items.map((page) => h("li", {},
          h("a", {
            class: "nav-link", href: `#${page.path}`, dataset: { path: page.path },
            "aria-current": currentPath === page.path || (page.path !== "/" && currentPath.startsWith(`${page.path}/`)) ? "page" : false,
          }, h("span", { class: "nav-icon", "aria-hidden": "true" }, icon(page.icon || "question")), page.title))))));
  }
}

function markCurrent(path) {
  for (const link of nav.querySelectorAll("a.nav-link")) {
    const target = link.dataset.path;
    const current = path === target || (target !== "/" && path.startsWith(`${target}/`));
    if (current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
}

let renderSerial = 0;

async function route(me) {
  const serial = ++renderSerial;
  const { path, query } = parseHash();
  markCurrent(path);
  nav.classList.remove("open");
  document.getElementById("menu-toggle").setAttribute("aria-expanded", "false");
  const found = match(path);
  clear(content);
  if (!found) {
    document.title = "Not found · learnhub";
    content.append(statePage({ icon: "question", title: "Page not found",
      text: "There is no page at this address. Check the link, or go back to the dashboard.",
      link: { href: "#/", label: "Go to the dashboard" } }));
    return;
  }
  const { page, params } = found;
  if (!allowed(page, me)) {
    document.title = "Not allowed · learnhub";
    content.append(statePage({ icon: "blocked", title: "You are not allowed to open this page",
      text: `${page.title} needs a role you do not have. If you need it, ask your organisation's administrator.`,
      link: { href: "#/", label: "Go to the dashboard" } }));
    content.dataset.state = "forbidden";
    return;
  }
  delete content.dataset.state;
  document.title = `${page.title} · ${me.tenant.name} · learnhub`;
  const container = h("div", { class: "page", dataset: { page: page.path } });
  content.append(container);
  const ctx = {
    me, params, query, api, navigate, toast, toastSuccess, toastError,
    can: (permission) => me.permissions.includes(permission),
    isCurrent: () => serial === renderSerial,
    pages: pages.filter((p) => p.nav !== false && !p.path.includes(":") && allowed(p, me)),
  };
  try {
    await page.render(container, ctx);
  } catch (err) {
    if (serial !== renderSerial) return;
    clear(container);
    if (err instanceof ApiError && err.status === 404) {
      container.append(statePage({ icon: "question", title: "Not found", text: err.message, link: { href: `#${page.path.split("/:")[0]}`, label: "Back" } }));
    } else if (err instanceof ApiError && err.status === 403) {
      container.append(statePage({ icon: "blocked", title: "You are not allowed to do this", text: err.message, link: { href: "#/", label: "Go to the dashboard" } }));
    } else {
      container.append(statePage({ title: "Something went wrong", text: err.message || String(err), link: { href: `#${path}`, label: "Try again" } }));
    }
  }
  if (serial === renderSerial && document.activeElement === document.body) content.focus({ preventScroll: true });
}

async function start() {
  const me = await loadMe();
  if (!me) {
    window.location.replace(`/login${window.location.hash}`);
    return;
  }
  document.getElementById("tenant-name").textContent = me.tenant.name;
  document.getElementById("user-name").textContent = me.name;
  document.getElementById("user-roles").textContent = me.roles.map((r) => r.label).join(", ") || "No role";
  document.getElementById("avatar").textContent = initials(me.name);
  document.getElementById("sign-out").addEventListener("click", () => signOut());
  const toggle = document.getElementById("menu-toggle");
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  window.addEventListener("learnhub:signed-out", () => window.location.assign(`/login${window.location.hash}`));
  buildNav(me, parseHash().path);
  window.addEventListener("hashchange", () => route(me));
  await route(me);
}

start().catch((err) => {
  clear(content);
  content.append(statePage({ title: "learnhub could not start", text: err.message || String(err), link: { href: "/", label: "Reload" } }));
});
