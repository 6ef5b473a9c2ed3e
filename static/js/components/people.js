// People widgets shared by the People, Person and My team pages: badges and the edit dialogs.
import { api } from "../api.js";
import { h } from "./dom.js";
import { openDialog } from "./dialog.js";
import { createForm } from "./form.js";

export const ROLE_OPTIONS = [
  ["platform_admin", "Platform admin"], ["org_admin", "Organisation admin"], ["ld_admin", "L&D admin"],
  ["ld_analyst", "L&D analyst"], ["finance", "Finance"], ["manager", "Manager"],
  ["supervisor", "Supervisor (foreman)"], ["executive", "Executive"], ["learner", "Learner"],
];
const ROLE_LABEL = Object.fromEntries(ROLE_OPTIONS);

export function roleBadges(roles) {
  if (!roles || !roles.length) return h("span", { class: "muted" }, "No role");
  return h("div", { class: "badges" }, roles.map((r) => h("span", { class: r === "learner" ? "badge" : "badge badge-primary" }, ROLE_LABEL[r] || r)));
}

export function statusBadge(person) {
  if (!person.active) return h("span", { class: "badge badge-danger" }, "Inactive");
  if (person.locked) return h("span", { class: "badge badge-warning" }, "Locked");
  return h("span", { class: "badge badge-success" }, "Active");
}

export function personLink(person) {
  return h("div", {},
    h("a", { href: `#/people/${encodeURIComponent(person.id)}` }, person.name || person.email),
    h("span", { class: "sub" }, person.email || person.user_name || ""));
}

async function choices() {
  const [departments, people] = await Promise.all([
    api.get("departments").catch(() => ({ items: [] })),
    api.get("people", { limit: 500, sort: "name", active: "true" }),
  ]);
  return { departments: departments.items.map((d) => d.name), people: people.items };
}

/** Create (no `person`) or edit a person; resolves with the saved person, or null when cancelled. */
export async function personDialog({ person = null, canAssignRoles = false } = {}) {
  const { departments, people } = await choices();
  const managerOptions = [["", "— No manager —"], ...people.filter((p) => !person || p.id !== person.id)
    .map((p) => [p.id, `${p.name}${p.job_title ? ` · ${p.job_title}` : ""}`])];
  const fields = [
    { name: "given_name", label: "First name", required: true, value: person?.given_name, autocomplete: "off" },
    { name: "family_name", label: "Last name", required: true, value: person?.family_name },
    { name: "email", label: "E-mail", type: "email", required: true, value: person?.email, span: 2,
      help: "Used to sign in, and as the person's xAPI identity (mailto:)." },
    { name: "job_title", label: "Job title", value: person?.job_title },
    { name: "department", label: "Department", value: person?.department, suggestions: departments,
      help: "Pick one or type a new department." },
    { name: "manager_id", label: "Reports to", type: "select", options: managerOptions, value: person?.manager_id || "", span: 2 },
    { name: "employee_number", label: "Employee number", value: person?.employee_number },
    { name: "location", label: "Location", value: person?.location },
  ];
  if (!person) {
    if (canAssignRoles) fields.push({ name: "roles", label: "Roles", type: "checkboxes", options: ROLE_OPTIONS, value: ["learner"], span: 2 });
    fields.push({ name: "password", label: "Initial password", type: "password", autocomplete: "new-password", span: 2,
      help: "Optional (people who use single sign-on need none). At least 10 characters with three of: lower case, upper case, digits, symbols." });
  }
  return new Promise((resolve) => {
    let saved = null;
    const form = createForm({
      fields, grid: true, submitLabel: person ? "Save changes" : "Add person",
      onCancel: () => dialog.close(),
      onSubmit: async (values) => {
        const body = { ...values };
        for (const key of ["job_title", "department", "employee_number", "location", "manager_id"]) {
          if (body[key] === "") body[key] = null;
        }
        if (person) {
          body.version = person.version;
          saved = await api.patch(`people/${encodeURIComponent(person.id)}`, body);
        } else {
          if (!body.password) delete body.password;
          saved = await api.post("people", body);
        }
        dialog.close();
      },
    });
    const dialog = openDialog({ title: person ? `Edit ${person.name}` : "Add a person", content: form.element, wide: true,
      onClose: () => resolve(saved) });
    form.focus();
  });
}

export function rolesDialog(person) {
  return new Promise((resolve) => {
    let saved = null;
    const form = createForm({
      fields: [{ name: "roles", label: "Roles", type: "checkboxes", options: ROLE_OPTIONS, value: person.roles }],
      submitLabel: "Save roles", onCancel: () => dialog.close(),
      onSubmit: async (values) => {
        saved = await api.put(`people/${encodeURIComponent(person.id)}/roles`, { roles: values.roles });
        dialog.close();
      },
    });
    const dialog = openDialog({
      title: `Roles of ${person.name}`,
      content: h("div", {}, h("p", { class: "muted" }, "A change of roles signs the person out everywhere, so it takes effect at once."), form.element),
      onClose: () => resolve(saved),
    });
  });
}

export function passwordDialog(person) {
  return new Promise((resolve) => {
    let done = false;
    const form = createForm({
      fields: [{ name: "password", label: "New password", type: "password", required: true, autocomplete: "new-password",
        help: "At least 10 characters with three of: lower case, upper case, digits, symbols. The person is signed out and unlocked." }],
      submitLabel: "Reset password", onCancel: () => dialog.close(),
      onSubmit: async (values) => {
        await api.post(`people/${encodeURIComponent(person.id)}/password`, { password: values.password });
        done = true;
        dialog.close();
      },
    });
    const dialog = openDialog({ title: `Reset the password of ${person.name}`, content: form.element, onClose: () => resolve(done) });
    form.focus();
  });
}
