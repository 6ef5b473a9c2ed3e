// The course catalogue: the organisation's SCORM and cmi5 courses to enrol in and launch; L&D admins upload
// packages here. Enrolling goes through POST /registrations for both; a cmi5 course then opens its own page.
import { ApiError } from "../api.js";
import { h, pageHeader } from "../components/dom.js";
import { createTable } from "../components/table.js";
import { FORMATS as STANDARDS, statusLabel } from "./learning.js";

async function upload(file, csrfToken) {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch("/api/v1/packages", { method: "POST", body: form, credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken, Accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.error || {};
    throw new ApiError(response.status, error.code || "error", error.message || `upload failed (${response.status})`, error.field);
  }
  return body;
}

function uploadForm(ctx, onDone) {
  const input = h("input", { type: "file", id: "package-file", name: "file", accept: ".zip,application/zip", required: true });
  const button = h("button", { type: "submit", class: "btn btn-primary", id: "upload-package" }, "Upload package");
  const form = h("form", { class: "card card-body upload-form", onSubmit: async (event) => {
    event.preventDefault();
    if (!input.files.length) { ctx.toastError("Choose a SCORM or cmi5 zip file first."); return; }
    button.disabled = true;
    try {
      const imported = await upload(input.files[0], ctx.me.csrf_token);
      ctx.toastSuccess(`Imported “${imported.title}”`);
      form.reset();
      onDone();
    } catch (err) {
      ctx.toastError(err.message);
    } finally {
      button.disabled = false;
    }
  } },
  h("label", { for: "package-file" }, "Add a course (SCORM 1.2, SCORM 2004 or cmi5 zip)"), " ", input, " ", button);
  return form;
}

export default {
  path: "/catalog",
  title: "Course catalogue",
  section: "Learning",
  icon: "course",
  permissions: ["learn"],
  description: "Courses you can enrol in and start",
  async render(container, ctx) {
    container.append(pageHeader("Course catalogue", "Enrol in a course and start it straight away."));
    const load = async () => (await ctx.api.get("catalog")).packages;
    const table = createTable({
      caption: "Courses",
      rowKey: (p) => p.id,
      rows: await load(),
      sort: "title",
      filters: [{ name: "q", label: "Search", type: "search", placeholder: "Course title",
        match: (p, value) => p.title.toLowerCase().includes(value.toLowerCase()) }],
      columns: [
        { key: "title", label: "Course", sortable: true },
        { key: "standard", label: "Format", sortable: true, text: (p) => STANDARDS[p.standard] || p.standard },
        { key: "status", label: "Your status", text: (p) => (p.registration ? statusLabel(p.registration) : "Not enrolled") },
        { key: "action", label: "", render: (p) => (p.registration
          ? h("a", { class: "btn btn-sm", href: p.registration.player_url, dataset: { action: "open" } }, "Open")
          : h("button", { type: "button", class: "btn btn-sm btn-primary", dataset: { action: "enrol" },
            onClick: async () => {
              try {
                const registration = await ctx.api.post("registrations", { package_id: p.id });
                window.location.assign(registration.player_url);
              } catch (err) {
                ctx.toastError(err.message);
              }
            } }, p.standard === "cmi5" ? "Enrol" : "Enrol and start")) },
        ctx.can("packages.manage") ? { key: "assign", label: "", render: (p) => h("a", { class: "btn btn-sm",
          href: `#/catalog/${encodeURIComponent(p.id)}/assign`, dataset: { action: "assign" } }, "Assign…") } : null,
      ].filter(Boolean),
      empty: { icon: "course", title: "No courses yet",
        text: ctx.can("packages.manage") ? "Upload a SCORM or cmi5 package above to publish the first course."
          : "Your training team has not published any course yet." },
    });
    if (ctx.can("packages.manage")) container.append(uploadForm(ctx, async () => table.setRows(await load())));
    container.append(table.element);
  },
};
