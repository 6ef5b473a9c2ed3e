// LRS credentials: HTTP Basic key/secret pairs for LMSs and authoring tools, with xAPI scopes.
import { confirmDialog, openDialog } from "../components/dialog.js";
import { formatDate, h, pageHeader } from "../components/dom.js";
import { createForm } from "../components/form.js";
import { showSecretDialog } from "../components/secret.js";
import { createTable } from "../components/table.js";

const SCOPE_HELP = {
  "statements/write": "Write statements",
  "statements/read": "Read all statements",
  "statements/read/mine": "Read the statements it wrote",
  state: "State documents",
  define: "Activity definitions",
  profile: "Agent and activity profiles",
  "all/read": "Read everything",
  all: "Everything",
};

export default {
  path: "/lrs-credentials",
  title: "LRS credentials",
  section: "Integrations",
  icon: "key",
  permissions: ["lrs_credentials.manage"],
  description: "Keys for LMSs and tools that send xAPI",
  async render(container, ctx) {
    const endpoint = `${window.location.origin}/xapi/`;
    const create = () => new Promise((resolve) => {
      let issued = null;
      const form = createForm({
        fields: [
          { name: "label", label: "Label", required: true, help: "Who uses it, e.g. \"SuccessFactors production\"." },
          { name: "scopes", label: "Scopes", type: "checkboxes", value: ["statements/write", "statements/read/mine"],
            options: Object.entries(SCOPE_HELP).map(([scope, text]) => [scope, `${scope} — ${text}`]),
            help: "Give a client only what it needs." },
          { name: "xapi_version", label: "xAPI version of the client", type: "select", value: "2.0.0", options: [["2.0.0", "2.0.0"], ["1.0.3", "1.0.3"]] },
        ],
        submitLabel: "Create credential", onCancel: () => dialog.close(),
        onSubmit: async (values) => { issued = await ctx.api.post("lrs-credentials", values); dialog.close(); },
      });
      const dialog = openDialog({ title: "New LRS credential", content: form.element, onClose: () => resolve(issued) });
      form.focus();
    });
    const onCreate = async () => {
      const issued = await create();
      if (!issued) return;
      await showSecretDialog({ title: `Credential for ${issued.label}`, intro: `Endpoint: ${endpoint}`,
        rows: [["Key", issued.key, "issued-key"], ["Secret", issued.secret, "issued-secret"]] });
      load();
    };
    container.append(pageHeader("LRS credentials",
      `Each client (an LMS, an authoring tool, another LRS) gets its own key and secret for HTTP Basic at ${endpoint}`,
      h("button", { type: "button", class: "btn btn-primary", id: "add-credential", onClick: onCreate }, "+ New credential")));
    const table = createTable({
      caption: "LRS credentials",
      rows: [],
      rowKey: (c) => c.key,
      sort: "created_at", order: "desc",
      columns: [
        { key: "label", label: "Label", sortable: true, render: (c) => h("strong", {}, c.label || "—") },
        { key: "key", label: "Key", render: (c) => h("code", {}, c.key) },
        { key: "scopes", label: "Scopes", text: (c) => c.scopes.join(" "), render: (c) => h("div", { class: "badges" }, c.scopes.map((s) => h("span", { class: "badge" }, s))) },
        { key: "xapi_version", label: "xAPI", sortable: true },
        { key: "created_at", label: "Created", sortable: true, render: (c) => formatDate(c.created_at), sortValue: (c) => c.created_at },
        { key: "status", label: "Status", sortable: true, text: (c) => (c.revoked ? "Revoked" : "Active"),
          render: (c) => h("span", { class: c.revoked ? "badge badge-danger" : "badge badge-success" }, c.revoked ? "Revoked" : "Active") },
        { key: "actions", label: "", class: "num", render: (c) => (c.revoked ? null : h("button", {
          type: "button", class: "btn btn-sm btn-danger", "aria-label": `Revoke ${c.label || c.key}`,
          onClick: async () => {
            const ok = await confirmDialog({ title: `Revoke ${c.label || c.key}?`, danger: true, confirmLabel: "Revoke",
              message: "Clients using this key are refused from now on. This cannot be undone; issue a new credential instead." });
            if (!ok) return;
            try { await ctx.api.del(`lrs-credentials/${encodeURIComponent(c.key)}`); ctx.toastSuccess("Credential revoked"); load(); } catch (err) { ctx.toastError(err.message); }
          },
        }, "Revoke")) },
      ],
      filters: [
        { name: "q", label: "Search", type: "search", placeholder: "Label or key" },
        { name: "status", label: "Status", type: "select", options: [["", "All"], ["active", "Active"], ["revoked", "Revoked"]],
          match: (c, v) => (v === "revoked") === c.revoked },
      ],
      empty: { icon: "key", title: "No LRS credentials yet", text: "Create one for each system that sends or reads xAPI statements.",
        action: { label: "New credential", onClick: onCreate } },
    });
    container.append(table.element);
    async function load() {
      const data = await ctx.api.get("lrs-credentials");
      table.setRows(data.items);
    }
    await load();
  },
};
