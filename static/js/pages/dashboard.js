// Dashboard: what the signed-in person can see at a glance, and quick links by role.
import { h, pageHeader } from "../components/dom.js";
import { icon } from "../components/icons.js";

const STATS = [
  ["people", "People", "#/people"],
  ["active_people", "Active people", "#/people?active=true"],
  ["departments", "Departments", "#/people"],
  ["groups", "Groups", "#/groups"],
  ["lrs_credentials", "Active LRS clients", "#/lrs-credentials"],
  ["audit_last_7_days", "Audit entries (7 days)", "#/audit"],
];

export default {
  path: "/",
  title: "Dashboard",
  section: "Overview",
  icon: "home",
  permissions: [],
  description: "Your organisation at a glance",
  async render(container, ctx) {
    const data = await ctx.api.get("dashboard");
    const hour = new Date().getHours();
    const greeting = hour < 12 ? "Good morning" : hour < 18 ? "Good afternoon" : "Good evening";
    container.append(pageHeader(`${greeting}, ${ctx.me.name.split(" ")[0]}`,
      `${data.tenant.name} · ${ctx.me.roles.map((r) => r.label).join(", ") || "no role yet"}`));
    const stats = [];
    if (data.counts) {
      for (const [key, label, href] of STATS) {
        if (data.counts[key] === undefined) continue;
        stats.push(h("div", { class: "card stat", dataset: { stat: key } },
          h("a", { href }, h("div", { class: "stat-label" }, label), h("div", { class: "stat-value" }, data.counts[key].toLocaleString()))));
      }
    }
    if (data.team && (data.team.team > 0 || !data.counts)) {
      stats.push(h("div", { class: "card stat", dataset: { stat: "team" } },
        h("a", { href: "#/team" }, h("div", { class: "stat-label" }, "People in my team"), h("div", { class: "stat-value" }, String(data.team.team)))));
      stats.push(h("div", { class: "card stat", dataset: { stat: "direct_reports" } },
        h("a", { href: "#/team" }, h("div", { class: "stat-label" }, "Direct reports"), h("div", { class: "stat-value" }, String(data.team.direct_reports)))));
    }
    if (stats.length) container.append(h("div", { class: "grid grid-stats" }, stats));
    const links = ctx.pages.filter((p) => p.path !== "/");
    container.append(h("section", { class: "section" }, h("h2", {}, "Go to"),
      links.length
        ? h("div", { class: "quick-links" }, links.map((p) => h("a", { class: "quick-link", href: `#${p.path}` },
          h("strong", {}, icon(p.icon || "question", { size: 16 }), " ", p.title), h("span", {}, p.description || ""))))
        : h("div", { class: "card card-body muted" }, "Your courses and records will appear here once your organisation assigns training.")));
  },
};
