// Forms with labels, help, required marks and errors shown next to the field the server names.
import { ApiError } from "../api.js";
import { h, uid } from "./dom.js";

/**
 * createForm({fields, submitLabel, onSubmit(values) → Promise, onCancel, grid})
 *
 * A field: {name, label, type: text|email|password|select|checkboxes|checkbox|textarea|date|search,
 *           required, value, options: [[value, label], ...], help, placeholder, autocomplete, span: 2}.
 * An ApiError with a `field` is shown under that field (and the field focused); any other error on
 * top of the form. Returns {element, setError(message, field), values(), focus()}.
 */
export function createForm({ fields, submitLabel = "Save", onSubmit, onCancel, grid = false, cancelLabel = "Cancel" }) {
  const controls = new Map();
  const errors = new Map();
  const wrappers = new Map();
  const formError = h("div", { class: "alert", role: "alert", hidden: true });

  const fieldNodes = fields.map((field) => {
    const id = uid(`f-${field.name}`);
    const errorId = `${id}-error`;
    const helpId = field.help ? `${id}-help` : null;
    const describedBy = [helpId, errorId].filter(Boolean).join(" ");
    const errorEl = h("div", { class: "field-error", id: errorId, hidden: true });
    errors.set(field.name, errorEl);
    let control;
    let labelNode;
    if (field.type === "select") {
      control = h("select", { id, name: field.name, required: field.required, "aria-describedby": describedBy },
        (field.options || []).map(([value, label]) =>
          h("option", { value, selected: String(field.value ?? "") === String(value) }, label)));
      labelNode = h("label", { for: id }, field.label, field.required ? h("span", { class: "required", "aria-hidden": "true" }, "*") : null);
    } else if (field.type === "checkboxes") {
      const chosen = new Set(field.value || []);
      control = h("div", { class: "checks", role: "group", "aria-describedby": describedBy },
        (field.options || []).map(([value, label]) =>
          h("label", { class: "check" },
            h("input", { type: "checkbox", name: field.name, value, checked: chosen.has(value) }), label)));
      labelNode = h("legend", {}, field.label);
    } else if (field.type === "checkbox") {
      control = h("input", { id, type: "checkbox", name: field.name, checked: Boolean(field.value), "aria-describedby": describedBy });
      labelNode = null;
    } else if (field.type === "textarea") {
      control = h("textarea", { id, name: field.name, required: field.required, placeholder: field.placeholder,
        rows: field.rows || 6, "aria-describedby": describedBy, spellcheck: "false" });
      control.value = field.value ?? "";
      labelNode = h("label", { for: id }, field.label, field.required ? h("span", { class: "required", "aria-hidden": "true" }, "*") : null);
    } else {
      const listId = field.suggestions ? `${id}-list` : null;
      control = h("input", { id, name: field.name, type: field.type || "text", required: field.required,
        placeholder: field.placeholder, autocomplete: field.autocomplete || "off", "aria-describedby": describedBy,
        value: field.value ?? "", list: listId });
      field.datalist = listId ? h("datalist", { id: listId }, field.suggestions.map((s) => h("option", { value: s }))) : null;
      labelNode = h("label", { for: id }, field.label, field.required ? h("span", { class: "required", "aria-hidden": "true" }, "*") : null);
    }
    controls.set(field.name, { field, control });
    const help = field.help ? h("div", { class: "help", id: helpId }, field.help) : null;
    let wrapper;
    if (field.type === "checkbox") {
      wrapper = h("div", { class: `field${field.span === 2 ? " span-2" : ""}` },
        h("label", { class: "check", for: id }, control, field.label), help, errorEl);
    } else if (field.type === "checkboxes") {
      wrapper = h("fieldset", { class: `field${field.span === 2 ? " span-2" : ""}` }, labelNode, control, help, errorEl);
    } else {
      wrapper = h("div", { class: `field${field.span === 2 ? " span-2" : ""}` }, labelNode, control, field.datalist || null, help, errorEl);
    }
    wrappers.set(field.name, wrapper);
    return wrapper;
  });

  const submit = h("button", { type: "submit", class: "btn btn-primary" }, submitLabel);
  const actions = h("div", { class: `form-actions${grid ? " span-2" : ""}` },
    onCancel ? h("button", { type: "button", class: "btn", onClick: onCancel }, cancelLabel) : null, submit);
  const form = h("form", { class: grid ? "form form-grid" : "form", novalidate: true },
    h("div", { class: grid ? "span-2" : "" }, formError), fieldNodes, actions);

  function values() {
    const out = {};
    for (const [name, { field, control }] of controls) {
      if (field.type === "checkboxes") {
        out[name] = [...control.querySelectorAll("input:checked")].map((i) => i.value);
      } else if (field.type === "checkbox") {
        out[name] = control.checked;
      } else {
        out[name] = control.value;
      }
    }
    return out;
  }

  function clearErrors() {
    formError.hidden = true;
    for (const [name, el] of errors) {
      el.hidden = true;
      el.textContent = "";
      wrappers.get(name).classList.remove("invalid");
      const { control } = controls.get(name);
      control.removeAttribute("aria-invalid");
    }
  }

  function setError(message, field) {
    if (field && errors.has(field)) {
      const el = errors.get(field);
      el.textContent = message;
      el.hidden = false;
      wrappers.get(field).classList.add("invalid");
      const { control } = controls.get(field);
      control.setAttribute("aria-invalid", "true");
      (control.matches("input,select,textarea") ? control : control.querySelector("input"))?.focus();
    } else {
      formError.textContent = message;
      formError.hidden = false;
      formError.focus?.();
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const current = values();
    for (const [name, { field }] of controls) {
      if (field.required && (current[name] === "" || current[name] === undefined)) {
        setError(`${field.label} is required`, name);
        return;
      }
    }
    submit.disabled = true;
    try {
      await onSubmit(current);
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err.message, err.field && errors.has(err.field) ? err.field : null);
      } else {
        setError(String(err.message || err));
      }
    } finally {
      submit.disabled = false;
    }
  });

  return {
    element: form,
    setError,
    values,
    focus: () => form.querySelector("input:not([type=checkbox]),select,textarea")?.focus(),
  };
}
