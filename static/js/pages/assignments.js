// Assign a course: pick people (search) and/or a group, assign them in one go, and see everyone enrolled.
// POST/GET /api/v1/packages/{id}/assignments; course managers (packages.manage) only.
import { clear, h } from "../components/dom.js";
import { peopleSearch } from "../components/people-search.js";
import { createTable } from "../components/table.js";
import { FORMATS as STANDARDS, statusLabel } from "./learning.js";

export default {
  path: "/catalog/:id/assign",
  title: "Assign course",
  section: "Learning",
  nav: false,
  permissions: ["packages.manage"],
  async render(container, ctx) {
    const packageId = ctx.params.id;
    const course = await ctx.api.get(`packages/${encodeURIComponent(packageId)}`);
    const path = `packages/${encodeURIComponent(packageId)}/assignments`;
    const chosen = new Map(); // person id -> name
    container.append(h("div", { class: "breadcrumbs" }, h("a", { href: "#/catalog" }, "Course catalogue"), " / ", course.title));
    container.append(h("div", { class: "page-header" }, h("div", { class: "titles" },
      h("h1", {}, `Assign “${course.title}”`), h("p", {}, STANDARDS[course.standard] || course.standard))));

    const picked = h("ul", { class: "plain-list", id: "assign-chosen", "aria-live": "polite" });
    const showChosen = () => {
      clear(picked);
      for (const [id, name] of chosen) {
        picked.append(h("li", {}, name, " ", h("button", { type: "button", class: "btn btn-sm", "aria-label": `Remove ${name}`,
          onClick: () => { chosen.delete(id); showChosen(); } }, "×")));
      }
    };
    const { input: search, results } = peopleSearch(ctx, { id: "assign", actionLabel: "+ Choose",
      exclude: () => new Set(chosen.keys()), onPick: (p) => { chosen.set(p.id, p.name); showChosen(); } });
    const groups = (await ctx.api.get("groups")).items;
    const groupSelect = h("select", { id: "assign-group" }, h("option", { value: "" }, "— no group —"),
      ...groups.map((g) => h("option", { value: g.id }, `${g.name} (${g.members})`)));
    const assignButton = h("button", { type: "submit", class: "btn btn-primary", id: "assign-submit" }, "Assign");
    const table = createTable({
      caption: "Enrolled",
      rows: (await ctx.api.get(path)).registrations,
      rowKey: (r) => r.id,
      sort: "learner",
      columns: [
        { key: "learner", label: "Learner", sortable: true, text: (r) => r.learner.name, sortValue: (r) => r.learner.name },
        { key: "email", label: "E-mail", text: (r) => r.learner.email || "" },
        { key: "status", label: "Status", text: (r) => statusLabel(r) },
        { key: "created_at", label: "Enrolled", sortable: true, text: (r) => (r.created_at || "").slice(0, 10) },
      ],
      filters: [{ name: "q", label: "Filter", type: "search", placeholder: "Name",
        match: (r, value) => r.learner.name.toLowerCase().includes(value.toLowerCase()) }],
      empty: { icon: "people", title: "Nobody enrolled yet", text: "Choose people or a group above and assign the course." },
    });
    const form = h("form", { class: "card card-body", id: "assign-form", onSubmit: async (event) => {
      event.preventDefault();
      const body = { person_ids: [...chosen.keys()], group_ids: groupSelect.value ? [groupSelect.value] : [] };
      if (!body.person_ids.length && !body.group_ids.length) { ctx.toastError("Choose people or a group first."); return; }
      assignButton.disabled = true;
      try {
        const result = await ctx.api.post(path, body);
        const already = result.already_enrolled.length;
        ctx.toastSuccess(`Assigned ${result.assigned.length}${already ? `; ${already} already enrolled` : ""}`);
        chosen.clear(); showChosen(); groupSelect.value = "";
        table.setRows((await ctx.api.get(path)).registrations);
      } catch (err) {
        ctx.toastError(err.message);
      } finally {
        assignButton.disabled = false;
      }
    } },
    h("div", { class: "field" }, h("label", { for: "assign-search" }, "People"), search, results, picked),
    h("div", { class: "field" }, h("label", { for: "assign-group" }, "Everyone in a group"), groupSelect),
    h("div", { class: "field" }, assignButton));
    container.append(form, h("div", { class: "section" }), table.element);
  },
};
