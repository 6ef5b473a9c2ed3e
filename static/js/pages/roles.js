// Roles: the permission map (read-only), exactly as provisioning/roles.py defines it.
import { h, pageHeader } from "../components/dom.js";

export default {
  path: "/roles",
  title: "Roles",
  section: "People",
  icon: "roles",
  permissions: ["roles.assign", "people.read_all"],
  description: "What each role may do",
  async render(container, ctx) {
    const data = await ctx.api.get("roles");
    container.append(pageHeader("Roles and permissions",
      "Each person has one or more roles; a role grants the permissions ticked below. Give roles on a person's page."));
    const head = h("tr", {}, h("th", { scope: "col" }, "Permission"),
      data.roles.map((r) => h("th", { scope: "col", class: "role" }, r.label)));
    const body = data.permissions.map((p) => h("tr", {},
      h("th", { scope: "row" }, h("div", {}, p.description), h("span", { class: "sub mono muted" }, p.permission)),
      data.roles.map((r) => (r.permissions.includes(p.permission)
        ? h("td", { class: "yes", "aria-label": "yes" }, "✓")
        : h("td", { class: "no", "aria-label": "no" }, "·")))));
    container.append(h("div", { class: "card table-card" }, h("div", { class: "table-scroll" },
      h("table", { class: "data matrix" }, h("caption", { class: "visually-hidden" }, "Permissions by role"), h("thead", {}, head), h("tbody", {}, body)))));
  },
};
