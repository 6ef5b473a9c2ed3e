// Showing a secret once (LRS secrets, SCIM tokens) with copy buttons.
import { h } from "./dom.js";
import { openDialog } from "./dialog.js";
import { toastSuccess } from "./toast.js";

export function secretRow(label, value, id) {
  const copy = h("button", { type: "button", class: "btn btn-sm", onClick: async () => {
    try { await navigator.clipboard.writeText(value); toastSuccess(`${label} copied`); } catch { /* selection still works */ }
  } }, "Copy");
  return h("div", { class: "field" }, h("label", {}, label), h("div", { class: "secret-box" }, h("code", { id }, value), copy));
}

export function showSecretDialog({ title, intro, rows }) {
  return new Promise((resolve) => {
    const done = h("button", { type: "button", class: "btn btn-primary", onClick: () => dialog.close() }, "I have stored it");
    const dialog = openDialog({
      title,
      content: h("div", { class: "form" },
        h("div", { class: "alert alert-warning" }, "This is the only time the secret is shown. Store it in your client's configuration now."),
        intro ? h("p", {}, intro) : null,
        rows.map(([label, value, id]) => secretRow(label, value, id)),
        h("div", { class: "form-actions" }, done)),
      onClose: resolve,
    });
    done.focus();
  });
}
