// Short confirmations and errors in a polite live region (screen readers announce them).
import { h } from "./dom.js";

function region() {
  let el = document.getElementById("toasts");
  if (!el) {
    el = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(el);
  }
  return el;
}

export function toast(message, kind = "info", ms = 4000) {
  const el = h("div", { class: `toast ${kind}` }, message);
  region().append(el);
  setTimeout(() => el.remove(), ms);
  return el;
}

export const toastSuccess = (message) => toast(message, "success");
export const toastError = (message) => toast(message, "error", 6000);
