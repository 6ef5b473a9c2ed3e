// Groups: named sets of people (training audiences); SCIM-provisioned groups show up here too.
import { openDialog } from "../components/dialog.js";
import { formatDate, h, pageHeader } from "../components/dom.js";
import { createForm } from "../components/form.js";
import { createTable } from "../components/table.js";

export function groupNameDialog(ctx, group = null) {
  return new Promise((resolve) => {
    let saved = null;
    const form = createForm({
      fields: [{ name: "name", label: "Group name", required: true, value: group?.name, help: "For example: Confined-space entrants, Night shift, New starters 2026." }],
      submitLabel: group ? "Rename" : "Create group", onCancel: () => dialog.close(),
      onSubmit: async (values) => {
        saved = group ? await ctx.api.patch(`groups/${encodeURIComponent(group.id)}`, values) : await ctx.api.post("groups", values);
        dialog.close();
      },
    });
    const dialog = openDialog({ title: group ? `Rename ${group.name}` : "New group", content: form.element, onClose: () => resolve(saved) });
    form.focus();
  });
}

export default {
  path: "/groups",
  title: "Groups",
  section: "People",
  icon: "groups",
  permissions: ["people.read_all", "groups.write"],
  description: "Audiences for training requirements",
  async render(container, ctx) {
    const canWrite = ctx.can("groups.write");
    const create = async () => {
      const created = await groupNameDialog(ctx);
      if (created) { ctx.toastSuccess(`Group ${created.name} created`); ctx.navigate(`/groups/${created.id}`); }
    };
    container.append(pageHeader("Groups", "Groups gather people across departments, e.g. everyone who needs confined-space training.",
      canWrite ? h("button", { type: "button", class: "btn btn-primary", id: "add-group", onClick: create }, "+ New group") : null));
    const data = await ctx.api.get("groups");
    const table = createTable({
      caption: "Groups",
      rows: data.items,
      rowKey: (g) => g.id,
      columns: [
        { key: "name", label: "Name", sortable: true, render: (g) => h("a", { href: `#/groups/${encodeURIComponent(g.id)}` }, g.name) },
        { key: "members", label: "Members", sortable: true, class: "num", sortValue: (g) => g.members },
        { key: "source", label: "Source", text: (g) => (g.external_id ? "SCIM" : "learnhub"), render: (g) => h("span", { class: "badge" }, g.external_id ? "SCIM" : "learnhub") },
        { key: "updated_at", label: "Last changed", sortable: true, render: (g) => formatDate(g.updated_at), sortValue: (g) => g.updated_at },
      ],
      filters: [{ name: "q", label: "Search", type: "search", placeholder: "Group name" }],
      empty: canWrite
        ? { icon: "groups", title: "No groups yet", text: "Create a group to assign training to people across departments.", action: { label: "New group", onClick: create } }
        : { icon: "groups", title: "No groups yet", text: "An administrator can create groups, or your identity provider can provision them." },
    });
    container.append(table.element);
  },
};
