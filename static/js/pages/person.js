// One person: details, reporting line, groups, xAPI identities; edit, roles, password, (de)activate.
import { confirmDialog } from "../components/dialog.js";
import { clear, formatDate, h } from "../components/dom.js";
import { passwordDialog, personDialog, roleBadges, rolesDialog, statusBadge } from "../components/people.js";

function row(label, value) {
  return [h("dt", {}, label), h("dd", {}, value === null || value === undefined || value === "" ? h("span", { class: "muted" }, "—") : value)];
}

export default {
  path: "/people/:id",
  title: "Person",
  section: "People",
  nav: false,
  permissions: ["people.read_all", "people.read_team"],
  async render(container, ctx) {
    const person = await ctx.api.get(`people/${encodeURIComponent(ctx.params.id)}`);
    document.title = `${person.name} · learnhub`;
    const self = person.id === ctx.me.id;
    const refresh = () => { if (ctx.isCurrent()) { clear(container); this.render(container, ctx); } };
    const actions = [];
    if (ctx.can("people.write")) {
      actions.push(h("button", { type: "button", class: "btn", onClick: async () => {
        if (await personDialog({ person })) { ctx.toastSuccess("Changes saved"); refresh(); }
      } }, "Edit"));
    }
    if (ctx.can("roles.assign") && !self) {
      actions.push(h("button", { type: "button", class: "btn", onClick: async () => {
        if (await rolesDialog(person)) { ctx.toastSuccess("Roles saved"); refresh(); }
      } }, "Roles"));
    }
    if (ctx.can("people.write") && !self) {
      actions.push(h("button", { type: "button", class: "btn", onClick: async () => {
        if (await passwordDialog(person)) ctx.toastSuccess(`The password of ${person.name} was reset`);
      } }, "Reset password"));
      actions.push(person.active
        ? h("button", { type: "button", class: "btn btn-danger", onClick: async () => {
          const ok = await confirmDialog({ title: `Deactivate ${person.name}?`, danger: true, confirmLabel: "Deactivate",
            message: "They are signed out at once and cannot sign in until reactivated. Their learning records stay." });
          if (!ok) return;
          try { await ctx.api.post(`people/${encodeURIComponent(person.id)}/deactivate`); ctx.toastSuccess(`${person.name} was deactivated`); refresh(); } catch (err) { ctx.toastError(err.message); }
        } }, "Deactivate")
        : h("button", { type: "button", class: "btn", onClick: async () => {
          try { await ctx.api.post(`people/${encodeURIComponent(person.id)}/reactivate`); ctx.toastSuccess(`${person.name} was reactivated`); refresh(); } catch (err) { ctx.toastError(err.message); }
        } }, "Reactivate"));
    }
    const back = ctx.can("people.read_all") ? "#/people" : "#/team";
    container.append(h("div", { class: "breadcrumbs" }, h("a", { href: back }, ctx.can("people.read_all") ? "People" : "My team"), " / ", person.name));
    container.append(h("div", { class: "page-header" },
      h("div", { class: "titles" }, h("h1", {}, person.name, " ", statusBadge(person)),
        h("p", {}, [person.job_title, person.department].filter(Boolean).join(" · ") || person.email)),
      h("div", { class: "page-actions" }, actions)));

    const details = h("dl", { class: "details" },
      row("E-mail", person.email), row("User name", person.user_name), row("Job title", person.job_title),
      row("Department", person.department),
      row("Reports to", person.manager_id ? h("a", { href: `#/people/${encodeURIComponent(person.manager_id)}` }, person.manager_name) : null),
      row("Employee number", person.employee_number), row("Location", person.location),
      row("Roles", roleBadges(person.roles)),
      row("Sign-in", person.has_password ? "Password or single sign-on" : "Single sign-on only"),
      row("Added", formatDate(person.created_at)), row("Last changed", formatDate(person.updated_at)));
    const reports = person.reports.length
      ? h("ul", { class: "plain-list" }, person.reports.map((r) => h("li", {}, h("a", { href: `#/people/${encodeURIComponent(r.id)}` }, r.name), r.job_title ? h("span", { class: "muted" }, ` · ${r.job_title}`) : null)))
      : h("p", { class: "muted" }, "Nobody reports to this person.");
    const groups = person.groups.length
      ? h("div", { class: "badges" }, person.groups.map((g) => h("a", { class: "badge", href: `#/groups/${encodeURIComponent(g.id)}` }, g.name)))
      : h("p", { class: "muted" }, "Not in any group.");
    const agents = h("ul", { class: "plain-list mono" }, person.agents.map((a) => h("li", {}, a.mbox || `${a.account.homePage} | ${a.account.name}`)));
    const records = ctx.can("statements.read")
      ? h("a", { class: "btn btn-sm", href: `#/statements?agent=${encodeURIComponent(person.id)}` }, "View learning records")
      : null;
    container.append(h("div", { class: "grid grid-2" },
      h("div", { class: "card" }, h("div", { class: "card-header" }, h("h2", {}, "Details")), h("div", { class: "card-body" }, details)),
      h("div", { class: "grid" },
        h("div", { class: "card" }, h("div", { class: "card-header" }, h("h2", {}, `Direct reports (${person.reports.length})`)), h("div", { class: "card-body" }, reports)),
        h("div", { class: "card" }, h("div", { class: "card-header" }, h("h2", {}, "Groups")), h("div", { class: "card-body" }, groups)),
        h("div", { class: "card" }, h("div", { class: "card-header" }, h("h2", {}, "xAPI identities"), records),
          h("div", { class: "card-body" }, h("p", { class: "muted" }, "Statements about any of these agents are this person's learning records."), agents)))));
  },
};
