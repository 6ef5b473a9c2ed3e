// People: every person of the organisation, searchable and sortable; add, edit, roles, deactivate.
import { h, pageHeader } from "../components/dom.js";
import { personDialog, personLink, roleBadges, ROLE_OPTIONS, statusBadge } from "../components/people.js";
import { createTable } from "../components/table.js";

export function peopleColumns() {
  return [
    { key: "name", label: "Name", sortable: true, render: personLink },
    { key: "job_title", label: "Job title", sortable: true },
    { key: "department", label: "Department", sortable: true },
    { key: "manager", label: "Reports to", render: (p) => (p.manager_id ? h("a", { href: `#/people/${encodeURIComponent(p.manager_id)}` }, p.manager_name || "—") : h("span", { class: "muted" }, "—")) },
    { key: "roles", label: "Roles", render: (p) => roleBadges(p.roles) },
    { key: "active", label: "Status", render: statusBadge },
  ];
}

export function peopleLoader(api, extra = {}) {
  return ({ sort, order, offset, limit, filters }) => api.get("people", {
    sort, order, offset, limit, q: filters.q, department: filters.department, role: filters.role, active: filters.active, ...extra,
  });
}

export default {
  path: "/people",
  title: "People",
  section: "People",
  icon: "people",
  permissions: ["people.read_all"],
  description: "Everyone in the organisation: add, edit, roles",
  async render(container, ctx) {
    const canWrite = ctx.can("people.write");
    const departments = await ctx.api.get("departments");
    const add = canWrite ? h("button", { type: "button", class: "btn btn-primary", id: "add-person", onClick: async () => {
      const created = await personDialog({ canAssignRoles: ctx.can("roles.assign") });
      if (created) { ctx.toastSuccess(`${created.name} was added`); ctx.navigate(`/people/${created.id}`); }
    } }, "+ Add person") : null;
    container.append(pageHeader("People", "Everyone in your organisation. Select a name to see details, roles and learning records.", add));
    const table = createTable({
      caption: "People",
      columns: peopleColumns(),
      rowKey: (p) => p.id,
      load: peopleLoader(ctx.api),
      filters: [
        { name: "q", label: "Search", type: "search", placeholder: "Name, e-mail, job title, employee number", value: ctx.query.get("q") || "" },
        { name: "department", label: "Department", type: "select", options: [["", "All departments"], ...departments.items.map((d) => [d.name, `${d.name} (${d.people})`])] },
        { name: "role", label: "Role", type: "select", options: [["", "All roles"], ...ROLE_OPTIONS] },
        { name: "active", label: "Status", type: "select", value: ctx.query.get("active") || "", options: [["", "Everyone"], ["true", "Active"], ["false", "Inactive"]] },
      ],
      empty: canWrite
        ? { icon: "people", title: "No people yet", text: "Add the first person, or connect your identity provider with SCIM to provision everyone at once.",
          action: { label: "Add person", onClick: () => add.click() } }
        : { icon: "people", title: "No people yet", text: "People appear here when an administrator adds them or your identity provider provisions them." },
    });
    container.append(table.element);
  },
};
