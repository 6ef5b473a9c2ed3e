// Audit log: every administrative change with who, what, when; filter by action, actor and date.
import { formatDate, h, pageHeader } from "../components/dom.js";
import { createTable } from "../components/table.js";

function target(entry) {
  const label = entry.target_name || h("code", {}, entry.target_id.length > 12 ? `${entry.target_id.slice(0, 8)}…` : entry.target_id);
  const kind = h("span", { class: "sub" }, entry.target_type.replace("_", " "));
  if (entry.target_type === "person" && entry.target_name) return h("div", {}, h("a", { href: `#/people/${encodeURIComponent(entry.target_id)}` }, label), kind);
  if (entry.target_type === "group" && entry.target_name) return h("div", {}, h("a", { href: `#/groups/${encodeURIComponent(entry.target_id)}` }, label), kind);
  return h("div", { title: entry.target_id }, label, kind);
}

function details(entry) {
  const keys = Object.keys(entry.details || {});
  if (!keys.length) return h("span", { class: "muted" }, "—");
  return h("code", { class: "muted" }, keys.map((k) => `${k}: ${JSON.stringify(entry.details[k])}`).join("; "));
}

export default {
  path: "/audit",
  title: "Audit log",
  section: "Governance",
  icon: "audit",
  permissions: ["audit.read"],
  description: "Who changed what, and when",
  async render(container, ctx) {
    const actions = await ctx.api.get("audit/actions");
    container.append(pageHeader("Audit log", "Every administrative change and sign-in, newest first. Entries cannot be edited or deleted."));
    const table = createTable({
      caption: "Audit log",
      columns: [
        { key: "at", label: "When", render: (e) => h("span", { class: "nowrap" }, formatDate(e.at)) },
        { key: "actor", label: "Who", render: (e) => h("span", {}, e.actor) },
        { key: "action", label: "Action", render: (e) => h("span", { class: "badge badge-primary" }, e.action) },
        { key: "target", label: "Target", render: target },
        { key: "details", label: "Details", render: details },
      ],
      rowKey: (e) => String(e.id),
      pageSize: 50,
      loadCursor: async ({ cursor, limit, filters }) => {
        const data = await ctx.api.get("audit", { before: cursor, limit, action: filters.action, actor: filters.actor, since: filters.since, until: filters.until, target: filters.target });
        return { items: data.items, next: data.next_before };
      },
      filters: [
        { name: "action", label: "Action", type: "select", value: ctx.query.get("action") || "",
          options: [["", "All actions"], ...[...new Set(actions.items.map((a) => `${a.split(".")[0]}.`))].map((p) => [p, `${p}* (all)`]), ...actions.items.map((a) => [a, a])] },
        { name: "actor", label: "Who", type: "search", placeholder: "e-mail or client key", value: ctx.query.get("actor") || "" },
        { name: "target", label: "Target id", type: "text", placeholder: "exact id", value: ctx.query.get("target") || "" },
        { name: "since", label: "From", type: "date" },
        { name: "until", label: "To", type: "date" },
      ],
      empty: { icon: "audit", title: "The audit log is empty", text: "Changes to people, groups, credentials and settings appear here as soon as they are made." },
    });
    container.append(table.element);
  },
};
