// One group: its members; add people by search, remove, rename, delete.
import { confirmDialog } from "../components/dialog.js";
import { clear, h } from "../components/dom.js";
import { peopleSearch } from "../components/people-search.js";
import { createTable } from "../components/table.js";
import { groupNameDialog } from "./groups.js";

export default {
  path: "/groups/:id",
  title: "Group",
  section: "People",
  nav: false,
  permissions: ["people.read_all", "groups.write"],
  async render(container, ctx) {
    const group = await ctx.api.get(`groups/${encodeURIComponent(ctx.params.id)}`);
    const canWrite = ctx.can("groups.write");
    const refresh = () => { if (ctx.isCurrent()) { clear(container); this.render(container, ctx); } };
    const actions = canWrite ? [
      h("button", { type: "button", class: "btn", onClick: async () => { if (await groupNameDialog(ctx, group)) { ctx.toastSuccess("Group renamed"); refresh(); } } }, "Rename"),
      h("button", { type: "button", class: "btn btn-danger", onClick: async () => {
        if (!(await confirmDialog({ title: `Delete ${group.name}?`, danger: true, confirmLabel: "Delete group",
          message: "The group and its memberships are removed. The people themselves stay." }))) return;
        await ctx.api.del(`groups/${encodeURIComponent(group.id)}`);
        ctx.toastSuccess(`Group ${group.name} deleted`);
        ctx.navigate("/groups");
      } }, "Delete"),
    ] : [];
    container.append(h("div", { class: "breadcrumbs" }, h("a", { href: "#/groups" }, "Groups"), " / ", group.name));
    container.append(h("div", { class: "page-header" },
      h("div", { class: "titles" }, h("h1", {}, group.name), h("p", {}, `${group.members} member${group.members === 1 ? "" : "s"}`)),
      h("div", { class: "page-actions" }, actions)));

    if (canWrite) {
      const { input: search, results } = peopleSearch(ctx, {
        id: "member", exclude: () => new Set(group.people.map((p) => p.id)),
        onPick: async (p) => {
          await ctx.api.post(`groups/${encodeURIComponent(group.id)}/members`, { people: [p.id] });
          ctx.toastSuccess(`${p.name} added`);
          refresh();
        } });
      container.append(h("div", { class: "card card-body", style: false },
        h("div", { class: "field" }, h("label", { for: "member-search" }, "Add people"), search,
          h("div", { class: "help", id: "member-search-help" }, "Search, then choose Add next to a name.")), results));
      container.append(h("div", { class: "section" }));
    }
    const table = createTable({
      caption: "Members",
      rows: group.people,
      rowKey: (p) => p.id,
      columns: [
        { key: "name", label: "Name", sortable: true, render: (p) => h("a", { href: `#/people/${encodeURIComponent(p.id)}` }, p.name) },
        { key: "email", label: "E-mail", sortable: true },
        { key: "active", label: "Status", render: (p) => h("span", { class: p.active ? "badge badge-success" : "badge badge-danger" }, p.active ? "Active" : "Inactive") },
        canWrite ? { key: "remove", label: "", class: "num", render: (p) => h("button", { type: "button", class: "btn btn-sm btn-danger", "aria-label": `Remove ${p.name}`, onClick: async () => {
          await ctx.api.del(`groups/${encodeURIComponent(group.id)}/members/${encodeURIComponent(p.id)}`);
          ctx.toastSuccess(`${p.name} removed`);
          refresh();
        } }, "Remove") } : null,
      ].filter(Boolean),
      filters: [{ name: "q", label: "Filter members", type: "search", placeholder: "Name or e-mail" }],
      empty: { icon: "people", title: "No members yet", text: canWrite ? "Search for people above and add them to this group." : "This group has no members." },
    });
    container.append(table.element);
  },
};
