// SCIM tokens: bearer tokens an identity provider (Entra ID, Okta) uses to provision people and groups.
import { confirmDialog, openDialog } from "../components/dialog.js";
import { formatDate, h, pageHeader } from "../components/dom.js";
import { statePage } from "../components/empty.js";
import { createForm } from "../components/form.js";
import { showSecretDialog } from "../components/secret.js";
import { createTable } from "../components/table.js";

function items(data) {
  if (Array.isArray(data)) return data;
  return data.items || data.tokens || [];
}

export default {
  path: "/scim-tokens",
  title: "SCIM tokens",
  section: "Integrations",
  icon: "sync",
  permissions: ["scim_tokens.manage"],
  description: "Provision people from your identity provider",
  async render(container, ctx) {
    const base = `${window.location.origin}/scim/v2/${ctx.me.tenant.slug}`;
    let data;
    try {
      data = await ctx.api.get("admin/scim-tokens");
    } catch (err) {
      if (err.status === 404) {
        container.append(statePage({ icon: "sync", title: "SCIM provisioning is not available yet",
          text: "This server does not offer SCIM tokens yet. Once it does, issue tokens here.", link: { href: "#/", label: "Go to the dashboard" } }));
        return;
      }
      throw err;
    }
    const create = () => new Promise((resolve) => {
      let issued = null;
      const form = createForm({
        fields: [{ name: "label", label: "Label", required: true, help: "Which identity provider uses it, e.g. \"Entra ID production\"." }],
        submitLabel: "Create token", onCancel: () => dialog.close(),
        onSubmit: async (values) => { issued = await ctx.api.post("admin/scim-tokens", values); dialog.close(); },
      });
      const dialog = openDialog({ title: "New SCIM token", content: form.element, onClose: () => resolve(issued) });
      form.focus();
    });
    const onCreate = async () => {
      const issued = await create();
      if (!issued) return;
      await showSecretDialog({ title: `SCIM token ${issued.label}`, intro: `SCIM base URL: ${base}`,
        rows: [["Bearer token", issued.token, "issued-token"]] });
      load();
    };
    container.append(pageHeader("SCIM tokens",
      "Your identity provider creates, updates and deactivates people and groups through SCIM 2.0 with one of these tokens. Keep two while you rotate.",
      h("button", { type: "button", class: "btn btn-primary", id: "add-scim-token", onClick: onCreate }, "+ New token")));
    const revoked = (t) => Boolean(t.revoked || t.revoked_at);
    const table = createTable({
      caption: "SCIM tokens",
      rows: [],
      rowKey: (t) => t.token_id,
      sort: "created_at", order: "desc",
      columns: [
        { key: "label", label: "Label", sortable: true, render: (t) => h("strong", {}, t.label || "—") },
        { key: "created_at", label: "Created", sortable: true, render: (t) => formatDate(t.created_at), sortValue: (t) => t.created_at || "" },
        { key: "last_used_at", label: "Last used", sortable: true, render: (t) => (t.last_used_at ? formatDate(t.last_used_at) : h("span", { class: "muted" }, "Never")), sortValue: (t) => t.last_used_at || "" },
        { key: "status", label: "Status", text: (t) => (revoked(t) ? "Revoked" : "Active"), render: (t) => h("span", { class: revoked(t) ? "badge badge-danger" : "badge badge-success" }, revoked(t) ? "Revoked" : "Active") },
        { key: "actions", label: "", class: "num", render: (t) => (revoked(t) ? null : h("button", {
          type: "button", class: "btn btn-sm btn-danger", "aria-label": `Revoke ${t.label}`,
          onClick: async () => {
            if (!(await confirmDialog({ title: `Revoke ${t.label}?`, danger: true, confirmLabel: "Revoke",
              message: "Provisioning with this token stops at once." }))) return;
            try { await ctx.api.del(`admin/scim-tokens/${encodeURIComponent(t.token_id)}`); ctx.toastSuccess("Token revoked"); load(); } catch (err) { ctx.toastError(err.message); }
          },
        }, "Revoke")) },
      ],
      empty: { icon: "sync", title: "No SCIM tokens yet", text: `Create a token and give it, with the base URL ${base}, to your identity provider's provisioning app.`,
        action: { label: "New token", onClick: onCreate } },
    });
    container.append(table.element);
    async function load(fresh = null) {
      table.setRows(items(fresh || await ctx.api.get("admin/scim-tokens")));
    }
    load(data);
  },
};
