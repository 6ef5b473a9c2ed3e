// Modal dialogs on the native <dialog>: focus moves in and is trapped, Esc closes, focus returns.
import { h } from "./dom.js";

/**
 * openDialog({title, content: Node, wide}) → {element, body, close()}.
 * `onClose` runs once however the dialog closes (button, Esc, close()).
 */
export function openDialog({ title, content, wide = false, onClose } = {}) {
  const opener = document.activeElement;
  const titleId = `dialog-title-${Math.random().toString(36).slice(2, 8)}`;
  const body = h("div", { class: "dialog-body" }, content);
  const dialog = h("dialog", { class: `dialog${wide ? " wide" : ""}`, "aria-labelledby": titleId },
    h("div", { class: "dialog-header" },
      h("h2", { id: titleId }, title),
      h("button", { type: "button", class: "icon-button", "aria-label": "Close", onClick: () => close() }, "✕")),
    body);
  let closed = false;
  function close() {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    if (onClose) onClose();
    if (opener && typeof opener.focus === "function" && document.contains(opener)) opener.focus();
  }
  dialog.addEventListener("close", close);
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(); });
  document.body.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea, .dialog-body button");
  if (first) first.focus();
  return { element: dialog, body, close };
}

/** A yes/no question; resolves true when confirmed. */
export function confirmDialog({ title, message, confirmLabel = "Confirm", danger = false }) {
  return new Promise((resolve) => {
    let answered = false;
    const confirmButton = h("button", {
      type: "button", class: `btn ${danger ? "btn-danger solid" : "btn-primary"}`,
      onClick: () => { answered = true; resolve(true); handle.close(); },
    }, confirmLabel);
    const content = h("div", { class: "form" },
      h("p", {}, message),
      h("div", { class: "form-actions" },
        h("button", { type: "button", class: "btn", onClick: () => handle.close() }, "Cancel"),
        confirmButton));
    const handle = openDialog({ title, content, onClose: () => { if (!answered) resolve(false); } });
    confirmButton.focus();
  });
}
